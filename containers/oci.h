/* OCI runtime configuration (config.json) for one container run.  */
#ifndef CTR_OCI_H
#define CTR_OCI_H

#include <jansson.h>

struct ctr_oci_spec {
	const char *rootfs;		/* absolute path of the image's rootfs */
	const char *const *args;	/* the process, NULL-terminated */
	const char *const *env;		/* extra "K=V" entries, NULL-terminated or NULL */
	const char *results;		/* host folder mounted read-write at /results */
	const char *tmp_dir;		/* host folder bound at /tmp, or NULL: a tmpfs */
	const char *netns;		/* join this network namespace (path) or NULL: a new one */
	const char *cpus;		/* cpuset "0-1" or NULL */
	long long memory;		/* bytes, 0: no limit */
	unsigned uid, gid;		/* the process's user (65534: nobody) */
};

/* A config.json: read-only root, tmpfs (or tmp_dir) /tmp, /results the only writable
 * mount, no capabilities, no new privileges, new namespaces.  New ref.  */
json_t *ctr_oci_config(const struct ctr_oci_spec *spec);

#endif
