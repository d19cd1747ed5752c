/* The `compare` and `report` commands.  */
#ifndef BENCH_CMD_REPORT_H
#define BENCH_CMD_REPORT_H

extern const char usage_compare[], usage_report[];

/* `sandbench compare [OPTIONS] FILE FILE...`: print the comparison; with
 * -o DIR also write the report files there.  Returns the exit status: 0,
 * 1 when the report files cannot be written, 2 on bad input.  */
int cmd_compare(int argc, char **argv);

/* `sandbench report [OPTIONS] DIR`: compare every *.json and *.json.gz in
 * DIR (one file per runtime; matrix.json and report.json are not results)
 * and write the report files into DIR.  */
int cmd_report(int argc, char **argv);

#endif
