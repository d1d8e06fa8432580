/*-------------------------------------------------------------------------
 *
 * avx2_types.c
 *	  AVX2 + FMA + F16C kernels of the halfvec and bit types, shared by every
 *	  SIMD table (an AVX-512 CPU has all three).
 *
 * Every function carries target("avx2,fma,f16c"); distance.c installs a
 * SIMD table only when cpuid says the CPU has F16C as well as AVX2 and FMA.
 * Off x86-64 (or with -DVECIDX_DISABLE_SIMD) the file compiles to nothing.
 *
 * Conversions: vcvtph2ps / vcvtps2ph (round to nearest even) eight values at
 * a time, the last n % 8 with the scalar conversion of half.h, which gives
 * the same bits.
 *
 * halfvec distances (kernel_shapes.h's sum loop; the cosine its own):
 * eight halves widened to floats per step, four 8-lane accumulators over
 * 32-element blocks, then an 8-element loop; the last
 * n % 8 elements are copied into a zeroed 8-element buffer and widened as
 * one more step (a zero pair adds nothing to any of the sums), so nothing
 * outside the arguments is read.
 *
 * bit strings: popcount of 32-byte blocks by the nibble lookup (vpshufb on
 * the low and high nibbles, added, then vpsadbw into four 64-bit lanes); the
 * tail is copied into a zeroed 32-byte buffer (zero bytes count nothing).
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "distance.h"
#include "half.h"

#ifdef VX_HAVE_X86_SIMD

#include <immintrin.h>
#include <math.h>

#include "avx2_vec.h"
#include "kernel_shapes.h"

#define VX_F16C __attribute__((target("avx2,fma,f16c")))

/* ---------- helpers ---------- */

VX_F16C static inline float
hsum_ps(__m256 v)
{
	__m128		x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	x = _mm_add_ps(x, _mm_movehl_ps(x, x));
	x = _mm_add_ss(x, _mm_movehdup_ps(x));
	return _mm_cvtss_f32(x);
}

/* eight halves at p, widened */
VX_F16C static inline __m256
load_h8(const uint16_t *p)
{
	return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) p));
}

/* the r (1..7) halves at p and zeros, widened */
VX_F16C static inline __m256
load_h_tail(const uint16_t *p, int r)
{
	uint16_t	buf[8] = {0};

	memcpy(buf, p, sizeof(uint16_t) * r);
	return load_h8(buf);
}

/* ---------- conversions ---------- */

VX_F16C void
vx_avx2_f16_to_f32(const uint16_t *h, float *out, int n)
{
	int			i = 0;

	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(out + i, load_h8(h + i));
	for (; i < n; i++)
		out[i] = vx_half_to_float(h[i]);
}

VX_F16C void
vx_avx2_f32_to_f16(const float *x, uint16_t *out, int n)
{
	int			i = 0;

	for (; i + 8 <= n; i += 8)
		_mm_storeu_si128((__m128i *) (out + i),
						 _mm256_cvtps_ph(_mm256_loadu_ps(x + i),
										 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
	for (; i < n; i++)
		out[i] = vx_float_to_half(x[i]);
}

/* ---------- halfvec distances ---------- */

/*
 * kernel_shapes.h's sum of four accumulators, on halves widened to floats;
 * the tail is copied into a zeroed block (load_h_tail), also below 8
 * elements.
 */
#define VXF_TARGET VX_F16C
#define VXF_HSUM(v) hsum_ps(v)
#define VX_SHORT_LOOP 0

#define VXK_f16_T uint16_t
#define VXK_f16_LOAD(p) load_h8(p)
#define VXK_f16_TAIL(p, i, n) load_h_tail((p) + (i), (n) - (i))

VX_FLOAT_STEPS

VX_SUM4_KERNEL(vx_avx2_l2sq_f16, f16, f16, vxf_l2sq_step, VX_L2SQ_TERM)
VX_SUM4_KERNEL(vx_avx2_dot_f16, f16, f16, vxf_dot_step, VX_DOT_TERM)
VX_SUM4_KERNEL(vx_avx2_l1_f16, f16, f16, vxf_l1_step, VX_L1_TERM)

/*
 * Not kernel_shapes.h's cosine: the last n % 16 elements (a whole block of
 * 8 and the tail) go into the first accumulators, as they always did.
 */
VX_F16C void
vx_avx2_cosine_f16(const uint16_t *a, const uint16_t *b, int n,
				   float *ab, float *aa, float *bb)
{
	__m256		sab0 = _mm256_setzero_ps(),
				sab1 = _mm256_setzero_ps(),
				saa0 = _mm256_setzero_ps(),
				saa1 = _mm256_setzero_ps(),
				sbb0 = _mm256_setzero_ps(),
				sbb1 = _mm256_setzero_ps();
	__m256		x,
				y;
	int			i = 0;

	for (; i + 16 <= n; i += 16)
	{
		x = load_h8(a + i);
		y = load_h8(b + i);
		VX_COSINE_STEP(x, y, sab0, saa0, sbb0);
		x = load_h8(a + i + 8);
		y = load_h8(b + i + 8);
		VX_COSINE_STEP(x, y, sab1, saa1, sbb1);
	}
	for (; i < n; i += 8)
	{
		x = i + 8 <= n ? load_h8(a + i) : load_h_tail(a + i, n - i);
		y = i + 8 <= n ? load_h8(b + i) : load_h_tail(b + i, n - i);
		VX_COSINE_STEP(x, y, sab0, saa0, sbb0);
	}
	*ab = hsum_ps(_mm256_add_ps(sab0, sab1));
	*aa = hsum_ps(_mm256_add_ps(saa0, saa1));
	*bb = hsum_ps(_mm256_add_ps(sbb0, sbb1));
}

/* ---------- bit strings ---------- */

/* set bits of each 8-byte quarter of v, in four 64-bit lanes */
VX_F16C static inline __m256i
popcount_epi64(__m256i v)
{
	const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
										 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
	const __m256i low4 = _mm256_set1_epi8(0x0f);
	__m256i		lo = _mm256_and_si256(v, low4);
	__m256i		hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
	__m256i		cnt = _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo),
									  _mm256_shuffle_epi8(lut, hi));

	return _mm256_sad_epu8(cnt, _mm256_setzero_si256());
}

VX_F16C static inline __m256i
load_bytes(const uint8_t *p)
{
	return _mm256_loadu_si256((const __m256i *) p);
}

/* the r (1..31) bytes at p and zeros */
VX_F16C static inline __m256i
load_bytes_tail(const uint8_t *p, int r)
{
	uint8_t		buf[32] = {0};

	memcpy(buf, p, r);
	return load_bytes(buf);
}

VX_F16C uint64_t
vx_avx2_hamming_u8(const uint8_t *a, const uint8_t *b, int n)
{
	__m256i		s = _mm256_setzero_si256();
	int			i = 0;

	for (; i + 32 <= n; i += 32)
		s = _mm256_add_epi64(s, popcount_epi64(_mm256_xor_si256(load_bytes(a + i),
																load_bytes(b + i))));
	if (i < n)
		s = _mm256_add_epi64(s, popcount_epi64(_mm256_xor_si256(load_bytes_tail(a + i, n - i),
																load_bytes_tail(b + i, n - i))));
	return vx256_hsum_epi64(s);
}

VX_F16C void
vx_avx2_jaccard_u8(const uint8_t *a, const uint8_t *b, int n,
				   uint64_t *ab, uint64_t *aa, uint64_t *bb)
{
	__m256i		sab = _mm256_setzero_si256(),
				saa = _mm256_setzero_si256(),
				sbb = _mm256_setzero_si256();
	int			i = 0;

	for (; i < n; i += 32)
	{
		__m256i		x = i + 32 <= n ? load_bytes(a + i) : load_bytes_tail(a + i, n - i);
		__m256i		y = i + 32 <= n ? load_bytes(b + i) : load_bytes_tail(b + i, n - i);

		sab = _mm256_add_epi64(sab, popcount_epi64(_mm256_and_si256(x, y)));
		saa = _mm256_add_epi64(saa, popcount_epi64(x));
		sbb = _mm256_add_epi64(sbb, popcount_epi64(y));
	}
	*ab = vx256_hsum_epi64(sab);
	*aa = vx256_hsum_epi64(saa);
	*bb = vx256_hsum_epi64(sbb);
}

#else							/* !VX_HAVE_X86_SIMD */

/* ISO C forbids an empty translation unit */
typedef int vx_avx2_types_unused;

#endif							/* VX_HAVE_X86_SIMD */
