#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

double stats_mean(const double *x, size_t n)
{
	double s = 0;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

double stats_stdev(const double *x, size_t n)
{
	double m, s = 0;
	if (n < 2)
		return 0;
	m = stats_mean(x, n);
	for (size_t i = 0; i < n; i++)
		s += (x[i] - m) * (x[i] - m);
	return sqrt(s / (double)(n - 1));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double stats_median(const double *x, size_t n)
{
	double *c, m;
	if (n == 0)
		return 0;
	c = xmalloc(n * sizeof(*c));
	memcpy(c, x, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

double stats_t975(size_t df)
{
	/* Exact table for small df, then the Cornish-Fisher expansion, which is
	 * within 1e-4 of the true quantile from df 30 on.  */
	static const double table[] = {
		0, 12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646,
		2.3060, 2.2622, 2.2281, 2.2010, 2.1788, 2.1604, 2.1448, 2.1314,
		2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687,
		2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
	};
	const double z = 1.959963985;
	double g1, g2, d = (double)df;

	if (df == 0)
		return INFINITY;
	if (df < sizeof(table) / sizeof(table[0]))
		return table[df];
	g1 = (z * z * z + z) / 4;
	g2 = (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / 96;
	return z + g1 / d + g2 / (d * d);
}

double stats_ci95_halfwidth(const double *x, size_t n)
{
	if (n < 2)
		return 0;
	return stats_t975(n - 1) * stats_stdev(x, n) / sqrt((double)n);
}

int stats_hodges_lehmann(const double *x, size_t nx, const double *y, size_t ny,
			 double *shift, double *lo, double *hi)
{
	const double z = 1.959963985;
	size_t m = nx * ny, k = 0;
	double *d, nm = (double)m, c;

	if (nx == 0 || ny == 0)
		return -1;
	/* Moses: the interval runs from the C-th smallest pairwise difference
	 * to the C-th largest, C from the normal approximation of the
	 * Mann-Whitney statistic.  */
	c = floor(nm / 2 - z * sqrt(nm * (double)(nx + ny + 1) / 12));
	if (c < 1)
		return -1;
	d = xmalloc(m * sizeof(*d));
	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			d[k++] = y[j] - x[i];
	qsort(d, m, sizeof(*d), cmp_double);
	*shift = m % 2 ? d[m / 2] : (d[m / 2 - 1] + d[m / 2]) / 2;
	*lo = d[(size_t)c - 1];
	*hi = d[m - (size_t)c];
	free(d);
	return 0;
}
