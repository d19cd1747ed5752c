/* Kernel probes: the cheapest paths a sandbox can intercept.  */
#include <sys/syscall.h>
#include <unistd.h>

#include "../../bench/clock.h"
#include "../../bench/error.h"
#include "../native.h"

/* getpid through syscall(2): glibc no longer caches getpid, but going
 * through syscall() keeps it a real kernel entry whatever the libc.  */
static int getpid_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		      struct bench_error *err)
{
	long expected = getpid(), pid = 0;

	(void)state;
	(void)elapsed_ns;
	for (uint64_t i = 0; i < loops; i++) {
		pid = syscall(SYS_getpid);
		bench_do_not_optimize(pid);
	}
	if (pid != expected)
		return bench_error_set(err, 0, "getpid returned %ld, expected %ld", pid, expected);
	return 0;
}

const struct bench_native_ops kernel_syscall_getpid_ops = {
	.run = getpid_run,
};
