/* Small helpers: allocation that aborts on out-of-memory, cleanup attributes,
 * whole-file I/O, atomic writes.  */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct bench_error;

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline void cleanup_freep(void *p) { free(*(void **)p); }
static inline void cleanup_closep(int *fd) { if (*fd >= 0) close(*fd); }
#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))

/* Write data to path atomically: a temporary file in the same folder, fsync,
 * then rename; path ending in ".gz" is gzip-compressed.  */
int util_write_file_atomic(const char *path, const char *data, size_t len,
			   struct bench_error *err);

/* Open path to read it: a regular file only (a FIFO, device or folder is
 * refused naming it, without waiting for a FIFO's writer).  The fd, or -1.  */
int util_open_input(const char *path, struct bench_error *err);

/* Read a whole file (gunzipping ".gz"; a regular file only, as above), at
 * most max_len bytes; *out is NUL-terminated and owned by the caller.  */
int util_read_file(const char *path, size_t max_len, char **out, size_t *len,
		   struct bench_error *err);

/* Read the first line of a small file into buf (newline stripped); -1 if absent. */
int util_read_line(const char *path, char *buf, size_t size);

/* mkdir -p: create path and its missing parents.  */
int util_mkdir_p(const char *path, struct bench_error *err);

/* A new folder PREFIX-PID-XXXXXX in $TMPDIR (or /tmp), its path in buf: 0,
 * or -1 with errno set (ENAMETOOLONG when the path does not fit in size,
 * else mkdtemp's) and buf empty, for the caller's message.  The caller
 * removes it (util_remove_tree, which does nothing for "").  */
int util_make_temp_dir(const char *prefix, char *buf, size_t size);

/* rm -rf, without a shell; nothing for "".  */
void util_remove_tree(const char *dir);

/* Does s end with suffix?  */
int util_ends_with(const char *s, const char *suffix);

/* Parse a non-negative integer / a positive number / a number of at least
 * 0 (at most 1e9); -1 on garbage.  */
int util_parse_long(const char *s, long min, long max, long *out);
int util_parse_double(const char *s, double *out);
int util_parse_nonnegative(const char *s, double *out);

/* The first CPU of want that this process may not run on, or -1.  */
int util_unusable_cpu(const cpu_set_t *want);

/* The path of the running binary (/proc/self/exe), for re-exec.  */
const char *util_self_exe(void);

/* 64 random bits: getrandom, or the clock and pid where it fails.  */
uint64_t util_random(void);

/* The local time now, formatted with strftime's fmt.  */
void util_local_time(const char *fmt, char *buf, size_t size);

#endif
