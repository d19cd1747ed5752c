#include "bench/harness/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/harness/protocol.h"
#include "bench/harness/worker_spawn.h"
#include "bench/lib/child.h"
#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/util.h"
#include "categories/registry.h"

/* The parent side of a worker: its command line, its start, and its one
 * reply (live lockstep workers: worker_live.c; the worker itself:
 * worker_main.c).  */

long worker_random_hash_seed(void)
{
	return (long)(util_random() % 4294967295u) + 1;
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


char **worker_argv(const struct worker_spec *spec)
{
	char **argv = xcalloc(24, sizeof(*argv));
	int n = 0;

	argv[n++] = xstrdup(util_self_exe());
	argv[n++] = xstrdup("__worker");
	if (spec->def) {
		argv[n++] = xasprintf("--bench=%s", spec->def->name);
	} else {
		argv[n++] = xasprintf("--stmt=%s", spec->stmt);
		argv[n++] = xasprintf("--setup=%s", spec->setup ? spec->setup : "pass");
	}
	if (spec->workloads_dir)
		argv[n++] = xasprintf("--workloads-dir=%s", spec->workloads_dir);
	if (spec->cache_dir)
		argv[n++] = xasprintf("--cache-dir=%s", spec->cache_dir);
	argv[n++] = xasprintf("--loops=%llu", (unsigned long long)spec->loops);
	argv[n++] = xasprintf("--warmups=%u", spec->warmups);
	argv[n++] = xasprintf("--values=%u", spec->values);
	if (spec->min_time > 0)	/* else the worker's own default */
		argv[n++] = xasprintf("--min-time=%.17g", spec->min_time);
	argv[n++] = xasprintf("--hash-seed=%ld", spec->hash_seed);
	/* CLOCK_MONOTONIC is one clock for the whole machine, so the worker can
	 * tell how long it took from here to its first value.  */
	argv[n++] = xasprintf("--spawned-at=%llu", (unsigned long long)bench_clock_ns());
	if (spec->lockstep)
		argv[n++] = xstrdup("--lockstep");
	if (spec->forks) {
		argv[n++] = xasprintf("--forks=%u", spec->forks);
		argv[n++] = xasprintf("--generation=%u", spec->generation);
	}
	argv[n] = NULL;
	return argv;
}

void worker_argv_free(char **argv)
{
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

/* A count from 0 to max into *out; -1 on garbage.  */
static int count_arg(const char *v, long max, uint64_t *out)
{
	long n;

	if (util_parse_long(v, 0, max, &n) < 0)
		return -1;
	*out = (uint64_t)n;
	return 0;
}

/* One `--key=value` of worker_argv into spec; -1 on anything else.  */
static int worker_arg(const char *key, const char *v, struct worker_spec *spec)
{
	uint64_t n = 0;
	int rc = 0;

	if (strcmp(key, "bench") == 0)
		rc = (spec->def = bench_registry_find(v)) ? 0 : -1;
	else if (strcmp(key, "stmt") == 0)
		spec->stmt = v;
	else if (strcmp(key, "setup") == 0)
		spec->setup = v;
	else if (strcmp(key, "workloads-dir") == 0)
		spec->workloads_dir = v;
	else if (strcmp(key, "cache-dir") == 0)
		spec->cache_dir = v;
	else if (strcmp(key, "loops") == 0)
		rc = count_arg(v, (long)WORKER_MAX_LOOPS, &spec->loops);
	else if (strcmp(key, "warmups") == 0) {
		rc = count_arg(v, LIMIT_COUNT, &n);
		spec->warmups = (unsigned)n;
	} else if (strcmp(key, "values") == 0) {
		rc = count_arg(v, LIMIT_COUNT, &n);
		spec->values = (unsigned)n;
	} else if (strcmp(key, "min-time") == 0)
		rc = util_parse_double(v, &spec->min_time);
	else if (strcmp(key, "hash-seed") == 0)
		rc = util_parse_long(v, 0, 4294967295L, &spec->hash_seed);
	else if (strcmp(key, "spawned-at") == 0)
		rc = count_arg(v, LONG_MAX, &spec->spawned_at);
	else if (strcmp(key, "forks") == 0 || strcmp(key, "generation") == 0) {
		rc = count_arg(v, LIMIT_COUNT, &n);
		*(key[0] == 'f' ? &spec->forks : &spec->generation) = (unsigned)n;
	}
	else
		rc = -1;
	return rc;
}

int worker_parse_argv(int argc, char **argv, struct worker_spec *spec)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		char key[32];

		if (strcmp(a, "--lockstep") == 0) {
			spec->lockstep = 1;
			continue;
		}
		if (strncmp(a, "--", 2) != 0 || !eq || (size_t)(eq - a - 2) >= sizeof(key))
			return -1;
		memcpy(key, a + 2, (size_t)(eq - a - 2));
		key[eq - a - 2] = '\0';
		if (worker_arg(key, eq + 1, spec) < 0)
			return -1;
	}
	return (spec->def || spec->stmt) && !(spec->forks && spec->lockstep) ? 0 : -1;
}

/* What the worker process does before exec: pinning, and for a lockstep
 * worker a fixed memory layout.  */
struct worker_hook {
	cpu_set_t cpus;
	int pin, fixed_layout;
};

static int before_worker_exec(void *arg)
{
	const struct worker_hook *h = arg;

	if (h->pin && sched_setaffinity(0, sizeof(h->cpus), &h->cpus) < 0)
		return errno;
	/* Lockstep workers of one slot share a hash seed; without address
	 * randomisation they share the memory layout too, so that its
	 * effect cancels in their ratio (common random numbers).  Where a
	 * sandbox refuses, the layout stays random: the run records it.  */
	if (h->fixed_layout)
		personality(PER_LINUX | ADDR_NO_RANDOMIZE);
	return 0;
}

int worker_spawn(const struct worker_spec *spec, struct child *c, struct bench_error *err)
{
	const char *name = spec->def ? spec->def->name : "timeit";
	struct worker_hook hook = { .pin = spec->affinity != NULL,
				    .fixed_layout = spec->lockstep };
	int replies[2], cmds[2] = { -1, -1 }, rc;
	char **argv;

	if (spec->affinity && worker_parse_cpus(spec->affinity, &hook.cpus) < 0)
		return bench_error_set(err, 0, "bad CPU list `%s`", spec->affinity);
	if (pipe2(replies, O_CLOEXEC) < 0)
		return bench_error_set(err, errno, "`%s`: create a pipe", name);
	if (spec->lockstep && pipe2(cmds, O_CLOEXEC) < 0) {
		close(replies[0]);
		close(replies[1]);
		return bench_error_set(err, errno, "`%s`: create a pipe", name);
	}
	argv = worker_argv(spec);
	*c = (struct child)CHILD_INIT;
	c->argv = argv;
	c->name = name;
	c->in = c->out = c->err = CHILD_INHERIT;
	c->fds[c->nfds++] = (typeof(c->fds[0])){ replies[1], PROTO_WORKER_FD };
	if (spec->lockstep)
		c->fds[c->nfds++] = (typeof(c->fds[0])){ cmds[0], PROTO_COMMAND_FD };
	/* A worker outlives no parent, and what it starts (a statement may
	 * fork) does not outlive it: a killed or finished run leaves nothing
	 * behind.  */
	c->flags = CHILD_DIE_WITH_PARENT | CHILD_OWN_GROUP | CHILD_SWEEP_GROUP;
	c->max_line = LIMIT_MESSAGE;
	c->before_exec = before_worker_exec;
	c->arg = &hook;
	rc = child_start(c, err);
	c->argv = NULL;
	c->arg = NULL;
	worker_argv_free(argv);
	close(replies[1]);
	if (cmds[0] >= 0)
		close(cmds[0]);
	if (rc < 0) {
		close(replies[0]);
		if (cmds[1] >= 0)
			close(cmds[1]);
		return -1;
	}
	c->from = replies[0];
	c->to = cmds[1];
	return 0;
}

int worker_describe_end(const char *name, int status, int timed_out, double timeout,
			struct bench_error *err)
{
	char what[128];

	if (timed_out)
		return bench_error_set(err, 0, "`%s`: the worker ran past the timeout of %g s and was killed",
				       name, timeout);
	child_describe_status(status, what, sizeof(what));
	return bench_error_set(err, 0, "`%s`: the worker died (%s)", name, what);
}

int worker_result_from_reply(const struct proto_reply *r, struct worker_result *res,
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
	rc = worker_result_from_reply(&r, res, name, "sent no valid result", err);
	proto_reply_release(&r);
	return rc;
}

int worker_run(const struct worker_spec *spec, struct worker_result *res,
	       struct bench_error *err)
{
	const char *name = spec->def ? spec->def->name : "timeit";
	cleanup_free char *text = NULL;
	struct child c;
	int timed_out;

	memset(res, 0, sizeof(*res));
	res->status = WORKER_FAILED;
	if (worker_spawn(spec, &c, err) < 0)
		return -1;
	/* One line, not everything up to the end of the pipe: a process the
	 * statement forked holds the pipe open.  */
	text = child_read_line(&c, spec->timeout, &timed_out);
	child_finish(&c, 0, NULL);
	if (!text || WIFSIGNALED(c.status))
		return worker_describe_end(name, c.status, timed_out, spec->timeout, err);
	return take_result(text, strlen(text), res, name, err);
}

