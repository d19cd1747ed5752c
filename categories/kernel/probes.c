/* Kernel probes: the cheapest paths a sandbox can intercept.  */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/lib/child.h"
#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/kernel/probe.h"
#include "categories/native.h"

int probe_refused(struct bench_error *err)
{
	if (!err)
		return -1;
	switch (err->errnum) {
	case ENOSYS:
	case EPERM:
	case EOPNOTSUPP:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
		err->skip = 1;
		bench_error_prefix(err, "unsupported here");
		break;
	default:
		break;
	}
	return -1;
}

/* A private futex operation on addr.  */
static long futex(int *addr, int op, int val)
{
	return syscall(SYS_futex, addr, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

/* ---- syscall_getpid, clock_gettime ---- */

/* getpid through syscall(2): glibc no longer caches getpid, but going
 * through syscall() keeps it a real kernel entry whatever the libc.  */
static int getpid_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		      struct bench_error *err)
{
	long expected = getpid(), pid = 0;

	(void)state;
	(void)elapsed_ns;
	for (uint64_t i = 0; i < loops; i++) {
		pid = syscall(SYS_getpid);
		bench_do_not_optimize(pid);
	}
	if (pid != expected)
		return bench_error_set(err, 0, "getpid returned %ld, expected %ld", pid, expected);
	return 0;
}

const struct bench_native_ops kernel_syscall_getpid_ops = {
	.run = getpid_run,
};

/* The clock the harness itself reads (through the vDSO where there is
 * one: a sandbox that traps it makes every timing dearer).  */
static int clock_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		     struct bench_error *err)
{
	struct timespec first, ts = { 0, 0 };

	if (clock_gettime(CLOCK_MONOTONIC, &first) < 0)
		return probe_error(err, errno, "clock_gettime(CLOCK_MONOTONIC)");
	for (uint64_t i = 0; i < loops; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		bench_do_not_optimize(ts.tv_nsec);
	}
	if (ts.tv_sec < first.tv_sec || (ts.tv_sec == first.tv_sec && ts.tv_nsec < first.tv_nsec))
		return bench_error_set(err, 0, "CLOCK_MONOTONIC went backwards");
	return 0;
}

const struct bench_native_ops kernel_clock_gettime_ops = {
	.run = clock_run,
};

/* ---- file_open_close, file_stat, file_read_4k, file_write_fsync ---- */

#define BLOCK 4096
#define BIG_FILE (1 << 20)
#define LARGE_BLOCK (64 << 10)

struct file_probe {
	char *dir, *path;	/* a temporary folder and the file in it */
	int fd;			/* the file kept open by read and write probes */
	off_t size, offset;	/* next block read or written, wrapping around */
	size_t block;		/* bytes a read probe reads at once */
	unsigned char *buf;
};

static void file_teardown(void *state)
{
	struct file_probe *f = state;

	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (f->path)
		unlink(f->path);
	if (f->dir)
		rmdir(f->dir);
	free(f->path);
	free(f->dir);
	free(f->buf);
	free(f);
}

/* A file of f->size bytes (block i filled with the byte i % 256) in a new
 * folder under $TMPDIR, synced, then opened with flags unless flags < 0.  */
static int file_create(struct file_probe *f, int flags, struct bench_error *err)
{
	const char *tmp = getenv("TMPDIR");
	cleanup_close int fd = -1;

	f->dir = xasprintf("%s/sandbench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir)) {
		probe_error(err, errno, "create a folder `%s`", f->dir);
		free(f->dir);
		f->dir = NULL;
		return -1;
	}
	f->path = xasprintf("%s/probe.dat", f->dir);
	fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return probe_error(err, errno, "create `%s`", f->path);
	for (off_t off = 0; off < f->size; off += BLOCK) {
		ssize_t n;

		memset(f->buf, (int)((off / BLOCK) & 0xff), BLOCK);
		n = pwrite(fd, f->buf, BLOCK, off);
		if (n != BLOCK)
			return probe_error(err, n < 0 ? errno : ENOSPC, "write `%s`", f->path);
	}
	/* Dirty pages left from set-up would be flushed by the first fsync.  */
	if (fsync(fd) < 0)
		return probe_error(err, errno, "fsync `%s`", f->path);
	if (flags >= 0) {
		f->fd = open(f->path, flags | O_CLOEXEC);
		if (f->fd < 0)
			return probe_error(err, errno, "open `%s`", f->path);
	}
	return 0;
}

/* One pass over the file, so that every timed read hits the page cache.  */
static int file_warm(struct file_probe *f, struct bench_error *err)
{
	for (off_t off = 0; off < f->size; off += BLOCK) {
		ssize_t n = pread(f->fd, f->buf, BLOCK, off);

		if (n != BLOCK)
			return probe_error(err, n < 0 ? errno : 0, "read `%s` at %lld: %zd bytes",
					   f->path, (long long)off, n);
	}
	return 0;
}

static int file_setup(void **state, off_t size, int flags, struct bench_error *err)
{
	struct file_probe *f = xcalloc(1, sizeof(*f));

	f->fd = -1;
	f->size = size;
	f->block = BLOCK;
	f->buf = xmalloc(BLOCK);
	if (file_create(f, flags, err) < 0 || (flags == O_RDONLY && file_warm(f, err) < 0)) {
		file_teardown(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int small_file_setup(void **state, struct bench_error *err)
{
	return file_setup(state, BLOCK, -1, err);
}

static int open_close_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
			  struct bench_error *err)
{
	struct file_probe *f = state;

	for (uint64_t i = 0; i < loops; i++) {
		int fd = open(f->path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return probe_error(err, errno, "open `%s`", f->path);
		if (close(fd) < 0)
			return probe_error(err, errno, "close `%s`", f->path);
	}
	return 0;
}

const struct bench_native_ops kernel_file_open_close_ops = {
	.setup = small_file_setup,
	.run = open_close_run,
	.teardown = file_teardown,
};

static int stat_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		    struct bench_error *err)
{
	struct file_probe *f = state;
	struct stat st = { 0 };

	for (uint64_t i = 0; i < loops; i++)
		if (stat(f->path, &st) < 0)
			return probe_error(err, errno, "stat `%s`", f->path);
	if (st.st_size != f->size)
		return bench_error_set(err, 0, "stat `%s`: %lld bytes, expected %lld", f->path,
				       (long long)st.st_size, (long long)f->size);
	return 0;
}

const struct bench_native_ops kernel_file_stat_ops = {
	.setup = small_file_setup,
	.run = stat_run,
	.teardown = file_teardown,
};

static int read_setup(void **state, struct bench_error *err)
{
	return file_setup(state, BIG_FILE, O_RDONLY, err);
}

/* Reads of 64 KiB: a buffered reader's chunk (xml.etree's parse reads
 * 64 KiB at a time, iterparse 16 KiB), against file_read_4k's page, so
 * that the budget prices a read by its size.  */
static int read_64k_setup(void **state, struct bench_error *err)
{
	struct file_probe *f;

	if (file_setup(state, BIG_FILE, O_RDONLY, err) < 0)
		return -1;
	f = *state;
	f->block = LARGE_BLOCK;
	free(f->buf);
	f->buf = xmalloc(LARGE_BLOCK);
	return 0;
}

static int read_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		    struct bench_error *err)
{
	struct file_probe *f = state;

	for (uint64_t i = 0; i < loops; i++) {
		ssize_t n = pread(f->fd, f->buf, f->block, f->offset);

		if (n != (ssize_t)f->block)
			return probe_error(err, n < 0 ? errno : 0, "read `%s` at %lld: %zd bytes",
					   f->path, (long long)f->offset, n);
		if (f->buf[0] != ((f->offset / BLOCK) & 0xff))
			return bench_error_set(err, 0, "read `%s` at %lld: wrong data", f->path,
					       (long long)f->offset);
		f->offset = (f->offset + (off_t)f->block) % f->size;
	}
	return 0;
}

const struct bench_native_ops kernel_file_read_4k_ops = {
	.setup = read_setup,
	.run = read_run,
	.teardown = file_teardown,
};

const struct bench_native_ops kernel_file_read_64k_ops = {
	.setup = read_64k_setup,
	.run = read_run,
	.teardown = file_teardown,
};

static int write_setup(void **state, struct bench_error *err)
{
	return file_setup(state, BIG_FILE, O_WRONLY, err);
}

/* Overwrite blocks of an allocated file: the cost of the write and of
 * getting it to the device, not of growing the file.  */
static int write_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		     struct bench_error *err)
{
	struct file_probe *f = state;

	for (uint64_t i = 0; i < loops; i++) {
		ssize_t n = pwrite(f->fd, f->buf, BLOCK, f->offset);

		if (n != BLOCK)
			return probe_error(err, n < 0 ? errno : ENOSPC, "write `%s` at %lld",
					   f->path, (long long)f->offset);
		if (fsync(f->fd) < 0)
			return probe_error(err, errno, "fsync `%s`", f->path);
		f->offset = (f->offset + BLOCK) % f->size;
	}
	return 0;
}

const struct bench_native_ops kernel_file_write_fsync_ops = {
	.setup = write_setup,
	.run = write_run,
	.teardown = file_teardown,
};

/* ---- probes that price one system call each, for `explain --budget` ---- */

/* lseek and fstat on the small file, kept open.  */
static int small_open_setup(void **state, struct bench_error *err)
{
	return file_setup(state, BLOCK, O_RDONLY, err);
}

static int lseek_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		     struct bench_error *err)
{
	struct file_probe *f = state;
	off_t off = 0;

	for (uint64_t i = 0; i < loops; i++) {
		off = lseek(f->fd, (off_t)(i & 1), SEEK_SET);
		if (off < 0)
			return probe_error(err, errno, "lseek `%s`", f->path);
	}
	if (loops && off != (off_t)((loops - 1) & 1))
		return bench_error_set(err, 0, "lseek `%s` went to %lld", f->path, (long long)off);
	return 0;
}

const struct bench_native_ops kernel_file_lseek_ops = {
	.setup = small_open_setup,
	.run = lseek_run,
	.teardown = file_teardown,
};

static int fstat_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		     struct bench_error *err)
{
	struct file_probe *f = state;
	struct stat st = { 0 };

	for (uint64_t i = 0; i < loops; i++)
		if (fstat(f->fd, &st) < 0)
			return probe_error(err, errno, "fstat `%s`", f->path);
	if (st.st_size != f->size)
		return bench_error_set(err, 0, "fstat `%s`: %lld bytes, expected %lld", f->path,
				       (long long)st.st_size, (long long)f->size);
	return 0;
}

const struct bench_native_ops kernel_file_fstat_ops = {
	.setup = small_open_setup,
	.run = fstat_run,
	.teardown = file_teardown,
};

/* ---- dir_getdents ---- */

#define DIR_ENTRIES 50

struct dir_probe {
	char *dir;
	int fd;
	unsigned created;	/* files made so far, for teardown */
	char buf[32768];	/* room for every entry in one call */
};

static void dir_teardown(void *state)
{
	struct dir_probe *d = state;

	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	for (unsigned i = 0; i < d->created; i++) {
		cleanup_free char *path = xasprintf("%s/entry-%02u.txt", d->dir, i);
		unlink(path);
	}
	if (d->dir)
		rmdir(d->dir);
	free(d->dir);
	free(d);
}

/* A folder of DIR_ENTRIES empty files under $TMPDIR, where pathlib's
 * tree is, opened for reading its entries.  */
static int dir_start(struct dir_probe *d, struct bench_error *err)
{
	const char *tmp = getenv("TMPDIR");

	d->dir = xasprintf("%s/sandbench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(d->dir)) {
		probe_error(err, errno, "create a folder `%s`", d->dir);
		free(d->dir);
		d->dir = NULL;
		return -1;
	}
	for (; d->created < DIR_ENTRIES; d->created++) {
		cleanup_free char *path = xasprintf("%s/entry-%02u.txt", d->dir, d->created);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

		if (fd < 0)
			return probe_error(err, errno, "create `%s`", path);
		close(fd);
	}
	d->fd = open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0)
		return probe_error(err, errno, "open the folder `%s`", d->dir);
	return 0;
}

static int dir_setup(void **state, struct bench_error *err)
{
	struct dir_probe *d = xcalloc(1, sizeof(*d));

	d->fd = -1;
	if (dir_start(d, err) < 0) {
		dir_teardown(d);
		return -1;
	}
	*state = d;
	return 0;
}

/* One getdents64 reading the whole folder (50 files, `.` and `..`), after
 * an lseek back to its start: what os.scandir() does per folder, less the
 * call that finds the end.  */
static int getdents_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
			struct bench_error *err)
{
	struct dir_probe *d = state;
	long n = 0;

	for (uint64_t i = 0; i < loops; i++) {
		if (lseek(d->fd, 0, SEEK_SET) < 0)
			return probe_error(err, errno, "lseek the folder `%s`", d->dir);
		n = syscall(SYS_getdents64, d->fd, d->buf, sizeof(d->buf));
		if (n < 0)
			return probe_error(err, errno, "getdents64 `%s`", d->dir);
	}
	if (loops && n <= 0)
		return bench_error_set(err, 0, "getdents64 `%s`: no entries", d->dir);
	return 0;
}

const struct bench_native_ops kernel_dir_getdents_ops = {
	.setup = dir_setup,
	.run = getdents_run,
	.teardown = dir_teardown,
};

/* ---- futex_wake, epoll_wait_zero ---- */

/* A wake with no waiter: what every release of an uncontended lock that
 * once had a waiter costs (Python's GIL and locks).  */
static int futex_wake_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
			  struct bench_error *err)
{
	int word = 0;
	long woken = 0;

	for (uint64_t i = 0; i < loops; i++) {
		woken = futex(&word, FUTEX_WAKE, 1);
		if (woken < 0)
			return probe_error(err, errno, "futex(FUTEX_WAKE)");
	}
	if (woken != 0)
		return bench_error_set(err, 0, "futex(FUTEX_WAKE) woke %ld waiters, expected none",
				       woken);
	return 0;
}

const struct bench_native_ops kernel_futex_wake_ops = {
	.run = futex_wake_run,
};

struct epoll_probe {
	int ep, pipe[2];
};

static void epoll_teardown(void *state)
{
	struct epoll_probe *e = state;

	if (!e)
		return;
	if (e->ep >= 0)
		close(e->ep);
	if (e->pipe[0] >= 0)
		close(e->pipe[0]);
	if (e->pipe[1] >= 0)
		close(e->pipe[1]);
	free(e);
}

static int epoll_setup(void **state, struct bench_error *err)
{
	struct epoll_probe *e = xcalloc(1, sizeof(*e));
	struct epoll_event ev = { .events = EPOLLIN };

	e->ep = e->pipe[0] = e->pipe[1] = -1;
	if (pipe2(e->pipe, O_CLOEXEC) < 0) {
		probe_error(err, errno, "create a pipe");
		goto fail;
	}
	e->ep = epoll_create1(EPOLL_CLOEXEC);
	if (e->ep < 0 || epoll_ctl(e->ep, EPOLL_CTL_ADD, e->pipe[0], &ev) < 0) {
		probe_error(err, errno, "watch a pipe with epoll");
		goto fail;
	}
	*state = e;
	return 0;
fail:
	epoll_teardown(e);
	return -1;
}

/* A poll of one idle pipe that returns at once: an asyncio event loop's
 * turn with nothing ready.  */
static int epoll_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		     struct bench_error *err)
{
	struct epoll_probe *e = state;
	struct epoll_event ev;

	for (uint64_t i = 0; i < loops; i++) {
		int n = epoll_wait(e->ep, &ev, 1, 0);

		if (n < 0)
			return probe_error(err, errno, "epoll_wait");
		if (n > 0)
			return bench_error_set(err, 0, "epoll_wait: an idle pipe is ready");
	}
	return 0;
}

const struct bench_native_ops kernel_epoll_wait_zero_ops = {
	.setup = epoll_setup,
	.run = epoll_run,
	.teardown = epoll_teardown,
};

/* ---- pipe_pingpong ---- */

/* Two threads rather than two processes: the same pipe path in the
 * kernel, and nothing to reap.  */
struct pipe_probe {
	int to_echo[2], from_echo[2];
	pthread_t thread;
	int started;
};

static ssize_t read_retry(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static void *pipe_echo(void *arg)
{
	struct pipe_probe *p = arg;
	char c;

	while (read_retry(p->to_echo[0], &c, 1) == 1)
		if (write(p->from_echo[1], &c, 1) != 1)
			break;
	/* Wake a reader rather than leave it waiting for us.  */
	close(p->from_echo[1]);
	p->from_echo[1] = -1;
	return NULL;
}

static void pipe_teardown(void *state)
{
	struct pipe_probe *p = state;

	if (!p)
		return;
	/* End of file on its pipe stops the echo thread.  */
	if (p->to_echo[1] >= 0)
		close(p->to_echo[1]);
	if (p->started)
		pthread_join(p->thread, NULL);
	if (p->to_echo[0] >= 0)
		close(p->to_echo[0]);
	if (p->from_echo[0] >= 0)
		close(p->from_echo[0]);
	if (p->from_echo[1] >= 0)
		close(p->from_echo[1]);
	free(p);
}

static int pipe_start(struct pipe_probe *p, struct bench_error *err)
{
	int rc;

	if (pipe2(p->to_echo, O_CLOEXEC) < 0 || pipe2(p->from_echo, O_CLOEXEC) < 0)
		return probe_error(err, errno, "create a pipe");
	rc = pthread_create(&p->thread, NULL, pipe_echo, p);
	if (rc != 0)
		return probe_error(err, rc, "start the echo thread");
	p->started = 1;
	return 0;
}

static int pipe_setup(void **state, struct bench_error *err)
{
	struct pipe_probe *p = xcalloc(1, sizeof(*p));

	p->to_echo[0] = p->to_echo[1] = p->from_echo[0] = p->from_echo[1] = -1;
	if (pipe_start(p, err) < 0) {
		pipe_teardown(p);
		return -1;
	}
	*state = p;
	return 0;
}

static int pipe_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		    struct bench_error *err)
{
	struct pipe_probe *p = state;

	for (uint64_t i = 0; i < loops; i++) {
		char c = (char)i, back;
		ssize_t n;

		if (write(p->to_echo[1], &c, 1) != 1)
			return probe_error(err, errno, "write to the pipe");
		n = read_retry(p->from_echo[0], &back, 1);
		if (n != 1)
			return bench_error_set(err, n < 0 ? errno : 0, "read from the pipe%s",
					       n == 0 ? ": the echo thread stopped" : "");
		if (back != c)
			return bench_error_set(err, 0, "pipe: sent byte %d, got %d back", c, back);
	}
	return 0;
}

const struct bench_native_ops kernel_pipe_pingpong_ops = {
	.setup = pipe_setup,
	.run = pipe_run,
	.teardown = pipe_teardown,
};

/* ---- futex_pingpong ---- */

/* Whose turn it is: the word both threads wait on.  */
enum { TURN_MAIN, TURN_ECHO, TURN_STOP };

struct futex_probe {
	int word;
	uint64_t rounds;	/* turns the echo thread handed back */
	int echo_errno;		/* why the echo thread stopped early */
	pthread_t thread;
	int started;
};

static void *futex_echo(void *arg)
{
	struct futex_probe *f = arg;

	for (;;) {
		int turn = __atomic_load_n(&f->word, __ATOMIC_ACQUIRE);

		if (turn == TURN_STOP)
			break;
		if (turn == TURN_MAIN) {
			if (futex(&f->word, FUTEX_WAIT, TURN_MAIN) < 0 && errno != EAGAIN &&
			    errno != EINTR) {
				f->echo_errno = errno;
				__atomic_store_n(&f->word, TURN_STOP, __ATOMIC_RELEASE);
				futex(&f->word, FUTEX_WAKE, 1);
				break;
			}
			continue;
		}
		f->rounds++;
		/* Hand the turn back unless teardown asked to stop meanwhile.  */
		__atomic_compare_exchange_n(&f->word, &turn, TURN_MAIN, 0, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE);
		futex(&f->word, FUTEX_WAKE, 1);
	}
	return NULL;
}

static void futex_teardown(void *state)
{
	struct futex_probe *f = state;

	if (!f)
		return;
	if (f->started) {
		__atomic_store_n(&f->word, TURN_STOP, __ATOMIC_RELEASE);
		futex(&f->word, FUTEX_WAKE, 1);
		pthread_join(f->thread, NULL);
	}
	free(f);
}

static int futex_start(struct futex_probe *f, struct bench_error *err)
{
	int rc;

	/* Both operations once, before a thread depends on them: a wait on a
	 * value the word does not hold returns EAGAIN at once.  */
	if (futex(&f->word, FUTEX_WAKE, 1) < 0)
		return probe_error(err, errno, "futex(FUTEX_WAKE)");
	if (futex(&f->word, FUTEX_WAIT, TURN_ECHO) == 0 || errno != EAGAIN)
		return probe_error(err, errno, "futex(FUTEX_WAIT)");
	rc = pthread_create(&f->thread, NULL, futex_echo, f);
	if (rc != 0)
		return probe_error(err, rc, "start the echo thread");
	f->started = 1;
	return 0;
}

static int futex_setup(void **state, struct bench_error *err)
{
	struct futex_probe *f = xcalloc(1, sizeof(*f));

	f->word = TURN_MAIN;
	if (futex_start(f, err) < 0) {
		futex_teardown(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int futex_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		     struct bench_error *err)
{
	struct futex_probe *f = state;
	uint64_t before = f->rounds;
	int turn;

	for (uint64_t i = 0; i < loops; i++) {
		__atomic_store_n(&f->word, TURN_ECHO, __ATOMIC_RELEASE);
		if (futex(&f->word, FUTEX_WAKE, 1) < 0)
			return probe_error(err, errno, "futex(FUTEX_WAKE)");
		while ((turn = __atomic_load_n(&f->word, __ATOMIC_ACQUIRE)) == TURN_ECHO)
			if (futex(&f->word, FUTEX_WAIT, TURN_ECHO) < 0 && errno != EAGAIN &&
			    errno != EINTR)
				return probe_error(err, errno, "futex(FUTEX_WAIT)");
		if (turn == TURN_STOP)
			return probe_error(err, f->echo_errno, "futex(FUTEX_WAIT) in the echo thread");
	}
	if (f->rounds - before != loops)
		return bench_error_set(err, 0, "futex: %llu round trips, expected %llu",
				       (unsigned long long)(f->rounds - before),
				       (unsigned long long)loops);
	return 0;
}

const struct bench_native_ops kernel_futex_pingpong_ops = {
	.setup = futex_setup,
	.run = futex_run,
	.teardown = futex_teardown,
};

/* ---- fork_exec, vfork_exec ---- */

/* A child by fork (its parent's memory copied) or vfork (shared until the
 * exec) that execs argv: its pid, or -1.  The child never returns here,
 * as vfork requires.  */
static pid_t start_noop(int by_vfork, char *const argv[], char *const env[])
{
	pid_t pid = by_vfork ? vfork() : fork();

	if (pid == 0) {
		execve(argv[0], argv, env);
		_exit(127);
	}
	return pid;
}

/* loops times: a child by fork or vfork, exec of the binary's no-op mode,
 * wait.  */
static int exec_noop(uint64_t loops, int by_vfork, struct bench_error *err)
{
	char *argv[] = { (char *)util_self_exe(), "__noop", NULL };
	char *const *env = child_env();
	char what[128];

	for (uint64_t i = 0; i < loops; i++) {
		pid_t pid = start_noop(by_vfork, argv, env);
		int status;

		if (pid < 0)
			return probe_error(err, errno, by_vfork ? "vfork" : "fork");
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return bench_error_set(err, errno, "wait for `%s __noop`", argv[0]);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			child_describe_status(status, what, sizeof(what));
			return bench_error_set(err, 0, "child `%s __noop` failed: %s%s", argv[0],
					       what, WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
					       " (exec failed)" : "");
		}
	}
	return 0;
}

/* The classic way, against process_spawn's posix_spawn.  */
static int fork_exec_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
			 struct bench_error *err)
{
	(void)state;
	(void)elapsed_ns;
	return exec_noop(loops, 0, err);
}

const struct bench_native_ops kernel_fork_exec_ops = {
	.run = fork_exec_run,
};

/* How posix_spawn and Python's subprocess make a process, without
 * posix_spawn's reset of every signal's action in the child: the price of
 * execve (bench/report/budget_prices.c).  */
static int vfork_exec_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
			  struct bench_error *err)
{
	(void)state;
	(void)elapsed_ns;
	return exec_noop(loops, 1, err);
}

const struct bench_native_ops kernel_vfork_exec_ops = {
	.run = vfork_exec_run,
};
