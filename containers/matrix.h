/* `sandbench matrix`: the suite under several runtimes, in rounds whose
 * runtime order is shuffled, merged into one pyperf file per runtime.
 *
 *   matrix.c        a matrix run: rounds, benchmarks, the report at the end
 *   matrix_lane.c   one runtime's server in a round, and its requests
 *   matrix_plan.c   the plan, DIR/matrix.json, which --resume reads back
 *   matrix_merge.c  the shuffled orders and the merge of the rounds
 *
 * bench/cmd/matrix.c is the command line.  */
#ifndef CTR_MATRIX_H
#define CTR_MATRIX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/lib/limits.h"
#include "containers/driver.h"

struct bench_error;

/* The plan, recorded in DIR/matrix.json so that --resume can finish it.  */
struct ctr_matrix_plan {
	/* Labels: the runtime's name, or NAME-K for its K-th listing (an A/A
	 * test lists one runtime twice: native,native -> native, native-2).  */
	const char *runtimes[LIMIT_RUNTIMES];
	char labels[LIMIT_RUNTIMES][32];
	size_t nruntimes;
	unsigned rounds;		/* 0: the design's default */
	uint64_t seed;
	enum ctr_engine engine;
	const char *cpus;		/* every runtime's CPU set, e.g. "0-1" */
	char cpus_buf[256];		/* ... when it is this process's own */
	int pin;			/* enum ctr_pin (containers/placement.h) */
	const char *pin_cpus;		/* --pin sandbox=LIST, or NULL: cpus */
	long long memory;
	enum ctr_scratch scratch;	/* every runtime's /tmp: tmpfs or disk */
	double timeout;
	const char *names, *categories;
	const char *profile;		/* "default", "fast", "rigorous", "smoke" */
	const char *image_dir;
	int lockstep;			/* the design: lockstep (1) or processes (0) */
	double value_time;		/* lockstep: seconds per value */
	unsigned values, slots;		/* lockstep: per process, most slots; 0: the profile's */
	double target;			/* lockstep: relative half-width; < 0: the profile's */
	int independent_seeds, value_warmup;
	double lead_in;			/* lockstep: seconds, for a runtime with CTR_HELPERS */
	const char *run_id;		/* the same in every runtime file of the run */
	char run_id_buf[96];
};

/* The defaults of a new plan.  */
void ctr_matrix_plan_init(struct ctr_matrix_plan *p);

/* Add a runtime by name, labelled NAME-K when it is listed K times.  */
int ctr_matrix_plan_add(struct ctr_matrix_plan *p, const char *name, struct bench_error *err);

/* Read DIR/matrix.json back, bounded as the command line bounds it; its
 * strings stay owned by *root.  */
int ctr_matrix_plan_load(const char *dir, struct ctr_matrix_plan *p, json_t **root,
			 struct bench_error *err);

/* Write DIR/matrix.json: the plan and `done`, the rounds finished.  */
int ctr_matrix_plan_save(const char *dir, const struct ctr_matrix_plan *p, json_t *done,
			 struct bench_error *err);

/* The untimed seconds before each lockstep value of the runtime `label`:
 * the plan's lead-in for a runtime whose own threads serve the workload
 * (CTR_HELPERS), else 0; *warmup: whether its values get at least one
 * untimed iteration (--value-warmup, or a matrix led in for another).  */
double ctr_matrix_lead_in(const struct ctr_matrix_plan *p, const char *label, int *warmup);

/* The driver of a label: "runc" or "runc-2" -> runc; NULL for none.  */
const struct ctr_driver *ctr_matrix_driver(const char *label);

/* Start the plan in DIR, a new folder or an empty one (seeded: p->seed
 * is given, else drawn), and run it; the exit status.  */
int ctr_matrix_start(const char *dir, struct ctr_matrix_plan *p, int seeded);

/* Finish the matrix in DIR; the exit status.  */
int ctr_matrix_resume(const char *dir);

/* Merge the round files DIR/raw/RUNTIME-rN.json of every runtime into
 * DIR/RUNTIME.json, keeping per benchmark only the rounds every runtime has,
 * so that value counts are equal across runtimes.  extra_metadata maps a
 * runtime name to an object of metadata to add (borrowed, may be NULL).
 * Writes what it dropped to log (may be NULL).  */
int ctr_matrix_merge(const char *dir, const char *const *runtimes, unsigned rounds,
		     json_t *extra_metadata, FILE *log, struct bench_error *err);

/* DIR/raw/RUNTIME-rN.json (round from 0), a new string.  */
char *ctr_matrix_raw_path(const char *dir, const char *runtime, unsigned round);

/* A round's file: 1 and *suite when it holds at least one benchmark, 0
 * when it is missing or empty, -1 with err when it cannot be read.  */
int ctr_matrix_read_round(const char *path, json_t **suite, struct bench_error *err);

/* A line of DIR/matrix.log, dated.  */
void ctr_matrix_log(FILE *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The order of n runtimes in each of `rounds` rounds, order[r * n + k]:
 * Fisher-Yates per round, from one splitmix64 stream seeded with seed, so a
 * recorded seed gives the same orders again.  */
void ctr_shuffle_orders(uint64_t seed, unsigned rounds, size_t n, size_t *order);

/* o = 0..n-1, Fisher-Yates shuffled from the stream *state.  */
void ctr_shuffle(uint64_t *state, size_t *o, size_t n);

/* splitmix64: a small, well-mixed generator for the shuffles, orders,
 * CPUs and hash seeds of a matrix (all from its recorded seed).  */
uint64_t ctr_random_next(uint64_t *state);

/* "4G", "512M", "1048576" -> bytes; -1 on garbage.  */
long long ctr_parse_size(const char *s);

#endif
