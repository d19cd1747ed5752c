/* Native workloads: every one runs and passes its own check, each twin finds
 * the figures its Python helper reports, and the kernel probes start, run
 * and stop in-process (and are skipped, not failed, when a call is refused).
 * End-to-end tests run $SANDBENCH, which `make test` sets.  */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/native.h"
#include "categories/registry.h"
#include "embed/py.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-native-XXXXXX";

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(native, .init = setup, .fini = teardown, .timeout = 300);

/* Every native benchmark of the catalogue: in the registry, or listed as
 * left out of this build.  */
static const char *const catalogue[] = {
	"xml_parse_libxml2", "xml_iterparse_libxml2", "xml_generate_libxml2",
	"regex_dna_pcre2", "regex_effbot_pcre2", "sqlite_synth_c", "pathlib_c",
	"process_spawn", "syscall_getpid", "clock_gettime", "file_open_close", "file_stat",
	"file_read_4k", "file_write_fsync", "mmap_fault", "pipe_pingpong", "futex_pingpong",
	"tcp_loopback_rtt", "fork_exec",
};

/* The ones that start the binary's `__noop` mode.  */
static int spawns_noop(const char *name)
{
	return strcmp(name, "process_spawn") == 0 || strcmp(name, "fork_exec") == 0 ||
	       strcmp(name, "vfork_exec") == 0;
}

/* ---- end to end ---- */

/* Run $SANDBENCH with args; its exit status, stdout and stderr in *out, *err. */
static int sandbench(char *const args[], char **out, char **err)
{
	struct cmd c = support_run(dir, "sandbench", args);

	*out = c.out;
	*err = c.err;
	return c.status;
}

/* The values of benchmark `name` in a result file: present and positive.  */
static void check_values(json_t *suite, const char *name)
{
	json_t *b, *r, *v;
	size_t i, j, values = 0;

	json_array_foreach(json_object_get(suite, "benchmarks"), i, b) {
		json_t *md = json_object_get(b, "metadata");
		if (strcmp(json_string_value(json_object_get(md, "name")), name) != 0)
			continue;
		json_array_foreach(json_object_get(b, "runs"), j, r) {
			size_t k;
			json_array_foreach(json_object_get(r, "values"), k, v) {
				cr_assert_gt(json_real_value(v), 0, "`%s`: a value <= 0", name);
				values++;
			}
		}
	}
	cr_assert_gt(values, 0, "`%s` has no values in the result file", name);
}

/* Run names with --smoke; every one must succeed.  */
static void smoke(const char *names, const char *const *check, size_t ncheck)
{
	char *path = xasprintf("%s/smoke.json", dir), *out = NULL, *err = NULL;
	char *args[] = { "run", "--smoke", "-b", (char *)names, "-o", path, "--force", NULL };
	json_error_t jerr;
	json_t *suite;
	int status = sandbench(args, &out, &err);

	cr_assert_eq(status, 0, "sandbench run --smoke -b %s: exit %d\n%s\n%s", names, status,
		     out, err);
	suite = json_load_file(path, 0, &jerr);
	cr_assert_not_null(suite, "%s: %s", path, jerr.text);
	for (size_t i = 0; i < ncheck; i++)
		check_values(suite, check[i]);
	json_decref(suite);
	free(out);
	free(err);
	free(path);
}

Test(native, the_catalogue_is_registered)
{
	for (size_t i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++) {
		const struct bench_def *d = bench_registry_find(catalogue[i]);
		int missing = 0;

		for (size_t j = 0; bench_registry_missing[j][0]; j++)
			missing |= strcmp(bench_registry_missing[j][0], catalogue[i]) == 0;
		cr_assert(d || missing, "`%s` is neither registered nor listed as missing",
			  catalogue[i]);
		cr_assert(!(d && missing), "`%s` is both registered and missing", catalogue[i]);
		if (d) {
			cr_assert_eq(d->kind, BENCH_NATIVE, "`%s` is not native", d->name);
			cr_assert_not_null(d->native);
		}
	}
}

/* Every native benchmark and every Python twin of one, under --smoke: each
 * side passes its own check of the same figures.  */
Test(native, every_native_benchmark_and_python_twin_passes_smoke)
{
	static const char *const python_twins[] = {
		"xml_etree_parse", "xml_etree_iterparse", "xml_etree_generate", "regex_dna",
		"regex_effbot", "sqlite_synth", "pathlib",
	};
	const char *names[64];
	size_t n = 0, used = 0;
	char list[2048];

	for (size_t i = 0; i < bench_registry_len; i++)
		if (bench_registry[i].kind == BENCH_NATIVE && !spawns_noop(bench_registry[i].name))
			names[n++] = bench_registry[i].name;
	for (size_t i = 0; i < sizeof(python_twins) / sizeof(python_twins[0]); i++)
		names[n++] = python_twins[i];
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? "," : "",
					 names[i]);
	cr_assert_lt(used, sizeof(list));
	smoke(list, names, n);
}

/* Needs `{ "__noop", child_noop, NULL }` in bench/cmd/main.c's commands[].  */
Test(native, noop_mode_and_process_benchmarks)
{
	static const char *const names[] = { "process_spawn", "fork_exec", "vfork_exec" };
	char *args[] = { "__noop", NULL }, *out = NULL, *err = NULL;
	int status = sandbench(args, &out, &err);

	cr_assert_eq(status, 0, "`sandbench __noop` exits %d: %s", status, err);
	cr_assert_str_empty(out);
	free(out);
	free(err);
	smoke("process_spawn,fork_exec,vfork_exec", names, 3);
}

/* The faults of the processes a benchmark starts are recorded beside its
 * own (getrusage of the worker sees only its own): process_spawn's child
 * makes some every iteration, getpid none.  */
Test(native, a_started_childs_faults_are_recorded)
{
	static const char *const names[] = { "process_spawn", "syscall_getpid" };
	char *path = xasprintf("%s/smoke.json", dir);
	json_t *suite, *b;
	size_t i;

	smoke("process_spawn,syscall_getpid", names, 2);
	suite = json_load_file(path, 0, NULL);
	cr_assert_not_null(suite);
	json_array_foreach(json_object_get(suite, "benchmarks"), i, b) {
		const char *name = json_string_value(json_object_get(
			json_object_get(b, "metadata"), "name"));
		json_t *runs = json_object_get(b, "runs");
		json_t *run = json_array_get(runs, json_array_size(runs) - 1);
		json_t *v = json_object_get(json_object_get(run, "metadata"), "ru_child_minflt");

		cr_assert(json_is_integer(v), "%s: no ru_child_minflt", name);
		if (strcmp(name, "process_spawn") == 0)
			cr_assert_gt(json_integer_value(v), 10, "%s", name);
		else
			cr_assert_eq(json_integer_value(v), 0, "%s", name);
	}
	json_decref(suite);
	free(path);
}

/* ---- in-process ---- */

/* Start the interpreter when d needs it, as the worker does: once per
 * process (Criterion forks each test).  */
static void start_python_for(const struct bench_def *d)
{
	static int started;
	struct bench_error err = { 0 };
	struct py_options opts = { .site = 1, .hash_seed = 0 };

	if (!d->native->needs_python || started)
		return;
	cr_assert_eq(py_init(&opts, &err), 0, "%s", err.msg);
	started = 1;
}

/* setup, run(loops), teardown of a native benchmark (after starting the
 * interpreter when it needs Python); its figures (the first member of a
 * twin's state) into *fig when not NULL.  */
static void run_ops(const char *name, uint64_t loops, struct native_figures *fig)
{
	const struct bench_def *d = bench_registry_find(name);
	struct bench_error err = { 0 };
	void *state = NULL;
	uint64_t ns = 0;
	int rc;

	cr_assert_not_null(d, "no benchmark `%s` in this build", name);
	cr_assert_eq(d->kind, BENCH_NATIVE);
	start_python_for(d);
	rc = d->native->setup ? d->native->setup(&state, &err) : 0;
	if (rc == 0)
		rc = d->native->run(state, loops, &ns, &err);
	if (rc == 0 && fig)
		memcpy(fig, state, sizeof(*fig));
	if (d->native->teardown)
		d->native->teardown(state);
	cr_assert_eq(rc, 0, "`%s`: %s", name, err.msg);
	bench_error_release(&err);
}

/* The number at key ("element_count" or "expected_counts[3]") of obj.  */
static double json_figure(json_t *obj, const char *key)
{
	const char *bracket = strchr(key, '[');
	json_t *v;

	if (bracket) {
		char *name = strndup(key, (size_t)(bracket - key));
		v = json_array_get(json_object_get(obj, name), (size_t)atoi(bracket + 1));
		free(name);
	} else {
		v = json_object_get(obj, key);
	}
	cr_assert(json_is_number(v), "the Python helper reports no number `%s`", key);
	return json_number_value(v);
}

/* Run twin `name` once in-process and compare each of its figures with
 * what module.func() (the Python twin's helper) reports.  */
static json_t *compare_twin(const char *name, const char *module, const char *func,
			    unsigned min_figures)
{
	struct native_figures fig = { 0 };
	struct bench_error err = { 0 };
	cleanup_free char *text = NULL;
	json_error_t jerr;
	json_t *py;

	run_ops(name, 1, &fig);
	cr_assert_eq(py_call_bytes(module, func, &text, NULL, &err), 0, "%s.%s(): %s", module,
		     func, err.msg);
	py = json_loads(text, 0, &jerr);
	cr_assert_not_null(py, "%s.%s(): %s", module, func, jerr.text);
	cr_assert_geq(fig.n, min_figures, "`%s` recorded %u figures, expected %u", name, fig.n,
		      min_figures);
	for (unsigned i = 0; i < fig.n; i++) {
		double want = json_figure(py, fig.v[i].key);
		cr_assert_eq(fig.v[i].value, want, "`%s`: %s is %.17g, the Python twin's %.17g",
			     name, fig.v[i].key, fig.v[i].value, want);
	}
	return py;
}

#if HAVE_LIBXML2
Test(native, xml_parse_libxml2_counts_like_elementtree)
{
	json_decref(compare_twin("xml_parse_libxml2", "serialize/_xmldoc", "expected_json", 2));
}

Test(native, xml_iterparse_libxml2_counts_like_elementtree)
{
	json_decref(compare_twin("xml_iterparse_libxml2", "serialize/_xmldoc", "expected_json", 3));
}

Test(native, xml_generate_libxml2_writes_elementtrees_bytes)
{
	json_decref(compare_twin("xml_generate_libxml2", "serialize/_xmldoc", "expected_json", 2));
}
#endif

#if HAVE_PCRE2
Test(native, regex_dna_pcre2_counts_like_re)
{
	json_decref(compare_twin("regex_dna_pcre2", "regex/_dna", "expected_json", 11));
}

Test(native, regex_effbot_pcre2_hits_like_re)
{
	json_decref(compare_twin("regex_effbot_pcre2", "regex/_effbot", "cases_json", 1));
}
#endif

#if HAVE_SQLITE3
Test(native, sqlite_synth_c_finds_the_python_results)
{
	json_decref(compare_twin("sqlite_synth_c", "sql/_synth", "expected_json", 2));
}
#endif

Test(native, pathlib_c_counts_like_pathlib)
{
	/* The helper makes a tree of its own to count: remove it.  */
	json_t *py = compare_twin("pathlib_c", "pathlib/_tree", "make_temp_tree", 4);
	const char *path = json_string_value(json_object_get(py, "path"));

	cr_assert_not_null(path);
	cr_assert_eq(strncmp(path, "/", 1), 0);
	support_remove_dir(path);
	json_decref(py);
}

Test(native, kernel_probes_start_run_and_stop)
{
	for (size_t i = 0; i < bench_registry_len; i++) {
		const struct bench_def *d = &bench_registry[i];

		/* fork_exec and vfork_exec would exec this test binary: end to
		 * end only.  */
		if (strcmp(d->category, "kernel") == 0 && !spawns_noop(d->name))
			run_ops(d->name, 3, NULL);
	}
}

/* A set-up that fails halfway releases what it took and leaves no state. */
Test(native, failed_setup_leaves_nothing)
{
	static const char *const names[] = { "file_stat", "file_read_4k", "xml_parse_libxml2" };

	setenv("TMPDIR", "/nonexistent-sandbench-dir", 1);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct bench_def *d = bench_registry_find(names[i]);
		struct bench_error err = { 0 };
		void *state = NULL;

		if (!d)
			continue;
		start_python_for(d);
		cr_assert_eq(d->native->setup(&state, &err), -1, "`%s` set up in a missing folder",
			     names[i]);
		cr_assert_null(state);
		cr_assert(strstr(err.msg, "/nonexistent-sandbench-dir"), "`%s`: %s", names[i],
			  err.msg);
		cr_assert_eq(err.skip, 0);
		d->native->teardown(NULL);
		bench_error_release(&err);
	}
}

/* Make the kernel answer nr with errnum from now on (seccomp filter).  */
static int refuse_syscall(long nr, int errnum)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)errnum & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* A probe whose system call the kernel refuses is skipped with the errno.
 * The filter goes into a child of its own: Criterion's reporting needs
 * sockets.  */
Test(native, refused_syscall_skips_the_probe)
{
	const struct bench_def *d = bench_registry_find("tcp_loopback_rtt");
	int fds[2], status;
	char msg[1100] = "";
	ssize_t n;
	pid_t pid;

	cr_assert_not_null(d);
	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct bench_error err = { 0 };
		void *state = NULL;
		int rc;

		close(fds[0]);
		if (refuse_syscall(SYS_socket, EPERM) < 0)
			_exit(77);
		rc = d->native->setup(&state, &err);
		dprintf(fds[1], "%s", err.msg);
		_exit(rc == -1 && err.skip && !state ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		cr_skip_test("seccomp filters are not available here");
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "not skipped: %s", msg);
	cr_assert(strstr(msg, "unsupported here") && strstr(msg, "Operation not permitted"),
		  "message: %s", msg);
}

/* The interpreter is started by the worker for a twin that declares it
 * needs Python, never behind a twin's back.  */
Test(native, python_is_not_started_behind_a_twins_back)
{
	static const char *const twins[] = {
		"xml_parse_libxml2", "xml_iterparse_libxml2", "xml_generate_libxml2",
		"regex_dna_pcre2", "regex_effbot_pcre2", "sqlite_synth_c", "pathlib_c",
	};
	struct bench_error err = { 0 };
	char *text = NULL;

	cr_assert_eq(py_call_bytes("sql/_synth", "expected_json", &text, NULL, &err), -1);
	cr_assert(strstr(err.msg, "not started") && strstr(err.msg, "needs_python"), "%s", err.msg);
	cr_assert_null(text);
	for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++) {
		const struct bench_def *d = bench_registry_find(twins[i]);
		if (d)
			cr_assert(d->native->needs_python, "twin `%s` does not declare needs_python",
				  d->name);
	}
}
