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

#include "avx2_steps.h"

#define VX_AVX2 __attribute__((target("avx2,fma")))

/* ---------- helpers ---------- */

VX_AVX2 static inline float
hsum_ps(__m256 v)
{
	__m128		x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	__m128		h = _mm_movehdup_ps(x);

	x = _mm_add_ps(x, h);
	h = _mm_movehl_ps(h, x);
	x = _mm_add_ss(x, h);
	return _mm_cvtss_f32(x);
}

VX_AVX2 static inline uint32_t
hsum_epi32(__m256i v)
{
	__m128i		x = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));

	x = _mm_add_epi32(x, _mm_shuffle_epi32(x, _MM_SHUFFLE(1, 0, 3, 2)));
	x = _mm_add_epi32(x, _mm_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)));
	return (uint32_t) _mm_cvtsi128_si32(x);
}

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

/* the plain loops for n < 8 */
static inline float
short_l2sq_f32(const float *a, const float *b, int n)
{
	float		s = 0.0f;

	for (int i = 0; i < n; i++)
		s += (a[i] - b[i]) * (a[i] - b[i]);
	return s;
}

static inline float
short_dot_f32(const float *a, const float *b, int n)
{
	float		s = 0.0f;

	for (int i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static inline float
short_l1_f32(const float *a, const float *b, int n)
{
	float		s = 0.0f;

	for (int i = 0; i < n; i++)
		s += fabsf(a[i] - b[i]);
	return s;
}

/* ---------- float32 x float32 ---------- */

VX_AVX2 static float
avx2_l2sq_f32(const float *a, const float *b, int n)
{
	__m256		s0 = _mm256_setzero_ps(),
				s1 = _mm256_setzero_ps(),
				s2 = _mm256_setzero_ps(),
				s3 = _mm256_setzero_ps();
	__m256		d0,
				d1,
				d2,
				d3;
	int			i = 0;

	if (n < 8)
		return short_l2sq_f32(a, b, n);

	for (; i + 32 <= n; i += 32)
	{
		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
		d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
		d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
		s0 = _mm256_fmadd_ps(d0, d0, s0);
		s1 = _mm256_fmadd_ps(d1, d1, s1);
		s2 = _mm256_fmadd_ps(d2, d2, s2);
		s3 = _mm256_fmadd_ps(d3, d3, s3);
	}
	for (; i + 8 <= n; i += 8)
	{
		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		s0 = _mm256_fmadd_ps(d0, d0, s0);
	}
	if (i < n)
	{
		d1 = _mm256_and_ps(_mm256_sub_ps(_mm256_loadu_ps(a + n - 8), _mm256_loadu_ps(b + n - 8)),
						   TAIL_MASK_F32(n - i));
		s1 = _mm256_fmadd_ps(d1, d1, s1);
	}
	return hsum_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

VX_AVX2 static float
avx2_dot_f32(const float *a, const float *b, int n)
{
	__m256		s0 = _mm256_setzero_ps(),
				s1 = _mm256_setzero_ps(),
				s2 = _mm256_setzero_ps(),
				s3 = _mm256_setzero_ps();
	int			i = 0;

	if (n < 8)
		return short_dot_f32(a, b, n);

	for (; i + 32 <= n; i += 32)
	{
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
		s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
		s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
	}
	for (; i + 8 <= n; i += 8)
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
	if (i < n)
		s1 = _mm256_fmadd_ps(_mm256_and_ps(_mm256_loadu_ps(a + n - 8), TAIL_MASK_F32(n - i)),
							 _mm256_loadu_ps(b + n - 8), s1);
	return hsum_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

VX_AVX2 static float
avx2_l1_f32(const float *a, const float *b, int n)
{
	const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
	__m256		s0 = _mm256_setzero_ps(),
				s1 = _mm256_setzero_ps(),
				s2 = _mm256_setzero_ps(),
				s3 = _mm256_setzero_ps();
	__m256		d0,
				d1,
				d2,
				d3;
	int			i = 0;

	if (n < 8)
		return short_l1_f32(a, b, n);

	for (; i + 32 <= n; i += 32)
	{
		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
		d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
		d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
		s0 = _mm256_add_ps(s0, _mm256_and_ps(d0, absmask));
		s1 = _mm256_add_ps(s1, _mm256_and_ps(d1, absmask));
		s2 = _mm256_add_ps(s2, _mm256_and_ps(d2, absmask));
		s3 = _mm256_add_ps(s3, _mm256_and_ps(d3, absmask));
	}
	for (; i + 8 <= n; i += 8)
	{
		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		s0 = _mm256_add_ps(s0, _mm256_and_ps(d0, absmask));
	}
	if (i < n)
	{
		d1 = _mm256_and_ps(_mm256_sub_ps(_mm256_loadu_ps(a + n - 8), _mm256_loadu_ps(b + n - 8)),
						   TAIL_MASK_F32(n - i));
		s1 = _mm256_add_ps(s1, _mm256_and_ps(d1, absmask));
	}
	return hsum_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

VX_AVX2 static void
avx2_cosine_f32(const float *a, const float *b, int n,
				float *ab, float *aa, float *bb)
{
	__m256		sab0 = _mm256_setzero_ps(),
				sab1 = _mm256_setzero_ps(),
				saa0 = _mm256_setzero_ps(),
				saa1 = _mm256_setzero_ps(),
				sbb0 = _mm256_setzero_ps(),
				sbb1 = _mm256_setzero_ps();
	__m256		x0,
				y0,
				x1,
				y1;
	int			i = 0;

	if (n < 8)
	{
		float		x = 0.0f,
					y = 0.0f,
					z = 0.0f;

		for (; i < n; i++)
		{
			x += a[i] * b[i];
			y += a[i] * a[i];
			z += b[i] * b[i];
		}
		*ab = x;
		*aa = y;
		*bb = z;
		return;
	}

	for (; i + 16 <= n; i += 16)
	{
		x0 = _mm256_loadu_ps(a + i);
		y0 = _mm256_loadu_ps(b + i);
		x1 = _mm256_loadu_ps(a + i + 8);
		y1 = _mm256_loadu_ps(b + i + 8);
		sab0 = _mm256_fmadd_ps(x0, y0, sab0);
		saa0 = _mm256_fmadd_ps(x0, x0, saa0);
		sbb0 = _mm256_fmadd_ps(y0, y0, sbb0);
		sab1 = _mm256_fmadd_ps(x1, y1, sab1);
		saa1 = _mm256_fmadd_ps(x1, x1, saa1);
		sbb1 = _mm256_fmadd_ps(y1, y1, sbb1);
	}
	for (; i + 8 <= n; i += 8)
	{
		x0 = _mm256_loadu_ps(a + i);
		y0 = _mm256_loadu_ps(b + i);
		sab0 = _mm256_fmadd_ps(x0, y0, sab0);
		saa0 = _mm256_fmadd_ps(x0, x0, saa0);
		sbb0 = _mm256_fmadd_ps(y0, y0, sbb0);
	}
	if (i < n)
	{
		__m256		m = TAIL_MASK_F32(n - i);

		x1 = _mm256_and_ps(_mm256_loadu_ps(a + n - 8), m);
		y1 = _mm256_and_ps(_mm256_loadu_ps(b + n - 8), m);
		sab1 = _mm256_fmadd_ps(x1, y1, sab1);
		saa1 = _mm256_fmadd_ps(x1, x1, saa1);
		sbb1 = _mm256_fmadd_ps(y1, y1, sbb1);
	}
	*ab = hsum_ps(_mm256_add_ps(sab0, sab1));
	*aa = hsum_ps(_mm256_add_ps(saa0, saa1));
	*bb = hsum_ps(_mm256_add_ps(sbb0, sbb1));
}

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
	const __m256i zero = _mm256_setzero_si256();
	__m256i		d = _mm256_or_si256(_mm256_subs_epu8(x, y), _mm256_subs_epu8(y, x));
	__m256i		lo = _mm256_unpacklo_epi8(d, zero);
	__m256i		hi = _mm256_unpackhi_epi8(d, zero);

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
 * The three code kernels share one loop: 128-byte blocks into two
 * independent accumulators, then 32-byte blocks, then the masked tail; below
 * 32 bytes a plain loop (exact integers: the same result in any order).  Two
 * accumulators suffice (their chains add one vector per 32 bytes, while a
 * step takes about two cycles of vector work) and leave one add less for
 * the reduction than four.  The lane sums of l2sq and dot are int32 lanes
 * that wrap like the scalar uint32 sum; every term is at most 2 * 255^2 and
 * at n = VECTOR_MAX_DIM the whole sum is at most 16000 * 255^2 < 2^32, so
 * the wrapped total is exact.
 */
#define U8_KERNEL(name, STEP, ADD, HSUM, TERM) \
VX_AVX2 static uint32_t \
name(const uint8_t *a, const uint8_t *b, int n) \
{ \
	__m256i		s0 = _mm256_setzero_si256(), \
				s1 = _mm256_setzero_si256(); \
	int			i = 0; \
	\
	if (n < 32) \
	{ \
		uint32_t	s = 0; \
		\
		for (; i < n; i++) \
			s += TERM(a[i], b[i]); \
		return s; \
	} \
	for (; i + 128 <= n; i += 128) \
	{ \
		s0 = STEP(s0, LOADU8(a + i), LOADU8(b + i)); \
		s1 = STEP(s1, LOADU8(a + i + 32), LOADU8(b + i + 32)); \
		s0 = STEP(s0, LOADU8(a + i + 64), LOADU8(b + i + 64)); \
		s1 = STEP(s1, LOADU8(a + i + 96), LOADU8(b + i + 96)); \
	} \
	for (; i + 32 <= n; i += 32) \
		s0 = STEP(s0, LOADU8(a + i), LOADU8(b + i)); \
	if (i < n) \
	{ \
		__m256i		m = TAIL_MASK_U8(n - i); \
		\
		s1 = STEP(s1, _mm256_and_si256(LOADU8(a + n - 32), m), \
				  _mm256_and_si256(LOADU8(b + n - 32), m)); \
	} \
	return HSUM(ADD(s0, s1)); \
}

#define L2SQ_TERM(x, y) ((uint32_t) (((int) (x) - (int) (y)) * ((int) (x) - (int) (y))))
#define DOT_TERM(x, y) ((uint32_t) (x) * (uint32_t) (y))
#define L1_TERM(x, y) ((uint32_t) ((x) > (y) ? (x) - (y) : (y) - (x)))

U8_KERNEL(avx2_l2sq_u8, l2sq_u8_step, _mm256_add_epi32, hsum_epi32, L2SQ_TERM)
U8_KERNEL(avx2imul1_l2sq_u8, l2sq_u8_step_imul1, _mm256_add_epi32, hsum_epi32, L2SQ_TERM)
U8_KERNEL(avx2_dot_u8, dot_u8_step, _mm256_add_epi32, hsum_epi32, DOT_TERM)
U8_KERNEL(avx2_l1_u8, l1_u8_step, _mm256_add_epi64, vx256_hsum_epi64, L1_TERM)

/* ---------- float32 query x uint8 code ---------- */

/*
 * Per 8 elements: the codes widened and converted (vpmovzxbd from memory,
 * vcvtdq2ps), then the float step; four accumulators over 32-element
 * blocks.  These are the kernels of the scan's graph walk.  They are bound
 * by the vector work per element, not by the accumulators' chains: eight
 * accumulators, or the subtraction done by the FMA pipes (vfnmadd with 1),
 * measured no faster.  The float steps are avx2_steps.h's.
 */
#define F32U8_KERNEL(name, STEP, TERM) \
VX_AVX2 static float \
name(const float *q, const uint8_t *c, int n) \
{ \
	__m256		s0 = _mm256_setzero_ps(), \
				s1 = _mm256_setzero_ps(), \
				s2 = _mm256_setzero_ps(), \
				s3 = _mm256_setzero_ps(); \
	int			i = 0; \
	\
	if (n < 8) \
	{ \
		float		r = 0.0f; \
		\
		for (; i < n; i++) \
			r += TERM(q[i], (float) c[i]); \
		return r; \
	} \
	for (; i + 32 <= n; i += 32) \
	{ \
		s0 = STEP(s0, _mm256_loadu_ps(q + i), load_codes8(c + i)); \
		s1 = STEP(s1, _mm256_loadu_ps(q + i + 8), load_codes8(c + i + 8)); \
		s2 = STEP(s2, _mm256_loadu_ps(q + i + 16), load_codes8(c + i + 16)); \
		s3 = STEP(s3, _mm256_loadu_ps(q + i + 24), load_codes8(c + i + 24)); \
	} \
	for (; i + 8 <= n; i += 8) \
		s0 = STEP(s0, _mm256_loadu_ps(q + i), load_codes8(c + i)); \
	if (i < n) \
	{ \
		__m256		m = TAIL_MASK_F32(n - i); \
		\
		s1 = STEP(s1, _mm256_and_ps(_mm256_loadu_ps(q + n - 8), m), \
				  _mm256_and_ps(load_codes8(c + n - 8), m)); \
	} \
	return hsum_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3))); \
}

#define L2SQ_F32U8_TERM(x, y) (((x) - (y)) * ((x) - (y)))
#define DOT_F32U8_TERM(x, y) ((x) * (y))
#define L1_F32U8_TERM(x, y) fabsf((x) - (y))

F32U8_KERNEL(avx2_l2sq_f32u8, vx256_l2sq_step, L2SQ_F32U8_TERM)
F32U8_KERNEL(avx2_dot_f32u8, vx256_dot_step, DOT_F32U8_TERM)
F32U8_KERNEL(avx2_l1_f32u8, vx256_l1_step, L1_F32U8_TERM)

VX_AVX2 static void
avx2_decode_u8(const uint8_t *c, float s, const float *a, float *out, int n)
{
	const __m256 vs = _mm256_set1_ps(s);
	int			i = 0;

	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(out + i, _mm256_fmadd_ps(vs, load_codes8(c + i), _mm256_loadu_ps(a + i)));
	for (; i < n; i++)
		out[i] = fmaf(s, (float) c[i], a[i]);
}

/* the AVX2 table for CPUs with two vector integer multiply pipes */
const VxKernels vx_kernels_avx2 = {
	"avx2",
	avx2_l2sq_f32, avx2_dot_f32, avx2_l1_f32, avx2_cosine_f32,
	avx2_l2sq_u8, avx2_dot_u8, avx2_l1_u8,
	avx2_l2sq_f32u8, avx2_dot_f32u8, avx2_l1_f32u8,
	avx2_decode_u8,
	VX_AVX2_TYPE_KERNELS,
	VX_SIMD_AVX2, VX_CPU_AVX2 | VX_CPU_IMUL2
};

/* ... and with one (Zen 2, Haswell): only l2sq_u8 differs */
const VxKernels vx_kernels_avx2imul1 = {
	"avx2imul1",
	avx2_l2sq_f32, avx2_dot_f32, avx2_l1_f32, avx2_cosine_f32,
	avx2imul1_l2sq_u8, avx2_dot_u8, avx2_l1_u8,
	avx2_l2sq_f32u8, avx2_dot_f32u8, avx2_l1_f32u8,
	avx2_decode_u8,
	VX_AVX2_TYPE_KERNELS,
	VX_SIMD_AVX2, VX_CPU_AVX2
};

#else							/* !VX_HAVE_X86_SIMD */

/* ISO C forbids an empty translation unit */
typedef int vx_avx2_unused;

#endif							/* VX_HAVE_X86_SIMD */
