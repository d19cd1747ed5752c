#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../embed/py.h"
#include "clock.h"
#include "error.h"
#include "metadata.h"
#include "registry.h"
#include "spawn.h"
#include "util.h"

#define WORKER_FD 3
#define MAX_LOOPS (UINT64_C(1) << 40)
#define MAX_MESSAGE (64u << 20)

static volatile pid_t current_worker = -1;

long worker_random_hash_seed(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)bench_clock_ns();
	return (long)(v % 4294967295u) + 1;
}

void worker_kill_current(void)
{
	pid_t pid = current_worker;
	if (pid > 0)
		kill(pid, SIGKILL);
}

int worker_parse_cpus(const char *list, cpu_set_t *set)
{
	const char *p = list;

	CPU_ZERO(set);
	if (!list || !*list)
		return -1;
	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b;
		if (end == p || a < 0 || a >= CPU_SETSIZE)
			return -1;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p || b < a || b >= CPU_SETSIZE)
				return -1;
		}
		for (long c = a; c <= b; c++)
			CPU_SET((int)c, set);
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		p = end;
	}
	return 0;
}

/* ---- the worker side ---- */

/* One workload, Python or native, behind the same three calls.  */
struct instance {
	const struct bench_def *def;
	struct py_workload *py;
	void *native_state;
	int native_ready;
	unsigned inner_loops;
};

static int instance_setup(struct instance *in, const struct worker_spec *spec,
			  struct bench_error *err)
{
	const struct bench_def *def = spec->def;

	struct py_options opts = { .workloads_dir = spec->workloads_dir, .site = 1,
				   .hash_seed = spec->hash_seed, .cache_dir = spec->cache_dir };

	in->def = def;
	in->inner_loops = 1;
	/* Native twins may start the interpreter in setup() for their inputs.  */
	py_set_options(&opts);
	if (def && def->native) {
		if (def->native->inner_loops)
			in->inner_loops = def->native->inner_loops;
		/* teardown() runs even after a failed setup(): it copes (registry.h).  */
		in->native_ready = 1;
		if (def->native->setup && def->native->setup(&in->native_state, err) < 0)
			return bench_error_prefix(err, "setup");
		return 0;
	}
	if (py_init(&opts, err) < 0)
		return -1;
	if (py_workload_load(def ? def->module : "embed/timeit_workload", &in->py, err) < 0)
		return -1;
	if (!def && (py_workload_set_string(in->py, "STMT", spec->stmt, err) < 0 ||
		     py_workload_set_string(in->py, "SETUP", spec->setup ? spec->setup : "pass",
					    err) < 0))
		return -1;
	in->inner_loops = py_workload_inner_loops(in->py);
	return py_workload_setup(in->py, err);
}

static int instance_run(struct instance *in, uint64_t loops, uint64_t *ns,
			struct bench_error *err)
{
	uint64_t t0, t1, own = 0;

	if (in->py)
		return py_workload_run(in->py, loops, ns, err);
	t0 = bench_clock_ns();
	if (in->def->native->run(in->native_state, loops, &own, err) < 0)
		return -1;
	t1 = bench_clock_ns();
	*ns = own ? own : t1 - t0;
	return 0;
}

static void instance_teardown(struct instance *in)
{
	py_workload_free(in->py);
	in->py = NULL;
	if (in->native_ready && in->def->native->teardown)
		in->def->native->teardown(in->native_state);
	in->native_ready = 0;
}

static double per_iteration(uint64_t ns, uint64_t loops, unsigned inner)
{
	return (double)ns / 1e9 / (double)loops / (double)inner;
}

static void add_usage(json_t *md, const struct rusage *a, const struct rusage *b)
{
	double ut = (double)(b->ru_utime.tv_sec - a->ru_utime.tv_sec) +
		    (double)(b->ru_utime.tv_usec - a->ru_utime.tv_usec) / 1e6;
	double st = (double)(b->ru_stime.tv_sec - a->ru_stime.tv_sec) +
		    (double)(b->ru_stime.tv_usec - a->ru_stime.tv_usec) / 1e6;

	json_object_set_new(md, "ru_utime_s", json_real(ut));
	json_object_set_new(md, "ru_stime_s", json_real(st));
	json_object_set_new(md, "ru_minflt", json_integer(b->ru_minflt - a->ru_minflt));
	json_object_set_new(md, "ru_majflt", json_integer(b->ru_majflt - a->ru_majflt));
	json_object_set_new(md, "ru_nvcsw", json_integer(b->ru_nvcsw - a->ru_nvcsw));
	json_object_set_new(md, "ru_nivcsw", json_integer(b->ru_nivcsw - a->ru_nivcsw));
	json_object_set_new(md, "mem_max_rss", json_integer((json_int_t)b->ru_maxrss * 1024));
}

/* Counters of /proc/self/io (absent in some sandboxes: then all -1).  */
struct io_counters {
	long long syscr, syscw, rchar, wchar;
};

static void read_io(struct io_counters *io)
{
	char line[128];
	FILE *f = fopen("/proc/self/io", "re");

	io->syscr = io->syscw = io->rchar = io->wchar = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "syscr: %lld", &io->syscr);
		sscanf(line, "syscw: %lld", &io->syscw);
		sscanf(line, "rchar: %lld", &io->rchar);
		sscanf(line, "wchar: %lld", &io->wchar);
	}
	fclose(f);
}

/* b - a, less the reads that reading /proc/self/io itself costs (measured
 * as the difference of two reads back to back: `self`).  */
static void add_io(json_t *md, const struct io_counters *a, const struct io_counters *b,
		   const struct io_counters *self)
{
	if (a->syscr < 0 || b->syscr < 0)
		return;
	json_object_set_new(md, "io_syscr", json_integer(b->syscr - a->syscr - self->syscr));
	json_object_set_new(md, "io_syscw", json_integer(b->syscw - a->syscw - self->syscw));
	json_object_set_new(md, "io_rchar", json_integer(b->rchar - a->rchar - self->rchar));
	json_object_set_new(md, "io_wchar", json_integer(b->wchar - a->wchar - self->wchar));
}

/* Measure: calibrate (spec->loops == 0) or warmups then values.  */
static int measure(struct instance *in, const struct worker_spec *spec, json_t *msg,
		   struct bench_error *err)
{
	json_t *run = json_object(), *md = json_object(), *warmups = json_array();
	uint64_t loops = spec->loops ? spec->loops : 1, ns, timed = 0;
	struct rusage ru0, ru1;
	struct io_counters io0, io1, io_self;
	char date[64];

	metadata_date(date, sizeof(date));
	json_object_set_new(md, "date", json_string(date));
	/* Spawn to first value: exec, interpreter start, import, setup().  */
	if (spec->spawned_at && spec->spawned_at < bench_clock_ns())
		json_object_set_new(md, "worker_startup_s",
				    json_real((double)(bench_clock_ns() - spec->spawned_at) / 1e9));
	json_object_set_new(run, "metadata", md);
	json_object_set_new(run, "warmups", warmups);
	json_object_set_new(msg, "run", run);

	if (spec->loops == 0) {
		/* Double the loops until one value takes at least min_time; the
		 * first, cold call (imports, caches) would stop it too early.  */
		if (instance_run(in, 1, &ns, err) < 0)
			return -1;
		for (;;) {
			if (instance_run(in, loops, &ns, err) < 0)
				return -1;
			json_array_append_new(warmups, json_pack("[I,f]", (json_int_t)loops,
				per_iteration(ns, loops, in->inner_loops)));
			if ((double)ns / 1e9 >= spec->min_time || loops >= MAX_LOOPS)
				break;
			loops *= 2;
		}
		json_object_set_new(md, "calibrate_loops", json_integer((json_int_t)loops));
	}
	/* A calibrating process goes on to measure (unless values is 0): its
	 * last calibration value at these loops was its warmup.  */
	if (spec->values > 0) {
		json_t *values = json_array();
		json_object_set_new(run, "values", values);
		for (unsigned i = 0; i < (spec->loops ? spec->warmups : 0); i++) {
			if (instance_run(in, loops, &ns, err) < 0)
				return -1;
			json_array_append_new(warmups, json_pack("[I,f]", (json_int_t)loops,
				per_iteration(ns, loops, in->inner_loops)));
		}
		read_io(&io_self);
		read_io(&io0);
		io_self.syscr = io0.syscr - io_self.syscr;
		io_self.syscw = io0.syscw - io_self.syscw;
		io_self.rchar = io0.rchar - io_self.rchar;
		io_self.wchar = io0.wchar - io_self.wchar;
		getrusage(RUSAGE_SELF, &ru0);
		for (unsigned i = 0; i < spec->values; i++) {
			if (instance_run(in, loops, &ns, err) < 0)
				return -1;
			timed += ns;
			json_array_append_new(values,
				json_real(per_iteration(ns, loops, in->inner_loops)));
		}
		getrusage(RUSAGE_SELF, &ru1);
		read_io(&io1);
		add_usage(md, &ru0, &ru1);
		add_io(md, &io0, &io1, &io_self);
		json_object_set_new(md, "timed_s", json_real((double)timed / 1e9));
	}
	if (json_array_size(warmups) == 0)
		json_object_del(run, "warmups");
	if (in->py)
		json_object_set_new(md, "python_hash_seed", json_integer(spec->hash_seed));
	json_object_set_new(msg, "loops", json_integer((json_int_t)loops));
	json_object_set_new(msg, "inner_loops", json_integer(in->inner_loops));
	return 0;
}

static int parse_worker_args(int argc, char **argv, struct worker_spec *spec)
{
	static const struct option longopts[] = {
		{ "bench", required_argument, NULL, 'b' },
		{ "stmt", required_argument, NULL, 's' },
		{ "setup", required_argument, NULL, 'S' },
		{ "workloads-dir", required_argument, NULL, 'd' },
		{ "loops", required_argument, NULL, 'l' },
		{ "warmups", required_argument, NULL, 'w' },
		{ "values", required_argument, NULL, 'n' },
		{ "min-time", required_argument, NULL, 't' },
		{ "hash-seed", required_argument, NULL, 'h' },
		{ "spawned-at", required_argument, NULL, 'a' },
		{ "cache-dir", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	long v;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			spec->def = bench_registry_find(optarg);
			if (!spec->def)
				return -1;
			break;
		case 's': spec->stmt = optarg; break;
		case 'S': spec->setup = optarg; break;
		case 'd': spec->workloads_dir = optarg; break;
		case 'l':
			if (util_parse_long(optarg, 0, (long)MAX_LOOPS, &v) < 0)
				return -1;
			spec->loops = (uint64_t)v;
			break;
		case 'w':
			if (util_parse_long(optarg, 0, 100000, &v) < 0)
				return -1;
			spec->warmups = (unsigned)v;
			break;
		case 'n':
			if (util_parse_long(optarg, 0, 100000, &v) < 0)
				return -1;
			spec->values = (unsigned)v;
			break;
		case 't':
			if (util_parse_double(optarg, &spec->min_time) < 0)
				return -1;
			break;
		case 'h':
			if (util_parse_long(optarg, 0, 4294967295L, &spec->hash_seed) < 0)
				return -1;
			break;
		case 'a':
			spec->spawned_at = strtoull(optarg, NULL, 10);
			break;
		case 'C':
			spec->cache_dir = optarg;
			break;
		default:
			return -1;
		}
	}
	return (spec->def || spec->stmt) ? 0 : -1;
}

int worker_main(int argc, char **argv)
{
	struct worker_spec spec = { .values = 1, .min_time = 0.1, .hash_seed = 0 };
	struct bench_error err = { 0 };
	struct instance in = { 0 };
	json_t *msg = json_object();
	uint64_t t0 = bench_clock_ns();
	int rc;

	if (parse_worker_args(argc, argv, &spec) < 0) {
		fprintf(stderr, "sandbench __worker: bad arguments (this mode is internal)\n");
		return 2;
	}
	rc = instance_setup(&in, &spec, &err);
	if (rc == 0)
		rc = measure(&in, &spec, msg, &err);
	instance_teardown(&in);
	if (py_finalize(rc == 0 ? &err : NULL) < 0)
		rc = -1;
	if (rc == 0) {
		json_t *md = json_object_get(json_object_get(msg, "run"), "metadata");
		json_object_set_new(md, "duration",
				    json_real((double)(bench_clock_ns() - t0) / 1e9));
		json_object_set_new(msg, "status", json_string("ok"));
	} else {
		if (err.skip && spec.def && spec.def->requires)
			bench_error_prefix(&err, "install the Debian package %s", spec.def->requires);
		json_object_clear(msg);
		json_object_set_new(msg, "status", json_string(err.skip ? "skipped" : "failed"));
		json_object_set_new(msg, "error", json_string(err.msg[0] ? err.msg : "unknown error"));
		if (err.detail)
			json_object_set_new(msg, "traceback", json_string(err.detail));
	}
	if (json_dumpfd(msg, WORKER_FD, JSON_COMPACT | JSON_REAL_PRECISION(17)) < 0) {
		fprintf(stderr, "sandbench __worker: cannot write the result to fd %d\n", WORKER_FD);
		rc = -1;
	}
	json_decref(msg);
	bench_error_release(&err);
	return rc == 0 ? 0 : 1;
}

/* ---- the parent side ---- */

static char **worker_argv(const struct worker_spec *spec)
{
	char **argv = xcalloc(24, sizeof(*argv));
	int n = 0;

	argv[n++] = xstrdup(util_self_exe());
	argv[n++] = xstrdup("__worker");
	if (spec->def) {
		argv[n++] = xstrdup("--bench");
		argv[n++] = xstrdup(spec->def->name);
	} else {
		argv[n++] = xstrdup("--stmt");
		argv[n++] = xstrdup(spec->stmt);
		argv[n++] = xstrdup("--setup");
		argv[n++] = xstrdup(spec->setup ? spec->setup : "pass");
	}
	if (spec->workloads_dir) {
		argv[n++] = xstrdup("--workloads-dir");
		argv[n++] = xstrdup(spec->workloads_dir);
	}
	if (spec->cache_dir)
		argv[n++] = xasprintf("--cache-dir=%s", spec->cache_dir);
	argv[n++] = xasprintf("--loops=%llu", (unsigned long long)spec->loops);
	argv[n++] = xasprintf("--warmups=%u", spec->warmups);
	argv[n++] = xasprintf("--values=%u", spec->values);
	argv[n++] = xasprintf("--min-time=%.17g", spec->min_time);
	argv[n++] = xasprintf("--hash-seed=%ld", spec->hash_seed);
	/* CLOCK_MONOTONIC is one clock for the whole machine, so the worker can
	 * tell how long it took from here to its first value.  */
	argv[n++] = xasprintf("--spawned-at=%llu", (unsigned long long)bench_clock_ns());
	argv[n] = NULL;
	return argv;
}

static void free_argv(char **argv)
{
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

/* Read everything the worker writes, killing it past the deadline.  */
static int read_message(int fd, pid_t pid, double timeout, char **out, size_t *len,
			int *timed_out)
{
	uint64_t deadline = timeout > 0 ? bench_clock_ns() + (uint64_t)(timeout * 1e9) : 0;
	size_t used = 0, cap = 65536;
	char *buf = xmalloc(cap + 1);

	*timed_out = 0;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait_ms = -1, r;
		ssize_t n;

		if (deadline) {
			uint64_t now = bench_clock_ns();
			if (now >= deadline) {
				kill(pid, SIGKILL);
				*timed_out = 1;
				break;
			}
			wait_ms = (int)((deadline - now) / 1000000) + 1;
		}
		r = poll(&pfd, 1, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;
		if (cap - used < 4096) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		if (used > MAX_MESSAGE) {
			kill(pid, SIGKILL);
			break;
		}
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
}

static int parse_message(const char *text, size_t len, struct worker_result *res,
			 const char *name, struct bench_error *err)
{
	json_t *msg = json_loadb(text, len, 0, NULL);
	const char *status = json_string_value(json_object_get(msg, "status"));
	int rc = -1;

	if (!msg || !status) {
		bench_error_set(err, 0, "`%s`: the worker sent no valid result", name);
	} else if (strcmp(status, "ok") == 0) {
		json_int_t loops = json_integer_value(json_object_get(msg, "loops"));
		json_int_t inner = json_integer_value(json_object_get(msg, "inner_loops"));
		res->run = json_incref(json_object_get(msg, "run"));
		res->loops = loops > 0 ? (uint64_t)loops : 1;
		res->inner_loops = inner > 0 ? (unsigned)inner : 1;
		res->status = WORKER_OK;
		rc = 0;
	} else {
		const char *e = json_string_value(json_object_get(msg, "error"));
		const char *tb = json_string_value(json_object_get(msg, "traceback"));
		res->status = strcmp(status, "skipped") == 0 ? WORKER_SKIPPED : WORKER_FAILED;
		bench_error_set(err, 0, "%s", e ? e : "the worker failed");
		if (tb)
			bench_error_set_detail(err, xstrdup(tb));
		if (err)
			err->skip = res->status == WORKER_SKIPPED;
	}
	json_decref(msg);
	return rc;
}

int worker_run(const struct worker_spec *spec, struct worker_result *res,
	       struct bench_error *err)
{
	const char *name = spec->def ? spec->def->name : "timeit";
	char **argv = worker_argv(spec);
	cleanup_free char *text = NULL;
	int fds[2], status, timed_out;
	size_t len;
	pid_t pid;
	cpu_set_t cpus;

	memset(res, 0, sizeof(*res));
	res->status = WORKER_FAILED;
	if (spec->affinity && worker_parse_cpus(spec->affinity, &cpus) < 0) {
		free_argv(argv);
		return bench_error_set(err, 0, "bad CPU list `%s`", spec->affinity);
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		free_argv(argv);
		return bench_error_set(err, errno, "`%s`: create a pipe", name);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		free_argv(argv);
		return bench_error_set(err, errno, "`%s`: fork a worker", name);
	}
	if (pid == 0) {
		/* The child: the pipe on fd 3, pinned if asked, then exec.  */
		if (dup2(fds[1], WORKER_FD) < 0)
			_exit(127);
		/* A worker outlives no parent: a killed run leaves nothing behind.  */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (spec->affinity && sched_setaffinity(0, sizeof(cpus), &cpus) < 0)
			_exit(126);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execve(argv[0], argv, spawn_child_env());
		_exit(127);
	}
	current_worker = pid;
	close(fds[1]);
	free_argv(argv);
	read_message(fds[0], pid, spec->timeout, &text, &len, &timed_out);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	current_worker = -1;

	if (timed_out)
		return bench_error_set(err, 0, "`%s`: the worker ran past the timeout of %g s and was killed",
				       name, spec->timeout);
	if (WIFSIGNALED(status) || len == 0) {
		char what[128];
		spawn_describe_status(status, what, sizeof(what));
		return bench_error_set(err, 0, "`%s`: the worker died (%s)", name, what);
	}
	return parse_message(text, len, res, name, err);
}
