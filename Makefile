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
	src/vector_cost.o \
	src/simd/avx2.o \
	src/simd/avx512.o \
	src/simd/avx2_types.o \
	src/halfvec.o \
	src/bitvec.o \
	src/sparsevec.o \
	src/sparsevecio.o

HNSW_OBJS = $(patsubst %.c,%.o,$(wildcard src/hnsw/*.c))
OBJS += $(HNSW_OBJS)

# install scripts: sql/vecidx--<version>.sql and sql/vecidx--<from>--<to>.sql.
# The install script of the current version is built (below): 0.1.0's install
# script followed by the 0.1.0 -> 0.2.0 update, so a fresh install runs the
# same statements as an update and the two cannot drift apart.
DATA_built = sql/vecidx--0.2.0.sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/vecidx--*.sql))

# every other sql/*.sql file is a pg_regress test (expected output in expected/)
REGRESS = $(sort $(patsubst sql/%.sql,%,$(filter-out sql/vecidx--%,$(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=vecidx

EXTRA_CLEAN = test/kernels/test_kernels test/kernels/bench_kernels

PG_CPPFLAGS = -I$(srcdir)/src

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# the update script's \echo guard is dropped: in an install script it would
# end the script there (the 0.1.0 script's own guard stays at the top)
sql/vecidx--0.2.0.sql: sql/vecidx--0.1.0.sql sql/vecidx--0.1.0--0.2.0.sql
	{ echo '-- vecidx 0.2.0 install script, built by make from'; \
	  echo '-- vecidx--0.1.0.sql and vecidx--0.1.0--0.2.0.sql: edit those, not this file'; \
	  sed '1{/^-- vecidx 0.1.0 install script$$/d;}' $<; \
	  sed '/^\\echo /d' $(word 2,$^); } > $@

# --- distance kernels: standalone test and benchmark (no server) ------------
# Built with the extension's own CC and CFLAGS (PGXS -O2 plus PG_CFLAGS), no
# -march: the SIMD code selects itself at run time.  See test/kernels/.
KERNEL_SRCS = src/distance.c src/simd/avx2.c src/simd/avx512.c src/simd/avx2_types.c
KERNEL_DEPS = $(KERNEL_SRCS) src/distance.h src/half.h src/floatparse.h $(wildcard src/simd/*.h)
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
$(OBJS): $(wildcard $(srcdir)/src/*.h $(srcdir)/src/simd/*.h $(srcdir)/src/hnsw/*.h)

# --- fuzzing and sanitizers (test/fuzz/, README "Tests") --------------------
# libFuzzer targets over the pure I/O cores (src/vectorio.c, src/sparsevecio.c), built with
# clang and ASan+UBSan; libFuzzer comes with clang's runtime (Debian package
# libclang-rt-14-dev).  vectorio.c calls libpgcommon's shortest-decimal
# formatter, linked statically from the server's libpgcommon.a (which needs
# libpgport.a for its frontend palloc's error printing).
FUZZ_CC ?= clang-14
SAN_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
FUZZ_TARGETS = test/fuzz/fuzz_text test/fuzz/fuzz_binary test/fuzz/fuzz_sparse
FUZZ_SECONDS ?= 30
FUZZ_OUT ?= fuzz-out
PGCOMMON_A = $(shell $(PG_CONFIG) --pkglibdir)/libpgcommon.a \
	$(shell $(PG_CONFIG) --pkglibdir)/libpgport.a
EXTRA_CLEAN += $(FUZZ_TARGETS) test/kernels/test_kernels_san

FUZZ_CORES = src/vectorio.c src/sparsevecio.c
test/fuzz/fuzz_%: test/fuzz/fuzz_%.c test/fuzz/fuzz_common.h $(FUZZ_CORES) src/vectorio.h \
		src/sparsevecio.h src/half.h
	$(FUZZ_CC) $(PG_CFLAGS) $(SAN_CFLAGS) -fsanitize=fuzzer -I$(srcdir)/src \
		-I$(includedir_server) -o $@ $< $(FUZZ_CORES) $(PGCOMMON_A) -lm

# the kernel test under ASan+UBSan (same sources as kernel-test)
test/kernels/test_kernels_san: test/kernels/test_kernels.c $(KERNEL_DEPS)
	$(FUZZ_CC) $(PG_CFLAGS) $(SAN_CFLAGS) $(KERNEL_CFLAGS) -I$(srcdir)/src \
		-o $@ $< $(KERNEL_SRCS) -lm

.PHONY: fuzz fuzz-run kernel-test-san
fuzz: $(FUZZ_TARGETS)

# each target for FUZZ_SECONDS from its seed corpus; new inputs and any
# crash file go to FUZZ_OUT, the corpus in the tree is only read
fuzz-run: $(FUZZ_TARGETS)
	test/fuzz/run-fuzz $(FUZZ_SECONDS) $(FUZZ_OUT) $(FUZZ_TARGETS)

kernel-test-san: test/kernels/test_kernels_san
	UBSAN_OPTIONS=print_stacktrace=1 test/kernels/test_kernels_san
