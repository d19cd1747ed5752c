/* What the kernel probes (kernel/probes.c, kernel/memory.c,
 * kernel/tcp.c) share.  */
#ifndef CATEGORIES_KERNEL_PROBE_H
#define CATEGORIES_KERNEL_PROBE_H

#include "bench/lib/error.h"

/* A call the kernel refuses (a sandbox without it) makes the probe
 * unsupported here: reported as skipped, with the errno, not failed.
 * Returns -1.  */
int probe_refused(struct bench_error *err);

/* bench_error_set() for a system call: skipped when the kernel refuses it.  */
#define probe_error(err, errnum, ...) \
	(bench_error_set(err, errnum, __VA_ARGS__), probe_refused(err))

#endif
