#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "embed/py.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-embed-XXXXXX";

static void write_workload(const char *name, const char *text)
{
	char *folder = xasprintf("%s/test", dir), *path = xasprintf("%s/%s.py", folder, name);
	FILE *f;

	mkdir(folder, 0755);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	free(folder);
	free(path);
}

static void setup(void)
{
	struct bench_error err = { 0 };
	struct py_options opts = { .site = 1, .hash_seed = 0 };

	support_make_dir(dir);
	write_workload("raises",
		"def setup():\n"
		"    return 41\n"
		"def run(state, loops):\n"
		"    check(state + 1)\n"
		"def check(value):\n"
		"    assert value == 43, 'expected 43, got %d' % value\n");
	write_workload("own_clock",
		"import sandbench\n"
		"INNER_LOOPS = 10\n"
		"def setup():\n"
		"    return None\n"
		"def run(state, loops):\n"
		"    return 12345\n");
	write_workload("missing", "import no_such_module_here\n");
	opts.workloads_dir = dir;
	cr_assert_eq(py_init(&opts, &err), 0, "%s", err.msg);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(embed, .init = setup, .fini = teardown);

Test(embed, exception_becomes_error_with_traceback)
{
	struct bench_error err = { 0 };
	struct py_workload *w;
	uint64_t ns;

	cr_assert_eq(py_workload_load("test/raises", &w, &err), 0, "%s", err.msg);
	cr_assert_eq(py_workload_setup(w, &err), 0, "%s", err.msg);
	cr_assert_eq(py_workload_run(w, 1, &ns, &err), -1);
	cr_assert(strstr(err.msg, "AssertionError: expected 43, got 42"), "%s", err.msg);
	cr_assert_eq(err.skip, 0);
	cr_assert_not_null(err.detail);
	cr_assert(strstr(err.detail, "Traceback"), "%s", err.detail);
	cr_assert(strstr(err.detail, "raises.py\", line 6, in check"), "%s", err.detail);
	cr_assert(strstr(err.detail, "assert value == 43"), "source lines must be shown: %s", err.detail);
	py_workload_free(w);
	bench_error_release(&err);
	cr_assert_null(err.detail);
}

Test(embed, run_may_return_its_own_nanoseconds)
{
	struct bench_error err = { 0 };
	struct py_workload *w;
	uint64_t ns = 0;

	cr_assert_eq(py_workload_load("test/own_clock", &w, &err), 0, "%s", err.msg);
	cr_assert_eq(py_workload_inner_loops(w), 10);
	cr_assert_eq(py_workload_setup(w, &err), 0);
	cr_assert_eq(py_workload_run(w, 3, &ns, &err), 0, "%s", err.msg);
	cr_assert_eq(ns, 12345);
	py_workload_free(w);
}

Test(embed, missing_module_is_a_skip)
{
	struct bench_error err = { 0 };
	struct py_workload *w = NULL;

	cr_assert_eq(py_workload_load("test/missing", &w, &err), -1);
	cr_assert_null(w);
	cr_assert_eq(err.skip, 1, "%s", err.msg);
	cr_assert(strstr(err.msg, "no_such_module_here"), "%s", err.msg);
	bench_error_release(&err);
}

Test(embed, unknown_workload_fails)
{
	struct bench_error err = { 0 };
	struct py_workload *w = NULL;

	cr_assert_eq(py_workload_load("test/nothing", &w, &err), -1);
	cr_assert(strstr(err.msg, "categories.test.nothing"), "%s", err.msg);
	bench_error_release(&err);
}
