/* Worker processes: each set of values comes from a fresh process of the
 * binary (`sandbench __worker ...`), which sends them back over a pipe.  */
#ifndef BENCH_WORKER_H
#define BENCH_WORKER_H

#include <jansson.h>
#include <sched.h>
#include <stdint.h>
#include <sys/types.h>

struct bench_def;
struct bench_error;

struct worker_spec {
	const struct bench_def *def;	/* NULL for timeit */
	const char *stmt, *setup;	/* timeit's statement and set-up */
	const char *workloads_dir;	/* NULL: built-in sources */
	const char *cache_dir;		/* shared by the processes of one benchmark */
	uint64_t loops;			/* 0: calibrate, then measure */
	unsigned warmups, values;	/* values 0: calibrate only */
	double min_time;		/* seconds, for calibration */
	long hash_seed;
	const char *affinity;		/* CPU list ("0,2-3") or NULL */
	double timeout;			/* seconds per worker, 0: none */
	uint64_t spawned_at;		/* worker side: the parent's clock at fork */
};

/* What one worker sent back.  */
struct worker_result {
	enum { WORKER_OK, WORKER_FAILED, WORKER_SKIPPED } status;
	json_t *run;		/* pyperf run object, new ref (OK only) */
	uint64_t loops;		/* the loops used (calibrated ones when calibrating) */
	unsigned inner_loops;
};

/* Run one worker and wait for it.  On failure (the workload raised, the
 * process died or timed out) returns -1 with err naming what happened and
 * the traceback in err->detail; a missing module gives status SKIPPED.  */
int worker_run(const struct worker_spec *spec, struct worker_result *res,
	       struct bench_error *err);

/* A random PYTHONHASHSEED, from 1 to 2^32 - 1: each process its own.  */
long worker_random_hash_seed(void);

/* Kill the worker running now, if any (async-signal-safe).  */
void worker_kill_current(void);

/* The worker side: `sandbench __worker ARGS`; writes its result to fd 3.  */
int worker_main(int argc, char **argv);

/* Parse a CPU list "0,2-3" into a cpu set; -1 on garbage.  */
int worker_parse_cpus(const char *list, cpu_set_t *set);

#endif
