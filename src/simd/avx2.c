/*-------------------------------------------------------------------------
 *
 * avx2.c
 *	  AVX2 + FMA distance kernels (tables "avx2" and "avx2imul1").
 *
 * Every function carries target("avx2,fma"), so this file is built with the
 * extension's ordinary flags and the code only runs once distance.c has seen
 * the CPU and OS support it.  Off x86-64 (or with -DVECIDX_DISABLE_SIMD) the
 * file compiles to nothing.
 *
 * The loops are kernel_shapes.h's, filled with AVX2 operations here.
 *
 * float kernels: four 8-lane accumulators over 32-element blocks, then an
 * 8-element loop, then the block of 8 that ends at n read again with the
 * lanes already counted cleared (a zero pair adds nothing to any of the
 * sums), so nothing outside the arguments is read; below 8 elements a plain
 * loop.  uint8 kernels work on 32-byte blocks the same way:
 *	l1:   vpsadbw sums |a-b| over 8 bytes into 64-bit lanes;
 *	dot:  even/odd bytes as 16-bit lanes (and, shift), vpmaddwd;
 *	l2sq: a-b as 16-bit lanes by vpmaddubsw of the interleaved bytes with
 *		  (1, -1), vpmaddwd with itself; in table "avx2imul1", for CPUs with
 *		  one vector multiply pipe, |a-b| as two saturating subtractions,
 *		  widened, vpmaddwd with itself.
 * Lane sums are 32-bit and wrap exactly like the scalar uint32 sum.
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdint.h>

#include "distance.h"

#ifdef VX_HAVE_X86_SIMD

#include <immintrin.h>
#include <math.h>

#include "avx2_vec.h"
#include "kernel_shapes.h"

#define VX_AVX2 __attribute__((target("avx2,fma")))

/* ---------- helpers (the lane sums are hsum256.h's) ---------- */

/* eight codes at c, as floats */
VX_AVX2 static inline __m256
load_codes8(const uint8_t *c)
{
	return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *) c)));
}

/*
 * Tails of the float and float-query kernels, r = n % 8 (1..7) elements
 * left and n >= 8: the block of 8 that ends at n is read again and its first
 * 8 - r lanes, already counted, are cleared (a zero pair adds nothing to any
 * of the sums), with a mask read from this table at offset r (lane j
 * survives iff r + j >= 8).  Nothing outside the arguments is read, and no
 * local buffer is needed: the old tails copied the elements into stack
 * blocks and read them back as one vector, which cannot be store-forwarded
 * and cost about 15 ns a call.  Below 8 elements, a plain loop.
 */
static const int32_t tail_mask_f32[16] = {
	0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1
};

#define TAIL_MASK_F32(r) _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *) (tail_mask_f32 + (r))))

/* what kernel_shapes.h plugs in besides avx2_vec.h's vector operations */
#define VXF_TARGET VX_AVX2
#define VXF_HSUM(v) vx256_hsum_ps(v)
#define VX_SHORT_LOOP 1

/* float operands; the tail is the block of 8 that ends at n, masked */
#define VXK_f32_T float
#define VXK_f32_LOAD(p) _mm256_loadu_ps(p)
#define VXK_f32_TAIL(p, i, n) _mm256_and_ps(_mm256_loadu_ps((p) + (n) - 8), TAIL_MASK_F32((n) - (i)))
/*
 * the second factor of dot_f32's products: its tail block is not masked,
 * the first factor's cleared lanes clear the products
 */
#define VXK_f32b_T float
#define VXK_f32b_LOAD(p) _mm256_loadu_ps(p)
#define VXK_f32b_TAIL(p, i, n) _mm256_loadu_ps((p) + (n) - 8)
/* INT8 codes, widened to floats */
#define VXK_u8_T uint8_t
#define VXK_u8_LOAD(p) load_codes8(p)
#define VXK_u8_TAIL(p, i, n) _mm256_and_ps(load_codes8((p) + (n) - 8), TAIL_MASK_F32((n) - (i)))

VX_FLOAT_STEPS

/* ---------- float32 x float32 ---------- */

static VX_SUM4_KERNEL(avx2_l2sq_f32, f32, f32, vxf_l2sq_step, VX_L2SQ_TERM)
static VX_SUM4_KERNEL(avx2_dot_f32, f32, f32b, vxf_dot_step, VX_DOT_TERM)
static VX_SUM4_KERNEL(avx2_l1_f32, f32, f32, vxf_l1_step, VX_L1_TERM)
static VX_COSINE_KERNEL(avx2_cosine_f32, f32)

/* ---------- uint8 x uint8, exact ---------- */

/*
 * Loads of codes.  vlddqu behaves as vmovdqu on every AVX2 CPU; it is used
 * because GCC folds the second use of an ordinary unaligned load into a
 * memory operand, loading each block twice, and these kernels are bound by
 * their vector operations and loads (the extra load cost about 10%).
 */
#define LOADU8(p) _mm256_lddqu_si256((const __m256i *) (p))

/*
 * Tail of a code kernel of n >= 32 bytes whose last r = n % 32 (1..31)
 * bytes are left: the 32-byte block that ends at n is loaded again and its
 * first 32 - r bytes, already counted, are zeroed with a mask read from
 * this table at offset r (byte j survives iff r + j >= 32).  Nothing before
 * the start or past the end of the arguments is read, and no local buffer
 * is needed (which keeps the stack protector out of the kernels).
 */
static const uint8_t tail_mask_u8[64] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255
};

#define TAIL_MASK_U8(r) _mm256_loadu_si256((const __m256i *) (tail_mask_u8 + (r)))

/*
 * l2sq over 32 bytes into the 8 int32 lanes of acc.  The bytes of x and y
 * are interleaved (x0 y0 x1 y1 ...) and vpmaddubsw with the signed byte
 * pair (1, -1) turns each pair into x_i - y_i as a 16-bit lane (|x_i - y_i|
 * <= 255: no saturation), then vpmaddwd squares and adds pairs of lanes
 * (<= 2 * 255^2).  Eight vector operations per 32 bytes, against nine for
 * |x - y| by two saturating subtractions, widening and vpmaddwd
 * (l2sq_u8_step_imul1), but four of the eight are multiplies: on CPUs with
 * two 256-bit vector integer multiply pipes (Zen 3 and later, Intel since
 * Skylake) it is the faster one, on CPUs with one the other (table
 * "avx2imul1", chosen by distance.c).  unpacklo/hi work within 128-bit
 * lanes, which only reorders the terms of the sum.
 */
VX_AVX2 static inline __m256i
l2sq_u8_step(__m256i acc, __m256i x, __m256i y)
{
	const __m256i pm = _mm256_set1_epi16((short) 0xff01);	/* bytes 1, -1 */
	__m256i		lo = _mm256_maddubs_epi16(_mm256_unpacklo_epi8(x, y), pm);
	__m256i		hi = _mm256_maddubs_epi16(_mm256_unpackhi_epi8(x, y), pm);

	return _mm256_add_epi32(acc, _mm256_add_epi32(_mm256_madd_epi16(lo, lo),
												  _mm256_madd_epi16(hi, hi)));
}

/*
 * l2sq over 32 bytes with two multiplies in nine operations: |x - y| as two
 * saturating subtractions or'ed, widened by unpacking with zero, vpmaddwd
 * with itself.  For the "avx2imul1" table.
 */
VX_AVX2 static inline __m256i
l2sq_u8_step_imul1(__m256i acc, __m256i x, __m256i y)
{
	__m256i		d = _mm256_or_si256(_mm256_subs_epu8(x, y), _mm256_subs_epu8(y, x));
	__m256i		lo = _mm256_unpacklo_epi8(d, _mm256_setzero_si256());
	__m256i		hi = _mm256_unpackhi_epi8(d, _mm256_setzero_si256());

	return _mm256_add_epi32(acc, _mm256_add_epi32(_mm256_madd_epi16(lo, lo),
												  _mm256_madd_epi16(hi, hi)));
}

/*
 * dot over 32 bytes into the 8 int32 lanes of acc: even and odd bytes as
 * 16-bit lanes (x & 0x00ff, x >> 8), vpmaddwd (products <= 255^2, pairs
 * <= 2 * 255^2).  u8 x u8 cannot use vpmaddubsw (one operand is signed and
 * the pair sum saturates at 32767); vpmovzxbw widening measured slower.
 */
VX_AVX2 static inline __m256i
dot_u8_step(__m256i acc, __m256i x, __m256i y)
{
	const __m256i even = _mm256_set1_epi16(0x00ff);
	__m256i		e = _mm256_madd_epi16(_mm256_and_si256(x, even), _mm256_and_si256(y, even));
	__m256i		o = _mm256_madd_epi16(_mm256_srli_epi16(x, 8), _mm256_srli_epi16(y, 8));

	return _mm256_add_epi32(acc, _mm256_add_epi32(e, o));
}

/* l1 over 32 bytes into the 4 int64 lanes of acc (vpsadbw) */
VX_AVX2 static inline __m256i
l1_u8_step(__m256i acc, __m256i x, __m256i y)
{
	return _mm256_add_epi64(acc, _mm256_sad_epu8(x, y));
}

/*
 * The three code kernels share kernel_shapes.h's loop: 128-byte blocks into
 * two independent accumulators, then 32-byte blocks, then the masked tail;
 * below 32 bytes a plain loop.  Two accumulators suffice (their chains add
 * one vector per 32 bytes, while a step takes about two cycles of vector
 * work) and leave one add less for the reduction than four.  The lane sums
 * of l2sq and dot are int32 lanes that wrap like the scalar uint32 sum;
 * every term is at most 2 * 255^2 and at n = VECTOR_MAX_DIM the whole sum is
 * at most 16000 * 255^2 < 2^32, so the wrapped total is exact.
 */
#define VXU __m256i
#define VXU_W 32
#define VXU_ZERO() _mm256_setzero_si256()
#define VXU_LOAD(p) LOADU8(p)
#define VXU_TAIL(p, i, n) _mm256_and_si256(LOADU8((p) + (n) - 32), TAIL_MASK_U8((n) - (i)))

static VX_U8_KERNEL(avx2_l2sq_u8, l2sq_u8_step, _mm256_add_epi32, vx256_hsum_epi32, VX_L2SQ_U8_TERM)
static VX_U8_KERNEL(avx2imul1_l2sq_u8, l2sq_u8_step_imul1, _mm256_add_epi32, vx256_hsum_epi32, VX_L2SQ_U8_TERM)
static VX_U8_KERNEL(avx2_dot_u8, dot_u8_step, _mm256_add_epi32, vx256_hsum_epi32, VX_DOT_U8_TERM)
static VX_U8_KERNEL(avx2_l1_u8, l1_u8_step, _mm256_add_epi64, vx256_hsum_epi64, VX_L1_U8_TERM)

/* ---------- float32 query x uint8 code ---------- */

/*
 * Per 8 elements: the codes widened and converted (vpmovzxbd from memory,
 * vcvtdq2ps), then the float step; four accumulators over 32-element
 * blocks.  These are the kernels of the scan's graph walk.  They are bound
 * by the vector work per element, not by the accumulators' chains: eight
 * accumulators, or the subtraction done by the FMA pipes (vfnmadd with 1),
 * measured no faster.
 */
VX_F32U8_KERNELS(avx2)

VX_AVX2 static void
avx2_decode_u8(const uint8_t *c, float s, const float *a, float *out, int n)
{
	int			i;

	for (i = 0; i + 8 <= n; i += 8)
		_mm256_storeu_ps(out + i, _mm256_fmadd_ps(_mm256_set1_ps(s), load_codes8(c + i),
												  _mm256_loadu_ps(a + i)));
	for (; i < n; i++)
		out[i] = fmaf(s, (float) c[i], a[i]);
}

/* the AVX2 table for CPUs with two vector integer multiply pipes */
const VxKernels vx_kernels_avx2 =
VX_KERNEL_TABLE("avx2", avx2, avx2_l2sq_u8, avx2_dot_u8, VX_AVX2_TYPE_KERNELS,
				VX_SIMD_AVX2, VX_CPU_AVX2 | VX_CPU_IMUL2);

/* ... and with one (Zen 2, Haswell): only l2sq_u8 differs */
const VxKernels vx_kernels_avx2imul1 =
VX_KERNEL_TABLE("avx2imul1", avx2, avx2imul1_l2sq_u8, avx2_dot_u8, VX_AVX2_TYPE_KERNELS,
				VX_SIMD_AVX2, VX_CPU_AVX2);

#else							/* !VX_HAVE_X86_SIMD */

/* ISO C forbids an empty translation unit */
typedef int vx_avx2_unused;

#endif							/* VX_HAVE_X86_SIMD */
