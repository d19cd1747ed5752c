/* runc: the reference OCI runtime.  */
#include "containers/driver.h"

const struct ctr_driver ctr_driver_runc = {
	.name = "runc",
	.binary = "runc",
	.package = "runc",
	.podman_options = ctr_podman_runtime,
};
