/* native: no container, the binary itself on the host (the baseline).  */
#include "containers/driver.h"

const struct ctr_driver ctr_driver_native = {
	.name = "native",
	.binary = NULL,
	.flags = CTR_NO_CONTAINER,
};
