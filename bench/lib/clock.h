/* The harness's clock: CLOCK_MONOTONIC in nanoseconds, never wall-clock time.  */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <stdint.h>

/* Nanoseconds from CLOCK_MONOTONIC.  */
uint64_t bench_clock_ns(void);

/* The clock's resolution as reported by clock_getres, in nanoseconds.  */
uint64_t bench_clock_resolution_ns(void);

/* The measured cost of one bench_clock_ns() call, in nanoseconds (median of
 * several batches of back-to-back reads).  */
double bench_clock_read_cost_ns(void);

/* The name of the clock, for metadata.  */
const char *bench_clock_name(void);

/* Keep the optimiser from deleting native benchmark work.  */
#define bench_do_not_optimize(x) __asm__ volatile("" : : "g"(x) : "memory")

#endif
