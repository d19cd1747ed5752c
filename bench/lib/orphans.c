#include "bench/lib/orphans.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lib/safefile.h"
#include "bench/lib/util.h"

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
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH ? (pid_t)pid : 0;
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
	}
	orphans_remove_dead("/tmp", "sandbench-strace-");
	orphans_remove_dead("/tmp", "sandbench-msg-");
}
