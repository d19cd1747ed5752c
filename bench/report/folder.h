/* A report: result files compared against a reference, the table printed,
 * the report files written (what `compare` and `report` do, and what
 * `matrix` and `k8s collect` end with).  */
#ifndef BENCH_REPORT_FOLDER_H
#define BENCH_REPORT_FOLDER_H

#include <stddef.h>

struct bench_error;

struct report_options {
	const char *ref;		/* the reference runtime, or NULL */
	const char *table;		/* --reference-table, or NULL: the built-in study */
	double min_change;		/* the verdicts' threshold, relative */
	int no_color;
};

#define REPORT_OPTIONS_INIT { .min_change = 0.02 }

/* What report_files returns when the table is printed but the files
 * cannot be written (-1 is bad input).  */
#define REPORT_NOT_WRITTEN (-2)

/* Compare the n files (one per runtime), print the table on stdout and,
 * when dir is not NULL, write report.md and the rest into dir.  0, -1 on
 * bad input, REPORT_NOT_WRITTEN; err says why.  */
int report_files(const struct report_options *o, const char *const *paths, size_t n,
		 const char *dir, struct bench_error *err);

/* report_files on every result file of dir (at least two), into dir.  */
int report_folder(const struct report_options *o, const char *dir, struct bench_error *err);

/* The result files in dir (*.json, *.json.gz but not matrix.json,
 * report.json, plan.json, syscalls.json), sorted by file stem; *out and
 * its strings are the caller's.  */
int report_list_results(const char *dir, char ***out, size_t *n, struct bench_error *err);

#endif
