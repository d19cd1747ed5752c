/* Kill it anywhere: a small matrix on each engine (oci, podman, containerd
 * through a private daemon and through one the test starts), stopped by
 * SIGKILL, SIGTERM, SIGINT or SIGHUP at a moment read from its log or /proc,
 * then resumed.  Once the resume has ended nothing of the killed run is
 * left (processes, network namespaces, mounts, cgroups, scratch folders,
 * podman's and the test daemon's containers, tasks and snapshots), and the
 * result files hold every benchmark with equal counts per runtime.
 *
 * A handful of kill points by default; SANDBENCH_KILL_SWEEP=1 tries every
 * signal at every moment on every engine.  */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/child.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-kill-XXXXXX";

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(kill, .init = setup, .fini = teardown, .timeout = 3600);

/* When to kill: once the log holds `log`, or once a process names
 * `process` (with %d: the matrix's pid).  */
struct moment {
	const char *name, *log, *process;
};

static const struct moment moments[] = {
	{ "image check", "matrix: ", NULL },
	{ "container start", NULL, "sandbench-%d-" },
	{ "mid-slot", "lockstep nbody slot 1", NULL },
	{ "between benchmarks", "lockstep pathlib slot 1", NULL },
	{ "merge", ": done", NULL },
};

/* An engine as the matrix runs it: containerd at address (NULL: a private
 * daemon, as nothing answers where the test points it).  */
struct engine {
	const char *name, *address;
};

/* A process as it was, told apart from a later one of the same pid.  */
struct proc {
	pid_t pid;
	unsigned long long start;
	pid_t parent;		/* as the snapshot found it; 0: not known */
};

/* Its state and start time from /proc/PID/stat: 0, or -1 when gone.  */
static int proc_stat(pid_t pid, char *state, pid_t *ppid, unsigned long long *start)
{
	char *path = xasprintf("/proc/%d/stat", (int)pid), *text = slurp(path), *p;
	int rc = -1;

	p = strrchr(text, ')');
	/* ") S PPID" then field 22, the start time.  */
	if (p && sscanf(p + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			"%*d %*d %llu", state, ppid, start) == 3)
		rc = 0;
	free(text);
	free(path);
	return rc;
}

/* The processes below root, or whose command line holds one of needles,
 * and theirs: what the killed run had running.  */
static size_t snapshot(pid_t root, char *const *needles, struct proc *out, size_t max)
{
	size_t n = 0, before;

	out[n++] = (struct proc){ root, 0, 0 };
	for (size_t i = 0; needles[i]; i++) {
		pid_t p = support_process_with(needles[i]);
		if (p && n < max)
			out[n++] = (struct proc){ p, 0, 0 };
	}
	do {
		DIR *proc = opendir("/proc");
		struct dirent *e;

		before = n;
		while (proc && (e = readdir(proc))) {
			pid_t pid = atoi(e->d_name), ppid;
			unsigned long long start;
			int known = 0;
			char state;

			if (pid <= 0 || proc_stat(pid, &state, &ppid, &start) < 0)
				continue;
			for (size_t i = 0; i < n && !known; i++)
				known = out[i].pid == pid;
			for (size_t i = 0; i < n && !known && n < max; i++)
				if (out[i].pid == ppid)
					out[n++] = (struct proc){ pid, start, ppid }, known = 1;
		}
		if (proc)
			closedir(proc);
	} while (n > before);
	for (size_t i = 0; i < n; i++) {
		char state;
		pid_t ppid;
		if (out[i].start == 0 && proc_stat(out[i].pid, &state, &ppid, &out[i].start) < 0)
			out[i].start = 0;
	}
	return n;
}

/* Still running (a zombie whose parent is gone has ended).  */
static int alive(const struct proc *p)
{
	unsigned long long start;
	char state;
	pid_t ppid;

	return p->start && proc_stat(p->pid, &state, &ppid, &start) == 0 && start == p->start &&
	       state != 'Z';
}

/* Does the command's output hold needle?  */
static int output_has(char *const argv[], const char *needle)
{
	char *out = NULL, *err = NULL;
	int status, found;

	cr_assert_eq(child_capture(argv, &out, &err, &status, NULL), 0, "%s", argv[0]);
	found = strstr(out, needle) != NULL;
	free(out);
	free(err);
	return found;
}

/* Every benchmark in every runtime's file, with as many values each.  */
static void equal_counts(const char *out, const char *const *runtimes)
{
	const char *const names[] = { "nbody", "pathlib", NULL };
	size_t want = 0;

	for (size_t i = 0; runtimes[i]; i++) {
		char *path = xasprintf("%s/%s.json", out, runtimes[i]);
		json_t *suite = load(path);

		for (size_t k = 0; names[k]; k++) {
			json_t *b = result_find_benchmark(suite, names[k]);
			double *v;
			size_t n;

			cr_assert_not_null(b, "%s: `%s` missing", path, names[k]);
			result_benchmark_values(b, &v, &n, NULL, NULL);
			free(v);
			want = want ? want : n;
			if (n == 0 || n != want) {
				char *log = xasprintf("%s/matrix.log", out), *text = slurp(log);
				cr_assert_fail("%s: `%s`: %zu values, others %zu; matrix.log:\n%s",
					       path, names[k], n, want, text);
			}
		}
		json_decref(suite);
		free(path);
	}
}

/* The first path that pattern matches, or NULL.  */
static char *first_match(const char *pattern)
{
	char *found = NULL;
	glob_t g;

	if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0)
		found = xstrdup(g.gl_pathv[0]);
	globfree(&g);
	return found;
}

/* A scratch folder or file of pid's in /tmp, or anything named sandbench-*
 * in ours (the runs' $TMPDIR, where only they make such names): its path,
 * or NULL.  */
static char *scratch_left(pid_t pid)
{
	char *pattern = xasprintf("/tmp/sandbench-*-%d-*", (int)pid), *found = first_match(pattern);

	free(pattern);
	if (!found) {
		pattern = xasprintf("%s/sandbench-*", dir);
		found = first_match(pattern);
		free(pattern);
	}
	return found;
}

/* A cgroup named after a container of pid's (runc's and containerd's
 * cgroupfs paths: CONTROLLER/ID, CONTROLLER/NAMESPACE/ID): its path, or NULL.  */
static char *cgroup_left(pid_t pid)
{
	char *found = NULL;

	for (int depth = 0; depth < 2 && !found; depth++) {
		char *pattern = xasprintf("/sys/fs/cgroup/*/%ssandbench-%d-*", depth ? "*/" : "",
					  (int)pid);
		found = first_match(pattern);
		free(pattern);
	}
	return found;
}

/* Whether podman still lists a container that names needle.  */
static int podman_lists(const char *needle)
{
	return output_has((char *[]){ "podman", "ps", "--all", "--format", "{{.Names}}", NULL },
			  needle);
}

/* Nothing of the matrix whose pid this was: its processes, those that name
 * its containers, bundles, scratch folders or private daemon, its network
 * namespaces, mounts, cgroups and /tmp folders, and what the engine lists.  */
static void nothing_left(const struct engine *e, pid_t pid, const char *out,
			 const struct proc *procs, size_t nprocs)
{
	char *needles[] = { xasprintf("sandbench-%d-", (int)pid),
			    xasprintf("sandbench-bundle-%d-", (int)pid),
			    xasprintf("sandbench-containerd-%d-", (int)pid),
			    xasprintf("sandbench-cache-%d-", (int)pid),
			    xasprintf("sandbench-timeit-%d-", (int)pid), (char *)out, NULL };
	char *mounts = slurp("/proc/self/mountinfo"), *left = scratch_left(pid);
	char *cgroup = cgroup_left(pid);

	for (size_t i = 0; i < nprocs; i++)
		cr_assert(!alive(&procs[i]), "process %d of the killed matrix is left",
			  (int)procs[i].pid);
	for (size_t i = 0; needles[i]; i++) {
		pid_t named = support_process_with(needles[i]);
		cr_assert_eq(named, 0, "process %d names %s", (int)named, needles[i]);
		cr_assert(!strstr(mounts, needles[i]), "a mount names %s", needles[i]);
	}
	cr_assert(!output_has((char *[]){ "ip", "netns", "list", NULL }, needles[0]),
		  "a network namespace %s* is left", needles[0]);
	cr_assert_null(left, "%s is left", left);
	cr_assert_null(cgroup, "the cgroup %s is left", cgroup);
	if (strcmp(e->name, "podman") == 0)
		cr_assert(!podman_lists(needles[0]), "podman still lists a container %s*",
			  needles[0]);
	/* The test's own daemon: only this test's matrices used it.  */
	if (e->address)
		support_none_in_namespace(e->address);
	for (size_t i = 0; i < 5; i++)
		free(needles[i]);
	free(mounts);
}

/* Wait for the moment; then send sig.  Whether the moment came while the
 * matrix ran (a fast one may end first).  */
static int kill_at(pid_t pid, const char *out, const struct moment *m, int sig,
		   struct proc *procs, size_t *nprocs)
{
	char *log = xasprintf("%s/matrix.log", out);
	char *process = m->process ? xasprintf(m->process, (int)pid) : NULL;
	char *needles[] = { xasprintf("sandbench-containerd-%d-", (int)pid), NULL };
	int came = 0;

	/* 20 minutes: the first image build on a loaded machine.  */
	for (int i = 0; i < 12000 && !came; i++) {
		char *text = m->log ? slurp(log) : NULL;
		char state;
		pid_t ppid;
		unsigned long long start;

		came = m->log ? strstr(text, m->log) != NULL : support_process_with(process) != 0;
		free(text);
		if (!came && (proc_stat(pid, &state, &ppid, &start) < 0 || state == 'Z'))
			break;
		if (!came)
			usleep(100000);
	}
	*nprocs = snapshot(pid, needles, procs, 256);
	kill(pid, sig);
	free(needles[0]);
	free(process);
	free(log);
	return came;
}

/* The first ctr process that names the container prefix `id`, or 0.  */
static pid_t ctr_naming(const char *id)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (proc && !found && (e = readdir(proc))) {
		char buf[4096];
		ssize_t n = support_cmdline(atoi(e->d_name), buf, sizeof(buf));

		if (n > 4 && strcmp(buf, "ctr") == 0 && memmem(buf, (size_t)n, id, strlen(id)))
			found = atoi(e->d_name);
	}
	if (proc)
		closedir(proc);
	return found;
}

/* The killed matrix's ctr run dies too, once its task runs (before it
 * removes what it made, as a ctr killed with its process group or by
 * SIGPIPE on its output does): the resume must remove the container, the
 * task and its shim itself.  */
static void kill_its_ctr(pid_t pid, const char *address)
{
	char *id = xasprintf("sandbench-%d-", (int)pid);
	char *const tasks[] = { "ctr", "--address", (char *)address, "--namespace", "sandbench",
				"tasks", "list", "--quiet", NULL };
	pid_t ctr;

	for (int i = 0; i < 200 && !output_has(tasks, id) && ctr_naming(id); i++)
		usleep(50000);
	while ((ctr = ctr_naming(id))) {
		kill(ctr, SIGKILL);
		for (int i = 0; i < 100 && ctr_naming(id) == ctr; i++)
			usleep(10000);
	}
	free(id);
}

/* One kill point: the matrix killed at moment m by sig (its ctr run too
 * when ctr_too), then resumed.  */
static void kill_and_resume(const struct engine *e, const struct moment *m, int sig, int ctr_too)
{
	static int count;
	const char *engine = e->name;
	int runsc = strcmp(engine, "oci") == 0 && have("runsc");
	const char *const runtimes[] = { "native", "runc", runsc ? "runsc" : NULL, NULL };
	char *out = xasprintf("%s/m%d", dir, ++count), *none = xasprintf("%s/none.sock", dir);
	char *tag = xasprintf("k%d", count), *rtag = xasprintf("r%d", count);
	struct proc procs[256];
	size_t nprocs;
	struct cmd c;
	pid_t pid;
	int came;

	/* containerd: the test's daemon, or a private one, as nothing answers
	 * at none.  */
	setenv("CONTAINERD_ADDRESS", e->address ? e->address : none, 1);
	setenv("TMPDIR", dir, 1);
	pid = support_start(dir, tag, NULL, (char *[]){ "matrix", "--engine", (char *)engine,
		"--runtimes", runsc ? "native,runc,runsc" : "native,runc", "--smoke", "-b",
		"nbody,pathlib", "-o", out, NULL });
	came = kill_at(pid, out, m, sig, procs, &nprocs);
	c = support_finish_within(dir, tag, pid, 300);
	if (ctr_too)
		kill_its_ctr(pid, e->address);
	cr_log_info("%s, %s at %s%s: %s, exit %d", engine, strsignal(sig), m->name,
		    ctr_too ? " (its ctr too)" : "", came ? "killed" : "ended before", c.status);
	cmd_free(&c);
	c = support_finish_within(dir, rtag, support_start(dir, rtag, NULL,
		(char *[]){ "matrix", "--resume", out, NULL }), 600);
	cr_assert_eq(c.status, 0, "%s, %s at %s: resume failed (%d):\n%s", engine,
		     strsignal(sig), m->name, c.status, c.err);
	equal_counts(out, runtimes);
	nothing_left(e, pid, out, procs, nprocs);
	cmd_free(&c);
	free(rtag);
	free(tag);
	free(none);
	free(out);
}

static int sweep(void)
{
	const char *s = getenv("SANDBENCH_KILL_SWEEP");
	return s && strcmp(s, "1") == 0;
}

static const int signals[] = { SIGKILL, SIGTERM, SIGINT, SIGHUP };

/* A kill point of the default run: a moment and a signal (and the
 * matrix's ctr run killed too once its task's shim runs).  */
struct point {
	size_t moment;
	int sig;
	int ctr_too;
};

/* The default points, or every signal at every moment with the sweep.  */
static void kill_points(const struct engine *e, const struct point *points, size_t n)
{
	if (sweep()) {
		for (size_t s = 0; s < 4; s++)
			for (size_t k = 0; k < sizeof(moments) / sizeof(moments[0]); k++)
				kill_and_resume(e, &moments[k], signals[s], 0);
		return;
	}
	for (size_t i = 0; i < n; i++)
		kill_and_resume(e, &moments[points[i].moment], points[i].sig, points[i].ctr_too);
}

Test(kill, oci_matrix_killed_anywhere_then_resumed)
{
	const char *const bins[] = { "runc", "ip" };
	const struct point points[] = { { 1, SIGKILL }, { 2, SIGTERM }, { 4, SIGINT } };

	need_containers(bins, 2);
	kill_points(&(struct engine){ "oci", NULL }, points, 3);
}

Test(kill, containerd_matrix_killed_anywhere_then_resumed)
{
	const char *const bins[] = { "containerd", "ctr", "runc", "ip" };
	const struct point points[] = { { 1, SIGKILL }, { 3, SIGHUP } };

	need_containers(bins, 4);
	kill_points(&(struct engine){ "containerd", NULL }, points, 2);
}

Test(kill, podman_matrix_killed_anywhere_then_resumed)
{
	const char *const bins[] = { "podman", "runc", "ip" };
	const struct point points[] = { { 1, SIGKILL } };
	char *out = NULL, *err = NULL;
	int status = -1;

	need_containers(bins, 3);
	child_capture((char *[]){ "podman", "info", NULL }, &out, &err, &status, NULL);
	if (status != 0)
		cr_skip_test("podman is installed but does not run here (`podman info` failed: %s)",
			     err ? err : "");
	free(out);
	free(err);
	kill_points(&(struct engine){ "podman", NULL }, points, 1);
}

/* A containerd of the test's own, as a user's daemon is to the matrix: it
 * stays up, and must hold nothing of a killed matrix once the resume has
 * ended, also when the matrix's ctr run died before removing its
 * container.  */
Test(kill, users_containerd_matrix_killed_anywhere_then_resumed)
{
	const char *const bins[] = { "containerd", "ctr", "runc", "ip", "unshare" };
	const struct point points[] = { { 1, SIGKILL, 0 }, { 2, SIGTERM, 0 }, { 1, SIGKILL, 1 } };
	char *root = xasprintf("%s/containerd", dir), *sock = xasprintf("%s/containerd.sock", root);
	pid_t daemon;
	int status;

	need_containers(bins, 5);
	cr_assert_eq(mkdir(root, 0700), 0);
	daemon = support_start_containerd(root);
	kill_points(&(struct engine){ "containerd", sock }, points, 3);
	kill(daemon, SIGTERM);
	waitpid(daemon, &status, 0);
	free(sock);
	free(root);
}

/* ---- run, k8s job, timeit, explain --syscalls, image build: killed outright ---- */

/* Ended, ending, or with a SIGKILL on its way: what a parent-death signal
 * has made of a child by the time its parent is reaped (the kernel sends it
 * as the parent exits).  */
static int dying(const struct proc *p)
{
	char *stat_path = xasprintf("/proc/%d/stat", (int)p->pid);
	char *status_path = xasprintf("/proc/%d/status", (int)p->pid);
	char *stat = slurp(stat_path), *status = slurp(status_path), *paren = strrchr(stat, ')');
	unsigned long flags = 0;
	int sure = !alive(p);

	/* ") S PPID PGRP SESSION TTY TPGID FLAGS": PF_EXITING is 0x4.  */
	if (!sure && paren && sscanf(paren + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags) == 1)
		sure = (flags & 0x4) != 0;
	for (size_t i = 0; i < 2 && !sure; i++) {
		const char *key = i ? "ShdPnd:" : "SigPnd:", *line = strstr(status, key);
		sure = line && (strtoull(line + strlen(key), NULL, 16) & (1ULL << (SIGKILL - 1)));
	}
	free(status);
	free(stat);
	free(status_path);
	free(stat_path);
	return sure;
}

/* sandbench argv..., SIGKILLed once a child of its names `child`: once it
 * is reaped, each of its children is ended or has its SIGKILL coming (they
 * die with it, and theirs with them), all are gone within 10 s, and the
 * next `next` run succeeds and removes its scratch folders and files.  */
static void killed_leaves_nothing(const char *tag, char *const argv[], const char *child,
				  char *const next[])
{
	char *needles[] = { NULL };
	char *left;
	struct proc procs[256];
	size_t nprocs = 0;
	struct cmd c;
	pid_t pid, found = 0;

	setenv("TMPDIR", dir, 1);
	pid = support_start(dir, tag, NULL, argv);
	for (int i = 0; i < 3000 && !found; i++) {
		nprocs = snapshot(pid, needles, procs, 256);
		for (size_t k = 1; k < nprocs && !found; k++) {
			char buf[4096];
			ssize_t n = support_cmdline(procs[k].pid, buf, sizeof(buf));
			for (ssize_t j = 0; j < n; j++)
				buf[j] = buf[j] ? buf[j] : ' ';
			if (n > 0 && memmem(buf, (size_t)n, child, strlen(child)))
				found = procs[k].pid;
		}
		if (!found)
			usleep(20000);
	}
	cr_assert(found, "%s: no `%s` started", tag, child);
	kill(pid, SIGKILL);
	c = support_finish(dir, tag, pid);
	cr_assert_eq(c.status, 128 + SIGKILL, "%s: %d\n%s", tag, c.status, c.err);
	cmd_free(&c);
	for (size_t k = 0; k < nprocs; k++)
		cr_assert(procs[k].parent != pid || dying(&procs[k]),
			  "%s: its child %d does not die with it", tag, (int)procs[k].pid);
	for (size_t k = 0; k < nprocs; k++) {
		for (int i = 0; i < 100 && alive(&procs[k]); i++)
			usleep(100000);
		cr_assert(!alive(&procs[k]), "%s: process %d outlived it by 10 s", tag,
			  (int)procs[k].pid);
	}
	c = support_run(dir, "next", next);
	cr_assert_eq(c.status, 0, "%s: the next run failed (%d):\n%s", tag, c.status, c.err);
	left = scratch_left(pid);
	cr_assert_null(left, "%s: %s is left", tag, left);
	cmd_free(&c);
}

Test(kill, run_k8s_job_timeit_explain_and_image_build_killed_leave_nothing)
{
	char *wd = support_hanging_workloads(dir), *out = xasprintf("%s/next.json", dir);
	char *img = xasprintf("%s/img", dir);
	char *sc = xasprintf("%s/syscalls.json", dir);

	cr_assert_not_null(getenv("SANDBENCH"), "run through `make test`");
	/* nbody sleeps for an hour there.  */
	killed_leaves_nothing("run", (char *[]){ "run", "--smoke", "--workloads-dir", wd, "-b", "nbody",
		NULL }, "__worker", (char *[]){ "run", "--smoke", "-b", "float", "-o", out, "--force",
		NULL });
	killed_leaves_nothing("k8s job", (char *[]){ "k8s", "job", "--run-id", "kill",
		"--runtime-class", "runc", "--round", "1", "--smoke", "--workloads-dir", wd, "-b",
		"nbody", NULL }, "__worker", (char *[]){ "k8s", "job", "--run-id", "kill",
		"--runtime-class", "runc", "--round", "1", "--smoke", "-b", "float", NULL });
	killed_leaves_nothing("timeit", (char *[]){ "timeit", "-s", "import time",
		"time.sleep(3600)", NULL }, "__worker", (char *[]){ "timeit", "-p", "1", "-n", "1",
		"pass", NULL });
	if (have("strace") && getuid() == 0)
		killed_leaves_nothing("explain", (char *[]){ "explain", "--syscalls", "-b", "sympy_sum",
			"-o", sc, NULL }, "__worker", (char *[]){ "explain", "--syscalls", "-b",
			"float", "-o", sc, "--force", NULL });
	/* Killed while it copies Python's library: the next build must find
	 * no cp still writing into its folder.  */
	killed_leaves_nothing("image build", (char *[]){ "image", "build", "--no-podman", "-o", img,
		NULL }, "cp -a /usr/lib/python3.11", (char *[]){ "image", "build", "--no-podman", "-o",
		img, NULL });
	free(img);
	free(sc);
	free(out);
	free(wd);
}
