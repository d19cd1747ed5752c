#include "containers/matrix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "bench/report/cmd_report.h"
#include "bench/lib/error.h"
#include "bench/harness/metadata.h"
#include "bench/harness/protocol.h"
#include "categories/registry.h"
#include "bench/lib/result.h"
#include "bench/lib/safefile.h"
#include "bench/harness/runner.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "bench/harness/worker.h"
#include "containers/driver.h"
#include "containers/image.h"
#include "containers/lockstep.h"

#define MAX_RUNTIMES 8

const char ctr_matrix_usage[] =
	"usage: sandbench matrix --runtimes LIST -o DIR [-b NAMES] [-c CATEGORIES]\n"
	"                        [--fast | --rigorous | --smoke] [--design lockstep|processes]\n"
	"                        [--value-time S] [--values N] [--slots N] [--target PCT]\n"
	"                        [--seeds same|independent] [--value-warmup] [--rounds R]\n"
	"                        [--engine oci|podman|containerd] [--cpus LIST] [--memory SIZE]\n"
	"                        [--timeout S] [--seed N] [--image DIR]\n"
	"       sandbench matrix --resume DIR\n"
	"\n"
	"Run the selected benchmarks under several runtimes, each runtime with one\n"
	"long-lived server (inside its container), and merge the results into\n"
	"DIR/RUNTIME.json (pyperf JSON), with equal value counts per benchmark across\n"
	"runtimes.  A runtime listed twice is an A/A test: native,native writes\n"
	"DIR/native.json and DIR/native-2.json.\n"
	"\n"
	"Lockstep design (default): for each benchmark and process slot, every runtime\n"
	"has one worker alive at once, all pinned to one CPU (chosen per slot), with\n"
	"the same hash seed; the values are asked one at a time, alternating between\n"
	"the runtimes in a counterbalanced order (ABBA, BAAB, or a shuffle per block),\n"
	"so that value i of each runtime's process are taken milliseconds apart and\n"
	"pair.  Processes are fresh per slot.  After a minimum of slots, a benchmark\n"
	"stops once the paired interval of every runtime against the first listed is\n"
	"within the target, or its time budget or most slots are spent (--fast: 6-20\n"
	"slots, 8 values, 1%, 8 s; default: 8-40, 8, 0.5%, 40 s; --rigorous: 10-80,\n"
	"10, 0.25%, 160 s; --smoke: 2 slots of 3 values).\n"
	"Processes design: in each of R rounds, the worker processes of a benchmark\n"
	"alternate between the runtimes, in an order shuffled per process.\n"
	"  --runtimes LIST   comma-separated: native, runc, crun, runsc, kata, kata-qemu,\n"
	"                    kata-clh, kata-fc, kata-dragonball (kata: --engine containerd)\n"
	"  -o, --output DIR  the results folder (must not hold another matrix or other\n"
	"                    *.json files; one matrix at a time runs in it)\n"
	"  --design D        lockstep (default) or processes\n"
	"  --value-time S    lockstep: seconds per value, for calibration (default 0.01)\n"
	"  --values N        lockstep: values per process, 3-100 (default: the profile's;\n"
	"                    fewer, at least 3, when one iteration outlasts S)\n"
	"  --slots N         lockstep: the most slots per benchmark (1-200)\n"
	"  --target PCT      lockstep: stop at this 95% half-width, in percent\n"
	"  --seeds MODE      lockstep: same (default: one hash seed per slot) or\n"
	"                    independent (one per worker)\n"
	"  --value-warmup    lockstep: one untimed iteration before each value\n"
	"  --rounds R        rounds (default 2 for processes, 1 for lockstep)\n"
	"  --engine E        oci: the runtime binary on an OCI bundle (default);\n"
	"                    podman: `podman run --runtime NAME`, as the 2021 study did;\n"
	"                    containerd: `ctr run` with a shim v2, the only way Kata 2+\n"
	"                    runs (the daemon at $CONTAINERD_ADDRESS or\n"
	"                    /run/containerd/containerd.sock, else a private one, as root)\n"
	"  --cpus LIST       a cpuset for the containers, e.g. 0-1 (lockstep slots are\n"
	"                    pinned within it)\n"
	"  --memory SIZE     a memory limit, e.g. 4G (at least 128M)\n"
	"  --timeout S       kill a worker process after S seconds, and stop a container\n"
	"                    that answers nothing for S + 60 (default 3600; 0: never)\n"
	"  --seed N          the seed of the orders, CPUs and hash seeds (default:\n"
	"                    random, recorded)\n"
	"  --image DIR       the image's bundle folder (default: $SANDBENCH_IMAGE_DIR or\n"
	"                    /var/tmp/sandbench-image-VERSION); built when missing or\n"
	"                    older than the binary\n"
	"  --resume DIR      finish an interrupted matrix: rounds and (lockstep)\n"
	"                    benchmarks already done are kept\n"
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
	int lockstep;			/* the design: lockstep (1) or processes (0) */
	double value_time;		/* lockstep: seconds per value */
	unsigned values, slots;		/* lockstep: per process, most slots; 0: the profile's */
	double target;			/* lockstep: relative half-width; < 0: the profile's */
	int independent_seeds, value_warmup;
	const char *run_id;		/* the same in every runtime file of the run */
	char run_id_buf[96];		/* a plan that recorded none: its seed */
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

uint64_t ctr_random_next(uint64_t *state)
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
		size_t j = (size_t)(ctr_random_next(state) % i), t = o[i - 1];
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

/* The lockstep part of the plan (a plan without "design" is a processes one,
 * written before the lockstep design).  A new object.  */
static json_t *lockstep_plan_to_json(const struct plan *p)
{
	return json_pack("{s:s, s:f, s:i, s:i, s:f, s:s, s:b, s:s}",
			 "design", p->lockstep ? "lockstep" : "processes", "value_time", p->value_time,
			 "values", (int)p->values, "slots", (int)p->slots, "target", p->target,
			 "seeds", p->independent_seeds ? "independent" : "same",
			 "value_warmup", p->value_warmup, "run_id", p->run_id);
}

/* Read the lockstep part back, bounded as the command line bounds it.  */
static int lockstep_plan_from_json(json_t *j, struct plan *p)
{
	const char *design = json_string_value(json_object_get(j, "design"));
	json_t *target = json_object_get(j, "target");

	p->lockstep = design && strcmp(design, "lockstep") == 0;
	if (design && !p->lockstep && strcmp(design, "processes") != 0)
		return -1;
	p->value_time = json_number_value(json_object_get(j, "value_time"));
	p->values = (unsigned)json_integer_value(json_object_get(j, "values"));
	p->slots = (unsigned)json_integer_value(json_object_get(j, "slots"));
	p->target = target ? json_number_value(target) : -1;
	p->independent_seeds = strcmp(json_string_value(json_object_get(j, "seeds")) ?: "same",
				      "independent") == 0;
	p->value_warmup = json_is_true(json_object_get(j, "value_warmup"));
	p->run_id = json_string_value(json_object_get(j, "run_id"));
	if (!p->run_id) {
		snprintf(p->run_id_buf, sizeof(p->run_id_buf), "%llu", (unsigned long long)p->seed);
		p->run_id = p->run_id_buf;
	}
	/* It becomes suite metadata: one non-empty line.  */
	if (!p->run_id[0] || strchr(p->run_id, '\n'))
		return -1;
	if (p->lockstep && (!(p->value_time > 0 && p->value_time <= 60) ||
			    json_integer_value(json_object_get(j, "values")) > LOCKSTEP_MAX_VALUES ||
			    json_integer_value(json_object_get(j, "values")) < 0 ||
			    p->slots > LOCKSTEP_MAX_SLOTS || !(p->target < 1)))
		return -1;
	return 0;
}

static json_t *plan_to_json(const struct plan *p, json_t *done)
{
	json_t *rts = json_array();

	for (size_t i = 0; i < p->nruntimes; i++)
		json_array_append_new(rts, json_string(p->runtimes[i]));
	json_t *j = json_pack("{s:o, s:i, s:I, s:s, s:s?, s:I, s:f, s:s?, s:s?, s:s, s:s, s:O}",
			      "runtimes", rts, "rounds", (int)p->rounds, "seed", (json_int_t)p->seed,
			      "engine", ctr_engine_name(p->engine),
			      "cpus", p->cpus, "memory", (json_int_t)p->memory, "timeout", p->timeout,
			      "benchmarks", p->names, "categories", p->categories,
			      "profile", p->profile, "image", p->image_dir, "done", done);

	json_t *ls = lockstep_plan_to_json(p);

	json_object_update(j, ls);
	json_decref(ls);
	return j;
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
	if (lockstep_plan_from_json(j, p) < 0) {
		json_decref(j);
		return bench_error_set(err, 0, "%s: not a plan written by sandbench matrix", path);
	}
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
	size_t index;		/* in the plan's runtimes */
};

/* Round trips of lockstep value requests, per runtime of the plan.  */
struct rtt_log {
	double *us;
	size_t n, cap;
};

/* Start the runtime's server and read its hello.  */
static int lane_start(const char *dir, const struct plan *p, const struct ctr_image *img,
		      unsigned r, FILE *log, struct lane *l, struct bench_error *err)
{
	cleanup_free char *raw = xasprintf("%s/raw", dir);
	cleanup_free char *hello = NULL;
	struct proto_reply msg = { 0 };

	for (unsigned r0 = 0; r0 < r && !l->loops_from; r0++) {
		cleanup_free char *earlier = raw_path(dir, l->label, r0);
		l->loops_from = read_round(earlier);
	}
	if (ctr_session_start(&(struct ctr_run){ .driver = l->d, .engine = p->engine, .image = img,
				.results = raw, .cpus = p->cpus, .memory = p->memory,
				.log_fd = fileno(log) }, &l->s, err) < 0)
		return -1;
	hello = ctr_session_read_line(&l->s, p->timeout, err);
	if (!hello || proto_reply_decode(hello, strlen(hello), &msg, "the server", NULL) < 0 ||
	    msg.status != PROTO_READY || !msg.metadata) {
		proto_reply_release(&msg);
		if (!err->msg[0])
			bench_error_set(err, 0, "runtime `%s`: the container did not start its server "
					"(see matrix.log)", l->d->name);
		ctr_session_stop(&l->s, NULL);
		return -1;
	}
	l->suite = result_suite_new(json_incref(msg.metadata));
	proto_reply_release(&msg);
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

/* Send a request to the lane's server and read its reply.  -1 when the
 * server is gone or stuck (then the lane is dead).  */
static int lane_exchange(struct lane *l, const struct proto_request *q, struct proto_reply *r,
		  double timeout, struct bench_error *err)
{
	cleanup_free char *text = proto_request_encode(q);
	cleanup_free char *line = NULL;

	memset(r, 0, sizeof(*r));
	/* The server's own worker timeout comes first; this one is for a stuck server.  */
	if (ctr_session_write_line(&l->s, text, err) < 0 ||
	    !(line = ctr_session_read_line(&l->s, timeout > 0 ? timeout + 60 : 0, err))) {
		l->alive = 0;
		return -1;
	}
	if (proto_reply_decode(line, strlen(line), r, "the server", NULL) < 0) {
		r->owned_error = xstrdup("the server sent no valid reply");
		r->error = r->owned_error;
	}
	return 0;
}

/* One worker process of a benchmark on one lane: its run, or NULL (the
 * benchmark failed there, or the lane died: then alive is 0).  */
static json_t *lane_request(struct lane *l, const struct bench_def *def,
			    const struct runner_profile *prof, uint64_t *loops, unsigned *inner,
			    double timeout, struct bench_error *err)
{
	struct proto_request q = { .kind = PROTO_RUN, .bench = def->name, .loops = *loops,
				   .values = prof->values, .warmups = prof->warmups,
				   .min_time = prof->min_time, .timeout = timeout };
	struct proto_reply r;
	json_t *run = NULL;

	if (lane_exchange(l, &q, &r, timeout, err) < 0)
		return NULL;
	if (r.status == PROTO_OK) {
		*loops = r.loops;
		*inner = r.inner_loops;
		run = json_incref(r.run);
	} else if (r.status == PROTO_FAILED || r.status == PROTO_SKIPPED) {
		proto_reply_error(&r, err);
	} else {
		bench_error_set(err, 0, "the server sent no valid reply");
	}
	proto_reply_release(&r);
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

/* The CPUs slots may be pinned to: --cpus, or where this process may run.  */
static size_t slot_cpus(const struct plan *p, int *cpus, size_t max)
{
	cpu_set_t set;
	size_t n = 0;

	if (!p->cpus || worker_parse_cpus(p->cpus, &set) < 0)
		sched_getaffinity(0, sizeof(set), &set);
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	if (n == 0)
		cpus[n++] = 0;
	return n;
}

/* One benchmark in one round, in lockstep (containers/lockstep.h): every
 * lane's worker alive at once per slot, values asked one at a time.  A lane
 * calibrates in its first slot unless an earlier round gave it loops.
 * Returns the number of lanes where it failed.  */
static int measure_benchmark_lockstep(const struct plan *p, const struct bench_def *def,
				      unsigned r, struct lane *lanes, size_t nl, uint64_t *rng,
				      struct rtt_log *rtt, FILE *log)
{
	const struct runner_profile *prof = runner_profile(p->profile);
	const struct lockstep_profile *lp = lockstep_profile(p->profile);
	struct lockstep_lane ls[MAX_RUNTIMES];
	size_t map[MAX_RUNTIMES], n = 0;
	int cpus[CPU_SETSIZE], failures = 0;
	struct lockstep_options o = {
		.min_slots = (lp->min_slots + p->rounds - 1) / p->rounds,
		.max_slots = ((p->slots ? p->slots : lp->max_slots) + p->rounds - 1) / p->rounds,
		.values = p->values ? p->values : lp->values,
		.value_time = p->value_time, .target = p->target >= 0 ? p->target : lp->target,
		.budget = lp->budget / p->rounds,
		.timeout = p->timeout, .fixed_loops = prof->loops,
		.independent_seeds = p->independent_seeds, .value_warmup = p->value_warmup,
		.cpus = cpus, .round = r + 1, .first_slot = r * LOCKSTEP_MAX_SLOTS + 1,
	};
	unsigned slots;
	char line[512];
	size_t used;

	o.ncpus = slot_cpus(p, cpus, CPU_SETSIZE);
	if (o.min_slots > o.max_slots)
		o.min_slots = o.max_slots;
	/* The lanes in the plan's order: the first listed is the reference.  */
	for (size_t want = 0; want < p->nruntimes; want++)
		for (size_t i = 0; i < nl; i++) {
			json_t *known;
			if (lanes[i].index != want || !lanes[i].alive)
				continue;
			known = lanes[i].loops_from ? result_find_benchmark(lanes[i].loops_from, def->name)
						    : NULL;
			ls[n] = (struct lockstep_lane){ .label = lanes[i].label, .s = &lanes[i].s,
				.alive = 1, .loops = known ? result_benchmark_loops(known) : 0,
				.rtt_us = rtt[want].us, .nrtt = rtt[want].n, .rtt_cap = rtt[want].cap };
			map[n++] = i;
		}
	if (n < 2) {
		logf_(log, "round %u/%u %s: fewer than two runtimes alive: not measured in lockstep",
		      r + 1, p->rounds, def->name);
		return 0;
	}
	slots = lockstep_benchmark(&o, def, ls, n, rng, &interrupted, log);
	used = (size_t)snprintf(line, sizeof(line), "[round %u/%u] %s: %u slot%s:", r + 1, p->rounds,
				def->name, slots, slots == 1 ? "" : "s");
	for (size_t k = 0; k < n; k++) {
		struct lane *l = &lanes[map[k]];

		rtt[l->index] = (struct rtt_log){ ls[k].rtt_us, ls[k].nrtt, ls[k].rtt_cap };
		l->alive = ls[k].alive;
		if (ls[k].failed && !interrupted) {
			failures += !ls[k].skipped;
			fprintf(stderr, "[round %u/%u %s] %s: %s: %s\n", r + 1, p->rounds, l->label,
				def->name, ls[k].skipped ? "skipped" : "FAILED", ls[k].error);
			logf_(log, "round %u/%u %s: %s %s: %s", r + 1, p->rounds, l->label, def->name,
			      ls[k].skipped ? "skipped" : "FAILED", ls[k].error);
		} else if (json_array_size(ls[k].runs) > 0 && !interrupted) {
			json_t *b = result_benchmark_new(def->name, def->category, bench_kind_name(def->kind),
							 ls[k].loops, ls[k].inner_loops);
			double *means;
			size_t nv;
			char t[32];

			json_array_extend(json_object_get(b, "runs"), ls[k].runs);
			result_benchmark_values(b, NULL, NULL, &means, &nv);
			runner_format_time(nv ? stats_mean(means, nv) : 0, t, sizeof(t));
			free(means);
			json_array_append_new(json_object_get(l->suite, "benchmarks"), b);
			if (used < sizeof(line))
				used += (size_t)snprintf(line + used, sizeof(line) - used, " %s %s",
							 l->label, t);
		}
		json_decref(ls[k].runs);
	}
	if (!interrupted)
		fprintf(stderr, "%s\n", line);
	return failures;
}

/* Resuming a lockstep round: the benchmarks its raw files already hold
 * (each written after a finished benchmark) are kept, not run again.  */
static void keep_finished_benchmarks(struct lane *lanes, size_t nl, FILE *log)
{
	for (size_t i = 0; i < nl; i++) {
		json_t *old = access(lanes[i].path, F_OK) == 0 ? read_round(lanes[i].path) : NULL;
		size_t k;
		json_t *b;

		json_array_foreach(json_object_get(old, "benchmarks"), k, b) {
			json_array_append(json_object_get(lanes[i].suite, "benchmarks"), b);
			logf_(log, "%s: %s kept from before", lanes[i].label, result_benchmark_name(b));
		}
		json_decref(old);
	}
}

/* Does every lane hold the benchmark?  If only some do (one failed or was
 * cut short), it is removed from them, to be measured again.  */
static int measured_everywhere(struct lane *lanes, size_t nl, const char *name)
{
	size_t have = 0;

	for (size_t i = 0; i < nl; i++)
		have += result_find_benchmark(lanes[i].suite, name) != NULL;
	if (have == nl)
		return 1;
	for (size_t i = 0; i < nl && have; i++) {
		json_t *all = json_object_get(lanes[i].suite, "benchmarks"), *b;
		size_t k;
		json_array_foreach(all, k, b)
			if (strcmp(result_benchmark_name(b), name) == 0) {
				json_array_remove(all, k);
				break;
			}
	}
	return 0;
}

/* Suite metadata of the design: the run id and design in every file, and
 * for lockstep its settings and the median round trip of a value request
 * (all that is not the timed region: pipes, the server, the container
 * boundary) per runtime.  */
static void add_lockstep_metadata(const struct plan *p, const struct rtt_log *rtt, json_t *extra)
{
	const struct lockstep_profile *lp = lockstep_profile(p->profile);

	for (size_t i = 0; i < p->nruntimes; i++) {
		json_t *md = json_object_get(extra, p->runtimes[i]);

		json_object_set_new(md, "matrix_run_id", json_string(p->run_id));
		json_object_set_new(md, "matrix_design", json_string(p->lockstep ? "lockstep" : "processes"));
		if (!p->lockstep)
			continue;
		json_object_set_new(md, "lockstep_value_time", json_real(p->value_time));
		json_object_set_new(md, "lockstep_values", json_integer(p->values ? p->values : lp->values));
		json_object_set_new(md, "lockstep_max_slots", json_integer(p->slots ? p->slots : lp->max_slots));
		json_object_set_new(md, "lockstep_target", json_real(p->target >= 0 ? p->target : lp->target));
		json_object_set_new(md, "lockstep_seeds", json_string(p->independent_seeds ? "independent"
												: "same"));
		json_object_set_new(md, "lockstep_value_warmup", json_integer(p->value_warmup));
		if (rtt[i].n)
			json_object_set_new(md, "lockstep_rtt_us", json_real(stats_median(rtt[i].us, rtt[i].n)));
	}
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

/* DIR/raw, root's own: only root writes there (the containers get a
 * subfolder each, see containers/driver.c).  An older sandbench gave it to
 * the container's user: take it back, and drop what containers left.  */
static int own_folder(const char *raw, struct bench_error *err)
{
	struct dirent *e;
	DIR *d;
	int fd;

	if (mkdir(raw, 0755) < 0 && errno != EEXIST)
		return bench_error_set(err, errno, "create `%s`", raw);
	fd = open(raw, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return bench_error_set(err, errno, "open `%s`", raw);
	if (fchown(fd, geteuid(), getegid()) < 0 || fchmod(fd, 0755) < 0) {
		int saved = errno;
		close(fd);
		return bench_error_set(err, saved, "make `%s` root's own", raw);
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return bench_error_set(err, errno, "open `%s`", raw);
	}
	/* Nothing else runs in DIR now (the lock): these are leftovers.  */
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "container-", 10) == 0) {
			cleanup_free char *sub = xasprintf("%s/%s", raw, e->d_name);
			safefile_remove_tree(sub, NULL);
		}
	closedir(d);
	return 0;
}

/* DIR/matrix.log for appending: a regular file of root's, through no link.  */
static FILE *open_log(const char *path, struct bench_error *err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	struct stat st;
	FILE *f;

	if (fd < 0) {
		bench_error_set(err, errno, "open `%s`", path);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != geteuid() && fchown(fd, geteuid(), getegid()) < 0)) {
		bench_error_set(err, 0, "`%s` is not a regular file of ours", path);
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "a");
	if (!f) {
		bench_error_set(err, errno, "open `%s`", path);
		close(fd);
	}
	return f;
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
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term, old_hup, old_pipe;
	const struct bench_def **sel = NULL;
	size_t nsel = 0;
	uint64_t start = bench_clock_ns(), rng = p->seed ^ 0x5eedULL;
	struct rtt_log rtt[MAX_RUNTIMES] = { { 0 } };
	json_t *extra = NULL;
	FILE *log;

	if (own_folder(raw, &err) < 0 || !(log = open_log(log_path, &err))) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		bench_error_release(&err);
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
	/* What a matrix killed outright left (this one, before --resume, too).  */
	ctr_cleanup_leftovers();
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
	sigaction(SIGHUP, &sa, &old_hup);
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
			l->index = i;
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
		if (p->lockstep)
			keep_finished_benchmarks(lanes, nl, log);
		for (size_t b = 0; b < nsel && nl && !interrupted; b++) {
			if (p->lockstep && measured_everywhere(lanes, nl, sel[b]->name))
				continue;
			failures += p->lockstep ?
				measure_benchmark_lockstep(p, sel[b], r, lanes, nl, &rng, rtt, log) :
				measure_benchmark(p, sel[b], r, lanes, nl, &rng, log);
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
	add_lockstep_metadata(p, rtt, extra);
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
	sigaction(SIGHUP, &old_hup, NULL);
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
	for (size_t i = 0; i < MAX_RUNTIMES; i++)
		free(rtt[i].us);
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

#define MIN_MEMORY (128LL << 20)

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sandbench: matrix: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n%s", ctr_matrix_usage);
	return 2;
}

/* One matrix per folder at a time: the lock lasts until the process exits.  */
static int lock_folder(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "sandbench: matrix: `%s`: %s\n", dir, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "sandbench: matrix: another matrix is running in `%s`%s\n", dir,
			errno == EWOULDBLOCK ? "" : strerror(errno));
		close(fd);
		return -1;
	}
	return 0;	/* fd kept open: held until exit */
}

/* The first *.json file in dir, a new string, or NULL.  */
static char *other_results(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	while (d && !found && (e = readdir(d)))
		if ((util_ends_with(e->d_name, ".json") || util_ends_with(e->d_name, ".json.gz")) &&
		    strcmp(e->d_name, "syscalls.json") != 0 && strcmp(e->d_name, "report.json") != 0)
			found = xstrdup(e->d_name);
	if (d)
		closedir(d);
	return found;
}

static uint64_t random_seed(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = bench_clock_ns();
	return v & 0x7fffffffffffffffULL;	/* stays a JSON integer */
}

/* --design lockstep|processes.  */
static int parse_design(const char *arg, struct plan *p)
{
	if (strcmp(arg, "lockstep") == 0)
		p->lockstep = 1;
	else if (strcmp(arg, "processes") == 0)
		p->lockstep = 0;
	else
		return -1;
	return 0;
}

int ctr_matrix_cmd(int argc, char **argv)
{
	enum { O_RUNTIMES = 256, O_ROUNDS, O_ENGINE, O_CPUS, O_MEMORY, O_TIMEOUT, O_SEED,
	       O_IMAGE, O_RESUME, O_FAST, O_RIGOROUS, O_SMOKE, O_DESIGN, O_VALUE_TIME, O_VALUES,
	       O_SLOTS, O_TARGET, O_SEEDS, O_VALUE_WARMUP };
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
		{ "design", required_argument, NULL, O_DESIGN },
		{ "value-time", required_argument, NULL, O_VALUE_TIME },
		{ "values", required_argument, NULL, O_VALUES },
		{ "slots", required_argument, NULL, O_SLOTS },
		{ "target", required_argument, NULL, O_TARGET },
		{ "seeds", required_argument, NULL, O_SEEDS },
		{ "value-warmup", no_argument, NULL, O_VALUE_WARMUP },
		{ NULL, 0, NULL, 0 },
	};
	struct plan p = { .rounds = 0, .timeout = 3600, .profile = "default",
			  .image_dir = ctr_image_default_dir(), .lockstep = 1, .value_time = 0.01,
			  .target = -1 };
	char run_id[96];
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
				return usage_error("bad --rounds `%s`: give a number from 1 to 64", optarg);
			p.rounds = (unsigned)v;
			break;
		case O_ENGINE:
			if (ctr_engine_parse(optarg, &p.engine) < 0)
				return usage_error("bad --engine `%s`: give oci, podman or containerd",
						   optarg);
			break;
		case O_CPUS: {
			cpu_set_t set;
			int cpu;
			if (worker_parse_cpus(optarg, &set) < 0)
				return usage_error("bad --cpus `%s`: give CPUs like 0 or 0,2-3", optarg);
			if ((cpu = util_unusable_cpu(&set)) >= 0)
				return usage_error("--cpus `%s`: CPU %d is not one this process may use",
						   optarg, cpu);
			p.cpus = optarg;
			break;
		}
		case O_MEMORY:
			p.memory = ctr_parse_size(optarg);
			/* Below this the container dies starting Python, reported
			 * only as "the container has ended".  */
			if (p.memory < MIN_MEMORY)
				return usage_error("bad --memory `%s`: give a size of at least %lldM, "
						   "e.g. 4G", optarg, MIN_MEMORY >> 20);
			break;
		case O_TIMEOUT:
			if (strcmp(optarg, "0") == 0)
				p.timeout = 0;	/* never */
			else if (util_parse_double(optarg, &p.timeout) < 0)
				return usage_error("bad --timeout `%s`: give seconds, or 0 for never",
						   optarg);
			break;
		case O_SEED:
			if (util_parse_long(optarg, 0, 0x7fffffffffffffffL, &v) < 0)
				return usage_error("bad --seed `%s`: give a number from 0 to 2^63-1", optarg);
			p.seed = (uint64_t)v;
			seeded = 1;
			break;
		case O_IMAGE: p.image_dir = optarg; break;
		case O_RESUME: resume = optarg; break;
		case O_FAST: p.profile = "fast", profiles++; break;
		case O_RIGOROUS: p.profile = "rigorous", profiles++; break;
		case O_SMOKE: p.profile = "smoke", profiles++; break;
		case O_DESIGN:
			if (parse_design(optarg, &p) < 0)
				return usage_error("bad --design `%s`: give lockstep or processes", optarg);
			break;
		case O_VALUE_TIME:
			if (util_parse_double(optarg, &p.value_time) < 0 || p.value_time > 60)
				return usage_error("bad --value-time `%s`: give seconds, above 0 and at "
						   "most 60", optarg);
			break;
		case O_VALUES:
			if (util_parse_long(optarg, LOCKSTEP_MIN_VALUES, LOCKSTEP_MAX_VALUES, &v) < 0)
				return usage_error("bad --values `%s`: give a number from %d to %d",
						   optarg, LOCKSTEP_MIN_VALUES, LOCKSTEP_MAX_VALUES);
			p.values = (unsigned)v;
			break;
		case O_SLOTS:
			if (util_parse_long(optarg, 1, LOCKSTEP_MAX_SLOTS, &v) < 0)
				return usage_error("bad --slots `%s`: give a number from 1 to %d",
						   optarg, LOCKSTEP_MAX_SLOTS);
			p.slots = (unsigned)v;
			break;
		case O_TARGET:
			if (util_parse_double(optarg, &p.target) < 0 || p.target >= 100)
				return usage_error("bad --target `%s`: give a percentage above 0 and "
						   "below 100", optarg);
			p.target /= 100;
			break;
		case O_SEEDS:
			if (strcmp(optarg, "same") != 0 && strcmp(optarg, "independent") != 0)
				return usage_error("bad --seeds `%s`: give same or independent", optarg);
			p.independent_seeds = strcmp(optarg, "independent") == 0;
			break;
		case O_VALUE_WARMUP: p.value_warmup = 1; break;
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
		if (lock_folder(resume) < 0) {
			json_decref(root);
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
	if (!p.rounds)
		p.rounds = p.lockstep ? 1 : 2;
	{
		char date[64];
		metadata_date(date, sizeof(date));
		snprintf(run_id, sizeof(run_id), "%llu-%s", (unsigned long long)p.seed, date);
		p.run_id = run_id;
	}
	if (util_mkdir_p(dir, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		return 2;
	}
	if (lock_folder(dir) < 0)
		return 2;
	{
		cleanup_free char *plan_path = xasprintf("%s/matrix.json", dir);
		cleanup_free char *other = NULL;
		if (access(plan_path, F_OK) == 0) {
			fprintf(stderr, "sandbench: matrix: `%s` already holds a matrix: finish it with "
				"--resume %s, or choose another -o\n", dir, dir);
			return 2;
		}
		/* The report takes every *.json in DIR: others would join it.  */
		if ((other = other_results(dir))) {
			fprintf(stderr, "sandbench: matrix: -o `%s` holds other result files (%s): "
				"choose an empty folder\n", dir, other);
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
