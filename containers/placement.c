/* Where a matrix's runtimes run: CPU sets of whole process trees.  */
#include "containers/placement.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/harness/worker.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"

const char *ctr_pin_name(enum ctr_pin pin)
{
	return pin == CTR_PIN_SANDBOX ? "sandbox" : pin == CTR_PIN_WORKER ? "worker" : "none";
}

void ctr_cpus_format(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE && used < len; c++) {
		int end = c;

		if (!CPU_ISSET(c, set))
			continue;
		while (end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, set))
			end++;
		if (end > c)
			used += (size_t)snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "", c, end);
		else
			used += (size_t)snprintf(buf + used, len - used, "%s%d", used ? "," : "", c);
		c = end;
	}
}

void ctr_cpus_own(char *buf, size_t len)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0) {
		CPU_ZERO(&set);
		CPU_SET(0, &set);
	}
	ctr_cpus_format(&set, buf, len);
}

/* The parent pid of pid, from /proc/PID/stat (its comm may hold spaces
 * and parentheses: the state comes after the last ')').  */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	cleanup_free char *text = NULL;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (util_read_file(path, 1 << 16, &text, NULL, NULL) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%s", text);
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* Is pid root or one of its descendants?  */
static int in_tree(pid_t pid, pid_t root)
{
	for (int depth = 0; pid > 1 && depth < 64; depth++) {
		if (pid == root)
			return 1;
		pid = parent_of(pid);
	}
	return pid == root;
}

/* Is pid a process of the workload: a worker, or traced (a gVisor stub)?  */
static int is_workload(pid_t pid)
{
	char path[64], line[256];
	char args[4096];
	int traced = 0, fd;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, args, sizeof(args) - 1);
		close(fd);
		if (n > 0)
			args[n] = '\0';
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(args + i) + 1)
			if (strcmp(args + i, "__worker") == 0)
				return 1;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "TracerPid:", 10) == 0)
			traced = atoi(line + 10) > 0;
	fclose(f);
	return traced;
}

/* The CPUs a thread may use, from its Cpus_allowed_list; -1 when it has
 * ended.  */
static int thread_cpus(pid_t pid, pid_t tid, cpu_set_t *set)
{
	char path[128], line[4096];
	int rc = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (rc < 0 && fgets(line, sizeof(line), f))
		if (strncmp(line, "Cpus_allowed_list:", 18) == 0) {
			line[strcspn(line, "\n")] = '\0';
			rc = worker_parse_cpus(line + 18 + strspn(line + 18, " \t"), set);
		}
	fclose(f);
	return rc;
}

/* Every thread of root's tree (of part of it): set its affinity first
 * when place.  *threads: those that read back as set; returns those that
 * do not.  */
static int walk_tree(pid_t root, enum ctr_tree_part part, const cpu_set_t *set, int place,
		     unsigned *threads)
{
	struct dirent *e, *t;
	DIR *d = opendir("/proc");
	int bad = 0;

	*threads = 0;
	if (!d)
		return 1;
	while ((e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);
		char path[64];
		DIR *tasks;

		if (pid <= 0 || !in_tree(pid, root) ||
		    (part != CTR_TREE_ALL && is_workload(pid) != (part == CTR_TREE_WORKLOAD)))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
		if (!(tasks = opendir(path)))
			continue;	/* it ended meanwhile */
		while ((t = readdir(tasks))) {
			pid_t tid = (pid_t)atoi(t->d_name);
			cpu_set_t got;

			if (tid <= 0)
				continue;
			if (place && sched_setaffinity(tid, sizeof(*set), set) < 0) {
				bad += errno != ESRCH;
				continue;
			}
			if (thread_cpus(pid, tid, &got) < 0)
				continue;	/* it ended: no failure */
			if (CPU_EQUAL(&got, set))
				(*threads)++;
			else
				bad++;
		}
		closedir(tasks);
	}
	closedir(d);
	return bad;
}

int ctr_place_tree(pid_t root, const cpu_set_t *set, unsigned *threads, struct bench_error *err)
{
	int bad = walk_tree(root, CTR_TREE_ALL, set, 1, threads);
	char list[256];

	if (bad == 0 && *threads > 0)
		return 0;
	ctr_cpus_format(set, list, sizeof(list));
	return bench_error_set(err, 0, "place the processes of pid %d on CPUs %s: %d thread%s "
			       "did not take it", (int)root, list, bad, bad == 1 ? "" : "s");
}

int ctr_place_workload(pid_t root, const cpu_set_t *set, unsigned *threads,
		       struct bench_error *err)
{
	int bad = walk_tree(root, CTR_TREE_WORKLOAD, set, 1, threads);
	char list[256];

	if (bad == 0 && *threads > 0)
		return 0;
	ctr_cpus_format(set, list, sizeof(list));
	if (bad == 0)
		return bench_error_set(err, 0, "pin the workload of pid %d to CPUs %s: no worker "
				       "process found", (int)root, list);
	return bench_error_set(err, 0, "pin the workload of pid %d to CPUs %s: %d thread%s did "
			       "not take it", (int)root, list, bad, bad == 1 ? "" : "s");
}

void ctr_read_tree(pid_t root, enum ctr_tree_part part, const cpu_set_t *set, unsigned *threads,
		   unsigned *on_set)
{
	int bad = walk_tree(root, part, set, 0, on_set);

	*threads = *on_set + (unsigned)bad;
}
