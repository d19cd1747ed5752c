/* Python start-up: the binary spawned in its start-up child mode, which
 * initialises the interpreter, runs `pass` and finalises.  */
#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/native.h"

static int startup_loop(char *const argv[], uint64_t loops, struct bench_error *err)
{
	for (uint64_t i = 0; i < loops; i++)
		if (child_run(argv, 0, err) < 0)
			return -1;
	return 0;
}

static int site_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		    struct bench_error *err)
{
	char *argv[] = { (char *)util_self_exe(), "__startup", NULL };

	(void)state;
	(void)elapsed_ns;
	return startup_loop(argv, loops, err);
}

static int no_site_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		       struct bench_error *err)
{
	char *argv[] = { (char *)util_self_exe(), "__startup", "--no-site", NULL };

	(void)state;
	(void)elapsed_ns;
	return startup_loop(argv, loops, err);
}

const struct bench_native_ops startup_python_ops = { .run = site_run };
const struct bench_native_ops startup_python_no_site_ops = { .run = no_site_run };
