#include "driver.h"

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

#include "../bench/clock.h"
#include "../bench/error.h"
#include "../bench/spawn.h"
#include "../bench/util.h"
#include "image.h"
#include "oci.h"

extern const struct ctr_driver ctr_driver_native, ctr_driver_runc, ctr_driver_crun,
	ctr_driver_runsc, ctr_driver_kata;

const struct ctr_driver *const ctr_drivers[] = {
	&ctr_driver_native, &ctr_driver_runc, &ctr_driver_crun, &ctr_driver_runsc,
	&ctr_driver_kata, NULL,
};

#define CONTAINER_UID 65534	/* nobody: no root inside */

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

static int in_path(const char *binary)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL;

	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *full = xasprintf("%s/%s", dir, binary);
		if (access(full, X_OK) == 0)
			return 1;
	}
	/* root's PATH may lack /usr/sbin, where Debian puts runc.  */
	for (const char *dir = "/usr/sbin"; dir; dir = NULL) {
		cleanup_free char *full = xasprintf("%s/%s", dir, binary);
		if (access(full, X_OK) == 0)
			return 1;
	}
	return 0;
}

int ctr_driver_available(const struct ctr_driver *d, struct bench_error *err)
{
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
	if (spawn_capture(argv, &out, NULL, &status, NULL) == 0 && out[0]) {
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
}

static int quiet_run(char *const argv[])
{
	cleanup_free char *out = NULL;
	cleanup_free char *e = NULL;
	int status;

	if (spawn_capture(argv, &out, &e, &status, NULL) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* A network namespace with only loopback, up: runc and crun do not bring
 * up lo in a new namespace, and the network workloads need it.  */
static int netns_create(const char *name, struct bench_error *err)
{
	char *add[] = { "ip", "netns", "add", (char *)name, NULL };
	char *up[] = { "ip", "-n", (char *)name, "link", "set", "lo", "up", NULL };

	if (quiet_run(add) < 0)
		return bench_error_set(err, 0, "create network namespace `%s` (is iproute2 installed, "
				       "and are you root?)", name);
	if (quiet_run(up) < 0)
		return bench_error_set(err, 0, "bring up loopback in network namespace `%s`", name);
	return 0;
}

static void netns_delete(const char *name)
{
	char *del[] = { "ip", "netns", "delete", (char *)name, NULL };
	quiet_run(del);
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

static void podman_argv(const struct ctr_run *run, const char *id, struct ctr_argv *a)
{
	const struct ctr_driver *d = run->driver;

	ctr_argv_add(a, "podman");
	ctr_argv_add(a, "run");
	ctr_argv_add(a, "--rm");
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
	ctr_argv_addf(a, "--volume=%s:/results:rw", run->results);
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
static int oci_bundle(const struct ctr_run *run, const char *netns_path, char *bundle,
		      struct bench_error *err)
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
		.results = run->results, .netns = netns_path, .cpus = run->cpus,
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

/* In the child: hide the cgroup2 hierarchy from crun (see drivers/crun.c).  */
static void private_mounts(void)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("sandbench: private mount namespace for crun");
		_exit(125);
	}
	umount2("/sys/fs/cgroup/unified", MNT_DETACH);
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

int ctr_run(const struct ctr_run *run, int *exit_status, struct bench_error *err)
{
	const struct ctr_driver *d = run->driver;
	char bundle[] = "/tmp/sandbench-bundle-XXXXXX";
	cleanup_free char *id = xasprintf("sandbench-%ld-%llu", (long)getpid(),
					  (unsigned long long)bench_clock_ns());
	cleanup_free char *netns = NULL;
	cleanup_free char *netns_path = NULL;
	struct ctr_argv argv = { 0 };
	char tail[2048], what[128];
	int fds[2], status, timed_out, rc = -1;
	pid_t pid;

	*exit_status = -1;
	if (d->flags & CTR_NO_CONTAINER) {
		native_argv(run, &argv);
	} else if (run->engine == CTR_ENGINE_PODMAN) {
		if (!run->image->podman_ref) {
			bench_error_set(err, 0, "runtime `%s`: the podman engine needs podman "
					"(apt-get install podman) and an imported image", d->name);
			goto out;
		}
		podman_argv(run, id, &argv);
	} else {
		if (chown(run->results, CONTAINER_UID, CONTAINER_UID) < 0) {
			bench_error_set(err, errno, "give `%s` to the container's user", run->results);
			goto out;
		}
		if (!(d->flags & CTR_OWN_LOOPBACK)) {
			netns = xasprintf("sandbench-%ld", (long)getpid());
			netns_path = xasprintf("/run/netns/%s", netns);
			if (netns_create(netns, err) < 0) {
				free(netns);
				netns = NULL;
				goto out;
			}
		}
		if (oci_bundle(run, netns_path, bundle, err) < 0)
			goto out;
		oci_argv(run, bundle, id, &argv);
	}
	if (run->engine == CTR_ENGINE_PODMAN && !(d->flags & CTR_NO_CONTAINER) &&
	    chown(run->results, CONTAINER_UID, CONTAINER_UID) < 0) {
		bench_error_set(err, errno, "give `%s` to the container's user", run->results);
		goto out;
	}

	if (pipe2(fds, O_CLOEXEC) < 0) {
		bench_error_set(err, errno, "runtime `%s`: create a pipe", d->name);
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		bench_error_set(err, errno, "runtime `%s`: fork", d->name);
		close(fds[0]);
		close(fds[1]);
		goto out;
	}
	if (pid == 0) {
		extern char **environ;
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (d->flags & CTR_PRIVATE_MOUNTS)
			private_mounts();
		if (d->flags & CTR_NO_CONTAINER)
			setenv("SANDBENCH_RUNTIME", "native", 1);
		execvp(argv.v[0], argv.v);
		fprintf(stderr, "sandbench: exec `%s`: %s\n", argv.v[0], strerror(errno));
		_exit(127);
	}
	current_pid = pid;
	close(fds[1]);
	timed_out = pump(fds[0], pid, run, tail, sizeof(tail));
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	current_pid = -1;

	/* Whatever happened, leave no container behind.  */
	if (!(d->flags & CTR_NO_CONTAINER)) {
		if (run->engine == CTR_ENGINE_PODMAN) {
			char *rm[] = { "podman", "rm", "-f", id, NULL };
			quiet_run(rm);
		} else {
			struct ctr_argv a = { 0 };
			ctr_argv_add(&a, d->binary);
			if (d->oci_options)
				d->oci_options(&a);
			ctr_argv_add(&a, "delete");
			ctr_argv_add(&a, "-f");
			ctr_argv_add(&a, id);
			quiet_run(a.v);
			ctr_argv_release(&a);
		}
	}
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
	spawn_describe_status(status, what, sizeof(what));
	bench_error_set(err, 0, "runtime `%s`: the container failed (%s)", d->name, what);
	bench_error_set_detail(err, xasprintf("its last output:\n%s", tail));
out:
	if (strstr(bundle, "XXXXXX") == NULL)
		remove_bundle(bundle);
	if (netns)
		netns_delete(netns);
	ctr_argv_release(&argv);
	return rc;
}
