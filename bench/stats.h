/* Statistics over the values of a benchmark.  */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>

double stats_mean(const double *x, size_t n);
/* Sample standard deviation (n - 1); 0 when n < 2.  */
double stats_stdev(const double *x, size_t n);
/* Median; sorts a copy, x is unchanged.  */
double stats_median(const double *x, size_t n);
/* Two-sided 95% quantile of Student's t with df degrees of freedom.  */
double stats_t975(size_t df);
/* Half-width of the 95% confidence interval of the mean of x (Student's t);
 * 0 when n < 2.  Values within one process are correlated, so pass one
 * mean per process, not every value.  */
double stats_ci95_halfwidth(const double *x, size_t n);

/* The Hodges-Lehmann estimate of the shift from x to y (the median of
 * every difference y[j] - x[i]) and its distribution-free 95% confidence
 * interval (Moses).  Robust to a few outliers, such as a process slowed by
 * another job, where a mean is not.  -1 when the samples are too small for
 * a 95% interval (3 and 3 are).  */
int stats_hodges_lehmann(const double *x, size_t nx, const double *y, size_t ny,
			 double *shift, double *lo, double *hi);

#endif
