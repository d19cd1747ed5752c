/* runsc: gVisor, which intercepts system calls in a user-space kernel.
 * --network=none keeps its own loopback and nothing else.  */
#include "containers/driver.h"

static void runsc_oci_options(struct ctr_argv *argv)
{
	ctr_argv_add(argv, "--network=none");
}

static void runsc_podman_options(const struct ctr_driver *d, struct ctr_argv *argv)
{
	ctr_podman_runtime(d, argv);
	ctr_argv_add(argv, "--runtime-flag");
	ctr_argv_add(argv, "network=none");
}

const struct ctr_driver ctr_driver_runsc = {
	.name = "runsc",
	.binary = "runsc",
	.package = "runsc",
	.flags = CTR_OWN_LOOPBACK,
	.oci_options = runsc_oci_options,
	.podman_options = runsc_podman_options,
};
