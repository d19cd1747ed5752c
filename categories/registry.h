/* The registry: every benchmark, in one explicit ordered table.  */
#ifndef BENCH_REGISTRY_H
#define BENCH_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

struct bench_error;

enum bench_kind {
	BENCH_PYTHON,	/* a workload run by the embedded interpreter */
	BENCH_PROCESS,	/* spawns processes of the binary itself */
	BENCH_NATIVE,	/* C code, no interpreter in the timed region */
};

/* A native workload.  run() does the work `loops` times; the harness times the
 * call unless run() stores the nanoseconds of its timed part in *elapsed_ns.
 * teardown() cannot fail and copes with a set-up that stopped halfway.  */
struct bench_native_ops {
	int (*setup)(void **state, struct bench_error *err);
	int (*run)(void *state, uint64_t loops, uint64_t *elapsed_ns,
		   struct bench_error *err);
	void (*teardown)(void *state);
	unsigned inner_loops;	/* operations per loop; 0 means 1 */
	/* setup() asks Python for its inputs (py_call_bytes): the worker starts
	 * the interpreter before it.  */
	int needs_python;
};

struct bench_def {
	const char *name;
	const char *category;
	enum bench_kind kind;
	/* Python workloads: "category/name", the file categories/<module>.py.  */
	const char *module;
	/* Debian package to install when the workload's import fails.  */
	const char *requires;
	/* Native workloads (and process ones written in C).  */
	const struct bench_native_ops *native;
};

/* The table, in the order benchmarks run, and its length.  */
extern const struct bench_def bench_registry[];
extern const size_t bench_registry_len;

/* Benchmarks left out of this build, with the reason ("built without
 * libxml2"), for `sandbench list`.  NULL-terminated pairs.  */
extern const char *const bench_registry_missing[][2];

const char *bench_kind_name(enum bench_kind kind);
const struct bench_def *bench_registry_find(const char *name);
int bench_registry_has_category(const char *category);

/* Pick benchmarks by comma-separated names and categories (union, in
 * registry order; NULL and NULL pick everything).  *out is owned by the
 * caller.  Unknown names fail with a message listing the valid ones.  */
int bench_registry_select(const char *names, const char *categories,
			  const struct bench_def ***out, size_t *n,
			  struct bench_error *err);

#endif
