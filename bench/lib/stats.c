#include "bench/lib/stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/util.h"

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

int stats_variance_split(const double *x, const size_t *n, size_t k, double *within,
			 double *between)
{
	double total = 0, ssw = 0, ssb = 0, grand, sum_n2 = 0, n0;
	size_t N = 0, at = 0;

	*within = *between = NAN;
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < n[i]; j++, N++) {
			if (!isfinite(x[N]))
				return -1;
			total += x[N];
		}
	if (k < 2 || N <= k)
		return -1;
	grand = total / (double)N;
	for (size_t i = 0; i < k; at += n[i], i++) {
		double m;

		if (n[i] == 0)
			continue;
		m = stats_mean(x + at, n[i]);
		for (size_t j = 0; j < n[i]; j++)
			ssw += (x[at + j] - m) * (x[at + j] - m);
		ssb += (double)n[i] * (m - grand) * (m - grand);
		sum_n2 += (double)n[i] * (double)n[i];
	}
	*within = ssw / (double)(N - k);
	n0 = ((double)N - sum_n2 / (double)N) / (double)(k - 1);
	*between = fmax(0, (ssb / (double)(k - 1) - *within) / n0);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void stats_sort(double *x, size_t n)
{
	qsort(x, n, sizeof(*x), cmp_double);
}

double stats_median(const double *x, size_t n)
{
	double *c, m;
	if (n == 0)
		return 0;
	c = xmalloc(n * sizeof(*c));
	memcpy(c, x, n * sizeof(*c));
	stats_sort(c, n);
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

uint64_t stats_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Standard normal distribution function.  */
static double phi(double x)
{
	return 0.5 * erfc(-x / sqrt(2));
}

/* P(T = s) for s = 0..top under the null hypothesis, by adding the ranks
 * 1..n one at a time: each is in the positive set with probability 1/2.
 * Probabilities rather than counts, so 2^n never overflows.  */
static double *signed_rank_pmf(size_t n, size_t top)
{
	double *p = xcalloc(top + 1, sizeof(*p));

	p[0] = 1;
	for (size_t i = 1; i <= n; i++) {
		for (size_t s = top; s >= i; s--)
			p[s] = (p[s] + p[s - i]) / 2;
		for (size_t s = 0; s < i && s <= top; s++)
			p[s] /= 2;
	}
	return p;
}

/* P(U = u) for u = 0..top, samples of m and n: the largest of the m + n
 * values is one of the first sample with probability m / (m + n), and then
 * exceeds all n of the second.  Rows of the smaller sample's sizes only.  */
static double *mann_whitney_pmf(size_t m, size_t n, size_t top)
{
	size_t a = m < n ? m : n, b = m < n ? n : m, w = top + 1;
	double *prev = xcalloc((a + 1) * w, sizeof(*prev));
	double *cur = xcalloc((a + 1) * w, sizeof(*cur)), *out;

	/* The distribution is the same for (m, n) and (n, m).  */
	for (size_t j = 0; j <= a; j++)
		prev[j * w] = 1;
	for (size_t i = 1; i <= b; i++) {
		memset(cur, 0, (a + 1) * w * sizeof(*cur));
		cur[0] = 1;
		for (size_t j = 1; j <= a; j++) {
			double pi = (double)i / (double)(i + j), pj = (double)j / (double)(i + j);
			double *c = cur + j * w, *left = cur + (j - 1) * w, *up = prev + j * w;

			for (size_t u = 0; u <= top; u++)
				c[u] = pj * left[u] + (u >= j ? pi * up[u - j] : 0);
		}
		out = prev;
		prev = cur;
		cur = out;
	}
	out = xmalloc(w * sizeof(*out));
	memcpy(out, prev + a * w, w * sizeof(*out));
	free(prev);
	free(cur);
	return out;
}

static double pmf_cdf(double *p, double k)
{
	double s = 0;

	for (size_t u = 0; u <= (size_t)k; u++)
		s += p[u];
	free(p);
	return s < 1 ? s : 1;
}

double stats_signed_rank_cdf(size_t n, double k)
{
	double total = (double)n * (double)(n + 1) / 2;

	k = floor(k);
	if (k < 0)
		return 0;
	if (k >= total)
		return 1;
	if (n <= STATS_SIGNED_RANK_EXACT_MAX)
		return pmf_cdf(signed_rank_pmf(n, (size_t)k), k);
	return phi((k + 0.5 - total / 2) /
		   sqrt((double)n * (double)(n + 1) * (double)(2 * n + 1) / 24));
}

double stats_mann_whitney_cdf(size_t m, size_t n, double k)
{
	double mn = (double)m * (double)n;

	k = floor(k);
	if (k < 0)
		return 0;
	if (k >= mn)
		return 1;
	if (mn <= STATS_MANN_WHITNEY_EXACT_MAX)
		return pmf_cdf(mann_whitney_pmf(m, n, (size_t)k), k);
	return phi((k + 0.5 - mn / 2) / sqrt(mn * (double)(m + n + 1) / 12));
}

/* The largest c in 1..half with cdf(c - 1) <= alpha / 2, given the lower
 * tail's probabilities p (exact) or the cdf (approximate): 0 if none.  */
static size_t crit_from_pmf(double *p, size_t half, double alpha, double *coverage)
{
	double cum = 0;
	size_t c = 0;

	for (size_t u = 0; u < half; u++) {
		if (cum + p[u] > alpha / 2)
			break;
		cum += p[u];
		c = u + 1;
	}
	free(p);
	*coverage = c ? 1 - 2 * cum : 0;
	return c;
}

static size_t crit_by_search(double (*cdf)(size_t, size_t, double), size_t m, size_t n,
			     double half, double alpha, double *coverage)
{
	size_t lo = 0, hi = (size_t)half;	/* the answer c is in [lo, hi] */

	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (cdf(m, n, (double)mid - 1) <= alpha / 2)
			lo = mid;
		else
			hi = mid - 1;
	}
	*coverage = lo ? 1 - 2 * cdf(m, n, (double)lo - 1) : 0;
	return lo;
}

static double signed_rank_cdf2(size_t n, size_t unused, double k)
{
	(void)unused;
	return stats_signed_rank_cdf(n, k);
}

size_t stats_signed_rank_crit(size_t n, double alpha, double *coverage)
{
	double total = (double)n * (double)(n + 1) / 2;
	size_t half = (size_t)(total / 2);

	if (n == 0) {
		*coverage = 0;
		return 0;
	}
	if (n <= STATS_SIGNED_RANK_EXACT_MAX)
		return crit_from_pmf(signed_rank_pmf(n, half), half, alpha, coverage);
	return crit_by_search(signed_rank_cdf2, n, 0, half, alpha, coverage);
}

size_t stats_mann_whitney_crit(size_t m, size_t n, double alpha, double *coverage)
{
	double mn = (double)m * (double)n;
	size_t half = (size_t)(mn / 2);

	if (m == 0 || n == 0) {
		*coverage = 0;
		return 0;
	}
	if (mn <= STATS_MANN_WHITNEY_EXACT_MAX)
		return crit_from_pmf(mann_whitney_pmf(m, n, half), half, alpha, coverage);
	return crit_by_search(stats_mann_whitney_cdf, m, n, half, alpha, coverage);
}

/* The k-th smallest of a[0..n) (from 0), moving a[] so that what is after
 * it is not smaller: a three-way quickselect.  */
static double nth(double *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		double p = a[lo + (hi - lo) / 2], t;
		size_t lt = lo, i = lo, gt = hi;

		while (i < gt) {
			if (a[i] < p) {
				t = a[lt]; a[lt++] = a[i]; a[i++] = t;
			} else if (a[i] > p) {
				t = a[--gt]; a[gt] = a[i]; a[i] = t;
			} else {
				i++;
			}
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return p;
	}
	return a[k];
}

/* An implicit matrix, every row sorted: the Walsh averages of sorted a
 * (row r, columns r..n-1), or the differences b[c] - a[r] of sorted a and b.
 * A cell is always computed by the same expression, so comparisons of
 * cells agree with each other.  */
struct implicit {
	const double *a, *b;
	size_t nrows, ncols;
	int walsh;
};

static double cell(const struct implicit *m, size_t r, size_t c)
{
	return m->walsh ? (m->a[r] + m->a[c]) / 2 : m->b[c] - m->a[r];
}

static size_t row_start(const struct implicit *m, size_t r)
{
	return m->walsh ? r : 0;
}

/* The columns in [lo, hi) of row r whose cell is below v (or not above v
 * when inclusive): a binary search.  */
static size_t count_in_row(const struct implicit *m, size_t r, size_t lo, size_t hi, double v,
			   int inclusive)
{
	size_t first = lo;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		double x = cell(m, r, mid);
		if (x < v || (inclusive && x == v))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - first;
}

/* Below this many candidates, list them and quickselect.  */
#define SELECT_SMALL 4096

/* The k-th smallest cell (from 0) in *v, and the next in *next when next
 * is not NULL (k + 1 must exist then).  Randomised selection: keep per row
 * the window [lo, hi) of candidates, pick a random candidate as pivot,
 * count the cells below and up to it, and keep the side holding k.  Every
 * cell left of a window is below every candidate, every cell right of it
 * above.  */
static void implicit_select(const struct implicit *m, uint64_t k, double *v, double *next)
{
	size_t nr = m->nrows;
	size_t *lo = xmalloc(nr * sizeof(*lo)), *hi = xmalloc(nr * sizeof(*hi));
	size_t *lt = xmalloc(nr * sizeof(*lt)), *le = xmalloc(nr * sizeof(*le));
	uint64_t below = 0, cand = 0, seed = 0x5eed;
	double found = NAN;
	int done = 0;

	for (size_t r = 0; r < nr; r++) {
		lo[r] = row_start(m, r);
		hi[r] = m->ncols;
		cand += hi[r] - lo[r];
	}
	while (!done && cand > SELECT_SMALL + 2 * (uint64_t)nr) {
		uint64_t u = stats_rand(&seed) % cand, nlt = below, nle = below;
		size_t r = 0;
		double p;

		while (u >= hi[r] - lo[r]) {
			u -= hi[r] - lo[r];
			r++;
		}
		p = cell(m, r, lo[r] + (size_t)u);
		for (r = 0; r < nr; r++) {
			lt[r] = count_in_row(m, r, lo[r], hi[r], p, 0);
			le[r] = lt[r] + count_in_row(m, r, lo[r] + lt[r], hi[r], p, 1);
			nlt += lt[r];
			nle += le[r];
		}
		if (k < nlt) {
			cand = nlt - below;
			for (r = 0; r < nr; r++)
				hi[r] = lo[r] + lt[r];
		} else if (k < nle) {
			found = p;
			done = 1;
			/* The next is p again, or the least cell above p.  */
			if (next && k + 1 < nle) {
				*next = p;
			} else if (next) {
				*next = INFINITY;
				for (r = 0; r < nr; r++)
					if (lo[r] + le[r] < m->ncols)
						*next = fmin(*next, cell(m, r, lo[r] + le[r]));
			}
		} else {
			cand = (below + cand) - nle;
			below = nle;
			for (r = 0; r < nr; r++)
				lo[r] += le[r];
		}
	}
	if (!done) {
		double *buf = xmalloc((cand ? cand : 1) * sizeof(*buf));
		size_t n = 0, kk = (size_t)(k - below);

		for (size_t r = 0; r < nr; r++)
			for (size_t c = lo[r]; c < hi[r]; c++)
				buf[n++] = cell(m, r, c);
		found = nth(buf, n, kk);
		if (next && kk + 1 < n) {
			*next = buf[kk + 1];
			for (size_t i = kk + 2; i < n; i++)
				*next = fmin(*next, buf[i]);
		} else if (next) {
			*next = INFINITY;
			for (size_t r = 0; r < nr; r++)
				if (hi[r] < m->ncols)
					*next = fmin(*next, cell(m, r, hi[r]));
		}
		free(buf);
	}
	*v = found;
	free(lo);
	free(hi);
	free(lt);
	free(le);
}

/* Selection needs an order: NaN (and an infinity, whose differences can
 * be NaN) would have none.  */
static int all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return 0;
	return 1;
}

static double *sorted_copy(const double *x, size_t n)
{
	double *c = xmalloc((n ? n : 1) * sizeof(*c));

	memcpy(c, x, n * sizeof(*c));
	stats_sort(c, n);
	return c;
}

double stats_walsh_select(const double *d, size_t n, uint64_t k)
{
	struct implicit m = { .a = d, .nrows = n, .ncols = n, .walsh = 1 };
	double v;

	implicit_select(&m, k, &v, NULL);
	return v;
}

double stats_diff_select(const double *x, size_t nx, const double *y, size_t ny, uint64_t k)
{
	struct implicit m = { .a = x, .b = y, .nrows = nx, .ncols = ny };
	double v;

	implicit_select(&m, k, &v, NULL);
	return v;
}

/* The median of the cells (count of them), and the interval from the
 * c-th smallest to the c-th largest when c > 0.  */
static void implicit_hl(const struct implicit *m, uint64_t count, size_t c, double *est,
			double *lo, double *hi)
{
	double a, b;

	if (count % 2) {
		implicit_select(m, count / 2, &a, NULL);
		*est = a;
	} else {
		implicit_select(m, count / 2 - 1, &a, &b);
		*est = (a + b) / 2;
	}
	*lo = *hi = NAN;
	if (c == 0)
		return;
	implicit_select(m, c - 1, lo, NULL);
	implicit_select(m, count - c, hi, NULL);
}

/* The median of buf[0..n), reordering it.  */
static double buf_median(double *buf, size_t n)
{
	double a = nth(buf, n, n / 2), b;

	if (n % 2)
		return a;
	/* nth left the lower half before n / 2.  */
	b = buf[0];
	for (size_t i = 1; i < n / 2; i++)
		b = fmax(b, buf[i]);
	return (a + b) / 2;
}

/* A bootstrap computes these thousands of times on small samples: list
 * the few cells on the stack then, and select only past that.  */
double stats_walsh_median(const double *d, size_t n)
{
	double buf[SELECT_SMALL], *s, est, lo, hi;

	if (!all_finite(d, n))
		return NAN;
	if ((uint64_t)n * (n + 1) / 2 <= SELECT_SMALL) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			for (size_t j = i; j < n; j++)
				buf[k++] = (d[i] + d[j]) / 2;
		return buf_median(buf, k);
	}
	s = sorted_copy(d, n);
	{
		struct implicit m = { .a = s, .nrows = n, .ncols = n, .walsh = 1 };
		implicit_hl(&m, (uint64_t)n * (n + 1) / 2, 0, &est, &lo, &hi);
	}
	free(s);
	return est;
}

double stats_diff_median(const double *x, size_t nx, const double *y, size_t ny)
{
	double buf[SELECT_SMALL], *sx, *sy, est, lo, hi;

	if (!all_finite(x, nx) || !all_finite(y, ny))
		return NAN;
	if ((uint64_t)nx * ny <= SELECT_SMALL) {
		size_t k = 0;
		for (size_t i = 0; i < nx; i++)
			for (size_t j = 0; j < ny; j++)
				buf[k++] = y[j] - x[i];
		return buf_median(buf, k);
	}
	sx = sorted_copy(x, nx);
	sy = sorted_copy(y, ny);
	{
		struct implicit m = { .a = sx, .b = sy, .nrows = nx, .ncols = ny };
		implicit_hl(&m, (uint64_t)nx * ny, 0, &est, &lo, &hi);
	}
	free(sx);
	free(sy);
	return est;
}

int stats_signed_rank_hl(const double *d, size_t n, double *est, double *lo, double *hi,
			 double *coverage)
{
	double *s, cov = 0;
	size_t c;

	*lo = *hi = NAN;
	*coverage = 0;
	if (n == 0)
		return -1;
	if (!all_finite(d, n)) {
		*est = NAN;
		return -1;
	}
	s = sorted_copy(d, n);
	c = stats_signed_rank_crit(n, 0.05, &cov);
	{
		struct implicit m = { .a = s, .nrows = n, .ncols = n, .walsh = 1 };
		implicit_hl(&m, (uint64_t)n * (n + 1) / 2, c, est, lo, hi);
	}
	free(s);
	if (c == 0)
		return -1;
	*coverage = cov;
	return 0;
}

int stats_hodges_lehmann(const double *x, size_t nx, const double *y, size_t ny,
			 double *shift, double *lo, double *hi, double *coverage)
{
	double *sx, *sy, cov = 0;
	size_t c;

	*lo = *hi = NAN;
	if (coverage)
		*coverage = 0;
	if (nx == 0 || ny == 0)
		return -1;
	if (!all_finite(x, nx) || !all_finite(y, ny)) {
		*shift = NAN;
		return -1;
	}
	/* Moses: the interval runs from the C-th smallest pairwise difference
	 * to the C-th largest, C from the exact Mann-Whitney distribution.  */
	c = stats_mann_whitney_crit(nx, ny, 0.05, &cov);
	sx = sorted_copy(x, nx);
	sy = sorted_copy(y, ny);
	{
		struct implicit m = { .a = sx, .b = sy, .nrows = nx, .ncols = ny };
		implicit_hl(&m, (uint64_t)nx * ny, c, shift, lo, hi);
	}
	free(sx);
	free(sy);
	if (c == 0)
		return -1;
	if (coverage)
		*coverage = cov;
	return 0;
}
