/* `run --workers forked`: processes forked from templates, end to end.  */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/util.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-forked-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(getenv("SANDBENCH"), "run through `make test`, which sets $SANDBENCH");
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(forked, .init = setup, .fini = teardown, .timeout = 300);

#define RUN(...) support_run(dir, "cmd", (char *[]){ __VA_ARGS__, NULL })

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

static json_int_t md_int(json_t *run, const char *key)
{
	json_t *v = json_object_get(json_object_get(run, "metadata"), key);

	cr_assert(json_is_integer(v), "run metadata `%s` missing", key);
	return json_integer_value(v);
}

/* Whether v is among the first n of seen.  */
static int seen_before(const json_int_t *seen, size_t n, json_int_t v)
{
	for (size_t i = 0; i < n; i++)
		if (seen[i] == v)
			return 1;
	return 0;
}

/* 12 processes, a template every 4: each process its own pid, three
 * templates (generations 1 to 3), each with its own hash seed, which the
 * processes it forked share (the seed is fixed when an interpreter starts:
 * only a new template renews it).  */
Test(forked, each_process_has_its_pid_and_templates_are_renewed)
{
	char *out = path_in("forked.json");
	struct cmd c = RUN("run", "--workers", "forked", "-b", "float", "-p", "12", "-n", "1",
			   "-w", "0", "-l", "2", "-o", out);
	json_int_t pids[12], templates[12], seeds[4] = { 0 };
	size_t ntemplates = 0;
	json_t *suite, *b, *runs, *r;
	size_t i;

	cr_assert_eq(c.status, 0, "%s", c.err);
	suite = load(out);
	b = bench_named(suite, "float");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(b, "metadata"),
							   "worker_processes")), "forked");
	runs = json_object_get(b, "runs");
	cr_assert_eq(json_array_size(runs), 12);
	json_array_foreach(runs, i, r) {
		json_int_t gen = md_int(r, "worker_template_generation");
		json_int_t tpl = md_int(r, "worker_template_pid");

		cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "metadata"),
								   "worker_process")), "forked");
		pids[i] = md_int(r, "worker_pid");
		cr_assert(!seen_before(pids, i, pids[i]), "pid %lld twice", (long long)pids[i]);
		cr_assert_eq(gen, (json_int_t)(i / 4 + 1), "run %zu of generation %lld", i,
			     (long long)gen);
		cr_assert_eq(md_int(r, "worker_template_fork"), (json_int_t)(i % 4 + 1));
		cr_assert_neq(tpl, pids[i], "forked, not the template itself");
		if (!seen_before(templates, ntemplates, tpl))
			templates[ntemplates++] = tpl;
		if (i % 4 == 0)
			seeds[gen] = md_int(r, "python_hash_seed");
		cr_assert_eq(md_int(r, "python_hash_seed"), seeds[gen], "one seed per template");
	}
	cr_assert_eq(ntemplates, 3, "a new template every 4 processes");
	cr_assert(seeds[1] != seeds[2] || seeds[2] != seeds[3], "renewed templates, new seeds");
	json_decref(suite);
	cmd_free(&c);
	free(out);
}

/* A target met at once still takes processes of two templates: one
 * template's forks share its hash seed and layout, and their spread is not
 * that of the interpreters a user runs.  */
Test(forked, a_benchmark_is_measured_in_two_interpreters_at_least)
{
	char *out = path_in("two.json");
	struct cmd c = RUN("run", "-b", "float", "-p", "16", "--target", "99", "--budget", "0",
			   "-n", "1", "-w", "0", "-l", "2", "-o", out);
	json_int_t templates[16];
	size_t ntemplates = 0, i;
	json_t *suite, *runs, *r;

	cr_assert_eq(c.status, 0, "%s", c.err);
	suite = load(out);
	runs = json_object_get(bench_named(suite, "float"), "runs");
	cr_assert_geq(json_array_size(runs), 3);
	json_array_foreach(runs, i, r) {
		json_int_t tpl = md_int(r, "worker_template_pid");

		if (!seen_before(templates, ntemplates, tpl))
			templates[ntemplates++] = tpl;
	}
	cr_assert_eq(ntemplates, 2, "%zu processes from %zu templates", json_array_size(runs),
		     ntemplates);
	json_decref(suite);
	cmd_free(&c);
	free(out);
}

/* A workloads folder whose float kills its template from the first process
 * the template forks (the template's own warm-up runs in the pid set-up
 * saw).  */
static char *template_killing_workloads(void)
{
	char *wd = path_in("workloads"), *math = xasprintf("%s/math", wd);
	char *file = xasprintf("%s/float.py", math);
	FILE *f;

	cr_assert_eq(mkdir(wd, 0755), 0);
	cr_assert_eq(mkdir(math, 0755), 0);
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs("import os, signal\n\ndef setup():\n    return os.getpid()\n\n"
	      "def run(template, loops):\n    if os.getpid() != template:\n"
	      "        os.kill(template, signal.SIGKILL)\n", f);
	cr_assert_eq(fclose(f), 0);
	free(file);
	free(math);
	return wd;
}

Test(forked, a_template_that_dies_fails_only_its_benchmark)
{
	char *out = path_in("dead.json"), *wd = template_killing_workloads();
	struct cmd c = RUN("run", "--workers", "forked", "--workloads-dir", wd,
			   "-b", "float,syscall_getpid", "-p", "3", "-n", "1", "-l", "2", "-o", out);
	json_t *suite;

	cr_assert_eq(c.status, 1, "a failed benchmark makes the exit status 1: %s", c.err);
	cr_assert(strstr(c.err, "float: FAILED: `float`: its template process died (killed by "
			 "signal 9"), "%s", c.err);
	cr_assert(strstr(c.out, "syscall_getpid") && strstr(c.out, "FAILED"), "%s", c.out);
	suite = load(out);
	cr_assert_null(bench_named(suite, "float"));
	cr_assert_not_null(bench_named(suite, "syscall_getpid"));
	cr_assert_eq(json_array_size(json_object_get(bench_named(suite, "syscall_getpid"), "runs")), 3);
	json_decref(suite);
	cmd_free(&c);
	free(wd);
	free(out);
}

static size_t runs_of(json_t *suite, const char *name)
{
	json_t *b = bench_named(suite, name);

	cr_assert_not_null(b, "`%s` missing", name);
	return json_array_size(json_object_get(b, "runs"));
}

/* A budget spent before the adaptive stage: every benchmark keeps its first
 * 3 processes, none gets more, though none is near the target.  */
Test(forked, the_adaptive_stage_stops_at_the_budget)
{
	char *out = path_in("budget.json");
	struct cmd c = RUN("run", "-b", "float,syscall_getpid", "-p", "12", "--target", "0.0001",
			   "--budget", "0.001", "-n", "1", "-w", "0", "-l", "2", "-o", out);
	json_t *suite;

	cr_assert_eq(c.status, 0, "%s", c.err);
	cr_assert_null(strstr(c.err, "[more]"), "no process past the budget: %s", c.err);
	suite = load(out);
	cr_assert_eq(runs_of(suite, "float"), 3);
	cr_assert_eq(runs_of(suite, "syscall_getpid"), 3);
	json_decref(suite);
	cmd_free(&c);
	free(out);
}

/* A budget to spare: the adaptive stage gives each benchmark far from the
 * target more processes, up to the most (-p), and stops there.  */
Test(forked, the_adaptive_stage_goes_up_to_the_most_processes)
{
	char *out = path_in("more.json");
	struct cmd c = RUN("run", "-b", "float,syscall_getpid", "-p", "8", "--target", "0.0001",
			   "--budget", "600", "-n", "1", "-w", "0", "-l", "2", "-o", out);
	static const json_int_t want[] = { 1, 1, 2, 3, 3, 3, 3, 4 };
	json_t *suite, *r;
	size_t i;

	cr_assert_eq(c.status, 0, "%s", c.err);
	cr_assert(strstr(c.err, "[more] float: "), "%s", c.err);
	suite = load(out);
	cr_assert_eq(runs_of(suite, "float"), 8);
	cr_assert_eq(runs_of(suite, "syscall_getpid"), 8);
	/* Templates are numbered through the benchmark, the adaptive stage's
	 * after the first stage's: 2 + 1, then 4, then 1.  */
	json_array_foreach(json_object_get(bench_named(suite, "float"), "runs"), i, r)
		cr_assert_eq(md_int(r, "worker_template_generation"), want[i], "run %zu", i);
	json_decref(suite);
	cmd_free(&c);
	free(out);
}

/* A template ended early, its benchmark precise enough with forks to
 * spare, still tears its set-up down: the native probe's folder in $TMPDIR
 * does not outlive the run.  */
Test(forked, a_template_ended_early_tears_its_setup_down)
{
	char *out = path_in("early.json"), *tmp = path_in("tmp");
	struct cmd c;
	struct dirent *e;
	DIR *d;

	cr_assert_eq(mkdir(tmp, 0700), 0);
	setenv("TMPDIR", tmp, 1);
	c = RUN("run", "-b", "file_stat", "-p", "8", "--target", "99", "-n", "1", "-w", "0",
		"-l", "2", "-o", out);
	cr_assert_eq(c.status, 0, "%s", c.err);
	d = opendir(tmp);
	cr_assert_not_null(d);
	while ((e = readdir(d)))
		cr_assert(e->d_name[0] == '.', "left in $TMPDIR: %s", e->d_name);
	closedir(d);
	cmd_free(&c);
	free(tmp);
	free(out);
}

/* Whether folder holds anything but dot files.  */
static int holds_files(const char *folder)
{
	DIR *d = opendir(folder);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Ended at any moment of its life (worker_template_end's SIGTERM to its
 * group), in its set-up as well as between forks, a template tears its
 * set-up down: file_stat's folder never outlives it.  The ends sweep its
 * first 300 ms, 10 ms apart.  */
Test(forked, a_template_ended_at_any_moment_leaves_nothing)
{
	char *tmp = path_in("any"), *env = xasprintf("TMPDIR=%s", tmp);

	cr_assert_eq(mkdir(tmp, 0700), 0);
	for (int ms = 0; ms <= 300; ms += 10) {
		int status;
		pid_t pid = fork();

		cr_assert_geq(pid, 0);
		if (pid == 0) {
			setpgid(0, 0);
			putenv(env);
			freopen("/dev/null", "w", stdout);
			execl(getenv("SANDBENCH"), "sandbench", "__worker", "--bench=file_stat",
			      "--loops=0", "--warmups=0", "--values=1", "--min-time=0.01",
			      "--hash-seed=1", "--forks=50", "--generation=1", (char *)NULL);
			_exit(127);
		}
		setpgid(pid, pid);
		usleep((useconds_t)ms * 1000);
		kill(-pid, SIGTERM);
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(!WIFEXITED(status) || WEXITSTATUS(status) != 127, "exec failed");
		cr_assert_eq(holds_files(tmp), 0, "a template ended after %d ms left its set-up's "
			     "folder in $TMPDIR", ms);
	}
	free(env);
	free(tmp);
}

/* A set-up that starts a thread (an echo thread) cannot be forked: each of
 * its templates measures once itself, as a fresh worker.  */
Test(forked, a_setup_with_threads_is_measured_fresh)
{
	char *out = path_in("threads.json");
	struct cmd c = RUN("run", "-b", "futex_pingpong", "-p", "3", "-n", "1", "-l", "10",
			   "-o", out);
	json_int_t pids[3];
	json_t *suite, *runs, *r;
	size_t i;

	cr_assert_eq(c.status, 0, "%s", c.err);
	suite = load(out);
	runs = json_object_get(bench_named(suite, "futex_pingpong"), "runs");
	cr_assert_eq(json_array_size(runs), 3);
	json_array_foreach(runs, i, r) {
		cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "metadata"),
								   "worker_process")), "fresh");
		pids[i] = md_int(r, "worker_pid");
		cr_assert(!seen_before(pids, i, pids[i]), "pid %lld twice", (long long)pids[i]);
	}
	json_decref(suite);
	cmd_free(&c);
	free(out);
}
