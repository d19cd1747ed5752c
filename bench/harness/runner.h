/* Running benchmarks: calibration, worker processes, merging, progress,
 * the result file and the summary.  */
#ifndef BENCH_RUNNER_H
#define BENCH_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct bench_def;

struct runner_options {
	unsigned processes;		/* after calibration; 0: calibrate only */
	unsigned values, warmups;
	/* Stop adding processes once the 95% confidence half-width of the mean
	 * is within target (relative; 0: run every process).  */
	double target;
	/* With a target: once every benchmark has its first processes, spend
	 * what is left of this many seconds (from the run's start) on more
	 * where the half-width is furthest above the target (0: none).  */
	double budget;
	int budget_per_benchmark;	/* budget is per benchmark selected */
	uint64_t loops;			/* 0: calibrate in a first process */
	json_t *loops_from;		/* take the loops of these results */
	double min_time;		/* seconds per value when calibrating */
	double timeout;			/* seconds per worker; 0: none */
	unsigned forks;			/* 0: a fresh worker per process; else
					 * processes forked from templates, a
					 * new template every this many */
	const char *workloads_dir;
	const char *affinity;
	const char *output;		/* result file */
	int scratch_output;		/* output is timeit's scratch file: never named */
	int force, append;
	const char *stmt, *setup;	/* timeit: the one ad-hoc benchmark */
};

/* Processes forked per template: a new template (interpreter, hash seed,
 * layout) every this many, so that no one template's luck is a bias.  */
#define RUNNER_TEMPLATE_FORKS 4

/* The profiles `run`, `matrix` and `k8s` share: "default", "fast",
 * "rigorous", "smoke".  */
struct runner_profile {
	const char *name;
	unsigned processes;		/* the most; a matrix splits them across rounds */
	unsigned values, warmups;	/* per process */
	double target;			/* stop at this relative half-width; 0: never */
	double min_time;		/* seconds per value, for calibration */
	uint64_t loops;			/* 0: calibrated */
	double budget;			/* run: seconds per benchmark selected (0: none) */
	unsigned most;			/* run: the most processes of one benchmark */
};

/* The profile named so, or NULL.  */
const struct runner_profile *runner_profile(const char *name);

/* Format seconds with a unit that keeps 3-4 significant digits: "64.2 ms".  */
void runner_format_time(double seconds, char *buf, size_t size);

/* Run the selected benchmarks (or, with opts->stmt, the timeit statement),
 * writing the result file after each one.  Returns the exit status: 0 when
 * all ran (skips included), 1 when one failed, 2 on bad input, 130/143 when
 * interrupted.  */
int runner_run(const struct runner_options *opts, const struct bench_def **sel,
	       size_t n);

#endif
