/* One runtime's server in a round of a matrix: its start, its requests.  */
#include "containers/matrix_lane.h"

#include <stdlib.h>
#include <string.h>

#include "bench/harness/protocol.h"
#include "bench/harness/runner.h"
#include "bench/harness/worker.h"
#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "categories/registry.h"
#include "containers/image.h"
#include "containers/placement.h"

/* The server's first line: its hello, with the container's metadata.  */
static int read_hello(struct lane *l, double timeout, struct proto_reply *msg,
		      struct bench_error *err)
{
	cleanup_free char *hello = ctr_session_read_line(&l->s, timeout, err);
	int rc;

	if (!hello)
		return -1;	/* read_line says why */
	rc = proto_reply_decode(hello, strlen(hello), msg, "the server", err);
	if (rc == 0 && (msg->status != PROTO_READY || !msg->metadata))
		rc = bench_error_set(err, 0, "its first message is no hello");
	if (rc < 0)
		bench_error_prefix(err, "runtime `%s`: the container did not start its server "
				   "(see matrix.log)", l->d->name);
	return rc;
}

/* Every runtime on the plan's CPU set, its host processes too (the
 * native server has no cpuset of its own, a sandbox has helpers outside
 * its container): the same CPUs for all, nothing pinned within them.  */
static void place_lane(const struct ctr_matrix_plan *p, unsigned r, struct lane *l, FILE *log)
{
	struct bench_error err = { 0 };
	unsigned threads;
	cpu_set_t set;

	if (worker_parse_cpus(p->cpus, &set) < 0)
		return;
	if (ctr_place_tree(l->s.pid, &set, &threads, &err) < 0)
		ctr_matrix_log(log, "round %u/%u %s: %s", r + 1, p->rounds, l->label, err.msg);
	else
		ctr_matrix_log(log, "round %u/%u %s: %u threads on CPUs %s", r + 1, p->rounds, l->label,
			       threads, p->cpus);
	bench_error_release(&err);
}

/* Start the runtime's server and read its hello.  */
int ctr_lane_start(const char *dir, const struct ctr_matrix_plan *p, const struct ctr_image *img,
		      unsigned r, FILE *log, struct lane *l, struct bench_error *err)
{
	cleanup_free char *raw = xasprintf("%s/raw", dir);
	struct proto_reply msg = { 0 };

	for (unsigned r0 = 0; r0 < r && !l->loops_from; r0++) {
		cleanup_free char *earlier = ctr_matrix_raw_path(dir, l->label, r0);
		struct bench_error why = { 0 };

		if (ctr_matrix_read_round(earlier, &l->loops_from, &why) < 0)
			ctr_matrix_log(log, "%s: no loops from it: %s", earlier, why.msg);
		bench_error_release(&why);
	}
	if (ctr_session_start(&(struct ctr_run){ .driver = l->d, .engine = p->engine, .image = img,
				.results = raw, .cpus = p->cpus, .memory = p->memory,
				.scratch = p->scratch,
				.log_fd = fileno(log) }, &l->s, err) < 0)
		return -1;
	if (read_hello(l, p->timeout, &msg, err) < 0) {
		proto_reply_release(&msg);
		ctr_session_stop(&l->s, NULL);
		return -1;
	}
	l->suite = result_suite_new(json_incref(msg.metadata));
	proto_reply_release(&msg);
	l->alive = 1;
	place_lane(p, r, l, log);
	return 0;
}

void ctr_lane_release(struct lane *l)
{
	json_decref(l->suite);
	json_decref(l->loops_from);
	free(l->path);
	free(l->key);
	memset(l, 0, sizeof(*l));
}

/* Send a request to the lane's server and read its reply.  -1 when the
 * server is gone or stuck (then the lane is dead).  */
static int lane_exchange(struct lane *l, const struct proto_request *q, struct proto_reply *r,
		  double timeout, struct bench_error *err)
{
	cleanup_free char *text = proto_request_encode(q);
	cleanup_free char *line = NULL;

	memset(r, 0, sizeof(*r));
	/* The server's own worker timeout comes first; this one is for a stuck server.  */
	if (ctr_session_write_line(&l->s, text, err) < 0 ||
	    !(line = ctr_session_read_line(&l->s, timeout > 0 ? timeout + 60 : 0, err))) {
		l->alive = 0;
		return -1;
	}
	if (proto_reply_decode(line, strlen(line), r, "the server", err) < 0) {
		r->owned_error = xstrdup(err->msg);
		r->error = r->owned_error;
		bench_error_release(err);
	}
	return 0;
}

/* One worker process of a benchmark on one lane: its run, or NULL (the
 * benchmark failed there, or the lane died: then alive is 0).  */
json_t *ctr_lane_request(struct lane *l, const struct bench_def *def,
			    const struct runner_profile *prof, uint64_t *loops, unsigned *inner,
			    double timeout, struct bench_error *err)
{
	struct proto_request q = { .kind = PROTO_RUN, .bench = def->name, .loops = *loops,
				   .values = prof->values, .warmups = prof->warmups,
				   .min_time = prof->min_time, .timeout = timeout };
	struct proto_reply r;
	json_t *run = NULL;

	if (lane_exchange(l, &q, &r, timeout, err) < 0)
		return NULL;
	if (r.status == PROTO_OK) {
		*loops = r.loops;
		*inner = r.inner_loops;
		run = json_incref(r.run);
	} else if (r.status == PROTO_FAILED || r.status == PROTO_SKIPPED) {
		proto_reply_error(&r, err);
	} else {
		bench_error_set(err, 0, "the server sent no valid reply");
	}
	proto_reply_release(&r);
	return run;
}

