/* kata: Kata Containers runs each container in a lightweight VM, so it
 * needs /dev/kvm; Debian 12 does not package it.  Kata 2 and later run only
 * as a containerd shim v2 (containerd-shim-kata-v2), so only the containerd
 * engine starts them.  kata-deploy installs one shim per hypervisor
 * (containerd-shim-kata-qemu-v2 ...), each with its configuration file: the
 * variants kata-qemu, kata-clh, kata-fc and kata-dragonball.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/util.h"
#include "containers/engine.h"

/* Where kata-deploy and the distribution packages put the configurations.  */
static const char *const config_dirs[] = {
	"/opt/kata/share/defaults/kata-containers",
	"/etc/kata-containers",
	"/usr/share/defaults/kata-containers",
	NULL,
};

/* The variant's configuration file (configuration-qemu.toml), or NULL for
 * plain kata or when none is installed: kata-runtime takes its default.  */
static char *variant_config(const struct ctr_driver *d)
{
	const char *variant = strncmp(d->name, "kata-", 5) == 0 ? d->name + 5 : NULL;

	for (size_t i = 0; variant && config_dirs[i]; i++) {
		char *path = xasprintf("%s/configuration-%s.toml", config_dirs[i], variant);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

/* `kata-runtime [--kata-config FILE] W1 [W2]`: its exit status, its stdout and
 * stderr in *out.  */
static int kata_runtime(const struct ctr_driver *d, const char *w1, const char *w2, char **out)
{
	cleanup_free char *config = variant_config(d);
	cleanup_free char *errtext = NULL;
	char *argv[8];
	int n = 0, status = -1;

	argv[n++] = "kata-runtime";
	if (config) {
		argv[n++] = "--kata-config";
		argv[n++] = config;
	}
	argv[n++] = (char *)w1;
	if (w2)
		argv[n++] = (char *)w2;
	argv[n] = NULL;
	*out = NULL;
	if (child_capture(argv, out, &errtext, &status, NULL) < 0)
		return -1;
	if (errtext && errtext[0]) {
		char *both = xasprintf("%s%s", *out, errtext);
		free(*out);
		*out = both;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int in_path_kata_runtime(void)
{
	cleanup_free char *path = ctr_which("kata-runtime");
	return path != NULL;
}

static int kata_check(const struct ctr_driver *d, struct bench_error *err)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), e = errno;
	cleanup_free char *shim = ctr_which(d->shim);
	cleanup_free char *out = NULL;
	size_t len;

	if (fd < 0)
		return bench_error_set(err, e, "runtime `%s` needs /dev/kvm (hardware virtualisation), "
				       "which this machine lacks%s%s%s: open /dev/kvm", d->name,
				       shim ? "" : ", and its shim `", shim ? "" : d->shim,
				       shim ? "" : "` is not installed");
	close(fd);
	if (!shim)
		return bench_error_set(err, 0, "runtime `%s`: its shim `%s` is not installed "
				       "(kata-deploy or a distribution package installs it)", d->name,
				       d->shim);
	if (!in_path_kata_runtime())
		return bench_error_set(err, 0, "runtime `%s`: `kata-runtime` is not installed (it comes "
				       "with the shim: kata-deploy or a distribution package)", d->name);
	/* Kata's own verdict, its reason in its output.  */
	if (kata_runtime(d, "check", NULL, &out) != 0) {
		len = out ? strlen(out) : 0;
		while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
			out[--len] = '\0';
		return bench_error_set(err, 0, "runtime `%s`: `kata-runtime check` fails: %s", d->name,
				       len ? out : "(no output)");
	}
	return 0;
}

/* An integer setting of a TOML file ("default_memory = 2048"), or -1.  */
static json_int_t toml_integer(const char *path, const char *key)
{
	cleanup_free char *text = NULL;
	size_t klen = strlen(key);

	if (!path || util_read_file(path, LIMIT_SMALL_FILE, &text, NULL, NULL) < 0)
		return -1;
	for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		line += strspn(line, " \t");
		if (strncmp(line, key, klen) == 0 && strchr(" \t=", line[klen])) {
			char *eq = strchr(line, '=');
			if (eq && (!strchr(line, '\n') || eq < strchr(line, '\n')))
				return (json_int_t)strtoll(eq + 1, NULL, 10);
		}
	}
	return -1;
}

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? slash + 1 : path;
}

/* `kata-runtime env --json`: hypervisor and version, guest kernel, shared
 * file system, the VM's memory and vCPUs (from its configuration).  */
static json_t *kata_metadata(const struct ctr_driver *d)
{
	cleanup_free char *out = NULL;
	json_t *env, *md = json_object(), *hv, *rv;
	const char *version, *config;
	char line[256];
	json_int_t v;

	if (kata_runtime(d, "env", "--json", &out) != 0 || !(env = json_loads(out, 0, NULL))) {
		json_object_set_new(md, "kata_env", json_string("unavailable"));
		return md;
	}
	hv = json_object_get(env, "Hypervisor");
	/* Kata 2 and 3: Runtime.Version.Version.Semver; Kata 1: Runtime.Version.Semver.  */
	rv = json_object_get(json_object_get(env, "Runtime"), "Version");
	version = json_string_value(json_object_get(json_object_get(rv, "Version"), "Semver"));
	if (!version)
		version = json_string_value(json_object_get(rv, "Semver"));
	if (version)
		json_object_set_new(md, "kata_version", json_string(version));
	if (json_string_value(json_object_get(hv, "Path")))
		json_object_set_new(md, "kata_hypervisor",
				    json_string(base_name(json_string_value(json_object_get(hv, "Path")))));
	if ((version = json_string_value(json_object_get(hv, "Version"))) && version[0]) {
		snprintf(line, sizeof(line), "%s", version);
		line[strcspn(line, "\n")] = '\0';
		json_object_set_new(md, "kata_hypervisor_version", json_string(line));
	}
	if (json_string_value(json_object_get(json_object_get(env, "Kernel"), "Path")))
		json_object_set_new(md, "kata_guest_kernel", json_string(base_name(json_string_value(
			json_object_get(json_object_get(env, "Kernel"), "Path")))));
	if (json_string_value(json_object_get(hv, "SharedFS")))
		json_object_set_new(md, "kata_shared_fs", json_copy(json_object_get(hv, "SharedFS")));
	config = json_string_value(json_object_get(json_object_get(json_object_get(env, "Runtime"),
								    "Config"), "Path"));
	if (config)
		json_object_set_new(md, "kata_config", json_string(config));
	if ((v = toml_integer(config, "default_memory")) > 0)
		json_object_set_new(md, "kata_vm_memory_mb", json_integer(v));
	if ((v = toml_integer(config, "default_vcpus")) > 0)
		json_object_set_new(md, "kata_vm_vcpus", json_integer(v));
	json_decref(env);
	return md;
}

/* Kata 2 and later have no OCI command line: podman and `runtime run`
 * cannot start them.  */
static int kata_usable(const struct ctr_driver *d, enum ctr_engine engine, struct bench_error *err)
{
	if (engine != CTR_ENGINE_CONTAINERD)
		return bench_error_set(err, 0, "runtime `%s`: Kata Containers 2 and later run only as a "
				       "containerd shim v2 (containerd-shim-kata-v2): `kata-runtime` has "
				       "no create/start/run and podman speaks only to OCI command-line "
				       "runtimes; use --engine containerd", d->name);
	return ctr_engine_usable(d, engine, err);
}

#define KATA(var, label, runtime, shim_binary)					\
	const struct ctr_driver var = {						\
		.name = label,							\
		.binary = "kata-runtime",					\
		.package = NULL,	/* not in Debian 12: see katacontainers.io */	\
		.flags = CTR_SHIM_V2_ONLY | CTR_HELPERS,			\
		.check = kata_check,						\
		.usable = kata_usable,						\
		.network = ctr_network_own,					\
		.podman_options = ctr_podman_runtime,				\
		.shim_runtime = runtime,					\
		.shim = shim_binary,						\
		.metadata = kata_metadata,					\
	}

KATA(ctr_driver_kata, "kata", "io.containerd.kata.v2", "containerd-shim-kata-v2");
KATA(ctr_driver_kata_qemu, "kata-qemu", "io.containerd.kata-qemu.v2", "containerd-shim-kata-qemu-v2");
KATA(ctr_driver_kata_clh, "kata-clh", "io.containerd.kata-clh.v2", "containerd-shim-kata-clh-v2");
KATA(ctr_driver_kata_fc, "kata-fc", "io.containerd.kata-fc.v2", "containerd-shim-kata-fc-v2");
KATA(ctr_driver_kata_dragonball, "kata-dragonball", "io.containerd.kata-dragonball.v2",
     "containerd-shim-kata-dragonball-v2");
