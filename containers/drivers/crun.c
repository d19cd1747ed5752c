/* crun: refuses a hybrid cgroup host whose cgroup2 hierarchy carries a
 * controller ("cgroups in hybrid mode not supported"); run it in a private
 * mount namespace without /sys/fs/cgroup/unified.  Through containerd its
 * shims run it in the daemon's namespace instead: a private daemon's has no
 * such mount, a user's daemon may.  */
#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "bench/lib/error.h"
#include "containers/engine.h"

#define UNIFIED "/sys/fs/cgroup/unified"

int ctr_private_mounts(int slave)
{
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | (slave ? MS_SLAVE : MS_PRIVATE), NULL) < 0)
		return errno;
	umount2(UNIFIED, MNT_DETACH);
	return 0;
}

int ctr_hybrid_cgroups(void)
{
	struct stat unified, parent;

	/* A mount point sits on another device than its parent folder.  */
	return stat(UNIFIED, &unified) == 0 && stat("/sys/fs/cgroup", &parent) == 0 &&
	       unified.st_dev != parent.st_dev;
}

static int crun_before_exec(const struct ctr_run *run)
{
	if (run->engine == CTR_ENGINE_CONTAINERD)
		return 0;
	return ctr_private_mounts(0);
}

static int crun_usable(const struct ctr_driver *d, enum ctr_engine engine, struct bench_error *err)
{
	if (ctr_engine_usable(d, engine, err) < 0)
		return -1;
	if (engine == CTR_ENGINE_CONTAINERD && ctr_hybrid_cgroups() && ctr_containerd_sees_mount(UNIFIED))
		return bench_error_set(err, 0, "runtime `%s` refuses this hybrid cgroup host, and the "
				       "containerd at %s runs its shims where " UNIFIED " is "
				       "mounted; start it in a mount namespace without it, or set "
				       "CONTAINERD_ADDRESS to a path where none answers and sandbench "
				       "starts a private containerd so", d->name, ctr_containerd_address());
	return 0;
}

const struct ctr_driver ctr_driver_crun = {
	.name = "crun",
	.binary = "crun",
	.package = "crun",
	.usable = crun_usable,
	.before_exec = crun_before_exec,
	.podman_options = ctr_podman_runtime,
};
