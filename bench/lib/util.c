#include "bench/lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "bench/lib/error.h"
#include "bench/lib/safefile.h"

static void die_oom(size_t n)
{
	fprintf(stderr, "sandbench: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		die_oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die_oom(strlen(s));
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		die_oom(0);
	return p;
}

int util_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int util_write_file_atomic(const char *path, const char *data, size_t len,
			   struct bench_error *err)
{
	cleanup_free char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');
	const char *name = slash ? slash + 1 : path;
	int dirfd, rc;

	if (slash)
		*(slash == parent ? slash + 1 : slash) = '\0';
	dirfd = open(slash ? parent : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return bench_error_set(err, errno, "write `%s`: its folder", path);
	rc = safefile_write_at(dirfd, name, path, data, len, err);
	close(dirfd);
	return rc;
}

int util_open_input(const char *path, struct bench_error *err)
{
	struct stat st;
	int fd, flags;

	/* Non-blocking: the open of a FIFO with no writer returns at once.  */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return bench_error_set(err, errno, "open `%s`", path);
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return bench_error_set(err, e, "open `%s`", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return bench_error_set(err, 0, "`%s` is %s, not a regular file: only a regular "
				       "file is read", path, S_ISDIR(st.st_mode) ? "a folder" :
				       S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ?
				       "a socket" : "a device");
	}
	/* A regular file never blocks, but the reader expects blocking reads.  */
	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		int e = errno;
		close(fd);
		return bench_error_set(err, e, "open `%s`", path);
	}
	return fd;
}

int util_read_file(const char *path, size_t max_len, char **out, size_t *len,
		   struct bench_error *err)
{
	gzFile gz;
	char *buf = NULL;
	size_t used = 0, cap = 0;
	int fd = util_open_input(path, err);

	if (fd < 0)
		return -1;
	/* gzdopen reads plain files transparently, so one path serves both.  */
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return bench_error_set(err, ENOMEM, "open `%s`", path);
	}
	for (;;) {
		int n;
		if (cap - used < 65536) {
			/* Never much past the limit: a gzip bomb costs the limit.  */
			cap = cap ? cap * 2 : 131072;
			if (cap > max_len + 65536)
				cap = max_len + 65536;
			buf = xrealloc(buf, cap + 1);
		}
		n = gzread(gz, buf + used, (unsigned)(cap - used));
		if (n < 0) {
			int e;
			const char *msg = gzerror(gz, &e);
			bench_error_set(err, 0, "read `%s`: %s", path,
					e == Z_ERRNO ? strerror(errno) : msg);
			gzclose(gz);
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max_len) {
			gzclose(gz);
			free(buf);
			return bench_error_set(err, 0, "read `%s`: larger than the limit of %zu bytes",
					       path, max_len);
		}
	}
	gzclose(gz);
	if (!buf)
		buf = xmalloc(1);
	buf[used] = '\0';
	*out = buf;
	if (len)
		*len = used;
	return 0;
}

int util_read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	char *nl;

	if (!f)
		return -1;
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

int util_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	/* strtol would skip blanks and take a sign: " 5" and "+5" are not numbers here.  */
	if (!s || (!(*s >= '0' && *s <= '9') && !(*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_number(const char *s, int zero, double *out)
{
	char *end;
	double v;

	if (!s || !((*s >= '0' && *s <= '9') || *s == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v > 0 || (zero && v == 0)) || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

int util_parse_double(const char *s, double *out)
{
	return parse_number(s, 0, out);
}

int util_parse_nonnegative(const char *s, double *out)
{
	return parse_number(s, 1, out);
}

int util_unusable_cpu(const cpu_set_t *want)
{
	cpu_set_t have;

	if (sched_getaffinity(0, sizeof(have), &have) < 0)
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, want) && !CPU_ISSET(cpu, &have))
			return cpu;
	return -1;
}

const char *util_self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return "/proc/self/exe";
	path[n] = '\0';
	return path;
}

int util_mkdir_p(const char *path, struct bench_error *err)
{
	cleanup_free char *copy = xstrdup(path);

	/* Past a leading `/` only: an empty path has no second byte.  */
	for (char *p = copy + (copy[0] == '/'); ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		{
			char saved = *p;
			*p = '\0';
			if (mkdir(copy, 0755) < 0 && errno != EEXIST)
				return bench_error_set(err, errno, "create `%s`", copy);
			*p = saved;
		}
		if (!*p)
			break;
	}
	return 0;
}

int util_make_temp_dir(const char *prefix, char *buf, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	int n;

	/* The process id says whose it is, for a clean-up after a SIGKILL.  */
	n = snprintf(buf, size, "%s/%s-%ld-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix,
		     (long)getpid());
	if (n < 0 || (size_t)n >= size) {
		if (size)
			buf[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!mkdtemp(buf)) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

void util_remove_tree(const char *dir)
{
	safefile_remove_tree(dir, NULL);
}

uint64_t util_random(void)
{
	uint64_t v = 0;
	struct timespec ts;

	if (getrandom(&v, sizeof(v), 0) == sizeof(v))
		return v;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)getpid() << 44;
}

void util_local_time(const char *fmt, char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	if (strftime(buf, size, fmt, &tm) == 0 && size)
		buf[0] = '\0';
}
