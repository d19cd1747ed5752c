#include "bench/harness/worker.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bench/harness/protocol.h"
#include "bench/harness/worker_spawn.h"
#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/registry.h"

/* A template worker, from the parent's side (worker.h; the template itself:
 * worker_main.c).  Its runs come one line each on the reply pipe, from the
 * processes it forks; the template says nothing itself unless one of them
 * failed or died, and ends once all have.  */

/* Seconds a template asked to end may take to tear its set-up down.  */
#define TEMPLATE_GRACE 10

int worker_template_start(const struct worker_spec *spec, struct worker_template *t,
			  struct bench_error *err)
{
	t->name = spec->def ? spec->def->name : "timeit";
	t->timeout = spec->timeout;
	t->child = xmalloc(sizeof(*t->child));
	if (worker_spawn(spec, t->child, err) < 0) {
		free(t->child);
		t->child = NULL;
		return -1;
	}
	return 0;
}

/* Reap it (stopped first if stop, with whatever it forked): its status.  */
static int reap(struct worker_template *t, int stop)
{
	int status;

	if (!t->child)
		return 0;
	if (stop)
		child_stop(t->child);
	/* A template asked to end gracefully gets a grace, then SIGKILL.  */
	child_finish(t->child, stop ? TEMPLATE_GRACE : 0, NULL);
	status = t->child->status;
	free(t->child);
	t->child = NULL;
	return status;
}

/* SIGTERM, so that the template tears its set-up down (worker_main.c):
 * killed outright, it would leave what that set-up made in $TMPDIR.  */
void worker_template_end(struct worker_template *t)
{
	if (t->child)
		t->child->stop_signal = SIGTERM;
	reap(t, 1);
}

int worker_template_next(struct worker_template *t, struct worker_result *res,
			 struct bench_error *err)
{
	cleanup_free char *from = xasprintf("`%s`: the worker", t->name);
	cleanup_free char *line = NULL;
	struct proto_reply r;
	int timed_out, too_long, status, rc;
	char what[128];

	memset(res, 0, sizeof(*res));
	res->status = WORKER_FAILED;
	if (!t->child)
		return 0;
	line = child_read_line(t->child, t->timeout, &timed_out);
	if (!line) {
		too_long = t->child->used > t->child->max_line;
		status = reap(t, timed_out || too_long);
		if (too_long)
			return bench_error_set(err, 0, "`%s`: the worker sent too much", t->name);
		if (timed_out)
			return worker_describe_end(t->name, status, 1, t->timeout, err);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return 0;
		child_describe_status(status, what, sizeof(what));
		return bench_error_set(err, 0, "`%s`: its template process died (%s) before all "
				       "the processes it forks had measured", t->name, what);
	}
	if (proto_reply_decode(line, strlen(line), &r, from, err) < 0) {
		reap(t, 1);
		return -1;
	}
	rc = worker_result_from_reply(&r, res, t->name, "sent no valid result", err);
	proto_reply_release(&r);
	if (rc < 0) {
		reap(t, 1);
		return -1;
	}
	return 1;
}
