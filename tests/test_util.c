/* The bottom layer's small helpers (bench/lib/util.h).  */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "bench/lib/codec.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
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
 * descriptor at a time, not one per level.  30,000 folders on a busy disk
 * take minutes: no 30-second limit.  */
Test(util, remove_tree_of_30000_levels, .timeout = 600)
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

#ifdef __SANITIZE_ADDRESS__
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

/* A gzip bomb: size bytes of zeros, compressed (about 1/1000 of size).  */
static unsigned char *gzip_zeros(size_t size, size_t *len)
{
	static unsigned char zeros[1 << 16];
	z_stream zs = { 0 };
	size_t cap = size / 500 + 4096;
	unsigned char *out = xmalloc(cap);

	cr_assert_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	for (size_t done = 0; done < size; done += sizeof(zeros)) {
		zs.next_in = zeros;
		zs.avail_in = sizeof(zeros);
		cr_assert_eq(deflate(&zs, Z_NO_FLUSH), Z_OK);
		cr_assert_gt(zs.avail_out, 0);
	}
	cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/* A bomb is refused at the limit without holding much more than the limit
 * (it held twice as much, growing its buffer past the limit).  */
Test(util, a_gzip_bomb_is_refused_near_the_limit, .timeout = 300)
{
	char dir[] = "/tmp/sandbench-test-util-XXXXXX";
	size_t len;
	unsigned char *bomb = gzip_zeros((size_t)LIMIT_RESULT_FILE + (300u << 20), &len);
	char *path;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	path = xasprintf("%s/bomb.json.gz", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(bomb, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	/* In memory (a k8s result line), and from a file.  */
	for (int from_file = 0; from_file < 2; from_file++) {
		pid_t pid = fork();
		int status;

		cr_assert_geq(pid, 0);
		if (pid == 0) {
			struct bench_error err = { 0 };
			struct rusage ru;
			char *out;
			size_t n;
			int rc = from_file ? util_read_file(path, LIMIT_RESULT_FILE, &out, &n, &err)
					   : codec_gunzip(bomb, len, &out, &n, &err);

			if (rc != -1 || !strstr(err.msg, "limit"))
				_exit(2);
			getrusage(RUSAGE_SELF, &ru);
			/* ru_maxrss in KiB: the limit, the bomb and the program
			 * (AddressSanitizer's shadow and quarantine add their own).  */
			_exit(!SANITIZED &&
			      ru.ru_maxrss > (long)((LIMIT_RESULT_FILE + (64u << 20)) >> 10) ? 3 : 0);
		}
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFEXITED(status), "the child died");
		cr_assert_neq(WEXITSTATUS(status), 2, "%s: the bomb was not refused at the limit",
			      from_file ? "file" : "memory");
		cr_assert_eq(WEXITSTATUS(status), 0, "%s: the peak passed the limit by more than "
			     "64 MiB", from_file ? "file" : "memory");
	}
	unlink(path);
	rmdir(dir);
	free(path);
	free(bomb);
}
