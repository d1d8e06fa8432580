/*-------------------------------------------------------------------------
 *
 * vector.c
 *	  The vector type: text and binary I/O, type modifier, casts, distance
 *	  functions, element-wise arithmetic, btree support and the avg/sum
 *	  aggregates.
 *
 * The SQL surface, the error messages and SQLSTATEs, and the values returned
 * follow pgvector 0.8 so that applications see no difference.  Distances and
 * dot products go through the kernel table (distance.h) and accumulate in
 * float like pgvector; results are widened to double where pgvector widens
 * them (for example the square root of an L2 sum).
 *
 * The parsing itself lives in vectorio.c as pure functions (no palloc, no
 * ereport) so that test/fuzz can run it outside the server; this file turns
 * their status codes into the errors.
 *
 * Sections: validation helpers, text I/O, typmod, binary I/O, casts,
 * distances, other functions, arithmetic, comparison, aggregates.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "compat.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/varbit.h"

#include "distance.h"
#include "vector.h"
#include "vectorio.h"
#include "vectype_template.h"

/* every SQL-callable function of this file is exported from the module */
#define VX_FUNCTION(name)	PGDLLEXPORT PG_FUNCTION_INFO_V1(name)

/* vectype_template.h's functions for vector */
#define VXT_T				Vector
#define VXT_ELEM			float
#define VXT_NAME			"vector"
#define VXT_GETARG(n)		PG_GETARG_VECTOR_P(n)
#define VXT_RETURN(v)		PG_RETURN_VECTOR_P(v)
#define VXT_INIT(dim)		InitVector(dim)
#define VXT_TO_FLOAT(e)		(e)
#define VXT_FROM_FLOAT(f)	(f)
#define VXT_IS_INF(e)		isinf(e)
#define VXT_CHECK_DIMS(a, b)	vx_check_dims_match(a, b)

/* aggregate state: float8[] of {count, sum_1, ..., sum_dim} */
#define STATE_DIMS(arr)		(ARR_DIMS(arr)[0] - 1)


/* ---------------------------------------------------------------------
 * Validation helpers
 * ---------------------------------------------------------------------
 */

/*
 * vx_check_dim: error unless 1 <= dim <= VECTOR_MAX_DIM.
 */
void
vx_check_dim(int dim)
{
	vx_check_dim_of("vector", dim);
}

/* the same for the type typname (vector and halfvec share the limit) */
void
vx_check_dim_of(const char *typname, int dim)
{
	vx_check_dim_limit(typname, dim, VECTOR_MAX_DIM);
}

/* error unless 1 <= dim <= maxdim, naming the type typname */
void
vx_check_dim_limit(const char *typname, int dim, int maxdim)
{
	if (dim < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s must have at least 1 dimension", typname)));

	if (dim > maxdim)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s cannot have more than %d dimensions",
						typname, maxdim)));
}

/*
 * vx_check_expected_dim: error if a type modifier is set and differs from dim.
 */
void
vx_check_expected_dim(int32 typmod, int dim)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d dimensions, not %d", typmod, dim)));
}

/*
 * vx_check_dims_match: error naming both dimensions if they differ.
 */
void
vx_check_dims_match(const Vector *a, const Vector *b)
{
	vx_check_same_dims("vector", a->dim, b->dim);
}

void
vx_check_same_dims(const char *typname, int a, int b)
{
	if (a != b)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different %s dimensions %d and %d", typname, a, b)));
}

/*
 * vx_check_element: error unless the value is finite.
 */
void
vx_check_element(float value)
{
	vx_check_element_of("vector", value);
}

/* the same for the type typname */
void
vx_check_element_of(const char *typname, float value)
{
	if (isnan(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("NaN not allowed in %s", typname)));

	if (isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("infinite value not allowed in %s", typname)));
}

/*
 * InitVector: a zero-filled vector of dim elements in the current memory
 * context.  The caller has validated dim.
 */
Vector *
InitVector(int dim)
{
	Vector	   *result = vx_new_varlena(VECTOR_SIZE(dim));

	result->dim = dim;
	return result;
}

void *
vx_new_varlena(Size size)
{
	void	   *result = palloc0(size);

	SET_VARSIZE(result, size);
	return result;
}

/* a new vector holding a copy of dim values */
static Vector *
vector_from_floats(const float *x, int dim)
{
	Vector	   *result = InitVector(dim);

	memcpy(result->x, x, sizeof(float) * dim);
	return result;
}


/* ---------------------------------------------------------------------
 * Text I/O
 * ---------------------------------------------------------------------
 */

/*
 * vx_report_bad_literal: the syntax error of the text input functions
 * (vector, halfvec, sparsevec), with an optional detail sentence.
 */
void
vx_report_bad_literal(const char *typname, const char *lit, const char *detail)
{
	if (detail)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", typname, lit),
				 errdetail_internal("%s", detail)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", typname, lit)));
}

/*
 * vx_report_out_of_range: the range error of an element, quoting the len
 * bytes of its text at token
 */
void
vx_report_out_of_range(const char *typname, const char *token, size_t len)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("\"%s\" is out of range for type %s",
					pnstrdup(token, len), typname)));
}

/*
 * vx_report_io_error: raise pgvector's error for a failed status of the
 * vectorio.h functions.  lit is the text literal (NULL for binary input),
 * typmod the declared dimension the input was checked against.
 */
void
vx_report_io_error(const char *typname, VxIoStatus status,
				   const VxIoResult *res, const char *lit, int32 typmod)
{
	switch (status)
	{
		case VX_IO_NO_LEFT_BRACKET:
			vx_report_bad_literal(typname, lit, "Vector contents must start with \"[\".");
			break;
		case VX_IO_SYNTAX:
			vx_report_bad_literal(typname, lit, NULL);
			break;
		case VX_IO_JUNK:
			vx_report_bad_literal(typname, lit, "Junk after closing right brace.");
			break;
		case VX_IO_OUT_OF_RANGE:
			vx_report_out_of_range(typname, lit + res->token_start, res->token_len);
			break;
		case VX_IO_NAN:
			vx_check_element_of(typname, get_float4_nan());
			break;
		case VX_IO_INFINITE:
			vx_check_element_of(typname, get_float4_infinity());
			break;
		case VX_IO_TOO_FEW_DIMS:
		case VX_IO_TOO_MANY_DIMS:
			vx_check_dim_of(typname, res->dim);
			break;
		case VX_IO_TYPMOD_MISMATCH:
			vx_check_expected_dim(typmod, res->dim);
			break;
		case VX_IO_UNUSED_NOT_ZERO:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("expected unused to be 0, not %d", res->unused)));
			break;
		case VX_IO_SHORT:
			/* what pq_getmsgint and pq_getmsgfloat4 report */
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("insufficient data left in message")));
			break;
		case VX_IO_TYPMOD_NOT_ONE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid type modifier")));
			break;
		case VX_IO_TYPMOD_TOO_SMALL:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("dimensions for type %s must be at least 1", typname)));
			break;
		case VX_IO_TYPMOD_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("dimensions for type %s cannot exceed %d",
							typname, VECTOR_MAX_DIM)));
			break;
		case VX_IO_OK:
			break;
	}
	elog(ERROR, "unexpected vector input status %d", (int) status);
}

/*
 * vector_in(cstring, oid, typmod): parse '[1,2.5,-3e-2]'.  Whitespace is
 * allowed around brackets, elements and commas.  The grammar and the order
 * of the checks are vx_vector_parse_text's (vectorio.c).  The result is
 * allocated for the literal's capacity, which is its dimension whenever the
 * parse succeeds.
 */
VX_FUNCTION(vector_in);
Datum
vector_in(PG_FUNCTION_ARGS)
{
	char	   *lit = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	Vector	   *result = InitVector(vx_vector_text_capacity(lit));
	VxIoResult	res;
	VxIoStatus	status;

	status = vx_vector_parse_text(lit, typmod, result->x, &res);
	if (status != VX_IO_OK)
		vx_report_io_error("vector", status, &res, lit, typmod);

	Assert(res.dim == result->dim);
	PG_RETURN_VECTOR_P(result);
}

/*
 * vector_out(vector): '[e1,e2,...]', each element in the shortest decimal
 * form that reads back to the same float (independent of
 * extra_float_digits, as in pgvector).
 */
VX_FUNCTION(vector_out);
Datum
vector_out(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	char	   *buf = palloc(VX_TEXT_OUT_SIZE(vec->dim));

	vx_vector_format_text(vec->x, vec->dim, buf);

	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(buf);
}


/* ---------------------------------------------------------------------
 * Type modifier
 * ---------------------------------------------------------------------
 */

/*
 * vector_typmod_in(cstring[]): vector(n) with 1 <= n <= VECTOR_MAX_DIM.
 * There is no typmod_out: the default display "vector(n)" is what pgvector
 * shows too.
 */
VXT_TYPMOD_IN(vector_typmod_in)


/* ---------------------------------------------------------------------
 * Binary I/O.  Wire format (network byte order): int16 dim, int16 unused
 * (always 0), then dim float4 values.
 * ---------------------------------------------------------------------
 */

/*
 * vector_recv(internal, oid, typmod): validates everything that vector_in
 * validates, so a corrupt binary COPY raises an error instead of storing a
 * vector the rest of the code would trust.  Short input gets pq_getmsg*'s
 * error; surplus bytes are reported by the caller (COPY, bind).  The checks
 * and their order are vx_vector_recv_header's and
 * vx_vector_recv_elements's (vectorio.c).
 */
VXT_RECV(vector_recv, vx_vector_recv_elements)

/*
 * vector_send(vector): the wire format above.
 */
VXT_SEND(vector_send, pq_sendfloat4)


/* ---------------------------------------------------------------------
 * Casts
 * ---------------------------------------------------------------------
 */

/*
 * vector(vector, typmod, explicit): the length-coercion cast that enforces
 * vector(n) on assignment and explicit casts.
 */
VXT_ENFORCE_TYPMOD(vector)

/* convert n array elements of type elemtype to float (may raise an error) */
static void
array_elements_to_floats(Oid elemtype, const Datum *elems, int n, float *x)
{
	switch (elemtype)
	{
		case INT4OID:
			for (int i = 0; i < n; i++)
				x[i] = (float) DatumGetInt32(elems[i]);
			break;
		case FLOAT8OID:
			for (int i = 0; i < n; i++)
				x[i] = (float) DatumGetFloat8(elems[i]);
			break;
		case FLOAT4OID:
			for (int i = 0; i < n; i++)
				x[i] = DatumGetFloat4(elems[i]);
			break;
		case NUMERICOID:
			for (int i = 0; i < n; i++)
				x[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4,
														  elems[i]));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("unsupported array type")));
	}
}

/*
 * vx_array_floats: the elements of a 1-D array without NULLs of integer,
 * real, double precision or numeric, converted to float (palloc'd, *n of
 * them), after pgvector's checks: shape, NULLs, the dimension limit
 * maxdim of typname and the type modifier.  Finiteness is the caller's to
 * check.
 */
float *
vx_array_floats(ArrayType *array, int32 typmod, const char *typname,
				int maxdim, int *n)
{
	Oid			elemtype = ARR_ELEMTYPE(array);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	float	   *x;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("array must be 1-D")));

	if (ARR_HASNULL(array) && array_contains_nulls(array))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("array must not contain nulls")));

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(array, elemtype, typlen, typbyval, typalign,
					  &elems, NULL, n);

	vx_check_dim_limit(typname, *n, maxdim);
	vx_check_expected_dim(typmod, *n);

	x = palloc(sizeof(float) * *n);
	array_elements_to_floats(elemtype, elems, *n, x);
	pfree(elems);
	return x;
}

/*
 * array_to_vector(integer[] | real[] | double precision[] | numeric[],
 * typmod, explicit): a 1-D array without NULLs; every element converted to
 * float4 must be finite.
 */
VX_FUNCTION(array_to_vector);
Datum
array_to_vector(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	int			n;
	float	   *x = vx_array_floats(array, typmod, "vector", VECTOR_MAX_DIM, &n);
	Vector	   *result;

	for (int i = 0; i < n; i++)
		vx_check_element(x[i]);

	result = vector_from_floats(x, n);
	pfree(x);
	PG_RETURN_VECTOR_P(result);
}

/*
 * vector_to_float4(vector, typmod, explicit): the vector as real[].
 */
VXT_TO_FLOAT4(vector_to_float4)


/* ---------------------------------------------------------------------
 * Distances (through the kernel table)
 * ---------------------------------------------------------------------
 */

/*
 * The distances of the <->, <#> and <+> operators on plain arrays.  The
 * hnsw scan uses these too, for nodes whose code is lossless, so that the
 * distances it reports are bit-identical to the operators' own.
 */
double
vector_l2_distance_values(const float *a, const float *b, int dim)
{
	return sqrt((double) vx_kern->l2sq_f32(a, b, dim));
}

double
vector_negative_inner_product_values(const float *a, const float *b, int dim)
{
	return (double) -vx_kern->dot_f32(a, b, dim);
}

double
vector_l1_distance_values(const float *a, const float *b, int dim)
{
	return (double) vx_kern->l1_f32(a, b, dim);
}

/*
 * vx_cosine_from_sums: the cosine distance 1 - ab / sqrt(aa * bb) from the
 * float sums of a cosine kernel (vector, halfvec, sparsevec), the
 * similarity clamped to [-1, 1].  A zero vector gives NaN (0/0), as in
 * pgvector.
 */
double
vx_cosine_from_sums(float ab, float aa, float bb)
{
	/* one sqrt of the product rather than a product of two sqrts */
	double		similarity = (double) ab / sqrt((double) aa * (double) bb);

	if (isnan(similarity))
		return get_float8_nan();

	if (similarity > 1)
		similarity = 1.0;
	else if (similarity < -1)
		similarity = -1.0;

	return 1.0 - similarity;
}

/*
 * vx_spherical_from_dot: acos(dot) / pi, the dot product of two unit
 * vectors clamped to [-1, 1] to keep acos defined despite rounding.
 */
double
vx_spherical_from_dot(double dot)
{
	if (dot > 1)
		dot = 1;
	else if (dot < -1)
		dot = -1;

	return acos(dot) / M_PI;
}

/* the two vector arguments a and b of a distance, of the same dimension */
#define VECTOR_PAIR() \
	Vector	   *a = PG_GETARG_VECTOR_P(0); \
	Vector	   *b = PG_GETARG_VECTOR_P(1); \
	vx_check_dims_match(a, b)

/*
 * l2_distance(vector, vector): sqrt of the float sum of squared differences.
 */
VX_FUNCTION(l2_distance);
Datum
l2_distance(PG_FUNCTION_ARGS)
{
	VECTOR_PAIR();
	PG_RETURN_FLOAT8(vector_l2_distance_values(a->x, b->x, a->dim));
}

/*
 * vector_l2_squared_distance(vector, vector): the sum without the sqrt.
 */
VX_FUNCTION(vector_l2_squared_distance);
Datum
vector_l2_squared_distance(PG_FUNCTION_ARGS)
{
	VECTOR_PAIR();
	PG_RETURN_FLOAT8((double) vx_kern->l2sq_f32(a->x, b->x, a->dim));
}

/*
 * inner_product(vector, vector): float sum of products.
 */
VX_FUNCTION(inner_product);
Datum
inner_product(PG_FUNCTION_ARGS)
{
	VECTOR_PAIR();
	PG_RETURN_FLOAT8((double) vx_kern->dot_f32(a->x, b->x, a->dim));
}

/*
 * vector_negative_inner_product(vector, vector): the <#> operator, so that
 * ascending order means most similar first.
 */
VX_FUNCTION(vector_negative_inner_product);
Datum
vector_negative_inner_product(PG_FUNCTION_ARGS)
{
	VECTOR_PAIR();
	PG_RETURN_FLOAT8(vector_negative_inner_product_values(a->x, b->x, a->dim));
}

/*
 * cosine_distance(vector, vector): 1 - ab / sqrt(aa * bb), the similarity
 * clamped to [-1, 1].  A zero vector gives NaN (0/0), as in pgvector.
 */
VXT_COSINE_DISTANCE(cosine_distance, vx_kern->cosine_f32)

/*
 * vector_spherical_distance(vector, vector): acos(ab) / pi for unit vectors
 * (the norm is not computed), the dot product clamped to [-1, 1].
 */
VX_FUNCTION(vector_spherical_distance);
Datum
vector_spherical_distance(PG_FUNCTION_ARGS)
{
	VECTOR_PAIR();
	PG_RETURN_FLOAT8(vx_spherical_from_dot((double) vx_kern->dot_f32(a->x, b->x, a->dim)));
}

/*
 * l1_distance(vector, vector): float sum of absolute differences.
 */
VX_FUNCTION(l1_distance);
Datum
l1_distance(PG_FUNCTION_ARGS)
{
	VECTOR_PAIR();
	PG_RETURN_FLOAT8(vector_l1_distance_values(a->x, b->x, a->dim));
}


/* ---------------------------------------------------------------------
 * Other functions
 * ---------------------------------------------------------------------
 */

/* Euclidean norm accumulated in double, as pgvector does */
VXT_NORM_DOUBLE(vector_norm_double)

/*
 * vector_dims(vector): number of dimensions.
 */
VXT_DIMS(vector_dims)

/*
 * vector_norm(vector): Euclidean norm.
 */
VXT_NORM(vector_norm, vector_norm_double)

/*
 * l2_normalize(vector): the vector divided by its norm; a zero vector is
 * returned unchanged (all zeros).
 */
VXT_L2_NORMALIZE(l2_normalize, vector_norm_double)

/*
 * binary_quantize(vector): bit(dim), bit i set when element i > 0 (first
 * element in the most significant bit, as varbit stores bits).
 */
VXT_BINARY_QUANTIZE(binary_quantize)

/*
 * subvector(vector, start, count): elements start .. start+count-1 (1-based,
 * clipped to the vector like substring); the result must not be empty.
 */
VXT_SUBVECTOR(subvector)


/* ---------------------------------------------------------------------
 * Element-wise arithmetic and concatenation
 * ---------------------------------------------------------------------
 */

void
vx_check_arith(VxArithOp op, float r, float x, float y)
{
	if (isinf(r))
		float_overflow_error();
	if (op == VX_ARITH_MUL && r == 0 && !(x == 0 || y == 0))
		float_underflow_error();
}

/*
 * vector_arith: a op b element by element; an infinite element is an
 * overflow error, and for a product a zero of two non-zero elements an
 * underflow error (as float4mul).
 */
VXT_ARITH(vector_arith)

/* vector_add(vector, vector): element-wise sum */
VXT_ARITH_FUNCTION(vector_add, vector_arith, VX_ARITH_ADD)

/* vector_sub(vector, vector): element-wise difference */
VXT_ARITH_FUNCTION(vector_sub, vector_arith, VX_ARITH_SUB)

/* vector_mul(vector, vector): element-wise product */
VXT_ARITH_FUNCTION(vector_mul, vector_arith, VX_ARITH_MUL)

/*
 * vector_concat(vector, vector): a's elements followed by b's.
 */
VXT_CONCAT(vector_concat)


/* ---------------------------------------------------------------------
 * Comparison (btree opclass vector_ops)
 * ---------------------------------------------------------------------
 */

/*
 * vx_vector_cmp: -1, 0 or 1.  Elements are compared first and dimensions
 * last, like PostgreSQL arrays.  Vectors hold no NaN, so this is a total
 * order (with -0 = 0).
 */
int
vx_vector_cmp(const Vector *a, const Vector *b)
{
	int			dim = Min(a->dim, b->dim);

	for (int i = 0; i < dim; i++)
	{
		if (a->x[i] < b->x[i])
			return -1;
		if (a->x[i] > b->x[i])
			return 1;
	}

	if (a->dim < b->dim)
		return -1;
	if (a->dim > b->dim)
		return 1;
	return 0;
}

/* compare the two vector arguments, freeing detoasted copies */
static int
vector_cmp_args(FunctionCallInfo fcinfo)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	int			cmp = vx_vector_cmp(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return cmp;
}

/* <, <=, =, <>, >=, > and btree support function 1 */
VX_COMPARISON_FUNCTIONS(vector)


/* ---------------------------------------------------------------------
 * Aggregates.  avg(vector) keeps a float8[] state {n, sum_1 .. sum_dim};
 * the initial state '{0}' has no sums yet.  sum(vector) uses vector_add.
 * ---------------------------------------------------------------------
 */

/*
 * check_state_array: the state must be a 1-D float8[] without NULLs and with
 * at least the count.  Users can call the support functions directly, so
 * this is checked, but a bad state is an internal error as in pgvector.
 */
float8 *
vx_check_state_array(ArrayType *statearray, const char *caller)
{
	if (ARR_NDIM(statearray) != 1 ||
		ARR_DIMS(statearray)[0] < 1 ||
		ARR_HASNULL(statearray) ||
		ARR_ELEMTYPE(statearray) != FLOAT8OID)
		elog(ERROR, "%s: expected state array", caller);

	return (float8 *) ARR_DATA_PTR(statearray);
}

/* a new state array {n, sums[0] .. sums[dim-1]} */
ArrayType *
vx_make_state_array(float8 n, const float8 *sums, int dim)
{
	Datum	   *datums = palloc(sizeof(Datum) * (dim + 1));
	ArrayType  *result;

	datums[0] = Float8GetDatum(n);
	for (int i = 0; i < dim; i++)
		datums[i + 1] = Float8GetDatum(sums[i]);

	result = construct_array(datums, dim + 1, FLOAT8OID, sizeof(float8),
							 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(datums);
	return result;
}

/* sums[i] += x[i] for dim elements, with an overflow error if infinite */
void
vx_add_to_sums(float8 *sums, const float8 *x, int dim)
{
	for (int i = 0; i < dim; i++)
	{
		float8		v = sums[i] + x[i];

		if (isinf(v))
			float_overflow_error();
		sums[i] = v;
	}
}

/*
 * vx_avg_accum: the transition of avg for a value of dim elements already
 * widened to x (float8), into the state array of argument 0.  Inside an
 * aggregate the state array is updated in place (as float8_accum does);
 * called directly, a new array is returned.  caller names the SQL function
 * in the error for a malformed state.
 */
ArrayType *
vx_avg_accum(FunctionCallInfo fcinfo, const float8 *x, int newdim,
			 const char *caller)
{
	ArrayType  *statearray = PG_GETARG_ARRAYTYPE_P(0);
	float8	   *state = vx_check_state_array(statearray, caller);
	int			dim = STATE_DIMS(statearray);
	ArrayType  *result;

	/* first value: the state gets its sums */
	if (dim == 0)
		return vx_make_state_array(state[0] + 1.0, x, newdim);

	vx_check_expected_dim(dim, newdim);

	if (AggCheckCallContext(fcinfo, NULL))
	{
		vx_add_to_sums(state + 1, x, dim);
		state[0] += 1.0;
		return statearray;
	}

	result = vx_make_state_array(state[0] + 1.0, state + 1, dim);
	vx_add_to_sums((float8 *) ARR_DATA_PTR(result) + 1, x, dim);
	return result;
}

/* vx_avg_accum for a value of dim floats (vector, halfvec widened) */
ArrayType *
vx_avg_accum_floats(FunctionCallInfo fcinfo, const float *x, int dim,
					const char *caller)
{
	float8	   *wide = palloc(sizeof(float8) * Max(dim, 1));
	ArrayType  *result;

	for (int i = 0; i < dim; i++)
		wide[i] = (float8) x[i];

	result = vx_avg_accum(fcinfo, wide, dim, caller);
	pfree(wide);
	return result;
}

/*
 * vector_accum(double precision[], vector): transition function of avg.
 */
VX_FUNCTION(vector_accum);
Datum
vector_accum(PG_FUNCTION_ARGS)
{
	Vector	   *newval = PG_GETARG_VECTOR_P(1);

	PG_RETURN_ARRAYTYPE_P(vx_avg_accum_floats(fcinfo, newval->x, newval->dim,
											  "vector_accum"));
}

/*
 * vx_avg_combine: the combine function of avg over the two state arrays of
 * the call, for parallel aggregation.  A state without sums (no rows seen)
 * is the identity.  typname names the type in the dimension errors, caller
 * the SQL function in the error for a malformed state.
 */
ArrayType *
vx_avg_combine(FunctionCallInfo fcinfo, const char *typname,
			   const char *caller)
{
	ArrayType  *statearray1 = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *statearray2 = PG_GETARG_ARRAYTYPE_P(1);
	float8	   *state1 = vx_check_state_array(statearray1, caller);
	float8	   *state2 = vx_check_state_array(statearray2, caller);
	int			dim1 = STATE_DIMS(statearray1);
	int			dim2 = STATE_DIMS(statearray2);
	float8		n = state1[0] + state2[0];
	ArrayType  *result;

	if (dim1 == 0 && dim2 == 0)
		return vx_make_state_array(n, NULL, 0);

	if (dim1 == 0)
	{
		vx_check_dim_of(typname, dim2);
		return vx_make_state_array(n, state2 + 1, dim2);
	}

	vx_check_dim_of(typname, dim1);
	if (dim2 == 0)
		return vx_make_state_array(n, state1 + 1, dim1);

	vx_check_expected_dim(dim1, dim2);
	result = vx_make_state_array(n, state1 + 1, dim1);
	vx_add_to_sums((float8 *) ARR_DATA_PTR(result) + 1, state2 + 1, dim1);
	return result;
}

/*
 * vector_combine(double precision[], double precision[]): combine function
 * of avg(vector).
 */
VX_FUNCTION(vector_combine);
Datum
vector_combine(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(vx_avg_combine(fcinfo, "vector", "vector_combine"));
}

/*
 * vector_avg(double precision[]): final function of avg; NULL when no rows
 * were aggregated.
 */
VX_FUNCTION(vector_avg);
Datum
vector_avg(PG_FUNCTION_ARGS)
{
	int			dim;
	float	   *x = vx_avg_mean(fcinfo, "vector", "vector_avg", &dim);

	if (x == NULL)
		PG_RETURN_NULL();
	for (int i = 0; i < dim; i++)
		vx_check_element(x[i]);
	PG_RETURN_VECTOR_P(vector_from_floats(x, dim));
}

/*
 * vx_avg_mean: the sums of avg's state divided by its count, each rounded
 * to float; NULL when no rows were aggregated (SQL defines the average of
 * no values as NULL).  The dimension goes to *dim and must be one of
 * typname's.
 */
float *
vx_avg_mean(FunctionCallInfo fcinfo, const char *typname, const char *caller,
			int *dim)
{
	ArrayType  *statearray = PG_GETARG_ARRAYTYPE_P(0);
	float8	   *state = vx_check_state_array(statearray, caller);
	float8		n = state[0];
	float	   *x;

	*dim = STATE_DIMS(statearray);
	if (n == 0.0)
		return NULL;
	vx_check_dim_of(typname, *dim);
	x = palloc(sizeof(float) * *dim);
	for (int i = 0; i < *dim; i++)
		x[i] = (float) (state[i + 1] / n);
	return x;
}
