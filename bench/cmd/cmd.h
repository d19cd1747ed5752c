/* The commands of sandbench, one file each (git's builtin/): every command
 * first parses its arguments into an options struct (its `parse` function,
 * which runs nothing and which tests/fuzz/fuzz_cli.c calls alone), then
 * runs.  A parse function returns 0, or the exit status of a usage error
 * (2) after saying which option is wrong.  main.c holds only the table.  */
#ifndef BENCH_CMD_CMD_H
#define BENCH_CMD_CMD_H

#include <jansson.h>
#include <stddef.h>

#include "bench/harness/runner.h"
#include "bench/report/folder.h"
#include "containers/image.h"
#include "containers/k8s.h"
#include "containers/matrix.h"

/* The one usage error: "sandbench: " and the message (which names the
 * option), then the usage; returns 2.  fmt NULL: only the usage (getopt
 * has said what is wrong).  */
int cmd_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct option;

/* getopt_long, and an empty value ("", `--output=`) refused as getopt
 * refuses an unknown option: said, naming the option, and '?' returned, on
 * which the caller prints its usage and returns 2.  Before any work.  */
int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* ---- help, version, list, env ---- */
extern const char usage_main[], usage_list[], usage_env[];
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

struct list_options {
	const char *categories;
};
int list_parse(int argc, char **argv, struct list_options *o);
int cmd_list(int argc, char **argv);

int env_parse(int argc, char **argv);
int cmd_env(int argc, char **argv);

/* ---- run and timeit ---- */
extern const char usage_run[], usage_timeit[];

struct measure_options {
	struct runner_options run;	/* run.loops_from is ours: measure_release */
	const char *names, *categories;	/* run: -b, -c */
};
int run_parse(int argc, char **argv, struct measure_options *o);
int timeit_parse(int argc, char **argv, struct measure_options *o);
void measure_release(struct measure_options *o);
int cmd_run(int argc, char **argv);
int cmd_timeit(int argc, char **argv);

/* ---- compare and report ---- */
extern const char usage_compare[], usage_report[];

struct report_cmd_options {
	struct report_options report;
	const char *output;		/* compare -o DIR, or NULL */
	char **files;			/* compare: the files; report: the folder */
	size_t nfiles;
};
/* The options both take; with_output: -o DIR is one.  */
int report_options_parse(int argc, char **argv, const char *usage, int with_output,
			 struct report_cmd_options *o);
int compare_parse(int argc, char **argv, struct report_cmd_options *o);
int report_parse(int argc, char **argv, struct report_cmd_options *o);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* ---- image ---- */
extern const char usage_image[];

struct image_options {
	const char *dir;
	int podman;
};
int image_parse(int argc, char **argv, struct image_options *o);
int cmd_image(int argc, char **argv);

/* ---- matrix ---- */
extern const char usage_matrix[];

struct matrix_options {
	struct ctr_matrix_plan plan;
	const char *dir;		/* -o */
	const char *resume;		/* --resume DIR */
	int seeded;			/* --seed given */
};
int matrix_parse(int argc, char **argv, struct matrix_options *o);
int cmd_matrix(int argc, char **argv);

/* ---- k8s plan, job, collect ---- */
extern const char usage_k8s[];
int cmd_k8s(int argc, char **argv);

struct k8s_plan_options {
	struct ctr_k8s_plan plan;	/* plan.selector_* are ours: k8s_plan_release */
	char *classes;			/* what plan.classes point into */
	const char *dir;
	int seeded;
};
int k8s_plan_parse(int argc, char **argv, struct k8s_plan_options *o);
void k8s_plan_release(struct k8s_plan_options *o);
int cmd_k8s_plan(int argc, char **argv);

struct k8s_job_options {
	const char *run_id, *runtime_class;
	unsigned round;
	char **run_argv;		/* `run`'s options: the rest of argv */
	int run_argc;
};
int k8s_job_parse(int argc, char **argv, struct k8s_job_options *o);
int cmd_k8s_job(int argc, char **argv);

struct k8s_collect_options {
	const char *dir;
	char **logs;			/* none: stdin */
	int nlogs;
};
int k8s_collect_parse(int argc, char **argv, struct k8s_collect_options *o);
int cmd_k8s_collect(int argc, char **argv);

/* ---- the internal modes of the re-executed binary ---- */
int cmd_worker(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_child(int argc, char **argv);
int cmd_startup(int argc, char **argv);
int cmd_noop(int argc, char **argv);

#endif
