#include "bench/lib/result.h"

#include <string.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"

json_t *result_suite_new(json_t *metadata)
{
	return json_pack("{s:s, s:o, s:[]}", "version", "1.0", "metadata", metadata,
			 "benchmarks");
}

json_t *result_benchmark_new(const char *name, const char *category,
			     const char *kind, unsigned long long loops,
			     unsigned inner_loops)
{
	json_t *md = json_pack("{s:s, s:s, s:I, s:[s,s]}", "name", name, "unit", "second",
			       "loops", (json_int_t)loops, "tags", category, kind);
	if (inner_loops > 1)
		json_object_set_new(md, "inner_loops", json_integer(inner_loops));
	return json_pack("{s:o, s:[]}", "metadata", md, "runs");
}

const char *result_benchmark_name(json_t *bench)
{
	return json_string_value(json_object_get(json_object_get(bench, "metadata"), "name"));
}

unsigned long long result_benchmark_loops(json_t *bench)
{
	json_int_t v = json_integer_value(json_object_get(json_object_get(bench, "metadata"),
							  "loops"));
	return v > 0 ? (unsigned long long)v : 0;
}

json_t *result_find_benchmark(json_t *suite, const char *name)
{
	size_t i;
	json_t *b;

	json_array_foreach(json_object_get(suite, "benchmarks"), i, b) {
		const char *n = result_benchmark_name(b);
		if (n && strcmp(n, name) == 0)
			return b;
	}
	return NULL;
}

int result_write(const char *path, json_t *suite, struct bench_error *err)
{
	cleanup_free char *text = json_dumps(suite, JSON_COMPACT | JSON_REAL_PRECISION(17));
	size_t len;

	if (!text)
		return bench_error_set(err, 0, "write `%s`: cannot encode the results", path);
	len = strlen(text);
	text = xrealloc(text, len + 2);
	text[len++] = '\n';
	text[len] = '\0';
	return util_write_file_atomic(path, text, len, err);
}

static int check_metadata(json_t *md, const char *what, const char *where,
			  struct bench_error *err)
{
	const char *key;
	json_t *v;

	if (!md)
		return 0;
	if (!json_is_object(md))
		return bench_error_set(err, 0, "%s: %s metadata is not an object", what, where);
	json_object_foreach(md, key, v) {
		if (json_is_string(v)) {
			const char *s = json_string_value(v);
			if (!*s || strchr(s, '\n'))
				return bench_error_set(err, 0, "%s: %s metadata `%s` is empty or has a newline",
						       what, where, key);
		} else if (!json_is_number(v) && !(strcmp(key, "tags") == 0 && json_is_array(v))) {
			return bench_error_set(err, 0, "%s: %s metadata `%s` is not a string or a number",
					       what, where, key);
		}
	}
	return 0;
}

#define RESULT_MAX_VALUE 1e100

static int check_values(json_t *arr, int pairs, const char *what, const char *name,
			struct bench_error *err)
{
	size_t i;
	json_t *v;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return bench_error_set(err, 0, "%s: benchmark `%s`: values are not an array", what, name);
	json_array_foreach(arr, i, v) {
		json_t *x = pairs ? json_array_get(v, 1) : v;
		if (pairs && (!json_is_array(v) || json_array_size(v) != 2 ||
			      json_integer_value(json_array_get(v, 0)) < 1))
			return bench_error_set(err, 0, "%s: benchmark `%s`: a warmup is not [loops, value]",
					       what, name);
		if (!json_is_number(x) || !(json_number_value(x) > 0))
			return bench_error_set(err, 0, "%s: benchmark `%s`: a value is not a number > 0",
					       what, name);
		/* Far beyond any time or size, and its square still finite.  */
		if (json_number_value(x) > RESULT_MAX_VALUE)
			return bench_error_set(err, 0, "%s: benchmark `%s`: a value is %g: values "
					       "must be at most %g", what, name,
					       json_number_value(x), RESULT_MAX_VALUE);
	}
	return 0;
}

int result_validate(json_t *suite, const char *what, struct bench_error *err)
{
	json_t *benches, *b;
	size_t i;

	if (!json_is_object(suite))
		return bench_error_set(err, 0, "%s: not a pyperf result (the top level is not an object)", what);
	if (!json_is_string(json_object_get(suite, "version")) ||
	    strcmp(json_string_value(json_object_get(suite, "version")), "1.0") != 0)
		return bench_error_set(err, 0, "%s: not a pyperf result (\"version\" is not \"1.0\")", what);
	if (check_metadata(json_object_get(suite, "metadata"), what, "suite", err) < 0)
		return -1;
	benches = json_object_get(suite, "benchmarks");
	if (!json_is_array(benches))
		return bench_error_set(err, 0, "%s: not a pyperf result (no \"benchmarks\" array)", what);
	json_array_foreach(benches, i, b) {
		json_t *md = json_object_get(b, "metadata"), *runs = json_object_get(b, "runs"), *r;
		const char *name = result_benchmark_name(b);
		size_t j;

		if (!name || !*name)
			return bench_error_set(err, 0, "%s: benchmark %zu has no name", what, i + 1);
		for (size_t k = 0; k < i; k++)
			if (strcmp(result_benchmark_name(json_array_get(benches, k)) ?: "", name) == 0)
				return bench_error_set(err, 0, "%s: benchmark `%s` appears twice", what, name);
		if (check_metadata(md, what, "benchmark", err) < 0)
			return -1;
		if (!json_is_array(runs) || json_array_size(runs) == 0)
			return bench_error_set(err, 0, "%s: benchmark `%s` has no runs", what, name);
		json_array_foreach(runs, j, r) {
			if (!json_is_object(r))
				return bench_error_set(err, 0, "%s: benchmark `%s`: a run is not an object",
						       what, name);
			if (check_metadata(json_object_get(r, "metadata"), what, "run", err) < 0 ||
			    check_values(json_object_get(r, "values"), 0, what, name, err) < 0 ||
			    check_values(json_object_get(r, "warmups"), 1, what, name, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* The keys sandbench looks up per benchmark.  */
static const char *const per_benchmark[] = { "name", "loops", "inner_loops", "unit", NULL };

/* key's value in every run with values of bench, if they all agree; else NULL.  */
static json_t *common_run_value(json_t *bench, const char *key)
{
	json_t *r, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(bench, "runs"), i, r) {
		json_t *v = json_object_get(json_object_get(r, "metadata"), key);

		if (json_array_size(json_object_get(r, "values")) == 0)
			continue;
		if (!v || (found && !json_equal(found, v)))
			return NULL;
		found = v;
	}
	return found;
}

void result_inherit_metadata(json_t *suite)
{
	json_t *suite_md = json_object_get(suite, "metadata"), *b;
	size_t i;

	if (!json_is_object(suite_md))
		suite_md = NULL;
	json_array_foreach(json_object_get(suite, "benchmarks"), i, b) {
		json_t *md;

		if (!json_is_object(b))
			continue;
		md = json_object_get(b, "metadata");
		if (md && !json_is_object(md))
			continue;	/* result_validate says what is wrong */
		for (size_t k = 0; per_benchmark[k]; k++) {
			const char *key = per_benchmark[k];
			json_t *v;

			if (md && json_object_get(md, key))
				continue;
			v = suite_md ? json_object_get(suite_md, key) : NULL;
			if (!v)
				v = common_run_value(b, key);
			if (!v)
				continue;
			if (!md) {
				md = json_object();
				json_object_set_new(b, "metadata", md);
			}
			json_object_set(md, key, v);
		}
	}
}

void result_json_error(const json_error_t *jerr, char *buf, size_t size)
{
	const char *near = strstr(jerr->text, " near ");
	int len = near ? (int)(near - jerr->text) : (int)strlen(jerr->text);

	snprintf(buf, size, "%.*s at line %d, column %d", len, jerr->text, jerr->line,
		 jerr->column);
}

int result_read(const char *path, json_t **suite, struct bench_error *err)
{
	cleanup_free char *text = NULL;
	json_error_t jerr;
	size_t len;
	json_t *s;

	if (util_read_file(path, LIMIT_RESULT_FILE, &text, &len, err) < 0)
		return -1;
	s = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!s) {
		char why[JSON_ERROR_TEXT_LENGTH + 64];
		result_json_error(&jerr, why, sizeof(why));
		return bench_error_set(err, 0, "%s: not valid JSON: %s", path, why);
	}
	result_inherit_metadata(s);
	if (result_validate(s, path, err) < 0) {
		json_decref(s);
		return -1;
	}
	*suite = s;
	return 0;
}

void result_benchmark_values(json_t *bench, double **values, size_t *n,
			     double **run_means, size_t *nruns)
{
	json_t *runs = json_object_get(bench, "runs"), *r, *v;
	size_t total = 0, count = 0, k = 0, i, j;
	double *all, *means;

	json_array_foreach(runs, i, r)
		total += json_array_size(json_object_get(r, "values"));
	all = xcalloc(total, sizeof(*all));
	means = xcalloc(json_array_size(runs), sizeof(*means));
	json_array_foreach(runs, i, r) {
		json_t *vals = json_object_get(r, "values");
		double sum = 0;
		if (json_array_size(vals) == 0)
			continue;
		json_array_foreach(vals, j, v) {
			all[k++] = json_number_value(v);
			sum += json_number_value(v);
		}
		means[count++] = sum / (double)json_array_size(vals);
	}
	if (values) {
		*values = all;
		*n = total;
	} else {
		free(all);
	}
	if (run_means) {
		*run_means = means;
		*nruns = count;
	} else {
		free(means);
	}
}
