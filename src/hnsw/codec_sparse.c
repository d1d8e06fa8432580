/*-------------------------------------------------------------------------
 *
 * codec_sparse.c
 *	  The SPARSE codec: sparse vectors (sparsevec_l2_ops, sparsevec_ip_ops,
 *	  sparsevec_cosine_ops, sparsevec_l1_ops) whose code in the graph is
 *	  the sparse vector itself.
 *
 * A code is int32 nnz, then nnz int32 indices (ascending), then nnz float4
 * values: 4 + 8 nnz bytes, the one code whose size varies from node to
 * node (vx_code_len).  No training and no residual: every distance the
 * graph computes is the operator's own sorted-index merge (the kernels of
 * sparsevec.c), so a scan returns each row's exact value and the executor
 * rechecks nothing.  Cosine codes keep the row's own values, not the
 * normalised ones, and aux keeps their float sum of squares, so that the
 * operator's value comes out bit for bit.  This file is the only part of
 * the index that knows the sparsevec type; the graph code calls it where
 * info->codec is VX_CODEC_SPARSE (README, "Codecs").
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"

#include "hnsw.h"
#include "sparsevec.h"

/* pgvector's limit on the non-zero elements of an indexed sparsevec */
#define VX_SPARSE_PGVECTOR_MAX_NNZ	1000

/*
 * Support function 3 of the sparsevec operator classes, as pgvector
 * declares them (hnsw_sparsevec_support(internal) returns internal): it
 * names the SPARSE codec (vx_index_codec recognises the function; a call
 * returns the codec's id).
 */
PGDLLEXPORT PG_FUNCTION_INFO_V1(hnsw_sparsevec_support);
Datum
hnsw_sparsevec_support(PG_FUNCTION_ARGS)
{
	static const uint8 codec = VX_CODEC_SPARSE;

	PG_RETURN_POINTER(&codec);
}

/*
 * The most non-zero elements an indexed row may have at this m: what one
 * level-0 node holds in a page (992 at m = 16), at most pgvector's 1000.
 */
int
vx_sparse_max_nnz(int m)
{
	Size		room = (VX_MAX_NODE_SIZE & ~((Size) MAXIMUM_ALIGNOF - 1)) -
		vx_code_offset(m, 0) - VX_SPARSE_CODE_SIZE(0);

	return Min((int) (room / (sizeof(int32) + sizeof(float))), VX_SPARSE_PGVECTOR_MAX_NNZ);
}

/* the largest code at this m: the capacity of a code buffer */
Size
vx_sparse_code_size(int m)
{
	return VX_SPARSE_CODE_SIZE(vx_sparse_max_nnz(m));
}

static inline SparseList
code_list(const char *code)
{
	SparseList	l;

	l.nnz = *(const int32 *) code;
	l.indices = (const int32 *) (code + sizeof(int32));
	l.values = (const float *) (l.indices + l.nnz);
	return l;
}

/* a sparse vector's code, written to out (room for VX_SPARSE_CODE_SIZE(nnz)) */
static void
write_code(const SparseVector *v, char *out)
{
	*(int32 *) out = v->nnz;
	memcpy(out + sizeof(int32), v->indices, sizeof(int32) * v->nnz);
	memcpy(out + sizeof(int32) * (1 + v->nnz), SPARSEVEC_VALUES(v), sizeof(float) * v->nnz);
}

/*
 * An indexed value as its code, into out (room for info->codesize bytes).
 * A row with more non-zero elements than a node holds is refused with
 * pgvector's message (never truncated); a row of another dimension cannot
 * come from a sparsevec(n) column, the check guards the graph.  Returns
 * false for a zero vector under cosine (not indexed, as for vector).
 */
bool
vx_sparse_prepare(const VxIndexInfo *info, Datum value, char *out)
{
	SparseVector *v = DatumGetSparseVector(value);
	int			maxnnz = vx_sparse_max_nnz(info->m);
	bool		indexed;

	if (v->dim != info->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d dimensions, not %d", info->dim, v->dim)));
	if (v->nnz > maxnnz && maxnnz < VX_SPARSE_PGVECTOR_MAX_NNZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsevec cannot have more than %d non-zero elements for hnsw index",
						maxnnz),
				 errdetail("A graph node with m = %d must fit in one %d-byte page.",
						   info->m, BLCKSZ)));
	if (v->nnz > maxnnz)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsevec cannot have more than %d non-zero elements for hnsw index",
						maxnnz)));
	indexed = v->nnz > 0 || info->metric != VX_METRIC_COSINE;
	write_code(v, out);
	if ((Pointer) v != DatumGetPointer(value))
		pfree(v);
	return indexed;
}

/*
 * A scan's query as a code, palloc'd (a query has no limit on its
 * non-zero elements).  A query of another dimension gets the operator's
 * message for the same pair (the indexed value's dimension first).
 */
char *
vx_sparse_query(const VxIndexInfo *info, Datum value)
{
	SparseVector *v = DatumGetSparseVector(value);
	char	   *code;

	if (v->dim != info->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different sparsevec dimensions %d and %d", info->dim, v->dim)));
	code = palloc(VX_SPARSE_CODE_SIZE(v->nnz));
	write_code(v, code);
	if ((Pointer) v != DatumGetPointer(value))
		pfree(v);
	return code;
}

/* a code's aux: its float sum of squares under cosine (the operator's), else 0 */
float
vx_sparse_aux(const VxIndexInfo *info, const char *code)
{
	return info->metric == VX_METRIC_COSINE ? sparse_sumsq_float(code_list(code)) : 0;
}

/* the code of a prepared value: the value, exact (no residual) */
void
vx_sparse_encode(const VxIndexInfo *info, const char *prepared, char *code, VxCodeInfo *ci)
{
	memcpy(code, prepared, vx_sparse_code_len(prepared));
	ci->resid_l1 = ci->resid_l2 = 0;
	ci->norm = 0;
	ci->offset_dot = vx_sparse_aux(info, code);
}

/*
 * The operator's value for a row's code and a query's (the row first, as
 * the operator has them): the same kernels, the same arithmetic.
 */
double
vx_sparse_exact(const VxIndexInfo *info, const char *row, const char *query)
{
	SparseList	a = code_list(row);
	SparseList	b = code_list(query);

	switch (info->metric)
	{
		case VX_METRIC_IP:
			return (double) -sparse_dot(a, b);
		case VX_METRIC_L1:
			return (double) sparse_l2sq_l1(a, b, true);
		case VX_METRIC_COSINE:
			return sparse_cosine(a, b, sparse_sumsq_float(a), sparse_sumsq_float(b));
		default:
			return sqrt((double) sparse_l2sq_l1(a, b, false));
	}
}

/*
 * The graph's distance (vx_distance, vx_code_distance), on the scale the
 * INT8 codec walks on: squared L2, the negative inner product, L1, and for
 * cosine 2 (1 - similarity), the squared distance of the unit vectors,
 * from the sums of squares in aux.  A similarity the float arithmetic
 * cannot give (a zero query, an overflow) counts as 0, so that the walk
 * never compares a NaN.
 */
float
vx_sparse_distance(const VxIndexInfo *info, const char *a, float aux_a,
				   const char *b, float aux_b)
{
	SparseList	x = code_list(a);
	SparseList	y = code_list(b);

	switch (info->metric)
	{
		case VX_METRIC_IP:
			return -sparse_dot(x, y);
		case VX_METRIC_L1:
			return sparse_l2sq_l1(x, y, true);
		case VX_METRIC_COSINE:
			{
				double		sim = sparse_dot(x, y) / sqrt((double) aux_a * (double) aux_b);

				if (isnan(sim))
					sim = 0;
				sim = Max(Min(sim, 1.0), -1.0);
				return (float) (2.0 * (1.0 - sim));
			}
		default:
			return sparse_l2sq_l1(x, y, false);
	}
}
