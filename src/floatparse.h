/*-------------------------------------------------------------------------
 *
 * floatparse.h
 *	  vx_strtof: strtof() with a fast path for the plain decimals that
 *	  vector literals are made of.
 *
 * glibc's strtof() costs about 200 ns per element of a typical embedding
 * literal ("-0.038772512"): a 1024-d query sent as text spends ~0.2 ms in
 * it, as long as the whole index search.  The fast path reads
 *	 [+-] digits [. digits] [(e|E) [+-] digits]
 * (at least one digit in the mantissa) with at most 19 significant digits,
 * a mantissa m <= 2^53 and a decimal exponent e with |e| <= 22.  Then m and
 * 10^|e| are exact doubles and m * 10^e or m / 10^-e is the correctly
 * rounded double d of the decimal (one IEEE operation: Clinger's fast
 * path).  Rounding d to float gives the correctly rounded float of the
 * decimal unless d is exactly halfway between two floats (rounding is
 * monotonic, and every float and every midpoint between floats is a
 * double, so the decimal and d lie between the same two of them); so when
 * d is such a midpoint the literal goes to strtof().  (Those bounds keep d
 * within float's normal range: no overflow, underflow or ERANGE.)
 * Everything else (hex floats, "inf", "nan", long or huge literals) goes
 * to strtof() too.  Result, end pointer and errno are strtof()'s in every
 * case; test/kernels/test_kernels.c compares the two on millions of
 * literals, the midpoints and the range edges included.
 *
 * Pure C, no PostgreSQL headers (the fuzz harnesses and the kernel test
 * include it).  Assumes the default rounding mode (round to nearest), as
 * PostgreSQL does.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VX_FLOATPARSE_H
#define VX_FLOATPARSE_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const double vx_pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* is d (a normal double) exactly halfway between two adjacent floats? */
static inline int
vx_double_is_float_midpoint(double d)
{
	uint64_t	bits;

	memcpy(&bits, &d, sizeof(bits));
	/* 52 fraction bits, 23 kept by float: the 29 dropped ones are 100...0 */
	return (bits & ((UINT64_C(1) << 29) - 1)) == (UINT64_C(1) << 28);
}

/* the fast path; returns 0 (and leaves *val, *end alone) when it declines */
static inline int
vx_strtof_fast(const char *s, float *val, char **end)
{
	const char *p = s;
	int			neg = 0;
	uint64_t	m = 0;
	int			ndigits = 0;	/* significant digits in m */
	int			anydigit = 0;
	int			seen_point = 0;
	int			e10 = 0;
	double		d;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	/*
	 * Digits with at most one point: zeros before the first significant
	 * digit only shift the exponent (after the point); up to 19
	 * significant digits go into m.
	 */
	for (;;)
	{
		if (*p >= '0' && *p <= '9')
		{
			anydigit = 1;
			if (m != 0 || *p != '0')
			{
				if (ndigits == 19)
					return 0;
				m = m * 10 + (uint64_t) (*p - '0');
				ndigits++;
			}
			if (seen_point)
				e10--;
			p++;
		}
		else if (*p == '.' && !seen_point)
		{
			seen_point = 1;
			p++;
		}
		else
			break;
	}
	if (!anydigit)
		return 0;				/* ".", "-", "inf", "nan", "0x": strtof */
	if (*p == 'e' || *p == 'E')
	{
		const char *q = p + 1;
		int			eneg = 0;
		int			x = 0;

		if (*q == '-' || *q == '+')
			eneg = *q++ == '-';
		if (*q >= '0' && *q <= '9')
		{
			while (*q >= '0' && *q <= '9')
			{
				if (x > 1000)
					return 0;
				x = x * 10 + (*q++ - '0');
			}
			e10 += eneg ? -x : x;
			p = q;
		}
		/* else "1e", "1e+": the number ends before the 'e', as in strtof */
	}
	if (*p == 'x' || *p == 'X')
		return 0;				/* "0x...": a hex float */

	if (m == 0)
	{
		*val = neg ? -0.0f : 0.0f;
		*end = (char *) p;
		return 1;
	}
	if (m > (UINT64_C(1) << 53) || e10 < -22 || e10 > 22)
		return 0;
	d = (double) m;
	d = e10 < 0 ? d / vx_pow10_exact[-e10] : d * vx_pow10_exact[e10];
	/* 1e-22 <= d <= 2^53 * 1e22: inside float's normal range (kept as a guard) */
	if (d <= (double) FLT_MIN || d > (double) FLT_MAX ||
		vx_double_is_float_midpoint(d))
		return 0;
	*val = (float) (neg ? -d : d);
	*end = (char *) p;
	return 1;
}

/* strtof(s, end), faster for plain decimals; same result, end and errno */
static inline float
vx_strtof(const char *s, char **end)
{
	float		val;

	if (vx_strtof_fast(s, &val, end))
		return val;
	return strtof(s, end);
}

#endif							/* VX_FLOATPARSE_H */
