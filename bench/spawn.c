#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "error.h"

char *const *spawn_child_env(void)
{
	static const char *const keep[] = { "PATH", "HOME", "TMPDIR", "LANG", "LC_ALL" };
	static char *env[sizeof(keep) / sizeof(keep[0]) + 1];
	static char storage[sizeof(keep) / sizeof(keep[0])][4096];
	size_t n = 0;

	if (env[0])
		return env;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		const char *v = getenv(keep[i]);
		if (!v && strcmp(keep[i], "PATH") == 0)
			v = "/usr/local/bin:/usr/bin:/bin";
		if (!v || strlen(v) + strlen(keep[i]) + 2 > sizeof(storage[0]))
			continue;
		snprintf(storage[n], sizeof(storage[n]), "%s=%s", keep[i], v);
		env[n] = storage[n];
		n++;
	}
	env[n] = NULL;
	return env;
}

void spawn_describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "wait status %#x", status);
}

int spawn_wait(char *const argv[], int quiet, struct bench_error *err)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, status;
	char what[128];

	posix_spawn_file_actions_init(&fa);
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	}
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, spawn_child_env());
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return bench_error_set(err, rc, "spawn `%s`", argv[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return bench_error_set(err, errno, "wait for `%s %s`", argv[0],
					       argv[1] ? argv[1] : "");
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	spawn_describe_status(status, what, sizeof(what));
	return bench_error_set(err, 0, "child `%s %s` failed: %s", argv[0],
			       argv[1] ? argv[1] : "", what);
}
