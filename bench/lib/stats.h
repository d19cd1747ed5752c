/* Statistics over the values of a benchmark.  */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

double stats_mean(const double *x, size_t n);
/* Sample standard deviation (n - 1); 0 when n < 2.  */
double stats_stdev(const double *x, size_t n);
/* Sort x in place, smallest first.  */
void stats_sort(double *x, size_t n);
/* Median; sorts a copy, x is unchanged.  */
double stats_median(const double *x, size_t n);
/* Two-sided 95% quantile of Student's t with df degrees of freedom.  */
double stats_t975(size_t df);
/* Half-width of the 95% confidence interval of the mean of x (Student's t);
 * 0 when n < 2.  Values within one process are correlated, so pass one
 * mean per process, not every value.  */
double stats_ci95_halfwidth(const double *x, size_t n);

/* Exact null distributions are computed up to these sizes (n pairs for the
 * signed-rank statistic, m * n for Mann-Whitney); above them, the normal
 * approximation with continuity correction, whose order statistic has an
 * exact coverage within 0.001 of 95% there (tests/test_stats.c).  */
#define STATS_SIGNED_RANK_EXACT_MAX 400
#define STATS_MANN_WHITNEY_EXACT_MAX 10000

/* P(T <= k) for the Wilcoxon signed-rank statistic T of n pairs under the
 * null hypothesis (no ties; T is the sum of the ranks of the positive
 * differences, 0 to n(n+1)/2).  Exact (dynamic programming over the counts
 * of rank subsets) up to STATS_SIGNED_RANK_EXACT_MAX.  */
double stats_signed_rank_cdf(size_t n, double k);

/* P(U <= k) for the Mann-Whitney statistic U of samples of m and n (the
 * count of pairs with y > x, 0 to m*n) under the null hypothesis, no
 * ties.  Exact up to STATS_MANN_WHITNEY_EXACT_MAX.  */
double stats_mann_whitney_cdf(size_t m, size_t n, double k);

/* The largest c with P(T <= c - 1) <= alpha / 2 for the signed-rank (n) or
 * Mann-Whitney (m, n) statistic: a two-sided 1 - alpha interval runs from
 * the c-th smallest of the Walsh averages (pairwise differences) to the
 * c-th largest, and covers the truth with probability *coverage =
 * 1 - 2 P(T <= c - 1) >= 1 - alpha, exactly.  0 when no such interval
 * exists (too few values).  */
size_t stats_signed_rank_crit(size_t n, double alpha, double *coverage);
size_t stats_mann_whitney_crit(size_t m, size_t n, double alpha, double *coverage);

/* The k-th smallest (from 0) of the Walsh averages (d[i] + d[j]) / 2,
 * i <= j, of sorted d (n(n+1)/2 of them), or of the differences y[j] - x[i]
 * of sorted x and y (nx * ny), without listing them all: memory O(n),
 * time O(n log^2 n) expected (randomised selection over the implicitly
 * sorted rows, as Monahan's algorithm does; deterministic seed).  */
double stats_walsh_select(const double *d, size_t n, uint64_t k);
double stats_diff_select(const double *x, size_t nx, const double *y, size_t ny, uint64_t k);

/* One sample d of n paired differences: the Hodges-Lehmann estimate (the
 * median of the Walsh averages) in *est, and the exact distribution-free
 * 95% interval [*lo, *hi] (order statistics of the Walsh averages, from the
 * exact signed-rank distribution), which covers the centre of a symmetric
 * distribution with probability *coverage (>= 0.95; 0.969 at n = 6, 0.951
 * at n = 10).  -1 when n < 6, which is too few for a 95% interval: *est is
 * still set (for n >= 1), *lo and *hi are NAN, *coverage 0.  -1 and a NAN
 * estimate for a value that is not finite (a NaN has no rank).  d need not be
 * sorted and is not changed.  */
int stats_signed_rank_hl(const double *d, size_t n, double *est, double *lo, double *hi,
			 double *coverage);

/* The Hodges-Lehmann estimate of the shift from x to y (the median of
 * every difference y[j] - x[i]) and its distribution-free 95% confidence
 * interval (Moses), from exact Mann-Whitney critical values, with the
 * coverage it achieves (0.959 at 6 and 6, 0.964 at 3 and 5).  Robust to a
 * few outliers, such as a process slowed by another job, where a mean is
 * not.  -1 when the samples are too small for a 95% interval (3 and 3 are:
 * every interval needs C(m + n, m) >= 40); *shift is still set when both
 * have values (NAN if one is not finite).  coverage may be NULL.  */
int stats_hodges_lehmann(const double *x, size_t nx, const double *y, size_t ny,
			 double *shift, double *lo, double *hi, double *coverage);

/* The Hodges-Lehmann estimates alone (no interval): the median of the
 * Walsh averages of d, and of the differences y[j] - x[i].  Inputs need not
 * be sorted; n, nx and ny must be > 0.  NAN for a value not finite.  */
double stats_walsh_median(const double *d, size_t n);
double stats_diff_median(const double *x, size_t nx, const double *y, size_t ny);

/* Where the variance of grouped values lives (a one-way random-effects
 * analysis of variance): x holds k groups one after the other, group i of
 * n[i] values.  *within: the pooled variance of a value about its group's
 * mean (MS within); *between: the variance of the groups' true means,
 * (MS between - MS within) / n0 with n0 = (N - sum n[i]^2 / N) / (k - 1),
 * floored at 0.  For the paired log-ratios of a lockstep matrix, groups are
 * slots: within is value to value, between process to process.  -1 (both
 * NAN) with fewer than two groups, no group of two values, or a value that
 * is not finite.  */
int stats_variance_split(const double *x, const size_t *n, size_t k, double *within,
			 double *between);

/* A deterministic pseudo-random generator (splitmix64), for bootstraps
 * that give the same answer every time.  */
uint64_t stats_rand(uint64_t *state);

#endif
