/* C twin of pathlib: the same tree of 2,000 files (made by pathlib/_tree.py
 * in a temporary folder), scanned twice per loop with opendir/readdir and
 * fstatat, then glob(3) "*.py" and stat, with the same counts.  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/native.h"
#include "embed/py.h"

struct tree_state {
	struct native_figures fig;	/* first: see native.h */
	char *dir, *pattern;
	json_int_t files, bytes, py_files, py_bytes;	/* expected */
};

/* Remove the (flat) tree and its folder; best effort.  */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

static void tree_teardown(void *state)
{
	struct tree_state *s = state;

	if (!s)
		return;
	if (s->dir)
		remove_tree(s->dir);
	free(s->dir);
	free(s->pattern);
	free(s);
}

static int tree_load(struct tree_state *s, struct bench_error *err)
{
	cleanup_free char *json = NULL;
	json_t *counts;
	const char *dir;
	json_error_t jerr;
	int rc;

	if (py_call_bytes("pathlib/_tree", "make_temp_tree", &json, NULL, err) < 0)
		return -1;
	counts = json_loads(json, 0, &jerr);
	rc = counts ? json_unpack_ex(counts, &jerr, 0, "{s:s, s:I, s:I, s:I, s:I}", "path", &dir,
				     "files", &s->files, "bytes", &s->bytes,
				     "py_files", &s->py_files, "py_bytes", &s->py_bytes) : -1;
	if (rc == 0)
		s->dir = xstrdup(dir);
	json_decref(counts);
	if (rc < 0)
		return bench_error_set(err, 0, "_tree.make_temp_tree(): %s", jerr.text);
	s->pattern = xasprintf("%s/*.py", s->dir);
	return 0;
}

static int tree_setup(void **state, struct bench_error *err)
{
	struct tree_state *s = xcalloc(1, sizeof(*s));

	if (tree_load(s, err) < 0) {
		tree_teardown(s);
		return -1;
	}
	*state = s;
	return 0;
}

/* iterdir() with stat(), then glob("*.py") with stat(), as pathlib's _scan.  */
static int scan(struct tree_state *s, json_int_t found[4], struct bench_error *err)
{
	json_int_t files = 0, bytes = 0, py_files = 0, py_bytes = 0;
	struct dirent *e;
	struct stat st;
	glob_t g;
	DIR *d;
	int rc;

	d = opendir(s->dir);
	if (!d)
		return bench_error_set(err, errno, "open folder `%s`", s->dir);
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (!e)
			break;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, 0) < 0) {
			bench_error_set(err, errno, "stat `%s/%s`", s->dir, e->d_name);
			closedir(d);
			return -1;
		}
		files++;
		bytes += st.st_size;
	}
	rc = errno;
	closedir(d);
	if (rc)
		return bench_error_set(err, rc, "read folder `%s`", s->dir);

	/* pathlib yields glob matches unsorted.  */
	rc = glob(s->pattern, GLOB_NOSORT, NULL, &g);
	if (rc != 0 && rc != GLOB_NOMATCH)
		return bench_error_set(err, rc == GLOB_ABORTED ? errno : 0, "glob `%s`%s",
				       s->pattern, rc == GLOB_NOSPACE ? ": out of memory" : "");
	for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++) {
		if (stat(g.gl_pathv[i], &st) < 0) {
			bench_error_set(err, errno, "stat `%s`", g.gl_pathv[i]);
			globfree(&g);
			return -1;
		}
		py_files++;
		py_bytes += st.st_size;
	}
	if (rc == 0)
		globfree(&g);
	found[0] = files;
	found[1] = bytes;
	found[2] = py_files;
	found[3] = py_bytes;
	return 0;
}

static int tree_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		    struct bench_error *err)
{
	static const char *const keys[4] = { "files", "bytes", "py_files", "py_bytes" };
	struct tree_state *s = state;
	json_int_t found[4], expected[4] = { s->files, s->bytes, s->py_files, s->py_bytes };

	for (uint64_t i = 0; i < loops; i++) {
		for (int r = 0; r < 2; r++) {
			if (scan(s, found, err) < 0)
				return -1;
			for (unsigned k = 0; k < 4; k++)
				native_figure_set(&s->fig, k, keys[k], (double)found[k]);
			if (memcmp(found, expected, sizeof(found)) != 0)
				return bench_error_set(err, 0, "pathlib_c: found (files, bytes, py "
						       "files, py bytes) (%lld, %lld, %lld, %lld), "
						       "expected (%lld, %lld, %lld, %lld)",
						       (long long)found[0], (long long)found[1],
						       (long long)found[2], (long long)found[3],
						       (long long)expected[0], (long long)expected[1],
						       (long long)expected[2], (long long)expected[3]);
		}
	}
	return 0;
}

const struct bench_native_ops pathlib_c_ops = {
	.needs_python = 1,
	.setup = tree_setup,
	.run = tree_run,
	.teardown = tree_teardown,
};
