/* The containerd engine: the exact `ctr` command lines, Kata refused by the
 * other engines and skipped where it cannot run, and real matrices through a
 * private containerd (as root), checked to leave nothing behind.  */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "containers/driver.h"
#include "containers/engine.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-containerd-XXXXXX";
static pid_t test_daemon;	/* the test's own containerd, stopped even after a failure */

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	int status;

	if (test_daemon > 0) {
		kill(test_daemon, SIGTERM);
		waitpid(test_daemon, &status, 0);
		/* Its shims' empty folders (none answered there before).  */
		rmdir("/run/containerd/runc/sandbench");
		rmdir("/run/containerd/runc");
		rmdir("/run/containerd/fifo");
		rmdir("/run/containerd/s");
		rmdir("/run/containerd");
	}
	support_remove_dir(dir);
}

TestSuite(containerd, .init = setup, .fini = teardown, .timeout = 600);

/* The argv as one line, arguments separated by spaces.  */
static char *joined(const struct ctr_argv *a)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < a->n; i++)
		len += strlen(a->v[i]) + 1;
	s = xcalloc(1, len);
	for (size_t i = 0; i < a->n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, a->v[i]);
	}
	return s;
}

static void check_argv(const char *runtime, int runsc_shim, const char *expected_runtime)
{
	struct ctr_containerd c = { .address = "/run/containerd/containerd.sock", .dir = "/T",
				    .runsc_shim = runsc_shim };
	const struct ctr_driver *d = ctr_driver_find(runtime);
	struct ctr_argv a = { 0 };
	char *line, *want;

	cr_assert_not_null(d, "%s", runtime);
	ctr_containerd_argv(&c, &(struct ctr_run){ .driver = d }, "/B/config.json", "sandbench-1-2-3", &a);
	line = joined(&a);
	want = xasprintf("ctr --address=/run/containerd/containerd.sock --namespace=sandbench run --rm "
			 "%s --config=/B/config.json sandbench-1-2-3", expected_runtime);
	cr_assert_str_eq(line, want, "%s", runtime);
	free(want);
	free(line);
	ctr_argv_release(&a);
}

Test(containerd, command_lines)
{
	char *runc = ctr_which("runc"), *crun = ctr_which("crun");
	char *want;

	want = xasprintf("--runtime=io.containerd.runc.v2 --runc-binary=%s", runc ? runc : "runc");
	check_argv("runc", 0, want);
	free(want);
	want = xasprintf("--runtime=io.containerd.runc.v2 --runc-binary=%s", crun ? crun : "crun");
	check_argv("crun", 0, want);
	free(want);
	check_argv("runsc", 0, "--runtime=io.containerd.runc.v2 --runc-binary=/T/runsc-network-none");
	check_argv("runsc", 1, "--runtime=io.containerd.runsc.v1 --runtime-config-path=/T/runsc.toml");
	check_argv("kata", 0, "--runtime=io.containerd.kata.v2");
	check_argv("kata-qemu", 0, "--runtime=io.containerd.kata-qemu.v2");
	check_argv("kata-clh", 0, "--runtime=io.containerd.kata-clh.v2");
	check_argv("kata-fc", 0, "--runtime=io.containerd.kata-fc.v2");
	check_argv("kata-dragonball", 0, "--runtime=io.containerd.kata-dragonball.v2");
	free(runc);
	free(crun);
}

/* Every Kata variant is a shim v2 with a shim binary of its own name.  */
Test(containerd, kata_variants_are_shims)
{
	const char *names[] = { "kata", "kata-qemu", "kata-clh", "kata-fc", "kata-dragonball" };

	for (size_t i = 0; i < 5; i++) {
		const struct ctr_driver *d = ctr_driver_find(names[i]);
		char *shim = xasprintf("containerd-shim-%s-v2", names[i]);
		cr_assert_not_null(d);
		cr_assert(d->flags & CTR_SHIM_V2_ONLY, "%s", names[i]);
		cr_assert_str_eq(d->shim, shim);
		free(shim);
	}
}

Test(containerd, oci_and_podman_refuse_kata)
{
	const char *engines[] = { "oci", "podman" };

	for (size_t i = 0; i < 2; i++) {
		char *out = xasprintf("%s/%s", dir, engines[i]);
		pid_t pid = support_start(dir, engines[i], NULL, (char *[]){ "matrix", "--runtimes",
			"native,kata-clh", "--engine", (char *)engines[i], "-b", "nbody", "-o", out, NULL });
		struct cmd c = support_finish(dir, engines[i], pid);

		cr_assert_eq(c.status, 2, "%s: %s", engines[i], c.err);
		cr_assert(strstr(c.err, "shim v2") && strstr(c.err, "--engine containerd"), "%s", c.err);
		/* Refused before anything ran.  */
		cr_assert(access(out, F_OK) < 0, "%s was created", out);
		cmd_free(&c);
		free(out);
	}
}

/* ---- real matrices ---- */


static void need_root(const char *const *binaries)
{
	cr_assert_not_null(getenv("SANDBENCH"), "run through `make test`");
	if (getuid() != 0)
		cr_skip_test("containerd and the runtimes need root here");
	for (size_t i = 0; binaries[i]; i++)
		if (!have(binaries[i]))
			cr_skip_test("%s is not installed (bench/deps.sh --test installs it)", binaries[i]);
}

/* Does a line of this file hold needle?  */
static int file_has(const char *path, const char *needle)
{
	char *text = slurp(path);
	int found = strstr(text, needle) != NULL;
	free(text);
	return found;
}

/* No process whose command line holds needle (NULs read as spaces).  */
static void no_process_with(const char *needle)
{
	pid_t left = support_process_with(needle);
	char buf[4096];
	ssize_t n = left ? support_cmdline(left, buf, sizeof(buf)) : 0;

	for (ssize_t i = 0; i < n; i++)
		buf[i] = buf[i] ? buf[i] : ' ';
	cr_assert_eq(left, 0, "process %d is left: %.*s", (int)left, (int)(n > 0 ? n : 0), buf);
}

/* Nothing of the matrix whose pid this was: no container processes (their
 * ids are sandbench-PID-...), no mounts, no network namespaces.  */
static void nothing_left(pid_t pid)
{
	char *mine = xasprintf("sandbench-%ld-", (long)pid);
	char *netns = NULL, *err = NULL;
	char *argv[] = { "ip", "netns", "list", NULL };
	int status;

	char *private = xasprintf("%s/sandbench-containerd-", dir);

	no_process_with(mine);
	no_process_with(private);
	cr_assert(!file_has("/proc/self/mounts", mine), "a mount of %s is left", mine);
	cr_assert(!file_has("/proc/self/mounts", private), "a mount of %s is left", private);
	cr_assert_eq(child_capture(argv, &netns, &err, &status, NULL), 0);
	cr_assert(strstr(netns, mine) == NULL, "a network namespace is left:\n%s", netns);
	free(netns);
	free(err);
	free(mine);
	free(private);
}

static void equal_counts(const char *out, const char *const *runtimes, const char *const *names,
			 size_t per_bench)
{
	for (size_t i = 0; runtimes[i]; i++) {
		char *path = xasprintf("%s/%s.json", out, runtimes[i]);
		json_t *suite = load(path), *md = json_object_get(suite, "metadata");

		cr_assert_str_eq(json_string_value(json_object_get(md, "runtime")), runtimes[i]);
		if (strcmp(runtimes[i], "native") != 0) {
			cr_assert_str_eq(json_string_value(json_object_get(md, "engine")), "containerd");
			cr_assert_not_null(json_string_value(json_object_get(md, "containerd_version")));
			cr_assert_str_eq(json_string_value(json_object_get(md, "containerd_runtime")),
					 "io.containerd.runc.v2");
		}
		if (strcmp(runtimes[i], "runsc") == 0)
			cr_assert_str_eq(json_string_value(json_object_get(md, "runtime_detected")), "gvisor",
					 "runsc must show gVisor from inside");
		else
			cr_assert_str_neq(json_string_value(json_object_get(md, "runtime_detected")), "gvisor");
		for (size_t k = 0; names[k]; k++) {
			json_t *b = result_find_benchmark(suite, names[k]);
			double *v;
			size_t n;
			cr_assert_not_null(b, "%s: `%s` missing", path, names[k]);
			result_benchmark_values(b, &v, &n, NULL, NULL);
			if (n != per_bench) {
				char *log = xasprintf("%s/matrix.log", out), *text = slurp(log);
				cr_assert_eq(n, per_bench, "%s: `%s`: %zu values; matrix.log:\n%s", path,
					     names[k], n, text);
			}
			free(v);
		}
		json_decref(suite);
		free(path);
	}
}

/* sandbench starts its own containerd: nothing answers at the address.  */
Test(containerd, smoke_matrix_private_daemon)
{
	const char *const bins[] = { "containerd", "ctr", "runc", "crun", "runsc", NULL };
	const char *const runtimes[] = { "native", "runc", "crun", "runsc", NULL };
	const char *const names[] = { "nbody", "pathlib", NULL };
	char *out = xasprintf("%s/smoke", dir), *none = xasprintf("%s/none.sock", dir);
	struct cmd c;
	pid_t pid;

	need_root(bins);
	setenv("CONTAINERD_ADDRESS", none, 1);
	setenv("TMPDIR", dir, 1);
	pid = support_start(dir, "smoke", NULL, (char *[]){ "matrix", "--runtimes",
		"native,runc,crun,runsc", "--engine", "containerd", "--smoke", "-b", "nbody,pathlib",
		"-o", out, NULL });
	c = support_finish(dir, "smoke", pid);
	cr_assert_eq(c.status, 0, "matrix failed (%d):\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "started a private one") && strstr(c.err, "private daemon is stopped"),
		  "%s", c.err);
	/* Lockstep --smoke: 2 slots of 3 values.  */
	equal_counts(out, runtimes, names, 6);
	nothing_left(pid);
	/* Its folder (root, state, socket, the runsc wrapper) is gone.  */
	{
		char *cmd = xasprintf("ls -d '%s'/sandbench-containerd-* 2>/dev/null", dir);
		cr_assert_neq(system(cmd), 0, "the private containerd's folder is left");
		free(cmd);
	}
	cmd_free(&c);
	free(out);
	free(none);
}

/* Whether a path matching this glob pattern exists.  */
static int exists(const char *pattern)
{
	char *cmd = xasprintf("ls -d %s >/dev/null 2>&1", pattern);
	int found = system(cmd) == 0;

	free(cmd);
	return found;
}

/* A matrix killed outright while its private daemon runs a container: the
 * daemon dies with it (it is tied to its parent's life), and the next
 * --resume removes the shim, the daemon's folder and the rest.  */
Test(containerd, killed_matrix_leaves_no_private_daemon)
{
	const char *const bins[] = { "containerd", "ctr", "runc", NULL };
	const char *const runtimes[] = { "native", "runc", NULL };
	const char *const names[] = { "nbody", NULL };
	char *out = xasprintf("%s/killed", dir), *none = xasprintf("%s/none.sock", dir);
	char *daemon, *folder, *shim, *bundle;
	struct cmd c;
	pid_t pid;

	need_root(bins);
	setenv("CONTAINERD_ADDRESS", none, 1);
	setenv("TMPDIR", dir, 1);
	pid = support_start(dir, "killed", NULL, (char *[]){ "matrix", "--runtimes", "native,runc",
		"--engine", "containerd", "--smoke", "-b", "nbody", "-o", out, NULL });
	folder = xasprintf("%s/sandbench-containerd-%d-", dir, (int)pid);
	daemon = xasprintf("containerd --config %s", folder);
	shim = xasprintf("-address %s", folder);
	bundle = xasprintf("/tmp/sandbench-bundle-%d-*", (int)pid);
	/* Killed once a container runs: the daemon and a shim are up.  */
	cr_assert(support_wait_for_process(shim, 1, 300), "no shim started");
	cr_assert(support_process_with(daemon), "no private daemon");
	kill(pid, SIGKILL);
	c = support_finish(dir, "killed", pid);
	cr_assert_eq(c.status, 128 + SIGKILL);
	cmd_free(&c);
	cr_assert(support_wait_for_process(daemon, 0, 30), "the private daemon outlived its matrix");

	c = support_run(dir, "resume", (char *[]){ "matrix", "--resume", out, NULL });
	cr_assert_eq(c.status, 0, "resume failed (%d):\n%s", c.status, c.err);
	equal_counts(out, runtimes, names, 6);	/* lockstep --smoke: 2 slots of 3 values */
	nothing_left(pid);
	cr_assert(!exists(bundle), "a bundle of the killed matrix is left");
	{
		char *pattern = xasprintf("%s*", folder);
		cr_assert(!exists(pattern), "the killed matrix's containerd folder is left");
		free(pattern);
	}
	cmd_free(&c);
	free(bundle);
	free(shim);
	free(daemon);
	free(folder);
	free(out);
	free(none);
}

/* Kata cannot run here (no shim, or no /dev/kvm): left out with its reason,
 * the rest of the matrix runs.  */
Test(containerd, kata_variants_skipped_with_reason)
{
	const char *const bins[] = { "containerd", "ctr", "runc", NULL };
	const char *const runtimes[] = { "native", "runc", NULL };
	const char *const names[] = { "nbody", NULL };
	char *out = xasprintf("%s/kata", dir), *none = xasprintf("%s/none.sock", dir);
	char *kq = xasprintf("%s/kata-qemu.json", out);
	struct cmd c;
	pid_t pid;

	need_root(bins);
	if (have("containerd-shim-kata-qemu-v2") && have("containerd-shim-kata-clh-v2"))
		cr_skip_test("the Kata shims are installed: a real Kata matrix is for the user to run");
	setenv("CONTAINERD_ADDRESS", none, 1);
	setenv("TMPDIR", dir, 1);
	pid = support_start(dir, "kata", NULL, (char *[]){ "matrix", "--runtimes",
		"native,runc,kata-qemu,kata-clh", "--engine", "containerd", "--smoke", "-b", "nbody",
		"--rounds", "1", "-o", out, NULL });
	c = support_finish(dir, "kata", pid);
	/* Left-out runtimes are problems (exit 1), the others ran.  */
	cr_assert_eq(c.status, 1, "(%d):\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "runtime `kata-qemu`") && strstr(c.err, "runtime `kata-clh`"), "%s", c.err);
	cr_assert(strstr(c.err, "/dev/kvm") || strstr(c.err, "containerd-shim-kata-qemu-v2"), "%s", c.err);
	cr_assert(access(kq, F_OK) < 0);
	equal_counts(out, runtimes, names, 6);	/* lockstep --smoke: 2 slots of 3 values */
	nothing_left(pid);
	cmd_free(&c);
	free(kq);
	free(out);
	free(none);
}

/* A matrix through a running containerd, stopped by Ctrl-C mid-way, then
 * resumed: nothing is left in containerd either time.  */
Test(containerd, interrupted_matrix_resumed)
{
	const char *const bins[] = { "containerd", "ctr", "runc", "runsc", "unshare", NULL };
	const char *const runtimes[] = { "native", "runc", "runsc", NULL };
	const char *const names[] = { "nbody", "pathlib", "json_dumps", NULL };
	char *out = xasprintf("%s/resume", dir), *sock = xasprintf("%s/containerd.sock", dir);
	char *first = xasprintf("%s/raw/runc-r1.json", out);
	struct cmd c;
	pid_t pid;

	need_root(bins);
	test_daemon = support_start_containerd(dir);
	setenv("CONTAINERD_ADDRESS", sock, 1);
	setenv("TMPDIR", dir, 1);
	pid = support_start(dir, "first", NULL, (char *[]){ "matrix", "--design", "processes",
		"--runtimes", "native,runc,runsc", "--engine", "containerd", "--smoke", "-b", "nbody,pathlib,json_dumps", "--rounds", "3",
		"-o", out, NULL });
	/* Ctrl-C once the first round has written a file.  */
	for (int i = 0; i < 1200 && access(first, F_OK) < 0; i++)
		usleep(100000);
	kill(pid, SIGINT);
	c = support_finish(dir, "first", pid);
	cr_assert_eq(c.status, 130, "(%d):\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "--resume"), "%s", c.err);
	cr_assert(strstr(c.err, "the daemon at"), "it must use the running containerd:\n%s", c.err);
	support_none_in_namespace(sock);
	nothing_left(pid);
	cmd_free(&c);

	pid = support_start(dir, "resume", NULL, (char *[]){ "matrix", "--resume", out, NULL });
	c = support_finish(dir, "resume", pid);
	cr_assert_eq(c.status, 0, "resume failed (%d):\n%s", c.status, c.err);
	equal_counts(out, runtimes, names, 3);
	support_none_in_namespace(sock);
	nothing_left(pid);
	cmd_free(&c);

	free(first);
	free(sock);
	free(out);
}

/* ---- Kata's truth, with a stand-in kata-runtime and shim on PATH ---- */

static void write_exec(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(chmod(path, 0755), 0);
}

/* DIR/bin with kata-runtime (check fails with a reason when check_fails;
 * env --json names a configuration in DIR) and containerd-shim-kata-qemu-v2,
 * put first on PATH.  */
static void fake_kata(int check_fails)
{
	char *bin = xasprintf("%s/bin", dir), *path, *script, *config;

	cr_assert_eq(mkdir(bin, 0755), 0);
	config = xasprintf("%s/configuration-qemu.toml", dir);
	write_exec(config, "[hypervisor.qemu]\npath = \"/opt/kata/bin/qemu-system-x86_64\"\n"
		   "default_vcpus = 2\n  default_memory = 4096\n");
	script = xasprintf(
		"#!/bin/sh\n"
		"case \"$*\" in\n"
		"*check*) %s ;;\n"
		"*env*) cat <<'END'\n"
		"{\"Kernel\": {\"Path\": \"/opt/kata/share/kata-containers/vmlinux-6.1.62-132\"},\n"
		" \"Runtime\": {\"Version\": {\"Version\": {\"Semver\": \"3.2.0\"}}, \"Config\": {\"Path\": \"%s\"}},\n"
		" \"Hypervisor\": {\"Path\": \"/opt/kata/bin/qemu-system-x86_64\", \"SharedFS\": \"virtio-fs\",\n"
		"   \"Version\": \"QEMU emulator version 7.2.0\\nCopyright (c) 2003-2022\"}}\n"
		"END\n"
		";;\n"
		"esac\n", check_fails ? "echo 'ERROR: kernel module vhost_vsock not loaded' >&2; exit 1" : "exit 0",
		config);
	path = xasprintf("%s/kata-runtime", bin);
	write_exec(path, script);
	free(path);
	path = xasprintf("%s/containerd-shim-kata-qemu-v2", bin);
	write_exec(path, "#!/bin/sh\nexit 1\n");
	free(path);
	path = xasprintf("%s:%s", bin, getenv("PATH"));
	setenv("PATH", path, 1);
	free(path);
	free(script);
	free(config);
	free(bin);
}

Test(containerd, kata_check_gives_its_reason)
{
	const struct ctr_driver *d = ctr_driver_find("kata-qemu");
	struct bench_error err = { 0 };
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	fake_kata(1);
	cr_assert_eq(ctr_driver_available(d, &err), -1);
	if (kvm < 0) {
		cr_assert(strstr(err.msg, "/dev/kvm"), "%s", err.msg);
	} else {
		close(kvm);
		cr_assert(strstr(err.msg, "kata-runtime check") && strstr(err.msg, "vhost_vsock"),
			  "%s", err.msg);
	}
	bench_error_release(&err);
}

Test(containerd, kata_env_in_the_metadata)
{
	const struct ctr_driver *d = ctr_driver_find("kata-qemu");
	json_t *md;

	fake_kata(0);
	md = d->metadata(d);
	cr_assert_not_null(md);
	cr_assert_str_eq(json_string_value(json_object_get(md, "kata_version")), "3.2.0");
	cr_assert_str_eq(json_string_value(json_object_get(md, "kata_hypervisor")), "qemu-system-x86_64");
	cr_assert_str_eq(json_string_value(json_object_get(md, "kata_hypervisor_version")),
			 "QEMU emulator version 7.2.0");
	cr_assert_str_eq(json_string_value(json_object_get(md, "kata_guest_kernel")), "vmlinux-6.1.62-132");
	cr_assert_str_eq(json_string_value(json_object_get(md, "kata_shared_fs")), "virtio-fs");
	cr_assert_eq(json_integer_value(json_object_get(md, "kata_vm_memory_mb")), 4096);
	cr_assert_eq(json_integer_value(json_object_get(md, "kata_vm_vcpus")), 2);
	json_decref(md);
}

/* compare shows what differs between two Kata set-ups, as for kernels.  */
Test(containerd, compare_shows_kata_differences)
{
	const char *hv[] = { "qemu-system-x86_64", "cloud-hypervisor" };
	const char *fs[] = { "virtio-fs", "virtio-fs" };
	const char *label[] = { "kata-qemu", "kata-clh" };
	char *paths[2];
	struct cmd c;
	pid_t pid;

	for (int i = 0; i < 2; i++) {
		json_t *suite = result_suite_new(json_pack("{s:s, s:s, s:s, s:s}", "hostname", "h",
			"runtime", label[i], "kata_hypervisor", hv[i], "kata_shared_fs", fs[i]));
		json_t *b = result_benchmark_new("nbody", "math", "python", 10, 1);
		struct bench_error err = { 0 };

		for (int p = 0; p < 3; p++)
			json_array_append_new(json_object_get(b, "runs"),
				json_pack("{s:{}, s:[f,f]}", "metadata", "values", 0.1 + 0.01 * p, 0.1));
		json_array_append_new(json_object_get(suite, "benchmarks"), b);
		paths[i] = xasprintf("%s/%s.json", dir, label[i]);
		cr_assert_eq(result_write(paths[i], suite, &err), 0, "%s", err.msg);
		json_decref(suite);
	}
	pid = support_start(dir, "compare", NULL, (char *[]){ "compare", "--no-color", paths[0],
							      paths[1], NULL });
	c = support_finish(dir, "compare", pid);
	cr_assert_eq(c.status, 0, "%s", c.err);
	cr_assert(strstr(c.out, "kata_hypervisor") && strstr(c.out, "cloud-hypervisor"), "%s", c.out);
	cr_assert(!strstr(c.out, "kata_shared_fs"), "equal keys are not shown:\n%s", c.out);
	cmd_free(&c);
	free(paths[0]);
	free(paths[1]);
}

/* crun through a user's containerd: it runs when that daemon does not see
 * the cgroup2 mount (the test's own), and is left out with the reason when
 * it does (a daemon started plainly on a hybrid host).  */
Test(containerd, crun_through_a_users_daemon)
{
	const char *const bins[] = { "containerd", "ctr", "crun", "unshare", NULL };
	const char *const runtimes[] = { "native", "crun", NULL };
	const char *const names[] = { "nbody", NULL };
	char *out = xasprintf("%s/crun", dir), *sock = xasprintf("%s/containerd.sock", dir);
	struct cmd c;
	pid_t pid;

	need_root(bins);
	test_daemon = support_start_containerd(dir);
	setenv("CONTAINERD_ADDRESS", sock, 1);
	setenv("TMPDIR", dir, 1);
	pid = support_start(dir, "crun", NULL, (char *[]){ "matrix", "--runtimes", "native,crun",
		"--engine", "containerd", "--smoke", "-b", "nbody", "-o", out, NULL });
	c = support_finish(dir, "crun", pid);
	cr_assert_eq(c.status, 0, "(%d):\n%s", c.status, c.err);
	equal_counts(out, runtimes, names, 6);
	support_none_in_namespace(sock);
	nothing_left(pid);
	cmd_free(&c);
	free(out);
	free(sock);
}
