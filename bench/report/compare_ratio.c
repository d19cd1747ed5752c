/* One runtime against the reference on one benchmark: the ratio, its
 * interval and the verdict (compare.h says how).  */
#include "bench/report/compare.h"
#include "bench/report/compare_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"

/* The two-sided 95% quantile for fractional Welch degrees of freedom,
 * rounded down (the wider interval).  */
static double t975(double df)
{
	if (!(df >= 1))
		df = 1;
	if (df > 1e9)
		df = 1e9;
	return stats_t975((size_t)(df + 1e-9));	/* 8 computed as 7.999... is 8 */
}

enum compare_verdict compare_verdict_of(double lo, double hi, double min_change)
{
	if (isnan(lo) || isnan(hi))
		return COMPARE_NO_VERDICT;
	if (lo > 1 + min_change)
		return COMPARE_SLOWER;
	if (hi < 1 - min_change)
		return COMPARE_FASTER;
	if (lo >= 1 - min_change && hi <= 1 + min_change)
		return COMPARE_SAME;
	return COMPARE_INCONCLUSIVE;
}

static void no_interval(struct compare_ratio *r, double log_ratio)
{
	r->ratio = exp(log_ratio);
	r->lo = r->hi = NAN;
	r->coverage = 0;
	r->method = COMPARE_NONE;
	r->verdict = COMPARE_NO_VERDICT;
}

/* An estimate and its interval, on the log scale, found by method.  */
static void set_interval(struct compare_ratio *r, double est, double lo, double hi,
			 double coverage, enum compare_method method, double min_change)
{
	r->ratio = exp(est);
	r->lo = exp(lo);
	r->hi = exp(hi);
	r->coverage = coverage;
	r->method = method;
	r->verdict = compare_verdict_of(r->lo, r->hi, min_change);
}

/* The change from x to y, on the log per-process means: the Hodges-Lehmann
 * shift and its distribution-free interval, so that one process slowed by
 * another job on the machine does not move the verdict; Welch's t-interval
 * on the mean difference where no such interval exists.  */
static void shift_interval(const struct compare_cell *x, const struct compare_cell *y,
			   double min_change, struct compare_ratio *r)
{
	/* Runs mode: the units are files, whatever their processes.  */
	size_t nx = x->nruns ? x->nruns : x->nprocs, ny = y->nruns ? y->nruns : y->nprocs;
	int runs = x->nruns > 0;
	double d = stats_mean(y->log_means, ny) - stats_mean(x->log_means, nx);
	double vx, vy, sx, sy, df, se, shift, lo, hi, cov;

	r->paired = 0;
	r->pairs = 0;
	/* A process mean that overflowed (values near 1e308) has no ratio.  */
	if (!isfinite(d)) {
		no_interval(r, NAN);
		return;
	}
	if (stats_hodges_lehmann(x->log_means, nx, y->log_means, ny, &shift, &lo, &hi, &cov) == 0) {
		set_interval(r, shift, lo, hi, cov, runs ? COMPARE_RUNS_MOSES : COMPARE_MOSES,
			     min_change);
		return;
	}
	if (nx < 2 || ny < 2) {
		no_interval(r, d);
		return;
	}
	sx = stats_stdev(x->log_means, nx);
	sy = stats_stdev(y->log_means, ny);
	vx = sx * sx / (double)nx;
	vy = sy * sy / (double)ny;
	df = vx + vy > 0 ? (vx + vy) * (vx + vy) /
		(vx * vx / (double)(nx - 1) + vy * vy / (double)(ny - 1)) : INFINITY;
	se = sqrt(vx + vy);
	set_interval(r, d, d - (se > 0 ? t975(df) * se : 0), d + (se > 0 ? t975(df) * se : 0),
		     0.95, runs ? COMPARE_RUNS_WELCH : COMPARE_WELCH, min_change);
}

/* Paired: the slots' log ratios are the sample; the signed-rank
 * Hodges-Lehmann estimate and its exact interval.  */
static void paired_interval(const double *units, size_t n, double min_change,
			    struct compare_ratio *r)
{
	double est = 0, lo, hi, cov;

	r->paired = 1;
	r->pairs = n;
	if (stats_signed_rank_hl(units, n, &est, &lo, &hi, &cov) < 0) {
		no_interval(r, est);
		return;
	}
	set_interval(r, est, lo, hi, cov, COMPARE_PAIRED, min_change);
}

/* A lockstep run of a benchmark: its slot and values (borrowed).  */
struct slot_run {
	json_int_t slot;
	json_t *values;
};

static int by_slot(const void *a, const void *b)
{
	json_int_t x = ((const struct slot_run *)a)->slot, y = ((const struct slot_run *)b)->slot;
	return (x > y) - (x < y);
}

/* The runs of bench with values, sorted by lockstep_slot; none (*n = 0)
 * when a run with values has no slot: not a lockstep benchmark.  A slot
 * that is not an integer, or twice, is an error naming the file.  */
static int slot_runs(json_t *bench, const char *path, struct slot_run **out, size_t *n,
		     struct bench_error *err)
{
	json_t *runs = json_object_get(bench, "runs"), *r;
	struct slot_run *s = xcalloc(json_array_size(runs) + 1, sizeof(*s));
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	json_array_foreach(runs, i, r) {
		json_t *vals = json_object_get(r, "values");
		json_t *slot = json_object_get(json_object_get(r, "metadata"), "lockstep_slot");

		if (json_array_size(vals) == 0)
			continue;
		if (!slot) {
			free(s);
			return 0;
		}
		if (!json_is_integer(slot)) {
			free(s);
			return bench_error_set(err, 0, "%s: benchmark `%s`: run %zu: lockstep_slot is "
					       "not an integer", path, result_benchmark_name(bench),
					       i + 1);
		}
		s[k++] = (struct slot_run){ json_integer_value(slot), vals };
	}
	qsort(s, k, sizeof(*s), by_slot);
	for (i = 1; i < k; i++) {
		if (s[i].slot == s[i - 1].slot) {
			bench_error_set(err, 0, "%s: benchmark `%s`: lockstep_slot %lld in two runs",
					path, result_benchmark_name(bench), (long long)s[i].slot);
			free(s);
			return -1;
		}
	}
	*out = s;
	*n = k;
	return 0;
}

/* Pair the runs of two sides by slot (a slot on one side only is left
 * out), their values by index up to the shorter: per slot the median of
 * log(b_i / a_i), robust to a value hit by a neighbour.  y->var_within and
 * y->var_between get where the variance of those log ratios lives.  */
static size_t pair_slots(const struct slot_run *a, size_t na, const struct slot_run *b,
			 size_t nb, struct compare_cell *y)
{
	size_t most = na < nb ? na : nb, i = 0, j = 0, n = 0, used = 0, cap = 0;
	double *u = xmalloc((most + 1) * sizeof(*u)), *d = NULL;
	size_t *len = xmalloc((most + 1) * sizeof(*len));

	while (i < na && j < nb) {
		if (a[i].slot != b[j].slot) {
			a[i].slot < b[j].slot ? i++ : j++;
			continue;
		}
		len[n] = json_array_size(a[i].values);
		if (json_array_size(b[j].values) < len[n])
			len[n] = json_array_size(b[j].values);
		if (used + len[n] > cap) {
			cap = 2 * (used + len[n]);
			d = xrealloc(d, cap * sizeof(*d));
		}
		/* Values are > 0 (result_validate).  */
		for (size_t v = 0; v < len[n]; v++)
			d[used + v] = log(json_number_value(json_array_get(b[j].values, v))) -
				      log(json_number_value(json_array_get(a[i].values, v)));
		u[n] = stats_median(d + used, len[n]);
		used += len[n++];
		i++;
		j++;
	}
	stats_variance_split(d, len, n, &y->var_within, &y->var_between);
	free(len);
	free(d);
	y->units = u;
	return n;
}

const char *compare_suite_text(json_t *md, const char *key)
{
	const char *s = json_string_value(json_object_get(md, key));
	return s && *s ? s : NULL;
}

int compare_rate_cell(struct compare *c, struct compare_bench *b, size_t rt, json_t *jx,
		      json_t *jy, struct bench_error *err)
{
	struct compare_cell *x = &b->cells[c->ref], *y = &b->cells[rt];
	struct slot_run *sx = NULL, *sy = NULL;
	size_t nx = 0, ny = 0, n = 0;
	const char *dx = compare_suite_text(c->runtimes[c->ref].metadata, "matrix_design");
	const char *dy = compare_suite_text(c->runtimes[rt].metadata, "matrix_design");
	int rc = -1;

	y->var_within = y->var_between = NAN;
	/* Runs as the unit: files, never paired, their drift inside the
	 * interval.  */
	if (c->runs) {
		shift_interval(x, y, c->min_change, &y->r);
		return 0;
	}
	if (c->runtimes[rt].same_run) {
		if (slot_runs(jx, c->runtimes[c->ref].path, &sx, &nx, err) < 0 ||
		    slot_runs(jy, c->runtimes[rt].path, &sy, &ny, err) < 0)
			goto out;
		if (nx && ny)
			n = pair_slots(sx, nx, sy, ny, y);
	}
	if (n > 0) {
		paired_interval(y->units, n, c->min_change, &y->r);
	} else {
		free(y->units);
		y->units = NULL;
		shift_interval(x, y, c->min_change, &y->r);
		/* Runs interleaved process by process drift together; any other
		 * pair of files was measured one after the other.  */
		if (!(c->runtimes[rt].same_run && dx && dy && strcmp(dx, "processes") == 0 &&
		      strcmp(dy, "processes") == 0))
			c->runtimes[rt].drift_warned++;
	}
	rc = 0;
out:
	free(sx);
	free(sy);
	return rc;
}
