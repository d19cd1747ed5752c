/* libFuzzer: the command line of run, timeit, matrix, compare, report and
 * list must never crash, whatever the arguments.  bench/cmd/main.c is built with
 * -Dmain=sandbench_main and linked with --wrap (see the Makefile) so that
 * what the options lead to has no side effects: runner_run checks the
 * options it is given instead of running workers, and no container runtime
 * starts (ctr_session_start fails, only `native` is available).
 *
 * Input: the first byte picks the command; then NUL-separated arguments.
 * An argument `@file` ends them: the bytes after it become the file `f` and
 * the folder `d` (d/matrix.json), in a scratch folder that is the current
 * one, emptied after each input.  A `/` in an argument becomes `_`, so that
 * nothing is written outside it.  */
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "categories/registry.h"
#include "bench/harness/runner.h"
#include "bench/lib/util.h"
#include "containers/driver.h"
#include "containers/image.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ARGS 64

int sandbench_main(int argc, char **argv);

static const char *const commands[] = {
	"run", "timeit", "matrix", "compare", "report", "list", "--version", "help",
};

static const char *scratch;
static int home_fd = -1;

/* The scratch folder is the current one only while an input runs: libFuzzer
 * resolves its own paths (corpus, artifacts) from where it was started.  */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	scratch = fuzz_scratch_dir("cli");
	home_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (home_fd < 0)
		fuzz_fail("%s", "open the current folder");
	return 0;
}

/* ---- the stubs, through ld --wrap ---- */

int __wrap_runner_run(const struct runner_options *o, const struct bench_def **sel, size_t n)
{
	if (!o->output)
		fuzz_fail("%s", "runner_run without an output file");
	if (o->force && o->append)
		fuzz_fail("%s", "runner_run with --force and --append");
	if (o->processes > 10000 || o->values < 1 || o->values > 10000 || o->warmups > 10000)
		fuzz_fail("runner_run with %u processes x %u values, %u warmups", o->processes,
			  o->values, o->warmups);
	if (!(o->min_time > 0) || !(o->timeout >= 0) || !(o->target >= 0 && o->target <= 1) ||
	    o->loops > (UINT64_C(1) << 40))
		fuzz_fail("runner_run with min_time %g, timeout %g, target %g, loops %llu",
			  o->min_time, o->timeout, o->target, (unsigned long long)o->loops);
	if (!o->stmt == !sel && n)
		fuzz_fail("%s", "runner_run with both a statement and benchmarks");
	for (size_t i = 0; i < n; i++) {
		if (!sel[i] || !sel[i]->name)
			fuzz_fail("selection %zu is empty", i);
		for (size_t j = 0; j < i; j++)
			if (sel[j] == sel[i])
				fuzz_fail("`%s` selected twice", sel[i]->name);
	}
	if (o->loops_from && !json_is_array(json_object_get(o->loops_from, "benchmarks")))
		fuzz_fail("%s", "--loops-from passed without validation");
	return 0;
}

int __wrap_ctr_session_start(const struct ctr_run *run, struct ctr_session *s,
			     struct bench_error *err)
{
	(void)s;
	return bench_error_set(err, 0, "runtime `%s`: no servers in the fuzzer", run->driver->name);
}

/* A private containerd is a daemon: none is started for an input.  */
int __wrap_ctr_engine_open(enum ctr_engine engine, struct bench_error *err)
{
	if (engine == CTR_ENGINE_CONTAINERD)
		return bench_error_set(err, 0, "the containerd engine: not in the fuzzer");
	return 0;
}

int __wrap_ctr_driver_available(const struct ctr_driver *d, struct bench_error *err)
{
	if (d->flags & CTR_NO_CONTAINER)
		return 0;
	return bench_error_set(err, 0, "runtime `%s`: not in the fuzzer", d->name);
}

void __wrap_ctr_driver_version(const struct ctr_driver *d, char *buf, size_t size)
{
	snprintf(buf, size, "%s (fuzz)", d->name);
}

int __wrap_ctr_image_ensure(const char *dir, int podman, struct ctr_image *img,
			    struct bench_error *err)
{
	fuzz_fail("%s", "an image was built though no container runtime is available");
}

/* ---- the input ---- */

static void write_files(const uint8_t *data, size_t size)
{
	fuzz_write_file("f", data, size);
	if (mkdir("d", 0755) < 0)
		fuzz_fail("%s", "mkdir d");
	fuzz_write_file("d/matrix.json", data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 3];
	char *copy;
	size_t argc = 0, i = 1;

	if (size == 0)
		return 0;
	if (chdir(scratch) < 0)
		fuzz_fail("chdir `%s`", scratch);
	copy = xmalloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = "sandbench";
	argv[argc++] = (char *)commands[data[0] % (sizeof(commands) / sizeof(commands[0]))];
	while (i < size && argc < MAX_ARGS + 2) {
		char *arg = copy + i;
		size_t len = strlen(arg);

		if (strcmp(arg, "@file") == 0) {
			i += len + 1;
			write_files(data + (i < size ? i : size), i < size ? size - i : 0);
			break;
		}
		for (char *s = arg; (s = strchr(s, '/')); )
			*s = '_';
		argv[argc++] = arg;
		i += len + 1;
	}
	argv[argc] = NULL;
	optind = 0;	/* glibc: start getopt afresh */
	sandbench_main((int)argc, argv);
	fflush(NULL);
	fuzz_empty_dir(scratch);
	if (fchdir(home_fd) < 0)
		fuzz_fail("%s", "return to the starting folder");
	free(copy);
	return 0;
}
