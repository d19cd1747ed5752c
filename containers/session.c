/* Sessions: a long-lived container running `sandbench __serve`, a request
 * written to its stdin and a reply read from its stdout, a line each.  Its
 * stderr goes to the log through a relay (ctr_log_relay).  */
#include "containers/engine.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"

/* A server stuck in a benchmark is not waited for longer.  */
#define STOP_TIMEOUT 30.0

int ctr_session_start(const struct ctr_run *run, struct ctr_session *s, struct bench_error *err)
{
	static const char *const args[] = { "__serve", NULL };

	memset(s, 0, sizeof(*s));
	s->run = *run;
	s->run.args = args;
	s->pid = -1;
	s->c = (struct child)CHILD_INIT;
	s->prep = xcalloc(1, sizeof(struct ctr_prepared));
	if (ctr_prepare(&s->run, s->prep, err) < 0)
		goto fail;
	ctr_runtime_child(&s->run, s->prep, &s->c);
	s->c.in = s->c.out = CHILD_PIPE;
	s->c.err = CHILD_INHERIT;
	if (run->log_fd >= 0 && (s->c.err = ctr_log_relay(run->log_fd, &s->prep->relay, err)) < 0)
		goto fail;
	if (child_start(&s->c, err) < 0) {
		bench_error_prefix(err, "runtime `%s`", run->driver->name);
		goto fail;
	}
	/* Only the container holds it now: the relay ends with it.  */
	if (s->prep->relay.to >= 0) {
		close(s->prep->relay.to);
		s->prep->relay.to = -1;
	}
	s->pid = s->c.pid;
	s->run.args = NULL;
	return 0;
fail:
	ctr_session_stop(s, NULL);
	return -1;
}

char *ctr_session_read_line(struct ctr_session *s, double timeout, struct bench_error *err)
{
	const char *name = s->run.driver->name;
	char *line;
	int timed_out;

	if (s->c.pid <= 0) {
		bench_error_set(err, 0, "runtime `%s`: the container has ended", name);
		return NULL;
	}
	line = child_read_line(&s->c, timeout, &timed_out);
	if (line)
		return line;
	if (!timed_out) {
		bench_error_set(err, 0, "runtime `%s`: the container has ended", name);
		return NULL;
	}
	/* It was asked to stop; stuck, it is not asked twice.  */
	s->c.stop_signal = SIGKILL;
	child_stop(&s->c);
	bench_error_set(err, 0, "runtime `%s`: no reply within the timeout of %g s: the container "
			"was stopped", name, timeout);
	return NULL;
}

int ctr_session_write_line(struct ctr_session *s, const char *line, struct bench_error *err)
{
	size_t len = strlen(line), done = 0;

	while (done < len + 1) {
		const char *p = done < len ? line + done : "\n";
		ssize_t n = s->c.to < 0 ? -1 : write(s->c.to, p, done < len ? len - done : 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return bench_error_set(err, errno, "runtime `%s`: the container has ended",
					       s->run.driver->name);
		done += (size_t)n;
	}
	return 0;
}

int ctr_session_stop(struct ctr_session *s, struct bench_error *err)
{
	struct bench_error e = { 0 };
	int rc = 0;

	/* End of input first: the server finishes and exits.  */
	if (s->c.to >= 0) {
		close(s->c.to);
		s->c.to = -1;
	}
	if (s->c.pid > 0 && child_finish(&s->c, STOP_TIMEOUT, &e) < 0) {
		char what[128];
		child_describe_status(s->c.status, what, sizeof(what));
		bench_error_set(err, 0, "runtime `%s`: the container failed (%s)",
				s->run.driver->name, what);
		rc = -1;
	}
	bench_error_release(&e);
	child_finish(&s->c, 0, NULL);	/* what a failed start left: its pipes */
	if (s->prep)
		ctr_teardown(&s->run, s->prep);
	free(s->prep);
	memset(s, 0, sizeof(*s));
	s->c = (struct child)CHILD_INIT;
	s->pid = -1;
	return rc;
}
