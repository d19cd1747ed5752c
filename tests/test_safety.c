/* Safe as root ($SANDBENCH, set by `make test`): nothing deleted or
 * overwritten that the user did not name, no link followed in a folder
 * another user can write, nothing left behind by a matrix however it ends,
 * and bad options refused before anything is measured.  */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "containers/oci.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-safety-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(getenv("SANDBENCH"), "run through `make test`, which sets $SANDBENCH");
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(safety, .init = setup, .fini = teardown, .timeout = 900);

#define RUN(tag, ...) support_finish(dir, tag, support_start(dir, tag, NULL, \
	(char *[]){ __VA_ARGS__, NULL }))

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "create %s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* ---- 1: only an image folder is ever removed ---- */

Test(safety, image_build_keeps_a_folder_that_is_not_an_image)
{
	char *out = path_in("x"), *data = path_in("x/mydata"), *file = path_in("x/mydata/f");
	char *dot_new = path_in("y.new"), *y = path_in("y"), *keep = path_in("y.new/keep");
	struct cmd c;

	cr_assert_eq(mkdir(out, 0755), 0);
	cr_assert_eq(mkdir(data, 0755), 0);
	write_text(file, "hi\n");
	c = RUN("build-x", "image", "build", "-o", out, "--no-podman");
	cr_assert_eq(c.status, 1, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, out) && strstr(c.err, "not an image folder"),
		  "the error names the folder:\n%s", c.err);
	cr_assert_str_eq(slurp(file), "hi\n", "`%s` is kept", file);
	cmd_free(&c);

	/* Its scratch folder DIR.new is not removed either, if it is not ours.  */
	cr_assert_eq(mkdir(dot_new, 0755), 0);
	write_text(keep, "mine\n");
	c = RUN("build-y", "image", "build", "-o", y, "--no-podman");
	cr_assert_eq(c.status, 1, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "not an image folder"), "%s", c.err);
	cr_assert_str_eq(slurp(keep), "mine\n", "`%s` is kept", keep);
	cmd_free(&c);

	/* matrix --image DIR is refused before anything is removed.  */
	if (have("runc") && getuid() == 0) {
		char *res = path_in("res");
		c = RUN("matrix-x", "matrix", "--runtimes", "runc", "--smoke", "-b", "syscall_getpid",
			"--image", out, "-o", res);
		cr_assert_neq(c.status, 0, "%s", c.err);
		cr_assert(strstr(c.err, "not an image folder"), "%s", c.err);
		cr_assert_str_eq(slurp(file), "hi\n", "`%s` is kept", file);
		cmd_free(&c);
		free(res);
	}
	free(out);
	free(data);
	free(file);
	free(dot_new);
	free(y);
	free(keep);
}

/* ---- 3: --force replaces a regular file only ---- */

Test(safety, force_replaces_only_regular_files)
{
	char *dev = path_in("null"), *fifo = path_in("fifo"), *sub = path_in("sub");
	const char *const targets[] = { dev, fifo, sub };
	struct stat st;

	if (getuid() != 0)
		cr_skip_test("mknod needs root");
	cr_assert_eq(mknod(dev, S_IFCHR | 0666, makedev(1, 3)), 0, "%s", strerror(errno));
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	cr_assert_eq(mkdir(sub, 0755), 0);
	for (size_t i = 0; i < 3; i++) {
		struct cmd c = RUN("force", "run", "--smoke", "-b", "unpack_sequence", "--force", "-o",
				   (char *)targets[i]);
		cr_assert_eq(c.status, 2, "`%s`: %d\n%s", targets[i], c.status, c.err);
		cr_assert(strstr(c.err, targets[i]) && strstr(c.err, "not a regular file"),
			  "the error names the file:\n%s", c.err);
		cr_assert(!strstr(c.err, "[1/1]"), "refused before measuring:\n%s", c.err);
		cmd_free(&c);
	}
	cr_assert_eq(lstat(dev, &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "the device node is still one");
	cr_assert_eq(lstat(fifo, &st), 0);
	cr_assert(S_ISFIFO(st.st_mode), "the FIFO is still one");
	free(dev);
	free(fifo);
	free(sub);
}

/* ---- 2: the container's user cannot make root write elsewhere ---- */

/* As nobody, plant links to victim under every name root could write in
 * the results folder, until the parent kills us.  */
static void plant_links(const char *out_dir, const char *victim, pid_t matrix)
{
	static const char *const rts[] = { "runc", "native" };

	if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
		_exit(3);
	for (;;) {
		for (size_t i = 0; i < 2; i++)
			for (unsigned r = 1; r <= 2; r++) {
				char path[4096];
				snprintf(path, sizeof(path), "%s/raw/%s-r%u.json.tmp.%d", out_dir, rts[i],
					 r, (int)matrix);
				symlink(victim, path);
				snprintf(path, sizeof(path), "%s/raw/%s-r%u.json", out_dir, rts[i], r);
				symlink(victim, path);
				snprintf(path, sizeof(path), "%s/%s.json.tmp.%d", out_dir, rts[i],
					 (int)matrix);
				symlink(victim, path);
			}
		usleep(1000);
	}
}

Test(safety, container_user_cannot_redirect_roots_writes)
{
	const char *runtimes[] = { "runc" };
	char *out_dir = path_in("m"), *victim = path_in("victim"), *log = path_in("m/matrix.log");
	char *raw = path_in("m/raw");
	pid_t pid, planter;
	struct stat st;
	struct cmd c;
	int status;

	need_containers(runtimes, 1);
	cr_assert_eq(chmod(dir, 0755), 0, "nobody must reach the results folder");
	write_text(victim, "precious\n");
	cr_assert_eq(chmod(victim, 0644), 0);
	pid = support_start(dir, "plant", NULL, (char *[]){ "matrix", "--runtimes", "native,runc",
		"--smoke", "-b", "syscall_getpid,unpack_sequence", "--rounds", "2", "-o", out_dir,
		NULL });
	planter = fork();
	cr_assert_geq(planter, 0);
	if (planter == 0)
		plant_links(out_dir, victim, pid);
	c = support_finish(dir, "plant", pid);
	kill(planter, SIGKILL);
	waitpid(planter, &status, 0);
	cr_assert(!(WIFEXITED(status) && WEXITSTATUS(status) == 3), "setresuid(65534) failed");

	cr_assert_str_eq(slurp(victim), "precious\n", "root wrote through a planted link");
	cr_assert_eq(lstat(log, &st), 0);
	cr_assert_eq(st.st_uid, 0, "matrix.log belongs to root, not to uid %u", st.st_uid);
	cr_assert_eq(lstat(raw, &st), 0);
	cr_assert_eq(st.st_uid, 0, "raw/ belongs to root, not to uid %u", st.st_uid);
	cr_assert_eq(st.st_mode & 022, 0, "raw/ is writable by others: %o", st.st_mode);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	{
		char *merged = path_in("m/runc.json");
		json_t *suite = NULL;
		struct bench_error err = { 0 };
		cr_assert_eq(result_read(merged, &suite, &err), 0, "%s", err.msg);
		json_decref(suite);
		free(merged);
	}
	cmd_free(&c);
	free(out_dir);
	free(victim);
	free(log);
	free(raw);
}

/* ---- 5: nothing of a matrix remains, however it ends ---- */

/* Append to *out the output lines of a shell command that contain needle.  */
static void lines_with(const char *cmd, const char *needle, char **out)
{
	FILE *p = popen(cmd, "r");
	char line[4096];

	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p))
		if (strstr(line, needle)) {
			char *more = xasprintf("%s%s: %s", *out, cmd, line);
			free(*out);
			*out = more;
		}
	pclose(p);
}

/* What a matrix of process pid left: containers of every runtime, network
 * namespaces, bundles, mounts, processes, cache and scratch folders, the
 * containers' folders in out_dir/raw.  "" when nothing.  */
static char *leftovers_of(pid_t pid, const char *out_dir)
{
	char *found = xstrdup(""), *id = xasprintf("sandbench-%d-", (int)pid);
	char *cache = xasprintf("sandbench-cache-%d-", (int)pid);
	char *timeit = xasprintf("sandbench-timeit-%d-", (int)pid);
	char *bundle = xasprintf("sandbench-bundle-%d-", (int)pid);
	const char *tmp = getenv("TMPDIR");
	char *ls = xasprintf("ls -a /tmp %s 2>/dev/null", tmp && *tmp ? tmp : "");
	char *raw = xasprintf("ls %s/raw 2>/dev/null", out_dir);

	lines_with("runc list -q 2>/dev/null", id, &found);
	lines_with("crun list -q 2>/dev/null", id, &found);
	lines_with("runsc list -quiet 2>/dev/null", id, &found);
	lines_with("ip netns list 2>/dev/null", id, &found);
	lines_with("cat /proc/self/mountinfo", id, &found);
	lines_with("cat /proc/self/mountinfo", bundle, &found);
	lines_with("ps -eo pid,args", id, &found);
	lines_with(ls, bundle, &found);
	lines_with(ls, cache, &found);
	lines_with(ls, timeit, &found);
	lines_with(raw, "container-", &found);
	free(id);
	free(cache);
	free(timeit);
	free(bundle);
	free(ls);
	free(raw);
	return found;
}

/* Start a matrix of runc, crun and runsc and wait until all three servers
 * have a container.  */
static pid_t matrix_with_three_containers(const char *tag, const char *out_dir)
{
	char *log = xasprintf("%s/matrix.log", out_dir);
	pid_t pid = support_start(dir, tag, NULL, (char *[]){ "matrix", "--runtimes",
		"runc,crun,runsc", "--smoke", "-b", "sympy_expand,syscall_getpid", "--rounds", "2",
		"-o", (char *)out_dir, NULL });

	for (int i = 0; i < 60000; i++) {
		char *text = slurp(log), *p = text;
		int n = 0, status;

		while ((p = strstr(p, ": start")))
			n++, p++;
		free(text);
		cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "the matrix ended too early");
		if (n == 3)
			break;
		usleep(20000);
	}
	/* The last one's container is up a moment later.  */
	usleep(1500000);
	free(log);
	return pid;
}

Test(safety, nothing_left_after_sigint_or_sigkill)
{
	const char *runtimes[] = { "runc", "crun", "runsc" };
	char *a = path_in("a"), *b = path_in("b"), *left;
	pid_t pid;
	struct cmd c;
	int status;

	need_containers(runtimes, 3);
	pid = matrix_with_three_containers("int", a);
	kill(pid, SIGINT);
	c = support_finish(dir, "int", pid);
	cr_assert_eq(c.status, 130, "%d\n%s", c.status, c.err);
	left = leftovers_of(pid, a);
	cr_assert_str_empty(left, "after Ctrl-C, left behind:\n%s", left);
	free(left);
	cmd_free(&c);

	pid = matrix_with_three_containers("kill", b);
	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	/* The next start clears what the killed one could not.  */
	c = RUN("next", "matrix", "--resume", b);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	left = leftovers_of(pid, b);
	cr_assert_str_empty(left, "after SIGKILL and the next start, left behind:\n%s", left);
	free(left);
	cmd_free(&c);
	free(a);
	free(b);
}

/* The cgroup mount points (v1 controllers, v2's root), up to max.  */
static size_t cgroup_mounts(char mounts[][256], size_t max)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	size_t n = 0;

	while (f && n < max && fgets(line, sizeof(line), f)) {
		const char *fs = strstr(line, " - ");
		if (fs && (strncmp(fs + 3, "cgroup ", 7) == 0 || strncmp(fs + 3, "cgroup2 ", 8) == 0) &&
		    sscanf(line, "%*s %*s %*s %*s %255s", mounts[n]) == 1)
			n++;
	}
	if (f)
		fclose(f);
	return n;
}

/* A runtime killed after it made a container's cgroups, before it saved its
 * state, lists no container to delete: the next matrix removes the cgroups
 * named after a dead matrix (ID and containerd's NAMESPACE/ID, and those
 * below them) under every cgroup mount, and leaves a live one's.  A process
 * still in one (a gVisor sandbox dying slowly) is killed first.  */
Test(safety, a_dead_matrixs_cgroups_are_removed)
{
	char mounts[32][256], *out = path_in("cg"), *left = NULL, *removed = NULL;
	size_t n = cgroup_mounts(mounts, 32);
	pid_t dead, live = getpid(), inside;
	struct cmd c;
	int status, moved = 0, ended;

	if (getuid() != 0)
		cr_skip_test("cgroups are made by root");
	/* A pid whose process is gone.  */
	dead = fork();
	cr_assert_geq(dead, 0);
	if (dead == 0)
		_exit(0);
	cr_assert_eq(waitpid(dead, &status, 0), dead);
	cr_assert_gt(n, 0, "no cgroup mount in /proc/self/mountinfo");
	for (size_t i = 0; i < n; i++) {
		char *top = xasprintf("%s/sandbench-%d-0-1", mounts[i], (int)dead);
		char *below = xasprintf("%s/sandbench-%d-0-1/sandbox", mounts[i], (int)dead);
		char *mine = xasprintf("%s/sandbench-%d-0-1", mounts[i], (int)live);

		cr_assert_eq(mkdir(top, 0755), 0, "%s: %s", top, strerror(errno));
		cr_assert_eq(mkdir(below, 0755), 0, "%s: %s", below, strerror(errno));
		cr_assert_eq(mkdir(mine, 0755), 0, "%s: %s", mine, strerror(errno));
		free(mine);
		free(below);
		free(top);
	}
	inside = fork();
	cr_assert_geq(inside, 0);
	if (inside == 0) {
		pause();
		_exit(0);
	}
	/* Into the cgroup below, in every hierarchy that takes it (v1's cpuset
	 * takes no process before its CPUs are set).  */
	for (size_t i = 0; i < n; i++) {
		char *procs = xasprintf("%s/sandbench-%d-0-1/sandbox/cgroup.procs", mounts[i], (int)dead);
		char *text = xasprintf("%d\n", (int)inside);
		int fd = open(procs, O_WRONLY | O_CLOEXEC);

		moved += fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
		if (fd >= 0)
			close(fd);
		free(text);
		free(procs);
	}
	c = RUN("cg", "matrix", "--runtimes", "native", "--smoke", "-b", "syscall_getpid", "-o", out);
	/* The matrix killed it, or we do.  */
	ended = waitpid(inside, &status, WNOHANG) == inside;
	if (!ended) {
		kill(inside, SIGKILL);
		waitpid(inside, &status, 0);
	}
	for (size_t i = 0; i < n; i++) {
		char *top = xasprintf("%s/sandbench-%d-0-1", mounts[i], (int)dead);
		char *below = xasprintf("%s/sandbox", top);
		char *mine = xasprintf("%s/sandbench-%d-0-1", mounts[i], (int)live);

		if (access(top, F_OK) == 0)
			left = left ? left : xstrdup(top);
		if (access(mine, F_OK) < 0)
			removed = removed ? removed : xstrdup(mine);
		/* Ours: gone whatever the outcome.  */
		rmdir(below);
		rmdir(top);
		rmdir(mine);
		free(mine);
		free(below);
		free(top);
	}
	cr_assert_gt(moved, 0, "no cgroup took the process");
	cr_assert(ended, "the process in the dead matrix's cgroup was not killed");
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cr_assert_null(left, "the dead matrix's cgroup %s is left", left);
	cr_assert_null(removed, "the live process's cgroup %s was removed", removed);
	cmd_free(&c);
	free(out);
}

/* ---- 4: rebuilding the image under a running matrix ---- */

Test(safety, image_rebuild_waits_for_the_matrix_using_it)
{
	const char *runtimes[] = { "runc" };
	char *img = path_in("img"), *out = path_in("r"), *log = path_in("r/matrix.log");
	char *img_new = path_in("img.new"), *bin = path_in("img/rootfs/usr/bin/sandbench");
	pid_t matrix, build;
	struct cmd c, b;
	struct stat st;

	need_containers(runtimes, 1);
	matrix = support_start(dir, "using", NULL, (char *[]){ "matrix", "--runtimes", "native,runc",
		"--smoke", "-b", "sympy_expand,syscall_getpid", "--rounds", "2", "--image", img, "-o",
		out, NULL });
	/* Once the image is ready and a runc container starts from it.  */
	for (int i = 0; i < 60000; i++) {
		char *text = slurp(log);
		int status, started = strstr(text, "runc: start") != NULL;

		free(text);
		cr_assert_eq(waitpid(matrix, &status, WNOHANG), 0, "the matrix ended too early");
		if (started)
			break;
		usleep(20000);
	}
	build = support_start(dir, "rebuild", NULL, (char *[]){ "image", "build", "-o", img,
		"--no-podman", NULL });
	c = support_finish(dir, "using", matrix);
	b = support_finish(dir, "rebuild", build);
	cr_assert_eq(c.status, 0, "the matrix is not broken by the rebuild: %d\n%s", c.status, c.err);
	cr_assert_eq(b.status, 0, "the rebuild succeeds after the matrix: %d\n%s", b.status, b.err);
	cr_assert(strstr(b.err, "waiting for"), "the rebuild says what it waits for:\n%s", b.err);
	cr_assert_neq(lstat(img_new, &st), 0, "no half-built `%s` is left", img_new);
	cr_assert_eq(stat(bin, &st), 0, "the new image is complete");
	cmd_free(&c);
	cmd_free(&b);
	free(img);
	free(out);
	free(log);
	free(img_new);
	free(bin);
}

/* ---- 8, 9: no file that no command reads, no file replaced unasked ---- */

Test(safety, calibration_only_with_known_loops_is_refused)
{
	char *f = path_in("f.json"), *g = path_in("g.json"), *before;
	struct cmd c = RUN("first", "run", "--smoke", "-b", "unpack_sequence", "-o", f);
	struct stat st;

	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
	before = slurp(f);
	c = RUN("p0", "run", "-p", "0", "-b", "unpack_sequence", "--append", "-o", f);
	cr_assert_eq(c.status, 1, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "-p 0 only calibrates"), "%s", c.err);
	cr_assert_str_eq(slurp(f), before, "the file appended to is unchanged");
	cmd_free(&c);
	c = RUN("p0-loops", "run", "-p", "0", "--loops", "10", "-b", "unpack_sequence", "-o", g);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "-p 0"), "%s", c.err);
	cr_assert_neq(stat(g, &st), 0, "nothing written");
	cmd_free(&c);
	c = RUN("p-blank", "run", "-p", " 5", "-b", "unpack_sequence", "-o", g);
	cr_assert_eq(c.status, 2, "` 5` is not a number: %d\n%s", c.status, c.err);
	cmd_free(&c);
	free(before);
	free(f);
	free(g);
}

Test(safety, explain_syscalls_keeps_an_existing_file)
{
	char *f = path_in("syscalls.json"), *fifo = path_in("fifo");
	struct cmd c;

	write_text(f, "{\"keep\": 1}\n");
	c = RUN("explain", "explain", "--syscalls", "-b", "unpack_sequence", "-o", f);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, f) && strstr(c.err, "--force"), "%s", c.err);
	cr_assert_str_eq(slurp(f), "{\"keep\": 1}\n");
	cmd_free(&c);
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	c = RUN("explain-fifo", "explain", "--syscalls", "-b", "unpack_sequence", "-o", fifo,
		"--force");
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "not a regular file"), "%s", c.err);
	cmd_free(&c);
	free(f);
	free(fifo);
}

/* ---- 7: the files pyperf itself writes ---- */

/* Files written by pyperf 2.10 itself (shared/reference/pyperf-files),
 * kept as seeds of the fuzz corpus.  */
static const char *pyperf_file(const char *name)
{
	static char path[4096];
	const char *root = getenv("SANDBENCH_ROOT");

	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/fuzz_result/pyperf-%s", root ? root : ".",
		 name);
	return path;
}

Test(safety, pyperf_files_are_read_with_inherited_metadata)
{
	static const char *const suites[] = { "suite-nbody-float.json", "suite-nbody-float.json.gz" };
	struct bench_error err = { 0 };
	json_t *suite = NULL, *b;

	cr_assert_eq(result_read(pyperf_file("timeit-unpack_sequence.json"), &suite, &err), 0,
		     "%s", err.msg);
	b = json_array_get(json_object_get(suite, "benchmarks"), 0);
	cr_assert_str_eq(result_benchmark_name(b), "unpack_sequence", "the name is the suite's");
	cr_assert_eq(result_benchmark_loops(b), 8388608, "the loops are the suite's");
	json_decref(suite);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(result_read(pyperf_file(suites[i]), &suite, &err), 0, "%s", err.msg);
		cr_assert_not_null(result_find_benchmark(suite, "nbody"), "%s", suites[i]);
		b = result_find_benchmark(suite, "float");
		cr_assert_not_null(b, "%s", suites[i]);
		cr_assert_eq(result_benchmark_loops(b), 512, "shared loops sit in the suite's metadata");
		json_decref(suite);
	}
}

Test(safety, compare_of_a_sandbench_and_a_pyperf_file)
{
	char *ours = path_in("native.json"), *bytes = path_in("bytes.json");
	char *twice = path_in("twice.json");
	const char *theirs = pyperf_file("timeit-unpack_sequence.json");
	json_t *j = load(theirs), *dup;
	struct cmd c = RUN("ours", "run", "--fast", "-p", "3", "-b", "unpack_sequence", "-o", ours);

	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
	c = RUN("cmp", "compare", ours, (char *)theirs);
	cr_assert_eq(c.status, 0, "a pyperf timeit file compares: %d\n%s", c.status, c.err);
	cr_assert(strstr(c.out, "unpack_sequence"), "%s", c.out);
	cmd_free(&c);

	/* A suite-level unit is the benchmark's: bytes are not compared with seconds.  */
	json_object_set_new(json_object_get(j, "metadata"), "unit", json_string("byte"));
	cr_assert_eq(json_dump_file(j, bytes, 0), 0);
	c = RUN("cmp-bytes", "compare", ours, bytes);
	cr_assert_neq(c.status, 0, "seconds compared with bytes:\n%s", c.out);
	cr_assert(strstr(c.err, "unit `byte`") || strstr(c.err, "unit `second`"), "%s", c.err);
	cmd_free(&c);

	/* Two benchmarks of one name: refused, naming it.  */
	dup = json_deep_copy(json_array_get(json_object_get(j, "benchmarks"), 0));
	json_array_append_new(json_object_get(j, "benchmarks"), dup);
	cr_assert_eq(json_dump_file(j, twice, 0), 0);
	c = RUN("cmp-twice", "compare", ours, twice);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "`unpack_sequence` appears twice"), "%s", c.err);
	cmd_free(&c);
	json_decref(j);
	free(ours);
	free(bytes);
	free(twice);
}

/* ---- 10: timeit --append keeps one statement per file ---- */

Test(safety, timeit_append_refuses_another_statement)
{
	char *f = path_in("t.json"), *before;
	struct cmd c = RUN("t1", "timeit", "-p", "3", "-n", "2", "-o", f, "x = 1 + 1");
	json_t *suite, *md;

	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
	suite = load(f);
	md = json_object_get(json_array_get(json_object_get(suite, "benchmarks"), 0), "metadata");
	cr_assert_str_eq(json_string_value(json_object_get(md, "timeit_stmt")) ?: "", "'x = 1 + 1'",
			 "the statement is recorded");
	cr_assert_str_eq(json_string_value(json_object_get(md, "timeit_setup")) ?: "", "'pass'");
	json_decref(suite);
	before = slurp(f);
	c = RUN("t2", "timeit", "-p", "3", "-n", "2", "--append", "-o", f, "sum(range(1000))");
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "another statement"), "%s", c.err);
	cmd_free(&c);
	c = RUN("t3", "timeit", "-p", "3", "-n", "2", "--append", "-s", "import os", "-o", f,
		"x = 1 + 1");
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "another set-up"), "%s", c.err);
	cmd_free(&c);
	cr_assert_str_eq(slurp(f), before, "the file is unchanged");
	c = RUN("t4", "timeit", "-p", "3", "-n", "2", "--append", "-o", f, "x = 1 + 1");
	cr_assert_eq(c.status, 0, "the same statement is appended: %d\n%s", c.status, c.err);
	cmd_free(&c);
	free(before);
	free(f);
}

/* ---- low: bad options refused before anything runs, naming the option ---- */

Test(safety, bad_options_are_refused_at_once)
{
	char *m = path_in("m"), *plan = path_in("m/matrix.json");
	char *ro = path_in("ro"), *ro_file = path_in("ro/x.json"), *missing = path_in("no/x.json");
	static const char *const bad[][3] = {
		{ "--cpus", "garbage", "--cpus" }, { "--cpus", "99", "CPU 99" },
		{ "--memory", "1M", "--memory" }, { "--timeout", "-1", "--timeout" },
		{ "--pin", "thread", "--pin" }, { "--pin", "sandbox=99", "CPU 99 is not in --cpus" },
		{ "--pin", "worker=99", "CPU 99 is not in --cpus" },
		{ "--pin", "sandbox=1-x", "--pin" },
	};
	struct stat st;
	struct cmd c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = RUN("bad", "matrix", "--runtimes", "native", "--smoke", "-b", "syscall_getpid",
			(char *)bad[i][0], (char *)bad[i][1], "-o", m);
		cr_assert_eq(c.status, 2, "%s %s: %d\n%s", bad[i][0], bad[i][1], c.status, c.err);
		cr_assert(strstr(c.err, bad[i][2]), "the error names %s:\n%s", bad[i][2], c.err);
		cr_assert_neq(stat(plan, &st), 0, "no plan is saved for a bad option");
		cmd_free(&c);
	}
	c = RUN("pin", "matrix", "--runtimes", "native,native", "--smoke", "-b", "syscall_getpid",
		"--design", "processes", "--pin", "worker", "-o", m);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "--pin worker: the processes design"), "%s", c.err);
	cr_assert_neq(stat(plan, &st), 0, "no plan is saved for a bad option");
	cmd_free(&c);
	c = RUN("affinity", "run", "--affinity", "99", "-b", "unpack_sequence", "-o", ro_file);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "--affinity"), "%s", c.err);
	cmd_free(&c);

	/* -o that cannot be written: said before measuring.  */
	cr_assert_eq(mkdir(ro, 0555), 0);
	c = RUN("o-dir", "run", "--smoke", "-b", "unpack_sequence", "-o", ro);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "is a folder"), "%s", c.err);
	cr_assert(!strstr(c.err, "[1/1]"), "refused before measuring:\n%s", c.err);
	cmd_free(&c);
	c = RUN("o-missing", "run", "--smoke", "-b", "unpack_sequence", "-o", missing);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, missing) && !strstr(c.err, "[1/1]"), "%s", c.err);
	cmd_free(&c);
	if (getuid() != 0) {
		c = RUN("o-ro", "run", "--smoke", "-b", "unpack_sequence", "-o", ro_file);
		cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
		cmd_free(&c);
	}

	/* --timeout 0 means never, as documented.  */
	c = RUN("t0", "matrix", "--runtimes", "native", "--smoke", "-b", "syscall_getpid",
		"--rounds", "1", "--timeout", "0", "-o", m);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	free(m);
	free(plan);
	free(ro);
	free(ro_file);
	free(missing);
}

Test(safety, one_matrix_per_folder_and_no_foreign_results)
{
	char *m = path_in("m"), *plan = path_in("m/matrix.json"), *o = path_in("o");
	char *stray = path_in("o/mine.json");
	struct stat st;
	struct cmd c;
	pid_t first;

	first = support_start(dir, "first", NULL, (char *[]){ "matrix", "--runtimes", "native",
		"--smoke", "-b", "sympy_expand", "--rounds", "3", "-o", m, NULL });
	for (int i = 0; i < 3000 && stat(plan, &st) < 0; i++)
		usleep(10000);
	c = RUN("second", "matrix", "--runtimes", "native", "--smoke", "-b", "syscall_getpid",
		"-o", m);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "another matrix is running"), "%s", c.err);
	cmd_free(&c);
	c = RUN("resume", "matrix", "--resume", m);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "another matrix is running"), "%s", c.err);
	cmd_free(&c);
	c = support_finish(dir, "first", first);
	cr_assert_eq(c.status, 0, "the first one is undisturbed: %d\n%s", c.status, c.err);
	cmd_free(&c);

	cr_assert_eq(mkdir(o, 0755), 0);
	write_text(stray, "{}\n");
	c = RUN("stray", "matrix", "--runtimes", "native,native", "--smoke", "-b", "syscall_getpid",
		"-o", o);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "mine.json"), "%s", c.err);
	cmd_free(&c);
	free(m);
	free(plan);
	free(o);
	free(stray);
}

/* Root writes nothing into a folder another user owns or may write: that
 * user could replace what root wrote between two of its steps.  */
Test(safety, a_results_folder_of_another_user_is_refused_before_any_write)
{
	const char *modes[] = { "owner", "group", "others" };
	char *f = path_in("foreign"), *plan = path_in("foreign/matrix.json");
	struct cmd c;

	if (getuid() != 0)
		cr_skip_test("the folder of another user needs root to make");
	cr_assert_eq(chmod(dir, 0755), 0);
	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(mkdir(f, 0755), 0);
		if (i == 0)
			cr_assert_eq(chown(f, 65534, 65534), 0);
		else
			cr_assert_eq(chmod(f, i == 1 ? 0775 : 0757), 0);
		c = RUN("foreign", "matrix", "--runtimes", "native,native", "--smoke", "-b", "float",
			"-o", f);
		cr_assert_eq(c.status, 2, "%s: %d\n%s", modes[i], c.status, c.err);
		cr_assert(strstr(c.err, f), "%s: the folder is not named:\n%s", modes[i], c.err);
		cr_assert_eq(access(plan, F_OK), -1, "%s: matrix.json was written", modes[i]);
		cmd_free(&c);
		cr_assert_eq(rmdir(f), 0, "%s: something was written in the folder", modes[i]);
	}

	/* A matrix begun in a folder of root's, then given away.  */
	c = RUN("mine", "matrix", "--runtimes", "native,native", "--smoke", "-b", "float", "-o", f);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	cr_assert_eq(chown(f, 65534, 65534), 0);
	c = RUN("given", "matrix", "--resume", f);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, f), "%s", c.err);
	cmd_free(&c);
	free(plan);
	free(f);
}

/* ---- low: what the containers may write, what report reads ---- */

Test(safety, dev_shm_is_read_only_in_containers)
{
	json_t *config = ctr_oci_config(&(struct ctr_oci_spec){ .rootfs = "/r",
		.args = (const char *[]){ "/usr/bin/sandbench", NULL }, .results = "/res",
		.uid = 65534, .gid = 65534 });
	json_t *m, *o;
	size_t i, k;
	int found = 0;

	json_array_foreach(json_object_get(config, "mounts"), i, m) {
		if (strcmp(json_string_value(json_object_get(m, "destination")), "/dev/shm") != 0)
			continue;
		json_array_foreach(json_object_get(m, "options"), k, o)
			found |= strcmp(json_string_value(o), "ro") == 0;
		cr_assert(found, "/dev/shm is mounted read-only");
	}
	json_decref(config);
}

Test(safety, report_skips_syscalls_json_and_fifos)
{
	char *r = path_in("rep"), *a = path_in("rep/native.json"), *b = path_in("rep/native-2.json");
	char *sys = path_in("rep/syscalls.json"), *fifo = path_in("rep/stuck.json");
	struct cmd c;

	cr_assert_eq(mkdir(r, 0755), 0);
	c = RUN("a", "run", "-p", "3", "-n", "2", "-b", "unpack_sequence", "-o", a);
	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
	c = RUN("b", "run", "-p", "3", "-n", "2", "-b", "unpack_sequence", "-o", b);
	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
	write_text(sys, "{\"method\": \"strace\", \"benchmarks\": {}}\n");
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	c = RUN("report", "report", r);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	free(r);
	free(a);
	free(b);
	free(sys);
	free(fifo);
}

/* Within a minute, or it hung: what used to wait forever in open().  */
#define RUN_WITHIN(tag, ...) support_finish_within(dir, tag, support_start(dir, tag, NULL, \
	(char *[]){ __VA_ARGS__, NULL }), 60)

/* A FIFO with no writer, given as or found beside an input, is refused
 * naming it: never a wait for a writer that will not come.  */
Test(safety, fifo_inputs_are_refused_not_waited_for)
{
	char *r = path_in("fifo"), *a = path_in("fifo/a.json"), *sys = path_in("fifo/syscalls.json");
	char *ff = path_in("ff.json"), *b = path_in("fifo/b.json"), *text;
	struct cmd c;

	cr_assert_eq(mkdir(r, 0755), 0);
	c = RUN("a", "run", "-p", "3", "-n", "2", "-b", "unpack_sequence", "-o", a);
	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
	text = slurp(a);
	write_text(b, text);	/* report wants two */
	free(text);
	cr_assert_eq(mkfifo(ff, 0644), 0);
	cr_assert_eq(mkfifo(sys, 0644), 0);

	c = RUN_WITHIN("compare", "compare", a, ff);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, ff) && strstr(c.err, "not a regular file"), "%s", c.err);
	cmd_free(&c);
	c = RUN_WITHIN("explain", "explain", a);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, sys), "%s", c.err);
	cmd_free(&c);
	c = RUN_WITHIN("report", "report", r);
	cr_assert(c.status == 0 || c.status == 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, sys) && strstr(c.err, "not a regular file"), "%s", c.err);
	cmd_free(&c);
	c = RUN_WITHIN("append", "run", "--smoke", "-b", "unpack_sequence", "-o", ff, "--append");
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, ff) && strstr(c.err, "not a regular file"), "%s", c.err);
	cr_assert(!strstr(c.err, "[1/1]"), "refused before measuring:\n%s", c.err);
	cmd_free(&c);
	free(r);
	free(a);
	free(sys);
	free(ff);
	free(b);
}

/* An empty path (or value) is a usage error naming the option, said
 * before any work: `image build -o ""` used to build for minutes first.  */
Test(safety, empty_option_values_are_usage_errors)
{
	char *a = path_in("a.json");
	const char *cases[][8] = {
		{ "compare", "-o", "", a, a },
		{ "report", "--ref", "", dir },
		{ "run", "--smoke", "-b", "float", "--output=" },
		{ "timeit", "-o", "", "pass" },
		{ "matrix", "--runtimes", "native", "--smoke", "-o", "" },
		{ "matrix", "--resume", "" },
		{ "explain", "--syscalls", "-b", "float", "-o", "" },
		{ "k8s", "plan", "--runtime-classes", "runc", "--image", "", "-o", dir },
		{ "image", "build", "-o", "" },
	};
	struct stat st;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[9] = { NULL };
		struct cmd c;

		for (size_t k = 0; k < 8 && cases[i][k]; k++)
			argv[k] = (char *)cases[i][k];
		c = support_finish_within(dir, "empty", support_start(dir, "empty", NULL, argv), 60);
		cr_assert_eq(c.status, 2, "%s %s: %d\n%s", argv[0], argv[1], c.status, c.err);
		cr_assert(strstr(c.err, "an empty value"), "%s %s:\n%s", argv[0], argv[1], c.err);
		cmd_free(&c);
	}
	cr_assert_neq(lstat(".new", &st), 0, "image build left nothing in the current folder");
	free(a);
}

/* An empty name in a list is a mistake, not a name to skip.  */
Test(safety, an_empty_runtime_name_is_refused)
{
	static const char *const lists[] = { "native,,native", ",native", "native," };
	char *m = path_in("m");
	struct stat st;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		struct cmd c = RUN("empty-name", "matrix", "--runtimes", (char *)lists[i], "--smoke",
				   "-b", "float", "-o", m);

		cr_assert_eq(c.status, 2, "%s: %d\n%s", lists[i], c.status, c.err);
		cr_assert(strstr(c.err, "an empty runtime name"), "%s:\n%s", lists[i], c.err);
		cr_assert_neq(lstat(m, &st), 0, "nothing is made for a bad option");
		cmd_free(&c);
	}
	free(m);
}

/* ---- a matrix of one runtime, and benchmarks that could not be measured ---- */

/* One runtime needs no lockstep partner: it is measured, not skipped.  */
Test(safety, a_matrix_of_one_runtime_measures_it)
{
	char *out = path_in("one"), *file = path_in("one/native.json");
	char *plan = path_in("one/matrix.json"), *text;
	struct cmd c = RUN("one", "matrix", "--runtimes", "native", "--smoke", "-b", "float", "-o", out);
	json_t *suite, *b;

	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "float: "), "the benchmark's line is said:\n%s", c.err);
	suite = load(file);
	b = result_find_benchmark(suite, "float");
	cr_assert_not_null(b, "native.json holds float");
	cr_assert_gt(json_array_size(json_object_get(b, "runs")), 0);
	text = slurp(plan);
	cr_assert(strstr(text, "\"native-r1\": true"), "%s", text);
	json_decref(suite);
	free(text);
	cmd_free(&c);
	free(out);
	free(file);
	free(plan);
}

/* native,native with one server killed: the other lane cannot measure in
 * lockstep alone.  That is said, and its round is not done, so that
 * --resume measures it again.  */
Test(safety, a_benchmark_not_measured_is_never_done)
{
	char *out = path_in("half"), *plan = path_in("half/matrix.json"), *text;
	pid_t pid = support_start(dir, "half", NULL, (char *[]){ "matrix", "--runtimes",
		"native,native", "--smoke", "-b", "nbody,float", "-o", out, NULL });
	pid_t serve = 0;
	struct cmd c;

	for (int i = 0; i < 6000 && !serve; i++) {
		int status;
		cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "the matrix ended before its servers ran");
		if (!(serve = support_descendant_with(pid, (const char *const[]){ "__serve", NULL })))
			usleep(10000);
	}
	cr_assert_gt(serve, 0, "no server of the matrix appeared");
	cr_assert_eq(kill(serve, SIGKILL), 0);
	c = support_finish(dir, "half", pid);
	cr_assert_eq(c.status, 1, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "not measured"), "what was not measured is said:\n%s", c.err);
	text = slurp(plan);
	cr_assert(!strstr(text, "-r1\": true"), "no round is done:\n%s", text);
	free(text);
	cmd_free(&c);
	free(out);
	free(plan);
}

/* native,native with one lane's 2to3 worker killed: 2to3 failed there and
 * has no partner on the other lane, so no round is done, and --resume
 * measures it on both.  */
Test(safety, a_benchmark_that_failed_is_measured_again_by_resume)
{
	char *out = path_in("failed"), *plan = path_in("failed/matrix.json"), *text;
	pid_t pid = support_start(dir, "failed", NULL, (char *[]){ "matrix", "--runtimes",
		"native,native", "--smoke", "-b", "nbody,2to3", "-o", out, NULL });
	pid_t worker = 0;
	struct cmd c;

	for (int i = 0; i < 30000 && !worker; i++) {
		int status;
		cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "the matrix ended before 2to3 ran");
		if (!(worker = support_descendant_with(pid, (const char *const[]){ "__worker",
									   "--bench=2to3", NULL })))
			usleep(2000);
	}
	cr_assert_gt(worker, 0, "no 2to3 worker of the matrix appeared");
	cr_assert_eq(kill(worker, SIGKILL), 0);
	c = support_finish(dir, "failed", pid);
	cr_assert_eq(c.status, 1, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "2to3: FAILED"), "the failure is said:\n%s", c.err);
	cr_assert(strstr(c.err, "--resume"), "the way to measure it again is said:\n%s", c.err);
	text = slurp(plan);
	cr_assert(!strstr(text, "-r1\": true"), "no round is done:\n%s", text);
	free(text);
	cmd_free(&c);

	c = RUN("resumed", "matrix", "--resume", out);
	cr_assert_eq(c.status, 0, "the resumed matrix measures 2to3: %d\n%s", c.status, c.err);
	for (int i = 0; i < 2; i++) {
		char *path = xasprintf("%s/%s.json", out, i ? "native-2" : "native");
		json_t *suite = load(path);

		cr_assert_not_null(result_find_benchmark(suite, "2to3"), "%s: no 2to3", path);
		cr_assert_not_null(result_find_benchmark(suite, "nbody"), "%s: no nbody", path);
		json_decref(suite);
		free(path);
	}
	cmd_free(&c);
	free(out);
	free(plan);
}

/* ---- low: SIGHUP, and messages that name only files that exist ---- */

static int count_named(const char *folder, const char *prefix)
{
	DIR *d = opendir(folder);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	if (d)
		closedir(d);
	return n;
}

Test(safety, sighup_leaves_no_scratch_folder)
{
	const char *tmp = getenv("TMPDIR");
	char *t = path_in("tmp"), *cache, *timeit;
	char *env_tmp = xstrdup(tmp ? tmp : "");
	pid_t pid;
	struct cmd c;

	cr_assert_eq(mkdir(t, 0755), 0);
	setenv("TMPDIR", t, 1);
	pid = support_start(dir, "hup", NULL, (char *[]){ "timeit", "-p", "3", "--loops", "1",
		"import time; time.sleep(2)", NULL });
	for (int i = 0; i < 1000 && count_named(t, "sandbench-cache-") == 0; i++)
		usleep(10000);
	usleep(300000);
	kill(pid, SIGHUP);
	c = support_finish(dir, "hup", pid);
	if (env_tmp[0])
		setenv("TMPDIR", env_tmp, 1);
	else
		unsetenv("TMPDIR");
	cr_assert_eq(c.status, 129, "%d\n%s", c.status, c.err);
	cache = xasprintf("%d", count_named(t, "sandbench-cache-"));
	timeit = xasprintf("%d", count_named(t, "sandbench-timeit-"));
	cr_assert_str_eq(cache, "0", "a cache folder is left");
	cr_assert_str_eq(timeit, "0", "timeit's scratch folder is left");
	cr_assert(!strstr(c.err, "timeit.json") && !strstr(c.out, "timeit.json"),
		  "the scratch file is never named:\n%s%s", c.out, c.err);
	cr_assert(strstr(c.err, "no benchmark was finished"), "%s", c.err);
	cmd_free(&c);
	free(cache);
	free(timeit);
	free(env_tmp);
	free(t);
}

/* ---- low: explain on odd files ---- */

Test(safety, explain_says_what_it_cannot_explain)
{
	char *f = path_in("e.json"), *sys = path_in("syscalls.json"), *neg = path_in("neg.json");
	char *empty = path_in("empty.json");
	struct cmd c = RUN("e", "run", "-p", "3", "-n", "2", "-b", "unpack_sequence", "-o", f);
	json_t *j, *r;
	size_t i;

	cr_assert_eq(c.status, 0, "%s", c.err);
	cmd_free(&c);
	write_text(sys, "{\"benchmarks\": [1, 2");
	c = RUN("damaged", "explain", f);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, sys), "a damaged syscalls.json is named:\n%s", c.err);
	cmd_free(&c);
	unlink(sys);

	/* Negative resource usage: "-", never "nan%".  */
	j = load(f);
	json_array_foreach(json_object_get(json_array_get(json_object_get(j, "benchmarks"), 0),
					   "runs"), i, r) {
		json_t *md = json_object_get(r, "metadata");
		json_object_set_new(md, "ru_utime_s", json_real(-1));
		json_object_set_new(md, "ru_stime_s", json_real(-2));
	}
	cr_assert_eq(json_dump_file(j, neg, 0), 0);
	c = RUN("neg", "explain", neg);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cr_assert(!strstr(c.out, "nan"), "%s", c.out);
	cmd_free(&c);

	/* Only a calibration: nothing to explain is an error.  */
	json_array_foreach(json_object_get(json_array_get(json_object_get(j, "benchmarks"), 0),
					   "runs"), i, r)
		json_object_del(r, "values");
	cr_assert_eq(json_dump_file(j, empty, 0), 0);
	c = RUN("empty", "explain", empty);
	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "no timed values"), "%s", c.err);
	cmd_free(&c);
	json_decref(j);
	free(f);
	free(sys);
	free(neg);
	free(empty);
}

/* ---- low: timeit statements that fake the timing, and the user's imports ---- */

Test(safety, timeit_refuses_statements_that_leave_the_loop)
{
	static const char *const cases[][2] = {
		{ "pass", "return 5" }, { "break", NULL }, { "return", NULL },
		{ "x = 1", "return" }, { "yield 1", NULL },
	};
	struct cmd c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i][1])
			c = RUN("leave", "timeit", "-p", "1", "-n", "1", "--loops", "10", "-s",
				(char *)cases[i][1], (char *)cases[i][0]);
		else
			c = RUN("leave", "timeit", "-p", "1", "-n", "1", "--loops", "10",
				(char *)cases[i][0]);
		cr_assert_eq(c.status, 1, "`%s` / `%s`: %d\n%s", cases[i][0], cases[i][1] ?: "",
			     c.status, c.err);
		cr_assert(strstr(c.err, "leaves the timed loop"), "%s", c.err);
		cmd_free(&c);
	}
	/* A loop of its own may break.  */
	c = RUN("own-loop", "timeit", "-p", "1", "-n", "1", "--loops", "10",
		"for i in range(3):\n    break");
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	c = RUN("import", "timeit", "-p", "1", "-n", "1", "--loops", "10", "-s",
		"import no_such_module_here", "pass");
	cr_assert_eq(c.status, 1, "the user's failing import is a failure: %d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "no_such_module_here"), "%s", c.err);
	cmd_free(&c);
}

/* ---- a container's user is no host user ---- */

/* The host uid of pid, or -1 once it has gone.  */
static long host_uid_of(pid_t pid)
{
	char *path = xasprintf("/proc/%d/status", (int)pid), *text, *line;
	long uid = -1;

	if (access(path, R_OK) == 0 && (text = slurp(path))) {
		line = strstr(text, "\nUid:");
		if (line)
			uid = strtol(line + 5, NULL, 10);
		free(text);
	}
	free(path);
	return uid;
}

/* Can a host process running as `nobody` open pid's standard input, as it
 * could a container's server when the container's user was host nobody?  */
static int nobody_opens_stdin(pid_t pid)
{
	pid_t child = fork();
	int status;

	cr_assert_geq(child, 0);
	if (child == 0) {
		char *path = xasprintf("/proc/%d/fd/0", (int)pid);
		if (setgid(LIMIT_CONTAINER_UID) < 0 || setuid(LIMIT_CONTAINER_UID) < 0)
			_exit(2);
		_exit(open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC) >= 0 ? 1 : 0);
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 2, "setuid to nobody failed");
	return WEXITSTATUS(status) == 1;
}

Test(safety, no_host_user_reaches_a_containers_server)
{
	char *out = path_in("uid");
	long uids[2] = { -1, -1 };
	size_t found = 0;
	pid_t matrix;
	struct cmd c;

	if (getuid() != 0 || !have("runc") || !have("crun"))
		cr_skip_test("runc and crun need root and their packages");
	matrix = support_start(dir, "uid", NULL, (char *[]){ "matrix", "--runtimes", "runc,crun",
		"--smoke", "-b", "nbody,float,richards,json_dumps", "-o", out, NULL });
	/* Each container's `sandbench __serve`, a child of its runtime,
	 * whose parent the matrix started.  */
	for (int i = 0; i < 6000 && found < 2; i++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		int status;

		cr_assert_not_null(d);
		cr_assert_eq(waitpid(matrix, &status, WNOHANG), 0, "the matrix ended first");
		while ((e = readdir(d)) && found < 2) {
			pid_t pid = (pid_t)atoi(e->d_name);
			char cmdline[256];
			ssize_t n = pid > 0 ? support_cmdline(pid, cmdline, sizeof(cmdline)) : -1;
			long uid;

			if (n <= 0 || !memmem(cmdline, (size_t)n, "__serve", 8) ||
			    support_parent(support_parent(pid)) != matrix)
				continue;
			uid = host_uid_of(pid);
			if (uid < 0 || (found == 1 && uid == uids[0]))
				continue;
			cr_assert_not(nobody_opens_stdin(pid),
				      "host nobody opened the stdin of container process %d", (int)pid);
			cr_assert(uid != 0 && uid != LIMIT_CONTAINER_UID,
				  "a container's server runs as host uid %ld", uid);
			uids[found++] = uid;
		}
		closedir(d);
		if (found < 2)
			usleep(10000);
	}
	cr_assert_eq(found, 2, "found %zu containers' servers", found);
	cr_assert_neq(uids[0], uids[1], "two containers share host uid %ld", uids[0]);
	c = support_finish(dir, "uid", matrix);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	free(out);
}
