/*-------------------------------------------------------------------------
 *
 * sparsevecio.c
 *	  Pure cores of the sparsevec text I/O: literal parser and formatter.
 *
 * No PostgreSQL headers apart from common/shortest_dec.h (as vectorio.c),
 * no allocation, no error reporting: sparsevec.c turns every
 * VxSparseStatus into pgvector's error.  test/fuzz/fuzz_sparse_text runs
 * this under libFuzzer with AddressSanitizer and UBSan.
 *
 * Grammar (pgvector's): blanks, '{', zero or more elements i:v separated by
 * ',', '}', blanks, '/', the dimension, blanks; blanks (vx_isspace) may
 * surround every token.  An index or the dimension is what strtol reads in
 * base 10 (a sign allowed), an element value what strtof reads (read by
 * vx_strtof, floatparse.h); indices are 1-based.  The checks, in
 * pgvector's order: the number of elements (counted as commas + 1, before
 * anything is parsed), then syntax and each
 * value in reading order (finite; an overflow or an underflow to zero is
 * out of range), the dimension, the type modifier; then the non-zero
 * elements are sorted by index and checked one after the other: index in
 * range, not equal to the one before.  Zero values are dropped before the
 * index checks.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/shortest_dec.h"

#include "floatparse.h"
#include "sparsevecio.h"
#include "vectorio.h"

static inline const char *
skip_space(const char *pt)
{
	while (vx_isspace(*pt))
		pt++;
	return pt;
}

/*
 * vx_sparse_text_capacity: how many elements vx_sparse_parse_text may store
 * for lit: its commas + 1 (each element after the first follows a comma).
 * More than SPARSEVEC_MAX_NNZ is itself an error (VX_SPARSE_TOO_MANY_NNZ).
 */
int
vx_sparse_text_capacity(const char *lit)
{
	int			n = 1;

	for (const char *pt = lit; *pt != '\0'; pt++)
		n += *pt == ',';
	return n;
}

/*
 * read_int: strtol at pt, clamped into lo .. INT_MAX (an overflowing index
 * or dimension then fails the range check of the number it stands for);
 * NULL when there are no digits.
 */
static const char *
read_int(const char *pt, long lo, int32_t *out)
{
	char	   *end;
	long		value = strtol(pt, &end, 10);

	if (end == pt)
		return NULL;
	if (value > INT_MAX)
		value = INT_MAX;
	else if (value < lo)
		value = lo;
	*out = (int32_t) value;
	return end;
}

static int
compare_index(const void *a, const void *b)
{
	int32_t		ia = ((const VxSparseElement *) a)->index;
	int32_t		ib = ((const VxSparseElement *) b)->index;

	return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/*
 * parse_elements: the elements from the '{' at pt up to the closing '}';
 * returns the position after it, or NULL with *status set.  Each non-zero
 * element is appended to elems (0-based index).
 */
static const char *
parse_elements(const char *lit, const char *pt, VxSparseElement *elems,
			   VxSparseResult *res, VxSparseStatus *status)
{
	*status = VX_SPARSE_SYNTAX;
	pt = skip_space(pt + 1);
	if (*pt == '}')
		return pt + 1;

	for (;;)
	{
		int32_t		index;
		char	   *end;
		float		value;

		/* INT_MIN + 1: index - 1 below must not overflow */
		pt = read_int(skip_space(pt), (long) INT_MIN + 1, &index);
		if (pt == NULL)
			return NULL;
		pt = skip_space(pt);
		if (*pt != ':')
			return NULL;
		pt = skip_space(pt + 1);

		errno = 0;
		value = vx_strtof(pt, &end);
		if (end == pt)
			return NULL;
		if (errno == ERANGE && (value == 0 || isinf(value)))
		{
			res->token_start = pt - lit;
			res->token_len = end - pt;
			*status = VX_SPARSE_OUT_OF_RANGE;
			return NULL;
		}
		if (isnan(value) || isinf(value))
		{
			*status = isnan(value) ? VX_SPARSE_NAN : VX_SPARSE_INFINITE;
			return NULL;
		}
		if (value != 0)
		{
			elems[res->nnz].index = index - 1;
			elems[res->nnz].value = value;
			res->nnz++;
		}

		pt = skip_space(end);
		if (*pt == '}')
			return pt + 1;
		if (*pt != ',')
			return NULL;
		pt++;
	}
}

/*
 * vx_sparse_parse_text: parse the NUL-terminated literal lit into elems,
 * which must hold vx_sparse_text_capacity(lit) elements when that is at
 * most SPARSEVEC_MAX_NNZ (else nothing is stored).  typmod is -1 or the
 * declared dimension.  Returns the first error in pgvector's order; on
 * VX_SPARSE_OK elems[0 .. res->nnz) are the non-zero elements in ascending
 * index order and res->dim is the dimension.  res->token_* locate the value
 * of VX_SPARSE_OUT_OF_RANGE.  Uses and clobbers errno.
 */
VxSparseStatus
vx_sparse_parse_text(const char *lit, int32_t typmod, VxSparseElement *elems,
					 VxSparseResult *res)
{
	const char *pt;
	VxSparseStatus status;

	memset(res, 0, sizeof(*res));
	if (vx_sparse_text_capacity(lit) > SPARSEVEC_MAX_NNZ)
		return VX_SPARSE_TOO_MANY_NNZ;

	pt = skip_space(lit);
	if (*pt != '{')
		return VX_SPARSE_NO_LEFT_BRACE;
	pt = parse_elements(lit, pt, elems, res, &status);
	if (pt == NULL)
		return status;

	pt = skip_space(pt);
	if (*pt != '/')
		return VX_SPARSE_NO_SLASH;
	pt = read_int(skip_space(pt + 1), INT_MIN, &res->dim);
	if (pt == NULL)
		return VX_SPARSE_SYNTAX;
	if (*skip_space(pt) != '\0')
		return VX_SPARSE_JUNK;

	if (res->dim < 1)
		return VX_SPARSE_TOO_FEW_DIMS;
	if (res->dim > SPARSEVEC_MAX_DIM)
		return VX_SPARSE_TOO_MANY_DIMS;
	if (typmod != -1 && typmod != res->dim)
		return VX_SPARSE_TYPMOD_MISMATCH;

	qsort(elems, res->nnz, sizeof(VxSparseElement), compare_index);
	for (int i = 0; i < res->nnz; i++)
	{
		if (elems[i].index < 0 || elems[i].index >= res->dim)
			return VX_SPARSE_INDEX_OUT_OF_BOUNDS;
		if (i > 0 && elems[i].index == elems[i - 1].index)
			return VX_SPARSE_INDEX_DUPLICATE;
	}
	return VX_SPARSE_OK;
}

/* the decimal digits of value (with a '-' when negative) at buf */
static size_t
format_int32(int32_t value, char *buf)
{
	char		digits[10];
	int			n = 0;
	size_t		len = 0;
	uint32_t	u = value < 0 ? 0u - (uint32_t) value : (uint32_t) value;

	do
	{
		digits[n++] = (char) ('0' + u % 10);
		u /= 10;
	} while (u > 0);

	if (value < 0)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = digits[--n];
	return len;
}

/*
 * vx_sparse_format_text: write '{i:v,...}/dim' and a NUL into buf, which
 * must hold VX_SPARSE_TEXT_OUT_SIZE(nnz) bytes: 1-based indices, each value
 * in the shortest decimal form that reads back to the same float.  Returns
 * the length without the NUL.
 */
size_t
vx_sparse_format_text(const int32_t *indices, const float *values, int nnz,
					  int32_t dim, char *buf)
{
	char	   *ptr = buf;

	*ptr++ = '{';
	for (int i = 0; i < nnz; i++)
	{
		if (i > 0)
			*ptr++ = ',';
		ptr += format_int32(indices[i] + 1, ptr);
		*ptr++ = ':';
		ptr += float_to_shortest_decimal_bufn(values[i], ptr);
	}
	*ptr++ = '}';
	*ptr++ = '/';
	ptr += format_int32(dim, ptr);
	*ptr = '\0';
	return ptr - buf;
}
