/* `k8s collect`: the result lines of the Jobs' logs, checked against the
 * plan, merged per class, and the report.  */
#include "containers/k8s.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "bench/report/folder.h"
#include "containers/matrix.h"

struct collect {
	const char *dir;
	json_t *plan;			/* DIR/plan.json */
	const char *run_id;
	const char *classes[LIMIT_RUNTIMES + 1];	/* NULL-terminated, for the merge */
	size_t nclasses;
	unsigned rounds;
	char *seen[LIMIT_RUNTIMES][LIMIT_ROUNDS];	/* where each result came from */
	json_t *nodes;			/* node -> first place seen */
	unsigned results, problems;
};

static int collect_load_plan(struct collect *c, struct bench_error *err)
{
	cleanup_free char *path = xasprintf("%s/plan.json", c->dir);
	cleanup_free char *text = NULL;
	json_t *classes, *v;
	size_t i;

	if (util_read_file(path, LIMIT_DATA_FILE, &text, NULL, err) < 0)
		return bench_error_prefix(err, "`%s` is not a folder written by `sandbench k8s plan`",
					  c->dir);
	c->plan = json_loads(text, 0, NULL);
	c->run_id = json_string_value(json_object_get(c->plan, "run_id"));
	classes = json_object_get(c->plan, "runtime_classes");
	c->rounds = (unsigned)json_integer_value(json_object_get(c->plan, "rounds"));
	if (!c->run_id || !json_is_array(classes) || json_array_size(classes) == 0 ||
	    json_array_size(classes) > LIMIT_RUNTIMES || c->rounds < 1 || c->rounds > LIMIT_ROUNDS)
		return bench_error_set(err, 0, "%s: not a plan written by `sandbench k8s plan`", path);
	json_array_foreach(classes, i, v) {
		if (!json_string_value(v) || !ctr_k8s_is_dns_label(json_string_value(v)))
			return bench_error_set(err, 0, "%s: a bad runtime class", path);
		c->classes[c->nclasses++] = json_string_value(v);
	}
	c->classes[c->nclasses] = NULL;
	return 0;
}

static void collect_problem(struct collect *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void collect_problem(struct collect *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sandbench: k8s collect: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	c->problems++;
}

/* One result line: check it against the plan and keep it in DIR/raw.  */
static void collect_line(struct collect *c, const char *line, const char *where)
{
	struct ctr_k8s_result res;
	struct bench_error err = { 0 };
	const char *node;
	size_t k;

	if (ctr_k8s_result_parse(line, where, &res, &err) < 0) {
		collect_problem(c, "%s; left out", err.msg);
		return;
	}
	if (strcmp(res.run_id, c->run_id) != 0) {
		collect_problem(c, "%s: a result of run `%s`, not of this plan's run `%s`; left out",
				where, res.run_id, c->run_id);
		goto out;
	}
	for (k = 0; k < c->nclasses && strcmp(c->classes[k], res.runtime_class) != 0; k++)
		;
	if (k == c->nclasses || res.round > c->rounds) {
		collect_problem(c, "%s: class `%s` round %u is not in the plan; left out", where,
				res.runtime_class, res.round);
		goto out;
	}
	if (c->seen[k][res.round - 1]) {
		collect_problem(c, "%s: a second result for %s round %u (the first is at %s); left out",
				where, res.runtime_class, res.round, c->seen[k][res.round - 1]);
		goto out;
	}
	{
		cleanup_free char *path = xasprintf("%s/raw/%s-r%u.json", c->dir, res.runtime_class,
						    res.round);
		if (result_write(path, res.suite, &err) < 0) {
			collect_problem(c, "%s: %s", where, err.msg);
			goto out;
		}
	}
	c->seen[k][res.round - 1] = xstrdup(where);
	c->results++;
	node = json_string_value(json_object_get(json_object_get(res.suite, "metadata"), "k8s_node"));
	if (node && !json_object_get(c->nodes, node))
		json_object_set_new(c->nodes, node, json_string(where));
out:
	ctr_k8s_result_release(&res);
}

static void collect_file(struct collect *c, const char *path)
{
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	struct bench_error err = { 0 };
	/* A pipe only when given as `-`: a FIFO named as a file is refused.  */
	int fd = is_stdin ? -1 : util_open_input(path, &err);
	FILE *f = is_stdin ? stdin : fd >= 0 ? fdopen(fd, "re") : NULL;
	char *line = NULL;
	size_t cap = 0, lineno = 0, found = 0;

	if (!f) {
		if (fd >= 0) {
			bench_error_set(&err, errno, "open `%s`", path);
			close(fd);
		}
		collect_problem(c, "%s", err.msg);
		return;
	}
	while (getline(&line, &cap, f) >= 0) {
		cleanup_free char *where = NULL;

		lineno++;
		if (!strstr(line, CTR_K8S_MARKER " v"))
			continue;
		found++;
		where = xasprintf("%s:%zu", name, lineno);
		collect_line(c, line, where);
	}
	if (ferror(f))
		collect_problem(c, "read `%s`: %s", name, strerror(errno));
	else if (!found)
		collect_problem(c, "%s: no %s line: the Job did not finish, or this is not a "
				"sandbench Job's log (its last lines say why)", name, CTR_K8S_MARKER);
	free(line);
	if (!is_stdin)
		fclose(f);
}

/* What each merged file records of how it was run.  */
static json_t *collect_metadata(const struct collect *c)
{
	json_t *all = json_object(), *p = c->plan;

	for (size_t i = 0; i < c->nclasses; i++) {
		json_t *md = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I}",
				       "runtime", c->classes[i], "engine", "kubernetes",
				       "k8s_runtime_class", c->classes[i], "k8s_run_id", c->run_id,
				       "matrix_rounds", (int)c->rounds,
				       "matrix_seed", json_integer_value(json_object_get(p, "seed")));
		const char *image = json_string_value(json_object_get(p, "image"));

		if (image)
			json_object_set_new(md, "k8s_image", json_string(image));
		if (json_integer_value(json_object_get(p, "cpus")) > 0)
			json_object_set(md, "k8s_cpus", json_object_get(p, "cpus"));
		if (json_integer_value(json_object_get(p, "memory")) > 0)
			json_object_set(md, "limit_memory", json_object_get(p, "memory"));
		json_object_set_new(all, c->classes[i], md);
	}
	return all;
}

/* Every (class, round) has a result, and every result comes from one node.  */
static void collect_check(struct collect *c)
{
	const char *node;
	json_t *where;

	for (size_t k = 0; k < c->nclasses; k++)
		for (unsigned r = 0; r < c->rounds; r++) {
			cleanup_free char *path = xasprintf("%s/raw/%s-r%u.json", c->dir,
							    c->classes[k], r + 1);
			/* An earlier collect may have brought it.  */
			if (!c->seen[k][r] && access(path, F_OK) != 0)
				collect_problem(c, "no result for %s round %u: its Job's log is not "
						"among the input, or the Job did not finish",
						c->classes[k], r + 1);
		}
	if (json_object_size(c->nodes) > 1) {
		collect_problem(c, "the results come from %zu nodes, not one:",
				json_object_size(c->nodes));
		json_object_foreach(c->nodes, node, where)
			fprintf(stderr, "  %s (first at %s)\n", node, json_string_value(where));
	}
}

/* The report of the merged files, as `compare -o DIR` writes it (`report
 * DIR` would also read plan.json as a result file): 0, or 1.  */
static int collect_report(const struct collect *c)
{
	struct report_options ro = REPORT_OPTIONS_INIT;
	struct bench_error err = { 0 };
	char *paths[LIMIT_RUNTIMES];
	size_t n = 0;
	int rc = 0;

	for (size_t k = 0; k < c->nclasses; k++) {
		char *path = xasprintf("%s/%s.json", c->dir, c->classes[k]);
		if (access(path, F_OK) == 0)
			paths[n++] = path;
		else
			free(path);
	}
	if (n >= 2 && report_files(&ro, (const char *const *)paths, n, c->dir, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		rc = 1;
	} else if (n < 2) {
		fprintf(stderr, "k8s collect: fewer than two classes have results: no report\n");
	}
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	bench_error_release(&err);
	return rc;
}

int ctr_k8s_collect(const char *dir, char *const *logs, int nlogs)
{
	struct collect c = { .dir = dir };
	struct bench_error err = { 0 };
	cleanup_free char *raw = xasprintf("%s/raw", dir);
	json_t *extra = NULL;
	int status = 2;

	if (collect_load_plan(&c, &err) < 0 || util_mkdir_p(raw, &err) < 0) {
		fprintf(stderr, "sandbench: k8s collect: %s\n", err.msg);
		goto out;
	}
	c.nodes = json_object();
	for (int i = 0; i < nlogs; i++)
		collect_file(&c, logs[i]);
	if (nlogs == 0)
		collect_file(&c, "-");
	collect_check(&c);
	extra = collect_metadata(&c);
	if (ctr_matrix_merge(c.dir, c.classes, c.rounds, extra, stderr, &err) < 0) {
		fprintf(stderr, "sandbench: k8s collect: merge: %s\n", err.msg);
		status = 1;
		goto out;
	}
	fprintf(stderr, "k8s collect: %u result%s of run %s taken in\n", c.results,
		c.results == 1 ? "" : "s", c.run_id);
	status = collect_report(&c);
	if (c.problems) {
		fprintf(stderr, "sandbench: k8s collect: %u problem%s (above); the good results are "
			"merged\n", c.problems, c.problems > 1 ? "s" : "");
		status = 1;
	}
out:
	for (size_t k = 0; k < LIMIT_RUNTIMES; k++)
		for (unsigned r = 0; r < LIMIT_ROUNDS; r++)
			free(c.seen[k][r]);
	json_decref(extra);
	json_decref(c.nodes);
	json_decref(c.plan);
	bench_error_release(&err);
	return status;
}
