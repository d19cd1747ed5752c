/* Starting children of the binary itself.  */
#ifndef BENCH_SPAWN_H
#define BENCH_SPAWN_H

#include <sys/types.h>

struct bench_error;

/* The environment children get: a minimal, fixed one (PATH, HOME, TMPDIR,
 * LANG and LC_ALL when set), so that results do not depend on the caller's
 * shell.  NULL-terminated, static.  */
char *const *spawn_child_env(void);

/* posix_spawn argv (argv[0] is the path) with spawn_child_env(), stdout and
 * stderr to /dev/null when quiet, and wait; -1 with a message naming argv[1]
 * unless it exits 0.  */
int spawn_wait(char *const argv[], int quiet, struct bench_error *err);

/* Run argv (argv[0] found in PATH) with the caller's environment, stdin
 * from /dev/null, and collect its stdout (NUL-terminated, owned by the
 * caller) and exit status; stderr goes to *err_text when not NULL.  -1 only
 * when it cannot be started.  */
int spawn_capture(char *const argv[], char **out, char **err_text, int *status,
		  struct bench_error *err);

/* Describe a wait status: "exit status 3", "killed by signal 9 (Killed)".  */
void spawn_describe_status(int status, char *buf, size_t size);

#endif
