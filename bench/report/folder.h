/* A report: result files compared against a reference, the table printed,
 * the report files written (what `compare` and `report` do, and what
 * `matrix` and `k8s collect` end with).  */
#ifndef BENCH_REPORT_FOLDER_H
#define BENCH_REPORT_FOLDER_H

#include <stddef.h>

#include "bench/report/gate.h"

struct bench_error;

struct report_options {
	const char *ref;		/* the reference runtime, or NULL */
	const char *table;		/* --reference-table, or NULL: the built-in study */
	double min_change;		/* the verdicts' threshold, relative */
	int no_color;
	size_t side_a;			/* compare A1 A2 -- B1 B2: the files of the
					 * first side (runs as the unit); 0: one
					 * file per runtime */
	unsigned fail_on;		/* GATE_* bits */
	struct gate_bound bounds[GATE_MAX_BOUNDS];	/* --max-change */
	size_t nbounds;
};

#define REPORT_OPTIONS_INIT { .min_change = 0.02 }

/* What report_files returns when the table is printed but the files
 * cannot be written (-1 is bad input).  */
#define REPORT_NOT_WRITTEN (-2)
#define REPORT_GATE_CROSSED 1

/* Compare the n files (one per runtime, or two sides of runs when
 * o->side_a is set), print the table on stdout and, when dir is not NULL,
 * write report.md and the rest into dir.  0, -1 on bad input,
 * REPORT_NOT_WRITTEN; err says why.  REPORT_GATE_CROSSED when all went
 * well but a --fail-on verdict or --max-change bound was crossed: one line
 * on stderr names what.  */
int report_files(const struct report_options *o, const char *const *paths, size_t n,
		 const char *dir, struct bench_error *err);

/* report_files on every result file of dir (at least two), into dir.  */
int report_folder(const struct report_options *o, const char *dir, struct bench_error *err);

/* The result files in dir (*.json, *.json.gz but not matrix.json,
 * report.json, plan.json, syscalls.json), sorted by file stem; *out and
 * its strings are the caller's.  */
int report_list_results(const char *dir, char ***out, size_t *n, struct bench_error *err);

#endif
