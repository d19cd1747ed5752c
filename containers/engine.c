/* The engines' table, and two of them: `oci` (the runtime binary run on a
 * bundle: `runc run --bundle DIR ID`) and `podman` (`podman run` of the
 * imported image).  containerd has a file of its own.  */
#include "containers/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/util.h"
#include "containers/image.h"

/* ---- oci ---- */

static int oci_prepare(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err)
{
	const struct ctr_driver *d = run->driver;

	if (ctr_prepare_bundle(run, pr, err) < 0)
		return -1;
	ctr_argv_add(&pr->argv, d->binary);
	if (d->oci_options)
		d->oci_options(&pr->argv);
	ctr_argv_add(&pr->argv, "run");
	ctr_argv_add(&pr->argv, "--bundle");
	ctr_argv_add(&pr->argv, pr->bundle);
	ctr_argv_add(&pr->argv, pr->id);
	return 0;
}

static void oci_remove(const struct ctr_run *run, struct ctr_prepared *pr)
{
	const struct ctr_driver *d = run->driver;
	struct ctr_argv a = { 0 };

	ctr_argv_add(&a, d->binary);
	if (d->oci_options)
		d->oci_options(&a);
	ctr_argv_add(&a, "delete");
	/* runc and crun take -f too, runsc only -force or --force.  */
	ctr_argv_add(&a, "--force");
	ctr_argv_add(&a, pr->id);
	ctr_quiet_run(a.v);
	ctr_argv_release(&a);
}

/* ---- podman ---- */

static json_int_t rlimit_max(int resource)
{
	struct rlimit rl;
	if (getrlimit(resource, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 65536)
		return (json_int_t)rl.rlim_max;
	return 65536;
}

/* Seen here: setting RLIMIT_NPROC above kernel.pid_max fails with EPERM.  */
static long long nproc_limit(void)
{
	char line[32];
	long long limit = (long long)rlimit_max(RLIMIT_NPROC), pid_max;

	if (util_read_line("/proc/sys/kernel/pid_max", line, sizeof(line)) == 0 &&
	    (pid_max = atoll(line)) > 0 && pid_max < limit)
		limit = pid_max;
	return limit;
}

/* The same least privilege as the bundle's config.json (containers/oci.c).  */
static void podman_isolation(const struct ctr_run *run, const struct ctr_prepared *pr,
			     struct ctr_argv *a)
{
	ctr_argv_add(a, "--network=none");
	ctr_argv_add(a, "--read-only");
	if (pr->scratch)
		ctr_argv_addf(a, "--volume=%s:/tmp:rw", pr->scratch);
	else
		ctr_argv_add(a, "--tmpfs=/tmp:rw,size=1g,mode=1777");
	ctr_argv_addf(a, "--user=%u:%u", pr->uid, pr->uid);
	ctr_argv_add(a, "--cap-drop=all");
	ctr_argv_add(a, "--security-opt=no-new-privileges");
	/* podman 4.3 asks for its default ulimits, above the host's hard ones.  */
	ctr_argv_addf(a, "--ulimit=nofile=%lld:%lld", (long long)rlimit_max(RLIMIT_NOFILE),
		      (long long)rlimit_max(RLIMIT_NOFILE));
	ctr_argv_addf(a, "--ulimit=nproc=%lld:%lld", nproc_limit(), nproc_limit());
	if (run->cpus)
		ctr_argv_addf(a, "--cpuset-cpus=%s", run->cpus);
	if (run->memory > 0)
		ctr_argv_addf(a, "--memory=%lld", run->memory);
}

static int podman_prepare(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err)
{
	const struct ctr_driver *d = run->driver;
	struct ctr_argv *a = &pr->argv;

	if (!run->image->podman_ref)
		return bench_error_set(err, 0, "runtime `%s`: the podman engine needs podman "
				       "(apt-get install podman) and an imported image", d->name);
	ctr_argv_add(a, "podman");
	ctr_argv_add(a, "run");
	ctr_argv_add(a, "--rm");
	ctr_argv_add(a, "--interactive");
	ctr_argv_addf(a, "--name=%s", pr->id);
	d->podman_options(d, a);
	podman_isolation(run, pr, a);
	if (pr->results)
		ctr_argv_addf(a, "--volume=%s:/results:rw", pr->results);
	ctr_argv_add(a, "--workdir=/tmp");
	ctr_argv_add(a, "--env=PATH=/usr/bin:/bin");
	ctr_argv_add(a, "--env=HOME=/tmp");
	ctr_argv_add(a, "--env=TMPDIR=/tmp");
	ctr_argv_add(a, "--env=LANG=C.UTF-8");
	ctr_argv_addf(a, "--env=SANDBENCH_RUNTIME=%s", d->name);
	ctr_argv_add(a, run->image->podman_ref);
	ctr_argv_add(a, "/usr/bin/sandbench");
	for (size_t i = 0; run->args[i]; i++)
		ctr_argv_add(a, run->args[i]);
	return 0;
}

static void podman_remove(const struct ctr_run *run, struct ctr_prepared *pr)
{
	char *rm[] = { "podman", "rm", "-f", pr->id, NULL };

	(void)run;
	ctr_quiet_run(rm);
}

/* ---- the table ---- */

static const struct ctr_engine_ops engine_oci = {
	.name = "oci", .prepare = oci_prepare, .remove = oci_remove,
};

static const struct ctr_engine_ops engine_podman = {
	.name = "podman", .prepare = podman_prepare, .remove = podman_remove,
};

static const struct ctr_engine_ops *const engines[CTR_ENGINE_COUNT] = {
	[CTR_ENGINE_OCI] = &engine_oci,
	[CTR_ENGINE_PODMAN] = &engine_podman,
	[CTR_ENGINE_CONTAINERD] = &ctr_engine_containerd,
};

const struct ctr_engine_ops *ctr_engine_ops(enum ctr_engine engine)
{
	return engines[engine];
}

const char *ctr_engine_name(enum ctr_engine engine)
{
	return engines[engine]->name;
}

int ctr_engine_parse(const char *name, enum ctr_engine *engine)
{
	for (int i = 0; i < CTR_ENGINE_COUNT; i++)
		if (strcmp(engines[i]->name, name) == 0) {
			*engine = (enum ctr_engine)i;
			return 0;
		}
	return -1;
}

int ctr_engine_open(enum ctr_engine engine, struct bench_error *err)
{
	return engines[engine]->open ? engines[engine]->open(err) : 0;
}

void ctr_engine_close(enum ctr_engine engine)
{
	if (engines[engine]->close)
		engines[engine]->close();
}

int ctr_engine_usable(const struct ctr_driver *d, enum ctr_engine engine, struct bench_error *err)
{
	return engines[engine]->usable ? engines[engine]->usable(d, err) : 0;
}
