/*-------------------------------------------------------------------------
 *
 * avx2_steps.h
 *	  The per-8-floats accumulation steps of the AVX2 distance kernels,
 *	  shared by avx2.c (float query x INT8 code) and avx2_types.c (halfvec):
 *	  acc += (x - y)^2, x * y, |x - y|; and the sum of four 64-bit lanes.
 *	  Include only from files built for x86 SIMD, after <immintrin.h>.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_AVX2_STEPS_H
#define VECIDX_AVX2_STEPS_H

#define VX_AVX2_STEP __attribute__((target("avx2,fma")))

VX_AVX2_STEP static inline __m256
vx256_l2sq_step(__m256 acc, __m256 x, __m256 y)
{
	__m256		d = _mm256_sub_ps(x, y);

	return _mm256_fmadd_ps(d, d, acc);
}

VX_AVX2_STEP static inline __m256
vx256_dot_step(__m256 acc, __m256 x, __m256 y)
{
	return _mm256_fmadd_ps(x, y, acc);
}

VX_AVX2_STEP static inline __m256
vx256_l1_step(__m256 acc, __m256 x, __m256 y)
{
	const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));

	return _mm256_add_ps(acc, _mm256_and_ps(_mm256_sub_ps(x, y), absmask));
}

/* the sum of the four 64-bit lanes */
VX_AVX2_STEP static inline uint64_t
vx256_hsum_epi64(__m256i v)
{
	__m128i		x = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));

	x = _mm_add_epi64(x, _mm_unpackhi_epi64(x, x));
	return (uint64_t) _mm_cvtsi128_si64(x);
}

#endif							/* VECIDX_AVX2_STEPS_H */
