/* kata: Kata Containers runs each container in a lightweight VM, so it
 * needs /dev/kvm; Debian 12 does not package it.  */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "../../bench/error.h"
#include "../driver.h"

static int kata_check(const struct ctr_driver *d, struct bench_error *err)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return bench_error_set(err, errno, "runtime `%s` needs /dev/kvm (hardware "
				       "virtualisation), which this machine lacks: open /dev/kvm",
				       d->name);
	close(fd);
	return 0;
}

const struct ctr_driver ctr_driver_kata = {
	.name = "kata",
	.binary = "kata-runtime",
	.package = NULL,	/* not in Debian 12: see katacontainers.io */
	.flags = CTR_OWN_LOOPBACK,
	.check = kata_check,
	.podman_options = ctr_podman_runtime,
};
