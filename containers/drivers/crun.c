/* crun: refuses a hybrid cgroup host whose cgroup2 hierarchy carries a
 * controller ("cgroups in hybrid mode not supported"); run it in a private
 * mount namespace without /sys/fs/cgroup/unified.  */
#include "containers/driver.h"

const struct ctr_driver ctr_driver_crun = {
	.name = "crun",
	.binary = "crun",
	.package = "crun",
	.flags = CTR_PRIVATE_MOUNTS,
	.podman_options = ctr_podman_runtime,
};
