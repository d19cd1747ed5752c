/* Files written and removed as root in folders that another user may also
 * write: no link is followed, no name trusted, only regular files replaced,
 * and only folders that carry our own marker removed.  */
#ifndef BENCH_SAFEFILE_H
#define BENCH_SAFEFILE_H

#include <stddef.h>

struct bench_error;

/* Write data to name in the folder dirfd atomically: a new temporary file
 * (O_EXCL|O_NOFOLLOW, a random name), fsync, then rename over name, which
 * must be absent or a regular file.  path names the file in messages; a name
 * ending in ".gz" is gzip-compressed.  */
int safefile_write_at(int dirfd, const char *name, const char *path, const char *data,
		      size_t len, struct bench_error *err);

/* path is absent or a regular file (not a link, device, FIFO or folder):
 * what --force may replace.  */
int safefile_check_replaceable(const char *path, struct bench_error *err);

/* path can be written to: its folder exists and is writable, and path is not
 * a folder.  For checks before anything is measured.  */
int safefile_check_writable(const char *path, struct bench_error *err);

/* Remove the tree at path without following a link or crossing into another
 * file system (rm -rf --one-file-system, race-free): -1 on the first error.  */
int safefile_remove_tree(const char *path, struct bench_error *err);

/* path is a folder of this process's user that no other user may write
 * (not a link): one where what is written stays as written.  */
int safefile_check_own_folder(const char *path, struct bench_error *err);

/* Is path a folder that a marker file named marker says is ours (or an empty
 * folder)?  1 yes, 0 no (also when it is a link), -1 absent.  */
int safefile_is_marked(const char *path, const char *marker);

/* flock() the lock file path (created, never through a link): LOCK_SH or
 * LOCK_EX.  When another holds it, say so on stderr with what, and wait.
 * Returns the fd that holds the lock, or -1.  */
int safefile_lock(const char *path, int how, const char *what, struct bench_error *err);

#endif
