/*-------------------------------------------------------------------------
 *
 * avx2_vec.h
 *	  What avx2.c and avx2_types.c share: the 8-lane float vector operations
 *	  they plug into kernel_shapes.h (each file adds its target attribute,
 *	  its lane sum and its loads), and hsum256.h's lane sums.  Include only from
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

/* the lane sums (vx256_hsum_epi64: l1 of codes, bit strings) */
#include "hsum256.h"

#endif							/* VECIDX_AVX2_VEC_H */
