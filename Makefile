# sandbench: `make` builds, `make run` runs the default suite, `make test`
# runs the tests.  Both first install missing Debian packages (bench/deps.sh).

CC ?= cc
PKG_CONFIG ?= pkg-config
PYTHON_PC := python-3.11-embed
LIBS_PC := jansson zlib

# A user's CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS replace the defaults below;
# what sandbench needs (SB_*) is added to them, not overridden with them.
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers -Wno-format-truncation

# The native twins' libraries are optional: a missing one removes only its
# twins (HAVE_LIBXML2 and friends), and `sandbench list` says why.
have_pc = $(shell $(PKG_CONFIG) --exists $(1) 2>/dev/null && echo 1)
ifeq ($(call have_pc,libxml-2.0),1)
LIBS_PC += libxml-2.0
SB_CPPFLAGS += -DHAVE_LIBXML2=1
endif
ifeq ($(call have_pc,libpcre2-8),1)
LIBS_PC += libpcre2-8
SB_CPPFLAGS += -DHAVE_PCRE2=1
endif
ifeq ($(call have_pc,sqlite3),1)
LIBS_PC += sqlite3
SB_CPPFLAGS += -DHAVE_SQLITE3=1
endif

# The libraries every build needs, with the Debian package of each: a
# missing one stops the build before the first compile (see $(BUILD)/CFLAGS);
# the unit tests' before their first compile.
REQUIRED_PC := $(PYTHON_PC):libpython3.11-dev jansson:libjansson-dev zlib:zlib1g-dev
TEST_PC := criterion:libcriterion-dev

PY_PREFIX := $(shell $(PKG_CONFIG) --variable=prefix $(PYTHON_PC) 2>/dev/null)
SB_CPPFLAGS += -D_GNU_SOURCE -MMD -MP -iquote . \
	-DPY_PREFIX='"$(PY_PREFIX)"' \
	-DPY_STDLIB_DIR='"$(PY_PREFIX)/lib/python3.11"' \
	-DPY_DYNLOAD_DIR='"$(PY_PREFIX)/lib/python3.11/lib-dynload"' \
	$(shell $(PKG_CONFIG) --cflags $(PYTHON_PC) $(LIBS_PC) 2>/dev/null)
SB_LDLIBS := $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null) -lm

# libpython: static when its archive is installed, linked as Debian links
# its own python3 (non-PIE, symbols exported so that the extension modules
# of lib-dynload resolve against the binary): position-independent code in
# libpython3.11.so costs the interpreter time on every call.  The archive,
# its libraries and the linker options come from the sysconfig of the
# python3.11 that pkg-config found.  `make PYTHON_LINK=shared` links the
# shared library instead.
py_config = $(shell $(PY_PREFIX)/bin/python3.11 -c 'import sysconfig; \
	print(" ".join(sysconfig.get_config_var(k) or "" for k in "$(1)".split()))' 2>/dev/null)
PY_LIBPL := $(call py_config,LIBPL)
PY_LIBRARY := $(call py_config,LIBRARY)
PY_ARCHIVE := $(if $(PY_LIBPL),$(if $(PY_LIBRARY),$(PY_LIBPL)/$(PY_LIBRARY)))
PY_LDLIBS_shared := $(shell $(PKG_CONFIG) --libs $(PYTHON_PC) 2>/dev/null)
PY_LDFLAGS_shared :=
PY_LDLIBS_static := $(PY_ARCHIVE) $(strip $(call py_config,MODLIBS LIBS SYSLIBS))
PY_LDFLAGS_static := -no-pie $(call py_config,LINKFORSHARED)
# A sanitized build keeps the shared library: speed does not matter there,
# and the leak suppressions (tests/lsan.supp) name libpython3.11.so.
ifndef PYTHON_LINK
ifdef SANITIZE
PYTHON_LINK := shared
else
PYTHON_LINK := $(if $(wildcard $(PY_ARCHIVE)),static,shared)
endif
endif
ifeq ($(filter static shared,$(PYTHON_LINK)),)
$(error PYTHON_LINK=$(PYTHON_LINK): must be static or shared)
endif

BUILD := build
BIN := sandbench

# `make test SANITIZE=1`: AddressSanitizer and UndefinedBehaviorSanitizer, in
# a folder of their own so that sanitized and plain objects never mix.
# tests/sanitize.c gives the defaults of processes that do not get the test
# environment (workers, containers); SAN_ENV asks for leak checks in those
# that do: the parent of a run or matrix, compare, report, the unit tests.
ifdef SANITIZE
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
BUILD := build-san
BIN := build-san/sandbench
SAN_OBJ := $(BUILD)/tests/sanitize.o
SAN_ENV := ASAN_OPTIONS=detect_leaks=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	SANDBENCH_IMAGE_DIR=$${SANDBENCH_IMAGE_DIR:-/var/tmp/sandbench-image-san}
endif

ALL_CFLAGS = $(SB_CPPFLAGS) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(WARN)
ALL_LDFLAGS = $(PY_LDFLAGS_$(PYTHON_LINK)) $(SAN_FLAGS) $(LDFLAGS)
ALL_LDLIBS = $(PY_LDLIBS_$(PYTHON_LINK)) $(SB_LDLIBS) $(LDLIBS)

# Short build lines, as git and the kernel print them; `make V=1` for the
# whole commands, `make -s` for none.
ifneq ($(V),1)
ifeq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
QUIET_CC = @echo '  CC $(patsubst $(BUILD)/%,%,$@)';
QUIET_LINK = @echo '  LINK $@';
QUIET_GEN = @echo '  GEN $@';
else
QUIET_CC = @
QUIET_LINK = @
QUIET_GEN = @
endif
endif

# Every .c of a top folder and of its subfolders (bench/ has only
# subfolders: lib, harness, report, cmd); bench/cmd/main.c apart, as the
# unit tests and the fuzz targets link the rest without it.
BENCH_SRC := $(filter-out bench/cmd/main.c,$(wildcard bench/*/*.c))
NATIVE_SRC := $(wildcard categories/*.c categories/*/*.c)
CONTAINERS_SRC := $(wildcard containers/*.c containers/*/*.c)
EMBED_SRC := $(wildcard embed/*.c embed/*/*.c)
PY_SOURCES := $(sort $(wildcard categories/*/*.py) $(wildcard embed/*.py))
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(BENCH_SRC) $(NATIVE_SRC) $(EMBED_SRC) $(CONTAINERS_SRC)) \
	$(BUILD)/sources.o $(SAN_OBJ)
MAIN_OBJ := $(BUILD)/bench/cmd/main.o

TEST_SRC := $(wildcard tests/test_*.c) tests/support.c
TEST_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRC))
TEST_BIN := $(BUILD)/tests/unit
SMOKE_BIN := $(BUILD)/tests/smoke_embed
# The smoke test linked the other way too, so that `make test` covers both
# (not in a sanitized build: see PYTHON_LINK).
OTHER_LINK := $(if $(filter static,$(PYTHON_LINK)),shared,static)
OTHER_BIN := $(if $(filter static,$(OTHER_LINK)),$(if $(wildcard $(PY_ARCHIVE)),$(BUILD)/sandbench-static),$(BUILD)/sandbench-shared)
SMOKE_OTHER := $(if $(SANITIZE),,$(if $(OTHER_BIN),$(SMOKE_BIN)-$(OTHER_LINK)))

DEPS := $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(SMOKE_BIN).d

.PHONY: all deps run test test-installed clean results bench-harness bench-harness-installed \
	check-test-libs FORCE

all: $(BIN)

deps:
	@bench/deps.sh

# What a build depends on beyond its files, each in a file rewritten only
# when it changes (git's GIT-CFLAGS): the compile flags (installing
# libxml2-dev rebuilds every object), the link (a deleted source or a new
# PYTHON_LINK relinks) and the list of workloads (a deleted .py leaves the
# binary).  The compile flags' file also checks that pkg-config finds the
# libraries every build needs, naming the package to install.
TRACK_CFLAGS = $(CC) $(ALL_CFLAGS)
TRACK_LINK = $(CC) $(ALL_LDFLAGS) $(ALL_LDLIBS) $(sort $(LIB_OBJ) $(TEST_OBJ))
TRACK_FUZZ = $(FUZZ_CC) $(FUZZ_ALL_CFLAGS)
# $(call track,FILE,VARIABLE)
define track
	@new='$(subst ','\'',$($(2)))'; \
	if [ "$$new" != "$$(cat $(1) 2>/dev/null)" ]; then \
		[ ! -f $(1) ] || echo '  FLAGS $(1): changed, rebuilding'; \
		printf '%s\n' "$$new" > $(1); \
	fi
endef

# $(call check_pc,PC:PACKAGE...): stop, naming the package to install,
# when pkg-config is missing or cannot find a library.
define check_pc
	@command -v $(PKG_CONFIG) >/dev/null || { \
		echo "sandbench: $(PKG_CONFIG) is missing: install pkg-config (or run make deps)" >&2; exit 1; }
	@for pair in $(1); do \
		$(PKG_CONFIG) --exists $${pair%%:*} && continue; \
		echo "sandbench: pkg-config cannot find $${pair%%:*}: install $${pair#*:} (or run make deps)" >&2; \
		exit 1; \
	done
endef

$(BUILD)/CFLAGS: FORCE | $(BUILD)
	$(call check_pc,$(REQUIRED_PC))
	$(call track,$@,TRACK_CFLAGS)
check-test-libs:
	$(call check_pc,$(TEST_PC))
$(TEST_OBJ): | check-test-libs
$(BUILD)/LINK: FORCE | $(BUILD)
	@[ $(PYTHON_LINK) = shared ] || [ -f '$(PY_ARCHIVE)' ] || { echo "sandbench: PYTHON_LINK=static \
		needs $(PY_ARCHIVE): install libpython3.11-dev (or make PYTHON_LINK=shared)" >&2; exit 1; }
	$(call track,$@,TRACK_LINK)
$(BUILD)/PY-SOURCES: FORCE | $(BUILD)
	$(call track,$@,PY_SOURCES)

$(BIN): $(LIB_OBJ) $(MAIN_OBJ) $(BUILD)/LINK
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(LIB_OBJ) $(MAIN_OBJ) $(ALL_LDLIBS)

$(BUILD)/%.o: %.c $(BUILD)/CFLAGS
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The workload sources and the study's table are built into the binary
# with .incbin; an edit of any of them rewrites sources.S.
THESIS_CSV := bench/report/thesis_kata_vs_crun.csv
$(BUILD)/sources.S: bench/gen-sources.sh $(PY_SOURCES) $(THESIS_CSV) $(BUILD)/PY-SOURCES
	$(QUIET_GEN)bench/gen-sources.sh --data thesis_csv $(THESIS_CSV) $(PY_SOURCES) > $@
$(BUILD)/sources.o: $(BUILD)/sources.S $(PY_SOURCES) $(THESIS_CSV) $(BUILD)/CFLAGS
	$(QUIET_CC)$(CC) -c -o $@ $<
$(BUILD):
	@mkdir -p $@

run: deps
	@$(MAKE) --no-print-directory $(BIN)
	./$(BIN) run

$(TEST_BIN): $(TEST_OBJ) $(LIB_OBJ) $(BUILD)/LINK
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_OBJ) $(LIB_OBJ) $(ALL_LDLIBS) \
		$(shell $(PKG_CONFIG) --libs criterion)

$(SMOKE_BIN): $(BUILD)/tests/smoke_embed.o $(LIB_OBJ) $(BUILD)/LINK
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/tests/smoke_embed.o $(LIB_OBJ) $(ALL_LDLIBS)
$(SMOKE_BIN)-%: $(BUILD)/tests/smoke_embed.o $(LIB_OBJ) $(BUILD)/LINK
	$(QUIET_LINK)$(CC) $(PY_LDFLAGS_$*) $(SAN_FLAGS) $(LDFLAGS) -o $@ \
		$(BUILD)/tests/smoke_embed.o $(LIB_OBJ) $(PY_LDLIBS_$*) $(SB_LDLIBS) $(LDLIBS)

$(BUILD)/sandbench-%: $(LIB_OBJ) $(MAIN_OBJ) $(BUILD)/LINK
	$(QUIET_LINK)$(CC) $(PY_LDFLAGS_$*) $(SAN_FLAGS) $(LDFLAGS) -o $@ \
		$(LIB_OBJ) $(MAIN_OBJ) $(PY_LDLIBS_$*) $(SB_LDLIBS) $(LDLIBS)

# Unit tests (Criterion), the non-forked embedding smoke test (linked both
# ways when libpython3.11.a is installed), then the end-to-end tests of the
# binary; a failed run ends with its failures (tests/print_failures.sh).
# The steps after deps.sh run in a new make, which sees what it installed.
test: deps
	@bench/deps.sh --test
	@$(MAKE) --no-print-directory test-installed

test-installed: $(BIN) $(TEST_BIN) $(SMOKE_BIN) $(SMOKE_OTHER)
	bench/code_shape.py --check
	$(SAN_ENV) $(SMOKE_BIN)
	$(if $(SMOKE_OTHER),$(SAN_ENV) $(SMOKE_OTHER))
	$(SAN_ENV) SANDBENCH=$(CURDIR)/$(BIN) SANDBENCH_ROOT=$(CURDIR) SANDBENCH_PYTHON_LINK=$(PYTHON_LINK) \
		$(TEST_BIN) --jobs 2 --tap=$(TEST_BIN).tap || \
		{ tests/print_failures.sh $(TEST_BIN).tap; exit 1; }

# RESULTS.md from a real matrix (native, runc, crun, runsc) on this machine.
results: deps
	@bench/deps.sh --test
	@$(MAKE) --no-print-directory $(BIN)
	bench/results.sh

# How well sandbench uses machine time here (bench/harness.sh says what),
# and how its times relate to python3's for both linkages of libpython.
bench-harness: deps
	@bench/deps.sh --test
	@$(MAKE) --no-print-directory bench-harness-installed

bench-harness-installed: $(BIN) $(OTHER_BIN)
	HARNESS_OTHER=$(OTHER_BIN) bench/harness.sh

# Fuzzing with clang's libFuzzer (tests/fuzz/): each target runs from its
# seed corpus for FUZZ_SECONDS; a crash stops `make fuzz` and leaves the
# input in build-fuzz/artifacts/.  fuzz_cli calls the commands' parse
# functions (bench/cmd/cmd.h), which start nothing.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build-fuzz
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB_OBJ := $(patsubst $(BUILD)/%,$(FUZZ_BUILD)/%,$(filter-out $(SAN_OBJ),$(LIB_OBJ))) \
	$(FUZZ_BUILD)/tests/fuzz/fuzz.o
FUZZ_OPTIONS := -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 \
	-print_final_stats=1 -artifact_prefix=$(CURDIR)/$(FUZZ_BUILD)/artifacts/
DEPS += $(FUZZ_LIB_OBJ:.o=.d)

# Objects reached only through pattern rules are kept, not deleted as
# intermediate files (which would rebuild them all the next time).
.SECONDARY:

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

FUZZ_ALL_CFLAGS = $(SB_CPPFLAGS) $(CPPFLAGS) $(FUZZ_CFLAGS) $(WARN) -Wno-unknown-warning-option
$(FUZZ_BUILD)/CFLAGS: FORCE
	@mkdir -p $(FUZZ_BUILD)
	$(call track,$@,TRACK_FUZZ)
$(FUZZ_BUILD)/%.o: %.c $(FUZZ_BUILD)/CFLAGS
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) -c -o $@ $<
$(FUZZ_BUILD)/sources.o: $(BUILD)/sources.S $(PY_SOURCES)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(FUZZ_CC) -c -o $@ $<
# The fuzz targets link the shared libpython: speed does not matter there.
$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(QUIET_LINK)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ \
		$(PY_LDLIBS_shared) $(SB_LDLIBS) $(LDLIBS)

clean:
	rm -rf build build-san build-fuzz sandbench

-include $(DEPS)
