/* Injected faults, end to end ($SANDBENCH, set by `make test`; as root): a
 * signal to the parent, a full disk, a container killed mid-round, result
 * files that are cut short or corrupt, two runs writing one file, and an
 * interrupted matrix resumed; and the inputs the fuzzers of tests/fuzz/
 * found crashing.  Each time the rest goes on where it can, the error says
 * what happened, and what was measured before the fault is in a valid file.
 * (A worker killed, hung or raising, and Ctrl-C to a run: tests/test_cli.c.)  */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "bench/report/compare.h"
#include "bench/report/thesis.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-faults-XXXXXX";
static char *mounted;

static void setup(void)
{
	cr_assert_not_null(getenv("SANDBENCH"), "run through `make test`, which sets $SANDBENCH");
	support_make_dir(dir);
}

static void teardown(void)
{
	if (mounted)
		umount2(mounted, MNT_DETACH);
	support_remove_dir(dir);
}

TestSuite(faults, .init = setup, .fini = teardown, .timeout = 900);

/* ---- running the binary ---- */

/* $SANDBENCH argv..., its output in DIR/<tag>.out and DIR/<tag>.err.  */
static pid_t start(const char *tag, char *const argv[])
{
	return support_start(dir, tag, NULL, argv);
}

static struct cmd finish(const char *tag, pid_t pid)
{
	return support_finish(dir, tag, pid);
}

#define RUN(tag, ...) finish(tag, start(tag, (char *[]){ __VA_ARGS__, NULL }))

/* The file read as every command reads it: valid, or the test fails.  */
static json_t *load_valid(const char *path)
{
	struct bench_error err = { 0 };
	json_t *suite = NULL;

	cr_assert_eq(result_read(path, &suite, &err), 0, "%s", err.msg);
	return suite;
}

/* Runs with values of a benchmark, and values in all; -1 when absent.  */
static long runs_with_values(json_t *suite, const char *name, size_t *values)
{
	json_t *b = result_find_benchmark(suite, name), *r;
	size_t i;
	long n = 0;

	*values = 0;
	if (!b)
		return -1;
	json_array_foreach(json_object_get(b, "runs"), i, r) {
		size_t k = json_array_size(json_object_get(r, "values"));
		n += k > 0;
		*values += k;
	}
	return n;
}

static int wait_for_file(const char *path, int seconds)
{
	struct stat st;

	for (int i = 0; i < seconds * 100; i++) {
		if (stat(path, &st) == 0)
			return 0;
		usleep(10000);
	}
	return -1;
}

/* ---- a signal to the parent ---- */

Test(faults, sigterm_keeps_finished_benchmarks)
{
	char *out = path_in("term.json"), *wd = support_hanging_workloads(dir);
	pid_t pid = start("term", (char *[]){ "run", "--smoke", "--workloads-dir", wd, "-b",
					      "float,nbody,syscall_getpid", "-o", out, NULL });
	struct cmd c;
	json_t *suite;
	size_t values;

	/* The file appears when float is done; nbody then hangs until SIGTERM.  */
	cr_assert_eq(wait_for_file(out, 120), 0, "the first benchmark never finished");
	usleep(300000);
	kill(pid, SIGTERM);
	c = finish("term", pid);
	cr_assert_eq(c.status, 143, "SIGTERM exits 128 + 15, got %d: %s", c.status, c.err);
	cr_assert(strstr(c.err, "interrupted by signal 15"), "%s", c.err);
	cr_assert(strstr(c.out, "not run"), "the rest is listed as not run: %s", c.out);
	suite = load_valid(out);
	cr_assert_eq(json_array_size(json_object_get(suite, "benchmarks")), 1);
	cr_assert_eq(runs_with_values(suite, "float", &values), 1);
	cr_assert_eq(values, 1);
	cr_assert_eq(runs_with_values(suite, "nbody", &values), -1, "nbody was interrupted");
	json_decref(suite);
	cmd_free(&c);
	free(wd);
	free(out);
}

/* ---- what a worker leaves behind ---- */

/* Processes whose command line holds marker, other than ours.  */
static int processes_with(const char *marker)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char buf[8192];
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);
		ssize_t len;

		if (pid <= 0 || pid == getpid())
			continue;
		len = support_cmdline(pid, buf, sizeof(buf));
		if (len > 0 && memmem(buf, (size_t)len, marker, strlen(marker)))
			n++;
	}
	closedir(d);
	return n;
}

static struct cmd run_forking(const char *tag, const char *first, const char *then,
			      const char *timeout);

/* timeit of f(), which forks a process that sleeps and then does `then`
 * (the worker's timeout: timeout seconds): the run does not wait for what
 * it forked, and nothing it forked outlives the run.  */
static struct cmd run_forking_statement(const char *tag, const char *then, const char *timeout)
{
	return run_forking(tag, "", then, timeout);
}

/* The same, the forked process first doing `first` (os.setsid()).  */
static struct cmd run_forking(const char *tag, const char *first, const char *then,
			      const char *timeout)
{
	cleanup_free char *marker = xasprintf("sandbench-fork-%s-%d", tag, (int)getpid());
	cleanup_free char *setup = xasprintf("import os, time  # %s\n"
					     "def f():\n"
					     "    if os.fork() == 0:\n"
					     "        %s\n"
					     "        time.sleep(60)\n"
					     "        os._exit(0)\n"
					     "%s", marker, *first ? first : "pass", then);
	uint64_t t0 = bench_clock_ns();
	struct cmd c = RUN(tag, "timeit", "--smoke", "--timeout", (char *)timeout, "-s", setup, "f()");
	double took = (double)(bench_clock_ns() - t0) / 1e9;
	int left = processes_with(marker);

	cr_assert_lt(took, 40, "the run waited for the forked process (%.0f s)", took);
	cr_assert_eq(left, 0, "%d processes forked by the statement outlived the run", left);
	return c;
}

/* When the worker ends, the process group it was given goes with it.  */
Test(faults, a_process_forked_by_a_statement_does_not_outlive_the_run)
{
	struct cmd c = run_forking_statement("ends", "", "600");

	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
}

/* A process that leaves the worker's group and session (os.setsid()) is
 * still ended with the run: its parent is a child subreaper.  */
Test(faults, a_process_that_leaves_the_session_does_not_outlive_the_run)
{
	struct cmd c = run_forking("setsid", "os.setsid()", "", "600");

	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
}

/* When the worker is stopped by its timeout, the stop reaches its group.  */
Test(faults, a_timeout_stops_what_the_worker_forked)
{
	struct cmd c = run_forking_statement("hangs", "    time.sleep(60)\n", "1");

	cr_assert_eq(c.status, 1, "%s", c.err);
	cr_assert(strstr(c.err, "ran past the timeout of 1 s"), "%s", c.err);
	cmd_free(&c);
}

/* ---- the disk fills up ---- */

/* Fill the file system of path's folder: write until ENOSPC.  */
static void fill(const char *path)
{
	char block[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t w;

	cr_assert_geq(fd, 0, "create `%s`: %s", path, strerror(errno));
	memset(block, 'x', sizeof(block));
	do
		w = write(fd, block, sizeof(block));
	while (w > 0);
	cr_assert_eq(errno, ENOSPC, "filling `%s` stopped on %s", path, strerror(errno));
	/* A last partial block too: nothing is left.  */
	while (write(fd, block, 1) == 1)
		;
	close(fd);
}

static size_t leftover_temp_files(const char *folder)
{
	DIR *d = opendir(folder);
	struct dirent *e;
	size_t n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += strstr(e->d_name, ".tmp.") != NULL;
	closedir(d);
	return n;
}

Test(faults, full_disk_keeps_the_previous_file)
{
	char *mnt = path_in("small"), *out, *filler, *before, *after;
	struct cmd c;
	json_t *suite;
	size_t values;

	cr_assert_eq(mkdir(mnt, 0755), 0);
	if (mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755") < 0)
		cr_skip_test("mounting a 64 KiB tmpfs is not permitted here (%s): run as root "
			     "with CAP_SYS_ADMIN", strerror(errno));
	mounted = mnt;
	out = xasprintf("%s/full.json", mnt);
	filler = xasprintf("%s/filler", mnt);

	c = RUN("full1", "run", "--smoke", "-b", "syscall_getpid", "-o", out);
	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
	before = slurp(out);
	fill(filler);

	/* More results for the same file: the measurement works, the write cannot.  */
	c = RUN("full2", "run", "--smoke", "-b", "clock_gettime,syscall_getpid", "--append",
		"-o", out);
	cr_assert_eq(c.status, 1, "a result that cannot be written is a failure: %d\n%s",
		     c.status, c.err);
	cr_assert(strstr(c.err, "No space left on device"), "the error says why: %s", c.err);
	cr_assert(strstr(c.err, out), "the error names the file: %s", c.err);
	after = slurp(out);
	cr_assert_str_eq(after, before, "the previous file is untouched");
	cr_assert_eq(leftover_temp_files(mnt), 0, "the temporary file is removed");
	suite = load_valid(out);
	cr_assert_eq(runs_with_values(suite, "syscall_getpid", &values), 1);
	cr_assert_eq(runs_with_values(suite, "clock_gettime", &values), -1);
	json_decref(suite);
	cmd_free(&c);

	/* Room again: the same command goes on from the file that was kept.  */
	cr_assert_eq(unlink(filler), 0);
	c = RUN("full3", "run", "--smoke", "-b", "clock_gettime", "--append", "-o", out);
	cr_assert_eq(c.status, 0, "%s", c.err);
	suite = load_valid(out);
	cr_assert_eq(runs_with_values(suite, "syscall_getpid", &values), 1);
	cr_assert_eq(runs_with_values(suite, "clock_gettime", &values), 1);
	json_decref(suite);
	cmd_free(&c);
	free(before);
	free(after);
	free(filler);
	free(out);
}

/* ---- result files cut short or corrupt ---- */

static json_t *small_suite(double value, const char *runtime)
{
	json_t *suite = result_suite_new(json_pack("{s:s, s:s}", "hostname", "h", "runtime", runtime));
	json_t *b = result_benchmark_new("nbody", "math", "python", 8, 1);

	for (int r = 0; r < 3; r++)
		json_array_append_new(json_object_get(b, "runs"),
				      json_pack("{s:{s:s}, s:[f,f]}", "metadata", "date", "d",
						"values", value * (1 + 0.01 * r), value * (1 + 0.02 * r)));
	json_array_append_new(json_object_get(suite, "benchmarks"), b);
	return suite;
}

static char *write_suite(const char *name, double value, const char *runtime)
{
	struct bench_error err = { 0 };
	char *path = path_in(name);
	json_t *suite = small_suite(value, runtime);

	cr_assert_eq(result_write(path, suite, &err), 0, "%s", err.msg);
	json_decref(suite);
	return path;
}

/* A copy of src cut to len bytes (len < 0: |len| bytes off the end).  */
static char *cut_copy(const char *src, const char *name, long len)
{
	char *text = NULL, *path = path_in(name);
	size_t n;
	FILE *f;

	cr_assert_eq(util_read_file(src, LIMIT_SMALL_FILE, &text, &n, NULL), 0);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	/* util_read_file gunzips: write the raw bytes of a .gz ourselves.  */
	if (util_ends_with(src, ".gz")) {
		FILE *g = fopen(src, "r");
		char raw[65536];
		size_t r = fread(raw, 1, sizeof(raw), g);
		fclose(g);
		fwrite(raw, 1, len < 0 ? r - (size_t)-len : (size_t)len, f);
	} else {
		fwrite(text, 1, len < 0 ? n - (size_t)-len : (size_t)len, f);
	}
	fclose(f);
	free(text);
	return path;
}

/* Write text to path (owned by the caller, returned).  */
static char *write_text_in(char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "create `%s`", path);
	fputs(text, f);
	fclose(f);
	return path;
}

static char *write_text(const char *name, const char *text)
{
	return write_text_in(path_in(name), text);
}

/* compare exits 2 and names the bad file, in either position.  */
static void check_rejected(const char *good, const char *bad, const char *what)
{
	struct cmd c = RUN("cmp", "compare", (char *)good, (char *)bad);

	cr_assert_eq(c.status, 2, "%s: exit %d\n%s%s", what, c.status, c.out, c.err);
	cr_assert(strstr(c.err, bad), "%s: the error names `%s`: %s", what, bad, c.err);
	cmd_free(&c);
	c = RUN("cmp", "compare", (char *)bad, (char *)good);
	cr_assert_eq(c.status, 2, "%s (first): exit %d\n%s", what, c.status, c.err);
	cr_assert(strstr(c.err, bad), "%s (first): the error names `%s`: %s", what, bad, c.err);
	cmd_free(&c);
}

Test(faults, compare_names_a_truncated_or_corrupt_file)
{
	char *good = write_suite("runc.json", 0.1, "runc");
	char *gz = write_suite("runsc.json.gz", 0.2, "runsc");
	char *half = cut_copy(good, "half.json", 60);
	char *last = cut_copy(good, "last.json", -3);
	char *gz_cut = cut_copy(gz, "cut.json.gz", -12);
	char *empty = write_text("empty.json", "");
	char *garbage = write_text("garbage.json", "\x01\x02 not json at all\n");
	char *other = write_text("other.json", "{\"version\": \"1.0\", \"benchmarks\": [{\"metadata\": "
				 "{\"name\": \"nbody\"}, \"runs\": [{\"values\": [0.1, -1]}]}]}\n");
	char *table = write_text("table.csv", "benchmark,difference_pct\n\"Nbody,12\n");
	struct cmd c;

	c = RUN("cmp", "compare", good, gz);
	cr_assert_eq(c.status, 0, "the intact files compare: %s", c.err);
	cmd_free(&c);
	check_rejected(gz, half, "cut in the middle");
	check_rejected(gz, last, "last bytes missing");
	check_rejected(good, gz_cut, "gzip stream cut short");
	check_rejected(good, empty, "empty");
	check_rejected(good, garbage, "not JSON");
	check_rejected(good, other, "a negative value");

	c = RUN("cmp", "compare", "--reference-table", table, good, gz);
	cr_assert_eq(c.status, 2, "%s", c.err);
	cr_assert(strstr(c.err, table) && strstr(c.err, "quote"), "%s", c.err);
	cmd_free(&c);

	/* report: a bad file in the folder stops it, named.  */
	c = RUN("rep", "report", dir);
	cr_assert_eq(c.status, 2, "%s", c.err);
	cr_assert(strstr(c.err, dir), "%s", c.err);
	cmd_free(&c);
	free(good);
	free(gz);
	free(half);
	free(last);
	free(gz_cut);
	free(empty);
	free(garbage);
	free(other);
	free(table);
}

/* ---- two runs, one output file ---- */

Test(faults, two_runs_writing_one_file_leave_one_complete_run)
{
	char *out = path_in("same.json");

	/* Each writer its own benchmarks, so that the file tells whose run it
	 * holds: one writer's whole run, never a mix or a part of one.  */
	for (int attempt = 0; attempt < 3; attempt++) {
		pid_t a = start("same-a", (char *[]){ "run", "--smoke", "--force", "-b",
						      "syscall_getpid,clock_gettime", "-o", out, NULL });
		pid_t b = start("same-b", (char *[]){ "run", "--smoke", "--force", "-b",
						      "file_stat,nbody", "-o", out, NULL });
		struct cmd ca = finish("same-a", a), cb = finish("same-b", b);
		const char *names[2][2] = { { "syscall_getpid", "clock_gettime" },
					    { "file_stat", "nbody" } };
		json_t *suite;
		int w;

		cr_assert_eq(ca.status, 0, "%s", ca.err);
		cr_assert_eq(cb.status, 0, "%s", cb.err);
		suite = load_valid(out);
		cr_assert_eq(json_array_size(json_object_get(suite, "benchmarks")), 2,
			     "the last writer's whole run, not a part or a mix (attempt %d)", attempt);
		w = result_find_benchmark(suite, names[0][0]) ? 0 : 1;
		for (size_t i = 0; i < 2; i++) {
			size_t values;
			cr_assert_eq(runs_with_values(suite, names[w][i], &values), 1,
				     "`%s`: one run's values of the writer of `%s` (attempt %d)",
				     names[w][i], names[w][0], attempt);
			cr_assert_eq(values, 1);
		}
		/* One process wrote it: its metadata is one machine snapshot.  */
		cr_assert_not_null(json_object_get(json_object_get(suite, "metadata"), "hostname"));
		cr_assert_eq(leftover_temp_files(dir), 0, "no temporary file is left");
		json_decref(suite);
		cmd_free(&ca);
		cmd_free(&cb);
	}
	free(out);
}

Test(faults, two_appending_runs_lose_nothing)
{
	char *out = path_in("append.json");
	pid_t a = start("append-a", (char *[]){ "run", "--smoke", "--append", "-b",
					      "syscall_getpid,clock_gettime", "-o", out, NULL });
	pid_t b = start("append-b", (char *[]){ "run", "--smoke", "--append", "-b",
					      "file_stat,nbody", "-o", out, NULL });
	struct cmd ca = finish("append-a", a), cb = finish("append-b", b);
	const char *names[] = { "syscall_getpid", "clock_gettime", "file_stat", "nbody" };
	json_t *suite;

	cr_assert_eq(ca.status, 0, "%s", ca.err);
	cr_assert_eq(cb.status, 0, "%s", cb.err);
	suite = load_valid(out);
	for (size_t i = 0; i < 4; i++) {
		size_t values;
		cr_assert_eq(runs_with_values(suite, names[i], &values), 1,
			     "`%s`: the second run appends after the first, losing nothing", names[i]);
	}
	json_decref(suite);
	cmd_free(&ca);
	cmd_free(&cb);
	free(out);
}

/* ---- containers ---- */

static pid_t parent_of(pid_t pid)
{
	char *path = xasprintf("/proc/%d/stat", (int)pid), line[512], *close_paren;
	int ppid = -1;
	FILE *f = fopen(path, "re");

	free(path);
	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f) && (close_paren = strrchr(line, ')')))
		sscanf(close_paren + 1, " %*c %d", &ppid);
	fclose(f);
	return ppid;
}

/* The `sandbench __serve` inside a runc container started by the matrix
 * `matrix` (its child is `runc run`, whose child it is), or -1.  */
static pid_t container_run_of(pid_t matrix)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = -1;

	cr_assert_not_null(d);
	while (found < 0 && (e = readdir(d))) {
		char cmdline[64] = "";
		pid_t pid = (pid_t)atoi(e->d_name), runtime;
		ssize_t n;

		if (pid <= 0)
			continue;
		n = support_cmdline(pid, cmdline, sizeof(cmdline));
		if (n <= 0 || memcmp(cmdline, "/usr/bin/sandbench\0__serve\0", 28) != 0)
			continue;
		runtime = parent_of(pid);
		if (runtime > 0 && parent_of(runtime) == matrix)
			found = pid;
	}
	closedir(d);
	return found;
}

/* Value counts per benchmark, equal across the merged files.  */
static void check_equal_counts(const char *out_dir, const char *const *runtimes, size_t nrt,
			       const char *const *names, size_t nnames, size_t expected)
{
	for (size_t i = 0; i < nrt; i++) {
		char *path = xasprintf("%s/%s.json", out_dir, runtimes[i]);
		json_t *suite = load_valid(path);

		for (size_t k = 0; k < nnames; k++) {
			size_t values;
			runs_with_values(suite, names[k], &values);
			cr_assert_eq(values, expected, "%s: `%s` has %zu values, expected %zu", path,
				     names[k], values, expected);
		}
		json_decref(suite);
		free(path);
	}
}

Test(faults, container_killed_mid_round_fails_that_round_only)
{
	const char *runtimes[] = { "runc", "runsc" };
	const char *names[] = { "sympy_expand", "syscall_getpid" };
	char *out_dir = path_in("killed"), *plan_path, *text = NULL;
	pid_t pid, inner = -1;
	struct cmd c;
	json_t *plan, *done;

	need_containers(runtimes, 2);
	pid = start("killed", (char *[]){ "matrix", "--design", "processes", "--runtimes", "runc,runsc", "--smoke", "-b",
					  "sympy_expand,syscall_getpid", "--rounds", "2", "-o",
					  out_dir, NULL });
	/* The first runc container: kill its sandbench (the container's init)
	 * while it measures.  The image may be built first.  */
	for (int i = 0; i < 60000 && inner < 0; i++) {
		int status;
		cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "the matrix ended before a runc round");
		inner = container_run_of(pid);
		if (inner < 0)
			usleep(20000);
	}
	cr_assert_gt(inner, 0, "no runc container appeared");
	usleep(500000);
	cr_assert_eq(kill(inner, SIGKILL), 0, "kill the container's sandbench: %s", strerror(errno));
	c = finish("killed", pid);

	cr_assert_eq(c.status, 1, "a failed round makes the exit status 1: %d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "of runc failed: runtime `runc`: the container failed"),
		  "the matrix says which round failed and why:\n%s", c.err);
	plan_path = xasprintf("%s/matrix.json", out_dir);
	cr_assert_eq(util_read_file(plan_path, LIMIT_SMALL_FILE, &text, NULL, NULL), 0);
	plan = json_loads(text, 0, NULL);
	cr_assert_not_null(plan, "matrix.json stays valid JSON");
	done = json_object_get(plan, "done");
	cr_assert_eq(json_object_size(done), 3, "three of four rounds are done:\n%s", text);
	/* One value per benchmark and round.  What the killed round finished
	 * before the kill counts where every runtime has it, the rest does not:
	 * runc and runsc keep equal counts, 1 or 2.  */
	for (size_t k = 0; k < 2; k++) {
		size_t counts[2];
		for (size_t i = 0; i < 2; i++) {
			char *path = xasprintf("%s/%s.json", out_dir, runtimes[i]);
			json_t *suite = load_valid(path);
			runs_with_values(suite, names[k], &counts[i]);
			json_decref(suite);
			free(path);
		}
		cr_assert(counts[0] == counts[1] && counts[0] >= 1 && counts[0] <= 2,
			  "`%s`: runc %zu values, runsc %zu", names[k], counts[0], counts[1]);
	}
	json_decref(plan);
	free(text);
	free(plan_path);
	cmd_free(&c);
	free(out_dir);
}

Test(faults, interrupted_matrix_resumes)
{
	const char *runtimes[] = { "native", "runc" };
	const char *names[] = { "sympy_expand", "syscall_getpid" };
	char *out_dir = path_in("resume"), *plan_path = xasprintf("%s/resume/matrix.json", dir);
	char *first_raw = NULL, *first_text = NULL, *after_text = NULL, *key = NULL;
	const char *k;
	pid_t pid;
	struct cmd c;
	json_t *plan = NULL, *v;

	need_containers(runtimes + 1, 1);
	/* sympy_expand takes long enough that the signal comes mid-round.  */
	pid = start("resume1", (char *[]){ "matrix", "--design", "processes", "--runtimes", "native,runc", "--smoke", "-b",
					   "sympy_expand,syscall_getpid", "--rounds", "2", "--seed", "3",
					   "-o", out_dir, NULL });
	/* Interrupt once the first round is recorded as done.  */
	for (int i = 0; i < 60000; i++) {
		char *text = NULL;
		int status;

		cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "the matrix ended before it was interrupted");
		if (util_read_file(plan_path, LIMIT_SMALL_FILE, &text, NULL, NULL) == 0) {
			json_decref(plan);
			plan = json_loads(text, 0, NULL);
			free(text);
			if (json_object_size(json_object_get(plan, "done")) >= 1)
				break;
		}
		usleep(20000);
	}
	json_object_foreach(json_object_get(plan, "done"), k, v) {
		key = xstrdup(k);
		break;
	}
	cr_assert_not_null(key, "no round was ever done");
	first_raw = xasprintf("%s/raw/%s.json", out_dir, key);
	first_text = slurp(first_raw);
	kill(pid, SIGINT);
	c = finish("resume1", pid);
	cr_assert_eq(c.status, 130, "Ctrl-C exits 130: %d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "--resume"), "the message says how to finish: %s", c.err);
	cmd_free(&c);
	json_decref(load_valid(first_raw));

	c = RUN("resume2", "matrix", "--resume", out_dir);
	cr_assert_eq(c.status, 0, "the resumed matrix finishes: %d\n%s", c.status, c.err);
	after_text = slurp(first_raw);
	cr_assert_str_eq(after_text, first_text, "round `%s` was done: it is not run again", key);
	json_decref(plan);
	{
		char *text = slurp(plan_path);
		plan = json_loads(text, 0, NULL);
		free(text);
	}
	cr_assert_eq(json_object_size(json_object_get(plan, "done")), 4, "every round is done");
	check_equal_counts(out_dir, runtimes, 2, names, 2, 2);
	json_decref(plan);
	cmd_free(&c);
	free(after_text);
	free(first_text);
	free(first_raw);
	free(key);
	free(plan_path);
	free(out_dir);
}

/* ---- inputs the fuzzers found crashing (the regress_* files of tests/fuzz/corpus) ----
 * Under `make test SANITIZE=1` a leak or an undefined conversion also ends
 * the process with status 1, so these check the sanitized build too.  */

static char *write_plan(const char *name, const char *text)
{
	char *folder = path_in(name), *plan;

	cr_assert_eq(mkdir(folder, 0755), 0);
	plan = xasprintf("%s/matrix.json", folder);
	write_text_in(plan, text);
	free(plan);
	return folder;
}

Test(faults, fuzz_resume_of_a_plan_without_image_or_with_huge_rounds)
{
	char *no_image = write_plan("no-image", "{\"runtimes\": [\"native\"], \"rounds\": 1, "
				    "\"seed\": 1, \"engine\": \"oci\", \"memory\": 0, \"timeout\": 60, "
				    "\"benchmarks\": \"syscall_getpid\", \"profile\": \"smoke\", "
				    "\"done\": {}}\n");
	char *huge = write_plan("huge", "{\"runtimes\": [\"native\"], \"rounds\": 1000000000000, "
				"\"image\": \"i\", \"profile\": \"smoke\"}\n");
	char *merged = xasprintf("%s/native.json", no_image);
	struct cmd c;

	/* Was: NULL to json_pack, then strlen(NULL) when saving the plan.  */
	c = RUN("resume-no-image", "matrix", "--resume", no_image);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	json_decref(load_valid(merged));
	cmd_free(&c);
	/* Was: an allocation of rounds x runtimes, and rounds unbounded.  */
	c = RUN("resume-huge", "matrix", "--resume", huge);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "not a plan written by sandbench matrix"), "%s", c.err);
	cmd_free(&c);
	free(merged);
	free(no_image);
	free(huge);
}

Test(faults, fuzz_matrix_empty_output_and_huge_memory)
{
	char *m = path_in("m");
	struct cmd c;

	/* Was: util_mkdir_p("") read past the end of its copy.  */
	c = RUN("empty-o", "matrix", "--runtimes", "native", "--smoke", "-o", "");
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	/* Was: 7e73 converted to long long, which is undefined.  */
	c = RUN("huge-memory", "matrix", "--runtimes", "native", "--memory", "7e73", "-o", m);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "bad --memory"), "%s", c.err);
	cmd_free(&c);
	free(m);
}

Test(faults, fuzz_loops_from_is_released_on_every_path)
{
	char *good = write_suite("loops.json", 0.1, "native"), *missing = path_in("nosuch.json");
	char *x = path_in("x.json");
	struct cmd c;

	/* Was: timeit never released --loops-from (a leak under LeakSanitizer).  */
	c = RUN("timeit-lf", "timeit", "--loops-from", good, "-p", "1", "-n", "1", "pass");
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	/* -p 0 with the loops given is refused (nothing to calibrate).  */
	c = RUN("timeit-lf-p0", "timeit", "--loops-from", good, "-p", "0", "pass");
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	c = RUN("timeit-lf-bad", "timeit", "--loops-from", good, "-p", "zero", "pass");
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	/* A second --loops-from that fails: named, and the first released once.  */
	c = RUN("run-lf-twice", "run", "--loops-from", good, "--loops-from", missing, "-b", "nbody");
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, missing), "%s", c.err);
	cmd_free(&c);
	c = RUN("run-lf-arg", "run", "--loops-from", good, "-o", x, "extra");
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	free(x);
	free(good);
	free(missing);
}

Test(faults, fuzz_report_of_a_file_name_that_is_not_utf8)
{
	char *good = write_suite("runc.json", 0.1, "runc");
	char *odd = path_in("\xff\xfe.json"), *table = path_in("t\xff.csv"), *report_dir = path_in("rep");
	char *report_path = xasprintf("%s/report.json", report_dir), *text = NULL;
	json_t *suite = small_suite(0.2, "x"), *report;
	struct bench_error err = { 0 };
	struct cmd c;

	/* No `runtime` in its metadata: the file name names it.  */
	json_object_del(json_object_get(suite, "metadata"), "runtime");
	cr_assert_eq(result_write(odd, suite, &err), 0, "%s", err.msg);
	json_decref(suite);
	write_text_in(table, "benchmark,difference_pct\nNbody,3\n");
	/* Was: json_pack refused the name, and report_json aborted.  */
	c = RUN("odd", "compare", "--reference-table", table, "-o", report_dir, good, odd);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cr_assert_eq(util_read_file(report_path, LIMIT_SMALL_FILE, &text, NULL, NULL), 0);
	report = json_loads(text, 0, NULL);
	cr_assert_not_null(report, "report.json is valid JSON");
	cr_assert_eq(json_array_size(json_object_get(report, "runtimes")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(report, "runtimes"), 1), "name")), "??");
	json_decref(report);
	cmd_free(&c);
	free(text);
	free(report_path);
	free(report_dir);
	free(table);
	free(odd);
	free(good);
}
