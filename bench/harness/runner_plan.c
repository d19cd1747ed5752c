/* Where the adaptive stage of `run` spends its budget (runner.c).  */
#include "bench/harness/runner_plan.h"

#include <math.h>

#include "bench/lib/stats.h"

/* The processes a benchmark needs for its half-width to reach the target,
 * if the spread of its process means stays as it is so far: the least m
 * with t(m-1) s / sqrt(m) <= target; 0 when more than the most allowed.  */
size_t runner_plan_processes(double target, size_t most, const struct outcome *o)
{
	double s = o->halfwidth * sqrt((double)o->nruns) / stats_t975(o->nruns - 1);

	for (size_t m = o->nruns + 1; m <= most; m++)
		if (stats_t975(m - 1) * s / sqrt((double)m) <= target * o->mean)
			return m;
	return 0;
}

/* The benchmark more processes go to next, among those above the target
 * that may have more: the one that reaches the target for the fewest
 * seconds (the processes it needs at its cost per process so far), so that
 * a budget brings as many benchmarks as it can within the target; when
 * none can reach it, the one furthest above it.  Its index, or n when
 * none.  */
size_t runner_plan_next(double target, size_t most, const struct outcome *out, size_t n)
{
	double cheapest = INFINITY, worst = 1;
	size_t best = n, furthest = n;

	for (size_t i = 0; i < n; i++) {
		const struct outcome *o = &out[i];
		double r = o->mean > 0 ? o->halfwidth / o->mean / target : 0, cost;
		size_t m;

		if (o->status != OUT_OK || o->nruns < 2 || o->nruns >= most || r <= 1)
			continue;
		if (r > worst) {
			worst = r;
			furthest = i;
		}
		m = runner_plan_processes(target, most, o);
		cost = m ? (double)(m - o->nruns) * o->seconds / (double)o->nruns : INFINITY;
		if (cost < cheapest) {
			cheapest = cost;
			best = i;
		}
	}
	return best < n ? best : furthest;
}
