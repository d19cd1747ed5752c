/* Container runtimes, one driver each behind one table of function
 * pointers (containers/drivers/NAME.c), and the engines that start them,
 * each behind a table of its own (containers/engine.h): `oci` (the runtime
 * binary on the bundle), `podman` and `containerd` (ctr and a shim v2).
 * driver.c: the drivers' table; run.c: one run; session.c: a long-lived
 * server; leftovers.c: what a killed matrix left.  */
#ifndef CTR_DRIVER_H
#define CTR_DRIVER_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "bench/lib/child.h"

struct bench_error;
struct ctr_image;
struct ctr_prepared;

/* A NULL-terminated, growable argv.  */
struct ctr_argv {
	char **v;
	size_t n, cap;
};
void ctr_argv_add(struct ctr_argv *a, const char *arg);
void ctr_argv_addf(struct ctr_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ctr_argv_release(struct ctr_argv *a);

enum ctr_engine { CTR_ENGINE_OCI, CTR_ENGINE_PODMAN, CTR_ENGINE_CONTAINERD, CTR_ENGINE_COUNT };

/* "oci", "podman", "containerd".  */
const char *ctr_engine_name(enum ctr_engine engine);
/* -1 for an unknown name.  */
int ctr_engine_parse(const char *name, enum ctr_engine *engine);

/* Set the engine up for a matrix (containerd: find or start a daemon) and
 * take it down again (containers, tasks, a private daemon).  */
int ctr_engine_open(enum ctr_engine engine, struct bench_error *err);
void ctr_engine_close(enum ctr_engine engine);

/* Facts about a runtime, for those who count or list them (the matrix, the
 * tests); what a runtime does differently lives in its hooks below.  */
enum {
	CTR_NO_CONTAINER = 1 << 0,	/* native: the binary runs on the host */
	CTR_SHIM_V2_ONLY = 1 << 1,	/* kata 2+: only a containerd shim v2 starts it */
	CTR_HELPERS = 1 << 2,		/* its own threads serve the workload: gVisor's
					 * Sentry and gofer, a VM's vCPU and I/O threads */
};

struct ctr_containerd;
struct ctr_run;

/* One runtime, in drivers/NAME.c (crun's struct custom_handler_s is the
 * model): its quirks are its hooks.  A NULL hook does what runc needs.  */
struct ctr_driver {
	const char *name;		/* "runc": what --runtimes takes */
	const char *binary;		/* the runtime's executable */
	const char *package;		/* the Debian package that installs it, or NULL */
	unsigned flags;
	/* Why it cannot run here, or 0 (NULL: when its binary is installed).  */
	int (*check)(const struct ctr_driver *d, struct bench_error *err);
	/* Why it cannot run through this engine here, or 0 (NULL: what the
	 * engine says, ctr_engine_usable).  */
	int (*usable)(const struct ctr_driver *d, enum ctr_engine engine, struct bench_error *err);
	/* What runs for a run, in pr (NULL: a container through the engine,
	 * ctr_prepare_container).  */
	int (*prepare)(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err);
	/* The container's network (NULL: a namespace of its own with loopback
	 * up, ctr_netns_loopback); the sandbox's own: nothing to do.  */
	int (*network)(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err);
	/* In the runtime's process before exec: 0 or an errno value.  */
	int (*before_exec)(const struct ctr_run *run);
	/* Append the global options of the runtime binary (oci engine).  */
	void (*oci_options)(struct ctr_argv *argv);
	/* Append podman's runtime options (podman engine).  */
	void (*podman_options)(const struct ctr_driver *d, struct ctr_argv *argv);
	/* containerd: the shim's runtime name ("io.containerd.kata-qemu.v2") and
	 * its binary, or NULL: the runc shim running `binary`.  */
	const char *shim_runtime, *shim;
	/* containerd: what the runtime needs in c->dir, made when the engine
	 * opens; ctr run's runtime options (NULL: the shim above, or the runc
	 * shim running `binary`).  */
	int (*containerd_open)(struct ctr_containerd *c, struct bench_error *err);
	void (*containerd_options)(const struct ctr_driver *d, const struct ctr_containerd *c,
				   struct ctr_argv *argv);
	/* Facts about the runtime for the result file (kata: its VM), or NULL.  */
	json_t *(*metadata)(const struct ctr_driver *d);
	/* What ran it, for the result file (NULL: ctr_container_metadata).  */
	void (*run_metadata)(const struct ctr_driver *d, enum ctr_engine engine, json_t *md);
};

/* native, runc, crun, runsc, kata and its variants.  NULL-terminated.  */
extern const struct ctr_driver *const ctr_drivers[];

const struct ctr_driver *ctr_driver_find(const char *name);

/* Can it run here?  Names the Debian package when the binary is missing.  */
int ctr_driver_available(const struct ctr_driver *d, struct bench_error *err);

/* Can it run through this engine (after ctr_driver_available)?  */
int ctr_driver_usable(const struct ctr_driver *d, enum ctr_engine engine, struct bench_error *err);

/* The runtime's version line ("runc version 1.1.5+ds1"), for metadata.  */
void ctr_driver_version(const struct ctr_driver *d, char *buf, size_t size);

/* The full path of a binary found in PATH (or /usr/sbin), else NULL.  New
 * string.  */
char *ctr_which(const char *binary);

/* Add what ran the runtime to a result file's metadata: "engine", the
 * engine's own facts (containerd's version), the driver's (kata's VM).  */
void ctr_run_metadata(const struct ctr_driver *d, enum ctr_engine engine, json_t *md);

/* The default podman options: --runtime NAME.  */
void ctr_podman_runtime(const struct ctr_driver *d, struct ctr_argv *argv);

/* Where a run's /tmp and working folder live (--scratch): the same kind
 * for every runtime, so that native is a like-for-like baseline.  */
enum ctr_scratch { CTR_SCRATCH_TMPFS, CTR_SCRATCH_DISK };

/* "tmpfs", "disk"; parse: -1 for an unknown name.  */
const char *ctr_scratch_name(enum ctr_scratch scratch);
int ctr_scratch_parse(const char *name, enum ctr_scratch *scratch);

/* One container run: `sandbench ARGS` inside, results in a host folder.  */
struct ctr_run {
	const struct ctr_driver *driver;
	enum ctr_engine engine;
	const struct ctr_image *image;
	const char *const *args;	/* arguments of sandbench inside */
	const char *results;		/* host folder, mounted at /results */
	const char *cpus;		/* cpuset or NULL */
	long long memory;		/* bytes or 0 */
	double timeout;			/* seconds, 0: none */
	int log_fd;			/* the container's output is copied here */
	const char *label;		/* progress prefix: "round 1/2 runc" */
	enum ctr_scratch scratch;	/* its /tmp: a tmpfs (the default) or disk */
};

/* Start the container, copy its output to log_fd (and its progress lines to
 * stderr, prefixed by label), wait.  -1 with the runtime's own stderr in the
 * message when it fails to start, is killed (timeout) or exits non-zero;
 * *exit_status is the inner sandbench's status when it ran.  */
int ctr_run(const struct ctr_run *run, int *exit_status, struct bench_error *err);

/* A long-lived container running `sandbench __serve` (bench/harness/serve.h):
 * requests are written to it and replies read from it, a line each.  Its
 * stderr goes to run->log_fd; run->args and run->timeout are not used.  */
struct ctr_session {
	struct ctr_run run;
	pid_t pid;			/* its runtime's process, or -1 */
	struct child c;			/* c.to: its stdin, c.from: its stdout */
	struct ctr_prepared *prep;
};

int ctr_session_start(const struct ctr_run *run, struct ctr_session *s, struct bench_error *err);
int ctr_session_write_line(struct ctr_session *s, const char *line, struct bench_error *err);
/* The next line (without its newline), a new string; NULL when the
 * container ended or sent nothing within timeout seconds (then it is
 * killed).  Ctrl-C stops it through bench/lib/child.h's registry.  */
char *ctr_session_read_line(struct ctr_session *s, double timeout, struct bench_error *err);
/* End its input, wait for it (30 s at most), remove the container: -1 when
 * it did not exit with status 0.  */
int ctr_session_stop(struct ctr_session *s, struct bench_error *err);

/* Remove what matrices killed outright left: containers named
 * sandbench-PID-* of every runtime, network namespaces, bundles, cache and
 * scratch folders, all of a process that no longer exists.  */
void ctr_cleanup_leftovers(void);

#endif
