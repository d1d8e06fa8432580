/*-------------------------------------------------------------------------
 *
 * sparsevec.c
 *	  The sparsevec type: text and binary I/O, type modifier, casts to and
 *	  from vector, halfvec and arrays, distance functions, norms and btree
 *	  support.
 *
 * A sparsevec stores only its non-zero elements, as ascending 0-based
 * indices and their float values (sparsevec.h).  The text form numbers
 * elements from 1: '{1:0.5,7:2}/10' is a 10-dimensional vector with 0.5 at
 * position 1 and 2 at position 7.  The SQL surface, the error messages and
 * SQLSTATEs, the order in which the checks are made and the values returned
 * follow pgvector 0.8's sparsevec: text input sorts the elements, drops
 * zeros and rejects duplicate indices; binary input must already be sorted
 * and zero-free.  Distances walk both index lists in one ascending merge
 * and accumulate in float in that order, the order of pgvector's source;
 * norms accumulate in double.  (pgvector builds with -fassociative-math,
 * which lets the compiler reorder some of those sums, so its last bits
 * vary with the compiler and CPU; ours do not.)
 *
 * The text parsing and formatting are sparsevecio.c's (pure functions, run
 * by test/fuzz); this file turns their statuses into pgvector's errors.
 *
 * Sections: validation, I/O, casts, distance kernels, distance functions,
 * other functions, comparison.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "compat.h"

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "half.h"
#include "halfvec.h"
#include "sparsevec.h"
#include "sparsevecio.h"
#include "vector.h"
#include "vectorio.h"

#define VX_FUNCTION(name)	PGDLLEXPORT PG_FUNCTION_INFO_V1(name)

#define TYPNAME "sparsevec"


/* ---------------------------------------------------------------------
 * Validation (pgvector's checks and messages)
 * ---------------------------------------------------------------------
 */

static void
check_dims_match(const SparseVector *a, const SparseVector *b)
{
	vx_check_same_dims(TYPNAME, a->dim, b->dim);
}

/* 1 <= dim <= SPARSEVEC_MAX_DIM */
static inline void
check_dim(int dim)
{
	vx_check_dim_limit(TYPNAME, dim, SPARSEVEC_MAX_DIM);
}

/* 0 <= nnz <= SPARSEVEC_MAX_NNZ, and no more than dim */
static void
check_nnz(int nnz, int dim)
{
	if (nnz < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec cannot have negative number of elements")));

	if (nnz > SPARSEVEC_MAX_NNZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsevec cannot have more than %d non-zero elements",
						SPARSEVEC_MAX_NNZ)));

	if (nnz > dim)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsevec cannot have more elements than dimensions")));
}

/* the errors of a bad index (text and binary input) */
pg_noreturn static void
report_index_error(VxSparseStatus status)
{
	if (status == VX_SPARSE_INDEX_OUT_OF_BOUNDS)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec index out of bounds")));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("sparsevec indices must not contain duplicates")));
}

/*
 * check_index: indices[i] is within 0 .. dim - 1 and greater than the index
 * before it (checked in this order, element by element, as pgvector does).
 */
static void
check_index(const int32 *indices, int i, int dim)
{
	int32		index = indices[i];

	if (index < 0 || index >= dim)
		report_index_error(VX_SPARSE_INDEX_OUT_OF_BOUNDS);

	if (i > 0 && index < indices[i - 1])
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec indices must be in ascending order")));

	if (i > 0 && index == indices[i - 1])
		report_index_error(VX_SPARSE_INDEX_DUPLICATE);
}

/*
 * InitSparseVector: a sparsevec of dim dimensions with room for nnz
 * elements (zero-filled), in the current memory context.  The caller has
 * checked nnz (check_nnz).
 */
SparseVector *
InitSparseVector(int dim, int nnz)
{
	SparseVector *result = vx_new_varlena(SPARSEVEC_SIZE(nnz));

	result->dim = dim;
	result->nnz = nnz;
	return result;
}

/*
 * sparsevec_from_floats: the n floats x as a sparsevec (zeros left out),
 * after pgvector's checks of a dense input: dimension, type modifier, the
 * number of non-zero elements; then every element kept must be finite.
 */
static SparseVector *
sparsevec_from_floats(const float *x, int n, int32 typmod)
{
	SparseVector *result;
	float	   *values;
	int			nnz = 0;

	check_dim(n);
	vx_check_expected_dim(typmod, n);

	for (int i = 0; i < n; i++)
		nnz += x[i] != 0;
	check_nnz(nnz, n);

	result = InitSparseVector(n, nnz);
	values = SPARSEVEC_VALUES(result);
	nnz = 0;
	for (int i = 0; i < n; i++)
	{
		if (x[i] != 0)
		{
			result->indices[nnz] = i;
			values[nnz++] = x[i];
		}
	}

	for (int i = 0; i < nnz; i++)
		vx_check_element_of(TYPNAME, values[i]);
	return result;
}


/* ---------------------------------------------------------------------
 * I/O and type modifier
 * ---------------------------------------------------------------------
 */

/*
 * report_text_error: pgvector's error for a failed status of
 * vx_sparse_parse_text on the literal lit
 */
pg_noreturn static void
report_text_error(VxSparseStatus status, const VxSparseResult *res,
				  const char *lit, int32 typmod)
{
	switch (status)
	{
		case VX_SPARSE_TOO_MANY_NNZ:
			check_nnz(SPARSEVEC_MAX_NNZ + 1, INT_MAX);
			break;
		case VX_SPARSE_NO_LEFT_BRACE:
			vx_report_bad_literal(TYPNAME, lit,
								  "Vector contents must start with \"{\".");
			break;
		case VX_SPARSE_SYNTAX:
			vx_report_bad_literal(TYPNAME, lit, NULL);
			break;
		case VX_SPARSE_NO_SLASH:
			vx_report_bad_literal(TYPNAME, lit, "Unexpected end of input.");
			break;
		case VX_SPARSE_JUNK:
			vx_report_bad_literal(TYPNAME, lit, "Junk after closing.");
			break;
		case VX_SPARSE_OUT_OF_RANGE:
			vx_report_out_of_range(TYPNAME, lit + res->token_start, res->token_len);
			break;
		case VX_SPARSE_NAN:
			vx_check_element_of(TYPNAME, get_float4_nan());
			break;
		case VX_SPARSE_INFINITE:
			vx_check_element_of(TYPNAME, get_float4_infinity());
			break;
		case VX_SPARSE_TOO_FEW_DIMS:
		case VX_SPARSE_TOO_MANY_DIMS:
			check_dim(res->dim);
			break;
		case VX_SPARSE_TYPMOD_MISMATCH:
			vx_check_expected_dim(typmod, res->dim);
			break;
		case VX_SPARSE_INDEX_OUT_OF_BOUNDS:
		case VX_SPARSE_INDEX_DUPLICATE:
			report_index_error(status);
			break;
		case VX_SPARSE_OK:
			break;
	}
	elog(ERROR, "unexpected sparsevec input status %d", (int) status);
}

/*
 * sparsevec_in(cstring, oid, typmod): '{i:v,...}/dim' with 1-based indices
 * in any order; blanks may surround every token.  The grammar and
 * pgvector's order of checks are vx_sparse_parse_text's (sparsevecio.c):
 * zeros are dropped, the rest sorted, and a repeated index is an error.
 */
VX_FUNCTION(sparsevec_in);
Datum
sparsevec_in(PG_FUNCTION_ARGS)
{
	char	   *lit = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	int			capacity = vx_sparse_text_capacity(lit);
	VxSparseElement *elems;
	VxSparseResult res;
	VxSparseStatus status;
	SparseVector *result;
	float	   *values;

	elems = palloc(sizeof(VxSparseElement) * Min(capacity, SPARSEVEC_MAX_NNZ));
	status = vx_sparse_parse_text(lit, typmod, elems, &res);
	if (status != VX_SPARSE_OK)
		report_text_error(status, &res, lit, typmod);

	result = InitSparseVector(res.dim, res.nnz);
	values = SPARSEVEC_VALUES(result);
	for (int i = 0; i < res.nnz; i++)
	{
		result->indices[i] = elems[i].index;
		values[i] = elems[i].value;
	}
	pfree(elems);
	PG_RETURN_SPARSEVEC_P(result);
}

/*
 * sparsevec_out(sparsevec): '{i:v,...}/dim', 1-based indices, each value in
 * the shortest decimal form that reads back to the same float (as vector's
 * output; vx_sparse_format_text)
 */
VX_FUNCTION(sparsevec_out);
Datum
sparsevec_out(PG_FUNCTION_ARGS)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	char	   *buf = palloc(VX_SPARSE_TEXT_OUT_SIZE(svec->nnz));

	vx_sparse_format_text(svec->indices, SPARSEVEC_VALUES(svec), svec->nnz,
						  svec->dim, buf);
	PG_FREE_IF_COPY(svec, 0);
	PG_RETURN_CSTRING(buf);
}

/* sparsevec_typmod_in(cstring[]): sparsevec(n), 1 <= n <= 1,000,000,000 */
VX_FUNCTION(sparsevec_typmod_in);
Datum
sparsevec_typmod_in(PG_FUNCTION_ARGS)
{
	ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(0);
	int32	   *tl;
	int			n;

	tl = ArrayGetIntegerTypmods(ta, &n);

	if (n != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid type modifier")));

	if (*tl < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dimensions for type sparsevec must be at least 1")));

	if (*tl > SPARSEVEC_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dimensions for type sparsevec cannot exceed %d",
						SPARSEVEC_MAX_DIM)));

	PG_RETURN_INT32(*tl);
}

/*
 * sparsevec_recv(internal, oid, typmod).  Wire format (network byte
 * order): int32 dim, int32 nnz, int32 unused (must be 0), nnz int32
 * indices (0-based, strictly ascending), nnz float4 values (finite, not
 * zero).  Checked in pgvector's order: header fields, dimension, nnz, type
 * modifier, unused, then each index, then each value.  Short input gets
 * pq_getmsgint's error.
 */
VX_FUNCTION(sparsevec_recv);
Datum
sparsevec_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	int32		dim = pq_getmsgint(buf, sizeof(int32));
	int32		nnz = pq_getmsgint(buf, sizeof(int32));
	int32		unused = pq_getmsgint(buf, sizeof(int32));
	SparseVector *result;
	float	   *values;

	check_dim(dim);
	check_nnz(nnz, dim);
	vx_check_expected_dim(typmod, dim);
	if (unused != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected unused to be 0, not %d", unused)));

	result = InitSparseVector(dim, nnz);
	values = SPARSEVEC_VALUES(result);

	for (int i = 0; i < nnz; i++)
	{
		result->indices[i] = pq_getmsgint(buf, sizeof(int32));
		check_index(result->indices, i, dim);
	}

	for (int i = 0; i < nnz; i++)
	{
		values[i] = pq_getmsgfloat4(buf);
		vx_check_element_of(TYPNAME, values[i]);
		if (values[i] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("binary representation of sparsevec cannot contain zero values")));
	}

	PG_RETURN_SPARSEVEC_P(result);
}

/*
 * sparsevec_send(sparsevec): sparsevec_recv's format, int32 dim, nnz and
 * unused, the nnz indices (0-based) and the nnz float4 values
 */
VX_FUNCTION(sparsevec_send);
Datum
sparsevec_send(PG_FUNCTION_ARGS)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	float	   *values = SPARSEVEC_VALUES(svec);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, svec->dim);
	pq_sendint32(&buf, svec->nnz);
	pq_sendint32(&buf, svec->unused);
	for (int i = 0; i < svec->nnz; i++)
		pq_sendint32(&buf, svec->indices[i]);
	for (int i = 0; i < svec->nnz; i++)
		pq_sendfloat4(&buf, values[i]);

	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}


/* ---------------------------------------------------------------------
 * Casts
 * ---------------------------------------------------------------------
 */

/* sparsevec(sparsevec, typmod, explicit): enforces sparsevec(n) */
VX_FUNCTION(sparsevec);
Datum
sparsevec(PG_FUNCTION_ARGS)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);

	vx_check_expected_dim(PG_GETARG_INT32(1), svec->dim);
	PG_RETURN_SPARSEVEC_P(svec);
}

/* vector_to_sparsevec(vector, typmod, explicit): the non-zero elements */
VX_FUNCTION(vector_to_sparsevec);
Datum
vector_to_sparsevec(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);

	PG_RETURN_SPARSEVEC_P(sparsevec_from_floats(vec->x, vec->dim,
												PG_GETARG_INT32(1)));
}

/* halfvec_to_sparsevec(halfvec, typmod, explicit): exact */
VX_FUNCTION(halfvec_to_sparsevec);
Datum
halfvec_to_sparsevec(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	float	   *x = palloc(sizeof(float) * Max(vec->dim, 1));
	SparseVector *result;

	for (int i = 0; i < vec->dim; i++)
		x[i] = vx_half_to_float(vec->x[i]);
	result = sparsevec_from_floats(x, vec->dim, PG_GETARG_INT32(1));
	pfree(x);
	PG_RETURN_SPARSEVEC_P(result);
}

/*
 * array_to_sparsevec(integer[] | real[] | double precision[] | numeric[],
 * typmod, explicit): the array's elements as float, zeros left out.
 */
VX_FUNCTION(array_to_sparsevec);
Datum
array_to_sparsevec(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	int			n;
	float	   *x = vx_array_floats(array, typmod, TYPNAME, SPARSEVEC_MAX_DIM, &n);
	SparseVector *result = sparsevec_from_floats(x, n, typmod);

	pfree(x);
	PG_RETURN_SPARSEVEC_P(result);
}

/*
 * name(sparsevec, typmod, explicit): the dense value of type T (typname),
 * zeros filled in, each stored value converted by CONVERT
 */
#define SPARSEVEC_TO_DENSE(name, T, typname, INIT, CONVERT, RETURN) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0); \
	float	   *values = SPARSEVEC_VALUES(svec); \
	T		   *result; \
	\
	vx_check_dim_of(typname, svec->dim); \
	vx_check_expected_dim(PG_GETARG_INT32(1), svec->dim); \
	result = INIT(svec->dim); \
	for (int i = 0; i < svec->nnz; i++) \
		result->x[svec->indices[i]] = CONVERT(values[i]); \
	RETURN(result); \
}

#define SPARSEVEC_FLOAT(v)	(v)

SPARSEVEC_TO_DENSE(sparsevec_to_vector, Vector, "vector", InitVector,
				   SPARSEVEC_FLOAT, PG_RETURN_VECTOR_P)
/* each value rounded to half (overflow is an error) */
SPARSEVEC_TO_DENSE(sparsevec_to_halfvec, HalfVector, "halfvec", InitHalfVector,
				   vx_half_from_float_checked, PG_RETURN_HALFVEC_P)


/* ---------------------------------------------------------------------
 * Distance kernels: pure, over two index/value lists (ascending indices).
 * Each walks the union of the indices in ascending order and accumulates
 * in float in that order, which is pgvector's order of summation.
 * ---------------------------------------------------------------------
 */

static inline SparseList
sparse_list(const SparseVector *v)
{
	SparseList	l = {v->indices, SPARSEVEC_VALUES(v), v->nnz};

	return l;
}

/*
 * sparse_l2sq_l1: the squared L2 distance (l1 false) or the L1 distance
 * (l1 true) of a and b.  A position stored in one list only contributes its
 * value against zero.
 */
float
sparse_l2sq_l1(SparseList a, SparseList b, bool l1)
{
	float		sum = 0.0f;
	int			i = 0;
	int			j = 0;

	while (i < a.nnz || j < b.nnz)
	{
		float		diff;

		if (j == b.nnz || (i < a.nnz && a.indices[i] < b.indices[j]))
			diff = a.values[i++];
		else if (i == a.nnz || b.indices[j] < a.indices[i])
			diff = b.values[j++];
		else
			diff = a.values[i++] - b.values[j++];

		sum += l1 ? fabsf(diff) : diff * diff;
	}
	return sum;
}

/* the dot product of a and b: the positions stored in both */
float
sparse_dot(SparseList a, SparseList b)
{
	float		sum = 0.0f;
	int			i = 0;
	int			j = 0;

	while (i < a.nnz && j < b.nnz)
	{
		if (a.indices[i] < b.indices[j])
			i++;
		else if (b.indices[j] < a.indices[i])
			j++;
		else
			sum += a.values[i++] * b.values[j++];
	}
	return sum;
}

/* the sum of squares in float (cosine) */
float
sparse_sumsq_float(SparseList a)
{
	float		sum = 0.0f;

	for (int i = 0; i < a.nnz; i++)
		sum += a.values[i] * a.values[i];
	return sum;
}

/*
 * The cosine distance of a and b given their float sums of squares aa and
 * bb: 1 - ab / sqrt(aa * bb), the similarity clamped to [-1, 1]; NaN when
 * either is a zero vector
 */
double
sparse_cosine(SparseList a, SparseList b, float aa, float bb)
{
	return vx_cosine_from_sums(sparse_dot(a, b), aa, bb);
}

/* the Euclidean norm accumulated in double (l2_norm, l2_normalize) */
static double
sparse_norm_double(SparseList a)
{
	double		sum = 0.0;

	for (int i = 0; i < a.nnz; i++)
		sum += (double) a.values[i] * (double) a.values[i];
	return sqrt(sum);
}


/* ---------------------------------------------------------------------
 * Distance functions
 * ---------------------------------------------------------------------
 */

#define SPARSEVEC_PAIR() \
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0); \
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1); \
	check_dims_match(a, b)

VX_FUNCTION(sparsevec_l2_distance);
Datum
sparsevec_l2_distance(PG_FUNCTION_ARGS)
{
	SPARSEVEC_PAIR();
	PG_RETURN_FLOAT8(sqrt((double) sparse_l2sq_l1(sparse_list(a), sparse_list(b), false)));
}

VX_FUNCTION(sparsevec_l2_squared_distance);
Datum
sparsevec_l2_squared_distance(PG_FUNCTION_ARGS)
{
	SPARSEVEC_PAIR();
	PG_RETURN_FLOAT8((double) sparse_l2sq_l1(sparse_list(a), sparse_list(b), false));
}

VX_FUNCTION(sparsevec_inner_product);
Datum
sparsevec_inner_product(PG_FUNCTION_ARGS)
{
	SPARSEVEC_PAIR();
	PG_RETURN_FLOAT8((double) sparse_dot(sparse_list(a), sparse_list(b)));
}

VX_FUNCTION(sparsevec_negative_inner_product);
Datum
sparsevec_negative_inner_product(PG_FUNCTION_ARGS)
{
	SPARSEVEC_PAIR();
	PG_RETURN_FLOAT8((double) -sparse_dot(sparse_list(a), sparse_list(b)));
}

/* sparse_cosine: a zero vector gives NaN */
VX_FUNCTION(sparsevec_cosine_distance);
Datum
sparsevec_cosine_distance(PG_FUNCTION_ARGS)
{
	SPARSEVEC_PAIR();
	PG_RETURN_FLOAT8(sparse_cosine(sparse_list(a), sparse_list(b),
								   sparse_sumsq_float(sparse_list(a)),
								   sparse_sumsq_float(sparse_list(b))));
}

VX_FUNCTION(sparsevec_l1_distance);
Datum
sparsevec_l1_distance(PG_FUNCTION_ARGS)
{
	SPARSEVEC_PAIR();
	PG_RETURN_FLOAT8((double) sparse_l2sq_l1(sparse_list(a), sparse_list(b), true));
}


/* ---------------------------------------------------------------------
 * Other functions
 * ---------------------------------------------------------------------
 */

VX_FUNCTION(sparsevec_l2_norm);
Datum
sparsevec_l2_norm(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);

	PG_RETURN_FLOAT8(sparse_norm_double(sparse_list(a)));
}

/*
 * sparsevec_l2_normalize(sparsevec): each value divided by the norm
 * (double) and rounded to float; an infinite result is an overflow error,
 * a value that underflows to zero is dropped; a zero vector is returned
 * unchanged.
 */
VX_FUNCTION(sparsevec_l2_normalize);
Datum
sparsevec_l2_normalize(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	float	   *ax = SPARSEVEC_VALUES(a);
	double		norm = sparse_norm_double(sparse_list(a));
	float	   *x = palloc(sizeof(float) * Max(a->nnz, 1));
	int			nnz = 0;
	SparseVector *result;
	float	   *rx;

	for (int i = 0; i < a->nnz; i++)
	{
		x[i] = norm > 0 ? (float) (ax[i] / norm) : ax[i];
		if (isinf(x[i]))
			float_overflow_error();
		nnz += x[i] != 0;
	}

	result = InitSparseVector(a->dim, nnz);
	rx = SPARSEVEC_VALUES(result);
	nnz = 0;
	for (int i = 0; i < a->nnz; i++)
	{
		if (x[i] != 0)
		{
			result->indices[nnz] = a->indices[i];
			rx[nnz++] = x[i];
		}
	}
	pfree(x);
	PG_RETURN_SPARSEVEC_P(result);
}


/* ---------------------------------------------------------------------
 * Comparison (btree opclass sparsevec_ops): the order of the dense
 * vectors (element by element, then the shorter first), computed from the
 * stored elements, as pgvector orders them
 * ---------------------------------------------------------------------
 */

/*
 * sign of (a - b) at the first position where they differ, when that is a
 * position stored in only one of them: the value there against zero
 */
static inline int
stored_vs_zero(float value)
{
	return value < 0 ? -1 : 1;
}

static int
sparsevec_compare(const SparseVector *a, const SparseVector *b)
{
	const float *ax = SPARSEVEC_VALUES(a);
	const float *bx = SPARSEVEC_VALUES(b);
	int			nnz = Min(a->nnz, b->nnz);

	/* the k-th stored elements of both, while they agree */
	for (int k = 0; k < nnz; k++)
	{
		if (a->indices[k] < b->indices[k])
			return stored_vs_zero(ax[k]);
		if (a->indices[k] > b->indices[k])
			return -stored_vs_zero(bx[k]);
		if (ax[k] != bx[k])
			return ax[k] < bx[k] ? -1 : 1;
	}

	/* one has a further element within the other's dimensions */
	if (a->nnz < b->nnz && b->indices[nnz] < a->dim)
		return -stored_vs_zero(bx[nnz]);
	if (a->nnz > b->nnz && a->indices[nnz] < b->dim)
		return stored_vs_zero(ax[nnz]);

	return a->dim < b->dim ? -1 : a->dim > b->dim ? 1 : 0;
}

static int
sparsevec_cmp_args(FunctionCallInfo fcinfo)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);
	int			cmp = sparsevec_compare(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return cmp;
}

/* <, <=, =, <>, >=, > and btree support function 1 */
VX_COMPARISON_FUNCTIONS(sparsevec)
