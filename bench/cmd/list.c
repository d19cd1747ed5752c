/* `sandbench list`: the benchmarks in the order a run visits them.  */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/cmd/cmd.h"
#include "bench/lib/error.h"
#include "categories/registry.h"

const char usage_list[] =
	"usage: sandbench list [-c CATEGORIES]\n"
	"\n"
	"List the benchmarks (name, category, kind) in the order a run visits them.\n"
	"  -c, --category LIST   only these comma-separated categories\n";

int list_parse(int argc, char **argv, struct list_options *o)
{
	static const struct option longopts[] = {
		{ "category", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct list_options){ 0 };
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "c:", longopts)) != -1) {
		if (c != 'c')
			return cmd_usage_error(usage_list, NULL);
		o->categories = optarg;
	}
	if (optind < argc)
		return cmd_usage_error(usage_list, "unexpected argument `%s`", argv[optind]);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct list_options o;
	struct bench_error err = { 0 };
	const struct bench_def **sel;
	size_t n;
	int rc = list_parse(argc, argv, &o);

	if (rc)
		return rc;
	if (bench_registry_select(NULL, o.categories, &sel, &n, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		return 2;
	}
	printf("%-26s %-10s %s\n", "benchmark", "category", "kind");
	for (size_t i = 0; i < n; i++)
		printf("%-26s %-10s %s\n", sel[i]->name, sel[i]->category,
		       bench_kind_name(sel[i]->kind));
	for (size_t i = 0; bench_registry_missing[i][0]; i++)
		printf("%-26s %-10s not built: %s\n", bench_registry_missing[i][0], "-",
		       bench_registry_missing[i][1]);
	printf("%zu benchmarks\n", n);
	free(sel);
	return 0;
}
