/* Engines: what starts a runtime's container.  One table of function
 * pointers each; engine.c holds `oci` and `podman`, engine_containerd.c
 * holds `containerd`.  And what the engines and the drivers share: the
 * preparation of one container (bundle.c), its start (run.c).  Internal
 * to containers/.  */
#ifndef CTR_ENGINE_H
#define CTR_ENGINE_H

#include "bench/lib/child.h"
#include "containers/driver.h"

/* What one container needs before its process starts (argv, bundle,
 * network namespace) and what is taken down after it.  */
struct ctr_prepared {
	char bundle[64];
	char *id, *netns;
	char *results;		/* RESULTS/container-ID: the only folder it may write */
	/* The engine that made a container to remove afterwards, or NULL.  */
	const struct ctr_engine_ops *engine;
	struct ctr_argv argv;
	struct ctr_argv env;	/* its environment; empty: ours */
	struct child relay;	/* copies its stderr to the log (sessions) */
	/* A folder the tool made for its /tmp (scratch.c), or NULL: a
	 * container's own tmpfs.  native mounts a tmpfs on it when mount_scratch. */
	char *scratch;
	int mount_scratch;
	/* Its user and group: an id no other host process has (bundle.c).  */
	unsigned uid;
};

struct ctr_engine_ops {
	const char *name;
	/* Set up for a matrix and take down again, or NULL.  */
	int (*open)(struct bench_error *err);
	void (*close)(void);
	/* Why this runtime cannot run through the engine here, or 0 (NULL: it can).  */
	int (*usable)(const struct ctr_driver *d, struct bench_error *err);
	/* Fill pr->argv (and the bundle, network namespace it needs); pr->id is set.  */
	int (*prepare)(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err);
	/* Remove the container pr->id, whatever state it is in.  */
	void (*remove)(const struct ctr_run *run, struct ctr_prepared *pr);
	/* The engine's own facts for the result file, or NULL.  */
	void (*metadata)(const struct ctr_driver *d, json_t *md);
};

extern const struct ctr_engine_ops ctr_engine_containerd;

const struct ctr_engine_ops *ctr_engine_ops(enum ctr_engine engine);

/* What the engine says of a runtime (a driver's `usable` hook builds on it).  */
int ctr_engine_usable(const struct ctr_driver *d, enum ctr_engine engine, struct bench_error *err);

#define CTR_CONTAINERD_NAMESPACE "sandbench"

/* Where the containerd engine runs containers.  */
struct ctr_containerd {
	const char *address;	/* the daemon's socket */
	const char *dir;	/* our folder: what drivers put there (runsc.toml) */
	int runsc_shim;		/* containerd-shim-runsc-v1 is installed */
};

/* `ctr --address=A --namespace=sandbench run --rm RUNTIME-OPTIONS
 * --config=CONFIG ID`: the runtime's shim (kata: io.containerd.kata-qemu.v2
 * ...), the driver's options (runsc), or the runc shim running `binary`.  */
void ctr_containerd_argv(const struct ctr_containerd *c, const struct ctr_run *run,
			 const char *config, const char *id, struct ctr_argv *a);

/* Do the shims of the open containerd see this mount point?  Never those of
 * a private daemon; a user's daemon when its mounts say so (or cannot be
 * read).  And where that daemon answers.  */
int ctr_containerd_sees_mount(const char *path);
const char *ctr_containerd_address(void);

/* Remove, through the open daemon, the containers and tasks of matrices
 * whose process is gone (sandbench-PID-*): what their ctr run --rm would
 * have removed had it not died first.  How many it found (0 when the
 * engine is not open).  */
int ctr_containerd_remove_dead(void);

/* ---- one container (bundle.c, run.c) ---- */

/* Set pr up for run: an id, then the driver's prepare hook (or
 * ctr_prepare_container).  ctr_teardown undoes whatever was done.  */
int ctr_prepare(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err);
void ctr_teardown(const struct ctr_run *run, struct ctr_prepared *pr);

/* A container through the engine: usable, its results folder, the engine's
 * prepare.  */
int ctr_prepare_container(const struct ctr_run *run, struct ctr_prepared *pr,
			  struct bench_error *err);

/* For the engines: the network (the driver's hook, else a namespace with
 * loopback up) and a bundle folder with config.json, as the oci engine
 * runs them.  */
int ctr_prepare_bundle(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err);

/* The default network: a namespace of its own with loopback up (runc and
 * crun bring up no lo in a new one, and the network workloads need it).  */
int ctr_netns_loopback(const struct ctr_run *run, struct ctr_prepared *pr,
		       struct bench_error *err);
/* The sandbox brings its own loopback (runsc, kata): nothing to make.  */
int ctr_network_own(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err);
void ctr_netns_delete(const char *name);

/* The child that runs pr->argv for run: the runtime's process (its
 * before_exec hook), stopped by SIGTERM, standard streams to fill.  */
void ctr_runtime_child(const struct ctr_run *run, struct ctr_prepared *pr, struct child *c);

/* A pipe to give a container as its stderr, whose other end `cat` copies
 * to log_fd: runc chowns a container's standard streams to its user,
 * which must never get root's log.  The write end, or -1.  */
int ctr_log_relay(int log_fd, struct child *relay, struct bench_error *err);

/* The scratch folder run needs (scratch.c): for native, a mount point for
 * its private tmpfs or a disk folder, which becomes its TMPDIR and working
 * folder; for a container with disk, a folder bound to its /tmp.  Refused,
 * saying what to do, when it cannot be had here.  */
int ctr_scratch_prepare(const struct ctr_run *run, struct ctr_prepared *pr,
			struct bench_error *err);
/* In native's process before exec: a mount namespace of its own in which
 * pr->scratch is a tmpfs (when mount_scratch), and it as the working
 * folder.  0 or an errno value.  */
int ctr_scratch_enter(const struct ctr_prepared *pr);
void ctr_scratch_remove(struct ctr_prepared *pr);

/* Run argv quietly: 0 when it exits 0.  */
int ctr_quiet_run(char *const argv[]);

/* The default metadata of a container: "engine", the engine's facts, the
 * driver's (its metadata hook).  */
void ctr_container_metadata(const struct ctr_driver *d, enum ctr_engine engine, json_t *md);

/* crun's (drivers/crun.c), for containerd's private daemon too: a mount
 * namespace of one's own in which the cgroup2 hierarchy of a hybrid host is
 * unmounted (crun refuses it).  slave: mounts made on the host later still
 * appear (network namespaces).  In a child before exec: 0 or an errno.  */
int ctr_private_mounts(int slave);

/* Is /sys/fs/cgroup/unified a mount point (a hybrid cgroup host)?  */
int ctr_hybrid_cgroups(void);

#endif
