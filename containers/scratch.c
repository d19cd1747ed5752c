/* A run's scratch space (--scratch), the same kind for every runtime so
 * that native is a like-for-like baseline.  tmpfs: a container has its own
 * tmpfs /tmp (containers/oci.c); native gets a tmpfs mounted in a mount
 * namespace of its own, without any other isolation, as its TMPDIR and
 * working folder.  disk: a folder the tool makes under /var/tmp, bound to a
 * container's /tmp, native's TMPDIR and working folder.  */
#include "containers/engine.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/safefile.h"
#include "bench/lib/util.h"

/* /tmp may itself be a tmpfs; /var/tmp is on disk by convention.  */
#define DISK_FOLDER "/var/tmp"
#define TMPFS_MAGIC_NUMBER 0x01021994

const char *ctr_scratch_name(enum ctr_scratch scratch)
{
	return scratch == CTR_SCRATCH_DISK ? "disk" : "tmpfs";
}

int ctr_scratch_parse(const char *name, enum ctr_scratch *scratch)
{
	if (strcmp(name, "tmpfs") == 0)
		*scratch = CTR_SCRATCH_TMPFS;
	else if (strcmp(name, "disk") == 0)
		*scratch = CTR_SCRATCH_DISK;
	else
		return -1;
	return 0;
}

int ctr_scratch_enter(const struct ctr_prepared *pr)
{
	/* slave: the host's later mounts (network namespaces) still appear.  */
	if (pr->mount_scratch &&
	    (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	     mount("tmpfs", pr->scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=1g") < 0))
		return errno;
	return chdir(pr->scratch) < 0 ? errno : 0;
}

/* Can this process mount native's tmpfs?  Tried in a child, so that the
 * refusal names the option rather than a failed exec.  */
static int try_tmpfs(const struct ctr_prepared *pr)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(ctr_scratch_enter(pr));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

static int make_folder(const char *parent, struct ctr_prepared *pr, struct bench_error *err)
{
	pr->scratch = xasprintf("%s/sandbench-scratch-%ld-XXXXXX", parent, (long)getpid());
	if (!mkdtemp(pr->scratch)) {
		int e = errno;
		free(pr->scratch);
		pr->scratch = NULL;
		return bench_error_set(err, e, "--scratch: create a folder in %s", parent);
	}
	return 0;
}

int ctr_scratch_prepare(const struct ctr_run *run, struct ctr_prepared *pr,
			struct bench_error *err)
{
	int native = (run->driver->flags & CTR_NO_CONTAINER) != 0, e;
	struct statfs fs;

	if (run->scratch == CTR_SCRATCH_TMPFS) {
		if (!native)
			return 0;
		if (make_folder("/tmp", pr, err) < 0)
			return -1;
		pr->mount_scratch = 1;
		if ((e = try_tmpfs(pr)) != 0)
			return bench_error_set(err, e, "--scratch tmpfs: runtime `native` cannot mount "
					       "a private tmpfs here (it needs root with "
					       "CAP_SYS_ADMIN); run sandbench as root, or pass "
					       "--scratch disk to give every runtime a disk folder");
		return 0;
	}
	if (statfs(DISK_FOLDER, &fs) == 0 && fs.f_type == TMPFS_MAGIC_NUMBER)
		return bench_error_set(err, 0, "--scratch disk: " DISK_FOLDER " is a tmpfs here, "
				       "not a disk; pass --scratch tmpfs");
	if (make_folder(DISK_FOLDER, pr, err) < 0)
		return -1;
	/* A container's user writes there; root removes it without
	 * following what it left (ctr_scratch_remove).  */
	if (!native && chown(pr->scratch, pr->uid, pr->uid) < 0)
		return bench_error_set(err, errno, "--scratch disk: give `%s` to the container's "
				       "user", pr->scratch);
	return 0;
}

void ctr_scratch_remove(struct ctr_prepared *pr)
{
	/* native's tmpfs went with its namespace: an empty folder is left.  */
	if (pr->scratch)
		safefile_remove_tree(pr->scratch, NULL);
	free(pr->scratch);
	pr->scratch = NULL;
}
