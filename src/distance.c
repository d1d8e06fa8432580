/*-------------------------------------------------------------------------
 *
 * distance.c
 *	  Scalar reference kernels, the table of kernel tables, CPU detection
 *	  and run-time selection.
 *
 * The scalar kernels are the reference every SIMD kernel is tested against
 * (test/kernels/test_kernels.c); they are plain loops compiled with the
 * extension's ordinary -O2 flags.  The SIMD tables live in simd/avx2.c and
 * simd/avx512.c, each function carrying its own target attribute, so the
 * whole module builds without -m flags and runs on any x86-64 CPU: the CPU
 * is asked once (cpuid for the instructions, xgetbv for whether the OS
 * saves the YMM/ZMM/opmask registers) and only tables it can run are ever
 * installed.
 *
 * Testing switch: the environment variable VECIDX_SIMD (scalar, avx2imul1,
 * avx2, avx512novnni, avx512) caps the detected features at load, as if the
 * CPU had no more; test programs use it to exercise the selection and
 * fallback paths.  Unknown values are ignored.
 *
 * Two tables serve the AVX2 level; they differ only in l2sq_u8 (see
 * simd/avx2.c).  "avx2" needs two 256-bit vector integer multiply pipes
 * (VX_CPU_IMUL2), "avx2imul1" is for the CPUs that have one: AMD family 17h
 * (Zen, Zen+, Zen 2) and Intel Haswell and Broadwell, per the published
 * instruction tables (vpmaddwd and vpmaddubsw on a single pipe).  No cpuid
 * bit tells this, so it is a list of families and models; any CPU not on it
 * is taken to have two pipes (Zen 3 and later, Skylake and later).
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "distance.h"
#include "half.h"

#if defined(VX_HAVE_X86_SIMD) && !defined(_MSC_VER)
#include <cpuid.h>
#endif

/* ---------- scalar reference kernels ---------- */

/*
 * The float kernels over a pair of element types, each element widened to
 * float by its LOAD: one body for vector (f32, f32), halfvec (f16, f16) and
 * a float query against u8 codes (f32u8, no cosine).
 */
#define VX_LOAD_F32(x)	(x)
#define VX_LOAD_F16(x)	vx_half_to_float(x)
#define VX_LOAD_U8(x)	((float) (x))

/* name(a, b, n): the float sum over i of TERM(a[i], b[i]), both loaded */
#define SCALAR_SUM_KERNEL(name, TA, TB, LOADA, LOADB, TERM) \
static float \
name(const TA *a, const TB *b, int n) \
{ \
	float		s = 0; \
\
	for (int i = 0; i < n; i++) \
	{ \
		float		x = LOADA(a[i]); \
		float		y = LOADB(b[i]); \
\
		s += TERM(x, y); \
	} \
	return s; \
}

#define SCALAR_L2SQ_TERM(x, y)	(((x) - (y)) * ((x) - (y)))
#define SCALAR_DOT_TERM(x, y)	((x) * (y))
#define SCALAR_L1_TERM(x, y)	fabsf((x) - (y))

#define SCALAR_FLOAT_KERNELS(sfx, TA, TB, LOADA, LOADB) \
	SCALAR_SUM_KERNEL(scalar_l2sq_##sfx, TA, TB, LOADA, LOADB, SCALAR_L2SQ_TERM) \
	SCALAR_SUM_KERNEL(scalar_dot_##sfx, TA, TB, LOADA, LOADB, SCALAR_DOT_TERM) \
	SCALAR_SUM_KERNEL(scalar_l1_##sfx, TA, TB, LOADA, LOADB, SCALAR_L1_TERM)

/* ab, aa and bb of the cosine distance in one pass */
#define SCALAR_COSINE_KERNEL(sfx, T, LOAD) \
static void \
scalar_cosine_##sfx(const T *a, const T *b, int n, \
					float *ab, float *aa, float *bb) \
{ \
	float		x = 0, \
				y = 0, \
				z = 0; \
\
	for (int i = 0; i < n; i++) \
	{ \
		float		ai = LOAD(a[i]); \
		float		bi = LOAD(b[i]); \
\
		x += ai * bi; \
		y += ai * ai; \
		z += bi * bi; \
	} \
	*ab = x; \
	*aa = y; \
	*bb = z; \
}

SCALAR_FLOAT_KERNELS(f32, float, float, VX_LOAD_F32, VX_LOAD_F32)
SCALAR_COSINE_KERNEL(f32, float, VX_LOAD_F32)

static uint32_t
scalar_l2sq_u8(const uint8_t *a, const uint8_t *b, int n)
{
	uint32_t	s = 0;

	for (int i = 0; i < n; i++)
	{
		int			d = (int) a[i] - (int) b[i];

		s += (uint32_t) (d * d);
	}
	return s;
}

static uint32_t
scalar_dot_u8(const uint8_t *a, const uint8_t *b, int n)
{
	uint32_t	s = 0;

	for (int i = 0; i < n; i++)
		s += (uint32_t) a[i] * b[i];
	return s;
}

static uint32_t
scalar_l1_u8(const uint8_t *a, const uint8_t *b, int n)
{
	uint32_t	s = 0;

	for (int i = 0; i < n; i++)
		s += (uint32_t) abs((int) a[i] - (int) b[i]);
	return s;
}

SCALAR_FLOAT_KERNELS(f32u8, float, uint8_t, VX_LOAD_F32, VX_LOAD_U8)

static void
scalar_decode_u8(const uint8_t *c, float s, const float *a, float *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = fmaf(s, (float) c[i], a[i]);
}

/*
 * halfvec kernels: each element widened exactly, then the float loops above
 * term for term, so a scalar f16 kernel returns what the scalar f32 kernel
 * returns on the widened values.
 */
static void
scalar_f16_to_f32(const uint16_t *h, float *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = vx_half_to_float(h[i]);
}

static void
scalar_f32_to_f16(const float *x, uint16_t *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = vx_float_to_half(x[i]);
}

SCALAR_FLOAT_KERNELS(f16, uint16_t, uint16_t, VX_LOAD_F16, VX_LOAD_F16)
SCALAR_COSINE_KERNEL(f16, uint16_t, VX_LOAD_F16)

/* bit kernels: a byte at a time, counting set bits with a nibble table */
static const uint8_t nibble_ones[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};

static inline uint32_t
byte_ones(uint8_t x)
{
	return nibble_ones[x & 0xf] + nibble_ones[x >> 4];
}

static uint64_t
scalar_hamming_u8(const uint8_t *a, const uint8_t *b, int n)
{
	uint64_t	s = 0;

	for (int i = 0; i < n; i++)
		s += byte_ones(a[i] ^ b[i]);
	return s;
}

static void
scalar_jaccard_u8(const uint8_t *a, const uint8_t *b, int n,
				  uint64_t *ab, uint64_t *aa, uint64_t *bb)
{
	uint64_t	x = 0,
				y = 0,
				z = 0;

	for (int i = 0; i < n; i++)
	{
		x += byte_ones(a[i] & b[i]);
		y += byte_ones(a[i]);
		z += byte_ones(b[i]);
	}
	*ab = x;
	*aa = y;
	*bb = z;
}

#define SCALAR_TYPE_KERNELS \
	scalar_f16_to_f32, scalar_f32_to_f16, \
	scalar_l2sq_f16, scalar_dot_f16, scalar_l1_f16, scalar_cosine_f16, \
	scalar_hamming_u8, scalar_jaccard_u8

const VxKernels vx_kernels_scalar =
VX_KERNEL_TABLE("scalar", scalar, scalar_l2sq_u8, scalar_dot_u8, SCALAR_TYPE_KERNELS,
				VX_SIMD_SCALAR, 0);

/* every table compiled in, scalar first, then by increasing preference */
static const VxKernels *const all_tables[] = {
	&vx_kernels_scalar,
#ifdef VX_HAVE_X86_SIMD
	&vx_kernels_avx2imul1,
	&vx_kernels_avx2,
#endif
#ifdef VX_HAVE_AVX512
	&vx_kernels_avx512,
	&vx_kernels_avx512vnni,
#endif
};

#define NUM_TABLES ((int) (sizeof(all_tables) / sizeof(all_tables[0])))

const VxKernels *vx_kern = &vx_kernels_scalar;

/* ---------- CPU detection ---------- */

/*
 * Does a CPU have a single 256-bit vector integer multiply pipe?  From the
 * vendor string and the signature (cpuid leaf 1, eax): AMD family 17h, Intel
 * family 6 Haswell (models 3C, 3F, 45, 46) and Broadwell (3D, 47, 4F, 56).
 * Pure, so that test_kernels can check it on known signatures.
 */
int
vx_cpu_one_imul_pipe(const char *vendor, uint32_t signature)
{
	uint32_t	family = (signature >> 8) & 0xf;
	uint32_t	model = (signature >> 4) & 0xf;

	if (family == 0xf)
		family += (signature >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model |= ((signature >> 16) & 0xf) << 4;

	if (strcmp(vendor, "AuthenticAMD") == 0)
		return family == 0x17;
	if (strcmp(vendor, "GenuineIntel") == 0 && family == 6)
		return model == 0x3c || model == 0x3f || model == 0x45 || model == 0x46 ||
			model == 0x3d || model == 0x47 || model == 0x4f || model == 0x56;
	return 0;
}

static int	cpu_detected = 0;
static uint32_t cpu_features = 0;

#ifdef VX_HAVE_X86_SIMD

/* this CPU's one_imul_pipe answer, from cpuid leaves 0 and 1 */
static int
one_imul_pipe(void)
{
	unsigned int eax,
				ebx,
				ecx,
				edx;
	char		vendor[13];

	if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx))
		return 0;
	memcpy(vendor, &ebx, 4);
	memcpy(vendor + 4, &edx, 4);
	memcpy(vendor + 8, &ecx, 4);
	vendor[12] = '\0';
	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return 0;
	return vx_cpu_one_imul_pipe(vendor, eax);
}

/*
 * Raw feature bits from cpuid and xgetbv.  An instruction set is usable only
 * if the CPU implements it AND the OS saves its registers on context switch
 * (XCR0); xgetbv itself may be executed only when CPUID.1:ECX.OSXSAVE is set.
 */
static uint32_t
detect_x86(void)
{
	unsigned int eax,
				ebx,
				ecx,
				edx;
	unsigned int xcr0_lo,
				xcr0_hi;
	uint32_t	f = 0;
	int			avx_os;
	int			avx512_os;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return 0;
	if (!(ecx & (1u << 27)))	/* OSXSAVE */
		return 0;
	if (!(ecx & (1u << 28)) || !(ecx & (1u << 12)))	/* AVX, FMA */
		return 0;
	if (!(ecx & (1u << 29)))	/* F16C (halfvec kernels of every SIMD table) */
		return 0;

	__asm__ __volatile__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	(void) xcr0_hi;
	avx_os = (xcr0_lo & 0x06) == 0x06;	/* SSE and AVX (YMM) state */
	avx512_os = (xcr0_lo & 0xe6) == 0xe6;	/* + opmask, ZMM_Hi256, Hi16_ZMM */
	if (!avx_os)
		return 0;

	if (__get_cpuid_max(0, NULL) < 7)
		return 0;
	__cpuid_count(7, 0, eax, ebx, ecx, edx);

	if (ebx & (1u << 5))		/* AVX2 */
		f |= VX_CPU_AVX2;
	if ((f & VX_CPU_AVX2) && !one_imul_pipe())
		f |= VX_CPU_IMUL2;
	if ((f & VX_CPU_AVX2) && avx512_os &&
		(ebx & (1u << 16)) &&	/* AVX512F */
		(ebx & (1u << 30)) &&	/* AVX512BW */
		(ebx & (1u << 31)))		/* AVX512VL */
	{
		f |= VX_CPU_AVX512;
		if (ecx & (1u << 11))	/* AVX512_VNNI */
			f |= VX_CPU_VNNI;
	}
	return f;
}

/* apply the VECIDX_SIMD testing cap */
static uint32_t
cap_from_env(uint32_t f)
{
	const char *cap = getenv("VECIDX_SIMD");

	if (cap == NULL)
		return f;
	if (strcmp(cap, "scalar") == 0)
		return 0;
	if (strcmp(cap, "avx2imul1") == 0)
		return f & VX_CPU_AVX2;
	if (strcmp(cap, "avx2") == 0)
		return f & (VX_CPU_AVX2 | VX_CPU_IMUL2);
	if (strcmp(cap, "avx512novnni") == 0)
		return f & (VX_CPU_AVX2 | VX_CPU_IMUL2 | VX_CPU_AVX512);
	return f;
}
#endif							/* VX_HAVE_X86_SIMD */

uint32_t
vx_cpu_features(void)
{
	if (!cpu_detected)
	{
#ifdef VX_HAVE_X86_SIMD
		cpu_features = cap_from_env(detect_x86());
#else
		cpu_features = 0;
#endif
		cpu_detected = 1;
	}
	return cpu_features;
}

/* ---------- selection ---------- */

const char *
vx_simd_level_name(VxSimdLevel level)
{
	switch (level)
	{
		case VX_SIMD_SCALAR:
			return "scalar";
		case VX_SIMD_AVX2:
			return "avx2";
		case VX_SIMD_AVX512:
			return "avx512";
	}
	return "unknown";
}

int
vx_kernels_count(void)
{
	return NUM_TABLES;
}

const VxKernels *
vx_kernels_nth(int i)
{
	if (i < 0 || i >= NUM_TABLES)
		return NULL;
	return all_tables[i];
}

/*
 * The preferred table serving 'level' that this CPU runs, or NULL.  Later
 * entries of all_tables are preferred (avx512vnni over avx512, avx2 over
 * avx2imul1).
 */
const VxKernels *
vx_kernels_for(VxSimdLevel level)
{
	uint32_t	f = vx_cpu_features();
	const VxKernels *best = NULL;

	for (int i = 0; i < NUM_TABLES; i++)
	{
		const VxKernels *k = all_tables[i];

		if (k->level == level && (k->cpu_required & f) == k->cpu_required)
			best = k;
	}
	return best;
}

VxSimdLevel
vx_simd_detect(void)
{
	if (vx_kernels_for(VX_SIMD_AVX512) != NULL)
		return VX_SIMD_AVX512;
	if (vx_kernels_for(VX_SIMD_AVX2) != NULL)
		return VX_SIMD_AVX2;
	return VX_SIMD_SCALAR;
}

void
vx_kernels_init(void)
{
	vx_kern = vx_kernels_for(vx_simd_detect());
}

/* install a table; the caller guarantees the CPU runs it */
void
vx_kernels_use(const VxKernels *k)
{
	vx_kern = k;
}
