#include "bench/report/report.h"

#include <math.h>
#include <string.h>

#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "bench/report/compare.h"
#include "bench/report/thesis.h"

/* Text in Markdown: `|` would end a table cell, `*` start emphasis (an
 * underscore inside a word does not, in GitHub's Markdown).  */
static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '*' || *s == '`' || *s == '\\' || *s == '<' || *s == '[')
			fputc('\\', f);
		fputc(*s, f);
	}
}

/* A change, bold when slower or faster, its interval and its verdict.  */
static void md_ratio(FILE *f, const struct compare_ratio *r, int with_interval)
{
	char change[32], ci[64];
	int bold = r->verdict == COMPARE_SLOWER || r->verdict == COMPARE_FASTER;

	report_fmt_change(change, sizeof(change), r->ratio);
	report_fmt_interval(ci, sizeof(ci), r->lo, r->hi);
	fprintf(f, bold ? "**%s**" : "%s", change);
	if (with_interval && *ci)
		fprintf(f, " %s", ci);
	if (with_interval && r->verdict != COMPARE_NO_VERDICT)
		fprintf(f, " %s", compare_verdict_name(r->verdict));
}

static void md_study(FILE *f, double ratio)
{
	char s[32];

	report_fmt_change(s, sizeof(s), ratio);
	fputs(s, f);
}

static void summary(FILE *f, const struct compare *c)
{
	fprintf(f, "## Summary by category\n\n| category | benchmarks |");
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		if (rt == c->ref)
			continue;
		fputc(' ', f);
		md_text(f, c->runtimes[rt].name);
		fprintf(f, " |");
	}
	if (c->study)
		fprintf(f, " %s (Kata/crun) |", c->study->label);
	fprintf(f, "\n|---|---:|");
	for (size_t rt = 1; rt < c->nruntimes; rt++)
		fprintf(f, "---:|");
	fprintf(f, c->study ? "---:|\n" : "\n");
	for (size_t i = 0; i <= c->ncategories; i++) {
		const struct compare_group *g = i < c->ncategories ? &c->categories[i] : &c->total;
		int all = i == c->ncategories;

		fprintf(f, all ? "| **" : "| ");
		md_text(f, g->name);
		fprintf(f, all ? "** | %zu |" : " | %zu |", g->nbenches);
		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			if (rt == c->ref)
				continue;
			fputc(' ', f);
			md_ratio(f, &g->geo[rt], 1);
			fprintf(f, " |");
		}
		if (c->study) {
			fputc(' ', f);
			if (g->study_n) {
				md_study(f, g->study);
				fprintf(f, " (%zu of %zu)", g->study_n, g->study_total);
			} else {
				fputc('-', f);
			}
			fprintf(f, " |");
		}
		fputc('\n', f);
	}
	fprintf(f, "\n![Geometric mean per category](overview.svg)\n\n");
	if (c->budget)
		fprintf(f, "![System-call budget: measured and predicted change per slowed-down "
			"benchmark](budget.svg)\n\n");
}

/* A few sentences per category, as the study's chapter 7 has.  */
static void category_prose(FILE *f, const struct compare *c, const struct compare_group *g)
{
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		const struct compare_ratio *r = &g->geo[rt];
		if (rt == c->ref || g->n[rt] == 0)
			continue;
		fprintf(f, "- **");
		md_text(f, c->runtimes[rt].name);
		fprintf(f, "** vs ");
		md_text(f, c->runtimes[c->ref].name);
		fprintf(f, ": ");
		md_ratio(f, r, 1);
		fprintf(f, " (geometric mean over %zu benchmark%s%s).\n", g->n[rt],
			g->n[rt] == 1 ? ": the benchmark itself" : "s",
			isnan(r->lo) ? "; no interval: a benchmark has too few processes or slots" : "");
	}
	if (c->study && g->study_n) {
		char s[32];
		report_fmt_change(s, sizeof(s), g->study);
		fprintf(f, "- For comparison, %s: %s over the same benchmarks (%zu of its %zu "
			"in this category).\n", c->study->title, s, g->study_n, g->study_total);
	}
	else if (c->study)
		fprintf(f, "- For comparison, %s has no figure for these benchmarks.\n",
			c->study->title);
	fputc('\n', f);
}

static void category_table(FILE *f, const struct compare *c, const char *category)
{
	const struct compare_runtime *ref = &c->runtimes[c->ref];

	fprintf(f, "| benchmark | runtime | ");
	md_text(f, ref->name);
	fprintf(f, " mean | mean | change | 95%% CI | verdict | from |%s sys%% | minflt/it | "
		"csw/it | rw-syscalls/it |%s\n", c->study ? " study |" : "",
		c->budget ? " syscalls predict |" : "");
	fprintf(f, "|---|---|---:|---:|---:|---:|---|---:|%s---:|---:|---:|---:|%s\n",
		c->study ? "---:|" : "", c->budget ? "---:|" : "");
	for (size_t k = 0; k < c->nbenches; k++) {
		const struct compare_bench *b = &c->benches[c->order[k]];
		const struct compare_cell *x = &b->cells[c->ref];

		if (strcmp(b->category, category) != 0 || !x->present)
			continue;
		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			const struct compare_cell *y = &b->cells[rt];
			char v[64], ci[64];

			if (rt == c->ref || !y->present)
				continue;
			fprintf(f, "| ");
			md_text(f, b->name);
			fprintf(f, " | ");
			md_text(f, c->runtimes[rt].name);
			report_fmt_value(v, sizeof(v), x->mean, b->unit);
			fprintf(f, " | %s | ", v);
			report_fmt_value(v, sizeof(v), y->mean, b->unit);
			fprintf(f, "%s | ", v);
			md_ratio(f, &y->r, 0);
			report_fmt_interval(ci, sizeof(ci), y->r.lo, y->r.hi);
			fprintf(f, " | %s | %s |", *ci ? ci : "-", compare_verdict_name(y->r.verdict));
			report_fmt_basis(v, sizeof(v), x, y);
			fprintf(f, " %s |", v);
			if (c->study) {
				fputc(' ', f);
				md_study(f, b->study);
				fprintf(f, " |");
			}
			report_fmt_explain(v, sizeof(v), x->ex.sys_share, y->ex.sys_share, 1, 0);
			fprintf(f, " %s |", v);
			report_fmt_explain(v, sizeof(v), x->ex.minflt, y->ex.minflt, 0,
					   c->runtimes[rt].unreported & COMPARE_MINFLT);
			fprintf(f, " %s |", v);
			report_fmt_explain(v, sizeof(v), x->ex.csw, y->ex.csw, 0,
					   c->runtimes[rt].unreported & COMPARE_CSW);
			fprintf(f, " %s |", v);
			report_fmt_explain(v, sizeof(v), x->ex.rw_syscalls, y->ex.rw_syscalls, 0, 0);
			fprintf(f, " %s |", v);
			if (c->budget) {
				budget_fmt_cell(v, sizeof(v), budget_table_cell(c->budget, c->order[k], rt));
				fprintf(f, " %s |", v);
			}
			fputc('\n', f);
		}
	}
	fputc('\n', f);
}

static void partial(FILE *f, const struct compare *c)
{
	int any = 0;

	for (size_t i = 0; i < c->nbenches; i++) {
		const struct compare_bench *b = &c->benches[i];
		char *by;

		if (b->npresent == c->nruntimes)
			continue;
		by = report_measured_by(c, b);
		if (!any)
			fprintf(f, "## Benchmarks not in every file\n\n"
				"Without the reference there is no ratio; without another runtime, "
				"no row for it.\n\n| benchmark | category | measured by |\n|---|---|---|\n");
		any = 1;
		fprintf(f, "| ");
		md_text(f, b->name);
		fprintf(f, " | ");
		md_text(f, b->category);
		fprintf(f, " | ");
		md_text(f, by);
		fprintf(f, " |\n");
		free(by);
	}
	if (any)
		fputc('\n', f);
}

/* The coverage note, where the variance lives, and the drift warnings, in
 * bold.  */
static void notes(FILE *f, const struct compare *c)
{
	char *note = report_coverage_note(c);

	fprintf(f, "%s\n\n", note);
	free(note);
	note = report_runs_note(c);
	if (note)
		fprintf(f, "%s\n\n", note);
	free(note);
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		char *v = report_variance_note(c, rt);
		if (v) {
			md_text(f, v);
			fprintf(f, ".\n\n");
		}
		free(v);
	}
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		char *u = report_unreported_note(c, rt);
		if (u) {
			md_text(f, u);
			fprintf(f, "\n\n");
		}
		free(u);
	}
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		char *w = compare_drift_warning(c, rt);
		if (!w)
			continue;
		fprintf(f, "**Warning:** ");
		md_text(f, w);
		fprintf(f, ".\n\n");
		free(w);
	}
}

/* A table of what differs between the files' machines and runtimes.  */
static void metadata_diff(FILE *f, const struct compare *c)
{
	const char *keys[COMPARE_METADATA_KEYS];
	int cpus_differ;
	size_t n = compare_metadata_diff(c, keys, COMPARE_METADATA_KEYS, &cpus_differ);

	if (n == 0)
		return;
	fprintf(f, "What differs between the files:\n\n| key |");
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		fputc(' ', f);
		md_text(f, c->runtimes[rt].name);
		fprintf(f, " |");
	}
	fprintf(f, "\n|---|");
	for (size_t rt = 0; rt < c->nruntimes; rt++)
		fprintf(f, "---|");
	fprintf(f, "\n");
	for (size_t k = 0; k < n; k++) {
		fprintf(f, "| %s |", keys[k]);
		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			char *text = compare_metadata_text(c, rt, keys[k]);
			fputc(' ', f);
			md_text(f, text);
			fprintf(f, " |");
			free(text);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
	if (cpus_differ)
		fprintf(f, "**Warning:** the CPUs differ, so the ratios mix the hardware with the "
			"runtime.\n\n");
	if (compare_placement_warning(c))
		fprintf(f, "**Warning:** %s.\n\n", compare_placement_warning(c));
}

char *report_md(const struct compare *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	fprintf(f, "# sandbench: what each runtime costs, benchmark by benchmark\n\n");
	fprintf(f, "| runtime | file | benchmarks |\n|---|---|---:|\n");
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		fprintf(f, "| ");
		md_text(f, c->runtimes[rt].name);
		fprintf(f, "%s | ", rt == c->ref ? " (reference)" : "");
		md_text(f, c->runtimes[rt].path);
		fprintf(f, " | %zu |\n", c->runtimes[rt].nbenches);
	}
	fprintf(f, "\nA change is a Hodges-Lehmann ratio, minus one, against **");
	md_text(f, c->runtimes[c->ref].name);
	fprintf(f, "**, with a distribution-free 95%% confidence interval from exact critical "
		"values. *Paired* (\"N pairs\": two files of one lockstep matrix run): per slot "
		"(a pair of processes measured value by value in alternation) the median of the "
		"paired log ratios; across slots the one-sample estimate with the Wilcoxon "
		"signed-rank interval. *Unpaired* (\"m/n procs\"): per-process means (values "
		"within one process are correlated), the median of the ratios of every pair of "
		"processes, with the interval of Moses (Welch's t where none exists). *Runs* "
		"(\"m/n runs\": several files a side): one estimate per file, the same interval "
		"across files. Verdict at "
		"+-%g%%: **slower** or **faster** (bold) when the interval lies beyond, *same* "
		"when it lies within (equivalence), else *inconclusive*. Categories and all: "
		"geometric means of their benchmarks' ratios, the interval a percentile bootstrap "
		"stratified by benchmark (%d resamples, fixed seed); a category of one benchmark "
		"is that benchmark. Explanation columns, per iteration of the timed values: "
		"system-time share (its change in points), minor page faults, context switches "
		"and read/write-type syscalls (their change as a factor).",
		100 * c->min_change, COMPARE_BOOTSTRAP);
	if (c->study)
		fprintf(f, " The study column: %s, per benchmark, and per category the geometric "
			"mean over the same benchmarks.", c->study->title);
	fprintf(f, "\n\n");
	notes(f, c);
	metadata_diff(f, c);
	summary(f, c);
	for (size_t i = 0; i < c->ncategories; i++) {
		const struct compare_group *g = &c->categories[i];
		cleanup_free char *svg = report_svg_name(g->name);

		fprintf(f, "## ");
		md_text(f, g->name);
		fprintf(f, "\n\n");
		category_prose(f, c, g);
		fprintf(f, "![");
		md_text(f, g->name);
		fprintf(f, "](%s)\n\n", svg);
		category_table(f, c, g->name);
		budget_md_category(f, c, g->name);
	}
	partial(f, c);
	if (fclose(f) != 0)
		abort();
	return text;
}
