#include "bench/cmd/explain.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/cmd/cmd.h"
#include "bench/harness/metadata.h"
#include "bench/harness/protocol.h"
#include "bench/harness/runner.h"
#include "bench/harness/worker.h"
#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/result.h"
#include "bench/lib/safefile.h"
#include "bench/lib/orphans.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "bench/report/compare.h"
#include "bench/report/folder.h"
#include "categories/registry.h"

#define TOP_SYSCALLS 6

const char usage_explain[] =
	"usage: sandbench explain FILE\n"
	"       sandbench explain --syscalls -b NAMES [-o OUT [--force]]\n"
	"       sandbench explain --budget DIR [-b NAMES] [-c LIST]\n"
	"\n"
	"FILE: per benchmark and per iteration of the timed values, the time, the\n"
	"share of CPU time spent in the kernel (sys%) and in user space, minor page\n"
	"faults, context switches and read/write-type system calls, from the resource\n"
	"usage each worker recorded.  A `syscalls.json` beside FILE adds the system\n"
	"calls by name.\n"
	"\n"
	"--syscalls: run the benchmarks natively under strace (Debian's strace),\n"
	"counting system calls by name, and report them per iteration.  Each\n"
	"benchmark runs twice in a worker, with L and 2L loops: the difference is the\n"
	"timed work alone, without start-up and set-up.  A benchmark that reads runs\n"
	"twice more, tracing its reads alone, for the bytes they return per\n"
	"iteration (the budget prices a read by its mean size).  The kernel probes\n"
	"whose price covers other calls (vfork_exec for execve: the exec'd child's\n"
	"start-up) are counted too when a benchmark makes their call.  Results go\n"
	"to OUT (default: results/syscalls.json), where `explain FILE` finds them\n"
	"when beside FILE.\n"
	"\n"
	"--budget DIR: the overhead budget of a matrix folder (DIR/*.json, one per\n"
	"runtime, and DIR/syscalls.json from `explain --syscalls -o\n"
	"DIR/syscalls.json`), slowest first: per benchmark and runtime, the change\n"
	"of one iteration against the reference (runc when present) with its 95%\n"
	"interval, the change predicted from the system calls (calls per iteration\n"
	"x the difference of their cost in the kernel probes of the same files),\n"
	"the share explained, the top three calls, the calls no probe prices, and\n"
	"a finding when the prediction is far from the measurement.  Probes the\n"
	"matrix's files lack are read from DIR/probes (then DIR/probes-2, ...),\n"
	"matrices of them alone; when some are missing there too, the calls they\n"
	"price are listed with them and the matrix command that measures them\n"
	"into the next such folder is printed.  Counts of none of DIR's benchmarks,\n"
	"or of another sandbench or Python version, are refused.\n"
	"  -b, --bench NAMES     comma-separated benchmark names\n"
	"  -c, --category LIST   comma-separated categories\n"
	"  -o, --output OUT      where to store the counts\n"
	"      --force           replace OUT if it exists (a regular file only)\n";

/* ---- system calls by name, under strace ---- */

/* A new scratch file /tmp/sandbench-WHAT-PID-XXXXXX, named in buf: its
 * descriptor, or -1.  The pid says whose it is, for the clean-up after a
 * SIGKILL (orphans_sweep).  */
static int scratch_file(const char *what, char *buf, size_t size)
{
	snprintf(buf, size, "/tmp/sandbench-%s-%ld-XXXXXX", what, (long)getpid());
	return mkstemp(buf);
}

/* Run a worker (argv) with its result on fd 3 going to msg_fd and its
 * stdout to /dev/null, and wait for it: its wait status in *status, -1
 * when it cannot be started.  */
static int run_worker_to(char *const argv[], unsigned flags, int msg_fd, int *status,
			 struct bench_error *err)
{
	struct child c = CHILD_INIT;

	c.argv = argv;
	c.flags = flags;
	c.in = c.err = CHILD_INHERIT;
	c.fds[c.nfds++] = (typeof(c.fds[0])){ msg_fd, PROTO_WORKER_FD };
	if (child_start(&c, err) < 0)
		return -1;
	child_finish(&c, 0, NULL);
	*status = c.status;
	return 0;
}

/* The bytes that the reads traced in path (strace -e trace=read,pread64)
 * returned, into counts as "bytes".  */
static int sum_read_bytes(const char *path, json_t *counts, struct bench_error *err)
{
	FILE *f = fopen(path, "re");
	cleanup_free char *line = NULL;
	size_t size = 0;
	long long bytes = 0;

	if (!f)
		return bench_error_set(err, errno, "open strace's output `%s`", path);
	/* "PID read(3, ""..., 65536) = 65536", or "<... read resumed>..." for a
	 * call another thread's interrupted: the result ends the line.  */
	while (getline(&line, &size, f) > 0) {
		char *eq = strrchr(line, '=');
		long long n;

		if (eq && eq > line && eq[-1] == ' ' && sscanf(eq + 1, "%lld", &n) == 1 && n > 0)
			bytes += n;
	}
	fclose(f);
	json_object_set_new(counts, "bytes", json_integer(bytes));
	return 0;
}

/* Run one worker of def under strace with `loops` loops; fill counts
 * (name -> calls; with bytes, "bytes" -> bytes read by read and pread64)
 * and *inner.  */
static int strace_worker(const struct bench_def *def, unsigned long long loops, int bytes,
			 json_t *counts, unsigned *inner, struct bench_error *err)
{
	char out_tmpl[64], msg_tmpl[64];
	struct worker_spec spec = { .def = def, .loops = loops, .values = 1 };
	char **worker = worker_argv(&spec);
	char *by_name[] = { "strace", "-f", "-c", "-U", "name,calls", "-o", out_tmpl };
	/* Each read with its result, nothing of its data.  */
	char *reads[] = { "strace", "-f", "-qq", "-s", "0", "-e", "trace=read,pread64",
			  "-e", "signal=none", "-o", out_tmpl };
	char **strace = bytes ? reads : by_name;
	size_t ns = bytes ? sizeof(reads) / sizeof(reads[0]) : sizeof(by_name) / sizeof(by_name[0]);
	size_t nw = 0;
	cleanup_free char **argv = NULL;
	cleanup_free char *text = NULL;
	cleanup_free char *msg_text = NULL;
	int out_fd = scratch_file("strace", out_tmpl, sizeof(out_tmpl));
	int msg_fd = scratch_file("msg", msg_tmpl, sizeof(msg_tmpl)), rc = -1, status;
	struct proto_reply msg = { .status = PROTO_FAILED };
	struct bench_error start_err = { 0 };
	char what[128];

	while (worker[nw])
		nw++;
	argv = xcalloc(ns + nw + 1, sizeof(*argv));
	memcpy(argv, strace, ns * sizeof(*argv));
	memcpy(argv + ns, worker, nw * sizeof(*argv));
	if (out_fd < 0 || msg_fd < 0) {
		bench_error_set(err, errno, "create a temporary file");
		goto out;
	}
	if (run_worker_to(argv, CHILD_SEARCH_PATH | CHILD_DIE_WITH_PARENT, msg_fd, &status,
			  &start_err) < 0) {
		bench_error_set(err, 0, "%s (apt-get install strace)", start_err.msg);
		goto out;
	}
	if (util_read_file(msg_tmpl, LIMIT_MESSAGE, &msg_text, NULL, err) < 0)
		goto out;
	child_describe_status(status, what, sizeof(what));
	if (proto_reply_decode(msg_text, strlen(msg_text), &msg, "the worker", err) < 0) {
		bench_error_prefix(err, "`%s` failed under strace (%s)", def->name, what);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || msg.status != PROTO_OK) {
		bench_error_set(err, 0, "`%s` failed under strace (%s): %s", def->name, what,
				msg.error ? msg.error : "no result");
		goto out;
	}
	*inner = msg.inner_loops;
	if (bytes) {
		rc = sum_read_bytes(out_tmpl, counts, err);
		goto out;
	}
	if (util_read_file(out_tmpl, LIMIT_SMALL_FILE, &text, NULL, err) < 0)
		goto out;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		long long calls;
		if (sscanf(line, "%63s %lld", name, &calls) == 2 && strcmp(name, "total") != 0)
			json_object_set_new(counts, name, json_integer(calls));
	}
	rc = 0;
out:
	worker_argv_free(worker);
	bench_error_release(&start_err);
	proto_reply_release(&msg);
	if (out_fd >= 0) {
		close(out_fd);
		unlink(out_tmpl);
	}
	if (msg_fd >= 0) {
		close(msg_fd);
		unlink(msg_tmpl);
	}
	return rc;
}

/* Loops that make one value last about 50 ms, from a quick calibration
 * (1 when it fails: the strace runs then say why).  */
static unsigned long long quick_loops(const struct bench_def *def)
{
	struct worker_spec spec = { .def = def, .min_time = 0.05 };	/* calibrate only */
	cleanup_free char *msg_text = NULL;
	char tmpl[64];
	int fd = scratch_file("msg", tmpl, sizeof(tmpl)), status;
	unsigned long long loops = 1;
	struct proto_reply msg;
	char **argv;

	if (fd < 0)
		return 1;
	argv = worker_argv(&spec);
	if (run_worker_to(argv, CHILD_DIE_WITH_PARENT, fd, &status, NULL) == 0 &&
	    util_read_file(tmpl, LIMIT_MESSAGE, &msg_text, NULL, NULL) == 0) {
		if (proto_reply_decode(msg_text, strlen(msg_text), &msg, "the worker", NULL) == 0 &&
		    msg.status == PROTO_OK)
			loops = (unsigned long long)msg.loops;
		proto_reply_release(&msg);
	}
	worker_argv_free(argv);
	close(fd);
	unlink(tmpl);
	return loops;
}

/* System calls per iteration of def: (calls with 2L loops - calls with L
 * loops) / (L x inner loops).  A new object name -> calls, or NULL; when it
 * reads, the bytes its reads return per iteration in *bytes (NAN when it
 * makes no read), counted the same way in two more runs that trace reads
 * alone: strace -c gives no sizes, and the budget prices a read by its
 * size.  */
static json_t *syscalls_per_iteration(const struct bench_def *def, double *bytes,
				      struct bench_error *err)
{
	unsigned long long loops = quick_loops(def);
	json_t *a = json_object(), *b = json_object(), *per = NULL, *v;
	unsigned inner = 1;
	const char *name;

	*bytes = NAN;
	if (strace_worker(def, loops, 0, a, &inner, err) < 0 ||
	    strace_worker(def, 2 * loops, 0, b, &inner, err) < 0)
		goto out;
	per = json_object();
	json_object_foreach(b, name, v) {
		double d = (double)(json_integer_value(v) - json_integer_value(json_object_get(a, name)));
		double it = d / (double)loops / (double)(inner ? inner : 1);
		/* Below 0.01 per iteration is start-up noise, not the work.  */
		if (it >= 0.01)
			json_object_set_new(per, name, json_real(it));
	}
	if (json_object_get(per, "read") || json_object_get(per, "pread64")) {
		if (strace_worker(def, loops, 1, a, &inner, err) < 0 ||
		    strace_worker(def, 2 * loops, 1, b, &inner, err) < 0) {
			json_decref(per);
			per = NULL;
			goto out;
		}
		*bytes = fmax(0, (double)(json_integer_value(json_object_get(b, "bytes")) -
					  json_integer_value(json_object_get(a, "bytes"))) /
				 (double)loops / (double)(inner ? inner : 1));
	}
out:
	json_decref(a);
	json_decref(b);
	return per;
}

/* The names of obj sorted by value, largest first (at most max).  */
static size_t top_keys(json_t *obj, const char **keys, size_t max)
{
	const char *name;
	json_t *v;
	size_t n = 0;

	json_object_foreach(obj, name, v) {
		size_t i = n < max ? n++ : max;
		if (i == max && json_number_value(v) <= json_number_value(json_object_get(obj, keys[max - 1])))
			continue;
		if (i == max)
			i = max - 1;
		while (i > 0 && json_number_value(json_object_get(obj, keys[i - 1])) < json_number_value(v)) {
			keys[i] = keys[i - 1];
			i--;
		}
		keys[i] = name;
	}
	return n;
}

static void format_syscalls(json_t *per, char *buf, size_t size)
{
	const char *keys[TOP_SYSCALLS];
	size_t n = per ? top_keys(per, keys, TOP_SYSCALLS) : 0, used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s: %.3g", i ? ", " : "", keys[i],
					 json_number_value(json_object_get(per, keys[i])));
	if (n == 0)
		snprintf(buf, size, "none");
}

/* Count def's calls (and bytes read) into doc and print them: 0, or -1
 * (said on stderr).  */
static int count_one(const struct bench_def *def, json_t *doc)
{
	struct bench_error err = { 0 };
	double bytes;
	json_t *per = syscalls_per_iteration(def, &bytes, &err);
	char line[512];

	if (!per) {
		fprintf(stderr, "sandbench: explain: %s: %s\n", def->name, err.msg);
		bench_error_release(&err);
		return -1;
	}
	format_syscalls(per, line, sizeof(line));
	printf("%-26s %s\n", def->name, line);
	json_object_set_new(json_object_get(doc, "benchmarks"), def->name, per);
	if (!isnan(bytes))
		json_object_set_new(json_object_get(doc, "read_bytes"), def->name, json_real(bytes));
	return 0;
}

/* Count too the probes whose price covers other calls (budget_prices:
 * vfork_exec for execve, ...) that the counted benchmarks make and that are
 * not counted yet: the budget takes their calls off the benchmarks' (the
 * exec'd child's start-up, paid in execve's price), which it can only do
 * with their counts.  The number that failed.  */
static int count_covering_probes(json_t *doc)
{
	json_t *benches = json_object_get(doc, "benchmarks"), *calls;
	const char *name;
	int failed = 0;

	for (size_t i = 0; i < budget_nprices; i++) {
		const struct budget_price *p = &budget_prices[i];
		const struct bench_def *def = bench_registry_find(p->probe);
		int used = 0;

		if (!p->covers || !def || json_object_get(benches, p->probe))
			continue;
		json_object_foreach(benches, name, calls)
			used |= json_object_get(calls, p->syscall) != NULL;
		if (used)
			failed += count_one(def, doc) < 0;
	}
	return failed;
}

static int explain_syscalls(const char *names, const char *categories, const char *output)
{
	struct bench_error err = { 0 };
	const struct bench_def **sel;
	json_t *doc, *benches, *md;
	size_t n;
	int failed = 0;

	if (!names && !categories) {
		fprintf(stderr, "sandbench: explain --syscalls: choose benchmarks with -b or -c\n");
		return 2;
	}
	if (bench_registry_select(names, categories, &sel, &n, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		return 2;
	}
	/* What an explain or a run killed outright left.  */
	orphans_sweep();
	doc = json_pack("{s:s, s:{}, s:{}}", "method", "strace -f -c; per iteration = (calls "
			"with 2L loops - calls with L loops) / (L x inner loops); read_bytes: the "
			"bytes read and pread64 return, the same way", "benchmarks", "read_bytes");
	/* What `explain --budget` checks against the result files.  */
	md = metadata_collect();
	json_object_set(doc, "sandbench_version", json_object_get(md, "sandbench_version"));
	json_object_set(doc, "python_version", json_object_get(md, "python_version"));
	json_decref(md);
	benches = json_object_get(doc, "benchmarks");
	printf("%-26s %s\n", "benchmark", "system calls per iteration (top 6)");
	for (size_t i = 0; i < n; i++)
		failed += count_one(sel[i], doc) < 0;
	failed += count_covering_probes(doc);
	free(sel);
	if (json_object_size(benches) > 0) {
		cleanup_free char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (util_write_file_atomic(output, text, strlen(text), &err) < 0) {
			fprintf(stderr, "sandbench: %s\n", err.msg);
			failed++;
		} else {
			printf("\nsyscalls: %s\n", output);
		}
	}
	json_decref(doc);
	return failed ? 1 : 0;
}

/* ---- the budget of a matrix folder ---- */

/* Print one benchmark's budget under one runtime.  */
static void print_budget(const struct compare *c, size_t bi, size_t rt, const struct budget *b)
{
	char m[32], lo[32], hi[32], p[32], share[32], rest[32], top[512], unpriced[512];
	const char *finding = budget_finding(b);

	budget_fmt_time(m, sizeof(m), b->measured);
	budget_fmt_time(lo, sizeof(lo), b->lo);
	budget_fmt_time(hi, sizeof(hi), b->hi);
	budget_fmt_time(p, sizeof(p), b->predicted);
	budget_fmt_time(rest, sizeof(rest), b->measured - b->predicted);
	budget_fmt_share(share, sizeof(share), b);
	budget_fmt_top(top, sizeof(top), b);
	budget_fmt_unpriced(unpriced, sizeof(unpriced), b);
	printf("%s, %s vs %s: %s per iteration", c->benches[bi].name, c->runtimes[rt].name,
	       c->runtimes[c->ref].name, m);
	if (!isnan(b->lo))
		printf(" [%s, %s]", lo, hi);
	printf("; predicted from system calls %s (%s); unexplained %s\n", p, share, rest);
	if (top[0])
		printf("    %s\n", top);
	if (unpriced[0])
		printf("    unpriced (calls per iteration, and the probe missing): %s\n",
		       unpriced);
	if (finding)
		printf("    far from the measurement: %s\n", finding);
}

static int explain_budget(const char *dir, const char *names, const char *categories)
{
	struct bench_error err = { 0 };
	struct compare c = { 0 };
	struct compare_options opts = { .min_change = 0.02 };
	struct budget_probes probes = { 0 };
	struct budget_table t = { 0 };
	cleanup_free char *counts_path = xasprintf("%s/syscalls.json", dir);
	cleanup_free char *text = NULL;
	const struct bench_def **sel = NULL;
	char **paths = NULL;
	json_t *counts = NULL;
	const char *missing[BUDGET_MAX_MISSING];
	size_t n = 0, nsel = 0, shown = 0, nmissing = 0;
	int rc = 2;

	if ((names || categories) &&
	    bench_registry_select(names, categories, &sel, &nsel, &err) < 0)
		goto out;
	if (util_read_file(counts_path, LIMIT_DATA_FILE, &text, NULL, &err) < 0) {
		bench_error_prefix(&err, "no system call counts (make them with `sandbench "
				   "explain --syscalls -b NAMES -o %s`)", counts_path);
		goto out;
	}
	counts = json_loads(text, 0, NULL);
	if (!json_is_object(json_object_get(counts, "benchmarks"))) {
		bench_error_set(&err, 0, "`%s`: not the output of `explain --syscalls` (no "
				"\"benchmarks\" object)", counts_path);
		goto out;
	}
	if (report_list_results(dir, &paths, &n, &err) < 0)
		goto out;
	if (n < 2) {
		bench_error_set(&err, 0, "%s: %zu result file%s; a budget needs the reference "
				"and at least one other runtime", dir, n, n == 1 ? "" : "s");
		goto out;
	}
	if (compare_load(&c, (const char *const *)paths, n, &opts, &err) < 0 ||
	    budget_counts_check(&c, counts, counts_path, &err) < 0)
		goto out;
	if (budget_probes_load(&probes, dir, &err) < 0)
		goto out;
	budget_table_build(&t, &c, counts, &probes);
	printf("overhead budget per iteration, against %s; predicted = system calls per "
	       "iteration (%s) x their cost difference in the kernel probes, plus page "
	       "faults\n\n", c.runtimes[c.ref].name, counts_path);
	for (size_t k = 0; k < c.nbenches; k++) {
		size_t bi = c.order[k];
		int chosen = !sel;

		for (size_t j = 0; sel && j < nsel && !chosen; j++)
			chosen = strcmp(sel[j]->name, c.benches[bi].name) == 0;
		if (!chosen)
			continue;
		if (!json_object_get(json_object_get(counts, "benchmarks"), c.benches[bi].name)) {
			if (sel)
				printf("%s: no system call counts in %s\n", c.benches[bi].name,
				       counts_path);
			continue;
		}
		for (size_t rt = 0; rt < c.nruntimes; rt++) {
			const struct budget *b = budget_table_cell(&t, bi, rt);

			if (b) {
				print_budget(&c, bi, rt, b);
				budget_missing_probes(b, missing, &nmissing, BUDGET_MAX_MISSING);
				shown++;
			}
		}
	}
	if (shown == 0)
		printf("no benchmark has both system call counts and values under two runtimes\n");
	if (nmissing > 0)
		budget_probes_command(stdout, dir, &c, missing, nmissing);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "sandbench: explain --budget: %s\n", err.msg);
	budget_table_release(&t);
	budget_probes_release(&probes);
	compare_release(&c);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(sel);
	json_decref(counts);
	bench_error_release(&err);
	return rc;
}

/* ---- resource usage of a result file ---- */

static json_t *sibling_syscalls(const char *file)
{
	cleanup_free char *copy = xstrdup(file);
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	char *slash = strrchr(copy, '/');
	struct bench_error err = { 0 };
	json_t *sys = NULL;

	if (slash)
		*slash = '\0';
	path = xasprintf("%s/syscalls.json", slash ? copy : ".");
	if (access(path, F_OK) < 0)
		return NULL;
	/* Present but unusable: said, not silently left out.  */
	if (util_read_file(path, LIMIT_DATA_FILE, &text, NULL, &err) < 0) {
		fprintf(stderr, "sandbench: explain: %s: its counts are left out\n", err.msg);
		return NULL;
	}
	if (!json_is_object(sys = json_loads(text, 0, NULL)) ||
	    !json_is_object(json_object_get(sys, "benchmarks"))) {
		fprintf(stderr, "sandbench: explain: `%s` is not a file of `explain --syscalls`: "
			"its counts are left out\n", path);
		json_decref(sys);
		return NULL;
	}
	return sys;
}

static void fmt_number(double v, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else if (v >= 100)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.3g", v);
}

/* A share in percent, or "-" when unknown or out of range (bad metadata).  */
static void fmt_share(double v, char *buf, size_t size)
{
	if (!(v >= 0 && v <= 1e6))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.0f%%", 100 * v);
}

static int explain_file(const char *file)
{
	struct bench_error err = { 0 };
	json_t *suite = NULL, *b, *sys = NULL;
	size_t i, shown = 0;

	if (result_read(file, &suite, &err) < 0) {
		fprintf(stderr, "sandbench: explain: %s\n", err.msg);
		return 2;
	}
	sys = sibling_syscalls(file);
	printf("per iteration of the timed values; sys%%/user%%: shares of the CPU time; "
	       "cpu%%: CPU time / wall time\n\n");
	printf("%-26s %-10s %11s %6s %6s %6s %9s %9s %9s%s\n", "benchmark", "category", "time",
	       "sys%", "user%", "cpu%", "minflt", "ctxsw", "rw-sysc", sys ? "  system calls" : "");
	json_array_foreach(json_object_get(suite, "benchmarks"), i, b) {
		json_t *md = json_object_get(b, "metadata");
		struct compare_explain ex;
		double *values;
		size_t n;
		char t[32], flt[32], csw[32], rw[32], line[512] = "", sh[3][16];

		result_benchmark_values(b, &values, &n, NULL, NULL);
		if (n == 0) {
			free(values);
			continue;
		}
		runner_format_time(stats_mean(values, n), t, sizeof(t));
		free(values);
		compare_explain_bench(b, &ex);
		fmt_number(ex.minflt, flt, sizeof(flt));
		fmt_number(ex.csw, csw, sizeof(csw));
		fmt_number(ex.rw_syscalls, rw, sizeof(rw));
		fmt_share(ex.sys_share, sh[0], sizeof(sh[0]));
		fmt_share(isnan(ex.sys_share) ? NAN : 1 - ex.sys_share, sh[1], sizeof(sh[1]));
		fmt_share(ex.cpu_share, sh[2], sizeof(sh[2]));
		shown++;
		if (sys)
			format_syscalls(json_object_get(json_object_get(sys, "benchmarks"),
							result_benchmark_name(b)), line, sizeof(line));
		printf("%-26s %-10s %11s %6s %6s %6s %9s %9s %9s%s%s\n",
		       result_benchmark_name(b),
		       json_string_value(json_array_get(json_object_get(md, "tags"), 0)) ?: "-", t,
		       sh[0], sh[1], sh[2], flt, csw, rw, sys ? "  " : "", line);
	}
	json_decref(sys);
	json_decref(suite);
	if (!shown) {
		fprintf(stderr, "sandbench: explain: `%s` has no timed values to explain\n", file);
		return 2;
	}
	return 0;
}

int explain_parse(int argc, char **argv, struct explain_options *o)
{
	static const struct option longopts[] = {
		{ "syscalls", no_argument, NULL, 's' },
		{ "budget", required_argument, NULL, 'B' },
		{ "bench", required_argument, NULL, 'b' },
		{ "category", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct explain_options){ .output = "results/syscalls.json" };
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "b:c:o:", longopts)) != -1) {
		switch (c) {
		case 's': o->syscalls = 1; break;
		case 'B': o->budget_dir = optarg; break;
		case 'b': o->names = optarg; break;
		case 'c': o->categories = optarg; break;
		case 'o': o->output = optarg; break;
		case 'f': o->force = 1; break;
		default:
			return cmd_usage_error(usage_explain, NULL);
		}
	}
	if (o->budget_dir && (o->syscalls || optind < argc))
		return cmd_usage_error(usage_explain, "explain --budget takes one DIR, without "
				       "--syscalls or FILE");
	if (o->syscalls && optind < argc)
		return cmd_usage_error(usage_explain, "explain --syscalls takes no FILE");
	if (o->force && !o->syscalls)
		return cmd_usage_error(usage_explain, "explain: --force goes with --syscalls -o");
	if (!o->budget_dir && !o->syscalls) {
		if (optind + 1 != argc)
			return cmd_usage_error(usage_explain, "explain: give one result FILE");
		o->file = argv[optind];
	}
	return 0;
}

/* Refused before strace runs, as `run -o` does.  */
static int check_output(const struct explain_options *o)
{
	struct bench_error err = { 0 };
	struct stat st;

	if (strcmp(o->output, "results/syscalls.json") == 0 && mkdir("results", 0755) < 0 &&
	    errno != EEXIST) {
		fprintf(stderr, "sandbench: cannot create the folder `results`: %s\n", strerror(errno));
		return -1;
	}
	if (safefile_check_writable(o->output, &err) < 0 ||
	    (o->force && safefile_check_replaceable(o->output, &err) < 0) ||
	    (!o->force && lstat(o->output, &st) == 0 &&
	     bench_error_set(&err, 0, "output file `%s` exists: pass --force to replace it",
			     o->output))) {
		fprintf(stderr, "sandbench: explain --syscalls: -o: %s\n", err.msg);
		return -1;
	}
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	struct explain_options o;
	int rc = explain_parse(argc, argv, &o);

	if (rc)
		return rc;
	if (o.budget_dir)
		return explain_budget(o.budget_dir, o.names, o.categories);
	if (o.syscalls)
		return check_output(&o) < 0 ? 2 : explain_syscalls(o.names, o.categories, o.output);
	return explain_file(o.file);
}
