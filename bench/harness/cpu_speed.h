/* Whether the CPUs a run may use are equally fast right now.  On a VM the
 * host may serve one vCPU less than another (here: one about 1.45x slower,
 * RESULTS.md); a process then measures the CPU the scheduler gave it, and a
 * benchmark's processes fall into groups.  */
#ifndef BENCH_CPU_SPEED_H
#define BENCH_CPU_SPEED_H

#include <sched.h>
#include <stddef.h>

#define CPU_SPEED_MAX 64	/* CPUs measured at most (the first ones) */

struct cpu_speed {
	int n;				/* CPUs measured */
	int cpu[CPU_SPEED_MAX];		/* their numbers */
	double seconds[CPU_SPEED_MAX];	/* the median time of the same loop */
};

/* Run the same loop on every CPU of set at once (a thread pinned to each),
 * a few rounds, into *s: 0, or -1 when fewer than 2 CPUs could be measured
 * or it took longer than limit seconds (0: no limit; a machine that busy
 * gives no snapshot worth the wait).  */
int cpu_speed_measure(const cpu_set_t *set, double limit, struct cpu_speed *s);

/* What `run` gives the check: about 0.15 s on a quiet 2-vCPU VM.  */
#define CPU_SPEED_LIMIT 2.0

/* The slowest CPU's time over the fastest's (>= 1), their indexes in s.  */
double cpu_speed_spread(const struct cpu_speed *s, int *fastest, int *slowest);

/* Slower than the fastest CPU by more than this: worth a warning.  */
#define CPU_SPEED_WARN 1.15

/* The warning for s into buf (one line, no newline) when its spread is
 * above CPU_SPEED_WARN: 1, else 0 and buf untouched.  */
int cpu_speed_warning(const struct cpu_speed *s, char *buf, size_t size);

#endif
