/*-------------------------------------------------------------------------
 *
 * vectorio.c
 *	  Pure cores of the vector and halfvec types' I/O: text literal parser,
 *	  binary wire-format readers, type-modifier check, text formatter.
 *
 * No PostgreSQL headers apart from common/shortest_dec.h (the formatter of
 * libpgcommon, which the server exports and the fuzz harnesses link
 * statically), no allocation, no error reporting: vector.c turns every
 * VxIoStatus into pgvector's error.  test/fuzz/ runs these under libFuzzer
 * with AddressSanitizer and UBSan.
 *
 * Text grammar (pgvector's): blanks, '[', one or more elements separated by
 * ',', ']', blanks; blanks are the six characters array_in accepts and may
 * surround every token.  An element is what strtof() reads (decimal, hex,
 * "inf", "nan": PostgreSQL runs with LC_NUMERIC=C; read by vx_strtof,
 * floatparse.h: strtof's result, faster); it must be finite, and
 * an element that overflows float is an out-of-range error of its own.
 * Underflow to zero or a subnormal is accepted, as pgvector does.
 *
 * Wire format (network byte order): int16 dim, int16 unused (must be 0),
 * dim float4 values (vector) or dim 2-byte IEEE halves (halfvec).  Surplus bytes after the values are the caller's
 * business (COPY and bind report them).
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/shortest_dec.h"

#include "floatparse.h"
#include "half.h"
#include "vectorio.h"

_Static_assert(FLOAT_SHORTEST_DECIMAL_LEN == 16,
			   "VX_TEXT_OUT_SIZE assumes FLOAT_SHORTEST_DECIMAL_LEN is 16");

static inline const char *
skip_space(const char *pt)
{
	while (vx_isspace(*pt))
		pt++;
	return pt;
}

/* NaN and infinity checks shared by the text and binary readers */
static inline VxIoStatus
check_finite(float value)
{
	if (isnan(value))
		return VX_IO_NAN;
	if (isinf(value))
		return VX_IO_INFINITE;
	return VX_IO_OK;
}

/*
 * vx_vector_text_capacity: how many floats vx_vector_parse_text may store
 * for this literal: one more than its commas (every element after the
 * first follows a comma), at most VECTOR_MAX_DIM.  On VX_IO_OK the parsed
 * dimension equals it exactly (a comma outside the brackets is an error).
 */
int
vx_vector_text_capacity(const char *lit)
{
	int			n = 1;

	for (const char *pt = lit; *pt != '\0' && n < VECTOR_MAX_DIM; pt++)
	{
		if (*pt == ',')
			n++;
	}
	return n;
}

/*
 * vx_vector_parse_text: parse the NUL-terminated literal lit into x, which
 * must hold vx_vector_text_capacity(lit) floats.  typmod is -1 or the
 * declared dimension.  Returns the first error in reading order; on
 * VX_IO_OK res->dim holds the dimension.  res->token_* locate the element
 * of VX_IO_OUT_OF_RANGE; res->dim is the dimension for
 * VX_IO_TYPMOD_MISMATCH.  Uses and clobbers errno.
 */
VxIoStatus
vx_vector_parse_text(const char *lit, int32_t typmod, float *x,
					 VxIoResult *res)
{
	return vx_parse_text_bounded(lit, typmod, INFINITY, x, res);
}

/*
 * vx_parse_text_bounded: vx_vector_parse_text for a type whose elements are
 * stored narrower than float: a finite element of magnitude >= overflow
 * (which the narrower type would round to infinity) is VX_IO_OUT_OF_RANGE
 * like one that overflows float; INFINITY means no such limit.  halfvec
 * passes VX_HALF_OVERFLOW and narrows the floats itself, exactly.
 */
VxIoStatus
vx_parse_text_bounded(const char *lit, int32_t typmod, float overflow,
					  float *x, VxIoResult *res)
{
	const char *pt = skip_space(lit);
	int			dim = 0;

	memset(res, 0, sizeof(*res));

	if (*pt != '[')
		return VX_IO_NO_LEFT_BRACKET;

	pt = skip_space(pt + 1);
	if (*pt == ']')
		return VX_IO_TOO_FEW_DIMS;

	for (;;)
	{
		char	   *end;
		float		val;
		VxIoStatus	status;

		if (dim == VECTOR_MAX_DIM)
		{
			res->dim = VECTOR_MAX_DIM + 1;
			return VX_IO_TOO_MANY_DIMS;
		}

		pt = skip_space(pt);
		if (*pt == '\0')
			return VX_IO_SYNTAX;

		errno = 0;
		val = vx_strtof(pt, &end);
		if (end == pt)
			return VX_IO_SYNTAX;

		if ((errno == ERANGE && isinf(val)) ||
			(!isinf(val) && fabsf(val) >= overflow))
		{
			res->token_start = pt - lit;
			res->token_len = end - pt;
			return VX_IO_OUT_OF_RANGE;
		}

		status = check_finite(val);
		if (status != VX_IO_OK)
			return status;

		x[dim++] = val;
		pt = skip_space(end);

		if (*pt == ']')
			break;
		if (*pt != ',')
			return VX_IO_SYNTAX;
		pt++;
	}

	pt = skip_space(pt + 1);
	if (*pt != '\0')
		return VX_IO_JUNK;

	res->dim = dim;
	if (typmod != -1 && typmod != dim)
		return VX_IO_TYPMOD_MISMATCH;
	return VX_IO_OK;
}

/* big-endian 16- and 32-bit loads, as pq_getmsgint reads them */
static inline uint16_t
load_be16(const uint8_t *p)
{
	return (uint16_t) ((p[0] << 8) | p[1]);
}

static inline uint32_t
load_be32(const uint8_t *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
		((uint32_t) p[2] << 8) | (uint32_t) p[3];
}

/*
 * vx_vector_recv_header: read and check the 4-byte header of the len bytes
 * at data.  Sets res->dim and res->unused; the checks are made in
 * pgvector's order (both fields must be present, then dim, typmod, unused).
 */
VxIoStatus
vx_vector_recv_header(const uint8_t *data, size_t len, int32_t typmod,
					  VxIoResult *res)
{
	memset(res, 0, sizeof(*res));

	if (len < 4)
		return VX_IO_SHORT;

	res->dim = (int16_t) load_be16(data);
	res->unused = (int16_t) load_be16(data + 2);

	if (res->dim < 1)
		return VX_IO_TOO_FEW_DIMS;
	if (res->dim > VECTOR_MAX_DIM)
		return VX_IO_TOO_MANY_DIMS;
	if (typmod != -1 && typmod != res->dim)
		return VX_IO_TYPMOD_MISMATCH;
	if (res->unused != 0)
		return VX_IO_UNUSED_NOT_ZERO;
	return VX_IO_OK;
}

/*
 * vx_vector_recv_elements: read the dim float4 values after a header that
 * vx_vector_recv_header accepted into x (dim floats).  Each value must be
 * present and finite, checked one after the other; on VX_IO_OK
 * res->consumed is the number of bytes read, header included.  The other
 * fields of res are left as they are.
 */
VxIoStatus
vx_vector_recv_elements(const uint8_t *data, size_t len, int dim, float *x,
						VxIoResult *res)
{
	size_t		off = 4;

	for (int i = 0; i < dim; i++)
	{
		uint32_t	bits;
		VxIoStatus	status;

		if (len - off < 4)
			return VX_IO_SHORT;
		bits = load_be32(data + off);
		memcpy(&x[i], &bits, sizeof(float));
		off += 4;

		status = check_finite(x[i]);
		if (status != VX_IO_OK)
			return status;
	}

	res->consumed = off;
	return VX_IO_OK;
}

/*
 * vx_halfvec_recv_elements: vx_vector_recv_elements for halfvec, whose
 * wire format has dim 2-byte halves (network byte order) after the same
 * header; x receives dim half bit patterns.
 */
VxIoStatus
vx_halfvec_recv_elements(const uint8_t *data, size_t len, int dim,
						 uint16_t *x, VxIoResult *res)
{
	size_t		off = 4;

	for (int i = 0; i < dim; i++)
	{
		if (len - off < 2)
			return VX_IO_SHORT;
		x[i] = load_be16(data + off);
		off += 2;

		if (vx_half_is_nan(x[i]))
			return VX_IO_NAN;
		if (vx_half_is_inf(x[i]))
			return VX_IO_INFINITE;
	}

	res->consumed = off;
	return VX_IO_OK;
}

/*
 * vx_vector_typmod_check: the n integer modifiers of vector(...) (already
 * parsed by ArrayGetIntegerTypmods) must be one value in
 * 1 .. VECTOR_MAX_DIM.
 */
VxIoStatus
vx_vector_typmod_check(int n, const int32_t *mods)
{
	if (n != 1)
		return VX_IO_TYPMOD_NOT_ONE;
	if (mods[0] < 1)
		return VX_IO_TYPMOD_TOO_SMALL;
	if (mods[0] > VECTOR_MAX_DIM)
		return VX_IO_TYPMOD_TOO_LARGE;
	return VX_IO_OK;
}

/*
 * vx_vector_format_text: write '[e1,e2,...]' and a NUL into buf, which must
 * hold VX_TEXT_OUT_SIZE(dim) bytes; each element in the shortest decimal
 * form that reads back to the same float (independent of
 * extra_float_digits, as in pgvector).  Returns the length without the NUL.
 */
size_t
vx_vector_format_text(const float *x, int dim, char *buf)
{
	char	   *ptr = buf;

	*ptr++ = '[';
	for (int i = 0; i < dim; i++)
	{
		if (i > 0)
			*ptr++ = ',';
		ptr += float_to_shortest_decimal_bufn(x[i], ptr);
	}
	*ptr++ = ']';
	*ptr = '\0';
	return ptr - buf;
}
