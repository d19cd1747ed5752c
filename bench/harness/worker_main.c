#include "bench/harness/worker.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/harness/metadata.h"
#include "bench/harness/protocol.h"
#include "bench/lib/child.h"
#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/util.h"
#include "categories/registry.h"
#include "embed/py.h"

#define WORKER_FD PROTO_WORKER_FD

/* The worker process: `sandbench __worker ARGS` sets up one workload, times
 * it and writes its replies to fd 3 (worker.h).  */

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
	if (def && def->native) {
		/* A twin's inputs come from its Python twin's helpers.  */
		if (def->native->needs_python && py_init(&opts, err) < 0)
			return -1;
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
	struct rusage ru0, children0;
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
	getrusage(RUSAGE_CHILDREN, &u->children0);
	getrusage(RUSAGE_SELF, &u->ru0);
}

/* The span's counters, the timed nanoseconds and what sets this process
 * apart (hash seed, layout) into a run's metadata.  */
static void usage_span_finish(const struct usage_span *u, const struct instance *in,
			      const struct worker_spec *spec, uint64_t timed, json_t *md)
{
	struct rusage ru1, children1;
	struct io_counters io1;

	getrusage(RUSAGE_SELF, &ru1);
	getrusage(RUSAGE_CHILDREN, &children1);
	read_io(&io1);
	add_usage(md, &u->ru0, &ru1);
	/* The processes a workload starts and waits for (2to3's, the start-up
	 * benchmarks'): their faults are theirs, not in ru_minflt.  */
	json_object_set_new(md, "ru_child_minflt",
			    json_integer(children1.ru_minflt - u->children0.ru_minflt));
	add_io(md, &u->io0, &io1, &u->io_self);
	json_object_set_new(md, "timed_s", json_real((double)timed / 1e9));
	if (in->py)
		json_object_set_new(md, "python_hash_seed", json_integer(spec->hash_seed));
	json_object_set_new(md, "worker_aslr", json_string(
		personality(0xffffffff) & ADDR_NO_RANDOMIZE ? "off" : "on"));
}

/* Once a try lasts an eighth of min_time, long enough for its rate to
 * hold, the next is scaled to 2% over min_time: a value then lasts about
 * min_time, where doubling alone left it anywhere up to twice that.  */
uint64_t worker_next_loops(uint64_t loops, uint64_t ns, double min_time)
{
	uint64_t next = loops * 2;

	if ((double)ns >= min_time * 1e9 / 8) {
		double want = ceil((double)loops * min_time * 1e9 / (double)ns * 1.02);

		next = want > (double)loops ? (want < (double)WORKER_MAX_LOOPS ?
					       (uint64_t)want : WORKER_MAX_LOOPS) : loops + 1;
	}
	return next < WORKER_MAX_LOOPS ? next : WORKER_MAX_LOOPS;
}

/* Raise the loops until one value takes at least min_time; the first,
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
		if ((double)ns / 1e9 >= spec->min_time || *loops >= WORKER_MAX_LOOPS)
			return 0;
		*loops = worker_next_loops(*loops, ns, spec->min_time);
	}
}

/* A new run as out->run, with its warm-ups (*warmups) and its metadata
 * (returned): the date, and the time from spawn to here.  */
static json_t *new_run(const struct worker_spec *spec, struct proto_reply *out, json_t **warmups)
{
	json_t *md = json_object();
	char date[64];

	out->run = json_object();
	metadata_date(date, sizeof(date));
	json_object_set_new(md, "date", json_string(date));
	/* Spawn to first value: exec, interpreter start, import, setup().  */
	if (spec->spawned_at && spec->spawned_at < bench_clock_ns())
		json_object_set_new(md, "worker_startup_s",
				    json_real((double)(bench_clock_ns() - spec->spawned_at) / 1e9));
	json_object_set_new(out->run, "metadata", md);
	*warmups = json_array();
	json_object_set_new(out->run, "warmups", *warmups);
	return md;
}

/* Measure: calibrate (spec->loops == 0) or warmups then values.  */
static int measure(struct instance *in, const struct worker_spec *spec, struct proto_reply *out,
		   struct bench_error *err)
{
	json_t *warmups, *md = new_run(spec, out, &warmups), *run = out->run;
	uint64_t loops = spec->loops ? spec->loops : 1, ns, timed = 0;
	struct usage_span span;

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

/* Untimed iterations for `seconds` (at least one), straight before a
 * value: a runtime whose own threads serve the workload (gVisor's Sentry)
 * reaches its steady cost only after a while of work, and a lockstep value
 * follows a pause while the other runtimes were timed.  Chunks of at most
 * `loops`, sized by the pace so far, so that a long iteration overshoots
 * little.  The wall time spent goes to *lead_ns.  */
static int lead_in(struct instance *in, uint64_t loops, double seconds, uint64_t *lead_ns,
		   struct bench_error *err)
{
	uint64_t t0 = bench_clock_ns(), want = (uint64_t)(seconds * 1e9), done = 0, chunk = 1, ns;

	for (;;) {
		uint64_t spent, pace;

		if (instance_run(in, chunk, &ns, err) < 0)
			return -1;
		done += chunk;
		spent = bench_clock_ns() - t0;
		if (spent >= want) {
			*lead_ns = spent;
			return 0;
		}
		pace = spent / done ? spent / done : 1;
		chunk = (want - spent) / pace;
		chunk = chunk < 1 ? 1 : chunk > loops ? loops : chunk;
	}
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
	json_t *warmups, *md = new_run(spec, out, &warmups), *run = out->run,
	       *values = json_array();
	uint64_t loops = spec->loops, ns, timed = 0;
	struct usage_span span;
	FILE *cmds = fdopen(PROTO_COMMAND_FD, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = -1;

	json_object_set_new(run, "values", values);
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
		if ((q.warmup || q.lead_in > 0) &&
		    lead_in(in, loops, q.lead_in, &v.lead_ns, err) < 0)
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

/* The final reply of a worker: its run, or why it failed.  */
static int send_result(struct proto_reply *reply, int rc, const struct worker_spec *spec,
		       struct bench_error *err)
{
	if (rc < 0) {
		if (err->skip && spec->def && spec->def->requires)
			bench_error_prefix(err, "install the Debian package %s", spec->def->requires);
		reply->status = err->skip ? PROTO_SKIPPED : PROTO_FAILED;
		reply->error = err->msg[0] ? err->msg : "unknown error";
		reply->traceback = err->detail;
	}
	if (send_reply(reply) < 0) {
		fprintf(stderr, "sandbench __worker: cannot write the result to fd %d\n", WORKER_FD);
		return -1;
	}
	return rc;
}

/* The threads of this process (/proc/self/status), 0 when unknown.  */
static unsigned own_threads(void)
{
	char line[128];
	unsigned n = 0;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %u", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

/* One process forked from the template: warm-ups and values as a fresh
 * worker's (the warm-ups also make it write its own copies of the pages
 * the workload touches), then its run, and _exit: the set-up's files and
 * the interpreter are the template's to tear down.  */
static void __attribute__((noreturn)) forked_worker(struct instance *in,
						    const struct worker_spec *spec,
						    pid_t template, unsigned fork_no,
						    json_t *calibration)
{
	struct proto_reply out = { .status = PROTO_OK };
	struct bench_error err = { 0 };
	int rc;

	/* A template that dies takes its process with it.  */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != template)
		_exit(1);
	rc = measure(in, spec, &out, &err);
	if (rc == 0) {
		json_t *md = json_object_get(out.run, "metadata");
		json_object_set_new(md, "duration",
				    json_real((double)(bench_clock_ns() - spec->spawned_at) / 1e9));
		json_object_set_new(md, "worker_pid", json_integer(getpid()));
		json_object_set_new(md, "worker_process", json_string("forked"));
		json_object_set_new(md, "worker_template_pid", json_integer(template));
		json_object_set_new(md, "worker_template_generation", json_integer(spec->generation));
		json_object_set_new(md, "worker_template_fork", json_integer(fork_no));
		/* The template's calibration, in its first run as a fresh
		 * worker's is in its own.  */
		if (calibration) {
			json_t *w = json_object_get(out.run, "warmups");
			json_object_set_new(md, "calibrate_loops", json_integer((json_int_t)spec->loops));
			if (w)
				json_array_extend(calibration, w);
			json_object_set(out.run, "warmups", calibration);
		}
	}
	rc = send_result(&out, rc, spec, &err);
	fflush(NULL);
	_exit(rc == 0 ? 0 : 1);
}

/* A template (--forks N): calibrate (loops 0) or warm up once, then fork
 * N processes one after the other from that state, each measuring as a
 * fresh worker.  Python's hash seed is fixed when the interpreter starts,
 * so every process a template forks has the template's seed (and its
 * memory layout): the parent renews templates every few processes so that
 * seeds and layouts still vary across a benchmark's runs.  A set-up that
 * started threads cannot be forked (only the forking thread would go on):
 * then the template measures once itself, as a fresh worker (*forked 0).  */
static int worker_template(struct instance *in, const struct worker_spec *spec,
			   struct proto_reply *out, int *forked, struct bench_error *err)
{
	struct worker_spec mine = *spec;
	json_t *tries = json_array();
	pid_t self = getpid();
	uint64_t ns;
	int rc = -1;

	if (mine.loops == 0 ? calibrate(in, spec, tries, &mine.loops, err) < 0 :
	    instance_run(in, mine.loops, &ns, err) < 0)
		goto out;
	if (own_threads() != 1) {
		rc = measure(in, &mine, out, err);
		if (rc == 0 && spec->loops == 0)
			json_object_set_new(json_object_get(out->run, "metadata"), "calibrate_loops",
					    json_integer((json_int_t)mine.loops));
		goto out;
	}
	*forked = 1;
	for (unsigned k = 1; k <= spec->forks && !child_stop_requested(); k++) {
		char what[128];
		int status;
		pid_t pid;

		mine.spawned_at = bench_clock_ns();
		fflush(NULL);
		if ((pid = py_fork()) < 0) {
			bench_error_set(err, errno, "template: fork");
			goto out;
		}
		if (pid == 0) {
			child_release_signals();
			forked_worker(in, &mine, self, k, spec->loops == 0 && k == 1 ? tries : NULL);
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (child_stop_requested())
			break;
		/* Exit 0: it sent its run; 1: why it failed (the parent stops
		 * here); anything else: it sent nothing, so the template says.  */
		if (WIFEXITED(status) && WEXITSTATUS(status) <= 1) {
			if (WEXITSTATUS(status) == 1)
				break;
			continue;
		}
		*forked = 0;
		child_describe_status(status, what, sizeof(what));
		bench_error_set(err, 0, "`%s`: the process forked from its template (fork %u) "
				"ended (%s)", in->def ? in->def->name : "timeit", k, what);
		goto out;
	}
	rc = 0;
out:
	json_decref(tries);
	return rc;
}

int worker_main(int argc, char **argv)
{
	struct worker_spec spec = { .values = 1, .min_time = 0.1, .hash_seed = 0 };
	struct bench_error err = { 0 };
	struct instance in = { 0 };
	struct proto_reply reply = { .status = PROTO_OK };
	uint64_t t0 = bench_clock_ns();
	int rc, forked = 0;

	if (worker_parse_argv(argc, argv, &spec) < 0) {
		fprintf(stderr, "sandbench __worker: bad arguments (this mode is internal)\n");
		return 2;
	}
	/* The parent ends a template whose benchmark is precise enough with
	 * SIGTERM (worker_template_end), at any moment, in its set-up too:
	 * caught from the start, it forks no more and tears its set-up down (a
	 * native probe's folder), while a process it forked, back to the
	 * default action, dies of it.  */
	if (spec.forks)
		child_catch_signals();
	rc = instance_setup(&in, &spec, &err);
	if (rc == 0 && spec.forks)
		rc = worker_template(&in, &spec, &reply, &forked, &err);
	else if (rc == 0)
		rc = spec.lockstep ? lockstep(&in, &spec, &reply, &err) : measure(&in, &spec, &reply, &err);
	instance_teardown(&in);
	if (spec.forks)
		child_release_signals();
	if (py_finalize(rc == 0 ? &err : NULL) < 0)
		rc = -1;
	/* A template that forked has nothing to say: its processes did.  */
	if (rc == 0 && forked)
		return 0;
	if (rc == 0) {
		json_t *md = json_object_get(reply.run, "metadata");
		json_object_set_new(md, "duration", json_real((double)(bench_clock_ns() - t0) / 1e9));
		json_object_set_new(md, "worker_pid", json_integer(getpid()));
		json_object_set_new(md, "worker_process", json_string("fresh"));
	}
	rc = send_result(&reply, rc, &spec, &err);
	json_decref(reply.run);
	bench_error_release(&err);
	return rc == 0 ? 0 : 1;
}
