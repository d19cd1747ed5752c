/* Drivers own their behaviour: a runtime is its hooks.  A fake runtime
 * made of hooks alone (a shell for a container) runs, times out, serves a
 * session with its stderr relayed to the log, and is stopped by Ctrl-C
 * through the child registry; the real drivers' hooks say what they say
 * whatever the engine.  No root needed.  */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "containers/driver.h"
#include "containers/engine.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-drivers-XXXXXX";

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(drivers, .init = setup, .fini = teardown, .timeout = 120);

/* The fake runtime: `sh -c SCRIPT`, SCRIPT being the run's first argument.  */
static int fake_prepare(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err)
{
	(void)err;
	ctr_argv_add(&pr->argv, "sh");
	ctr_argv_add(&pr->argv, "-c");
	ctr_argv_add(&pr->argv, run->args[0] && strcmp(run->args[0], "__serve") != 0 ?
		     run->args[0] : getenv("FAKE_SERVER"));
	return 0;
}

static int refuse(const struct ctr_run *run)
{
	(void)run;
	return EPERM;
}

static const struct ctr_driver fake = { .name = "fake", .prepare = fake_prepare };
static const struct ctr_driver fake_refused = {
	.name = "fake", .prepare = fake_prepare, .before_exec = refuse,
};

static int run_script(const struct ctr_driver *d, const char *script, double timeout, int log_fd,
		      struct bench_error *err)
{
	const char *args[] = { script, NULL };
	int status;

	return ctr_run(&(struct ctr_run){ .driver = d, .args = args, .timeout = timeout,
					  .log_fd = log_fd }, &status, err);
}

Test(drivers, output_to_the_log_and_the_last_lines_in_the_error)
{
	char *log = path_in("log");
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct bench_error err = { 0 };
	char *text;

	cr_assert_geq(fd, 0);
	cr_assert_eq(run_script(&fake, "echo one; echo two >&2; printf last; exit 3", 0, fd, &err), -1);
	cr_assert(strstr(err.msg, "runtime `fake`") && strstr(err.msg, "exit status 3"), "%s", err.msg);
	cr_assert_not_null(err.detail);
	cr_assert(strstr(err.detail, "one\ntwo\nlast\n"), "%s", err.detail);
	text = slurp(log);
	cr_assert_str_eq(text, "one\ntwo\nlast\n");
	free(text);
	bench_error_release(&err);
	cr_assert_eq(run_script(&fake, "echo fine", 0, fd, &err), 0, "%s", err.msg);
	close(fd);
	free(log);
}

Test(drivers, a_run_past_its_timeout_is_stopped)
{
	struct bench_error err = { 0 };

	cr_assert_eq(run_script(&fake, "echo started; exec sleep 60", 0.3, -1, &err), -1);
	cr_assert(strstr(err.msg, "past the timeout of 0.3 s"), "%s", err.msg);
}

Test(drivers, before_exec_runs_in_the_runtimes_process)
{
	struct bench_error err = { 0 };

	cr_assert_eq(run_script(&fake_refused, "echo never", 0, -1, &err), -1);
	cr_assert(strstr(err.msg, "runtime `fake`") && strstr(err.msg, strerror(EPERM)),
		  "%s", err.msg);
}

static void start_session(struct ctr_session *s, const char *server, int log_fd)
{
	struct bench_error err = { 0 };

	setenv("FAKE_SERVER", server, 1);
	cr_assert_eq(ctr_session_start(&(struct ctr_run){ .driver = &fake, .log_fd = log_fd }, s,
				       &err), 0, "%s", err.msg);
}

/* Its stderr is a pipe to the relay, never the log itself (runc would
 * give that to the container's user), and what it says there reaches the
 * log.  */
Test(drivers, a_session_talks_and_its_stderr_is_relayed)
{
	char *log = path_in("log"), *text, *line;
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct bench_error err = { 0 };
	struct ctr_session s;
	pid_t relay;

	start_session(&s, "while read l; do echo \"reply $l\"; echo \"said $l\" >&2; "
		      "readlink /proc/self/fd/2; done", fd);
	relay = s.prep->relay.pid;
	cr_assert_gt(relay, 0);
	cr_assert_eq(ctr_session_write_line(&s, "hello", &err), 0, "%s", err.msg);
	line = ctr_session_read_line(&s, 10, &err);
	cr_assert_str_eq(line, "reply hello", "%s", err.msg);
	free(line);
	line = ctr_session_read_line(&s, 10, &err);
	cr_assert(strncmp(line, "pipe:", 5) == 0, "its stderr is %s", line);
	free(line);
	cr_assert_eq(ctr_session_stop(&s, &err), 0, "%s", err.msg);
	cr_assert(kill(relay, 0) < 0 && errno == ESRCH, "the relay is left");
	text = slurp(log);
	cr_assert_str_eq(text, "said hello\n");
	free(text);
	close(fd);
	free(log);
}

Test(drivers, a_silent_session_is_stopped)
{
	struct bench_error err = { 0 };
	struct ctr_session s;

	start_session(&s, "exec sleep 60", -1);
	cr_assert_null(ctr_session_read_line(&s, 0.3, &err));
	cr_assert(strstr(err.msg, "no reply within the timeout"), "%s", err.msg);
	cr_assert_eq(ctr_session_stop(&s, &err), -1);
	cr_assert(strstr(err.msg, "killed by signal"), "%s", err.msg);
}

/* Ctrl-C reaches the container through the child registry (SIGTERM), and
 * the relay outlives it to copy its last words.  */
Test(drivers, ctrl_c_stops_a_session)
{
	char *log = path_in("log"), *text;
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct bench_error err = { 0 };
	struct ctr_session s;

	start_session(&s, "trap 'echo stopped >&2; exit 1' TERM; echo up; "
		      "while :; do sleep 0.05; done", fd);
	text = ctr_session_read_line(&s, 10, &err);
	cr_assert_str_eq(text, "up", "%s", err.msg);
	free(text);
	child_catch_signals();
	kill(getpid(), SIGINT);
	cr_assert_null(ctr_session_read_line(&s, 10, &err));
	cr_assert(strstr(err.msg, "has ended"), "%s", err.msg);
	cr_assert_eq(child_stop_requested(), SIGINT);
	child_clear_stop();
	child_release_signals();
	cr_assert_eq(ctr_session_stop(&s, &err), -1);
	text = slurp(log);
	cr_assert_str_eq(text, "stopped\n");
	free(text);
	close(fd);
	free(log);
}

Test(drivers, native_runs_through_any_engine_and_says_so)
{
	const struct ctr_driver *native = ctr_driver_find("native");
	struct bench_error err = { 0 };

	for (int e = 0; e < CTR_ENGINE_COUNT; e++) {
		json_t *md = json_object();
		cr_assert_eq(ctr_driver_usable(native, (enum ctr_engine)e, &err), 0, "%s", err.msg);
		ctr_run_metadata(native, (enum ctr_engine)e, md);
		cr_assert_str_eq(json_string_value(json_object_get(md, "engine")), "none");
		cr_assert_eq(json_object_size(md), 1);
		json_decref(md);
	}
}

Test(drivers, native_tells_the_inner_sandbench_its_runtime)
{
	const char *args[] = { "env", NULL };
	struct ctr_prepared pr;
	struct bench_error err = { 0 };
	struct ctr_run run = { .driver = ctr_driver_find("native"), .args = args };
	size_t marks = 0;

	setenv("SANDBENCH_RUNTIME", "outer", 1);
	cr_assert_eq(ctr_prepare(&run, &pr, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pr.argv.v[0], util_self_exe());
	cr_assert_str_eq(pr.argv.v[1], "env");
	for (size_t i = 0; i < pr.env.n; i++)
		if (strncmp(pr.env.v[i], "SANDBENCH_RUNTIME=", 18) == 0) {
			cr_assert_str_eq(pr.env.v[i], "SANDBENCH_RUNTIME=native");
			marks++;
		}
	cr_assert_eq(marks, 1);
	cr_assert_null(pr.engine, "native makes no container to remove");
	ctr_teardown(&run, &pr);
	unsetenv("SANDBENCH_RUNTIME");
}

Test(drivers, kata_only_through_containerd)
{
	const struct ctr_driver *kata = ctr_driver_find("kata-qemu");
	struct bench_error err = { 0 };

	cr_assert_eq(ctr_driver_usable(kata, CTR_ENGINE_OCI, &err), -1);
	cr_assert(strstr(err.msg, "shim v2") && strstr(err.msg, "--engine containerd"), "%s", err.msg);
	cr_assert_eq(ctr_driver_usable(kata, CTR_ENGINE_PODMAN, &err), -1);
	cr_assert(strstr(err.msg, "shim v2"), "%s", err.msg);
	/* Through containerd, what the engine says: here, that it is not open.  */
	cr_assert_eq(ctr_driver_usable(kata, CTR_ENGINE_CONTAINERD, &err), -1);
	cr_assert(strstr(err.msg, "not open"), "%s", err.msg);
	cr_assert_eq(ctr_driver_usable(ctr_driver_find("crun"), CTR_ENGINE_OCI, &err), 0);
	cr_assert_eq(ctr_driver_usable(ctr_driver_find("runsc"), CTR_ENGINE_PODMAN, &err), 0);
}

Test(drivers, containers_say_their_engine)
{
	json_t *md = json_object();

	ctr_run_metadata(ctr_driver_find("runc"), CTR_ENGINE_PODMAN, md);
	cr_assert_str_eq(json_string_value(json_object_get(md, "engine")), "podman");
	json_decref(md);
}
