/* What the test files share: a scratch folder per test, and the binary
 * under test ($SANDBENCH, set by `make test`) run with its output kept.
 * Nothing here goes through a shell.  */
#ifndef TESTS_SUPPORT_H
#define TESTS_SUPPORT_H

#include <jansson.h>
#include <sys/types.h>

struct cmd {
	int status;		/* exit status, or 128 + signal */
	char *out, *err;	/* what it printed */
};

void cmd_free(struct cmd *c);

/* mkdtemp(tmpl), asserted, and kept as this test's scratch folder;
 * remove a folder and everything in it (nothing when it is gone).  */
void support_make_dir(char *tmpl);
void support_remove_dir(const char *dir);

/* NAME in the scratch folder; a new string.  */
char *path_in(const char *name);

/* Whether an executable BINARY is on $PATH or in /usr/sbin or /sbin.  */
int have(const char *binary);

/* A whole file, or "" when it cannot be read; a new string.  */
char *slurp(const char *path);

/* A JSON file, parsed, or the test fails.  */
json_t *load(const char *path);

/* DIR/hang, a workloads folder where math/float is the real one and
 * math/nbody sleeps for an hour; a new string.  */
char *support_hanging_workloads(const char *dir);

/* Start $SANDBENCH argv... with stdin from in (NULL: /dev/null), its stdout
 * and stderr in DIR/TAG.out and DIR/TAG.err; then wait for it and read them.  */
pid_t support_start(const char *dir, const char *tag, const char *in, char *const argv[]);
struct cmd support_finish(const char *dir, const char *tag, pid_t pid);
/* The same, but past timeout seconds it is stopped (status 128 + SIGTERM):
 * for what used to hang.  */
struct cmd support_finish_within(const char *dir, const char *tag, pid_t pid, double timeout);
/* Both, stdin from /dev/null.  */
struct cmd support_run(const char *dir, const char *tag, char *const argv[]);

/* Skip the test unless root and every runtime is installed.  */
void need_containers(const char *const *runtimes, size_t n);
/* /proc/PID/cmdline into buf (NUL-separated, at most size - 1 bytes): its
 * length, or -1 when the process is gone.  */
ssize_t support_cmdline(pid_t pid, char *buf, size_t size);

/* The parent of pid, or 0 once it has gone.  */
pid_t support_parent(pid_t pid);

/* A descendant of ancestor whose command line holds each of args (NULL
 * ended) as a whole argument: its pid, or 0.  */
pid_t support_descendant_with(pid_t ancestor, const char *const args[]);

/* A process whose command line (NULs read as spaces) holds needle: its pid,
 * or 0.  */
pid_t support_process_with(const char *needle);
/* Poll until such a process is there (present) or gone (!present), at most
 * timeout seconds: whether it came to be.  */
int support_wait_for_process(const char *needle, int present, double timeout);

/* The test's own containerd in root (its root, state, log and
 * containerd.sock there), as the user's would be: in a mount namespace
 * without the cgroup2 mount (for crun), in its own process group, killed
 * when the test ends.  Its pid, once the socket is there.  */
pid_t support_start_containerd(const char *root);
/* The containerd at sock has no container, task or snapshot left in
 * sandbench's namespace, or the test fails.  */
void support_none_in_namespace(const char *sock);

#endif
