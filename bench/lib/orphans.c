#include "bench/lib/orphans.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lib/safefile.h"
#include "bench/lib/util.h"

/* Gone, or a zombie: it ended, and its parent has not reaped it yet (a
 * process killed with its parent waits for init, which may take its time).  */
int orphans_ended(pid_t pid)
{
	char path[64], text[512], *paren;
	ssize_t n;
	int fd;

	if (kill(pid, 0) < 0)
		return errno == ESRCH;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	/* "PID (COMM) STATE ...": COMM may hold anything, the last ')' ends it.  */
	paren = strrchr(text, ')');
	return paren && paren[1] == ' ' && paren[2] == 'Z';
}

pid_t orphans_dead_owner(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end;
	long pid;

	if (strncmp(name, prefix, n) != 0)
		return 0;
	pid = strtol(name + n, &end, 10);
	if (end == name + n || *end != '-' || pid <= 0 || pid == getpid())
		return 0;
	return orphans_ended((pid_t)pid) ? (pid_t)pid : 0;
}

void orphans_remove_dead(const char *folder, const char *prefix)
{
	DIR *d = opendir(folder);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (orphans_dead_owner(e->d_name, prefix)) {
			cleanup_free char *path = xasprintf("%s/%s", folder, e->d_name);
			safefile_remove_tree(path, NULL);
		}
	if (d)
		closedir(d);
}

void orphans_sweep(void)
{
	const char *tmp = getenv("TMPDIR");
	const char *folders[] = { tmp && *tmp ? tmp : "/tmp", "/tmp" };

	for (size_t i = 0; i < 2; i++) {
		if (i == 1 && strcmp(folders[0], folders[1]) == 0)
			break;
		orphans_remove_dead(folders[i], "sandbench-cache-");
		orphans_remove_dead(folders[i], "sandbench-timeit-");
		orphans_remove_dead(folders[i], "sandbench-job-");
	}
	orphans_remove_dead("/tmp", "sandbench-strace-");
	orphans_remove_dead("/tmp", "sandbench-msg-");
}
