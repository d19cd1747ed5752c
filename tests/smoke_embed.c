/* Not forked, unlike the Criterion tests: initialise and finalise Python
 * exactly as the binary's worker does, run one workload, and check the
 * built-in `sandbench` module.  */
#include <stdio.h>

#include "bench/lib/error.h"
#include "embed/py.h"

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "smoke_embed: %s:%d: %s failed: %s\n%s", \
				__FILE__, __LINE__, #cond, err.msg,           \
				err.detail ? err.detail : "");                \
			return 1;                                             \
		}                                                             \
	} while (0)

int main(void)
{
	struct py_options opts = { .site = 1, .hash_seed = 0 };
	struct bench_error err = { 0 };
	struct py_workload *w = NULL;
	uint64_t ns = 0;

	CHECK(py_init(&opts, &err) == 0);
	CHECK(py_run_string("import sandbench, sys\n"
			    "assert sandbench.clock_ns() > 0\n"
			    "assert sandbench.child_command('apps/2to3', 1)[1:] == ['__child', 'apps/2to3', '1']\n"
			    "assert sys.flags.isolated == 1\n"
			    "assert '/usr/lib/python3/dist-packages' in sys.path\n", &err) == 0);
	CHECK(py_workload_load("misc/richards", &w, &err) == 0);
	CHECK(py_workload_setup(w, &err) == 0);
	CHECK(py_workload_run(w, 1, &ns, &err) == 0);
	CHECK(ns > 0);
	py_workload_free(w);
	CHECK(py_finalize(&err) == 0);
	printf("smoke_embed: 1 passed, 0 failed\n");
	return 0;
}
