#include "tests/support.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/util.h"

void cmd_free(struct cmd *c)
{
	free(c->out);
	free(c->err);
}

/* The test's scratch folder: Criterion runs each test in a process of its
 * own, which makes one folder per process.  */
static const char *scratch;

void support_make_dir(char *tmpl)
{
	cr_assert_not_null(mkdtemp(tmpl), "mkdtemp %s", tmpl);
	scratch = tmpl;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

void support_remove_dir(const char *dir)
{
	if (access(dir, F_OK) < 0 && errno == ENOENT)
		return;
	cr_assert_eq(nftw(dir, remove_one, 32, FTW_DEPTH | FTW_PHYS), 0, "remove %s: %s", dir,
		     strerror(errno));
}

char *path_in(const char *name)
{
	cr_assert_not_null(scratch, "support_make_dir() first");
	return xasprintf("%s/%s", scratch, name);
}

int have(const char *binary)
{
	const char *path = getenv("PATH");
	char *dirs = xasprintf("%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin"), *save = NULL;
	int found = 0;

	for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", d, binary);
		found = access(full, X_OK) == 0;
		free(full);
	}
	free(dirs);
	return found;
}

char *slurp(const char *path)
{
	char *text = NULL;

	if (util_read_file(path, LIMIT_MESSAGE, &text, NULL, NULL) < 0)
		return xstrdup("");
	return text;
}

json_t *load(const char *path)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);

	cr_assert_not_null(j, "%s: %s", path, jerr.text);
	return j;
}

char *support_hanging_workloads(const char *dir)
{
	char *wd = xasprintf("%s/hang", dir), *cmd, *nbody;
	FILE *f;

	cmd = xasprintf("mkdir -p '%s/math' && cp '%s'/categories/math/float.py '%s/math/'",
			wd, getenv("SANDBENCH_ROOT"), wd);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	nbody = xasprintf("%s/math/nbody.py", wd);
	f = fopen(nbody, "w");
	cr_assert_not_null(f);
	fputs("import time\n\ndef setup():\n    return 1\n\ndef run(state, loops):\n"
	      "    time.sleep(3600)\n", f);
	fclose(f);
	free(nbody);
	return wd;
}

/* The children support_start started, until support_finish.  */
static struct child started[16];

pid_t support_start(const char *dir, const char *tag, const char *in, char *const argv[])
{
	char *out = xasprintf("%s/%s.out", dir, tag), *err = xasprintf("%s/%s.err", dir, tag);
	struct bench_error e = { 0 };
	struct child *c = NULL;
	char *full[64];
	int n = 0;

	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]) && !c; i++)
		if (started[i].pid <= 0)
			c = &started[i];
	cr_assert_not_null(c, "more than %zu commands at once", sizeof(started) / sizeof(started[0]));
	full[n++] = getenv("SANDBENCH");
	cr_assert_not_null(full[0], "run through `make test`, which sets $SANDBENCH");
	for (int i = 0; argv[i] && n < 63; i++)
		full[n++] = argv[i];
	full[n] = NULL;
	*c = (struct child)CHILD_INIT;
	c->argv = full;
	c->name = "sandbench";
	c->flags = CHILD_CALLER_ENV;
	c->in = open(in ? in : "/dev/null", O_RDONLY | O_CLOEXEC);
	c->out = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	c->err = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert(c->in >= 0 && c->out >= 0 && c->err >= 0, "open %s, %s, %s", in, out, err);
	cr_assert_eq(child_start(c, &e), 0, "%s", e.msg);
	close(c->in);
	close(c->out);
	close(c->err);
	c->argv = NULL;
	free(out);
	free(err);
	return c->pid;
}

struct cmd support_run(const char *dir, const char *tag, char *const argv[])
{
	return support_finish(dir, tag, support_start(dir, tag, NULL, argv));
}

struct cmd support_finish(const char *dir, const char *tag, pid_t pid)
{
	return support_finish_within(dir, tag, pid, 0);
}

struct cmd support_finish_within(const char *dir, const char *tag, pid_t pid, double timeout)
{
	char *out = xasprintf("%s/%s.out", dir, tag), *err = xasprintf("%s/%s.err", dir, tag);
	struct child *c = NULL;
	struct cmd cmd;

	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]) && !c; i++)
		if (pid > 0 && started[i].pid == pid)
			c = &started[i];
	cr_assert_not_null(c, "%d was not started by support_start", (int)pid);
	child_finish(c, timeout, NULL);
	cmd.status = WIFEXITED(c->status) ? WEXITSTATUS(c->status) : 128 + WTERMSIG(c->status);
	cmd.out = slurp(out);
	cmd.err = slurp(err);
	free(out);
	free(err);
	return cmd;
}

void need_containers(const char *const *runtimes, size_t n)
{
	if (getuid() != 0)
		cr_skip_test("container runtimes need root here");
	for (size_t i = 0; i < n; i++)
		if (!have(runtimes[i]))
			cr_skip_test("%s is not installed (apt-get install %s)", runtimes[i], runtimes[i]);
}

ssize_t support_cmdline(pid_t pid, char *buf, size_t size)
{
	char *path = xasprintf("/proc/%d/cmdline", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	free(path);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	return n;
}

pid_t support_process_with(const char *needle)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	cr_assert_not_null(proc);
	while (!found && (e = readdir(proc))) {
		char buf[4096];
		ssize_t n;

		if (strspn(e->d_name, "0123456789") != strlen(e->d_name))
			continue;
		if ((n = support_cmdline(atoi(e->d_name), buf, sizeof(buf))) <= 0)
			continue;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		buf[n] = '\0';
		if (strstr(buf, needle))
			found = atoi(e->d_name);
	}
	closedir(proc);
	return found;
}

int support_wait_for_process(const char *needle, int present, double timeout)
{
	for (double waited = 0; waited < timeout; waited += 0.1) {
		if (!support_process_with(needle) == !present)
			return 1;
		usleep(100000);
	}
	return !support_process_with(needle) == !present;
}

pid_t support_parent(pid_t pid)
{
	char *path = xasprintf("/proc/%d/stat", (int)pid), buf[512], *paren;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ppid = 0;
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	free(path);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	if (paren)
		sscanf(paren + 1, " %*c %d", &ppid);
	return ppid;
}

pid_t support_descendant_with(pid_t ancestor, const char *const args[])
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	cr_assert_not_null(proc);
	while (!found && (e = readdir(proc))) {
		pid_t pid = (pid_t)atoi(e->d_name), up = pid;
		char cmdline[4096];
		size_t held = 0, wanted = 0;
		ssize_t n;

		if (pid <= 0 || (n = support_cmdline(pid, cmdline, sizeof(cmdline))) <= 0)
			continue;
		cmdline[n] = '\0';
		for (; args[wanted]; wanted++)
			for (char *a = cmdline; a < cmdline + n; a += strlen(a) + 1)
				if (strcmp(a, args[wanted]) == 0) {
					held++;
					break;
				}
		while (held == wanted && up > 1 && up != ancestor)
			up = support_parent(up);
		if (held == wanted && up == ancestor && pid != ancestor)
			found = pid;
	}
	closedir(proc);
	return found;
}

pid_t support_start_containerd(const char *root)
{
	char *sock = xasprintf("%s/containerd.sock", root);
	char *script = xasprintf("umount -l /sys/fs/cgroup/unified 2>/dev/null; exec containerd "
				 "--root '%s/root' --state '%s/state' --address '%s' "
				 ">'%s/containerd.log' 2>&1", root, root, sock, root);
	pid_t parent = getpid(), pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		setpgid(0, 0);
		/* It dies with the test, whatever ends it.  */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		execlp("unshare", "unshare", "--mount", "--propagation", "slave", "sh", "-c", script,
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500 && access(sock, F_OK) < 0; i++)
		usleep(20000);
	cr_assert_eq(access(sock, F_OK), 0, "containerd did not start: %s", root);
	usleep(200000);
	free(script);
	free(sock);
	return pid;
}

/* ctr's listing of one kind of object in our namespace: empty (snapshots
 * list has no --quiet: its header only).  */
static void none_of_kind(const char *sock, const char *kind)
{
	int quiet = strcmp(kind, "snapshots") != 0;
	char *argv[] = { "ctr", "--address", (char *)sock, "--namespace", "sandbench", (char *)kind,
			 "list", quiet ? "--quiet" : NULL, NULL };
	char *out = NULL, *err = NULL, *rest;
	int status;

	cr_assert_eq(child_capture(argv, &out, &err, &status, NULL), 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "ctr %s list: %s", kind, err);
	rest = quiet ? out : strchr(out, '\n') ? strchr(out, '\n') + 1 : out + strlen(out);
	cr_assert_str_eq(rest, "", "%s left in namespace sandbench:\n%s", kind, out);
	free(out);
	free(err);
}

void support_none_in_namespace(const char *sock)
{
	none_of_kind(sock, "containers");
	none_of_kind(sock, "tasks");
	none_of_kind(sock, "snapshots");
}
