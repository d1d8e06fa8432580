/*-------------------------------------------------------------------------
 *
 * fuzz_binary.c
 *	  libFuzzer target: the binary input of the vector type
 *	  (vx_vector_recv_header + vx_vector_recv_elements, what vector_recv
 *	  runs) and the type-modifier check.
 *
 * The input is the bytes vector_recv would be handed (COPY BINARY field or
 * bind parameter).  Every input checks, beyond "no crash":
 *	- the header status agrees with a reference decoding of the first four
 *	  bytes (too short, dim < 1, dim > VECTOR_MAX_DIM, unused != 0);
 *	- the element reader writes into an array malloc'd with exactly dim
 *	  floats (ASan catches an overrun) and its status is the one the bytes
 *	  call for: the first non-finite complete value, else "short" when
 *	  fewer than dim values are present, else success;
 *	- on success, consumed = 4 + 4 * dim, re-encoding the floats with an
 *	  independent big-endian encoder gives back exactly those bytes, and
 *	  vx_fuzz_check_accepted holds (text out -> text in, typmods);
 *	- vx_vector_typmod_check on the first four bytes read as an int32
 *	  (and with a modifier count taken from the length) agrees with the
 *	  rule "exactly one modifier, 1 .. VECTOR_MAX_DIM".
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
ref_be32(const uint8_t *p)
{
	uint32_t	v = 0;

	for (int i = 0; i < 4; i++)
		v = v * 256 + p[i];
	return v;
}

static int
ref_int16(const uint8_t *p)
{
	int			v = p[0] * 256 + p[1];

	return v >= 32768 ? v - 65536 : v;
}

static void
check_typmod(const uint8_t *data, size_t size)
{
	int32_t		mods[2] = {0, 0};
	/* mostly one modifier, so that the range checks are reached */
	int			n = size % 8 == 7 ? 2 : size % 8 == 6 ? 0 : 1;
	VxIoStatus	status;
	VxIoStatus	expect;

	if (size >= 4)
		mods[0] = (int32_t) ref_be32(data);
	status = vx_vector_typmod_check(n, mods);
	if (n != 1)
		expect = VX_IO_TYPMOD_NOT_ONE;
	else if (mods[0] < 1)
		expect = VX_IO_TYPMOD_TOO_SMALL;
	else if (mods[0] > VECTOR_MAX_DIM)
		expect = VX_IO_TYPMOD_TOO_LARGE;
	else
		expect = VX_IO_OK;
	VX_FUZZ_CHECK(status == expect, "typmod n=%d mod=%d: %d, expected %d",
				  n, mods[0], (int) status, (int) expect);
}

/*
 * halfvec_recv's elements after the same header: 2-byte halves, the first
 * NaN or infinite complete one is the error, else short input; accepted
 * input re-encodes to the same bytes.
 */
static void
check_halfvec_elements(const uint8_t *data, size_t size, int dim)
{
	size_t		complete = (size - 4) / 2;
	VxIoStatus	expect = complete >= (size_t) dim ? VX_IO_OK : VX_IO_SHORT;
	uint16_t   *h = vx_fuzz_alloc(sizeof(uint16_t) * (size_t) dim);
	VxIoResult	res;
	VxIoStatus	status;

	for (size_t i = 0; i < complete && i < (size_t) dim; i++)
	{
		uint16_t	bits = (uint16_t) ((data[4 + 2 * i] << 8) | data[5 + 2 * i]);

		if ((bits & 0x7c00) == 0x7c00)
		{
			expect = (bits & 0x3ff) ? VX_IO_NAN : VX_IO_INFINITE;
			break;
		}
	}
	memset(&res, 0, sizeof(res));
	status = vx_halfvec_recv_elements(data, size, dim, h, &res);
	VX_FUZZ_CHECK(status == expect, "halfvec elements: status %d, expected %d",
				  (int) status, (int) expect);
	if (status == VX_IO_OK)
	{
		VX_FUZZ_CHECK(res.consumed == 4 + 2 * (size_t) dim,
					  "halfvec consumed %zu of dim %d", res.consumed, dim);
		for (int i = 0; i < dim; i++)
			VX_FUZZ_CHECK(data[4 + 2 * i] == (h[i] >> 8) && data[5 + 2 * i] == (h[i] & 0xff),
						  "halfvec element %d re-encodes differently", i);
	}
	free(h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	VxIoResult	res;
	VxIoStatus	status;
	VxIoStatus	expect;
	int			dim;
	size_t		complete;
	float	   *x;

	check_typmod(data, size);

	status = vx_vector_recv_header(data, size, -1, &res);
	if (size < 4)
	{
		VX_FUZZ_CHECK(status == VX_IO_SHORT, "%zu bytes: %d", size, (int) status);
		return 0;
	}
	dim = ref_int16(data);
	if (dim < 1)
		expect = VX_IO_TOO_FEW_DIMS;
	else if (dim > VECTOR_MAX_DIM)
		expect = VX_IO_TOO_MANY_DIMS;
	else if (ref_int16(data + 2) != 0)
		expect = VX_IO_UNUSED_NOT_ZERO;
	else
		expect = VX_IO_OK;
	VX_FUZZ_CHECK(status == expect && res.dim == dim &&
				  res.unused == ref_int16(data + 2),
				  "header: status %d dim %d unused %d, expected %d dim %d",
				  (int) status, res.dim, res.unused, (int) expect, dim);
	if (status != VX_IO_OK)
		return 0;

	/* the typmod is checked after dim, before the values */
	VX_FUZZ_CHECK(vx_vector_recv_header(data, size, dim, &res) == VX_IO_OK,
				  "typmod %d rejected", dim);
	VX_FUZZ_CHECK(vx_vector_recv_header(data, size, dim + 1, &res) ==
				  VX_IO_TYPMOD_MISMATCH, "typmod %d accepted", dim + 1);

	/* what the values call for: first non-finite complete value, or short */
	complete = (size - 4) / 4;
	expect = complete >= (size_t) dim ? VX_IO_OK : VX_IO_SHORT;
	for (size_t i = 0; i < complete && i < (size_t) dim; i++)
	{
		uint32_t	bits = ref_be32(data + 4 + 4 * i);
		uint32_t	exponent = (bits >> 23) & 0xff;

		if (exponent == 0xff)
		{
			expect = (bits & 0x7fffff) ? VX_IO_NAN : VX_IO_INFINITE;
			break;
		}
	}

	check_halfvec_elements(data, size, dim);

	x = vx_fuzz_alloc(sizeof(float) * (size_t) dim);
	res.consumed = 0;
	status = vx_vector_recv_elements(data, size, dim, x, &res);
	VX_FUZZ_CHECK(status == expect, "elements: status %d, expected %d",
				  (int) status, (int) expect);
	if (status == VX_IO_OK)
	{
		uint8_t    *enc = vx_fuzz_alloc(4 + 4 * (size_t) dim);

		VX_FUZZ_CHECK(res.consumed == 4 + 4 * (size_t) dim,
					  "consumed %zu of dim %d", res.consumed, dim);
		enc[0] = (uint8_t) (dim >> 8);
		enc[1] = (uint8_t) dim;
		enc[2] = enc[3] = 0;
		for (int i = 0; i < dim; i++)
		{
			uint32_t	bits;

			memcpy(&bits, &x[i], 4);
			for (int b = 0; b < 4; b++)
				enc[4 + 4 * i + b] = (uint8_t) (bits >> (24 - 8 * b));
		}
		VX_FUZZ_CHECK(memcmp(enc, data, res.consumed) == 0,
					  "re-encoded bytes differ");
		free(enc);
		vx_fuzz_check_accepted(x, dim);
	}
	free(x);
	return 0;
}

/*
 * Once: a vector of VECTOR_MAX_DIM zeros is accepted and one more dimension
 * is not (inputs that long are beyond the fuzzer's -max_len).
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t		size = 4 + 4 * (size_t) (VECTOR_MAX_DIM + 1);
	uint8_t    *buf = vx_fuzz_alloc(size);

	memset(buf, 0, size);
	buf[0] = VECTOR_MAX_DIM >> 8;
	buf[1] = VECTOR_MAX_DIM & 0xff;
	LLVMFuzzerTestOneInput(buf, size - 4);
	LLVMFuzzerTestOneInput(buf, size - 5);	/* one byte short */
	buf[0] = (VECTOR_MAX_DIM + 1) >> 8;
	buf[1] = (VECTOR_MAX_DIM + 1) & 0xff;
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	return 0;
}
