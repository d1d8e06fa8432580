/*-------------------------------------------------------------------------
 *
 * sparsevecio.h
 *	  Pure cores of the sparsevec text I/O: the literal parser (with all of
 *	  sparsevec_in's checks, in pgvector's order) and the text formatter.
 *
 * Like vectorio.h: plain arrays in, a status code out; no palloc, no
 * ereport, no fmgr, no PostgreSQL headers, so test/fuzz links the very code
 * the server runs.  sparsevec.c turns each status into pgvector's error.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_SPARSEVECIO_H
#define VECIDX_SPARSEVECIO_H

#include <stddef.h>
#include <stdint.h>

#define SPARSEVEC_MAX_DIM 1000000000
#define SPARSEVEC_MAX_NNZ 16000

/* bytes vx_sparse_format_text needs for nnz elements, terminator included */
#define VX_SPARSE_TEXT_OUT_SIZE(nnz) ((size_t) 29 * (size_t) (nnz) + 15)

/* one parsed element: 0-based index and value */
typedef struct VxSparseElement
{
	int32_t		index;
	float		value;
} VxSparseElement;

typedef enum VxSparseStatus
{
	VX_SPARSE_OK = 0,
	VX_SPARSE_TOO_MANY_NNZ,		/* more than SPARSEVEC_MAX_NNZ elements
								 * (commas + 1), zero or not */
	VX_SPARSE_NO_LEFT_BRACE,	/* does not start with '{' */
	VX_SPARSE_SYNTAX,			/* bad index, value, separator or dimension */
	VX_SPARSE_OUT_OF_RANGE,		/* a value overflows or underflows float */
	VX_SPARSE_NAN,				/* a value is NaN */
	VX_SPARSE_INFINITE,			/* a value is infinite */
	VX_SPARSE_NO_SLASH,			/* no '/' after the closing '}' */
	VX_SPARSE_JUNK,				/* more than blanks after the dimension */
	VX_SPARSE_TOO_FEW_DIMS,		/* dimension < 1 */
	VX_SPARSE_TOO_MANY_DIMS,	/* dimension > SPARSEVEC_MAX_DIM */
	VX_SPARSE_TYPMOD_MISMATCH,	/* typmod set and != dimension */
	VX_SPARSE_INDEX_OUT_OF_BOUNDS,	/* a non-zero element's index outside
									 * 1 .. dimension */
	VX_SPARSE_INDEX_DUPLICATE	/* two non-zero elements at one index */
} VxSparseStatus;

/* what a parse found, valid as far as the returned status says */
typedef struct VxSparseResult
{
	int32_t		dim;			/* the dimension (clamped to int32) */
	int			nnz;			/* non-zero elements stored */
	size_t		token_start;	/* VX_SPARSE_OUT_OF_RANGE: the value's */
	size_t		token_len;		/* offset and length in the literal */
} VxSparseResult;

extern int	vx_sparse_text_capacity(const char *lit);
extern VxSparseStatus vx_sparse_parse_text(const char *lit, int32_t typmod,
										   VxSparseElement *elems,
										   VxSparseResult *res);
extern size_t vx_sparse_format_text(const int32_t *indices, const float *values,
									int nnz, int32_t dim, char *buf);

#endif							/* VECIDX_SPARSEVECIO_H */
