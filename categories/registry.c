#include "categories/registry.h"

#include <stdio.h>
#include <string.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/native.h"

/*
 * Every benchmark, in the order a run visits them.  Fields:
 *   name      the benchmark's name in results (pyperformance's names)
 *   category  the study's category; kernel, net and threads go beyond it
 *   kind      python, process or native
 *   module    Python workloads: "category/file" under categories/
 *   requires  the Debian package a missing import is reported against
 *   native    C workloads: their setup/run/teardown
 */
#define PY(n, c, m) { .name = n, .category = c, .kind = BENCH_PYTHON, .module = m }
#define PYREQ(n, c, m, pkg) \
	{ .name = n, .category = c, .kind = BENCH_PYTHON, .module = m, .requires = pkg }
#define NATIVE(n, c, ops) { .name = n, .category = c, .kind = BENCH_NATIVE, .native = &ops }

const struct bench_def bench_registry[] = {
	/* apps */
	{ .name = "2to3", .category = "apps", .kind = BENCH_PROCESS,
	  .module = "apps/2to3", .requires = "python3-lib2to3" },
	PYREQ("chameleon", "apps", "apps/chameleon", "python3-chameleon"),
	PYREQ("tornado_http", "apps", "apps/tornado_http", "python3-tornado"),
	/* math */
	PY("float", "math", "math/float"),
	PY("nbody", "math", "math/nbody"),
	PY("pidigits", "math", "math/pidigits"),
	/* logging */
	PY("logging_format", "logging", "logging/logging_format"),
	PY("logging_silent", "logging", "logging/logging_silent"),
	PY("logging_simple", "logging", "logging/logging_simple"),
	/* scimark */
	PY("scimark_fft", "scimark", "scimark/scimark_fft"),
	PY("scimark_lu", "scimark", "scimark/scimark_lu"),
	PY("scimark_monte_carlo", "scimark", "scimark/scimark_monte_carlo"),
	PY("scimark_sor", "scimark", "scimark/scimark_sor"),
	PY("scimark_sparse_mat_mult", "scimark", "scimark/scimark_sparse_mat_mult"),
	/* serialize */
	PY("json_dumps", "serialize", "serialize/json_dumps"),
	PY("json_loads", "serialize", "serialize/json_loads"),
	PY("pickle", "serialize", "serialize/pickle"),
	PY("unpickle", "serialize", "serialize/unpickle"),
	PY("pickle_dict", "serialize", "serialize/pickle_dict"),
	PY("pickle_list", "serialize", "serialize/pickle_list"),
	PY("unpickle_list", "serialize", "serialize/unpickle_list"),
	PY("pickle_pure_python", "serialize", "serialize/pickle_pure_python"),
	PY("unpickle_pure_python", "serialize", "serialize/unpickle_pure_python"),
	PY("xml_etree_parse", "serialize", "serialize/xml_etree_parse"),
	PY("xml_etree_iterparse", "serialize", "serialize/xml_etree_iterparse"),
	PY("xml_etree_generate", "serialize", "serialize/xml_etree_generate"),
	PY("xml_etree_process", "serialize", "serialize/xml_etree_process"),
#if HAVE_LIBXML2
	NATIVE("xml_parse_libxml2", "serialize", serialize_xml_parse_libxml2_ops),
	NATIVE("xml_iterparse_libxml2", "serialize", serialize_xml_iterparse_libxml2_ops),
	NATIVE("xml_generate_libxml2", "serialize", serialize_xml_generate_libxml2_ops),
#endif
	/* sql */
	PYREQ("sqlalchemy_declarative", "sql", "sql/sqlalchemy_declarative", "python3-sqlalchemy"),
	PYREQ("sqlalchemy_imperative", "sql", "sql/sqlalchemy_imperative", "python3-sqlalchemy"),
	PY("sqlite_synth", "sql", "sql/sqlite_synth"),
#if HAVE_SQLITE3
	NATIVE("sqlite_synth_c", "sql", sql_sqlite_synth_c_ops),
#endif
	/* sympy */
	PYREQ("sympy_expand", "sympy", "sympy/sympy_expand", "python3-sympy"),
	PYREQ("sympy_integrate", "sympy", "sympy/sympy_integrate", "python3-sympy"),
	PYREQ("sympy_sum", "sympy", "sympy/sympy_sum", "python3-sympy"),
	PYREQ("sympy_str", "sympy", "sympy/sympy_str", "python3-sympy"),
	/* regex */
	PY("regex_compile", "regex", "regex/regex_compile"),
	PY("regex_dna", "regex", "regex/regex_dna"),
	PY("regex_effbot", "regex", "regex/regex_effbot"),
	PY("regex_v8", "regex", "regex/regex_v8"),
#if HAVE_PCRE2
	NATIVE("regex_dna_pcre2", "regex", regex_dna_pcre2_ops),
	NATIVE("regex_effbot_pcre2", "regex", regex_effbot_pcre2_ops),
#endif
	/* template */
	PYREQ("django_template", "template", "template/django_template", "python3-django"),
	PYREQ("mako", "template", "template/mako", "python3-mako"),
	/* pathlib */
	PY("pathlib", "pathlib", "pathlib/pathlib"),
	NATIVE("pathlib_c", "pathlib", pathlib_c_ops),
	/* startup: children of the binary itself, timed from spawn to exit */
	{ .name = "python_startup", .category = "startup", .kind = BENCH_PROCESS,
	  .native = &startup_python_ops },
	{ .name = "python_startup_no_site", .category = "startup", .kind = BENCH_PROCESS,
	  .native = &startup_python_no_site_ops },
	NATIVE("process_spawn", "startup", startup_process_spawn_ops),
	/* misc */
	PY("chaos", "misc", "misc/chaos"),
	PYREQ("crypto_pyaes", "misc", "misc/crypto_pyaes", "python3-pyaes"),
	PY("deltablue", "misc", "misc/deltablue"),
	PYREQ("dulwich_log", "misc", "misc/dulwich_log", "python3-dulwich"),
	PY("fannkuch", "misc", "misc/fannkuch"),
	PY("go", "misc", "misc/go"),
	PY("hexiom", "misc", "misc/hexiom"),
	PY("meteor_contest", "misc", "misc/meteor_contest"),
	PY("nqueens", "misc", "misc/nqueens"),
	PY("pyflate", "misc", "misc/pyflate"),
	PY("raytrace", "misc", "misc/raytrace"),
	PY("richards", "misc", "misc/richards"),
	PY("spectral_norm", "misc", "misc/spectral_norm"),
	PY("telco", "misc", "misc/telco"),
	PY("unpack_sequence", "misc", "misc/unpack_sequence"),
	/* beyond the study */
	PY("asyncio_tcp", "net", "net/asyncio_tcp"),
	PY("thread_pool_map", "threads", "threads/thread_pool_map"),
	NATIVE("syscall_getpid", "kernel", kernel_syscall_getpid_ops),
	NATIVE("clock_gettime", "kernel", kernel_clock_gettime_ops),
	NATIVE("file_open_close", "kernel", kernel_file_open_close_ops),
	NATIVE("file_stat", "kernel", kernel_file_stat_ops),
	NATIVE("file_read_4k", "kernel", kernel_file_read_4k_ops),
	NATIVE("file_write_fsync", "kernel", kernel_file_write_fsync_ops),
	NATIVE("mmap_fault", "kernel", kernel_mmap_fault_ops),
	NATIVE("pipe_pingpong", "kernel", kernel_pipe_pingpong_ops),
	NATIVE("futex_pingpong", "kernel", kernel_futex_pingpong_ops),
	NATIVE("tcp_loopback_rtt", "kernel", kernel_tcp_loopback_rtt_ops),
	NATIVE("fork_exec", "kernel", kernel_fork_exec_ops),
	/* one system call each, to price them (bench/report/budget.c) */
	NATIVE("file_lseek", "kernel", kernel_file_lseek_ops),
	NATIVE("file_fstat", "kernel", kernel_file_fstat_ops),
	NATIVE("dir_getdents", "kernel", kernel_dir_getdents_ops),
	NATIVE("mmap_munmap", "kernel", kernel_mmap_munmap_ops),
	NATIVE("brk_grow_shrink", "kernel", kernel_brk_grow_shrink_ops),
	NATIVE("madvise_dontneed", "kernel", kernel_madvise_dontneed_ops),
	NATIVE("arena_fault", "kernel", kernel_arena_fault_ops),
	NATIVE("file_read_64k", "kernel", kernel_file_read_64k_ops),
	NATIVE("futex_wake", "kernel", kernel_futex_wake_ops),
	NATIVE("epoll_wait_zero", "kernel", kernel_epoll_wait_zero_ops),
	NATIVE("tcp_connect", "kernel", kernel_tcp_connect_ops),
	NATIVE("tcp_epoll_rtt", "kernel", kernel_tcp_epoll_rtt_ops),
	NATIVE("vfork_exec", "kernel", kernel_vfork_exec_ops),
};

const size_t bench_registry_len = sizeof(bench_registry) / sizeof(bench_registry[0]);

const char *const bench_registry_missing[][2] = {
#if !HAVE_LIBXML2
	{ "xml_parse_libxml2", "built without libxml2 (install libxml2-dev)" },
	{ "xml_iterparse_libxml2", "built without libxml2 (install libxml2-dev)" },
	{ "xml_generate_libxml2", "built without libxml2 (install libxml2-dev)" },
#endif
#if !HAVE_PCRE2
	{ "regex_dna_pcre2", "built without pcre2 (install libpcre2-dev)" },
	{ "regex_effbot_pcre2", "built without pcre2 (install libpcre2-dev)" },
#endif
#if !HAVE_SQLITE3
	{ "sqlite_synth_c", "built without sqlite3 (install libsqlite3-dev)" },
#endif
	{ NULL, NULL },
};

const char *bench_kind_name(enum bench_kind kind)
{
	switch (kind) {
	case BENCH_PYTHON: return "python";
	case BENCH_PROCESS: return "process";
	case BENCH_NATIVE: return "native";
	}
	return "?";
}

const struct bench_def *bench_registry_find(const char *name)
{
	for (size_t i = 0; i < bench_registry_len; i++)
		if (strcmp(bench_registry[i].name, name) == 0)
			return &bench_registry[i];
	return NULL;
}

int bench_registry_has_category(const char *category)
{
	for (size_t i = 0; i < bench_registry_len; i++)
		if (strcmp(bench_registry[i].category, category) == 0)
			return 1;
	return 0;
}

/* Is word one of the comma-separated items of list?  */
static int list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, word, n) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* The valid names of `what` ("benchmark" or "category"), space-separated.  */
static void valid_names(const char *what, char *buf, size_t size)
{
	size_t used = 0;
	int category = strcmp(what, "category") == 0;

	buf[0] = '\0';
	for (size_t i = 0; i < bench_registry_len && used < size; i++) {
		const char *v = category ? bench_registry[i].category : bench_registry[i].name;
		int seen = 0;
		for (size_t j = 0; category && j < i && !seen; j++)
			seen = strcmp(bench_registry[j].category, v) == 0;
		if (!seen)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "", v);
	}
}

/* Check every item of a comma-separated list with known(); on an unknown
 * one, fail naming it and the valid choices.  */
static int check_items(const char *list, const char *what, int (*known)(const char *),
		       struct bench_error *err)
{
	char valid[4096];
	const char *p = list;

	if (!list)
		return 0;
	do {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		cleanup_free char *item = strndup(p, len);

		if (len == 0 || !known(item)) {
			valid_names(what, valid, sizeof(valid));
			return bench_error_set(err, 0, "unknown %s `%s`; valid %s names: %s",
					       what, item, what, valid);
		}
		p = end ? end + 1 : NULL;
	} while (p);
	return 0;
}

static int known_name(const char *s) { return bench_registry_find(s) != NULL; }

int bench_registry_select(const char *names, const char *categories,
			  const struct bench_def ***out, size_t *n,
			  struct bench_error *err)
{
	const struct bench_def **sel;
	size_t count = 0;
	int all = !names && !categories;

	if (check_items(names, "benchmark", known_name, err) < 0 ||
	    check_items(categories, "category", bench_registry_has_category, err) < 0)
		return -1;
	sel = xcalloc(bench_registry_len, sizeof(*sel));
	for (size_t i = 0; i < bench_registry_len; i++) {
		const struct bench_def *d = &bench_registry[i];
		if (all || list_has(names, d->name) || list_has(categories, d->category))
			sel[count++] = d;
	}
	*out = sel;
	*n = count;
	return 0;
}
