/* The orders of a matrix's rounds, and the merge of its round files.  */
#include "containers/matrix.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/harness/metadata.h"
#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"

uint64_t ctr_random_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void ctr_shuffle(uint64_t *state, size_t *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		o[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(ctr_random_next(state) % i), t = o[i - 1];
		o[i - 1] = o[j];
		o[j] = t;
	}
}

void ctr_shuffle_orders(uint64_t seed, unsigned rounds, size_t n, size_t *order)
{
	uint64_t state = seed;

	for (unsigned r = 0; r < rounds; r++)
		ctr_shuffle(&state, order + (size_t)r * n, n);
}

char *ctr_matrix_raw_path(const char *dir, const char *runtime, unsigned round)
{
	return xasprintf("%s/raw/%s-r%u.json", dir, runtime, round + 1);
}

int ctr_matrix_read_round(const char *path, json_t **suite, struct bench_error *err)
{
	*suite = NULL;
	if (access(path, F_OK) != 0)
		return 0;
	if (result_read(path, suite, err) < 0)
		return -1;
	if (json_array_size(json_object_get(*suite, "benchmarks")) > 0)
		return 1;
	json_decref(*suite);
	*suite = NULL;
	return 0;
}

void ctr_matrix_log(FILE *log, const char *fmt, ...)
{
	char date[64];
	va_list ap;

	metadata_date(date, sizeof(date));
	fprintf(log, "== %s ", date);
	va_start(ap, fmt);
	vfprintf(log, fmt, ap);
	va_end(ap);
	fputc('\n', log);
	fflush(log);
}

int ctr_matrix_merge(const char *dir, const char *const *runtimes, unsigned rounds,
		     json_t *extra_metadata, FILE *log, struct bench_error *err)
{
	size_t nrt = 0;
	json_t *files[LIMIT_RUNTIMES][LIMIT_ROUNDS] = { { NULL } };
	int have[LIMIT_RUNTIMES] = { 0 }, rc = -1;

	while (runtimes[nrt])
		nrt++;
	if (rounds > LIMIT_ROUNDS)
		return bench_error_set(err, 0, "at most %d rounds", LIMIT_ROUNDS);
	for (size_t i = 0; i < nrt; i++)
		for (unsigned r = 0; r < rounds; r++) {
			cleanup_free char *path = ctr_matrix_raw_path(dir, runtimes[i], r);
			struct bench_error why = { 0 };

			if (access(path, F_OK) != 0)
				continue;
			if (result_read(path, &files[i][r], &why) == 0)
				have[i] = 1;
			else if (log)
				ctr_matrix_log(log, "merge: %s left out: %s", path, why.msg);
			bench_error_release(&why);
		}
	for (size_t i = 0; i < nrt; i++) {
		cleanup_free char *out = xasprintf("%s/%s.json", dir, runtimes[i]);
		json_t *suite = NULL, *b;
		size_t k;
		unsigned first = 0;

		if (!have[i])
			continue;
		while (!files[i][first])
			first++;
		suite = result_suite_new(json_deep_copy(json_object_get(files[i][first], "metadata")));
		if (extra_metadata && json_object_get(extra_metadata, runtimes[i]))
			json_object_update(json_object_get(suite, "metadata"),
					   json_object_get(extra_metadata, runtimes[i]));
		json_array_foreach(json_object_get(files[i][first], "benchmarks"), k, b) {
			const char *name = result_benchmark_name(b);
			json_t *merged = NULL;

			for (unsigned r = 0; r < rounds; r++) {
				json_t *mine = files[i][r] ? result_find_benchmark(files[i][r], name) : NULL;
				int everywhere = mine != NULL;

				/* A round counts only if every runtime that ran has it.  */
				for (size_t j = 0; j < nrt && everywhere; j++)
					if (have[j] && (!files[j][r] || !result_find_benchmark(files[j][r], name)))
						everywhere = 0;
				if (!everywhere) {
					if (mine && log)
						ctr_matrix_log(log, "merge: %s round %u of %s left out: another runtime lacks it",
						      name, r + 1, runtimes[i]);
					continue;
				}
				if (!merged) {
					merged = json_deep_copy(mine);
					continue;
				}
				json_array_extend(json_object_get(merged, "runs"), json_object_get(mine, "runs"));
			}
			if (merged)
				json_array_append_new(json_object_get(suite, "benchmarks"), merged);
		}
		if (json_array_size(json_object_get(suite, "benchmarks")) > 0 &&
		    result_write(out, suite, err) < 0) {
			json_decref(suite);
			goto out;
		}
		json_decref(suite);
	}
	rc = 0;
out:
	for (size_t i = 0; i < nrt; i++)
		for (unsigned r = 0; r < rounds; r++)
			json_decref(files[i][r]);
	return rc;
}

