/* What one container needs before it starts and what is taken down after
 * it: an id, its results folder, its network namespace, its bundle folder
 * with config.json.  */
#include "containers/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/safefile.h"
#include "bench/lib/util.h"
#include "containers/image.h"
#include "containers/oci.h"

/* ---- the network ---- */

int ctr_netns_loopback(const struct ctr_run *run, struct ctr_prepared *pr,
		       struct bench_error *err)
{
	/* One namespace per container: sessions run side by side.  */
	static unsigned serial;
	char *name = xasprintf("sandbench-%ld-%u", (long)getpid(), serial++);
	char *add[] = { "ip", "netns", "add", name, NULL };
	char *up[] = { "ip", "-n", name, "link", "set", "lo", "up", NULL };

	(void)run;
	if (ctr_quiet_run(add) < 0) {
		bench_error_set(err, 0, "create network namespace `%s` (is iproute2 installed, "
				"and are you root?)", name);
		free(name);
		return -1;
	}
	pr->netns = name;	/* deleted by ctr_teardown, up or not */
	if (ctr_quiet_run(up) < 0)
		return bench_error_set(err, 0, "bring up loopback in network namespace `%s`", name);
	return 0;
}

int ctr_network_own(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err)
{
	(void)run;
	(void)pr;
	(void)err;
	return 0;
}

void ctr_netns_delete(const char *name)
{
	char *del[] = { "ip", "netns", "delete", (char *)name, NULL };
	ctr_quiet_run(del);
}

/* ---- the bundle ---- */

/* Write config.json for this run into a new bundle folder.  */
static int oci_bundle(const struct ctr_run *run, const char *netns_path,
		      const struct ctr_prepared *pr, char *bundle, struct bench_error *err)
{
	struct ctr_argv args = { 0 };
	cleanup_free char *env = xasprintf("SANDBENCH_RUNTIME=%s", run->driver->name);
	const char *envs[] = { env, NULL };
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	json_t *config;
	int rc;

	if (!mkdtemp(bundle))
		return bench_error_set(err, errno, "create a bundle folder");
	ctr_argv_add(&args, "/usr/bin/sandbench");
	for (size_t i = 0; run->args[i]; i++)
		ctr_argv_add(&args, run->args[i]);
	config = ctr_oci_config(&(struct ctr_oci_spec){
		.rootfs = run->image->rootfs, .args = (const char *const *)args.v, .env = envs,
		.results = pr->results, .tmp_dir = pr->scratch, .netns = netns_path, .cpus = run->cpus,
		.memory = run->memory, .uid = pr->uid, .gid = pr->uid });
	text = json_dumps(config, JSON_INDENT(2));
	path = xasprintf("%s/config.json", bundle);
	rc = util_write_file_atomic(path, text, strlen(text), err);
	json_decref(config);
	ctr_argv_release(&args);
	return rc;
}

static void remove_bundle(const char *dir)
{
	cleanup_free char *config = xasprintf("%s/config.json", dir);
	unlink(config);
	rmdir(dir);
}

int ctr_prepare_bundle(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err)
{
	cleanup_free char *netns_path = NULL;
	const struct ctr_driver *d = run->driver;

	if ((d->network ? d->network : ctr_netns_loopback)(run, pr, err) < 0)
		return -1;
	if (pr->netns)
		netns_path = xasprintf("/run/netns/%s", pr->netns);
	return oci_bundle(run, netns_path, pr, pr->bundle, err);
}

/* ---- one container ---- */

/* The container's user gets a new folder of its own under run->results,
 * never run->results itself: root keeps writing there, and must not find
 * links planted by another user.  */
static int container_folder(const struct ctr_run *run, struct ctr_prepared *pr,
			    struct bench_error *err)
{
	if (!run->results)
		return 0;
	pr->results = xasprintf("%s/container-%s", run->results, pr->id);
	if (mkdir(pr->results, 0700) < 0) {
		bench_error_set(err, errno, "create `%s`", pr->results);
		free(pr->results);
		pr->results = NULL;
		return -1;
	}
	if (chown(pr->results, pr->uid, pr->uid) < 0)
		return bench_error_set(err, errno, "give `%s` to the container's user", pr->results);
	return 0;
}

int ctr_prepare_container(const struct ctr_run *run, struct ctr_prepared *pr,
			  struct bench_error *err)
{
	if (ctr_driver_usable(run->driver, run->engine, err) < 0)
		return -1;
	/* From here on, whatever happens, no container is left behind.  */
	pr->engine = ctr_engine_ops(run->engine);
	if (container_folder(run, pr, err) < 0)
		return -1;
	return pr->engine->prepare(run, pr, err);
}

/* A container's user and group: an id of its own, from this process's pid
 * and the container's serial, in a range far above any user or
 * subordinate-id allocation, so that no host process but root can reach its
 * processes (their /proc/PID/fd, signals), as any process running as
 * `nobody` could.  Without a user namespace, which would leave the runtime
 * unable to mount an image in a private folder and podman copying it.  */
#define CONTAINER_UID_BASE 0x60000000u

static unsigned container_uid(unsigned serial)
{
	return CONTAINER_UID_BASE + ((unsigned)getpid() & 0x3fffff) * 64 + serial % 64;
}

int ctr_prepare(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err)
{
	const struct ctr_driver *d = run->driver;
	static unsigned serial;

	memset(pr, 0, sizeof(*pr));
	pr->relay = (struct child)CHILD_INIT;
	snprintf(pr->bundle, sizeof(pr->bundle), "/tmp/sandbench-bundle-%ld-XXXXXX", (long)getpid());
	pr->id = xasprintf("sandbench-%ld-%u-%llu", (long)getpid(), serial++,
			   (unsigned long long)bench_clock_ns());
	pr->uid = container_uid(serial - 1);
	if (ctr_scratch_prepare(run, pr, err) < 0)
		return -1;
	return (d->prepare ? d->prepare : ctr_prepare_container)(run, pr, err);
}

void ctr_teardown(const struct ctr_run *run, struct ctr_prepared *pr)
{
	struct bench_error err = { 0 };

	if (pr->engine)
		pr->engine->remove(run, pr);
	if (pr->bundle[0] && strstr(pr->bundle, "XXXXXX") == NULL)
		remove_bundle(pr->bundle);
	if (pr->netns)
		ctr_netns_delete(pr->netns);
	/* What the container wrote there is gone with it, or it is said.  */
	if (pr->results && safefile_remove_tree(pr->results, &err) < 0) {
		fprintf(stderr, "sandbench: %s: it is left behind\n", err.msg);
		if (run->log_fd >= 0)
			dprintf(run->log_fd, "sandbench: %s: it is left behind\n", err.msg);
		bench_error_release(&err);
	}
	if (pr->relay.pid > 0)
		child_finish(&pr->relay, 0, NULL);
	ctr_scratch_remove(pr);
	free(pr->results);
	free(pr->netns);
	free(pr->id);
	ctr_argv_release(&pr->argv);
	ctr_argv_release(&pr->env);
	memset(pr, 0, sizeof(*pr));
}
