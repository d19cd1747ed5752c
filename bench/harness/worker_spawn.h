/* What the parent sides of one-shot workers (worker.c) and live lockstep
 * workers (worker_live.c) share; private to bench/harness.  */
#ifndef BENCH_HARNESS_WORKER_SPAWN_H
#define BENCH_HARNESS_WORKER_SPAWN_H

struct bench_error;
struct child;
struct proto_reply;
struct worker_result;
struct worker_spec;

/* Start a worker in a process group of its own, swept when it ends: its
 * replies on c->from (fd 3 in it), and for a lockstep worker its commands
 * on c->to (fd 4 in it).  */
int worker_spawn(const struct worker_spec *spec, struct child *c, struct bench_error *err);

/* Why a worker that sent nothing or was killed ended: -1 with err.  */
int worker_describe_end(const char *name, int status, int timed_out, double timeout,
			struct bench_error *err);

/* A worker's final reply as a result: 0 with the run, or -1 with err
 * (FAILED or SKIPPED from the workload, or `missing` said of name).  */
int worker_result_from_reply(const struct proto_reply *r, struct worker_result *res,
			     const char *name, const char *missing, struct bench_error *err);

#endif
