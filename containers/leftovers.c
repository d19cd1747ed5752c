/* What matrices killed outright left behind (containers named
 * sandbench-PID-*, network namespaces, bundles, cache and scratch folders),
 * removed once their process is gone.  */
#include "containers/engine.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lib/safefile.h"
#include "bench/lib/util.h"

/* The process id in NAME-PID-..., if that process is gone; else 0.  */
static pid_t dead_owner(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end;
	long pid;

	if (strncmp(name, prefix, n) != 0)
		return 0;
	pid = strtol(name + n, &end, 10);
	if (end == name + n || *end != '-' || pid <= 0 || pid == getpid())
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH ? (pid_t)pid : 0;
}

/* Each line of a command's output, to fn.  */
static void each_line(char *const argv[], void (*fn)(const char *line, const void *arg),
		      const void *arg)
{
	cleanup_free char *out = NULL;
	char *save = NULL;
	int status;

	if (child_capture(argv, &out, NULL, &status, NULL) < 0)
		return;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, " \t")] = '\0';
		fn(line, arg);
	}
}

static void delete_container(const char *id, const void *arg)
{
	const struct ctr_driver *d = arg;
	struct ctr_argv a = { 0 };

	if (!dead_owner(id, "sandbench-"))
		return;
	ctr_argv_add(&a, d->binary);
	if (d->oci_options)
		d->oci_options(&a);
	ctr_argv_add(&a, "delete");
	ctr_argv_add(&a, "--force");
	ctr_argv_add(&a, id);
	ctr_quiet_run(a.v);
	ctr_argv_release(&a);
}

static void delete_netns(const char *name, const void *arg)
{
	(void)arg;
	if (dead_owner(name, "sandbench-"))
		ctr_netns_delete(name);
}

/* Remove folder/NAME-PID-* whose process is gone.  */
static void remove_dead_folders(const char *folder, const char *prefix)
{
	DIR *d = opendir(folder);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (dead_owner(e->d_name, prefix)) {
			cleanup_free char *path = xasprintf("%s/%s", folder, e->d_name);
			safefile_remove_tree(path, NULL);
		}
	if (d)
		closedir(d);
}

void ctr_cleanup_leftovers(void)
{
	const char *tmp = getenv("TMPDIR");
	char *netns[] = { "ip", "netns", "list", NULL };

	for (size_t i = 0; ctr_drivers[i]; i++) {
		const struct ctr_driver *d = ctr_drivers[i];
		cleanup_free char *installed = d->binary ? ctr_which(d->binary) : NULL;
		struct ctr_argv a = { 0 };

		if (!installed)
			continue;
		ctr_argv_add(&a, d->binary);
		if (d->oci_options)
			d->oci_options(&a);
		/* The default listing: a header, then one line per container,
		 * its id first (runc, crun and runsc alike).  */
		ctr_argv_add(&a, "list");
		each_line(a.v, delete_container, d);
		ctr_argv_release(&a);
	}
	each_line(netns, delete_netns, NULL);
	remove_dead_folders("/tmp", "sandbench-bundle-");
	remove_dead_folders("/tmp", "sandbench-scratch-");
	remove_dead_folders("/var/tmp", "sandbench-scratch-");
	for (const char *folder = tmp && *tmp ? tmp : "/tmp"; folder; folder = NULL) {
		remove_dead_folders(folder, "sandbench-cache-");
		remove_dead_folders(folder, "sandbench-timeit-");
	}
}
