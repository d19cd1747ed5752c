#include "bench/harness/serve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/harness/metadata.h"
#include "bench/harness/protocol.h"
#include "bench/harness/worker.h"
#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/registry.h"

/* One reply, a line, on the protocol's stream.  */
static int send_line(FILE *out, const struct proto_reply *r)
{
	cleanup_free char *line = proto_reply_encode(r);

	return fputs(line, out) != EOF && fputc('\n', out) != EOF && fflush(out) == 0 ? 0 : -1;
}

static int send_error(FILE *out, const struct bench_error *err)
{
	return send_line(out, &(struct proto_reply){ .status = err->skip ? PROTO_SKIPPED : PROTO_FAILED,
						     .error = err->msg, .traceback = err->detail });
}

/* The worker spec a request asks for.  */
static int request_spec(const struct proto_request *q, const char *cache_root, char **cache,
			struct worker_spec *spec, struct bench_error *err)
{
	const struct bench_def *def = bench_registry_find(q->bench);

	if (!def)
		return bench_error_set(err, 0, "unknown benchmark in the request");
	*spec = (struct worker_spec){
		.def = def, .loops = q->loops, .values = q->values, .warmups = q->warmups,
		.min_time = q->min_time, .timeout = q->timeout,
		.hash_seed = q->hash_seed ? q->hash_seed : worker_random_hash_seed(),
	};
	/* A benchmark's processes share its generated inputs, as in `run`.  */
	*cache = xasprintf("%s/%s", cache_root, def->name);
	if (cache_root[0] && (mkdir(*cache, 0700) == 0 || errno == EEXIST))
		spec->cache_dir = *cache;
	return 0;
}

/* Answer one request: run a worker process, or drive the live lockstep
 * worker (one at most: a new start ends the one before).  */
static int handle(FILE *out, const char *line, size_t len, const char *cache_root,
		  struct worker_live *live)
{
	struct proto_request q;
	struct bench_error err = { 0 };
	struct worker_spec spec;
	struct worker_result res = { 0 };
	struct proto_reply r = { 0 };
	cleanup_free char *cache = NULL;
	int rc;

	if (proto_request_decode(line, len, &q, &err) < 0) {
		rc = send_error(out, &err);
		bench_error_release(&err);
		return rc;
	}
	switch (q.kind) {
	case PROTO_RUN:
		if (request_spec(&q, cache_root, &cache, &spec, &err) < 0 ||
		    worker_run(&spec, &res, &err) < 0)
			break;
		r = (struct proto_reply){ .status = PROTO_OK, .run = res.run, .loops = res.loops,
					  .inner_loops = res.inner_loops };
		break;
	case PROTO_LOCK_START:
		worker_live_kill(live, 1);
		if (request_spec(&q, cache_root, &cache, &spec, &err) < 0 ||
		    worker_live_start(&spec, live, &err) < 0)
			break;
		r = (struct proto_reply){ .status = PROTO_READY, .loops = live->loops,
					  .inner_loops = live->inner_loops };
		break;
	case PROTO_LOCK_VALUE:
		if (!worker_live_running(live))
			bench_error_set(&err, 0, "no lockstep worker is running");
		else
			worker_live_value(live, &q, &r, &err);
		break;
	case PROTO_LOCK_STOP:
		if (!worker_live_running(live)) {
			bench_error_set(&err, 0, "no lockstep worker is running");
			break;
		}
		if (worker_live_stop(live, &res, &err) < 0)
			break;
		r = (struct proto_reply){ .status = PROTO_OK, .run = res.run, .loops = res.loops,
					  .inner_loops = res.inner_loops };
		break;
	}
	proto_request_release(&q);
	if (err.msg[0] || (r.status == PROTO_OK && !r.run)) {
		if (!err.msg[0])
			bench_error_set(&err, 0, "the worker failed");
		rc = child_stop_requested() ? 0 : send_error(out, &err);
	} else {
		rc = child_stop_requested() ? 0 : send_line(out, &r);
	}
	json_decref(res.run);
	bench_error_release(&err);
	return rc;
}

int serve_main(int argc, char **argv)
{
	struct proto_reply hello = { .status = PROTO_READY };
	struct worker_live live = WORKER_LIVE_INIT;
	char cache_root[4096], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *out;
	int fd, rc = 0;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: sandbench __serve (internal: requests on stdin, "
			"replies on stdout)\n");
		return 2;
	}
	/* Replies own stdout: whatever a worker or workload prints goes to
	 * stderr instead.  */
	fd = dup(1);
	if (fd < 0 || dup2(2, 1) < 0 || !(out = fdopen(fd, "w"))) {
		perror("sandbench __serve: stdout");
		return 1;
	}
	/* A container's init ignores signals it has no handler for: these
	 * stop the worker and then the server.  A lockstep worker that died
	 * shows as EPIPE on its commands (SIGPIPE is ignored).  */
	child_catch_signals();
	if (util_make_temp_dir("sandbench-cache", cache_root, sizeof(cache_root)) < 0)
		fprintf(stderr, "sandbench __serve: cannot create a folder in $TMPDIR (%s): each "
			"worker makes its own inputs\n", strerror(errno));
	hello.metadata = metadata_collect();
	if (send_line(out, &hello) < 0)
		rc = 1;
	json_decref(hello.metadata);
	while (rc == 0 && !child_stop_requested() && (len = getline(&line, &cap, stdin)) > 0)
		if (handle(out, line, (size_t)len, cache_root, &live) < 0)
			rc = 1;
	worker_live_kill(&live, 1);
	free(line);
	util_remove_tree(cache_root);
	fclose(out);
	child_release_signals();
	return child_stop_requested() ? 128 + child_stop_requested() : rc;
}
