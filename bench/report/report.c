#include "bench/report/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/harness/runner.h"
#include "bench/lib/error.h"
#include "bench/lib/safefile.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "bench/report/compare.h"

void report_fmt_change(char *buf, size_t size, double ratio)
{
	double p = (ratio - 1) * 100;

	if (isnan(ratio))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%+.*f%%", fabs(p) >= 99.95 ? 0 : fabs(p) >= 9.995 ? 1 : 2, p);
}

void report_fmt_interval(char *buf, size_t size, double lo, double hi)
{
	char a[32], b[32];

	if (isnan(lo) || isnan(hi)) {
		snprintf(buf, size, "%s", "");
		return;
	}
	report_fmt_change(a, sizeof(a), lo);
	report_fmt_change(b, sizeof(b), hi);
	snprintf(buf, size, "[%s, %s]", a, b);
}

void report_fmt_value(char *buf, size_t size, double v, const char *unit)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else if (strcmp(unit, "second") == 0)
		runner_format_time(v, buf, size);
	else
		snprintf(buf, size, "%.4g %s", v, unit);
}

void report_fmt_count(char *buf, size_t size, double v)
{
	static const struct { double scale; const char *suffix; } units[] = {
		{ 1e9, "G" }, { 1e6, "M" }, { 1e3, "k" },
	};
	int exp10;

	if (isnan(v)) {
		snprintf(buf, size, "-");
		return;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (fabs(v) >= units[i].scale * 0.9995) {
			snprintf(buf, size, "%.3g%s", v / units[i].scale, units[i].suffix);
			return;
		}
	}
	if (v == 0 || fabs(v) >= 0.001) {
		snprintf(buf, size, "%.3g", v);
		return;
	}
	/* Rare events per iteration: "3.5e-5" reads better than "3.48e-05".  */
	exp10 = (int)floor(log10(fabs(v)));
	snprintf(buf, size, "%.2ge%d", v / pow(10, exp10), exp10);
	if (strstr(buf, "10e"))	/* 9.96 rounded up */
		snprintf(buf, size, "%de%d", v < 0 ? -1 : 1, exp10 + 1);
}

void report_fmt_explain(char *buf, size_t size, double ref, double other, int is_share,
			int unreported)
{
	double change = compare_explain_change(ref, other, is_share);
	char v[32];

	if (unreported) {
		snprintf(buf, size, "n/a");
	} else if (isnan(other)) {
		snprintf(buf, size, "-");
	} else if (is_share) {
		if (fabs(change) < 0.05)
			change = 0;	/* no "-0.0" */
		if (isnan(change))
			snprintf(buf, size, "%.0f%%", 100 * other);
		else
			snprintf(buf, size, "%.0f%% (%+.*f)", 100 * other,
				 fabs(change) < 9.95 ? 1 : 0, change);
	} else {
		report_fmt_count(v, sizeof(v), other);
		if (isnan(change))
			snprintf(buf, size, "%s", v);
		else
			snprintf(buf, size, "%s (x%.*f)", v, change >= 9.995 ? 0 : 2, change);
	}
}

char *report_svg_name(const char *category)
{
	char *name = xasprintf("category-%s.svg", category);

	for (char *p = name + strlen("category-"); p < name + strlen(name) - 4; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			*p = '_';
	return name;
}

/* The report's files, all or none: each is written whole under a staging
 * name first, and only when every one is there do they take their names.  A
 * disk that fills halfway keeps the set there was.  */
struct report_file {
	char *name, *text;
};

static int write_set(const char *dir, struct report_file *files, size_t n,
		     struct bench_error *err)
{
	size_t staged = 0;
	int rc = 0;

	for (; staged < n && rc == 0; staged++) {
		cleanup_free char *path = xasprintf("%s/.%s.new", dir, files[staged].name);
		rc = util_write_file_atomic(path, files[staged].text, strlen(files[staged].text),
					    err);
	}
	for (size_t i = 0; i < staged; i++) {
		cleanup_free char *from = xasprintf("%s/.%s.new", dir, files[i].name);
		cleanup_free char *to = xasprintf("%s/%s", dir, files[i].name);
		if (rc < 0)
			unlink(from);
		else if (safefile_check_replaceable(to, err) < 0 || rename(from, to) < 0) {
			if (!err->msg[0])
				bench_error_set(err, errno, "write `%s`", to);
			unlink(from);
			rc = -1;
		}
	}
	return rc;
}

int report_write_dir(const struct compare *c, const char *dir, struct bench_error *err)
{
	struct report_file *files;
	size_t n = 0;
	struct stat st;
	int rc;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return bench_error_set(err, errno, "create the folder `%s`", dir);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return bench_error_set(err, ENOTDIR, "output folder `%s`", dir);
	files = xcalloc(5 + c->ncategories, sizeof(*files));
	files[n++] = (struct report_file){ xstrdup("report.md"), report_md(c) };
	files[n++] = (struct report_file){ xstrdup("report.csv"), report_csv(c) };
	files[n++] = (struct report_file){ xstrdup("report.json"), report_json(c) };
	files[n++] = (struct report_file){ xstrdup("overview.svg"), report_svg_overview(c) };
	for (size_t i = 0; i < c->ncategories; i++)
		files[n++] = (struct report_file){ report_svg_name(c->categories[i].name),
						   report_svg_category(c, i) };
	if (c->budget)
		files[n++] = (struct report_file){ xstrdup("budget.svg"), budget_svg(c) };
	rc = write_set(dir, files, n, err);
	for (size_t i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].text);
	}
	free(files);
	return rc;
}

void report_fmt_basis(char *buf, size_t size, const struct compare_cell *x,
		      const struct compare_cell *y)
{
	if (y->r.paired)
		snprintf(buf, size, "%zu pair%s", y->r.pairs, y->r.pairs == 1 ? "" : "s");
	else if (y->nruns)
		snprintf(buf, size, "%zu/%zu runs", x->nruns, y->nruns);
	else
		snprintf(buf, size, "%zu/%zu procs", x->nprocs, y->nprocs);
}

char *report_measured_by(const struct compare *c, const struct compare_bench *b)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *sep = "";

	if (!f)
		abort();
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		if (!b->cells[rt].present)
			continue;
		fprintf(f, "%s%s", sep, c->runtimes[rt].name);
		sep = ", ";
	}
	if (fclose(f) != 0)
		abort();
	return text;
}

/* The coverage the intervals achieve and what it means for a table of
 * many verdicts.  */
char *report_coverage_note(const struct compare *c)
{
	char range[64];

	if (c->nintervals == 0)
		return xstrdup("No benchmark has an interval (too few processes or slots): no "
			       "verdicts.");
	if (100 * c->coverage_max - 100 * c->coverage_min < 0.05)
		snprintf(range, sizeof(range), "%.1f%%", 100 * c->coverage_min);
	else
		snprintf(range, sizeof(range), "%.1f%% to %.1f%%", 100 * c->coverage_min,
			 100 * c->coverage_max);
	return xasprintf("Coverage: the %zu benchmark interval%s cover%s the true ratio with a "
			 "probability of %s each (from their null distributions; Welch's: about "
			 "95%%; categories and all: about 95%%, bootstrap). If no runtime differed "
			 "at all, up to %.*f false slower/faster verdict%s among them would be "
			 "expected by chance (the sum of 1 - coverage): read a lone verdict among "
			 "many with that in mind.",
			 c->nintervals, c->nintervals == 1 ? "" : "s", c->nintervals == 1 ? "s" : "",
			 range, c->expected_false < 1 ? 2 : 1, c->expected_false,
			 c->expected_false == 1 ? "" : "s");
}

char *report_variance_note(const struct compare *c, size_t rt)
{
	double *within = xcalloc(c->nbenches + 1, sizeof(double));
	double *between = xcalloc(c->nbenches + 1, sizeof(double));
	double *share = xcalloc(c->nbenches + 1, sizeof(double));
	char *note = NULL;
	size_t n = 0;

	for (size_t k = 0; k < c->nbenches && rt != c->ref; k++) {
		const struct compare_cell *y = &c->benches[k].cells[rt];
		double values;

		if (!y->present || !y->r.paired || !isfinite(y->var_within) || y->r.pairs == 0)
			continue;
		values = (double)y->nvalues / (double)y->r.pairs;	/* a slot's, on average */
		within[n] = 100 * sqrt(y->var_within);
		between[n] = 100 * sqrt(y->var_between);
		share[n++] = y->var_between + y->var_within / values > 0 ?
			100 * y->var_between / (y->var_between + y->var_within / values) : 0;
	}
	if (n > 0)
		note = xasprintf("%s against %s, where the variance lives (median over %zu paired "
				 "benchmark%s, sd of a log ratio): %.1f%% value to value within a slot, "
				 "%.1f%% slot to slot; %.0f%% of a slot's variance is between slots: %s",
				 c->runtimes[rt].name, c->runtimes[c->ref].name, n, n == 1 ? "" : "s",
				 stats_median(within, n), stats_median(between, n), stats_median(share, n),
				 stats_median(share, n) >= 50 ? "more slots, not more values, would "
				 "narrow the intervals" : "more values per slot would narrow the "
				 "intervals too");
	free(within);
	free(between);
	free(share);
	return note;
}

char *report_runs_note(const struct compare *c)
{
	if (!c->runs)
		return NULL;
	return xasprintf("Runs as the unit: %s %zu files, %s %zu; per benchmark one estimate per "
			 "file (the geometric mean of its processes), the interval across files, so "
			 "that the drift between runs is inside it.", c->runtimes[c->ref].name,
			 c->runtimes[c->ref].nfiles, c->runtimes[!c->ref].name,
			 c->runtimes[!c->ref].nfiles);
}

char *report_unreported_note(const struct compare *c, size_t rt)
{
	const char *names[COMPARE_COUNTERS];
	size_t n = compare_unreported(c, rt, 1, names);

	if (n == 0)
		return NULL;
	return xasprintf("n/a: %s reports no %s%s%s%s%s: every value is 0 where another runtime "
			 "counts them (gVisor's getrusage counts no page faults or context "
			 "switches): not available, not 0.", c->runtimes[rt].name, names[0],
			 n > 1 ? ", " : "", n > 1 ? names[1] : "", n > 2 ? ", " : "",
			 n > 2 ? names[2] : "");
}

void report_print_notes(FILE *out, const struct compare *c, const char *prefix)
{
	char *note = report_coverage_note(c);

	fprintf(out, "%s%s\n", prefix, note);
	free(note);
	note = report_runs_note(c);
	if (note)
		fprintf(out, "%s%s\n", prefix, note);
	free(note);
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		char *v = report_variance_note(c, rt);
		if (v)
			fprintf(out, "%s%s.\n", prefix, v);
		free(v);
	}
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		char *u = report_unreported_note(c, rt);
		if (u)
			fprintf(out, "%s%s\n", prefix, u);
		free(u);
	}
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		char *w = compare_drift_warning(c, rt);
		if (w)
			fprintf(out, "%sWARNING: %s.\n", prefix, w);
		free(w);
	}
}
