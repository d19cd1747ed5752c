#include "matrix.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../bench/clock.h"
#include "../bench/cmd_report.h"
#include "../bench/error.h"
#include "../bench/metadata.h"
#include "../bench/registry.h"
#include "../bench/result.h"
#include "../bench/runner.h"
#include "../bench/stats.h"
#include "../bench/util.h"
#include "driver.h"
#include "image.h"

#define MAX_RUNTIMES 8

const char ctr_matrix_usage[] =
	"usage: sandbench matrix --runtimes LIST -o DIR [-b NAMES] [-c CATEGORIES]\n"
	"                        [--fast | --rigorous | --smoke] [--rounds R]\n"
	"                        [--engine oci|podman|containerd] [--cpus LIST] [--memory SIZE]\n"
	"                        [--timeout S] [--seed N] [--image DIR]\n"
	"       sandbench matrix --resume DIR\n"
	"\n"
	"Run the selected benchmarks under several runtimes, interleaved: in each of R\n"
	"rounds every runtime gets one long-lived server (inside its container), and\n"
	"for each benchmark the worker processes alternate between the runtimes, in\n"
	"an order shuffled per process from a recorded seed, so that drift of the\n"
	"machine hits all runtimes alike.  The profile's worker processes are split\n"
	"across the rounds; each runtime calibrates its loops in its first process and\n"
	"keeps them; the rounds merge into DIR/RUNTIME.json (pyperf JSON), with equal\n"
	"value counts per benchmark across runtimes.  A runtime listed twice is an\n"
	"A/A test: native,native writes DIR/native.json and DIR/native-2.json.\n"
	"  --runtimes LIST   comma-separated: native, runc, crun, runsc, kata, kata-qemu,\n"
	"                    kata-clh, kata-fc, kata-dragonball (kata: --engine containerd)\n"
	"  -o, --output DIR  the results folder (must not hold another matrix)\n"
	"  --rounds R        rounds (default 2)\n"
	"  --engine E        oci: the runtime binary on an OCI bundle (default);\n"
	"                    podman: `podman run --runtime NAME`, as the 2021 study did;\n"
	"                    containerd: `ctr run` with a shim v2, the only way Kata 2+\n"
	"                    runs (the daemon at $CONTAINERD_ADDRESS or\n"
	"                    /run/containerd/containerd.sock, else a private one, as root)\n"
	"  --cpus LIST       a cpuset for the containers, e.g. 0-1\n"
	"  --memory SIZE     a memory limit, e.g. 4G\n"
	"  --timeout S       kill a worker process after S seconds, and stop a container\n"
	"                    that answers nothing for S + 60 (default 3600; 0: never)\n"
	"  --seed N          the seed of the shuffled orders (default: random, recorded)\n"
	"  --image DIR       the image's bundle folder (default: $SANDBENCH_IMAGE_DIR or\n"
	"                    /var/tmp/sandbench-image-VERSION); built when missing or\n"
	"                    older than the binary\n"
	"  --resume DIR      finish an interrupted matrix: rounds already done are kept\n"
	"\n"
	"Files in DIR: RUNTIME.json (merged), raw/RUNTIME-rN.json (one per round),\n"
	"matrix.json (the plan and what is done), matrix.log.\n";

/* The plan, recorded in DIR/matrix.json so that --resume can finish it.  */
struct plan {
	/* Labels: the runtime's name, or NAME-K for its K-th listing (an A/A
	 * test lists one runtime twice: native,native -> native, native-2).  */
	const char *runtimes[MAX_RUNTIMES];
	char labels[MAX_RUNTIMES][32];
	size_t nruntimes;
	unsigned rounds;
	uint64_t seed;
	enum ctr_engine engine;
	const char *cpus;
	long long memory;
	double timeout;
	const char *names, *categories;
	const char *profile;		/* "default", "fast", "rigorous", "smoke" */
	const char *image_dir;
};

static volatile sig_atomic_t interrupted;

/* The driver of a label: "runc" or "runc-2" -> runc.  */
static const struct ctr_driver *label_driver(const char *label)
{
	const struct ctr_driver *d = ctr_driver_find(label);
	const char *dash = strrchr(label, '-');
	char name[32];

	if (d)
		return d;
	if (!dash || dash == label || !dash[1] || strspn(dash + 1, "0123456789") != strlen(dash + 1) ||
	    (size_t)(dash - label) >= sizeof(name))
		return NULL;
	memcpy(name, label, (size_t)(dash - label));
	name[dash - label] = '\0';
	return ctr_driver_find(name);
}

static void on_signal(int sig)
{
	interrupted = sig;
	ctr_kill_current();
}

long long ctr_parse_size(const char *s)
{
	char *end;
	double v;
	long long mult = 1;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': mult = 1LL << 10; end++; break;
	case 'm': case 'M': mult = 1LL << 20; end++; break;
	case 'g': case 'G': mult = 1LL << 30; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	/* Converting a double beyond long long is undefined: refuse it.  */
	if (*end || !(v * (double)mult < (double)LLONG_MAX))
		return -1;
	return (long long)(v * (double)mult);
}

/* splitmix64: a small, well-mixed generator for the shuffles.  */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* o = 0..n-1, Fisher-Yates shuffled.  */
static void shuffle(uint64_t *state, size_t *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		o[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(next_random(state) % i), t = o[i - 1];
		o[i - 1] = o[j];
		o[j] = t;
	}
}

void ctr_shuffle_orders(uint64_t seed, unsigned rounds, size_t n, size_t *order)
{
	uint64_t state = seed;

	for (unsigned r = 0; r < rounds; r++)
		shuffle(&state, order + (size_t)r * n, n);
}

static char *raw_path(const char *dir, const char *runtime, unsigned round)
{
	return xasprintf("%s/raw/%s-r%u.json", dir, runtime, round + 1);
}

/* A round's file that holds at least one benchmark, or NULL.  */
static json_t *read_round(const char *path)
{
	json_t *suite = NULL;

	if (result_read(path, &suite, NULL) == 0 &&
	    json_array_size(json_object_get(suite, "benchmarks")) > 0)
		return suite;
	json_decref(suite);
	return NULL;
}

static json_t *plan_to_json(const struct plan *p, json_t *done)
{
	json_t *rts = json_array();

	for (size_t i = 0; i < p->nruntimes; i++)
		json_array_append_new(rts, json_string(p->runtimes[i]));
	return json_pack("{s:o, s:i, s:I, s:s, s:s?, s:I, s:f, s:s?, s:s?, s:s, s:s, s:O}",
			 "runtimes", rts, "rounds", (int)p->rounds, "seed", (json_int_t)p->seed,
			 "engine", ctr_engine_name(p->engine),
			 "cpus", p->cpus, "memory", (json_int_t)p->memory, "timeout", p->timeout,
			 "benchmarks", p->names, "categories", p->categories,
			 "profile", p->profile, "image", p->image_dir, "done", done);
}

static int save_plan(const char *dir, const struct plan *p, json_t *done, struct bench_error *err)
{
	cleanup_free char *path = xasprintf("%s/matrix.json", dir);
	json_t *j = plan_to_json(p, done);
	cleanup_free char *text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	if (!text)
		return bench_error_set(err, 0, "write `%s`: cannot encode the plan", path);
	return util_write_file_atomic(path, text, strlen(text), err);
}

/* Read a plan back; its strings stay owned by *root.  */
static int load_plan(const char *dir, struct plan *p, json_t **root, struct bench_error *err)
{
	cleanup_free char *path = xasprintf("%s/matrix.json", dir);
	cleanup_free char *text = NULL;
	json_t *j, *rts, *v;
	size_t i;

	if (util_read_file(path, 1 << 20, &text, NULL, err) < 0)
		return bench_error_prefix(err, "--resume `%s`: not a matrix folder", dir);
	j = json_loads(text, 0, NULL);
	rts = json_object_get(j, "runtimes");
	/* The plan is read back from disk: bound what sizes allocations and
	 * deadlines as the command line does (--rounds 1-64, --timeout).  */
	if (!json_is_array(rts) || json_array_size(rts) == 0 || json_array_size(rts) > MAX_RUNTIMES ||
	    json_integer_value(json_object_get(j, "rounds")) < 1 ||
	    json_integer_value(json_object_get(j, "rounds")) > 64 ||
	    !(json_number_value(json_object_get(j, "timeout")) >= 0 &&
	      json_number_value(json_object_get(j, "timeout")) <= 1e9)) {
		json_decref(j);
		return bench_error_set(err, 0, "%s: not a plan written by sandbench matrix", path);
	}
	memset(p, 0, sizeof(*p));
	json_array_foreach(rts, i, v)
		p->runtimes[p->nruntimes++] = json_string_value(v);
	p->rounds = (unsigned)json_integer_value(json_object_get(j, "rounds"));
	p->seed = (uint64_t)json_integer_value(json_object_get(j, "seed"));
	p->engine = CTR_ENGINE_OCI;
	if (ctr_engine_parse(json_string_value(json_object_get(j, "engine")) ?: "oci", &p->engine) < 0) {
		json_decref(j);
		return bench_error_set(err, 0, "%s: not a plan written by sandbench matrix", path);
	}
	p->cpus = json_string_value(json_object_get(j, "cpus"));
	p->memory = json_integer_value(json_object_get(j, "memory"));
	p->timeout = json_number_value(json_object_get(j, "timeout"));
	p->names = json_string_value(json_object_get(j, "benchmarks"));
	p->categories = json_string_value(json_object_get(j, "categories"));
	p->profile = json_string_value(json_object_get(j, "profile")) ?: "default";
	if (!runner_profile(p->profile)) {
		json_decref(j);
		return bench_error_set(err, 0, "%s: not a plan written by sandbench matrix", path);
	}
	p->image_dir = json_string_value(json_object_get(j, "image")) ?: ctr_image_default_dir();
	for (i = 0; i < p->nruntimes; i++)
		if (!p->runtimes[i] || !label_driver(p->runtimes[i])) {
			json_decref(j);
			return bench_error_set(err, 0, "%s: unknown runtime in the plan", path);
		}
	*root = j;
	return 0;
}

static void logf_(FILE *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(FILE *log, const char *fmt, ...)
{
	char date[64];
	va_list ap;

	metadata_date(date, sizeof(date));
	fprintf(log, "== %s ", date);
	va_start(ap, fmt);
	vfprintf(log, fmt, ap);
	va_end(ap);
	fputc('\n', log);
	fflush(log);
}

int ctr_matrix_merge(const char *dir, const char *const *runtimes, unsigned rounds,
		     json_t *extra_metadata, FILE *log, struct bench_error *err)
{
	size_t nrt = 0;
	json_t *files[MAX_RUNTIMES][64] = { { NULL } };
	int have[MAX_RUNTIMES] = { 0 }, rc = -1;

	while (runtimes[nrt])
		nrt++;
	if (rounds > 64)
		return bench_error_set(err, 0, "at most 64 rounds");
	for (size_t i = 0; i < nrt; i++)
		for (unsigned r = 0; r < rounds; r++) {
			cleanup_free char *path = raw_path(dir, runtimes[i], r);
			if (access(path, F_OK) == 0 && result_read(path, &files[i][r], NULL) == 0)
				have[i] = 1;
		}
	for (size_t i = 0; i < nrt; i++) {
		cleanup_free char *out = xasprintf("%s/%s.json", dir, runtimes[i]);
		json_t *suite = NULL, *b;
		size_t k;
		unsigned first = 0;

		if (!have[i])
			continue;
		while (!files[i][first])
			first++;
		suite = result_suite_new(json_deep_copy(json_object_get(files[i][first], "metadata")));
		if (extra_metadata && json_object_get(extra_metadata, runtimes[i]))
			json_object_update(json_object_get(suite, "metadata"),
					   json_object_get(extra_metadata, runtimes[i]));
		json_array_foreach(json_object_get(files[i][first], "benchmarks"), k, b) {
			const char *name = result_benchmark_name(b);
			json_t *merged = NULL;

			for (unsigned r = 0; r < rounds; r++) {
				json_t *mine = files[i][r] ? result_find_benchmark(files[i][r], name) : NULL;
				int everywhere = mine != NULL;

				/* A round counts only if every runtime that ran has it.  */
				for (size_t j = 0; j < nrt && everywhere; j++)
					if (have[j] && (!files[j][r] || !result_find_benchmark(files[j][r], name)))
						everywhere = 0;
				if (!everywhere) {
					if (mine && log)
						logf_(log, "merge: %s round %u of %s left out: another runtime lacks it",
						      name, r + 1, runtimes[i]);
					continue;
				}
				if (!merged) {
					merged = json_deep_copy(mine);
					continue;
				}
				json_array_extend(json_object_get(merged, "runs"), json_object_get(mine, "runs"));
			}
			if (merged)
				json_array_append_new(json_object_get(suite, "benchmarks"), merged);
		}
		if (json_array_size(json_object_get(suite, "benchmarks")) > 0 &&
		    result_write(out, suite, err) < 0) {
			json_decref(suite);
			goto out;
		}
		json_decref(suite);
	}
	rc = 0;
out:
	for (size_t i = 0; i < nrt; i++)
		for (unsigned r = 0; r < rounds; r++)
			json_decref(files[i][r]);
	return rc;
}

/* Metadata each merged file gets: what ran it and how.  */
static json_t *runtime_metadata(const struct plan *p, const struct ctr_image *img)
{
	json_t *all = json_object();

	for (size_t i = 0; i < p->nruntimes; i++) {
		const struct ctr_driver *d = label_driver(p->runtimes[i]);
		char version[256];
		json_t *md;

		ctr_driver_version(d, version, sizeof(version));
		md = json_pack("{s:s, s:s, s:i, s:I}", "runtime", d->name,
			       "runtime_version", version,
			       "matrix_rounds", (int)p->rounds, "matrix_seed", (json_int_t)p->seed);
		ctr_run_metadata(d, p->engine, md);
		if (!(d->flags & CTR_NO_CONTAINER) && img->id)
			json_object_set_new(md, "image_id", json_string(img->id));
		if (p->cpus)
			json_object_set_new(md, "limit_cpus", json_string(p->cpus));
		if (p->memory > 0)
			json_object_set_new(md, "limit_memory", json_integer(p->memory));
		json_object_set_new(all, p->runtimes[i], md);
	}
	return all;
}

/* One runtime in one round: its server and the file it fills.  */
struct lane {
	const char *label;
	const struct ctr_driver *d;
	struct ctr_session s;
	int alive;
	json_t *suite;		/* raw/RUNTIME-rN.json */
	json_t *loops_from;	/* its first finished round: the loops it calibrated */
	char *path, *key;	/* the raw file; "RUNTIME-rN" in the plan's "done" */
};

/* Start the runtime's server and read its hello.  */
static int lane_start(const char *dir, const struct plan *p, const struct ctr_image *img,
		      unsigned r, FILE *log, struct lane *l, struct bench_error *err)
{
	cleanup_free char *raw = xasprintf("%s/raw", dir);
	char *hello;
	json_t *msg, *md;

	for (unsigned r0 = 0; r0 < r && !l->loops_from; r0++) {
		cleanup_free char *earlier = raw_path(dir, l->label, r0);
		l->loops_from = read_round(earlier);
	}
	if (ctr_session_start(&(struct ctr_run){ .driver = l->d, .engine = p->engine, .image = img,
				.results = raw, .cpus = p->cpus, .memory = p->memory,
				.log_fd = fileno(log) }, &l->s, err) < 0)
		return -1;
	hello = ctr_session_read_line(&l->s, p->timeout, err);
	msg = hello ? json_loads(hello, 0, NULL) : NULL;
	free(hello);
	md = json_object_get(msg, "metadata");
	if (!json_is_object(md)) {
		json_decref(msg);
		if (!err->msg[0])
			bench_error_set(err, 0, "runtime `%s`: the container did not start its server "
					"(see matrix.log)", l->d->name);
		ctr_session_stop(&l->s, NULL);
		return -1;
	}
	l->suite = result_suite_new(json_incref(md));
	json_decref(msg);
	l->alive = 1;
	return 0;
}

static void lane_release(struct lane *l)
{
	json_decref(l->suite);
	json_decref(l->loops_from);
	free(l->path);
	free(l->key);
	memset(l, 0, sizeof(*l));
}

/* One worker process of a benchmark on one lane: its run, or NULL (the
 * benchmark failed there, or the lane died: then alive is 0).  */
static json_t *lane_request(struct lane *l, const struct bench_def *def,
			    const struct runner_profile *prof, uint64_t *loops, unsigned *inner,
			    double timeout, struct bench_error *err)
{
	json_t *req = json_pack("{s:s, s:I, s:i, s:i, s:f, s:f}", "bench", def->name,
				"loops", (json_int_t)*loops, "values", (int)prof->values,
				"warmups", (int)prof->warmups, "min_time", prof->min_time,
				"timeout", timeout);
	cleanup_free char *text = json_dumps(req, JSON_COMPACT);
	cleanup_free char *line = NULL;
	json_t *reply, *run = NULL;
	const char *status;

	json_decref(req);
	/* The server's own worker timeout comes first; this one is for a stuck server.  */
	if (ctr_session_write_line(&l->s, text, err) < 0 ||
	    !(line = ctr_session_read_line(&l->s, timeout > 0 ? timeout + 60 : 0, err))) {
		l->alive = 0;
		return NULL;
	}
	reply = json_loads(line, 0, NULL);
	status = json_string_value(json_object_get(reply, "status"));
	if (status && strcmp(status, "ok") == 0 && json_is_object(json_object_get(reply, "run"))) {
		json_int_t lp = json_integer_value(json_object_get(reply, "loops"));
		json_int_t in = json_integer_value(json_object_get(reply, "inner_loops"));
		*loops = lp > 0 ? (uint64_t)lp : 1;
		*inner = in > 0 ? (unsigned)in : 1;
		run = json_incref(json_object_get(reply, "run"));
	} else {
		const char *e = json_string_value(json_object_get(reply, "error"));
		const char *tb = json_string_value(json_object_get(reply, "traceback"));
		bench_error_set(err, 0, "%s", e ? e : "the server sent no valid reply");
		if (tb)
			bench_error_set_detail(err, xstrdup(tb));
		err->skip = status && strcmp(status, "skipped") == 0;
	}
	json_decref(reply);
	return run;
}

/* One benchmark in one round: its processes alternate between the lanes,
 * in an order shuffled per process, so that machine drift hits every
 * runtime alike.  A lane calibrates in its first process unless an earlier
 * round gave it loops.  Returns the number of lanes where it failed.  */
static int measure_benchmark(const struct plan *p, const struct bench_def *def, unsigned r,
			     struct lane *lanes, size_t nl, uint64_t *rng, FILE *log)
{
	const struct runner_profile *prof = runner_profile(p->profile);
	unsigned processes = prof->processes, inner[MAX_RUNTIMES];
	uint64_t loops[MAX_RUNTIMES];
	json_t *bench[MAX_RUNTIMES] = { NULL };
	int failed[MAX_RUNTIMES] = { 0 }, failures = 0;
	size_t order[MAX_RUNTIMES];
	char line[512];
	size_t used;

	/* The profile's processes are split across rounds, rounding up.  */
	processes = (processes + p->rounds - 1) / p->rounds;
	for (size_t i = 0; i < nl; i++) {
		json_t *known = lanes[i].loops_from ? result_find_benchmark(lanes[i].loops_from, def->name)
						    : NULL;
		loops[i] = prof->loops ? prof->loops : known ? result_benchmark_loops(known) : 0;
		inner[i] = 1;
	}
	for (unsigned k = 0; k < processes && !interrupted; k++) {
		shuffle(rng, order, nl);
		for (size_t o = 0; o < nl && !interrupted; o++) {
			struct lane *l = &lanes[order[o]];
			size_t i = order[o];
			struct bench_error err = { 0 };
			json_t *run;

			if (!l->alive || failed[i])
				continue;
			run = lane_request(l, def, prof, &loops[i], &inner[i], p->timeout, &err);
			if (run) {
				if (!bench[i])
					bench[i] = result_benchmark_new(def->name, def->category,
									bench_kind_name(def->kind), loops[i],
									inner[i]);
				json_array_append_new(json_object_get(bench[i], "runs"), run);
			} else if (!interrupted) {
				failed[i] = 1;
				failures += !err.skip;
				fprintf(stderr, "[round %u/%u %s] %s: %s: %s\n%s", r + 1, p->rounds,
					l->label, def->name, err.skip ? "skipped" : "FAILED", err.msg,
					err.detail ? err.detail : "");
				logf_(log, "round %u/%u %s: %s %s: %s", r + 1, p->rounds, l->label,
				      def->name, err.skip ? "skipped" : "FAILED", err.msg);
			}
			bench_error_release(&err);
		}
	}
	used = (size_t)snprintf(line, sizeof(line), "[round %u/%u] %s:", r + 1, p->rounds, def->name);
	for (size_t i = 0; i < nl; i++) {
		if (bench[i] && !failed[i] && !interrupted) {
			double *means;
			size_t n;
			char t[32];

			json_array_append(json_object_get(lanes[i].suite, "benchmarks"), bench[i]);
			result_benchmark_values(bench[i], NULL, NULL, &means, &n);
			runner_format_time(n ? stats_mean(means, n) : 0, t, sizeof(t));
			free(means);
			if (used < sizeof(line))
				used += (size_t)snprintf(line + used, sizeof(line) - used, " %s %s",
							 lanes[i].label, t);
		}
		json_decref(bench[i]);
	}
	if (!interrupted)
		fprintf(stderr, "%s\n", line);
	return failures;
}

/* Stop the lanes of a round; those whose server ran to the end are done.
 * After an interrupt none is: a server in a container is its pid 1, which
 * ignores the forwarded SIGTERM and exits 0 at the end of its input, with
 * only part of the round measured.  */
static int finish_round(const char *dir, const struct plan *p, unsigned r, struct lane *lanes,
			size_t nl, json_t *done, FILE *log)
{
	int failures = 0;

	for (size_t i = 0; i < nl; i++) {
		struct lane *l = &lanes[i];
		struct bench_error err = { 0 };
		int alive = l->alive;

		if (ctr_session_stop(&l->s, &err) < 0 || !alive || interrupted) {
			if (!interrupted) {
				fprintf(stderr, "sandbench: matrix: round %u of %s failed: %s\n", r + 1,
					l->label, err.msg[0] ? err.msg : "its server stopped answering");
				logf_(log, "round %u/%u %s: FAILED: %s", r + 1, p->rounds, l->label,
				      err.msg[0] ? err.msg : "its server stopped answering");
				failures++;
			}
		} else {
			json_object_set_new(done, l->key, json_true());
			logf_(log, "round %u/%u %s: done", r + 1, p->rounds, l->label);
		}
		bench_error_release(&err);
		lane_release(l);
	}
	if (save_plan(dir, p, done, NULL) < 0)
		fprintf(stderr, "sandbench: matrix: cannot save `%s/matrix.json`\n", dir);
	return failures;
}

/* Run the whole plan; returns the exit status.  */
static int run_plan(const char *dir, struct plan *p, json_t *done)
{
	struct bench_error err = { 0 };
	struct ctr_image img = { 0 };
	size_t *order = xcalloc((size_t)p->rounds * p->nruntimes, sizeof(*order));
	int usable[MAX_RUNTIMES], failures = 0, containers = 0, status = 0, engine_open = 0;
	cleanup_free char *raw = xasprintf("%s/raw", dir);
	cleanup_free char *log_path = xasprintf("%s/matrix.log", dir);
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term, old_pipe;
	const struct bench_def **sel = NULL;
	size_t nsel = 0;
	uint64_t start = bench_clock_ns(), rng = p->seed ^ 0x5eedULL;
	json_t *extra = NULL;
	FILE *log;

	if (mkdir(raw, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "sandbench: matrix: create `%s`: %s\n", raw, strerror(errno));
		free(order);
		return 2;
	}
	log = fopen(log_path, "ae");
	if (!log) {
		fprintf(stderr, "sandbench: matrix: open `%s`: %s\n", log_path, strerror(errno));
		free(order);
		return 2;
	}
	logf_(log, "matrix: %zu runtimes x %u rounds, seed %llu", p->nruntimes, p->rounds,
	      (unsigned long long)p->seed);
	if (bench_registry_select(p->names, p->categories, &sel, &nsel, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		status = 2;
		goto out;
	}

	/* The engine first: whether a runtime can run may depend on it.  */
	for (size_t i = 0; i < p->nruntimes; i++)
		containers += !(label_driver(p->runtimes[i])->flags & CTR_NO_CONTAINER);
	if (containers && ctr_engine_open(p->engine, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n%s", err.msg, err.detail ? err.detail : "");
		logf_(log, "engine: %s", err.msg);
		status = 1;
		goto out;
	}
	engine_open = containers > 0;
	containers = 0;
	/* Which runtimes can run here: the others are reported, not fatal.  */
	for (size_t i = 0; i < p->nruntimes; i++) {
		const struct ctr_driver *d = label_driver(p->runtimes[i]);
		usable[i] = ctr_driver_available(d, &err) == 0 &&
			    ctr_driver_usable(d, p->engine, &err) == 0;
		if (!usable[i]) {
			fprintf(stderr, "sandbench: matrix: %s; it is left out\n", err.msg);
			logf_(log, "%s; left out", err.msg);
			failures++;
			bench_error_release(&err);
		}
		containers += usable[i] && !(d->flags & CTR_NO_CONTAINER);
	}
	if (containers && ctr_image_ensure(p->image_dir, p->engine == CTR_ENGINE_PODMAN, &img,
					   &err) < 0) {
		fprintf(stderr, "sandbench: matrix: image: %s\n", err.msg);
		logf_(log, "image: %s", err.msg);
		status = 1;
		goto out;
	}

	interrupted = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	/* A server that died shows as EPIPE on its input, not as a signal.  */
	sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, &old_pipe);

	ctr_shuffle_orders(p->seed, p->rounds, p->nruntimes, order);
	for (unsigned r = 0; r < p->rounds && !interrupted; r++) {
		struct lane lanes[MAX_RUNTIMES];
		size_t nl = 0;

		/* One server per runtime for the round, started in the round's order.  */
		for (size_t k = 0; k < p->nruntimes && !interrupted; k++) {
			size_t i = order[r * p->nruntimes + k];
			struct lane *l = &lanes[nl];
			json_t *finished;

			if (!usable[i])
				continue;
			memset(l, 0, sizeof(*l));
			l->label = p->runtimes[i];
			l->d = label_driver(l->label);
			l->path = raw_path(dir, l->label, r);
			l->key = xasprintf("%s-r%u", l->label, r + 1);
			if (json_is_true(json_object_get(done, l->key)) && (finished = read_round(l->path))) {
				json_decref(finished);	/* resumed: this round is done */
				lane_release(l);
				continue;
			}
			logf_(log, "round %u/%u %s: start", r + 1, p->rounds, l->label);
			if (lane_start(dir, p, &img, r, log, l, &err) < 0) {
				fprintf(stderr, "sandbench: matrix: round %u of %s failed: %s\n%s", r + 1,
					l->label, err.msg, err.detail ? err.detail : "");
				logf_(log, "round %u/%u %s: FAILED: %s", r + 1, p->rounds, l->label, err.msg);
				failures++;
				bench_error_release(&err);
				lane_release(l);
				continue;
			}
			nl++;
		}
		if (nl)
			fprintf(stderr, "matrix: round %u/%u: %zu runtime%s, %zu benchmarks (%.0f s so far)\n",
				r + 1, p->rounds, nl, nl > 1 ? "s" : "", nsel,
				(double)(bench_clock_ns() - start) / 1e9);
		for (size_t b = 0; b < nsel && nl && !interrupted; b++) {
			failures += measure_benchmark(p, sel[b], r, lanes, nl, &rng, log);
			/* Nothing measured is lost: each lane's file after each benchmark.  */
			for (size_t i = 0; i < nl; i++)
				if (json_array_size(json_object_get(lanes[i].suite, "benchmarks")) > 0 &&
				    result_write(lanes[i].path, lanes[i].suite, &err) < 0) {
					fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
					bench_error_release(&err);
					failures++;
				}
		}
		failures += finish_round(dir, p, r, lanes, nl, done, log);
	}

	extra = runtime_metadata(p, &img);
	if (ctr_matrix_merge(dir, p->runtimes, p->rounds, extra, log, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: merge: %s\n", err.msg);
		status = 1;
	}
	if (interrupted) {
		fprintf(stderr, "sandbench: matrix: interrupted; finished rounds are kept: "
			"`sandbench matrix --resume %s` finishes it\n", dir);
		logf_(log, "interrupted by signal %d", (int)interrupted);
		status = 128 + interrupted;
	} else if (failures) {
		fprintf(stderr, "sandbench: matrix: %d problem%s: see %s\n", failures,
			failures > 1 ? "s" : "", log_path);
		status = status ? status : 1;
	}
	/* The report needs two runtimes' files.  */
	{
		size_t merged = 0;
		for (size_t i = 0; i < p->nruntimes; i++) {
			cleanup_free char *path = xasprintf("%s/%s.json", dir, p->runtimes[i]);
			merged += access(path, F_OK) == 0;
		}
		if (merged >= 2 && !interrupted) {
			char *report_argv[] = { "report", (char *)dir, NULL };
			optind = 1;
			if (cmd_report(2, report_argv) != 0)
				status = status ? status : 1;
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
out:
	if (engine_open)
		ctr_engine_close(p->engine);
	logf_(log, "matrix: exit status %d", status);
	fclose(log);
	free(sel);
	json_decref(extra);
	ctr_image_release(&img);
	bench_error_release(&err);
	free(order);
	return status;
}

/* Containers mount DIR/raw: the runtimes want an absolute path.  */
static int run_plan_at(const char *dir, struct plan *p, json_t *done)
{
	char *abs = realpath(dir, NULL);
	int rc;

	if (!abs) {
		fprintf(stderr, "sandbench: matrix: `%s`: %s\n", dir, strerror(errno));
		return 2;
	}
	rc = run_plan(abs, p, done);
	free(abs);
	return rc;
}

static uint64_t random_seed(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = bench_clock_ns();
	return v & 0x7fffffffffffffffULL;	/* stays a JSON integer */
}

int ctr_matrix_cmd(int argc, char **argv)
{
	enum { O_RUNTIMES = 256, O_ROUNDS, O_ENGINE, O_CPUS, O_MEMORY, O_TIMEOUT, O_SEED,
	       O_IMAGE, O_RESUME, O_FAST, O_RIGOROUS, O_SMOKE };
	static const struct option longopts[] = {
		{ "runtimes", required_argument, NULL, O_RUNTIMES },
		{ "output", required_argument, NULL, 'o' },
		{ "bench", required_argument, NULL, 'b' },
		{ "category", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, O_ROUNDS },
		{ "engine", required_argument, NULL, O_ENGINE },
		{ "cpus", required_argument, NULL, O_CPUS },
		{ "memory", required_argument, NULL, O_MEMORY },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "seed", required_argument, NULL, O_SEED },
		{ "image", required_argument, NULL, O_IMAGE },
		{ "resume", required_argument, NULL, O_RESUME },
		{ "fast", no_argument, NULL, O_FAST },
		{ "rigorous", no_argument, NULL, O_RIGOROUS },
		{ "smoke", no_argument, NULL, O_SMOKE },
		{ NULL, 0, NULL, 0 },
	};
	struct plan p = { .rounds = 2, .timeout = 3600, .profile = "default",
			  .image_dir = ctr_image_default_dir() };
	struct bench_error err = { 0 };
	const char *dir = NULL, *resume = NULL, *runtimes = NULL;
	cleanup_free char *rt_copy = NULL;
	const struct bench_def **sel = NULL;
	json_t *root = NULL, *done;
	int c, profiles = 0, seeded = 0, rc;
	size_t nsel;
	long v;

	while ((c = getopt_long(argc, argv, "o:b:c:", longopts, NULL)) != -1) {
		switch (c) {
		case O_RUNTIMES: runtimes = optarg; break;
		case 'o': dir = optarg; break;
		case 'b': p.names = optarg; break;
		case 'c': p.categories = optarg; break;
		case O_ROUNDS:
			if (util_parse_long(optarg, 1, 64, &v) < 0)
				goto usage_bad;
			p.rounds = (unsigned)v;
			break;
		case O_ENGINE:
			if (ctr_engine_parse(optarg, &p.engine) < 0)
				goto usage_bad;
			break;
		case O_CPUS: p.cpus = optarg; break;
		case O_MEMORY:
			p.memory = ctr_parse_size(optarg);
			if (p.memory < (1LL << 20))
				goto usage_bad;
			break;
		case O_TIMEOUT:
			if (util_parse_double(optarg, &p.timeout) < 0)
				goto usage_bad;
			break;
		case O_SEED:
			if (util_parse_long(optarg, 0, 0x7fffffffffffffffL, &v) < 0)
				goto usage_bad;
			p.seed = (uint64_t)v;
			seeded = 1;
			break;
		case O_IMAGE: p.image_dir = optarg; break;
		case O_RESUME: resume = optarg; break;
		case O_FAST: p.profile = "fast", profiles++; break;
		case O_RIGOROUS: p.profile = "rigorous", profiles++; break;
		case O_SMOKE: p.profile = "smoke", profiles++; break;
		default:
			fprintf(stderr, "\n%s", ctr_matrix_usage);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sandbench: matrix: unexpected argument `%s`\n\n%s", argv[optind],
			ctr_matrix_usage);
		return 2;
	}
	if (resume) {
		if (load_plan(resume, &p, &root, &err) < 0) {
			fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
			return 2;
		}
		done = json_deep_copy(json_object_get(root, "done"));
		if (!json_is_object(done)) {
			json_decref(done);
			done = json_object();
		}
		rc = run_plan_at(resume, &p, done);
		json_decref(done);
		json_decref(root);
		return rc;
	}
	if (!runtimes || !dir || profiles > 1) {
		fprintf(stderr, "sandbench: matrix: give --runtimes and -o DIR%s\n\n%s",
			profiles > 1 ? ", and one of --fast, --rigorous and --smoke" : "",
			ctr_matrix_usage);
		return 2;
	}
	rt_copy = xstrdup(runtimes);
	for (char *save = NULL, *name = strtok_r(rt_copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		int times = 1;
		if (!ctr_driver_find(name)) {
			fprintf(stderr, "sandbench: matrix: unknown runtime `%s`; runtimes: native runc "
				"crun runsc kata kata-qemu kata-clh kata-fc kata-dragonball\n", name);
			return 2;
		}
		/* Kata through podman or its OCI command line cannot work: say so now.  */
		if (p.engine != CTR_ENGINE_CONTAINERD &&
		    ctr_driver_usable(ctr_driver_find(name), p.engine, &err) < 0) {
			fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
			bench_error_release(&err);
			return 2;
		}
		if (p.nruntimes == MAX_RUNTIMES) {
			fprintf(stderr, "sandbench: matrix: at most %d runtimes\n", MAX_RUNTIMES);
			return 2;
		}
		for (size_t i = 0; i < p.nruntimes; i++)
			times += label_driver(p.runtimes[i]) == ctr_driver_find(name);
		if (times == 1)
			snprintf(p.labels[p.nruntimes], sizeof(p.labels[0]), "%s", name);
		else
			snprintf(p.labels[p.nruntimes], sizeof(p.labels[0]), "%s-%d", name, times);
		p.runtimes[p.nruntimes] = p.labels[p.nruntimes];
		p.nruntimes++;
	}
	if (p.nruntimes == 0)
		goto usage_bad;
	if (bench_registry_select(p.names, p.categories, &sel, &nsel, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		return 2;
	}
	free(sel);
	if (!seeded)
		p.seed = random_seed();
	if (util_mkdir_p(dir, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		return 2;
	}
	{
		cleanup_free char *plan_path = xasprintf("%s/matrix.json", dir);
		if (access(plan_path, F_OK) == 0) {
			fprintf(stderr, "sandbench: matrix: `%s` already holds a matrix: finish it with "
				"--resume %s, or choose another -o\n", dir, dir);
			return 2;
		}
	}
	done = json_object();
	if (save_plan(dir, &p, done, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		json_decref(done);
		return 2;
	}
	rc = run_plan_at(dir, &p, done);
	json_decref(done);
	return rc;
usage_bad:
	fprintf(stderr, "sandbench: matrix: bad value for an option\n\n%s", ctr_matrix_usage);
	return 2;
}
