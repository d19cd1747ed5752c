/* The geometric means of categories and of all, with their stratified
 * bootstrap intervals (compare.h says how).  */
#include "bench/report/compare.h"
#include "bench/report/compare_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "bench/report/thesis.h"

/* FNV-1a, to seed a cell's bootstrap from its names.  */
static uint64_t hash_text(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* The p-quantile of sorted x (linear between order statistics).  */
static double quantile(const double *x, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t i = (size_t)h;

	return i + 1 < n ? x[i] + (h - (double)i) * (x[i + 1] - x[i]) : x[n - 1];
}

/* Scale the replicates below the estimate est, and those above, so that
 * their 2.5% and 97.5% points are the benchmark's exact interval [lo, hi]:
 * a group's interval is then built from its benchmarks' own intervals
 * (the plain percentile bootstrap is too narrow with few units: it held
 * the truth in 184 of 200 simulated categories of 10 processes a side).  The replicates keep their order, which
 * pairs them with the other benchmarks' independent ones.  */
static void calibrate(double *boot, double est, double lo, double hi)
{
	double *s = xmalloc(COMPARE_BOOTSTRAP * sizeof(*s)), q_lo, q_hi, below = 1, above = 1;

	memcpy(s, boot, COMPARE_BOOTSTRAP * sizeof(*s));
	stats_sort(s, COMPARE_BOOTSTRAP);
	q_lo = quantile(s, COMPARE_BOOTSTRAP, 0.025);
	q_hi = quantile(s, COMPARE_BOOTSTRAP, 0.975);
	free(s);
	if (est - q_lo > 0 && est - lo >= 0)
		below = (est - lo) / (est - q_lo);
	if (q_hi - est > 0 && hi - est >= 0)
		above = (hi - est) / (q_hi - est);
	for (size_t i = 0; i < COMPARE_BOOTSTRAP; i++)
		boot[i] = est + (boot[i] - est) * (boot[i] < est ? below : above);
}

/* COMPARE_BOOTSTRAP replicates of a cell's log ratio, computed as the
 * ratio itself was, from units resampled with replacement: slots when
 * paired, each side's processes when not.  Left NULL without an interval,
 * or with more than COMPARE_BOOTSTRAP_MAX_UNITS units a side.  */
static void bootstrap_cell(const struct compare *c, struct compare_bench *b, size_t rt)
{
	const struct compare_cell *x = &b->cells[c->ref];
	struct compare_cell *y = &b->cells[rt];
	size_t nx = x->nruns ? x->nruns : x->nprocs, ny = y->nruns ? y->nruns : y->nprocs;
	size_t n = y->r.pairs;
	uint64_t seed = hash_text(hash_text(0xcbf29ce484222325ull, b->name), c->runtimes[rt].name);
	double *xs, *ys, *boot;
	int moses = y->r.method == COMPARE_MOSES || y->r.method == COMPARE_RUNS_MOSES;
	int welch = y->r.method == COMPARE_WELCH || y->r.method == COMPARE_RUNS_WELCH;

	if (y->r.boot || isnan(y->r.lo))
		return;
	if (y->r.method != COMPARE_PAIRED && !moses && !welch)
		return;
	if ((y->r.paired && n > COMPARE_BOOTSTRAP_MAX_UNITS) ||
	    (!y->r.paired && (nx > COMPARE_BOOTSTRAP_MAX_UNITS || ny > COMPARE_BOOTSTRAP_MAX_UNITS)))
		return;
	boot = xmalloc(COMPARE_BOOTSTRAP * sizeof(*boot));
	xs = xmalloc((nx > n ? nx : n) * sizeof(*xs));
	ys = xmalloc(ny * sizeof(*ys));
	for (size_t rep = 0; rep < COMPARE_BOOTSTRAP; rep++) {
		if (y->r.paired) {
			for (size_t i = 0; i < n; i++)
				xs[i] = y->units[stats_rand(&seed) % n];
			boot[rep] = stats_walsh_median(xs, n);
			continue;
		}
		for (size_t i = 0; i < nx; i++)
			xs[i] = x->log_means[stats_rand(&seed) % nx];
		for (size_t i = 0; i < ny; i++)
			ys[i] = y->log_means[stats_rand(&seed) % ny];
		boot[rep] = moses ? stats_diff_median(xs, nx, ys, ny) :
			    stats_mean(ys, ny) - stats_mean(xs, nx);
	}
	free(xs);
	free(ys);
	calibrate(boot, log(y->r.ratio), log(y->r.lo), log(y->r.hi));
	y->r.boot = boot;
}

/* The geometric mean of runtime rt's ratios over the benchmarks of
 * category (NULL: all) measured by it and the reference.  */
static void geo_mean(struct compare *c, const char *category, size_t rt,
		     struct compare_ratio *out, size_t *count)
{
	const struct compare_ratio *one = NULL;
	double sum = 0, *reps;
	size_t k = 0;
	int known = 1, paired = 1;

	for (size_t i = 0; i < c->nbenches; i++) {
		struct compare_bench *b = &c->benches[i];
		const struct compare_ratio *r = &b->cells[rt].r;

		if (category && strcmp(b->category, category) != 0)
			continue;
		if (!b->cells[c->ref].present || !b->cells[rt].present)
			continue;
		k++;
		sum += log(r->ratio);
		one = r;
		known &= !isnan(r->lo);
		paired &= r->paired;
	}
	*count = k;
	*out = (struct compare_ratio){ .ratio = NAN, .lo = NAN, .hi = NAN };
	if (k == 0)
		return;
	/* One benchmark: the group is that benchmark, interval and all (and
	 * the reference is itself).  */
	if (k == 1 || rt == c->ref) {
		*out = *one;
		out->boot = NULL;
		return;
	}
	out->ratio = exp(sum / (double)k);
	out->method = COMPARE_BOOT;
	out->paired = paired;
	if (!known)
		return;
	reps = xcalloc(COMPARE_BOOTSTRAP, sizeof(*reps));
	for (size_t i = 0; i < c->nbenches; i++) {
		struct compare_bench *b = &c->benches[i];

		if (category && strcmp(b->category, category) != 0)
			continue;
		if (!b->cells[c->ref].present || !b->cells[rt].present)
			continue;
		bootstrap_cell(c, b, rt);
		if (!b->cells[rt].r.boot) {
			free(reps);
			return;
		}
		for (size_t rep = 0; rep < COMPARE_BOOTSTRAP; rep++)
			reps[rep] += b->cells[rt].r.boot[rep] / (double)k;
	}
	stats_sort(reps, COMPARE_BOOTSTRAP);
	out->lo = exp(quantile(reps, COMPARE_BOOTSTRAP, 0.025));
	out->hi = exp(quantile(reps, COMPARE_BOOTSTRAP, 0.975));
	out->coverage = 0.95;
	out->verdict = compare_verdict_of(out->lo, out->hi, c->min_change);
	free(reps);
}

static void fill_group(struct compare *c, struct compare_group *g, const char *category)
{
	double sum = 0;

	g->name = xstrdup(category ? category : "all");
	g->geo = xcalloc(c->nruntimes, sizeof(*g->geo));
	g->n = xcalloc(c->nruntimes, sizeof(*g->n));
	for (size_t rt = 0; rt < c->nruntimes; rt++)
		geo_mean(c, category, rt, &g->geo[rt], &g->n[rt]);
	for (size_t i = 0; i < c->nbenches; i++) {
		struct compare_bench *b = &c->benches[i];
		if (category && strcmp(b->category, category) != 0)
			continue;
		g->nbenches++;
		if (b->cells[c->ref].present && !isnan(b->study)) {
			sum += log(b->study);
			g->study_n++;
		}
	}
	g->study = g->study_n ? exp(sum / (double)g->study_n) : NAN;
	for (size_t i = 0; c->study && i < c->study->nrows; i++)
		if (!category || strcmp(c->study->rows[i].category, category) == 0)
			g->study_total++;
}

void compare_fill_groups(struct compare *c)
{
	for (size_t i = 0; i < c->nbenches; i++) {
		size_t j;
		for (j = 0; j < c->ncategories; j++)
			if (strcmp(c->categories[j].name, c->benches[i].category) == 0)
				break;
		if (j < c->ncategories)
			continue;
		c->categories = xrealloc(c->categories, (c->ncategories + 1) * sizeof(*c->categories));
		c->categories[c->ncategories] = (struct compare_group){ 0 };
		fill_group(c, &c->categories[c->ncategories++], c->benches[i].category);
	}
	fill_group(c, &c->total, NULL);
}
