#include "bench/harness/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "embed/py.h"
#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/harness/metadata.h"
#include "bench/harness/protocol.h"
#include "categories/registry.h"
#include "bench/lib/child.h"
#include "bench/lib/util.h"

#define WORKER_FD PROTO_WORKER_FD
#define MAX_LOOPS (UINT64_C(1) << 40)
#define MAX_MESSAGE PROTO_MAX_MESSAGE

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

/* The usage counters around the timed values of one process.  */
struct usage_span {
	struct rusage ru0;
	struct io_counters io0, io_self;
};

static void usage_span_start(struct usage_span *u)
{
	read_io(&u->io_self);
	read_io(&u->io0);
	u->io_self.syscr = u->io0.syscr - u->io_self.syscr;
	u->io_self.syscw = u->io0.syscw - u->io_self.syscw;
	u->io_self.rchar = u->io0.rchar - u->io_self.rchar;
	u->io_self.wchar = u->io0.wchar - u->io_self.wchar;
	getrusage(RUSAGE_SELF, &u->ru0);
}

/* The span's counters, the timed nanoseconds and what sets this process
 * apart (hash seed, layout) into a run's metadata.  */
static void usage_span_finish(const struct usage_span *u, const struct instance *in,
			      const struct worker_spec *spec, uint64_t timed, json_t *md)
{
	struct rusage ru1;
	struct io_counters io1;

	getrusage(RUSAGE_SELF, &ru1);
	read_io(&io1);
	add_usage(md, &u->ru0, &ru1);
	add_io(md, &u->io0, &io1, &u->io_self);
	json_object_set_new(md, "timed_s", json_real((double)timed / 1e9));
	if (in->py)
		json_object_set_new(md, "python_hash_seed", json_integer(spec->hash_seed));
	json_object_set_new(md, "worker_aslr", json_string(
		personality(0xffffffff) & ADDR_NO_RANDOMIZE ? "off" : "on"));
}

/* Double the loops until one value takes at least min_time; the first,
 * cold call (imports, caches) would stop it too early.  Each try is a
 * warm-up [loops, seconds] in warmups.  */
static int calibrate(struct instance *in, const struct worker_spec *spec, json_t *warmups,
		     uint64_t *loops, struct bench_error *err)
{
	uint64_t ns;

	*loops = 1;
	if (instance_run(in, 1, &ns, err) < 0)
		return -1;
	for (;;) {
		if (instance_run(in, *loops, &ns, err) < 0)
			return -1;
		json_array_append_new(warmups, json_pack("[I,f]", (json_int_t)*loops,
			per_iteration(ns, *loops, in->inner_loops)));
		if ((double)ns / 1e9 >= spec->min_time || *loops >= MAX_LOOPS)
			return 0;
		*loops *= 2;
	}
}

/* Measure: calibrate (spec->loops == 0) or warmups then values.  */
static int measure(struct instance *in, const struct worker_spec *spec, struct proto_reply *out,
		   struct bench_error *err)
{
	json_t *run = json_object(), *md = json_object(), *warmups = json_array();
	uint64_t loops = spec->loops ? spec->loops : 1, ns, timed = 0;
	struct usage_span span;
	char date[64];

	metadata_date(date, sizeof(date));
	json_object_set_new(md, "date", json_string(date));
	/* Spawn to first value: exec, interpreter start, import, setup().  */
	if (spec->spawned_at && spec->spawned_at < bench_clock_ns())
		json_object_set_new(md, "worker_startup_s",
				    json_real((double)(bench_clock_ns() - spec->spawned_at) / 1e9));
	json_object_set_new(run, "metadata", md);
	json_object_set_new(run, "warmups", warmups);
	out->run = run;

	if (spec->loops == 0 && calibrate(in, spec, warmups, &loops, err) < 0)
		return -1;
	if (spec->loops == 0)
		json_object_set_new(md, "calibrate_loops", json_integer((json_int_t)loops));
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
		usage_span_start(&span);
		for (unsigned i = 0; i < spec->values; i++) {
			if (instance_run(in, loops, &ns, err) < 0)
				return -1;
			timed += ns;
			json_array_append_new(values,
				json_real(per_iteration(ns, loops, in->inner_loops)));
		}
		usage_span_finish(&span, in, spec, timed, md);
	} else if (in->py) {
		json_object_set_new(md, "python_hash_seed", json_integer(spec->hash_seed));
	}
	if (json_array_size(warmups) == 0)
		json_object_del(run, "warmups");
	out->loops = loops;
	out->inner_loops = in->inner_loops;
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
		{ "lockstep", no_argument, NULL, 'L' },
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
			if (util_parse_long(optarg, 0, PROTO_MAX_COUNT, &v) < 0)
				return -1;
			spec->warmups = (unsigned)v;
			break;
		case 'n':
			if (util_parse_long(optarg, 0, PROTO_MAX_COUNT, &v) < 0)
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
		case 'L':
			spec->lockstep = 1;
			break;
		default:
			return -1;
		}
	}
	return (spec->def || spec->stmt) ? 0 : -1;
}

/* Write one reply to fd 3, a line each (a lockstep worker sends several).  */
static int send_reply(const struct proto_reply *r)
{
	cleanup_free char *line = proto_reply_encode(r);
	size_t len = strlen(line), done = 0;

	line[len] = '\n';	/* the NUL becomes the newline: write len + 1 */
	while (done < len + 1) {
		ssize_t n = write(WORKER_FD, line + done, len + 1 - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* The lockstep mode: set up, warm up (or calibrate), answer "ready", then
 * one value per "value" command read on fd 4, and the whole run on "stop"
 * (or end of input).  The process stays blocked on the read in between:
 * nothing spins while another runtime's worker is timed.  Usage counters
 * cover the time from "ready" to "stop", blocked time included (it costs
 * no CPU).  */
static int lockstep(struct instance *in, const struct worker_spec *spec, struct proto_reply *out,
		    struct bench_error *err)
{
	json_t *run = json_object(), *md = json_object(), *warmups = json_array(),
	       *values = json_array();
	uint64_t loops = spec->loops, ns, timed = 0;
	struct usage_span span;
	FILE *cmds = fdopen(PROTO_COMMAND_FD, "r");
	char date[64], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = -1;

	metadata_date(date, sizeof(date));
	json_object_set_new(md, "date", json_string(date));
	if (spec->spawned_at && spec->spawned_at < bench_clock_ns())
		json_object_set_new(md, "worker_startup_s",
				    json_real((double)(bench_clock_ns() - spec->spawned_at) / 1e9));
	json_object_set_new(run, "metadata", md);
	json_object_set_new(run, "warmups", warmups);
	json_object_set_new(run, "values", values);
	out->run = run;
	if (!cmds)
		return bench_error_set(err, errno, "lockstep: no command pipe on fd %d",
				       PROTO_COMMAND_FD);
	if (loops == 0) {
		if (calibrate(in, spec, warmups, &loops, err) < 0)
			goto out;
		json_object_set_new(md, "calibrate_loops", json_integer((json_int_t)loops));
	} else {
		for (unsigned i = 0; i < (spec->warmups ? spec->warmups : 1); i++) {
			if (instance_run(in, loops, &ns, err) < 0)
				goto out;
			json_array_append_new(warmups, json_pack("[I,f]", (json_int_t)loops,
				per_iteration(ns, loops, in->inner_loops)));
		}
	}
	usage_span_start(&span);
	if (send_reply(&(struct proto_reply){ .status = PROTO_READY, .loops = loops,
					      .inner_loops = in->inner_loops }) < 0) {
		bench_error_set(err, errno, "lockstep: write to fd %d", WORKER_FD);
		goto out;
	}
	while ((len = getline(&line, &cap, cmds)) > 0) {
		struct proto_request q;
		struct proto_reply v = { .status = PROTO_VALUE };

		if (proto_request_decode(line, (size_t)len, &q, err) < 0)
			goto out;
		if (q.kind == PROTO_LOCK_STOP)
			break;
		if (q.kind != PROTO_LOCK_VALUE) {
			bench_error_set(err, 0, "lockstep: a worker takes only value and stop");
			goto out;
		}
		/* Untimed: bring back what the other runtime's value evicted.  */
		if (q.warmup && instance_run(in, 1, &ns, err) < 0)
			goto out;
		if (instance_run(in, loops, &ns, err) < 0)
			goto out;
		timed += ns;
		v.value = per_iteration(ns, loops, in->inner_loops);
		v.ns = ns;
		json_array_append_new(values, json_real(v.value));
		if (send_reply(&v) < 0) {
			bench_error_set(err, errno, "lockstep: write to fd %d", WORKER_FD);
			goto out;
		}
	}
	usage_span_finish(&span, in, spec, timed, md);
	if (json_array_size(warmups) == 0)
		json_object_del(run, "warmups");
	out->loops = loops;
	out->inner_loops = in->inner_loops;
	rc = 0;
out:
	free(line);
	fclose(cmds);
	return rc;
}

int worker_main(int argc, char **argv)
{
	struct worker_spec spec = { .values = 1, .min_time = 0.1, .hash_seed = 0 };
	struct bench_error err = { 0 };
	struct instance in = { 0 };
	struct proto_reply reply = { .status = PROTO_OK };
	uint64_t t0 = bench_clock_ns();
	int rc;

	if (parse_worker_args(argc, argv, &spec) < 0) {
		fprintf(stderr, "sandbench __worker: bad arguments (this mode is internal)\n");
		return 2;
	}
	rc = instance_setup(&in, &spec, &err);
	if (rc == 0)
		rc = spec.lockstep ? lockstep(&in, &spec, &reply, &err) : measure(&in, &spec, &reply, &err);
	instance_teardown(&in);
	if (py_finalize(rc == 0 ? &err : NULL) < 0)
		rc = -1;
	if (rc == 0) {
		json_object_set_new(json_object_get(reply.run, "metadata"), "duration",
				    json_real((double)(bench_clock_ns() - t0) / 1e9));
	} else {
		if (err.skip && spec.def && spec.def->requires)
			bench_error_prefix(&err, "install the Debian package %s", spec.def->requires);
		reply.status = err.skip ? PROTO_SKIPPED : PROTO_FAILED;
		reply.error = err.msg[0] ? err.msg : "unknown error";
		reply.traceback = err.detail;
	}
	if (send_reply(&reply) < 0) {
		fprintf(stderr, "sandbench __worker: cannot write the result to fd %d\n", WORKER_FD);
		rc = -1;
	}
	json_decref(reply.run);
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
	if (spec->lockstep)
		argv[n++] = xstrdup("--lockstep");
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

/* Fork and exec a worker: its replies on the pipe *from (fd 3 in it), and
 * for a lockstep worker its commands on the pipe *to (fd 4 in it).  */
static pid_t spawn_worker(const struct worker_spec *spec, int *from, int *to,
			  struct bench_error *err)
{
	const char *name = spec->def ? spec->def->name : "timeit";
	char **argv;
	int fds[2], cmd[2] = { -1, -1 };
	pid_t pid;
	cpu_set_t cpus;

	if (spec->affinity && worker_parse_cpus(spec->affinity, &cpus) < 0)
		return bench_error_set(err, 0, "bad CPU list `%s`", spec->affinity);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return bench_error_set(err, errno, "`%s`: create a pipe", name);
	if (to && pipe2(cmd, O_CLOEXEC) < 0) {
		close(fds[0]);
		close(fds[1]);
		return bench_error_set(err, errno, "`%s`: create a pipe", name);
	}
	argv = worker_argv(spec);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		bench_error_set(err, errno, "`%s`: fork a worker", name);
		close(fds[0]);
		if (to) {
			close(cmd[0]);
			close(cmd[1]);
		}
	}
	if (pid == 0) {
		/* The child: the pipes on fd 3 (and 4), pinned if asked, then exec.  */
		if (dup2(fds[1], WORKER_FD) < 0 || (to && dup2(cmd[0], PROTO_COMMAND_FD) < 0))
			_exit(127);
		/* A worker outlives no parent: a killed run leaves nothing behind.  */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (spec->affinity && sched_setaffinity(0, sizeof(cpus), &cpus) < 0)
			_exit(126);
		/* Lockstep workers of one slot share a hash seed; without address
		 * randomisation they share the memory layout too, so that its
		 * effect cancels in their ratio (common random numbers).  Where a
		 * sandbox refuses, the layout stays random: the run records it.  */
		if (to)
			personality(PER_LINUX | ADDR_NO_RANDOMIZE);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execve(argv[0], argv, child_env());
		_exit(127);
	}
	close(fds[1]);
	free_argv(argv);
	if (pid < 0)
		return -1;
	*from = fds[0];
	if (to) {
		close(cmd[0]);
		*to = cmd[1];
	}
	current_worker = pid;
	return pid;
}

/* Why a worker that sent nothing (len 0) or was killed ended.  */
static int describe_end(const char *name, int status, int timed_out, double timeout,
			struct bench_error *err)
{
	char what[128];

	if (timed_out)
		return bench_error_set(err, 0, "`%s`: the worker ran past the timeout of %g s and was killed",
				       name, timeout);
	child_describe_status(status, what, sizeof(what));
	return bench_error_set(err, 0, "`%s`: the worker died (%s)", name, what);
}

/* A worker's final reply as a result: 0 with the run, or -1 with err
 * (FAILED or SKIPPED from the workload, or `missing` said of name).  */
static int result_from_reply(const struct proto_reply *r, struct worker_result *res,
			     const char *name, const char *missing, struct bench_error *err)
{
	if (r->status == PROTO_OK) {
		res->run = json_incref(r->run);
		res->loops = r->loops;
		res->inner_loops = r->inner_loops;
		res->status = WORKER_OK;
		return 0;
	}
	if (r->status == PROTO_FAILED || r->status == PROTO_SKIPPED) {
		res->status = r->status == PROTO_SKIPPED ? WORKER_SKIPPED : WORKER_FAILED;
		proto_reply_error(r, err);
		return -1;
	}
	return bench_error_set(err, 0, "`%s`: the worker %s", name, missing);
}

/* A reply into res: OK, or -1 with err (skip set when SKIPPED).  */
static int take_result(const char *text, size_t len, struct worker_result *res, const char *name,
		       struct bench_error *err)
{
	struct proto_reply r;
	cleanup_free char *from = xasprintf("`%s`: the worker", name);
	int rc;

	if (proto_reply_decode(text, len, &r, from, err) < 0)
		return bench_error_set(err, 0, "`%s`: the worker sent no valid result", name);
	rc = result_from_reply(&r, res, name, "sent no valid result", err);
	proto_reply_release(&r);
	return rc;
}

int worker_run(const struct worker_spec *spec, struct worker_result *res,
	       struct bench_error *err)
{
	const char *name = spec->def ? spec->def->name : "timeit";
	cleanup_free char *text = NULL;
	int from, status, timed_out;
	size_t len;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->status = WORKER_FAILED;
	pid = spawn_worker(spec, &from, NULL, err);
	if (pid < 0)
		return -1;
	read_message(from, pid, spec->timeout, &text, &len, &timed_out);
	close(from);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	current_worker = -1;

	if (timed_out || WIFSIGNALED(status) || len == 0)
		return describe_end(name, status, timed_out, spec->timeout, err);
	return take_result(text, len, res, name, err);
}

/* ---- a live lockstep worker ---- */

/* The next line from the worker, within its timeout (then it is killed):
 * a new string, or NULL with err.  */
static char *live_read_line(struct worker_live *w, struct bench_error *err)
{
	uint64_t deadline = w->timeout > 0 ? bench_clock_ns() + (uint64_t)(w->timeout * 1e9) : 0;

	for (;;) {
		char *nl = w->buf ? memchr(w->buf, '\n', w->used) : NULL;
		struct pollfd pfd = { .fd = w->from, .events = POLLIN };
		int wait_ms = -1, r;
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - w->buf);
			char *line = xmalloc(len + 1);
			memcpy(line, w->buf, len);
			line[len] = '\0';
			memmove(w->buf, nl + 1, w->used - len - 1);
			w->used -= len + 1;
			return line;
		}
		if (deadline) {
			uint64_t now = bench_clock_ns();
			if (now >= deadline) {
				worker_live_kill(w, 1);
				describe_end(w->name, 0, 1, w->timeout, err);
				return NULL;
			}
			wait_ms = (int)((deadline - now) / 1000000) + 1;
		}
		r = poll(&pfd, 1, wait_ms);
		if (r <= 0)
			continue;
		if (w->cap - w->used < 4096) {
			w->cap = w->cap ? 2 * w->cap : 65536;
			if (w->cap > MAX_MESSAGE) {
				worker_live_kill(w, 0);
				bench_error_set(err, 0, "`%s`: the worker sent too much", w->name);
				return NULL;
			}
			w->buf = xrealloc(w->buf, w->cap);
		}
		n = read(w->from, w->buf + w->used, w->cap - w->used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int status = worker_live_kill(w, 0);
			describe_end(w->name, status, 0, w->timeout, err);
			return NULL;
		}
		w->used += (size_t)n;
	}
}

/* Send a command and read the reply: a decoded reply, or -1 (the worker
 * ended: it is reaped).  A FAILED reply is returned as such.  */
static int live_exchange(struct worker_live *w, const struct proto_request *q,
			 struct proto_reply *r, struct bench_error *err)
{
	cleanup_free char *line = proto_request_encode(q);
	cleanup_free char *reply = NULL;
	cleanup_free char *from = xasprintf("`%s`: the worker", w->name);
	size_t len = strlen(line), done = 0;

	line[len] = '\n';
	while (done < len + 1) {
		ssize_t n = write(w->to, line + done, len + 1 - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* it died: its end of the reply pipe says how */
		done += (size_t)n;
	}
	reply = live_read_line(w, err);
	if (!reply)
		return -1;
	if (proto_reply_decode(reply, strlen(reply), r, from, err) < 0) {
		worker_live_kill(w, 1);
		return -1;
	}
	return 0;
}

int worker_live_start(const struct worker_spec *spec, struct worker_live *w,
		      struct bench_error *err)
{
	struct worker_spec s = *spec;
	struct proto_reply r;
	cleanup_free char *first = NULL;
	cleanup_free char *from = NULL;

	memset(w, 0, sizeof(*w));
	w->name = spec->def ? spec->def->name : "timeit";
	w->timeout = spec->timeout;
	w->from = w->to = -1;
	s.lockstep = 1;
	w->pid = spawn_worker(&s, &w->from, &w->to, err);
	if (w->pid < 0)
		return -1;
	first = live_read_line(w, err);
	if (!first)
		return -1;
	from = xasprintf("`%s`: the worker", w->name);
	if (proto_reply_decode(first, strlen(first), &r, from, err) < 0) {
		worker_live_kill(w, 1);
		return -1;
	}
	if (r.status != PROTO_READY) {
		if (r.status == PROTO_FAILED || r.status == PROTO_SKIPPED)
			proto_reply_error(&r, err);
		else
			bench_error_set(err, 0, "`%s`: the worker did not say ready", w->name);
		proto_reply_release(&r);
		worker_live_kill(w, 1);
		return -1;
	}
	w->loops = r.loops;
	w->inner_loops = r.inner_loops;
	proto_reply_release(&r);
	return 0;
}

int worker_live_value(struct worker_live *w, int warmup, double *value, uint64_t *ns,
		      struct bench_error *err)
{
	struct proto_reply r;
	int rc = -1;

	if (w->pid <= 0)
		return bench_error_set(err, 0, "`%s`: the worker has ended", w->name);
	if (live_exchange(w, &(struct proto_request){ .kind = PROTO_LOCK_VALUE, .warmup = warmup },
			  &r, err) < 0)
		return -1;
	if (r.status == PROTO_VALUE) {
		*value = r.value;
		*ns = r.ns;
		rc = 0;
	} else if (r.status == PROTO_FAILED || r.status == PROTO_SKIPPED) {
		proto_reply_error(&r, err);
		worker_live_kill(w, 0);
	} else {
		bench_error_set(err, 0, "`%s`: the worker sent no value", w->name);
		worker_live_kill(w, 1);
	}
	proto_reply_release(&r);
	return rc;
}

int worker_live_stop(struct worker_live *w, struct worker_result *res, struct bench_error *err)
{
	struct proto_reply r;
	int rc;

	memset(res, 0, sizeof(*res));
	res->status = WORKER_FAILED;
	if (w->pid <= 0)
		return bench_error_set(err, 0, "`%s`: the worker has ended", w->name);
	if (live_exchange(w, &(struct proto_request){ .kind = PROTO_LOCK_STOP }, &r, err) < 0)
		return -1;
	rc = result_from_reply(&r, res, w->name, "sent no run", err);
	proto_reply_release(&r);
	worker_live_kill(w, 0);
	return rc;
}

int worker_live_kill(struct worker_live *w, int force)
{
	int status = 0;

	if (w->to >= 0)
		close(w->to);	/* end of input: a lockstep worker ends */
	if (w->from >= 0)
		close(w->from);
	w->to = w->from = -1;
	if (w->pid > 0) {
		if (force)
			kill(w->pid, SIGKILL);
		while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
			;
		if (current_worker == w->pid)
			current_worker = -1;
	}
	w->pid = -1;
	free(w->buf);
	w->buf = NULL;
	w->used = w->cap = 0;
	return status;
}
