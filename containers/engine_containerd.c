/* The containerd engine: `ctr run` with a shim v2, the way Kata Containers 2
 * and 3 run.  The user's containerd when one answers ($CONTAINERD_ADDRESS,
 * else /run/containerd/containerd.sock), else, as root, a private one for
 * the duration; our containers live in a namespace of their own.
 *
 * The container gets the same config.json as the oci engine (`ctr run
 * --config`): its root is the bundle's rootfs, read-only, so isolation and
 * limits are the same bytes for every engine, and nothing is imported into
 * containerd's content store or snapshotter.  */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "bench/lib/child.h"
#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/orphans.h"
#include "bench/lib/util.h"
#include "containers/engine.h"

#define DEFAULT_ADDRESS "/run/containerd/containerd.sock"

static struct {
	struct ctr_containerd c;
	char dir[256];		/* ours: the drivers' files, a private daemon's */
	char *address;
	char version[128];	/* the daemon's */
	struct child daemon;	/* a private daemon (daemon.pid > 0) */
	pid_t user_daemon;	/* the user's daemon (its socket's peer), or 0 */
	int opened;
} cd;

void ctr_containerd_argv(const struct ctr_containerd *c, const struct ctr_run *run,
			 const char *config, const char *id, struct ctr_argv *a)
{
	const struct ctr_driver *d = run->driver;

	ctr_argv_add(a, "ctr");
	ctr_argv_addf(a, "--address=%s", c->address);
	ctr_argv_add(a, "--namespace=" CTR_CONTAINERD_NAMESPACE);
	ctr_argv_add(a, "run");
	ctr_argv_add(a, "--rm");
	if (d->shim_runtime) {
		ctr_argv_addf(a, "--runtime=%s", d->shim_runtime);
	} else if (d->containerd_options) {
		d->containerd_options(d, c, a);
	} else {
		cleanup_free char *binary = ctr_which(d->binary);
		ctr_argv_add(a, "--runtime=io.containerd.runc.v2");
		ctr_argv_addf(a, "--runc-binary=%s", binary ? binary : d->binary);
	}
	ctr_argv_addf(a, "--config=%s", config);
	ctr_argv_add(a, id);
}

static void ctr_cmd(struct ctr_argv *a)
{
	ctr_argv_add(a, "ctr");
	ctr_argv_addf(a, "--address=%s", cd.address);
	ctr_argv_add(a, "--namespace=" CTR_CONTAINERD_NAMESPACE);
}

/* Kill and delete a container's task, then the container.  */
static void remove_id(const char *id)
{
	struct ctr_argv a = { 0 };

	ctr_cmd(&a);
	ctr_argv_add(&a, "task");
	ctr_argv_add(&a, "delete");
	ctr_argv_add(&a, "--force");
	ctr_argv_add(&a, id);
	ctr_quiet_run(a.v);
	ctr_argv_release(&a);
	ctr_cmd(&a);
	ctr_argv_add(&a, "container");
	ctr_argv_add(&a, "delete");
	ctr_argv_add(&a, id);
	ctr_quiet_run(a.v);
	ctr_argv_release(&a);
}

/* Does a daemon answer at address?  *peer: its pid, when not NULL.  */
static int answers(const char *address, pid_t *peer)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, ok;

	if (strlen(address) >= sizeof(sa.sun_path))
		return 0;
	strcpy(sa.sun_path, address);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (ok && peer && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		*peer = cred.pid;
	close(fd);
	return ok;
}

/* The daemon's version, from `ctr version`'s Server part.  */
static void read_version(void)
{
	struct ctr_argv a = { 0 };
	cleanup_free char *out = NULL;
	char *server, *v;
	int status;

	snprintf(cd.version, sizeof(cd.version), "unknown");
	ctr_cmd(&a);
	ctr_argv_add(&a, "version");
	if (child_capture(a.v, &out, NULL, &status, NULL) == 0 && (server = strstr(out, "Server:")) &&
	    (v = strstr(server, "Version:"))) {
		v += strlen("Version:");
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		snprintf(cd.version, sizeof(cd.version), "%s", v);
	}
	ctr_argv_release(&a);
}

static int daemon_before_exec(void *arg)
{
	(void)arg;
	return ctr_private_mounts(1);
}

/* Give the daemon 30 s to answer; its log says why it did not.  */
static int wait_for_daemon(const char *logp, struct bench_error *err)
{
	uint64_t deadline = bench_clock_ns() + UINT64_C(30000000000);
	cleanup_free char *log = NULL;

	while (!answers(cd.address, NULL)) {
		int ended = child_done(&cd.daemon);
		if (ended || bench_clock_ns() > deadline) {
			cd.daemon.stop_signal = SIGKILL;
			if (!ended)
				child_stop(&cd.daemon);
			child_finish(&cd.daemon, 0, NULL);
			util_read_file(logp, LIMIT_SMALL_FILE, &log, NULL, NULL);
			bench_error_set(err, 0, "containerd: the private daemon did not start");
			bench_error_set_detail(err, xasprintf("its log:\n%s", log ? log : ""));
			return -1;
		}
		usleep(20000);
	}
	return 0;
}

/* containerd in a mount namespace of its own, without the cgroup2 mount of
 * a hybrid host (crun refuses it; runc does not care), in its own process
 * group and out of Ctrl-C's way: we stop it after cleaning up.  Killed when
 * sandbench dies (a SIGKILL leaves no daemon); what its shims left, the
 * next matrix removes (ctr_cleanup_leftovers).  */
static int start_daemon(struct bench_error *err)
{
	cleanup_free char *config = xasprintf("%s/config.toml", cd.dir);
	cleanup_free char *toml = xasprintf(
		"version = 2\n"
		"# Only what ctr run needs: no CRI (no CNI, no sandbox images).\n"
		"disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
		"[plugins.\"io.containerd.internal.v1.opt\"]\n"
		"  path = \"%s/opt\"\n", cd.dir);
	cleanup_free char *logp = xasprintf("%s/containerd.log", cd.dir);
	cleanup_free char *root = xasprintf("%s/root", cd.dir);
	cleanup_free char *state = xasprintf("%s/state", cd.dir);
	char *argv[] = { "containerd", "--config", config, "--root", root, "--state", state,
			 "--address", cd.address, NULL };
	int log, rc;

	if (util_write_file_atomic(config, toml, strlen(toml), err) < 0)
		return -1;
	log = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	cd.daemon = (struct child)CHILD_INIT;
	cd.daemon.argv = argv;
	cd.daemon.name = "containerd";
	cd.daemon.out = cd.daemon.err = log >= 0 ? log : CHILD_NULL;
	cd.daemon.flags = CHILD_SEARCH_PATH | CHILD_CALLER_ENV | CHILD_OWN_GROUP | CHILD_KEEP_ON_STOP |
			  CHILD_DIE_WITH_PARENT;
	cd.daemon.stop_signal = SIGTERM;
	cd.daemon.before_exec = daemon_before_exec;
	rc = child_start(&cd.daemon, err);
	cd.daemon.argv = NULL;	/* ours until here */
	if (log >= 0)
		close(log);
	if (rc < 0)
		return -1;
	return wait_for_daemon(logp, err);
}

static void stop_daemon(void)
{
	if (cd.daemon.pid <= 0)
		return;
	child_stop(&cd.daemon);
	child_finish(&cd.daemon, 10, NULL);
	/* What the shims made outside our folder: empty folders, which only a
	 * daemon we started could have needed (none answered there).  */
	rmdir("/run/containerd/runc/" CTR_CONTAINERD_NAMESPACE);
	rmdir("/run/containerd/runc");
	rmdir("/run/containerd/fifo");
	rmdir("/run/containerd/s");
	rmdir("/run/containerd");
}

static void containerd_close(void);

static int containerd_open(struct bench_error *err)
{
	const char *env = getenv("CONTAINERD_ADDRESS");
	cleanup_free char *ctr = ctr_which("ctr");
	const char *wanted = env && *env ? env : DEFAULT_ADDRESS;

	if (cd.opened)
		return 0;
	if (!ctr)
		return bench_error_set(err, 0, "--engine containerd: `ctr` is not installed "
				       "(apt-get install containerd)");
	if (util_make_temp_dir("sandbench-containerd", cd.dir, sizeof(cd.dir)) < 0)
		return bench_error_set(err, errno, "--engine containerd: create a temporary folder");
	cd.c.dir = cd.dir;
	/* What the drivers need there (runsc: its wrapper and TOML file).  */
	for (size_t i = 0; ctr_drivers[i]; i++)
		if (ctr_drivers[i]->containerd_open && ctr_drivers[i]->containerd_open(&cd.c, err) < 0) {
			util_remove_tree(cd.dir);
			return -1;
		}
	if (answers(wanted, &cd.user_daemon)) {
		cd.address = xstrdup(wanted);
		fprintf(stderr, "sandbench: containerd: the daemon at %s, namespace `%s`\n", wanted,
			CTR_CONTAINERD_NAMESPACE);
	} else if (geteuid() != 0) {
		util_remove_tree(cd.dir);
		return bench_error_set(err, 0, "--engine containerd: no containerd answers at %s (set "
				       "CONTAINERD_ADDRESS), and starting a private one needs root",
				       wanted);
	} else {
		cleanup_free char *daemon = ctr_which("containerd");
		if (!daemon) {
			util_remove_tree(cd.dir);
			return bench_error_set(err, 0, "--engine containerd: no containerd answers at %s "
					       "and `containerd` is not installed (apt-get install "
					       "containerd)", wanted);
		}
		cd.address = xasprintf("%s/containerd.sock", cd.dir);
		if (start_daemon(err) < 0) {
			free(cd.address);
			cd.address = NULL;
			util_remove_tree(cd.dir);
			return -1;
		}
		fprintf(stderr, "sandbench: containerd: none answers at %s: started a private one "
			"(root, state and socket in %s), stopped at the end\n", wanted, cd.dir);
	}
	cd.c.address = cd.address;
	cd.opened = 1;
	read_version();
	return 0;
}

/* Remove the containers of our namespace that `which` picks (and their
 * tasks): how many it picked.  */
static int remove_listed(int (*which)(const char *id))
{
	struct ctr_argv a = { 0 };
	cleanup_free char *out = NULL;
	char *save = NULL;
	int status, n = 0;

	ctr_cmd(&a);
	ctr_argv_add(&a, "containers");
	ctr_argv_add(&a, "list");
	ctr_argv_add(&a, "--quiet");
	if (child_capture(a.v, &out, NULL, &status, NULL) == 0)
		for (char *id = strtok_r(out, "\n", &save); id; id = strtok_r(NULL, "\n", &save))
			if (which(id)) {
				remove_id(id);
				n++;
			}
	ctr_argv_release(&a);
	return n;
}

static int is_mine(const char *id)
{
	char mine[64];

	snprintf(mine, sizeof(mine), "sandbench-%ld-", (long)getpid());
	return strncmp(id, mine, strlen(mine)) == 0;
}

static int of_dead_matrix(const char *id)
{
	return orphans_dead_owner(id, "sandbench-") != 0;
}

int ctr_containerd_remove_dead(void)
{
	return cd.opened ? remove_listed(of_dead_matrix) : 0;
}

/* Remove every container of ours that is left (a killed ctr leaves its task).  */
static void sweep(void)
{
	struct ctr_argv a = { 0 };

	remove_listed(is_mine);
	/* The namespace goes too when nothing else is in it.  */
	ctr_argv_add(&a, "ctr");
	ctr_argv_addf(&a, "--address=%s", cd.address);
	ctr_argv_add(&a, "namespaces");
	ctr_argv_add(&a, "remove");
	ctr_argv_add(&a, CTR_CONTAINERD_NAMESPACE);
	ctr_quiet_run(a.v);
	ctr_argv_release(&a);
}

static void containerd_close(void)
{
	if (!cd.opened)
		return;
	sweep();
	if (cd.daemon.pid > 0) {
		stop_daemon();
		fprintf(stderr, "sandbench: containerd: the private daemon is stopped\n");
	}
	util_remove_tree(cd.dir);
	free(cd.address);
	memset(&cd, 0, sizeof(cd));
}

/* The shims run in the daemon's mount namespace: a private daemon's hides
 * the cgroup2 mount of a hybrid host; a user's daemon may not.  */
int ctr_containerd_sees_mount(const char *mount)
{
	cleanup_free char *path = xasprintf("/proc/%ld/mountinfo", (long)cd.user_daemon);
	cleanup_free char *text = NULL;
	cleanup_free char *field = xasprintf(" %s ", mount);

	if (cd.daemon.pid > 0)
		return 0;
	/* Its mounts cannot be read: assume so.  */
	if (cd.user_daemon <= 0 || util_read_file(path, LIMIT_DATA_FILE, &text, NULL, NULL) < 0)
		return 1;
	return strstr(text, field) != NULL;
}

const char *ctr_containerd_address(void)
{
	return cd.address;
}

static int containerd_usable(const struct ctr_driver *d, struct bench_error *err)
{
	if (!cd.opened)
		return bench_error_set(err, 0, "runtime `%s`: the containerd engine is not open",
				       d->name);
	return 0;
}

static int containerd_prepare(const struct ctr_run *run, struct ctr_prepared *pr,
			      struct bench_error *err)
{
	cleanup_free char *config = NULL;

	if (ctr_prepare_bundle(run, pr, err) < 0)
		return -1;
	config = xasprintf("%s/config.json", pr->bundle);
	ctr_containerd_argv(&cd.c, run, config, pr->id, &pr->argv);
	return 0;
}

static void containerd_remove(const struct ctr_run *run, struct ctr_prepared *pr)
{
	remove_id(pr->id);
}

static void containerd_metadata(const struct ctr_driver *d, json_t *md)
{
	struct ctr_argv a = { 0 };

	/* The shim and the binary it ran, as the command line said.  */
	ctr_containerd_argv(&cd.c, &(struct ctr_run){ .driver = d }, "", "", &a);
	for (size_t i = 0; i < a.n; i++) {
		if (strncmp(a.v[i], "--runtime=", 10) == 0)
			json_object_set_new(md, "containerd_runtime", json_string(a.v[i] + 10));
		if (strncmp(a.v[i], "--runc-binary=", 14) == 0)
			json_object_set_new(md, "containerd_runc_binary", json_string(a.v[i] + 14));
	}
	ctr_argv_release(&a);
	json_object_set_new(md, "containerd_version", json_string(cd.version));
	json_object_set_new(md, "containerd_daemon", json_string(cd.daemon.pid > 0 ? "private" : cd.address));
}

const struct ctr_engine_ops ctr_engine_containerd = {
	.name = "containerd",
	.open = containerd_open,
	.close = containerd_close,
	.usable = containerd_usable,
	.prepare = containerd_prepare,
	.remove = containerd_remove,
	.metadata = containerd_metadata,
};
