/* runsc: gVisor, which intercepts system calls in a user-space kernel.
 * --network=none keeps its own loopback and nothing else, so no network
 * namespace is made for it.  Through containerd: gVisor's own shim, which
 * reads runsc's flags from a TOML file, or else the runc shim running runsc
 * through a wrapper that adds --network=none (it refuses the host's
 * network namespace otherwise).  */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "containers/engine.h"

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

static int write_text(const char *dir, const char *name, const char *text, mode_t mode,
		      struct bench_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);

	if (util_write_file_atomic(path, text, strlen(text), err) < 0)
		return -1;
	if (chmod(path, mode) < 0)
		return bench_error_set(err, errno, "chmod `%s`", path);
	return 0;
}

static int runsc_containerd_open(struct ctr_containerd *c, struct bench_error *err)
{
	cleanup_free char *runsc = ctr_which("runsc");
	cleanup_free char *shim = ctr_which("containerd-shim-runsc-v1");
	cleanup_free char *script = xasprintf("#!/bin/sh\nexec %s --network=none \"$@\"\n",
					      runsc ? runsc : "runsc");

	c->runsc_shim = shim != NULL;
	if (write_text(c->dir, "runsc-network-none", script, 0755, err) < 0 ||
	    write_text(c->dir, "runsc.toml", "[runsc_config]\n  network = \"none\"\n", 0644, err) < 0)
		return -1;
	return 0;
}

static void runsc_containerd_options(const struct ctr_driver *d, const struct ctr_containerd *c,
				     struct ctr_argv *a)
{
	(void)d;
	if (c->runsc_shim) {
		ctr_argv_add(a, "--runtime=io.containerd.runsc.v1");
		ctr_argv_addf(a, "--runtime-config-path=%s/runsc.toml", c->dir);
	} else {
		ctr_argv_add(a, "--runtime=io.containerd.runc.v2");
		ctr_argv_addf(a, "--runc-binary=%s/runsc-network-none", c->dir);
	}
}

const struct ctr_driver ctr_driver_runsc = {
	.name = "runsc",
	.binary = "runsc",
	.package = "runsc",
	.flags = CTR_HELPERS,
	.network = ctr_network_own,
	.oci_options = runsc_oci_options,
	.podman_options = runsc_podman_options,
	.containerd_open = runsc_containerd_open,
	.containerd_options = runsc_containerd_options,
};
