#include "bench/report/folder.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "bench/report/compare.h"
#include "bench/report/gate.h"
#include "bench/report/report.h"
#include "bench/report/thesis.h"

/* The system-call budget, when a syscalls.json (`explain --syscalls`) sits
 * beside the first file: c->budget is then t.  */
static int load_budget(struct compare *c, const char *first, struct budget_table *t,
		       struct bench_error *err)
{
	cleanup_free char *copy = xstrdup(first);
	char *slash = strrchr(copy, '/');
	cleanup_free char *path = NULL;
	int rc;

	if (slash)
		*slash = '\0';
	path = xasprintf("%s/syscalls.json", slash ? copy : ".");
	rc = budget_table_load(t, c, path, err);
	if (rc > 0)
		c->budget = t;
	/* Counts of other benchmarks beside the files (a results folder's
	 * syscalls.json) do not stop a comparison: said, and left out.  */
	if (rc == BUDGET_MISMATCH) {
		fprintf(stderr, "sandbench: %s: the system-call budget is left out\n", err->msg);
		bench_error_release(err);
		rc = 0;
	}
	return rc;
}

int report_files(const struct report_options *o, const char *const *paths, size_t n,
		 const char *dir, struct bench_error *err)
{
	struct thesis_table study = { 0 };
	struct compare cmp = { 0 };
	struct budget_table budget = { 0 };
	struct compare_options opts = { .ref = o->ref, .min_change = o->min_change,
					.study = &study };
	cleanup_free char *crossed = NULL;
	int color, rc = -1;

	if (thesis_load(o->table, &study, err) < 0)
		goto out;
	for (size_t i = 0; o->table && i < study.nrows; i++)
		if (!study.rows[i].name)
			fprintf(stderr, "sandbench: %s: `%s` is not one of our benchmarks (see "
				"`sandbench list`): left out\n", o->table, study.rows[i].label);
	if ((o->side_a ? compare_load_runs(&cmp, paths, n, o->side_a, &opts, err) :
			 compare_load(&cmp, paths, n, &opts, err)) < 0 ||
	    gate_check_names(&cmp, o->bounds, o->nbounds, err) < 0 ||
	    load_budget(&cmp, paths[0], &budget, err) < 0)
		goto out;
	/* Escape codes only for a person at a terminal (https://no-color.org).  */
	color = !o->no_color && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	report_text(stdout, &cmp, color);
	fflush(stdout);
	rc = 0;
	if (dir) {
		if (report_write_dir(&cmp, dir, err) < 0)
			rc = REPORT_NOT_WRITTEN;
		else
			printf("\nreport: %s/report.md (and report.csv, report.json, overview.svg, "
			       "category-*.svg%s)\n", dir, cmp.budget ? ", budget.svg" : "");
	}
	crossed = gate_crossed(&cmp, o->fail_on, o->bounds, o->nbounds);
	if (crossed) {
		fflush(stdout);
		fprintf(stderr, "sandbench: FAILED %s\n", crossed);
		if (rc == 0)
			rc = REPORT_GATE_CROSSED;
	}
out:
	budget_table_release(&budget);
	compare_release(&cmp);
	thesis_release(&study);
	return rc;
}

static size_t stem_length(const char *path)
{
	return strlen(path) - (util_ends_with(path, ".json.gz") ? 8 : 5);
}

/* By file stem: native.json before native-2.json.  */
static int by_name(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = stem_length(x), ly = stem_length(y);
	int c = strncmp(x, y, lx < ly ? lx : ly);

	return c ? c : lx < ly ? -1 : lx > ly ? 1 : strcmp(x, y);
}

/* Not result files, though in such a folder: `sandbench matrix`'s plan, our
 * own output, and the counts of `explain --syscalls` that `explain` reads.  */
static const char *const not_results[] = { "matrix.json", "report.json", "plan.json",
					   "syscalls.json" };

static int is_result_name(const char *name)
{
	if (name[0] == '.' ||
	    !(util_ends_with(name, ".json") || util_ends_with(name, ".json.gz")))
		return 0;
	for (size_t i = 0; i < sizeof(not_results) / sizeof(not_results[0]); i++)
		if (strcmp(name, not_results[i]) == 0)
			return 0;
	return 1;
}

int report_list_results(const char *dir, char ***out, size_t *n, struct bench_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **paths = NULL;
	size_t count = 0;

	if (!d)
		return bench_error_set(err, errno, "open the folder `%s`", dir);
	while ((e = readdir(d))) {
		struct stat st;

		/* A FIFO or a device named *.json would hang or mislead the read.  */
		if (!is_result_name(e->d_name) || fstatat(dirfd(d), e->d_name, &st, 0) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		paths = xrealloc(paths, (count + 1) * sizeof(*paths));
		paths[count++] = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	/* An empty folder leaves paths NULL, which qsort must not be given.  */
	if (count > 1)
		qsort(paths, count, sizeof(*paths), by_name);
	*out = paths;
	*n = count;
	return 0;
}


int report_folder(const struct report_options *o, const char *dir, struct bench_error *err)
{
	char **paths = NULL;
	size_t n = 0;
	int rc;

	if (report_list_results(dir, &paths, &n, err) < 0)
		return -1;
	if (n < 2)
		rc = bench_error_set(err, 0, "%s: %zu result file%s (*.json, *.json.gz); a report "
				     "compares one file per runtime, at least two", dir, n,
				     n == 1 ? "" : "s");
	else
		rc = report_files(o, (const char *const *)paths, n, dir, err);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}
