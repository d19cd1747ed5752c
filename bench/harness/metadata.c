#include "bench/harness/metadata.h"

#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "bench/lib/util.h"
#include "embed/py.h"

/* gVisor shows a fixed kernel version string, whatever the host runs.  */
static int is_gvisor(void)
{
	char line[512];

	if (util_read_line("/proc/version", line, sizeof(line)) < 0)
		return 0;
	return strstr(line, "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016") != NULL;
}

static int has_hypervisor_flag(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (strncmp(line, "flags", 5) == 0 && strstr(line, " hypervisor"))
			found = 1;
	fclose(f);
	return found;
}

static const char *container_marker(void)
{
	if (access("/run/.containerenv", F_OK) == 0)
		return "/run/.containerenv";
	if (access("/.dockerenv", F_OK) == 0)
		return "/.dockerenv";
	if (getenv("container"))
		return "$container";
	if (getpid() == 1)
		return "pid 1";
	return NULL;
}

void metadata_detect_runtime(char *buf, size_t size)
{
	const char *marker = container_marker();
	int vm = has_hypervisor_flag();

	if (is_gvisor())
		snprintf(buf, size, "gvisor");
	else if (marker)
		snprintf(buf, size, "container%s", vm ? ", virtual machine" : "");
	else
		snprintf(buf, size, "%s", vm ? "virtual machine" : "bare host");
}

void metadata_date(char *buf, size_t size)
{
	struct timeval tv;
	struct tm tm;
	char day[64];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06ld", day, (long)tv.tv_usec);
}

static void cpu_model(char *buf, size_t size)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "re");

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) == 0 && colon) {
			colon += 2;
			colon[strcspn(colon, "\n")] = '\0';
			if (*colon)
				snprintf(buf, size, "%s", colon);
			break;
		}
	}
	fclose(f);
}

static const char *aslr_name(void)
{
	char line[16];

	if (util_read_line("/proc/sys/kernel/randomize_va_space", line, sizeof(line)) < 0)
		return "unknown";
	if (strcmp(line, "0") == 0)
		return "No randomization";
	if (strcmp(line, "1") == 0)
		return "Conservative randomization";
	if (strcmp(line, "2") == 0)
		return "Full randomization";
	return "unknown";
}

static int is_libpython(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	return info->dlpi_name && strstr(info->dlpi_name, "/libpython") != NULL;
}

/* "shared" when libpython's shared library is loaded in this process, else
 * "static" (the Makefile's PYTHON_LINK): asked of the loader rather than
 * the build, so that a result tells what actually ran.  */
static const char *python_link(void)
{
	return dl_iterate_phdr(is_libpython, NULL) ? "shared" : "static";
}

#ifndef PY_STDLIB_DIR
#define PY_STDLIB_DIR "/usr/lib/python3.11"
#endif

/* The kind of file system path is on ("tmpfs", "ext4", "overlay"...), or
 * its magic number in hex: what makes file workloads fast or slow.  */
static void fs_kind(const char *path, char *buf, size_t size)
{
	static const struct { unsigned long magic; const char *name; } kinds[] = {
		{ 0x01021994, "tmpfs" }, { 0xef53, "ext4" }, { 0x794c7630, "overlay" },
		{ 0x58465342, "xfs" }, { 0x9123683e, "btrfs" }, { 0x6969, "nfs" },
		{ 0x01021997, "9p" }, { 0x65735546, "fuse" }, { 0x2fc12fc1, "zfs" },
		{ 0x73717368, "squashfs" }, { 0x858458f6, "ramfs" },
	};
	struct statfs fs;

	if (statfs(path, &fs) < 0) {
		snprintf(buf, size, "unknown");
		return;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((unsigned long)fs.f_type == kinds[i].magic) {
			snprintf(buf, size, "%s", kinds[i].name);
			return;
		}
	snprintf(buf, size, "0x%lx", (unsigned long)fs.f_type);
}

json_t *metadata_collect(void)
{
	char host[256] = "unknown", model[256], runtime[128], platform[512], timer[128], pyver[64];
	struct utsname u;
	json_t *md;
	const char *marker = container_marker();
	const char *tmp = getenv("TMPDIR");
	char scratch_fs[32], python_lib_fs[32];

	gethostname(host, sizeof(host) - 1);
	if (!host[0])
		snprintf(host, sizeof(host), "unknown");
	uname(&u);
	snprintf(platform, sizeof(platform), "Linux-%s-%s-with-glibc", u.release, u.machine);
	cpu_model(model, sizeof(model));
	metadata_detect_runtime(runtime, sizeof(runtime));
	snprintf(pyver, sizeof(pyver), "%s (64-bit)", py_version());
	snprintf(timer, sizeof(timer), "%s, resolution: %llu ns", bench_clock_name(),
		 (unsigned long long)bench_clock_resolution_ns());

	md = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:s, s:s}",
		       "hostname", host,
		       "platform", platform,
		       "cpu_model_name", model,
		       "cpu_count", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN),
		       "aslr", aslr_name(),
		       "python_version", pyver,
		       "python_link", python_link(),
		       "python_implementation", "cpython",
		       "python_executable", util_self_exe(),
		       "sandbench_version", SANDBENCH_VERSION,
		       "timer", timer,
		       "clock_read_cost_ns", bench_clock_read_cost_ns(),
		       "runtime_detected", runtime,
		       "kernel", u.release,
		       "kernel_version", u.version);
	if (marker)
		json_object_set_new(md, "container_marker", json_string(marker));
	/* Where the workloads write (TMPDIR) and what Python imports from.  */
	fs_kind(tmp && *tmp ? tmp : "/tmp", scratch_fs, sizeof(scratch_fs));
	fs_kind(PY_STDLIB_DIR, python_lib_fs, sizeof(python_lib_fs));
	json_object_set_new(md, "scratch_fs", json_string(scratch_fs));
	json_object_set_new(md, "python_lib_fs", json_string(python_lib_fs));
	if (getenv("SANDBENCH_RUNTIME") && *getenv("SANDBENCH_RUNTIME"))
		json_object_set_new(md, "runtime", json_string(getenv("SANDBENCH_RUNTIME")));
	return md;
}
