/*-------------------------------------------------------------------------
 *
 * vector.h
 *	  The vector type: in-memory/on-disk layout, shared by the type code and
 *	  the index.  Byte-compatible with pgvector's vector (varlena header,
 *	  int16 dim, int16 unused, float4 values).
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_VECTOR_H
#define VECIDX_VECTOR_H

#include "fmgr.h"
#include "utils/array.h"

#include "compat.h"				/* pg_noreturn */

#include "vectorio.h"		/* VECTOR_MAX_DIM */

typedef struct Vector
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int16		dim;			/* number of dimensions */
	int16		unused;			/* reserved, always zero */
	float		x[FLEXIBLE_ARRAY_MEMBER];
} Vector;

#define VECTOR_SIZE(_dim)		(offsetof(Vector, x) + sizeof(float) * (_dim))
#define DatumGetVector(x)		((Vector *) PG_DETOAST_DATUM(x))
#define PG_GETARG_VECTOR_P(x)	DatumGetVector(PG_GETARG_DATUM(x))
#define PG_RETURN_VECTOR_P(x)	PG_RETURN_POINTER(x)

extern Vector *InitVector(int dim);
extern double vector_l2_distance_values(const float *a, const float *b, int dim);
extern double vector_negative_inner_product_values(const float *a, const float *b, int dim);
extern double vector_l1_distance_values(const float *a, const float *b, int dim);
extern double vx_cosine_from_sums(float ab, float aa, float bb);
extern double vx_spherical_from_dot(double dot);

/*
 * Validation helpers shared by the type code and the index.  Each raises the
 * same ERROR as pgvector does when its condition fails.
 */
extern void vx_check_dim(int dim);	/* 1 <= dim <= VECTOR_MAX_DIM */
extern void vx_check_expected_dim(int32 typmod, int dim);	/* typmod -1 or == dim */
extern void vx_check_dims_match(const Vector *a, const Vector *b);
/* error "different <typname> dimensions a and b" unless a == b */
extern void vx_check_same_dims(const char *typname, int a, int b);
/* a zeroed varlena of size bytes, its length word set (the Init* functions) */
extern void *vx_new_varlena(Size size);
extern void vx_check_element(float value);	/* finite */

/* the same checks and messages for another type name (halfvec) */
extern void vx_check_dim_of(const char *typname, int dim);
/* ... and for a type with another dimension limit (sparsevec) */
extern void vx_check_dim_limit(const char *typname, int dim, int maxdim);
extern void vx_check_element_of(const char *typname, float value);

/* pgvector's syntax ERROR for the literal lit of type typname */
pg_noreturn extern void vx_report_bad_literal(const char *typname, const char *lit,
											  const char *detail);

/* pgvector's ERROR for an element out of range, quoting its text */
pg_noreturn extern void vx_report_out_of_range(const char *typname,
											   const char *token, size_t len);

/* pgvector's ERROR for a failed vectorio.h status, naming type typname */
pg_noreturn extern void vx_report_io_error(const char *typname, VxIoStatus status,
										   const VxIoResult *res, const char *lit,
										   int32 typmod);

/*
 * avg state arrays (float8[] {n, sum_1 .. sum_dim}), shared by vector and
 * halfvec: check (elog naming caller when malformed), build, add.
 */
extern float8 *vx_check_state_array(ArrayType *statearray, const char *caller);
extern ArrayType *vx_make_state_array(float8 n, const float8 *sums, int dim);
extern void vx_add_to_sums(float8 *sums, const float8 *x, int dim);
extern float *vx_array_floats(ArrayType *array, int32 typmod,
							  const char *typname, int maxdim, int *n);
extern ArrayType *vx_avg_accum(FunctionCallInfo fcinfo, const float8 *x,
							   int newdim, const char *caller);
extern ArrayType *vx_avg_accum_floats(FunctionCallInfo fcinfo, const float *x,
									  int dim, const char *caller);
/* the mean of avg's state (argument 0) as palloc'd floats; NULL: no rows */
extern float *vx_avg_mean(FunctionCallInfo fcinfo, const char *typname,
						  const char *caller, int *dim);
extern ArrayType *vx_avg_combine(FunctionCallInfo fcinfo, const char *typname,
								 const char *caller);

/* btree order: element by element, then the shorter vector first */
extern int	vx_vector_cmp(const Vector *a, const Vector *b);

/*
 * The six comparison operators and btree support function 1 of a type,
 * as fmgr wrappers around NAME_cmp_args(fcinfo), which returns -1, 0 or 1
 * (vector.c, halfvec.c).
 */
#define VX_COMPARISON_FUNCTIONS(NAME) \
	VX_CMP_WRAPPER(NAME##_lt, PG_RETURN_BOOL, NAME##_cmp_args(fcinfo) < 0) \
	VX_CMP_WRAPPER(NAME##_le, PG_RETURN_BOOL, NAME##_cmp_args(fcinfo) <= 0) \
	VX_CMP_WRAPPER(NAME##_eq, PG_RETURN_BOOL, NAME##_cmp_args(fcinfo) == 0) \
	VX_CMP_WRAPPER(NAME##_ne, PG_RETURN_BOOL, NAME##_cmp_args(fcinfo) != 0) \
	VX_CMP_WRAPPER(NAME##_ge, PG_RETURN_BOOL, NAME##_cmp_args(fcinfo) >= 0) \
	VX_CMP_WRAPPER(NAME##_gt, PG_RETURN_BOOL, NAME##_cmp_args(fcinfo) > 0) \
	VX_CMP_WRAPPER(NAME##_cmp, PG_RETURN_INT32, NAME##_cmp_args(fcinfo))

#define VX_CMP_WRAPPER(FN, RET, EXPR) \
	PGDLLEXPORT PG_FUNCTION_INFO_V1(FN); \
	Datum FN(PG_FUNCTION_ARGS) { RET(EXPR); }

/*
 * Element-wise arithmetic of vector and halfvec (vector.c, halfvec.c): one
 * float operation per element pair, x op y.
 */
typedef enum VxArithOp
{
	VX_ARITH_ADD,
	VX_ARITH_SUB,
	VX_ARITH_MUL
} VxArithOp;

static inline float
vx_arith(VxArithOp op, float x, float y)
{
	return op == VX_ARITH_ADD ? x + y : op == VX_ARITH_SUB ? x - y : x * y;
}

/*
 * The errors of r = x op y (as float4 arithmetic): an infinite r is an
 * overflow, a zero product of two non-zero elements an underflow.
 */
extern void vx_check_arith(VxArithOp op, float r, float x, float y);

#endif							/* VECIDX_VECTOR_H */
