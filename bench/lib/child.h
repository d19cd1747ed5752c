/* Child processes: the one way sandbench starts, reads, waits for, times
 * out and stops another process (git's run-command.h is the model).
 *
 *	struct child c = CHILD_INIT;
 *	c.argv = argv;
 *	c.out = CHILD_PIPE;
 *	if (child_start(&c, err) < 0)
 *		return -1;
 *	... read c.from ...
 *	return child_finish(&c, timeout, err);
 *
 * The process-wide part lives here too, and only here: one flag set by
 * SIGINT, SIGTERM and SIGHUP (child_catch_signals), and one registry of
 * the children alive, each of which the handler passes its stop signal,
 * so that Ctrl-C stops whatever is running below.  */
#ifndef BENCH_LIB_CHILD_H
#define BENCH_LIB_CHILD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bench_error;

/* What a standard stream of the child is, besides a descriptor of ours.  */
enum {
	CHILD_NULL = -1,	/* /dev/null (the default, as 0 would be ours) */
	CHILD_INHERIT = -2,	/* the parent's own */
	CHILD_PIPE = -3,	/* a new pipe, whose other end is c.to / c.from
				 * (as err: the same pipe as out) */
};

enum child_flags {
	CHILD_SEARCH_PATH = 1 << 0,	/* argv[0] is looked up in PATH */
	CHILD_CALLER_ENV = 1 << 1,	/* the caller's environment, not child_env() */
	CHILD_DIE_WITH_PARENT = 1 << 2,	/* SIGKILL when sandbench dies */
	CHILD_OWN_GROUP = 1 << 3,	/* a process group of its own: stops reach its children */
	CHILD_IGNORE_STOPS = 1 << 4,	/* SIGINT and SIGTERM ignored (a log relay) */
	CHILD_SWEEP_GROUP = 1 << 5,	/* with OWN_GROUP: once it has ended, what is
					 * left of its group gets SIGKILL */
	CHILD_PASS_SIGNAL = 1 << 7,	/* SIGINT, SIGTERM, SIGHUP reach it as they came,
					 * not as its stop signal (a job's `run`) */
	CHILD_KEEP_ON_STOP = 1 << 6,	/* not in the registry: Ctrl-C does not stop it,
					 * its caller does once it has cleaned up (a daemon) */
};

#define CHILD_MAX_FDS 4

struct child {
	/* Set by the caller.  */
	char *const *argv;
	const char *name;		/* in messages; argv[0] when NULL */
	int in, out, err;		/* a descriptor, CHILD_NULL, CHILD_INHERIT or CHILD_PIPE */
	struct { int fd, as; } fds[CHILD_MAX_FDS];	/* more descriptors: fd is `as` in the child */
	int nfds;
	unsigned flags;
	int stop_signal;		/* what stops it (timeout, Ctrl-C); SIGKILL when 0 */
	/* Run in the child before exec, after its descriptors are in place
	 * (without one, and without DIE_WITH_PARENT or IGNORE_STOPS, the
	 * child is started with posix_spawn):
	 * pinning, personality, namespaces.  Non-zero: exec is not tried and
	 * child_start fails with that errno.  */
	int (*before_exec)(void *arg);
	void *arg;
	char *const *env;		/* instead of child_env() when not NULL */
	size_t max_line;		/* child_read_line: a longer line stops it (0: no limit) */

	/* Set by child_start and child_finish.  */
	pid_t pid;
	int to, from;			/* our ends of CHILD_PIPE stdin / stdout */
	int status;			/* its wait status, once finished */
	int timed_out;			/* it was stopped by a timeout */
	int ended;			/* reaped by child_done */
	double timeout;			/* that timeout, in seconds */
	char *buf;			/* what was read by child_read_line and not returned yet */
	size_t used, cap;
};

#define CHILD_INIT { .in = CHILD_NULL, .out = CHILD_NULL, .err = CHILD_NULL, \
		     .pid = -1, .to = -1, .from = -1 }

/* Start it: 0, or -1 with a message naming it (a program that cannot be
 * executed is said here, not later as exit status 127).  The child is in
 * the registry until child_finish.  */
int child_start(struct child *c, struct bench_error *err);

/* Close our ends of its pipes, wait for it to end (past timeout seconds,
 * 0 for never, it gets its stop signal and SIGKILL 5 s later), take it out
 * of the registry.  0 when it exited 0; else -1 with a message naming it:
 * its exit status, its signal, or the timeout.  */
int child_finish(struct child *c, double timeout, struct bench_error *err);

/* Send it its stop signal now (to its group with CHILD_OWN_GROUP).  */
void child_stop(const struct child *c);

/* Has it ended (without waiting)?  Then child_finish says how.  */
int child_done(struct child *c);

/* The next line it wrote on c.from, without the newline, within timeout
 * seconds (0: no limit): a new string.  NULL at the end of its output
 * (*timed_out 0), past c.max_line bytes (*timed_out 0, c.used > c.max_line:
 * it got its stop signal) or past the timeout (*timed_out 1: it got its
 * stop signal).  */
char *child_read_line(struct child *c, double timeout, int *timed_out);

/* Everything it writes on c.from until it closes it, at most max bytes
 * (then it is stopped), within timeout seconds (0: no limit): a new
 * NUL-terminated string, its length in *len; c.timed_out when stopped.  */
char *child_read_all(struct child *c, double timeout, size_t max, size_t *len);

/* Run argv to its end with sandbench's standard streams: 0 when it
 * exited 0, else -1 with a message.  */
int child_run(char *const argv[], unsigned flags, struct bench_error *err);

/* Run argv (found in PATH, the caller's environment, stdin /dev/null),
 * collect its stdout (a new string) and wait status; its stderr into
 * *err_text when not NULL.  It dies with the caller.  -1 only when it
 * cannot be started.  */
int child_capture(char *const argv[], char **out, char **err_text, int *status,
		  struct bench_error *err);

/* "exit status 3", "killed by signal 9 (Killed)".  */
void child_describe_status(int status, char *buf, size_t size);

/* The environment children get by default: a fixed, minimal one (PATH,
 * HOME, TMPDIR, LANG and LC_ALL when set), so that results do not depend
 * on the caller's shell.  NULL-terminated, static.  */
char *const *child_env(void);

/* ---- the process-wide part ---- */

/* SIGINT, SIGTERM and SIGHUP set the stop flag and pass every registered
 * child its stop signal; SIGPIPE is ignored.  child_release_signals puts
 * back what was there.  Nested calls are counted.  */
void child_catch_signals(void);
void child_release_signals(void);

/* The signal that asked sandbench to stop, or 0.  */
int child_stop_requested(void);

/* Forget a stop asked earlier (a command that handled it).  */
void child_clear_stop(void);

#endif
