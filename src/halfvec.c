/*-------------------------------------------------------------------------
 *
 * halfvec.c
 *	  The halfvec type: text and binary I/O, type modifier, casts, distance
 *	  functions, element-wise arithmetic, btree support and the avg/sum
 *	  aggregates.
 *
 * Elements are IEEE binary16 bit patterns (half.h).  The SQL surface, the
 * error messages and SQLSTATEs, and the values returned follow pgvector 0.8's
 * halfvec: arithmetic is done in float and rounded to half once (overflow to
 * infinity is an error), distances widen each element to float and
 * accumulate in float through the kernel table (distance.h), norms
 * accumulate in double.
 *
 * The parsing is vectorio.c's (the vector grammar, with halfvec's overflow
 * bound); this file narrows the parsed floats and turns statuses into
 * errors through vector.c's reporter, naming "halfvec".
 *
 * Sections: helpers, I/O, casts, distances, other functions, arithmetic,
 * comparison, aggregates.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "compat.h"

#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/float.h"
#include "utils/varbit.h"

#include "distance.h"
#include "half.h"
#include "halfvec.h"
#include "vector.h"
#include "vectorio.h"
#include "vectype_template.h"

#define VX_FUNCTION(name)	PGDLLEXPORT PG_FUNCTION_INFO_V1(name)

#define TYPNAME "halfvec"

/* vectype_template.h's functions for halfvec */
#define VXT_T				HalfVector
#define VXT_ELEM			uint16
#define VXT_NAME			TYPNAME
#define VXT_GETARG(n)		PG_GETARG_HALFVEC_P(n)
#define VXT_RETURN(v)		PG_RETURN_HALFVEC_P(v)
#define VXT_INIT(dim)		InitHalfVector(dim)
#define VXT_TO_FLOAT(e)		vx_half_to_float(e)
#define VXT_FROM_FLOAT(f)	vx_float_to_half(f)
#define VXT_IS_INF(e)		vx_half_is_inf(e)
#define VXT_CHECK_DIMS(a, b)	check_dims_match(a, b)


/* ---------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------
 */

HalfVector *
InitHalfVector(int dim)
{
	HalfVector *result = vx_new_varlena(HALFVEC_SIZE(dim));

	result->dim = dim;
	return result;
}

static void
check_dims_match(const HalfVector *a, const HalfVector *b)
{
	vx_check_same_dims(TYPNAME, a->dim, b->dim);
}

/* pgvector's error for a finite float that rounds to an infinite half */
pg_noreturn static void
report_half_overflow(float value)
{
	char		buf[FLOAT_SHORTEST_DECIMAL_LEN];

	float_to_shortest_decimal_buf(value, buf);
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("\"%s\" is out of range for type halfvec", buf)));
}

/*
 * vx_half_from_float_checked: value rounded to half; a finite value that
 * overflows half is pgvector's out-of-range error.
 */
uint16
vx_half_from_float_checked(float value)
{
	uint16		h = vx_float_to_half(value);

	if (vx_half_is_inf(h) && !isinf(value))
		report_half_overflow(value);
	return h;
}

/*
 * halfvec_from_floats: n floats narrowed to a new halfvec; a finite value
 * that overflows half is an error, an infinite or NaN one is left for the
 * caller's element check.
 */
static HalfVector *
halfvec_from_floats(const float *x, int n)
{
	HalfVector *result = InitHalfVector(n);

	vx_kern->f32_to_f16(x, result->x, n);
	for (int i = 0; i < n; i++)
	{
		if (vx_half_is_inf(result->x[i]) && !isinf(x[i]))
			report_half_overflow(x[i]);
	}
	return result;
}

/* NaN and infinity are not allowed in a halfvec */
static void
check_elements(const HalfVector *v)
{
	for (int i = 0; i < v->dim; i++)
	{
		if (vx_half_is_nan(v->x[i]) || vx_half_is_inf(v->x[i]))
			vx_check_element_of(TYPNAME, vx_half_to_float(v->x[i]));
	}
}

/* the elements widened to float (palloc'd) */
static float *
halfvec_floats(const HalfVector *v)
{
	float	   *x = palloc(sizeof(float) * Max(v->dim, 1));

	vx_kern->f16_to_f32(v->x, x, v->dim);
	return x;
}

/* Euclidean norm accumulated in double, as pgvector does */
VXT_NORM_DOUBLE(halfvec_norm_double)


/* ---------------------------------------------------------------------
 * I/O and type modifier
 * ---------------------------------------------------------------------
 */

/*
 * halfvec_in(cstring, oid, typmod): the vector grammar; an element of
 * magnitude >= 65520 is out of range (it would round to infinity), smaller
 * ones round to the nearest half (underflow to zero is accepted).
 */
VX_FUNCTION(halfvec_in);
Datum
halfvec_in(PG_FUNCTION_ARGS)
{
	char	   *lit = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	float	   *x = palloc(sizeof(float) * vx_vector_text_capacity(lit));
	VxIoResult	res;
	VxIoStatus	status;
	HalfVector *result;

	status = vx_parse_text_bounded(lit, typmod, VX_HALF_OVERFLOW, x, &res);
	if (status != VX_IO_OK)
		vx_report_io_error(TYPNAME, status, &res, lit, typmod);

	result = halfvec_from_floats(x, res.dim);
	pfree(x);
	PG_RETURN_HALFVEC_P(result);
}

/* halfvec_out(halfvec): each element as the shortest float decimal */
VX_FUNCTION(halfvec_out);
Datum
halfvec_out(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	float	   *x = halfvec_floats(vec);
	char	   *buf = palloc(VX_TEXT_OUT_SIZE(vec->dim));

	vx_vector_format_text(x, vec->dim, buf);
	pfree(x);

	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(buf);
}

/* halfvec_typmod_in(cstring[]): halfvec(n), 1 <= n <= 16000 */
VXT_TYPMOD_IN(halfvec_typmod_in)

/*
 * halfvec_recv(internal, oid, typmod): int16 dim, int16 unused, dim halves
 * (network byte order), checked like halfvec_in's result.
 */
VXT_RECV(halfvec_recv, vx_halfvec_recv_elements)

VXT_SEND(halfvec_send, pq_sendint16)


/* ---------------------------------------------------------------------
 * Casts
 * ---------------------------------------------------------------------
 */

/* halfvec(halfvec, typmod, explicit): enforces halfvec(n) */
VXT_ENFORCE_TYPMOD(halfvec)

/* array_to_halfvec(integer[] | real[] | double precision[] | numeric[], ...) */
VX_FUNCTION(array_to_halfvec);
Datum
array_to_halfvec(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int			n;
	float	   *x = vx_array_floats(array, PG_GETARG_INT32(1), TYPNAME,
								 HALFVEC_MAX_DIM, &n);
	HalfVector *result = halfvec_from_floats(x, n);

	pfree(x);
	check_elements(result);
	PG_RETURN_HALFVEC_P(result);
}

/* halfvec_to_float4(halfvec, typmod, explicit): the values as real[] */
VXT_TO_FLOAT4(halfvec_to_float4)

/* vector_to_halfvec(vector, typmod, explicit): rounded to nearest half */
VX_FUNCTION(vector_to_halfvec);
Datum
vector_to_halfvec(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);

	vx_check_dim_of(TYPNAME, vec->dim);
	vx_check_expected_dim(PG_GETARG_INT32(1), vec->dim);
	PG_RETURN_HALFVEC_P(halfvec_from_floats(vec->x, vec->dim));
}

/* halfvec_to_vector(halfvec, typmod, explicit): exact */
VX_FUNCTION(halfvec_to_vector);
Datum
halfvec_to_vector(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	Vector	   *result;

	vx_check_dim(vec->dim);
	vx_check_expected_dim(PG_GETARG_INT32(1), vec->dim);
	result = InitVector(vec->dim);
	vx_kern->f16_to_f32(vec->x, result->x, vec->dim);
	PG_RETURN_VECTOR_P(result);
}


/* ---------------------------------------------------------------------
 * Distances (through the kernel table)
 * ---------------------------------------------------------------------
 */

#define HALFVEC_PAIR() \
	HalfVector *a = PG_GETARG_HALFVEC_P(0); \
	HalfVector *b = PG_GETARG_HALFVEC_P(1); \
	check_dims_match(a, b)

/* a distance function: HALFVEC_PAIR's a and b, expr their distance */
#define HALFVEC_DISTANCE(name, expr) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	HALFVEC_PAIR(); \
	PG_RETURN_FLOAT8(expr); \
}

HALFVEC_DISTANCE(halfvec_l2_distance, sqrt((double) vx_kern->l2sq_f16(a->x, b->x, a->dim)))
HALFVEC_DISTANCE(halfvec_l2_squared_distance, (double) vx_kern->l2sq_f16(a->x, b->x, a->dim))
HALFVEC_DISTANCE(halfvec_inner_product, (double) vx_kern->dot_f16(a->x, b->x, a->dim))
HALFVEC_DISTANCE(halfvec_negative_inner_product, (double) -vx_kern->dot_f16(a->x, b->x, a->dim))
/* acos(ab) / pi for unit vectors, the dot product clamped to [-1, 1] */
HALFVEC_DISTANCE(halfvec_spherical_distance,
				 vx_spherical_from_dot((double) vx_kern->dot_f16(a->x, b->x, a->dim)))
HALFVEC_DISTANCE(halfvec_l1_distance, (double) vx_kern->l1_f16(a->x, b->x, a->dim))

/* 1 - ab / sqrt(aa * bb), clamped; a zero vector gives NaN */
VXT_COSINE_DISTANCE(halfvec_cosine_distance, vx_kern->cosine_f16)


/* ---------------------------------------------------------------------
 * Other functions
 * ---------------------------------------------------------------------
 */

VXT_DIMS(halfvec_vector_dims)

VXT_NORM(halfvec_l2_norm, halfvec_norm_double)

/*
 * halfvec_l2_normalize(halfvec): each element divided by the norm (double),
 * rounded to float and then to half as pgvector does; a zero vector is
 * returned unchanged.
 */
VXT_L2_NORMALIZE(halfvec_l2_normalize, halfvec_norm_double)

/* binary_quantize(halfvec): bit(dim), bit i set when element i > 0 */
VXT_BINARY_QUANTIZE(halfvec_binary_quantize)

/* subvector(halfvec, start, count): as subvector(vector, ...) */
VXT_SUBVECTOR(halfvec_subvector)


/* ---------------------------------------------------------------------
 * Element-wise arithmetic (in float, rounded once) and concatenation
 * ---------------------------------------------------------------------
 */

/*
 * halfvec_arith: a op b element by element; an infinite result is an
 * overflow error, and for a product a zero of two non-zero elements an
 * underflow error (as float4mul).
 */
VXT_ARITH(halfvec_arith)

VXT_ARITH_FUNCTION(halfvec_add, halfvec_arith, VX_ARITH_ADD)

VXT_ARITH_FUNCTION(halfvec_sub, halfvec_arith, VX_ARITH_SUB)

VXT_ARITH_FUNCTION(halfvec_mul, halfvec_arith, VX_ARITH_MUL)

VXT_CONCAT(halfvec_concat)


/* ---------------------------------------------------------------------
 * Comparison (btree opclass halfvec_ops): values first, then dimensions,
 * like vectors (no NaN, -0 = 0)
 * ---------------------------------------------------------------------
 */

static int
halfvec_cmp_args(FunctionCallInfo fcinfo)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	int			dim = Min(a->dim, b->dim);
	int			cmp = 0;

	for (int i = 0; i < dim && cmp == 0; i++)
	{
		float		x = vx_half_to_float(a->x[i]);
		float		y = vx_half_to_float(b->x[i]);

		cmp = x < y ? -1 : x > y ? 1 : 0;
	}
	if (cmp == 0)
		cmp = a->dim < b->dim ? -1 : a->dim > b->dim ? 1 : 0;

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return cmp;
}

/* <, <=, =, <>, >=, > and btree support function 1 */
VX_COMPARISON_FUNCTIONS(halfvec)


/* ---------------------------------------------------------------------
 * Aggregates: the float8[] state of avg(vector) (vector.c); sum uses
 * halfvec_add
 * ---------------------------------------------------------------------
 */

VX_FUNCTION(halfvec_accum);
Datum
halfvec_accum(PG_FUNCTION_ARGS)
{
	HalfVector *newval = PG_GETARG_HALFVEC_P(1);
	float	   *x = halfvec_floats(newval);
	ArrayType  *result;

	result = vx_avg_accum_floats(fcinfo, x, newval->dim, "halfvec_accum");
	pfree(x);
	PG_RETURN_ARRAYTYPE_P(result);
}

VX_FUNCTION(halfvec_combine);
Datum
halfvec_combine(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(vx_avg_combine(fcinfo, TYPNAME, "halfvec_combine"));
}

/* final function of avg: NULL for no rows; the mean rounded to half */
VX_FUNCTION(halfvec_avg);
Datum
halfvec_avg(PG_FUNCTION_ARGS)
{
	int			dim;
	float	   *x = vx_avg_mean(fcinfo, TYPNAME, "halfvec_avg", &dim);
	HalfVector *result;

	if (x == NULL)
		PG_RETURN_NULL();
	result = halfvec_from_floats(x, dim);
	pfree(x);
	check_elements(result);
	PG_RETURN_HALFVEC_P(result);
}
