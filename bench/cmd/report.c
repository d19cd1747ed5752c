/* `sandbench report DIR`, and the options and usage it shares with
 * `compare` (bench/cmd/compare.c).  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/cmd/cmd.h"
#include "bench/lib/error.h"

#define COMMON_OPTIONS \
	"      --ref NAME        the reference runtime: a `runtime` in the files'\n" \
	"                        metadata, a file, or a file name without .json;\n" \
	"                        default: runc when a file is runc, else the first\n" \
	"      --min-change PCT  the verdicts' threshold, in percent (default 2)\n" \
	"      --reference-table FILE  a CSV like bench/report/thesis_kata_vs_crun.csv\n" \
	"                        (columns benchmark and difference_pct) to show\n" \
	"                        instead of the built-in 2021 Kata/crun study\n" \
	"      --no-color        no colour, even on a terminal (as NO_COLOR does)\n"

#define METHOD \
	"Paired, when two files come from one lockstep matrix run (the same\n" \
	"matrix_run_id) and the runs carry lockstep_slot: runs are paired by slot\n" \
	"(a slot on one side only is left out) and values by index; per slot the\n" \
	"median of the log ratios; across slots, the independent units, the\n" \
	"Hodges-Lehmann estimate with the exact Wilcoxon signed-rank 95% interval\n" \
	"(6 slots at least).  Unpaired otherwise: one mean per process (values in\n" \
	"a process are correlated), the Hodges-Lehmann ratio over every pair of\n" \
	"processes with Moses' interval from exact Mann-Whitney critical values\n" \
	"(Welch's t on the logarithms only below that, e.g. 3 and 3 processes),\n" \
	"and a WARNING unless both come from one `--design processes` matrix run:\n" \
	"files measured one after the other on a shared machine differ by its\n" \
	"drift (7.6% per benchmark, median, on our VM).\n" \
	"Verdict at +-PCT: slower or faster when the interval lies beyond it, same\n" \
	"when it lies within (equivalence), else inconclusive.  Categories and\n" \
	"`all`: geometric means of the benchmarks' ratios; the interval is a\n" \
	"bootstrap stratified by benchmark (2000 resamples of slots or processes,\n" \
	"fixed seed, each benchmark's spread calibrated to its own interval); a\n" \
	"category of one benchmark is that benchmark.  The output states the\n" \
	"intervals' exact coverage and how many false verdicts chance alone would\n" \
	"give.  Explanation columns, per iteration of the timed values:\n" \
	"system-time share, minor page faults, context switches, read/write-type\n" \
	"syscalls, with their change against the reference.  A syscalls.json beside\n" \
	"the (first) file, from `explain --syscalls`, adds the system-call budget:\n" \
	"the change predicted from the calls and the kernel probes (`sandbench\n" \
	"explain --help`).\n"
const char usage_compare[] =
	"usage: sandbench compare [--ref NAME] [--min-change PCT] [-o DIR]\n"
	"                         [--reference-table FILE] [--no-color] FILE FILE...\n"
	"\n"
	"Compare result files (.json or .json.gz), one per runtime, against a\n"
	"reference runtime: a table slowest first on stdout, with the study's\n"
	"Kata/crun figure beside each benchmark and category.\n"
	"  -o, --output DIR      also write report.md, report.csv, report.json and SVG\n"
	"                        charts (overview.svg, category-*.svg) into DIR\n"
	COMMON_OPTIONS
	"\n"
	METHOD
	"\n"
	"Exit status: 0; 1 when the report files cannot be written; 2 on bad input\n"
	"(a file that is not pyperf JSON, has no benchmarks, shares none with the\n"
	"reference, or whose units disagree; a lockstep_slot that is not an\n"
	"integer or is in two runs of a benchmark).\n";


const char usage_report[] =
	"usage: sandbench report [--ref NAME] [--min-change PCT]\n"
	"                        [--reference-table FILE] [--no-color] DIR\n"
	"\n"
	"Compare every *.json and *.json.gz in DIR (one file per runtime, as\n"
	"`sandbench matrix` writes them: DIR/runc.json, DIR/runsc.json, ...; not\n"
	"matrix.json, report.json, plan.json, syscalls.json or what is not a regular\n"
	"file), print the table and write report.md,\n"
	"report.csv, report.json, overview.svg and category-*.svg into DIR.\n"
	COMMON_OPTIONS
	"\n"
	METHOD
	"\n"
	"Exit status: 0; 1 when the report files cannot be written; 2 on bad input.\n";

int report_options_parse(int argc, char **argv, const char *usage, int with_output,
			 struct report_cmd_options *o)
{
	enum { O_REF = 256, O_MIN_CHANGE, O_TABLE, O_NO_COLOR };
	static const struct option longopts[] = {
		{ "ref", required_argument, NULL, O_REF },
		{ "min-change", required_argument, NULL, O_MIN_CHANGE },
		{ "output", required_argument, NULL, 'o' },
		{ "reference-table", required_argument, NULL, O_TABLE },
		{ "no-color", no_argument, NULL, O_NO_COLOR },
		{ NULL, 0, NULL, 0 },
	};
	struct report_options *r = &o->report;
	char *end;
	int c;

	*o = (struct report_cmd_options){ .report = REPORT_OPTIONS_INIT };
	optind = 0;
	while ((c = cmd_getopt(argc, argv, with_output ? "o:" : "", longopts)) != -1) {
		switch (c) {
		case O_REF: r->ref = optarg; break;
		case O_MIN_CHANGE:
			errno = 0;
			r->min_change = strtod(optarg, &end);
			if (!*optarg || *end || errno || !(r->min_change >= 0 && r->min_change <= 1000))
				return cmd_usage_error(usage, "bad --min-change `%s`: give a percentage "
						       "from 0 to 1000", optarg);
			r->min_change /= 100;
			break;
		case 'o':
			if (!with_output)
				return cmd_usage_error(usage, "%s", "report writes into DIR: no -o");
			o->output = optarg;
			break;
		case O_TABLE: r->table = optarg; break;
		case O_NO_COLOR: r->no_color = 1; break;
		default:
			return cmd_usage_error(usage, NULL);
		}
	}
	o->files = argv + optind;
	o->nfiles = (size_t)(argc - optind);
	return 0;
}

int report_parse(int argc, char **argv, struct report_cmd_options *o)
{
	int rc = report_options_parse(argc, argv, usage_report, 0, o);

	if (rc == 0 && o->nfiles != 1)
		rc = cmd_usage_error(usage_report, "%s", "give one folder of result files");
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct report_cmd_options o;
	struct bench_error err = { 0 };
	int rc = report_parse(argc, argv, &o);

	if (rc)
		return rc;
	rc = report_folder(&o.report, o.files[0], &err);
	if (rc < 0)
		fprintf(stderr, "sandbench: %s\n", err.msg);
	bench_error_release(&err);
	return rc == REPORT_NOT_WRITTEN ? 1 : rc < 0 ? 2 : 0;
}
