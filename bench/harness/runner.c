#include "bench/harness/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/harness/cpu_speed.h"
#include "bench/harness/metadata.h"
#include "bench/harness/runner_outcome.h"
#include "bench/harness/runner_plan.h"
#include "bench/harness/worker.h"
#include "bench/lib/child.h"
#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/safefile.h"
#include "bench/lib/orphans.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "categories/registry.h"

#define MIN_PROCESSES 3

/* --fast aims at the whole catalogue (87 benchmarks) in about three minutes
 * on two cores: fewer, shorter values; the default (about ten) and
 * --rigorous at precision.  `run` spends a budget per benchmark selected,
 * and gives a benchmark far from its target up to `most` processes (a
 * matrix and k8s take `processes`).  */
static const struct runner_profile profiles[] = {
	{ "default", 20, 3, 1, 0.01, 0.1, 0, 6.5, 40 },
	{ "fast", 6, 2, 1, 0.02, 0.05, 0, 2, 16 },
	{ "rigorous", 40, 3, 1, 0.005, 0.1, 0, 15, 80 },
	{ "smoke", 1, 1, 0, 0, 0.1, 1, 0, 1 },
};

const struct runner_profile *runner_profile(const char *name)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

/* Fill the outcome's statistics from the benchmark's values.  */
static void summarise(json_t *bench, struct outcome *o)
{
	double *values, *means;
	size_t n, nruns;

	result_benchmark_values(bench, &values, &n, &means, &nruns);
	o->mean = stats_mean(values, n);
	o->stdev = stats_stdev(values, n);
	o->halfwidth = stats_ci95_halfwidth(means, nruns);
	o->nvalues = n;
	o->nruns = nruns;
	free(values);
	free(means);
}

/* The loops a benchmark must use: those of the benchmark being appended to,
 * of --loops-from, of --loops, or 0 to calibrate.  */
static uint64_t known_loops(const struct runner_options *opts, json_t *bench, const char *name)
{
	json_t *other;

	if (bench)
		return result_benchmark_loops(bench);
	if (opts->loops_from && (other = result_find_benchmark(opts->loops_from, name)))
		return result_benchmark_loops(other);
	return opts->loops;
}

/* The interpreters the runs come from: a fresh worker is one, processes
 * forked from one template share one (its hash seed and layout).  */
static size_t interpreters(json_t *runs)
{
	json_t *seen = json_object(), *run;
	size_t i, n = 0;

	json_array_foreach(runs, i, run) {
		json_t *t = json_object_get(json_object_get(run, "metadata"), "worker_template_pid");
		char key[32];

		if (!json_is_integer(t)) {
			n++;
			continue;
		}
		snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(t));
		if (!json_object_get(seen, key)) {
			json_object_set_new(seen, key, json_true());
			n++;
		}
	}
	json_decref(seen);
	return n;
}

/* Enough processes: at least MIN_PROCESSES from at least two interpreters
 * (the spread of one template's forks misses that of hash seeds and
 * layouts), and the confidence half-width on per-process means within the
 * target.  */
static int precise_enough(const struct runner_options *opts, json_t *runs, json_t *bench)
{
	json_t *all = json_pack("{s:[]}", "runs");
	double *means, halfwidth, mean;
	size_t n;
	int enough;

	if (opts->target <= 0) {
		json_decref(all);
		return 0;
	}
	if (bench)
		json_array_extend(json_object_get(all, "runs"), json_object_get(bench, "runs"));
	json_array_extend(json_object_get(all, "runs"), runs);
	result_benchmark_values(all, NULL, NULL, &means, &n);
	mean = stats_mean(means, n);
	halfwidth = stats_ci95_halfwidth(means, n);
	free(means);
	enough = n >= MIN_PROCESSES && mean > 0 && halfwidth / mean <= opts->target &&
		 interpreters(json_object_get(all, "runs")) >= 2;
	json_decref(all);
	return enough;
}

/* A statement as one metadata line, quoted as Python's repr() does (as
 * pyperf records timeit_stmt): no newline, and never empty.  */
static char *quote_statement(const char *s)
{
	size_t n = 2;
	char *q, *p;

	for (const char *c = s; *c; c++)
		n += strchr("\\'\n\r\t", *c) ? 2 : 1;
	p = q = xmalloc(n + 1);
	*p++ = '\'';
	for (const char *c = s; *c; c++) {
		const char *esc = *c == '\\' ? "\\\\" : *c == '\'' ? "\\'" : *c == '\n' ? "\\n" :
				  *c == '\r' ? "\\r" : *c == '\t' ? "\\t" : NULL;
		if (esc) {
			memcpy(p, esc, 2);
			p += 2;
		} else {
			*p++ = *c;
		}
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

/* timeit's benchmark records what it times: another statement is not
 * appended to it.  */
static void set_timeit_metadata(const struct runner_options *opts, json_t *md)
{
	char *stmt = quote_statement(opts->stmt), *setup = quote_statement(opts->setup ?: "pass");

	json_object_set_new(md, "timeit_stmt", json_string(stmt));
	json_object_set_new(md, "timeit_setup", json_string(setup));
	free(stmt);
	free(setup);
}

static int check_same_timeit(const struct runner_options *opts, json_t *suite,
			     struct bench_error *err)
{
	json_t *bench = result_find_benchmark(suite, "timeit"), *want = json_object();
	json_t *md = json_object_get(bench, "metadata");
	int rc = 0;

	if (!bench)
		goto out;
	set_timeit_metadata(opts, want);
	for (const char *const *key = (const char *const[]){ "timeit_stmt", "timeit_setup", NULL };
	     *key; key++) {
		const char *have = json_string_value(json_object_get(md, *key));
		if (!have || strcmp(have, json_string_value(json_object_get(want, *key))) != 0) {
			rc = bench_error_set(err, 0, "--append: `%s` holds timeit of another %s (%s, "
					     "not %s): choose another -o", opts->output,
					     strcmp(*key, "timeit_stmt") == 0 ? "statement" : "set-up",
					     have ? have : "not recorded",
					     json_string_value(json_object_get(want, *key)));
			break;
		}
	}
out:
	json_decref(want);
	return rc;
}

/* Fresh processes: each one a new worker; the first calibrates when the
 * loops are not known (and only calibrates with -p 0).  */
static int run_fresh(const struct runner_options *opts, struct worker_spec *spec, json_t *runs,
		     json_t *bench, unsigned *inner_loops, struct bench_error *err)
{
	const char *name = spec->def ? spec->def->name : "timeit";
	struct worker_result res = { .inner_loops = 1 };
	unsigned first = 0;

	if (spec->loops == 0) {
		/* The calibrating process is also the first measuring one,
		 * unless only calibration was asked for (-p 0).  */
		spec->values = opts->processes ? opts->values : 0;
		spec->hash_seed = worker_random_hash_seed();
		if (worker_run(spec, &res, err) < 0)
			return -1;
		spec->loops = res.loops;
		spec->values = opts->values;
		*inner_loops = res.inner_loops;
		json_array_append_new(runs, res.run);
		first = opts->processes ? 1 : 0;
	}
	for (unsigned p = first; p < opts->processes; p++) {
		if (precise_enough(opts, runs, bench))
			break;
		if (child_stop_requested())
			return bench_error_set(err, 0, "`%s`: interrupted", name);
		spec->hash_seed = worker_random_hash_seed();
		if (worker_run(spec, &res, err) < 0)
			return -1;
		*inner_loops = res.inner_loops;
		json_array_append_new(runs, res.run);
	}
	return 0;
}

/* The highest template generation among a benchmark's runs (0: none), so
 * that more processes number their templates on from there.  */
static unsigned last_generation(json_t *bench)
{
	json_int_t last = 0;
	json_t *run;
	size_t i;

	json_array_foreach(json_object_get(bench, "runs"), i, run) {
		json_t *g = json_object_get(json_object_get(run, "metadata"),
					    "worker_template_generation");

		if (json_is_integer(g) && json_integer_value(g) > last)
			last = json_integer_value(g);
	}
	return (unsigned)last;
}

/* Forked processes: templates of at most opts->forks processes each, a new
 * template (a new interpreter, hash seed and layout) when one is used up;
 * the first calibrates when the loops are not known, the others reuse its
 * loops.  */
static int run_forked(const struct runner_options *opts, struct worker_spec *spec, json_t *runs,
		      json_t *bench, unsigned *inner_loops, struct bench_error *err)
{
	const char *name = spec->def ? spec->def->name : "timeit";

	spec->generation = last_generation(bench);
	while (json_array_size(runs) < opts->processes && !precise_enough(opts, runs, bench)) {
		struct worker_template t;
		struct worker_result res;
		size_t before = json_array_size(runs);
		int rc;

		if (child_stop_requested())
			return bench_error_set(err, 0, "`%s`: interrupted", name);
		spec->forks = opts->processes - (unsigned)before;
		if (spec->forks > opts->forks)
			spec->forks = opts->forks;
		/* A benchmark's first template forks at most half of its
		 * processes, so that they come from two interpreters at least. */
		if (!bench && before == 0 && spec->forks > (opts->processes + 1) / 2)
			spec->forks = (opts->processes + 1) / 2;
		spec->generation++;
		spec->hash_seed = worker_random_hash_seed();
		if (worker_template_start(spec, &t, err) < 0)
			return -1;
		while ((rc = worker_template_next(&t, &res, err)) == 1) {
			spec->loops = res.loops;
			*inner_loops = res.inner_loops;
			json_array_append_new(runs, res.run);
			if (precise_enough(opts, runs, bench) || child_stop_requested()) {
				worker_template_end(&t);
				break;
			}
		}
		if (rc < 0)
			return -1;
		if (json_array_size(runs) == before)
			return bench_error_set(err, 0, "`%s`: its template ended without a run", name);
	}
	return 0;
}

/* Run one benchmark: calibrate (unless the loops are known), then the
 * worker processes.  Only a complete benchmark is added to *bench (created
 * when NULL): a failure leaves it as it was.  */
static int run_benchmark(const struct runner_options *opts, const struct bench_def *def,
			 const char *cache_dir, json_t **bench, double *timed,
			 struct bench_error *err)
{
	struct worker_spec spec = {
		.def = def, .stmt = opts->stmt, .setup = opts->setup,
		.workloads_dir = opts->workloads_dir, .warmups = opts->warmups,
		.values = opts->values, .min_time = opts->min_time,
		.affinity = opts->affinity, .timeout = opts->timeout,
	};
	const char *name = def ? def->name : "timeit";
	json_t *runs = json_array(), *md;
	unsigned inner_loops = 0;
	/* One process alone (--smoke) gains nothing from a template.  */
	int forked = opts->forks > 0 && (opts->processes > 1 || (*bench && opts->processes)), rc;
	const char *made = forked ? "forked" : "fresh", *had;

	/* Inputs a workload generates (a git repository, a file tree) are made
	 * by its first process and reused by the others.  */
	spec.cache_dir = cache_dir;
	spec.loops = known_loops(opts, *bench, name);
	if (spec.loops && opts->processes == 0) {
		json_decref(runs);
		return bench_error_set(err, 0, "`%s`: -p 0 only calibrates, and its loops are already "
				       "known (%llu, in the file appended to)", name,
				       (unsigned long long)spec.loops);
	}
	rc = forked ? run_forked(opts, &spec, runs, *bench, &inner_loops, err) :
		      run_fresh(opts, &spec, runs, *bench, &inner_loops, err);
	if (rc < 0) {
		json_decref(runs);
		return -1;
	}
	if (!*bench) {
		*bench = result_benchmark_new(name, def ? def->category : "timeit",
					      def ? bench_kind_name(def->kind) : "python",
					      spec.loops, inner_loops ? inner_loops : 1);
		if (!def)
			set_timeit_metadata(opts, json_object_get(*bench, "metadata"));
	}
	/* How its processes were made (each run says which template).  */
	md = json_object_get(*bench, "metadata");
	had = json_string_value(json_object_get(md, "worker_processes"));
	json_object_set_new(md, "worker_processes", json_string(had && strcmp(had, made) != 0 ?
								"fresh and forked" : made));
	if (forked)
		json_object_set_new(md, "worker_template_forks", json_integer(opts->forks));
	json_array_extend(json_object_get(*bench, "runs"), runs);
	{
		size_t i;
		json_t *r;
		json_array_foreach(runs, i, r)
			*timed += json_number_value(json_object_get(json_object_get(r, "metadata"),
								    "timed_s"));
	}
	json_decref(runs);
	return 0;
}

/* --append reads the file, adds to it for the whole run, and writes it back:
 * two such runs at once would lose one's results.  The file itself is
 * replaced by each write, so the lock is on its folder, held until exit.  */
static int lock_for_append(const char *output, struct bench_error *err)
{
	cleanup_free char *dir = xstrdup(output);
	char *slash = strrchr(dir, '/');
	int fd;

	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bench_error_set(err, errno, "lock the folder of `%s`", output);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "sandbench: waiting for another run appending in the folder of `%s`\n",
			output);
		if (flock(fd, LOCK_EX) < 0) {
			close(fd);
			return bench_error_set(err, errno, "lock the folder of `%s`", output);
		}
	}
	return fd;	/* kept open: the lock lasts as long as the process */
}

/* How unequal the CPUs the workers may use are right now, into suite's
 * metadata, with a warning when a process's speed depends on where the
 * scheduler puts it.  */
static void note_cpu_speeds(const struct runner_options *opts, json_t *suite)
{
	struct cpu_speed s;
	cpu_set_t set;
	char warning[512];
	int fast, slow;

	if (opts->affinity ? worker_parse_cpus(opts->affinity, &set) < 0 :
			     sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	if (CPU_COUNT(&set) < 2 || cpu_speed_measure(&set, CPU_SPEED_LIMIT, &s) < 0)
		return;
	json_object_set_new(json_object_get(suite, "metadata"), "cpu_speed_spread",
			    json_real(cpu_speed_spread(&s, &fast, &slow)));
	if (cpu_speed_warning(&s, warning, sizeof(warning)))
		fprintf(stderr, "sandbench: %s\n", warning);
}

/* The suite to add to: the existing file with --append, else a new one.  */
static int open_suite(const struct runner_options *opts, json_t **suite,
		      struct bench_error *err)
{
	struct stat st;

	/* Known before anything is measured: a file that cannot be written.  */
	if (safefile_check_writable(opts->output, err) < 0)
		return bench_error_prefix(err, "-o");
	if (opts->append && lock_for_append(opts->output, err) < 0)
		return -1;
	if (stat(opts->output, &st) == 0) {
		if (opts->append) {
			if (result_read(opts->output, suite, err) < 0)
				return -1;
			if (opts->stmt && check_same_timeit(opts, *suite, err) < 0) {
				json_decref(*suite);
				*suite = NULL;
				return -1;
			}
			return 0;
		}
		if (!opts->force)
			return bench_error_set(err, 0, "output file `%s` exists: pass --force to "
					       "overwrite it or --append to add to it", opts->output);
		/* As root, `-o /dev/null --force` must not replace the device.  */
		if (safefile_check_replaceable(opts->output, err) < 0)
			return bench_error_prefix(err, "--force");
	} else if (errno != ENOENT) {
		return bench_error_set(err, errno, "output file `%s`", opts->output);
	}
	*suite = result_suite_new(metadata_collect());
	return 0;
}

/* Run benchmark i of total into suite and write the file: 0, or -1 (o says
 * why: failed, skipped, or not run when interrupted), -2 when the file
 * cannot be written (the run stops).  */
static int run_one(const struct runner_options *opts, const struct bench_def *def, json_t *suite,
		   const char *label, double *timed, struct outcome *o)
{
	json_t *bench = result_find_benchmark(suite, o->name);
	int fresh = bench == NULL, rc;
	char cache[4096] = "";

	if (bench)
		json_incref(bench);
	fprintf(stderr, "%s %s ...\n", label, o->name);
	if (util_make_temp_dir("sandbench-cache", cache, sizeof(cache)) < 0)
		fprintf(stderr, "sandbench: cannot create a folder in $TMPDIR (%s): each worker of "
			"`%s` makes its own inputs\n", strerror(errno), o->name);
	rc = run_benchmark(opts, def, cache[0] ? cache : NULL, &bench, timed, &o->err);
	util_remove_tree(cache);
	if (rc < 0) {
		/* An interrupted benchmark keeps nothing: its runs are incomplete.  */
		json_decref(bench);
		if (child_stop_requested())
			return -1;
		o->status = o->err.skip ? OUT_SKIPPED : OUT_FAILED;
		fprintf(stderr, "%s %s: %s: %s\n%s", label, o->name,
			o->status == OUT_SKIPPED ? "skipped" : "FAILED", o->err.msg,
			o->err.detail ? o->err.detail : "");
		return -1;
	}
	summarise(bench, o);
	o->loops = result_benchmark_loops(bench);
	if (o->nruns >= 2)
		json_object_set_new(json_object_get(bench, "metadata"), "ci95_halfwidth_pct",
				    json_real(100 * o->halfwidth / o->mean));
	if (fresh)
		json_array_append(json_object_get(suite, "benchmarks"), bench);
	json_decref(bench);
	if (result_write(opts->output, suite, &o->err) < 0) {
		fprintf(stderr, "sandbench: %s\n", o->err.msg);
		o->status = OUT_FAILED;
		return -2;
	}
	o->status = OUT_OK;
	return 0;
}

/* The adaptive stage (a target and a budget): once every benchmark has its
 * first processes, more go, a template's worth at a time (fresh: one),
 * where they bring a benchmark within the target for the least time
 * (runner_plan_next), until every one is within it or at the most
 * processes, or the budget is spent.  */
static int run_adaptive(const struct runner_options *opts, const struct bench_def **sel,
			json_t *suite, struct outcome *out, size_t total, uint64_t start,
			double *timed, size_t *failed)
{
	int written = 0;

	while (!child_stop_requested()) {
		double left = opts->budget - (double)(bench_clock_ns() - start) / 1e9;
		size_t i = runner_plan_next(opts->target, opts->processes, out, total);
		struct runner_options more = *opts;
		unsigned step = opts->forks ? opts->forks : 1;
		uint64_t t0 = bench_clock_ns();
		int rc;

		if (left <= 0 || i == total)
			break;
		more.processes = (unsigned)(opts->processes - out[i].nruns);
		if (more.processes > step)
			more.processes = step;
		rc = run_one(&more, opts->stmt ? NULL : sel[i], suite, "[more]", timed, &out[i]);
		out[i].seconds += (double)(bench_clock_ns() - t0) / 1e9;
		*failed += out[i].status == OUT_FAILED;
		if (rc == -2)
			return -2;
		if (rc == 0) {
			written = 1;
			runner_print_done(&out[i], "[more]", t0,
					  opts->budget - (double)(bench_clock_ns() - start) / 1e9);
		}
	}
	return written;
}

int runner_run(const struct runner_options *opts, const struct bench_def **sel, size_t n)
{
	struct bench_error err = { 0 };
	size_t total = opts->stmt ? 1 : n, failed = 0;
	struct outcome *out = xcalloc(total, sizeof(*out));
	uint64_t start = bench_clock_ns();
	double timed = 0;
	json_t *suite = NULL;
	int status, written = 0, rc = 0;
	/* Adaptive: every benchmark its first processes, then the budget goes
	 * where it brings the most within the target (run_adaptive).  */
	struct runner_options whole = *opts, first;
	int adaptive;

	if (opts->budget_per_benchmark)
		whole.budget *= (double)total;
	opts = &whole;	/* the budget of the whole run, from here on */
	adaptive = whole.target > 0 && whole.budget > 0 && whole.processes > MIN_PROCESSES;
	first = whole;
	if (adaptive)
		first.processes = MIN_PROCESSES;
	if (open_suite(opts, &suite, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		free(out);
		return 2;
	}
	note_cpu_speeds(opts, suite);
	/* What runs killed outright left (their workers died with them).  */
	orphans_sweep();
	/* Nothing measured is lost: each finished benchmark is written before
	 * the next starts, and a signal only stops the current one.  A closed
	 * terminal (SIGHUP) removes scratch folders as Ctrl-C does.  */
	child_clear_stop();
	child_catch_signals();
	for (size_t i = 0; i < total && rc != -2; i++) {
		const struct bench_def *def = opts->stmt ? NULL : sel[i];
		struct outcome *o = &out[i];
		uint64_t t0 = bench_clock_ns();
		char label[64];
		double elapsed, left;

		o->name = def ? def->name : "timeit";
		o->category = def ? def->category : "timeit";
		o->status = OUT_NOT_RUN;
		if (child_stop_requested())
			continue;
		snprintf(label, sizeof(label), "[%zu/%zu]", i + 1, total);
		rc = run_one(&first, def, suite, label, &timed, o);
		o->seconds = (double)(bench_clock_ns() - t0) / 1e9;
		failed += o->status == OUT_FAILED;
		if (rc != 0)
			continue;
		written = 1;
		/* What is left: the benchmarks to come at the pace so far, or
		 * with a budget, what remains of it if that is more.  */
		elapsed = (double)(bench_clock_ns() - start) / 1e9;
		left = elapsed / (double)(i + 1) * (double)(total - i - 1);
		if (adaptive && opts->budget - elapsed > left)
			left = opts->budget - elapsed;
		runner_print_done(o, label, t0, left);
	}
	if (adaptive && rc != -2 && (rc = run_adaptive(opts, sel, suite, out, total, start, &timed,
						      &failed)) > 0)
		written = 1;
	child_release_signals();

	runner_print_summary(out, total);
	runner_print_efficiency(out, total, timed, (double)(bench_clock_ns() - start) / 1e9);
	status = runner_finish_run(opts, child_stop_requested(), written, failed);
	for (size_t i = 0; i < total; i++)
		bench_error_release(&out[i].err);
	free(out);
	json_decref(suite);
	return status;
}
