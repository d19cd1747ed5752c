/* One benchmark of a matrix round, measured on the lanes.  */
#include "containers/matrix_lane.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "bench/harness/runner.h"
#include "bench/harness/worker.h"
#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "categories/registry.h"
#include "containers/lockstep.h"

/* One benchmark in one round: its processes alternate between the lanes,
 * in an order shuffled per process, so that machine drift hits every
 * runtime alike.  A lane calibrates in its first process unless an earlier
 * round gave it loops.  Returns the number of lanes where it failed.  */
int ctr_matrix_measure(const struct ctr_matrix_plan *p, const struct bench_def *def, unsigned r,
			     struct lane *lanes, size_t nl, uint64_t *rng, FILE *log)
{
	const struct runner_profile *prof = runner_profile(p->profile);
	unsigned processes = prof->processes, inner[LIMIT_RUNTIMES];
	uint64_t loops[LIMIT_RUNTIMES];
	json_t *bench[LIMIT_RUNTIMES] = { NULL };
	int failed[LIMIT_RUNTIMES] = { 0 }, failures = 0;
	size_t order[LIMIT_RUNTIMES];
	char line[512];
	size_t used;

	/* The profile's processes are split across rounds, rounding up.  */
	processes = (processes + p->rounds - 1) / p->rounds;
	for (size_t i = 0; i < nl; i++) {
		json_t *known = lanes[i].loops_from ? result_find_benchmark(lanes[i].loops_from, def->name)
						    : NULL;
		loops[i] = prof->loops ? prof->loops : known ? result_benchmark_loops(known) : 0;
		inner[i] = 1;
	}
	for (unsigned k = 0; k < processes && !child_stop_requested(); k++) {
		ctr_shuffle(rng, order, nl);
		for (size_t o = 0; o < nl && !child_stop_requested(); o++) {
			struct lane *l = &lanes[order[o]];
			size_t i = order[o];
			struct bench_error err = { 0 };
			json_t *run;

			if (!l->alive || failed[i])
				continue;
			run = ctr_lane_request(l, def, prof, &loops[i], &inner[i], p->timeout, &err);
			if (run) {
				if (!bench[i])
					bench[i] = result_benchmark_new(def->name, def->category,
									bench_kind_name(def->kind), loops[i],
									inner[i]);
				json_array_append_new(json_object_get(bench[i], "runs"), run);
			} else if (!child_stop_requested()) {
				failed[i] = 1;
				failures += !err.skip;
				l->unmeasured += !err.skip;	/* --resume runs it again */
				fprintf(stderr, "[round %u/%u %s] %s: %s: %s\n%s", r + 1, p->rounds,
					l->label, def->name, err.skip ? "skipped" : "FAILED", err.msg,
					err.detail ? err.detail : "");
				ctr_matrix_log(log, "round %u/%u %s: %s %s: %s", r + 1, p->rounds, l->label,
				      def->name, err.skip ? "skipped" : "FAILED", err.msg);
			}
			bench_error_release(&err);
		}
	}
	used = (size_t)snprintf(line, sizeof(line), "[round %u/%u] %s:", r + 1, p->rounds, def->name);
	for (size_t i = 0; i < nl; i++) {
		if (bench[i] && !failed[i] && !child_stop_requested()) {
			double *means;
			size_t n;
			char t[32];

			json_array_append(json_object_get(lanes[i].suite, "benchmarks"), bench[i]);
			result_benchmark_values(bench[i], NULL, NULL, &means, &n);
			runner_format_time(n ? stats_mean(means, n) : 0, t, sizeof(t));
			free(means);
			if (used < sizeof(line))
				used += (size_t)snprintf(line + used, sizeof(line) - used, " %s %s",
							 lanes[i].label, t);
		}
		json_decref(bench[i]);
	}
	if (!child_stop_requested())
		fprintf(stderr, "%s\n", line);
	return failures;
}

/* The CPUs a slot may be pinned to: --pin sandbox=LIST, else --cpus.  */
static size_t slot_cpus(const struct ctr_matrix_plan *p, int *cpus, size_t max)
{
	cpu_set_t set;
	size_t n = 0;

	if (worker_parse_cpus(p->pin_cpus ? p->pin_cpus : p->cpus, &set) < 0)
		sched_getaffinity(0, sizeof(set), &set);
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	if (n == 0)
		cpus[n++] = 0;
	return n;
}

/* One benchmark in one round, in lockstep (containers/lockstep.h): every
 * lane's worker alive at once per slot, values asked one at a time.  A lane
 * calibrates in its first slot unless an earlier round gave it loops.
 * Returns the number of lanes where it failed.  */
int ctr_matrix_measure_lockstep(const struct ctr_matrix_plan *p, const struct bench_def *def,
				      unsigned r, struct lane *lanes, size_t nl, uint64_t *rng,
				      struct rtt_log *rtt, FILE *log)
{
	const struct runner_profile *prof = runner_profile(p->profile);
	const struct lockstep_profile *lp = lockstep_profile(p->profile);
	struct lockstep_lane ls[LIMIT_RUNTIMES];
	size_t map[LIMIT_RUNTIMES], n = 0;
	int cpus[CPU_SETSIZE], failures = 0;
	cpu_set_t set;
	struct lockstep_options o = {
		.min_slots = (lp->min_slots + p->rounds - 1) / p->rounds,
		.max_slots = ((p->slots ? p->slots : lp->max_slots) + p->rounds - 1) / p->rounds,
		.values = p->values ? p->values : lp->values,
		.value_time = p->value_time, .target = p->target >= 0 ? p->target : lp->target,
		.budget = lp->budget / p->rounds,
		.timeout = p->timeout, .fixed_loops = prof->loops,
		.independent_seeds = p->independent_seeds,
		.pin = p->pin, .set = &set, .cpus = cpus, .round = r + 1, .first_slot = r * LOCKSTEP_MAX_SLOTS + 1,
	};
	unsigned slots;
	char line[512];
	size_t used;

	if (worker_parse_cpus(p->cpus, &set) < 0)
		sched_getaffinity(0, sizeof(set), &set);
	o.ncpus = slot_cpus(p, cpus, CPU_SETSIZE);
	if (o.min_slots > o.max_slots)
		o.min_slots = o.max_slots;
	/* The lanes in the plan's order: the first listed is the reference.  */
	for (size_t want = 0; want < p->nruntimes; want++)
		for (size_t i = 0; i < nl; i++) {
			json_t *known;
			if (lanes[i].index != want || !lanes[i].alive)
				continue;
			known = lanes[i].loops_from ? result_find_benchmark(lanes[i].loops_from, def->name)
						    : NULL;
			ls[n] = (struct lockstep_lane){ .label = lanes[i].label, .s = &lanes[i].s,
				.alive = 1, .loops = known ? result_benchmark_loops(known) : 0,
				.rtt_us = rtt[want].us, .nrtt = rtt[want].n, .rtt_cap = rtt[want].cap };
			ls[n].lead_in = ctr_matrix_lead_in(p, lanes[i].label, &ls[n].warmup);
			map[n++] = i;
		}
	/* A plan of one runtime is measured alone; in a plan of more, a lone
	 * lane's values would pair with nothing: left to --resume.  */
	if (n < 2 && p->nruntimes > 1) {
		ctr_matrix_log(log, "round %u/%u %s: fewer than two runtimes alive: not measured in lockstep",
		      r + 1, p->rounds, def->name);
		for (size_t k = 0; k < n; k++)
			lanes[map[k]].unmeasured++;
		return 0;
	}
	slots = lockstep_benchmark(&o, def, ls, n, rng, log);
	/* A lane that failed leaves the others' values unpaired or missing:
	 * no lane's round is done, and --resume measures it on them all.  */
	for (size_t k = 0; k < n; k++)
		if (ls[k].failed && !ls[k].skipped && !child_stop_requested()) {
			for (size_t j = 0; j < n; j++)
				lanes[map[j]].unmeasured++;
			break;
		}
	used = (size_t)snprintf(line, sizeof(line), "[round %u/%u] %s: %u slot%s:", r + 1, p->rounds,
				def->name, slots, slots == 1 ? "" : "s");
	for (size_t k = 0; k < n; k++) {
		struct lane *l = &lanes[map[k]];

		rtt[l->index] = (struct rtt_log){ ls[k].rtt_us, ls[k].nrtt, ls[k].rtt_cap };
		l->alive = ls[k].alive;
		if (ls[k].failed && !child_stop_requested()) {
			failures += !ls[k].skipped;
			fprintf(stderr, "[round %u/%u %s] %s: %s: %s\n", r + 1, p->rounds, l->label,
				def->name, ls[k].skipped ? "skipped" : "FAILED", ls[k].error);
			ctr_matrix_log(log, "round %u/%u %s: %s %s: %s", r + 1, p->rounds, l->label, def->name,
			      ls[k].skipped ? "skipped" : "FAILED", ls[k].error);
		} else if (json_array_size(ls[k].runs) > 0 && !child_stop_requested()) {
			json_t *b = result_benchmark_new(def->name, def->category, bench_kind_name(def->kind),
							 ls[k].loops, ls[k].inner_loops);
			double *means;
			size_t nv;
			char t[32];

			json_array_extend(json_object_get(b, "runs"), ls[k].runs);
			result_benchmark_values(b, NULL, NULL, &means, &nv);
			runner_format_time(nv ? stats_mean(means, nv) : 0, t, sizeof(t));
			free(means);
			json_array_append_new(json_object_get(l->suite, "benchmarks"), b);
			if (used < sizeof(line))
				used += (size_t)snprintf(line + used, sizeof(line) - used, " %s %s",
							 l->label, t);
		}
		json_decref(ls[k].runs);
	}
	if (!child_stop_requested())
		fprintf(stderr, "%s\n", line);
	return failures;
}

/* Resuming a lockstep round: the benchmarks its raw files already hold
 * (each written after a finished benchmark) are kept, not run again.  */
void ctr_matrix_keep_finished(struct lane *lanes, size_t nl, FILE *log)
{
	for (size_t i = 0; i < nl; i++) {
		struct bench_error why = { 0 };
		json_t *old, *b;
		size_t k;

		if (ctr_matrix_read_round(lanes[i].path, &old, &why) < 0)
			ctr_matrix_log(log, "%s: measured again: %s", lanes[i].path, why.msg);
		bench_error_release(&why);

		json_array_foreach(json_object_get(old, "benchmarks"), k, b) {
			json_array_append(json_object_get(lanes[i].suite, "benchmarks"), b);
			ctr_matrix_log(log, "%s: %s kept from before", lanes[i].label, result_benchmark_name(b));
		}
		json_decref(old);
	}
}

/* Does every lane hold the benchmark?  If only some do (one failed or was
 * cut short), it is removed from them, to be measured again.  */
int ctr_matrix_measured_everywhere(struct lane *lanes, size_t nl, const char *name)
{
	size_t have = 0;

	for (size_t i = 0; i < nl; i++)
		have += result_find_benchmark(lanes[i].suite, name) != NULL;
	if (have == nl)
		return 1;
	for (size_t i = 0; i < nl && have; i++) {
		json_t *all = json_object_get(lanes[i].suite, "benchmarks"), *b;
		size_t k;
		json_array_foreach(all, k, b)
			if (strcmp(result_benchmark_name(b), name) == 0) {
				json_array_remove(all, k);
				break;
			}
	}
	return 0;
}

