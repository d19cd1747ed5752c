/* The `compare` and `report` commands.  */
#ifndef BENCH_CMD_REPORT_H
#define BENCH_CMD_REPORT_H

#include <stddef.h>

extern const char usage_compare[], usage_report[];

/* `sandbench compare [OPTIONS] FILE FILE...`: print the comparison; with
 * -o DIR also write the report files there.  Returns the exit status: 0,
 * 1 when the report files cannot be written, 2 on bad input.  */
int cmd_compare(int argc, char **argv);

/* `sandbench report [OPTIONS] DIR`: compare every *.json and *.json.gz in
 * DIR (one file per runtime; matrix.json and report.json are not results)
 * and write the report files into DIR.  */
int cmd_report(int argc, char **argv);

struct bench_error;

/* The result files in dir (*.json, *.json.gz but not matrix.json,
 * report.json, plan.json, syscalls.json), sorted by file stem; *out and
 * its strings are the caller's.  */
int report_list_results(const char *dir, char ***out, size_t *n, struct bench_error *err);

#endif
