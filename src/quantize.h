/*-------------------------------------------------------------------------
 *
 * quantize.h
 *	  Scalar INT8 quantizer: one global step, one offset per dimension.
 *
 * A value x_i is coded as c_i = clamp(round((x_i - a_i) / s), 0, 255) and
 * decoded as x^_i = a_i + s * c_i.  With a single step s for all
 * dimensions, distances between two decoded vectors are exact integer
 * kernels scaled by s (L2^2 = s^2 sum (c-d)^2, L1 = s sum |c-d|), which is
 * what lets graph construction run on uint8 SIMD kernels.  The quantizer
 * knows nothing of pages or relations.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_QUANTIZE_H
#define VECIDX_QUANTIZE_H

#include <stdint.h>

typedef struct VxQuantizer
{
	int			dim;
	float		scale;			/* step s > 0 */
	float	   *offset;			/* a_i, dim entries (caller-owned storage) */
	double		offset_sqnorm;	/* sum a_i^2 (inner-product correction) */
} VxQuantizer;

/* what quantizing one vector yields besides its code */
typedef struct VxCodeInfo
{
	float		resid_l2;		/* >= ||x - x^||_2 (rounded up) */
	float		resid_l1;		/* >= ||x - x^||_1 (rounded up) */
	float		norm;			/* >= ||x||_2 (rounded up) */
	float		offset_dot;		/* sum a_i c_i */
} VxCodeInfo;

/* range accumulator used while training */
typedef struct VxRange
{
	int			dim;
	int64_t		n;
	float	   *lo;
	float	   *hi;
} VxRange;

extern void vxq_range_add(VxRange *r, const float *x);
extern void vxq_train(VxQuantizer *q, const VxRange *r);
extern void vxq_train_single(VxQuantizer *q, const float *x);
extern void vxq_finish(VxQuantizer *q);
extern void vxq_encode(const VxQuantizer *q, const float *x, uint8_t *code,
					   VxCodeInfo *info);
extern void vxq_query_transform(const VxQuantizer *q, const float *x, float *u);
extern double vxq_fit_scale(const VxQuantizer *q, const float *x);
extern void vxq_encode_query(const VxQuantizer *q, const float *x, uint8_t *code,
							 float *resid_l2, float *offset_dot);
extern double vxq_max_resid(const VxQuantizer *q);

#endif							/* VECIDX_QUANTIZE_H */
