/*-------------------------------------------------------------------------
 *
 * kernel_shapes.h
 *	  The loop shapes the SIMD distance kernels share, one macro per shape,
 *	  written once for every vector width: avx2.c, avx512.c and
 *	  avx2_types.c differ only in the intrinsics they plug in.
 *
 * A shape fixes the arithmetic order: which accumulator each block goes
 * into, where the tail goes, how the accumulators are reduced.  What a file
 * plugs in are single vector operations and loads, so a kernel stamped out
 * here computes what the hand-written one did, bit for bit.
 *
 * Before expanding a float shape, a file defines (its float vector):
 *	VXF					the vector type, VXF_W its lanes (8 or 16)
 *	VXF_TARGET			the target attribute of the kernels
 *	VXF_ZERO()  VXF_ADD(x, y)  VXF_SUB(x, y)  VXF_ABS(x)  VXF_FMADD(x, y, acc)
 *	VXF_HSUM(v)			the sum of the lanes
 *	VX_SHORT_LOOP		1: below one vector (n < VXF_W, or VXU_W bytes) a
 *						plain loop; 0: the tail load handles any n
 * and for each operand kind K it passes (f32, u8 codes, f16 ...):
 *	VXK_<K>_T			the element type
 *	VXK_<K>_LOAD(p)		VXF_W elements at p, as floats
 *	VXK_<K>_TAIL(p, i, n)  the elements of p from i to n (0 < n - i < VXF_W)
 *						not counted yet, as floats, the other lanes zero (a
 *						zero pair adds nothing to any of the sums); where
 *						they sit in the vector is the file's choice
 * For the uint8 x uint8 shape (integer vector):
 *	VXU					the vector type, VXU_W its bytes (32 or 64)
 *	VXU_ZERO()  VXU_LOAD(p)  VXU_TAIL(p, i, n) (as VXK_<K>_TAIL, in bytes)
 *
 * Include after <immintrin.h>, from files built for x86 SIMD only.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_KERNEL_SHAPES_H
#define VECIDX_KERNEL_SHAPES_H

#include <math.h>

/*
 * The float steps, acc += (x - y)^2, x * y, |x - y| per lane, as
 * vxf_l2sq_step, vxf_dot_step and vxf_l1_step of the file's vector.
 */
#define VX_FLOAT_STEPS \
VXF_TARGET static inline VXF \
vxf_l2sq_step(VXF acc, VXF x, VXF y) \
{ \
	VXF			d = VXF_SUB(x, y); \
	\
	return VXF_FMADD(d, d, acc); \
} \
\
VXF_TARGET static inline VXF \
vxf_dot_step(VXF acc, VXF x, VXF y) \
{ \
	return VXF_FMADD(x, y, acc); \
} \
\
VXF_TARGET static inline VXF \
vxf_l1_step(VXF acc, VXF x, VXF y) \
{ \
	return VXF_ADD(acc, VXF_ABS(VXF_SUB(x, y))); \
}

/*
 * Below one vector of W elements (VX_SHORT_LOOP), a plain loop of TERM(a[i],
 * b[i]) summed in T; i is 0
 */
#define VX_PLAIN_LOOP(T, W, TERM) \
	if (VX_SHORT_LOOP && n < (W)) \
	{ \
		T			r = 0; \
		\
		for (; i < n; i++) \
			r += TERM(a[i], b[i]); \
		return r; \
	}

/*
 * A sum of STEP(acc, x, y) over the n element pairs of a and b: four
 * accumulators over blocks of 4 * VXF_W elements, then one vector at a time
 * into s0, the tail into s1, the four added pairwise.  TERM(x, y) is the
 * scalar term of the plain loop (VX_SHORT_LOOP).  STEP is one of
 * VX_FLOAT_STEPS' steps.  KA and KB are the operand
 * kinds of a and b.
 */
#define VX_SUM4_KERNEL(name, KA, KB, STEP, TERM) \
VXF_TARGET float \
name(const VXK_##KA##_T *a, const VXK_##KB##_T *b, int n) \
{ \
	VXF			s0 = VXF_ZERO(), \
				s1 = VXF_ZERO(), \
				s2 = VXF_ZERO(), \
				s3 = VXF_ZERO(); \
	int			i = 0; \
	\
	VX_PLAIN_LOOP(float, VXF_W, TERM) \
	for (; i + 4 * VXF_W <= n; i += 4 * VXF_W) \
	{ \
		s0 = STEP(s0, VXK_##KA##_LOAD(a + i), VXK_##KB##_LOAD(b + i)); \
		s1 = STEP(s1, VXK_##KA##_LOAD(a + i + VXF_W), VXK_##KB##_LOAD(b + i + VXF_W)); \
		s2 = STEP(s2, VXK_##KA##_LOAD(a + i + 2 * VXF_W), VXK_##KB##_LOAD(b + i + 2 * VXF_W)); \
		s3 = STEP(s3, VXK_##KA##_LOAD(a + i + 3 * VXF_W), VXK_##KB##_LOAD(b + i + 3 * VXF_W)); \
	} \
	for (; i + VXF_W <= n; i += VXF_W) \
		s0 = STEP(s0, VXK_##KA##_LOAD(a + i), VXK_##KB##_LOAD(b + i)); \
	if (i < n) \
		s1 = STEP(s1, VXK_##KA##_TAIL(a, i, n), VXK_##KB##_TAIL(b, i, n)); \
	return VXF_HSUM(VXF_ADD(VXF_ADD(s0, s1), VXF_ADD(s2, s3))); \
}

/* one vector of each of the cosine's three sums: a.b, a.a, b.b */
#define VX_COSINE_STEP(x, y, sab, saa, sbb) \
	do { \
		(sab) = VXF_FMADD((x), (y), (sab)); \
		(saa) = VXF_FMADD((x), (x), (saa)); \
		(sbb) = VXF_FMADD((y), (y), (sbb)); \
	} while (0)

/*
 * The float query x uint8 code kernels of a file (P##_l2sq_f32u8,
 * P##_dot_f32u8, P##_l1_f32u8): VX_SUM4_KERNEL with the u8 operand kind.
 */
#define VX_F32U8_KERNELS(P) \
static VX_SUM4_KERNEL(P##_l2sq_f32u8, f32, u8, vxf_l2sq_step, VX_L2SQ_TERM) \
static VX_SUM4_KERNEL(P##_dot_f32u8, f32, u8, vxf_dot_step, VX_DOT_TERM) \
static VX_SUM4_KERNEL(P##_l1_f32u8, f32, u8, vxf_l1_step, VX_L1_TERM)

/*
 * The three sums of the cosine distance (a.b, a.a, b.b) in one pass: two
 * accumulators each, over blocks of 2 * VXF_W elements, then one vector at
 * a time into the first, the tail into the second.  Both operands of kind K.
 */
#define VX_COSINE_KERNEL(name, K) \
VXF_TARGET void \
name(const VXK_##K##_T *a, const VXK_##K##_T *b, int n, \
	 float *ab, float *aa, float *bb) \
{ \
	VXF			sab0 = VXF_ZERO(), \
				sab1 = VXF_ZERO(), \
				saa0 = VXF_ZERO(), \
				saa1 = VXF_ZERO(), \
				sbb0 = VXF_ZERO(), \
				sbb1 = VXF_ZERO(); \
	VXF			x, \
				y; \
	int			i = 0; \
	\
	if (VX_SHORT_LOOP && n < VXF_W) \
	{ \
		float		rab = 0.0f, \
					raa = 0.0f, \
					rbb = 0.0f; \
		\
		for (; i < n; i++) \
		{ \
			rab += a[i] * b[i]; \
			raa += a[i] * a[i]; \
			rbb += b[i] * b[i]; \
		} \
		*ab = rab; \
		*aa = raa; \
		*bb = rbb; \
		return; \
	} \
	for (; i + 2 * VXF_W <= n; i += 2 * VXF_W) \
	{ \
		x = VXK_##K##_LOAD(a + i); \
		y = VXK_##K##_LOAD(b + i); \
		VX_COSINE_STEP(x, y, sab0, saa0, sbb0); \
		x = VXK_##K##_LOAD(a + i + VXF_W); \
		y = VXK_##K##_LOAD(b + i + VXF_W); \
		VX_COSINE_STEP(x, y, sab1, saa1, sbb1); \
	} \
	for (; i + VXF_W <= n; i += VXF_W) \
	{ \
		x = VXK_##K##_LOAD(a + i); \
		y = VXK_##K##_LOAD(b + i); \
		VX_COSINE_STEP(x, y, sab0, saa0, sbb0); \
	} \
	if (i < n) \
	{ \
		x = VXK_##K##_TAIL(a, i, n); \
		y = VXK_##K##_TAIL(b, i, n); \
		VX_COSINE_STEP(x, y, sab1, saa1, sbb1); \
	} \
	*ab = VXF_HSUM(VXF_ADD(sab0, sab1)); \
	*aa = VXF_HSUM(VXF_ADD(saa0, saa1)); \
	*bb = VXF_HSUM(VXF_ADD(sbb0, sbb1)); \
}

/*
 * A uint8 x uint8 sum of STEP(acc, x, y) over n bytes: two accumulators
 * taking turns over blocks of 4 * VXU_W bytes, then one vector at a time
 * into s0, the tail into s1; ADD and HSUM add and reduce the accumulator's
 * lanes (32- or 64-bit).  Exact integers, so the order of the terms cannot
 * change the result; lane sums wrap like the scalar uint32 sum.
 */
#define VX_U8_KERNEL(name, STEP, ADD, HSUM, TERM) \
VXF_TARGET uint32_t \
name(const uint8_t *a, const uint8_t *b, int n) \
{ \
	VXU			s0 = VXU_ZERO(), \
				s1 = VXU_ZERO(); \
	int			i = 0; \
	\
	VX_PLAIN_LOOP(uint32_t, VXU_W, TERM) \
	for (; i + 4 * VXU_W <= n; i += 4 * VXU_W) \
	{ \
		s0 = STEP(s0, VXU_LOAD(a + i), VXU_LOAD(b + i)); \
		s1 = STEP(s1, VXU_LOAD(a + i + VXU_W), VXU_LOAD(b + i + VXU_W)); \
		s0 = STEP(s0, VXU_LOAD(a + i + 2 * VXU_W), VXU_LOAD(b + i + 2 * VXU_W)); \
		s1 = STEP(s1, VXU_LOAD(a + i + 3 * VXU_W), VXU_LOAD(b + i + 3 * VXU_W)); \
	} \
	for (; i + VXU_W <= n; i += VXU_W) \
		s0 = STEP(s0, VXU_LOAD(a + i), VXU_LOAD(b + i)); \
	if (i < n) \
		s1 = STEP(s1, VXU_TAIL(a, i, n), VXU_TAIL(b, i, n)); \
	return (uint32_t) HSUM(ADD(s0, s1)); \
}

/* the scalar terms of the plain loops (y a float, or a code taken as one) */
#define VX_L2SQ_TERM(x, y) (((x) - (float) (y)) * ((x) - (float) (y)))
#define VX_DOT_TERM(x, y) ((x) * (float) (y))
#define VX_L1_TERM(x, y) fabsf((x) - (float) (y))
#define VX_L2SQ_U8_TERM(x, y) ((uint32_t) (((int) (x) - (int) (y)) * ((int) (x) - (int) (y))))
#define VX_DOT_U8_TERM(x, y) ((uint32_t) (x) * (uint32_t) (y))
#define VX_L1_U8_TERM(x, y) ((uint32_t) ((x) > (y) ? (x) - (y) : (y) - (x)))

#endif							/* VECIDX_KERNEL_SHAPES_H */
