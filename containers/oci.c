#include "containers/oci.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

/* The nofile limit inside: the host's hard limit caps what may be set.  */
static json_int_t nofile_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    rl.rlim_max < 65536)
		return (json_int_t)rl.rlim_max;
	return 65536;
}

static json_t *mount(const char *dest, const char *type, const char *source,
		     const char *options)
{
	json_t *m = json_pack("{s:s, s:s, s:s, s:[]}", "destination", dest, "type", type,
			      "source", source, "options");
	char buf[256];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", options);
	for (char *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save))
		json_array_append_new(json_object_get(m, "options"), json_string(o));
	return m;
}

json_t *ctr_oci_config(const struct ctr_oci_spec *spec)
{
	json_t *args = json_array(), *env = json_array(), *mounts = json_array();
	json_t *ns = json_array(), *resources = json_object(), *linux_, *net;
	json_int_t nofile = nofile_limit();
	char tmp_options[128];

	for (size_t i = 0; spec->args[i]; i++)
		json_array_append_new(args, json_string(spec->args[i]));
	json_array_append_new(env, json_string("PATH=/usr/bin:/bin"));
	json_array_append_new(env, json_string("HOME=/tmp"));
	json_array_append_new(env, json_string("TMPDIR=/tmp"));
	json_array_append_new(env, json_string("LANG=C.UTF-8"));
	for (size_t i = 0; spec->env && spec->env[i]; i++)
		json_array_append_new(env, json_string(spec->env[i]));

	json_array_append_new(mounts, mount("/proc", "proc", "proc", "nosuid,noexec,nodev"));
	json_array_append_new(mounts, mount("/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"));
	json_array_append_new(mounts, mount("/dev/pts", "devpts", "devpts",
					    "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620"));
	/* Read-only: /tmp and the results folder are the only writable places.  */
	json_array_append_new(mounts, mount("/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,ro,mode=1777,size=65536k"));
	json_array_append_new(mounts, mount("/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"));
	/* The process's user owns /tmp: runc applies its umask to mode=1777.  */
	snprintf(tmp_options, sizeof(tmp_options), "nosuid,nodev,mode=1777,size=1g,uid=%u,gid=%u",
		 spec->uid, spec->gid);
	if (spec->tmp_dir)
		json_array_append_new(mounts, mount("/tmp", "bind", spec->tmp_dir, "rbind,rw,nosuid,nodev"));
	else
		json_array_append_new(mounts, mount("/tmp", "tmpfs", "tmpfs", tmp_options));
	if (spec->results)
		json_array_append_new(mounts, mount("/results", "bind", spec->results, "rbind,rw"));

	json_array_append_new(ns, json_pack("{s:s}", "type", "pid"));
	json_array_append_new(ns, json_pack("{s:s}", "type", "ipc"));
	json_array_append_new(ns, json_pack("{s:s}", "type", "uts"));
	json_array_append_new(ns, json_pack("{s:s}", "type", "mount"));
	net = json_pack("{s:s}", "type", "network");
	if (spec->netns)
		json_object_set_new(net, "path", json_string(spec->netns));
	json_array_append_new(ns, net);

	if (spec->cpus)
		json_object_set_new(resources, "cpu", json_pack("{s:s}", "cpus", spec->cpus));
	if (spec->memory > 0)
		json_object_set_new(resources, "memory",
				    json_pack("{s:I, s:I}", "limit", (json_int_t)spec->memory,
					      "swap", (json_int_t)spec->memory));
	linux_ = json_pack("{s:o, s:o, s:[s,s,s,s,s,s,s], s:[s,s,s,s,s,s]}",
			   "namespaces", ns, "resources", resources,
			   "maskedPaths", "/proc/acpi", "/proc/kcore", "/proc/keys",
			   "/proc/latency_stats", "/proc/timer_list", "/proc/sched_debug",
			   "/sys/firmware",
			   "readonlyPaths", "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq",
			   "/proc/sys", "/proc/sysrq-trigger");

	return json_pack("{s:s, s:{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:{s:[], s:[], s:[], s:[], s:[]},"
			 " s:[{s:s, s:I, s:I}], s:b}, s:{s:s, s:b}, s:s, s:o, s:o}",
			 "ociVersion", "1.0.2",
			 "process", "terminal", 0, "user", "uid", (int)spec->uid, "gid", (int)spec->gid,
			 "args", args, "env", env, "cwd", "/tmp",
			 "capabilities", "bounding", "effective", "inheritable", "permitted", "ambient",
			 "rlimits", "type", "RLIMIT_NOFILE", "hard", nofile, "soft", nofile,
			 "noNewPrivileges", 1,
			 "root", "path", spec->rootfs, "readonly", 1,
			 "hostname", "sandbench",
			 "mounts", mounts,
			 "linux", linux_);
}
