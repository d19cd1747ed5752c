/* Comparing result files: one file per runtime, benchmarks paired by name,
 * ratios to a reference runtime with 95% confidence intervals, geometric
 * means per category and over all, verdicts in words, and counters that
 * explain a change.
 *
 * Paired (two files of one lockstep matrix run: the same suite metadata
 * `matrix_run_id`, runs carrying `lockstep_slot`): runs are paired by slot
 * (a slot on one side only is left out), their values by index up to the
 * shorter run.  A slot's ratio is exp(median of log(b_i / a_i)), robust to
 * a value hit by a neighbour; the slots (each its own pair of processes,
 * with their own memory layout) are the independent units, and the ratio
 * is the one-sample Hodges-Lehmann estimate over them with the exact
 * Wilcoxon signed-rank 95% interval (stats_signed_rank_hl; 6 slots at
 * least).
 *
 * Unpaired (any other two files): values within one process are
 * correlated, so each process counts once, by its mean.  The ratio is
 * exp(median of log y_j - log x_i over every pair of processes), the
 * two-sample Hodges-Lehmann estimate, with the distribution-free interval
 * of Moses from exact Mann-Whitney critical values; where no 95% interval
 * of that kind exists (C(m + n, m) < 40: 3 and 3 processes), the ratio of
 * geometric means with Welch's t-interval.  Files that are not from one
 * matrix run were measured one after the other, and a shared machine
 * drifts between them: the renderers print a warning then.
 *
 * Runs as the unit (compare_load_runs: several files a side, each one run
 * of the suite: a boot, a host, a time): per benchmark and file one
 * estimate, the mean of the log per-process means, and the ratio and
 * interval over files exactly as the unpaired ones over processes (Moses
 * where C(m + n, m) >= 40, as from 4 and 4 files or 3 and 5, else Welch's
 * t, 2 files a side at least), so that the drift between runs is inside
 * the interval.  Never paired, and two files of one matrix run on a side
 * are refused: they are not separate runs.
 *
 * Geometric means of a category (or of all): the mean of the benchmarks'
 * log ratios.  A group of one benchmark is that benchmark, interval and
 * verdict included.  Otherwise its interval is a percentile bootstrap
 * stratified by benchmark: each replicate resamples, for every benchmark,
 * its units (slots when paired, each side's processes when not) with
 * replacement, recomputes the benchmark's estimate the same way, and takes
 * the geometric mean.  Each benchmark's replicates are first scaled, below
 * and above its estimate separately, so that their 2.5% and 97.5% points
 * are its own exact interval (the plain percentile bootstrap is too narrow
 * with few units).  COMPARE_BOOTSTRAP replicates from a seed fixed per
 * benchmark and runtime, so a report is the same every time.  Unknown when
 * a benchmark in it has no interval or more than COMPARE_BOOTSTRAP_MAX_UNITS
 * units a side (bounded work on hostile files).
 *
 * Verdicts, against --min-change m: slower when the interval lies above
 * +m, faster when below -m, same when it lies within [-m, +m] (an
 * equivalence test), else inconclusive.  */
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

#define COMPARE_BOOTSTRAP 2000
#define COMPARE_BOOTSTRAP_MAX_UNITS 1000

enum compare_verdict {
	COMPARE_NO_VERDICT,		/* no interval */
	COMPARE_SAME,
	COMPARE_SLOWER,
	COMPARE_FASTER,
	COMPARE_INCONCLUSIVE,
};

/* How a ratio and its interval were obtained.  */
enum compare_method {
	COMPARE_NONE,			/* no interval: too few units */
	COMPARE_PAIRED,			/* signed-rank Hodges-Lehmann over slots */
	COMPARE_MOSES,			/* two-sample Hodges-Lehmann, Moses */
	COMPARE_WELCH,			/* geometric means, Welch's t */
	COMPARE_BOOT,			/* a group's stratified bootstrap */
	COMPARE_RUNS_MOSES,		/* Hodges-Lehmann over files, Moses */
	COMPARE_RUNS_WELCH,		/* files' geometric means, Welch's t */
	COMPARE_IDENTITY,		/* the reference against itself */
};

/* A ratio with its 95% interval; lo and hi are NAN when unknown.  */
struct compare_ratio {
	double ratio, lo, hi;
	double coverage;		/* the interval's exact coverage (Welch,
					 * bootstrap: nominal 0.95); 0 unknown */
	enum compare_method method;
	enum compare_verdict verdict;
	int paired;			/* from lockstep pairs of values */
	size_t pairs;			/* slots paired (paired only) */
	double *boot;			/* COMPARE_BOOTSTRAP log ratios, or NULL */
};

/* Counters of the timed values, per iteration (NAN when not recorded).  */
struct compare_explain {
	double sys_share;	/* ru_stime / (ru_utime + ru_stime) */
	double cpu_share;	/* (ru_utime + ru_stime) / timed_s */
	double minflt;		/* minor page faults */
	double child_minflt;	/* those of the processes it waited for */
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
	size_t nruns;			/* runs mode: files; else 0 */
	double *log_means;		/* log of each process's mean (nprocs), or
					 * in runs mode each file's mean of them
					 * (nruns) */
	double *units;			/* paired: each slot's log ratio (r.pairs) */
	/* Paired: the variance of the values' log ratios, value to value within
	 * a slot and slot to slot (stats_variance_split); NAN otherwise.  */
	double var_within, var_between;
};

struct compare_bench {
	char *name, *category, *unit;
	struct compare_cell *cells;	/* one per runtime */
	size_t npresent;
	double study;			/* the study's ratio, or NAN */
	double max_ratio;		/* over the other runtimes, for sorting */
};

/* Counters a runtime may not report (compare_runtime.unreported).  */
enum { COMPARE_MINFLT = 1, COMPARE_MAJFLT = 2, COMPARE_CSW = 4 };

struct compare_runtime {
	char *name;			/* metadata `runtime`, else the file stem */
	char *path;			/* runs mode: the side's first file */
	size_t nfiles;			/* runs mode: the side's files; else 1 */
	size_t nbenches;		/* benchmarks with values in its file */
	json_t *metadata;		/* the file's suite metadata (new ref) */
	int same_run;			/* shares matrix_run_id with the reference */
	size_t drift_warned;		/* benchmarks compared unpaired though
					 * not interleaved with the reference:
					 * the drift warning's count */
	unsigned unreported;		/* COMPARE_* counters 0 in every value
					 * where another runtime's are not: not
					 * reported (gVisor's getrusage), NAN in
					 * its cells */
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
	int runs;			/* runs as the unit (compare_load_runs) */
	/* Over the benchmarks' intervals against the reference: how many, the
	 * least and largest exact coverage, and the expected number of false
	 * slower/faster verdicts if no runtime differed, sum(1 - coverage).  */
	size_t nintervals;
	double coverage_min, coverage_max, expected_false;
	/* The system-call budget (bench/report/budget.h), set by the caller when the
	 * counts exist; NULL otherwise.  */
	const struct budget_table *budget;
};

/* Read n result files (n >= 2) and compare them.  Fails, naming the file,
 * on a file that is not pyperf JSON, has no benchmark with values, or
 * shares none with the reference; and on units that disagree.  */
int compare_load(struct compare *c, const char *const *paths, size_t n,
		 const struct compare_options *opts, struct bench_error *err);

/* Runs as the unit: paths[0 .. side_a) are one side's runs, the rest the
 * other's, at least two a side.  Fails, naming the file, where
 * compare_load does, and when a side's files do not measure the same
 * benchmarks in the same unit or two of them come from one matrix run.  */
int compare_load_runs(struct compare *c, const char *const *paths, size_t n, size_t side_a,
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
#define COMPARE_METADATA_KEYS 32	/* room for every key it watches */
size_t compare_metadata_diff(const struct compare *c, const char **keys, size_t max,
			     int *cpus_differ);

/* A warning when the files were measured under different placements
 * (placement_cpus, placement_pin: containers/placement.h), else NULL: a
 * runtime pinned to one CPU with its helper threads is another system than
 * one as deployed.  A static string.  */
const char *compare_placement_warning(const struct compare *c);

/* The value of a metadata key in runtime rt's file as text ("-" when
 * absent); owned by the caller.  */
char *compare_metadata_text(const struct compare *c, size_t rt, const char *key);

/* The verdict's word ("slower", ...; "-" without an interval) and the
 * method's description.  */
const char *compare_verdict_name(enum compare_verdict v);
const char *compare_method_name(enum compare_method m);

/* The drift warning for runtime rt, or NULL when it has none; owned by the
 * caller.  */
char *compare_drift_warning(const struct compare *c, size_t rt);

/* Mark the counters each runtime of c does not report (see
 * compare_runtime.unreported) and make them unknown in its cells.  */
void compare_explain_unreported(struct compare *c);

/* The names of the counters runtime rt does not report, as in report.json
 * ("minflt_per_it") or short ("minflt"): how many.  */
#define COMPARE_COUNTERS 3
size_t compare_unreported(const struct compare *c, size_t rt, int short_names,
			  const char *names[COMPARE_COUNTERS]);

/* The change of an explanation counter against the reference: other / ref,
 * or for sys_share the difference in percentage points; NAN if unknown.  */
double compare_explain_change(double ref, double other, int is_share);

#endif
