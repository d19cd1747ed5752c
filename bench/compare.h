/* Comparing result files: one file per runtime, benchmarks paired by name,
 * ratios to a reference runtime with 95% confidence intervals, geometric
 * means per category and over all, and counters that explain a change.
 *
 * Ratios: values within one process are correlated, so each process counts
 * once, by its mean.  The ratio of a benchmark is exp(median of log y_j -
 * log x_i over every pair) over the per-process means x (reference) and y
 * (other): the Hodges-Lehmann estimate, which one process slowed by another
 * job moves little, where the ratio of geometric means moves a lot.  Its
 * interval is the distribution-free one of Moses; with fewer than 4
 * processes a side, the ratio of geometric means and Welch's t-interval on
 * the logarithms (Welch-Satterthwaite degrees of freedom).
 *
 * Geometric means: the mean of the log ratios of a category's benchmarks,
 * with the interval propagated from the benchmarks' standard errors
 * (se = sqrt(sum se_i^2) / k, Welch-Satterthwaite df).  The benchmarks are
 * a fixed list, not a sample, so their spread is not part of the
 * uncertainty: the interval says how well this geometric mean is measured.  */
#ifndef BENCH_COMPARE_H
#define BENCH_COMPARE_H

#include <jansson.h>
#include <stddef.h>

struct bench_error;
struct thesis_table;
struct budget_table;

struct compare_options {
	const char *ref;		/* reference runtime (name, file or file stem);
					 * NULL: "runc" if present, else the first */
	double min_change;		/* a significant change exceeds this fraction */
	const struct thesis_table *study;	/* shown beside ours; may be NULL */
};

/* A ratio with its 95% interval; lo and hi are NAN when unknown (fewer than
 * two processes on a side).  */
struct compare_ratio {
	double ratio, lo, hi;
	double log_se, df;		/* of the log ratio, for propagation */
	int significant;
};

/* Counters of the timed values, per iteration (NAN when not recorded).  */
struct compare_explain {
	double sys_share;	/* ru_stime / (ru_utime + ru_stime) */
	double cpu_share;	/* (ru_utime + ru_stime) / timed_s */
	double minflt;		/* minor page faults */
	double majflt;		/* major page faults */
	double csw;		/* context switches, voluntary + involuntary */
	double rw_syscalls;	/* read- and write-type syscalls (io_syscr + io_syscw) */
};

/* One benchmark under one runtime.  */
struct compare_cell {
	int present;			/* the file has values for it */
	double mean, stdev;		/* of every value, in the benchmark's unit */
	size_t nprocs, nvalues;
	struct compare_ratio r;		/* against the reference (1 for itself) */
	struct compare_explain ex;
	double *log_means;		/* log of each process's mean (nprocs) */
};

struct compare_bench {
	char *name, *category, *unit;
	struct compare_cell *cells;	/* one per runtime */
	size_t npresent;
	double study;			/* the study's ratio, or NAN */
	double max_ratio;		/* over the other runtimes, for sorting */
};

struct compare_runtime {
	char *name;			/* metadata `runtime`, else the file stem */
	char *path;
	size_t nbenches;		/* benchmarks with values in its file */
	json_t *metadata;		/* the file's suite metadata (new ref) */
};

/* The geometric mean of a category (or of everything) per runtime.  */
struct compare_group {
	char *name;
	struct compare_ratio *geo;	/* one per runtime */
	size_t *n;			/* benchmarks in it, per runtime */
	size_t nbenches;		/* in the category, in any file */
	double study;			/* the study's geometric mean over the same
					 * benchmarks, or NAN */
	size_t study_n, study_total;	/* of its rows: matched, in the category */
};

struct compare {
	struct compare_runtime *runtimes;
	size_t nruntimes, ref;
	struct compare_bench *benches;	/* reference file order, then the rest */
	size_t nbenches;
	size_t *order;			/* benches, slowest first */
	struct compare_group *categories;	/* in order of first appearance */
	size_t ncategories;
	struct compare_group total;
	double min_change;
	const struct thesis_table *study;
	/* The system-call budget (bench/budget.h), set by the caller when the
	 * counts exist; NULL otherwise.  */
	const struct budget_table *budget;
};

/* Read n result files (n >= 2) and compare them.  Fails, naming the file,
 * on a file that is not pyperf JSON, has no benchmark with values, or
 * shares none with the reference; and on units that disagree.  */
int compare_load(struct compare *c, const char *const *paths, size_t n,
		 const struct compare_options *opts, struct bench_error *err);

void compare_release(struct compare *c);

/* The counters of a benchmark's runs (pyperf JSON object), per iteration of
 * the timed values: sums over the runs with values, divided by the
 * iterations they cover (values x loops x inner_loops).  */
void compare_explain_bench(json_t *bench, struct compare_explain *ex);

/* The metadata keys whose values differ between the files (hosts, kernels,
 * CPUs, runtime versions, what was detected inside), for a warning above
 * the comparison: NULL-terminated, static strings.  *cpus_differ is set
 * when cpu_model_name or cpu_count differ: then a ratio mixes hardware with
 * runtime.  */
size_t compare_metadata_diff(const struct compare *c, const char **keys, size_t max,
			     int *cpus_differ);

/* The value of a metadata key in runtime rt's file as text ("-" when
 * absent); owned by the caller.  */
char *compare_metadata_text(const struct compare *c, size_t rt, const char *key);

/* The change of an explanation counter against the reference: other / ref,
 * or for sys_share the difference in percentage points; NAN if unknown.  */
double compare_explain_change(double ref, double other, int is_share);

#endif
