/* The bottom layer's small helpers (bench/lib/util.h).  */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/safefile.h"
#include "bench/lib/util.h"

TestSuite(util, .timeout = 30);

Test(util, make_temp_dir_creates_a_folder_named_after_its_prefix_and_pid)
{
	char buf[PATH_MAX], *want = xasprintf("/tmp/sandbench-test-%ld-", (long)getpid());
	struct stat st;

	unsetenv("TMPDIR");
	cr_assert_eq(util_make_temp_dir("sandbench-test", buf, sizeof(buf)), 0, "%s", strerror(errno));
	cr_assert_eq(strncmp(buf, want, strlen(want)), 0, "%s", buf);
	cr_assert(stat(buf, &st) == 0 && S_ISDIR(st.st_mode), "%s is not a folder", buf);
	util_remove_tree(buf);
	cr_assert_eq(stat(buf, &st), -1);
	free(want);
}

/* A failure says why in errno, and leaves no path to remove.  */
Test(util, make_temp_dir_fails_with_errno_and_an_empty_path)
{
	char buf[PATH_MAX], small[16];

	setenv("TMPDIR", "/nonexistent-sandbench-test", 1);
	errno = 0;
	cr_assert_eq(util_make_temp_dir("x", buf, sizeof(buf)), -1);
	cr_assert_eq(errno, ENOENT, "%s", strerror(errno));
	cr_assert_str_empty(buf);

	setenv("TMPDIR", "/tmp", 1);
	errno = 0;
	cr_assert_eq(util_make_temp_dir("a-prefix-longer-than-the-buffer", small, sizeof(small)), -1);
	cr_assert_eq(errno, ENAMETOOLONG, "%s", strerror(errno));
	cr_assert_str_empty(small);
}

/* A tree deeper than the descriptors a process may hold (30,000 levels, as
 * a container user can make in its folder) is removed all the same: one
 * descriptor at a time, not one per level.  */
Test(util, remove_tree_of_30000_levels)
{
	char top[PATH_MAX];
	struct bench_error err = { 0 };
	struct stat st;
	int fd;

	unsetenv("TMPDIR");
	cr_assert_eq(util_make_temp_dir("sandbench-test-deep", top, sizeof(top)), 0);
	fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	for (int i = 0; i < 30000; i++) {
		int next;

		cr_assert_eq(mkdirat(fd, "a", 0755), 0, "level %d: %s", i, strerror(errno));
		if (i % 1000 == 0) {
			int f = openat(fd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			cr_assert_geq(f, 0);
			close(f);
		}
		next = openat(fd, "a", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		cr_assert_geq(next, 0);
		close(fd);
		fd = next;
	}
	close(fd);
	cr_assert_eq(safefile_remove_tree(top, &err), 0, "%s", err.msg);
	cr_assert_neq(lstat(top, &st), 0, "%s is gone", top);
}
