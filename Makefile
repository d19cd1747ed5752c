# sandbench: `make` builds, `make run` runs the default suite, `make test`
# runs the tests.  Both first install missing Debian packages (bench/deps.sh).

CC ?= cc
PKG_CONFIG ?= pkg-config
PYTHON_PC := python-3.11-embed
LIBS_PC := $(PYTHON_PC) jansson zlib

# The native twins' libraries are optional: a missing one removes only its
# twins (HAVE_LIBXML2 and friends), and `sandbench list` says why.
have_pc = $(shell $(PKG_CONFIG) --exists $(1) 2>/dev/null && echo 1)
ifeq ($(call have_pc,libxml-2.0),1)
LIBS_PC += libxml-2.0
CPPFLAGS += -DHAVE_LIBXML2=1
endif
ifeq ($(call have_pc,libpcre2-8),1)
LIBS_PC += libpcre2-8
CPPFLAGS += -DHAVE_PCRE2=1
endif
ifeq ($(call have_pc,sqlite3),1)
LIBS_PC += sqlite3
CPPFLAGS += -DHAVE_SQLITE3=1
endif

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers -Wno-format-truncation
PY_PREFIX := $(shell $(PKG_CONFIG) --variable=prefix $(PYTHON_PC) 2>/dev/null)
CPPFLAGS += -D_GNU_SOURCE -MMD -MP \
	-DPY_PREFIX='"$(PY_PREFIX)"' \
	-DPY_STDLIB_DIR='"$(PY_PREFIX)/lib/python3.11"' \
	-DPY_DYNLOAD_DIR='"$(PY_PREFIX)/lib/python3.11/lib-dynload"' \
	$(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
LDLIBS += $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null) -lm

BUILD := build
BIN := sandbench

# `make test SANITIZE=1`: AddressSanitizer and UndefinedBehaviorSanitizer, in
# a folder of their own so that sanitized and plain objects never mix.
# tests/sanitize.c gives the defaults of processes that do not get the test
# environment (workers, containers); SAN_ENV asks for leak checks in those
# that do: the parent of a run or matrix, compare, report, the unit tests.
ifdef SANITIZE
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
BUILD := build-san
BIN := build-san/sandbench
SAN_OBJ := $(BUILD)/tests/sanitize.o
SAN_ENV := ASAN_OPTIONS=detect_leaks=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	SANDBENCH_IMAGE_DIR=$${SANDBENCH_IMAGE_DIR:-/var/tmp/sandbench-image-san}
endif

HARNESS_SRC := $(filter-out bench/main.c,$(wildcard bench/*.c))
NATIVE_SRC := $(wildcard categories/*/*.c)
CONTAINERS_SRC := $(wildcard containers/*.c containers/drivers/*.c)
EMBED_SRC := $(wildcard embed/*.c)
PY_SOURCES := $(sort $(wildcard categories/*/*.py) $(wildcard embed/*.py))
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(HARNESS_SRC) $(NATIVE_SRC) $(EMBED_SRC) $(CONTAINERS_SRC)) \
	$(BUILD)/sources.o $(SAN_OBJ)
MAIN_OBJ := $(BUILD)/bench/main.o

TEST_SRC := $(wildcard tests/test_*.c) tests/support.c
TEST_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRC))
TEST_BIN := $(BUILD)/tests/unit
SMOKE_BIN := $(BUILD)/tests/smoke_embed

DEPS := $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(SMOKE_BIN).d

.PHONY: all deps run test clean results bench-harness

all: $(BIN)

deps:
	@bench/deps.sh

$(BIN): $(LIB_OBJ) $(MAIN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# The workload sources are built into the binary with .incbin.
$(BUILD)/sources.S: bench/gen-sources.sh $(PY_SOURCES) | $(BUILD)
	bench/gen-sources.sh $(PY_SOURCES) > $@
$(BUILD)/sources.o: $(BUILD)/sources.S $(PY_SOURCES)
	$(CC) -c -o $@ $<
$(BUILD):
	@mkdir -p $@

run: deps
	@$(MAKE) --no-print-directory $(BIN)
	./$(BIN) run

$(TEST_BIN): $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell $(PKG_CONFIG) --libs criterion)

$(SMOKE_BIN): tests/smoke_embed.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests (Criterion), the non-forked embedding smoke test, then the
# end-to-end tests of the binary.
test: deps
	@bench/deps.sh --test
	@$(MAKE) --no-print-directory $(BIN) $(TEST_BIN) $(SMOKE_BIN)
	$(SAN_ENV) $(SMOKE_BIN)
	$(SAN_ENV) SANDBENCH=$(CURDIR)/$(BIN) SANDBENCH_ROOT=$(CURDIR) $(TEST_BIN) --jobs 2

# RESULTS.md from a real matrix (native, runc, crun, runsc) on this machine.
results: deps
	@bench/deps.sh --test
	@$(MAKE) --no-print-directory $(BIN)
	bench/results.sh

# How well sandbench uses machine time here (bench/harness.sh says what).
bench-harness: deps
	@bench/deps.sh --test
	@$(MAKE) --no-print-directory $(BIN)
	bench/harness.sh

# Fuzzing with clang's libFuzzer (tests/fuzz/): each target runs from its
# seed corpus for FUZZ_SECONDS; a crash stops `make fuzz` and leaves the
# input in build-fuzz/artifacts/.  fuzz_cli gets bench/main.c as a library
# and --wrap stubs, so that no worker or container starts.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build-fuzz
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB_OBJ := $(patsubst $(BUILD)/%,$(FUZZ_BUILD)/%,$(filter-out $(SAN_OBJ),$(LIB_OBJ))) \
	$(FUZZ_BUILD)/tests/fuzz/fuzz.o
FUZZ_WRAP := -Wl,--wrap=runner_run,--wrap=ctr_session_start,--wrap=ctr_driver_available \
	-Wl,--wrap=ctr_driver_version,--wrap=ctr_image_ensure
FUZZ_OPTIONS := -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 \
	-print_final_stats=1 -artifact_prefix=$(CURDIR)/$(FUZZ_BUILD)/artifacts/
DEPS += $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BUILD)/bench/main-fuzz.d

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_TARGETS)

fuzz: deps
	@bench/deps.sh --fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@mkdir -p $(FUZZ_BUILD)/artifacts
	@set -e; for t in $(FUZZ_TARGETS); do \
		name=$$(basename $$t); \
		mkdir -p $(FUZZ_BUILD)/corpus/$$name; \
		echo "== $$name: $(FUZZ_SECONDS) s"; \
		$$t $(FUZZ_OPTIONS) -close_fd_mask=$$([ $$name = fuzz_cli ] && echo 3 || echo 0) \
			$(CURDIR)/$(FUZZ_BUILD)/corpus/$$name $(CURDIR)/tests/fuzz/corpus/$$name; \
	done

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(WARN) -Wno-unknown-warning-option -c -o $@ $<
$(FUZZ_BUILD)/bench/main-fuzz.o: bench/main.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(WARN) -Wno-unknown-warning-option -Dmain=sandbench_main -c -o $@ $<
$(FUZZ_BUILD)/sources.o: $(BUILD)/sources.S $(PY_SOURCES)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -c -o $@ $<
$(FUZZ_BUILD)/fuzz_cli: $(FUZZ_BUILD)/bench/main-fuzz.o
$(FUZZ_BUILD)/fuzz_cli: FUZZ_LDFLAGS = $(FUZZ_WRAP)
$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_LDFLAGS) -o $@ $^ $(LDLIBS)

clean:
	rm -rf build build-san build-fuzz sandbench

-include $(DEPS)
