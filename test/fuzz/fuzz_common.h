/*-------------------------------------------------------------------------
 *
 * fuzz_common.h
 *	  Helpers shared by the libFuzzer targets of the vector I/O cores.
 *
 * VX_FUZZ_CHECK aborts with a message naming the broken property; libFuzzer
 * treats the abort as a crash and writes the input to crash-<sha1>.  The
 * round-trip helper formats floats the way vector_out does and parses them
 * back the way vector_in does, and insists on the same bits.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VX_FUZZ_COMMON_H
#define VX_FUZZ_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "half.h"
#include "vectorio.h"

#define VX_FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "vx-fuzz: property failed at %s:%d: %s: ", \
					__FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

/* malloc that cannot fail quietly; sized exactly, so ASan sees overruns */
static inline void *
vx_fuzz_alloc(size_t size)
{
	void	   *p = malloc(size > 0 ? size : 1);

	if (p == NULL)
		abort();
	return p;
}

/* the reference parsers' white space (the C locale's isspace, no locale) */
static inline int
ref_isspace(char c)
{
	return c != '\0' && strchr(" \t\n\r\v\f", c) != NULL;
}

/*
 * The reference parsers' start of a literal: white space, open, and a
 * close after it.  Returns what follows open and sets *close, or NULL when
 * the literal does not start so.
 */
static inline const char *
ref_enclosed(const char *lit, char open, char closing, const char **close)
{
	while (ref_isspace(*lit))
		lit++;
	if (*lit != open)
		return NULL;
	*close = strchr(lit + 1, closing);
	return *close == NULL ? NULL : lit + 1;
}

/* the fuzzer's input as a NUL-terminated string (malloc'd) */
static inline char *
vx_fuzz_cstring(const uint8_t *data, size_t size)
{
	char	   *s = vx_fuzz_alloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* 1 when the two arrays hold the same bits */
static inline int
vx_fuzz_same_bits(const float *a, const float *b, int n)
{
	return memcmp(a, b, sizeof(float) * (size_t) n) == 0;
}

/*
 * vx_fuzz_check_accepted: the properties of any accepted vector x[dim]
 * (from text or binary input): 1 <= dim <= VECTOR_MAX_DIM, every element
 * finite, the text form fits the buffer vector_out allocates and parses
 * back to the same bits with the same dimension, formatting is idempotent,
 * and the typmod checks accept dim and reject dim + 1.
 */
static inline void
vx_fuzz_check_accepted(const float *x, int dim)
{
	size_t		size = VX_TEXT_OUT_SIZE(dim);
	char	   *text;
	char	   *text2;
	size_t		len;
	float	   *y;
	int			cap;
	VxIoResult	res;
	VxIoStatus	status;
	int32_t		mod;

	VX_FUZZ_CHECK(dim >= 1 && dim <= VECTOR_MAX_DIM, "dim %d", dim);
	for (int i = 0; i < dim; i++)
		VX_FUZZ_CHECK(isfinite(x[i]), "element %d is %g", i, (double) x[i]);

	/* text out: in bounds, NUL-terminated, length returned */
	text = vx_fuzz_alloc(size);
	len = vx_vector_format_text(x, dim, text);
	VX_FUZZ_CHECK(len < size && text[len] == '\0' && strlen(text) == len,
				  "format wrote %zu bytes into %zu", len, size);

	/* and back in: same dimension, same bits */
	cap = vx_vector_text_capacity(text);
	VX_FUZZ_CHECK(cap == dim, "capacity %d of the output of dim %d", cap, dim);
	y = vx_fuzz_alloc(sizeof(float) * (size_t) cap);
	status = vx_vector_parse_text(text, -1, y, &res);
	VX_FUZZ_CHECK(status == VX_IO_OK && res.dim == dim,
				  "output \"%.200s\" reparsed with status %d dim %d",
				  text, (int) status, res.dim);
	VX_FUZZ_CHECK(vx_fuzz_same_bits(x, y, dim),
				  "output \"%.200s\" reparsed to other bits", text);

	/* formatting the reparsed values gives the same text */
	text2 = vx_fuzz_alloc(size);
	vx_vector_format_text(y, dim, text2);
	VX_FUZZ_CHECK(strcmp(text, text2) == 0, "\"%.200s\" vs \"%.200s\"",
				  text, text2);

	/* a declared dimension: its own accepted, one more rejected */
	status = vx_vector_parse_text(text, dim, y, &res);
	VX_FUZZ_CHECK(status == VX_IO_OK, "typmod %d rejected: %d", dim, (int) status);
	status = vx_vector_parse_text(text, dim + 1, y, &res);
	VX_FUZZ_CHECK(status == VX_IO_TYPMOD_MISMATCH && res.dim == dim,
				  "typmod %d: status %d", dim + 1, (int) status);
	mod = dim;
	VX_FUZZ_CHECK(vx_vector_typmod_check(1, &mod) == VX_IO_OK,
				  "vector(%d) rejected", dim);

	free(text);
	free(text2);
	free(y);
}

#endif							/* VX_FUZZ_COMMON_H */
