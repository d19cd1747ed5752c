/* libFuzzer: a result file of arbitrary bytes, read the way every command
 * reads one (result_read: gunzip when the bytes are gzip, the size limit,
 * JSON, result_validate), then what compare and run do with a valid one.
 * A valid file must also write back and read back equal.  */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "bench/report/compare.h"
#include "tests/fuzz/fuzz.h"

static char *in_path, *out_plain, *out_gz;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_scratch_dir("result");

	in_path = xasprintf("%s/in.json", dir);
	out_plain = xasprintf("%s/out.json", dir);
	out_gz = xasprintf("%s/out.json.gz", dir);
	return 0;
}

/* A valid suite survives result_write and result_read unchanged.  */
static void round_trip(json_t *suite, const char *path)
{
	struct bench_error err = { 0 };
	json_t *back = NULL;

	if (result_write(path, suite, &err) < 0)
		fuzz_fail("result_write of a valid suite failed: %s", err.msg);
	if (result_read(path, &back, &err) < 0)
		fuzz_fail("a written suite does not read back: %s", err.msg);
	if (!json_equal(suite, back))
		fuzz_fail("%s", "a written suite reads back different");
	json_decref(back);
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bench_error err = { 0 };
	json_t *suite = NULL, *b;
	size_t i;

	fuzz_write_file(in_path, data, size);
	if (result_read(in_path, &suite, &err) < 0) {
		if (!err.msg[0] || !strstr(err.msg, in_path))
			fuzz_fail("an invalid file gives an error naming it, got `%s`", err.msg);
		bench_error_release(&err);
		return 0;
	}
	json_array_foreach(json_object_get(suite, "benchmarks"), i, b) {
		struct compare_explain ex;
		double *values, *means;
		size_t n, nruns;

		if (!result_benchmark_name(b) || !result_find_benchmark(suite, result_benchmark_name(b)))
			fuzz_fail("benchmark %zu of a valid file has no name", i);
		result_benchmark_values(b, &values, &n, &means, &nruns);
		for (size_t k = 0; k < n; k++)
			if (!(values[k] > 0))
				fuzz_fail("a value of a valid file is %g", values[k]);
		free(values);
		free(means);
		(void)result_benchmark_loops(b);
		compare_explain_bench(b, &ex);
	}
	round_trip(suite, out_plain);
	if (size < 4096)
		round_trip(suite, out_gz);
	json_decref(suite);
	return 0;
}
