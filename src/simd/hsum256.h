/*-------------------------------------------------------------------------
 *
 * hsum256.h
 *	  Lane sums of 256-bit vectors, shared by avx2.c, avx2_types.c (through
 *	  avx2_vec.h) and avx512.c, whose 512-bit sums first add the two
 *	  halves and then reduce the same way.  Include only from files built
 *	  for x86 SIMD, after <immintrin.h>; the callers' targets include
 *	  avx2 and fma, so these inline into them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_HSUM256_H
#define VECIDX_HSUM256_H

#define VX_HSUM256_TARGET __attribute__((target("avx2,fma")))

/* the sum of the eight float lanes */
VX_HSUM256_TARGET static inline float
vx256_hsum_ps(__m256 v)
{
	__m128		x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	__m128		h = _mm_movehdup_ps(x);

	x = _mm_add_ps(x, h);
	h = _mm_movehl_ps(h, x);
	x = _mm_add_ss(x, h);
	return _mm_cvtss_f32(x);
}

/* the sum of the eight 32-bit lanes, wrapping */
VX_HSUM256_TARGET static inline uint32_t
vx256_hsum_epi32(__m256i v)
{
	__m128i		x = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));

	x = _mm_add_epi32(x, _mm_shuffle_epi32(x, _MM_SHUFFLE(1, 0, 3, 2)));
	x = _mm_add_epi32(x, _mm_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)));
	return (uint32_t) _mm_cvtsi128_si32(x);
}

/* the sum of the four 64-bit lanes */
VX_HSUM256_TARGET static inline uint64_t
vx256_hsum_epi64(__m256i v)
{
	__m128i		x = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));

	x = _mm_add_epi64(x, _mm_unpackhi_epi64(x, x));
	return (uint64_t) _mm_cvtsi128_si64(x);
}

#endif							/* VECIDX_HSUM256_H */
