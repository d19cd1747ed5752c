/* What processes killed outright left: scratch folders and files are named
 * PREFIX-PID-XXXXXX (util_make_temp_dir), so that they are told by their
 * pid and removed once that process is gone.  */
#ifndef BENCH_LIB_ORPHANS_H
#define BENCH_LIB_ORPHANS_H

#include <sys/types.h>

/* Gone, or a zombie (ended, not reaped yet).  */
int orphans_ended(pid_t pid);

/* The process id in name (PREFIX-PID-...), if that process is gone (or a
 * zombie); else 0 (not of that form, ours, or alive).  */
pid_t orphans_dead_owner(const char *name, const char *prefix);

/* Remove folder/PREFIX-PID-* (a tree or a file) whose process is gone.  */
void orphans_remove_dead(const char *folder, const char *prefix);

/* What killed workers' runs left: their cache folders, timeit's and k8s
 * job's folders and explain's strace files, in $TMPDIR and /tmp.  */
void orphans_sweep(void);

#endif
