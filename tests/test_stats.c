#include <criterion/criterion.h>
#include <math.h>

#include "../bench/stats.h"

Test(stats, mean_stdev_median)
{
	double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	cr_assert_float_eq(stats_mean(x, 8), 5.0, 1e-12);
	cr_assert_float_eq(stats_stdev(x, 8), sqrt(32.0 / 7), 1e-12);
	cr_assert_float_eq(stats_median(x, 8), 4.5, 1e-12);
	cr_assert_float_eq(stats_median(x, 7), 4.0, 1e-12);
	cr_assert_eq(x[7], 9, "median must not reorder its input");
	cr_assert_float_eq(stats_stdev(x, 1), 0, 1e-12);
	cr_assert_float_eq(stats_mean(x, 0), 0, 1e-12);
}

Test(stats, student_t_quantiles)
{
	cr_assert(isinf(stats_t975(0)));
	cr_assert_float_eq(stats_t975(1), 12.7062, 1e-4);
	cr_assert_float_eq(stats_t975(19), 2.0930, 1e-4);
	/* Past the table: the expansion against published values.  */
	cr_assert_float_eq(stats_t975(40), 2.0211, 2e-4);
	cr_assert_float_eq(stats_t975(120), 1.9799, 2e-4);
	cr_assert_float_eq(stats_t975(100000), 1.96, 1e-3);
	for (size_t df = 1; df < 200; df++)
		cr_assert_gt(stats_t975(df), stats_t975(df + 1), "t975 must fall with df (df %zu)", df);
}

Test(stats, confidence_halfwidth)
{
	double x[] = { 10, 12, 11, 13, 9 };
	double expected = 2.7764 * stats_stdev(x, 5) / sqrt(5);
	cr_assert_float_eq(stats_ci95_halfwidth(x, 5), expected, 1e-9);
	cr_assert_float_eq(stats_ci95_halfwidth(x, 1), 0, 1e-12);
}

Test(stats, hodges_lehmann_shift_and_interval)
{
	const double x[] = { 0, 1, 2, 3 }, y[] = { 10, 11, 12, 13 }, slow[] = { 10, 11, 12, 100 };
	double shift, lo, hi;

	cr_assert_eq(stats_hodges_lehmann(x, 4, y, 4, &shift, &lo, &hi), 0);
	cr_assert_float_eq(shift, 10, 1e-12);
	/* 4 and 4: C = 1, the interval spans every difference (97% coverage).  */
	cr_assert_float_eq(lo, 7, 1e-12);
	cr_assert_float_eq(hi, 13, 1e-12);
	/* One process 30x slow moves the mean difference by 22; this not at all.  */
	cr_assert_eq(stats_hodges_lehmann(x, 4, slow, 4, &shift, &lo, &hi), 0);
	cr_assert_float_eq(shift, 10, 1e-12);
	cr_assert_float_eq(hi, 100, 1e-12);
	/* 3 and 3 processes cannot give a 95% distribution-free interval.  */
	cr_assert_eq(stats_hodges_lehmann(x, 3, y, 3, &shift, &lo, &hi), -1);
}
