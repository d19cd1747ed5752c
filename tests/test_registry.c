#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

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
