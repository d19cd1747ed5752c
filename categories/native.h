/* The native workloads (C code under categories/), for the registry.  */
#ifndef CATEGORIES_NATIVE_H
#define CATEGORIES_NATIVE_H

#include "../bench/registry.h"

/* kernel/probes.c */
extern const struct bench_native_ops kernel_syscall_getpid_ops;

/* startup/startup.c */
extern const struct bench_native_ops startup_python_ops;
extern const struct bench_native_ops startup_python_no_site_ops;

#endif
