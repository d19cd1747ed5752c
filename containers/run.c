/* One container run to its end (ctr_run): its runtime's process on
 * bench/lib/child.h, its output copied to the log with progress lines on
 * stderr, the last lines kept for the error.  */
#include "containers/engine.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"

static int runtime_before_exec(void *arg)
{
	const struct ctr_run *run = arg;
	return run->driver->before_exec(run);
}

static int native_scratch(void *arg)
{
	return ctr_scratch_enter(arg);
}

void ctr_runtime_child(const struct ctr_run *run, struct ctr_prepared *pr, struct child *c)
{
	*c = (struct child)CHILD_INIT;
	c->argv = pr->argv.v;
	c->flags = CHILD_SEARCH_PATH | (pr->env.n ? 0 : CHILD_CALLER_ENV);
	c->env = pr->env.n ? pr->env.v : NULL;
	/* runc, crun and runsc pass it on to the container.  */
	c->stop_signal = SIGTERM;
	if (run->driver->before_exec) {
		c->before_exec = runtime_before_exec;
		c->arg = (void *)run;
	}
	/* Only native runs in the scratch folder itself (scratch.c).  */
	if ((run->driver->flags & CTR_NO_CONTAINER) && pr->scratch) {
		c->before_exec = native_scratch;
		c->arg = pr;
	}
}

int ctr_log_relay(int log_fd, struct child *relay, struct bench_error *err)
{
	static char *const argv[] = { "cat", NULL };

	*relay = (struct child)CHILD_INIT;
	relay->argv = argv;
	relay->in = CHILD_PIPE;
	relay->out = log_fd;
	/* Ctrl-C stops the container; the relay copies its last words.  */
	relay->flags = CHILD_SEARCH_PATH | CHILD_IGNORE_STOPS;
	relay->stop_signal = SIGTERM;
	if (child_start(relay, err) < 0)
		return -1;
	return relay->to;
}

/* The last lines of the container's output, for an error message.  */
struct tail {
	char text[2048];
	size_t used;
};

static void tail_add(struct tail *t, const char *line)
{
	size_t len = strlen(line) + 1;

	if (len > sizeof(t->text) - 1) {
		line += len - sizeof(t->text);
		len = sizeof(t->text) - 1;
	}
	if (t->used + len >= sizeof(t->text)) {
		/* Drop the oldest lines to make room.  */
		size_t drop = t->used + len - (sizeof(t->text) - 1);
		char *nl = memchr(t->text + drop - 1, '\n', t->used - drop + 1);
		drop = nl ? (size_t)(nl - t->text) + 1 : t->used;
		memmove(t->text, t->text + drop, t->used - drop);
		t->used -= drop;
	}
	memcpy(t->text + t->used, line, len - 1);
	t->text[t->used + len - 1] = '\n';
	t->used += len;
	t->text[t->used] = '\0';
}

static void pump_line(const struct ctr_run *run, const char *line, struct tail *t)
{
	if (run->log_fd >= 0 && (write(run->log_fd, line, strlen(line)) < 0 ||
				 write(run->log_fd, "\n", 1) < 0))
		perror("sandbench: write matrix.log");
	if (line[0] == '[' && run->label)
		fprintf(stderr, "%s %s\n", run->label, line);
	if (line[0])
		tail_add(t, line);
}

/* Copy the container's output to the log, and progress lines to stderr;
 * keep the last lines.  Past the timeout it is stopped, and what it says
 * then is still copied.  1 when it timed out.  */
static int pump(struct child *c, const struct ctr_run *run, struct tail *t)
{
	double timeout = run->timeout;
	int timed_out = 0, now;
	char *line;

	for (;;) {
		line = child_read_line(c, timed_out ? 0 : timeout, &now);
		if (!line && now) {
			timed_out = 1;
			continue;
		}
		if (!line)
			break;
		pump_line(run, line, t);
		free(line);
	}
	/* A last line without its newline.  */
	if (c->used) {
		line = xasprintf("%.*s", (int)c->used, c->buf);
		pump_line(run, line, t);
		free(line);
	}
	return timed_out;
}

int ctr_run(const struct ctr_run *run, int *exit_status, struct bench_error *err)
{
	const struct ctr_driver *d = run->driver;
	struct ctr_prepared pr;
	struct child c;
	struct tail t = { .used = 0 };
	int timed_out, rc = -1;
	char what[128];

	*exit_status = -1;
	if (ctr_prepare(run, &pr, err) < 0)
		goto out;
	ctr_runtime_child(run, &pr, &c);
	c.out = c.err = CHILD_PIPE;
	if (child_start(&c, err) < 0) {
		bench_error_prefix(err, "runtime `%s`", d->name);
		goto out;
	}
	timed_out = pump(&c, run, &t);
	child_finish(&c, 0, NULL);
	if (timed_out) {
		bench_error_set(err, 0, "runtime `%s`: the container ran past the timeout of %g s "
				"and was stopped", d->name, run->timeout);
		goto out;
	}
	if (WIFEXITED(c.status))
		*exit_status = WEXITSTATUS(c.status);
	if (WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0) {
		rc = 0;
		goto out;
	}
	child_describe_status(c.status, what, sizeof(what));
	bench_error_set(err, 0, "runtime `%s`: the container failed (%s)", d->name, what);
	bench_error_set_detail(err, xasprintf("its last output:\n%s", t.text));
out:
	ctr_teardown(run, &pr);
	return rc;
}
