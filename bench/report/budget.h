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
 * DIR/syscalls.json), faults from the reference's getrusage, and costs from
 * the kernel probes in the same result files: budget_prices says which
 * probe prices which call.  A call with no probe, or whose probe is
 * missing from either file, is "unpriced" and listed with its count.  */
#ifndef BENCH_BUDGET_H
#define BENCH_BUDGET_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

struct bench_error;
struct compare;

/* One row of the price table: the probe (a kernel benchmark) whose time per
 * iteration, x weight, is the cost of one call of syscall.  */
struct budget_price {
	const char *syscall;
	const char *probe;
	double weight;		/* 0: paid within another call's probe */
	int covers;		/* the probe's other calls are paid in this price */
};

extern const struct budget_price budget_prices[];
extern const size_t budget_nprices;

/* The pseudo system call under which page faults are counted.  */
#define BUDGET_FAULTS "(page faults)"

/* The row pricing syscall, or NULL.  */
const struct budget_price *budget_price_of(const char *syscall);

/* A system call's part of the prediction.  */
struct budget_term {
	char name[32];
	double count;		/* calls per iteration */
	double delta;		/* seconds per call, runtime - reference */
	double contrib;		/* count x delta */
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
	int far;		/* the prediction is far from the measurement */
};

/* What budget_compute() needs, all per iteration.  */
struct budget_input {
	json_t *counts;		/* syscall name -> calls */
	json_t *probe_counts;	/* probe name -> {syscall: calls}, or NULL */
	double faults;		/* minor page faults, NAN when unknown */
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
 * ({"benchmarks": {name: {syscall: calls}}}).  */
void budget_table_build(struct budget_table *t, const struct compare *c, json_t *syscalls);
void budget_table_release(struct budget_table *t);

/* Build the table from the counts in path (DIR/syscalls.json): 1 when
 * built, 0 when there is no such file, -1 (err set) on a file that is not
 * `explain --syscalls` output.  */
int budget_table_load(struct budget_table *t, const struct compare *c, const char *path,
		      struct bench_error *err);

/* The cell of bench b, runtime rt, or NULL when absent.  */
const struct budget *budget_table_cell(const struct budget_table *t, size_t b, size_t rt);

/* A signed time per iteration: "+127 ms", "-3.1 us", "-" for NAN.  */
void budget_fmt_time(char *buf, size_t size, double seconds);

/* The explained share as text: "95%", "-" when unknown.  */
void budget_fmt_share(char *buf, size_t size, const struct budget *b);

/* The top contributors: "newfstatat 4.51k x +28.1 us = +127 ms, ...".  */
void budget_fmt_top(char *buf, size_t size, const struct budget *b);

/* The unpriced calls: "ioctl 12, sysinfo 1.5", "" when none.  */
void budget_fmt_unpriced(char *buf, size_t size, const struct budget *b);

/* For the report: the table cell "+96.5 ms (126%)", " far" added when far,
 * "-" for NULL; report.json's object (null for NULL); report.csv's fields,
 * each after a comma, under BUDGET_CSV_HEADER; report.md's line per
 * category and runtime (nothing without c->budget).  */
void budget_fmt_cell(char *buf, size_t size, const struct budget *b);
json_t *budget_json(const struct budget *b);
#define BUDGET_CSV_HEADER ",budget_measured_s,budget_predicted_s,budget_explained_share," \
	"budget_top,budget_unpriced,budget_far"
void budget_csv(FILE *f, const struct budget *b);
void budget_md_category(FILE *f, const struct compare *c, const char *category);

#endif
