/* Engines: what starts a runtime's container.  One table of function
 * pointers each; driver.c holds `oci` and `podman`, engine_containerd.c
 * holds `containerd`.  Internal to containers/.  */
#ifndef CTR_ENGINE_H
#define CTR_ENGINE_H

#include "containers/driver.h"

/* What one container needs before its process starts (argv, bundle,
 * network namespace) and what is taken down after it.  */
struct ctr_prepared {
	char bundle[64];
	char *id, *netns;
	char *results;		/* RESULTS/container-ID: the only folder it may write */
	pid_t relay;		/* copies its stderr to the log, or 0 */
	struct ctr_argv argv;
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

#define CTR_CONTAINERD_NAMESPACE "sandbench"

/* Where the containerd engine runs containers.  */
struct ctr_containerd {
	const char *address;	/* the daemon's socket */
	const char *dir;	/* our folder: runsc-network-none, runsc.toml */
	int runsc_shim;		/* containerd-shim-runsc-v1 is installed */
};

/* `ctr --address=A --namespace=sandbench run --rm RUNTIME-OPTIONS
 * --config=CONFIG ID`: the runtime's shim (kata: io.containerd.kata-qemu.v2
 * ...), or the runc shim running runc, crun, or runsc with --network=none.  */
void ctr_containerd_argv(const struct ctr_containerd *c, const struct ctr_run *run,
			 const char *config, const char *id, struct ctr_argv *a);

/* For the engines: a network namespace with loopback up (unless the sandbox
 * brings its own) and a bundle folder with config.json, as the oci engine
 * runs them; *config_path is set to the config's path when not NULL.  */
int ctr_prepare_bundle(const struct ctr_run *run, struct ctr_prepared *pr, struct bench_error *err);

/* Run argv quietly: 0 when it exits 0.  */
int ctr_quiet_run(char *const argv[]);

/* In a child: a mount namespace of its own in which the cgroup2 hierarchy of
 * a hybrid host is unmounted (crun refuses it).  slave: mounts made on the
 * host later still appear (network namespaces).  Exits 125 on failure.  */
void ctr_private_mounts(int slave);

/* Is /sys/fs/cgroup/unified a mount point (a hybrid cgroup host)?  */
int ctr_hybrid_cgroups(void);

#endif
