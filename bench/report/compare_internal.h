/* What the parts of the comparison share, for bench/report/compare*.c only:
 * compare.c reads and pairs the files, compare_ratio.c rates one runtime
 * on one benchmark, compare_group.c the categories and the total.  */
#ifndef BENCH_COMPARE_INTERNAL_H
#define BENCH_COMPARE_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "bench/report/compare.h"

struct bench_error;

/* Runs mode: the files of one side, each one run of the suite.  */
struct compare_side {
	json_t **suites;
	size_t n;
};

/* Does the pyperf benchmark object have a run with values?  */
int compare_has_values(json_t *bench);

/* The benchmark's unit: its metadata's, else "second".  */
const char *compare_bench_unit(json_t *bench);

/* Read the n files into suites (the caller releases them, read or not);
 * each must have a benchmark with values.  */
int compare_read_suites(json_t **suites, const char *const *paths, size_t n,
			struct bench_error *err);

/* The comparison of n suites, one per runtime, read from paths; sides,
 * when not NULL, holds each runtime's files (runs mode), whose merged runs
 * suites[rt] has.  c holds min_change and study already.  */
int compare_build(struct compare *c, json_t **suites, const char *const *paths, size_t n,
		  const struct compare_options *opts, const struct compare_side *sides,
		  struct bench_error *err);

/* The verdict of the interval [lo, hi] against --min-change (compare.h).  */
enum compare_verdict compare_verdict_of(double lo, double hi, double min_change);

/* A non-empty string of the suite metadata md, or NULL.  */
const char *compare_suite_text(json_t *md, const char *key);

/* Runtime rt's ratio for benchmark b, whose objects are jx in the
 * reference's file and jy in rt's: paired by slot when both files come
 * from one lockstep matrix run and the runs carry slots, else unpaired.
 * -1 on a malformed lockstep_slot, naming the file.  */
int compare_rate_cell(struct compare *c, struct compare_bench *b, size_t rt, json_t *jx,
		      json_t *jy, struct bench_error *err);

/* The categories' and the total's geometric means, once every cell is
 * rated.  */
void compare_fill_groups(struct compare *c);

#endif
