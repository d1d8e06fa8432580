/*-------------------------------------------------------------------------
 *
 * avx2_steps.h
 *	  The per-8-floats accumulation steps of the AVX2 distance kernels,
 *	  shared by avx2.c (float query x INT8 code) and avx2_types.c (halfvec):
 *	  acc += (x - y)^2, x * y, |x - y|.  Include only from files built for
 *	  x86 SIMD, after <immintrin.h>.
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

#endif							/* VECIDX_AVX2_STEPS_H */
