/* What matrices killed outright left behind (containers named
 * sandbench-PID-* and their cgroups, network namespaces, bundles, cache and
 * scratch folders, a private containerd's shims and folder), removed once
 * their process is gone.  */
#include "containers/engine.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lib/limits.h"
#include "bench/lib/safefile.h"
#include "bench/lib/orphans.h"
#include "bench/lib/util.h"

/* Where the runc shim of a containerd keeps its runtime's state.  */
#define CONTAINERD_RUNC_ROOT "/run/containerd/runc/" CTR_CONTAINERD_NAMESPACE
/* Where ctr makes the FIFOs of a container's stdio, a folder each.  */
#define CONTAINERD_FIFO_ROOT "/run/containerd/fifo"

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

/* A runtime, and the state folder it lists (NULL: its default).  */
struct runtime_root {
	const struct ctr_driver *d;
	const char *root;
};

static void runtime_cmd(const struct runtime_root *r, struct ctr_argv *a)
{
	ctr_argv_add(a, r->d->binary);
	if (r->d->oci_options)
		r->d->oci_options(a);
	if (r->root)
		ctr_argv_addf(a, "--root=%s", r->root);
}

static void delete_container(const char *id, const void *arg)
{
	struct ctr_argv a = { 0 };

	if (!orphans_dead_owner(id, "sandbench-"))
		return;
	runtime_cmd(arg, &a);
	ctr_argv_add(&a, "delete");
	ctr_argv_add(&a, "--force");
	ctr_argv_add(&a, id);
	ctr_quiet_run(a.v);
	ctr_argv_release(&a);
}

static void delete_netns(const char *name, const void *arg)
{
	(void)arg;
	if (orphans_dead_owner(name, "sandbench-"))
		ctr_netns_delete(name);
}

/* Does this command line name path itself or a file in it?  */
static int names_path(const char *cmdline, size_t len, const void *arg)
{
	const char *path = arg;
	size_t n = strlen(path);

	for (const char *p = cmdline; (p = memmem(p, len - (size_t)(p - cmdline), path, n));
	     p += n)
		if (p + n == cmdline + len || p[n] == '/' || p[n] == '\0')
			return 1;
	return 0;
}

/* The process's parent, from /proc/PID/stat (after the command's ")").  */
static pid_t parent_of(const char *pid)
{
	cleanup_free char *path = xasprintf("/proc/%s/stat", pid), *stat = NULL;
	char *end;

	if (util_read_file(path, 4096, &stat, NULL, NULL) < 0 || !(end = strrchr(stat, ')')))
		return 0;
	return (pid_t)strtol(end + 4, NULL, 10);	/* ") S PPID" */
}

/* Is this command line, a NUL-separated argv, one of `program`'s (ctr, or
 * a shim: containerd-shim*) with an argument that is a dead matrix's
 * container id (ctr run's ID, a shim's -id ID)?  */
static int runs_dead_container(const char *cmdline, size_t len, const void *arg)
{
	const char *program = arg, *slash = memrchr(cmdline, '/', strnlen(cmdline, len));
	const char *name = slash ? slash + 1 : cmdline, *end = cmdline + len;
	size_t n = strlen(program);

	if (strncmp(name, program, n) != 0 || (name[n] != '\0' && name[n] != '-'))
		return 0;
	for (const char *p = cmdline; p < end; p += strnlen(p, (size_t)(end - p)) + 1)
		if (orphans_dead_owner(p, "sandbench-"))
			return 1;
	return 0;
}

/* The processes but this one whose command line `match`es, at most max
 * of them into pids: how many.  */
static size_t find_matching(int (*match)(const char *cmdline, size_t len, const void *arg),
			    const void *arg, pid_t *pids, size_t max)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	while (proc && n < max && (e = readdir(proc))) {
		cleanup_free char *path = xasprintf("/proc/%s/cmdline", e->d_name), *cmd = NULL;
		pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);
		size_t len;

		if (pid > 0 && pid != getpid() &&
		    util_read_file(path, LIMIT_SMALL_FILE, &cmd, &len, NULL) == 0 && len > 0 &&
		    match(cmd, len, arg))
			pids[n++] = pid;
	}
	if (proc)
		closedir(proc);
	return n;
}

/* SIGKILL every process whose command line `match`es (names a dead
 * matrix's folder or container), and their children first (the
 * containers the shims started), then wait for them to end.  */
static void kill_matching(int (*match)(const char *cmdline, size_t len, const void *arg),
			  const void *arg)
{
	pid_t named[64], killed[256];
	size_t nnamed = find_matching(match, arg, named, 64), nkilled = 0;
	struct dirent *e;
	DIR *proc;

	if (nnamed && (proc = opendir("/proc"))) {
		while ((e = readdir(proc))) {
			pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);
			pid_t ppid = pid > 0 && pid != getpid() ? parent_of(e->d_name) : 0;

			for (size_t i = 0; ppid > 0 && i < nnamed && nkilled < 256; i++)
				if (ppid == named[i] && kill(pid, SIGKILL) == 0)
					killed[nkilled++] = pid;
		}
		closedir(proc);
	}
	for (size_t i = 0; i < nnamed && nkilled < 256; i++)
		if (kill(named[i], SIGKILL) == 0)
			killed[nkilled++] = named[i];
	/* Ended, or a zombie whose parent is gone (no command line).  */
	for (int tries = 0; tries < 100; tries++) {
		size_t alive = 0;
		for (size_t i = 0; i < nkilled; i++) {
			cleanup_free char *path = xasprintf("/proc/%ld/cmdline", (long)killed[i]);
			cleanup_free char *cmd = NULL;
			size_t len = 0;
			alive += util_read_file(path, LIMIT_SMALL_FILE, &cmd, &len, NULL) == 0 && len > 0;
		}
		if (!alive)
			break;
		usleep(50000);
	}
}

/* Remove folder/sandbench-containerd-PID-* whose process is gone, once
 * the processes that name it have ended.  */
static void remove_dead_daemons(const char *folder)
{
	DIR *d = opendir(folder);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (orphans_dead_owner(e->d_name, "sandbench-containerd-")) {
			cleanup_free char *path = xasprintf("%s/%s", folder, e->d_name);
			kill_matching(names_path, path);
			safefile_remove_tree(path, NULL);
		}
	if (d)
		closedir(d);
}

/* SIGKILL the processes in the cgroup at path and below it: what is left of
 * a dead matrix's container (a gVisor sandbox killed with its runtime may
 * still be ending when the next matrix starts).  How many.  */
static size_t kill_cgroup(const char *path, int depth)
{
	cleanup_free char *procs = xasprintf("%s/cgroup.procs", path), *text = NULL;
	DIR *d = depth < 8 ? opendir(path) : NULL;
	struct dirent *e;
	size_t n = 0;

	if (util_read_file(procs, LIMIT_SMALL_FILE, &text, NULL, NULL) == 0)
		for (char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
			pid_t pid = (pid_t)strtol(p, NULL, 10);
			n += pid > 0 && pid != getpid() && kill(pid, SIGKILL) == 0;
		}
	while (d && (e = readdir(d)))
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0) {
			cleanup_free char *below = xasprintf("%s/%s", path, e->d_name);
			n += kill_cgroup(below, depth + 1);
		}
	if (d)
		closedir(d);
	return n;
}

/* Remove the cgroup at path and those below it, deepest first.  rmdir
 * removes a cgroup only once no process is left in it, with its control
 * files; nothing else can be removed there.  */
static void remove_cgroup(const char *path, int depth)
{
	DIR *d = depth < 8 ? opendir(path) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0) {
			cleanup_free char *below = xasprintf("%s/%s", path, e->d_name);
			remove_cgroup(below, depth + 1);
		}
	if (d)
		closedir(d);
	rmdir(path);
}

/* folder/sandbench-PID-* cgroups whose matrix is gone: what is in them is
 * killed, and they are removed once it has left (5 s at most).  */
static void remove_dead_cgroups_in(const char *folder)
{
	DIR *d = opendir(folder);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_type == DT_DIR && orphans_dead_owner(e->d_name, "sandbench-")) {
			cleanup_free char *path = xasprintf("%s/%s", folder, e->d_name);
			struct stat st;

			kill_cgroup(path, 0);
			for (int tries = 0; tries < 100; tries++) {
				remove_cgroup(path, 0);
				if (stat(path, &st) < 0)
					break;
				usleep(50000);
			}
		}
	if (d)
		closedir(d);
}

/* A runtime killed after it made a container's cgroups but before it
 * saved its state lists no container to delete (seen on cgroup v1, by
 * the kill test): the cgroups named after a dead matrix's containers, ID
 * (runc, crun, runsc) and NAMESPACE/ID (containerd), under every cgroup
 * mount (v1's controllers, v2's root).  */
static void remove_dead_cgroups(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mount[1024];

	while (f && fgets(line, sizeof(line), f)) {
		const char *fs = strstr(line, " - ");
		cleanup_free char *ns = NULL;

		if (!fs || (strncmp(fs + 3, "cgroup ", 7) != 0 && strncmp(fs + 3, "cgroup2 ", 8) != 0) ||
		    sscanf(line, "%*s %*s %*s %*s %1023s", mount) != 1)
			continue;
		ns = xasprintf("%s/" CTR_CONTAINERD_NAMESPACE, mount);
		remove_dead_cgroups_in(mount);
		remove_dead_cgroups_in(ns);
	}
	if (f)
		fclose(f);
}

/* The FIFO folders of a dead matrix's containers (ID-stdin, ...), which
 * a ctr that was killed could not remove.  */
static void remove_dead_fifos(void)
{
	DIR *d = opendir(CONTAINERD_FIFO_ROOT);
	struct dirent *e, *f;

	while (d && (e = readdir(d))) {
		cleanup_free char *path = xasprintf(CONTAINERD_FIFO_ROOT "/%s", e->d_name);
		DIR *sub = e->d_name[0] != '.' ? opendir(path) : NULL;
		int dead = 0;

		while (sub && !dead && (f = readdir(sub)))
			dead = orphans_dead_owner(f->d_name, "sandbench-") != 0;
		if (sub)
			closedir(sub);
		if (dead)
			safefile_remove_tree(path, NULL);
	}
	if (d)
		closedir(d);
}

/* A dead matrix's containers on a daemon that outlived it (a user's):
 * its `ctr run --rm` removes them once the server has read the end of its
 * input, but may have died before (killed with its group, or by SIGPIPE
 * writing to the dead matrix).  A ctr still going gets 10 s to finish,
 * then SIGKILL, so that nothing makes a task any more; what the daemon
 * lists goes through the daemon; then any shim left, whether or not its
 * task is listed yet (one still starting is not), and what its end
 * leaves.  */
static void remove_dead_containerd_containers(void)
{
	pid_t one;

	for (int tries = 0; tries < 100 && find_matching(runs_dead_container, "ctr", &one, 1); tries++)
		usleep(100000);
	kill_matching(runs_dead_container, "ctr");
	remove_dead_fifos();
	ctr_containerd_remove_dead();
	kill_matching(runs_dead_container, "containerd-shim");
	for (int tries = 0; tries < 50 && ctr_containerd_remove_dead() > 0; tries++)
		usleep(100000);
}

void ctr_cleanup_leftovers(void)
{
	const char *tmp = getenv("TMPDIR");
	char *netns[] = { "ip", "netns", "list", NULL };

	remove_dead_containerd_containers();
	for (size_t i = 0; ctr_drivers[i]; i++) {
		const struct ctr_driver *d = ctr_drivers[i];
		cleanup_free char *installed = d->binary ? ctr_which(d->binary) : NULL;
		const char *roots[] = { NULL, CONTAINERD_RUNC_ROOT };

		if (!installed)
			continue;
		/* The default listing: a header, then one line per container,
		 * its id first (runc, crun and runsc alike); its own state
		 * folder, then the one a private containerd's shims used.  */
		for (size_t k = 0; k < 2; k++) {
			struct runtime_root r = { d, roots[k] };
			struct ctr_argv a = { 0 };
			struct stat st;

			if (r.root && stat(r.root, &st) < 0)
				continue;
			runtime_cmd(&r, &a);
			ctr_argv_add(&a, "list");
			each_line(a.v, delete_container, &r);
			ctr_argv_release(&a);
		}
	}
	each_line(netns, delete_netns, NULL);
	orphans_remove_dead("/tmp", "sandbench-bundle-");
	orphans_remove_dead("/tmp", "sandbench-scratch-");
	orphans_remove_dead("/var/tmp", "sandbench-scratch-");
	orphans_sweep();
	/* Its daemon died with it (CHILD_DIE_WITH_PARENT); its shims and
	 * their containers did not.  */
	remove_dead_daemons(tmp && *tmp ? tmp : "/tmp");
	/* Last: once the containers in them are gone.  */
	remove_dead_cgroups();
}
