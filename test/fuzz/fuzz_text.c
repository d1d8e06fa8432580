/*-------------------------------------------------------------------------
 *
 * fuzz_text.c
 *	  libFuzzer target: the text input of the vector type
 *	  (vx_vector_parse_text, what vector_in runs).
 *
 * The input bytes up to the first NUL are the literal (a cstring cannot
 * hold a NUL).  Beyond "no crash, no sanitizer report" every input checks:
 *	- the parser writes no more than vx_vector_text_capacity() floats (the
 *	  output array is malloc'd with exactly that size, so ASan catches an
 *	  overrun), and on success the dimension is exactly that capacity;
 *	- a reference parser written differently (cut at the first ']', split
 *	  on ',', trim, strtof each token whole) accepts exactly the same
 *	  literals and gives the same float bits;
 *	- an accepted vector passes vx_fuzz_check_accepted: dimension in range,
 *	  finite elements, text out -> text in gives the same bits, typmods;
 *	- each error status is consistent with the literal: an out-of-range
 *	  token is a piece of the literal that strtof overflows on, "too many
 *	  dimensions" needs at least VECTOR_MAX_DIM commas, and so on.
 * LLVMFuzzerInitialize checks the dimension limits once on literals of
 * 16000 and 16001 elements, which random inputs rarely reach.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <errno.h>

#include "fuzz_common.h"

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * ref_parse: the reference.  Returns 1 and fills *out (malloc'd) and *dim
 * when lit is a valid vector literal, else 0.
 */
static int
ref_parse(const char *lit, float **out, int *dim)
{
	const char *close;
	const char *p = ref_enclosed(lit, '[', ']', &close);
	const char *q;
	int			n = 0;
	float	   *x;

	if (p == NULL)
		return 0;
	for (q = close + 1; *q; q++)
		if (!ref_isspace(*q))
			return 0;

	x = vx_fuzz_alloc(sizeof(float) * (size_t) (close - p + 1));
	for (;;)
	{
		const char *comma = memchr(p, ',', close - p);
		const char *tend = comma ? comma : close;
		const char *a = p;
		const char *b = tend;
		char	   *tok;
		char	   *end;
		float		v;

		while (a < b && ref_isspace(*a))
			a++;
		while (b > a && ref_isspace(b[-1]))
			b--;
		if (a == b || n == VECTOR_MAX_DIM)
		{
			free(x);
			return 0;
		}
		tok = vx_fuzz_alloc(b - a + 1);
		memcpy(tok, a, b - a);
		tok[b - a] = '\0';
		v = strtof(tok, &end);
		if (*end != '\0' || end == tok || !isfinite(v))
		{
			free(tok);
			free(x);
			return 0;
		}
		free(tok);
		x[n++] = v;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*out = x;
	*dim = n;
	return 1;
}

static int
count_char(const char *s, char c)
{
	int			n = 0;

	for (; *s; s++)
		n += (*s == c);
	return n;
}

/* the properties of a rejected literal that can be checked cheaply */
static void
check_rejected(const char *lit, VxIoStatus status, const VxIoResult *res)
{
	const char *p = lit;

	while (ref_isspace(*p))
		p++;

	switch (status)
	{
		case VX_IO_NO_LEFT_BRACKET:
			VX_FUZZ_CHECK(*p != '[', "NO_LEFT_BRACKET but '[' first");
			break;
		case VX_IO_TOO_FEW_DIMS:
			p++;
			while (ref_isspace(*p))
				p++;
			VX_FUZZ_CHECK(*p == ']', "TOO_FEW_DIMS but not \"[]\"");
			break;
		case VX_IO_TOO_MANY_DIMS:
			VX_FUZZ_CHECK(count_char(lit, ',') >= VECTOR_MAX_DIM &&
						  res->dim == VECTOR_MAX_DIM + 1,
						  "TOO_MANY_DIMS with %d commas", count_char(lit, ','));
			break;
		case VX_IO_OUT_OF_RANGE:
			{
				size_t		litlen = strlen(lit);
				char	   *tok;
				char	   *end;
				float		v;

				VX_FUZZ_CHECK(res->token_len > 0 &&
							  res->token_start + res->token_len <= litlen,
							  "token %zu+%zu of %zu", res->token_start,
							  res->token_len, litlen);
				tok = vx_fuzz_alloc(res->token_len + 1);
				memcpy(tok, lit + res->token_start, res->token_len);
				tok[res->token_len] = '\0';
				errno = 0;
				v = strtof(tok, &end);
				VX_FUZZ_CHECK(*end == '\0' && errno == ERANGE && isinf(v),
							  "token \"%s\" is not an overflow", tok);
				free(tok);
			}
			break;
		case VX_IO_NAN:
		case VX_IO_INFINITE:
		case VX_IO_SYNTAX:
		case VX_IO_JUNK:
			break;
		default:
			VX_FUZZ_CHECK(0, "status %d is not a text status", (int) status);
	}
}

/*
 * halfvec_in's parse of the same literal (the bound VX_HALF_OVERFLOW): it
 * accepts exactly what the float parse accepts with every |x| < 65520, with
 * the same values; otherwise it fails with the float parse's status or
 * with an out-of-range element (met earlier, or the one that is too large).
 */
static void
check_halfvec(const char *lit, VxIoStatus fstatus, const float *fx, int fdim, int cap)
{
	float	   *hx = vx_fuzz_alloc(sizeof(float) * (size_t) cap);
	VxIoResult	hres;
	VxIoStatus	hstatus = vx_parse_text_bounded(lit, -1, VX_HALF_OVERFLOW, hx, &hres);
	int			in_range = 1;

	if (fstatus == VX_IO_OK)
	{
		for (int i = 0; i < fdim; i++)
			if (fabsf(fx[i]) >= VX_HALF_OVERFLOW)
				in_range = 0;
		VX_FUZZ_CHECK(in_range ? hstatus == VX_IO_OK : hstatus == VX_IO_OUT_OF_RANGE,
					  "\"%.200s\": halfvec status %d", lit, (int) hstatus);
		if (hstatus == VX_IO_OK)
		{
			VX_FUZZ_CHECK(hres.dim == fdim && vx_fuzz_same_bits(hx, fx, fdim),
						  "\"%.200s\": halfvec values differ", lit);
			for (int i = 0; i < fdim; i++)
				VX_FUZZ_CHECK(!vx_half_is_inf(vx_float_to_half(hx[i])),
							  "\"%.200s\": element %d rounds to infinity", lit, i);
		}
	}
	else
		VX_FUZZ_CHECK(hstatus == fstatus || hstatus == VX_IO_OUT_OF_RANGE,
					  "\"%.200s\": halfvec status %d, vector status %d", lit,
					  (int) hstatus, (int) fstatus);
	free(hx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *lit = vx_fuzz_cstring(data, size);
	float	   *x;
	float	   *rx = NULL;
	int			cap;
	int			rdim = 0;
	int			ref_ok;
	VxIoResult	res;
	VxIoStatus	status;

	cap = vx_vector_text_capacity(lit);
	VX_FUZZ_CHECK(cap >= 1 && cap <= VECTOR_MAX_DIM, "capacity %d", cap);
	x = vx_fuzz_alloc(sizeof(float) * (size_t) cap);
	status = vx_vector_parse_text(lit, -1, x, &res);
	ref_ok = ref_parse(lit, &rx, &rdim);

	VX_FUZZ_CHECK(ref_ok == (status == VX_IO_OK),
				  "\"%.200s\": parser status %d, reference %s", lit,
				  (int) status, ref_ok ? "accepts" : "rejects");
	if (status == VX_IO_OK)
	{
		VX_FUZZ_CHECK(res.dim == cap, "dim %d, capacity %d", res.dim, cap);
		VX_FUZZ_CHECK(rdim == res.dim && vx_fuzz_same_bits(x, rx, rdim),
					  "\"%.200s\": reference values differ", lit);
		vx_fuzz_check_accepted(x, res.dim);
	}
	else
		check_rejected(lit, status, &res);
	check_halfvec(lit, status, x, res.dim, cap);

	free(rx);
	free(x);
	free(lit);
	return 0;
}

/* literals of n elements "[0,0,...]" plus a suffix */
static char *
make_literal(int n, const char *suffix)
{
	char	   *s = vx_fuzz_alloc((size_t) n * 2 + strlen(suffix) + 2);
	char	   *p = s;

	*p++ = '[';
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			*p++ = ',';
		*p++ = '0';
	}
	strcpy(p, suffix);
	return s;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	   *lit;
	float	   *x;
	VxIoResult	res;
	VxIoStatus	status;

	/* VECTOR_MAX_DIM elements are accepted, one more is not */
	lit = make_literal(VECTOR_MAX_DIM, "]");
	x = vx_fuzz_alloc(sizeof(float) * (size_t) vx_vector_text_capacity(lit));
	status = vx_vector_parse_text(lit, -1, x, &res);
	VX_FUZZ_CHECK(status == VX_IO_OK && res.dim == VECTOR_MAX_DIM,
				  "%d elements: status %d", VECTOR_MAX_DIM, (int) status);
	vx_fuzz_check_accepted(x, res.dim);
	free(x);
	free(lit);

	lit = make_literal(VECTOR_MAX_DIM + 1, "]");
	x = vx_fuzz_alloc(sizeof(float) * (size_t) vx_vector_text_capacity(lit));
	status = vx_vector_parse_text(lit, -1, x, &res);
	VX_FUZZ_CHECK(status == VX_IO_TOO_MANY_DIMS, "%d elements: status %d",
				  VECTOR_MAX_DIM + 1, (int) status);
	free(x);
	free(lit);

	/* the limit is found before junk further on */
	lit = make_literal(VECTOR_MAX_DIM + 1, "x");
	x = vx_fuzz_alloc(sizeof(float) * (size_t) vx_vector_text_capacity(lit));
	status = vx_vector_parse_text(lit, -1, x, &res);
	VX_FUZZ_CHECK(status == VX_IO_TOO_MANY_DIMS, "status %d", (int) status);
	free(x);
	free(lit);
	return 0;
}
