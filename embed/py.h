/* The embedded interpreter: the only module that includes <Python.h>.  */
#ifndef EMBED_PY_H
#define EMBED_PY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bench_error;
struct py_workload;

struct py_options {
	const char *workloads_dir;	/* NULL: the sources built into the binary */
	int site;			/* import site (as python without -S) */
	long hash_seed;			/* -1: random, as Python's default */
	int bare;			/* no import hook: a plain interpreter start */
	const char *cache_dir;		/* sandbench.cache_dir, or NULL */
};

/* Start the one interpreter of this process: isolated config, explicit
 * module search paths, the built-in `sandbench` module and the import hook
 * for `categories.*`.  */
int py_init(const struct py_options *opts, struct bench_error *err);

/* Call categories/<module>.py's func() and copy the bytes (or str, encoded
 * as UTF-8) it returns into *out (NUL-terminated, owned by the caller).
 * Native twins use it in setup() to get exactly their Python twin's input
 * and expected results; they declare it (needs_python in their ops), and
 * the interpreter is started (py_init) before their setup().  */
int py_call_bytes(const char *module, const char *func, char **out, size_t *len,
		  struct bench_error *err);

/* Finalise the interpreter; -1 if Py_FinalizeEx reports an error.  */
int py_finalize(struct bench_error *err);

/* fork(), with the interpreter's own hooks around it when it runs
 * (os.register_at_fork callbacks: random reseeds in the child, the
 * threading module forgets the parent's threads): what a process that
 * forks copies of itself after py_init calls.  The hash seed is not
 * renewed: it is fixed when the interpreter starts.  */
pid_t py_fork(void);

/* Import the workload categories/<module>.py ("math/nbody"), or a built-in
 * one ("embed/timeit_workload").  A missing import sets err->skip.  */
int py_workload_load(const char *module, struct py_workload **out,
		     struct bench_error *err);

/* Set a string global of the workload's module before setup() (timeit).  */
int py_workload_set_string(struct py_workload *w, const char *name,
			   const char *value, struct bench_error *err);

/* INNER_LOOPS of the module, 1 when absent.  */
unsigned py_workload_inner_loops(const struct py_workload *w);

/* Call setup() and keep its state.  */
int py_workload_setup(struct py_workload *w, struct bench_error *err);

/* Call run(state, loops) and time it; *elapsed_ns is run's own figure when it
 * returns an int, else the harness clock around the call.  */
int py_workload_run(struct py_workload *w, uint64_t loops, uint64_t *elapsed_ns,
		    struct bench_error *err);

/* Call teardown(state) if defined (errors are printed, never raised), then
 * release the workload.  Accepts NULL.  */
void py_workload_free(struct py_workload *w);

/* Child mode: initialise, run child(argv) of a workload, finalise.  Returns
 * the process exit status (SystemExit's code, 1 on an exception).  */
int py_child_main(const struct py_options *opts, const char *module,
		  int argc, char **argv);

/* Run a statement in __main__ (start-up children run "pass").  */
int py_run_string(const char *code, struct bench_error *err);

/* "3.11.2" and the full version line, callable before py_init.  */
const char *py_version(void);
const char *py_version_full(void);

#endif
