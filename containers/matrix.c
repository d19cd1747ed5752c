/* A matrix run: rounds of servers, one per runtime, each benchmark
 * measured on them in turn, the rounds merged, the report written.  */
#include "containers/matrix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bench/harness/metadata.h"
#include "bench/lib/child.h"
#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/orphans.h"
#include "bench/lib/result.h"
#include "bench/lib/safefile.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "bench/report/folder.h"
#include "categories/registry.h"
#include "containers/driver.h"
#include "containers/image.h"
#include "containers/lockstep.h"
#include "containers/matrix_lane.h"
#include "containers/placement.h"

/* Metadata each merged file gets: what ran it and how.  */
static json_t *runtime_metadata(const struct ctr_matrix_plan *p, const struct ctr_image *img)
{
	json_t *all = json_object();

	for (size_t i = 0; i < p->nruntimes; i++) {
		const struct ctr_driver *d = ctr_matrix_driver(p->runtimes[i]);
		char version[256];
		json_t *md;

		ctr_driver_version(d, version, sizeof(version));
		md = json_pack("{s:s, s:s, s:i, s:I}", "runtime", d->name,
			       "runtime_version", version,
			       "matrix_rounds", (int)p->rounds, "matrix_seed", (json_int_t)p->seed);
		ctr_run_metadata(d, p->engine, md);
		if (!(d->flags & CTR_NO_CONTAINER) && img->id)
			json_object_set_new(md, "image_id", json_string(img->id));
		/* Where it ran: the CPU set and what was pinned (a VM's vCPUs are
		 * the driver's, kata_vm_vcpus).  */
		if (p->cpus)
			json_object_set_new(md, "placement_cpus", json_string(p->cpus));
		json_object_set_new(md, "placement_pin", json_string(ctr_pin_name(p->pin)));
		if (p->pin_cpus)
			json_object_set_new(md, "placement_pin_cpus", json_string(p->pin_cpus));
		if (p->memory > 0)
			json_object_set_new(md, "limit_memory", json_integer(p->memory));
		json_object_set_new(all, p->runtimes[i], md);
	}
	return all;
}

/* Suite metadata of the design: the run id and design in every file, and
 * for lockstep its settings and the median round trip of a value request
 * (all that is not the timed region: pipes, the server, the container
 * boundary) per runtime.  */
static void add_lockstep_metadata(const struct ctr_matrix_plan *p, const struct rtt_log *rtt, json_t *extra)
{
	const struct lockstep_profile *lp = lockstep_profile(p->profile);

	for (size_t i = 0; i < p->nruntimes; i++) {
		json_t *md = json_object_get(extra, p->runtimes[i]);
		double lead;
		int warmup;

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
		json_object_set_new(md, "lockstep_lead_in", json_real(p->lead_in));
		lead = ctr_matrix_lead_in(p, p->runtimes[i], &warmup);
		json_object_set_new(md, "lockstep_runtime_lead_in", json_real(lead));
		json_object_set_new(md, "lockstep_runtime_warmup", json_integer(warmup));
		if (rtt[i].n)
			json_object_set_new(md, "lockstep_rtt_us", json_real(stats_median(rtt[i].us, rtt[i].n)));
	}
}

/* Stop the lanes of a round; those whose server ran to the end are done.
 * After an interrupt none is: a server in a container is its pid 1, which
 * ignores the forwarded SIGTERM and exits 0 at the end of its input, with
 * only part of the round measured.  */
static int finish_round(const char *dir, const struct ctr_matrix_plan *p, unsigned r,
			struct lane *lanes, size_t nl, json_t *done, FILE *log)
{
	struct bench_error save_err = { 0 };
	int failures = 0;

	for (size_t i = 0; i < nl; i++) {
		struct lane *l = &lanes[i];
		struct bench_error err = { 0 };
		int alive = l->alive;

		if (ctr_session_stop(&l->s, &err) < 0 || !alive || child_stop_requested()) {
			if (!child_stop_requested()) {
				fprintf(stderr, "sandbench: matrix: round %u of %s failed: %s\n", r + 1,
					l->label, err.msg[0] ? err.msg : "its server stopped answering");
				ctr_matrix_log(log, "round %u/%u %s: FAILED: %s", r + 1, p->rounds, l->label,
				      err.msg[0] ? err.msg : "its server stopped answering");
				failures++;
			}
		} else if (l->unmeasured) {
			/* Not done: --resume measures what it lacks.  */
			fprintf(stderr, "sandbench: matrix: round %u of %s: %d benchmark%s not measured "
				"(failed, or fewer than two runtimes alive for lockstep): `sandbench matrix "
				"--resume %s` measures %s again\n", r + 1, l->label, l->unmeasured,
				l->unmeasured > 1 ? "s" : "", dir, l->unmeasured > 1 ? "them" : "it");
			ctr_matrix_log(log, "round %u/%u %s: not done: %d benchmark%s not measured", r + 1,
				       p->rounds, l->label, l->unmeasured, l->unmeasured > 1 ? "s" : "");
			failures++;
		} else {
			json_object_set_new(done, l->key, json_true());
			ctr_matrix_log(log, "round %u/%u %s: done", r + 1, p->rounds, l->label);
		}
		bench_error_release(&err);
		ctr_lane_release(l);
	}
	if (ctr_matrix_plan_save(dir, p, done, &save_err) < 0)
		fprintf(stderr, "sandbench: matrix: %s\n", save_err.msg);
	bench_error_release(&save_err);
	return failures;
}

/* DIR/raw, root's own: only root writes there (the containers get a
 * subfolder each, see containers/bundle.c).  An older sandbench gave it to
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
			struct bench_error why = { 0 };

			if (safefile_remove_tree(sub, &why) < 0)
				fprintf(stderr, "sandbench: matrix: %s: it is left behind\n", why.msg);
			bench_error_release(&why);
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

/* A matrix being run.  */
struct matrix_run {
	const char *dir;		/* absolute: what containers mount */
	const char *given;		/* as the user gave it: what the report names */
	struct ctr_matrix_plan *p;
	json_t *done;			/* the plan's "done" */
	struct ctr_image img;
	FILE *log;
	char *log_path;
	const struct bench_def **sel;
	size_t nsel;
	int usable[LIMIT_RUNTIMES];
	int failures, engine_open;
	struct rtt_log rtt[LIMIT_RUNTIMES];
	uint64_t rng, start;
};

/* DIR/raw, the log and the benchmarks: 0, or the exit status.  */
static int run_open(struct matrix_run *m)
{
	struct ctr_matrix_plan *p = m->p;
	struct bench_error err = { 0 };
	cleanup_free char *raw = xasprintf("%s/raw", m->dir);

	m->log_path = xasprintf("%s/matrix.log", m->dir);
	if (own_folder(raw, &err) < 0 || !(m->log = open_log(m->log_path, &err))) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		bench_error_release(&err);
		return 2;
	}
	ctr_matrix_log(m->log, "matrix: %zu runtimes x %u rounds, seed %llu", p->nruntimes,
		       p->rounds, (unsigned long long)p->seed);
	if (bench_registry_select(p->names, p->categories, &m->sel, &m->nsel, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		return 2;
	}
	return 0;
}

/* The engine, the runtimes that can run here, the image: 0, or the exit
 * status.  */
static int run_prepare(struct matrix_run *m)
{
	struct ctr_matrix_plan *p = m->p;
	struct bench_error err = { 0 };
	int containers = 0, rc = 0;

	/* The engine first: whether a runtime can run may depend on it.  */
	for (size_t i = 0; i < p->nruntimes; i++)
		containers += !(ctr_matrix_driver(p->runtimes[i])->flags & CTR_NO_CONTAINER);
	if (containers && ctr_engine_open(p->engine, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n%s", err.msg, err.detail ? err.detail : "");
		ctr_matrix_log(m->log, "engine: %s", err.msg);
		bench_error_release(&err);
		return 1;
	}
	m->engine_open = containers > 0;
	containers = 0;
	/* Which runtimes can run here: the others are reported, not fatal.  */
	for (size_t i = 0; i < p->nruntimes; i++) {
		const struct ctr_driver *d = ctr_matrix_driver(p->runtimes[i]);
		m->usable[i] = ctr_driver_available(d, &err) == 0 &&
			       ctr_driver_usable(d, p->engine, &err) == 0;
		if (!m->usable[i]) {
			fprintf(stderr, "sandbench: matrix: %s; it is left out\n", err.msg);
			ctr_matrix_log(m->log, "%s; left out", err.msg);
			m->failures++;
			bench_error_release(&err);
		}
		containers += m->usable[i] && !(d->flags & CTR_NO_CONTAINER);
	}
	/* What a matrix killed outright left (this one, before --resume, too).  */
	ctr_cleanup_leftovers();
	if (containers && ctr_image_ensure(p->image_dir, p->engine == CTR_ENGINE_PODMAN, &m->img,
					   &err) < 0) {
		fprintf(stderr, "sandbench: matrix: image: %s\n", err.msg);
		ctr_matrix_log(m->log, "image: %s", err.msg);
		rc = 1;
	}
	bench_error_release(&err);
	return rc;
}

/* Is this lane's round done already (a resumed matrix)?  */
static int round_done(struct matrix_run *m, struct lane *l)
{
	struct bench_error why = { 0 };
	json_t *finished = NULL;
	int rc;

	if (!json_is_true(json_object_get(m->done, l->key)))
		return 0;
	rc = ctr_matrix_read_round(l->path, &finished, &why);
	if (rc < 0)
		ctr_matrix_log(m->log, "%s: run again: %s", l->path, why.msg);
	bench_error_release(&why);
	json_decref(finished);
	return rc > 0;
}

/* One server per runtime for round r, started in the round's order: the
 * number of lanes.  */
static size_t start_lanes(struct matrix_run *m, unsigned r, const size_t *order,
			  struct lane *lanes)
{
	struct ctr_matrix_plan *p = m->p;
	struct bench_error err = { 0 };
	size_t nl = 0;

	for (size_t k = 0; k < p->nruntimes && !child_stop_requested(); k++) {
		size_t i = order[r * p->nruntimes + k];
		struct lane *l = &lanes[nl];

		if (!m->usable[i])
			continue;
		memset(l, 0, sizeof(*l));
		l->label = p->runtimes[i];
		l->index = i;
		l->d = ctr_matrix_driver(l->label);
		l->path = ctr_matrix_raw_path(m->dir, l->label, r);
		l->key = xasprintf("%s-r%u", l->label, r + 1);
		if (round_done(m, l)) {
			ctr_lane_release(l);
			continue;
		}
		ctr_matrix_log(m->log, "round %u/%u %s: start", r + 1, p->rounds, l->label);
		if (ctr_lane_start(m->dir, p, &m->img, r, m->log, l, &err) < 0) {
			fprintf(stderr, "sandbench: matrix: round %u of %s failed: %s\n%s", r + 1,
				l->label, err.msg, err.detail ? err.detail : "");
			ctr_matrix_log(m->log, "round %u/%u %s: FAILED: %s", r + 1, p->rounds,
				       l->label, err.msg);
			m->failures++;
			bench_error_release(&err);
			ctr_lane_release(l);
			continue;
		}
		nl++;
	}
	return nl;
}

/* Round r: its servers, every benchmark on them, the round's files.  */
static void run_round(struct matrix_run *m, unsigned r, const size_t *order)
{
	struct ctr_matrix_plan *p = m->p;
	struct bench_error err = { 0 };
	struct lane lanes[LIMIT_RUNTIMES];
	size_t nl = start_lanes(m, r, order, lanes);

	if (nl)
		fprintf(stderr, "matrix: round %u/%u: %zu runtime%s, %zu benchmarks (%.0f s so far)\n",
			r + 1, p->rounds, nl, nl > 1 ? "s" : "", m->nsel,
			(double)(bench_clock_ns() - m->start) / 1e9);
	if (p->lockstep)
		ctr_matrix_keep_finished(lanes, nl, m->log);
	for (size_t b = 0; b < m->nsel && nl && !child_stop_requested(); b++) {
		const struct bench_def *def = m->sel[b];

		if (p->lockstep && ctr_matrix_measured_everywhere(lanes, nl, def->name))
			continue;
		m->failures += p->lockstep ?
			ctr_matrix_measure_lockstep(p, def, r, lanes, nl, &m->rng, m->rtt, m->log) :
			ctr_matrix_measure(p, def, r, lanes, nl, &m->rng, m->log);
		/* Nothing measured is lost: each lane's file after each benchmark.  */
		for (size_t i = 0; i < nl; i++)
			if (json_array_size(json_object_get(lanes[i].suite, "benchmarks")) > 0 &&
			    result_write(lanes[i].path, lanes[i].suite, &err) < 0) {
				fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
				bench_error_release(&err);
				m->failures++;
			}
	}
	m->failures += finish_round(m->dir, p, r, lanes, nl, m->done, m->log);
}

/* The merge, the verdict and the report: the exit status.  */
static int run_finish(struct matrix_run *m, int status)
{
	struct ctr_matrix_plan *p = m->p;
	struct report_options ro = REPORT_OPTIONS_INIT;
	struct bench_error err = { 0 };
	json_t *extra = runtime_metadata(p, &m->img);
	int stop = child_stop_requested();
	size_t merged = 0;

	add_lockstep_metadata(p, m->rtt, extra);
	if (ctr_matrix_merge(m->dir, p->runtimes, p->rounds, extra, m->log, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: merge: %s\n", err.msg);
		bench_error_release(&err);
		status = 1;
	}
	json_decref(extra);
	if (stop) {
		fprintf(stderr, "sandbench: matrix: interrupted; finished rounds are kept: "
			"`sandbench matrix --resume %s` finishes it\n", m->dir);
		ctr_matrix_log(m->log, "interrupted by signal %d", stop);
		return 128 + stop;
	}
	if (m->failures) {
		fprintf(stderr, "sandbench: matrix: %d problem%s: see %s\n", m->failures,
			m->failures > 1 ? "s" : "", m->log_path);
		status = status ? status : 1;
	}
	/* The report needs two runtimes' files.  */
	for (size_t i = 0; i < p->nruntimes; i++) {
		cleanup_free char *path = xasprintf("%s/%s.json", m->dir, p->runtimes[i]);
		merged += access(path, F_OK) == 0;
	}
	if (merged >= 2 && report_folder(&ro, m->given, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		bench_error_release(&err);
		status = status ? status : 1;
	}
	return status;
}

/* Run the whole plan; returns the exit status.  */
static int run_plan(const char *dir, const char *given, struct ctr_matrix_plan *p,
		    json_t *done)
{
	struct matrix_run m = { .dir = dir, .given = given, .p = p, .done = done,
				.start = bench_clock_ns(), .rng = p->seed ^ 0x5eedULL };
	size_t *order = xcalloc((size_t)p->rounds * p->nruntimes, sizeof(*order));
	int status = run_open(&m), caught = 0;

	if (status == 0)
		status = run_prepare(&m);
	if (status == 0) {
		child_catch_signals();
		caught = 1;
		ctr_shuffle_orders(p->seed, p->rounds, p->nruntimes, order);
		for (unsigned r = 0; r < p->rounds && !child_stop_requested(); r++)
			run_round(&m, r, order);
		status = run_finish(&m, status);
	}
	/* Still caught while the engine closes: a signal then would end us
	 * with its private daemon's containers and folder left.  */
	if (m.engine_open)
		ctr_engine_close(p->engine);
	if (caught)
		child_release_signals();
	if (m.log) {
		ctr_matrix_log(m.log, "matrix: exit status %d", status);
		fclose(m.log);
	}
	free(m.log_path);
	free(m.sel);
	ctr_image_release(&m.img);
	for (size_t i = 0; i < LIMIT_RUNTIMES; i++)
		free(m.rtt[i].us);
	free(order);
	return status;
}

/* Containers mount DIR/raw: the runtimes want an absolute path.  The
 * report names the files as the user gave DIR, so that it reads the same
 * on another machine (the current folder stays ours throughout).  */
static int run_plan_at(const char *dir, struct ctr_matrix_plan *p, json_t *done)
{
	char *abs = realpath(dir, NULL);
	int rc;

	if (!abs) {
		fprintf(stderr, "sandbench: matrix: `%s`: %s\n", dir, strerror(errno));
		return 2;
	}
	rc = run_plan(abs, dir, p, done);
	free(abs);
	return rc;
}

/* The process that took the flock on fd's file (/proc/locks), or 0.  */
static pid_t lock_owner(int fd)
{
	struct stat st;
	char line[256], kind[16];
	unsigned maj, min;
	unsigned long long ino;
	pid_t owner = 0;
	int pid;
	FILE *f;

	if (fstat(fd, &st) < 0 || !(f = fopen("/proc/locks", "re")))
		return 0;
	while (!owner && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%llu", kind, &pid, &maj, &min, &ino) == 5 &&
		    strcmp(kind, "FLOCK") == 0 && maj == major(st.st_dev) && min == minor(st.st_dev) &&
		    ino == (unsigned long long)st.st_ino)
			owner = pid;
	fclose(f);
	return owner;
}

/* One matrix per folder at a time: the lock lasts until the process exits.
 * A killed matrix's lock outlives it while a process it had just forked
 * (not yet exec'd) still shares it: that is waited for, 10 s at most; a
 * matrix that is alive is not.  */
static int lock_folder(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "sandbench: matrix: `%s`: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int tries = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; tries++) {
		int e = errno;
		pid_t owner = e == EWOULDBLOCK ? lock_owner(fd) : 0;

		if (owner <= 0 || !orphans_ended(owner) || tries == 100) {
			fprintf(stderr, "sandbench: matrix: another matrix is running in `%s`%s\n",
				dir, e == EWOULDBLOCK ? "" : strerror(e));
			close(fd);
			return -1;
		}
		usleep(100000);
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


/* The checks and the files of a new matrix: 0, or the exit status.  */
static int start_folder(const char *dir, struct ctr_matrix_plan *p)
{
	struct bench_error err = { 0 };
	cleanup_free char *plan_path = xasprintf("%s/matrix.json", dir);
	cleanup_free char *other = NULL;

	if (util_mkdir_p(dir, &err) < 0 || safefile_check_own_folder(dir, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		return 2;
	}
	if (lock_folder(dir) < 0)
		return 2;
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
	return 0;
}

int ctr_matrix_start(const char *dir, struct ctr_matrix_plan *p, int seeded)
{
	struct bench_error err = { 0 };
	const struct bench_def **sel = NULL;
	char date[64];
	json_t *done;
	size_t nsel;
	int rc;

	/* Kata through podman or its OCI command line cannot work: say so now.  */
	for (size_t i = 0; i < p->nruntimes; i++)
		if (p->engine != CTR_ENGINE_CONTAINERD &&
		    ctr_driver_usable(ctr_matrix_driver(p->runtimes[i]), p->engine, &err) < 0) {
			fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
			bench_error_release(&err);
			return 2;
		}
	if (bench_registry_select(p->names, p->categories, &sel, &nsel, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		return 2;
	}
	free(sel);
	if (!seeded)
		p->seed = util_random() & 0x7fffffffffffffffULL;	/* stays a JSON integer */
	if (!p->rounds)
		p->rounds = p->lockstep ? 1 : 2;
	/* As deployed: every runtime on every CPU this process may use.  */
	if (!p->cpus) {
		ctr_cpus_own(p->cpus_buf, sizeof(p->cpus_buf));
		p->cpus = p->cpus_buf;
	}
	metadata_date(date, sizeof(date));
	snprintf(p->run_id_buf, sizeof(p->run_id_buf), "%llu-%s", (unsigned long long)p->seed,
		 date);
	p->run_id = p->run_id_buf;
	if ((rc = start_folder(dir, p)) != 0)
		return rc;
	done = json_object();
	if (ctr_matrix_plan_save(dir, p, done, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		json_decref(done);
		return 2;
	}
	rc = run_plan_at(dir, p, done);
	json_decref(done);
	return rc;
}

int ctr_matrix_resume(const char *dir)
{
	struct ctr_matrix_plan p;
	struct bench_error err = { 0 };
	json_t *root = NULL, *done;
	int rc;

	if (safefile_check_own_folder(dir, &err) < 0 ||
	    ctr_matrix_plan_load(dir, &p, &root, &err) < 0) {
		fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
		return 2;
	}
	if (lock_folder(dir) < 0) {
		json_decref(root);
		return 2;
	}
	done = json_deep_copy(json_object_get(root, "done"));
	if (!json_is_object(done)) {
		json_decref(done);
		done = json_object();
	}
	rc = run_plan_at(dir, &p, done);
	json_decref(done);
	json_decref(root);
	return rc;
}

