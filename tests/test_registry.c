#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bench/harness/worker.h"
#include "bench/lib/error.h"
#include "categories/registry.h"
#include "embed/sources.h"

static int has_source(const char *module)
{
	char name[256];

	snprintf(name, sizeof(name), "categories/%s", module);
	for (unsigned long i = 0; i < py_sources_len; i++)
		if (strcmp(py_sources[i].name, name) == 0)
			return 1;
	return 0;
}

Test(registry, entries_are_complete_and_unique)
{
	for (size_t i = 0; i < bench_registry_len; i++) {
		const struct bench_def *d = &bench_registry[i];
		cr_assert(d->name && d->category, "entry %zu", i);
		cr_assert((d->module != NULL) != (d->native != NULL),
			  "`%s` needs exactly one of module and native", d->name);
		if (d->module)
			cr_assert(has_source(d->module), "`%s`: no built-in source categories/%s.py",
				  d->name, d->module);
		else
			cr_assert_not_null(d->native->run, "`%s` has no run()", d->name);
		cr_assert_eq(bench_registry_find(d->name), d, "duplicate name `%s`", d->name);
	}
}

Test(registry, selects_the_union_in_registry_order)
{
	struct bench_error err = { 0 };
	const struct bench_def **sel;
	size_t n;

	cr_assert_eq(bench_registry_select("nbody,syscall_getpid", "scimark", &sel, &n, &err), 0);
	cr_assert_eq(n, 7);
	cr_assert_str_eq(sel[0]->name, "nbody");
	for (size_t i = 1; i < 6; i++)
		cr_assert_str_eq(sel[i]->category, "scimark");
	cr_assert_str_eq(sel[6]->name, "syscall_getpid");
	free(sel);

	cr_assert_eq(bench_registry_select(NULL, NULL, &sel, &n, &err), 0);
	cr_assert_eq(n, bench_registry_len);
	free(sel);
}

Test(registry, unknown_names_list_the_valid_ones)
{
	struct bench_error err = { 0 };
	const struct bench_def **sel = NULL;
	size_t n;

	cr_assert_eq(bench_registry_select("nbody,nbodyy", NULL, &sel, &n, &err), -1);
	cr_assert_null(sel);
	cr_assert(strstr(err.msg, "unknown benchmark `nbodyy`"), "%s", err.msg);
	cr_assert(strstr(err.msg, "richards"), "valid names must be listed: %s", err.msg);

	cr_assert_eq(bench_registry_select(NULL, "math,mathh", &sel, &n, &err), -1);
	cr_assert(strstr(err.msg, "unknown category `mathh`"), "%s", err.msg);
	cr_assert(strstr(err.msg, "scimark"), "valid categories must be listed: %s", err.msg);

	cr_assert_eq(bench_registry_select("", NULL, &sel, &n, &err), -1);
}

/* The worker's command line as its parent writes it is what the worker
 * reads back: one codec (worker_argv, worker_parse_argv), no getopt.  */
Test(registry, worker_command_line_round_trips)
{
	struct worker_spec bench = { .def = bench_registry_find("nbody"), .workloads_dir = "/w",
				     .cache_dir = "/c", .loops = 12345, .warmups = 2, .values = 7,
				     .min_time = 0.25, .hash_seed = 4294967295L, .lockstep = 1 };
	struct worker_spec timeit = { .stmt = "x = 1\ny = 2", .setup = "import os",
				      .min_time = 0.1, .values = 1 };
	/* min_time 0: left out, the worker keeps its default.  */
	struct worker_spec dflt = { .def = bench_registry_find("float") };
	struct worker_spec *in[] = { &bench, &timeit, &dflt };

	for (size_t i = 0; i < 3; i++) {
		char **argv = worker_argv(in[i]);
		struct worker_spec out = { 0 };
		int argc = 0;

		while (argv[argc])
			argc++;
		cr_assert_eq(worker_parse_argv(argc - 1, argv + 1, &out), 0, "%s", argv[2]);
		cr_assert_eq(out.def, in[i]->def);
		cr_assert_str_eq(out.stmt ? out.stmt : "", in[i]->stmt ? in[i]->stmt : "");
		cr_assert_str_eq(out.workloads_dir ? out.workloads_dir : "",
				 in[i]->workloads_dir ? in[i]->workloads_dir : "");
		cr_assert_str_eq(out.cache_dir ? out.cache_dir : "",
				 in[i]->cache_dir ? in[i]->cache_dir : "");
		cr_assert_eq(out.loops, in[i]->loops);
		cr_assert_eq(out.warmups, in[i]->warmups);
		cr_assert_eq(out.values, in[i]->values);
		cr_assert_eq(out.min_time, in[i]->min_time);
		cr_assert_eq(out.hash_seed, in[i]->hash_seed);
		cr_assert_eq(out.lockstep, in[i]->lockstep);
		cr_assert_gt(out.spawned_at, 0);
		worker_argv_free(argv);
	}
	/* Anything else is refused: another spelling, an unknown key, a bad
	 * number, no benchmark.  */
	const char *bad[][3] = {
		{ "__worker", "--bench", "nbody" }, { "__worker", "--bench=nbody", "--colour=1" },
		{ "__worker", "--bench=nbody", "--values=10001" }, { "__worker", "--bench=nope", "" },
		{ "__worker", "--values=3", "--loops=1" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct worker_spec out = { 0 };
		int argc = bad[i][2][0] ? 3 : 2;
		cr_assert_eq(worker_parse_argv(argc, (char **)bad[i], &out), -1, "%s %s", bad[i][1],
			     bad[i][2]);
	}
}
