/* The internal modes of the re-executed binary: a worker, a server, the
 * child of a Python workload, of the start-up benchmarks, of the no-op.  */
#include <stdio.h>
#include <string.h>

#include "bench/cmd/cmd.h"
#include "bench/harness/serve.h"
#include "bench/harness/worker.h"
#include "bench/lib/error.h"
#include "categories/native.h"
#include "embed/py.h"

int cmd_worker(int argc, char **argv)
{
	return worker_main(argc, argv);
}

int cmd_serve(int argc, char **argv)
{
	return serve_main(argc, argv);
}

/* `__startup [--no-site]`: the child of the start-up benchmarks.  */
int cmd_startup(int argc, char **argv)
{
	struct py_options opts = { .site = !(argc > 1 && strcmp(argv[1], "--no-site") == 0),
				   .hash_seed = -1, .bare = 1 };
	struct bench_error err = { 0 };
	int rc = py_init(&opts, &err);

	if (rc == 0)
		rc = py_run_string("pass", &err);
	if (py_finalize(rc == 0 ? &err : NULL) < 0)
		rc = -1;
	if (rc < 0)
		fprintf(stderr, "sandbench __startup: %s\n", err.msg);
	bench_error_release(&err);
	return rc < 0 ? 1 : 0;
}

/* `__child [--workloads-dir DIR] CATEGORY/NAME [ARGS...]`.  */
int cmd_child(int argc, char **argv)
{
	struct py_options opts = { .site = 1, .hash_seed = -1 };

	if (argc > 3 && strcmp(argv[1], "--workloads-dir") == 0) {
		opts.workloads_dir = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: sandbench __child [--workloads-dir DIR] CATEGORY/NAME "
			"[ARGS...] (internal)\n");
		return 2;
	}
	return py_child_main(&opts, argv[1], argc - 2, argv + 2);
}

int cmd_noop(int argc, char **argv)
{
	return child_noop(argc, argv);
}
