/* The counters that explain a change: per iteration of the timed values.  */
#include "bench/report/compare.h"

#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static int md_number(json_t *md, const char *key, double *v)
{
	json_t *x = json_object_get(md, key);
	if (!json_is_number(x))
		return 0;
	*v = json_number_value(x);
	return 1;
}

/* Sum the counters over the runs with values and divide by the iterations
 * they cover: len(values) * loops * inner_loops per run.  */
void compare_explain_bench(json_t *bench, struct compare_explain *ex)
{
	json_t *bmd = json_object_get(bench, "metadata"), *r;
	double ut = 0, st = 0, cpu = 0, wall = 0, flt = 0, mflt = 0, csw = 0, rw = 0;
	double cflt = 0, it_flt = 0, it_cflt = 0, it_mflt = 0, it_csw = 0, it_rw = 0;
	size_t i;

	json_array_foreach(json_object_get(bench, "runs"), i, r) {
		json_t *md = json_object_get(r, "metadata");
		size_t nv = json_array_size(json_object_get(r, "values"));
		double loops = 0, inner = 1, iters, a, b, t;

		if (nv == 0)
			continue;
		if (!md_number(md, "loops", &loops))
			md_number(bmd, "loops", &loops);
		if (!md_number(md, "inner_loops", &inner))
			md_number(bmd, "inner_loops", &inner);
		if (!(loops >= 1) || !(inner >= 1))
			continue;
		iters = (double)nv * loops * inner;
		if (md_number(md, "ru_utime_s", &a) && md_number(md, "ru_stime_s", &b)) {
			ut += a;
			st += b;
			if (md_number(md, "timed_s", &t) && t > 0) {
				cpu += a + b;
				wall += t;
			}
		}
		if (md_number(md, "ru_minflt", &a)) {
			flt += a;
			it_flt += iters;
		}
		if (md_number(md, "ru_child_minflt", &a)) {
			cflt += a;
			it_cflt += iters;
		}
		if (md_number(md, "ru_majflt", &a)) {
			mflt += a;
			it_mflt += iters;
		}
		if (md_number(md, "ru_nvcsw", &a) && md_number(md, "ru_nivcsw", &b)) {
			csw += a + b;
			it_csw += iters;
		}
		if (md_number(md, "io_syscr", &a) && md_number(md, "io_syscw", &b)) {
			rw += a + b;
			it_rw += iters;
		}
	}
	ex->sys_share = ut + st > 0 ? st / (ut + st) : NAN;
	ex->cpu_share = wall > 0 ? cpu / wall : NAN;
	ex->minflt = it_flt > 0 ? flt / it_flt : NAN;
	ex->child_minflt = it_cflt > 0 ? cflt / it_cflt : NAN;
	ex->majflt = it_mflt > 0 ? mflt / it_mflt : NAN;
	ex->csw = it_csw > 0 ? csw / it_csw : NAN;
	ex->rw_syscalls = it_rw > 0 ? rw / it_rw : NAN;
}

double compare_explain_change(double ref, double other, int is_share)
{
	if (isnan(ref) || isnan(other))
		return NAN;
	if (is_share)
		return 100 * (other - ref);
	return ref > 0 ? other / ref : NAN;
}

/* The counters a runtime may leave out, where they live in a cell.  */
static const struct {
	unsigned bit;
	const char *name, *short_name;
	size_t offset;
} counters[] = {
	{ COMPARE_MINFLT, "minflt_per_it", "minflt", offsetof(struct compare_explain, minflt) },
	{ COMPARE_MAJFLT, "majflt_per_it", "majflt", offsetof(struct compare_explain, majflt) },
	{ COMPARE_CSW, "csw_per_it", "csw", offsetof(struct compare_explain, csw) },
};

#define COUNTER(ex, i) (*(double *)((char *)(ex) + counters[i].offset))

/* Whether runtime rt records counter i in some benchmark (*known) and
 * whether it is 0 in every one that does.  */
static int all_zero(const struct compare *c, size_t rt, size_t i, int *known)
{
	int nonzero = 0;

	*known = 0;
	for (size_t b = 0; b < c->nbenches; b++) {
		const struct compare_cell *cell = &c->benches[b].cells[rt];
		double v = cell->present ? COUNTER(&cell->ex, i) : NAN;

		if (isnan(v))
			continue;
		*known = 1;
		nonzero |= v != 0;
	}
	return *known && !nonzero;
}

void compare_explain_unreported(struct compare *c)
{
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		int counted = 0, known;

		/* All zero everywhere: a real 0 (major faults, say).  */
		for (size_t rt = 0; rt < c->nruntimes; rt++)
			counted |= !all_zero(c, rt, i, &known) && known;
		for (size_t rt = 0; rt < c->nruntimes && counted; rt++) {
			if (!all_zero(c, rt, i, &known))
				continue;
			c->runtimes[rt].unreported |= counters[i].bit;
			for (size_t b = 0; b < c->nbenches; b++)
				COUNTER(&c->benches[b].cells[rt].ex, i) = NAN;
		}
	}
}

size_t compare_unreported(const struct compare *c, size_t rt, int short_names,
			  const char *names[COMPARE_COUNTERS])
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (c->runtimes[rt].unreported & counters[i].bit)
			names[n++] = short_names ? counters[i].short_name : counters[i].name;
	return n;
}
