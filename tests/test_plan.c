/* How `run` spends its time: where the adaptive stage spends its budget
 * (bench/harness/runner_plan.c), against hand-worked cases and on simulated
 * benchmarks whose spread and cost are known; and calibration's steps.  */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>

#include "bench/harness/runner_plan.h"
#include "bench/harness/worker.h"
#include "bench/lib/stats.h"

/* An outcome of n processes whose means have standard deviation sd around
 * mean, each process costing cost seconds.  */
static struct outcome with_spread(double mean, double sd, size_t n, double cost)
{
	return (struct outcome){ .status = OUT_OK, .mean = mean, .nruns = n,
				 .halfwidth = stats_t975(n - 1) * sd / sqrt((double)n),
				 .seconds = cost * (double)n };
}

/* From the t table: t(5)/sqrt(6) = 1.0495 > 1 >= t(6)/sqrt(7) = 0.9248, so a
 * spread equal to the target needs 7 processes.  */
Test(plan, the_processes_needed_follow_the_t_quantile)
{
	struct outcome o = with_spread(2.0, 0.04, 3, 1);

	cr_assert_eq(runner_plan_processes(0.02, 40, &o), 7);
	o = with_spread(1.0, 0.01, 5, 1);
	cr_assert_eq(runner_plan_processes(0.01, 40, &o), 7);
	cr_assert_eq(runner_plan_processes(0.01, 6, &o), 0, "7 is more than the most");
	/* Four times the target: about (4 * 1.96)^2 = 62 processes.  */
	o = with_spread(1.0, 0.04, 3, 1);
	cr_assert_eq(runner_plan_processes(0.01, 40, &o), 0);
	cr_assert_gt(runner_plan_processes(0.01, 100, &o), 61);
	cr_assert_lt(runner_plan_processes(0.01, 100, &o), 70);
}

Test(plan, the_cheapest_to_bring_within_the_target_goes_first)
{
	struct outcome out[] = {
		with_spread(1, 0.50, 3, 0.1),	/* far, out of reach */
		with_spread(1, 0.02, 3, 0.1),	/* 7 processes: 4 more, 0.4 s */
		with_spread(1, 0.012, 3, 2.0),	/* 4 or 5: 2 s at least */
		with_spread(1, 0.001, 3, 0.1),	/* within the target */
		with_spread(1, 0.02, 3, 0.01),	/* the cheapest, but failed */
	};

	out[4].status = OUT_FAILED;
	cr_assert_eq(runner_plan_next(0.02, 16, out, 5), 1);
	out[1].nruns = 16;	/* at the most */
	cr_assert_eq(runner_plan_next(0.02, 16, out, 5), 2);
	out[2].nruns = 16;
	cr_assert_eq(runner_plan_next(0.02, 16, out, 5), 0, "none in reach: the furthest");
	out[0].nruns = 16;
	cr_assert_eq(runner_plan_next(0.02, 16, out, 5), 5, "nothing left to do");
}

/* A standard normal draw (Box-Muller) from the suite's generator.  */
static double normal(uint64_t *state)
{
	double u = ((double)(stats_rand(state) >> 11) + 0.5) / 9007199254740992.0;
	double v = ((double)(stats_rand(state) >> 11) + 0.5) / 9007199254740992.0;

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

#define NSIM 40
#define MOST 16

struct sim_bench {
	double cv, cost, x[MOST];
	size_t n;
};

static void add_process(struct sim_bench *b, struct outcome *o, uint64_t *state)
{
	b->x[b->n++] = 1 + b->cv * normal(state);
	o->nruns = b->n;
	o->mean = stats_mean(b->x, b->n);
	o->halfwidth = stats_ci95_halfwidth(b->x, b->n);
	o->seconds += b->cost;
}

/* The rule the plan replaced, written again here: the benchmark furthest
 * above the target.  */
static size_t furthest(double target, const struct outcome *out, size_t n)
{
	double worst = 1;
	size_t best = n;

	for (size_t i = 0; i < n; i++) {
		double r = out[i].halfwidth / out[i].mean / target;

		if (out[i].nruns < MOST && r > worst) {
			worst = r;
			best = i;
		}
	}
	return best;
}

/* Simulated benchmarks: process-to-process spreads from 0.5% to 12% and
 * costs from 0.1 to 1.5 s a process; 3 processes each, then processes 4 at a
 * time while the budget lasts.  The benchmarks within the target at the
 * end.  */
static size_t simulate(int plan, uint64_t seed, double budget)
{
	struct sim_bench b[NSIM];
	struct outcome out[NSIM] = { 0 };
	uint64_t state = seed;
	size_t within = 0;

	for (size_t i = 0; i < NSIM; i++) {
		b[i] = (struct sim_bench){ .cv = 0.005 * pow(24, (double)i / (NSIM - 1)),
					   .cost = 0.1 + 1.4 * (double)((i * 7) % NSIM) / NSIM };
		out[i].status = OUT_OK;
		for (int k = 0; k < 3; k++)
			add_process(&b[i], &out[i], &state);
	}
	while (budget > 0) {
		size_t i = plan ? runner_plan_next(0.02, MOST, out, NSIM) : furthest(0.02, out, NSIM);

		if (i == NSIM)
			break;
		for (int k = 0; k < 4 && b[i].n < MOST; k++) {
			add_process(&b[i], &out[i], &state);
			budget -= b[i].cost;
		}
	}
	for (size_t i = 0; i < NSIM; i++)
		within += out[i].halfwidth / out[i].mean <= 0.02;
	return within;
}

/* Over 50 simulated suites, the plan brings more benchmarks within the
 * target than the furthest-first rule on the same draws, and never fewer
 * by more than chance allows.  */
Test(plan, a_budget_brings_more_benchmarks_within_the_target)
{
	size_t plan = 0, old = 0, worse = 0;

	for (uint64_t seed = 1; seed <= 50; seed++) {
		size_t p = simulate(1, seed, 20), f = simulate(0, seed, 20);

		plan += p;
		old += f;
		worse += p < f;
	}
	cr_log_info("within the target over 50 suites of %d: plan %zu, furthest-first %zu, plan worse on %zu", NSIM, plan, old, worse);
	cr_assert_gt(plan, old + 50, "within the target: plan %zu, furthest-first %zu", plan, old);
	cr_assert_lt(worse, 10, "the plan did worse on %zu of 50 suites", worse);
}

/* Doubling while a try is too short to give a rate, then one step to 2%
 * over min_time; never fewer loops, never past the most.  */
Test(plan, calibration_scales_to_just_over_min_time)
{
	cr_assert_eq(worker_next_loops(1, 1000, 0.05), 2);
	cr_assert_eq(worker_next_loops(64, 6000000, 0.05), 128, "6 ms: under an eighth");
	/* 7 ms for 1000 loops: 0.05 s is 7143 loops, 2% over is 7286.  */
	cr_assert_eq(worker_next_loops(1000, 7000000, 0.05), 7286);
	cr_assert_eq(worker_next_loops(1000, 40000000, 0.05), 1275);
	cr_assert_eq(worker_next_loops(1000, 49900000, 0.05), 1023);
	cr_assert_eq(worker_next_loops(1000, 51000000, 0.05), 1001, "a slower try: one more");
	cr_assert_eq(worker_next_loops(WORKER_MAX_LOOPS - 1, 7000000, 0.05), WORKER_MAX_LOOPS);
}
