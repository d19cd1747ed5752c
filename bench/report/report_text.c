#include "bench/report/report.h"

#include <math.h>
#include <string.h>

#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "bench/report/compare.h"
#include "bench/report/thesis.h"

#define MAX_COLS 24
#define CELL 64

enum { PLAIN, SLOWER, FASTER, HEADER };

/* A table of strings, aligned when printed; colour codes are added after
 * padding so they do not upset the widths.  */
struct table {
	size_t ncols, nrows;
	char (*cells)[MAX_COLS][CELL];
	int *style;
	int right[MAX_COLS];
};

static char (*table_row(struct table *t, int style))[CELL]
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * sizeof(*t->cells));
	t->style = xrealloc(t->style, (t->nrows + 1) * sizeof(*t->style));
	memset(t->cells[t->nrows], 0, sizeof(*t->cells));
	t->style[t->nrows] = style;
	return t->cells[t->nrows++];
}

static void table_print(FILE *out, struct table *t, int color)
{
	static const char *const on[] = { "", "\033[31m", "\033[32m", "\033[1m" };
	size_t width[MAX_COLS] = { 0 };

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			if (strlen(t->cells[r][c]) > width[c])
				width[c] = strlen(t->cells[r][c]);
	for (size_t r = 0; r < t->nrows; r++) {
		int style = t->style[r];
		char line[MAX_COLS * (CELL + 2) + 1];
		size_t len = 0;

		for (size_t c = 0; c < t->ncols; c++)
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%*s%s",
						c ? "  " : "", t->right[c] ? (int)width[c] : -(int)width[c],
						t->cells[r][c], "");
		while (len > 0 && line[len - 1] == ' ')
			line[--len] = '\0';
		if (color && style != PLAIN)
			fprintf(out, "%s%s\033[0m\n", on[style], line);
		else
			fprintf(out, "%s\n", line);
	}
	free(t->cells);
	free(t->style);
	t->cells = NULL;
	t->style = NULL;
	t->nrows = 0;
}

static int row_style(const struct compare_ratio *r)
{
	return r->verdict == COMPARE_SLOWER ? SLOWER : r->verdict == COMPARE_FASTER ? FASTER : PLAIN;
}

static void print_benchmarks(FILE *out, const struct compare *c, int color)
{
	const struct compare_runtime *ref = &c->runtimes[c->ref];
	struct table t = { .ncols = c->budget ? 15 : 14 };
	char (*row)[CELL];
	int rows = 0;

	for (size_t col = 3; col < t.ncols; col++)
		t.right[col] = col != 7;
	row = table_row(&t, HEADER);
	snprintf(row[0], CELL, "benchmark");
	snprintf(row[1], CELL, "category");
	snprintf(row[2], CELL, "runtime");
	snprintf(row[3], CELL, "%.*s mean", CELL - 8, ref->name);
	snprintf(row[4], CELL, "mean");
	snprintf(row[5], CELL, "change");
	snprintf(row[6], CELL, "95%% CI");
	snprintf(row[7], CELL, "verdict");
	snprintf(row[8], CELL, "from");
	snprintf(row[9], CELL, "%.*s", CELL - 1, c->study ? c->study->label : "");
	snprintf(row[10], CELL, "sys%%");
	snprintf(row[11], CELL, "minflt/it");
	snprintf(row[12], CELL, "csw/it");
	snprintf(row[13], CELL, "rw-sysc/it");
	if (c->budget)
		snprintf(row[14], CELL, "syscalls predict");
	for (size_t k = 0; k < c->nbenches; k++) {
		const struct compare_bench *b = &c->benches[c->order[k]];
		const struct compare_cell *x = &b->cells[c->ref];
		int first = 1;

		if (!x->present)
			continue;
		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			const struct compare_cell *y = &b->cells[rt];
			if (rt == c->ref || !y->present)
				continue;
			row = table_row(&t, row_style(&y->r));
			rows++;
			if (first) {
				snprintf(row[0], CELL, "%.*s", CELL - 1, b->name);
				snprintf(row[1], CELL, "%.*s", CELL - 1, b->category);
				report_fmt_value(row[3], CELL, x->mean, b->unit);
				if (!isnan(b->study))
					report_fmt_change(row[9], CELL, b->study);
			}
			first = 0;
			snprintf(row[2], CELL, "%.*s", CELL - 1, c->runtimes[rt].name);
			report_fmt_value(row[4], CELL, y->mean, b->unit);
			report_fmt_change(row[5], CELL, y->r.ratio);
			report_fmt_interval(row[6], CELL, y->r.lo, y->r.hi);
			snprintf(row[7], CELL, "%s", compare_verdict_name(y->r.verdict));
			report_fmt_basis(row[8], CELL, x, y);
			report_fmt_explain(row[10], CELL, x->ex.sys_share, y->ex.sys_share, 1, 0);
			report_fmt_explain(row[11], CELL, x->ex.minflt, y->ex.minflt, 0,
					   c->runtimes[rt].unreported & COMPARE_MINFLT);
			report_fmt_explain(row[12], CELL, x->ex.csw, y->ex.csw, 0,
					   c->runtimes[rt].unreported & COMPARE_CSW);
			report_fmt_explain(row[13], CELL, x->ex.rw_syscalls, y->ex.rw_syscalls, 0, 0);
			if (c->budget)
				budget_fmt_cell(row[14], CELL,
						budget_table_cell(c->budget, c->order[k], rt));
		}
	}
	if (!rows)
		t.nrows = 0;	/* no header without rows */
	table_print(out, &t, color);
	if (!rows)
		fprintf(out, "no benchmark was measured both by the reference and another runtime\n");
}

/* One column per runtime but the reference, as many as fit.  */
#define MAX_RUNTIME_COLS (MAX_COLS - 3)

static void group_row(struct table *t, const struct compare *c, const struct compare_group *g)
{
	char (*row)[CELL] = table_row(t, PLAIN);
	size_t col = 2;

	snprintf(row[0], CELL, "%.*s", CELL - 1, g->name);
	snprintf(row[1], CELL, "%zu", g->nbenches);
	for (size_t rt = 0; rt < c->nruntimes && col < 2 + MAX_RUNTIME_COLS; rt++) {
		char change[32], ci[40];
		if (rt == c->ref)
			continue;
		report_fmt_change(change, sizeof(change), g->geo[rt].ratio);
		report_fmt_interval(ci, sizeof(ci), g->geo[rt].lo, g->geo[rt].hi);
		snprintf(row[col++], CELL, "%s %s %s", change, ci,
			 compare_verdict_name(g->geo[rt].verdict));
	}
	if (c->study) {
		char s[32];
		report_fmt_change(s, sizeof(s), g->study);
		if (g->study_n)
			snprintf(row[col], CELL, "%s (%zu of %zu)", s, g->study_n, g->study_total);
		else
			snprintf(row[col], CELL, "-");
	}
}

static void print_categories(FILE *out, const struct compare *c, int color)
{
	size_t others = c->nruntimes - 1 < MAX_RUNTIME_COLS ? c->nruntimes - 1 : MAX_RUNTIME_COLS;
	struct table t = { .ncols = 2 + others + (c->study != NULL) };
	char (*row)[CELL] = table_row(&t, HEADER);
	size_t col = 2;

	for (size_t i = 1; i < t.ncols; i++)
		t.right[i] = 1;
	snprintf(row[0], CELL, "category");
	snprintf(row[1], CELL, "n");
	for (size_t rt = 0; rt < c->nruntimes && col < 2 + others; rt++)
		if (rt != c->ref)
			snprintf(row[col++], CELL, "%.*s: geo. mean [95%% CI] verdict", CELL - 32,
				 c->runtimes[rt].name);
	if (c->study)
		snprintf(row[col], CELL, "%.*s", CELL - 1, c->study->label);
	for (size_t i = 0; i < c->ncategories; i++)
		group_row(&t, c, &c->categories[i]);
	group_row(&t, c, &c->total);
	table_print(out, &t, color);
	if (others < c->nruntimes - 1)
		fprintf(out, "(%zu more runtimes in report.md and report.json)\n",
			c->nruntimes - 1 - others);
}

static void print_partial(FILE *out, const struct compare *c)
{
	int any = 0;

	for (size_t i = 0; i < c->nbenches; i++) {
		const struct compare_bench *b = &c->benches[i];
		char *by;

		if (b->npresent == c->nruntimes)
			continue;
		if (!any)
			fprintf(out, "\nnot in every file (no ratio where the reference lacks it):\n");
		any = 1;
		by = report_measured_by(c, b);
		fprintf(out, "  %s: only in %s\n", b->name, by);
		free(by);
	}
}

/* What differs between the files' machines and runtimes: with other CPUs,
 * a ratio mixes hardware with runtime.  */
static void print_metadata_diff(FILE *out, const struct compare *c)
{
	const char *keys[COMPARE_METADATA_KEYS];
	int cpus_differ;
	size_t n = compare_metadata_diff(c, keys, COMPARE_METADATA_KEYS, &cpus_differ);

	if (n == 0)
		return;
	fprintf(out, "\nthe files differ in:\n");
	for (size_t k = 0; k < n; k++) {
		fprintf(out, "  %-18s", keys[k]);
		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			char *text = compare_metadata_text(c, rt, keys[k]);
			fprintf(out, "%s%s=%s", rt ? ", " : " ", c->runtimes[rt].name, text);
			free(text);
		}
		fprintf(out, "\n");
	}
	if (cpus_differ)
		fprintf(out, "warning: the CPUs differ, so the ratios mix the hardware with the runtime\n");
	if (compare_placement_warning(c))
		fprintf(out, "warning: %s\n", compare_placement_warning(c));
}

void report_text(FILE *out, const struct compare *c, int color)
{
	const char *ref = c->runtimes[c->ref].name;

	for (size_t k = 0; k < c->nruntimes; k++) {
		/* The reference first.  */
		size_t rt = k == 0 ? c->ref : k <= c->ref ? k - 1 : k;
		size_t more = c->runtimes[rt].nfiles - 1;

		fprintf(out, "%s %s (%s", k ? "compared: " : "reference:", c->runtimes[rt].name,
			c->runtimes[rt].path);
		if (more)
			fprintf(out, " and %zu more run%s", more, more == 1 ? "" : "s");
		fputs(")\n", out);
	}
	fprintf(out, "change: Hodges-Lehmann ratio - 1, 95%% CI; from: %s; verdict at ",
		c->runs ? "runs a side, one estimate per file (Moses, or Welch's t below 4 and 4)" :
		"lockstep slots paired (signed-rank interval) or processes a side, unpaired (Moses)");
	fprintf(out, "+-%g%%: slower/faster (CI beyond), same (CI within), inconclusive\n",
		100 * c->min_change);
	fprintf(out, "per iteration, (change against %s): sys%% system share of CPU time (points), "
		"minflt minor faults, csw context switches, rw-sysc read/write syscalls (factors)\n",
		ref);
	if (c->budget)
		fprintf(out, "syscalls predict: the change per iteration the system calls predict "
			"(share of the measured); far: by more than a factor of 2; incomplete: "
			"probes missing (`sandbench explain --budget DIR` names them)\n");
	if (c->study)
		fprintf(out, "%s: %s, per benchmark; per category over the same benchmarks\n",
			c->study->label, c->study->title);
	print_metadata_diff(out, c);
	fprintf(out, "\n");
	print_benchmarks(out, c, color);
	fprintf(out, "\n");
	print_categories(out, c, color);
	print_partial(out, c);
	fprintf(out, "\n");
	report_print_notes(out, c, "");
}
