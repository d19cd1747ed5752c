#include <criterion/criterion.h>

#include "bench/lib/clock.h"

Test(clock, is_monotonic_in_nanoseconds)
{
	uint64_t a = bench_clock_ns(), b = bench_clock_ns();
	cr_assert_geq(b, a);
	cr_assert_gt(a, 0);
}

Test(clock, reports_resolution_and_read_cost)
{
	double cost = bench_clock_read_cost_ns();
	cr_assert_gt(bench_clock_resolution_ns(), 0);
	cr_assert_leq(bench_clock_resolution_ns(), 1000000, "a clock coarser than 1 ms is useless here");
	cr_assert_gt(cost, 0);
	cr_assert_lt(cost, 100000, "reading the clock should not take 100 us: %f ns", cost);
}
