/*-------------------------------------------------------------------------
 *
 * avx2_vec.h
 *	  What avx2.c and avx2_types.c share: the 8-lane float vector operations
 *	  they plug into kernel_shapes.h (each file adds its target attribute,
 *	  its lane sum and its loads), and the sum of the four 64-bit lanes of
 *	  an integer vector (l1 of codes, bit strings).  Include only from
 *	  files built for x86 SIMD, after <immintrin.h>.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_AVX2_VEC_H
#define VECIDX_AVX2_VEC_H

/* kernel_shapes.h's float vector: __m256 */
#define VXF __m256
#define VXF_W 8
#define VXF_ZERO() _mm256_setzero_ps()
#define VXF_ADD(x, y) _mm256_add_ps((x), (y))
#define VXF_SUB(x, y) _mm256_sub_ps((x), (y))
#define VXF_ABS(x) _mm256_and_ps((x), _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)))
#define VXF_FMADD(x, y, acc) _mm256_fmadd_ps((x), (y), (acc))

/* the sum of the four 64-bit lanes */
__attribute__((target("avx2,fma"))) static inline uint64_t
vx256_hsum_epi64(__m256i v)
{
	__m128i		x = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));

	x = _mm_add_epi64(x, _mm_unpackhi_epi64(x, x));
	return (uint64_t) _mm_cvtsi128_si64(x);
}

#endif							/* VECIDX_AVX2_VEC_H */
