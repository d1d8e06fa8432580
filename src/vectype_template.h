/*-------------------------------------------------------------------------
 *
 * vectype_template.h
 *	  SQL functions that the dense vector types (vector, halfvec) write the
 *	  same way but for their element type: one macro per function, expanded
 *	  in vector.c and halfvec.c with the C function's name as first
 *	  argument (and, for a few, the kernel or helper the type supplies:
 *	  VXT_RECV, VXT_SEND, VXT_COSINE_DISTANCE, VXT_NORM,
 *	  VXT_ARITH_FUNCTION).
 *
 * Before expanding, a file defines:
 *	VXT_T				the type's struct (Vector, HalfVector): dim, x[]
 *	VXT_ELEM			its element type (float, uint16)
 *	VXT_NAME			its SQL name, for errors ("vector")
 *	VXT_GETARG(n)		PG_GETARG_<TYPE>_P(n)
 *	VXT_RETURN(v)		PG_RETURN_<TYPE>_P(v)
 *	VXT_INIT(dim)		a new zeroed value of dim elements
 *	VXT_TO_FLOAT(e)		an element as float (exact)
 *	VXT_FROM_FLOAT(f)	a float rounded to an element
 *	VXT_IS_INF(e)		whether an element is infinite
 *	VXT_CHECK_DIMS(a, b)	error unless a and b have the same dimension
 * Errors are those of vector.c's checks (vx_check_dim_of and the I/O
 * status reports of vectorio.h), naming VXT_NAME.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VECIDX_VECTYPE_TEMPLATE_H
#define VECIDX_VECTYPE_TEMPLATE_H

/* name(cstring[]): the type modifier name(n), 1 <= n <= VECTOR_MAX_DIM */
#define VXT_TYPMOD_IN(name) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(0); \
	int32	   *tl; \
	int			n; \
	VxIoStatus	status; \
	\
	tl = ArrayGetIntegerTypmods(ta, &n); \
	status = vx_vector_typmod_check(n, tl); \
	if (status != VX_IO_OK) \
		vx_report_io_error(VXT_NAME, status, NULL, NULL, -1); \
	PG_RETURN_INT32(*tl); \
}

/*
 * name(internal, oid, typmod): int16 dim, int16 unused, then dim elements
 * read by READ (vx_vector_recv_elements or vx_halfvec_recv_elements), in
 * network byte order, checked as the text input checks them.
 */
#define VXT_RECV(name, READ) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0); \
	int32		typmod = PG_GETARG_INT32(2); \
	const uint8 *data = (const uint8 *) buf->data + buf->cursor; \
	size_t		len = buf->len - buf->cursor; \
	VxIoResult	res; \
	VxIoStatus	status; \
	VXT_T	   *result; \
	\
	status = vx_vector_recv_header(data, len, typmod, &res); \
	if (status != VX_IO_OK) \
		vx_report_io_error(VXT_NAME, status, &res, NULL, typmod); \
	result = VXT_INIT(res.dim); \
	status = READ(data, len, res.dim, result->x, &res); \
	if (status != VX_IO_OK) \
		vx_report_io_error(VXT_NAME, status, &res, NULL, typmod); \
	buf->cursor += res.consumed; \
	VXT_RETURN(result); \
}

/* name(type): the wire format of VXT_RECV, each element sent by SEND */
#define VXT_SEND(name, SEND) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	VXT_T	   *vec = VXT_GETARG(0); \
	StringInfoData buf; \
	\
	pq_begintypsend(&buf); \
	pq_sendint16(&buf, vec->dim); \
	pq_sendint16(&buf, vec->unused); \
	for (int i = 0; i < vec->dim; i++) \
		SEND(&buf, vec->x[i]); \
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf)); \
}

/*
 * name(type, typmod, explicit): the length-coercion cast that enforces
 * type(n) on assignment and explicit casts
 */
#define VXT_ENFORCE_TYPMOD(name) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	VXT_T	   *vec = VXT_GETARG(0); \
	\
	vx_check_expected_dim(PG_GETARG_INT32(1), vec->dim); \
	VXT_RETURN(vec); \
}

/* name(type, typmod, explicit): the elements as real[] */
#define VXT_TO_FLOAT4(name) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	VXT_T	   *vec = VXT_GETARG(0); \
	Datum	   *datums = palloc(sizeof(Datum) * Max(vec->dim, 1)); \
	ArrayType  *result; \
	\
	for (int i = 0; i < vec->dim; i++) \
		datums[i] = Float4GetDatum(VXT_TO_FLOAT(vec->x[i])); \
	result = construct_array(datums, vec->dim, FLOAT4OID, \
							 sizeof(float4), true, TYPALIGN_INT); \
	pfree(datums); \
	PG_RETURN_ARRAYTYPE_P(result); \
}

/* the static function name(const VXT_T *): Euclidean norm summed in double */
#define VXT_NORM_DOUBLE(name) \
static double \
name(const VXT_T *a) \
{ \
	double		norm = 0.0; \
	\
	for (int i = 0; i < a->dim; i++) \
	{ \
		double		v = (double) VXT_TO_FLOAT(a->x[i]); \
		\
		norm += v * v; \
	} \
	return sqrt(norm); \
}

/*
 * name(type, type): 1 - ab / sqrt(aa * bb) from the sums COSINE (the
 * kernel) returns, the similarity clamped to [-1, 1]; a zero vector gives
 * NaN (0/0), as in pgvector
 */
#define VXT_COSINE_DISTANCE(name, COSINE) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	float		ab; \
	float		aa; \
	float		bb; \
	VXT_T	   *a = VXT_GETARG(0); \
	VXT_T	   *b = VXT_GETARG(1); \
	\
	VXT_CHECK_DIMS(a, b); \
	COSINE(a->x, b->x, a->dim, &ab, &aa, &bb); \
	PG_RETURN_FLOAT8(vx_cosine_from_sums(ab, aa, bb)); \
}

/* name(type): the number of dimensions */
#define VXT_DIMS(name) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	VXT_T	   *a = VXT_GETARG(0); \
	\
	PG_RETURN_INT32(a->dim); \
}

/* name(type): NORM(a), the Euclidean norm (VXT_NORM_DOUBLE) */
#define VXT_NORM(name, NORM) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	VXT_T	   *a = VXT_GETARG(0); \
	\
	PG_RETURN_FLOAT8(NORM(a)); \
}

/*
 * name(type): each element divided by the norm NORM(a) (double), rounded to
 * float and then to an element, as pgvector does; an infinite result is an
 * overflow error; a zero vector is returned unchanged (all zeros).
 */
#define VXT_L2_NORMALIZE(name, NORM) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	VXT_T	   *a = VXT_GETARG(0); \
	double		norm = NORM(a); \
	VXT_T	   *result = VXT_INIT(a->dim); \
	\
	if (norm > 0) \
	{ \
		for (int i = 0; i < a->dim; i++) \
		{ \
			result->x[i] = VXT_FROM_FLOAT((float) (VXT_TO_FLOAT(a->x[i]) / norm)); \
			if (VXT_IS_INF(result->x[i])) \
				float_overflow_error(); \
		} \
	} \
	VXT_RETURN(result); \
}

/*
 * name(type): bit(dim), bit i set when element i > 0 (first element in the
 * most significant bit, as varbit stores bits; palloc0 leaves the pad bits
 * of the last byte zero, as varbit requires)
 */
#define VXT_BINARY_QUANTIZE(name) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	VXT_T	   *a = VXT_GETARG(0); \
	int			size = VARBITTOTALLEN(a->dim); \
	VarBit	   *result = (VarBit *) palloc0(size); \
	bits8	   *bits = VARBITS(result); \
	\
	SET_VARSIZE(result, size); \
	VARBITLEN(result) = a->dim; \
	for (int i = 0; i < a->dim; i++) \
	{ \
		if (VXT_TO_FLOAT(a->x[i]) > 0) \
			bits[i / BITS_PER_BYTE] |= (bits8) (0x80 >> (i % BITS_PER_BYTE)); \
	} \
	PG_RETURN_VARBIT_P(result); \
}

/*
 * name(type, start, count): elements start .. start+count-1 (1-based,
 * clipped to the vector like substring); the result must not be empty
 * (vx_check_dim_of(VXT_NAME, 0) is that error).
 */
#define VXT_SUBVECTOR(name) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	VXT_T	   *a = VXT_GETARG(0); \
	int32		start = PG_GETARG_INT32(1); \
	int32		count = PG_GETARG_INT32(2); \
	int32		end; \
	VXT_T	   *result; \
	\
	if (count < 1) \
		vx_check_dim_of(VXT_NAME, 0); \
	/* end = min(start + count, dim + 1) without overflowing int32 */ \
	if (start > a->dim - count) \
		end = a->dim + 1; \
	else \
		end = start + count; \
	if (start < 1) \
		start = 1; \
	else if (start > a->dim) \
		vx_check_dim_of(VXT_NAME, 0); \
	vx_check_dim_of(VXT_NAME, end - start); \
	result = VXT_INIT(end - start); \
	memcpy(result->x, a->x + start - 1, sizeof(VXT_ELEM) * (end - start)); \
	VXT_RETURN(result); \
}

/*
 * The static function name(fcinfo, op): a op b element by element, in
 * float and rounded once (vx_arith); an infinite result is an overflow
 * error, and for a product a zero of two non-zero elements an underflow
 * error (as float4mul; an element is infinite or zero exactly where its
 * float value is).
 */
#define VXT_ARITH(name) \
static VXT_T * \
name(FunctionCallInfo fcinfo, VxArithOp op) \
{ \
	VXT_T	   *a = VXT_GETARG(0); \
	VXT_T	   *b = VXT_GETARG(1); \
	VXT_T	   *result; \
	\
	VXT_CHECK_DIMS(a, b); \
	result = VXT_INIT(a->dim); \
	for (int i = 0; i < a->dim; i++) \
		result->x[i] = VXT_FROM_FLOAT(vx_arith(op, VXT_TO_FLOAT(a->x[i]), \
											   VXT_TO_FLOAT(b->x[i]))); \
	for (int i = 0; i < a->dim; i++) \
		vx_check_arith(op, VXT_TO_FLOAT(result->x[i]), \
					   VXT_TO_FLOAT(a->x[i]), VXT_TO_FLOAT(b->x[i])); \
	return result; \
}

/* name(type, type): ARITH(fcinfo, op), a VXT_ARITH function */
#define VXT_ARITH_FUNCTION(name, ARITH, op) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	VXT_RETURN(ARITH(fcinfo, op)); \
}

/* name(type, type): a's elements followed by b's */
#define VXT_CONCAT(name) \
VX_FUNCTION(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	VXT_T	   *a = VXT_GETARG(0); \
	VXT_T	   *b = VXT_GETARG(1); \
	int			dim = a->dim + b->dim; \
	VXT_T	   *result; \
	\
	vx_check_dim_of(VXT_NAME, dim); \
	result = VXT_INIT(dim); \
	memcpy(result->x, a->x, sizeof(VXT_ELEM) * a->dim); \
	memcpy(result->x + a->dim, b->x, sizeof(VXT_ELEM) * b->dim); \
	VXT_RETURN(result); \
}

#endif							/* VECIDX_VECTYPE_TEMPLATE_H */
