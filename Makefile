# vecidx — PGXS build.  Warnings-as-errors and assertions come from CI (see .ci/run),
# not from here.  No -march flags: SIMD kernels carry their own target attributes and
# are chosen at run time (src/distance.c).

EXTENSION  = vecidx
MODULE_big = vecidx

OBJS = \
	src/vecidx.o \
	src/vector.o \
	src/vectorio.o \
	src/distance.o \
	src/distance_guc.o \
	src/quantize.o \
	src/simd/avx2.o \
	src/simd/avx512.o

HNSW_OBJS = $(patsubst %.c,%.o,$(wildcard src/hnsw/*.c))
OBJS += $(HNSW_OBJS)

# install scripts: sql/vecidx--<version>.sql and sql/vecidx--<from>--<to>.sql
DATA = $(wildcard sql/vecidx--*.sql)

# every other sql/*.sql file is a pg_regress test (expected output in expected/)
REGRESS = $(sort $(patsubst sql/%.sql,%,$(filter-out sql/vecidx--%,$(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=vecidx

EXTRA_CLEAN = test/kernels/test_kernels test/kernels/bench_kernels

PG_CPPFLAGS = -I$(srcdir)/src

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# --- distance kernels: standalone test and benchmark (no server) ------------
# Built with the extension's own CC and CFLAGS (PGXS -O2 plus PG_CFLAGS), no
# -march: the SIMD code selects itself at run time.  See test/kernels/.
KERNEL_SRCS = src/distance.c src/simd/avx2.c src/simd/avx512.c
KERNEL_DEPS = $(KERNEL_SRCS) src/distance.h
BENCH_OUT ?= bench-results/kernels.json
# e.g. KERNEL_CFLAGS=-DVECIDX_DISABLE_SIMD for the scalar-only build (use make -B)
KERNEL_CFLAGS ?=

test/kernels/test_kernels: test/kernels/test_kernels.c $(KERNEL_DEPS)
	$(CC) $(CFLAGS) $(KERNEL_CFLAGS) -I$(srcdir)/src -o $@ $< $(KERNEL_SRCS) -lm

test/kernels/bench_kernels: test/kernels/bench_kernels.c $(KERNEL_DEPS)
	$(CC) $(CFLAGS) $(KERNEL_CFLAGS) -I$(srcdir)/src -o $@ $< $(KERNEL_SRCS) -lm

.PHONY: kernel-test bench-kernels
kernel-test: test/kernels/test_kernels
	test/kernels/test_kernels

bench-kernels: test/kernels/bench_kernels
	@mkdir -p $(dir $(BENCH_OUT))
	test/kernels/bench_kernels $(BENCH_OUT)

# no automatic dependency tracking in PGXS: rebuild everything when a header changes
$(OBJS): $(wildcard $(srcdir)/src/*.h $(srcdir)/src/hnsw/*.h)
