/* `sandbench explain`: why a benchmark costs what it costs, per iteration:
 * CPU split between user and kernel, page faults, context switches,
 * read/write system calls, and (--syscalls) system calls by name.  */
#ifndef BENCH_EXPLAIN_H
#define BENCH_EXPLAIN_H

extern const char usage_explain[];

int cmd_explain(int argc, char **argv);

#endif
