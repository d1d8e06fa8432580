/*-------------------------------------------------------------------------
 *
 * avx512.c
 *	  AVX-512 distance kernels: tables "avx512" (F+BW+VL) and "avx512vnni"
 *	  (the same plus AVX512_VNNI for the uint8 x uint8 kernels).
 *
 * Every function carries its own target attribute; the file builds with the
 * extension's ordinary flags, and compiles to nothing off x86-64, with
 * compilers too old for AVX-512 VNNI attributes, or with
 * -DVECIDX_DISABLE_SIMD.  distance.c installs a table only when cpuid and
 * xgetbv say the CPU and OS support it.
 *
 * The loops are kernel_shapes.h's (VNNI's own), filled with AVX-512
 * operations here.
 *
 * float kernels: four 16-lane accumulators over 64-element blocks, then a
 * 16-element loop, then one masked load for the last n % 16 elements (masked
 * lanes read as zero and cannot fault), so nothing past n is touched.
 *
 * uint8 kernels (64-byte blocks, masked tail, exact, wrapping like the scalar
 * uint32 sum):
 *	l1:   vpsadbw (|a-b| over 8 bytes into 64-bit lanes);
 *	dot:  without VNNI, bytes widened to 16 bits and vpmaddwd; with VNNI,
 *		  vpdpbusd multiplies unsigned by SIGNED bytes, so b is biased:
 *		  a.b = a.(b-128) + 128*sum(a), with (b-128) = b xor 0x80 as int8
 *		  and sum(a) from a second vpdpbusd against a vector of ones;
 *	l2sq: d = |a-b| from two saturating subtractions; without VNNI, widened
 *		  and vpmaddwd with itself; with VNNI, d^2 = d*(d-128) + 128*d,
 *		  i.e. vpdpbusd(d, d xor 0x80) plus 128 * vpdpbusd(d, ones).
 * (Using vpdpbusd for the plain byte sums measured faster than vpsadbw plus
 * an add: 6 instead of 7 vector instructions per 64 bytes for l2sq.)
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdint.h>

#include "distance.h"

#ifdef VX_HAVE_AVX512

#include <immintrin.h>

#include "hsum256.h"
#include "kernel_shapes.h"

#define VX_AVX512 __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl")))
#define VX_AVX512VNNI __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni")))

/* ---------- helpers ---------- */

/* lanes [0, r) set, r < 16 */
#define MASK16(r) ((__mmask16) ((1u << (r)) - 1))
/* lanes [0, r) set, r < 64 */
#define MASK64(r) ((__mmask64) ((1ull << (r)) - 1))

/* lane sums: the two 256-bit halves added, then hsum256.h's reduction */
VX_AVX512 static inline float
hsum512_ps(__m512 v)
{
	return vx256_hsum_ps(_mm256_add_ps(_mm512_castps512_ps256(v),
									   _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
}

VX_AVX512 static inline uint32_t
hsum512_epi32(__m512i v)
{
	return vx256_hsum_epi32(_mm256_add_epi32(_mm512_castsi512_si256(v),
											 _mm512_extracti64x4_epi64(v, 1)));
}

VX_AVX512 static inline uint64_t
hsum512_epi64(__m512i v)
{
	return vx256_hsum_epi64(_mm256_add_epi64(_mm512_castsi512_si256(v),
											 _mm512_extracti64x4_epi64(v, 1)));
}

/* sixteen codes at c, as floats */
VX_AVX512 static inline __m512
load_codes16(const uint8_t *c)
{
	return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *) c)));
}

/* the first r (< 16) codes at c, as floats; the others zero */
VX_AVX512 static inline __m512
load_codes16_masked(const uint8_t *c, int r)
{
	return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(MASK16(r), c)));
}

#define LOADF(p) _mm512_loadu_ps(p)
#define LOADF_M(p, r) _mm512_maskz_loadu_ps(MASK16(r), (p))
#define LOADB(p) _mm512_loadu_si512((const void *) (p))
#define LOADB_M(p, r) _mm512_maskz_loadu_epi8(MASK64(r), (const void *) (p))

/* what kernel_shapes.h plugs in: 16-lane floats, 64-byte codes, masked tails */
#define VXF __m512
#define VXF_W 16
#define VXF_TARGET VX_AVX512
#define VXF_ZERO() _mm512_setzero_ps()
#define VXF_ADD(x, y) _mm512_add_ps((x), (y))
#define VXF_SUB(x, y) _mm512_sub_ps((x), (y))
#define VXF_ABS(x) _mm512_abs_ps(x)
#define VXF_FMADD(x, y, acc) _mm512_fmadd_ps((x), (y), (acc))
#define VXF_HSUM(v) hsum512_ps(v)
#define VX_SHORT_LOOP 0

#define VXK_f32_T float
#define VXK_f32_LOAD(p) LOADF(p)
#define VXK_f32_TAIL(p, i, n) LOADF_M((p) + (i), (n) - (i))
#define VXK_u8_T uint8_t
#define VXK_u8_LOAD(p) load_codes16(p)
#define VXK_u8_TAIL(p, i, n) load_codes16_masked((p) + (i), (n) - (i))

#define VXU __m512i
#define VXU_W 64
#define VXU_ZERO() _mm512_setzero_si512()
#define VXU_LOAD(p) LOADB(p)
#define VXU_TAIL(p, i, n) LOADB_M((p) + (i), (n) - (i))

VX_FLOAT_STEPS

/* ---------- float32 x float32 ---------- */

static VX_SUM4_KERNEL(avx512_l2sq_f32, f32, f32, vxf_l2sq_step, VX_L2SQ_TERM)
static VX_SUM4_KERNEL(avx512_dot_f32, f32, f32, vxf_dot_step, VX_DOT_TERM)
static VX_SUM4_KERNEL(avx512_l1_f32, f32, f32, vxf_l1_step, VX_L1_TERM)
static VX_COSINE_KERNEL(avx512_cosine_f32, f32)

/* ---------- uint8 x uint8 without VNNI ---------- */

/* sum over 64 bytes of (a-b)^2 into 16 int32 lanes of acc */
VX_AVX512 static inline __m512i
l2sq_u8_step(__m512i acc, __m512i x, __m512i y)
{
	const __m512i zero = _mm512_setzero_si512();
	__m512i		d = _mm512_or_si512(_mm512_subs_epu8(x, y), _mm512_subs_epu8(y, x));
	__m512i		lo = _mm512_unpacklo_epi8(d, zero);
	__m512i		hi = _mm512_unpackhi_epi8(d, zero);

	acc = _mm512_add_epi32(acc, _mm512_madd_epi16(lo, lo));
	return _mm512_add_epi32(acc, _mm512_madd_epi16(hi, hi));
}

/* sum over 64 bytes of a*b into 16 int32 lanes of acc */
VX_AVX512 static inline __m512i
dot_u8_step(__m512i acc, __m512i x, __m512i y)
{
	const __m512i zero = _mm512_setzero_si512();

	acc = _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_unpacklo_epi8(x, zero),
												  _mm512_unpacklo_epi8(y, zero)));
	return _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_unpackhi_epi8(x, zero),
												   _mm512_unpackhi_epi8(y, zero)));
}

/* sum over 64 bytes of |a-b| into 8 int64 lanes of acc (vpsadbw) */
VX_AVX512 static inline __m512i
l1_u8_step(__m512i acc, __m512i x, __m512i y)
{
	return _mm512_add_epi64(acc, _mm512_sad_epu8(x, y));
}

static VX_U8_KERNEL(avx512_l2sq_u8, l2sq_u8_step, _mm512_add_epi32, hsum512_epi32, VX_L2SQ_U8_TERM)
static VX_U8_KERNEL(avx512_dot_u8, dot_u8_step, _mm512_add_epi32, hsum512_epi32, VX_DOT_U8_TERM)
/* shared by both tables: vpsadbw needs only BW */
static VX_U8_KERNEL(avx512_l1_u8, l1_u8_step, _mm512_add_epi64, hsum512_epi64, VX_L1_U8_TERM)

/* ---------- uint8 x uint8 with VNNI ---------- */

/*
 * d0 + d1 + d2 + d3 + 128 * s, summed over all 32-bit lanes, modulo 2^32
 * (all lane arithmetic wraps like the scalar uint32 sum): one reduction.
 */
VX_AVX512 static inline uint32_t
vnni_finish(__m512i d0, __m512i d1, __m512i d2, __m512i d3, __m512i s)
{
	__m512i		d = _mm512_add_epi32(_mm512_add_epi32(d0, d1), _mm512_add_epi32(d2, d3));

	return hsum512_epi32(_mm512_add_epi32(d, _mm512_slli_epi32(s, 7)));
}

/*
 * One 64-byte step of the VNNI l2sq: dacc gets d*(d-128) per 4 bytes,
 * sacc gets sum d (= |a-b|) per 4 bytes.
 */
#define VNNI_L2SQ_STEP(dacc, sacc, x, y) \
	do { \
		__m512i		d_ = _mm512_or_si512(_mm512_subs_epu8((x), (y)), _mm512_subs_epu8((y), (x))); \
		(dacc) = _mm512_dpbusd_epi32((dacc), d_, _mm512_xor_si512(d_, bias)); \
		(sacc) = _mm512_dpbusd_epi32((sacc), d_, ones); \
	} while (0)

/*
 * One 64-byte step of the VNNI dot: dacc gets a*(b-128) per 4 bytes, sacc
 * gets sum a per 4 bytes.
 */
#define VNNI_DOT_STEP(dacc, sacc, x, y) \
	do { \
		(dacc) = _mm512_dpbusd_epi32((dacc), (x), _mm512_xor_si512((y), bias)); \
		(sacc) = _mm512_dpbusd_epi32((sacc), (x), ones); \
	} while (0)

/*
 * The VNNI kernels' loop: four accumulators of products over 256-byte
 * blocks (two of byte sums, taking turns), then 64 bytes at a time, then the
 * masked tail; STEP(dacc, sacc, x, y) is one of the two steps above.
 * Masked-off bytes are zero in x and y, so their terms are 0 (in dot, the
 * biased products too).
 */
#define VNNI_KERNEL(name, STEP) \
VX_AVX512VNNI uint32_t \
name(const uint8_t *a, const uint8_t *b, int n) \
{ \
	const __m512i bias = _mm512_set1_epi8((char) 0x80); \
	const __m512i ones = _mm512_set1_epi8(1); \
	__m512i		d0 = _mm512_setzero_si512(), \
				d1 = _mm512_setzero_si512(), \
				d2 = _mm512_setzero_si512(), \
				d3 = _mm512_setzero_si512(); \
	__m512i		s0 = _mm512_setzero_si512(), \
				s1 = _mm512_setzero_si512(); \
	__m512i		x, \
				y; \
	int			i = 0; \
	\
	for (; i + 256 <= n; i += 256) \
	{ \
		x = LOADB(a + i); \
		y = LOADB(b + i); \
		STEP(d0, s0, x, y); \
		x = LOADB(a + i + 64); \
		y = LOADB(b + i + 64); \
		STEP(d1, s1, x, y); \
		x = LOADB(a + i + 128); \
		y = LOADB(b + i + 128); \
		STEP(d2, s0, x, y); \
		x = LOADB(a + i + 192); \
		y = LOADB(b + i + 192); \
		STEP(d3, s1, x, y); \
	} \
	for (; i + 64 <= n; i += 64) \
	{ \
		x = LOADB(a + i); \
		y = LOADB(b + i); \
		STEP(d0, s0, x, y); \
	} \
	if (i < n) \
	{ \
		x = LOADB_M(a + i, n - i); \
		y = LOADB_M(b + i, n - i); \
		STEP(d1, s1, x, y); \
	} \
	return vnni_finish(d0, d1, d2, d3, _mm512_add_epi32(s0, s1)); \
}

static VNNI_KERNEL(avx512vnni_l2sq_u8, VNNI_L2SQ_STEP)
static VNNI_KERNEL(avx512vnni_dot_u8, VNNI_DOT_STEP)

/* ---------- float32 query x uint8 code ---------- */

VX_F32U8_KERNELS(avx512)

VX_AVX512 static void
avx512_decode_u8(const uint8_t *c, float s, const float *a, float *out, int n)
{
	const __m512 vs = _mm512_set1_ps(s);
	int			i = 0;

	for (; i + 16 <= n; i += 16)
		_mm512_storeu_ps(out + i, _mm512_fmadd_ps(vs, load_codes16(c + i), LOADF(a + i)));
	if (i < n)
	{
		__mmask16	m = (__mmask16) ((1u << (n - i)) - 1);

		_mm512_mask_storeu_ps(out + i, m,
							  _mm512_fmadd_ps(vs, load_codes16_masked(c + i, n - i),
											  LOADF_M(a + i, n - i)));
	}
}

const VxKernels vx_kernels_avx512 =
VX_KERNEL_TABLE("avx512", avx512, avx512_l2sq_u8, avx512_dot_u8, VX_AVX2_TYPE_KERNELS,
				VX_SIMD_AVX512, VX_CPU_AVX2 | VX_CPU_AVX512);

const VxKernels vx_kernels_avx512vnni =
VX_KERNEL_TABLE("avx512vnni", avx512, avx512vnni_l2sq_u8, avx512vnni_dot_u8, VX_AVX2_TYPE_KERNELS,
				VX_SIMD_AVX512, VX_CPU_AVX2 | VX_CPU_AVX512 | VX_CPU_VNNI);

#else							/* !VX_HAVE_AVX512 */

/* ISO C forbids an empty translation unit */
typedef int vx_avx512_unused;

#endif							/* VX_HAVE_AVX512 */
