/*-------------------------------------------------------------------------
 *
 * half.h
 *	  IEEE 754 binary16 ("half") values as uint16_t bit patterns: scalar
 *	  conversion to and from float and classification.
 *
 * Pure and header-only (no PostgreSQL headers), so the scalar kernel table
 * (distance.c), the I/O cores (vectorio.c) and the test programs share one
 * definition.  The conversions are exact IEEE ones: float to half rounds to
 * nearest, ties to even, overflows to infinity (every finite float of
 * magnitude >= 65520 does) and gives subnormal halves and signed zeros for
 * small magnitudes; half to float is exact.  NaN stays NaN with the quiet bit
 * set and the high payload bits kept, which is what the F16C instructions do,
 * so the scalar and the SIMD conversions agree bit for bit on every input.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_HALF_H
#define VECIDX_HALF_H

#include <stdint.h>
#include <string.h>

#define VX_HALF_MAX 65504.0f	/* largest finite half */
#define VX_HALF_OVERFLOW 65520.0f	/* smallest magnitude that rounds to inf */

static inline int
vx_half_is_nan(uint16_t h)
{
	return (h & 0x7c00) == 0x7c00 && (h & 0x03ff) != 0;
}

static inline int
vx_half_is_inf(uint16_t h)
{
	return (h & 0x7fff) == 0x7c00;
}

static inline int
vx_half_is_zero(uint16_t h)
{
	return (h & 0x7fff) == 0;
}

/* exact widening */
static inline float
vx_half_to_float(uint16_t h)
{
	uint32_t	sign = (uint32_t) (h & 0x8000) << 16;
	uint32_t	exp = (h >> 10) & 0x1f;
	uint32_t	man = h & 0x3ff;
	uint32_t	bits;
	float		f;

	if (exp == 0x1f)			/* infinity, or NaN made quiet */
		bits = sign | 0x7f800000 | (man << 13) | (man != 0 ? 0x400000 : 0);
	else if (exp == 0)
	{
		/* zero or subnormal: man * 2^-24, exact in float */
		f = (float) man * (1.0f / 16777216.0f);
		memcpy(&bits, &f, sizeof(bits));
		bits |= sign;
	}
	else
		bits = sign | ((exp + 112) << 23) | (man << 13);

	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* round to nearest even; no error on overflow (the result is infinite) */
static inline uint16_t
vx_float_to_half(float f)
{
	uint32_t	x;
	uint32_t	absx;
	uint16_t	sign;

	memcpy(&x, &f, sizeof(x));
	sign = (uint16_t) ((x >> 16) & 0x8000);
	absx = x & 0x7fffffff;

	if (absx >= 0x7f800000)		/* infinity or NaN */
		return sign | 0x7c00 |
			(absx > 0x7f800000 ? (0x200 | ((absx >> 13) & 0x3ff)) : 0);
	if (absx >= 0x477ff000)		/* >= 65520: rounds past 65504 */
		return sign | 0x7c00;
	if (absx < 0x38800000)		/* below 2^-14: a subnormal half or zero */
	{
		uint32_t	e = absx >> 23;
		uint32_t	m = (absx & 0x7fffff) | 0x800000;
		uint32_t	shift;
		uint32_t	q;
		uint32_t	rem;
		uint32_t	halfway;

		if (e < 102)			/* below 2^-25: rounds to zero */
			return sign;
		/* the value is m * 2^(e-150); in units of 2^-24 that is m >> shift */
		shift = 126 - e;
		q = m >> shift;
		rem = m & ((1u << shift) - 1);
		halfway = 1u << (shift - 1);
		if (rem > halfway || (rem == halfway && (q & 1)))
			q++;				/* may carry into the smallest normal */
		return sign | (uint16_t) q;
	}
	else
	{
		/* normal: rebias the exponent, round 23 mantissa bits to 10 */
		uint32_t	h = (absx >> 13) - (112u << 10);
		uint32_t	rem = absx & 0x1fff;

		if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
			h++;				/* a carry into the exponent is right */
		return sign | (uint16_t) h;
	}
}

#endif							/* VECIDX_HALF_H */
