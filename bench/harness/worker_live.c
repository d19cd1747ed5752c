#include "bench/harness/worker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/harness/protocol.h"
#include "bench/harness/worker_spawn.h"
#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/registry.h"

/* A live lockstep worker, from the parent's side (worker.h).  */

/* The next line from the worker, within its timeout (then it is killed):
 * a new string, or NULL with err (the worker has ended then).  */
static char *live_read_line(struct worker_live *w, struct bench_error *err)
{
	int timed_out, status, too_long;
	char *line = child_read_line(w->child, w->timeout, &timed_out);

	if (line)
		return line;
	too_long = w->child->used > w->child->max_line;
	status = worker_live_kill(w, timed_out);
	if (too_long)
		bench_error_set(err, 0, "`%s`: the worker sent too much", w->name);
	else
		worker_describe_end(w->name, status, timed_out, w->timeout, err);
	return NULL;
}

/* Send a command and read the reply: a decoded reply, or -1 (the worker
 * ended: it is reaped).  A FAILED reply is returned as such.  */
static int live_exchange(struct worker_live *w, const struct proto_request *q,
			 struct proto_reply *r, struct bench_error *err)
{
	cleanup_free char *line = proto_request_encode(q);
	cleanup_free char *reply = NULL;
	cleanup_free char *from = xasprintf("`%s`: the worker", w->name);
	size_t len = strlen(line), done = 0;

	line[len] = '\n';
	while (done < len + 1) {
		ssize_t n = write(w->child->to, line + done, len + 1 - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* it died: its end of the reply pipe says how */
		done += (size_t)n;
	}
	reply = live_read_line(w, err);
	if (!reply)
		return -1;
	if (proto_reply_decode(reply, strlen(reply), r, from, err) < 0) {
		worker_live_kill(w, 1);
		return -1;
	}
	return 0;
}

int worker_live_start(const struct worker_spec *spec, struct worker_live *w,
		      struct bench_error *err)
{
	struct worker_spec s = *spec;
	struct proto_reply r;
	cleanup_free char *first = NULL;
	cleanup_free char *from = NULL;

	*w = (struct worker_live)WORKER_LIVE_INIT;
	w->name = spec->def ? spec->def->name : "timeit";
	w->timeout = spec->timeout;
	s.lockstep = 1;
	w->child = xmalloc(sizeof(*w->child));
	if (worker_spawn(&s, w->child, err) < 0) {
		free(w->child);
		w->child = NULL;
		return -1;
	}
	first = live_read_line(w, err);
	if (!first)
		return -1;
	from = xasprintf("`%s`: the worker", w->name);
	if (proto_reply_decode(first, strlen(first), &r, from, err) < 0) {
		worker_live_kill(w, 1);
		return -1;
	}
	if (r.status != PROTO_READY) {
		if (r.status == PROTO_FAILED || r.status == PROTO_SKIPPED)
			proto_reply_error(&r, err);
		else
			bench_error_set(err, 0, "`%s`: the worker did not say ready", w->name);
		proto_reply_release(&r);
		worker_live_kill(w, 1);
		return -1;
	}
	w->loops = r.loops;
	w->inner_loops = r.inner_loops;
	proto_reply_release(&r);
	return 0;
}

int worker_live_value(struct worker_live *w, const struct proto_request *q, struct proto_reply *v,
		      struct bench_error *err)
{
	struct proto_reply r;

	if (!worker_live_running(w))
		return bench_error_set(err, 0, "`%s`: the worker has ended", w->name);
	if (live_exchange(w, q, &r, err) < 0)
		return -1;
	if (r.status == PROTO_VALUE) {
		*v = r;
		return 0;
	}
	if (r.status == PROTO_FAILED || r.status == PROTO_SKIPPED) {
		proto_reply_error(&r, err);
		worker_live_kill(w, 0);
	} else {
		bench_error_set(err, 0, "`%s`: the worker sent no value", w->name);
		worker_live_kill(w, 1);
	}
	proto_reply_release(&r);
	return -1;
}

int worker_live_stop(struct worker_live *w, struct worker_result *res, struct bench_error *err)
{
	struct proto_reply r;
	int rc;

	memset(res, 0, sizeof(*res));
	res->status = WORKER_FAILED;
	if (!worker_live_running(w))
		return bench_error_set(err, 0, "`%s`: the worker has ended", w->name);
	if (live_exchange(w, &(struct proto_request){ .kind = PROTO_LOCK_STOP }, &r, err) < 0)
		return -1;
	rc = worker_result_from_reply(&r, res, w->name, "sent no run", err);
	proto_reply_release(&r);
	worker_live_kill(w, 0);
	return rc;
}

int worker_live_running(const struct worker_live *w)
{
	return w->child != NULL;
}

int worker_live_kill(struct worker_live *w, int force)
{
	int status;

	if (!worker_live_running(w))
		return 0;
	if (force)
		child_stop(w->child);
	/* Its commands' end of input: a lockstep worker ends.  */
	child_finish(w->child, 0, NULL);
	status = w->child->status;
	free(w->child);
	w->child = NULL;
	return status;
}
