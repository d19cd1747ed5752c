/* A budget table from a matrix folder: the counts of DIR/syscalls.json, and
 * the probes the matrix's own files lack from DIR/probes (and probes-2,
 * ...), matrices of the probes alone under the same runtimes; which probes
 * a budget still misses, and the command that measures them.  */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "bench/report/compare.h"
#include "bench/report/folder.h"

/* Whether name is BUDGET_PROBES_DIR or BUDGET_PROBES_DIR-N.  */
static int is_probes_name(const char *name)
{
	size_t len = strlen(BUDGET_PROBES_DIR);

	if (strncmp(name, BUDGET_PROBES_DIR, len) != 0)
		return 0;
	if (name[len] == '\0')
		return 1;
	if (name[len] != '-' || !name[len + 1])
		return 0;
	for (const char *p = name + len + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/* One probes folder into probes: 0, or -1 (err set).  */
static int load_one(struct compare *probes, const char *sub, struct bench_error *err)
{
	struct compare_options opts = { .min_change = 0.02 };
	char **paths = NULL;
	size_t n = 0;
	int rc = 0;

	if (report_list_results(sub, &paths, &n, err) < 0)
		return -1;
	if (n < 2)
		rc = bench_error_set(err, 0, "`%s`: %zu result file%s; a matrix of the probes "
				     "needs the runtimes of the matrix beside it (finish it with "
				     "`sandbench matrix --resume %s`, or remove it)", sub, n,
				     n == 1 ? "" : "s", sub);
	else if (compare_load(probes, (const char *const *)paths, n, &opts, err) < 0)
		rc = -1;
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int budget_probes_load(struct budget_probes *p, const char *dir, struct bench_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **subs = NULL;
	size_t n = 0;
	int rc = 0;

	*p = (struct budget_probes){ 0 };
	if (!d)
		return bench_error_set(err, errno, "open the folder `%s`", dir);
	while ((e = readdir(d))) {
		struct stat st;

		if (is_probes_name(e->d_name) && fstatat(dirfd(d), e->d_name, &st, 0) == 0 &&
		    S_ISDIR(st.st_mode)) {
			subs = xrealloc(subs, (n + 1) * sizeof(*subs));
			subs[n++] = xasprintf("%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	if (n > 1)
		qsort(subs, n, sizeof(*subs), by_name);
	p->matrices = xcalloc(n ? n : 1, sizeof(*p->matrices));
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((rc = load_one(&p->matrices[i], subs[i], err)) == 0)
			p->n++;
	for (size_t i = 0; i < n; i++)
		free(subs[i]);
	free(subs);
	return rc;
}

void budget_probes_release(struct budget_probes *p)
{
	for (size_t i = 0; i < p->n; i++)
		compare_release(&p->matrices[i]);
	free(p->matrices);
	*p = (struct budget_probes){ 0 };
}

char *budget_probes_free_dir(const char *dir)
{
	char *sub = xasprintf("%s/" BUDGET_PROBES_DIR, dir);
	struct stat st;

	for (int i = 2; lstat(sub, &st) == 0; i++) {
		free(sub);
		sub = xasprintf("%s/" BUDGET_PROBES_DIR "-%d", dir, i);
	}
	return sub;
}

void budget_missing_probes(const struct budget *b, const char **names, size_t *n, size_t max)
{
	for (size_t i = 0; b && i < b->nunpriced; i++) {
		const char *probe = b->unpriced[i].probe;
		size_t j = 0;

		while (probe && j < *n && strcmp(names[j], probe) != 0)
			j++;
		if (probe && j == *n && *n < max)
			names[(*n)++] = probe;
	}
}

void budget_probes_command(FILE *f, const char *dir, const struct compare *c,
			   const char **missing, size_t nmissing)
{
	cleanup_free char *plan_path = xasprintf("%s/matrix.json", dir);
	cleanup_free char *out = budget_probes_free_dir(dir);
	cleanup_free char *text = NULL;
	json_t *plan = util_read_file(plan_path, LIMIT_SMALL_FILE, &text, NULL, NULL) == 0 ?
		       json_loads(text, 0, NULL) : NULL, *rt;
	const char *profile = json_string_value(json_object_get(plan, "profile"));
	const char *engine = json_string_value(json_object_get(plan, "engine"));
	const char *design = json_string_value(json_object_get(plan, "design"));
	size_t i;

	fprintf(f, "\nprobes missing from the matrix's files: the calls they price are unpriced "
		"above.  Measure them beside the matrix (the budget and `sandbench report %s` "
		"read %s/" BUDGET_PROBES_DIR "*):\n    sandbench matrix --runtimes ", dir, dir);
	if (json_array_size(json_object_get(plan, "runtimes")) > 0)
		json_array_foreach(json_object_get(plan, "runtimes"), i, rt)
			fprintf(f, "%s%s", i ? "," : "", json_string_value(rt));
	else
		for (i = 0; i < c->nruntimes; i++)
			fprintf(f, "%s%s", i ? "," : "", c->runtimes[i].name);
	if (profile && strcmp(profile, "default") != 0)
		fprintf(f, " --%s", profile);
	if (engine && strcmp(engine, "oci") != 0)
		fprintf(f, " --engine %s", engine);
	if (design && strcmp(design, "lockstep") != 0)
		fprintf(f, " --design %s", design);
	fprintf(f, " -b ");
	for (i = 0; i < nmissing; i++)
		fprintf(f, "%s%s", i ? "," : "", missing[i]);
	fprintf(f, " -o %s\n", out);
	json_decref(plan);
}

/* The keys of explain --syscalls that must agree with the result files'.  */
static const char *const version_keys[] = { "sandbench_version", "python_version" };

int budget_counts_check(const struct compare *c, json_t *counts, const char *path,
			struct bench_error *err)
{
	json_t *benches = json_object_get(counts, "benchmarks");
	json_t *md = c->runtimes[c->ref].metadata;
	char why[256] = "";
	size_t known = 0;
	char *names, *joined;

	for (size_t i = 0; i < c->nbenches; i++)
		known += json_object_get(benches, c->benches[i].name) != NULL;
	if (known == 0)
		snprintf(why, sizeof(why), "it counts none of the matrix's benchmarks");
	for (size_t i = 0; i < sizeof(version_keys) / sizeof(version_keys[0]) && !why[0]; i++) {
		const char *a = json_string_value(json_object_get(counts, version_keys[i]));
		const char *b = json_string_value(json_object_get(md, version_keys[i]));

		/* Counts from before the key was recorded pass.  */
		if (a && b && strcmp(a, b) != 0)
			snprintf(why, sizeof(why), "it was counted by %s %s, the matrix ran %s",
				 i == 0 ? "sandbench" : "Python", a, b);
	}
	for (size_t i = 0; i < c->nbenches && !why[0]; i++) {
		json_t *calls = json_object_get(benches, c->benches[i].name), *n;
		const char *call;

		json_object_foreach(calls, call, n) {
			const struct budget_price *p = budget_price_of(call);

			if (p && p->covers && json_number_value(n) > 0 &&
			    !json_object_get(benches, p->probe)) {
				snprintf(why, sizeof(why), "it lacks the counts of `%s`, which prices "
					 "`%s` with the calls it makes besides (`%s` calls `%s`)",
					 p->probe, call, c->benches[i].name, call);
				break;
			}
		}
	}
	if (!why[0])
		return 0;
	names = xstrdup("");
	for (size_t i = 0; i < c->nbenches; i++) {
		joined = xasprintf("%s%s%s", names, i ? "," : "", c->benches[i].name);
		free(names);
		names = joined;
	}
	bench_error_set(err, 0, "`%s` does not match the matrix: %s; make matching counts with "
			"`sandbench explain --syscalls -b %s -o %s --force`", path, why, names, path);
	free(names);
	return -1;
}

/* Every count a number of calls per iteration, every read_bytes one of
 * bytes: finite, 0 or more.  */
static int counts_valid(json_t *counts, const char *path, struct bench_error *err)
{
	const char *bench, *call;
	json_t *calls, *n;

	json_object_foreach(json_object_get(counts, "benchmarks"), bench, calls) {
		if (!json_is_object(calls))
			return bench_error_set(err, 0, "`%s`: benchmark `%s`: its counts are not an "
					       "object of calls", path, bench);
		json_object_foreach(calls, call, n)
			if (!json_is_number(n) || !(json_number_value(n) >= 0) ||
			    !isfinite(json_number_value(n)))
				return bench_error_set(err, 0, "`%s`: benchmark `%s`: the count of `%s` "
						       "is not a number of calls (0 or more)", path,
						       bench, call);
	}
	json_object_foreach(json_object_get(counts, "read_bytes"), bench, n)
		if (!json_is_number(n) || !(json_number_value(n) >= 0) ||
		    !isfinite(json_number_value(n)))
			return bench_error_set(err, 0, "`%s`: benchmark `%s`: its read_bytes is not a "
					       "number of bytes (0 or more)", path, bench);
	return 0;
}

int budget_table_load(struct budget_table *t, const struct compare *c, const char *path,
		      struct bench_error *err)
{
	cleanup_free char *text = NULL;
	cleanup_free char *dir = xstrdup(path);
	struct budget_probes probes;
	char *slash = strrchr(dir, '/');
	json_error_t jerr;
	json_t *counts;
	int rc;

	*t = (struct budget_table){ 0 };
	if (access(path, F_OK) < 0)
		return 0;
	if (util_read_file(path, LIMIT_DATA_FILE, &text, NULL, err) < 0)
		return -1;
	counts = json_loads(text, 0, &jerr);
	if (!counts) {
		char why[JSON_ERROR_TEXT_LENGTH + 64];
		result_json_error(&jerr, why, sizeof(why));
		return bench_error_set(err, 0, "`%s`: not the output of `explain --syscalls`: not "
				       "valid JSON: %s", path, why);
	}
	if (!json_is_object(json_object_get(counts, "benchmarks"))) {
		json_decref(counts);
		return bench_error_set(err, 0, "`%s`: not the output of `explain --syscalls` (no "
				       "\"benchmarks\" object)", path);
	}
	if (counts_valid(counts, path, err) < 0) {
		json_decref(counts);
		return -1;
	}
	if (budget_counts_check(c, counts, path, err) < 0) {
		json_decref(counts);
		return BUDGET_MISMATCH;
	}
	if (slash)
		*slash = '\0';
	rc = budget_probes_load(&probes, slash ? dir : ".", err);
	if (rc == 0)
		budget_table_build(t, c, counts, &probes);
	budget_probes_release(&probes);
	json_decref(counts);
	return rc < 0 ? -1 : 1;
}
