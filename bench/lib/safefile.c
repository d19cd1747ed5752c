#include "bench/lib/safefile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lib/codec.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* data gzip-compressed (the one deflate path: codec.c), then written.  */
static int write_gzip(int fd, const char *data, size_t len, const char *path,
		      struct bench_error *err)
{
	unsigned char *z;
	size_t zlen;
	int rc;

	if (codec_gzip(data, len, &z, &zlen, err) < 0)
		return bench_error_prefix(err, "write `%s`", path);
	rc = write_all(fd, (const char *)z, zlen);
	if (rc < 0)
		bench_error_set(err, errno, "write `%s`", path);
	free(z);
	return rc;
}

/* A new temporary file beside name: a name nobody can guess in advance, and
 * never an existing file or link.  */
static int create_temp(int dirfd, const char *name, char *tmp, size_t size)
{
	for (int tries = 0; tries < 100; tries++) {
		uint64_t r = util_random();
		int fd;

		snprintf(tmp, size, ".%s.tmp.%ld.%016llx", name, (long)getpid(),
			 (unsigned long long)r);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

static int check_replaceable_at(int dirfd, const char *name, const char *path,
				struct bench_error *err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : bench_error_set(err, errno, "`%s`", path);
	if (!S_ISREG(st.st_mode))
		return bench_error_set(err, 0, "`%s` is not a regular file: only a regular file "
				       "is replaced", path);
	return 0;
}

int safefile_write_at(int dirfd, const char *name, const char *path, const char *data,
		      size_t len, struct bench_error *err)
{
	char tmp[4096];
	int fd, rc;

	if (check_replaceable_at(dirfd, name, path, err) < 0)
		return -1;
	fd = create_temp(dirfd, name, tmp, sizeof(tmp));
	if (fd < 0)
		return bench_error_set(err, errno, "create a temporary file for `%s`", path);
	if (util_ends_with(name, ".gz"))
		rc = write_gzip(fd, data, len, path, err);
	else if ((rc = write_all(fd, data, len)) < 0)
		bench_error_set(err, errno, "write `%s`", path);
	if (rc == 0 && fsync(fd) < 0)
		rc = bench_error_set(err, errno, "write `%s`", path);
	if (rc < 0) {
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (close(fd) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		return bench_error_set(err, e, "write `%s`", path);
	}
	/* Checked again just before: what was planted meanwhile is not replaced.  */
	if (check_replaceable_at(dirfd, name, path, err) < 0) {
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		return bench_error_set(err, e, "write `%s`", path);
	}
	return 0;
}

int safefile_check_replaceable(const char *path, struct bench_error *err)
{
	return check_replaceable_at(AT_FDCWD, path, path, err);
}

int safefile_check_writable(const char *path, struct bench_error *err)
{
	cleanup_free char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');
	struct stat st;

	if (!path[0])
		return bench_error_set(err, 0, "an empty file name");
	if (util_ends_with(path, "/"))
		return bench_error_set(err, 0, "`%s` is a folder, not a regular file", path);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return bench_error_set(err, 0, "`%s` is a folder, not a regular file", path);
	if (slash)
		*(slash == parent ? slash + 1 : slash) = '\0';
	if (stat(slash ? parent : ".", &st) < 0)
		return bench_error_set(err, errno, "the folder of `%s`", path);
	if (!S_ISDIR(st.st_mode))
		return bench_error_set(err, ENOTDIR, "the folder of `%s`", path);
	/* Root passes access(W_OK) on a read-only mount: EROFS is still said.  */
	if (access(slash ? parent : ".", W_OK) < 0)
		return bench_error_set(err, errno, "cannot write in the folder of `%s`", path);
	return 0;
}

/* The folders from the top down to the one being emptied: names and
 * identities in memory, one descriptor (the deepest) open at a time.  */
struct level {
	char *name;		/* in its parent */
	dev_t dev;
	ino_t ino;
};

/* Unlink every entry of the folder fd that is not a folder; the first
 * folder's name (a new string) in *sub, or NULL when none is left.  */
static int empty_files(int fd, dev_t dev, const char *top, char **sub, struct bench_error *err)
{
	struct dirent *e;
	struct stat st;
	int dfd = dup(fd), rc = 0;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;

	*sub = NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return bench_error_set(err, errno, "remove `%s`", top);
	}
	rewinddir(d);
	while (rc == 0 && !*sub && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				rc = bench_error_set(err, errno, "remove `%s`: `%s`", top, e->d_name);
		} else if (S_ISDIR(st.st_mode)) {
			if (st.st_dev != dev)
				rc = bench_error_set(err, 0, "remove `%s`: `%s` is on another file system",
						     top, e->d_name);
			else
				*sub = xstrdup(e->d_name);
		} else if (unlinkat(fd, e->d_name, 0) < 0 && errno != ENOENT) {
			rc = bench_error_set(err, errno, "remove `%s`: `%s`", top, e->d_name);
		}
	}
	closedir(d);
	return rc;
}

/* Empty and remove the folder name in parent, on the device dev only,
 * without recursion: down into one folder at a time, back up through ".."
 * only when it is still the folder come from (same device and inode), so
 * that a tree moved meanwhile is not followed.  */
static int remove_at(int parent, const char *name, dev_t dev, const char *top,
		     struct bench_error *err)
{
	struct level *up = NULL;
	size_t depth = 0, cap = 0;
	struct stat st;
	int fd, rc = 0;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : bench_error_set(err, errno, "remove `%s`", top);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			return bench_error_set(err, errno, "remove `%s`", top);
		return 0;
	}
	if (st.st_dev != dev)
		return bench_error_set(err, 0, "remove `%s`: `%s` is on another file system", top, name);
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return bench_error_set(err, errno, "remove `%s`", top);
	for (;;) {
		char *sub;
		int next;

		if ((rc = empty_files(fd, dev, top, &sub, err)) < 0)
			break;
		if (sub) {
			next = openat(fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next < 0 || fstat(next, &st) < 0 || st.st_dev != dev) {
				rc = bench_error_set(err, next < 0 ? errno : 0, "remove `%s`: `%s`", top, sub);
				if (next >= 0)
					close(next);
				free(sub);
				break;
			}
			if (fstat(fd, &st) < 0) {
				rc = bench_error_set(err, errno, "remove `%s`", top);
				close(next);
				free(sub);
				break;
			}
			if (depth == cap)
				up = xrealloc(up, (cap = cap ? cap * 2 : 64) * sizeof(*up));
			up[depth++] = (struct level){ sub, st.st_dev, st.st_ino };
			close(fd);
			fd = next;
			continue;
		}
		if (depth == 0)
			break;
		/* Empty: back up to the folder come from, and remove it there.  */
		next = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		depth--;
		if (next < 0 || fstat(next, &st) < 0 || st.st_dev != up[depth].dev ||
		    st.st_ino != up[depth].ino) {
			rc = bench_error_set(err, next < 0 ? errno : 0, "remove `%s`: a folder moved "
					     "while it was removed", top);
			if (next >= 0)
				close(next);
			depth++;
			break;
		}
		close(fd);
		fd = next;
		if (unlinkat(fd, up[depth].name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			rc = bench_error_set(err, errno, "remove `%s`: `%s`", top, up[depth].name);
			depth++;
			break;
		}
		free(up[depth].name);
	}
	close(fd);
	for (size_t i = 0; i < depth; i++)
		free(up[i].name);
	free(up);
	if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return bench_error_set(err, errno, "remove `%s`", top);
	return rc;
}

int safefile_remove_tree(const char *path, struct bench_error *err)
{
	struct stat st;

	if (!path[0])
		return 0;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : bench_error_set(err, errno, "remove `%s`", path);
	return remove_at(AT_FDCWD, path, st.st_dev, path, err);
}

int safefile_check_own_folder(const char *path, struct bench_error *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return bench_error_set(err, errno, "`%s`", path);
	if (!S_ISDIR(st.st_mode))
		return bench_error_set(err, 0, "`%s` is not a folder%s", path,
				       S_ISLNK(st.st_mode) ? " but a link: name the folder itself" : "");
	if (st.st_uid != geteuid())
		return bench_error_set(err, 0, "`%s` belongs to user %u, who could replace what is "
				       "written there: choose a folder of your own", path,
				       (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return bench_error_set(err, 0, "`%s` may be written by %s, who could replace what "
				       "is written there: choose a folder only you may write, or "
				       "chmod go-w it", path,
				       st.st_mode & S_IWOTH ? "every user" : "its group");
	return 0;
}

int safefile_is_marked(const char *path, const char *marker)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int fd, empty = 1;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? -1 : 0;
	if (!S_ISDIR(st.st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstatat(fd, marker, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
		close(fd);
		return 1;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while (empty && (e = readdir(d)))
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

int safefile_lock(const char *path, int how, const char *what, struct bench_error *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0)
		return bench_error_set(err, errno, "lock `%s`", path);
	if (flock(fd, how | LOCK_NB) == 0)
		return fd;
	if (errno != EWOULDBLOCK) {
		int e = errno;
		close(fd);
		return bench_error_set(err, e, "lock `%s`", path);
	}
	fprintf(stderr, "sandbench: waiting for %s (`%s` is locked)\n", what, path);
	while (flock(fd, how) < 0) {
		int e = errno;
		if (e == EINTR)
			continue;
		close(fd);
		return bench_error_set(err, e, "lock `%s`", path);
	}
	return fd;
}
