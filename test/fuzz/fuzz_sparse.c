/*-------------------------------------------------------------------------
 *
 * fuzz_sparse.c
 *	  libFuzzer target: the text input of the sparsevec type
 *	  (vx_sparse_parse_text, what sparsevec_in runs) and its formatter.
 *
 * The input bytes up to the first NUL are the literal.  Beyond "no crash,
 * no sanitizer report" every input checks:
 *	- the parser stores no more than vx_sparse_text_capacity() elements
 *	  (the array is malloc'd with exactly that size, so ASan catches an
 *	  overrun), and none when that capacity is over SPARSEVEC_MAX_NNZ;
 *	- a reference parser written differently (cut at the first '}', split
 *	  on ',' and ':', trim, strtol / strtof each token whole, then sort)
 *	  accepts exactly the same literals and gives the same elements;
 *	- an accepted vector has ascending in-range indices and finite non-zero
 *	  values, its text form parses back to the same bits and formats to
 *	  the same text, and its own dimension is accepted as typmod, one more
 *	  is not;
 *	- a rejection for too many elements happens exactly when there are
 *	  more than SPARSEVEC_MAX_NNZ, and an out-of-range token is a piece of
 *	  the literal that strtof overflows or underflows to zero on.
 * LLVMFuzzerInitialize checks the element and dimension limits once on
 * literals that random inputs rarely reach.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <errno.h>

#include "fuzz_common.h"
#include "sparsevecio.h"

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a malloc'd copy of [a, b) without the blanks at either end */
static char *
trimmed(const char *a, const char *b)
{
	char	   *s;

	while (a < b && ref_isspace(*a))
		a++;
	while (b > a && ref_isspace(b[-1]))
		b--;
	s = vx_fuzz_alloc(b - a + 1);
	memcpy(s, a, b - a);
	s[b - a] = '\0';
	return s;
}

/* 1 when the whole of [a, b), trimmed, is a decimal integer (*out) */
static int
ref_long(const char *a, const char *b, long *out)
{
	char	   *tok = trimmed(a, b);
	char	   *end;
	int			ok;

	*out = strtol(tok, &end, 10);
	ok = end != tok && *end == '\0';
	free(tok);
	return ok;
}

/* 1 when the whole of [a, b), trimmed, is an acceptable value (*out) */
static int
ref_value(const char *a, const char *b, float *out)
{
	char	   *tok = trimmed(a, b);
	char	   *end;
	int			ok;

	errno = 0;
	*out = strtof(tok, &end);
	ok = end != tok && *end == '\0' && isfinite(*out) &&
		!(errno == ERANGE && *out == 0);
	free(tok);
	return ok;
}

static int
ref_compare(const void *a, const void *b)
{
	long		ia = ((const VxSparseElement *) a)->index;
	long		ib = ((const VxSparseElement *) b)->index;

	return (ia > ib) - (ia < ib);
}

/*
 * ref_parse: the reference.  Returns 1 and fills *out (malloc'd, sorted,
 * 0-based), *nnz and *dim when lit is a valid sparsevec literal, else 0.
 */
static int
ref_parse(const char *lit, VxSparseElement **out, int *nnz, long *dim)
{
	const char *p;
	const char *close;
	const char *q;
	int			commas = 0;
	int			n = 0;
	VxSparseElement *x;

	for (q = lit; *q; q++)
		commas += *q == ',';
	if (commas + 1 > SPARSEVEC_MAX_NNZ)
		return 0;

	p = ref_enclosed(lit, '{', '}', &close);
	if (p == NULL)
		return 0;
	q = close + 1;
	while (ref_isspace(*q))
		q++;
	if (*q != '/' || !ref_long(q + 1, q + strlen(q), dim) ||
		*dim < 1 || *dim > SPARSEVEC_MAX_DIM)
		return 0;

	x = vx_fuzz_alloc(sizeof(VxSparseElement) * (size_t) (commas + 1));
	while (p < close && ref_isspace(*p))
		p++;
	while (p < close)
	{
		const char *comma = memchr(p, ',', close - p);
		const char *pend = comma ? comma : close;
		const char *colon = memchr(p, ':', pend - p);
		long		index;
		float		value;

		if (colon == NULL || !ref_long(p, colon, &index) ||
			!ref_value(colon + 1, pend, &value))
		{
			free(x);
			return 0;
		}
		if (value != 0)
		{
			if (index < 1 || index > *dim)
			{
				free(x);
				return 0;
			}
			x[n].index = (int32_t) (index - 1);
			x[n++].value = value;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
		if (p == close)			/* a trailing comma */
		{
			free(x);
			return 0;
		}
	}

	qsort(x, n, sizeof(VxSparseElement), ref_compare);
	for (int i = 1; i < n; i++)
	{
		if (x[i].index == x[i - 1].index)
		{
			free(x);
			return 0;
		}
	}
	*out = x;
	*nnz = n;
	return 1;
}

static int
same_elements(const VxSparseElement *a, const VxSparseElement *b, int n)
{
	for (int i = 0; i < n; i++)
	{
		if (a[i].index != b[i].index ||
			memcmp(&a[i].value, &b[i].value, sizeof(float)) != 0)
			return 0;
	}
	return 1;
}

/*
 * the properties of an accepted literal's elements: valid, and the text
 * form reads back to them
 */
static void
check_accepted(const VxSparseElement *e, int nnz, int32_t dim)
{
	int32_t    *indices = vx_fuzz_alloc(sizeof(int32_t) * (size_t) nnz);
	float	   *values = vx_fuzz_alloc(sizeof(float) * (size_t) nnz);
	size_t		size = VX_SPARSE_TEXT_OUT_SIZE(nnz);
	char	   *text = vx_fuzz_alloc(size);
	char	   *text2 = vx_fuzz_alloc(size);
	VxSparseElement *back;
	VxSparseResult res;
	VxSparseStatus status;
	size_t		len;
	int			cap;

	VX_FUZZ_CHECK(dim >= 1 && dim <= SPARSEVEC_MAX_DIM && nnz <= SPARSEVEC_MAX_NNZ,
				  "dim %d nnz %d", dim, nnz);
	for (int i = 0; i < nnz; i++)
	{
		VX_FUZZ_CHECK(e[i].index >= 0 && e[i].index < dim &&
					  (i == 0 || e[i].index > e[i - 1].index),
					  "index %d at %d", e[i].index, i);
		VX_FUZZ_CHECK(isfinite(e[i].value) && e[i].value != 0,
					  "value %g at %d", (double) e[i].value, i);
		indices[i] = e[i].index;
		values[i] = e[i].value;
	}

	len = vx_sparse_format_text(indices, values, nnz, dim, text);
	VX_FUZZ_CHECK(len < size && text[len] == '\0' && strlen(text) == len,
				  "format wrote %zu bytes into %zu", len, size);

	cap = vx_sparse_text_capacity(text);
	VX_FUZZ_CHECK(cap == (nnz > 0 ? nnz : 1), "capacity %d of nnz %d", cap, nnz);
	back = vx_fuzz_alloc(sizeof(VxSparseElement) * (size_t) cap);
	status = vx_sparse_parse_text(text, -1, back, &res);
	VX_FUZZ_CHECK(status == VX_SPARSE_OK && res.dim == dim && res.nnz == nnz &&
				  same_elements(e, back, nnz),
				  "output \"%.200s\" reparsed with status %d", text, (int) status);

	for (int i = 0; i < nnz; i++)
		values[i] = back[i].value;
	vx_sparse_format_text(indices, values, nnz, dim, text2);
	VX_FUZZ_CHECK(strcmp(text, text2) == 0, "\"%.200s\" vs \"%.200s\"", text, text2);

	status = vx_sparse_parse_text(text, dim, back, &res);
	VX_FUZZ_CHECK(status == VX_SPARSE_OK, "typmod %d rejected: %d", dim, (int) status);
	status = vx_sparse_parse_text(text, dim + 1, back, &res);
	VX_FUZZ_CHECK(status == VX_SPARSE_TYPMOD_MISMATCH, "typmod %d: status %d",
				  dim + 1, (int) status);

	free(indices);
	free(values);
	free(text);
	free(text2);
	free(back);
}

/* the properties of a rejected literal that can be checked cheaply */
static void
check_rejected(const char *lit, VxSparseStatus status, const VxSparseResult *res)
{
	if (status == VX_SPARSE_OUT_OF_RANGE)
	{
		size_t		litlen = strlen(lit);
		char	   *tok;
		char	   *end;
		float		v;

		VX_FUZZ_CHECK(res->token_len > 0 && res->token_start + res->token_len <= litlen,
					  "token %zu+%zu of %zu", res->token_start, res->token_len, litlen);
		tok = vx_fuzz_alloc(res->token_len + 1);
		memcpy(tok, lit + res->token_start, res->token_len);
		tok[res->token_len] = '\0';
		errno = 0;
		v = strtof(tok, &end);
		VX_FUZZ_CHECK(*end == '\0' && errno == ERANGE && (v == 0 || isinf(v)),
					  "token \"%s\" is not out of range", tok);
		free(tok);
	}
	VX_FUZZ_CHECK(status > VX_SPARSE_OK && status <= VX_SPARSE_INDEX_DUPLICATE,
				  "status %d", (int) status);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *lit = vx_fuzz_cstring(data, size);
	VxSparseElement *e;
	VxSparseElement *re = NULL;
	int			cap;
	int			rnnz = 0;
	long		rdim = 0;
	int			ref_ok;
	VxSparseResult res;
	VxSparseStatus status;

	cap = vx_sparse_text_capacity(lit);
	e = vx_fuzz_alloc(sizeof(VxSparseElement) *
					  (size_t) (cap <= SPARSEVEC_MAX_NNZ ? cap : 0));
	status = vx_sparse_parse_text(lit, -1, e, &res);
	VX_FUZZ_CHECK((status == VX_SPARSE_TOO_MANY_NNZ) == (cap > SPARSEVEC_MAX_NNZ),
				  "capacity %d, status %d", cap, (int) status);
	VX_FUZZ_CHECK(res.nnz <= cap, "stored %d of capacity %d", res.nnz, cap);

	ref_ok = ref_parse(lit, &re, &rnnz, &rdim);
	VX_FUZZ_CHECK(ref_ok == (status == VX_SPARSE_OK),
				  "\"%.200s\": parser status %d, reference %s", lit,
				  (int) status, ref_ok ? "accepts" : "rejects");
	if (status == VX_SPARSE_OK)
	{
		VX_FUZZ_CHECK(rdim == res.dim && rnnz == res.nnz && same_elements(e, re, rnnz),
					  "\"%.200s\": reference elements differ", lit);
		check_accepted(e, res.nnz, res.dim);
	}
	else
		check_rejected(lit, status, &res);

	free(re);
	free(e);
	free(lit);
	return 0;
}

/* "{1:v,2:v,...,n:v}/dim" */
static char *
make_literal(int n, const char *value, long dim)
{
	char	   *s = vx_fuzz_alloc((size_t) n * (12 + strlen(value)) + 32);
	char	   *p = s;

	*p++ = '{';
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s%d:%s", i > 0 ? "," : "", i + 1, value);
	sprintf(p, "}/%ld", dim);
	return s;
}

static VxSparseStatus
parse_once(const char *lit, VxSparseResult *res, VxSparseElement **e)
{
	int			cap = vx_sparse_text_capacity(lit);

	*e = vx_fuzz_alloc(sizeof(VxSparseElement) *
					   (size_t) (cap <= SPARSEVEC_MAX_NNZ ? cap : 0));
	return vx_sparse_parse_text(lit, -1, *e, res);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	   *lit;
	VxSparseElement *e;
	VxSparseResult res;
	VxSparseStatus status;

	/* SPARSEVEC_MAX_NNZ elements are accepted */
	lit = make_literal(SPARSEVEC_MAX_NNZ, "1.5", SPARSEVEC_MAX_DIM);
	status = parse_once(lit, &res, &e);
	VX_FUZZ_CHECK(status == VX_SPARSE_OK && res.nnz == SPARSEVEC_MAX_NNZ,
				  "%d elements: status %d", SPARSEVEC_MAX_NNZ, (int) status);
	check_accepted(e, res.nnz, res.dim);
	free(e);
	free(lit);

	/* one more is refused even when all are zero */
	lit = make_literal(SPARSEVEC_MAX_NNZ + 1, "0", SPARSEVEC_MAX_NNZ + 1);
	status = parse_once(lit, &res, &e);
	VX_FUZZ_CHECK(status == VX_SPARSE_TOO_MANY_NNZ, "status %d", (int) status);
	free(e);
	free(lit);

	/* the dimension limit */
	lit = make_literal(1, "1", SPARSEVEC_MAX_DIM + 1L);
	status = parse_once(lit, &res, &e);
	VX_FUZZ_CHECK(status == VX_SPARSE_TOO_MANY_DIMS, "status %d", (int) status);
	free(e);
	free(lit);
	return 0;
}
