/*-------------------------------------------------------------------------
 *
 * bench_kernels.c
 *	  Benchmark of the distance kernels (not a test: nothing is asserted).
 *
 * For 128, 768 and 1536 dimensions, every kernel of every table this CPU
 * runs (VECIDX_SIMD caps it, see distance.c) is timed as nanoseconds per
 * distance: one query against a pool of four base vectors (all in L1/L2
 * cache, warmed before timing; see --pool), calls through the table's function pointer
 * exactly as the extension makes them, results summed into a sink so no call
 * can be dropped.  Each figure is the median of REPEATS runs of about 2 ms.
 * Buffers are 64-byte aligned, like palloc'd chunks are not: the figures
 * are best-case for both scalar and SIMD code alike.
 *
 * Printed: a table of ns/distance per dimension, then ratios:
 *	- AVX2 and the best AVX-512 table against scalar, every float kernel;
 *	- uint8 against float32 at the same dimensions, within each SIMD table
 *	  (l2sq_u8 vs l2sq_f32, dot_u8 vs dot_f32, l1_u8 vs l1_f32).
 * The same figures go to a JSON file.
 *
 * Usage: bench_kernels [output.json] [--repeats N] [--calls N] [--dim N]
 *		[--pool N] [--min]
 *	(default output bench-results/kernels.json; the directory must exist)
 *
 * --min reports the fastest of 63 runs of about 0.2 ms instead of the median
 * of 15 runs of 2 ms (--repeats still sets the count): on a machine shared
 * with other work, a run that was interrupted or shared its core only comes
 * out slower, so the minimum of many short runs estimates the cost of a
 * kernel alone, and ratios between kernels measured seconds apart stay
 * comparable.  The median is the figure for a quiet machine.
 *
 * --pool N (a power of two, default 4) sets the number of base vectors; a
 * pool much larger than the L2 cache (e.g. --pool 16384 at 768 dims: 48 MB
 * of float32, 12 MB of codes) measures the memory-bound case a graph walk
 * meets, where the 4x smaller codes pay most.
 *
 * --calls N makes exactly N calls per kernel and dimension, once, without
 * warm-up: for instruction counts under valgrind --tool=callgrind, e.g.
 *	valgrind --tool=callgrind --callgrind-out-file=cg.out \
 *		test/kernels/bench_kernels /tmp/x.json --calls 1000 --dim 768
 *	callgrind_annotate --inclusive=yes --tree=calling cg.out | grep '=> .*_u8 '
 * (Ir / 1000 = instructions per distance, callees included; grep for
 * _f32 / _f32u8 likewise; --dim N times only that dimension;
 * valgrind has no AVX-512, so the detection stops at AVX2 there).
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "distance.h"

#define NDIMS 3
#define DEFAULT_POOL 4
#define MAX_TABLES 8
#define DEFAULT_REPEATS 15
#define DEFAULT_REPEATS_MIN 63
#define MAX_REPEATS 255
#define TARGET_NS 2e6			/* about 2 ms per timed run */
#define TARGET_NS_MIN 2e5		/* --min: about 0.2 ms per timed run */

static int dims[NDIMS] = {128, 768, 1536};
static int ndims = NDIMS;

enum
{
	K_L2SQ_F32, K_DOT_F32, K_L1_F32, K_COSINE_F32,
	K_L2SQ_U8, K_DOT_U8, K_L1_U8,
	K_L2SQ_F32U8, K_DOT_F32U8, K_L1_F32U8,
	NUM_KERNELS
};

static const char *const kernel_names[NUM_KERNELS] = {
	"l2sq_f32", "dot_f32", "l1_f32", "cosine_f32",
	"l2sq_u8", "dot_u8", "l1_u8",
	"l2sq_f32u8", "dot_f32u8", "l1_f32u8"
};

static const VxKernels *tables[MAX_TABLES];
static int	ntables;
static double result_ns[MAX_TABLES][NUM_KERNELS][NDIMS];
static long fixed_iters = 0;	/* --calls N: exactly N calls, no warm-up */
static int	use_min = 0;		/* --min: fastest run, not the median */

/* data: query and pool, float and uint8 */
static float *fq,
		  **fpool;
static uint8_t *uq,
		  **upool;
static long npool = DEFAULT_POOL;	/* power of two */

static volatile float sink_f;
static volatile uint32_t sink_u;

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static void *
alloc64(size_t bytes)
{
	void	   *p = aligned_alloc(64, (bytes + 63) / 64 * 64);

	if (p == NULL)
	{
		perror("aligned_alloc");
		exit(2);
	}
	return p;
}

/*
 * i-th base vector: an odd multiplier permutes the pool, so a large pool is
 * visited in an order the hardware prefetcher does not follow
 */
#define POOL_INDEX(i) ((size_t) (((uint64_t) (i) * 2654435761u) & (uint64_t) (npool - 1)))

/* call kernel kid of table k 'iters' times; returns elapsed ns */
static double
run(const VxKernels *k, int kid, int n, long iters)
{
	double		t0 = now_ns();
	float		sf = 0;
	uint32_t	su = 0;

	switch (kid)
	{
		case K_L2SQ_F32:
			for (long i = 0; i < iters; i++)
				sf += k->l2sq_f32(fq, fpool[POOL_INDEX(i)], n);
			break;
		case K_DOT_F32:
			for (long i = 0; i < iters; i++)
				sf += k->dot_f32(fq, fpool[POOL_INDEX(i)], n);
			break;
		case K_L1_F32:
			for (long i = 0; i < iters; i++)
				sf += k->l1_f32(fq, fpool[POOL_INDEX(i)], n);
			break;
		case K_COSINE_F32:
			for (long i = 0; i < iters; i++)
			{
				float		ab,
							aa,
							bb;

				k->cosine_f32(fq, fpool[POOL_INDEX(i)], n, &ab, &aa, &bb);
				sf += ab + aa + bb;
			}
			break;
		case K_L2SQ_U8:
			for (long i = 0; i < iters; i++)
				su += k->l2sq_u8(uq, upool[POOL_INDEX(i)], n);
			break;
		case K_DOT_U8:
			for (long i = 0; i < iters; i++)
				su += k->dot_u8(uq, upool[POOL_INDEX(i)], n);
			break;
		case K_L1_U8:
			for (long i = 0; i < iters; i++)
				su += k->l1_u8(uq, upool[POOL_INDEX(i)], n);
			break;
		case K_L2SQ_F32U8:
			for (long i = 0; i < iters; i++)
				sf += k->l2sq_f32u8(fq, upool[POOL_INDEX(i)], n);
			break;
		case K_DOT_F32U8:
			for (long i = 0; i < iters; i++)
				sf += k->dot_f32u8(fq, upool[POOL_INDEX(i)], n);
			break;
		case K_L1_F32U8:
			for (long i = 0; i < iters; i++)
				sf += k->l1_f32u8(fq, upool[POOL_INDEX(i)], n);
			break;
	}
	sink_f = sf;
	sink_u = su;
	return now_ns() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/*
 * median ns per call over 'repeats' runs of about TARGET_NS each, or with
 * --min the fastest of 'repeats' runs of about TARGET_NS_MIN
 */
static double
measure(const VxKernels *k, int kid, int n, int repeats)
{
	double		samples[MAX_REPEATS];
	double		target = use_min ? TARGET_NS_MIN : TARGET_NS;
	double		est;
	long		iters;

	if (fixed_iters > 0)
		return run(k, kid, n, fixed_iters) / fixed_iters;

	/* warm caches and branch predictors, estimate the cost */
	run(k, kid, n, 1000);
	est = run(k, kid, n, 1000) / 1000;
	iters = (long) (target / (est > 1 ? est : 1));
	if (iters < (use_min ? 100 : 1000))
		iters = use_min ? 100 : 1000;

	for (int r = 0; r < repeats; r++)
		samples[r] = run(k, kid, n, iters) / iters;
	qsort(samples, repeats, sizeof(double), cmp_double);
	if (use_min)
		return samples[0];
	return repeats % 2 ? samples[repeats / 2]
		: (samples[repeats / 2 - 1] + samples[repeats / 2]) / 2;
}

static int
table_index(const char *name)
{
	for (int t = 0; t < ntables; t++)
		if (strcmp(tables[t]->name, name) == 0)
			return t;
	return -1;
}

/* the preferred AVX-512 table that runs here, or -1 */
static int
best_avx512_index(void)
{
	int			best = -1;

	for (int t = 0; t < ntables; t++)
		if (tables[t]->level == VX_SIMD_AVX512)
			best = t;
	return best;
}

static void
print_ratios(FILE *json)
{
	int			simd_tables[2] = {table_index("avx2"), best_avx512_index()};
	int			first = 1;

	printf("\nspeedup against scalar (scalar ns / SIMD ns):\n");
	fprintf(json, "  \"speedup_vs_scalar\": [\n");
	for (int s = 0; s < 2; s++)
	{
		int			t = simd_tables[s];

		if (t < 0)
			continue;
		for (int kid = 0; kid < NUM_KERNELS; kid++)
		{
			printf("  %-10s %-10s", tables[t]->name, kernel_names[kid]);
			for (int d = 0; d < ndims; d++)
			{
				double		r = result_ns[0][kid][d] / result_ns[t][kid][d];

				printf("  %4d: %6.2fx", dims[d], r);
				fprintf(json, "%s    {\"table\": \"%s\", \"kernel\": \"%s\", \"dim\": %d, \"ratio\": %.3f}",
						first ? "" : ",\n", tables[t]->name, kernel_names[kid], dims[d], r);
				first = 0;
			}
			printf("\n");
		}
	}
	fprintf(json, "\n  ],\n");

	printf("\nuint8 against float32 in the same table (f32 ns / u8 ns):\n");
	fprintf(json, "  \"u8_vs_f32\": [\n");
	first = 1;
	for (int t = 0; t < ntables; t++)
	{
		static const int pairs[3][2] = {
			{K_L2SQ_F32, K_L2SQ_U8}, {K_DOT_F32, K_DOT_U8}, {K_L1_F32, K_L1_U8}
		};

		for (int p = 0; p < 3; p++)
		{
			printf("  %-10s %-8s vs %-8s", tables[t]->name,
				   kernel_names[pairs[p][1]], kernel_names[pairs[p][0]]);
			for (int d = 0; d < ndims; d++)
			{
				double		r = result_ns[t][pairs[p][0]][d] / result_ns[t][pairs[p][1]][d];

				printf("  %4d: %5.2fx", dims[d], r);
				fprintf(json, "%s    {\"table\": \"%s\", \"u8\": \"%s\", \"f32\": \"%s\", \"dim\": %d, \"ratio\": %.3f}",
						first ? "" : ",\n", tables[t]->name, kernel_names[pairs[p][1]],
						kernel_names[pairs[p][0]], dims[d], r);
				first = 0;
			}
			printf("\n");
		}
	}
	fprintf(json, "\n  ]\n");
}

int
main(int argc, char **argv)
{
	const char *out = "bench-results/kernels.json";
	int			repeats = 0;
	int			maxdim = 0;
	uint32_t	f;
	FILE	   *json;
	int			first = 1;

	for (int i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--repeats") == 0 && i + 1 < argc)
			repeats = atoi(argv[++i]);
		else if (strcmp(argv[i], "--min") == 0)
			use_min = 1;
		else if (strcmp(argv[i], "--calls") == 0 && i + 1 < argc)
			fixed_iters = atol(argv[++i]);
		else if (strcmp(argv[i], "--pool") == 0 && i + 1 < argc)
		{
			npool = atol(argv[++i]);
			if (npool < 1 || (npool & (npool - 1)) != 0)
			{
				fprintf(stderr, "--pool must be a power of two\n");
				return 2;
			}
		}
		else if (strcmp(argv[i], "--dim") == 0 && i + 1 < argc)
		{
			dims[0] = atoi(argv[++i]);
			ndims = 1;
			if (dims[0] < 1 || dims[0] > 16000)
			{
				fprintf(stderr, "--dim must be in 1..16000\n");
				return 2;
			}
		}
		else if (argv[i][0] != '-')
			out = argv[i];
		else
		{
			fprintf(stderr, "usage: %s [output.json] [--repeats N] [--calls N] [--dim N] [--pool N] [--min]\n", argv[0]);
			return 2;
		}
	}
	if (repeats < 1)
		repeats = use_min ? DEFAULT_REPEATS_MIN : DEFAULT_REPEATS;
	if (repeats > MAX_REPEATS)
		repeats = MAX_REPEATS;
	for (int d = 0; d < ndims; d++)
		if (dims[d] > maxdim)
			maxdim = dims[d];

	vx_kernels_init();
	f = vx_cpu_features();
	for (int i = 0; i < vx_kernels_count() && ntables < MAX_TABLES; i++)
	{
		const VxKernels *k = vx_kernels_nth(i);

		if ((k->cpu_required & f) == k->cpu_required)
			tables[ntables++] = k;
	}

	/* data: uniform floats in [-1, 1), uniform codes */
	srand(12345);
	fq = alloc64(sizeof(float) * maxdim);
	uq = alloc64(maxdim);
	fpool = malloc(sizeof(float *) * npool);
	upool = malloc(sizeof(uint8_t *) * npool);
	if (fpool == NULL || upool == NULL)
		return 2;
	for (long p = 0; p < npool; p++)
	{
		fpool[p] = alloc64(sizeof(float) * maxdim);
		upool[p] = alloc64(maxdim);
	}
	for (int i = 0; i < maxdim; i++)
	{
		fq[i] = (float) ((double) rand() / RAND_MAX * 2 - 1);
		uq[i] = (uint8_t) rand();
		for (long p = 0; p < npool; p++)
		{
			fpool[p][i] = (float) ((double) rand() / RAND_MAX * 2 - 1);
			upool[p][i] = (uint8_t) rand();
		}
	}

	json = fopen(out, "w");
	if (json == NULL)
	{
		perror(out);
		return 2;
	}

	printf("ns per distance, %s of %d runs, pool of %ld base vectors (selected table: %s)\n",
		   use_min ? "fastest" : "median", repeats, npool, vx_kern->name);
	fprintf(json, "{\n  \"unit\": \"ns per distance (%s)\",\n  \"repeats\": %d,\n"
			"  \"pool\": %ld,\n  \"selected\": \"%s\",\n  \"compiler\": \"%s\",\n  \"results\": [\n",
			use_min ? "min" : "median", repeats, npool, vx_kern->name, __VERSION__);

	for (int d = 0; d < ndims; d++)
	{
		printf("\n%5d dims  %-10s", dims[d], "kernel");
		for (int t = 0; t < ntables; t++)
			printf(" %11s", tables[t]->name);
		printf("\n");
		for (int kid = 0; kid < NUM_KERNELS; kid++)
		{
			printf("            %-10s", kernel_names[kid]);
			for (int t = 0; t < ntables; t++)
			{
				double		ns = measure(tables[t], kid, dims[d], repeats);

				result_ns[t][kid][d] = ns;
				printf(" %11.2f", ns);
				fflush(stdout);
				fprintf(json, "%s    {\"table\": \"%s\", \"kernel\": \"%s\", \"dim\": %d, \"ns\": %.3f}",
						first ? "" : ",\n", tables[t]->name, kernel_names[kid], dims[d], ns);
				first = 0;
			}
			printf("\n");
		}
	}
	fprintf(json, "\n  ],\n");

	print_ratios(json);
	fprintf(json, "}\n");
	fclose(json);
	printf("\nwrote %s\n", out);
	return 0;
}
