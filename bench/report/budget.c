#include "bench/report/budget.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/util.h"
#include "bench/report/compare.h"
#include "bench/report/report.h"

/* The cost of one probe iteration in costs, or NAN.  */
static double probe_cost(json_t *costs, const char *probe)
{
	json_t *v = costs ? json_object_get(costs, probe) : NULL;

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Keep the BUDGET_TOP terms of largest |contrib| in b->top, largest first.  */
static void top_insert(struct budget *b, const struct budget_term *t)
{
	size_t i = b->ntop;

	if (i == BUDGET_TOP) {
		if (fabs(t->contrib) <= fabs(b->top[BUDGET_TOP - 1].contrib))
			return;
		i = BUDGET_TOP - 1;
	} else {
		b->ntop++;
	}
	while (i > 0 && fabs(b->top[i - 1].contrib) < fabs(t->contrib)) {
		b->top[i] = b->top[i - 1];
		i--;
	}
	b->top[i] = *t;
}

static int by_count(const void *x, const void *y)
{
	const struct budget_term *a = x, *b = y;

	return a->count < b->count ? 1 : a->count > b->count ? -1 : strcmp(a->name, b->name);
}

/* The calls that priced calls cover (see budget_prices): name -> calls per
 * iteration, a new object.  */
static json_t *covered_calls(const struct budget_input *in)
{
	json_t *covered = json_object(), *v, *w;
	const char *name, *other;

	json_object_foreach(in->counts, name, v) {
		const struct budget_price *p = budget_price_of(name);
		json_t *own = p && p->covers && in->probe_counts ?
			      json_object_get(in->probe_counts, p->probe) : NULL;
		double per = json_number_value(json_object_get(own, name));

		/* Per call of name in the probe, not per probe iteration.  */
		if (!own || per <= 0)
			continue;
		json_object_foreach(own, other, w) {
			double c = json_number_value(json_object_get(covered, other));

			if (strcmp(other, name) != 0)
				json_object_set_new(covered, other, json_real(
					c + json_number_value(v) * json_number_value(w) / per));
		}
	}
	return covered;
}

/* The difference of probe's cost, runtime - reference, or NAN.  */
static double probe_delta(const struct budget_input *in, const char *probe)
{
	return probe_cost(in->rt_costs, probe) - probe_cost(in->ref_costs, probe);
}

/* The cost difference of one call priced by p, for calls of bytes bytes on
 * average (NAN: unknown); NAN with *missing set to the probe that lacks.  */
static double price_delta(const struct budget_price *p, const struct budget_input *in,
			  double bytes, const char **missing)
{
	double d, x;

	/* Paid within another call's price, whether or not its probe ran.  */
	*missing = NULL;
	if (p->weight == 0)
		return 0;
	d = probe_delta(in, p->probe);
	*missing = p->probe;
	if (isnan(d))
		return NAN;
	if (p->large) {
		/* The large probe counts only for calls larger than the small's.  */
		*missing = p->large;
		if (isnan(d = budget_read_delta(d, probe_delta(in, p->large), bytes)))
			return NAN;
	}
	if (p->less) {
		*missing = p->less;
		if (isnan(x = probe_delta(in, p->less)))
			return NAN;
		d -= p->less_weight * x;
	}
	*missing = NULL;
	return p->weight * d;
}

/* Price count calls of name (or faults), of bytes bytes on average when
 * sized; unpriced ones go to the list.  */
static void add_term(struct budget *b, const struct budget_input *in, const char *name,
		     double count, double bytes)
{
	const struct budget_price *p = budget_price_of(name);
	struct budget_term t = { .count = count };
	const char *missing = NULL;
	double delta = p ? price_delta(p, in, bytes, &missing) : NAN;

	snprintf(t.name, sizeof(t.name), "%s", name);
	if (isnan(delta)) {
		t.probe = missing;
		b->nmissing += missing != NULL;
		b->unpriced = xrealloc(b->unpriced, (b->nunpriced + 1) * sizeof(*b->unpriced));
		b->unpriced[b->nunpriced++] = t;
		return;
	}
	t.delta = delta;
	t.contrib = count * t.delta;
	b->predicted += t.contrib;
	if (strcmp(name, BUDGET_FAULTS) == 0)
		b->faults = t;
	if (p->weight > 0)
		top_insert(b, &t);
}

/* The mean size of the sized calls (read, pread64: the rows with a large
 * probe) of in, NAN when unknown.  */
static double mean_bytes(const struct budget_input *in)
{
	const char *name;
	json_t *v;
	double calls = 0;

	json_object_foreach(in->counts, name, v) {
		const struct budget_price *p = budget_price_of(name);

		if (p && p->large)
			calls += json_number_value(v);
	}
	return calls > 0 && !isnan(in->read_bytes) ? in->read_bytes / calls : NAN;
}

/* Far: outside the measured interval by more than a factor of 2 (against
 * the point when the interval is unknown).  An interval across zero has
 * no factor: far only beyond twice its wider end.  */
static int is_far(double pred, double lo, double hi)
{
	if (lo > hi) {
		double t = lo;
		lo = hi;
		hi = t;
	}
	if (lo > 0)
		return pred < lo / 2 || pred > 2 * hi;
	if (hi < 0)
		return pred > hi / 2 || pred < 2 * lo;
	return fabs(pred) > 2 * fmax(fabs(lo), fabs(hi));
}

/* The faults of the children it started beyond those of the vfork_exec
 * children its execve calls are priced as (their faults are in vfork_exec's
 * cost), 0 when it started none.  */
static double child_faults(const struct budget_input *in)
{
	double execs = json_number_value(json_object_get(in->counts, "execve"));
	double extra;

	if (isnan(in->child_faults) || in->child_faults <= 0)
		return 0;
	if (execs <= 0)
		return in->child_faults;
	/* One execve an iteration of the probe, as its price assumes.  */
	extra = in->child_faults - execs * in->exec_child_faults;
	/* An older probe file without its child's faults: the worker's own, as before.  */
	return isnan(extra) ? 0 : fmax(extra, 0);
}

void budget_compute(const struct budget_input *in, struct budget *b)
{
	const char *name;
	json_t *v, *covered;
	double bytes, faults;

	*b = (struct budget){ .measured = NAN, .lo = NAN, .hi = NAN, .share = NAN };
	if (!json_is_object(in->counts) || isnan(in->ref_mean) || isnan(in->ratio))
		return;
	b->present = 1;
	b->ref_mean = in->ref_mean;
	b->measured = in->ref_mean * (in->ratio - 1);
	if (!isnan(in->lo) && !isnan(in->hi)) {
		b->lo = in->ref_mean * (in->lo - 1);
		b->hi = in->ref_mean * (in->hi - 1);
	}
	covered = covered_calls(in);
	bytes = mean_bytes(in);
	json_object_foreach(in->counts, name, v) {
		double n = json_number_value(v) -
			   json_number_value(json_object_get(covered, name));

		/* Below 0.01 per iteration: noise, as in `explain --syscalls`.  */
		if (n >= 0.01) {
			b->calls += n;
			add_term(b, in, name, n, bytes);
		}
	}
	json_decref(covered);
	faults = in->faults + child_faults(in);
	if (!isnan(faults) && faults > 0)
		add_term(b, in, BUDGET_FAULTS, faults, NAN);
	if (b->nunpriced > 1)
		qsort(b->unpriced, b->nunpriced, sizeof(*b->unpriced), by_count);
	if (b->measured != 0)
		b->share = b->predicted / b->measured;
	b->far = isnan(b->lo) ? is_far(b->predicted, b->measured, b->measured)
			      : is_far(b->predicted, b->lo, b->hi);
}

void budget_release(struct budget *b)
{
	free(b->unpriced);
	b->unpriced = NULL;
	b->nunpriced = 0;
}

/* Almost no system calls: fewer than BUDGET_FEW_CALLS_PER_MS per
 * millisecond of the reference's time.  */
static int few_calls(const struct budget *b)
{
	return b->calls < BUDGET_FEW_CALLS_PER_MS * b->ref_mean * 1e3;
}

const char *budget_finding(const struct budget *b)
{
	if (!b->present || !b->far)
		return NULL;
	if (fabs(b->predicted) < fabs(b->measured)) {
		if (b->measured < 0)
			return "speed-up not explained by system calls";
		if (few_calls(b))
			return "CPU-bound slow-down not explained by system calls (it makes "
			       "almost none): look at VM exits, timers, memory";
		/* Unpriced for want of a probe: the prediction is short, not wrong.  */
		if (b->nmissing > 0)
			return "incomplete: the probes that price some of its calls are missing "
			       "from the matrix (the command below measures them)";
		/* Memory, read sizes and children's faults are priced: what is
		 * left is no call's (a wake-up of another task) or not in the
		 * native counts (calls the image or the runtime adds).  */
		return "slowed down more than its system calls predict: look at the calls no "
		       "probe prices and its counts under the runtime itself "
		       "(bench/container-counts.sh)";
	}
	return "system calls predict more than was measured: the calls are dearer in the "
	       "probes than in this benchmark (cached or batched), or the counts differ "
	       "under the runtime";
}

/* ---- a comparison's table ---- */

/* Add to costs, probe name -> mean time per iteration under runtime rt,
 * every benchmark of c that prices a call, has values there and is not in
 * costs yet.  */
static void add_costs(json_t *costs, const struct compare *c, size_t rt)
{
	for (size_t i = 0; i < c->nbenches; i++) {
		const struct compare_bench *b = &c->benches[i];

		if (budget_is_probe(b->name) && b->cells[rt].present &&
		    strcmp(b->unit, "second") == 0 && !json_object_get(costs, b->name))
			json_object_set_new(costs, b->name, json_real(b->cells[rt].mean));
	}
}

/* The cell of the probe that prices execve under the runtime named rt
 * in m, or NULL.  */
static const struct compare_cell *exec_probe_cell(const struct compare *m, const char *rt)
{
	const char *probe = budget_price_of("execve")->probe;

	for (size_t r = 0; r < m->nruntimes; r++) {
		if (strcmp(m->runtimes[r].name, rt) != 0)
			continue;
		for (size_t i = 0; i < m->nbenches; i++)
			if (strcmp(m->benches[i].name, probe) == 0 && m->benches[i].cells[r].present)
				return &m->benches[i].cells[r];
	}
	return NULL;
}

/* The faults of vfork_exec's child per iteration under runtime rt, from
 * where its cost comes (c first, then probes' matrices), or NAN.  */
static double exec_child_faults(const struct compare *c, size_t rt,
				const struct budget_probes *probes)
{
	const struct compare_cell *cell = exec_probe_cell(c, c->runtimes[rt].name);

	for (size_t m = 0; !cell && probes && m < probes->n; m++)
		cell = exec_probe_cell(&probes->matrices[m], c->runtimes[rt].name);
	return cell ? cell->ex.child_minflt : NAN;
}

/* The probes' costs under runtime rt of c: its own files first, then the
 * runtime of the same name in each matrix of probes.  */
static json_t *runtime_costs(const struct compare *c, size_t rt,
			     const struct budget_probes *probes)
{
	json_t *costs = json_object();

	add_costs(costs, c, rt);
	for (size_t m = 0; probes && m < probes->n; m++) {
		const struct compare *p = &probes->matrices[m];

		for (size_t i = 0; i < p->nruntimes; i++)
			if (strcmp(p->runtimes[i].name, c->runtimes[rt].name) == 0)
				add_costs(costs, p, i);
	}
	return costs;
}

void budget_table_build(struct budget_table *t, const struct compare *c, json_t *syscalls,
			const struct budget_probes *probes)
{
	json_t *benches = json_object_get(syscalls, "benchmarks");
	json_t *bytes = json_object_get(syscalls, "read_bytes");
	json_t **costs = xcalloc(c->nruntimes, sizeof(*costs));
	double exec_faults = exec_child_faults(c, c->ref, probes);

	t->nbenches = c->nbenches;
	t->nruntimes = c->nruntimes;
	t->cells = xcalloc(c->nbenches * c->nruntimes, sizeof(*t->cells));
	for (size_t rt = 0; rt < c->nruntimes; rt++)
		costs[rt] = runtime_costs(c, rt, probes);
	for (size_t i = 0; i < c->nbenches; i++) {
		const struct compare_bench *b = &c->benches[i];
		const struct compare_cell *ref = &b->cells[c->ref];

		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			const struct compare_cell *cell = &b->cells[rt];
			struct budget_input in = {
				.counts = json_object_get(benches, b->name),
				.read_bytes = json_is_number(json_object_get(bytes, b->name)) ?
					      json_number_value(json_object_get(bytes, b->name)) : NAN,
				.faults = ref->ex.minflt,
				.child_faults = ref->ex.child_minflt,
				.exec_child_faults = exec_faults,
				.probe_counts = benches,
				.ref_costs = costs[c->ref],
				.rt_costs = costs[rt],
				.ref_mean = ref->mean,
				.ratio = cell->r.ratio,
				.lo = cell->r.lo,
				.hi = cell->r.hi,
			};

			if (rt == c->ref || !ref->present || !cell->present ||
			    strcmp(b->unit, "second") != 0)
				continue;
			budget_compute(&in, &t->cells[i * c->nruntimes + rt]);
		}
	}
	for (size_t rt = 0; rt < c->nruntimes; rt++)
		json_decref(costs[rt]);
	free(costs);
}

void budget_table_release(struct budget_table *t)
{
	for (size_t i = 0; t->cells && i < t->nbenches * t->nruntimes; i++)
		budget_release(&t->cells[i]);
	free(t->cells);
	*t = (struct budget_table){ 0 };
}

const struct budget *budget_table_cell(const struct budget_table *t, size_t b, size_t rt)
{
	const struct budget *cell;

	if (!t || !t->cells || b >= t->nbenches || rt >= t->nruntimes)
		return NULL;
	cell = &t->cells[b * t->nruntimes + rt];
	return cell->present ? cell : NULL;
}

/* ---- text ---- */

void budget_fmt_time(char *buf, size_t size, double s)
{
	static const struct { double scale; const char *unit; } units[] = {
		{ 1, "s" }, { 1e-3, "ms" }, { 1e-6, "us" }, { 1e-9, "ns" },
	};
	double a = fabs(s);
	size_t i = 0;

	if (isnan(s) || s == 0) {
		snprintf(buf, size, isnan(s) ? "-" : "0");
		return;
	}
	while (i + 1 < sizeof(units) / sizeof(units[0]) && a < units[i].scale)
		i++;
	a /= units[i].scale;
	snprintf(buf, size, "%s%.*f %s", s < 0 ? "-" : "+", a >= 100 ? 0 : a >= 10 ? 1 : 2, a,
		 units[i].unit);
}

void budget_fmt_share(char *buf, size_t size, const struct budget *b)
{
	if (!b || isnan(b->share))
		snprintf(buf, size, "-");
	else	/* no "-0%" */
		snprintf(buf, size, "%.0f%%", fabs(b->share) < 0.005 ? 0 : 100 * b->share);
}

/* A count per iteration, short: "4.51k", "12", "0.25".  */
static void fmt_count(char *buf, size_t size, double v)
{
	if (v >= 1e6)
		snprintf(buf, size, "%.3gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, size, "%.3gk", v / 1e3);
	else if (v >= 100)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.3g", v);
}

void budget_fmt_top(char *buf, size_t size, const struct budget *b)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; b && i < b->ntop && used < size; i++) {
		char n[32], d[32], c[32];

		fmt_count(n, sizeof(n), b->top[i].count);
		budget_fmt_time(d, sizeof(d), b->top[i].delta);
		budget_fmt_time(c, sizeof(c), b->top[i].contrib);
		used += (size_t)snprintf(buf + used, size - used, "%s%s %s x %s = %s",
					 i ? ", " : "", b->top[i].name, n, d, c);
	}
}

void budget_fmt_unpriced(char *buf, size_t size, const struct budget *b)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; b && i < b->nunpriced && used < size; i++) {
		char n[32];

		fmt_count(n, sizeof(n), b->unpriced[i].count);
		used += (size_t)snprintf(buf + used, size - used, "%s%s %s%s%s%s", i ? ", " : "",
					 b->unpriced[i].name, n, b->unpriced[i].probe ? " (" : "",
					 b->unpriced[i].probe ?: "", b->unpriced[i].probe ? ")" : "");
	}
}

/* ---- hooks for the report (bench/report*.c) ---- */

void budget_fmt_cell(char *buf, size_t size, const struct budget *b)
{
	char p[32], share[32];

	if (!b) {
		snprintf(buf, size, "-");
		return;
	}
	budget_fmt_time(p, sizeof(p), b->predicted);
	budget_fmt_share(share, sizeof(share), b);
	snprintf(buf, size, "%s (%s)%s", p, share,
		 b->nmissing ? " incomplete" : b->far ? " far" : "");
}

/* A number, or null when unknown.  */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *budget_json(const struct budget *b)
{
	json_t *top = json_array(), *unpriced = json_object(), *o;
	const char *finding;

	if (!b) {
		json_decref(top);
		json_decref(unpriced);
		return json_null();
	}
	for (size_t i = 0; i < b->ntop; i++)
		json_array_append_new(top, json_pack("{s:s, s:o, s:o, s:o}", "syscall",
						     b->top[i].name, "calls", num(b->top[i].count),
						     "cost_change_s", num(b->top[i].delta),
						     "contribution_s", num(b->top[i].contrib)));
	for (size_t i = 0; i < b->nunpriced; i++)
		json_object_set_new(unpriced, b->unpriced[i].name, num(b->unpriced[i].count));
	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "measured_s", num(b->measured),
		      "measured_low_s", num(b->lo), "measured_high_s", num(b->hi), "predicted_s",
		      num(b->predicted), "explained_share", num(b->share), "top", top, "unpriced",
		      unpriced, "far", b->far);
	{
		const char *missing[BUDGET_MAX_MISSING];
		size_t n = 0;
		json_t *names = json_array();

		budget_missing_probes(b, missing, &n, BUDGET_MAX_MISSING);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(names, json_string(missing[i]));
		json_object_set_new(o, "missing_probes", names);
	}
	json_object_set_new(o, "page_faults", b->faults.count > 0 ? json_pack(
		"{s:o, s:o, s:o}", "faults", num(b->faults.count), "cost_change_s",
		num(b->faults.delta), "contribution_s", num(b->faults.contrib)) : json_null());
	finding = budget_finding(b);
	json_object_set_new(o, "finding", finding ? json_string(finding) : json_null());
	return o;
}

void budget_csv(FILE *f, const struct budget *b)
{
	char text[1024];

	if (!b) {
		fputs(",,,,,,", f);
		return;
	}
	report_csv_num(f, b->measured);
	report_csv_num(f, b->predicted);
	report_csv_num(f, b->share);
	budget_fmt_top(text, sizeof(text), b);
	fputc(',', f);
	report_csv_text(f, text);
	budget_fmt_unpriced(text, sizeof(text), b);
	fputc(',', f);
	report_csv_text(f, text);
	fprintf(f, ",%d", b->far);
}

void budget_md_category(FILE *f, const struct compare *c, const char *category)
{
	if (!c->budget)
		return;
	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		int any = 0;

		for (size_t k = 0; k < c->nbenches; k++) {
			const struct compare_bench *bench = &c->benches[c->order[k]];
			const struct budget *b = budget_table_cell(c->budget, c->order[k], rt);
			char m[32], p[32], share[32], top[512];

			if (!b || strcmp(bench->category, category) != 0)
				continue;
			if (!any)
				fprintf(f, "System-call budget, %s vs %s, per iteration:", c->runtimes[rt].name,
					c->runtimes[c->ref].name);
			budget_fmt_time(m, sizeof(m), b->measured);
			budget_fmt_time(p, sizeof(p), b->predicted);
			budget_fmt_share(share, sizeof(share), b);
			budget_fmt_top(top, sizeof(top), b);
			fprintf(f, "%s %s %s, predicted %s (%s)%s%s%s", any ? ";" : "", bench->name, m, p,
				share, top[0] ? ": " : "", top, b->far ? ", far from the measurement" : "");
			any = 1;
		}
		if (any)
			fprintf(f, ".\n\n");
	}
}
