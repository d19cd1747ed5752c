#include "bench/lib/child.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"

#define MAX_CHILDREN 64
#define KILL_GRACE_NS UINT64_C(5000000000)
#define CHECK_ENDED_MS 200	/* how often a reader checks that its child still runs */

/* ---- the registry and the stop flag ---- */

static volatile sig_atomic_t stop_requested;
static volatile pid_t registry[MAX_CHILDREN];	/* negative: a process group */
static volatile int registry_signal[MAX_CHILDREN];	/* 0: the one received */
static struct sigaction old_int, old_term, old_hup, old_pipe;
static int catching;

static void on_stop_signal(int sig)
{
	stop_requested = sig;
	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		pid_t pid = registry[i];
		if (pid)
			kill(pid, registry_signal[i] ? registry_signal[i] : sig);
	}
}

void child_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	if (catching++)
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, &old_pipe);
}

void child_release_signals(void)
{
	if (catching == 0 || --catching)
		return;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
}

int child_stop_requested(void)
{
	return stop_requested;
}

void child_clear_stop(void)
{
	stop_requested = 0;
}

static pid_t target(const struct child *c)
{
	return c->flags & CHILD_OWN_GROUP ? -c->pid : c->pid;
}

static int stop_signal(const struct child *c)
{
	return c->stop_signal ? c->stop_signal : SIGKILL;
}

static void track(const struct child *c)
{
	if (c->flags & CHILD_KEEP_ON_STOP)
		return;
	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		if (registry[i] == 0) {
			registry_signal[i] = c->flags & CHILD_PASS_SIGNAL ? 0 : stop_signal(c);
			registry[i] = target(c);
			return;
		}
	}
	/* Full: it still dies with sandbench when asked to (DIE_WITH_PARENT).  */
}

static void untrack(const struct child *c)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (registry[i] == target(c))
			registry[i] = 0;
}

/* Every child started and not yet finished (daemons too): what
 * end_orphans spares.  */
static pid_t ours[MAX_CHILDREN];

static void remember(pid_t pid)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (ours[i] == 0) {
			ours[i] = pid;
			return;
		}
}

static void forget(pid_t pid)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (ours[i] == pid)
			ours[i] = 0;
}

static int is_ours(pid_t pid)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (ours[i] == pid)
			return 1;
	return 0;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], line[512], *paren;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (util_read_line(path, line, sizeof(line)) < 0 || !(paren = strrchr(line, ')')) ||
	    sscanf(paren + 1, " %*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* After a swept child: the processes its descendants orphaned, ours as a
 * child subreaper (a group sweep misses one that called setsid()), each
 * killed and reaped, until none is left (its own orphans come next).
 * Children started here are spared.  */
static void end_orphans(void)
{
	for (int pass = 0; pass < 100; pass++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		int found = 0;

		if (!d)
			return;
		while ((e = readdir(d))) {
			pid_t pid = (pid_t)atoi(e->d_name);

			if (pid <= 0 || is_ours(pid) || parent_of(pid) != getpid())
				continue;
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			found++;
		}
		closedir(d);
		if (!found)
			return;
	}
}

/* ---- starting ---- */

char *const *child_env(void)
{
	static const char *const keep[] = { "PATH", "HOME", "TMPDIR", "LANG", "LC_ALL" };
	static char *env[sizeof(keep) / sizeof(keep[0]) + 1];
	static char storage[sizeof(keep) / sizeof(keep[0])][4096];
	size_t n = 0;

	if (env[0])
		return env;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		const char *v = getenv(keep[i]);
		if (!v && strcmp(keep[i], "PATH") == 0)
			v = "/usr/local/bin:/usr/bin:/bin";
		if (!v || strlen(v) + strlen(keep[i]) + 2 > sizeof(storage[0]))
			continue;
		snprintf(storage[n], sizeof(storage[n]), "%s=%s", keep[i], v);
		env[n] = storage[n];
		n++;
	}
	env[n] = NULL;
	return env;
}

static const char *child_name(const struct child *c)
{
	return c->name ? c->name : c->argv[0];
}

/* In the child: descriptor `fd` (or what CHILD_NULL/INHERIT say) as `as`.  */
static int child_fd(int fd, int as, int pipe_end)
{
	if (fd == CHILD_INHERIT)
		return 0;
	if (fd == CHILD_PIPE)
		fd = pipe_end;
	if (fd == CHILD_NULL) {
		/* Close-on-exec: only its copy as `as` reaches the program.  */
		fd = open("/dev/null", (as == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
		if (fd < 0)
			return -1;
	}
	if (fd == as)
		return fcntl(fd, F_SETFD, 0);	/* keep it across exec */
	return dup2(fd, as) < 0 ? -1 : 0;
}

/* The child's side of child_start: it reports why it could not exec on
 * `report` (close-on-exec, so that a successful exec says nothing).  */
static void in_child(struct child *c, pid_t parent, int in_end, int out_end, int report)
{
	extern char **environ;
	char *const *env = c->flags & CHILD_CALLER_ENV ? environ : c->env ? c->env : child_env();
	int e = 0, fds[CHILD_MAX_FDS];

	if (c->flags & CHILD_OWN_GROUP)
		setpgid(0, 0);
	/* The signal comes when the thread that forked ends: sandbench forks
	 * from its main thread only.  A parent already gone before the prctl
	 * would never send it: then end here.  */
	if (c->flags & CHILD_DIE_WITH_PARENT) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
	}
	signal(SIGINT, c->flags & CHILD_IGNORE_STOPS ? SIG_IGN : SIG_DFL);
	signal(SIGTERM, c->flags & CHILD_IGNORE_STOPS ? SIG_IGN : SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	/* Out of the way of the descriptors asked for (0-2, fds[].as).  */
	for (int i = 0; i < c->nfds; i++)
		if ((fds[i] = fcntl(c->fds[i].fd, F_DUPFD_CLOEXEC, 10)) < 0)
			e = errno;
	if (report < 10) {
		int r = fcntl(report, F_DUPFD_CLOEXEC, 10);
		report = r < 0 ? report : r;
	}
	if (!e && (child_fd(c->in, 0, in_end) < 0 || child_fd(c->out, 1, out_end) < 0 ||
		   child_fd(c->err, 2, out_end) < 0))
		e = errno;
	for (int i = 0; !e && i < c->nfds; i++)
		if (dup2(fds[i], c->fds[i].as) < 0)
			e = errno;
	if (!e && c->before_exec)
		e = c->before_exec(c->arg);
	if (!e) {
		if (c->flags & CHILD_SEARCH_PATH)
			execvpe(c->argv[0], c->argv, env);
		else
			execve(c->argv[0], c->argv, env);
		e = errno;
	}
	while (write(report, &e, sizeof(e)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* posix_spawn's actions for one standard stream.  */
static void spawn_fd(posix_spawn_file_actions_t *fa, int fd, int as, int pipe_end)
{
	if (fd == CHILD_INHERIT)
		return;
	if (fd == CHILD_NULL)
		posix_spawn_file_actions_addopen(fa, as, "/dev/null", as == 0 ? O_RDONLY : O_WRONLY, 0);
	else
		posix_spawn_file_actions_adddup2(fa, fd == CHILD_PIPE ? pipe_end : fd, as);
}

/* Without a hook to run in the child, posix_spawn: much cheaper than
 * fork for a large parent, and what the start-up workloads measure.  */
static int spawn(struct child *c, int in_end, int out_end)
{
	extern char **environ;
	char *const *env = c->flags & CHILD_CALLER_ENV ? environ : c->env ? c->env : child_env();
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl;
	short flags = POSIX_SPAWN_SETSIGDEF;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	spawn_fd(&fa, c->in, 0, in_end);
	spawn_fd(&fa, c->out, 1, out_end);
	spawn_fd(&fa, c->err, 2, out_end);
	for (int i = 0; i < c->nfds; i++)
		posix_spawn_file_actions_adddup2(&fa, c->fds[i].fd, c->fds[i].as);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	if (c->flags & CHILD_OWN_GROUP) {
		flags |= POSIX_SPAWN_SETPGROUP;
		posix_spawnattr_setpgroup(&attr, 0);
	}
	posix_spawnattr_setflags(&attr, flags);
	rc = c->flags & CHILD_SEARCH_PATH ?
		posix_spawnp(&c->pid, c->argv[0], &fa, &attr, c->argv, env) :
		posix_spawn(&c->pid, c->argv[0], &fa, &attr, c->argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		c->pid = -1;
	return rc;
}

int child_start(struct child *c, struct bench_error *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, report[2], e = 0;
	pid_t parent;
	ssize_t n;

	c->pid = -1;
	c->to = c->from = -1;
	c->status = 0;
	c->timed_out = 0;
	c->ended = 0;
	report[0] = report[1] = -1;
	/* What a worker starts and orphans (after setsid() too) becomes ours,
	 * not init's: child_finish ends it.  Before the fork: a worker that
	 * ended before a late prctl left its orphans to init.  */
	if (c->flags & CHILD_SWEEP_GROUP)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	if ((c->in == CHILD_PIPE && pipe2(in, O_CLOEXEC) < 0) ||
	    ((c->out == CHILD_PIPE || c->err == CHILD_PIPE) && pipe2(out, O_CLOEXEC) < 0)) {
		bench_error_set(err, errno, "`%s`: create a pipe", child_name(c));
		goto fail;
	}
	if (!c->before_exec && !(c->flags & (CHILD_DIE_WITH_PARENT | CHILD_IGNORE_STOPS))) {
		if ((e = spawn(c, in[0], out[1])) != 0) {
			bench_error_set(err, e, "cannot run `%s`", child_name(c));
			goto fail;
		}
		goto started;
	}
	if (pipe2(report, O_CLOEXEC) < 0) {
		bench_error_set(err, errno, "`%s`: create a pipe", child_name(c));
		goto fail;
	}
	fflush(NULL);
	parent = getpid();
	c->pid = fork();
	if (c->pid < 0) {
		bench_error_set(err, errno, "`%s`: fork", child_name(c));
		goto fail;
	}
	if (c->pid == 0)
		in_child(c, parent, in[0], out[1], report[1]);
	close(report[1]);
	report[1] = -1;
	while ((n = read(report[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(report[0]);
	report[0] = -1;
	if (n == sizeof(e)) {
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		c->pid = -1;
		bench_error_set(err, e, "cannot run `%s`", child_name(c));
		goto fail;
	}
	if (c->flags & CHILD_OWN_GROUP)
		setpgid(c->pid, c->pid);	/* no race with a stop sent right away */
started:
	track(c);
	remember(c->pid);
	if (in[0] >= 0)
		close(in[0]);
	if (out[1] >= 0)
		close(out[1]);
	c->to = in[1];
	c->from = out[0];
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (report[i] >= 0)
			close(report[i]);
	}
	return -1;
}

/* ---- reading ---- */

void child_stop(const struct child *c)
{
	if (c->pid > 0)
		kill(target(c), stop_signal(c));
}

int child_done(struct child *c)
{
	/* Reaped here, its status kept: child_finish's waitpid finds none.
	 * Out of the registry at once, as its pid may be reused (a group's id
	 * is not while the group has members: that entry stays).  */
	if (c->ended)
		return 1;
	if (c->pid <= 0 || waitpid(c->pid, &c->status, WNOHANG) != c->pid)
		return 0;
	c->ended = 1;
	if (!(c->flags & CHILD_OWN_GROUP))
		untrack(c);
	return 1;
}

static uint64_t deadline_of(double timeout)
{
	return timeout > 0 ? bench_clock_ns() + (uint64_t)(timeout * 1e9) : 0;
}

/* Wait until c.from is readable (1), the deadline passes (0), or the
 * child has ended with nothing left to read (-1: a process it started
 * may hold the pipe open long after).  */
static int wait_readable(struct child *c, uint64_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = c->from, .events = POLLIN };
		int wait_ms = CHECK_ENDED_MS, r;

		if (deadline) {
			uint64_t now = bench_clock_ns();
			if (now >= deadline)
				return 0;
			if ((deadline - now) / 1000000 < CHECK_ENDED_MS)
				wait_ms = (int)((deadline - now) / 1000000) + 1;
		}
		r = poll(&pfd, 1, wait_ms);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return 1;	/* let read() say what is wrong */
		/* Ended: what it wrote is in the pipe by now, also what it wrote
		 * after the poll above gave up (a worker that replies and exits
		 * between the two was read as one that died).  A process it
		 * started may hold the pipe open: read what is there, wait for
		 * no more.  */
		if (r == 0 && child_done(c))
			return poll(&pfd, 1, 0) > 0 ? 1 : -1;
	}
}

/* Read what is there into c.buf: the bytes read, 0 at the end.  */
static ssize_t fill(struct child *c)
{
	ssize_t n;

	if (c->cap - c->used < 4096) {
		c->cap = c->cap ? 2 * c->cap : 65536;
		c->buf = xrealloc(c->buf, c->cap + 1);
	}
	while ((n = read(c->from, c->buf + c->used, c->cap - c->used)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return 0;
	c->used += (size_t)n;
	return n;
}

static void timed_out(struct child *c, double timeout)
{
	child_stop(c);
	c->timed_out = 1;
	c->timeout = timeout;
}

char *child_read_line(struct child *c, double timeout, int *was_timed_out)
{
	uint64_t deadline = deadline_of(timeout);
	int r;

	*was_timed_out = 0;
	for (;;) {
		char *nl = c->buf ? memchr(c->buf, '\n', c->used) : NULL;
		if (nl) {
			size_t len = (size_t)(nl - c->buf);
			char *line = xmalloc(len + 1);
			memcpy(line, c->buf, len);
			line[len] = '\0';
			memmove(c->buf, nl + 1, c->used - len - 1);
			c->used -= len + 1;
			return line;
		}
		if (c->from >= 0 && c->max_line && c->used > c->max_line) {
			child_stop(c);
			close(c->from);
			c->from = -1;
		}
		if (c->from < 0)
			return NULL;
		r = wait_readable(c, deadline);
		if (r == 0) {
			timed_out(c, timeout);
			*was_timed_out = 1;
			return NULL;
		}
		if (r < 0 || fill(c) == 0) {
			close(c->from);
			c->from = -1;
		}
	}
}

char *child_read_all(struct child *c, double timeout, size_t max, size_t *len)
{
	uint64_t deadline = deadline_of(timeout);
	char *text;

	while (c->from >= 0) {
		int r = wait_readable(c, deadline);
		if (r == 0)
			timed_out(c, timeout);
		if (r <= 0 || fill(c) == 0)
			break;
		if (c->used > max) {
			child_stop(c);
			break;
		}
	}
	text = c->buf ? c->buf : xmalloc(1);
	*len = c->buf ? c->used : 0;
	text[*len] = '\0';
	c->buf = NULL;
	c->used = c->cap = 0;
	return text;
}

/* ---- waiting ---- */

void child_describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "wait status %#x", status);
}

/* waitpid until it ends, its stop signal past `deadline`, SIGKILL past
 * the grace after that.  */
static void wait_for(struct child *c, double timeout)
{
	uint64_t deadline = deadline_of(timeout);
	uint64_t kill_at = 0;
	pid_t r;

	if (c->ended)
		return;
	for (;;) {
		r = waitpid(c->pid, &c->status, deadline || kill_at ? WNOHANG : 0);
		if (r == c->pid || (r < 0 && errno != EINTR))
			return;
		if (r == 0) {
			uint64_t now = bench_clock_ns();
			if (deadline && now >= deadline) {
				timed_out(c, timeout);
				deadline = 0;
				kill_at = now + KILL_GRACE_NS;
			} else if (kill_at && now >= kill_at) {
				kill(target(c), SIGKILL);
				kill_at = 0;
			}
			usleep(2000);
		}
	}
}

/* SIGKILL to what is left of the group, and wait (up to a second) until
 * it is gone: SIGKILL is delivered after kill() returns, and a caller
 * that has finished must not find any of it still running.  */
static void sweep_group(pid_t pgid)
{
	uint64_t deadline = bench_clock_ns() + UINT64_C(1000000000);

	if (kill(-pgid, SIGKILL) < 0)
		return;
	while (kill(-pgid, 0) == 0 && bench_clock_ns() < deadline)
		usleep(1000);
}

int child_finish(struct child *c, double timeout, struct bench_error *err)
{
	char what[128];

	if (c->to >= 0)
		close(c->to);
	if (c->from >= 0)
		close(c->from);
	c->to = c->from = -1;
	free(c->buf);
	c->buf = NULL;
	c->used = c->cap = 0;
	if (c->pid <= 0)
		return bench_error_set(err, 0, "`%s` was not started", c->argv ? child_name(c) : "?");
	wait_for(c, timeout);
	if ((c->flags & (CHILD_OWN_GROUP | CHILD_SWEEP_GROUP)) ==
	    (CHILD_OWN_GROUP | CHILD_SWEEP_GROUP))
		sweep_group(c->pid);
	untrack(c);
	forget(c->pid);
	if (c->flags & CHILD_SWEEP_GROUP)
		end_orphans();
	c->pid = -1;
	if (c->timed_out)
		return bench_error_set(err, 0, "`%s` ran past the timeout of %g s and was stopped",
				       child_name(c), c->timeout);
	if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0)
		return 0;
	child_describe_status(c->status, what, sizeof(what));
	return bench_error_set(err, 0, "`%s` failed (%s)", child_name(c), what);
}

/* ---- whole runs ---- */

int child_run(char *const argv[], unsigned flags, struct bench_error *err)
{
	struct child c = CHILD_INIT;

	c.in = c.out = c.err = CHILD_INHERIT;
	c.argv = argv;
	c.flags = flags;
	if (child_start(&c, err) < 0)
		return -1;
	return child_finish(&c, 0, err);
}

int child_capture(char *const argv[], char **out, char **err_text, int *status,
		  struct bench_error *err)
{
	struct child c = CHILD_INIT;
	char tmpl[] = "/tmp/sandbench-stderr-XXXXXX";
	int errfd = -1;
	size_t len;

	if (err_text) {
		/* A file, not a second pipe: no deadlock when both outputs are big.  */
		errfd = mkostemp(tmpl, O_CLOEXEC);
		if (errfd >= 0)
			unlink(tmpl);
	}
	c.argv = argv;
	/* Nothing it runs outlives a killed sandbench: a SIGKILLed image build
	 * left its cp writing into the folder the next build removes.  */
	c.flags = CHILD_SEARCH_PATH | CHILD_CALLER_ENV | CHILD_DIE_WITH_PARENT;
	c.out = CHILD_PIPE;
	c.err = errfd >= 0 ? errfd : CHILD_NULL;
	if (child_start(&c, err) < 0) {
		if (errfd >= 0)
			close(errfd);
		return -1;
	}
	*out = child_read_all(&c, 0, SIZE_MAX - 1, &len);
	child_finish(&c, 0, NULL);
	*status = c.status;
	if (err_text) {
		*err_text = NULL;
		if (errfd >= 0) {
			struct child f = CHILD_INIT;
			lseek(errfd, 0, SEEK_SET);
			f.from = errfd;
			*err_text = child_read_all(&f, 0, SIZE_MAX - 1, &len);
			close(errfd);
		} else {
			*err_text = xstrdup("");
		}
	}
	return 0;
}
