#include "bench/report/compare.h"
#include "bench/report/compare_internal.h"

#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "bench/report/thesis.h"

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

int compare_has_values(json_t *bench)
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
	return b && compare_has_values(b) ? b : NULL;
}

const char *compare_bench_unit(json_t *bench)
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

			if (!compare_has_values(b) || find_bench(c, name))
				continue;
			if (c->nbenches == cap) {
				cap = cap ? cap * 2 : 64;
				c->benches = xrealloc(c->benches, cap * sizeof(*c->benches));
			}
			cb = &c->benches[c->nbenches++];
			*cb = (struct compare_bench){
				.name = xstrdup(name), .category = xstrdup(bench_category(b)),
				.unit = xstrdup(compare_bench_unit(b)),
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

/* Runs mode: a cell's units are its side's files, each by the mean of the
 * log means of its processes (the file's geometric mean).  */
static void fill_runs(struct compare_cell *cell, const struct compare_side *side,
		      const char *name)
{
	free(cell->log_means);
	cell->log_means = xcalloc(side->n, sizeof(*cell->log_means));
	cell->nruns = side->n;
	for (size_t f = 0; f < side->n; f++) {
		double *values, *means, sum = 0;
		size_t nv, nr;

		result_benchmark_values(find_measured(side->suites[f], name), &values, &nv, &means,
					&nr);
		for (size_t i = 0; i < nr; i++)
			sum += log(means[i]);
		cell->log_means[f] = sum / (double)nr;
		free(values);
		free(means);
	}
}

/* Per benchmark: cells, units, ratios, the study's figure.  */
static int fill_benches(struct compare *c, json_t **suites, const struct compare_side *sides,
			struct bench_error *err)
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
			} else if (strcmp(compare_bench_unit(jb), b->unit) != 0) {
				return bench_error_set(err, 0, "benchmark `%s`: unit `%s` in %s but `%s` in %s: "
						       "cannot compare", b->name, compare_bench_unit(jb),
						       c->runtimes[rt].path, b->unit,
						       c->runtimes[first].path);
			}
			fill_cell(&b->cells[rt], jb);
			if (sides)
				fill_runs(&b->cells[rt], &sides[rt], b->name);
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
			if (compare_rate_cell(c, b, rt, find_measured(suites[c->ref], b->name),
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

int compare_read_suites(json_t **suites, const char *const *paths, size_t n,
			struct bench_error *err)
{
	for (size_t i = 0; i < n; i++) {
		size_t j, measured = 0;
		json_t *b;

		if (result_read(paths[i], &suites[i], err) < 0)
			return -1;
		json_array_foreach(json_object_get(suites[i], "benchmarks"), j, b)
			measured += compare_has_values(b);
		if (measured == 0)
			return bench_error_set(err, 0, "%s: no benchmarks with values (%s)", paths[i],
					       json_array_size(json_object_get(suites[i], "benchmarks")) ?
					       "only calibration runs" : "the benchmarks array is empty");
	}
	return 0;
}

int compare_build(struct compare *c, json_t **suites, const char *const *paths, size_t n,
		  const struct compare_options *opts, const struct compare_side *sides,
		  struct bench_error *err)
{
	c->nruntimes = n;
	c->runtimes = xcalloc(n, sizeof(*c->runtimes));
	name_runtimes(c, suites, paths);
	if (choose_ref(c, opts->ref, err) < 0)
		return -1;
	for (size_t rt = 0; rt < n; rt++) {
		const char *a = compare_suite_text(c->runtimes[c->ref].metadata, "matrix_run_id");
		const char *b = compare_suite_text(c->runtimes[rt].metadata, "matrix_run_id");
		c->runtimes[rt].same_run = !sides && a && b && strcmp(a, b) == 0;
		c->runtimes[rt].nfiles = sides ? sides[rt].n : 1;
	}
	collect_benches(c, suites);
	if (fill_benches(c, suites, sides, err) < 0)
		return -1;
	for (size_t rt = 0; rt < n; rt++) {
		size_t shared = 0;
		for (size_t i = 0; i < c->nbenches; i++) {
			c->runtimes[rt].nbenches += c->benches[i].cells[rt].present;
			shared += c->benches[i].cells[rt].present && c->benches[i].cells[c->ref].present;
		}
		if (shared == 0)
			return bench_error_set(err, 0, "%s: shares no benchmark with the reference %s (%s)",
					       paths[rt], c->runtimes[c->ref].path,
					       c->runtimes[c->ref].name);
	}
	compare_explain_unreported(c);
	summarise_coverage(c);
	compare_fill_groups(c);
	sort_benches(c);
	return 0;
}

int compare_load(struct compare *c, const char *const *paths, size_t n,
		 const struct compare_options *opts, struct bench_error *err)
{
	json_t **suites = xcalloc(n, sizeof(*suites));
	int rc = -1;

	*c = (struct compare){ .min_change = opts->min_change, .study = opts->study };
	if (n < 2)
		bench_error_set(err, 0, "compare needs at least two result files, got %zu", n);
	else if (compare_read_suites(suites, paths, n, err) == 0)
		rc = compare_build(c, suites, paths, n, opts, NULL, err);
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
	case COMPARE_RUNS_MOSES: return "runs: Hodges-Lehmann over files, Moses interval";
	case COMPARE_RUNS_WELCH: return "runs: files' geometric means, Welch's t-interval";
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
			 "benchmark, median), and these ratios include that drift: with one file "
			 "a side no interval across runs exists, and the per-process one is only "
			 "a lower bound on the uncertainty (give several runs a side: compare "
			 "A1 A2 A3 -- B1 B2 B3)",
			 c->runtimes[rt].name, c->runtimes[c->ref].name, n, n == 1 ? "" : "s");
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
		"placement_cpus", "placement_pin", "placement_pin_cpus",
		"containerd_version", "kata_version", "kata_hypervisor", "kata_hypervisor_version",
		"kata_guest_kernel", "kata_shared_fs", "kata_vm_memory_mb", "kata_vm_vcpus",
		"scratch_fs", "python_lib_fs",
	};
	size_t n = 0;

	_Static_assert(sizeof(watched) / sizeof(watched[0]) <= COMPARE_METADATA_KEYS,
		       "COMPARE_METADATA_KEYS holds every watched key");
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

const char *compare_placement_warning(const struct compare *c)
{
	static const char *const keys[] = { "placement_cpus", "placement_pin", "placement_pin_cpus" };

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (size_t rt = 1; rt < c->nruntimes; rt++) {
			json_t *a = json_object_get(c->runtimes[0].metadata, keys[k]);
			json_t *b = json_object_get(c->runtimes[rt].metadata, keys[k]);
			if (!(a == b || (a && b && json_equal(a, b))))
				return "the placements differ: a runtime pinned to one CPU with its helper "
				       "threads is another system than one as deployed (sandbench matrix "
				       "--pin)";
		}
	return NULL;
}

char *compare_metadata_text(const struct compare *c, size_t rt, const char *key)
{
	json_t *v = json_object_get(c->runtimes[rt].metadata, key);

	if (!v)
		return xstrdup("-");
	return json_is_string(v) ? xstrdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
}
