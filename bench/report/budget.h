/* The overhead budget: how much of a benchmark's change under a runtime
 * its system calls explain.  Per benchmark and runtime, against the
 * reference:
 *
 *   measured   the change of one iteration's time, ref mean x (ratio - 1),
 *              with the ratio's 95% interval;
 *   predicted  sum over system calls of calls per iteration x (cost under
 *              the runtime - cost under the reference), plus minor page
 *              faults x the same difference of a fault's cost.
 *
 * Calls per iteration come from `explain --syscalls` (strace, natively:
 * DIR/syscalls.json), faults from the reference's getrusage (the worker's
 * own and its waited-for children's beyond those vfork_exec's child makes,
 * which vfork_exec's cost holds already), and costs from
 * the kernel probes in the same result files: budget_prices says which
 * probe prices which call; probes missing from the matrix's files are read
 * from DIR/probes (BUDGET_PROBES_DIR), a matrix of them alone.  A call with
 * no probe, or whose probe is missing from either side, is "unpriced" and
 * listed with its count (and the missing probe).  */
#ifndef BENCH_BUDGET_H
#define BENCH_BUDGET_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

struct bench_error;
struct compare;
struct budget_probes;

/* One row of the price table: the probe (a kernel benchmark) whose time per
 * iteration, x weight, is the cost of one call of syscall.  */
struct budget_price {
	const char *syscall;
	const char *probe;
	double weight;		/* 0: paid within another call's probe */
	int covers;		/* the probe's other calls are paid in this price */
	const char *large;	/* the probe of the same call at a larger size */
	const char *less;	/* a probe pricing other calls the probe makes, */
	double less_weight;	/* ... this many per iteration, taken off */
};

extern const struct budget_price budget_prices[];
extern const size_t budget_nprices;

/* The pseudo system call under which page faults are counted.  */
#define BUDGET_FAULTS "(page faults)"

/* The row pricing syscall, or NULL.  */
const struct budget_price *budget_price_of(const char *syscall);

/* Whether probe prices a call (as a row's probe, large or less).  */
int budget_is_probe(const char *probe);

/* The cost difference of one read of the given mean size (NAN: unknown),
 * from the differences of the 4 KiB (small) and 64 KiB (large) probes;
 * small for 4 KiB or less or an unknown size, whatever large is.  */
double budget_read_delta(double small, double large, double bytes);

/* Beside a matrix folder DIR: a matrix of the probes its files lack.  */
#define BUDGET_PROBES_DIR "probes"

/* A system call's part of the prediction.  */
struct budget_term {
	char name[32];
	double count;		/* calls per iteration */
	double delta;		/* seconds per call, runtime - reference */
	double contrib;		/* count x delta */
	const char *probe;	/* unpriced: the probe that would price it, missing
				 * from a file; NULL when no probe prices it */
};

#define BUDGET_TOP 3

struct budget {
	int present;		/* counts and a measurement exist */
	double measured, lo, hi;	/* change per iteration in seconds; lo, hi
					 * NAN when the interval is unknown */
	double predicted;	/* seconds per iteration */
	double share;		/* predicted / measured, NAN when unknown */
	struct budget_term top[BUDGET_TOP];	/* largest |contrib| first */
	size_t ntop;
	struct budget_term *unpriced;	/* count only, largest first */
	size_t nunpriced;
	size_t nmissing;	/* of them, those whose probe is missing */
	struct budget_term faults;	/* the page faults' term, count 0 when none */
	double calls;		/* system calls per iteration, priced or not */
	double ref_mean;	/* the reference's time of one iteration */
	int far;		/* the prediction is far from the measurement */
};

/* Fewer system calls than this per millisecond of the reference's time is
 * "almost none": at 20 us each (a dear call in a sandbox) they cost under
 * 2%, so a far larger slow-down is elsewhere: CPU-bound.  */
#define BUDGET_FEW_CALLS_PER_MS 1.0

/* What budget_compute() needs, all per iteration.  */
struct budget_input {
	json_t *counts;		/* syscall name -> calls */
	double read_bytes;	/* bytes read by read and pread64, NAN when unknown */
	json_t *probe_counts;	/* probe name -> {syscall: calls}, or NULL */
	double faults;		/* minor page faults, NAN when unknown */
	double child_faults;	/* those of the children it waited for, NAN
				 * when unknown */
	double exec_child_faults; /* those of vfork_exec's child, per probe
				   * iteration, NAN when unknown */
	json_t *ref_costs;	/* probe name -> seconds, under the reference */
	json_t *rt_costs;	/* probe name -> seconds, under the runtime */
	double ref_mean;	/* the reference's time, seconds */
	double ratio, lo, hi;	/* runtime / reference, with its interval */
};

/* The budget of one benchmark under one runtime.  Release with
 * budget_release().  */
void budget_compute(const struct budget_input *in, struct budget *b);
void budget_release(struct budget *b);

/* The finding for a far prediction, one sentence.  */
const char *budget_finding(const struct budget *b);

/* Budgets of every benchmark of a comparison under every runtime:
 * cells[bench * nruntimes + runtime] (the reference's own are absent).  */
struct budget_table {
	size_t nbenches, nruntimes;
	struct budget *cells;
};

/* Build the table from c and the counts of `explain --syscalls`
 * ({"benchmarks": {name: {syscall: calls}}}); the probes c lacks are priced
 * from probes' matrices (runtimes matched by name) when not NULL.  */
void budget_table_build(struct budget_table *t, const struct compare *c, json_t *syscalls,
			const struct budget_probes *probes);
void budget_table_release(struct budget_table *t);

/* Build the table from the counts in path (DIR/syscalls.json), and the
 * probes of DIR/probes* when they exist: 1 when built, 0 when there
 * is no such file, -1 (err set) on a file that is not `explain --syscalls`
 * output or a probes folder that cannot be read, BUDGET_MISMATCH (err set)
 * on counts that do not match c (budget_counts_check).  */
#define BUDGET_MISMATCH (-2)
int budget_table_load(struct budget_table *t, const struct compare *c, const char *path,
		      struct bench_error *err);

/* Whether the counts (from path) match c: they count some of its
 * benchmarks, and with the sandbench and Python versions of its reference
 * file when they record them.  0, or -1 with err naming the command that
 * makes matching counts.  */
int budget_counts_check(const struct compare *c, json_t *counts, const char *path,
			struct bench_error *err);

/* The cell of bench b, runtime rt, or NULL when absent.  */
const struct budget *budget_table_cell(const struct budget_table *t, size_t b, size_t rt);

/* The matrices of probes beside a matrix folder DIR: DIR/probes, then
 * DIR/probes-2 and so on (in name order; the first that has a probe
 * prices it).  Load: 0, or -1 (err set) when one cannot be read.  */
struct budget_probes {
	struct compare *matrices;
	size_t n;
};

int budget_probes_load(struct budget_probes *p, const char *dir, struct bench_error *err);
void budget_probes_release(struct budget_probes *p);

/* Where the next matrix of probes goes: DIR/probes, or the first
 * DIR/probes-N that does not exist; a new string.  */
char *budget_probes_free_dir(const char *dir);

/* Print to f the matrix command that measures the missing probes into
 * budget_probes_free_dir(dir), with the runtimes, profile, engine and
 * design of DIR/matrix.json (c's runtimes when there is none).  */
void budget_probes_command(FILE *f, const char *dir, const struct compare *c,
			   const char **missing, size_t nmissing);

/* Add the probes b misses to names (n of them, at most max, each once);
 * BUDGET_MAX_MISSING holds every probe.  */
#define BUDGET_MAX_MISSING 32
void budget_missing_probes(const struct budget *b, const char **names, size_t *n, size_t max);

/* A signed time per iteration: "+127 ms", "-3.1 us", "-" for NAN.  */
void budget_fmt_time(char *buf, size_t size, double seconds);

/* The explained share as text: "95%", "-" when unknown.  */
void budget_fmt_share(char *buf, size_t size, const struct budget *b);

/* The top contributors: "newfstatat 4.51k x +28.1 us = +127 ms, ...".  */
void budget_fmt_top(char *buf, size_t size, const struct budget *b);

/* The unpriced calls, each with its missing probe when one would price it:
 * "newfstatat 4.51k (file_stat), ioctl 12", "" when none.  */
void budget_fmt_unpriced(char *buf, size_t size, const struct budget *b);

/* For the report: the table cell "+96.5 ms (126%)", " incomplete" added
 * when probes are missing, else " far" when far, "-" for NULL; report.json's
 * object (null for NULL; missing_probes names them); report.csv's fields,
 * each after a comma, under BUDGET_CSV_HEADER; report.md's line per
 * category and runtime (nothing without c->budget).  */
void budget_fmt_cell(char *buf, size_t size, const struct budget *b);
json_t *budget_json(const struct budget *b);
#define BUDGET_CSV_HEADER ",budget_measured_s,budget_predicted_s,budget_explained_share," \
	"budget_top,budget_unpriced,budget_far"
void budget_csv(FILE *f, const struct budget *b);
void budget_md_category(FILE *f, const struct compare *c, const char *category);

/* The chart of c->budget (budget.svg): per slowed-down benchmark and
 * runtime, the measured change with its interval and beside it the
 * predicted change stacked by call (the top calls, then "other"), the rest
 * marked unexplained; each row in percent of its measured change.  */
char *budget_svg(const struct compare *c);

#endif
