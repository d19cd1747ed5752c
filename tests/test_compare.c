/* compare, the study's table, the report renderers and the two commands,
 * on synthetic result files with known ratios.  */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#if HAVE_LIBXML2
#include <libxml/parser.h>
#include <libxml/tree.h>
#endif

#include "bench/cmd/cmd.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/result.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "bench/report/compare.h"
#include "bench/report/report.h"
#include "bench/report/thesis.h"
#include "categories/registry.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-compare-XXXXXX";

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(compare, .init = setup, .fini = teardown, .timeout = 60);

/* One benchmark of a synthetic file: process p's values are base * factor
 * times a fixed spread (+-2%), so two files with the same base differ by
 * exactly their factors.  */
struct spec {
	const char *name, *category;
	double base, factor;
	size_t procs;		/* 0: 5 */
	const char *unit;	/* NULL: "second" */
	int no_io;		/* leave io_syscr / io_syscw out */
	int no_counters;	/* faults and context switches 0, as gVisor's */
};

static const double spread[] = { 1.00, 1.02, 0.98, 1.01, 0.99, 1.015, 0.985 };

static char *write_file(const char *file, const char *runtime, const struct spec *specs,
			size_t n)
{
	json_t *md = json_pack("{s:s}", "hostname", "test");
	json_t *suite, *b;
	char *path = xasprintf("%s/%s", dir, file);
	struct bench_error err = { 0 };

	if (runtime)
		json_object_set_new(md, "runtime", json_string(runtime));
	suite = result_suite_new(md);
	for (size_t i = 0; i < n; i++) {
		const struct spec *s = &specs[i];
		size_t procs = s->procs ? s->procs : 5;

		b = result_benchmark_new(s->name, s->category, "python", 10, 1);
		if (s->unit)
			json_object_set_new(json_object_get(b, "metadata"), "unit", json_string(s->unit));
		/* The calibration run has no values and must not count.  */
		json_array_append_new(json_object_get(b, "runs"),
			json_pack("{s:{s:i}, s:[[i,f]]}", "metadata", "calibrate_loops", 10,
				  "warmups", 1, 1000.0));
		for (size_t p = 0; p < procs; p++) {
			double m = s->base * s->factor * spread[p % 7];
			json_t *run = json_pack("{s:{s:f, s:f, s:f, s:i, s:i, s:i, s:i}, s:[f,f,f]}",
				"metadata", "ru_utime_s", 0.3, "ru_stime_s", 0.1, "timed_s", 0.5,
				"ru_minflt", s->no_counters ? 0 : 300, "ru_majflt", 0,
				"ru_nvcsw", s->no_counters ? 0 : 20, "ru_nivcsw", s->no_counters ? 0 : 10,
				"values", m * 0.999, m, m * 1.001);
			if (!s->no_io) {
				json_object_set_new(json_object_get(run, "metadata"), "io_syscr",
						    json_integer(45));
				json_object_set_new(json_object_get(run, "metadata"), "io_syscw",
						    json_integer(15));
			}
			json_array_append_new(json_object_get(b, "runs"), run);
		}
		json_array_append_new(json_object_get(suite, "benchmarks"), b);
	}
	cr_assert_eq(result_write(path, suite, &err), 0, "%s", err.msg);
	json_decref(suite);
	return path;
}

static void write_text_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static const struct compare_options defaults = { .min_change = 0.02 };

static int load2(struct compare *c, const char *a, const char *b,
		 const struct compare_options *o, struct bench_error *err)
{
	const char *paths[] = { a, b };
	return compare_load(c, paths, 2, o ? o : &defaults, err);
}

static const struct compare_bench *bench(const struct compare *c, const char *name)
{
	for (size_t i = 0; i < c->nbenches; i++)
		if (strcmp(c->benches[i].name, name) == 0)
			return &c->benches[i];
	cr_assert_fail("benchmark `%s` missing from the comparison", name);
	return NULL;
}

static const struct compare_group *group(const struct compare *c, const char *name)
{
	for (size_t i = 0; i < c->ncategories; i++)
		if (strcmp(c->categories[i].name, name) == 0)
			return &c->categories[i];
	cr_assert_fail("category `%s` missing", name);
	return NULL;
}

Test(compare, twice_as_slow_is_ratio_2_with_a_tight_interval)
{
	struct spec a = { "nbody", "math", 0.1, 1 }, b = { "nbody", "math", 0.1, 2 };
	char *pa = write_file("a.json", "runc", &a, 1), *pb = write_file("b.json", "runsc", &b, 1);
	struct bench_error err = { 0 };
	struct compare c;
	const struct compare_cell *y;
	double pairs[25], half;

	cr_assert_eq(load2(&c, pb, pa, NULL, &err), 0, "%s", err.msg);
	cr_assert_str_eq(c.runtimes[c.ref].name, "runc", "runc is the default reference");
	y = &bench(&c, "nbody")->cells[0];
	cr_assert_float_eq(y->r.ratio, 2.0, 1e-12);
	cr_assert(y->r.lo > 1.9 && y->r.lo < 2.0 && y->r.hi > 2.0 && y->r.hi < 2.1,
		  "interval [%g, %g]", y->r.lo, y->r.hi);
	cr_assert_eq(y->r.verdict, COMPARE_SLOWER);
	cr_assert_eq(y->r.method, COMPARE_MOSES);
	cr_assert_not(y->r.paired);
	cr_assert_float_eq(y->r.coverage, 1 - 2 * 4.0 / 252, 1e-12, "5 v 5: P(U <= 2) = 4/252");
	cr_assert_eq(y->nprocs, 5, "the calibration run is not a process mean");
	cr_assert_eq(y->nvalues, 15);
	/* Hodges-Lehmann on 5 and 5 processes: the median of the 25 ratios of
	 * pairs is exactly 2 (same spread on both sides), and the interval runs
	 * from the 3rd smallest pair ratio to the 3rd largest (Moses, C = 3).  */
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 5; j++) {
			int k = 5 * i + j;
			pairs[k] = spread[j] / spread[i];
			for (; k > 0 && pairs[k - 1] > pairs[k]; k--) {
				double t = pairs[k];
				pairs[k] = pairs[k - 1];
				pairs[k - 1] = t;
			}
		}
	cr_assert_float_eq(y->r.lo, 2 * pairs[2], 1e-12);
	cr_assert_float_eq(y->r.hi, 2 * pairs[22], 1e-12);
	half = (y->r.hi - y->r.lo) / 2;
	cr_assert_lt(half, 0.08, "+-2%% spread, 5 processes a side: within +-4%%");
	compare_release(&c);
	free(pa);
	free(pb);
}

Test(compare, identical_files_give_1_not_significant)
{
	struct spec s[] = { { "nbody", "math", 0.1, 1 }, { "pathlib", "pathlib", 0.02, 1 } };
	char *pa = write_file("a.json", NULL, s, 2), *pb = write_file("b.json", NULL, s, 2);
	struct bench_error err = { 0 };
	struct compare c;

	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	cr_assert_str_eq(c.runtimes[0].name, "a", "no runtime metadata: the file stem");
	cr_assert_str_eq(c.runtimes[1].name, "b");
	cr_assert_eq(c.ref, 0, "no runc: the first file is the reference");
	for (size_t i = 0; i < c.nbenches; i++) {
		const struct compare_ratio *r = &c.benches[i].cells[1].r;
		cr_assert_float_eq(r->ratio, 1.0, 1e-12);
		cr_assert(r->lo < 1 && r->hi > 1);
		cr_assert(r->verdict == COMPARE_INCONCLUSIVE || r->verdict == COMPARE_SAME);
	}
	cr_assert_float_eq(c.total.geo[1].ratio, 1.0, 1e-12);
	cr_assert(c.total.geo[1].verdict == COMPARE_INCONCLUSIVE ||
		  c.total.geo[1].verdict == COMPARE_SAME);
	compare_release(&c);
	free(pa);
	free(pb);
}

Test(compare, category_and_total_geometric_means)
{
	struct spec a[] = {
		{ "float", "math", 0.1, 1 }, { "nbody", "math", 0.2, 1 },
		{ "json_dumps", "serialize", 0.01, 1 }, { "pickle", "serialize", 0.01, 1 },
	};
	struct spec b[] = {
		{ "float", "math", 0.1, 2 }, { "nbody", "math", 0.2, 8 },
		{ "json_dumps", "serialize", 0.01, 1 }, { "pickle", "serialize", 0.01, 1 },
	};
	char *pa = write_file("runc.json", NULL, a, 4), *pb = write_file("kata.json", NULL, b, 4);
	struct bench_error err = { 0 };
	struct compare c;
	const struct compare_group *math, *ser;

	cr_assert_eq(load2(&c, pb, pa, NULL, &err), 0, "%s", err.msg);
	cr_assert_str_eq(c.runtimes[c.ref].name, "runc", "the stem runc is the reference");
	math = group(&c, "math");
	ser = group(&c, "serialize");
	cr_assert_float_eq(math->geo[0].ratio, 4.0, 1e-9, "geometric mean of 2 and 8");
	cr_assert(math->geo[0].lo < 4 && math->geo[0].hi > 4 && math->geo[0].hi < 4.1);
	cr_assert_eq(math->geo[0].verdict, COMPARE_SLOWER);
	cr_assert_eq(math->n[0], 2);
	cr_assert_float_eq(ser->geo[0].ratio, 1.0, 1e-9);
	cr_assert(ser->geo[0].lo < 1 && ser->geo[0].hi > 1);
	cr_assert_float_eq(c.total.geo[0].ratio, pow(16, 0.25), 1e-9, "(2 * 8 * 1 * 1)^(1/4)");
	cr_assert_eq(c.total.n[0], 4);
	cr_assert_str_eq(c.benches[c.order[0]].name, "nbody", "slowest first");
	cr_assert_str_eq(c.benches[c.order[1]].name, "float");
	/* The bootstrap interval of a mean of two independent ratios is no
	 * wider than the geometric mean of theirs.  */
	{
		const struct compare_ratio *f = &bench(&c, "float")->cells[0].r;
		const struct compare_ratio *n = &bench(&c, "nbody")->cells[0].r;
		cr_assert_eq(math->geo[0].method, COMPARE_BOOT);
		cr_assert_leq(log(math->geo[0].hi / math->geo[0].lo),
			      (log(f->hi / f->lo) + log(n->hi / n->lo)) / 2 + 1e-12);
	}
	compare_release(&c);
	free(pa);
	free(pb);
}

/* Verdicts: slower when the interval lies beyond +min_change, same when
 * within +-min_change, inconclusive otherwise.  */
Test(compare, min_change_decides_the_verdict)
{
	struct spec a = { "nbody", "math", 0.1, 1 }, b = { "nbody", "math", 0.1, 1.08 };
	struct spec f = { "nbody", "math", 0.1, 1 / 1.08 };
	char *pa = write_file("a.json", NULL, &a, 1), *pb = write_file("b.json", NULL, &b, 1);
	char *pf = write_file("f.json", NULL, &f, 1);
	struct compare_options six_pct = { .min_change = 0.06 };
	struct bench_error err = { 0 };
	const struct compare_ratio *r;
	struct compare c;

	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	r = &c.benches[0].cells[1].r;
	cr_assert_gt(r->lo, 1.02, "the interval [%g, %g] lies beyond +2%%", r->lo, r->hi);
	cr_assert_eq(r->verdict, COMPARE_SLOWER);
	cr_assert_str_eq(compare_verdict_name(r->verdict), "slower");
	compare_release(&c);
	cr_assert_eq(load2(&c, pa, pb, &six_pct, &err), 0, "%s", err.msg);
	r = &c.benches[0].cells[1].r;
	cr_assert(r->lo < 1.06 && r->hi > 1.06);
	cr_assert_eq(r->verdict, COMPARE_INCONCLUSIVE, "+8%% [%g, %g] is neither beyond nor "
		     "within 6%%", r->lo, r->hi);
	compare_release(&c);
	cr_assert_eq(load2(&c, pa, pf, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(c.benches[0].cells[1].r.verdict, COMPARE_FASTER);
	compare_release(&c);
	cr_assert_eq(load2(&c, pa, pa, &six_pct, &err), 0, "%s", err.msg);
	r = &c.benches[0].cells[1].r;
	cr_assert(r->lo > 0.94 && r->hi < 1.06);
	cr_assert_eq(r->verdict, COMPARE_SAME, "[%g, %g] within +-6%%: an equivalence", r->lo,
		     r->hi);
	compare_release(&c);
	free(pa);
	free(pb);
	free(pf);
}

Test(compare, explanation_counters_per_iteration)
{
	struct spec a = { "nbody", "math", 0.1, 1 }, b = { "nbody", "math", 0.1, 1, .no_io = 1 };
	char *pa = write_file("a.json", NULL, &a, 1), *pb = write_file("b.json", NULL, &b, 1);
	struct bench_error err = { 0 };
	struct compare c;
	const struct compare_explain *ex;

	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	ex = &c.benches[0].cells[0].ex;
	/* Per run: 3 values x 10 loops = 30 iterations.  */
	cr_assert_float_eq(ex->sys_share, 0.25, 1e-12);
	cr_assert_float_eq(ex->cpu_share, 0.8, 1e-12);
	cr_assert_float_eq(ex->minflt, 10, 1e-12);
	cr_assert_float_eq(ex->csw, 1, 1e-12);
	cr_assert_float_eq(ex->rw_syscalls, 2, 1e-12);
	cr_assert(isnan(c.benches[0].cells[1].ex.rw_syscalls), "no io_* metadata: unknown");
	cr_assert_float_eq(compare_explain_change(0.25, 0.5, 1), 25, 1e-12);
	cr_assert_float_eq(compare_explain_change(10, 30, 0), 3, 1e-12);
	cr_assert(isnan(compare_explain_change(0, 3, 0)));
	compare_release(&c);
	free(pa);
	free(pb);
}

static char *render_text(const struct compare *c, int color)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	report_text(f, c, color);
	fclose(f);
	return text;
}

/* A runtime whose every page fault and context switch count is 0, where
 * the reference's are not, does not report them (gVisor's getrusage):
 * "n/a" and null, with a note, never 0 (x0.00).  One benchmark at 0 among
 * others that are not is a real 0.  */
Test(compare, counters_a_runtime_does_not_report_are_not_available)
{
	struct spec a[] = { { "nbody", "math", 0.1, 1 }, { "float", "math", 0.1, 1 } };
	struct spec b[] = { { "nbody", "math", 0.1, 2, .no_counters = 1 },
			    { "float", "math", 0.1, 2, .no_counters = 1 } };
	char *pa = write_file("runc.json", "runc", a, 2), *pb = write_file("runsc.json", "runsc", b, 2);
	char *out = xasprintf("%s/out", dir), *path = xasprintf("%s/out/report.json", dir), *text;
	struct bench_error err = { 0 };
	struct compare c;
	char cell[64];
	json_t *report, *rt;

	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(c.runtimes[1].unreported, COMPARE_MINFLT | COMPARE_CSW);
	cr_assert_eq(c.runtimes[0].unreported, 0);
	cr_assert(isnan(c.benches[0].cells[1].ex.minflt) && isnan(c.benches[0].cells[1].ex.csw));
	cr_assert_float_eq(c.benches[0].cells[1].ex.majflt, 0, 1e-12, "0 on both sides: a 0");
	report_fmt_explain(cell, sizeof(cell), 10, NAN, 0, 1);
	cr_assert_str_eq(cell, "n/a");
	text = render_text(&c, 0);
	cr_assert_null(strstr(text, "x0.00"), "%s", text);
	cr_assert(strstr(text, "n/a"), "%s", text);
	cr_assert(strstr(text, "runsc reports no minflt, csw"), "%s", text);
	free(text);
	cr_assert_eq(mkdir(out, 0755), 0);
	cr_assert_eq(report_write_dir(&c, out, &err), 0, "%s", err.msg);
	free(path);
	path = xasprintf("%s/out/report.md", dir);
	text = slurp(path);
	cr_assert(strstr(text, "| n/a | n/a |") && strstr(text, "runsc reports no minflt, csw"),
		  "%s", text);
	cr_assert_null(strstr(text, "x0.00"), "%s", text);
	free(text);
	free(path);
	path = xasprintf("%s/out/report.json", dir);
	report = load(path);
	rt = json_object_get(json_object_get(json_array_get(json_object_get(report, "benchmarks"),
							    0), "runtimes"), "runsc");
	cr_assert(json_is_null(json_object_get(json_object_get(rt, "explain"), "csw_per_it")));
	cr_assert(json_is_null(json_object_get(json_object_get(rt, "explain_change"), "csw")));
	rt = json_array_get(json_object_get(report, "runtimes"), 1);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(rt, "unreported"), 1)),
			 "csw_per_it");
	json_decref(report);
	compare_release(&c);

	/* Zero in one benchmark only: reported, a real 0.  */
	b[1].no_counters = 0;
	free(pb);
	pb = write_file("runsc.json", "runsc", b, 2);
	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(c.runtimes[1].unreported, 0);
	cr_assert_float_eq(c.benches[0].cells[1].ex.csw, 0, 1e-12);
	compare_release(&c);
	free(out);
	free(path);
	free(pa);
	free(pb);
}

Test(compare, benchmarks_in_one_file_only_are_listed)
{
	struct spec a[] = { { "nbody", "math", 0.1, 1 }, { "float", "math", 0.1, 1 } };
	struct spec b[] = { { "nbody", "math", 0.1, 1.5 }, { "pickle", "serialize", 0.01, 1 } };
	char *pa = write_file("runc.json", NULL, a, 2), *pb = write_file("runsc.json", NULL, b, 2);
	struct bench_error err = { 0 };
	struct compare c;
	char *text, *md, *json;

	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(c.nbenches, 3, "the union of both files");
	cr_assert_eq(bench(&c, "float")->npresent, 1);
	cr_assert_eq(bench(&c, "pickle")->npresent, 1);
	cr_assert(isnan(bench(&c, "pickle")->cells[1].r.ratio), "no reference: no ratio");
	cr_assert_eq(c.total.n[1], 1, "only nbody is in both");
	text = render_text(&c, 0);
	cr_assert(strstr(text, "float: only in runc"), "%s", text);
	cr_assert(strstr(text, "pickle: only in runsc"), "%s", text);
	md = report_md(&c);
	cr_assert(strstr(md, "## Benchmarks not in every file"));
	cr_assert(strstr(md, "| pickle | serialize | runsc |"), "%s", md);
	json = report_json(&c);
	cr_assert(strstr(json, "\"missing_from\": [\n        \"runc\"\n      ]") ||
		  strstr(json, "\"runc\""), "%s", json);
	free(text);
	free(md);
	free(json);
	compare_release(&c);
	free(pa);
	free(pb);
}

static void expect_error(const char *bad_name, const char *bad_text, const char *fragment)
{
	struct spec s = { "nbody", "math", 0.1, 1 };
	char *good = write_file("runc.json", NULL, &s, 1), *bad = xasprintf("%s/%s", dir, bad_name);
	struct bench_error err = { 0 };
	struct compare c;

	if (bad_text)
		write_text_file(bad, bad_text);
	cr_assert_eq(load2(&c, good, bad, NULL, &err), -1, "accepted %s", bad_name);
	cr_assert(strstr(err.msg, fragment), "message `%s` lacks `%s`", err.msg, fragment);
	cr_assert(strstr(err.msg, bad_name), "the message must name the file: %s", err.msg);
	cr_assert_null(c.benches, "nothing left allocated on failure");
	free(good);
	free(bad);
}

Test(compare, bad_files_give_clear_errors)
{
	expect_error("notjson.json", "{\"version\": \"1.0\", \"bench", "not valid JSON");
	expect_error("other.json", "{\"results\": []}", "not a pyperf result");
	expect_error("empty.json", "{\"version\": \"1.0\", \"metadata\": {}, \"benchmarks\": []}",
		     "no benchmarks");
	expect_error("missing.json", NULL, "open");
}

Test(compare, calibration_only_file_has_no_benchmarks)
{
	expect_error("cal.json",
		     "{\"version\": \"1.0\", \"benchmarks\": [{\"metadata\": {\"name\": \"nbody\", "
		     "\"unit\": \"second\"}, \"runs\": [{\"warmups\": [[1, 0.5]]}]}]}",
		     "no benchmarks with values");
}

Test(compare, nothing_shared_with_the_reference)
{
	struct spec a = { "nbody", "math", 0.1, 1 }, b = { "float", "math", 0.1, 1 };
	char *pa = write_file("runc.json", NULL, &a, 1), *pb = write_file("runsc.json", NULL, &b, 1);
	struct bench_error err = { 0 };
	struct compare c;

	cr_assert_eq(load2(&c, pb, pa, NULL, &err), -1);
	cr_assert(strstr(err.msg, "runsc.json: shares no benchmark with the reference"), "%s",
		  err.msg);
	free(pa);
	free(pb);
}

Test(compare, units_must_agree)
{
	struct spec a = { "nbody", "math", 0.1, 1 }, b = { "nbody", "math", 100, 1, .unit = "byte" };
	char *pa = write_file("runc.json", NULL, &a, 1), *pb = write_file("runsc.json", NULL, &b, 1);
	struct bench_error err = { 0 };
	struct compare c;

	cr_assert_eq(load2(&c, pa, pb, NULL, &err), -1);
	cr_assert(strstr(err.msg, "nbody") && strstr(err.msg, "unit `byte`") &&
		  strstr(err.msg, "runsc.json") && strstr(err.msg, "runc.json"), "%s", err.msg);
	free(pa);
	free(pb);
}

Test(compare, ref_option_and_duplicate_runtimes)
{
	struct spec s = { "nbody", "math", 0.1, 1 };
	char *pa = write_file("one.json", "runc", &s, 1), *pb = write_file("two.json", "runc", &s, 1);
	struct compare_options o = { .ref = "two", .min_change = 0.02 };
	struct bench_error err = { 0 };
	struct compare c;

	cr_assert_eq(load2(&c, pa, pb, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(c.runtimes[0].name, "one", "an A/A pair is told apart by file stem");
	cr_assert_str_eq(c.runtimes[1].name, "two");
	cr_assert_eq(c.ref, 1);
	compare_release(&c);
	o.ref = "kata";
	cr_assert_eq(load2(&c, pa, pb, &o, &err), -1);
	cr_assert(strstr(err.msg, "--ref `kata`") && strstr(err.msg, "one, two"), "%s", err.msg);
	free(pa);
	free(pb);
}

Test(compare, gzip_files_are_read)
{
	struct spec a = { "nbody", "math", 0.1, 1 }, b = { "nbody", "math", 0.1, 3 };
	char *pa = write_file("runc.json.gz", NULL, &a, 1), *pb = write_file("runsc.json.gz", NULL, &b, 1);
	struct bench_error err = { 0 };
	struct compare c;

	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	cr_assert_str_eq(c.runtimes[1].name, "runsc", "the stem drops .json.gz");
	cr_assert_float_eq(c.benches[0].cells[1].r.ratio, 3, 1e-12);
	compare_release(&c);
	free(pa);
	free(pb);
}

/* The study.  */

Test(compare, every_study_row_maps_to_a_registered_benchmark)
{
	struct thesis_table t = { 0 };
	struct bench_error err = { 0 };

	cr_assert_eq(thesis_load(NULL, &t, &err), 0, "%s", err.msg);
	cr_assert_eq(t.nrows, 58);
	for (size_t i = 0; i < t.nrows; i++) {
		const struct bench_def *def;
		cr_assert_not_null(t.rows[i].name, "study row `%s` maps to no benchmark", t.rows[i].label);
		def = bench_registry_find(t.rows[i].name);
		cr_assert_not_null(def, "`%s` -> `%s` is not registered", t.rows[i].label, t.rows[i].name);
		cr_assert_str_eq(t.rows[i].category, def->category);
	}
	cr_assert_str_eq(thesis_map_name("Scimark mc"), "scimark_monte_carlo");
	cr_assert_str_eq(thesis_map_name("Unpack seq"), "unpack_sequence");
	cr_assert_str_eq(thesis_map_name("SQL alch declarative"), "sqlalchemy_declarative");
	cr_assert_str_eq(thesis_map_name("Sqllite synth"), "sqlite_synth");
	cr_assert_str_eq(thesis_map_name("nbody"), "nbody", "our own names map to themselves");
	cr_assert_null(thesis_map_name("No such thing"));
	cr_assert_float_eq(thesis_find(&t, "pathlib")->ratio, 45.1684, 1e-9);
	thesis_release(&t);
}

Test(compare, study_overall_geometric_mean_is_16_percent)
{
	struct thesis_table t = { 0 };
	struct bench_error err = { 0 };
	double sum = 0;

	cr_assert_eq(thesis_load(NULL, &t, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < t.nrows; i++)
		sum += log(t.rows[i].ratio);
	cr_assert(fabs(exp(sum / (double)t.nrows) - 1.16) < 0.005, "the study's summary: 16%%");
	thesis_release(&t);
}

Test(compare, built_in_study_equals_the_shipped_csv)
{
	const char *root = getenv("SANDBENCH_ROOT") ? getenv("SANDBENCH_ROOT") : ".";
	char *path = xasprintf("%s/bench/report/thesis_kata_vs_crun.csv", root), *text = NULL;
	struct bench_error err = { 0 };
	size_t len;

	cr_assert_eq(util_read_file(path, THESIS_MAX_BYTES, &text, &len, &err), 0,
		     "%s (set SANDBENCH_ROOT)", err.msg);
	/* Byte for byte, the study's CRLF line ends too.  */
	cr_assert_eq(len, thesis_csv_len, "the built-in table and %s differ in length", path);
	cr_assert(memcmp(text, thesis_csv, len) == 0, "the built-in table and %s differ", path);
	cr_assert_eq(thesis_csv[thesis_csv_len], '\0', "the built-in table ends with a NUL");
	free(text);
	free(path);
}

static int parse(const char *text, struct thesis_table *t, struct bench_error *err)
{
	return thesis_parse(text, strlen(text), "table.csv", t, err);
}

Test(compare, reference_tables_are_parsed_with_limits)
{
	struct thesis_table t = { 0 };
	struct bench_error err = { 0 };
	char *long_field;

	cr_assert_eq(parse("difference_pct,benchmark\r\n10,\"Scimark mc\"\r\n\n"
			   "-50,\"a \"\"quoted\"\", name\"\n", &t, &err), 0, "%s", err.msg);
	cr_assert_eq(t.nrows, 2);
	cr_assert_str_eq(t.rows[0].name, "scimark_monte_carlo");
	cr_assert_float_eq(t.rows[0].ratio, 1.1, 1e-12);
	cr_assert_str_eq(t.rows[1].label, "a \"quoted\", name");
	cr_assert_null(t.rows[1].name, "an unknown name is kept, unmapped");
	cr_assert_str_eq(t.rows[1].category, "other");
	thesis_release(&t);

	cr_assert_eq(parse("\xef\xbb\xbf" "benchmark,difference_pct\nNbody,1\n", &t, &err), 0,
		     "a byte order mark: %s", err.msg);
	thesis_release(&t);
	cr_assert_eq(parse("name,pct\nx,1\n", &t, &err), -1);
	cr_assert(strstr(err.msg, "table.csv") && strstr(err.msg, "difference_pct"), "%s", err.msg);
	cr_assert_eq(parse("benchmark,difference_pct\nnbody,fast\n", &t, &err), -1);
	cr_assert(strstr(err.msg, "line 2"), "%s", err.msg);
	cr_assert_eq(parse("benchmark,difference_pct\nnbody,1\nNbody,2\n", &t, &err), -1);
	cr_assert(strstr(err.msg, "twice"), "%s", err.msg);
	cr_assert_eq(parse("benchmark,difference_pct\nnbody,1,3\n", &t, &err), -1);
	cr_assert_eq(parse("benchmark,difference_pct\n\"nbody,1\n", &t, &err), -1);
	cr_assert_eq(parse("benchmark,difference_pct\n", &t, &err), -1);
	cr_assert(strstr(err.msg, "no rows"), "%s", err.msg);
	long_field = xcalloc(THESIS_MAX_FIELD + 64, 1);
	strcpy(long_field, "benchmark,difference_pct\n");
	memset(long_field + strlen(long_field), 'x', THESIS_MAX_FIELD + 1);
	strcat(long_field, ",1\n");
	cr_assert_eq(parse(long_field, &t, &err), -1);
	cr_assert(strstr(err.msg, "longer than"), "%s", err.msg);
	free(long_field);
	cr_assert_eq(thesis_parse("benchmark,difference_pct\n", THESIS_MAX_BYTES + 1, "big.csv",
				  &t, &err), -1);
	cr_assert(strstr(err.msg, "limit"), "%s", err.msg);
}

Test(compare, study_figures_beside_ours)
{
	struct spec a[] = { { "pathlib", "pathlib", 0.02, 1 }, { "telco", "misc", 0.01, 1 },
			    { "syscall_getpid", "kernel", 1e-7, 1 } };
	struct spec b[] = { { "pathlib", "pathlib", 0.02, 20 }, { "telco", "misc", 0.01, 1 },
			    { "syscall_getpid", "kernel", 1e-7, 1 } };
	char *pa = write_file("runc.json", NULL, a, 3), *pb = write_file("runsc.json", NULL, b, 3);
	struct thesis_table t = { 0 };
	struct compare_options o = { .min_change = 0.02, .study = &t };
	struct bench_error err = { 0 };
	struct compare c;
	char *text;

	cr_assert_eq(thesis_load(NULL, &t, &err), 0, "%s", err.msg);
	cr_assert_eq(load2(&c, pa, pb, &o, &err), 0, "%s", err.msg);
	cr_assert_float_eq(bench(&c, "pathlib")->study, 45.1684, 1e-9);
	cr_assert(isnan(bench(&c, "syscall_getpid")->study), "not in the study");
	cr_assert_eq(group(&c, "misc")->study_n, 1, "over the same benchmarks as ours");
	cr_assert_eq(group(&c, "misc")->study_total, 15);
	cr_assert_float_eq(group(&c, "misc")->study, 1.0081, 1e-9);
	cr_assert_eq(c.total.study_n, 2);
	text = render_text(&c, 0);
	cr_assert(strstr(text, "+4417%"), "%s", text);
	cr_assert(strstr(text, "+1900%  [+1841%, +1961%]  slower"), "%s", text);
	cr_assert(strstr(text, "5/5 procs"), "%s", text);
	cr_assert_null(strstr(text, "\033["), "no colour unless asked");
	free(text);
	text = render_text(&c, 1);
	cr_assert(strstr(text, "\033[31m"), "a significant slowdown is red");
	free(text);
	compare_release(&c);
	thesis_release(&t);
	free(pa);
	free(pb);
}

/* The charts.  */

static void svg_size(const char *svg, int *w, int *h)
{
	const char *p = strstr(svg, "<svg ");
	cr_assert_not_null(p);
	cr_assert_eq(sscanf(strstr(p, " width=\""), " width=\"%d\"", w), 1);
	cr_assert_eq(sscanf(strstr(p, " height=\""), " height=\"%d\"", h), 1);
}

/* Parse with libxml2 when built with it, and render with rsvg-convert when
 * installed (Debian package librsvg2-bin), checking the PNG's size.  */
static void check_svg(const char *path)
{
	char *svg = NULL, *png = xasprintf("%s.png", path), *cmd;
	struct bench_error err = { 0 };
	unsigned char hdr[24];
	int w, h;
	FILE *f;

	cr_assert_eq(util_read_file(path, LIMIT_DATA_FILE, &svg, NULL, &err), 0, "%s", err.msg);
	svg_size(svg, &w, &h);
	cr_assert_eq(w, 960);
	cr_assert_gt(h, 100);
#if HAVE_LIBXML2
	{
		xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
		cr_assert_not_null(doc, "%s is not well-formed XML", path);
		cr_assert_str_eq((const char *)xmlDocGetRootElement(doc)->name, "svg");
		xmlFreeDoc(doc);
	}
#endif
	if (system("command -v rsvg-convert >/dev/null 2>&1") != 0) {
		free(svg);
		free(png);
		cr_skip_test("rsvg-convert is missing (apt-get install librsvg2-bin)");
	}
	cmd = xasprintf("rsvg-convert '%s' -o '%s'", path, png);
	cr_assert_eq(system(cmd), 0, "rsvg-convert failed on %s", path);
	f = fopen(png, "rb");
	cr_assert_not_null(f);
	cr_assert_eq(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	fclose(f);
	cr_assert(memcmp(hdr, "\x89PNG", 4) == 0);
	cr_assert_eq((hdr[16] << 24) | (hdr[17] << 16) | (hdr[18] << 8) | hdr[19], w);
	cr_assert_eq((hdr[20] << 24) | (hdr[21] << 16) | (hdr[22] << 8) | hdr[23], h);
	free(cmd);
	free(svg);
	free(png);
}

/* How many times needle occurs in text.  */
static size_t count_of(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* With a budget, report_write_dir writes budget.svg: valid SVG, one row per
 * slowed-down benchmark with counts (not nbody, unchanged, nor the probes,
 * which have none), its measured bar, its prediction by call and the rest
 * unexplained.  */
Test(compare, budget_chart_one_bar_per_slowed_down_benchmark)
{
	struct spec a[] = {
		{ "pathlib", "pathlib", 0.02, 1 }, { "logging_simple", "logging", 1e-5, 1 },
		{ "nbody", "math", 0.1, 1 }, { "file_stat", "kernel", 1e-6, 1 },
		{ "syscall_getpid", "kernel", 1e-7, 1 },
	};
	struct spec b[] = {
		{ "pathlib", "pathlib", 0.02, 10 }, { "logging_simple", "logging", 1e-5, 3 },
		{ "nbody", "math", 0.1, 1 }, { "file_stat", "kernel", 1e-6, 20 },
		{ "syscall_getpid", "kernel", 1e-7, 50 },
	};
	char *pa = write_file("runc.json", "runc", a, 5), *pb = write_file("runsc.json", "runsc", b, 5);
	char *out = xasprintf("%s/out", dir), *path = xasprintf("%s/out/budget.svg", dir), *svg;
	json_t *counts = json_loads("{\"benchmarks\": {\"pathlib\": {\"newfstatat\": 4500}, "
				    "\"logging_simple\": {\"getpid\": 1}, \"nbody\": {}}}", 0, NULL);
	struct budget_table t = { 0 };
	struct bench_error err = { 0 };
	struct compare c;

	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	budget_table_build(&t, &c, counts, NULL);
	c.budget = &t;
	cr_assert_eq(report_write_dir(&c, out, &err), 0, "%s", err.msg);
	check_svg(path);
	svg = slurp(path);
	cr_assert_eq(count_of(svg, "<g class=\"row\""), 2, "%s", svg);
	cr_assert(strstr(svg, "data-bench=\"pathlib\""), "%s", svg);
	cr_assert(strstr(svg, "data-bench=\"logging_simple\""), "%s", svg);
	cr_assert_null(strstr(svg, "data-bench=\"nbody\""), "%s", svg);
	cr_assert_eq(count_of(svg, "class=\"measured\""), 2, "%s", svg);
	cr_assert_eq(count_of(svg, "data-call=\"newfstatat\""), 1, "%s", svg);
	cr_assert_eq(count_of(svg, "data-call=\"getpid\""), 1, "%s", svg);
	/* 4500 x 19 us = 85.5 ms of about 180 ms, 4.9 us of 20 us: both leave a
	 * rest.  */
	cr_assert_eq(count_of(svg, "class=\"unexplained\""), 2, "%s", svg);
	cr_assert(strstr(svg, "predicted +85.5 ms ("), "%s", svg);
	/* Page faults (10 per iteration) have no arena_fault probe here.  */
	cr_assert(strstr(svg, "(25%) incomplete"), "%s", svg);
	free(svg);
	budget_table_release(&t);
	compare_release(&c);
	json_decref(counts);
	free(out);
	free(path);
	free(pa);
	free(pb);
}

Test(compare, report_files_and_valid_svg)
{
	struct spec a[] = {
		{ "pathlib", "pathlib", 0.02, 1 }, { "json_dumps", "serialize", 0.01, 1 },
		{ "pickle", "serialize", 0.01, 1 }, { "unpickle", "serialize", 0.01, 1 },
		{ "weird<&>\"name", "misc", 0.01, 1 },
	};
	struct spec b[] = {
		{ "pathlib", "pathlib", 0.02, 30 }, { "json_dumps", "serialize", 0.01, 1.05 },
		{ "pickle", "serialize", 0.01, 0.97 }, { "unpickle", "serialize", 0.01, 1.2 },
		{ "weird<&>\"name", "misc", 0.01, 1 },
	};
	char *pa = write_file("runc.json", NULL, a, 5), *pb = write_file("runsc.json", NULL, b, 5);
	char *crun = write_file("crun.json", NULL, b + 1, 3);
	const char *paths[] = { pa, pb, crun };
	char *out = xasprintf("%s/out", dir), *p, *svg;
	struct thesis_table t = { 0 };
	struct compare_options o = { .min_change = 0.02, .study = &t };
	struct bench_error err = { 0 };
	struct compare c;
	json_t *report;
	json_error_t jerr;

	cr_assert_eq(thesis_load(NULL, &t, &err), 0, "%s", err.msg);
	cr_assert_eq(compare_load(&c, paths, 3, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(report_write_dir(&c, out, &err), 0, "%s", err.msg);
	static const char *const files[] = {
		"report.md", "report.csv", "report.json", "overview.svg", "category-pathlib.svg",
		"category-serialize.svg", "category-misc.svg",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct stat st;
		p = xasprintf("%s/%s", out, files[i]);
		cr_assert_eq(stat(p, &st), 0, "%s missing", p);
		if (util_ends_with(p, ".svg"))
			check_svg(p);
		free(p);
	}
	/* Ratios over 10x: a log axis; within: linear.  */
	svg = report_svg_category(&c, 0);
	cr_assert(strstr(svg, "log scale"), "pathlib at 30x needs a log axis");
	free(svg);
	for (size_t i = 0; i < c.ncategories; i++) {
		if (strcmp(c.categories[i].name, "serialize") != 0)
			continue;
		svg = report_svg_category(&c, i);
		cr_assert_null(strstr(svg, "log scale"));
		cr_assert(strstr(svg, "+20.0% slower"), "values are labelled with verdicts");
		free(svg);
	}
	p = xasprintf("%s/report.json", out);
	report = json_load_file(p, 0, &jerr);
	cr_assert_not_null(report, "report.json: %s", jerr.text);
	cr_assert_str_eq(json_string_value(json_object_get(report, "reference")), "runc");
	cr_assert_eq(json_array_size(json_object_get(report, "benchmarks")), 5);
	{
		json_t *jb = json_array_get(json_object_get(report, "benchmarks"), 0);
		json_t *r = json_object_get(json_object_get(jb, "runtimes"), "runsc");
		cr_assert_str_eq(json_string_value(json_object_get(jb, "name")), "pathlib");
		cr_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "slower");
		cr_assert(json_is_true(json_object_get(r, "significant")), "kept for old scripts");
		cr_assert(json_is_false(json_object_get(r, "paired")));
		cr_assert_float_eq(json_real_value(json_object_get(r, "coverage")), 1 - 8.0 / 252,
				   1e-9);
		cr_assert_eq(json_array_size(json_object_get(r, "ci95")), 2);
		cr_assert_eq(json_array_size(json_object_get(report, "warnings")), 2);
		cr_assert(json_is_string(json_object_get(json_object_get(report, "coverage"), "note")));
	}
	json_decref(report);
	free(p);
	p = xasprintf("%s/report.csv", out);
	{
		char *csv = NULL;
		struct bench_error rerr = { 0 };

		cr_assert_eq(util_read_file(p, LIMIT_SMALL_FILE, &csv, NULL, &rerr), 0, "%s", rerr.msg);
		cr_assert(strstr(csv, "\"weird<&>\"\"name\""), "CSV quoting: %s", csv);
		cr_assert(strstr(csv, "pathlib,pathlib,second,runsc,runc,5,15,"), "%s", csv);
		cr_assert(strstr(csv, "change_pct,verdict,paired,pairs,coverage,"), "%s", csv);
		cr_assert(strstr(csv, ",2900,slower,0,0,0.968254,"), "%s", csv);
		free(csv);
	}
	free(p);
	p = report_md(&c);
	cr_assert(strstr(p, "## Summary by category"));
	cr_assert(strstr(p, "![pathlib](category-pathlib.svg)"));
	cr_assert(strstr(p, "**+2900%**"), "a significant change is bold");
	cr_assert(strstr(p, "+4417%"), "the study's pathlib figure");
	free(p);
	compare_release(&c);
	thesis_release(&t);
	free(out);
	free(pa);
	free(pb);
	free(crun);
}

/* Tick labels of a chart: distinct, left to right, far enough apart for
 * their text (about 8 px a character at 11 px).  */
static void check_ticks(const char *svg)
{
	const char *p = svg, *mark = "\" text-anchor=\"middle\" font-size=\"11\">";
	char labels[64][32];
	double xs[64];
	size_t n = 0;

	while ((p = strstr(p, mark)) && n < 64) {
		const char *start = p, *end;
		while (start > svg && strncmp(start, "<text x=\"", 9) != 0)
			start--;
		cr_assert_eq(sscanf(start, "<text x=\"%lf\"", &xs[n]), 1);
		p += strlen(mark);
		end = strchr(p, '<');
		snprintf(labels[n], sizeof(labels[n]), "%.*s", (int)(end - p), p);
		for (size_t i = 0; i < n; i++)
			cr_assert_str_neq(labels[i], labels[n], "tick label `%s` twice", labels[n]);
		if (n > 0)
			cr_assert_gt(xs[n] - xs[n - 1], 8.0 * (double)(strlen(labels[n]) +
							      strlen(labels[n - 1])) / 2,
				     "ticks `%s` and `%s` overlap", labels[n - 1], labels[n]);
		n++;
	}
	cr_assert_geq(n, 2, "an axis needs ticks");
}

Test(compare, axis_ticks_are_readable)
{
	static const double factors[] = { 1, 1.0004, 1.03, 1.6, 9, 30, 900, 0.02 };

	for (size_t i = 0; i < sizeof(factors) / sizeof(factors[0]); i++) {
		struct spec a[] = { { "nbody", "math", 0.1, 1 }, { "float", "math", 0.1, 1 } };
		struct spec b[] = { { "nbody", "math", 0.1, factors[i] }, { "float", "math", 0.1, 1.01 } };
		char *pa = write_file("runc.json", NULL, a, 2), *pb = write_file("runsc.json", NULL, b, 2);
		struct bench_error err = { 0 };
		struct compare c;
		char *svg;

		cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
		svg = report_svg_category(&c, 0);
		check_ticks(svg);
		free(svg);
		svg = report_svg_overview(&c);
		check_ticks(svg);
		free(svg);
		compare_release(&c);
		free(pa);
		free(pb);
	}
}

/* The commands, called in this (forked) test process.  */

static int call(int (*fn)(int, char **), char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	optind = 0;	/* getopt starts afresh, as in a new process */
	return fn(argc, argv);
}

static int exists(const char *folder, const char *name)
{
	struct stat st;
	char *p = xasprintf("%s/%s", folder, name);
	int ok = stat(p, &st) == 0;

	free(p);
	return ok;
}

/* The first name in folder other than . and .., or NULL (static).  */
static const char *opendir_first(const char *folder)
{
	static char name[256];
	DIR *d = opendir(folder);
	struct dirent *e;
	const char *found = NULL;

	while (d && !found && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(name, sizeof(name), "%s", e->d_name);
			found = name;
		}
	if (d)
		closedir(d);
	return found;
}

/* A disk that fills up halfway through the set keeps the set there was
 * (or none), never half of a new one.  */
static void unmount_small(void)
{
	char *small = xasprintf("%s/small", dir);

	umount2(small, MNT_DETACH);	/* when an assertion ended the test */
	free(small);
}

Test(compare, the_report_files_are_written_all_or_none, .fini = unmount_small)
{
	struct spec a = { "nbody", "math", 0.1, 1 }, b = { "nbody", "math", 0.1, 2 };
	char *pa = write_file("runc.json", NULL, &a, 1), *pb = write_file("runsc.json", NULL, &b, 1);
	char *out = xasprintf("%s/small", dir), *old = xasprintf("%s/small/report.md", dir);
	const char *names[] = { "report.md", "report.csv", "report.json", "overview.svg",
				"category-math.svg" };
	char *text;

	if (getuid() != 0)
		cr_skip_test("a small file system needs root to mount");
	cr_redirect_stdout();
	cr_redirect_stderr();
	cr_assert_eq(mkdir(out, 0755), 0);
	/* Two pages: report.md and report.csv fit, report.json does not.  */
	cr_assert_eq(mount("tmpfs", out, "tmpfs", 0, "size=8k"), 0, "%s", strerror(errno));
	cr_assert_eq(call(cmd_compare, (char *[]){ "compare", pa, pb, "-o", out, NULL }), 1);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_not(exists(out, names[i]), "%s was written alone", names[i]);
	cr_assert_null(opendir_first(out), "a file is left: %s", opendir_first(out));
	/* An old report stays whole.  */
	write_text_file(old, "the old report\n");
	cr_assert_eq(call(cmd_compare, (char *[]){ "compare", pa, pb, "-o", out, NULL }), 1);
	text = slurp(old);
	cr_assert_str_eq(text, "the old report\n");
	cr_assert_not(exists(out, "report.csv"));
	free(text);
	free(old);
	free(out);
	free(pa);
	free(pb);
}

Test(compare, compare_command)
{
	struct spec a = { "nbody", "math", 0.1, 1 }, b = { "nbody", "math", 0.1, 2 };
	char *pa = write_file("runc.json", NULL, &a, 1), *pb = write_file("runsc.json", NULL, &b, 1);
	char *bad = xasprintf("%s/bad.json", dir), *out = xasprintf("%s/o", dir);
	char *table = xasprintf("%s/table.csv", dir), *none = xasprintf("%s/none.csv", dir);

	cr_redirect_stdout();
	cr_redirect_stderr();
	write_text_file(bad, "not json");
	write_text_file(table, "benchmark,difference_pct\nNbody,5\nNo such,1\n");
	cr_assert_eq(call(cmd_compare, (char *[]){ "compare", "--no-color", pa, pb, "-o", out,
						   "--min-change", "1", NULL }), 0);
	cr_assert(exists(out, "report.md") && exists(out, "report.csv") &&
		  exists(out, "report.json") && exists(out, "overview.svg") &&
		  exists(out, "category-math.svg"));
	cr_assert_eq(call(cmd_compare, (char *[]){ "compare", pa, bad, NULL }), 2);
	cr_assert_eq(call(cmd_compare, (char *[]){ "compare", pa, NULL }), 2);
	cr_assert_eq(call(cmd_compare, (char *[]){ "compare", "--min-change", "x", pa, pb, NULL }), 2);
	cr_assert_eq(call(cmd_compare, (char *[]){ "compare", "--ref", "kata", pa, pb, NULL }), 2);
	cr_assert_eq(call(cmd_compare, (char *[]){ "compare", "--reference-table", none, pa, pb,
						   NULL }), 2);
	cr_assert_eq(call(cmd_compare, (char *[]){ "compare", "--reference-table", table, pa, pb,
						   NULL }), 0);
	cr_assert_eq(call(cmd_compare, (char *[]){ "compare", pa, pb, "-o", "/proc/nope", NULL }), 1);
	free(pa);
	free(pb);
	free(bad);
	free(out);
	free(table);
	free(none);
}

Test(compare, report_command_reads_a_folder)
{
	struct spec a = { "nbody", "math", 0.1, 1 }, b = { "nbody", "math", 0.1, 2 };
	char *pa = write_file("runc.json", NULL, &a, 1), *pb = write_file("runsc.json.gz", NULL, &b, 1);
	char *lone = xasprintf("%s/lone", dir), *p;
	json_t *report;

	cr_redirect_stdout();
	cr_redirect_stderr();
	p = xasprintf("%s/matrix.json", dir);
	write_text_file(p, "{\"runtimes\": [\"runc\", \"runsc\"], \"rounds\": 3}\n");
	free(p);
	cr_assert_eq(call(cmd_report, (char *[]){ "report", dir, NULL }), 0,
		     "matrix.json is the plan of `sandbench matrix`, not a result");
	cr_assert(exists(dir, "report.md") && exists(dir, "category-math.svg"));
	/* Again, with report.json now in the folder: it is not an input.  */
	cr_assert_eq(call(cmd_report, (char *[]){ "report", "--ref", "runsc", dir, NULL }), 0);
	p = xasprintf("%s/report.json", dir);
	report = json_load_file(p, 0, NULL);
	cr_assert_not_null(report);
	cr_assert_str_eq(json_string_value(json_object_get(report, "reference")), "runsc");
	cr_assert_eq(json_array_size(json_object_get(report, "runtimes")), 2);
	json_decref(report);
	free(p);
	cr_assert_eq(mkdir(lone, 0755), 0);
	cr_assert_eq(call(cmd_report, (char *[]){ "report", lone, NULL }), 2, "no files");
	p = xasprintf("%s/nope", dir);
	cr_assert_eq(call(cmd_report, (char *[]){ "report", p, NULL }), 2, "no folder");
	free(p);
	cr_assert_eq(call(cmd_report, (char *[]){ "report", "-o", lone, dir, NULL }), 2);
	free(pa);
	free(pb);
	free(lone);
}

/* Issue 15, item 6: Hodges-Lehmann over 100k x 100k processes once asked
 * for 80 GB (one double per pair) and aborted.  The work must be bounded:
 * quick, and no abort.  */
static void write_many_runs(const char *path, const char *runtime, double factor, size_t runs)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fprintf(f, "{\"version\": \"1.0\", \"metadata\": {\"runtime\": \"%s\"}, \"benchmarks\": "
		"[{\"metadata\": {\"name\": \"nbody\", \"unit\": \"second\", \"loops\": 1}, "
		"\"runs\": [", runtime);
	for (size_t i = 0; i < runs; i++)
		fprintf(f, "%s{\"values\": [%.6f]}", i ? "," : "",
			factor * (0.1 + 0.001 * (double)((i * 7919) % 101)));
	fprintf(f, "]}]}\n");
	fclose(f);
}

Test(compare, hostile_100k_runs_a_side_is_bounded, .timeout = 60)
{
	char *pa = xasprintf("%s/runc.json", dir), *pb = xasprintf("%s/runsc.json", dir);
	char *out = xasprintf("%s/o", dir);
	json_t *report, *r;
	char *p;

	write_many_runs(pa, "runc", 1.0, 100000);
	write_many_runs(pb, "runsc", 1.1, 100000);
	cr_redirect_stdout();
	cr_assert_eq(call(cmd_compare, (char *[]){ "compare", "--no-color", pa, pb, "-o", out,
						   NULL }), 0);
	p = xasprintf("%s/report.json", out);
	report = load(p);
	r = json_object_get(json_object_get(json_array_get(json_object_get(report, "benchmarks"), 0),
					    "runtimes"), "runsc");
	cr_assert_float_eq(json_real_value(json_object_get(r, "ratio")), 1.1, 1e-3);
	json_decref(report);
	free(p);
	free(pa);
	free(pb);
	free(out);
}

/* Lockstep files: suite metadata matrix_run_id and matrix_design, runs
 * with lockstep_slot; value v of slot s is base * f(s, v).  */
struct lockstep_side {
	const char *runtime, *run_id, *design;
	const long *slots;
	size_t nslots, nvalues;
	double factor;
	const double *slot_factor;	/* per slot (index into slots), or NULL */
};

static char *write_lockstep(const char *file, const struct lockstep_side *s, const char *bench)
{
	json_t *md = json_pack("{s:s, s:s}", "hostname", "test", "runtime", s->runtime);
	json_t *suite, *b;
	char *path = xasprintf("%s/%s", dir, file);
	struct bench_error err = { 0 };

	if (s->run_id)
		json_object_set_new(md, "matrix_run_id", json_string(s->run_id));
	if (s->design)
		json_object_set_new(md, "matrix_design", json_string(s->design));
	suite = result_suite_new(md);
	b = result_benchmark_new(bench, "math", "python", 10, 1);
	for (size_t i = 0; i < s->nslots; i++) {
		json_t *vals = json_array();
		for (size_t v = 0; v < s->nvalues; v++)
			/* Each value drifts by spread[v]: both sides alike, so it
			 * cancels in a pair but not between processes.  */
			json_array_append_new(vals, json_real(0.01 * s->factor * spread[v % 7] *
				(s->slot_factor ? s->slot_factor[i] : 1) * (1 + 0.05 * (double)(i % 3))));
		json_array_append_new(json_object_get(b, "runs"),
			json_pack("{s:{s:I, s:I, s:s}, s:o}", "metadata", "lockstep_slot",
				  (json_int_t)s->slots[i], "lockstep_round", (json_int_t)1,
				  "lockstep_positions", "0,1,1,0", "values", vals));
	}
	json_array_append_new(json_object_get(suite, "benchmarks"), b);
	cr_assert_eq(result_write(path, suite, &err), 0, "%s", err.msg);
	json_decref(suite);
	return path;
}

Test(compare, lockstep_files_are_paired_by_slot)
{
	/* Slot 9 only in A and slot 10 only in B: left out.  B has 6 values a
	 * slot, A 5: paired up to 5.  B's slot k is 1.1 * (1 + 0.001 k) of A's.  */
	static const long sa[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, sb[] = { 8, 7, 6, 5, 4, 3, 2, 1, 10 };
	double fb[9];
	struct lockstep_side a = { "runc", "run-1", "lockstep", sa, 9, 5, 1, NULL };
	struct lockstep_side b = { "runsc", "run-1", "lockstep", sb, 9, 6, 1.1, fb };
	struct bench_error err = { 0 };
	struct compare c;
	const struct compare_cell *y;
	double units[8], est, lo, hi, cov;
	char *pa, *pb, *text, *md, *json;

	for (size_t i = 0; i < 9; i++)
		fb[i] = 1 + 0.001 * (double)sb[i];
	/* The (1 + 0.05 (i % 3)) layout factor goes by the position in the
	 * file, and the files list slots in other orders: undo it for B.  */
	for (size_t i = 0; i < 9; i++) {
		long s = sb[i];
		size_t ia = (size_t)(s - 1);
		if (s <= 9)
			fb[i] *= (1 + 0.05 * (double)(ia % 3)) / (1 + 0.05 * (double)(i % 3));
	}
	pa = write_lockstep("runc.json", &a, "nbody");
	pb = write_lockstep("runsc.json", &b, "nbody");
	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	y = &bench(&c, "nbody")->cells[1];
	cr_assert(y->r.paired);
	cr_assert_eq(y->r.pairs, 8, "slots 1-8: 9 and 10 are on one side only");
	cr_assert_eq(y->r.method, COMPARE_PAIRED);
	for (size_t k = 0; k < 8; k++) {
		units[k] = log(1.1 * (1 + 0.001 * (double)(k + 1)));
		cr_assert_float_eq(y->units[k], units[k], 1e-9, "slot %zu", k + 1);
	}
	cr_assert_eq(stats_signed_rank_hl(units, 8, &est, &lo, &hi, &cov), 0);
	cr_assert_float_eq(y->r.ratio, exp(est), 1e-9);
	cr_assert_float_eq(y->r.lo, exp(lo), 1e-9);
	cr_assert_float_eq(y->r.hi, exp(hi), 1e-9);
	cr_assert_float_eq(y->r.coverage, cov, 1e-12);
	cr_assert(y->r.lo > 1.1 && y->r.hi < 1.1 * 1.008, "[%g, %g]", y->r.lo, y->r.hi);
	cr_assert_float_eq(cov, 1 - 2 * 5.0 / 256, 1e-12, "n = 8: P(T <= 3) = 5/256");
	cr_assert_eq(y->r.verdict, COMPARE_SLOWER);
	cr_assert_eq(c.runtimes[1].drift_warned, 0, "one matrix run: no drift warning");
	/* What the report says of its intervals: one, 1 - 10/256 = 96.1%.  */
	cr_assert_eq(c.nintervals, 1);
	cr_assert_float_eq(c.expected_false, 10.0 / 256, 1e-12);
	{
		char *note = report_coverage_note(&c);
		cr_assert(strstr(note, "the 1 benchmark interval covers the true ratio with a "
				 "probability of 96.1% each") && strstr(note, "up to 0.04 false"),
			  "%s", note);
		free(note);
	}
	text = render_text(&c, 0);
	md = report_md(&c);
	json = report_json(&c);
	cr_assert(strstr(text, "8 pairs"), "%s", text);
	cr_assert_null(strstr(text, "WARNING"), "%s", text);
	cr_assert_null(strstr(md, "Warning:**"), "%s", md);
	cr_assert(strstr(json, "\"warnings\": []"), "%s", json);
	cr_assert(strstr(json, "\"paired\": true") && strstr(json, "\"pairs\": 8") &&
		  strstr(json, "\"verdict\": \"slower\""), "%s", json);
	free(text);
	free(md);
	free(json);
	compare_release(&c);
	free(pa);
	free(pb);
}

Test(compare, files_of_different_runs_are_unpaired_with_a_warning)
{
	static const long slots[] = { 1, 2, 3, 4, 5, 6 };
	struct lockstep_side a = { "runc", "run-1", "lockstep", slots, 6, 4, 1, NULL };
	struct lockstep_side b = { "runsc", "run-2", "lockstep", slots, 6, 4, 1.5, NULL };
	struct lockstep_side p1 = { "runc", "run-3", "processes", slots, 6, 4, 1, NULL };
	struct lockstep_side p2 = { "runsc", "run-3", "processes", slots, 6, 4, 1.5, NULL };
	struct bench_error err = { 0 };
	struct compare c;
	char *pa = write_lockstep("runc.json", &a, "nbody"), *pb = write_lockstep("runsc.json", &b, "nbody");
	char *text, *md, *json;

	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	cr_assert_not(c.benches[0].cells[1].r.paired);
	cr_assert_eq(c.benches[0].cells[1].r.method, COMPARE_MOSES);
	cr_assert_eq(c.runtimes[1].drift_warned, 1);
	text = render_text(&c, 0);
	md = report_md(&c);
	json = report_json(&c);
	cr_assert(strstr(text, "WARNING: runsc against runc: 1 benchmark compared unpaired") &&
		  strstr(text, "7.6%"), "%s", text);
	cr_assert(strstr(md, "**Warning:** runsc against runc") && strstr(md, "7.6%"), "%s", md);
	cr_assert(strstr(json, "runsc against runc: 1 benchmark compared unpaired"), "%s", json);
	cr_assert(strstr(json, "\"paired\": false"), "%s", json);
	free(text);
	free(md);
	free(json);
	compare_release(&c);
	free(pa);
	free(pb);
	/* One matrix run of the process-alternating design: unpaired, but
	 * interleaved, so no drift warning.  */
	pa = write_lockstep("runc.json", &p1, "nbody");
	pb = write_lockstep("runsc.json", &p2, "nbody");
	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	cr_assert(c.benches[0].cells[1].r.paired, "slots recorded in one run are paired");
	compare_release(&c);
	free(pa);
	free(pb);
}

Test(compare, bad_lockstep_slots_are_errors)
{
	static const long twice[] = { 1, 2, 2, 3, 4, 5 }, ok[] = { 1, 2, 3, 4, 5, 6 };
	struct lockstep_side a = { "runc", "run-1", "lockstep", ok, 6, 3, 1, NULL };
	struct lockstep_side b = { "runsc", "run-1", "lockstep", twice, 6, 3, 1, NULL };
	struct bench_error err = { 0 };
	struct compare c;
	char *pa = write_lockstep("runc.json", &a, "nbody"), *pb = write_lockstep("runsc.json", &b, "nbody");

	cr_assert_eq(load2(&c, pa, pb, NULL, &err), -1);
	cr_assert(strstr(err.msg, "runsc.json") && strstr(err.msg, "nbody") &&
		  strstr(err.msg, "lockstep_slot 2 in two runs"), "%s", err.msg);
	free(pb);
	pb = xasprintf("%s/runsc.json", dir);
	write_text_file(pb, "{\"version\": \"1.0\", \"metadata\": {\"matrix_run_id\": \"run-1\"}, "
			"\"benchmarks\": [{\"metadata\": {\"name\": \"nbody\", \"unit\": \"second\", "
			"\"loops\": 1}, \"runs\": [{\"metadata\": {\"lockstep_slot\": \"one\"}, "
			"\"values\": [1.0]}]}]}");
	cr_assert_eq(load2(&c, pa, pb, NULL, &err), -1);
	cr_assert(strstr(err.msg, "runsc.json") && strstr(err.msg, "not an integer"), "%s", err.msg);
	free(pa);
	free(pb);
}

/* A file with one benchmark per spec and one run (process) per value.  */
static char *write_values(const char *file, const char *runtime, const char *const *names,
			  size_t nbench, const double *values, size_t nvalues)
{
	json_t *suite = result_suite_new(json_pack("{s:s}", "runtime", runtime));
	char *path = xasprintf("%s/%s", dir, file);
	struct bench_error err = { 0 };

	for (size_t i = 0; i < nbench; i++) {
		json_t *b = result_benchmark_new(names[i], "math", "python", 10, 1);
		for (size_t p = 0; p < nvalues; p++)
			json_array_append_new(json_object_get(b, "runs"),
				json_pack("{s:[f]}", "values", values[i * nvalues + p]));
		json_array_append_new(json_object_get(suite, "benchmarks"), b);
	}
	cr_assert_eq(result_write(path, suite, &err), 0, "%s", err.msg);
	json_decref(suite);
	return path;
}

static int cmp_log(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void assert_same_ratio(const struct compare_ratio *g, const struct compare_ratio *b)
{
	cr_assert_eq(g->ratio, b->ratio);
	cr_assert_eq(g->lo, b->lo);
	cr_assert_eq(g->hi, b->hi);
	cr_assert_eq(g->verdict, b->verdict);
	cr_assert_eq(g->coverage, b->coverage);
	cr_assert_eq(g->method, b->method);
}

/* Issue 14's reproduction: the category of one benchmark had its interval
 * rebuilt symmetrically (+3.79% [+0.20%, +7.50%], significant) around a
 * benchmark at [-0.06%, +6.22%].  Now it is the benchmark, both ways round;
 * and the benchmark's interval is Moses' with the exact C = 6 at 6 v 6.  */
Test(compare, one_benchmark_category_is_its_benchmark)
{
	static const double x[] = { .9879, 1.0264, 1.062, 1.0077, 1.0059, 1.0233 };
	static const double y[] = { 1.0661, 1.0467, 1.0644, 1.0335, 1.0227, 1.0704 };
	const char *names[] = { "nbody" };
	char *px = write_values("x.json", "runc", names, 1, x, 6);
	char *py = write_values("y.json", "runsc", names, 1, y, 6);
	struct bench_error err = { 0 };
	double d[36];
	struct compare c;

	for (int round = 0; round < 2; round++) {
		const struct compare_ratio *b;
		size_t k = 0;

		struct compare_options o = { .ref = round ? "runsc" : "runc", .min_change = 0.02 };

		cr_assert_eq(load2(&c, px, py, &o, &err), 0, "%s", err.msg);
		cr_assert_eq(c.ref, (size_t)round);
		b = &c.benches[0].cells[1 - round].r;
		for (size_t i = 0; i < 6; i++)
			for (size_t j = 0; j < 6; j++)
				d[k++] = round ? log(x[j]) - log(y[i]) : log(y[j]) - log(x[i]);
		qsort(d, 36, sizeof(*d), cmp_log);
		cr_assert_float_eq(b->ratio, exp((d[17] + d[18]) / 2), 1e-12);
		cr_assert_float_eq(b->lo, exp(d[5]), 1e-12, "the 6th smallest difference");
		cr_assert_float_eq(b->hi, exp(d[30]), 1e-12, "the 6th largest");
		assert_same_ratio(&c.categories[0].geo[1 - round], b);
		assert_same_ratio(&c.total.geo[1 - round], b);
		compare_release(&c);
	}
	free(px);
	free(py);
}

static double normal(uint64_t *seed)
{
	double u = ((double)(stats_rand(seed) >> 11) + 0.5) / 9007199254740992.0;
	double v = ((double)(stats_rand(seed) >> 11) + 0.5) / 9007199254740992.0;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* A simulated truth: three benchmarks at +5%, -2% and +10% (geometric mean
 * +4.2%), 10 processes a side with 3% noise between processes; how often
 * the category's bootstrap interval holds the truth.  */
Test(compare, category_interval_covers_a_simulated_truth, .timeout = 120)
{
	enum { SIMS = 200, PROCS = 10 };
	static const double truth[] = { 1.05, 0.98, 1.10 };
	const char *names[] = { "float", "nbody", "richards" };
	double geo = cbrt(truth[0] * truth[1] * truth[2]);
	double xs[3 * PROCS], ys[3 * PROCS];
	uint64_t seed = 1;
	size_t hits = 0, bench_hits = 0;

	for (size_t s = 0; s < SIMS; s++) {
		struct bench_error err = { 0 };
		struct compare c;
		char *px, *py;

		for (size_t i = 0; i < 3 * PROCS; i++) {
			xs[i] = 0.01 * exp(0.03 * normal(&seed));
			ys[i] = 0.01 * truth[i / PROCS] * exp(0.03 * normal(&seed));
		}
		px = write_values("x.json", "runc", names, 3, xs, PROCS);
		py = write_values("y.json", "runsc", names, 3, ys, PROCS);
		cr_assert_eq(load2(&c, px, py, NULL, &err), 0, "%s", err.msg);
		hits += c.categories[0].geo[1].lo <= geo && geo <= c.categories[0].geo[1].hi;
		bench_hits += bench(&c, "nbody")->cells[1].r.lo <= truth[1] &&
			      truth[1] <= bench(&c, "nbody")->cells[1].r.hi;
		compare_release(&c);
		free(px);
		free(py);
	}
	/* 95% nominal; two standard errors over 200 samples are 3 points.  */
	cr_log_info("category coverage %zu of %d, one benchmark's %zu", hits, SIMS, bench_hits);
	cr_assert(hits >= 0.90 * SIMS && hits <= 0.99 * SIMS, "covered %zu of %d", hits, SIMS);
	cr_assert(bench_hits >= 0.92 * SIMS, "covered %zu of %d", bench_hits, SIMS);
}

/* The same for paired files: 12 lockstep slots a benchmark, each slot's
 * ratio off the truth by 2% noise (one process pair's layout).  */
Test(compare, paired_category_interval_covers_a_simulated_truth, .timeout = 120)
{
	enum { SIMS = 200, SLOTS = 12 };
	static const double truth[] = { 1.05, 0.98, 1.10 };
	static const char *const names[] = { "float", "nbody", "richards" };
	double geo = cbrt(truth[0] * truth[1] * truth[2]);
	uint64_t seed = 2;
	size_t hits = 0;

	for (size_t s = 0; s < SIMS; s++) {
		struct bench_error err = { 0 };
		struct compare c;
		char *paths[2];

		for (int side = 0; side < 2; side++) {
			json_t *suite = result_suite_new(json_pack("{s:s, s:s, s:s}", "runtime",
				side ? "runsc" : "runc", "matrix_run_id", "sim", "matrix_design",
				"lockstep"));
			paths[side] = xasprintf("%s/%s.json", dir, side ? "runsc" : "runc");
			for (size_t k = 0; k < 3; k++) {
				json_t *b = result_benchmark_new(names[k], "math", "python", 10, 1);
				for (size_t i = 0; i < SLOTS; i++) {
					double f = side ? truth[k] * exp(0.02 * normal(&seed)) : 1;
					json_array_append_new(json_object_get(b, "runs"),
						json_pack("{s:{s:I}, s:[f,f,f]}", "metadata", "lockstep_slot",
							  (json_int_t)(k * 100 + i), "values", 0.01 * f,
							  0.0102 * f, 0.0099 * f));
				}
				json_array_append_new(json_object_get(suite, "benchmarks"), b);
			}
			cr_assert_eq(result_write(paths[side], suite, &err), 0, "%s", err.msg);
			json_decref(suite);
		}
		cr_assert_eq(load2(&c, paths[0], paths[1], NULL, &err), 0, "%s", err.msg);
		cr_assert(c.benches[0].cells[1].r.paired && c.benches[0].cells[1].r.pairs == SLOTS);
		hits += c.categories[0].geo[1].lo <= geo && geo <= c.categories[0].geo[1].hi;
		compare_release(&c);
		free(paths[0]);
		free(paths[1]);
	}
	cr_log_info("paired category coverage %zu of %d", hits, SIMS);
	cr_assert(hits >= 0.90 * SIMS && hits <= 0.995 * SIMS, "covered %zu of %d", hits, SIMS);
}

/* Values whose sum passes the largest double would give an infinite mean:
 * such a file is refused, naming the value, before any statistic (70
 * processes a side, past the listed size).  */
Test(compare, values_that_would_overflow_are_refused, .timeout = 30)
{
	char *pa = xasprintf("%s/runc.json", dir), *pb = xasprintf("%s/runsc.json", dir);
	struct bench_error err = { 0 };
	struct compare c;
	FILE *f;

	for (int side = 0; side < 2; side++) {
		f = fopen(side ? pb : pa, "w");
		cr_assert_not_null(f);
		fprintf(f, "{\"version\": \"1.0\", \"benchmarks\": [{\"metadata\": {\"name\": \"nbody\", "
			"\"unit\": \"second\", \"loops\": 1}, \"runs\": [");
		for (int i = 0; i < 70; i++)
			fprintf(f, "%s{\"values\": [%s]}", i ? "," : "",
				i % 2 ? "1.7e308, 1.7e308" : "0.5");
		fprintf(f, "]}]}\n");
		fclose(f);
	}
	cr_assert_eq(load2(&c, pa, pb, NULL, &err), -1);
	cr_assert(strstr(err.msg, "runc.json") && strstr(err.msg, "at most 1e+100"), "%s", err.msg);
	free(pa);
	free(pb);
}

/* Files measured under different placements (one pinned, one as deployed)
 * are flagged in every renderer, as other differing metadata is.  */
Test(compare, differing_placements_are_flagged)
{
	static const long slots[] = { 1, 2, 3, 4, 5, 6 };
	struct lockstep_side a = { "runc", "run-1", "lockstep", slots, 6, 4, 1, NULL };
	struct lockstep_side b = { "runsc", "run-2", "lockstep", slots, 6, 4, 1.5, NULL };
	const char *keys[COMPARE_METADATA_KEYS];
	struct bench_error err = { 0 };
	struct compare c;
	char *pa = write_lockstep("runc.json", &a, "nbody"), *pb = write_lockstep("runsc.json", &b, "nbody");
	char *text, *md, *json;
	int cpus_differ, seen = 0;
	size_t n;

	for (int side = 0; side < 2; side++) {
		const char *path = side ? pb : pa;
		json_t *suite = json_load_file(path, 0, NULL), *m = json_object_get(suite, "metadata");

		cr_assert_not_null(suite);
		json_object_set_new(m, "placement_cpus", json_string("0-1"));
		json_object_set_new(m, "placement_pin", json_string(side ? "sandbox" : "none"));
		cr_assert_eq(json_dump_file(suite, path, 0), 0);
		json_decref(suite);
	}
	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	n = compare_metadata_diff(&c, keys, COMPARE_METADATA_KEYS, &cpus_differ);
	for (size_t k = 0; k < n; k++) {
		cr_assert_str_neq(keys[k], "placement_cpus", "the same CPU set is no difference");
		seen |= strcmp(keys[k], "placement_pin") == 0;
	}
	cr_assert(seen, "placement_pin is listed");
	cr_assert_not(cpus_differ);
	text = render_text(&c, 0);
	md = report_md(&c);
	json = report_json(&c);
	cr_assert(strstr(text, "placement_pin") && strstr(text, "warning: the placements differ"),
		  "%s", text);
	cr_assert(strstr(md, "**Warning:** the placements differ"), "%s", md);
	cr_assert(strstr(json, "the placements differ"), "%s", json);
	free(text);
	free(md);
	free(json);
	compare_release(&c);
	free(pa);
	free(pb);
}

/* The variance split of paired ratios: here every value of a slot has the
 * same log ratio (the spread cancels in a pair), so all the variance is
 * between slots, and it is the sample variance of the slots' log ratios.  */
Test(compare, paired_variance_is_split_between_and_within_slots)
{
	static const long slots[] = { 1, 2, 3, 4, 5, 6 };
	static const double f[] = { 1, 1.02, 0.98, 1.01, 0.99, 1.005 };
	struct lockstep_side a = { "runc", "run-1", "lockstep", slots, 6, 4, 1, NULL };
	struct lockstep_side b = { "runsc", "run-1", "lockstep", slots, 6, 4, 1.5, f };
	struct bench_error err = { 0 };
	struct compare c;
	char *pa = write_lockstep("runc.json", &a, "nbody"), *pb = write_lockstep("runsc.json", &b, "nbody");
	double logs[6];
	const struct compare_cell *y;
	char *text, *json, *want, *md;

	for (size_t i = 0; i < 6; i++)
		logs[i] = log(f[i]);
	cr_assert_eq(load2(&c, pa, pb, NULL, &err), 0, "%s", err.msg);
	y = &bench(&c, "nbody")->cells[1];
	cr_assert(y->r.paired);
	cr_assert_float_eq(y->var_within, 0, 1e-20);
	cr_assert_float_eq(y->var_between, pow(stats_stdev(logs, 6), 2), 1e-12);
	text = render_text(&c, 0);
	json = report_json(&c);
	want = xasprintf("%.1f%% slot to slot; 100%% of a slot's variance is between slots: more "
			 "slots, not more values", 100 * stats_stdev(logs, 6));
	cr_assert(strstr(text, "runsc against runc, where the variance lives") && strstr(text, want),
		  "%s", text);
	md = report_md(&c);
	cr_assert(strstr(md, want), "%s", md);
	free(md);
	cr_assert(strstr(json, "\"within_slot_sd_pct\"") && strstr(json, "\"between_slot_sd_pct\""),
		  "%s", json);
	free(want);
	free(text);
	free(json);
	compare_release(&c);
	free(pa);
	free(pb);
}
