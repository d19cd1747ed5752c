/* The overhead budget: its arithmetic on hand-made counts and costs, and
 * end to end on a small runc, runsc matrix.  */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "bench/report/compare.h"
#include "bench/report/folder.h"
#include "categories/registry.h"
#include "tests/support.h"

TestSuite(budget, .timeout = 30);

/* A budget from JSON texts for the counts and the two runtimes' costs.  */
static void compute(const char *counts, const char *ref, const char *rt, double faults,
		    double ratio, double lo, double hi, struct budget *b)
{
	struct budget_input in = {
		.counts = json_loads(counts, 0, NULL),
		.faults = faults,
		.ref_costs = json_loads(ref, 0, NULL),
		.rt_costs = json_loads(rt, 0, NULL),
		.ref_mean = 1e-3,
		.ratio = ratio, .lo = lo, .hi = hi,
	};

	cr_assert_not_null(in.counts);
	budget_compute(&in, b);
	json_decref(in.counts);
	json_decref(in.ref_costs);
	json_decref(in.rt_costs);
}

static const char hand_counts[] =
	"{\"getpid\": 10, \"newfstatat\": 100, \"weirdcall\": 5, \"futex\": 7}";
static const char ref_costs[] =
	"{\"syscall_getpid\": 1e-7, \"file_stat\": 1e-6, \"arena_fault\": 2e-7, "
	"\"mmap_munmap\": 1e-6, \"futex_wake\": 1e-7}";
/* futex_wake missing: a call whose probe has no cost under the runtime.
 * A fault: arena_fault's +1 us less its 2/256 mmap or munmap at +0 us.  */
static const char rt_costs[] =
	"{\"syscall_getpid\": 1.1e-6, \"file_stat\": 2.1e-5, \"arena_fault\": 1.2e-6, "
	"\"mmap_munmap\": 1e-6}";

/* 10 x 1 us + 100 x 20 us + 50 faults x 1 us = 2.06 ms, against 2.2 ms
 * [2.0, 2.4] measured.  */
Test(budget, sums_counts_times_cost_differences)
{
	struct budget b;

	compute(hand_counts, ref_costs, rt_costs, 50, 3.2, 3.0, 3.4, &b);
	cr_assert(b.present);
	cr_assert_float_eq(b.measured, 2.2e-3, 1e-12);
	cr_assert_float_eq(b.lo, 2.0e-3, 1e-12);
	cr_assert_float_eq(b.hi, 2.4e-3, 1e-12);
	cr_assert_float_eq(b.predicted, 2.06e-3, 1e-12);
	cr_assert_float_eq(b.share, 2.06 / 2.2, 1e-9);
	cr_assert_eq(b.ntop, 3);
	cr_assert_str_eq(b.top[0].name, "newfstatat");
	cr_assert_float_eq(b.top[0].count, 100, 1e-12);
	cr_assert_float_eq(b.top[0].delta, 2e-5, 1e-15);
	cr_assert_float_eq(b.top[0].contrib, 2e-3, 1e-12);
	cr_assert_str_eq(b.top[1].name, BUDGET_FAULTS);
	cr_assert_str_eq(b.top[2].name, "getpid");
	/* Unpriced: no probe at all, and a probe missing under the runtime;
	 * most calls first.  */
	cr_assert_eq(b.nunpriced, 2);
	cr_assert_str_eq(b.unpriced[0].name, "futex");
	cr_assert_float_eq(b.unpriced[0].count, 7, 1e-12);
	cr_assert_str_eq(b.unpriced[1].name, "weirdcall");
	cr_assert_not(b.far, "2.06 ms lies inside [2.0, 2.4] ms");
	cr_assert_null(budget_finding(&b));
	budget_release(&b);
}

Test(budget, a_prediction_far_from_the_measurement_is_a_finding)
{
	struct budget b;

	/* 9 ms [8, 10] measured: 2.06 ms is below half of 8; futex's probe is
	 * missing under the runtime, so the prediction is incomplete.  */
	compute(hand_counts, ref_costs, rt_costs, 50, 10, 9, 11, &b);
	cr_assert(b.far);
	cr_assert(strstr(budget_finding(&b), "probes that price some of its calls are missing"), "%s", budget_finding(&b));
	budget_release(&b);
	/* 0.5 ms [0.4, 0.6]: 2.06 ms is over twice 0.6.  */
	compute(hand_counts, ref_costs, rt_costs, 50, 1.5, 1.4, 1.6, &b);
	cr_assert(b.far);
	cr_assert(strstr(budget_finding(&b), "predict more"), "%s", budget_finding(&b));
	budget_release(&b);
	/* 1.2 ms [1.1, 1.3]: 2.06 ms is outside, but within a factor of 2.  */
	compute(hand_counts, ref_costs, rt_costs, 50, 2.2, 2.1, 2.3, &b);
	cr_assert_not(b.far);
	budget_release(&b);
	/* No significant change (+-1%, +-10 us): a prediction of 0 is near, one
	 * of 2.06 ms is far.  */
	compute("{}", ref_costs, rt_costs, NAN, 1.0, 0.99, 1.01, &b);
	cr_assert_float_eq(b.predicted, 0, 1e-15);
	cr_assert_not(b.far);
	cr_assert_eq(b.ntop, 0);
	budget_release(&b);
	compute(hand_counts, ref_costs, rt_costs, 50, 1.0, 0.99, 1.01, &b);
	cr_assert(b.far);
	budget_release(&b);
	/* No interval (one process a side): judged against the point.  */
	compute(hand_counts, ref_costs, rt_costs, 50, 3.2, NAN, NAN, &b);
	cr_assert(isnan(b.lo) && isnan(b.hi));
	cr_assert_not(b.far);
	budget_release(&b);
	compute(hand_counts, ref_costs, rt_costs, 50, 5.2, NAN, NAN, &b);
	cr_assert(b.far, "2.06 ms against 4.2 ms");
	budget_release(&b);
}

/* A call whose probe is not in the files names that probe; one no probe
 * prices names none.  The finding then says the prediction is incomplete,
 * not that the benchmark is CPU-bound.  */
Test(budget, an_unpriced_call_names_its_missing_probe)
{
	struct budget b;

	compute("{\"newfstatat\": 4500, \"getdents64\": 12, \"pipe2\": 1}", "{}", "{}", NAN,
		8, 7.5, 8.5, &b);
	cr_assert_eq(b.nunpriced, 3);
	cr_assert_eq(b.nmissing, 2);
	cr_assert_str_eq(b.unpriced[0].name, "newfstatat");
	cr_assert_str_eq(b.unpriced[0].probe, "file_stat");
	cr_assert_str_eq(b.unpriced[1].probe, "dir_getdents");
	cr_assert_null(b.unpriced[2].probe, "no probe prices pipe2");
	cr_assert_float_eq(b.calls, 4513, 1e-9);
	cr_assert(b.far);
	cr_assert(strstr(budget_finding(&b), "probes that price some of its calls are missing"), "%s", budget_finding(&b));
	cr_assert_null(strstr(budget_finding(&b), "CPU-bound"), "%s", budget_finding(&b));
	{
		const char *names[8];
		size_t n = 0;

		budget_missing_probes(&b, names, &n, 8);
		budget_missing_probes(&b, names, &n, 8);
		cr_assert_eq(n, 2, "each probe once");
		cr_assert_str_eq(names[0], "file_stat");
		cr_assert_str_eq(names[1], "dir_getdents");
	}
	budget_release(&b);
}

/* "CPU-bound" only of a benchmark that makes almost no system calls (under
 * one per millisecond of its time); one whose priced calls fall short is
 * told to look at what the probes do not price.  */
Test(budget, cpu_bound_only_with_almost_no_calls)
{
	struct budget b;

	compute("{}", ref_costs, rt_costs, NAN, 10, 9, 11, &b);
	cr_assert(strstr(budget_finding(&b), "CPU-bound"), "%s", budget_finding(&b));
	budget_release(&b);
	/* 0.5 brk in a 1 ms iteration, unpriced: still almost none.  */
	compute("{\"brk\": 0.5}", ref_costs, rt_costs, NAN, 10, 9, 11, &b);
	cr_assert(strstr(budget_finding(&b), "CPU-bound"), "%s", budget_finding(&b));
	budget_release(&b);
	/* 100 getpid, priced at +1 us: 0.1 ms of 9 ms.  */
	compute("{\"getpid\": 100}", ref_costs, rt_costs, NAN, 10, 9, 11, &b);
	cr_assert(b.far);
	cr_assert_eq(b.nmissing, 0);
	cr_assert_null(strstr(budget_finding(&b), "CPU-bound"), "%s", budget_finding(&b));
	cr_assert(strstr(budget_finding(&b), "more than its system calls"), "%s",
		  budget_finding(&b));
	budget_release(&b);
}

Test(budget, nothing_to_measure_against)
{
	struct budget b;

	compute(hand_counts, ref_costs, rt_costs, 50, NAN, NAN, NAN, &b);
	cr_assert_not(b.present);
	budget_release(&b);
	compute("{}", ref_costs, rt_costs, NAN, 1.0, NAN, NAN, &b);
	cr_assert(b.present);
	cr_assert(isnan(b.share), "no change measured: no share");
	budget_release(&b);
}

/* close is paid within openat's probe (openat + close): priced, adds
 * nothing; execve's probe (vfork_exec) covers its child's start-up, so the
 * probe's own calls come off the benchmark's counts.  */
Test(budget, calls_paid_within_another_probe)
{
	json_t *probes = json_loads("{\"vfork_exec\": {\"execve\": 1, \"rt_sigaction\": 120, "
				    "\"mmap\": 60, \"wait4\": 1}}", 0, NULL);
	struct budget_input in = {
		.counts = json_loads("{\"openat\": 10, \"close\": 10, \"execve\": 2, "
				     "\"rt_sigaction\": 250, \"mmap\": 100}", 0, NULL),
		.probe_counts = probes,
		.faults = NAN,
		.ref_costs = json_loads("{\"file_open_close\": 1e-6, \"vfork_exec\": 1e-3, "
					"\"syscall_getpid\": 1e-7, \"mmap_munmap\": 1e-6}", 0, NULL),
		.rt_costs = json_loads("{\"file_open_close\": 3e-6, \"vfork_exec\": 3e-3, "
				       "\"syscall_getpid\": 1.1e-6, \"mmap_munmap\": 2e-6}", 0, NULL),
		.ref_mean = 1e-2, .ratio = 1.5, .lo = 1.4, .hi = 1.6,
	};
	struct budget b;

	budget_compute(&in, &b);
	cr_assert_eq(b.nunpriced, 0, "close is priced: %zu unpriced", b.nunpriced);
	/* 10 x 2 us + 2 x 2 ms + (250 - 240) x 1 us + 0 mmap (100 - 120) */
	cr_assert_float_eq(b.predicted, 10 * 2e-6 + 2 * 2e-3 + 10 * 1e-6, 1e-12);
	cr_assert_str_eq(b.top[0].name, "execve");
	cr_assert_str_eq(b.top[1].name, "openat");
	cr_assert_str_eq(b.top[2].name, "rt_sigaction");
	cr_assert_float_eq(b.top[2].count, 10, 1e-12);
	budget_release(&b);
	/* Without the probe's counts nothing comes off.  */
	in.probe_counts = NULL;
	budget_compute(&in, &b);
	cr_assert_float_eq(b.predicted, 10 * 2e-6 + 2 * 2e-3 + 250 * 1e-6 + 100 * 1e-6, 1e-12);
	budget_release(&b);
	json_decref(probes);
	json_decref(in.counts);
	json_decref(in.ref_costs);
	json_decref(in.rt_costs);
}

/* Every row names a kernel probe that exists, and no call twice.  */
Test(budget, every_price_names_a_probe)
{
	for (size_t i = 0; i < budget_nprices; i++) {
		cr_assert_not_null(bench_registry_find(budget_prices[i].probe), "`%s`: no probe `%s`",
				   budget_prices[i].syscall, budget_prices[i].probe);
		cr_assert_str_eq(bench_registry_find(budget_prices[i].probe)->category, "kernel");
		cr_assert_eq(budget_price_of(budget_prices[i].syscall), &budget_prices[i],
			     "`%s` twice", budget_prices[i].syscall);
	}
}

Test(budget, formats)
{
	char buf[256];
	struct budget b = { .present = 1, .share = 0.953, .ntop = 1,
			    .top = { { "newfstatat", 4512, 28.1e-6, 4512 * 28.1e-6 } } };
	struct budget_term unpriced[] = { { "ioctl", 12 }, { "sysinfo", 0.5 } };

	budget_fmt_time(buf, sizeof(buf), 0.127);
	cr_assert_str_eq(buf, "+127 ms");
	budget_fmt_time(buf, sizeof(buf), -3.1e-6);
	cr_assert_str_eq(buf, "-3.10 us");
	budget_fmt_time(buf, sizeof(buf), NAN);
	cr_assert_str_eq(buf, "-");
	budget_fmt_time(buf, sizeof(buf), 0);
	cr_assert_str_eq(buf, "0");
	budget_fmt_share(buf, sizeof(buf), &b);
	cr_assert_str_eq(buf, "95%");
	b.share = -1e-4;
	budget_fmt_share(buf, sizeof(buf), &b);
	cr_assert_str_eq(buf, "0%");
	b.share = 0.953;
	budget_fmt_top(buf, sizeof(buf), &b);
	cr_assert_str_eq(buf, "newfstatat 4.51k x +28.1 us = +127 ms");
	b.unpriced = unpriced;
	b.nunpriced = 2;
	budget_fmt_unpriced(buf, sizeof(buf), &b);
	cr_assert_str_eq(buf, "ioctl 12, sysinfo 0.5");
}

/* ---- end to end ---- */

static char dir[] = "/tmp/sandbench-test-budget-XXXXXX";

static void e2e_setup(void)
{
	support_make_dir(dir);
}

static void e2e_teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(budget_e2e, .init = e2e_setup, .fini = e2e_teardown, .timeout = 900);

#define RUN(tag, ...) support_finish(dir, tag, support_start(dir, tag, NULL, \
					     (char *[]){ __VA_ARGS__, NULL }))


/* The line after `head` in text, or "".  */
static const char *line_after(const char *text, const char *head)
{
	const char *p = strstr(text, head);

	p = p ? strchr(p, '\n') : NULL;
	return p ? p + 1 : "";
}

/* The kernel probes and the two benchmarks under runc and runsc, their
 * counts natively: under gVisor a getpid is what logging_simple pays most
 * for, and a stat what pathlib pays most for.  */
Test(budget_e2e, getpid_and_newfstatat_lead_under_runsc)
{
	char *m = xasprintf("%s/m", dir), *counts = xasprintf("%s/m/syscalls.json", dir);
	char *paths[2] = { xasprintf("%s/runc.json", m), xasprintf("%s/runsc.json", m) };
	struct compare c = { 0 };
	struct compare_options o = { .min_change = 0.02 };
	struct budget_table t = { 0 };
	struct bench_error err = { 0 };
	struct cmd r;

	if (getuid() != 0 || !have("runc") || !have("strace"))
		cr_skip_test("needs root, runc, runsc and strace");
	if (!have("runsc"))
		cr_skip_test("runsc is not installed (apt-get install runsc)");
	r = RUN("matrix", "matrix", "--runtimes", "runc,runsc", "--fast", "--rounds", "1", "-b",
		"syscall_getpid,file_stat,dir_getdents,file_open_close,arena_fault,mmap_munmap,pathlib,"
		"logging_simple", "-o", m);
	cr_assert_eq(r.status, 0, "matrix failed:\n%s", r.err);
	cmd_free(&r);
	r = RUN("syscalls", "explain", "--syscalls", "-b", "pathlib,logging_simple", "-o", counts);
	cr_assert_eq(r.status, 0, "explain --syscalls failed:\n%s", r.err);
	cmd_free(&r);

	r = RUN("budget", "explain", "--budget", m, "-b", "pathlib,logging_simple");
	cr_assert_eq(r.status, 0, "explain --budget failed:\n%s", r.err);
	cr_assert_eq(strncmp(line_after(r.out, "logging_simple, runsc vs runc:"), "    getpid ", 11),
		     0, "%s", r.out);
	cr_assert_eq(strncmp(line_after(r.out, "pathlib, runsc vs runc:"), "    newfstatat ", 15),
		     0, "%s", r.out);
	cr_assert_null(strstr(r.out, "syscall_getpid,"), "only the chosen benchmarks:\n%s", r.out);
	cmd_free(&r);

	/* The same through the module, and the report's fields.  */
	cr_assert_eq(compare_load(&c, (const char *const *)paths, 2, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(budget_table_load(&t, &c, counts, &err), 1, "%s", err.msg);
	for (size_t i = 0; i < c.nbenches; i++) {
		const struct budget *b = budget_table_cell(&t, i, 1);
		const char *name = c.benches[i].name;

		cr_assert_null(budget_table_cell(&t, i, 0), "no budget for the reference");
		if (strcmp(name, "logging_simple") && strcmp(name, "pathlib"))
			continue;
		cr_assert_not_null(b, "%s", name);
		cr_assert_gt(b->predicted, 0, "%s", name);
		cr_assert_str_eq(b->top[0].name, strcmp(name, "pathlib") ? "getpid" : "newfstatat");
	}
	budget_table_release(&t);
	compare_release(&c);
	r = RUN("report", "report", m);
	cr_assert_eq(r.status, 0, "report failed:\n%s", r.err);
	cr_assert(strstr(r.out, "syscalls predict"), "%s", r.out);
	cmd_free(&r);
	{
		char *md_path = xasprintf("%s/report.md", m), *csv_path = xasprintf("%s/report.csv", m);
		char *json_path = xasprintf("%s/report.json", m);
		char *md = slurp(md_path), *csv = slurp(csv_path);
		json_t *report = load(json_path), *b;
		size_t i;

		cr_assert(strstr(md, "System-call budget, runsc vs runc"), "%s", md);
		cr_assert(strstr(csv, ",budget_predicted_s,"), "%s", csv);
		json_array_foreach(json_object_get(report, "benchmarks"), i, b) {
			json_t *budget = json_object_get(json_object_get(json_object_get(b, "runtimes"),
									 "runsc"), "budget");

			if (strcmp(json_string_value(json_object_get(b, "name")), "pathlib") == 0)
				cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
					json_object_get(budget, "top"), 0), "syscall")), "newfstatat");
		}
		json_decref(report);
		free(md);
		free(csv);
		free(md_path);
		free(csv_path);
		free(json_path);
	}
	free(paths[0]);
	free(paths[1]);
	free(counts);
	free(m);
}

/* ---- on synthetic result files ---- */

/* DIR/FILE: a result file of runtime with the benchmarks' mean times,
 * five processes of three values each, +-1% apart, each process with
 * minflt minor faults (over its 3 values of 10 loops).  */
static void write_faults(const char *file, const char *runtime, const char *const *names,
			 const double *means, size_t n, int minflt)
{
	static const double spread[] = { 1.0, 1.01, 0.99, 1.005, 0.995 };
	char *path = xasprintf("%s/%s", dir, file);
	json_t *suite = result_suite_new(json_pack("{s:s, s:s}", "runtime", runtime,
						   "sandbench_version", "0.1.0"));
	struct bench_error err = { 0 };

	for (size_t i = 0; i < n; i++) {
		json_t *b = result_benchmark_new(names[i], bench_registry_find(names[i])->category,
						 "python", 10, 1);

		for (size_t p = 0; p < 5; p++) {
			double m = means[i] * spread[p];

			json_array_append_new(json_object_get(b, "runs"), json_pack(
				"{s:{s:i, s:i}, s:[f,f,f]}", "metadata", "ru_minflt", minflt, "ru_nvcsw", 0,
				"values", m * 0.999, m, m * 1.001));
		}
		json_array_append_new(json_object_get(suite, "benchmarks"), b);
	}
	cr_assert_eq(result_write(path, suite, &err), 0, "%s", err.msg);
	json_decref(suite);
	free(path);
}

static void write_means(const char *file, const char *runtime, const char *const *names,
			const double *means, size_t n)
{
	write_faults(file, runtime, names, means, n, 0);
}

static void write_text(const char *file, const char *text)
{
	char *path = xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* The budget of benchmark name (NULL: the first) under runsc in
 * DIR/report.json; a reference that lives as long as the test.  */
static json_t *runsc_budget_of(const char *name)
{
	char *path = xasprintf("%s/report.json", dir);
	json_t *report = load(path), *b = NULL, *each, *budget;
	size_t i;

	json_array_foreach(json_object_get(report, "benchmarks"), i, each)
		if (!b && (!name || strcmp(json_string_value(json_object_get(each, "name")),
					   name) == 0))
			b = each;
	budget = json_object_get(json_object_get(json_object_get(b, "runtimes"), "runsc"),
				 "budget");
	json_incref(budget);
	json_decref(report);
	free(path);
	return budget;
}

static json_t *runsc_budget(void)
{
	return runsc_budget_of(NULL);
}

/* A matrix of pathlib alone: the budget names the probes its files lack and
 * the command that measures them in DIR/probes; once they are there, it
 * prices pathlib's calls with them, and so does the report.  */
Test(budget_e2e, a_matrix_without_its_probes_names_them_and_how_to_add_them)
{
	const char *bench[] = { "pathlib" }, *probes[] = { "file_stat", "dir_getdents" };
	const char *open_close[] = { "file_open_close" };
	char *sub = xasprintf("%s/" BUDGET_PROBES_DIR, dir), *cmd;
	json_t *budget;
	struct cmd r;

	write_means("runc.json", "runc", bench, (double[]){ 0.026 }, 1);
	write_means("runsc.json", "runsc", bench, (double[]){ 0.2 }, 1);
	write_text("syscalls.json", "{\"benchmarks\": {\"pathlib\": {\"newfstatat\": 4500, "
		   "\"getdents64\": 12, \"openat\": 4, \"pipe2\": 1}, \"dir_getdents\": "
		   "{\"lseek\": 1, \"getdents64\": 1}, \"file_open_close\": {\"openat\": 1, "
		   "\"close\": 1}}}");
	write_text("matrix.json", "{\"runtimes\": [\"runc\", \"runsc\"], \"profile\": "
		   "\"fast\", \"engine\": \"oci\", \"design\": \"lockstep\"}");
	r = RUN("missing", "explain", "--budget", dir);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cmd = xasprintf("sandbench matrix --runtimes runc,runsc --fast -b file_stat,dir_getdents,"
			"file_open_close -o %s", sub);
	cr_assert(strstr(r.out, cmd), "no `%s` in:\n%s", cmd, r.out);
	cr_assert(strstr(r.out, "newfstatat 4.5k (file_stat)"), "%s", r.out);
	cr_assert(strstr(r.out, "pipe2 1"), "%s", r.out);
	cr_assert_null(strstr(r.out, "CPU-bound"), "%s", r.out);
	cmd_free(&r);
	r = RUN("report-missing", "report", dir);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "0 (0%) incomplete"), "%s", r.out);
	cmd_free(&r);
	budget = runsc_budget();
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(budget,
		"missing_probes"), 0)), "file_stat");
	json_decref(budget);

	cr_assert_eq(mkdir(sub, 0700), 0);
	write_means(BUDGET_PROBES_DIR "/runc.json", "runc", probes, (double[]){ 1e-6, 2e-6 }, 2);
	write_means(BUDGET_PROBES_DIR "/runsc.json", "runsc", probes, (double[]){ 3.9e-5, 5e-5 },
		    2);
	/* One still missing: the next folder, DIR/probes-2, not DIR/probes.  */
	r = RUN("one-left", "explain", "--budget", dir);
	cr_assert_eq(r.status, 0, "%s", r.err);
	free(cmd);
	cmd = xasprintf("sandbench matrix --runtimes runc,runsc --fast -b file_open_close -o %s-2",
			sub);
	cr_assert(strstr(r.out, cmd), "no `%s` in:\n%s", cmd, r.out);
	cmd_free(&r);
	free(sub);
	sub = xasprintf("%s/" BUDGET_PROBES_DIR "-2", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	write_means(BUDGET_PROBES_DIR "-2/runc.json", "runc", open_close, (double[]){ 2e-6 }, 1);
	write_means(BUDGET_PROBES_DIR "-2/runsc.json", "runsc", open_close, (double[]){ 4e-6 }, 1);
	r = RUN("priced", "explain", "--budget", dir);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "newfstatat 4.5k x +38.0 us = +171 ms"), "%s", r.out);
	cr_assert_null(strstr(r.out, "sandbench matrix"), "nothing left to measure:\n%s", r.out);
	cr_assert_null(strstr(r.out, "far from"), "%s", r.out);
	cmd_free(&r);
	r = RUN("report", "report", dir);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "syscalls predict"), "%s", r.out);
	cmd_free(&r);
	budget = runsc_budget();
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(budget, "top"), 0), "syscall")), "newfstatat");
	cr_assert_eq(json_array_size(json_object_get(budget, "missing_probes")), 0);
	json_decref(budget);
	free(cmd);
	free(sub);
}

/* The page faults' term, on a hand-made folder: the reference's faults
 * per iteration (runsc reports none, as gVisor) x arena_fault's difference
 * less its calls' share, in the text, report.json and budget.svg.  */
Test(budget_e2e, page_faults_are_a_term_of_their_own)
{
	const char *names[] = { "logging_simple", "syscall_getpid", "arena_fault", "mmap_munmap" };
	/* 30 faults a process of 3 values x 10 loops: 1 an iteration.  */
	double fault = (15.6e-6 - 11.4e-6) - 2.0 / 256 * (155e-6 - 2.8e-6), want = 61e-6 + fault;
	char *svg_path = xasprintf("%s/budget.svg", dir), *svg, *line;
	json_t *budget, *faults;
	struct cmd r;

	write_faults("runc.json", "runc", names, (double[]){ 10e-6, 1e-6, 11.4e-6, 2.8e-6 }, 4,
		     30);
	write_faults("runsc.json", "runsc", names, (double[]){ 10e-6 + want, 62e-6, 15.6e-6,
							       155e-6 }, 4, 0);
	write_text("syscalls.json", "{\"benchmarks\": {\"logging_simple\": {\"getpid\": 1}}}");
	r = RUN("faults", "explain", "--budget", dir, "-b", "logging_simple");
	cr_assert_eq(r.status, 0, "%s", r.err);
	line = xasprintf("(page faults) 1 x +%.2f us = +%.2f us", fault * 1e6, fault * 1e6);
	cr_assert(strstr(r.out, line), "no `%s` in:\n%s", line, r.out);
	cr_assert(strstr(r.out, "(100%)"), "%s", r.out);
	cmd_free(&r);
	r = RUN("faults-report", "report", dir);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cmd_free(&r);
	budget = runsc_budget_of("logging_simple");
	faults = json_object_get(budget, "page_faults");
	cr_assert_float_eq(json_number_value(json_object_get(faults, "faults")), 1, 1e-9);
	cr_assert_float_eq(json_number_value(json_object_get(faults, "contribution_s")), fault,
			   1e-12);
	cr_assert_float_eq(json_number_value(json_object_get(budget, "predicted_s")), want, 1e-12);
	json_decref(budget);
	svg = slurp(svg_path);
	cr_assert(strstr(svg, "data-call=\"(page faults)\""), "%s", svg);
	free(svg);
	free(svg_path);
	free(line);
}

/* Counts of other benchmarks, or from another version, are refused with
 * the command that makes matching ones; report leaves the budget out.  */
Test(budget_e2e, counts_that_do_not_match_the_matrix_are_refused)
{
	const char *bench[] = { "pathlib", "nbody" };
	char *want = xasprintf("sandbench explain --syscalls -b pathlib,nbody -o %s/syscalls.json "
			       "--force", dir);
	struct cmd r;

	write_means("runc.json", "runc", bench, (double[]){ 0.026, 0.1 }, 2);
	write_means("runsc.json", "runsc", bench, (double[]){ 0.2, 0.1 }, 2);
	write_text("syscalls.json", "{\"benchmarks\": {\"logging_simple\": {\"getpid\": 1}}}");
	r = RUN("others", "explain", "--budget", dir);
	cr_assert_eq(r.status, 2, "%s", r.out);
	cr_assert(strstr(r.err, "counts none of the matrix's benchmarks"), "%s", r.err);
	cr_assert(strstr(r.err, want), "no `%s` in:\n%s", want, r.err);
	cmd_free(&r);
	/* A report is made all the same, without the budget, saying why.  */
	r = RUN("report-others", "report", dir);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, want) && strstr(r.err, "budget is left out"), "%s", r.err);
	cr_assert_null(strstr(r.out, "syscalls predict"), "%s", r.out);
	cmd_free(&r);
	write_text("syscalls.json", "{\"sandbench_version\": \"0.0.1\", \"benchmarks\": "
		   "{\"pathlib\": {\"newfstatat\": 4500}}}");
	r = RUN("version", "explain", "--budget", dir);
	cr_assert_eq(r.status, 2, "%s", r.out);
	cr_assert(strstr(r.err, "sandbench 0.0.1") && strstr(r.err, want), "%s", r.err);
	cmd_free(&r);
	/* Counts made before a call's price came to cover other calls lack
	 * the covering probe's own: its calls would be priced twice.  */
	write_text("syscalls.json", "{\"benchmarks\": {\"pathlib\": {\"newfstatat\": 4500, "
		   "\"execve\": 1, \"mmap\": 62}}}");
	r = RUN("cover", "explain", "--budget", dir);
	cr_assert_eq(r.status, 2, "%s", r.out);
	cr_assert(strstr(r.err, "lacks the counts of `vfork_exec`") && strstr(r.err, want), "%s",
		  r.err);
	cmd_free(&r);
	free(want);
}

/* A folder without counts, or with a file that is not theirs, says so.  */
Test(budget_e2e, explain_budget_needs_the_counts)
{
	char *counts = xasprintf("%s/syscalls.json", dir);
	struct cmd r = RUN("none", "explain", "--budget", dir);
	FILE *f;

	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "syscalls.json") && strstr(r.err, "explain --syscalls"), "%s", r.err);
	cmd_free(&r);
	f = fopen(counts, "w");
	cr_assert_not_null(f);
	fputs("{\"counts\": 1}\n", f);
	fclose(f);
	r = RUN("bad", "explain", "--budget", dir);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "not the output of `explain --syscalls`"), "%s", r.err);
	cmd_free(&r);
	r = RUN("both", "explain", "--budget", dir, "--syscalls");
	cr_assert_eq(r.status, 2);
	cmd_free(&r);
	free(counts);
}

/* A counts file that is not JSON says where it breaks, not only that it is
 * not explain's output.  */
Test(budget, a_counts_file_that_is_not_json_says_where)
{
	char tmp[] = "/tmp/sandbench-test-budget-XXXXXX";
	struct budget_table t;
	struct compare c = { 0 };
	struct bench_error err = { 0 };
	char *path;
	FILE *f;

	support_make_dir(tmp);
	path = xasprintf("%s/syscalls.json", tmp);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("{\"benchmarks\": {\n", f);
	fclose(f);
	cr_assert_eq(budget_table_load(&t, &c, path, &err), -1);
	cr_assert(strstr(err.msg, "not the output of `explain --syscalls`"), "%s", err.msg);
	cr_assert(strstr(err.msg, "not valid JSON: "), "%s", err.msg);
	cr_assert(strstr(err.msg, "at line 2, column "), "%s", err.msg);
	support_remove_dir(tmp);
	free(path);
}

/* A count is a number of calls: one below zero (or not a number) is
 * refused, naming the benchmark and the call.  */
Test(budget, a_negative_count_is_refused)
{
	char tmp[] = "/tmp/sandbench-test-budget-XXXXXX";
	struct compare_bench bench = { .name = "pathlib" };
	struct compare_runtime rt = { 0 };
	struct compare c = { .benches = &bench, .nbenches = 1, .runtimes = &rt, .nruntimes = 1 };
	const char *bad[] = { "-5", "\"many\"" };
	struct budget_table t;
	char *path;

	support_make_dir(tmp);
	path = xasprintf("%s/syscalls.json", tmp);
	for (size_t i = 0; i < 2; i++) {
		struct bench_error err = { 0 };
		FILE *f = fopen(path, "w");

		cr_assert_not_null(f);
		fprintf(f, "{\"benchmarks\": {\"pathlib\": {\"getpid\": 1, \"newfstatat\": %s}}}\n",
			bad[i]);
		fclose(f);
		cr_assert_eq(budget_table_load(&t, &c, path, &err), -1, "%s accepted", bad[i]);
		cr_assert(strstr(err.msg, "pathlib") && strstr(err.msg, "newfstatat"), "%s", err.msg);
	}
	support_remove_dir(tmp);
	free(path);
}
