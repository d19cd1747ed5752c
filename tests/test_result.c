#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-result-XXXXXX";

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(result, .init = setup, .fini = teardown);

static json_t *sample_suite(void)
{
	json_t *suite = result_suite_new(json_pack("{s:s, s:i}", "hostname", "h", "cpu_count", 2));
	json_t *b = result_benchmark_new("nbody", "math", "python", 4, 1);
	json_array_append_new(json_object_get(b, "runs"),
		json_pack("{s:{s:i}, s:[[i,f]]}", "metadata", "calibrate_loops", 4, "warmups", 1, 0.5));
	json_array_append_new(json_object_get(b, "runs"),
		json_pack("{s:{s:s}, s:[[i,f]], s:[f,f]}", "metadata", "date", "2026-01-01 00:00:00",
			  "warmups", 4, 0.2, "values", 0.1, 0.3));
	json_array_append_new(json_object_get(b, "runs"),
		json_pack("{s:{s:s}, s:[f,f]}", "metadata", "date", "2026-01-01 00:00:01",
			  "values", 0.2, 0.4));
	json_array_append_new(json_object_get(suite, "benchmarks"), b);
	return suite;
}

static void write_read_back(const char *name)
{
	struct bench_error err = { 0 };
	char *path = xasprintf("%s/%s", dir, name);
	json_t *suite = sample_suite(), *back = NULL, *b;
	double *values, *means;
	size_t n, nruns;

	cr_assert_eq(result_write(path, suite, &err), 0, "%s", err.msg);
	cr_assert_eq(result_read(path, &back, &err), 0, "%s", err.msg);
	cr_assert(json_equal(suite, back), "the file must read back equal to what was written");
	b = result_find_benchmark(back, "nbody");
	cr_assert_not_null(b);
	cr_assert_null(result_find_benchmark(back, "float"));
	cr_assert_eq(result_benchmark_loops(b), 4);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(b, "metadata"), "unit")),
			 "second");
	result_benchmark_values(b, &values, &n, &means, &nruns);
	cr_assert_eq(n, 4);
	cr_assert_eq(nruns, 2, "the calibration run has no values and no mean");
	cr_assert_float_eq(means[0], 0.2, 1e-12);
	cr_assert_float_eq(means[1], 0.3, 1e-12);
	free(values);
	free(means);
	json_decref(suite);
	json_decref(back);
	free(path);
}

Test(result, writes_and_reads_back_plain) { write_read_back("r.json"); }

Test(result, writes_and_reads_back_gzip)
{
	char magic[2] = { 0 };
	char *path = xasprintf("%s/r.json.gz", dir);
	FILE *f;

	write_read_back("r.json.gz");
	f = fopen(path, "rb");
	cr_assert_not_null(f);
	cr_assert_eq(fread(magic, 1, 2, f), 2);
	fclose(f);
	cr_assert(magic[0] == '\x1f' && magic[1] == '\x8b', "a .gz result must be gzip data");
	free(path);
}

Test(result, write_leaves_no_temporary_file)
{
	struct bench_error err = { 0 };
	char *path = xasprintf("%s/r.json", dir), *cmd;
	json_t *suite = sample_suite();

	cr_assert_eq(result_write(path, suite, &err), 0);
	cmd = xasprintf("test $(ls '%s' | wc -l) -eq 1", dir);
	cr_assert_eq(system(cmd), 0, "only the result file may remain");
	json_decref(suite);
	free(cmd);
	free(path);
}

static void expect_rejected(const char *text, const char *fragment)
{
	struct bench_error err = { 0 };
	char *path = xasprintf("%s/bad.json", dir);
	json_t *suite = NULL;
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	cr_assert_eq(result_read(path, &suite, &err), -1, "accepted: %s", text);
	cr_assert_null(suite);
	cr_assert(strstr(err.msg, fragment), "message `%s` lacks `%s`", err.msg, fragment);
	cr_assert(strstr(err.msg, "bad.json"), "the message must name the file: %s", err.msg);
	free(path);
}

/* A file that is not JSON may be one root can read and its user cannot:
 * the error gives a position, never the file's words.  */
Test(result, a_parse_error_quotes_nothing_of_the_file)
{
	struct bench_error err = { 0 };
	char *path = xasprintf("%s/secret.json", dir);
	json_t *suite = NULL;
	FILE *f = fopen(path, "w");

	fputs("\n  KEEPOUT-hunter2 is the password\n", f);
	fclose(f);
	cr_assert_eq(result_read(path, &suite, &err), -1);
	cr_assert_null(strstr(err.msg, "KEEPOUT"), "the error quotes the file: %s", err.msg);
	cr_assert_null(strstr(err.msg, "hunter2"), "the error quotes the file: %s", err.msg);
	cr_assert(strstr(err.msg, "line 2, column "), "no position: %s", err.msg);
	free(path);
}

Test(result, rejects_what_is_not_a_result)
{
	expect_rejected("{\"version\": \"1.0\", \"benchmarks\": [", "not valid JSON");
	expect_rejected("[]", "not an object");
	/* Their mean would be inf: no statistic survives such a value.  */
	expect_rejected("{\"version\": \"1.0\", \"benchmarks\": [{\"metadata\": {\"name\": \"x\"}, "
			"\"runs\": [{\"values\": [1e308, 1e308]}]}]}", "at most 1e+100");
	expect_rejected("{\"version\": \"2.0\", \"benchmarks\": []}", "version");
	expect_rejected("{\"version\": \"1.0\"}", "benchmarks");
	expect_rejected("{\"version\": \"1.0\", \"benchmarks\": [{\"metadata\": {}, \"runs\": []}]}",
			"no name");
	expect_rejected("{\"version\": \"1.0\", \"benchmarks\": [{\"metadata\": {\"name\": \"a\"}, "
			"\"runs\": []}]}", "no runs");
	expect_rejected("{\"version\": \"1.0\", \"benchmarks\": [{\"metadata\": {\"name\": \"a\"}, "
			"\"runs\": [{\"values\": [0.1, -1]}]}]}", "number > 0");
	expect_rejected("{\"version\": \"1.0\", \"benchmarks\": [{\"metadata\": {\"name\": \"a\"}, "
			"\"runs\": [{\"values\": [0.1], \"warmups\": [[0, 0.1]]}]}]}", "warmup");
	expect_rejected("{\"version\": \"1.0\", \"metadata\": {\"host\": \"a\\nb\"}, \"benchmarks\": []}",
			"newline");
}

/* An error struct that already holds a message (a caller reusing it) still
 * gets the message of this failure.  */
Test(result, a_run_that_is_not_an_object_says_so)
{
	struct bench_error err = { 0 };
	json_t *suite = json_loads("{\"version\": \"1.0\", \"benchmarks\": [{\"metadata\": "
				   "{\"name\": \"a\"}, \"runs\": [[0.1]]}]}", 0, NULL);

	cr_assert_not_null(suite);
	bench_error_set(&err, 0, "an earlier failure");
	cr_assert_eq(result_validate(suite, "r.json", &err), -1);
	cr_assert(strstr(err.msg, "r.json: benchmark `a`: a run is not an object"),
		  "message: `%s`", err.msg);
	json_decref(suite);
}
