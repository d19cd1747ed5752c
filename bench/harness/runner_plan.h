/* Where the adaptive stage of `run` spends its budget: private to
 * bench/harness and its tests.  */
#ifndef BENCH_HARNESS_RUNNER_PLAN_H
#define BENCH_HARNESS_RUNNER_PLAN_H

#include <stddef.h>

#include "bench/harness/runner_outcome.h"

/* The processes o needs for its half-width to reach target, if the
 * spread of its process means stays as it is so far; 0 when more than
 * most.  */
size_t runner_plan_processes(double target, size_t most, const struct outcome *o);
/* The benchmark of out[0..n) that more processes go to next; n when none.  */
size_t runner_plan_next(double target, size_t most, const struct outcome *out, size_t n);

#endif
