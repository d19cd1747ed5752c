/* Runs as the unit: several files a side, each one run of the suite,
 * checked and merged into one suite a side (compare.h says how they are
 * compared).  */
#include "bench/report/compare.h"
#include "bench/report/compare_internal.h"

#include <jansson.h>
#include <string.h>

#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"

/* The benchmarks file f measures that file g does not, as an error.  */
static int lacks(json_t *f, const char *pf, json_t *g, const char *pg, struct bench_error *err)
{
	size_t i;
	json_t *b;

	json_array_foreach(json_object_get(f, "benchmarks"), i, b) {
		const char *name = result_benchmark_name(b);
		json_t *other = result_find_benchmark(g, name);

		if (!compare_has_values(b))
			continue;
		if (!other || !compare_has_values(other))
			return bench_error_set(err, 0, "%s has benchmark `%s` but %s, a run of the same "
					       "side, has not: a side's runs must measure the same "
					       "benchmarks (run them again, or leave `%s` out with -b)",
					       pf, name, pg, name);
		if (strcmp(compare_bench_unit(b), compare_bench_unit(other)) != 0)
			return bench_error_set(err, 0, "benchmark `%s`: unit `%s` in %s but `%s` in %s: "
					       "cannot compare", name, compare_bench_unit(b), pf,
					       compare_bench_unit(other), pg);
	}
	return 0;
}

/* One side's files: separate runs measuring the same benchmarks.  */
static int check_side(json_t **suites, const char *const *paths, size_t n,
		      struct bench_error *err)
{
	for (size_t i = 0; i < n; i++) {
		json_t *mi = json_object_get(suites[i], "metadata");
		const char *id = compare_suite_text(mi, "matrix_run_id");

		for (size_t j = 0; j < i; j++) {
			const char *other = compare_suite_text(json_object_get(suites[j], "metadata"),
							       "matrix_run_id");
			if (id && other && strcmp(id, other) == 0)
				return bench_error_set(err, 0, "%s and %s come from one matrix run "
						       "(matrix_run_id %s): not separate runs; compare "
						       "them as two files, or give one file of each "
						       "run a side", paths[j], paths[i], id);
		}
		if (i > 0 && (lacks(suites[0], paths[0], suites[i], paths[i], err) < 0 ||
			      lacks(suites[i], paths[i], suites[0], paths[0], err) < 0))
			return -1;
	}
	return 0;
}

/* One suite of the side's runs: the first file's metadata, and per
 * benchmark the runs of every file.  */
static json_t *merge_side(json_t **suites, size_t n)
{
	json_t *merged = json_pack("{s:O, s:[]}", "metadata",
				   json_object_get(suites[0], "metadata"), "benchmarks");
	size_t i;
	json_t *b;

	json_array_foreach(json_object_get(suites[0], "benchmarks"), i, b) {
		json_t *copy, *runs;

		if (!compare_has_values(b))
			continue;
		copy = json_copy(b);
		runs = json_array();
		for (size_t f = 0; f < n; f++)
			json_array_extend(runs, json_object_get(
				result_find_benchmark(suites[f], result_benchmark_name(b)), "runs"));
		json_object_set_new(copy, "runs", runs);
		json_array_append_new(json_object_get(merged, "benchmarks"), copy);
	}
	return merged;
}

int compare_load_runs(struct compare *c, const char *const *paths, size_t n, size_t side_a,
		      const struct compare_options *opts, struct bench_error *err)
{
	json_t **suites = xcalloc(n, sizeof(*suites)), *merged[2] = { NULL, NULL };
	struct compare_side sides[2] = { { suites, side_a < n ? side_a : n },
					 { suites + (side_a < n ? side_a : n), side_a < n ? n - side_a : 0 } };
	const char *firsts[2] = { paths[0], paths[side_a < n ? side_a : 0] };
	int rc = -1;

	*c = (struct compare){ .min_change = opts->min_change, .study = opts->study, .runs = 1 };
	for (size_t s = 0; s < 2; s++) {
		if (sides[s].n >= 2)
			continue;
		if (sides[s].n == 1)
			bench_error_set(err, 0, "%s is the only file of its side: an interval across runs "
					"needs at least two runs a side (give more files, or compare "
					"two files without `--` for the per-process interval)",
					firsts[s]);
		else
			bench_error_set(err, 0, "%s", "no files before or after `--`: give each "
					"side's runs, A1 A2 -- B1 B2");
		goto out;
	}
	if (compare_read_suites(suites, paths, n, err) < 0 ||
	    check_side(sides[0].suites, paths, sides[0].n, err) < 0 ||
	    check_side(sides[1].suites, paths + side_a, sides[1].n, err) < 0)
		goto out;
	merged[0] = merge_side(sides[0].suites, sides[0].n);
	merged[1] = merge_side(sides[1].suites, sides[1].n);
	rc = compare_build(c, merged, firsts, 2, opts, sides, err);
out:
	json_decref(merged[0]);
	json_decref(merged[1]);
	for (size_t i = 0; i < n; i++)
		json_decref(suites[i]);
	free(suites);
	if (rc < 0)
		compare_release(c);
	return rc;
}
