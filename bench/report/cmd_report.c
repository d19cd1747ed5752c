#include "bench/report/cmd_report.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/report/budget.h"
#include "bench/report/compare.h"
#include "bench/lib/error.h"
#include "bench/report/report.h"
#include "bench/report/thesis.h"
#include "bench/lib/util.h"

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

struct report_args {
	const char *ref, *output, *table;
	double min_change;
	int no_color;
};

static int bad_usage(const char *usage, const char *fmt, const char *arg)
{
	fprintf(stderr, "sandbench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n\n%s", usage);
	return 2;
}

static int parse_args(int argc, char **argv, const char *usage, int with_output,
		      struct report_args *a)
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
	int c;

	*a = (struct report_args){ .min_change = 0.02 };
	while ((c = getopt_long(argc, argv, with_output ? "o:" : "", longopts, NULL)) != -1) {
		switch (c) {
		case O_REF: a->ref = optarg; break;
		case O_MIN_CHANGE: {
			char *end;
			double v;
			errno = 0;
			v = strtod(optarg, &end);
			if (!*optarg || *end || errno || !(v >= 0 && v <= 1000))
				return bad_usage(usage, "bad --min-change `%s`: give a percentage from 0 to 1000",
						 optarg);
			a->min_change = v / 100;
			break;
		}
		case 'o':
			if (!with_output)
				return bad_usage(usage, "%s", "report writes into DIR: no -o");
			a->output = optarg;
			break;
		case O_TABLE: a->table = optarg; break;
		case O_NO_COLOR: a->no_color = 1; break;
		default:
			fprintf(stderr, "\n%s", usage);
			return 2;
		}
	}
	return 0;
}

/* The system-call budget, when a syscalls.json (`explain --syscalls`) sits
 * beside the first file: c->budget is then t.  */
static int load_budget(struct compare *c, const char *first, struct budget_table *t,
		       struct bench_error *err)
{
	cleanup_free char *copy = xstrdup(first);
	char *slash = strrchr(copy, '/');
	cleanup_free char *path = NULL;
	int rc;

	if (slash)
		*slash = '\0';
	path = xasprintf("%s/syscalls.json", slash ? copy : ".");
	rc = budget_table_load(t, c, path, err);
	if (rc > 0)
		c->budget = t;
	return rc;
}

/* Load the study, compare, print; write the files when dir is set.  */
static int run(const struct report_args *a, const char *const *paths, size_t n,
	       const char *dir)
{
	struct thesis_table study = { 0 };
	struct compare cmp = { 0 };
	struct budget_table budget = { 0 };
	struct bench_error err = { 0 };
	struct compare_options opts = { .ref = a->ref, .min_change = a->min_change,
					.study = &study };
	int color, rc = 2;

	if (thesis_load(a->table, &study, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; a->table && i < study.nrows; i++)
		if (!study.rows[i].name)
			fprintf(stderr, "sandbench: %s: `%s` is not one of our benchmarks (see "
				"`sandbench list`): left out\n", a->table, study.rows[i].label);
	if (compare_load(&cmp, paths, n, &opts, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		goto out;
	}
	if (load_budget(&cmp, paths[0], &budget, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		goto out;
	}
	/* Escape codes only for a person at a terminal (https://no-color.org).  */
	color = !a->no_color && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	report_text(stdout, &cmp, color);
	fflush(stdout);
	rc = 0;
	if (dir) {
		if (report_write_dir(&cmp, dir, &err) < 0) {
			fprintf(stderr, "sandbench: %s\n", err.msg);
			rc = 1;
		} else {
			printf("\nreport: %s/report.md (and report.csv, report.json, overview.svg, "
			       "category-*.svg)\n", dir);
		}
	}
out:
	budget_table_release(&budget);
	compare_release(&cmp);
	thesis_release(&study);
	bench_error_release(&err);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	struct report_args a;
	int rc = parse_args(argc, argv, usage_compare, 1, &a);

	if (rc)
		return rc;
	if (argc - optind < 2)
		return bad_usage(usage_compare, "%s", "give at least two result files");
	return run(&a, (const char *const *)argv + optind, (size_t)(argc - optind), a.output);
}

static size_t stem_length(const char *path)
{
	return strlen(path) - (util_ends_with(path, ".json.gz") ? 8 : 5);
}

/* By file stem: native.json before native-2.json.  */
static int by_name(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = stem_length(x), ly = stem_length(y);
	int c = strncmp(x, y, lx < ly ? lx : ly);

	return c ? c : lx < ly ? -1 : lx > ly ? 1 : strcmp(x, y);
}

/* Not result files, though in such a folder: `sandbench matrix`'s plan, our
 * own output, and the counts of `explain --syscalls` that `explain` reads.  */
static const char *const not_results[] = { "matrix.json", "report.json", "plan.json",
					   "syscalls.json" };

static int is_result_name(const char *name)
{
	if (name[0] == '.' ||
	    !(util_ends_with(name, ".json") || util_ends_with(name, ".json.gz")))
		return 0;
	for (size_t i = 0; i < sizeof(not_results) / sizeof(not_results[0]); i++)
		if (strcmp(name, not_results[i]) == 0)
			return 0;
	return 1;
}

int report_list_results(const char *dir, char ***out, size_t *n, struct bench_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **paths = NULL;
	size_t count = 0;

	if (!d)
		return bench_error_set(err, errno, "open the folder `%s`", dir);
	while ((e = readdir(d))) {
		struct stat st;

		/* A FIFO or a device named *.json would hang or mislead the read.  */
		if (!is_result_name(e->d_name) || fstatat(dirfd(d), e->d_name, &st, 0) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		paths = xrealloc(paths, (count + 1) * sizeof(*paths));
		paths[count++] = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	/* An empty folder leaves paths NULL, which qsort must not be given.  */
	if (count > 1)
		qsort(paths, count, sizeof(*paths), by_name);
	*out = paths;
	*n = count;
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a;
	struct bench_error err = { 0 };
	char **paths = NULL;
	size_t n = 0;
	int rc = parse_args(argc, argv, usage_report, 0, &a);

	if (rc)
		return rc;
	if (argc - optind != 1)
		return bad_usage(usage_report, "%s", "give one folder of result files");
	if (report_list_results(argv[optind], &paths, &n, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		return 2;
	}
	if (n < 2) {
		fprintf(stderr, "sandbench: %s: %zu result file%s (*.json, *.json.gz); a report "
			"compares one file per runtime, at least two\n", argv[optind], n,
			n == 1 ? "" : "s");
		rc = 2;
	} else {
		rc = run(&a, (const char *const *)paths, n, argv[optind]);
	}
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}
