/* End-to-end tests of the binary ($SANDBENCH, set by `make test`).  */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-cli-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(getenv("SANDBENCH"), "run through `make test`, which sets $SANDBENCH");
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 300);

static pid_t start(char *const argv[])
{
	return support_start(dir, "cmd", NULL, argv);
}

static struct cmd finish(pid_t pid)
{
	return support_finish(dir, "cmd", pid);
}

#define RUN(...) finish(start((char *[]){ __VA_ARGS__, NULL }))

static json_t *bench_named(json_t *suite, const char *name)
{
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(suite, "benchmarks"), i, b)
		if (strcmp(json_string_value(json_object_get(json_object_get(b, "metadata"), "name")),
			   name) == 0)
			return b;
	return NULL;
}

/* A benchmark of the file: its loops, unit, positive values, processes.  */
static void check_bench_range(json_t *suite, const char *name, size_t min_processes,
			      size_t max_processes, size_t values)
{
	json_t *b = bench_named(suite, name), *md, *r;
	size_t i, with_values = 0;

	cr_assert_not_null(b, "benchmark `%s` missing", name);
	md = json_object_get(b, "metadata");
	cr_assert_str_eq(json_string_value(json_object_get(md, "unit")), "second");
	cr_assert_geq(json_integer_value(json_object_get(md, "loops")), 1);
	json_array_foreach(json_object_get(b, "runs"), i, r) {
		json_t *vals = json_object_get(r, "values"), *v;
		size_t j;
		if (!vals) {
			cr_assert_eq(json_integer_value(json_object_get(json_object_get(r, "metadata"),
									"calibrate_loops")),
				     json_integer_value(json_object_get(md, "loops")),
				     "a run without values must be the calibration");
			continue;
		}
		with_values++;
		cr_assert_eq(json_array_size(vals), values);
		json_array_foreach(vals, j, v)
			cr_assert_gt(json_real_value(v), 0);
		cr_assert_geq(json_real_value(json_object_get(json_object_get(r, "metadata"),
							      "ru_utime_s")), 0);
	}
	cr_assert(with_values >= min_processes && with_values <= max_processes,
		  "`%s`: %zu runs with values, expected %zu to %zu", name, with_values,
		  min_processes, max_processes);
}

static void check_bench(json_t *suite, const char *name, size_t processes, size_t values)
{
	check_bench_range(suite, name, processes, processes, values);
}

Test(cli, fast_run_writes_a_pyperf_file)
{
	char *out = path_in("fast.json");
	struct cmd c = RUN("run", "--fast", "-b", "richards,syscall_getpid", "-o", out);
	json_t *suite;

	cr_assert_eq(c.status, 0, "stderr: %s", c.err);
	suite = load(out);
	cr_assert_str_eq(json_string_value(json_object_get(suite, "version")), "1.0");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(suite, "metadata"),
							   "python_implementation")), "cpython");
	cr_assert_eq(json_array_size(json_object_get(suite, "benchmarks")), 2);
	/* --fast stops adding processes at a 2% half-width, after 3 at least,
	 * and at 16 at most.  */
	check_bench_range(suite, "richards", 3, 16, 2);
	check_bench_range(suite, "syscall_getpid", 3, 16, 2);
	cr_assert(strstr(c.out, "richards") && strstr(c.out, "ok"), "summary: %s", c.out);
	cr_assert(strstr(c.err, "[2/2] syscall_getpid"), "progress: %s", c.err);
	json_decref(suite);
	cmd_free(&c);
	free(out);
}

Test(cli, calibration_reaches_min_time)
{
	char *out = path_in("cal.json");
	struct cmd c = RUN("run", "-p", "1", "-n", "1", "--min-time", "0.02", "-b",
			   "syscall_getpid", "-o", out);
	json_t *suite, *warmups, *runs;
	size_t n;
	double last, before;
	long long loops, last_loops;

	cr_assert_eq(c.status, 0, "stderr: %s", c.err);
	suite = load(out);
	warmups = json_object_get(json_array_get(json_object_get(bench_named(suite, "syscall_getpid"),
								 "runs"), 0), "warmups");
	n = json_array_size(warmups);
	cr_assert_geq(n, 2);
	last_loops = json_integer_value(json_array_get(json_array_get(warmups, n - 1), 0));
	last = json_real_value(json_array_get(json_array_get(warmups, n - 1), 1)) * (double)last_loops;
	before = json_real_value(json_array_get(json_array_get(warmups, n - 2), 1)) *
		 (double)json_integer_value(json_array_get(json_array_get(warmups, n - 2), 0));
	loops = json_integer_value(json_object_get(json_object_get(bench_named(suite, "syscall_getpid"),
								   "metadata"), "loops"));
	cr_assert_eq(loops, last_loops);
	cr_assert_geq(last, 0.02, "the calibrated value lasts %g s", last);
	cr_assert_lt(before, 0.02, "calibration went one doubling too far (%g s)", before);
	/* -p 1: the calibrating process is the one process, and it measures.  */
	runs = json_object_get(bench_named(suite, "syscall_getpid"), "runs");
	cr_assert_eq(json_array_size(runs), 1);
	cr_assert_eq(json_array_size(json_object_get(json_array_get(runs, 0), "values")), 1);
	json_decref(suite);
	cmd_free(&c);
	free(out);

	/* -p 0: calibration only, no values.  */
	out = path_in("cal0.json");
	c = RUN("run", "-p", "0", "-b", "syscall_getpid", "-o", out);
	cr_assert_eq(c.status, 0, "stderr: %s", c.err);
	suite = load(out);
	runs = json_object_get(bench_named(suite, "syscall_getpid"), "runs");
	cr_assert_eq(json_array_size(runs), 1);
	cr_assert_null(json_object_get(json_array_get(runs, 0), "values"));
	cr_assert_gt(json_integer_value(json_object_get(json_object_get(bench_named(suite,
		"syscall_getpid"), "metadata"), "loops")), 1);
	json_decref(suite);
	cmd_free(&c);
	free(out);
}

Test(cli, bad_names_exit_2_and_list_valid_ones)
{
	struct cmd c = RUN("run", "-b", "nbody,nosuch", "-o", "/nonexistent/x.json");
	cr_assert_eq(c.status, 2);
	cr_assert(strstr(c.err, "unknown benchmark `nosuch`") && strstr(c.err, "richards"), "%s", c.err);
	cmd_free(&c);

	c = RUN("list", "-c", "nosuch");
	cr_assert_eq(c.status, 2);
	cr_assert(strstr(c.err, "unknown category `nosuch`") && strstr(c.err, "scimark"), "%s", c.err);
	cmd_free(&c);

	c = RUN("run", "--fast", "--rigorous");
	cr_assert_eq(c.status, 2);
	cmd_free(&c);

	c = RUN("run", "-p", "zero");
	cr_assert_eq(c.status, 2);
	cr_assert(strstr(c.err, "--processes `zero`"), "%s", c.err);
	cmd_free(&c);

	c = RUN("frobnicate");
	cr_assert_eq(c.status, 2);
	cr_assert(strstr(c.err, "unknown command `frobnicate`"), "%s", c.err);
	cmd_free(&c);
}

/* Two lanes of one label would write the same round files: a plan read
 * back (matrix.json, which --resume trusts) must not list one twice.  */
Test(cli, resume_refuses_a_plan_that_lists_a_runtime_twice)
{
	char *folder = xasprintf("%s/twice", dir), *plan = xasprintf("%s/matrix.json", folder);
	FILE *f;
	struct cmd c;

	cr_assert_eq(mkdir(folder, 0755), 0);
	f = fopen(plan, "w");
	cr_assert_not_null(f);
	fputs("{\"runtimes\": [\"native\", \"native\"], \"rounds\": 1, \"seed\": 1, "
	      "\"timeout\": 60, \"benchmarks\": \"syscall_getpid\", \"profile\": \"smoke\", "
	      "\"image\": \"i\", \"done\": {}}\n", f);
	fclose(f);
	c = RUN("matrix", "--resume", folder);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "runtime `native` twice in the plan"), "%s", c.err);
	cmd_free(&c);
	free(plan);
	free(folder);
}

Test(cli, existing_output_needs_force_or_append)
{
	char *out = path_in("exists.json");
	struct cmd c = RUN("run", "--smoke", "-b", "syscall_getpid", "-o", out);
	json_t *suite;

	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
	c = RUN("run", "--smoke", "-b", "syscall_getpid", "-o", out);
	cr_assert_eq(c.status, 2);
	cr_assert(strstr(c.err, "exists") && strstr(c.err, "--force"), "%s", c.err);
	cmd_free(&c);

	c = RUN("run", "--smoke", "-b", "syscall_getpid,python_startup_no_site", "--append", "-o", out);
	cr_assert_eq(c.status, 0, "%s", c.err);
	suite = load(out);
	cr_assert_eq(json_array_size(json_object_get(suite, "benchmarks")), 2);
	check_bench(suite, "syscall_getpid", 2, 1);
	json_decref(suite);
	cmd_free(&c);

	c = RUN("run", "--smoke", "-b", "syscall_getpid", "--force", "-o", out);
	cr_assert_eq(c.status, 0, "%s", c.err);
	suite = load(out);
	cr_assert_eq(json_array_size(json_object_get(suite, "benchmarks")), 1);
	json_decref(suite);
	cmd_free(&c);
	free(out);
}

/* A workloads folder where math/float raises and math/nbody kills itself.  */
static char *broken_workloads(void)
{
	char *wd = path_in("workloads"), *cmd;
	FILE *f;

	cmd = xasprintf("mkdir -p '%s/math' && cp '%s'/categories/misc/richards.py '%s/math/'",
			wd, getenv("SANDBENCH_ROOT"), wd);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	cmd = xasprintf("%s/math/float.py", wd);
	f = fopen(cmd, "w");
	fputs("def setup():\n    return 1\n\ndef run(state, loops):\n"
	      "    raise ValueError('the float workload is broken on purpose')\n", f);
	fclose(f);
	free(cmd);
	cmd = xasprintf("%s/math/nbody.py", wd);
	f = fopen(cmd, "w");
	fputs("import os, signal\n\ndef setup():\n    return 1\n\ndef run(state, loops):\n"
	      "    os.kill(os.getpid(), signal.SIGKILL)\n", f);
	fclose(f);
	free(cmd);
	cmd = xasprintf("mkdir -p '%s/misc' && echo 'import pyaes_is_not_here' > '%s/misc/crypto_pyaes.py'",
			wd, wd);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	return wd;
}

Test(cli, failures_are_reported_and_the_rest_goes_on)
{
	char *out = path_in("fail.json"), *wd = broken_workloads();
	struct cmd c = RUN("run", "--smoke", "--workloads-dir", wd, "-b",
			   "float,nbody,crypto_pyaes,syscall_getpid", "-o", out);
	json_t *suite;

	cr_assert_eq(c.status, 1, "a failed benchmark makes the exit status 1: %s", c.err);
	cr_assert(strstr(c.out, "skipped: install the Debian package python3-pyaes"), "%s", c.out);
	cr_assert(strstr(c.err, "ValueError: the float workload is broken on purpose"), "%s", c.err);
	cr_assert(strstr(c.err, "Traceback"), "the traceback must be shown: %s", c.err);
	cr_assert(strstr(c.err, "killed by signal 9"), "%s", c.err);
	cr_assert(strstr(c.out, "FAILED"), "%s", c.out);
	suite = load(out);
	cr_assert_eq(json_array_size(json_object_get(suite, "benchmarks")), 1);
	check_bench(suite, "syscall_getpid", 1, 1);
	json_decref(suite);
	cmd_free(&c);
	free(wd);
	free(out);
}

Test(cli, interrupt_keeps_finished_benchmarks)
{
	char *out = path_in("int.json"), *wd = support_hanging_workloads(dir);
	pid_t pid = start((char *[]){ "run", "--smoke", "--workloads-dir", wd, "-b",
				      "float,nbody,syscall_getpid", "-o", out, NULL });
	struct stat st;
	struct cmd c;
	json_t *suite;

	/* The file appears when float is done; then interrupt the hung nbody.  */
	for (int i = 0; i < 6000 && stat(out, &st) < 0; i++)
		usleep(10000);
	cr_assert_eq(stat(out, &st), 0, "the first benchmark never finished");
	usleep(200000);
	kill(pid, SIGINT);
	c = finish(pid);
	cr_assert_eq(c.status, 130, "status %d: %s", c.status, c.err);
	cr_assert(strstr(c.err, "interrupted"), "%s", c.err);
	cr_assert(strstr(c.out, "not run"), "the rest is listed as not run: %s", c.out);
	suite = load(out);
	cr_assert_eq(json_array_size(json_object_get(suite, "benchmarks")), 1);
	check_bench(suite, "float", 1, 1);
	json_decref(suite);
	cmd_free(&c);
	free(wd);
	free(out);
}

Test(cli, hung_worker_is_killed_at_the_timeout)
{
	char *out = path_in("hang.json"), *wd = support_hanging_workloads(dir);
	struct cmd c = RUN("run", "--smoke", "--timeout", "1", "--workloads-dir", wd, "-b",
			   "nbody,syscall_getpid", "-o", out);
	json_t *suite;

	cr_assert_eq(c.status, 1, "%s", c.err);
	cr_assert(strstr(c.err, "`nbody`: the worker ran past the timeout of 1 s"), "%s", c.err);
	suite = load(out);
	check_bench(suite, "syscall_getpid", 1, 1);
	json_decref(suite);
	cmd_free(&c);
	free(wd);
	free(out);
}

Test(cli, timeit_measures_a_statement)
{
	char *out = path_in("timeit.json");
	struct cmd c = RUN("timeit", "-p", "3", "-n", "2", "--min-time", "0.01", "-s",
			   "data = list(range(1000))", "-o", out, "sorted(data)");
	json_t *suite;

	cr_assert_eq(c.status, 0, "%s", c.err);
	suite = load(out);
	check_bench(suite, "timeit", 3, 2);
	json_decref(suite);
	cmd_free(&c);

	c = RUN("timeit", "-p", "1", "1 +* 2");
	cr_assert_eq(c.status, 1);
	cr_assert(strstr(c.err, "SyntaxError"), "%s", c.err);
	cmd_free(&c);
	free(out);
}

/* Debian's extension modules (lib-dynload) take Python's symbols from the
 * executable: they must import in a worker whether libpython is linked
 * statically (exported with -export-dynamic) or shared, and the result says
 * which linkage ran.  */
#define DYNLOAD_IMPORTS "import _decimal, _ctypes, pyexpat; " \
	"assert '/lib-dynload/' in _decimal.__file__, _decimal.__file__"

Test(cli, extension_modules_import_in_a_worker)
{
	char *out = path_in("dynload.json");
	struct cmd c = RUN("timeit", "-p", "1", "-n", "1", "-w", "0", "-l", "1", "-s",
			   DYNLOAD_IMPORTS, "-o", out, "_decimal.Decimal(1) / 3");
	const char *want = getenv("SANDBENCH_PYTHON_LINK");
	json_t *suite;

	cr_assert_eq(c.status, 0, "%s", c.err);
	cr_assert_not_null(want, "run through `make test`, which sets $SANDBENCH_PYTHON_LINK");
	suite = load(out);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(suite, "metadata"),
							   "python_link")), want);
	json_decref(suite);
	cmd_free(&c);
	free(out);
}

Test(cli, help_and_version)
{
	const char *cmds[] = { "list", "run", "timeit", "env" };
	struct cmd c = RUN("--version");

	cr_assert_eq(c.status, 0);
	cr_assert(strstr(c.out, "sandbench "), "%s", c.out);
	cmd_free(&c);
	c = RUN("--help");
	cr_assert_eq(c.status, 0);
	cr_assert(strstr(c.out, "commands:"), "%s", c.out);
	cmd_free(&c);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		c = RUN((char *)cmds[i], "--help");
		cr_assert_eq(c.status, 0);
		cr_assert(strstr(c.out, "usage: sandbench"), "%s --help: %s", cmds[i], c.out);
		cmd_free(&c);
	}
}

Test(cli, env_prints_metadata)
{
	struct cmd c = RUN("env");
	json_t *md = json_loads(c.out, 0, NULL);

	cr_assert_eq(c.status, 0);
	cr_assert_not_null(md, "%s", c.out);
	cr_assert_gt(json_integer_value(json_object_get(md, "cpu_count")), 0);
	cr_assert_not_null(json_string_value(json_object_get(md, "runtime_detected")));
	cr_assert(strstr(json_string_value(json_object_get(md, "python_version")), "3.11"));
	json_decref(md);
	cmd_free(&c);
}

/* The half-width of the first k per-process means, in percent of their mean,
 * as the runner computes it to decide whether to stop.  */
static double halfwidth_pct_of_first(json_t *runs, size_t k)
{
	double means[16];
	json_t *r;
	size_t i;

	cr_assert_leq(k, 16);
	json_array_foreach(runs, i, r) {
		json_t *vals = json_object_get(r, "values"), *v;
		size_t j;
		if (i == k)
			break;
		means[i] = 0;
		json_array_foreach(vals, j, v)
			means[i] += json_real_value(v) / (double)json_array_size(vals);
	}
	return 100 * stats_ci95_halfwidth(means, k) / stats_mean(means, k);
}

Test(cli, adaptive_stop_needs_three_processes_and_records_the_precision)
{
	char *out = path_in("adaptive.json");
	struct cmd c = RUN("run", "-b", "syscall_getpid", "-p", "10", "--target", "100",
			   "--min-time", "0.01", "-o", out);
	json_t *suite, *md, *runs;
	double hw;
	size_t processes;

	cr_assert_eq(c.status, 0, "%s", c.err);
	suite = load(out);
	md = json_object_get(bench_named(suite, "syscall_getpid"), "metadata");
	runs = json_object_get(bench_named(suite, "syscall_getpid"), "runs");
	hw = json_real_value(json_object_get(md, "ci95_halfwidth_pct"));
	/* 3 processes at least (hash seeds; the first also calibrates), 10 at
	 * most; the run stops at the first count from 3 on whose half-width
	 * meets the target, and records the half-width of what it kept.  A
	 * quiet machine meets a 100% target with the first 3.  */
	processes = json_array_size(runs);
	cr_assert(processes >= 3 && processes <= 10, "%zu processes", processes);
	cr_assert_gt(hw, 0);
	cr_assert_float_eq(hw, halfwidth_pct_of_first(runs, processes), 1e-6 * hw,
			   "the recorded half-width is that of the %zu processes' means", processes);
	for (size_t k = 3; k < processes; k++)
		cr_assert_gt(halfwidth_pct_of_first(runs, k), 100,
			     "the first %zu processes met the target, yet the run went on to %zu",
			     k, processes);
	if (processes < 10)
		cr_assert_leq(hw, 100, "stopped at %zu processes with a half-width of %g%%", processes, hw);
	json_decref(suite);
	cmd_free(&c);
	free(out);
}

static double sys_share_of(const char *table, const char *name)
{
	const char *line = strstr(table, name);
	char bench[64], category[64], time_v[32], unit[16];
	double sys = -1;

	cr_assert_not_null(line, "`%s` missing from:\n%s", name, table);
	cr_assert_eq(sscanf(line, "%63s %63s %31s %15s %lf%%", bench, category, time_v, unit, &sys), 5,
		     "cannot read: %.120s", line);
	return sys;
}

Test(cli, explain_shows_where_the_time_goes)
{
	char *out = path_in("explain.json");
	struct cmd c = RUN("run", "-p", "2", "-n", "1", "-w", "0", "--loops", "3", "-b",
			   "nbody,pathlib", "-o", out);

	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
	c = RUN("explain", out);
	cr_assert_eq(c.status, 0, "%s", c.err);
	cr_assert(strstr(c.out, "sys%") && strstr(c.out, "minflt") && strstr(c.out, "rw-sysc"), "%s", c.out);
	cr_assert_gt(sys_share_of(c.out, "pathlib"), sys_share_of(c.out, "nbody") + 10,
		     "pathlib lives in the kernel, nbody does not:\n%s", c.out);
	cmd_free(&c);

	c = RUN("explain", "/nonexistent/file.json");
	cr_assert_eq(c.status, 2);
	cr_assert(strstr(c.err, "/nonexistent/file.json"), "%s", c.err);
	cmd_free(&c);
	free(out);
}

Test(cli, explain_counts_system_calls_by_name)
{
	char *out = path_in("syscalls.json");
	struct cmd c;
	json_t *doc, *benches;
	double getpid, stat;

	if (system("command -v strace >/dev/null 2>&1") != 0)
		cr_skip_test("strace is not installed (apt-get install strace)");
	c = RUN("explain", "--syscalls", "-b", "logging_simple,pathlib", "-o", out);
	cr_assert_eq(c.status, 0, "%s\n%s", c.out, c.err);
	cr_assert(strstr(c.out, "getpid: 1"), "one getpid per logging call:\n%s", c.out);
	doc = load(out);
	benches = json_object_get(doc, "benchmarks");
	getpid = json_real_value(json_object_get(json_object_get(benches, "logging_simple"), "getpid"));
	stat = json_real_value(json_object_get(json_object_get(benches, "pathlib"), "newfstatat"));
	cr_assert(getpid > 0.95 && getpid < 1.05, "getpid per logging call: %g", getpid);
	cr_assert_gt(stat, 4000, "pathlib stats every one of 2000 files twice: %g", stat);
	json_decref(doc);
	cmd_free(&c);
	free(out);
}

/* Every workload runs once and passes its own check.  */
Test(cli, smoke_runs_the_whole_catalogue, .timeout = 600)
{
	char *out = path_in("smoke.json");
	struct cmd c = RUN("run", "--smoke", "-o", out);
	struct cmd l = RUN("list");
	json_t *suite;
	size_t listed = 0;

	cr_assert_eq(c.status, 0, "a workload failed:\n%s\n%s", c.out, c.err);
	cr_assert_null(strstr(c.out, "FAILED"), "%s", c.out);
	cr_assert_null(strstr(c.out, "skipped"), "every dependency is installed by make test:\n%s", c.out);
	for (const char *p = l.out; (p = strstr(p, "\n")); p++)
		listed++;
	suite = load(out);
	/* `list` prints a header, one line per benchmark and a count.  */
	cr_assert_eq(json_array_size(json_object_get(suite, "benchmarks")), listed - 2,
		     "every listed benchmark has a result");
	json_decref(suite);
	cmd_free(&c);
	cmd_free(&l);
	free(out);
}

/* Output lost to a closed stdout is a write error, as coreutils say it:
 * `sandbench list >&-` exits non-zero.  */
Test(cli, a_closed_stdout_is_a_write_error)
{
	static const char *const cmds[][3] = { { "list" }, { "--help" }, { "list", "--help" } };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int status;
		pid_t pid = fork();

		cr_assert_geq(pid, 0);
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 2);
			close(1);
			execl(getenv("SANDBENCH"), "sandbench", cmds[i][0], cmds[i][1], (char *)NULL);
			_exit(127);
		}
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "%s %s: status %d", cmds[i][0],
			  cmds[i][1] ? cmds[i][1] : "", status);
	}
}
