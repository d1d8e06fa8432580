/*-------------------------------------------------------------------------
 *
 * vectorio.h
 *	  Pure cores of the vector and halfvec input functions: the text literal
 *	  parser, the binary wire-format reader, the type-modifier range check
 *	  and the text formatter.
 *
 * Like the distance kernels these are pure: plain arrays and lengths in, a
 * status code out; no palloc, no ereport, no fmgr.  This header compiles
 * without PostgreSQL headers, so the fuzz harnesses in test/fuzz link the
 * very same code the server runs.  vector.c calls these functions and turns
 * every status into the ereport pgvector raises for the same input
 * (vx_report_io_error there); the statuses come back in the order the
 * checks are made, so the first error a literal contains is the one
 * reported.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_VECTORIO_H
#define VECIDX_VECTORIO_H

#include <stddef.h>
#include <stdint.h>

#define VECTOR_MAX_DIM 16000

/* the whitespace array_in accepts (isspace() in the C locale) */
static inline int
vx_isspace(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
		ch == '\v' || ch == '\f';
}

/* bytes vx_vector_format_text needs for dim elements, terminator included */
#define VX_TEXT_OUT_SIZE(dim) \
	((size_t) 16 * ((dim) > 1 ? (size_t) (dim) : 1) + 3)

typedef enum VxIoStatus
{
	VX_IO_OK = 0,
	VX_IO_NO_LEFT_BRACKET,		/* text: does not start with '[' */
	VX_IO_SYNTAX,				/* text: bad element or separator */
	VX_IO_JUNK,					/* text: more than blanks after ']' */
	VX_IO_OUT_OF_RANGE,			/* text: an element overflows float */
	VX_IO_NAN,					/* an element is NaN */
	VX_IO_INFINITE,				/* an element is infinite */
	VX_IO_TOO_FEW_DIMS,			/* dim < 1 ("[]", binary dim <= 0) */
	VX_IO_TOO_MANY_DIMS,		/* dim > VECTOR_MAX_DIM */
	VX_IO_TYPMOD_MISMATCH,		/* typmod set and != dim */
	VX_IO_UNUSED_NOT_ZERO,		/* binary: header's unused field != 0 */
	VX_IO_SHORT,				/* binary: input ends before the data it
								 * announces */
	VX_IO_TYPMOD_NOT_ONE,		/* typmod: not exactly one modifier */
	VX_IO_TYPMOD_TOO_SMALL,		/* typmod: n < 1 */
	VX_IO_TYPMOD_TOO_LARGE		/* typmod: n > VECTOR_MAX_DIM */
} VxIoStatus;

/* what a parse found, valid as far as the returned status says */
typedef struct VxIoResult
{
	int			dim;			/* elements (text) or header dimension
								 * (binary); VECTOR_MAX_DIM + 1 for text
								 * VX_IO_TOO_MANY_DIMS */
	int			unused;			/* binary: the header's unused field */
	size_t		consumed;		/* binary: bytes read on VX_IO_OK */
	size_t		token_start;	/* text VX_IO_OUT_OF_RANGE: the element's */
	size_t		token_len;		/* offset and length in the literal */
} VxIoResult;

extern int	vx_vector_text_capacity(const char *lit);
extern VxIoStatus vx_vector_parse_text(const char *lit, int32_t typmod,
									   float *x, VxIoResult *res);
extern VxIoStatus vx_vector_recv_header(const uint8_t *data, size_t len,
										int32_t typmod, VxIoResult *res);
extern VxIoStatus vx_vector_recv_elements(const uint8_t *data, size_t len,
										  int dim, float *x, VxIoResult *res);
extern VxIoStatus vx_parse_text_bounded(const char *lit, int32_t typmod,
										float overflow, float *x,
										VxIoResult *res);
extern VxIoStatus vx_halfvec_recv_elements(const uint8_t *data, size_t len,
										   int dim, uint16_t *x,
										   VxIoResult *res);
extern VxIoStatus vx_vector_typmod_check(int n, const int32_t *mods);
extern size_t vx_vector_format_text(const float *x, int dim, char *buf);

#endif							/* VECIDX_VECTORIO_H */
