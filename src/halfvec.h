/*-------------------------------------------------------------------------
 *
 * halfvec.h
 *	  The halfvec type: IEEE half-precision vectors.  Byte-compatible with
 *	  pgvector's halfvec (varlena header, int16 dim, int16 unused, dim
 *	  2-byte halves).
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_HALFVEC_H
#define VECIDX_HALFVEC_H

#include "fmgr.h"

#include "vectorio.h"			/* VECTOR_MAX_DIM */

/* the I/O cores check one bound for both types */
#define HALFVEC_MAX_DIM VECTOR_MAX_DIM

typedef struct HalfVector
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int16		dim;			/* number of dimensions */
	int16		unused;			/* reserved, always zero */
	uint16		x[FLEXIBLE_ARRAY_MEMBER];	/* half bit patterns (half.h) */
} HalfVector;

#define HALFVEC_SIZE(_dim)		(offsetof(HalfVector, x) + sizeof(uint16) * (_dim))
#define DatumGetHalfVector(x)	((HalfVector *) PG_DETOAST_DATUM(x))
#define PG_GETARG_HALFVEC_P(x)	DatumGetHalfVector(PG_GETARG_DATUM(x))
#define PG_RETURN_HALFVEC_P(x)	PG_RETURN_POINTER(x)

extern HalfVector *InitHalfVector(int dim);
extern uint16 vx_half_from_float_checked(float value);

#endif							/* VECIDX_HALFVEC_H */
