#include "bench/harness/runner.h"

#include <math.h>
#include <stdio.h>

#include "bench/harness/runner_outcome.h"
#include "bench/lib/clock.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"

/* What a run prints: progress on stderr, the summary on stdout.  */

void runner_format_time(double s, char *buf, size_t size)
{
	static const struct { double scale; const char *unit; } units[] = {
		{ 1, "s" }, { 1e-3, "ms" }, { 1e-6, "us" }, { 1e-9, "ns" },
	};
	size_t i = 0;

	while (i + 1 < sizeof(units) / sizeof(units[0]) && fabs(s) < units[i].scale)
		i++;
	snprintf(buf, size, "%.*f %s", fabs(s / units[i].scale) >= 100 ? 1 :
		 fabs(s / units[i].scale) >= 10 ? 2 : 3, s / units[i].scale, units[i].unit);
}

void runner_print_summary(struct outcome *out, size_t n)
{
	printf("\n%-26s %-10s %12s %12s %8s %7s  %s\n", "benchmark", "category", "mean",
	       "stdev", "ci95", "values", "status");
	for (size_t i = 0; i < n; i++) {
		struct outcome *o = &out[i];
		char mean[32] = "-", sd[32] = "-", ci[32] = "-", vals[32] = "-";
		const char *status = o->status == OUT_OK ? "ok" : o->status == OUT_FAILED ?
			"FAILED" : o->status == OUT_SKIPPED ? "skipped" : "not run";

		if (o->status == OUT_OK && o->nvalues == 0)
			snprintf(vals, sizeof(vals), "0");
		else if (o->status == OUT_OK) {
			runner_format_time(o->mean, mean, sizeof(mean));
			if (o->nvalues >= 2)
				runner_format_time(o->stdev, sd, sizeof(sd));
			if (o->nruns >= 2)
				snprintf(ci, sizeof(ci), "+-%.1f%%", 100 * o->halfwidth / o->mean);
			snprintf(vals, sizeof(vals), "%zux%zu", o->nruns, o->nvalues / (o->nruns ? o->nruns : 1));
		}
		printf("%-26s %-10s %12s %12s %8s %7s  %s", o->name, o->category, mean, sd, ci,
		       vals, status);
		if (o->status == OUT_SKIPPED || o->status == OUT_FAILED)
			printf(": %s", o->err.msg);
		printf("\n");
	}
}

/* How well the machine time was used: the share of the wall time spent in
 * timed values (duty cycle), and the median precision reached.  */
void runner_print_efficiency(struct outcome *out, size_t n, double timed, double wall)
{
	double *hw = xcalloc(n, sizeof(*hw));
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (out[i].status == OUT_OK && out[i].nruns >= 2 && out[i].mean > 0)
			hw[k++] = 100 * out[i].halfwidth / out[i].mean;
	printf("\nwall time %.1f s, of which timed values %.1f s: duty cycle %.0f%%", wall, timed,
	       wall > 0 ? 100 * timed / wall : 0);
	if (k)
		printf("; median 95%% half-width %.2f%% over %zu benchmarks", stats_median(hw, k), k);
	printf("\n");
	free(hw);
}

/* "[2/5] nbody: 1.2 ms +- 3 us, 20 processes, +-0.4% (3.1 s; about 9 s left)" */
void runner_print_done(const struct outcome *o, const char *label, uint64_t t0, double left)
{
	char mean[32], sd[32], what[128], rest[64] = "";

	runner_format_time(o->mean, mean, sizeof(mean));
	runner_format_time(o->stdev, sd, sizeof(sd));
	if (o->nvalues == 0)
		snprintf(what, sizeof(what), "calibrated, %llu loops", (unsigned long long)o->loops);
	else if (o->nvalues == 1)
		snprintf(what, sizeof(what), "%s", mean);
	else if (o->nruns >= 2)
		snprintf(what, sizeof(what), "%s +- %s, %zu processes, +-%.1f%%", mean, sd,
			 o->nruns, 100 * o->halfwidth / o->mean);
	else
		snprintf(what, sizeof(what), "%s +- %s", mean, sd);
	if (left >= 0.5)
		snprintf(rest, sizeof(rest), "; about %.0f s left", left);
	fprintf(stderr, "%s %s: %s (%.1f s%s)\n", label, o->name, what,
		(double)(bench_clock_ns() - t0) / 1e9, rest);
}

/* The run's last words and exit status.  */
int runner_finish_run(const struct runner_options *opts, int interrupted, int written,
		      size_t failed)
{
	/* Only a file that was written is named (not timeit's scratch file).  */
	if (written && !opts->scratch_output)
		printf("\nresults: %s\n", opts->output);
	if (interrupted && written && !opts->scratch_output) {
		fprintf(stderr, "sandbench: interrupted by signal %d; finished benchmarks are in `%s`\n",
			interrupted, opts->output);
		return 128 + interrupted;
	}
	if (interrupted) {
		fprintf(stderr, "sandbench: interrupted by signal %d%s\n", interrupted,
			written ? "" : opts->scratch_output ? "; no benchmark was finished" :
			"; no benchmark was finished, nothing was written");
		return 128 + interrupted;
	}
	if (failed)
		fprintf(stderr, "sandbench: %zu benchmark%s failed\n", failed, failed > 1 ? "s" : "");
	return failed ? 1 : 0;
}

