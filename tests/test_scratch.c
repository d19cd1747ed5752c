/* --scratch: every runtime of a matrix writes to the same kind of file
 * system, native in a tmpfs of its own by default, and every result says
 * which kind it was ($SANDBENCH; as root).  */
#include <criterion/criterion.h>
#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lib/util.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-scratch-XXXXXX";

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(scratch, .init = setup, .fini = teardown, .timeout = 600);

static char *scratch_fs(const char *out, const char *runtime)
{
	char *path = xasprintf("%s/%s.json", out, runtime);
	json_t *suite = load(path);
	const char *kind = json_string_value(json_object_get(json_object_get(suite, "metadata"),
							     "scratch_fs"));
	char *copy;

	cr_assert_not_null(kind, "%s has no scratch_fs", path);
	copy = xasprintf("%s", kind);
	json_decref(suite);
	free(path);
	return copy;
}

/* Nothing of the matrix pid's scratch is left: no folder, no mount.  */
static void nothing_left(pid_t pid)
{
	const char *parents[] = { "/tmp", "/var/tmp" };
	char *mounts = slurp("/proc/self/mountinfo");
	char *name = xasprintf("sandbench-scratch-%ld-", (long)pid);

	for (size_t i = 0; i < 2; i++) {
		char *pattern = xasprintf("%s/%s*", parents[i], name);
		glob_t g;

		cr_assert_eq(glob(pattern, 0, NULL, &g), GLOB_NOMATCH, "left behind: %s",
			     g.gl_pathc ? g.gl_pathv[0] : pattern);
		globfree(&g);
		free(pattern);
	}
	cr_assert_null(strstr(mounts, name), "a scratch mount is on the host:\n%s", mounts);
	free(name);
	free(mounts);
}

Test(scratch, native_gets_a_private_tmpfs_and_compare_flags_a_different_kind)
{
	char *out = xasprintf("%s/t", dir), *kind, *a, *b;
	json_t *suite;
	pid_t pid;
	struct cmd c;

	if (getuid() != 0)
		cr_skip_test("a private tmpfs for native needs root");
	pid = support_start(dir, "t", NULL, (char *[]){ "matrix", "--runtimes", "native,native",
		"--smoke", "-b", "file_write_fsync", "-o", out, NULL });
	c = support_finish(dir, "t", pid);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	kind = scratch_fs(out, "native");
	cr_assert_str_eq(kind, "tmpfs");
	free(kind);
	nothing_left(pid);

	/* The same file, as if native had written to a disk.  */
	a = xasprintf("%s/native.json", out);
	b = xasprintf("%s/disk.json", dir);
	suite = load(a);
	json_object_set_new(json_object_get(suite, "metadata"), "scratch_fs", json_string("ext4"));
	cr_assert_eq(json_dump_file(suite, b, 0), 0);
	json_decref(suite);
	c = support_run(dir, "cmp", (char *[]){ "compare", a, b, NULL });
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cr_assert_not_null(strstr(c.out, "scratch_fs"), "not flagged:\n%s", c.out);
	cmd_free(&c);
	free(b);
	free(a);
	free(out);
}

Test(scratch, disk_for_every_runtime_and_kept_by_resume)
{
	char *out = xasprintf("%s/d", dir), *plan, *native, *runc;
	json_t *j;
	pid_t pid;
	struct cmd c;

	if (getuid() != 0 || !have("runc"))
		cr_skip_test("runc needs root and its package");
	pid = support_start(dir, "d", NULL, (char *[]){ "matrix", "--runtimes", "native,runc",
		"--smoke", "--scratch", "disk", "-b", "file_write_fsync", "-o", out, NULL });
	c = support_finish(dir, "d", pid);
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	native = scratch_fs(out, "native");
	runc = scratch_fs(out, "runc");
	cr_assert_str_neq(native, "tmpfs");
	cr_assert_str_eq(native, runc, "native on %s, runc on %s", native, runc);
	nothing_left(pid);
	free(runc);
	free(native);

	/* Resumed from the start, it measures on disk again.  */
	plan = xasprintf("%s/matrix.json", out);
	j = json_load_file(plan, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(j, "scratch")), "disk");
	json_object_set_new(j, "done", json_object());
	cr_assert_eq(json_dump_file(j, plan, 0), 0);
	json_decref(j);
	for (size_t i = 0; i < 2; i++) {
		char *merged = xasprintf("%s/%s.json", out, i ? "runc" : "native");
		cr_assert_eq(unlink(merged), 0, "%s", merged);
		free(merged);
	}
	c = support_run(dir, "resume", (char *[]){ "matrix", "--resume", out, NULL });
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	native = scratch_fs(out, "native");
	runc = scratch_fs(out, "runc");
	cr_assert_str_neq(native, "tmpfs");
	cr_assert_str_eq(native, runc);
	free(plan);
	free(runc);
	free(native);
	free(out);
}

Test(scratch, a_bad_kind_is_refused_before_any_work)
{
	char *out = xasprintf("%s/bad", dir);
	struct cmd c = support_run(dir, "bad", (char *[]){ "matrix", "--runtimes", "native,native",
		"--scratch", "ramdisk", "-b", "float", "-o", out, NULL });

	cr_assert_eq(c.status, 2, "%d\n%s", c.status, c.err);
	cr_assert_not_null(strstr(c.err, "--scratch `ramdisk`"), "%s", c.err);
	cr_assert_eq(access(out, F_OK), -1, "%s was made", out);
	cmd_free(&c);
	free(out);
}
