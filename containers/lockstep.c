#include "containers/lockstep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/harness/metadata.h"
#include "bench/harness/protocol.h"
#include "bench/lib/child.h"
#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "categories/registry.h"
#include "containers/driver.h"
#include "containers/matrix.h"
#include "containers/placement.h"

static const struct lockstep_profile profiles[] = {
	{ "default", 8, 40, 8, 0.005, 40 },
	{ "fast", 6, 20, 8, 0.01, 8 },
	{ "rigorous", 10, 80, 10, 0.0025, 160 },
	{ "smoke", 2, 2, 3, 0, 0 },
};

const struct lockstep_profile *lockstep_profile(const char *name)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

/* ---- the paired interval ---- */

/* Half of the width of the exact signed-rank interval as a ratio,
 * (e^hi - e^lo) / 2; infinite while there are too few slots for one.  */
static double half_width(const double *d, size_t n)
{
	double est, lo, hi, coverage;

	if (stats_signed_rank_hl(d, n, &est, &lo, &hi, &coverage) < 0)
		return INFINITY;
	return (exp(hi) - exp(lo)) / 2;
}

/* ---- one slot ---- */

static int exchange(struct lockstep_lane *l, const struct proto_request *q,
		    struct proto_reply *r, double timeout, struct bench_error *err)
{
	cleanup_free char *text = proto_request_encode(q);
	cleanup_free char *line = NULL;

	memset(r, 0, sizeof(*r));
	if (ctr_session_write_line(l->s, text, err) < 0 ||
	    !(line = ctr_session_read_line(l->s, timeout > 0 ? timeout + 60 : 0, err))) {
		l->alive = 0;
		return -1;
	}
	if (proto_reply_decode(line, strlen(line), r, "the server", err) < 0)
		return -1;
	if (r->status == PROTO_FAILED || r->status == PROTO_SKIPPED) {
		proto_reply_error(r, err);
		proto_reply_release(r);
		return -1;
	}
	return 0;
}

static void lane_fail(struct lockstep_lane *l, const struct bench_error *err)
{
	l->failed = 1;
	l->skipped = err->skip;
	snprintf(l->error, sizeof(l->error), "%s", err->msg[0] ? err->msg : "the worker failed");
}

static void add_rtt(struct lockstep_lane *l, double us)
{
	if (l->nrtt == l->rtt_cap) {
		l->rtt_cap = l->rtt_cap ? 2 * l->rtt_cap : 256;
		l->rtt_us = xrealloc(l->rtt_us, l->rtt_cap * sizeof(*l->rtt_us));
	}
	l->rtt_us[l->nrtt++] = us;
}

#define MAX_LANES 16	/* the matrix takes 8 runtimes at most */

/* What one slot is: its number, CPU, seeds and the lanes that take part.  */
struct slot {
	unsigned number, values;
	int cpu;
	long seeds[MAX_LANES];
	size_t in[MAX_LANES], nin;		/* indices into lanes */
	double *v[MAX_LANES];			/* the values, per lane in the slot */
	char positions[MAX_LANES][2 * LOCKSTEP_MAX_VALUES + 1];	/* "0,1,0" */
};

/* The order of the lanes of a slot in block b: with two, the slot's first
 * lane alternates (ABBA, or BAAB); with more, a fresh shuffle per block.  */
static void block_order(uint64_t *rng, size_t n, unsigned b, int flip, size_t *order)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	if (n == 2) {
		if ((b + (unsigned)flip) % 2) {
			order[0] = 1;
			order[1] = 0;
		}
		return;
	}
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(ctr_random_next(rng) % i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}

/* Stop the live worker of every lane of the slot; keep their runs when
 * keep.  Returns the number of lanes that failed to give a run.  */
static unsigned stop_all(struct slot *sl, struct lockstep_lane *lanes, const int *started,
			 json_t **runs, double timeout, FILE *logf)
{
	unsigned bad = 0;

	for (size_t k = 0; k < sl->nin; k++) {
		struct lockstep_lane *l = &lanes[sl->in[k]];
		struct bench_error err = { 0 };
		struct proto_reply r;

		int rc;

		runs[k] = NULL;
		if (!started[k] || !l->alive)
			continue;
		rc = exchange(l, &(struct proto_request){ .kind = PROTO_LOCK_STOP }, &r, timeout, &err);
		if (rc < 0 || r.status != PROTO_OK) {
			if (!err.msg[0])
				bench_error_set(&err, 0, "the server sent no run");
			if (!l->failed) {
				lane_fail(l, &err);
				bad++;
			}
			if (logf)
				fprintf(logf, "lockstep slot %u %s: stop: %s\n", sl->number, l->label, err.msg);
		} else {
			runs[k] = json_incref(r.run);
			l->loops = r.loops;
			l->inner_loops = r.inner_loops;
		}
		if (rc == 0)
			proto_reply_release(&r);
		bench_error_release(&err);
	}
	return bad;
}

/* Where the slot's workers will run (they inherit it from their server):
 * pinned, every thread of each runtime's tree on the slot's CPU; else on
 * the whole set (which frees a tree an earlier slot pinned).  */
static void place_slot(const struct lockstep_options *o, struct lockstep_lane *lanes,
		       const struct slot *sl, FILE *logf)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(sl->cpu, &one);
	for (size_t k = 0; k < sl->nin; k++) {
		struct lockstep_lane *l = &lanes[sl->in[k]];
		struct bench_error err = { 0 };
		unsigned threads;

		if (ctr_place_tree(l->s->pid, o->pin == CTR_PIN_SANDBOX ? &one : o->set, &threads,
				   &err) < 0 && logf)
			fprintf(logf, "lockstep slot %u %s: %s\n", sl->number, l->label, err.msg);
		bench_error_release(&err);
	}
}

/* --pin worker: the started workers (and, under gVisor, the stubs that run
 * them) on the slot's CPU, the runtime's own threads left free.  -1 when
 * one could not be pinned: the slot is dropped, not measured otherwise.  */
static int pin_workers(struct lockstep_lane *lanes, const struct slot *sl, FILE *logf)
{
	cpu_set_t one;
	int rc = 0;

	CPU_ZERO(&one);
	CPU_SET(sl->cpu, &one);
	for (size_t k = 0; k < sl->nin; k++) {
		struct lockstep_lane *l = &lanes[sl->in[k]];
		struct bench_error err = { 0 };
		unsigned threads;

		if (ctr_place_workload(l->s->pid, &one, &threads, &err) < 0) {
			if (logf)
				fprintf(logf, "lockstep slot %u %s: %s\n", sl->number, l->label, err.msg);
			rc = -1;
		}
		bench_error_release(&err);
	}
	return rc;
}

/* Read the placement of the slot's live workers back from /proc, into the
 * log: what a user checks to see that the design measured what it says.  */
static void log_placement(const struct lockstep_options *o, const struct bench_def *def,
			  struct lockstep_lane *lanes, const struct slot *sl, FILE *logf)
{
	static const char *const what[] = { "threads", "workload threads", "other threads" };
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(sl->cpu, &one);
	for (size_t k = 0; k < sl->nin && logf; k++) {
		struct lockstep_lane *l = &lanes[sl->in[k]];

		for (int part = CTR_TREE_ALL; part <= CTR_TREE_RUNTIME; part++) {
			const cpu_set_t *want = o->pin == CTR_PIN_SANDBOX ||
				(o->pin == CTR_PIN_WORKER && part == CTR_TREE_WORKLOAD) ? &one : o->set;
			unsigned threads, on_set;
			char list[256];

			if ((o->pin == CTR_PIN_WORKER) != (part != CTR_TREE_ALL))
				continue;
			ctr_cpus_format(want, list, sizeof(list));
			ctr_read_tree(l->s->pid, (enum ctr_tree_part)part, want, &threads, &on_set);
			if (on_set == threads)
				fprintf(logf, "lockstep %s slot %u %s: %u %s, each %s %s\n", def->name,
					sl->number, l->label, threads, what[part],
					want == &one ? "pinned to CPU" : "free on CPUs", list);
			else
				fprintf(logf, "lockstep %s slot %u %s: %u %s, %u of them not on CPUs %s\n",
					def->name, sl->number, l->label, threads, what[part],
					threads - on_set, list);
		}
	}
}

/* Start the slot's worker on every lane, then wait for each: their
 * set-ups overlap.  -1 when one did not start (started[k] says which).  */
static int start_slot(const struct lockstep_options *o, const struct bench_def *def,
		      struct lockstep_lane *lanes, const struct slot *sl, int *started)
{
	for (size_t k = 0; k < sl->nin; k++) {
		struct lockstep_lane *l = &lanes[sl->in[k]];
		struct bench_error err = { 0 };
		struct proto_request q = { .kind = PROTO_LOCK_START, .bench = def->name,
					   .loops = o->fixed_loops ? o->fixed_loops : l->loops,
					   .warmups = 1, .min_time = o->value_time,
					   .timeout = o->timeout, .hash_seed = sl->seeds[k] };
		cleanup_free char *text = proto_request_encode(&q);

		if (ctr_session_write_line(l->s, text, &err) < 0) {
			l->alive = 0;
			lane_fail(l, &err);
		}
		started[k] = l->alive;
		bench_error_release(&err);
	}
	for (size_t k = 0; k < sl->nin; k++) {
		struct lockstep_lane *l = &lanes[sl->in[k]];
		struct bench_error err = { 0 };
		cleanup_free char *line = NULL;
		struct proto_reply r;

		if (!started[k])
			continue;
		line = ctr_session_read_line(l->s, o->timeout > 0 ? o->timeout + 60 : 0, &err);
		if (!line) {
			l->alive = 0;
			started[k] = 0;
			lane_fail(l, &err);
		} else if (proto_reply_decode(line, strlen(line), &r, "the server", &err) < 0 ||
			   r.status != PROTO_READY) {
			if (!err.msg[0])
				proto_reply_error(&r, &err);
			started[k] = 0;	/* the server has no live worker */
			lane_fail(l, &err);
			proto_reply_release(&r);
		} else {
			l->loops = r.loops;
			l->inner_loops = r.inner_loops;
			proto_reply_release(&r);
		}
		bench_error_release(&err);
	}
	for (size_t k = 0; k < sl->nin; k++)
		if (!started[k])
			return -1;
	return 0;
}

/* The values: one block per value index, each lane once per block.  -1
 * when a lane gave none, or a stop was requested.  */
static int take_values(const struct lockstep_options *o, struct lockstep_lane *lanes,
		       struct slot *sl, int *started, uint64_t *rng, int flip)
{
	size_t order[MAX_LANES];

	for (unsigned b = 0; b < sl->values; b++) {
		block_order(rng, sl->nin, b, flip, order);
		for (size_t pos = 0; pos < sl->nin; pos++) {
			size_t k = order[pos];
			struct lockstep_lane *l = &lanes[sl->in[k]];
			struct bench_error err = { 0 };
			struct proto_reply r;
			size_t used = strlen(sl->positions[k]);
			uint64_t t0;
			int xrc;

			if (child_stop_requested())
				return -1;
			t0 = bench_clock_ns();
			xrc = exchange(l, &(struct proto_request){ .kind = PROTO_LOCK_VALUE,
				       .warmup = l->warmup, .lead_in = l->lead_in }, &r,
				       o->timeout, &err);
			if (xrc < 0 || r.status != PROTO_VALUE) {
				if (xrc == 0) {
					bench_error_set(&err, 0, "the server sent no value");
					proto_reply_release(&r);
				}
				lane_fail(l, &err);
				started[k] = 0;
				bench_error_release(&err);
				return -1;
			}
			/* The round trip: all but the timed region and the lead-in.  */
			add_rtt(l, (double)(bench_clock_ns() - t0 - r.ns - r.lead_ns) / 1e3);
			sl->v[k][b] = r.value;
			snprintf(sl->positions[k] + used, sizeof(sl->positions[k]) - used, "%s%zu",
				 used ? "," : "", pos);
			proto_reply_release(&r);
		}
	}
	return 0;
}

/* Check the runs the workers gave and mark them with the slot; d[k] gets
 * the slot's median log-ratio of lane sl->in[k] against sl->in[0].  -1
 * when one has not every value.  */
static int mark_runs(const struct lockstep_options *o, struct lockstep_lane *lanes,
		     const struct slot *sl, json_t **runs, FILE *logf, double *d)
{
	for (size_t k = 0; k < sl->nin; k++) {
		json_t *md = json_object_get(runs[k], "metadata");
		double *lr = xmalloc(sl->values * sizeof(*lr));

		if (json_array_size(json_object_get(runs[k], "values")) != sl->values) {
			if (logf)
				fprintf(logf, "lockstep slot %u %s: %zu values, not %u: dropped\n", sl->number,
					lanes[sl->in[k]].label,
					json_array_size(json_object_get(runs[k], "values")), sl->values);
			free(lr);
			return -1;
		}
		json_object_set_new(md, "lockstep_slot", json_integer(sl->number));
		json_object_set_new(md, "lockstep_round", json_integer(o->round));
		json_object_set_new(md, "lockstep_positions", json_string(sl->positions[k]));
		if (o->pin != CTR_PIN_NONE)
			json_object_set_new(md, "cpu", json_integer(sl->cpu));
		for (unsigned i = 0; i < sl->values; i++)
			lr[i] = log(sl->v[k][i] / sl->v[0][i]);
		d[k] = stats_median(lr, sl->values);
		free(lr);
	}
	return 0;
}

/* Run one slot; 0 when every lane of it gave its values and run (appended
 * to lanes[].runs), -1 when it was dropped.  d[k] gets the slot's median
 * log-ratio of lane sl->in[k] against sl->in[0].  */
static int run_slot(const struct lockstep_options *o, const struct bench_def *def,
		    struct lockstep_lane *lanes, struct slot *sl, int first, uint64_t *rng,
		    FILE *logf, double *d)
{
	int started[MAX_LANES] = { 0 }, flip = (int)(ctr_random_next(rng) & 1), rc = -1;
	json_t *runs[MAX_LANES] = { NULL };

	place_slot(o, lanes, sl, logf);
	if (start_slot(o, def, lanes, sl, started) < 0)
		goto drop;
	if (o->pin == CTR_PIN_WORKER && pin_workers(lanes, sl, logf) < 0)
		goto drop;
	if (first)
		log_placement(o, def, lanes, sl, logf);
	if (take_values(o, lanes, sl, started, rng, flip) < 0)
		goto drop;
	if (stop_all(sl, lanes, started, runs, o->timeout, logf) > 0 ||
	    mark_runs(o, lanes, sl, runs, logf, d) < 0)
		goto drop_stopped;
	for (size_t k = 0; k < sl->nin; k++)
		json_array_append(lanes[sl->in[k]].runs, runs[k]);
	rc = 0;
	goto out;
drop:
	stop_all(sl, lanes, started, runs, o->timeout, logf);
drop_stopped:
	if (logf && !child_stop_requested())
		fprintf(logf, "lockstep slot %u of %s: dropped on every runtime\n", sl->number, def->name);
out:
	for (size_t k = 0; k < sl->nin; k++)
		json_decref(runs[k]);
	return rc;
}

/* Fewer values per process when one iteration outlasts the value time:
 * from the slowest lane's median value duration of the last slot.  */
static unsigned values_for(const struct lockstep_options *o, double slowest_s)
{
	double v = slowest_s > 0 ? ceil((double)o->values * o->value_time / slowest_s) : o->values;

	if (v >= o->values)
		return o->values;
	return v < LOCKSTEP_MIN_VALUES ? LOCKSTEP_MIN_VALUES : (unsigned)v;
}

unsigned lockstep_benchmark(const struct lockstep_options *o, const struct bench_def *def,
			    struct lockstep_lane *lanes, size_t n, uint64_t *rng,
			    FILE *logf)
{
	double *d[MAX_LANES] = { NULL };	/* per lane: the slots' median log-ratios */
	unsigned kept = 0, values = o->values;
	double alone = 0;			/* one lane: its first slot's log-median */
	uint64_t start = bench_clock_ns();
	size_t ref = 0;

	if (n > MAX_LANES)
		n = MAX_LANES;
	for (size_t i = 0; i < n; i++) {
		lanes[i].runs = json_array();
		lanes[i].failed = lanes[i].skipped = 0;
		lanes[i].error[0] = '\0';
		d[i] = xcalloc(o->max_slots + 1, sizeof(double));
	}
	for (unsigned s = 0; s < o->max_slots && !child_stop_requested(); s++) {
		struct slot sl = { .number = o->first_slot + s, .values = values };
		double dk[MAX_LANES], slowest = 0;
		long seed = (long)(ctr_random_next(rng) % 4294967295u) + 1;

		for (size_t i = 0; i < n && sl.nin < MAX_LANES; i++)
			if (lanes[i].alive && !lanes[i].failed)
				sl.in[sl.nin++] = i;
		if (sl.nin < (n > 1 ? 2 : 1))	/* a lane alone only in a plan of one */
			break;
		ref = sl.in[0];
		sl.cpu = o->cpus[ctr_random_next(rng) % o->ncpus];
		for (size_t k = 0; k < sl.nin; k++) {
			/* Common random numbers: one hash seed for the whole slot.  */
			sl.seeds[k] = o->independent_seeds ?
				(long)(ctr_random_next(rng) % 4294967295u) + 1 : seed;
			sl.v[k] = xcalloc(values, sizeof(double));
		}
		if (run_slot(o, def, lanes, &sl, s == 0, rng, logf, dk) == 0) {
			for (size_t k = 0; k < sl.nin; k++) {
				double med = stats_median(sl.v[k], sl.values) * (double)lanes[sl.in[k]].loops *
					     (double)lanes[sl.in[k]].inner_loops;
				/* Alone, a lane's precision is that of its own slots'
				 * medians, as log-ratios to its first slot's.  */
				double lm = log(stats_median(sl.v[k], sl.values));

				if (n == 1 && kept == 0)
					alone = lm;
				d[sl.in[k]][kept] = n > 1 ? dk[k] : lm - alone;
				if (med > slowest)
					slowest = med;
			}
			kept++;
			values = values_for(o, slowest);
		}
		for (size_t k = 0; k < sl.nin; k++)
			free(sl.v[k]);
		/* A lane that failed takes its earlier slots with it.  */
		for (size_t i = 0; i < n; i++)
			if (lanes[i].failed && json_array_size(lanes[i].runs) > 0)
				json_array_clear(lanes[i].runs);
		/* A benchmark whose iterations are long stops at its budget.  */
		if (kept >= o->min_slots && o->budget > 0 &&
		    (double)(bench_clock_ns() - start) / 1e9 >= o->budget)
			break;
		if (kept >= o->min_slots && o->target > 0) {
			int precise = 1;
			for (size_t i = 0; i < n && precise; i++)
				if ((i != ref || n == 1) && lanes[i].alive && !lanes[i].failed)
					precise = half_width(d[i], kept) <= o->target;
			if (precise)
				break;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(d[i]);
	return kept;
}
