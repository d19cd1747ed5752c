/* The lockstep design of `sandbench matrix`: for each process slot of a
 * benchmark, every runtime has one worker alive at once (set up, warmed up,
 * blocked on a pipe), all on one CPU set (containers/placement.h: as
 * deployed, or pinned to one CPU per slot); the parent asks them for one
 * value at a time in a counterbalanced order, so that the values compared
 * are taken milliseconds apart.  Values of one slot pair by
 * index: value i of runtime A with value i of runtime B.  */
#ifndef CTR_LOCKSTEP_H
#define CTR_LOCKSTEP_H

#include <jansson.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct bench_def;
struct bench_error;
struct ctr_session;

/* A profile's lockstep figures.  */
struct lockstep_profile {
	const char *name;		/* as runner_profile(): "fast", ... */
	unsigned min_slots, max_slots;	/* adaptive stop between them */
	unsigned values;		/* per process (fewer for long iterations, >= 3) */
	double target;			/* relative half-width to stop at; 0: never */
	double budget;			/* seconds per benchmark after min_slots; 0: none */
};

/* The lockstep figures of a profile, or NULL.  */
const struct lockstep_profile *lockstep_profile(const char *name);

#define LOCKSTEP_MIN_VALUES 3
#define LOCKSTEP_MAX_VALUES 100
#define LOCKSTEP_MAX_SLOTS 200
/* The default lead-in, in seconds (containers/matrix.h): gVisor's getpid
 * cost about 30 us in 10 ms values taken between other runtimes' against
 * 70 us in a steady loop; 30 ms of lead-in was not enough, 100 ms was.  */
#define LOCKSTEP_LEAD_IN 0.1

struct lockstep_options {
	unsigned min_slots, max_slots, values;
	double value_time;		/* seconds per value, for calibration */
	double target;			/* 0: all max_slots */
	double budget;			/* no new slot past it, min_slots kept; 0: none */
	double timeout;			/* seconds per reply, 0: none */
	uint64_t fixed_loops;		/* the profile's loops, 0: calibrate */
	int independent_seeds;		/* each worker its own hash seed */
	int pin;			/* enum ctr_pin */
	const cpu_set_t *set;		/* every runtime's CPUs */
	const int *cpus;		/* where slots may be pinned */
	size_t ncpus;
	unsigned round;			/* recorded as lockstep_round */
	unsigned first_slot;		/* slot numbers of this round start here */
};

/* One runtime's live server.  */
struct lockstep_lane {
	const char *label;
	struct ctr_session *s;
	int warmup;			/* in: one untimed iteration before each value */
	double lead_in;			/* in: untimed seconds before each value */
	int alive;			/* in/out: the server answers */
	uint64_t loops;			/* in: known loops, 0: calibrate; out: used */
	unsigned inner_loops;		/* out */
	json_t *runs;			/* out: one pyperf run per slot (new ref) */
	int failed, skipped;		/* out: the benchmark failed here */
	char error[1024];		/* out: why */
	double *rtt_us;			/* in/out: round trips of value requests */
	size_t nrtt, rtt_cap;
};

/* Measure one benchmark in lockstep over the lanes (2 or more), slot after
 * slot until the paired interval of every lane against lanes[0] is within
 * the target (after min_slots), or the time budget or max_slots is spent.  A lane whose worker fails
 * fails the benchmark there; that slot is dropped on every lane, and the
 * others go on while two are left.  One lane alone (a plan of one runtime)
 * is measured the same way, against the target of its own interval.  Stops early (slot dropped) once a stop
 * is requested (child_stop_requested).  Returns the number of slots kept.  */
unsigned lockstep_benchmark(const struct lockstep_options *o, const struct bench_def *def,
			    struct lockstep_lane *lanes, size_t n, uint64_t *rng, FILE *log);

#endif
