#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lib/util.h"

static char *dir;

static void remove_scratch(void)
{
	fuzz_empty_dir(dir);
	rmdir(dir);
}

const char *fuzz_scratch_dir(const char *target)
{
	struct stat st;
	const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";

	if (dir)
		return dir;
	dir = xasprintf("%s/sandbench-fuzz-%s-XXXXXX", base, target);
	if (!mkdtemp(dir))
		fuzz_fail("create a scratch folder in %s: %s", base, strerror(errno));
	atexit(remove_scratch);
	return dir;
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t done = 0;

	if (fd < 0)
		fuzz_fail("create `%s`: %s", path, strerror(errno));
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			fuzz_fail("write `%s`: %s", path, strerror(errno));
		done += (size_t)w;
	}
	close(fd);
}

static const char *emptied;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0 && remove(path) < 0 && errno != ENOENT)
		fuzz_fail("remove `%s` in `%s`: %s", path, emptied, strerror(errno));
	return 0;
}

void fuzz_empty_dir(const char *folder)
{
	emptied = folder;
	nftw(folder, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
