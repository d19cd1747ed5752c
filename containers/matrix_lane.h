/* The parts of a matrix run (containers/matrix.c): one runtime's server in
 * a round, a lane, and the measuring of a benchmark on the lanes.  */
#ifndef CTR_MATRIX_LANE_H
#define CTR_MATRIX_LANE_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "containers/driver.h"
#include "containers/matrix.h"

struct bench_def;
struct bench_error;
struct ctr_image;
struct runner_profile;

/* One runtime in one round: its server and the file it fills.  */
struct lane {
	const char *label;
	const struct ctr_driver *d;
	struct ctr_session s;
	int alive;
	int unmeasured;		/* benchmarks failed or left out (no lockstep partner): not done */
	json_t *suite;		/* raw/RUNTIME-rN.json */
	json_t *loops_from;	/* its first finished round: the loops it calibrated */
	char *path, *key;	/* the raw file; "RUNTIME-rN" in the plan's "done" */
	size_t index;		/* in the plan's runtimes */
};

/* Round trips of lockstep value requests, per runtime of the plan.  */
struct rtt_log {
	double *us;
	size_t n, cap;
};

/* Start the runtime's server for round r (loops from an earlier round
 * when one holds them) and read its hello.  */
int ctr_lane_start(const char *dir, const struct ctr_matrix_plan *p, const struct ctr_image *img,
		   unsigned r, FILE *log, struct lane *l, struct bench_error *err);

void ctr_lane_release(struct lane *l);

/* One worker process of a benchmark on one lane: its run, or NULL (the
 * benchmark failed there, or the lane died: then alive is 0).  */
json_t *ctr_lane_request(struct lane *l, const struct bench_def *def,
			 const struct runner_profile *prof, uint64_t *loops, unsigned *inner,
			 double timeout, struct bench_error *err);

/* One benchmark in round r, its processes alternating between the lanes
 * (the processes design) or in lockstep (containers/lockstep.h; rtt: the
 * round trips per runtime of the plan).  The number of lanes where it
 * failed.  */
int ctr_matrix_measure(const struct ctr_matrix_plan *p, const struct bench_def *def, unsigned r,
		       struct lane *lanes, size_t nl, uint64_t *rng, FILE *log);
int ctr_matrix_measure_lockstep(const struct ctr_matrix_plan *p, const struct bench_def *def,
				unsigned r, struct lane *lanes, size_t nl, uint64_t *rng,
				struct rtt_log *rtt, FILE *log);

/* Resuming a lockstep round: the benchmarks its raw files already hold
 * are kept, not run again.  */
void ctr_matrix_keep_finished(struct lane *lanes, size_t nl, FILE *log);

/* Does every lane hold the benchmark?  If only some do, it is removed from
 * them, to be measured again.  */
int ctr_matrix_measured_everywhere(struct lane *lanes, size_t nl, const char *name);

#endif
