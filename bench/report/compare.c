#include "bench/report/compare.h"

#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/stats.h"
#include "bench/report/thesis.h"
#include "bench/lib/util.h"

/* The file name without its folder and .json / .json.gz: "runsc".  A name
 * goes into report.json, so a file name that is not UTF-8 (any bytes are
 * valid on Linux) gets `?` for its non-ASCII bytes.  */
static char *file_stem(const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char *stem = xstrdup(basename(copy));
	json_t *utf8;

	if (util_ends_with(stem, ".json.gz"))
		stem[strlen(stem) - 8] = '\0';
	else if (util_ends_with(stem, ".json"))
		stem[strlen(stem) - 5] = '\0';
	utf8 = json_string(stem);
	if (!utf8)
		for (char *p = stem; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
	json_decref(utf8);
	return stem;
}

static int has_values(json_t *bench)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(bench, "runs"), i, r)
		if (json_array_size(json_object_get(r, "values")) > 0)
			return 1;
	return 0;
}

/* The benchmark named name with values in suite, or NULL.  */
static json_t *find_measured(json_t *suite, const char *name)
{
	json_t *b = result_find_benchmark(suite, name);
	return b && has_values(b) ? b : NULL;
}

static const char *bench_unit(json_t *bench)
{
	const char *u = json_string_value(json_object_get(json_object_get(bench, "metadata"),
							  "unit"));
	return u ? u : "second";
}

static const char *bench_category(json_t *bench)
{
	json_t *tags = json_object_get(json_object_get(bench, "metadata"), "tags");
	const char *c = json_string_value(json_array_get(tags, 0));
	return c && *c ? c : "other";
}

static int runtime_named(const struct compare *c, size_t upto, const char *name)
{
	for (size_t i = 0; i < upto; i++)
		if (strcmp(c->runtimes[i].name, name) == 0)
			return 1;
	return 0;
}

static const char *suite_runtime(json_t *suite)
{
	const char *rt = json_string_value(json_object_get(json_object_get(suite, "metadata"),
							   "runtime"));
	return rt && *rt ? rt : NULL;
}

/* Runtime names: the suite's `runtime` when no other file has the same,
 * else the file stem (an A/A test's native.json and native-2.json), made
 * unique with #N if need be.  */
static void name_runtimes(struct compare *c, json_t **suites, const char *const *paths)
{
	for (size_t i = 0; i < c->nruntimes; i++) {
		const char *rt = suite_runtime(suites[i]);
		char *stem = file_stem(paths[i]);
		int shared = 0;

		for (size_t j = 0; j < c->nruntimes && rt; j++)
			shared |= j != i && suite_runtime(suites[j]) &&
				  strcmp(suite_runtime(suites[j]), rt) == 0;
		c->runtimes[i].path = xstrdup(paths[i]);
		c->runtimes[i].metadata = json_incref(json_object_get(suites[i], "metadata"));
		if (rt && !shared && !runtime_named(c, i, rt)) {
			c->runtimes[i].name = xstrdup(rt);
			free(stem);
		} else if (!runtime_named(c, i, stem)) {
			c->runtimes[i].name = stem;
		} else {
			c->runtimes[i].name = xasprintf("%s#%zu", stem, i + 1);
			free(stem);
		}
	}
}

static int choose_ref(struct compare *c, const char *want, struct bench_error *err)
{
	char list[512] = "";
	size_t i, len = 0;

	c->ref = 0;
	for (i = 0; i < c->nruntimes; i++) {
		cleanup_free char *stem = file_stem(c->runtimes[i].path);

		if (!want && strcmp(c->runtimes[i].name, "runc") == 0) {
			c->ref = i;
			return 0;
		}
		if (want && (strcmp(c->runtimes[i].name, want) == 0 ||
			     strcmp(c->runtimes[i].path, want) == 0 || strcmp(stem, want) == 0)) {
			c->ref = i;
			return 0;
		}
	}
	if (!want)
		return 0;
	for (i = 0; i < c->nruntimes && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
					c->runtimes[i].name);
	return bench_error_set(err, 0, "--ref `%s`: no such runtime; the runtimes are: %s",
			       want, list);
}

static struct compare_bench *find_bench(struct compare *c, const char *name)
{
	for (size_t i = 0; i < c->nbenches; i++)
		if (strcmp(c->benches[i].name, name) == 0)
			return &c->benches[i];
	return NULL;
}

/* Every benchmark with values in any file: the reference's first, in its
 * order, then those only others have.  */
static void collect_benches(struct compare *c, json_t **suites)
{
	size_t cap = 0;

	for (size_t k = 0; k < c->nruntimes; k++) {
		size_t f = k == 0 ? c->ref : k <= c->ref ? k - 1 : k, i;
		json_t *b;

		json_array_foreach(json_object_get(suites[f], "benchmarks"), i, b) {
			struct compare_bench *cb;
			const char *name = result_benchmark_name(b);

			if (!has_values(b) || find_bench(c, name))
				continue;
			if (c->nbenches == cap) {
				cap = cap ? cap * 2 : 64;
				c->benches = xrealloc(c->benches, cap * sizeof(*c->benches));
			}
			cb = &c->benches[c->nbenches++];
			*cb = (struct compare_bench){
				.name = xstrdup(name), .category = xstrdup(bench_category(b)),
				.unit = xstrdup(bench_unit(b)),
				.cells = xcalloc(c->nruntimes, sizeof(*cb->cells)),
				.study = NAN, .max_ratio = NAN,
			};
			/* A runtime without the benchmark has nothing to show.  */
			for (size_t rt = 0; rt < c->nruntimes; rt++)
				cb->cells[rt] = (struct compare_cell){
					.mean = NAN, .stdev = NAN,
					.r = { .ratio = NAN, .lo = NAN, .hi = NAN },
					.ex = { NAN, NAN, NAN, NAN, NAN, NAN },
				};
		}
	}
}

static int md_number(json_t *md, const char *key, double *v)
{
	json_t *x = json_object_get(md, key);
	if (!json_is_number(x))
		return 0;
	*v = json_number_value(x);
	return 1;
}

/* Sum the counters over the runs with values and divide by the iterations
 * they cover: len(values) * loops * inner_loops per run.  */
void compare_explain_bench(json_t *bench, struct compare_explain *ex)
{
	json_t *bmd = json_object_get(bench, "metadata"), *r;
	double ut = 0, st = 0, cpu = 0, wall = 0, flt = 0, mflt = 0, csw = 0, rw = 0;
	double it_flt = 0, it_mflt = 0, it_csw = 0, it_rw = 0;
	size_t i;

	json_array_foreach(json_object_get(bench, "runs"), i, r) {
		json_t *md = json_object_get(r, "metadata");
		size_t nv = json_array_size(json_object_get(r, "values"));
		double loops = 0, inner = 1, iters, a, b, t;

		if (nv == 0)
			continue;
		if (!md_number(md, "loops", &loops))
			md_number(bmd, "loops", &loops);
		if (!md_number(md, "inner_loops", &inner))
			md_number(bmd, "inner_loops", &inner);
		if (!(loops >= 1) || !(inner >= 1))
			continue;
		iters = (double)nv * loops * inner;
		if (md_number(md, "ru_utime_s", &a) && md_number(md, "ru_stime_s", &b)) {
			ut += a;
			st += b;
			if (md_number(md, "timed_s", &t) && t > 0) {
				cpu += a + b;
				wall += t;
			}
		}
		if (md_number(md, "ru_minflt", &a)) {
			flt += a;
			it_flt += iters;
		}
		if (md_number(md, "ru_majflt", &a)) {
			mflt += a;
			it_mflt += iters;
		}
		if (md_number(md, "ru_nvcsw", &a) && md_number(md, "ru_nivcsw", &b)) {
			csw += a + b;
			it_csw += iters;
		}
		if (md_number(md, "io_syscr", &a) && md_number(md, "io_syscw", &b)) {
			rw += a + b;
			it_rw += iters;
		}
	}
	ex->sys_share = ut + st > 0 ? st / (ut + st) : NAN;
	ex->cpu_share = wall > 0 ? cpu / wall : NAN;
	ex->minflt = it_flt > 0 ? flt / it_flt : NAN;
	ex->majflt = it_mflt > 0 ? mflt / it_mflt : NAN;
	ex->csw = it_csw > 0 ? csw / it_csw : NAN;
	ex->rw_syscalls = it_rw > 0 ? rw / it_rw : NAN;
}

static void fill_cell(struct compare_cell *cell, json_t *bench)
{
	double *values, *means;
	size_t n, nruns;

	result_benchmark_values(bench, &values, &n, &means, &nruns);
	cell->present = 1;
	cell->mean = stats_mean(values, n);
	cell->stdev = stats_stdev(values, n);
	cell->nvalues = n;
	cell->nprocs = nruns;
	/* Values are > 0 (result_validate), so are their means.  */
	for (size_t i = 0; i < nruns; i++)
		means[i] = log(means[i]);
	cell->log_means = means;
	compare_explain_bench(bench, &cell->ex);
	free(values);
}

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

static enum compare_verdict verdict_of(double lo, double hi, double min_change)
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

/* The change from x to y, on the log per-process means: the Hodges-Lehmann
 * shift and its distribution-free interval, so that one process slowed by
 * another job on the machine does not move the verdict; Welch's t-interval
 * on the mean difference where no such interval exists.  */
static void shift_interval(const struct compare_cell *x, const struct compare_cell *y,
			   double min_change, struct compare_ratio *r)
{
	size_t nx = x->nprocs, ny = y->nprocs;
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
		r->ratio = exp(shift);
		r->lo = exp(lo);
		r->hi = exp(hi);
		r->coverage = cov;
		r->method = COMPARE_MOSES;
		r->verdict = verdict_of(r->lo, r->hi, min_change);
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
	r->ratio = exp(d);
	r->lo = exp(d - (se > 0 ? t975(df) * se : 0));
	r->hi = exp(d + (se > 0 ? t975(df) * se : 0));
	r->coverage = 0.95;
	r->method = COMPARE_WELCH;
	r->verdict = verdict_of(r->lo, r->hi, min_change);
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
	r->ratio = exp(est);
	r->lo = exp(lo);
	r->hi = exp(hi);
	r->coverage = cov;
	r->method = COMPARE_PAIRED;
	r->verdict = verdict_of(r->lo, r->hi, min_change);
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
 * log(b_i / a_i), robust to a value hit by a neighbour.  */
static size_t pair_slots(const struct slot_run *a, size_t na, const struct slot_run *b,
			 size_t nb, double **units)
{
	double *u = xmalloc(((na < nb ? na : nb) + 1) * sizeof(*u)), *d = NULL;
	size_t i = 0, j = 0, n = 0, cap = 0;

	while (i < na && j < nb) {
		size_t len;

		if (a[i].slot != b[j].slot) {
			a[i].slot < b[j].slot ? i++ : j++;
			continue;
		}
		len = json_array_size(a[i].values);
		if (json_array_size(b[j].values) < len)
			len = json_array_size(b[j].values);
		if (len > cap) {
			cap = len;
			d = xrealloc(d, cap * sizeof(*d));
		}
		/* Values are > 0 (result_validate).  */
		for (size_t v = 0; v < len; v++)
			d[v] = log(json_number_value(json_array_get(b[j].values, v))) -
			       log(json_number_value(json_array_get(a[i].values, v)));
		u[n++] = stats_median(d, len);
		i++;
		j++;
	}
	free(d);
	*units = u;
	return n;
}

static const char *suite_text(json_t *md, const char *key)
{
	const char *s = json_string_value(json_object_get(md, key));
	return s && *s ? s : NULL;
}

/* Runtime rt's ratio for benchmark b: paired by slot when both files come
 * from one lockstep matrix run and the runs carry slots, else unpaired.  */
static int rate_cell(struct compare *c, struct compare_bench *b, size_t rt, json_t *jx,
		     json_t *jy, struct bench_error *err)
{
	struct compare_cell *x = &b->cells[c->ref], *y = &b->cells[rt];
	struct slot_run *sx = NULL, *sy = NULL;
	size_t nx = 0, ny = 0, n = 0;
	const char *dx = suite_text(c->runtimes[c->ref].metadata, "matrix_design");
	const char *dy = suite_text(c->runtimes[rt].metadata, "matrix_design");
	int rc = -1;

	if (c->runtimes[rt].same_run) {
		if (slot_runs(jx, c->runtimes[c->ref].path, &sx, &nx, err) < 0 ||
		    slot_runs(jy, c->runtimes[rt].path, &sy, &ny, err) < 0)
			goto out;
		if (nx && ny)
			n = pair_slots(sx, nx, sy, ny, &y->units);
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

/* FNV-1a, to seed a cell's bootstrap from its names.  */
static uint64_t hash_text(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
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
	qsort(s, COMPARE_BOOTSTRAP, sizeof(*s), cmp_double);
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
	size_t nx = x->nprocs, ny = y->nprocs, n = y->r.pairs;
	uint64_t seed = hash_text(hash_text(0xcbf29ce484222325ull, b->name), c->runtimes[rt].name);
	double *xs, *ys, *boot;

	if (y->r.boot || isnan(y->r.lo))
		return;
	if (y->r.method != COMPARE_PAIRED && y->r.method != COMPARE_MOSES &&
	    y->r.method != COMPARE_WELCH)
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
		boot[rep] = y->r.method == COMPARE_MOSES ? stats_diff_median(xs, nx, ys, ny) :
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
	qsort(reps, COMPARE_BOOTSTRAP, sizeof(*reps), cmp_double);
	out->lo = exp(quantile(reps, COMPARE_BOOTSTRAP, 0.025));
	out->hi = exp(quantile(reps, COMPARE_BOOTSTRAP, 0.975));
	out->coverage = 0.95;
	out->verdict = verdict_of(out->lo, out->hi, c->min_change);
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

static void fill_groups(struct compare *c)
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

static int by_ratio_desc(const void *a, const void *b, void *ctx)
{
	const struct compare *c = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	double x = c->benches[i].max_ratio, y = c->benches[j].max_ratio;

	/* Benchmarks without a ratio last; ties in file order.  */
	if (isnan(x) != isnan(y))
		return isnan(x) - isnan(y);
	if (!isnan(x) && x != y)
		return (x < y) - (x > y);
	return (i > j) - (i < j);
}

static void sort_benches(struct compare *c)
{
	c->order = xcalloc(c->nbenches, sizeof(*c->order));
	for (size_t i = 0; i < c->nbenches; i++)
		c->order[i] = i;
	qsort_r(c->order, c->nbenches, sizeof(*c->order), by_ratio_desc, c);
}

/* Per benchmark: cells, units, ratios, the study's figure.  */
static int fill_benches(struct compare *c, json_t **suites, struct bench_error *err)
{
	for (size_t i = 0; i < c->nbenches; i++) {
		struct compare_bench *b = &c->benches[i];
		const struct thesis_row *row = thesis_find(c->study, b->name);
		size_t first = SIZE_MAX;

		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			json_t *jb = find_measured(suites[rt], b->name);
			if (!jb)
				continue;
			if (first == SIZE_MAX) {
				first = rt;
			} else if (strcmp(bench_unit(jb), b->unit) != 0) {
				return bench_error_set(err, 0, "benchmark `%s`: unit `%s` in %s but `%s` in %s: "
						       "cannot compare", b->name, bench_unit(jb),
						       c->runtimes[rt].path, b->unit,
						       c->runtimes[first].path);
			}
			fill_cell(&b->cells[rt], jb);
			b->npresent++;
		}
		b->study = row ? row->ratio : NAN;
		if (!b->cells[c->ref].present)
			continue;
		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			struct compare_cell *cell = &b->cells[rt];
			if (!cell->present)
				continue;
			if (rt == c->ref) {
				cell->r = (struct compare_ratio){ .ratio = 1, .lo = 1, .hi = 1,
								  .coverage = 1,
								  .method = COMPARE_IDENTITY,
								  .verdict = COMPARE_SAME };
				continue;
			}
			if (rate_cell(c, b, rt, find_measured(suites[c->ref], b->name),
				      find_measured(suites[rt], b->name), err) < 0)
				return -1;
			if (rt != c->ref && (isnan(b->max_ratio) || cell->r.ratio > b->max_ratio))
				b->max_ratio = cell->r.ratio;
		}
	}
	return 0;
}

/* What the benchmarks' intervals promise together (compare.h).  */
static void summarise_coverage(struct compare *c)
{
	c->coverage_min = c->coverage_max = NAN;
	for (size_t i = 0; i < c->nbenches; i++) {
		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			const struct compare_ratio *r = &c->benches[i].cells[rt].r;

			if (rt == c->ref || !c->benches[i].cells[rt].present ||
			    !c->benches[i].cells[c->ref].present || isnan(r->lo))
				continue;
			c->nintervals++;
			c->expected_false += 1 - r->coverage;
			if (isnan(c->coverage_min) || r->coverage < c->coverage_min)
				c->coverage_min = r->coverage;
			if (isnan(c->coverage_max) || r->coverage > c->coverage_max)
				c->coverage_max = r->coverage;
		}
	}
}

int compare_load(struct compare *c, const char *const *paths, size_t n,
		 const struct compare_options *opts, struct bench_error *err)
{
	json_t **suites = xcalloc(n, sizeof(*suites));
	int rc = -1;

	*c = (struct compare){ .min_change = opts->min_change, .study = opts->study };
	if (n < 2) {
		bench_error_set(err, 0, "compare needs at least two result files, got %zu", n);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t j, measured = 0;
		json_t *b;

		if (result_read(paths[i], &suites[i], err) < 0)
			goto out;
		json_array_foreach(json_object_get(suites[i], "benchmarks"), j, b)
			measured += has_values(b);
		if (measured == 0) {
			bench_error_set(err, 0, "%s: no benchmarks with values (%s)", paths[i],
					json_array_size(json_object_get(suites[i], "benchmarks")) ?
					"only calibration runs" : "the benchmarks array is empty");
			goto out;
		}
	}
	c->nruntimes = n;
	c->runtimes = xcalloc(n, sizeof(*c->runtimes));
	name_runtimes(c, suites, paths);
	if (choose_ref(c, opts->ref, err) < 0)
		goto out;
	for (size_t rt = 0; rt < n; rt++) {
		const char *a = suite_text(c->runtimes[c->ref].metadata, "matrix_run_id");
		const char *b = suite_text(c->runtimes[rt].metadata, "matrix_run_id");
		c->runtimes[rt].same_run = a && b && strcmp(a, b) == 0;
	}
	collect_benches(c, suites);
	if (fill_benches(c, suites, err) < 0)
		goto out;
	for (size_t rt = 0; rt < n; rt++) {
		size_t shared = 0;
		for (size_t i = 0; i < c->nbenches; i++) {
			c->runtimes[rt].nbenches += c->benches[i].cells[rt].present;
			shared += c->benches[i].cells[rt].present && c->benches[i].cells[c->ref].present;
		}
		if (shared == 0) {
			bench_error_set(err, 0, "%s: shares no benchmark with the reference %s (%s)",
					paths[rt], c->runtimes[c->ref].path, c->runtimes[c->ref].name);
			goto out;
		}
	}
	summarise_coverage(c);
	fill_groups(c);
	sort_benches(c);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		json_decref(suites[i]);
	free(suites);
	if (rc < 0)
		compare_release(c);
	return rc;
}

static void release_group(struct compare_group *g)
{
	free(g->name);
	/* Groups' bootstraps are never kept; a one-benchmark group's copy has
	 * its pointer cleared.  */
	free(g->geo);
	free(g->n);
}

void compare_release(struct compare *c)
{
	for (size_t i = 0; i < c->nbenches; i++) {
		struct compare_bench *b = &c->benches[i];
		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			free(b->cells[rt].log_means);
			free(b->cells[rt].units);
			free(b->cells[rt].r.boot);
		}
		free(b->cells);
		free(b->name);
		free(b->category);
		free(b->unit);
	}
	free(c->benches);
	for (size_t i = 0; i < c->nruntimes; i++) {
		free(c->runtimes[i].name);
		free(c->runtimes[i].path);
		json_decref(c->runtimes[i].metadata);
	}
	free(c->runtimes);
	for (size_t i = 0; i < c->ncategories; i++)
		release_group(&c->categories[i]);
	free(c->categories);
	release_group(&c->total);
	free(c->order);
	*c = (struct compare){ 0 };
}

const char *compare_verdict_name(enum compare_verdict v)
{
	switch (v) {
	case COMPARE_SAME: return "same";
	case COMPARE_SLOWER: return "slower";
	case COMPARE_FASTER: return "faster";
	case COMPARE_INCONCLUSIVE: return "inconclusive";
	case COMPARE_NO_VERDICT: break;
	}
	return "-";
}

const char *compare_method_name(enum compare_method m)
{
	switch (m) {
	case COMPARE_PAIRED: return "paired: signed-rank Hodges-Lehmann over lockstep slots";
	case COMPARE_MOSES: return "unpaired: Hodges-Lehmann over processes, Moses interval";
	case COMPARE_WELCH: return "unpaired: geometric means, Welch's t-interval";
	case COMPARE_BOOT: return "geometric mean, stratified bootstrap";
	case COMPARE_IDENTITY: return "reference";
	case COMPARE_NONE: break;
	}
	return "no interval";
}

char *compare_drift_warning(const struct compare *c, size_t rt)
{
	size_t n = c->runtimes[rt].drift_warned;

	if (rt == c->ref || n == 0)
		return NULL;
	return xasprintf("%s against %s: %zu benchmark%s compared unpaired, the files not being "
			 "from one lockstep matrix run; sequential runs on a shared machine drift "
			 "(on this VM two catalogue runs minutes apart differed by 7.6%% per "
			 "benchmark, median), and these ratios include that drift",
			 c->runtimes[rt].name, c->runtimes[c->ref].name, n, n == 1 ? "" : "s");
}

double compare_explain_change(double ref, double other, int is_share)
{
	if (isnan(ref) || isnan(other))
		return NAN;
	if (is_share)
		return 100 * (other - ref);
	return ref > 0 ? other / ref : NAN;
}

/* Do two files give different values for key, "unknown" (what a sandbox
 * may show, gVisor's /proc/cpuinfo has no model name) aside?  */
static int known_values_differ(const struct compare *c, const char *key)
{
	json_t *seen = NULL;

	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		json_t *v = json_object_get(c->runtimes[rt].metadata, key);
		if (!v || (json_is_string(v) && strcmp(json_string_value(v), "unknown") == 0))
			continue;
		if (seen && !json_equal(seen, v))
			return 1;
		seen = v;
	}
	return 0;
}

size_t compare_metadata_diff(const struct compare *c, const char **keys, size_t max,
			     int *cpus_differ)
{
	static const char *const watched[] = {
		"hostname", "cpu_model_name", "cpu_count", "kernel", "kernel_version",
		"python_version", "sandbench_version", "runtime_version", "engine",
		"runtime_detected", "image_id", "limit_cpus", "limit_memory",
		"containerd_version", "kata_version", "kata_hypervisor", "kata_hypervisor_version",
		"kata_guest_kernel", "kata_shared_fs", "kata_vm_memory_mb", "kata_vm_vcpus",
	};
	size_t n = 0;

	*cpus_differ = 0;
	for (size_t k = 0; k < sizeof(watched) / sizeof(watched[0]); k++) {
		json_t *first = json_object_get(c->runtimes[0].metadata, watched[k]);
		int differ = 0;

		for (size_t rt = 1; rt < c->nruntimes && !differ; rt++) {
			json_t *v = json_object_get(c->runtimes[rt].metadata, watched[k]);
			differ = !(first == v || (first && v && json_equal(first, v)));
		}
		if (!differ)
			continue;
		if (strcmp(watched[k], "cpu_model_name") == 0 || strcmp(watched[k], "cpu_count") == 0)
			*cpus_differ |= known_values_differ(c, watched[k]);
		if (n < max)
			keys[n++] = watched[k];
	}
	return n;
}

char *compare_metadata_text(const struct compare *c, size_t rt, const char *key)
{
	json_t *v = json_object_get(c->runtimes[rt].metadata, key);

	if (!v)
		return xstrdup("-");
	return json_is_string(v) ? xstrdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
}
