/* `sandbench explain`: why a benchmark costs what it costs, per iteration:
 * CPU split between user and kernel, page faults, context switches,
 * read/write system calls, and (--syscalls) system calls by name.  */
#ifndef BENCH_EXPLAIN_H
#define BENCH_EXPLAIN_H

extern const char usage_explain[];

struct explain_options {
	int syscalls, force;		/* --syscalls, --force */
	const char *budget_dir;		/* --budget DIR */
	const char *names, *categories;	/* -b, -c */
	const char *output;		/* --syscalls -o FILE */
	const char *file;		/* explain FILE */
};
int explain_parse(int argc, char **argv, struct explain_options *o);
int cmd_explain(int argc, char **argv);

#endif
