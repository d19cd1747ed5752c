#include "bench/lib/clock.h"

#include <time.h>

#include "bench/lib/stats.h"

static uint64_t ns_of(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

uint64_t bench_clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ns_of(&ts);
}

uint64_t bench_clock_resolution_ns(void)
{
	struct timespec ts;
	if (clock_getres(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return ns_of(&ts);
}

double bench_clock_read_cost_ns(void)
{
	enum { BATCHES = 11, READS = 10000 };
	double cost[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = bench_clock_ns(), last = t0;
		for (int i = 0; i < READS; i++) {
			last = bench_clock_ns();
			bench_do_not_optimize(last);
		}
		cost[b] = (double)(last - t0) / READS;
	}
	return stats_median(cost, BATCHES);
}

const char *bench_clock_name(void)
{
	return "clock_gettime(CLOCK_MONOTONIC)";
}
