#include "serve.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "metadata.h"
#include "registry.h"
#include "util.h"
#include "worker.h"

static volatile sig_atomic_t stopping;

/* A container's init ignores signals it has no handler for: this one
 * stops the worker and then the server.  */
static void on_signal(int sig)
{
	stopping = sig;
	worker_kill_current();
}

/* One line of JSON on the protocol's stream.  */
static int send_line(FILE *out, json_t *msg)
{
	int rc = json_dumpf(msg, out, JSON_COMPACT | JSON_REAL_PRECISION(17)) == 0 &&
		 fputc('\n', out) != EOF && fflush(out) == 0 ? 0 : -1;
	json_decref(msg);
	return rc;
}

/* A message cut inside a UTF-8 sequence is no JSON string: say so instead
 * of sending nothing.  */
static json_t *text(const char *s)
{
	json_t *j = json_string(s);
	return j ? j : json_string("(a message that is not valid UTF-8)");
}

static json_t *error_reply(const char *status, const char *msg, const char *detail)
{
	json_t *r = json_pack("{s:s, s:o}", "status", status, "error", text(msg));
	if (detail)
		json_object_set_new(r, "traceback", text(detail));
	return r;
}

/* Run one worker process as the request says.  */
static json_t *handle(json_t *req, const char *cache_root)
{
	const char *name = json_string_value(json_object_get(req, "bench"));
	const struct bench_def *def = name ? bench_registry_find(name) : NULL;
	json_int_t loops = json_integer_value(json_object_get(req, "loops"));
	json_int_t values = json_integer_value(json_object_get(req, "values"));
	json_int_t warmups = json_integer_value(json_object_get(req, "warmups"));
	struct worker_spec spec = {
		.def = def,
		.min_time = json_number_value(json_object_get(req, "min_time")),
		.timeout = json_number_value(json_object_get(req, "timeout")),
		.hash_seed = worker_random_hash_seed(),
	};
	struct worker_result res = { 0 };
	struct bench_error err = { 0 };
	cleanup_free char *cache = NULL;
	json_t *reply;

	if (!def)
		return error_reply("failed", "unknown benchmark in the request", NULL);
	if (loops < 0 || values < 0 || values > 100000 || warmups < 0 || warmups > 100000 ||
	    !(spec.min_time > 0))
		return error_reply("failed", "bad counts in the request", NULL);
	spec.loops = (uint64_t)loops;
	spec.values = (unsigned)values;
	spec.warmups = (unsigned)warmups;
	/* A benchmark's processes share its generated inputs, as in `run`.  */
	cache = xasprintf("%s/%s", cache_root, def->name);
	if (cache_root[0] && (mkdir(cache, 0700) == 0 || errno == EEXIST))
		spec.cache_dir = cache;
	if (worker_run(&spec, &res, &err) < 0) {
		reply = error_reply(err.skip ? "skipped" : "failed", err.msg, err.detail);
		bench_error_release(&err);
		return reply;
	}
	return json_pack("{s:s, s:o, s:I, s:i}", "status", "ok", "run", res.run,
			 "loops", (json_int_t)res.loops, "inner_loops", (int)res.inner_loops);
}

int serve_main(int argc, char **argv)
{
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
	sigaction(SIGINT, &(struct sigaction){ .sa_handler = on_signal }, NULL);
	sigaction(SIGTERM, &(struct sigaction){ .sa_handler = on_signal }, NULL);
	util_make_temp_dir("sandbench-cache", cache_root, sizeof(cache_root));
	if (send_line(out, json_pack("{s:s, s:o}", "status", "ready", "metadata",
				     metadata_collect())) < 0)
		rc = 1;
	while (rc == 0 && !stopping && (len = getline(&line, &cap, stdin)) > 0) {
		json_t *req = json_loadb(line, (size_t)len, 0, NULL);
		json_t *reply = json_is_object(req) ? handle(req, cache_root)
			: error_reply("failed", "the request is not a JSON object", NULL);
		json_decref(req);
		if (stopping) {
			json_decref(reply);
			break;
		}
		if (send_line(out, reply) < 0)
			rc = 1;
	}
	free(line);
	util_remove_tree(cache_root);
	fclose(out);
	return stopping ? 128 + stopping : rc;
}
