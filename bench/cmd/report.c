/* `sandbench report DIR`, and the options and usage it shares with
 * `compare` (bench/cmd/compare.c).  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	"      --no-color        no colour, even on a terminal (as NO_COLOR does)\n" \
	"      --fail-on LIST    exit 1 when a runtime's verdict against the reference\n" \
	"                        is one of LIST (comma-separated: slower, faster,\n" \
	"                        inconclusive, which counts no interval too), for a\n" \
	"                        benchmark or a category (or all) of several\n" \
	"      --max-change NAME=PCT  exit 1 when NAME (a benchmark, a category or\n" \
	"                        all) is slower by more than PCT percent: its whole\n" \
	"                        interval above +PCT; repeatable\n"

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
	"Runs as the unit (A1 A2 A3 -- B1 B2 B3): per benchmark and file one\n" \
	"estimate, the geometric mean of its processes; the ratio and interval\n" \
	"over files as over processes above (Moses from 4 and 4 files or 3 and 5,\n" \
	"else Welch's t; 2 files a side at least), so the drift between runs is\n" \
	"inside the interval.  A side's files must measure the same benchmarks and\n" \
	"come from separate runs (not one matrix run); they are never paired.\n" \
	"Verdict at +-PCT: slower or faster when the interval lies beyond it, same\n" \
	"when it lies within (equivalence), else inconclusive.  Categories and\n" \
	"`all`: geometric means of the benchmarks' ratios; the interval is a\n" \
	"bootstrap stratified by benchmark (2000 resamples of slots or processes,\n" \
	"fixed seed, each benchmark's spread calibrated to its own interval); a\n" \
	"category of one benchmark is that benchmark.  The output states the\n" \
	"intervals' exact coverage and how many false verdicts chance alone would\n" \
	"give.  Explanation columns, per iteration of the timed values:\n" \
	"system-time share, minor page faults, context switches, read/write-type\n" \
	"syscalls, with their change against the reference (n/a: a counter the\n" \
	"runtime does not report, 0 in all its benchmarks where another runtime's\n" \
	"is not).  A syscalls.json beside the (first) file, from `explain\n" \
	"--syscalls`, adds the system-call budget: the change predicted from the\n" \
	"calls and the kernel probes (`sandbench explain --help`), and its chart,\n" \
	"budget.svg, in the output folder.\n"
const char usage_compare[] =
	"usage: sandbench compare [OPTIONS] FILE FILE...\n"
	"       sandbench compare [OPTIONS] A1 A2 [A3...] -- B1 B2 [B3...]\n"
	"\n"
	"Compare result files (.json or .json.gz), one per runtime, against a\n"
	"reference runtime: a table slowest first on stdout, with the study's\n"
	"Kata/crun figure beside each benchmark and category.  With `--`, two\n"
	"sides of several files each, every file one run of the suite (a boot, a\n"
	"host, a time): the runs are the unit (below).  Options go before `--`.\n"
	"  -o, --output DIR      also write report.md, report.csv, report.json and SVG\n"
	"                        charts (overview.svg, category-*.svg) into DIR\n"
	COMMON_OPTIONS
	"\n"
	METHOD
	"\n"
	"Exit status: 0; 1 when a --fail-on verdict or --max-change bound is\n"
	"crossed (one line on stderr names each) or the report files cannot be\n"
	"written; 2 on bad input (a bad option; a file that is not pyperf JSON,\n"
	"has no benchmarks, shares none with the reference, or whose units\n"
	"disagree; a lockstep_slot that is not an integer or is in two runs of a\n"
	"benchmark; a side of one file, or whose files differ in benchmarks or\n"
	"come from one matrix run; a --max-change NAME in no file).\n";


const char usage_report[] =
	"usage: sandbench report [OPTIONS] DIR\n"
	"\n"
	"Compare every *.json and *.json.gz in DIR (one file per runtime, as\n"
	"`sandbench matrix` writes them: DIR/runc.json, DIR/runsc.json, ...; not\n"
	"matrix.json, report.json, plan.json, syscalls.json or what is not a regular\n"
	"file), print the table and write report.md,\n"
	"report.csv, report.json, overview.svg, category-*.svg and, with a\n"
	"syscalls.json in DIR, budget.svg into DIR.\n"
	COMMON_OPTIONS
	"\n"
	METHOD
	"\n"
	"Exit status: 0; 1 when a --fail-on verdict or --max-change bound is\n"
	"crossed (one line on stderr names each) or the report files cannot be\n"
	"written; 2 on bad input.\n";

/* Does this argument take the next one as its value (`--ref NAME`)?  */
static int takes_value(const char *arg)
{
	static const char *const with_value[] = { "-o", "--output", "--ref", "--min-change",
						  "--reference-table", "--fail-on", "--max-change" };

	for (size_t i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++)
		if (strcmp(arg, with_value[i]) == 0)
			return 1;
	return 0;
}

int report_options_parse(int argc, char **argv, const char *usage, int with_output,
			 struct report_cmd_options *o)
{
	enum { O_REF = 256, O_MIN_CHANGE, O_TABLE, O_NO_COLOR, O_FAIL_ON, O_MAX_CHANGE };
	static const struct option longopts[] = {
		{ "ref", required_argument, NULL, O_REF },
		{ "min-change", required_argument, NULL, O_MIN_CHANGE },
		{ "output", required_argument, NULL, 'o' },
		{ "reference-table", required_argument, NULL, O_TABLE },
		{ "no-color", no_argument, NULL, O_NO_COLOR },
		{ "fail-on", required_argument, NULL, O_FAIL_ON },
		{ "max-change", required_argument, NULL, O_MAX_CHANGE },
		{ NULL, 0, NULL, 0 },
	};
	struct report_options *r = &o->report;
	char *end, *first_b = NULL;
	size_t before = 0;
	const char *bad;
	size_t bad_len;
	int c;

	*o = (struct report_cmd_options){ .report = REPORT_OPTIONS_INIT };
	/* compare A1 A2 -- B1 B2: getopt moves the files before `--` next to
	 * those after it, in order, so side A is the files counted before it
	 * (B1's pointer, which getopt keeps, confirms the count).  */
	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			first_b = argv[i + 1];
			break;
		}
		if (takes_value(argv[i]))
			i++;
		else if (argv[i][0] != '-' || !argv[i][1])
			before++;
	}
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
		case O_FAIL_ON:
			if (gate_parse_fail_on(optarg, &r->fail_on, &bad, &bad_len) < 0)
				return cmd_usage_error(usage, "bad --fail-on `%s`: `%.*s` is not slower, "
						       "faster or inconclusive", optarg, (int)bad_len,
						       bad);
			break;
		case O_MAX_CHANGE:
			if (r->nbounds == GATE_MAX_BOUNDS)
				return cmd_usage_error(usage, "more than %d --max-change bounds",
						       GATE_MAX_BOUNDS);
			if (gate_parse_bound(optarg, &r->bounds[r->nbounds++]) < 0)
				return cmd_usage_error(usage, "bad --max-change `%s`: give NAME=PCT, a "
						       "benchmark, category or all and a percentage "
						       "from 0 to 1000", optarg);
			break;
		default:
			return cmd_usage_error(usage, NULL);
		}
	}
	o->files = argv + optind;
	o->nfiles = (size_t)(argc - optind);
	if (first_b && before < o->nfiles && o->files[before] == first_b)
		r->side_a = before;
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
	return rc == REPORT_NOT_WRITTEN || rc == REPORT_GATE_CROSSED ? 1 : rc < 0 ? 2 : 0;
}
