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

ifdef SANITIZE
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

BUILD := build
BIN := sandbench

HARNESS_SRC := $(filter-out bench/main.c,$(wildcard bench/*.c))
NATIVE_SRC := $(wildcard categories/*/*.c)
CONTAINERS_SRC := $(wildcard containers/*.c containers/drivers/*.c)
EMBED_SRC := $(wildcard embed/*.c)
PY_SOURCES := $(sort $(wildcard categories/*/*.py) $(wildcard embed/*.py))
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(HARNESS_SRC) $(NATIVE_SRC) $(EMBED_SRC) $(CONTAINERS_SRC)) \
	$(BUILD)/sources.o
MAIN_OBJ := $(BUILD)/bench/main.o

TEST_SRC := $(wildcard tests/test_*.c)
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
	$(SMOKE_BIN)
	SANDBENCH=$(CURDIR)/$(BIN) SANDBENCH_ROOT=$(CURDIR) $(TEST_BIN) --jobs 2

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

clean:
	rm -rf $(BUILD) $(BIN)

-include $(DEPS)
