/* What bench/harness's runner files share: one benchmark's outcome, and
 * what is printed of it (runner_print.c); private to bench/harness.  */
#ifndef BENCH_HARNESS_RUNNER_OUTCOME_H
#define BENCH_HARNESS_RUNNER_OUTCOME_H

#include <stddef.h>
#include <stdint.h>

#include "bench/lib/error.h"

struct runner_options;

enum outcome_status { OUT_OK, OUT_FAILED, OUT_SKIPPED, OUT_NOT_RUN };

struct outcome {
	const char *name, *category;
	enum outcome_status status;
	struct bench_error err;
	double mean, stdev, halfwidth;
	size_t nvalues, nruns;
	uint64_t loops;
	double seconds;		/* wall time spent on it so far */
};

/* The table of every benchmark's outcome, on stdout.  */
void runner_print_summary(struct outcome *out, size_t n);
/* How well the machine time was used: duty cycle and median precision.  */
void runner_print_efficiency(struct outcome *out, size_t n, double timed, double wall);
/* One benchmark done, on stderr, after its label ("[2/5]"): begun at t0;
 * left: the seconds the run expects still to take (< 0.5: not said).  */
void runner_print_done(const struct outcome *o, const char *label, uint64_t t0, double left);
/* The run's last words and exit status.  */
int runner_finish_run(const struct runner_options *opts, int interrupted, int written,
		      size_t failed);

#endif
