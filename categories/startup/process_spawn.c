/* Process creation without the interpreter: posix_spawn of the binary in
 * its no-op child mode, and wait.  Beside python_startup, it tells how much
 * of a start-up's cost is the process itself.  */
#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/native.h"

int child_noop(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int spawn_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		     struct bench_error *err)
{
	char *argv[] = { (char *)util_self_exe(), "__noop", NULL };

	(void)state;
	(void)elapsed_ns;
	for (uint64_t i = 0; i < loops; i++)
		if (child_run(argv, 0, err) < 0)
			return -1;
	return 0;
}

const struct bench_native_ops startup_process_spawn_ops = { .run = spawn_run };
