#include "bench/lib/clock.h"

#include <stdlib.h>
#include <time.h>

uint64_t bench_clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_clock_resolution_ns(void)
{
	struct timespec ts;
	if (clock_getres(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
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
	qsort(cost, BATCHES, sizeof(cost[0]), cmp_double);
	return cost[BATCHES / 2];
}

const char *bench_clock_name(void)
{
	return "clock_gettime(CLOCK_MONOTONIC)";
}
