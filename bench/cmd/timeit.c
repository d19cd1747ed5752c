/* `sandbench timeit`: one Python statement, measured as `run` measures.  */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/cmd/cmd.h"
#include "bench/lib/util.h"

const char usage_timeit[] =
	"usage: sandbench timeit [-s SETUP] [profile and -p/-n/-w/-l/--min-time options]\n"
	"                        [-o FILE [--force | --append]] STMT\n"
	"\n"
	"Measure a Python statement with the same workers and statistics as `run`;\n"
	"write the result file only with -o.\n"
	"  -s, --setup CODE      run once per process before timing (default: pass)\n";

int cmd_timeit(int argc, char **argv)
{
	struct measure_options o;
	char tmpl[4096];
	cleanup_free char *output = NULL;
	int rc = timeit_parse(argc, argv, &o);

	if (rc)
		goto out;
	if (!o.run.output) {
		/* No -o: measure into a scratch file, removed afterwards.  */
		if (util_make_temp_dir("sandbench-timeit", tmpl, sizeof(tmpl)) < 0) {
			fprintf(stderr, "sandbench: cannot create a temporary folder: %s\n",
				strerror(errno));
			rc = 2;
			goto out;
		}
		output = xasprintf("%s/timeit.json", tmpl);
		o.run.output = output;
		o.run.scratch_output = 1;
	}
	rc = runner_run(&o.run, NULL, 0);
	if (output) {
		unlink(output);
		rmdir(tmpl);
	}
out:
	measure_release(&o);
	return rc;
}
