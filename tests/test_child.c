/* The child-process API (bench/lib/child.h): starting, reading, waiting,
 * timing out, stopping, and the process-wide stop flag and registry.  */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/child.h"
#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"

static char *sh[] = { "/bin/sh", "-c", NULL, NULL };

static struct child shell(const char *script)
{
	struct child c = CHILD_INIT;

	sh[2] = (char *)script;
	c.argv = sh;
	c.out = CHILD_PIPE;
	return c;
}

/* Whether pid is alive, not counting a zombie (a child of ours).  */
static int alive(pid_t pid)
{
	char *path = xasprintf("/proc/%d/stat", (int)pid), *text = NULL, *close_paren;
	int yes = 0;

	if (util_read_file(path, 4096, &text, NULL, NULL) == 0 &&
	    (close_paren = strrchr(text, ')')))
		yes = close_paren[1] == ' ' && close_paren[2] != 'Z';
	free(text);
	free(path);
	return yes;
}

/* Wait up to a few seconds for pid to be gone.  */
static int gone(pid_t pid)
{
	for (int i = 0; i < 300 && alive(pid); i++)
		usleep(10000);
	return !alive(pid);
}

/* Start c and read the pid its first line gives (a process it started).  */
static pid_t start_and_read_pid(struct child *c)
{
	struct bench_error err = { 0 };
	int timed_out;
	char *line;
	pid_t pid;

	cr_assert_eq(child_start(c, &err), 0, "%s", err.msg);
	line = child_read_line(c, 5, &timed_out);
	cr_assert_not_null(line);
	pid = atoi(line);
	free(line);
	return pid;
}

Test(child, pipe_and_lines)
{
	struct child c = shell("echo one; echo two; printf three");
	struct bench_error err = { 0 };
	int timed_out;
	char *line;

	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	line = child_read_line(&c, 5, &timed_out);
	cr_assert_str_eq(line, "one");
	free(line);
	line = child_read_line(&c, 5, &timed_out);
	cr_assert_str_eq(line, "two");
	free(line);
	/* The last, unterminated line is not a line.  */
	cr_assert_null(child_read_line(&c, 5, &timed_out));
	cr_assert_eq(timed_out, 0);
	cr_assert_eq(child_finish(&c, 5, &err), 0, "%s", err.msg);
}

Test(child, read_line_past_timeout_stops_the_child)
{
	struct child c = shell("echo hello; exec sleep 60");
	struct bench_error err = { 0 };
	uint64_t t0 = bench_clock_ns();
	int timed_out;
	char *line;

	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	line = child_read_line(&c, 5, &timed_out);
	cr_assert_str_eq(line, "hello");
	free(line);
	cr_assert_null(child_read_line(&c, 0.2, &timed_out));
	cr_assert_eq(timed_out, 1);
	cr_assert_eq(child_finish(&c, 0, &err), -1);
	cr_assert(bench_clock_ns() - t0 < UINT64_C(10000000000), "not stopped");
	cr_assert(strstr(err.msg, "sh") && strstr(err.msg, "timeout"), "%s", err.msg);
}

Test(child, finish_says_exit_status)
{
	struct child c = shell("exit 3");
	struct bench_error err = { 0 };

	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	cr_assert_eq(child_finish(&c, 5, &err), -1);
	cr_assert(strstr(err.msg, "/bin/sh") && strstr(err.msg, "exit status 3"), "%s", err.msg);
	cr_assert(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 3);
}

Test(child, finish_says_signal)
{
	struct child c = shell("kill -TERM $$");
	struct bench_error err = { 0 };

	c.name = "suicide";
	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	cr_assert_eq(child_finish(&c, 5, &err), -1);
	cr_assert(strstr(err.msg, "suicide") && strstr(err.msg, "signal 15"), "%s", err.msg);
}

Test(child, finish_says_timeout)
{
	struct child c = shell("exec sleep 60");
	struct bench_error err = { 0 };
	uint64_t t0 = bench_clock_ns();

	c.stop_signal = SIGTERM;
	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	cr_assert_eq(child_finish(&c, 0.2, &err), -1);
	cr_assert_eq(c.timed_out, 1);
	cr_assert(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGTERM);
	cr_assert(strstr(err.msg, "timeout of 0.2 s"), "%s", err.msg);
	cr_assert(bench_clock_ns() - t0 < UINT64_C(4000000000));
}

Test(child, missing_program_fails_at_start)
{
	char *argv[] = { "/nonexistent/sandbench-no-such-program", NULL };
	char *path_argv[] = { "sandbench-no-such-program", NULL };
	struct child c = CHILD_INIT;
	struct bench_error err = { 0 };

	c.argv = argv;
	cr_assert_eq(child_start(&c, &err), -1);
	cr_assert(strstr(err.msg, "sandbench-no-such-program"), "%s", err.msg);
	cr_assert_eq(c.pid, -1);

	/* The same through fork (a hook) and through PATH.  */
	c = (struct child)CHILD_INIT;
	c.argv = path_argv;
	c.flags = CHILD_SEARCH_PATH | CHILD_DIE_WITH_PARENT;
	memset(&err, 0, sizeof(err));
	cr_assert_eq(child_start(&c, &err), -1);
	cr_assert(strstr(err.msg, "sandbench-no-such-program") && strstr(err.msg, "No such file"),
		  "%s", err.msg);
}

/* Its process group: a stop reaches what it started.  */
Test(child, own_group_stop_reaches_grandchild)
{
	struct child c = shell("sleep 60 & echo $!; wait");
	struct bench_error err = { 0 };
	pid_t grandchild;

	c.flags = CHILD_OWN_GROUP;
	grandchild = start_and_read_pid(&c);
	cr_assert(grandchild > 0 && alive(grandchild));
	child_stop(&c);
	cr_assert_eq(child_finish(&c, 5, &err), -1);
	cr_assert(gone(grandchild), "the grandchild %d outlived the stop", (int)grandchild);
}

Test(child, sigint_sets_the_flag_and_stops_registered_children)
{
	struct child c = shell("exec sleep 60");
	struct bench_error err = { 0 };
	uint64_t t0 = bench_clock_ns();

	child_catch_signals();
	cr_assert_eq(child_stop_requested(), 0);
	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	raise(SIGINT);
	cr_assert_eq(child_stop_requested(), SIGINT);
	cr_assert_eq(child_finish(&c, 5, &err), -1);
	cr_assert(WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGKILL, "%s", err.msg);
	cr_assert(bench_clock_ns() - t0 < UINT64_C(4000000000));
	child_release_signals();
	child_clear_stop();
	cr_assert_eq(child_stop_requested(), 0);
	/* Released: SIGINT is what it was (ignored here, to survive it).  */
	signal(SIGINT, SIG_IGN);
	child_catch_signals();
	child_release_signals();
	raise(SIGINT);
	cr_assert_eq(child_stop_requested(), 0);
}

Test(child, capture_stdout_and_stderr)
{
	char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 4", NULL };
	char *out = NULL, *err_text = NULL;
	struct bench_error err = { 0 };
	int status;

	cr_assert_eq(child_capture(argv, &out, &err_text, &status, &err), 0, "%s", err.msg);
	cr_assert_str_eq(out, "out\n");
	cr_assert_str_eq(err_text, "err\n");
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 4);
	free(out);
	free(err_text);
}

Test(child, read_all_with_max_stops_it)
{
	struct child c = shell("yes");
	struct bench_error err = { 0 };
	char *text;
	size_t len;

	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	text = child_read_all(&c, 5, 100000, &len);
	cr_assert(len > 100000 && len < 300000, "%zu", len);
	cr_assert_eq(strlen(text), len);
	free(text);
	cr_assert_eq(child_finish(&c, 5, &err), -1);
	cr_assert(WIFSIGNALED(c.status), "%s", err.msg);
}

Test(child, extra_fds_and_hook)
{
	int fds[2];
	struct child c = shell("echo via-fd-5 >&5");
	struct bench_error err = { 0 };
	char buf[64] = "";
	ssize_t n;

	cr_assert_eq(pipe(fds), 0);
	c.out = CHILD_NULL;
	c.fds[0].fd = fds[1];
	c.fds[0].as = 5;
	c.nfds = 1;
	c.flags = CHILD_DIE_WITH_PARENT;
	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	cr_assert_gt(n, 0);
	cr_assert_str_eq(buf, "via-fd-5\n");
	close(fds[0]);
	cr_assert_eq(child_finish(&c, 5, &err), 0, "%s", err.msg);
}

/* A timeout met while reading is said with its length by child_finish,
 * whatever timeout child_finish itself was given.  */
Test(child, timeout_while_reading_is_said)
{
	struct child c = shell("exec sleep 60");
	struct bench_error err = { 0 };
	size_t len;

	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	free(child_read_all(&c, 0.2, 1000, &len));
	cr_assert_eq(c.timed_out, 1);
	cr_assert_eq(child_finish(&c, 0, &err), -1);
	cr_assert(strstr(err.msg, "timeout of 0.2 s"), "%s", err.msg);
}

/* Only the descriptors asked for reach the program, with a hook or not
 * (sandbench opens its own close-on-exec; Criterion's are made so).  */
static void only_standard_fds(unsigned flags)
{
	struct child c = shell("exec ls /proc/self/fd");
	struct bench_error err = { 0 };
	char *text;
	size_t len;

	for (int fd = 3; fd < 1024; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	c.flags = flags;
	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	text = child_read_all(&c, 5, 4096, &len);
	/* 3 is ls's own, reading the folder.  */
	cr_assert_str_eq(text, "0\n1\n2\n3\n", "flags %#x", flags);
	free(text);
	cr_assert_eq(child_finish(&c, 5, &err), 0, "%s", err.msg);
}

Test(child, no_descriptor_leaks)
{
	only_standard_fds(0);
	only_standard_fds(CHILD_DIE_WITH_PARENT);
}

Test(child, read_line_longer_than_max_stops_it)
{
	struct child c = shell("echo short; yes | tr -d '\\n'");
	struct bench_error err = { 0 };
	int timed_out;
	char *line;

	c.max_line = 100000;
	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	line = child_read_line(&c, 5, &timed_out);
	cr_assert_str_eq(line, "short");
	free(line);
	cr_assert_null(child_read_line(&c, 5, &timed_out));
	cr_assert_eq(timed_out, 0);
	cr_assert_gt(c.used, c.max_line);
	cr_assert_eq(child_finish(&c, 5, &err), -1);
}

/* Swept: what it left in its group ends with it.  */
Test(child, sweep_group_after_it_ends)
{
	struct child c = shell("sleep 60 & echo $!");
	struct bench_error err = { 0 };
	pid_t grandchild;

	c.flags = CHILD_OWN_GROUP | CHILD_SWEEP_GROUP;
	grandchild = start_and_read_pid(&c);
	cr_assert_eq(child_finish(&c, 5, &err), 0, "%s", err.msg);
	cr_assert(gone(grandchild), "the grandchild %d outlived the sweep", (int)grandchild);
}

/* Before its exec: a grandchild that leaves the session (its pid on
 * stdout), then the child ends at once, before child_start has returned.  */
static int orphan_and_end(void *arg)
{
	char line[32];
	pid_t pid = fork();

	(void)arg;
	if (pid == 0) {
		setsid();
		for (int fd = 0; fd < 1024; fd++)
			close(fd);
		pause();
		_exit(0);
	}
	snprintf(line, sizeof(line), "%d\n", (int)pid);
	if (write(1, line, strlen(line)) < 0)
		_exit(1);
	_exit(0);
}

/* Swept: a child that orphaned a process in another session and ended
 * before child_start returned still leaves it to us, not to init (the
 * subreaper is in place before the fork).  */
Test(child, sweep_reaches_what_a_child_orphaned_before_its_start_returned)
{
	struct child c = shell("exit 0");
	struct bench_error err = { 0 };
	pid_t grandchild;
	int ended;

	c.flags = CHILD_OWN_GROUP | CHILD_SWEEP_GROUP;
	c.before_exec = orphan_and_end;
	grandchild = start_and_read_pid(&c);
	cr_assert_gt(grandchild, 0);
	child_finish(&c, 5, &err);
	ended = gone(grandchild);
	if (!ended)
		kill(grandchild, SIGKILL);	/* left to init: not ours to wait for */
	cr_assert(ended, "the grandchild %d outlived the sweep", (int)grandchild);
}

/* A child that ends while a process it started still holds its pipe: the
 * reader sees the end when the child ends, not at its timeout.  */
Test(child, reader_sees_the_end_of_a_child_whose_pipe_outlives_it)
{
	struct child c = shell("sleep 60 & exit 3");
	struct bench_error err = { 0 };
	uint64_t t0;
	int timed_out;
	char *line;
	size_t len;

	c.flags = CHILD_OWN_GROUP | CHILD_SWEEP_GROUP;
	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	t0 = bench_clock_ns();
	line = child_read_line(&c, 30, &timed_out);
	cr_assert_null(line);
	cr_assert_eq(timed_out, 0);
	cr_assert_lt(bench_clock_ns() - t0, UINT64_C(20000000000), "seen only at the timeout");
	cr_assert_eq(child_finish(&c, 5, &err), -1);
	cr_assert(strstr(err.msg, "exit status 3"), "%s", err.msg);

	c = shell("sleep 60 & printf partial; exit 0");
	c.flags = CHILD_OWN_GROUP | CHILD_SWEEP_GROUP;
	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	line = child_read_all(&c, 30, 1024, &len);
	cr_assert_str_eq(line, "partial");
	cr_assert_eq(c.timed_out, 0);
	free(line);
	cr_assert_eq(child_finish(&c, 5, &err), 0, "%s", err.msg);
}

/* child_done says so every time once it has ended, and child_finish still
 * says how it ended.  */
Test(child, done_stays_done_and_finish_keeps_the_status)
{
	struct child c = shell("exit 4");
	struct bench_error err = { 0 };
	int done = 0;

	cr_assert_eq(child_start(&c, &err), 0, "%s", err.msg);
	for (int i = 0; i < 500 && !(done = child_done(&c)); i++)
		usleep(10000);
	cr_assert(done, "it never ended");
	cr_assert(child_done(&c), "no longer done the second time");
	cr_assert_eq(child_finish(&c, 5, &err), -1);
	cr_assert(strstr(err.msg, "exit status 4"), "%s", err.msg);
}
