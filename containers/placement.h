/* Where a matrix's runtimes run.  As deployed (the default), every
 * runtime's processes and threads share one CPU set and the scheduler puts
 * them where it will: a sandbox whose own threads serve the workload
 * (gVisor's Sentry and gofer, a VM's vCPU and I/O threads) pays for waking
 * another CPU as it would in production.  Pinned (`--pin sandbox`), every
 * thread of a runtime's host process tree is held on one CPU per slot:
 * quieter, but for those runtimes it measures another system (gVisor's
 * system calls cost about 4x less when the Sentry shares the workload's
 * CPU).  Pinned by worker (`--pin worker`), only the workload's own
 * processes are held on the slot's CPU, so that the two sides of a pair
 * meet the same CPU, and the runtime's threads stay free.  */
#ifndef CTR_PLACEMENT_H
#define CTR_PLACEMENT_H

#include <sched.h>
#include <stddef.h>
#include <sys/types.h>

struct bench_error;

enum ctr_pin {
	CTR_PIN_NONE,			/* as deployed: the whole CPU set */
	CTR_PIN_SANDBOX,		/* every thread of the tree on one CPU per slot */
	CTR_PIN_WORKER,			/* the workload's processes on one CPU per slot */
};

/* "none", "sandbox" or "worker".  */
const char *ctr_pin_name(enum ctr_pin pin);

/* "0,2-3": a CPU list as the kernel writes one (Cpus_allowed_list).  */
void ctr_cpus_format(const cpu_set_t *set, char *buf, size_t len);

/* The CPUs this process may use, as a list.  */
void ctr_cpus_own(char *buf, size_t len);

/* Set the affinity of every thread of root and its descendants (found
 * through /proc) to set, then read it back from /proc/PID/task/TID/status.
 * *threads: how many hold it.  -1 with err when one does not.  Threads
 * started later inherit it from the thread that starts them.  */
int ctr_place_tree(pid_t root, const cpu_set_t *set, unsigned *threads, struct bench_error *err);

/* The same for the workload's processes in root's tree only: a worker
 * (`sandbench __worker`), or a process that a process of the tree traces
 * (gVisor's ptrace platform runs the sandboxed processes in traced stubs).
 * -1 with err when none is found or one does not take it.  */
int ctr_place_workload(pid_t root, const cpu_set_t *set, unsigned *threads,
		       struct bench_error *err);

/* Which processes of a tree ctr_read_tree reads.  */
enum ctr_tree_part { CTR_TREE_ALL, CTR_TREE_WORKLOAD, CTR_TREE_RUNTIME };

/* Read the affinity of the threads of root's tree (those of part) back
 * from /proc: *threads counted, *on_set of them may run on exactly the
 * CPUs of set.  */
void ctr_read_tree(pid_t root, enum ctr_tree_part part, const cpu_set_t *set, unsigned *threads,
		   unsigned *on_set);

#endif
