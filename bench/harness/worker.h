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
struct child;
struct proto_reply;
struct proto_request;

struct worker_spec {
	const struct bench_def *def;	/* NULL for timeit */
	const char *stmt, *setup;	/* timeit's statement and set-up */
	const char *workloads_dir;	/* NULL: built-in sources */
	const char *cache_dir;		/* shared by the processes of one benchmark */
	uint64_t loops;			/* 0: calibrate, then measure */
	unsigned warmups, values;	/* values 0: calibrate only */
	double min_time;		/* seconds, for calibration (0: the worker's default) */
	long hash_seed;
	const char *affinity;		/* CPU list ("0,2-3") or NULL */
	double timeout;			/* seconds per worker, 0: none */
	uint64_t spawned_at;		/* worker side: the parent's clock at fork */
	int lockstep;			/* a live worker (worker_live_*) */
	unsigned forks;			/* > 0: a template (worker_template_*) */
	unsigned generation;		/* a template's number in its benchmark */
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

/* A template: one worker process set up, warmed up (or calibrated, when
 * spec->loops is 0) once, that forks spec->forks processes one after the
 * other, each of which measures as a fresh worker does and sends its own
 * run: a new process in milliseconds instead of an interpreter's start,
 * imports and set-up.  A template that cannot fork safely (its set-up
 * started threads) measures once itself instead.  */
struct worker_template {
	const char *name;
	struct child *child;	/* its runs on child->from; NULL once ended */
	double timeout;		/* seconds per run, 0: none */
};

int worker_template_start(const struct worker_spec *spec, struct worker_template *t,
			  struct bench_error *err);
/* The next run: 1 with res, 0 when the template has sent them all and
 * ended well, -1 with err naming what failed (the template has ended).  */
int worker_template_next(struct worker_template *t, struct worker_result *res,
			 struct bench_error *err);
/* End it now (with the process it forked) and reap it.  */
void worker_template_end(struct worker_template *t);

/* A live worker in lockstep mode: set up, warmed up (or calibrated when
 * spec->loops is 0) and blocked on a pipe read until asked for a value.  */
struct worker_live {
	const char *name;
	struct child *child;	/* its commands on child->to, its replies on child->from;
				 * NULL when it is not running */
	double timeout;		/* seconds per reply, 0: none */
	uint64_t loops;		/* used by every value */
	unsigned inner_loops;
};

#define WORKER_LIVE_INIT { .child = NULL }

/* Start it and wait for its "ready" (timeout: spec->timeout).  -1 with err
 * (skip set when a module is missing); nothing is left running then.  */
int worker_live_start(const struct worker_spec *spec, struct worker_live *w,
		      struct bench_error *err);
/* Time one value as the value request q asks (its warm-up, its lead-in):
 * *v is the worker's VALUE reply.  -1: it failed or died, and has ended.  */
int worker_live_value(struct worker_live *w, const struct proto_request *q, struct proto_reply *v,
		      struct bench_error *err);
/* Its whole run (values in the order asked, usage from ready to stop); it
 * ends either way.  */
int worker_live_stop(struct worker_live *w, struct worker_result *res, struct bench_error *err);
/* End it (SIGKILL first if force) and reap it; returns its wait status
 * (0 when none was running).  */
int worker_live_kill(struct worker_live *w, int force);
/* Whether it is running (started and not ended).  */
int worker_live_running(const struct worker_live *w);

/* A random PYTHONHASHSEED, from 1 to 2^32 - 1: each process its own.  */
long worker_random_hash_seed(void);

/* The largest loop count a worker takes.  */
#define WORKER_MAX_LOOPS (UINT64_C(1) << 40)

/* Calibration's next loop count after a try of loops took ns: doubled
 * until a try lasts min_time / 8, then scaled to just over min_time.  */
uint64_t worker_next_loops(uint64_t loops, uint64_t ns, double min_time);

/* The command line of `sandbench __worker` for spec, each option as
 * --key=value (a new NULL-terminated vector), and the worker's reading of
 * it: 0, or -1 on anything worker_argv does not write.  */
char **worker_argv(const struct worker_spec *spec);
void worker_argv_free(char **argv);
int worker_parse_argv(int argc, char **argv, struct worker_spec *spec);

/* The worker side: `sandbench __worker ARGS`; writes its result to fd 3.  */
int worker_main(int argc, char **argv);

/* Parse a CPU list "0,2-3" into a cpu set; -1 on garbage.  */
int worker_parse_cpus(const char *list, cpu_set_t *set);

#endif
