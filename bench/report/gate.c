#include "bench/report/gate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "bench/report/compare.h"
#include "bench/report/report.h"

int gate_parse_fail_on(const char *text, unsigned *mask, const char **bad, size_t *bad_len)
{
	static const struct { const char *word; unsigned bit; } words[] = {
		{ "slower", GATE_SLOWER }, { "faster", GATE_FASTER },
		{ "inconclusive", GATE_INCONCLUSIVE },
	};
	const char *p = text;

	*mask = 0;
	for (;;) {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (len == strlen(words[i].word) && strncmp(p, words[i].word, len) == 0)
				break;
		if (i == sizeof(words) / sizeof(words[0])) {
			*bad = p;
			*bad_len = len;
			return -1;
		}
		*mask |= words[i].bit;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int gate_parse_bound(const char *text, struct gate_bound *b)
{
	const char *eq = strrchr(text, '=');
	char *end;

	if (!eq || eq == text)
		return -1;
	errno = 0;
	b->max = strtod(eq + 1, &end);
	if (!eq[1] || *end || errno || !(b->max >= 0 && b->max <= 1000))
		return -1;
	b->max /= 100;
	b->text = text;
	b->name = text;
	b->name_len = (size_t)(eq - text);
	return 0;
}

static int named(const char *name, const struct gate_bound *b)
{
	return strlen(name) == b->name_len && strncmp(name, b->name, b->name_len) == 0;
}

/* The ratio of runtime rt that bound b is about, or NULL: a benchmark, a
 * category's geometric mean, or `all`'s.  */
static const struct compare_ratio *bound_ratio(const struct compare *c, const struct gate_bound *b,
					       size_t rt)
{
	for (size_t i = 0; i < c->nbenches; i++)
		if (named(c->benches[i].name, b))
			return c->benches[i].cells[c->ref].present && c->benches[i].cells[rt].present ?
			       &c->benches[i].cells[rt].r : NULL;
	for (size_t i = 0; i < c->ncategories; i++)
		if (named(c->categories[i].name, b))
			return c->categories[i].n[rt] ? &c->categories[i].geo[rt] : NULL;
	return named("all", b) && c->total.n[rt] ? &c->total.geo[rt] : NULL;
}

int gate_check_names(const struct compare *c, const struct gate_bound *bounds, size_t n,
		     struct bench_error *err)
{
	for (size_t k = 0; k < n; k++) {
		int known = named("all", &bounds[k]);

		for (size_t i = 0; i < c->nbenches && !known; i++)
			known = named(c->benches[i].name, &bounds[k]) ||
				named(c->benches[i].category, &bounds[k]);
		if (!known)
			return bench_error_set(err, 0, "--max-change `%s`: no benchmark or category "
					       "`%.*s` in the files (a name as `sandbench list` "
					       "gives it, a category, or all)", bounds[k].text,
					       (int)bounds[k].name_len, bounds[k].name);
	}
	return 0;
}

/* "LABEL: rt on name +12.3% [+10.1%, +14.6%]", the label only when it is
 * not the previous item's.  */
static void print_item(FILE *f, const char **last, const char *label, const struct compare *c,
		       size_t rt, const char *name, const struct compare_ratio *r)
{
	char change[32], interval[64];

	report_fmt_change(change, sizeof(change), r->ratio);
	report_fmt_interval(interval, sizeof(interval), r->lo, r->hi);
	if (*last && strcmp(*last, label) == 0)
		fputs(", ", f);
	else
		fprintf(f, "%s%s: ", *last ? "; " : "", label);
	fprintf(f, "%s on %s %s%s%s", c->runtimes[rt].name, name, change, *interval ? " " : "",
		interval);
	*last = label;
}

static int verdict_crossed(unsigned bit, enum compare_verdict v)
{
	switch (bit) {
	case GATE_SLOWER: return v == COMPARE_SLOWER;
	case GATE_FASTER: return v == COMPARE_FASTER;
	default: return v == COMPARE_INCONCLUSIVE || v == COMPARE_NO_VERDICT;
	}
}

/* The verdicts of one kind that crossed, benchmarks slowest first, then
 * the groups of several benchmarks (a group of one is that benchmark).  */
static void print_verdicts(FILE *f, const char **last, const struct compare *c, unsigned bit,
			   const char *label)
{
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		if (rt == c->ref)
			continue;
		for (size_t k = 0; k < c->nbenches; k++) {
			const struct compare_bench *b = &c->benches[c->order[k]];

			if (b->cells[c->ref].present && b->cells[rt].present &&
			    verdict_crossed(bit, b->cells[rt].r.verdict))
				print_item(f, last, label, c, rt, b->name, &b->cells[rt].r);
		}
		for (size_t k = 0; k < c->ncategories; k++)
			if (c->categories[k].n[rt] > 1 &&
			    verdict_crossed(bit, c->categories[k].geo[rt].verdict))
				print_item(f, last, label, c, rt, c->categories[k].name,
					   &c->categories[k].geo[rt]);
		if (c->total.n[rt] > 1 && c->ncategories > 1 &&
		    verdict_crossed(bit, c->total.geo[rt].verdict))
			print_item(f, last, label, c, rt, "all", &c->total.geo[rt]);
	}
}

char *gate_crossed(const struct compare *c, unsigned fail_on, const struct gate_bound *bounds,
		   size_t nbounds)
{
	static const struct { unsigned bit; const char *label; } kinds[] = {
		{ GATE_SLOWER, "--fail-on slower" }, { GATE_FASTER, "--fail-on faster" },
		{ GATE_INCONCLUSIVE, "--fail-on inconclusive" },
	};
	char *text = NULL, *labels[GATE_MAX_BOUNDS] = { NULL };
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *last = NULL;

	if (!f)
		abort();
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (fail_on & kinds[k].bit)
			print_verdicts(f, &last, c, kinds[k].bit, kinds[k].label);
	for (size_t k = 0; k < nbounds && k < GATE_MAX_BOUNDS; k++) {
		cleanup_free char *name = xasprintf("%.*s", (int)bounds[k].name_len, bounds[k].name);

		labels[k] = xasprintf("--max-change %s", bounds[k].text);
		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			const struct compare_ratio *r = rt == c->ref ? NULL : bound_ratio(c, &bounds[k], rt);

			if (r && r->lo > 1 + bounds[k].max)
				print_item(f, &last, labels[k], c, rt, name, r);
		}
	}
	if (fclose(f) != 0)
		abort();
	for (size_t k = 0; k < GATE_MAX_BOUNDS; k++)
		free(labels[k]);
	if (len == 0) {
		free(text);
		return NULL;
	}
	return text;
}
