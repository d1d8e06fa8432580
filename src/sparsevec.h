/*-------------------------------------------------------------------------
 *
 * sparsevec.h
 *	  The sparsevec type: sparse single-precision vectors.  Byte-compatible
 *	  with pgvector's sparsevec: varlena header, int32 dim, int32 nnz, int32
 *	  unused (always zero), nnz int32 indices (0-based, strictly ascending),
 *	  then nnz float4 values (none of them zero, all finite).
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_SPARSEVEC_H
#define VECIDX_SPARSEVEC_H

#include "fmgr.h"

#include "sparsevecio.h"		/* SPARSEVEC_MAX_DIM, SPARSEVEC_MAX_NNZ */

typedef struct SparseVector
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int32		dim;			/* number of dimensions */
	int32		nnz;			/* number of stored (non-zero) elements */
	int32		unused;			/* reserved, always zero */
	int32		indices[FLEXIBLE_ARRAY_MEMBER];	/* then float values[nnz] */
} SparseVector;

/* nnz is at most SPARSEVEC_MAX_NNZ wherever a value is built: no overflow */
#define SPARSEVEC_SIZE(_nnz) \
	(offsetof(SparseVector, indices) + (sizeof(int32) + sizeof(float)) * (_nnz))
#define SPARSEVEC_VALUES(_v)	((float *) ((_v)->indices + (_v)->nnz))

#define DatumGetSparseVector(x)		((SparseVector *) PG_DETOAST_DATUM(x))
#define PG_GETARG_SPARSEVEC_P(x)	DatumGetSparseVector(PG_GETARG_DATUM(x))
#define PG_RETURN_SPARSEVEC_P(x)	PG_RETURN_POINTER(x)

extern SparseVector *InitSparseVector(int dim, int nnz);

/*
 * The distance kernels (sparsevec.c), pure: two lists of nnz ascending
 * indices and their values, the operators' own float arithmetic, in
 * pgvector's order of summation.  The hnsw SPARSE codec's codes are such
 * lists (src/hnsw/codec_sparse.c).
 */
typedef struct SparseList
{
	const int32 *indices;
	const float *values;
	int			nnz;
} SparseList;

extern float sparse_l2sq_l1(SparseList a, SparseList b, bool l1);
extern float sparse_dot(SparseList a, SparseList b);
extern float sparse_sumsq_float(SparseList a);
extern double sparse_cosine(SparseList a, SparseList b, float aa, float bb);

#endif							/* VECIDX_SPARSEVEC_H */
