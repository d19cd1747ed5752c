/* Result files in pyperf's JSON format (version "1.0"), as jansson trees.  */
#ifndef BENCH_RESULT_H
#define BENCH_RESULT_H

#include <jansson.h>
#include <stddef.h>

#include "bench/lib/limits.h"

struct bench_error;

/* A new suite {"version": "1.0", "metadata": metadata, "benchmarks": []};
 * steals metadata.  */
json_t *result_suite_new(json_t *metadata);

/* A new benchmark with its metadata (name, unit "second", loops, tags
 * [category, kind], inner_loops when > 1) and no runs.  */
json_t *result_benchmark_new(const char *name, const char *category,
			     const char *kind, unsigned long long loops,
			     unsigned inner_loops);

/* The benchmark named name in suite (borrowed), or NULL.  */
json_t *result_find_benchmark(json_t *suite, const char *name);

/* Write suite to path atomically; ".json.gz" is compressed.  */
int result_write(const char *path, json_t *suite, struct bench_error *err);

/* pyperf keeps metadata at the highest level where it is common (suite ->
 * benchmark -> run; a one-benchmark file has its name, loops and unit in the
 * suite's).  Copy name, loops, inner_loops and unit into each benchmark's
 * metadata from the suite's, or from its runs when they all agree.  */
void result_inherit_metadata(json_t *suite);

/* Read a result file (pyperf's or ours, plain or gzip), inherit the
 * metadata (result_inherit_metadata) and validate it (result_validate).  */
int result_read(const char *path, json_t **suite, struct bench_error *err);

/* jansson's parse error without the words it quotes from the file (a
 * file root may read and its user may not): "'[' or '{' expected at line
 * 2, column 9".  */
void result_json_error(const json_error_t *jerr, char *buf, size_t size);

/* Check the shape DESIGN.md gives: version "1.0", a benchmarks array, each
 * with metadata.name, a unit, runs whose values are numbers > 0 and whose
 * metadata values are non-empty one-line strings, ints or floats.  `what`
 * names the file in messages.  */
int result_validate(json_t *suite, const char *what, struct bench_error *err);

/* Benchmark accessors (borrowed strings; 0 when absent).  */
const char *result_benchmark_name(json_t *bench);
unsigned long long result_benchmark_loops(json_t *bench);

/* Every value of the benchmark, and one mean per run that has values.  The
 * arrays are owned by the caller; either pointer may be NULL.  */
void result_benchmark_values(json_t *bench, double **values, size_t *n,
			     double **run_means, size_t *nruns);

#endif
