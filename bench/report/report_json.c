#include "bench/report/report.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "bench/report/compare.h"
#include "bench/report/thesis.h"

/* JSON has no NaN: an unknown number is null.  */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* A path as given on the command line, which need not be UTF-8: `?` for
 * its non-ASCII bytes then, rather than no report at all.  */
static json_t *path_json(const char *path)
{
	json_t *j = json_string(path);
	char *copy;

	if (j)
		return j;
	copy = xstrdup(path);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

/* `significant` (slower or faster) stays for scripts written before the
 * verdicts.  */
static json_t *ratio_json(const struct compare_ratio *r)
{
	return json_pack("{s:o, s:[o,o], s:o, s:s, s:b, s:b, s:I, s:o, s:s}", "ratio",
			 num(r->ratio), "ci95", num(r->lo), num(r->hi), "change_pct",
			 num((r->ratio - 1) * 100), "verdict", compare_verdict_name(r->verdict),
			 "significant", r->verdict == COMPARE_SLOWER || r->verdict == COMPARE_FASTER,
			 "paired", r->paired, "pairs", (json_int_t)r->pairs, "coverage",
			 r->coverage > 0 ? num(r->coverage) : json_null(), "method",
			 compare_method_name(r->method));
}

static json_t *explain_json(const struct compare_explain *ex)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
			 "sys_share", num(ex->sys_share), "cpu_share", num(ex->cpu_share),
			 "minflt_per_it", num(ex->minflt), "majflt_per_it", num(ex->majflt),
			 "csw_per_it", num(ex->csw), "rw_syscalls_per_it", num(ex->rw_syscalls));
}

static json_t *explain_change_json(const struct compare_explain *x,
				   const struct compare_explain *y)
{
	return json_pack("{s:o, s:o, s:o, s:o}",
			 "sys_share_pts", num(compare_explain_change(x->sys_share, y->sys_share, 1)),
			 "minflt", num(compare_explain_change(x->minflt, y->minflt, 0)),
			 "csw", num(compare_explain_change(x->csw, y->csw, 0)),
			 "rw_syscalls", num(compare_explain_change(x->rw_syscalls, y->rw_syscalls, 0)));
}

static json_t *bench_json(const struct compare *c, const struct compare_bench *b)
{
	const struct compare_cell *x = &b->cells[c->ref];
	json_t *rts = json_object(), *missing = json_array();

	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		const struct compare_cell *y = &b->cells[rt];
		json_t *o;

		if (!y->present) {
			json_array_append_new(missing, json_string(c->runtimes[rt].name));
			continue;
		}
		o = json_pack("{s:o, s:o, s:I, s:I, s:o}", "mean", num(y->mean), "stdev",
			      num(y->stdev), "processes", (json_int_t)y->nprocs, "values",
			      (json_int_t)y->nvalues, "explain", explain_json(&y->ex));
		if (x->present) {
			json_object_update_new(o, ratio_json(&y->r));
			if (y->r.paired && isfinite(y->var_within))
				json_object_set_new(o, "variance", json_pack("{s:o, s:o}",
					"within_slot_sd_pct", num(100 * sqrt(y->var_within)),
					"between_slot_sd_pct", num(100 * sqrt(y->var_between))));
			if (rt != c->ref)
				json_object_set_new(o, "explain_change", explain_change_json(&x->ex, &y->ex));
			if (rt != c->ref && c->budget)
				json_object_set_new(o, "budget", budget_json(budget_table_cell(
					c->budget, (size_t)(b - c->benches), rt)));
		}
		json_object_set_new(rts, c->runtimes[rt].name, o);
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "name", b->name, "category",
			 b->category, "unit", b->unit, "study_ratio", num(b->study),
			 "runtimes", rts, "missing_from", missing);
}

static json_t *group_json(const struct compare *c, const struct compare_group *g)
{
	json_t *rts = json_object();

	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		json_t *o = ratio_json(&g->geo[rt]);
		json_object_set_new(o, "benchmarks", json_integer((json_int_t)g->n[rt]));
		json_object_set_new(rts, c->runtimes[rt].name, o);
	}
	return json_pack("{s:s, s:I, s:o, s:{s:o, s:I, s:I}}", "name", g->name, "benchmarks",
			 (json_int_t)g->nbenches, "runtimes", rts, "study", "ratio",
			 num(g->study), "matched", (json_int_t)g->study_n, "rows",
			 (json_int_t)g->study_total);
}

char *report_json(const struct compare *c)
{
	json_t *root, *runtimes = json_array(), *benches = json_array(), *cats = json_array();
	json_t *warnings = json_array();
	char *text, *note;
	size_t len;

	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		const char *names[COMPARE_COUNTERS];
		size_t n = compare_unreported(c, rt, 0, names);
		/* Counters it does not report: null in its cells, not 0.  */
		json_t *unreported = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(unreported, json_string(names[i]));
		json_array_append_new(runtimes, json_pack("{s:s, s:o, s:b, s:I, s:o}",
			"name", c->runtimes[rt].name, "file", path_json(c->runtimes[rt].path),
			"reference", rt == c->ref, "benchmarks", (json_int_t)c->runtimes[rt].nbenches,
			"unreported", unreported));
	}
	for (size_t k = 0; k < c->nbenches; k++)
		json_array_append_new(benches, bench_json(c, &c->benches[c->order[k]]));
	for (size_t i = 0; i < c->ncategories; i++)
		json_array_append_new(cats, group_json(c, &c->categories[i]));
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		char *w = compare_drift_warning(c, rt);
		if (w)
			json_array_append_new(warnings, json_string(w));
		free(w);
	}
	if (compare_placement_warning(c))
		json_array_append_new(warnings, json_string(compare_placement_warning(c)));
	note = report_coverage_note(c);
	root = json_pack("{s:s, s:o, s:f, s:s, s:o, s:{s:I, s:o, s:o, s:f, s:s}, s:o, s:o, "
			 "s:o, s:o}",
			 "reference", c->runtimes[c->ref].name,
			 "runtimes", runtimes, "min_change", c->min_change,
			 "method", "paired (files of one lockstep matrix run): per slot the median of "
			 "the paired log ratios, across slots the Hodges-Lehmann estimate with the exact "
			 "Wilcoxon signed-rank 95% CI; unpaired: Hodges-Lehmann ratio of per-process "
			 "means with the exact Moses 95% CI (Welch's t where none exists); groups: "
			 "geometric mean, stratified percentile bootstrap (one benchmark: itself); "
			 "verdict: slower/faster when the CI lies beyond +-min_change, same when within, "
			 "else inconclusive",
			 "study", c->study ? path_json(c->study->title) : json_null(),
			 "coverage", "intervals", (json_int_t)c->nintervals,
			 "min", num(c->coverage_min), "max", num(c->coverage_max),
			 "expected_false_verdicts", c->expected_false, "note", note,
			 "warnings", warnings,
			 "benchmarks", benches, "categories", cats, "all", group_json(c, &c->total));
	free(note);
	text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (!text)
		abort();
	len = strlen(text);
	text = xrealloc(text, len + 2);
	text[len] = '\n';
	text[len + 1] = '\0';
	return text;
}
