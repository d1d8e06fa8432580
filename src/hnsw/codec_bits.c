/*-------------------------------------------------------------------------
 *
 * codec_bits.c
 *	  The BITS codec: bit strings (bit_hamming_ops, bit_jaccard_ops) whose
 *	  code in the graph is the bit string itself.
 *
 * A code is ceil(dim / 8) bytes, the bytes of the varbit (its pad bits are
 * zero), with no training and no residual: every distance the graph
 * computes, code x code and query x code alike, is the operator's own,
 * from the popcount kernels of distance.h (as bitvec.c computes them), so
 * a scan returns each row's exact value and the executor rechecks nothing.
 * This file is the only part of the index that knows the bit type; the
 * graph code calls it where info->codec is VX_CODEC_BITS (README, "Codecs").
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/varbit.h"

#include "distance.h"
#include "hnsw.h"

/*
 * Support function 3 of the bit operator classes, as pgvector declares
 * them (hnsw_bit_support(internal) returns internal): it names the BITS
 * codec.  The index recognises the function itself (vx_index_codec); a
 * call returns the codec's id.
 */
PGDLLEXPORT PG_FUNCTION_INFO_V1(hnsw_bit_support);
Datum
hnsw_bit_support(PG_FUNCTION_ARGS)
{
	static const uint8 codec = VX_CODEC_BITS;

	PG_RETURN_POINTER(&codec);
}

/* bytes of a code of dim bits */
Size
vx_bits_code_size(int dim)
{
	return (Size) (dim + 7) / 8;
}

/*
 * Refuse a varbit column, as pgvector does: the graph needs one length for
 * every row (an expression index on val::bit(n) is the way to index one).
 */
void
vx_bits_check_column(Relation index)
{
	if (TupleDescAttr(RelationGetDescr(index), 0)->atttypid == VARBITOID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("type not supported for hnsw index")));
}

/*
 * The bits of an indexed value or (query) of a scan's query into out (room
 * for the code): the code itself.  A bit(n) column holds n bits in every
 * row, so the check guards the graph against anything else; a query of
 * another length gets the message the operator raises for the same pair
 * (the indexed value's length first).
 */
void
vx_bits_prepare(const VxIndexInfo *info, Datum value, char *out, bool query)
{
	VarBit	   *v = DatumGetVarBitP(value);

	if (VARBITLEN(v) != info->dim && query)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different bit lengths %u and %u",
						(unsigned) info->dim, (unsigned) VARBITLEN(v))));
	if (VARBITLEN(v) != info->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d dimensions, not %d", info->dim, VARBITLEN(v))));
	memcpy(out, VARBITS(v), info->codesize);
	if ((Pointer) v != DatumGetPointer(value))
		pfree(v);
}

/* the code of prepared bits: the bits, exact (no residual, no aux) */
void
vx_bits_encode(const VxIndexInfo *info, const char *bits, char *code, VxCodeInfo *ci)
{
	memcpy(code, bits, info->codesize);
	ci->resid_l1 = ci->resid_l2 = 0;
	ci->norm = 0;
	ci->offset_dot = 0;
}

/*
 * The operator's value for two codes: hamming_distance or jaccard_distance
 * (bitvec.c), the same kernels, the same double arithmetic.
 */
double
vx_bits_exact(const VxIndexInfo *info, const char *a, const char *b)
{
	const uint8 *x = (const uint8 *) a;
	const uint8 *y = (const uint8 *) b;
	int			n = (int) info->codesize;
	uint64		ab;
	uint64		aa;
	uint64		bb;

	if (info->metric == VX_METRIC_HAMMING)
		return (double) vx_kern->hamming_u8(x, y, n);
	vx_kern->jaccard_u8(x, y, n, &ab, &aa, &bb);
	if (ab == 0)
		return 1.0;
	return 1.0 - (double) ab / (double) (aa + bb - ab);
}

/* the graph's distance (vx_distance, vx_code_distance): the same, as float */
float
vx_bits_distance(const VxIndexInfo *info, const char *a, const char *b)
{
	return (float) vx_bits_exact(info, a, b);
}
