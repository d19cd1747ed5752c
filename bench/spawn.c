#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

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

/* Read fd to its end into a NUL-terminated buffer.  */
static char *read_all(int fd)
{
	size_t used = 0, cap = 8192;
	char *buf = xmalloc(cap + 1);
	ssize_t n;

	for (;;) {
		if (cap - used < 4096) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	return buf;
}

int spawn_capture(char *const argv[], char **out, char **err_text, int *status,
		  struct bench_error *err)
{
	posix_spawn_file_actions_t fa;
	char tmpl[] = "/tmp/sandbench-stderr-XXXXXX";
	int pipefd[2], errfd = -1, rc, st;
	extern char **environ;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return bench_error_set(err, errno, "run `%s`: create a pipe", argv[0]);
	if (err_text) {
		/* A file, not a second pipe: no deadlock when both outputs are big.  */
		errfd = mkostemp(tmpl, O_CLOEXEC);
		if (errfd >= 0)
			unlink(tmpl);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	if (errfd >= 0)
		posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		if (errfd >= 0)
			close(errfd);
		return bench_error_set(err, rc, "run `%s`", argv[0]);
	}
	*out = read_all(pipefd[0]);
	close(pipefd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*status = st;
	if (err_text) {
		if (errfd >= 0) {
			lseek(errfd, 0, SEEK_SET);
			*err_text = read_all(errfd);
			close(errfd);
		} else {
			*err_text = xstrdup("");
		}
	}
	return 0;
}
