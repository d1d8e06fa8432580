/*-------------------------------------------------------------------------
 *
 * bitvec.c
 *	  Distances between bit strings (PostgreSQL's bit and varbit):
 *	  hamming_distance (<~>) and jaccard_distance (<%>), as pgvector 0.8.
 *
 * The set bits are counted by the kernel table's popcount kernels
 * (distance.h).  varbit keeps the pad bits of the last byte zero, so whole
 * bytes are counted.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "compat.h"

#include "fmgr.h"
#include "utils/varbit.h"

#include "distance.h"

#define VX_FUNCTION(name)	PGDLLEXPORT PG_FUNCTION_INFO_V1(name)

static void
check_lengths_match(const VarBit *a, const VarBit *b)
{
	if (VARBITLEN(a) != VARBITLEN(b))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different bit lengths %u and %u",
						(unsigned) VARBITLEN(a), (unsigned) VARBITLEN(b))));
}

/* hamming_distance(bit, bit): the number of positions that differ */
VX_FUNCTION(hamming_distance);
Datum
hamming_distance(PG_FUNCTION_ARGS)
{
	VarBit	   *a = PG_GETARG_VARBIT_P(0);
	VarBit	   *b = PG_GETARG_VARBIT_P(1);

	check_lengths_match(a, b);
	PG_RETURN_FLOAT8((double) vx_kern->hamming_u8(VARBITS(a), VARBITS(b),
												  VARBITBYTES(a)));
}

/*
 * jaccard_distance(bit, bit): 1 - |a and b| / |a or b|; 1 when the two have
 * no set bit in common (including two empty or all-zero strings).
 */
VX_FUNCTION(jaccard_distance);
Datum
jaccard_distance(PG_FUNCTION_ARGS)
{
	VarBit	   *a = PG_GETARG_VARBIT_P(0);
	VarBit	   *b = PG_GETARG_VARBIT_P(1);
	uint64		ab;
	uint64		aa;
	uint64		bb;

	check_lengths_match(a, b);
	vx_kern->jaccard_u8(VARBITS(a), VARBITS(b), VARBITBYTES(a), &ab, &aa, &bb);
	if (ab == 0)
		PG_RETURN_FLOAT8(1.0);
	PG_RETURN_FLOAT8(1.0 - (double) ab / (double) (aa + bb - ab));
}
