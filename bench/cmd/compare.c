/* `sandbench compare FILE FILE...` and `compare A1 A2 -- B1 B2`.  */
#include <stdio.h>

#include "bench/cmd/cmd.h"
#include "bench/lib/error.h"

int compare_parse(int argc, char **argv, struct report_cmd_options *o)
{
	int rc = report_options_parse(argc, argv, usage_compare, 1, o);

	if (rc == 0 && o->nfiles < 2)
		rc = cmd_usage_error(usage_compare, "%s", "give at least two result files");
	else if (rc == 0 && o->report.side_a == 1)
		rc = cmd_usage_error(usage_compare, "`%s` is the only file before `--`: runs as the "
				     "unit need at least two runs a side (or compare two files "
				     "without `--`)", o->files[0]);
	else if (rc == 0 && o->report.side_a && o->nfiles - o->report.side_a < 2)
		rc = cmd_usage_error(usage_compare, "`%s` is the only file after `--`: runs as the "
				     "unit need at least two runs a side (or compare two files "
				     "without `--`)", o->files[o->report.side_a]);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	struct report_cmd_options o;
	struct bench_error err = { 0 };
	int rc = compare_parse(argc, argv, &o);

	if (rc)
		return rc;
	rc = report_files(&o.report, (const char *const *)o.files, o.nfiles, o.output, &err);
	if (rc < 0)
		fprintf(stderr, "sandbench: %s\n", err.msg);
	bench_error_release(&err);
	return rc == REPORT_NOT_WRITTEN || rc == REPORT_GATE_CROSSED ? 1 : rc < 0 ? 2 : 0;
}
