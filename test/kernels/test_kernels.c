/*-------------------------------------------------------------------------
 *
 * test_kernels.c
 *	  Standalone test of the distance kernels (no server needed).
 *
 * Every kernel of every table this CPU runs is compared with the scalar
 * reference table and with an exact double-precision (float kernels) or
 * 64-bit integer (uint8 kernels) reference, for every length n = 1..max-dim
 * (default 2048, so every tail length of every vector width is covered),
 * then n = 4095, 4096, 8191, 12345 and 16000 (VECTOR_MAX_DIM), and
 * a set of data patterns: random, wide dynamic range, zeros, magnitudes near
 * the float limit (scaled so the sums stay finite), subnormals, identical
 * vectors, all-negative against all-positive, cancelling products, a spike
 * in the last element, and for codes all-255, 0 vs 255, differences of
 * +255 and -255 alternating, and so on.
 *
 * Each argument ends exactly at a PROT_NONE guard page (Linux and other
 * systems with mmap), so a kernel that reads one element past n crashes the
 * test instead of passing.  Start offsets vary with n, so alignment varies.
 *
 * Pass criteria (u = 2^-24, gamma(m) = m*u/(1-m*u), S = sum of |term_i|,
 * e.g. sum |a_i*b_i| for dot, sum (a_i-b_i)^2 for l2sq; Z = 4*n*2^-149 covers
 * products that underflow into the subnormal range):
 *	uint8 kernels:  bit-exact equal to the scalar table and to the exact sum;
 *	float, scalar:  |r - exact| <= gamma(n + 3) * S + Z;
 *	float, SIMD:    |r - exact| <= gamma(ceil(n/8) + 24) * S + Z   (the
 *					bound for 8 or more accumulator lanes), and
 *					|r - scalar| <= (gamma(ceil(n/8) + 24) + gamma(n + 3)) * S + 2Z.
 * At n = 768 the SIMD bound is 7.2e-6 * S; at n = 2048, 1.7e-5 * S; at
 * n = 16000, 1.2e-4 * S.  Up to n = 2048 a dropped or doubled element of
 * typical size S/n exceeds it.  The observed
 * maxima of |r - scalar| / S and |r - exact| / S are printed per kernel.
 *
 * VECIDX_SIMD=scalar|avx2imul1|avx2|avx512novnni|avx512 caps the detected CPU
 * features (see distance.c); the test then also checks that the selection
 * picked the best remaining table and tests only the allowed tables.
 *
 * Usage: test_kernels [--max-dim N] [--seed S]
 * Output ends with "N passed, N failed"; exit status 1 on any failure.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <float.h>
#include <stdbool.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#define HAVE_GUARD_PAGES 1
#endif

#include "distance.h"
#include "floatparse.h"
#include "half.h"

#define DEFAULT_MAX_DIM 2048

/* also tested: large lengths up to VECTOR_MAX_DIM (lane sums must not overflow) */
static const int large_dims[] = {4095, 4096, 8191, 12345, 16000};

#define NUM_LARGE_DIMS ((int) (sizeof(large_dims) / sizeof(large_dims[0])))
#define LARGE_DIM_MAX 16000
#define MAX_TABLES 8
#define MAX_FAIL_REPORTS 20

/* kernels, in the order of the table */
enum
{
	K_L2SQ_F32, K_DOT_F32, K_L1_F32, K_COS_AB, K_COS_AA, K_COS_BB,
	K_L2SQ_U8, K_DOT_U8, K_L1_U8,
	K_L2SQ_F32U8, K_DOT_F32U8, K_L1_F32U8,
	K_DECODE_U8,
	NUM_KERNELS
};

static const char *const kernel_names[NUM_KERNELS] = {
	"l2sq_f32", "dot_f32", "l1_f32", "cosine.ab", "cosine.aa", "cosine.bb",
	"l2sq_u8", "dot_u8", "l1_u8",
	"l2sq_f32u8", "dot_f32u8", "l1_f32u8",
	"decode_u8"
};

typedef struct KernelStats
{
	long		passed;
	long		failed;
	double		max_rel_scalar; /* max |r - scalar| / S */
	double		max_rel_exact;	/* max |r - exact| / S */
} KernelStats;

static KernelStats stats[MAX_TABLES][NUM_KERNELS];
static const VxKernels *tables[MAX_TABLES];
static int	ntables;
static long total_passed,
			total_failed,
			total_skipped;
static int	fail_reports;

/* ---------- random numbers (xorshift64*) ---------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* uniform in [0, 1) */
static double
rng_unit(void)
{
	return (double) (rng_next() >> 11) * 0x1p-53;
}

/* uniform in [lo, hi) */
static float
rng_range(double lo, double hi)
{
	return (float) (lo + (hi - lo) * rng_unit());
}

static float
rng_sign(void)
{
	return (rng_next() & 1) ? -1.0f : 1.0f;
}

/* ---------- guarded buffers ---------- */

/*
 * A buffer of at least 'bytes' bytes followed by an inaccessible page.
 * guarded_tail(buf, n, size) returns the start of n elements of 'size'
 * bytes that end exactly at the guard page.
 */
typedef struct Guarded
{
	char	   *data_end;
} Guarded;

static Guarded
guarded_alloc(size_t bytes)
{
	Guarded		g;
#ifdef HAVE_GUARD_PAGES
	size_t		page = (size_t) sysconf(_SC_PAGESIZE);
	size_t		data = (bytes + page - 1) / page * page;
	char	   *p = mmap(NULL, data + page, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + data, page, PROT_NONE) != 0)
	{
		perror("mmap");
		exit(2);
	}
	g.data_end = p + data;
#else
	char	   *p = malloc(bytes);

	if (p == NULL)
		exit(2);
	g.data_end = p + bytes;
#endif
	return g;
}

static void *
guarded_tail(Guarded g, int n, size_t size)
{
	return g.data_end - (size_t) n * size;
}

/* ---------- data patterns ---------- */

enum
{
	FP_UNIFORM, FP_WIDE, FP_ZEROS, FP_HUGE, FP_HUGE_L1, FP_TINY,
	FP_IDENTICAL, FP_NEGPOS, FP_CANCEL, FP_SPIKE, NUM_FP
};

static const char *const fp_names[NUM_FP] = {
	"uniform", "wide-range", "zeros", "huge", "huge-l1", "subnormal",
	"identical", "neg-vs-pos", "cancelling", "spike-at-end"
};

static void
fill_float_pattern(int pat, float *a, float *b, int n)
{
	/* scaled so that n * (2 * scale)^2 stays below FLT_MAX / 4 */
	double		huge = sqrt(FLT_MAX / (16.0 * n));

	for (int i = 0; i < n; i++)
	{
		switch (pat)
		{
			case FP_UNIFORM:
				a[i] = rng_range(-1, 1);
				b[i] = rng_range(-1, 1);
				break;
			case FP_WIDE:
				a[i] = rng_sign() * ldexpf(rng_range(1, 2), (int) (rng_next() % 61) - 30);
				b[i] = rng_sign() * ldexpf(rng_range(1, 2), (int) (rng_next() % 61) - 30);
				break;
			case FP_ZEROS:
				a[i] = 0.0f;
				b[i] = (rng_next() & 1) ? -0.0f : 0.0f;
				break;
			case FP_HUGE:
				a[i] = rng_sign() * rng_range(0.5, 1) * (float) huge;
				b[i] = rng_sign() * rng_range(0.5, 1) * (float) huge;
				break;
			case FP_HUGE_L1:
				/* only the l1 kernels stay finite; the others are skipped */
				a[i] = rng_sign() * rng_range(0.5, 1) * (float) (FLT_MAX / (16.0 * n));
				b[i] = rng_sign() * rng_range(0.5, 1) * (float) (FLT_MAX / (16.0 * n));
				break;
			case FP_TINY:
				a[i] = rng_sign() * rng_range(0, 1) * (i % 3 ? FLT_MIN : 1e-44f);
				b[i] = rng_sign() * rng_range(0, 1) * FLT_MIN;
				break;
			case FP_IDENTICAL:
				a[i] = rng_range(-100, 100);
				b[i] = a[i];
				break;
			case FP_NEGPOS:
				a[i] = -rng_range(0, 10);
				b[i] = rng_range(0, 10);
				break;
			case FP_CANCEL:
				/* pairs whose products cancel exactly: dot is 0 */
				if (i % 2 == 0)
				{
					a[i] = rng_range(-1, 1);
					b[i] = rng_range(-1, 1);
				}
				else
				{
					a[i] = a[i - 1];
					b[i] = -b[i - 1];
				}
				break;
			case FP_SPIKE:
				a[i] = rng_range(-1e-3, 1e-3);
				b[i] = rng_range(-1e-3, 1e-3);
				if (i == n - 1 || rng_next() % 97 == 0)
					a[i] = rng_sign() * 1e6f;
				break;
		}
	}
}

enum
{
	CP_RANDOM, CP_ALL255, CP_0_VS_255, CP_SMALL, CP_IDENTICAL, CP_255_VS_RANDOM,
	CP_ALTERNATING, NUM_CP
};

static const char *const cp_names[NUM_CP] = {
	"random", "all-255", "0-vs-255", "small", "identical", "255-vs-random",
	"alternating"
};

static void
fill_code_pattern(int pat, uint8_t *a, uint8_t *b, int n)
{
	for (int i = 0; i < n; i++)
	{
		switch (pat)
		{
			case CP_RANDOM:
				a[i] = (uint8_t) rng_next();
				b[i] = (uint8_t) rng_next();
				break;
			case CP_ALL255:
				a[i] = 255;
				b[i] = 255;
				break;
			case CP_0_VS_255:
				a[i] = 0;
				b[i] = 255;
				break;
			case CP_SMALL:
				a[i] = (uint8_t) (rng_next() % 4);
				b[i] = (uint8_t) (rng_next() % 4);
				break;
			case CP_IDENTICAL:
				a[i] = (uint8_t) rng_next();
				b[i] = a[i];
				break;
			case CP_255_VS_RANDOM:
				a[i] = 255;
				b[i] = (uint8_t) rng_next();
				break;
			case CP_ALTERNATING:
				/* differences +255, -255, ...: extremes of either sign side by side */
				a[i] = (i & 1) ? 255 : 0;
				b[i] = (uint8_t) (255 - a[i]);
				break;
		}
	}
}

/* ---------- exact references ---------- */

/* exact (to double rounding) value and S = sum |term| of a float kernel */
typedef struct Ref
{
	double		exact;
	double		abs_sum;
} Ref;

static Ref
ref_f32(int k, const float *a, const float *b, int n)
{
	Ref			r = {0, 0};

	for (int i = 0; i < n; i++)
	{
		double		x = a[i],
					y = b[i],
					t;

		switch (k)
		{
			case K_L2SQ_F32:
				t = (x - y) * (x - y);
				break;
			case K_DOT_F32:
			case K_COS_AB:
				t = x * y;
				break;
			case K_L1_F32:
				t = fabs(x - y);
				break;
			case K_COS_AA:
				t = x * x;
				break;
			default:			/* K_COS_BB */
				t = y * y;
				break;
		}
		r.exact += t;
		r.abs_sum += fabs(t);
	}
	return r;
}

static Ref
ref_f32u8(int k, const float *q, const uint8_t *c, int n)
{
	Ref			r = {0, 0};

	for (int i = 0; i < n; i++)
	{
		double		x = q[i],
					y = c[i],
					t;

		if (k == K_L2SQ_F32U8)
			t = (x - y) * (x - y);
		else if (k == K_DOT_F32U8)
			t = x * y;
		else
			t = fabs(x - y);
		r.exact += t;
		r.abs_sum += fabs(t);
	}
	return r;
}

static uint64_t
ref_u8(int k, const uint8_t *a, const uint8_t *b, int n)
{
	uint64_t	s = 0;

	for (int i = 0; i < n; i++)
	{
		int64_t		d = (int64_t) a[i] - b[i];

		if (k == K_L2SQ_U8)
			s += (uint64_t) (d * d);
		else if (k == K_DOT_U8)
			s += (uint64_t) a[i] * b[i];
		else
			s += (uint64_t) (d < 0 ? -d : d);
	}
	return s;
}

/* ---------- checks ---------- */

static double
gamma_m(double m)
{
	double		u = 0x1p-24;

	return m * u / (1 - m * u);
}

/* what one check looks at: table t's kernel k at length n on a data pattern */
typedef struct CheckCase
{
	int			t;
	int			k;
	int			n;
	const char *pattern;
} CheckCase;

static void
report_failure(const CheckCase *c, const char *what, double got, double want, double tol)
{
	if (fail_reports++ < MAX_FAIL_REPORTS)
		printf("FAIL %s %s n=%d pattern=%s: %s: got %.9g, want %.9g (tolerance %.3g)\n",
			   tables[c->t]->name, kernel_names[c->k], c->n, c->pattern, what, got, want, tol);
}

/* check float result r of c's table against the scalar result and the reference */
static void
check_float(const CheckCase *c, float r, float scalar, Ref ref)
{
	KernelStats *st = &stats[c->t][c->k];
	int			n = c->n;
	double		z = 4.0 * n * 0x1p-149;
	double		tol_scalar_exact = gamma_m(n + 3) * ref.abs_sum + z;
	double		tol_simd_exact = gamma_m((n + 7) / 8 + 24) * ref.abs_sum + z;
	double		tol_exact = tables[c->t]->level == VX_SIMD_SCALAR ? tol_scalar_exact : tol_simd_exact;
	double		tol_vs_scalar = tol_simd_exact + tol_scalar_exact + z;
	double		err_exact = fabs((double) r - ref.exact);
	double		err_scalar = fabs((double) r - (double) scalar);
	int			ok = 1;

	if (ref.abs_sum > FLT_MAX / 4)
	{
		/* partial sums could overflow depending on order: not comparable */
		total_skipped++;
		return;
	}
	if (!isfinite(r))
	{
		report_failure(c, "not finite", r, ref.exact, 0);
		ok = 0;
	}
	else if (err_exact > tol_exact)
	{
		report_failure(c, "vs exact", r, ref.exact, tol_exact);
		ok = 0;
	}
	else if (err_scalar > tol_vs_scalar)
	{
		report_failure(c, "vs scalar", r, scalar, tol_vs_scalar);
		ok = 0;
	}
	/* relative statistics only where underflow does not dominate */
	if (ref.abs_sum > 1e6 * z)
	{
		if (err_exact / ref.abs_sum > st->max_rel_exact)
			st->max_rel_exact = err_exact / ref.abs_sum;
		if (err_scalar / ref.abs_sum > st->max_rel_scalar)
			st->max_rel_scalar = err_scalar / ref.abs_sum;
	}
	if (ok)
		st->passed++;
	else
		st->failed++;
}

static void
check_u8(const CheckCase *c, uint32_t r, uint32_t scalar, uint64_t exact)
{
	KernelStats *st = &stats[c->t][c->k];

	if (r != scalar || r != (uint32_t) exact)
	{
		report_failure(c, "not bit-exact", r, (double) exact, 0);
		st->failed++;
	}
	else
		st->passed++;
}

/* ---------- driver ---------- */

static void
test_float_pair(int n, int pat, const float *a, const float *b)
{
	Ref			ref[NUM_KERNELS];
	float		sc[NUM_KERNELS];

	for (int k = K_L2SQ_F32; k <= K_COS_BB; k++)
		ref[k] = ref_f32(k, a, b, n);

	for (int t = 0; t < ntables; t++)
	{
		const VxKernels *kt = tables[t];
		float		r[NUM_KERNELS];

		r[K_L2SQ_F32] = kt->l2sq_f32(a, b, n);
		r[K_DOT_F32] = kt->dot_f32(a, b, n);
		r[K_L1_F32] = kt->l1_f32(a, b, n);
		kt->cosine_f32(a, b, n, &r[K_COS_AB], &r[K_COS_AA], &r[K_COS_BB]);
		if (t == 0)
			memcpy(sc, r, sizeof(sc));
		for (int k = K_L2SQ_F32; k <= K_COS_BB; k++)
		{
			CheckCase	c = {t, k, n, fp_names[pat]};

			check_float(&c, r[k], sc[k], ref[k]);
		}
	}
}

static void
test_code_pair(int n, int pat, const uint8_t *a, const uint8_t *b)
{
	uint64_t	ref[NUM_KERNELS];
	uint32_t	sc[NUM_KERNELS];

	for (int k = K_L2SQ_U8; k <= K_L1_U8; k++)
		ref[k] = ref_u8(k, a, b, n);

	for (int t = 0; t < ntables; t++)
	{
		const VxKernels *kt = tables[t];
		uint32_t	r[NUM_KERNELS];

		r[K_L2SQ_U8] = kt->l2sq_u8(a, b, n);
		r[K_DOT_U8] = kt->dot_u8(a, b, n);
		r[K_L1_U8] = kt->l1_u8(a, b, n);
		if (t == 0)
			memcpy(sc, r, sizeof(sc));
		for (int k = K_L2SQ_U8; k <= K_L1_U8; k++)
		{
			CheckCase	c = {t, k, n, cp_names[pat]};

			check_u8(&c, r[k], sc[k], ref[k]);
		}
	}
}

/*
 * decode_u8 must equal fmaf(s, c, a) bit for bit in every table (one
 * rounding); q serves as the offsets, with a step derived from the data.
 */
static void
test_decode(int n, const char *pattern, const float *q, const uint8_t *c)
{
	static float out[LARGE_DIM_MAX + 64];
	float		s = 0.5f + (float) (c[0] % 7) * 0.37f;

	for (int t = 0; t < ntables; t++)
	{
		bool		ok = true;

		memset(out, 0xAB, sizeof(float) * (n + 64));
		tables[t]->decode_u8(c, s, q, out, n);
		for (int i = 0; i < n && ok; i++)
		{
			float		want = fmaf(s, (float) c[i], q[i]);

			if (memcmp(&out[i], &want, sizeof(float)) != 0 && !(isnan(want) && isnan(out[i])))
				ok = false;
		}
		/* nothing written past n */
		for (int i = n; i < n + 64 && ok; i++)
		{
			uint32_t	bits;

			memcpy(&bits, &out[i], sizeof(bits));
			if (bits != 0xABABABABu)
				ok = false;
		}
		if (ok)
		{
			stats[t][K_DECODE_U8].passed++;
			total_passed++;
		}
		else
		{
			stats[t][K_DECODE_U8].failed++;
			total_failed++;
			if (fail_reports++ < MAX_FAIL_REPORTS)
				printf("FAIL %s decode_u8 n=%d pattern=%s\n", tables[t]->name, n, pattern);
		}
	}
}

static void
test_query_code(int n, const char *pattern, const float *q, const uint8_t *c)
{
	Ref			ref[NUM_KERNELS];
	float		sc[NUM_KERNELS];

	for (int k = K_L2SQ_F32U8; k <= K_L1_F32U8; k++)
		ref[k] = ref_f32u8(k, q, c, n);

	for (int t = 0; t < ntables; t++)
	{
		const VxKernels *kt = tables[t];
		float		r[NUM_KERNELS];

		r[K_L2SQ_F32U8] = kt->l2sq_f32u8(q, c, n);
		r[K_DOT_F32U8] = kt->dot_f32u8(q, c, n);
		r[K_L1_F32U8] = kt->l1_f32u8(q, c, n);
		if (t == 0)
			memcpy(sc, r, sizeof(sc));
		for (int k = K_L2SQ_F32U8; k <= K_L1_F32U8; k++)
		{
			CheckCase	c = {t, k, n, pattern};

			check_float(&c, r[k], sc[k], ref[k]);
		}
	}
	test_decode(n, pattern, q, c);
}

/*
 * The multiply-pipe model list on known signatures (cpuid leaf 1 eax):
 * which AVX2 table a CPU gets cannot be observed on the test machine.
 */
static void
check_imul_pipes(void)
{
	static const struct
	{
		const char *cpu;
		const char *vendor;
		uint32_t	signature;
		int			one_pipe;
	}			cases[] = {
		{"Zen (EPYC 7601)", "AuthenticAMD", 0x00800F12, 1},
		{"Zen 2 (EPYC 7702)", "AuthenticAMD", 0x00830F10, 1},
		{"Zen 2 (Ryzen 3900X)", "AuthenticAMD", 0x00870F10, 1},
		{"Zen 3 (EPYC 7763)", "AuthenticAMD", 0x00A00F11, 0},
		{"Zen 4 (EPYC 9654)", "AuthenticAMD", 0x00A10F11, 0},
		{"Haswell (i7-4770)", "GenuineIntel", 0x000306C3, 1},
		{"Haswell-EP (E5-2699 v3)", "GenuineIntel", 0x000306F2, 1},
		{"Broadwell-EP (E5-2699 v4)", "GenuineIntel", 0x000406F1, 1},
		{"Skylake (i7-6700)", "GenuineIntel", 0x000506E3, 0},
		{"Ice Lake-SP (8380)", "GenuineIntel", 0x000606A6, 0},
		{"other vendor", "HygonGenuine", 0x00900F01, 0},
	};
	int			bad = 0;

	for (int i = 0; i < (int) (sizeof(cases) / sizeof(cases[0])); i++)
	{
		int			got = vx_cpu_one_imul_pipe(cases[i].vendor, cases[i].signature);

		if (got != cases[i].one_pipe)
		{
			printf("FAIL imul pipes: %s (%s %08X): got %d, want %d\n", cases[i].cpu,
				   cases[i].vendor, (unsigned) cases[i].signature, got, cases[i].one_pipe);
			bad = 1;
		}
	}
	if (bad)
		total_failed++;
	else
	{
		printf("imul pipe model list: ok\n");
		total_passed++;
	}
}

/* the selection must have installed the most preferred table allowed */
static void
check_selection(void)
{
	const VxKernels *best = NULL;
	uint32_t	f = vx_cpu_features();

	for (int i = 0; i < vx_kernels_count(); i++)
	{
		const VxKernels *k = vx_kernels_nth(i);

		if ((k->cpu_required & f) == k->cpu_required)
			best = k;
	}
	if (vx_kern == best && vx_kernels_for(vx_simd_detect()) == best &&
		vx_kernels_for(VX_SIMD_SCALAR) == &vx_kernels_scalar)
	{
		printf("selection: ok (%s)\n", vx_kern->name);
		total_passed++;
	}
	else
	{
		printf("FAIL selection: installed %s, expected %s\n",
			   vx_kern->name, best ? best->name : "(none)");
		total_failed++;
	}
}

/* ---------- halfvec and bit kernels ---------- */

static long type_passed,
			type_failed;

static void
type_check(int ok, const char *table, const char *what, int n, long detail)
{
	if (ok)
	{
		type_passed++;
		return;
	}
	type_failed++;
	if (fail_reports++ < MAX_FAIL_REPORTS)
		printf("FAIL: %s %s n=%d (%ld)\n", table, what, n, detail);
}

/* the value of a finite half from its fields, independent of half.h */
static double
half_value(uint16_t h)
{
	int			e = (h >> 10) & 0x1f;
	int			m = h & 0x3ff;
	double		v = e == 0 ? ldexp(m, -24) : ldexp(1024 + m, e - 25);

	return (h & 0x8000) ? -v : v;
}

static uint32_t
float_bits(float f)
{
	uint32_t	u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/*
 * The scalar conversions of half.h against the definition: every finite half
 * widens to its value, narrowing is exact on every half, and every rounding
 * boundary (the midpoint between two neighbouring halves, and the floats
 * just below and above it) rounds to nearest, ties to even, 65520 and up to
 * infinity.  Then every table's array conversions against the scalar ones,
 * bit for bit, at every tail length.
 */
static void
test_half_conversions(void)
{
	static uint16_t all[65536];
	static float widened[65536];
	static float ref_w[65536];
	static uint16_t narrowed[3 * 0x7c00];
	static uint16_t ref_n[3 * 0x7c00];
	static float probes[3 * 0x7c00];
	int			np = 0;

	for (int h = 0; h < 65536; h++)
	{
		all[h] = (uint16_t) h;
		if ((h & 0x7c00) != 0x7c00)
		{
			type_check((double) vx_half_to_float((uint16_t) h) == half_value((uint16_t) h),
					   "half.h", "half_to_float value", 1, h);
			type_check(vx_float_to_half(vx_half_to_float((uint16_t) h)) == h,
					   "half.h", "float_to_half round trip", 1, h);
		}
	}
	type_check(vx_half_is_inf(0x7c00) && vx_half_is_inf(0xfc00) && vx_half_is_nan(0x7e00) &&
			   !vx_half_is_nan(0x7c00) && vx_half_is_zero(0x8000),
			   "half.h", "classification", 1, 0);

	for (int h = 0; h < 0x7c00; h++)
	{
		/* positive h and its successor (0x7c00: infinity, "value" 65536) */
		double		lo = half_value((uint16_t) h);
		double		hi = h + 1 < 0x7c00 ? half_value((uint16_t) (h + 1)) : 65536.0;
		float		mid = (float) ((lo + hi) / 2);	/* exact: 12 bits */
		uint16_t	even = (h & 1) ? (uint16_t) (h + 1) : (uint16_t) h;

		type_check(vx_float_to_half(mid) == even, "half.h", "tie to even", 1, h);
		type_check(vx_float_to_half(-mid) == (even | 0x8000), "half.h", "negative tie", 1, h);
		type_check(vx_float_to_half(nextafterf(mid, 0)) == h, "half.h", "below midpoint", 1, h);
		type_check(vx_float_to_half(nextafterf(mid, INFINITY)) == h + 1, "half.h",
				   "above midpoint", 1, h);
		probes[np++] = mid;
		probes[np++] = nextafterf(mid, 0);
		probes[np++] = -nextafterf(mid, INFINITY);
	}
	type_check(vx_float_to_half(65519.996f) == 0x7bff && vx_float_to_half(65520.0f) == 0x7c00 &&
			   vx_float_to_half(1e-8f) == 0 && vx_float_to_half(-1e-8f) == 0x8000 &&
			   vx_float_to_half(INFINITY) == 0x7c00 && vx_half_is_nan(vx_float_to_half(NAN)),
			   "half.h", "edge values", 1, 0);

	vx_kernels_scalar.f16_to_f32(all, ref_w, 65536);
	vx_kernels_scalar.f32_to_f16(probes, ref_n, np);
	for (int t = 0; t < ntables; t++)
	{
		const VxKernels *k = tables[t];
		int			bad = -1;

		k->f16_to_f32(all, widened, 65536);
		for (int i = 0; i < 65536 && bad < 0; i++)
			if (float_bits(widened[i]) != float_bits(ref_w[i]))
				bad = i;
		type_check(bad < 0, k->name, "f16_to_f32 (all halves)", 65536, bad);

		k->f32_to_f16(probes, narrowed, np);
		bad = -1;
		for (int i = 0; i < np && bad < 0; i++)
			if (narrowed[i] != ref_n[i])
				bad = i;
		type_check(bad < 0, k->name, "f32_to_f16 (rounding boundaries)", np, bad);

		/* every tail length, the output not written past n */
		for (int n = 1; n <= 40; n++)
		{
			uint16_t	out[48];
			float		fout[48];

			memset(out, 0xab, sizeof(out));
			memset(fout, 0xab, sizeof(fout));
			k->f32_to_f16(probes + 1000, out, n);
			k->f16_to_f32(all + 15000, fout, n);
			type_check(memcmp(out, ref_n + 1000, n * sizeof(uint16_t)) == 0 && out[n] == 0xabab,
					   k->name, "f32_to_f16 tail", n, 0);
			type_check(memcmp(fout, ref_w + 15000, n * sizeof(float)) == 0 &&
					   float_bits(fout[n]) == 0xabababab, k->name, "f16_to_f32 tail", n, 0);
		}
	}
}

/*
 * The halfvec distance kernels against the exact double sums of the widened
 * values (bound of the float kernels: gamma(ceil(n/8) + 24) * S for SIMD,
 * gamma(n + 3) * S for the scalar table, which must also return exactly what
 * the scalar float kernel returns on the widened values).  Arguments end at
 * guard pages.
 */
static void
test_half_distances(void)
{
	static const int extra[] = {4095, 12345, 16000};
	Guarded		ga = guarded_alloc(sizeof(uint16_t) * 16000);
	Guarded		gb = guarded_alloc(sizeof(uint16_t) * 16000);
	float	   *fa = malloc(sizeof(float) * 16000);
	float	   *fb = malloc(sizeof(float) * 16000);

	for (int step = 0; step < 300 + 3; step++)
	{
		int			n = step < 300 ? step + 1 : extra[step - 300];
		uint16_t   *a = guarded_tail(ga, n, sizeof(uint16_t));
		uint16_t   *b = guarded_tail(gb, n, sizeof(uint16_t));
		double		l2 = 0,
					dot = 0,
					l1 = 0,
					aa = 0,
					bb = 0,
					sdot = 0;

		for (int i = 0; i < n; i++)
		{
			a[i] = vx_float_to_half(rng_range(-2.0, 2.0));
			b[i] = vx_float_to_half(rng_range(-2.0, 2.0));
			fa[i] = vx_half_to_float(a[i]);
			fb[i] = vx_half_to_float(b[i]);
			l2 += ((double) fa[i] - fb[i]) * ((double) fa[i] - fb[i]);
			dot += (double) fa[i] * fb[i];
			sdot += fabs((double) fa[i] * fb[i]);
			l1 += fabs((double) fa[i] - fb[i]);
			aa += (double) fa[i] * fa[i];
			bb += (double) fb[i] * fb[i];
		}
		for (int t = 0; t < ntables; t++)
		{
			const VxKernels *k = tables[t];
			double		g = t == 0 ? gamma_m(n + 3) : gamma_m((n + 7) / 8 + 24);
			float		cab,
						caa,
						cbb;

			k->cosine_f16(a, b, n, &cab, &caa, &cbb);
			type_check(fabs(k->l2sq_f16(a, b, n) - l2) <= g * l2, k->name, "l2sq_f16", n, 0);
			type_check(fabs(k->dot_f16(a, b, n) - dot) <= g * sdot, k->name, "dot_f16", n, 0);
			type_check(fabs(k->l1_f16(a, b, n) - l1) <= g * l1, k->name, "l1_f16", n, 0);
			type_check(fabs(cab - dot) <= g * sdot && fabs(caa - aa) <= g * aa &&
					   fabs(cbb - bb) <= g * bb, k->name, "cosine_f16", n, 0);
		}
		type_check(vx_kernels_scalar.l2sq_f16(a, b, n) == vx_kernels_scalar.l2sq_f32(fa, fb, n) &&
				   vx_kernels_scalar.dot_f16(a, b, n) == vx_kernels_scalar.dot_f32(fa, fb, n) &&
				   vx_kernels_scalar.l1_f16(a, b, n) == vx_kernels_scalar.l1_f32(fa, fb, n),
				   "scalar", "f16 kernels = f32 kernels on widened values", n, 0);
	}
	free(fa);
	free(fb);
}

/* popcount kernels: exact, against __builtin_popcount, 0..300 and 2000 bytes */
static void
test_bit_kernels(void)
{
	Guarded		ga = guarded_alloc(2048);
	Guarded		gb = guarded_alloc(2048);

	for (int step = 0; step <= 302; step++)
	{
		int			n = step <= 300 ? step : (step == 301 ? 2000 : 1024);
		uint8_t    *a = guarded_tail(ga, n, 1);
		uint8_t    *b = guarded_tail(gb, n, 1);
		uint64_t	rx = 0,
					rab = 0,
					raa = 0,
					rbb = 0;

		for (int i = 0; i < n; i++)
		{
			/* step 302: all ones, the largest counts */
			a[i] = step == 302 ? 0xff : (uint8_t) rng_next();
			b[i] = step == 302 ? 0xff : (uint8_t) (rng_next() & rng_next());
			rx += __builtin_popcount(a[i] ^ b[i]);
			rab += __builtin_popcount(a[i] & b[i]);
			raa += __builtin_popcount(a[i]);
			rbb += __builtin_popcount(b[i]);
		}
		for (int t = 0; t < ntables; t++)
		{
			const VxKernels *k = tables[t];
			uint64_t	ab,
						aa,
						bb;

			k->jaccard_u8(a, b, n, &ab, &aa, &bb);
			type_check(k->hamming_u8(a, b, n) == rx, k->name, "hamming_u8", n,
					   (long) k->hamming_u8(a, b, n));
			type_check(ab == rab && aa == raa && bb == rbb, k->name, "jaccard_u8", n, (long) ab);
		}
	}
}


/*
 * vx_strtof (src/floatparse.h) against strtof: the same float bit for bit,
 * the same end pointer, the same errno, on literals built to hit every
 * branch: random digit strings of 1..22 significant digits with the point
 * anywhere and exponents from -50 to 50 (in and out of the fast path),
 * %.9g / %.8g / %.6g / %a renderings of random floats across the whole
 * range, the midpoints between adjacent floats (where rounding through
 * double could go wrong), the range edges, and malformed tails.
 */
static long parse_passed = 0;
static long parse_failed = 0;
static long parse_fast = 0;

static void
parse_check(const char *lit)
{
	char	   *e1,
			   *e2;
	float		r1,
				r2;
	int			err1,
				err2;
	float		fv;
	char	   *fe;

	errno = 0;
	r1 = strtof(lit, &e1);
	err1 = errno;
	errno = 0;
	r2 = vx_strtof(lit, &e2);
	err2 = errno;
	if (memcmp(&r1, &r2, sizeof(float)) == 0 && e1 == e2 && err1 == err2)
		parse_passed++;
	else
	{
		if (parse_failed < 10)
			printf("FAIL vx_strtof(\"%s\"): %a end +%d errno %d, strtof %a end +%d errno %d\n",
				   lit, r2, (int) (e2 - lit), err2, r1, (int) (e1 - lit), err1);
		parse_failed++;
	}
	if (vx_strtof_fast(lit, &fv, &fe))
		parse_fast++;
}

static void
test_float_parse(void)
{
	static const char *fixed[] = {
		"0", "-0", "+0", "0.0", "-0.0e5", ".5", "-.5", "5.", "+.", ".", "-", "", "e5",
		"1e", "1e+", "1e-", "1.5e", "1.5ex", "1.5x", "0x1p3", "0X1P-3", "inf", "-inf",
		"nan", "NaN", "infinity", "1,2", "1]", "1 ", "00000000000000000000000001",
		"0.00000000000000000000001", "1234567890123456789", "12345678901234567890",
		"9007199254740992", "9007199254740993", "16777216", "16777217", "16777218",
		"16777219", "33554433", "3.4028234e38", "3.4028235e38", "3.4028236e38",
		"3.40282356779733661637539395458142568448e38", "1e38", "1e39", "1e-38",
		"1.1754944e-38", "1.17549435e-38", "1.1754942e-38", "1e-45", "1e-46",
		"1.4e-45", "7e-46", "1e22", "1e23", "1e-22", "1e-23", "4.7019774e-38",
		"0.1", "0.2", "0.3", "1.00000005960464477539062", "1.0000000596046448",
		"1.00000017881393432617188", "-0.038772512", "123456789e-22",
		"1e1000000000", "1e-1000000000", "1.5e0005", "1.5E+05", "1.5e-05",
	};
	char		buf[96];

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		parse_check(fixed[i]);

	/* random digit strings, point anywhere, exponents -50..50 */
	for (int i = 0; i < 1500000; i++)
	{
		int			nd = 1 + (int) (rng_next() % 22);
		int			point = (int) (rng_next() % (nd + 2)) - 1; /* -1: no point */
		int			len = 0;

		if (rng_next() % 3 == 0)
			buf[len++] = rng_next() % 2 ? '-' : '+';
		for (int d = 0; d < nd; d++)
		{
			if (d == point)
				buf[len++] = '.';
			buf[len++] = (char) ('0' + (d == 0 && rng_next() % 4 ? 1 + rng_next() % 9 : rng_next() % 10));
		}
		if (point == nd)
			buf[len++] = '.';
		if (rng_next() % 2)
			len += snprintf(buf + len, sizeof(buf) - len, "e%d", (int) (rng_next() % 101) - 50);
		buf[len] = '\0';
		parse_check(buf);
	}

	/* renderings of random floats (random bit patterns: every exponent) */
	for (int i = 0; i < 500000; i++)
	{
		uint32_t	bits = (uint32_t) rng_next();
		float		x;
		static const char *fmts[] = {"%.9g", "%.8g", "%.6g", "%.3g", "%a", "%.12e"};

		memcpy(&x, &bits, sizeof(x));
		if (!isfinite(x))
			continue;
		snprintf(buf, sizeof(buf), fmts[i % 6], (double) x);
		parse_check(buf);
	}

	/* values like embeddings' (|x| < 1, 6..9 digits) and their midpoints */
	for (int i = 0; i < 500000; i++)
	{
		float		x = (float) ((double) (rng_next() % 2000001) / 1e6 - 1.0);
		float		y = nextafterf(x, INFINITY);
		double		mid = ((double) x + (double) y) / 2;

		snprintf(buf, sizeof(buf), "%.9g", (double) x);
		parse_check(buf);
		/* the exact midpoint (%.17g is not always exact: use 40 digits) */
		snprintf(buf, sizeof(buf), "%.40g", mid);
		parse_check(buf);
		snprintf(buf, sizeof(buf), "%.17g", mid);
		parse_check(buf);
		snprintf(buf, sizeof(buf), "%.17g", nextafter(mid, 0));
		parse_check(buf);
		snprintf(buf, sizeof(buf), "%.17g", nextafter(mid, 2));
		parse_check(buf);
	}

	/* integers around float's 24-bit limit: 2^24 .. 2^26, every parity */
	for (long v = (1L << 24) - 100; v < (1L << 24) + 100000; v++)
	{
		snprintf(buf, sizeof(buf), "%ld", v * (v % 7 == 0 ? 4 : 1));
		parse_check(buf);
	}

	printf("vx_strtof = strtof (value bits, end, errno): %ld passed, %ld failed "
		   "(%ld on the fast path)\n", parse_passed, parse_failed, parse_fast);
	total_passed += parse_passed;
	total_failed += parse_failed;
}

static void
test_type_kernels(void)
{
	test_half_conversions();
	test_half_distances();
	test_bit_kernels();
	printf("halfvec and bit kernels (conversions, f16 distances, popcount): "
		   "%ld passed, %ld failed\n", type_passed, type_failed);
	total_passed += type_passed;
	total_failed += type_failed;
}

int
main(int argc, char **argv)
{
	int			max_dim = DEFAULT_MAX_DIM;
	int			alloc_dim;
	uint32_t	f;
	Guarded		gfa,
				gfb,
				gua,
				gub,
				gq;

	for (int i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--max-dim") == 0 && i + 1 < argc)
			max_dim = atoi(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			rng_state = strtoull(argv[++i], NULL, 0) | 1;
		else
		{
			fprintf(stderr, "usage: %s [--max-dim N] [--seed S]\n", argv[0]);
			return 2;
		}
	}
	if (max_dim < 1)
		max_dim = 1;

	vx_kernels_init();
	f = vx_cpu_features();
	printf("cpu features:%s%s%s%s%s (VECIDX_SIMD=%s)\n",
		   f & VX_CPU_AVX2 ? " avx2+fma" : "",
		   f & VX_CPU_IMUL2 ? " imul2" : "",
		   f & VX_CPU_AVX512 ? " avx512f/bw/vl" : "",
		   f & VX_CPU_VNNI ? " avx512vnni" : "",
		   f == 0 ? " (none used)" : "",
		   getenv("VECIDX_SIMD") ? getenv("VECIDX_SIMD") : "unset");
	check_selection();
	check_imul_pipes();

	printf("tables compiled in:");
	for (int i = 0; i < vx_kernels_count(); i++)
	{
		const VxKernels *k = vx_kernels_nth(i);
		int			runs = (k->cpu_required & f) == k->cpu_required;

		printf(" %s%s", k->name, runs ? "" : " (not run: CPU or VECIDX_SIMD excludes it)");
		if (runs && ntables < MAX_TABLES)
			tables[ntables++] = k;
	}
	printf("\n");
	if (tables[0] != &vx_kernels_scalar)
	{
		printf("FAIL: scalar table is not first\n");
		return 1;
	}

	alloc_dim = max_dim > LARGE_DIM_MAX ? max_dim : LARGE_DIM_MAX;
	gfa = guarded_alloc(sizeof(float) * alloc_dim);
	gfb = guarded_alloc(sizeof(float) * alloc_dim);
	gq = guarded_alloc(sizeof(float) * alloc_dim);
	gua = guarded_alloc(alloc_dim);
	gub = guarded_alloc(alloc_dim);

	/* every n in 1..max_dim, then a few large ones */
	for (int step = 0; step < max_dim + NUM_LARGE_DIMS; step++)
	{
		int			n = step < max_dim ? step + 1 : large_dims[step - max_dim];
		float	   *a = guarded_tail(gfa, n, sizeof(float));
		float	   *b = guarded_tail(gfb, n, sizeof(float));
		float	   *q = guarded_tail(gq, n, sizeof(float));
		uint8_t    *ua = guarded_tail(gua, n, 1);
		uint8_t    *ub = guarded_tail(gub, n, 1);

		for (int fp = 0; fp < NUM_FP; fp++)
		{
			fill_float_pattern(fp, a, b, n);
			test_float_pair(n, fp, a, b);
		}

		for (int cp = 0; cp < NUM_CP; cp++)
		{
			char		name[64];

			fill_code_pattern(cp, ua, ub, n);
			test_code_pair(n, cp, ua, ub);

			/* asymmetric: several query patterns against these codes */
			for (int fp = 0; fp < NUM_FP; fp++)
			{
				fill_float_pattern(fp, q, b, n);
				if (fp == FP_UNIFORM || fp == FP_NEGPOS)
				{
					for (int i = 0; i < n; i++)
						q[i] *= 300.0f; /* spans and exceeds the code range */
				}
				snprintf(name, sizeof(name), "q=%s,c=%s", fp_names[fp], cp_names[cp]);
				test_query_code(n, name, q, ub);
			}
			/* query equal to the codes: l2sq and l1 exactly 0 */
			for (int i = 0; i < n; i++)
				q[i] = ub[i];
			snprintf(name, sizeof(name), "q=c=%s", cp_names[cp]);
			test_query_code(n, name, q, ub);
		}
	}

	for (int t = 0; t < ntables; t++)
	{
		for (int k = 0; k < NUM_KERNELS; k++)
		{
			KernelStats *st = &stats[t][k];

			if (k >= K_L2SQ_U8 && k <= K_L1_U8)
				printf("%-10s %-10s %7ld passed %5ld failed  bit-exact\n",
					   tables[t]->name, kernel_names[k], st->passed, st->failed);
			else
				printf("%-10s %-10s %7ld passed %5ld failed  max|r-scalar|/S %.2e  max|r-exact|/S %.2e\n",
					   tables[t]->name, kernel_names[k], st->passed, st->failed,
					   st->max_rel_scalar, st->max_rel_exact);
			total_passed += st->passed;
			total_failed += st->failed;
		}
	}
	test_type_kernels();
	test_float_parse();
	printf("dims 1..%d, 4095, 4096, 8191, 12345, 16000; SIMD float bound at n=%d: %.2e * S, at n=16000: %.2e * S\n",
		   max_dim, max_dim, gamma_m((max_dim + 7) / 8 + 24), gamma_m(16000 / 8 + 24));
	printf("%ld comparisons skipped (sum |term| > FLT_MAX/4: partial sums may overflow in some orders)\n",
		   total_skipped);
	printf("%ld passed, %ld failed\n", total_passed, total_failed);
	return total_failed == 0 ? 0 : 1;
}
