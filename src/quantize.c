/*-------------------------------------------------------------------------
 *
 * quantize.c
 *	  Training and encoding for the scalar INT8 quantizer (see quantize.h).
 *
 * Training takes the per-dimension minimum and maximum of a sample.  The
 * step is the widest per-dimension range over 255, and each offset centres
 * its dimension's range in the code range, so a training vector is never
 * clipped and |x_i - x^_i| <= s/2 for every value inside the trained range:
 * ||x - x^||_2 <= s * sqrt(dim) / 2.  Values outside the range (rows added
 * after the build) are clipped; their true error is still recorded exactly
 * in the residuals, which is what the scan's lower bounds rely on.
 *
 *-------------------------------------------------------------------------
 */
#include <float.h>
#include <math.h>
#include <stddef.h>

#include "quantize.h"

#ifndef Max
#define Max(x, y) ((x) > (y) ? (x) : (y))
#endif

/* round a non-negative double up to a float that is >= it */
static float
round_up_float(double v)
{
	float		f = (float) v;

	if ((double) f < v)
		f = nextafterf(f, FLT_MAX);
	return f;
}

void
vxq_range_add(VxRange *r, const float *x)
{
	if (r->n == 0)
	{
		for (int i = 0; i < r->dim; i++)
			r->lo[i] = r->hi[i] = x[i];
	}
	else
	{
		for (int i = 0; i < r->dim; i++)
		{
			if (x[i] < r->lo[i])
				r->lo[i] = x[i];
			if (x[i] > r->hi[i])
				r->hi[i] = x[i];
		}
	}
	r->n++;
}

/*
 * Fit the quantizer to a range.  q->offset must point to dim floats.
 */
void
vxq_train(VxQuantizer *q, const VxRange *r)
{
	double		widest = 0;

	for (int i = 0; i < r->dim; i++)
	{
		double		w = (double) r->hi[i] - (double) r->lo[i];

		if (w > widest)
			widest = w;
	}
	q->dim = r->dim;
	q->scale = (float) (widest / 255.0);
	if (!(q->scale > FLT_MIN))
		q->scale = 1.0f;		/* all training vectors equal: any step works */
	for (int i = 0; i < r->dim; i++)
	{
		/*
		 * Centre the range in the code range, shifted by whole steps so that
		 * the minimum itself is a code point: data on a lattice of step s
		 * (integer pixels, say) is then coded exactly.
		 */
		double		spare = 255.0 - ((double) r->hi[i] - (double) r->lo[i]) / q->scale;

		q->offset[i] = (float) ((double) r->lo[i] - q->scale * floor(Max(spare, 0) / 2.0));
	}
	vxq_finish(q);
}

/*
 * Fit a quantizer to a single vector (index built on an empty table): the
 * code range is centred on zero and spans twice the largest magnitude.
 */
void
vxq_train_single(VxQuantizer *q, const float *x)
{
	double		big = 0;

	for (int i = 0; i < q->dim; i++)
		if (fabs((double) x[i]) > big)
			big = fabs((double) x[i]);
	q->scale = (float) (4.0 * big / 255.0);
	if (!(q->scale > FLT_MIN))
		q->scale = 1.0f;
	for (int i = 0; i < q->dim; i++)
		q->offset[i] = (float) (-127.5 * q->scale);
	vxq_finish(q);
}

/* compute derived constants after offsets and scale are set */
void
vxq_finish(VxQuantizer *q)
{
	double		s = 0;

	for (int i = 0; i < q->dim; i++)
		s += (double) q->offset[i] * q->offset[i];
	q->offset_sqnorm = s;
}

void
vxq_encode(const VxQuantizer *q, const float *x, uint8_t *code, VxCodeInfo *info)
{
	double		inv = 1.0 / q->scale;
	double		r2 = 0,
				r1 = 0,
				n2 = 0,
				od = 0;

	for (int i = 0; i < q->dim; i++)
	{
		double		v = ((double) x[i] - q->offset[i]) * inv;
		double		c = floor(v + 0.5);
		double		err;

		if (c < 0)
			c = 0;
		else if (c > 255)
			c = 255;
		code[i] = (uint8_t) c;
		err = (double) x[i] - ((double) q->offset[i] + q->scale * c);
		r2 += err * err;
		r1 += fabs(err);
		n2 += (double) x[i] * x[i];
		od += (double) q->offset[i] * c;
	}
	/* a little slack on top of rounding up covers the double sums' error */
	info->resid_l2 = round_up_float(sqrt(r2) * (1 + 1e-9));
	info->resid_l1 = round_up_float(r1 * (1 + 1e-9));
	info->norm = round_up_float(sqrt(n2) * (1 + 1e-9));
	info->offset_dot = (float) od;
}

/*
 * A query's code for the walk: vxq_encode's rounding and clamping, in
 * single precision (a value within float rounding of a half step may get
 * the neighbouring code), with the residual's norm and <a, c> that the
 * walk needs, not the bounds a row's code must keep (nothing rounded up):
 * the walk only ranks nodes with it, and the caller compares the residual
 * with vxq_max_resid() only to tell whether the query was clipped.
 * Several times cheaper than vxq_encode (docs/benchmarks.md).
 */
void
vxq_encode_query(const VxQuantizer *q, const float *x, uint8_t *code,
				 float *resid_l2, float *offset_dot)
{
	const float inv = 1.0f / q->scale;
	float		r2 = 0,
				od = 0;

	for (int i = 0; i < q->dim; i++)
	{
		float		v = (x[i] - q->offset[i]) * inv;
		float		c,
					err;

		/* clamped first, so truncating v + 0.5 is floor(v + 0.5) */
		v = v < 0 ? 0 : (v > 255 ? 255 : v);
		c = (float) (int) (v + 0.5f);
		code[i] = (uint8_t) c;
		err = x[i] - (q->offset[i] + q->scale * c);
		r2 += err * err;
		od += q->offset[i] * c;
	}
	*resid_l2 = sqrtf(r2);
	*offset_dot = od;
}

/*
 * Map a query into code space for the L2 and L1 asymmetric kernels:
 * u_i = (x_i - a_i) / s, so ||x - x^||^2 = s^2 ||u - c||^2.
 */
void
vxq_query_transform(const VxQuantizer *q, const float *x, float *u)
{
	float		inv = 1.0f / q->scale;

	for (int i = 0; i < q->dim; i++)
		u[i] = (x[i] - q->offset[i]) * inv;
}

/*
 * The largest factor lambda > 0 for which lambda x lies inside the code
 * range [a_i, a_i + 255 s] in every dimension where some positive factor
 * can put it there: a dimension whose range lies wholly on the other side
 * of zero from x_i (or does not contain zero, x_i = 0) clips at any scale
 * and sets no limit.  Returns 0 when no dimension sets a limit (x = 0).
 *
 * For inner product the order of <lambda x, y> over y is that of <x, y>,
 * so a query can be coded at this scale: its values then span the code
 * range as the trained rows do, whatever the query's own magnitude.
 */
double
vxq_fit_scale(const VxQuantizer *q, const float *x)
{
	double		best = 0;

	for (int i = 0; i < q->dim; i++)
	{
		double		lo = q->offset[i];
		double		hi = (double) q->offset[i] + 255.0 * q->scale;
		double		lim;

		if (x[i] > 0 && hi > 0)
			lim = hi / x[i];
		else if (x[i] < 0 && lo < 0)
			lim = lo / x[i];
		else
			continue;
		if (best == 0 || lim < best)
			best = lim;
	}
	return best;
}

/*
 * The largest residual ||x - x^||_2 of a vector inside the trained range:
 * each value rounds by at most s/2.  A larger residual means the vector was
 * clipped.
 */
double
vxq_max_resid(const VxQuantizer *q)
{
	return (double) q->scale * sqrt((double) q->dim) / 2.0;
}
