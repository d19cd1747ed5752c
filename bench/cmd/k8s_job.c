/* `sandbench k8s job`: what each Job's container runs: `sandbench run`,
 * then the result line on stdout (containers/k8s.h).  */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/cmd/cmd.h"
#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "containers/driver.h"

/* Our options come first (`--opt=V` or `--opt V`); the rest is `run`'s.  */
static int job_option(char **argv, int argc, int *i, const char *name, const char **value)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*value = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] == '\0' && *i + 1 < argc) {
		*value = argv[++*i];
		return 1;
	}
	return 0;
}

int k8s_job_parse(int argc, char **argv, struct k8s_job_options *o)
{
	const char *round_text = getenv("SANDBENCH_ROUND");
	long round = 0;
	int i;

	*o = (struct k8s_job_options){ .run_id = getenv("SANDBENCH_RUN_ID"),
				       .runtime_class = getenv("SANDBENCH_RUNTIME") };
	for (i = 1; i < argc; i++)
		if (!job_option(argv, argc, &i, "--run-id", &o->run_id) &&
		    !job_option(argv, argc, &i, "--runtime-class", &o->runtime_class) &&
		    !job_option(argv, argc, &i, "--round", &round_text))
			break;
	if (!o->run_id || !ctr_k8s_is_token(o->run_id) || !o->runtime_class ||
	    !ctr_k8s_is_token(o->runtime_class) || !round_text ||
	    util_parse_long(round_text, 1, LIMIT_ROUNDS, &round) < 0)
		return cmd_usage_error(usage_k8s, "k8s: job: give --run-id, --runtime-class and "
				       "--round (1 to %d): letters, digits, '.', '_' and '-'",
				       LIMIT_ROUNDS);
	for (int k = i; k < argc; k++)
		if (strncmp(argv[k], "-o", 2) == 0 || strncmp(argv[k], "--output", 8) == 0 ||
		    strcmp(argv[k], "--append") == 0)
			return cmd_usage_error(usage_k8s, "k8s: job: `%s`: the result goes to stdout, "
					       "not to a file", argv[k]);
	o->round = (unsigned)round;
	o->run_argv = argv + i;
	o->run_argc = argc - i;
	return 0;
}

/* `sandbench run` into output, its stdout on our stderr: stdout is the
 * result line's alone.  As PID 1 of its container the job has no default
 * signal actions: SIGTERM (the Job's deadline) and the others reach `run`
 * as they came, through the child registry, and `run` keeps what it
 * finished.  A job killed outright takes `run` with it.  -1 when it cannot
 * start; else 0 and its wait status.  */
static int job_run(const struct k8s_job_options *o, const char *output, int *status)
{
	struct child c = CHILD_INIT;
	struct bench_error err = { 0 };
	struct ctr_argv a = { 0 };

	ctr_argv_add(&a, util_self_exe());
	ctr_argv_add(&a, "run");
	for (int k = 0; k < o->run_argc; k++)
		ctr_argv_add(&a, o->run_argv[k]);
	ctr_argv_add(&a, "--force");
	ctr_argv_addf(&a, "--output=%s", output);
	c.argv = a.v;
	c.in = CHILD_INHERIT;
	c.out = STDERR_FILENO;
	c.err = CHILD_INHERIT;
	c.flags = CHILD_PASS_SIGNAL | CHILD_DIE_WITH_PARENT;
	c.stop_signal = SIGTERM;
	fflush(NULL);
	fprintf(stderr, "k8s job: run %s, class %s, round %u\n", o->run_id, o->runtime_class,
		o->round);
	if (child_start(&c, &err) < 0) {
		fprintf(stderr, "sandbench: k8s job: %s\n", err.msg);
		ctr_argv_release(&a);
		bench_error_release(&err);
		return -1;
	}
	if (child_stop_requested())	/* it came before the child did */
		kill(c.pid, child_stop_requested());
	child_finish(&c, 0, NULL);	/* its wait status says how it ended */
	ctr_argv_release(&a);
	*status = c.status;
	return 0;
}

/* The result of `run`, with where it ran, as the line on stdout.  */
static int job_send(const struct k8s_job_options *o, const char *output, const char *what,
		    int run_status)
{
	struct bench_error err = { 0 };
	cleanup_free char *line = NULL;
	json_t *suite = NULL;
	int rc = run_status;

	/* A run that failed for some benchmarks (exit 1) or was stopped keeps
	 * the others: send them.  */
	if (result_read(output, &suite, &err) < 0) {
		fprintf(stderr, "sandbench: k8s job: `run` ended with %s and left no result: %s\n",
			what, err.msg);
		rc = rc ? rc : 1;
		goto out;
	}
	ctr_k8s_job_metadata(suite, o->run_id, o->runtime_class, o->round);
	line = ctr_k8s_result_line(suite, o->run_id, o->runtime_class, o->round, &err);
	if (!line) {
		fprintf(stderr, "sandbench: k8s job: %s\n", err.msg);
		rc = 1;
		goto out;
	}
	fflush(stderr);
	if (printf("%s\n", line) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "sandbench: k8s job: write the result line: %s\n", strerror(errno));
		rc = 1;
		goto out;
	}
	fprintf(stderr, "k8s job: result sent (%zu characters); `run` ended with %s\n",
		strlen(line), what);
out:
	json_decref(suite);
	bench_error_release(&err);
	return rc;
}

int cmd_k8s_job(int argc, char **argv)
{
	struct k8s_job_options o;
	const char *tmp = getenv("TMPDIR");
	char tmpl[4096];
	cleanup_free char *output = NULL;
	char what[128];
	int status, rc = k8s_job_parse(argc, argv, &o);

	if (rc)
		return rc;
	/* Named after our pid: the next run removes it if we are killed.  */
	if (util_make_temp_dir("sandbench-job", tmpl, sizeof(tmpl)) < 0) {
		fprintf(stderr, "sandbench: k8s job: create a folder in `%s`: %s\n",
			tmp && *tmp ? tmp : "/tmp", strerror(errno));
		return 1;
	}
	output = xasprintf("%s/result.json.gz", tmpl);
	child_catch_signals();
	rc = 1;
	if (job_run(&o, output, &status) == 0) {
		child_describe_status(status, what, sizeof(what));
		rc = WIFEXITED(status) ? WEXITSTATUS(status) :
		     WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
		rc = job_send(&o, output, what, rc);
	}
	child_release_signals();
	unlink(output);
	rmdir(tmpl);
	return rc;
}
