#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "bench/lib/stats.h"

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
	double shift, lo, hi, cov;

	cr_assert_eq(stats_hodges_lehmann(x, 4, y, 4, &shift, &lo, &hi, &cov), 0);
	cr_assert_float_eq(shift, 10, 1e-12);
	/* 4 and 4: C = 1, the interval spans every difference (1 - 2/70).  */
	cr_assert_float_eq(lo, 7, 1e-12);
	cr_assert_float_eq(hi, 13, 1e-12);
	cr_assert_float_eq(cov, 1 - 2.0 / 70, 1e-12);
	/* One process 30x slow moves the mean difference by 22; this not at all.  */
	cr_assert_eq(stats_hodges_lehmann(x, 4, slow, 4, &shift, &lo, &hi, NULL), 0);
	cr_assert_float_eq(shift, 10, 1e-12);
	cr_assert_float_eq(hi, 100, 1e-12);
	/* 3 and 3 processes cannot give a 95% distribution-free interval (20
	 * arrangements: the narrowest covers 90%), but the shift is known.  */
	cr_assert_eq(stats_hodges_lehmann(x, 3, y, 3, &shift, &lo, &hi, &cov), -1);
	cr_assert_float_eq(shift, 10, 1e-12);
	cr_assert(isnan(lo) && isnan(hi) && cov == 0);
	/* 3 and 5 can (56 arrangements): the old normal approximation fell back
	 * to Welch there.  */
	cr_assert_eq(stats_hodges_lehmann(x, 3, y, 4, &shift, &lo, &hi, &cov), -1, "35 < 40");
	{
		const double y5[] = { 10, 11, 12, 13, 14 };
		cr_assert_eq(stats_hodges_lehmann(x, 3, y5, 5, &shift, &lo, &hi, &cov), 0);
		cr_assert_float_eq(lo, 8, 1e-12, "the smallest difference 10 - 2");
		cr_assert_float_eq(hi, 14, 1e-12, "the largest 14 - 0");
		cr_assert_float_eq(cov, 1 - 2.0 / 56, 1e-12);
	}
}

/* Brute force: the signed-rank statistic over all 2^n sign vectors.  */
static void enumerate_signed_rank(size_t n, double *count)
{
	size_t top = n * (n + 1) / 2;

	for (size_t s = 0; s <= top; s++)
		count[s] = 0;
	for (uint32_t mask = 0; mask < (1u << n); mask++) {
		size_t t = 0;
		for (size_t i = 0; i < n; i++)
			if (mask & (1u << i))
				t += i + 1;
		count[t]++;
	}
}

Test(stats, signed_rank_distribution_against_enumeration)
{
	double count[80];

	for (size_t n = 1; n <= 12; n++) {
		size_t top = n * (n + 1) / 2, c_brute = 0;
		double cum = 0, total = (double)(1u << n), cov, cov_brute = 0;

		enumerate_signed_rank(n, count);
		for (size_t k = 0; k <= top; k++) {
			cum += count[k];
			cr_assert_float_eq(stats_signed_rank_cdf(n, (double)k), cum / total, 1e-13,
					   "n %zu, P(T <= %zu)", n, k);
			if (2 * cum / total <= 0.05) {
				c_brute = k + 1;
				cov_brute = 1 - 2 * cum / total;
			}
		}
		cr_assert_eq(stats_signed_rank_crit(n, 0.05, &cov), c_brute, "n %zu", n);
		cr_assert_float_eq(cov, c_brute ? cov_brute : 0, 1e-13, "n %zu", n);
	}
	cr_assert_float_eq(stats_signed_rank_cdf(5, -1), 0, 1e-15);
	/* Published critical values (two-sided 5%: T <= 0 at n = 6, 8 at 10,
	 * 25 at 15, 52 at 20), and the coverage they give.  */
	{
		double cov;
		cr_assert_eq(stats_signed_rank_crit(5, 0.05, &cov), 0);
		cr_assert_eq(stats_signed_rank_crit(6, 0.05, &cov), 1);
		cr_assert_float_eq(cov, 1 - 2.0 / 64, 1e-12);
		cr_assert_eq(stats_signed_rank_crit(10, 0.05, &cov), 9);
		cr_assert_float_eq(cov, 0.95117, 1e-5);
		cr_assert_eq(stats_signed_rank_crit(15, 0.05, &cov), 26);
		cr_assert_eq(stats_signed_rank_crit(20, 0.05, &cov), 53);
	}
}

/* Brute force: U over every choice of which m of the m + n ranks are x's.  */
static void enumerate_mann_whitney(size_t m, size_t n, double *count)
{
	for (size_t u = 0; u <= m * n; u++)
		count[u] = 0;
	for (uint32_t mask = 0; mask < (1u << (m + n)); mask++) {
		size_t u = 0, xs = 0;
		if ((size_t)__builtin_popcount(mask) != m)
			continue;
		/* For each y, the x's below it.  */
		for (size_t i = 0; i < m + n; i++) {
			if (mask & (1u << i))
				xs++;
			else
				u += xs;
		}
		count[u]++;
	}
}

Test(stats, mann_whitney_distribution_against_enumeration)
{
	double count[64];

	for (size_t m = 1; m <= 7; m++) {
		for (size_t n = 1; n <= 7 && m + n <= 13; n++) {
			size_t c_brute = 0;
			double cum = 0, total = 0, cov, cov_brute = 0;

			enumerate_mann_whitney(m, n, count);
			for (size_t u = 0; u <= m * n; u++)
				total += count[u];
			for (size_t u = 0; u <= m * n; u++) {
				cum += count[u];
				cr_assert_float_eq(stats_mann_whitney_cdf(m, n, (double)u), cum / total,
						   1e-13, "%zu v %zu, P(U <= %zu)", m, n, u);
				if (2 * cum / total <= 0.05) {
					c_brute = u + 1;
					cov_brute = 1 - 2 * cum / total;
				}
			}
			cr_assert_eq(stats_mann_whitney_crit(m, n, 0.05, &cov), c_brute,
				     "%zu v %zu", m, n);
			cr_assert_float_eq(cov, c_brute ? cov_brute : 0, 1e-13, "%zu v %zu", m, n);
		}
	}
	/* The cases: 6 v 6 is C = 6 (95.9%), one order statistic
	 * narrower than the floored normal approximation (C = 5, 97.4%); 3 v 5
	 * has an exact interval.  */
	{
		double cov;
		cr_assert_eq(stats_mann_whitney_crit(6, 6, 0.05, &cov), 6);
		cr_assert_float_eq(cov, 1 - 2 * 19.0 / 924, 1e-12);
		cr_assert_eq(stats_mann_whitney_crit(3, 5, 0.05, &cov), 1);
		cr_assert_eq(stats_mann_whitney_crit(3, 3, 0.05, &cov), 0);
		cr_assert_eq(stats_mann_whitney_crit(10, 10, 0.05, &cov), 24, "published: U <= 23");
	}
}

/* Past the exact limits, the normal approximation: at the limit, the
 * order statistic it picks has an exact coverage within 0.001 of 95%.  */
Test(stats, exact_and_approximate_critical_values_meet_at_the_limits)
{
	const double z = 1.959963985;
	double cov, n = STATS_SIGNED_RANK_EXACT_MAX, mean = n * (n + 1) / 4;
	double sd = sqrt(n * (n + 1) * (2 * n + 1) / 24), c_norm = floor(mean - z * sd + 0.5);
	double c = (double)stats_signed_rank_crit(STATS_SIGNED_RANK_EXACT_MAX, 0.05, &cov);
	double exact_cov = 1 - 2 * stats_signed_rank_cdf(STATS_SIGNED_RANK_EXACT_MAX, c_norm - 1);

	cr_assert(cov >= 0.95 && cov < 0.9501, "coverage %g", cov);
	cr_assert(c - c_norm >= 0 && c - c_norm <= 3, "exact %g, normal %g", c, c_norm);
	cr_assert(exact_cov >= 0.95 && exact_cov < 0.951, "coverage %g", exact_cov);
	stats_signed_rank_crit(STATS_SIGNED_RANK_EXACT_MAX + 1, 0.05, &cov);
	cr_assert(cov >= 0.95 && cov < 0.9501, "coverage %g", cov);
	/* 100 v 100 is exact, 101 v 100 approximate.  */
	n = 100;
	mean = n * n / 2;
	sd = sqrt(n * n * (2 * n + 1) / 12);
	c_norm = floor(mean - z * sd + 0.5);
	c = (double)stats_mann_whitney_crit(100, 100, 0.05, &cov);
	exact_cov = 1 - 2 * stats_mann_whitney_cdf(100, 100, c_norm - 1);
	cr_assert(c - c_norm >= 0 && c - c_norm <= 3, "exact %g, normal %g", c, c_norm);
	cr_assert(exact_cov >= 0.95 && exact_cov < 0.951, "coverage %g", exact_cov);
	stats_mann_whitney_crit(101, 100, 0.05, &cov);
	cr_assert(cov >= 0.95 && cov < 0.9501, "coverage %g", cov);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

Test(stats, selection_over_implicit_pairs_matches_sorting)
{
	enum { N = 300, NX = 400, NY = 450 };
	static double d[N], x[NX], y[NY], all[NX * NY];
	uint64_t seed = 7;
	size_t k = 0;

	/* Rounded values, so that ties are many.  */
	for (size_t i = 0; i < N; i++)
		d[i] = round((double)(stats_rand(&seed) % 10000) / 37);
	qsort(d, N, sizeof(*d), cmp);
	for (size_t i = 0; i < N; i++)
		for (size_t j = i; j < N; j++)
			all[k++] = (d[i] + d[j]) / 2;
	qsort(all, k, sizeof(*all), cmp);
	cr_assert_gt(k, 4096 + 2 * N, "large enough for the implicit path");
	for (size_t q = 0; q < k; q += k / 37)
		cr_assert_eq(stats_walsh_select(d, N, q), all[q], "Walsh k %zu", q);
	cr_assert_eq(stats_walsh_select(d, N, k - 1), all[k - 1]);
	for (size_t i = 0; i < NX; i++)
		x[i] = (double)(stats_rand(&seed) % 1000) / 8;
	for (size_t i = 0; i < NY; i++)
		y[i] = (double)(stats_rand(&seed) % 1000) / 8 + 3;
	qsort(x, NX, sizeof(*x), cmp);
	qsort(y, NY, sizeof(*y), cmp);
	k = 0;
	for (size_t i = 0; i < NX; i++)
		for (size_t j = 0; j < NY; j++)
			all[k++] = y[j] - x[i];
	qsort(all, k, sizeof(*all), cmp);
	for (size_t q = 0; q < k; q += k / 41)
		cr_assert_eq(stats_diff_select(x, NX, y, NY, q), all[q], "differences k %zu", q);
	cr_assert_eq(stats_diff_select(x, NX, y, NY, 0), all[0]);
	cr_assert_eq(stats_diff_select(x, NX, y, NY, k - 1), all[k - 1]);
	/* The median of an even count averages the two middle cells.  */
	{
		double shift, lo, hi;
		stats_hodges_lehmann(x, NX, y, NY, &shift, &lo, &hi, NULL);
		cr_assert_eq(shift, (all[k / 2 - 1] + all[k / 2]) / 2);
	}
}

Test(stats, signed_rank_interval_on_known_data)
{
	const double d[] = { 0.8, -0.3, 1.9, 0.4, 1.1, 2.5, -0.6, 0.9, 1.4, 0.2 };
	double est, lo, hi, cov;

	/* 55 Walsh averages; c = 9 at n = 10: the 9th smallest and largest.  */
	cr_assert_eq(stats_signed_rank_hl(d, 10, &est, &lo, &hi, &cov), 0);
	cr_assert_float_eq(est, 0.8, 1e-12);
	cr_assert_float_eq(lo, 0.15, 1e-12);
	cr_assert_float_eq(hi, 1.5, 1e-12);
	cr_assert_float_eq(cov, 0.95117, 1e-5);
	cr_assert_float_eq(d[0], 0.8, 0, "the input is not reordered");
	/* Six is the least for a 95% interval: from the least to the largest
	 * value (the smallest and largest Walsh averages).  */
	cr_assert_eq(stats_signed_rank_hl(d, 6, &est, &lo, &hi, &cov), 0);
	cr_assert_float_eq(lo, -0.3, 1e-12);
	cr_assert_float_eq(hi, 2.5, 1e-12);
	cr_assert_float_eq(cov, 1 - 2.0 / 64, 1e-12);
	cr_assert_eq(stats_signed_rank_hl(d, 5, &est, &lo, &hi, &cov), -1);
	cr_assert(isnan(lo) && isnan(hi) && cov == 0);
	cr_assert_float_eq(est, 0.8, 1e-12, "five values still have an estimate");
	cr_assert_eq(stats_signed_rank_hl(d, 0, &est, &lo, &hi, &cov), -1);
}

/* A NaN or an infinity (a process mean that overflowed) has no rank, and
 * would stall a selection: refused, whatever the size.  */
Test(stats, values_not_finite_are_refused)
{
	static double d[200], y[200];
	double est, lo, hi, cov;

	for (size_t i = 0; i < 200; i++)
		d[i] = y[i] = (double)i;
	d[77] = INFINITY;
	y[3] = NAN;
	cr_assert_eq(stats_signed_rank_hl(d, 200, &est, &lo, &hi, &cov), -1);
	cr_assert(isnan(est) && isnan(lo) && cov == 0);
	cr_assert_eq(stats_hodges_lehmann(d, 200, d, 200, &est, &lo, &hi, &cov), -1);
	cr_assert(isnan(est));
	cr_assert_eq(stats_hodges_lehmann(d + 100, 100, y, 200, &est, &lo, &hi, NULL), -1);
	cr_assert(isnan(stats_walsh_median(y, 200)));
	cr_assert(isnan(stats_diff_median(d, 200, d, 3)));
}

/* Normal variates from the deterministic generator (Box-Muller).  */
static double normal(uint64_t *seed)
{
	double u = ((double)(stats_rand(seed) >> 11) + 0.5) / 9007199254740992.0;
	double v = ((double)(stats_rand(seed) >> 11) + 0.5) / 9007199254740992.0;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

Test(stats, intervals_cover_a_known_truth_as_often_as_they_say)
{
	enum { SAMPLES = 2000 };
	uint64_t seed = 42;
	size_t hits1 = 0, hits2 = 0;
	double cov1 = 0, cov2 = 0;

	for (size_t s = 0; s < SAMPLES; s++) {
		double d[10], x[6], y[6], est, lo, hi;

		/* A paired shift of 0.3 with heavy-ish tails (a normal mixture).  */
		for (size_t i = 0; i < 10; i++)
			d[i] = 0.3 + normal(&seed) * (stats_rand(&seed) % 5 ? 1 : 4);
		cr_assert_eq(stats_signed_rank_hl(d, 10, &est, &lo, &hi, &cov1), 0);
		hits1 += lo <= 0.3 && 0.3 <= hi;
		for (size_t i = 0; i < 6; i++) {
			x[i] = normal(&seed);
			y[i] = 2 + normal(&seed);
		}
		cr_assert_eq(stats_hodges_lehmann(x, 6, y, 6, &est, &lo, &hi, &cov2), 0);
		hits2 += lo <= 2 && 2 <= hi;
	}
	/* Three standard errors of a proportion near 0.95 over 2000: 0.015.  */
	cr_assert_float_eq((double)hits1 / SAMPLES, cov1, 0.015, "signed rank: %zu of 2000, "
			   "stated %g", hits1, cov1);
	cr_assert_float_eq((double)hits2 / SAMPLES, cov2, 0.015, "Moses: %zu of 2000, stated %g",
			   hits2, cov2);
}

/* The estimates alone, small (listed) and large (selected), against the
 * median of every cell sorted.  */
Test(stats, hodges_lehmann_estimates_alone)
{
	enum { N = 120 };
	static double d[N], all[N * N];
	uint64_t seed = 9;

	for (size_t i = 0; i < N; i++)
		d[i] = (double)(stats_rand(&seed) % 1000) / 7;
	for (size_t n = 1; n <= N; n += n < 12 ? 1 : 27) {
		size_t k = 0;
		double est, lo, hi, cov;

		for (size_t i = 0; i < n; i++)
			for (size_t j = i; j < n; j++)
				all[k++] = (d[i] + d[j]) / 2;
		qsort(all, k, sizeof(*all), cmp);
		cr_assert_eq(stats_walsh_median(d, n), k % 2 ? all[k / 2] :
			     (all[k / 2 - 1] + all[k / 2]) / 2, "Walsh, n %zu", n);
		stats_signed_rank_hl(d, n, &est, &lo, &hi, &cov);
		cr_assert_eq(est, stats_walsh_median(d, n), "n %zu", n);
		k = 0;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < N - n + 1; j++)
				all[k++] = d[N - 1 - j] - d[i];
		qsort(all, k, sizeof(*all), cmp);
		{
			double y[N];
			for (size_t j = 0; j < N - n + 1; j++)
				y[j] = d[N - 1 - j];
			cr_assert_eq(stats_diff_median(d, n, y, N - n + 1), k % 2 ? all[k / 2] :
				     (all[k / 2 - 1] + all[k / 2]) / 2, "differences, %zu v %zu", n,
				     N - n + 1);
		}
	}
}

/* The variance split on values worked out by hand, balanced and not.  */
Test(stats, variance_split_on_hand_made_values)
{
	static const double even[] = { 0.01, 0.03, 0.05, 0.07 }, uneven[] = { 1, 2, 3, 5, 7 };
	static const size_t two_two[] = { 2, 2 }, three_two[] = { 3, 2 }, one_one[] = { 1, 1 };
	double w, b;

	/* Slot means 0.02 and 0.06: MS within 0.0002, MS between 0.0016, n0 2.  */
	cr_assert_eq(stats_variance_split(even, two_two, 2, &w, &b), 0);
	cr_assert_float_eq(w, 0.0002, 1e-15);
	cr_assert_float_eq(b, (0.0016 - 0.0002) / 2, 1e-15);
	/* Means 2 and 6, grand 3.6: SSW 4 on 3 df, SSB 19.2 on 1, n0 2.4.  */
	cr_assert_eq(stats_variance_split(uneven, three_two, 2, &w, &b), 0);
	cr_assert_float_eq(w, 4.0 / 3, 1e-12);
	cr_assert_float_eq(b, (19.2 - 4.0 / 3) / 2.4, 1e-12);
	/* Slots that agree more than their values do: no between part.  */
	cr_assert_eq(stats_variance_split((double[]){ 0, 1, 1, 0 }, two_two, 2, &w, &b), 0);
	cr_assert_float_eq(b, 0, 1e-15);
	/* Too little to split.  */
	cr_assert_eq(stats_variance_split(even, two_two, 1, &w, &b), -1);
	cr_assert(isnan(w) && isnan(b));
	cr_assert_eq(stats_variance_split(even, one_one, 2, &w, &b), -1);
	cr_assert_eq(stats_variance_split((double[]){ 0, NAN, 1, 0 }, two_two, 2, &w, &b), -1);
}

/* Simulated slots whose truth is known: 400 slots of 8 values, slot
 * effects of sd 3%, values of sd 2% about them.  */
Test(stats, variance_split_recovers_a_known_truth)
{
	enum { K = 400, V = 8 };
	static double x[K * V];
	size_t n[K];
	uint64_t state = 12345;
	double w, b;

	for (size_t i = 0; i < K; i++) {
		double slot = 0.03 * normal(&state);
		n[i] = V;
		for (size_t j = 0; j < V; j++)
			x[i * V + j] = slot + 0.02 * normal(&state);
	}
	cr_assert_eq(stats_variance_split(x, n, K, &w, &b), 0);
	cr_assert(fabs(sqrt(w) / 0.02 - 1) < 0.05, "within sd %g, truth 0.02", sqrt(w));
	cr_assert(fabs(sqrt(b) / 0.03 - 1) < 0.1, "between sd %g, truth 0.03", sqrt(b));
}
