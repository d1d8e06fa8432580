/*-------------------------------------------------------------------------
 *
 * distance.h
 *	  The distance kernel table.
 *
 * Kernels are pure: plain arrays and a length in, a number out; no palloc,
 * no ereport, no fmgr.  This header (and distance.c, simd/ *.c) compiles
 * without PostgreSQL headers so the kernel test and benchmark programs in
 * test/kernels link the very same object code.
 *
 * One table per instruction set; vx_kernels_init() picks the best one the CPU
 * supports once, at load.  float32 kernels accumulate in float (as pgvector
 * does); uint8 kernels are exact integer arithmetic.
 *
 * Contract shared by every kernel of every table:
 *	- n >= 1; exactly n elements of each argument are read, never more (the
 *	  SIMD kernels use masked loads, or read the last full-width block that
 *	  ends at n again and clear the lanes already counted);
 *	- no alignment is required;
 *	- uint8 kernels return the exact sum modulo 2^32 (exact for any
 *	  n <= VECTOR_MAX_DIM: 16000 * 255^2 < 2^32); every table returns
 *	  bit-identical values;
 *	- float kernels differ from the scalar twin only by summation order (the
 *	  SIMD kernels keep several vector accumulators and use FMA); the error
 *	  against the exact sum is below gamma(n/8 + 24) * sum|term_i|, with
 *	  gamma(m) = m*u / (1 - m*u), u = 2^-24 (test/kernels checks this).
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_DISTANCE_H
#define VECIDX_DISTANCE_H

#include <stdint.h>

/*
 * Which SIMD tables are compiled in.  The intrinsics need GCC-compatible
 * target attributes on x86-64; anything else, or -DVECIDX_DISABLE_SIMD,
 * builds the scalar table only (simd/ *.c then compile to nothing).
 */
#if !defined(VECIDX_DISABLE_SIMD) && \
	(defined(__x86_64__) || defined(_M_X64)) && defined(__GNUC__)
#define VX_HAVE_X86_SIMD 1
/* AVX-512 VNNI target attributes: GCC 8, clang 7 */
#if defined(__clang__) ? (__clang_major__ >= 7) : (__GNUC__ >= 8)
#define VX_HAVE_AVX512 1
#endif
#endif

typedef enum VxSimdLevel
{
	VX_SIMD_SCALAR = 0,
	VX_SIMD_AVX2 = 1,			/* AVX2 + FMA */
	VX_SIMD_AVX512 = 2			/* AVX-512 F/BW/VL (+VNNI where present) */
} VxSimdLevel;

/* CPU feature bits (vx_cpu_features); each implies the OS saves the state */
#define VX_CPU_AVX2		0x01	/* AVX, AVX2, FMA, F16C; XCR0 has SSE+AVX */
#define VX_CPU_AVX512	0x02	/* AVX-512 F, BW, VL; XCR0 has opmask+ZMM */
#define VX_CPU_VNNI		0x04	/* AVX512_VNNI (with VX_CPU_AVX512) */
#define VX_CPU_IMUL2	0x08	/* with VX_CPU_AVX2: two 256-bit vector integer
								 * multiply pipes (a model list, see
								 * distance.c) */

typedef struct VxKernels
{
	const char *name;
	/* float32 x float32 */
	float		(*l2sq_f32) (const float *a, const float *b, int n);	/* sum (a-b)^2 */
	float		(*dot_f32) (const float *a, const float *b, int n);	/* sum a*b */
	float		(*l1_f32) (const float *a, const float *b, int n);	/* sum |a-b| */
	/* cosine parts: *ab = sum a*b, *aa = sum a*a, *bb = sum b*b */
	void		(*cosine_f32) (const float *a, const float *b, int n,
							   float *ab, float *aa, float *bb);
	/* uint8 x uint8 codes, exact */
	uint32_t	(*l2sq_u8) (const uint8_t *a, const uint8_t *b, int n);
	uint32_t	(*dot_u8) (const uint8_t *a, const uint8_t *b, int n);
	uint32_t	(*l1_u8) (const uint8_t *a, const uint8_t *b, int n);
	/* asymmetric: float32 query x uint8 code (code taken as its integer value) */
	float		(*l2sq_f32u8) (const float *q, const uint8_t *c, int n);
	float		(*dot_f32u8) (const float *q, const uint8_t *c, int n);
	float		(*l1_f32u8) (const float *q, const uint8_t *c, int n);
	/*
	 * decode: out[i] = fmaf(s, c[i], a[i]), one rounding (bit-exact across
	 * tables): a code decoded back to float values
	 */
	void		(*decode_u8) (const uint8_t *c, float s, const float *a, float *out, int n);
	/*
	 * halfvec: IEEE binary16 values as uint16_t (half.h).  Conversions are
	 * exact IEEE ones and bit-identical across tables (round to nearest
	 * even, overflow to infinity, no error); the distance kernels widen
	 * each element to float and accumulate in float like the f32 kernels.
	 */
	void		(*f16_to_f32) (const uint16_t *h, float *out, int n);
	void		(*f32_to_f16) (const float *x, uint16_t *out, int n);
	float		(*l2sq_f16) (const uint16_t *a, const uint16_t *b, int n);
	float		(*dot_f16) (const uint16_t *a, const uint16_t *b, int n);
	float		(*l1_f16) (const uint16_t *a, const uint16_t *b, int n);
	void		(*cosine_f16) (const uint16_t *a, const uint16_t *b, int n,
							   float *ab, float *aa, float *bb);
	/*
	 * bit strings of n bytes (n >= 0 here): popcount(a xor b), and for
	 * Jaccard *ab = popcount(a and b), *aa = popcount(a), *bb = popcount(b);
	 * exact
	 */
	uint64_t	(*hamming_u8) (const uint8_t *a, const uint8_t *b, int n);
	void		(*jaccard_u8) (const uint8_t *a, const uint8_t *b, int n,
							   uint64_t *ab, uint64_t *aa, uint64_t *bb);
	/* added members: what the table needs */
	VxSimdLevel level;			/* the vecidx.simd level it serves */
	uint32_t	cpu_required;	/* VX_CPU_* bits the CPU must have */
} VxKernels;

/* the active table; never NULL after vx_kernels_init() */
/*
 * The initializer of a table whose float, float-query and decode kernels
 * are named P_l2sq_f32 ... P_decode_u8 (P the prefix of one file) and whose
 * l1_u8 is P_l1_u8; the other two uint8 x uint8 kernels (where the tables
 * of one file differ) and the halfvec and bit kernels (TYPES, eight names)
 * are given.
 */
#define VX_KERNEL_TABLE(tname, P, L2SQ_U8, DOT_U8, TYPES, level, cpu) \
{ \
	tname, \
	P##_l2sq_f32, P##_dot_f32, P##_l1_f32, P##_cosine_f32, \
	L2SQ_U8, DOT_U8, P##_l1_u8, \
	P##_l2sq_f32u8, P##_dot_f32u8, P##_l1_f32u8, \
	P##_decode_u8, \
	TYPES, \
	level, cpu \
}

extern const VxKernels *vx_kern;

extern VxSimdLevel vx_simd_detect(void);	/* best level this CPU runs */
extern const VxKernels *vx_kernels_for(VxSimdLevel level);	/* NULL if unsupported */
extern void vx_kernels_init(void);	/* detect and install best table */
extern void vx_kernels_use(const VxKernels *k);

/*
 * Added functions.
 *
 * vx_cpu_features: VX_CPU_* bits of this CPU (cpuid + xgetbv, detected once),
 * as capped by the VECIDX_SIMD environment variable (see distance.c); 0 on
 * non-x86 builds.
 *
 * vx_cpu_one_imul_pipe: whether the CPU with this vendor string and cpuid
 * leaf 1 signature has one 256-bit vector integer multiply pipe (then
 * VX_CPU_IMUL2 is not set); pure.
 *
 * vx_simd_level_name: "scalar", "avx2" or "avx512" (a level; several
 * tables may serve one level, e.g. "avx2" and "avx2imul1").
 *
 * vx_kernels_count / vx_kernels_nth: every table compiled in, whether or not
 * this CPU can run it (check cpu_required against vx_cpu_features() before
 * calling any kernel); index 0 is the scalar table.  For the test program.
 */
extern uint32_t vx_cpu_features(void);
extern int	vx_cpu_one_imul_pipe(const char *vendor, uint32_t signature);
extern const char *vx_simd_level_name(VxSimdLevel level);
extern int	vx_kernels_count(void);
extern const VxKernels *vx_kernels_nth(int i);

/* the tables themselves (internal; use vx_kernels_for / vx_kernels_nth) */
extern const VxKernels vx_kernels_scalar;
#ifdef VX_HAVE_X86_SIMD
extern const VxKernels vx_kernels_avx2; /* CPUs with VX_CPU_IMUL2 */
extern const VxKernels vx_kernels_avx2imul1;	/* one multiply pipe */
#endif
#ifdef VX_HAVE_X86_SIMD
/*
 * The AVX2 + F16C halfvec and bit kernels (simd/avx2_types.c); every
 * table from AVX2 up uses them (AVX-512 implies them).
 */
extern void vx_avx2_f16_to_f32(const uint16_t *h, float *out, int n);
extern void vx_avx2_f32_to_f16(const float *x, uint16_t *out, int n);
extern float vx_avx2_l2sq_f16(const uint16_t *a, const uint16_t *b, int n);
extern float vx_avx2_dot_f16(const uint16_t *a, const uint16_t *b, int n);
extern float vx_avx2_l1_f16(const uint16_t *a, const uint16_t *b, int n);
extern void vx_avx2_cosine_f16(const uint16_t *a, const uint16_t *b, int n,
							   float *ab, float *aa, float *bb);
extern uint64_t vx_avx2_hamming_u8(const uint8_t *a, const uint8_t *b, int n);
extern void vx_avx2_jaccard_u8(const uint8_t *a, const uint8_t *b, int n,
							   uint64_t *ab, uint64_t *aa, uint64_t *bb);
#define VX_AVX2_TYPE_KERNELS \
	vx_avx2_f16_to_f32, vx_avx2_f32_to_f16, \
	vx_avx2_l2sq_f16, vx_avx2_dot_f16, vx_avx2_l1_f16, vx_avx2_cosine_f16, \
	vx_avx2_hamming_u8, vx_avx2_jaccard_u8
#endif
#ifdef VX_HAVE_AVX512
extern const VxKernels vx_kernels_avx512;	/* u8 kernels via vpmaddwd */
extern const VxKernels vx_kernels_avx512vnni;	/* u8 kernels via vpdpbusd */
#endif

#endif							/* VECIDX_DISTANCE_H */
