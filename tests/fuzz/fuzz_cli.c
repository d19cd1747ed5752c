/* libFuzzer: the command line of every command must never crash, whatever
 * the arguments, and what it parses to must be within bounds.  Only the
 * parse functions of bench/cmd/cmd.h run (they start nothing), and for
 * `matrix --resume` the reading of the plan it names.
 *
 * Input: the first byte picks the command; then NUL-separated arguments.
 * An argument `@file` ends them: the bytes after it become the file `f` and
 * the folder `d` (d/matrix.json), in a scratch folder that is the current
 * one, emptied after each input.  A `/` in an argument becomes `_`, so that
 * nothing is written outside it.  */
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/cmd/cmd.h"
#include "bench/cmd/explain.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/registry.h"
#include "containers/lockstep.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ARGS 64

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

/* ---- what each command's options must be ---- */

static void check_measure(const struct measure_options *m, int timeit)
{
	const struct runner_options *o = &m->run;
	const struct bench_def **sel = NULL;
	size_t n = 0;

	if (o->force && o->append)
		fuzz_fail("%s", "--force and --append");
	if (o->processes > LIMIT_COUNT || o->values < 1 || o->values > LIMIT_COUNT ||
	    o->warmups > LIMIT_COUNT)
		fuzz_fail("%u processes x %u values, %u warmups", o->processes, o->values,
			  o->warmups);
	if (!(o->min_time > 0) || !(o->timeout >= 0) || !(o->target >= 0 && o->target <= 1) ||
	    o->loops > (UINT64_C(1) << 40))
		fuzz_fail("min_time %g, timeout %g, target %g, loops %llu", o->min_time,
			  o->timeout, o->target, (unsigned long long)o->loops);
	if (!o->stmt != !timeit)
		fuzz_fail("%s", "a statement for run, or none for timeit");
	if (o->loops_from && !json_is_array(json_object_get(o->loops_from, "benchmarks")))
		fuzz_fail("%s", "--loops-from passed without validation");
	if (timeit || bench_registry_select(m->names, m->categories, &sel, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!sel[i] || !sel[i]->name)
			fuzz_fail("selection %zu is empty", i);
		for (size_t j = 0; j < i; j++)
			if (sel[j] == sel[i])
				fuzz_fail("`%s` selected twice", sel[i]->name);
	}
	free(sel);
}

static void check_plan(const struct ctr_matrix_plan *p)
{
	if (p->nruntimes < 1 || p->nruntimes > LIMIT_RUNTIMES || p->rounds > LIMIT_ROUNDS)
		fuzz_fail("a plan of %zu runtimes x %u rounds", p->nruntimes, p->rounds);
	for (size_t i = 0; i < p->nruntimes; i++) {
		if (!p->runtimes[i] || !ctr_matrix_driver(p->runtimes[i]))
			fuzz_fail("runtime %zu of the plan has no driver", i);
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->runtimes[i], p->runtimes[j]) == 0)
				fuzz_fail("`%s` twice in the plan", p->runtimes[i]);
	}
	if (!(p->timeout >= 0) || p->slots > LOCKSTEP_MAX_SLOTS || p->values > LOCKSTEP_MAX_VALUES)
		fuzz_fail("timeout %g, %u slots, %u values", p->timeout, p->slots, p->values);
}

static void fuzz_matrix(int argc, char **argv)
{
	struct matrix_options o;
	struct ctr_matrix_plan p;
	json_t *root = NULL;

	if (matrix_parse(argc, argv, &o) != 0)
		return;
	if (!o.resume) {
		check_plan(&o.plan);
		return;
	}
	if (ctr_matrix_plan_load(o.resume, &p, &root, NULL) == 0)
		check_plan(&p);
	json_decref(root);
}

static void fuzz_measure(int argc, char **argv, int timeit)
{
	struct measure_options o;

	if ((timeit ? timeit_parse : run_parse)(argc, argv, &o) == 0)
		check_measure(&o, timeit);
	measure_release(&o);
}

static void fuzz_report(int argc, char **argv, int compare)
{
	struct report_cmd_options o;

	if ((compare ? compare_parse : report_parse)(argc, argv, &o) != 0)
		return;
	if (!(o.report.min_change >= 0 && o.report.min_change <= 10) ||
	    o.nfiles < (compare ? 2 : 1) || (!compare && (o.nfiles != 1 || o.output)))
		fuzz_fail("min_change %g, %zu files", o.report.min_change, o.nfiles);
}

static void fuzz_k8s_plan(int argc, char **argv)
{
	struct k8s_plan_options o;

	if (k8s_plan_parse(argc, argv, &o) == 0 &&
	    (o.plan.nclasses < 1 || o.plan.nclasses > LIMIT_RUNTIMES || o.plan.rounds < 1 ||
	     o.plan.rounds > LIMIT_ROUNDS || !o.dir || !o.plan.image ||
	     !o.plan.node == !o.plan.selector_key))
		fuzz_fail("a k8s plan of %zu classes x %u rounds", o.plan.nclasses, o.plan.rounds);
	k8s_plan_release(&o);
}

static void fuzz_k8s_job(int argc, char **argv)
{
	struct k8s_job_options o;

	if (k8s_job_parse(argc, argv, &o) == 0 &&
	    (o.round < 1 || o.round > LIMIT_ROUNDS || !ctr_k8s_is_token(o.run_id) ||
	     !ctr_k8s_is_token(o.runtime_class) || o.run_argc < 0))
		fuzz_fail("k8s job round %u", o.round);
}

static void fuzz_other(int argc, char **argv, const char *name)
{
	struct list_options l;
	struct image_options i;
	struct k8s_collect_options c;
	struct explain_options e;

	if (strcmp(name, "list") == 0)
		list_parse(argc, argv, &l);
	else if (strcmp(name, "env") == 0)
		env_parse(argc, argv);
	else if (strcmp(name, "image") == 0)
		image_parse(argc, argv, &i);
	else if (strcmp(name, "collect") == 0 && k8s_collect_parse(argc, argv, &c) == 0 &&
		 (!c.dir || c.nlogs < 0))
		fuzz_fail("%s", "k8s collect without a folder");
	else if (strcmp(name, "explain") == 0 && explain_parse(argc, argv, &e) == 0 &&
		 !e.budget_dir && !e.syscalls && !e.file)
		fuzz_fail("%s", "explain with nothing to explain");
	else if (strcmp(name, "--version") == 0)
		cmd_version(argc, argv);
	else if (strcmp(name, "help") == 0)
		cmd_help(argc, argv);
}

/* The first byte's choice, modulo their number (the first eight as the
 * corpus has them).  */
static const char *const commands[] = {
	"run", "timeit", "matrix", "compare", "report", "list", "--version", "help",
	"env", "image", "plan", "job", "collect", "explain",
};

static void fuzz_command(const char *name, int argc, char **argv)
{
	if (strcmp(name, "run") == 0 || strcmp(name, "timeit") == 0)
		fuzz_measure(argc, argv, name[0] == 't');
	else if (strcmp(name, "matrix") == 0)
		fuzz_matrix(argc, argv);
	else if (strcmp(name, "compare") == 0 || strcmp(name, "report") == 0)
		fuzz_report(argc, argv, name[0] == 'c');
	else if (strcmp(name, "plan") == 0)
		fuzz_k8s_plan(argc, argv);
	else if (strcmp(name, "job") == 0)
		fuzz_k8s_job(argc, argv);
	else
		fuzz_other(argc, argv, name);
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
	char *argv[MAX_ARGS + 2];
	const char *name;
	char *copy;
	size_t argc = 0, i = 1;

	if (size == 0)
		return 0;
	if (chdir(scratch) < 0)
		fuzz_fail("chdir `%s`", scratch);
	copy = xmalloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	name = commands[data[0] % (sizeof(commands) / sizeof(commands[0]))];
	argv[argc++] = (char *)name;
	while (i < size && argc < MAX_ARGS + 1) {
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
	fuzz_command(name, (int)argc, argv);
	fflush(NULL);
	fuzz_empty_dir(scratch);
	if (fchdir(home_fd) < 0)
		fuzz_fail("%s", "return to the starting folder");
	free(copy);
	return 0;
}
