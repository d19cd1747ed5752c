#include "containers/driver.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/safefile.h"
#include "bench/lib/child.h"
#include "bench/lib/util.h"
#include "containers/engine.h"
#include "containers/image.h"
#include "containers/oci.h"

extern const struct ctr_driver ctr_driver_native, ctr_driver_runc, ctr_driver_crun,
	ctr_driver_runsc, ctr_driver_kata, ctr_driver_kata_qemu, ctr_driver_kata_clh,
	ctr_driver_kata_fc, ctr_driver_kata_dragonball;

const struct ctr_driver *const ctr_drivers[] = {
	&ctr_driver_native, &ctr_driver_runc, &ctr_driver_crun, &ctr_driver_runsc,
	&ctr_driver_kata, &ctr_driver_kata_qemu, &ctr_driver_kata_clh, &ctr_driver_kata_fc,
	&ctr_driver_kata_dragonball, NULL,
};

#define CONTAINER_UID 65534	/* nobody: no root inside */
#define MAX_SESSIONS 16

static volatile pid_t session_pids[MAX_SESSIONS];

void ctr_argv_add(struct ctr_argv *a, const char *arg)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = xstrdup(arg);
	a->v[a->n] = NULL;
}

void ctr_argv_addf(struct ctr_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	ctr_argv_add(a, s);
	free(s);
}

void ctr_argv_release(struct ctr_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

const struct ctr_driver *ctr_driver_find(const char *name)
{
	for (size_t i = 0; ctr_drivers[i]; i++)
		if (strcmp(ctr_drivers[i]->name, name) == 0)
			return ctr_drivers[i];
	return NULL;
}

char *ctr_which(const char *binary)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL;

	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", dir, binary);
		if (access(full, X_OK) == 0)
			return full;
		free(full);
	}
	/* root's PATH may lack /usr/sbin, where Debian puts runc.  */
	for (const char *dir = "/usr/sbin"; dir; dir = NULL) {
		char *full = xasprintf("%s/%s", dir, binary);
		if (access(full, X_OK) == 0)
			return full;
		free(full);
	}
	return NULL;
}

static int in_path(const char *binary)
{
	cleanup_free char *full = ctr_which(binary);
	return full != NULL;
}

int ctr_driver_available(const struct ctr_driver *d, struct bench_error *err)
{
	/* Kata: /dev/kvm and its shim come first, then kata-runtime's own check.  */
	if (d->flags & CTR_SHIM_V2_ONLY)
		return d->check(d, err);
	if (d->binary && !in_path(d->binary)) {
		if (d->package)
			return bench_error_set(err, 0, "runtime `%s`: `%s` is not installed "
					       "(apt-get install %s)", d->name, d->binary, d->package);
		return bench_error_set(err, 0, "runtime `%s`: `%s` is not installed (it is not "
				       "packaged in Debian 12: see https://katacontainers.io)",
				       d->name, d->binary);
	}
	return d->check ? d->check(d, err) : 0;
}

void ctr_driver_version(const struct ctr_driver *d, char *buf, size_t size)
{
	char *argv[] = { (char *)d->binary, "--version", NULL };
	cleanup_free char *out = NULL;
	int status;

	snprintf(buf, size, "unknown");
	if (!d->binary) {
		snprintf(buf, size, "none");
		return;
	}
	if (child_capture(argv, &out, NULL, &status, NULL) == 0 && out[0]) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(buf, size, "%s", out);
	}
}

void ctr_podman_runtime(const struct ctr_driver *d, struct ctr_argv *argv)
{
	ctr_argv_add(argv, "--runtime");
	ctr_argv_add(argv, d->binary);
}

/* ---- starting a container ---- */

static volatile pid_t current_pid = -1;

void ctr_kill_current(void)
{
	pid_t pid = current_pid;
	if (pid > 0)
		kill(pid, SIGTERM);
	for (size_t i = 0; i < MAX_SESSIONS; i++)
		if ((pid = session_pids[i]) > 0)
			kill(pid, SIGTERM);
}

int ctr_quiet_run(char *const argv[])
{
	cleanup_free char *out = NULL;
	cleanup_free char *e = NULL;
	int status;

	if (child_capture(argv, &out, &e, &status, NULL) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* A network namespace with only loopback, up: runc and crun do not bring
 * up lo in a new namespace, and the network workloads need it.  */
static int netns_create(const char *name, struct bench_error *err)
{
	char *add[] = { "ip", "netns", "add", (char *)name, NULL };
	char *up[] = { "ip", "-n", (char *)name, "link", "set", "lo", "up", NULL };

	if (ctr_quiet_run(add) < 0)
		return bench_error_set(err, 0, "create network namespace `%s` (is iproute2 installed, "
				       "and are you root?)", name);
	if (ctr_quiet_run(up) < 0)
		return bench_error_set(err, 0, "bring up loopback in network namespace `%s`", name);
	return 0;
}

static void netns_delete(const char *name)
{
	char *del[] = { "ip", "netns", "delete", (char *)name, NULL };
	ctr_quiet_run(del);
}

static void remove_bundle(const char *dir)
{
	cleanup_free char *config = xasprintf("%s/config.json", dir);
	unlink(config);
	rmdir(dir);
}

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

static void podman_argv(const struct ctr_run *run, const char *id, const char *results,
			struct ctr_argv *a)
{
	const struct ctr_driver *d = run->driver;

	ctr_argv_add(a, "podman");
	ctr_argv_add(a, "run");
	ctr_argv_add(a, "--rm");
	ctr_argv_add(a, "--interactive");
	ctr_argv_addf(a, "--name=%s", id);
	d->podman_options(d, a);
	ctr_argv_add(a, "--network=none");
	ctr_argv_add(a, "--read-only");
	ctr_argv_add(a, "--tmpfs=/tmp:rw,size=1g,mode=1777");
	ctr_argv_addf(a, "--user=%d:%d", CONTAINER_UID, CONTAINER_UID);
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
	if (results)
		ctr_argv_addf(a, "--volume=%s:/results:rw", results);
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
}

/* Write config.json for this run into a new bundle folder.  */
static int oci_bundle(const struct ctr_run *run, const char *netns_path, const char *results,
		      char *bundle, struct bench_error *err)
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
		.results = results, .netns = netns_path, .cpus = run->cpus,
		.memory = run->memory, .uid = CONTAINER_UID, .gid = CONTAINER_UID });
	text = json_dumps(config, JSON_INDENT(2));
	path = xasprintf("%s/config.json", bundle);
	rc = util_write_file_atomic(path, text, strlen(text), err);
	json_decref(config);
	ctr_argv_release(&args);
	return rc;
}

static void oci_argv(const struct ctr_run *run, const char *bundle, const char *id,
		     struct ctr_argv *a)
{
	ctr_argv_add(a, run->driver->binary);
	if (run->driver->oci_options)
		run->driver->oci_options(a);
	ctr_argv_add(a, "run");
	ctr_argv_add(a, "--bundle");
	ctr_argv_add(a, bundle);
	ctr_argv_add(a, id);
}

static void native_argv(const struct ctr_run *run, struct ctr_argv *a)
{
	ctr_argv_add(a, util_self_exe());
	for (size_t i = 0; run->args[i]; i++)
		ctr_argv_add(a, run->args[i]);
}

void ctr_private_mounts(int slave)
{
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | (slave ? MS_SLAVE : MS_PRIVATE), NULL) < 0) {
		perror("sandbench: private mount namespace for crun");
		_exit(125);
	}
	umount2("/sys/fs/cgroup/unified", MNT_DETACH);
}

int ctr_hybrid_cgroups(void)
{
	struct stat unified, parent;

	/* A mount point sits on another device than its parent folder.  */
	return stat("/sys/fs/cgroup/unified", &unified) == 0 && stat("/sys/fs/cgroup", &parent) == 0 &&
	       unified.st_dev != parent.st_dev;
}

/* Copy the child's output to the log, and progress lines to stderr; keep the
 * last lines for an error message.  Kill the child past the deadline.  */
static int pump(int fd, pid_t pid, const struct ctr_run *run, char *tail, size_t tail_size)
{
	uint64_t deadline = run->timeout > 0 ? bench_clock_ns() + (uint64_t)(run->timeout * 1e9) : 0;
	char buf[8192], line[1024];
	size_t used = 0, tail_used = 0;
	int timed_out = 0;

	tail[0] = '\0';
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait_ms = 1000, r;
		ssize_t n;

		if (deadline && !timed_out && bench_clock_ns() >= deadline) {
			kill(pid, SIGTERM);
			timed_out = 1;
		}
		r = poll(&pfd, 1, wait_ms);
		if (r <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (run->log_fd >= 0 && write(run->log_fd, buf, (size_t)n) < 0)
			perror("sandbench: write matrix.log");
		for (ssize_t i = 0; i < n; i++) {
			if (used + 1 < sizeof(line) && buf[i] != '\n') {
				line[used++] = buf[i];
				continue;
			}
			line[used] = '\0';
			if (line[0] == '[' && run->label)
				fprintf(stderr, "%s %s\n", run->label, line);
			if (used) {
				/* Keep the last few lines.  */
				size_t len = strlen(line) + 1;
				if (len >= tail_size)
					len = tail_size - 1;
				if (tail_used + len >= tail_size) {
					tail_used = 0;
				}
				memcpy(tail + tail_used, line, len - 1);
				tail[tail_used + len - 1] = '\n';
				tail_used += len;
				tail[tail_used] = '\0';
			}
			used = 0;
		}
	}
	return timed_out;
}

/* ---- the oci and podman engines ---- */

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

static void podman_remove(const struct ctr_run *run, struct ctr_prepared *pr)
{
	char *rm[] = { "podman", "rm", "-f", pr->id, NULL };
	ctr_quiet_run(rm);
}

int ctr_prepare_bundle(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err)
{
	cleanup_free char *netns_path = NULL;

	if (!(run->driver->flags & CTR_OWN_LOOPBACK)) {
		/* One namespace per container: sessions run side by side.  */
		static unsigned serial;
		pr->netns = xasprintf("sandbench-%ld-%u", (long)getpid(), serial++);
		netns_path = xasprintf("/run/netns/%s", pr->netns);
		if (netns_create(pr->netns, err) < 0) {
			free(pr->netns);
			pr->netns = NULL;
			return -1;
		}
	}
	return oci_bundle(run, netns_path, pr->results, pr->bundle, err);
}

static int oci_prepare(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err)
{
	if (ctr_prepare_bundle(run, pr, err) < 0)
		return -1;
	oci_argv(run, pr->bundle, pr->id, &pr->argv);
	return 0;
}

static int podman_prepare(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err)
{
	if (!run->image->podman_ref)
		return bench_error_set(err, 0, "runtime `%s`: the podman engine needs podman "
				       "(apt-get install podman) and an imported image", run->driver->name);
	podman_argv(run, pr->id, pr->results, &pr->argv);
	return 0;
}

/* Kata 2 and later have no OCI command line: podman and `runtime run` cannot start them.  */
static int shim_v2_refused(const struct ctr_driver *d, struct bench_error *err)
{
	if (!(d->flags & CTR_SHIM_V2_ONLY))
		return 0;
	return bench_error_set(err, 0, "runtime `%s`: Kata Containers 2 and later run only as a "
			       "containerd shim v2 (containerd-shim-kata-v2): `kata-runtime` has no "
			       "create/start/run and podman speaks only to OCI command-line runtimes; "
			       "use --engine containerd", d->name);
}

static const struct ctr_engine_ops engine_oci = {
	.name = "oci", .usable = shim_v2_refused, .prepare = oci_prepare, .remove = oci_remove,
};

static const struct ctr_engine_ops engine_podman = {
	.name = "podman", .usable = shim_v2_refused, .prepare = podman_prepare,
	.remove = podman_remove,
};

static const struct ctr_engine_ops *const engines[CTR_ENGINE_COUNT] = {
	[CTR_ENGINE_OCI] = &engine_oci,
	[CTR_ENGINE_PODMAN] = &engine_podman,
	[CTR_ENGINE_CONTAINERD] = &ctr_engine_containerd,
};

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

int ctr_driver_usable(const struct ctr_driver *d, enum ctr_engine engine, struct bench_error *err)
{
	if (d->flags & CTR_NO_CONTAINER)
		return 0;
	return engines[engine]->usable ? engines[engine]->usable(d, err) : 0;
}

void ctr_run_metadata(const struct ctr_driver *d, enum ctr_engine engine, json_t *md)
{
	json_t *extra;

	json_object_set_new(md, "engine", json_string(d->flags & CTR_NO_CONTAINER ? "none" :
						       engines[engine]->name));
	if (d->flags & CTR_NO_CONTAINER)
		return;
	if (engines[engine]->metadata)
		engines[engine]->metadata(d, md);
	if (d->metadata && (extra = d->metadata(d))) {
		json_object_update(md, extra);
		json_decref(extra);
	}
}

static void teardown(const struct ctr_run *run, struct ctr_prepared *pr)
{
	const struct ctr_driver *d = run->driver;

	/* Whatever happened, leave no container behind.  */
	if (pr->id && !(d->flags & CTR_NO_CONTAINER))
		engines[run->engine]->remove(run, pr);
	if (pr->bundle[0] && strstr(pr->bundle, "XXXXXX") == NULL)
		remove_bundle(pr->bundle);
	if (pr->netns)
		netns_delete(pr->netns);
	/* What the container wrote there is gone with it.  */
	if (pr->results)
		safefile_remove_tree(pr->results, NULL);
	if (pr->relay > 0)
		waitpid(pr->relay, NULL, 0);
	free(pr->results);
	free(pr->netns);
	free(pr->id);
	ctr_argv_release(&pr->argv);
	memset(pr, 0, sizeof(*pr));
}

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
	if (chown(pr->results, CONTAINER_UID, CONTAINER_UID) < 0)
		return bench_error_set(err, errno, "give `%s` to the container's user", pr->results);
	return 0;
}

/* A pipe whose other end a child copies to log_fd: runc chowns the
 * container's standard streams to its user, which must not get root's log.  */
static int log_relay(int log_fd, pid_t *relay, struct bench_error *err)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return bench_error_set(err, errno, "create a pipe for the log");
	*relay = fork();
	if (*relay < 0) {
		close(p[0]);
		close(p[1]);
		*relay = 0;
		return bench_error_set(err, errno, "fork");
	}
	if (*relay == 0) {
		char buf[8192];
		ssize_t n;

		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		/* Only these two: a copy of another session's stdin would keep
		 * that server from seeing its end of input.  */
		if (dup2(p[0], 0) < 0 || dup2(log_fd, 1) < 0)
			_exit(1);
		close_range(3, ~0U, 0);
		while ((n = read(0, buf, sizeof(buf))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 || write(1, buf, (size_t)n) < 0)
				break;
		}
		_exit(0);
	}
	close(p[0]);
	return p[1];
}

static int prepare(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err)
{
	const struct ctr_driver *d = run->driver;
	static unsigned serial;

	memset(pr, 0, sizeof(*pr));
	snprintf(pr->bundle, sizeof(pr->bundle), "/tmp/sandbench-bundle-%ld-XXXXXX", (long)getpid());
	pr->id = xasprintf("sandbench-%ld-%u-%llu", (long)getpid(), serial++,
			   (unsigned long long)bench_clock_ns());
	if (d->flags & CTR_NO_CONTAINER) {
		native_argv(run, &pr->argv);
		return 0;
	}
	if (ctr_driver_usable(d, run->engine, err) < 0 ||
	    container_folder(run, pr, err) < 0 ||
	    engines[run->engine]->prepare(run, pr, err) < 0)
		return -1;
	return 0;
}

/* Start the prepared container with these standard streams.  */
static pid_t spawn_container(const struct ctr_run *run, struct ctr_prepared *pr, int in,
			     int out, int errfd, struct bench_error *err)
{
	const struct ctr_driver *d = run->driver;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		bench_error_set(err, errno, "runtime `%s`: fork", d->name);
		return -1;
	}
	if (pid == 0) {
		dup2(in, 0);
		dup2(out, 1);
		dup2(errfd, 2);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		/* containerd's shims run crun in the daemon's namespace instead.  */
		if ((d->flags & CTR_PRIVATE_MOUNTS) && run->engine != CTR_ENGINE_CONTAINERD)
			ctr_private_mounts(0);
		if (d->flags & CTR_NO_CONTAINER)
			setenv("SANDBENCH_RUNTIME", "native", 1);
		execvp(pr->argv.v[0], pr->argv.v);
		fprintf(stderr, "sandbench: exec `%s`: %s\n", pr->argv.v[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

int ctr_run(const struct ctr_run *run, int *exit_status, struct bench_error *err)
{
	const struct ctr_driver *d = run->driver;
	struct ctr_prepared pr;
	char tail[2048], what[128];
	int fds[2], status, timed_out, null, rc = -1;
	pid_t pid;

	*exit_status = -1;
	if (prepare(run, &pr, err) < 0)
		goto out;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		bench_error_set(err, errno, "runtime `%s`: create a pipe", d->name);
		goto out;
	}
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid = spawn_container(run, &pr, null, fds[1], fds[1], err);
	close(null);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		goto out;
	}
	current_pid = pid;
	timed_out = pump(fds[0], pid, run, tail, sizeof(tail));
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	current_pid = -1;
	if (timed_out) {
		bench_error_set(err, 0, "runtime `%s`: the container ran past the timeout of %g s "
				"and was stopped", d->name, run->timeout);
		goto out;
	}
	if (WIFEXITED(status))
		*exit_status = WEXITSTATUS(status);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		rc = 0;
		goto out;
	}
	child_describe_status(status, what, sizeof(what));
	bench_error_set(err, 0, "runtime `%s`: the container failed (%s)", d->name, what);
	bench_error_set_detail(err, xasprintf("its last output:\n%s", tail));
out:
	teardown(run, &pr);
	return rc;
}

/* ---- sessions: a long-lived `sandbench __serve` per container ---- */

static void track(pid_t pid, pid_t replace)
{
	for (size_t i = 0; i < MAX_SESSIONS; i++)
		if (session_pids[i] == replace) {
			session_pids[i] = pid;
			return;
		}
}

int ctr_session_start(const struct ctr_run *run, struct ctr_session *s, struct bench_error *err)
{
	const char *args[] = { "__serve", NULL };
	int in[2], out[2], errfd;

	memset(s, 0, sizeof(*s));
	s->run = *run;
	s->run.args = args;
	s->prep = xcalloc(1, sizeof(struct ctr_prepared));
	s->to = s->from = -1;
	s->pid = -1;
	if (prepare(&s->run, s->prep, err) < 0)
		goto fail;
	if (pipe2(in, O_CLOEXEC) < 0)
		goto fail_errno;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		goto fail_errno;
	}
	errfd = run->log_fd >= 0 && !(run->driver->flags & CTR_NO_CONTAINER) ?
		log_relay(run->log_fd, &s->prep->relay, err) : run->log_fd >= 0 ? run->log_fd : 2;
	if (errfd < 0) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		goto fail;
	}
	s->pid = spawn_container(&s->run, s->prep, in[0], out[1], errfd, err);
	if (errfd != run->log_fd && errfd != 2)
		close(errfd);
	close(in[0]);
	close(out[1]);
	s->to = in[1];
	s->from = out[0];
	if (s->pid < 0)
		goto fail;
	track(s->pid, 0);
	s->run.args = NULL;
	return 0;
fail_errno:
	bench_error_set(err, errno, "runtime `%s`: create a pipe", run->driver->name);
fail:
	ctr_session_stop(s, NULL);
	return -1;
}

/* The session is gone or stuck: stop its container for good.  */
static void session_kill(struct ctr_session *s)
{
	if (s->pid > 0)
		kill(s->pid, SIGKILL);
}

char *ctr_session_read_line(struct ctr_session *s, double timeout, struct bench_error *err)
{
	uint64_t deadline = timeout > 0 ? bench_clock_ns() + (uint64_t)(timeout * 1e9) : 0;
	const char *name = s->run.driver->name;

	for (;;) {
		char *nl = s->buf ? memchr(s->buf, '\n', s->used) : NULL;
		struct pollfd pfd = { .fd = s->from, .events = POLLIN };
		int wait_ms = -1, r;
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - s->buf);
			char *line = xmalloc(len + 1);
			memcpy(line, s->buf, len);
			line[len] = '\0';
			memmove(s->buf, nl + 1, s->used - len - 1);
			s->used -= len + 1;
			return line;
		}
		if (s->from < 0) {
			bench_error_set(err, 0, "runtime `%s`: the container has ended", name);
			return NULL;
		}
		if (deadline) {
			uint64_t now = bench_clock_ns();
			if (now >= deadline) {
				session_kill(s);
				bench_error_set(err, 0, "runtime `%s`: no reply within the timeout of %g s: "
						"the container was stopped", name, timeout);
				return NULL;
			}
			wait_ms = (int)((deadline - now) / 1000000) + 1;
		}
		r = poll(&pfd, 1, wait_ms);
		if (r < 0 && errno != EINTR) {
			bench_error_set(err, errno, "runtime `%s`: poll", name);
			return NULL;
		}
		if (r <= 0)
			continue;
		if (s->cap - s->used < 65536) {
			s->cap = s->cap ? 2 * s->cap : 131072;
			s->buf = xrealloc(s->buf, s->cap);
		}
		n = read(s->from, s->buf + s->used, s->cap - s->used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(s->from);
			s->from = -1;
			continue;
		}
		s->used += (size_t)n;
	}
}

int ctr_session_write_line(struct ctr_session *s, const char *line, struct bench_error *err)
{
	size_t len = strlen(line), done = 0;

	while (done < len + 1) {
		const char *p = done < len ? line + done : "\n";
		ssize_t n = write(s->to, p, done < len ? len - done : 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return bench_error_set(err, errno, "runtime `%s`: the container has ended",
					       s->run.driver->name);
		done += (size_t)n;
	}
	return 0;
}

int ctr_session_stop(struct ctr_session *s, struct bench_error *err)
{
	char what[128];
	int status = 0, rc = 0;

	if (s->to >= 0)
		close(s->to);	/* end of input: the server finishes and exits */
	if (s->pid > 0) {
		/* A server stuck in a benchmark is not waited for.  */
		uint64_t deadline = bench_clock_ns() + UINT64_C(30000000000);
		pid_t r;
		while ((r = waitpid(s->pid, &status, WNOHANG)) == 0 && bench_clock_ns() < deadline)
			usleep(10000);
		if (r == 0) {
			session_kill(s);
			waitpid(s->pid, &status, 0);
		}
		track(0, s->pid);
		if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			child_describe_status(status, what, sizeof(what));
			bench_error_set(err, 0, "runtime `%s`: the container failed (%s)",
					s->run.driver->name, what);
			rc = -1;
		}
	}
	if (s->from >= 0)
		close(s->from);
	teardown(&s->run, s->prep);
	free(s->prep);
	free(s->buf);
	memset(s, 0, sizeof(*s));
	s->to = s->from = s->pid = -1;
	return rc;
}

/* ---- what a killed matrix left behind ---- */

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
		netns_delete(name);
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
		struct ctr_argv a = { 0 };

		if (!d->binary || !in_path(d->binary))
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
	for (const char *folder = tmp && *tmp ? tmp : "/tmp"; folder; folder = NULL) {
		remove_dead_folders(folder, "sandbench-cache-");
		remove_dead_folders(folder, "sandbench-timeit-");
	}
}
