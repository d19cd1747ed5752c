/* `sandbench run`, and the options it shares with `timeit`.  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/cmd/cmd.h"
#include "bench/harness/worker.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "categories/registry.h"

const char usage_run[] =
	"usage: sandbench run [-b NAMES] [-c CATEGORIES] [--fast | --rigorous | --smoke]\n"
	"                     [-p PROCESSES] [--target PCT] [--budget S]\n"
	"                     [-n VALUES] [-w WARMUPS]\n"
	"                     [-l LOOPS | --loops-from FILE]\n"
	"                     [--min-time S] [--timeout S] [--affinity CPUS]\n"
	"                     [--workers fresh|forked]\n"
	"                     [--workloads-dir DIR] [-o FILE [--force | --append]]\n"
	"\n"
	"Run benchmarks, each in several worker processes, and write a pyperf JSON file.\n"
	"A benchmark's first process calibrates the loops, then measures like the rest.\n"
	"  -b, --bench NAMES     comma-separated benchmark names\n"
	"  -c, --category LIST   comma-separated categories (with -b: the union)\n"
	"      --fast            up to 16 processes x 2 values of at least 0.05 s,\n"
	"                        1 warmup; stop at a 95% confidence half-width of 2%;\n"
	"                        a budget of 2 s per benchmark\n"
	"      --rigorous        up to 80 processes x 3 values, 1 warmup; stop at 0.5%;\n"
	"                        15 s per benchmark\n"
	"      --smoke           1 process x 1 value, 1 loop, no warmup: checks that\n"
	"                        every workload runs and passes its self-check\n"
	"                        (default profile: up to 40 processes x 3 values,\n"
	"                        1 warmup; stop at 1%; 6.5 s per benchmark)\n"
	"      --budget S        every benchmark gets 3 processes first (from 2\n"
	"                        templates); then, until S seconds from the start,\n"
	"                        more go (4 at a time, fresh workers 1) to the\n"
	"                        benchmark above the target that needs the fewest\n"
	"                        seconds to reach it, or when none can within its\n"
	"                        most processes, the furthest (default: the profile's\n"
	"                        seconds per benchmark; 0: none, each benchmark in\n"
	"                        turn up to its target or most processes)\n"
	"  -p, --processes N     exactly N worker processes per benchmark, no early\n"
	"                        stop (0: only calibrate)\n"
	"      --target PCT      stop adding processes at this confidence half-width\n"
	"                        (percent of the mean); with -p, N is the maximum\n"
	"  -n, --values N        timed values per process\n"
	"  -w, --warmups N       untimed warmup values per process\n"
	"  -l, --loops N         loops per value (default: calibrated)\n"
	"      --loops-from FILE use the loops of the benchmarks in result FILE\n"
	"      --min-time S      calibrate loops so a value takes at least S seconds\n"
	"                        (default 0.1; --fast 0.05)\n"
	"      --timeout S       kill a worker process after S seconds (default 600;\n"
	"                        0: never)\n"
	"      --affinity CPUS   pin worker processes to CPUs, e.g. 1 or 0,2-3\n"
	"      --workers MODE    forked (default): a worker set up once (a template)\n"
	"                        forks each measured process, and a new template\n"
	"                        (hash seed, layout) replaces it every 4 processes;\n"
	"                        fresh: a new worker process per measured process\n"
	"      --workloads-dir DIR  load the Python workloads from DIR (the\n"
	"                        categories/ folder) instead of the built-in copies\n"
	"  -o, --output FILE     result file (.json or .json.gz); default:\n"
	"                        results/sandbench-YYYYmmdd-HHMMSS.json\n"
	"      --force           overwrite FILE if it exists\n"
	"      --append          add to FILE: new benchmarks, or more runs of the\n"
	"                        same ones with the same loops\n"
	"\n"
	"Exit status: 0 when every benchmark ran (skipped ones included), 1 when one\n"
	"failed, 2 on bad input, 130 when interrupted (finished results are kept).\n";

/* What the command line gave, before the profile fills the rest.  */
struct measure_args {
	const struct runner_profile *prof;
	long processes, values, warmups, loops;	/* -1: the profile's */
	double target, min_time;		/* 0: the profile's */
	double budget;				/* -1: the profile's */
	int profiles;
};

enum { O_FAST = 256, O_RIGOROUS, O_SMOKE, O_MIN_TIME, O_TIMEOUT, O_AFFINITY,
       O_WORKLOADS, O_FORCE, O_APPEND, O_LOOPS_FROM, O_TARGET, O_WORKERS, O_BUDGET };

static const struct option measure_longopts[] = {
	{ "bench", required_argument, NULL, 'b' },
	{ "category", required_argument, NULL, 'c' },
	{ "setup", required_argument, NULL, 's' },
	{ "fast", no_argument, NULL, O_FAST },
	{ "rigorous", no_argument, NULL, O_RIGOROUS },
	{ "smoke", no_argument, NULL, O_SMOKE },
	{ "processes", required_argument, NULL, 'p' },
	{ "values", required_argument, NULL, 'n' },
	{ "warmups", required_argument, NULL, 'w' },
	{ "loops", required_argument, NULL, 'l' },
	{ "min-time", required_argument, NULL, O_MIN_TIME },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "affinity", required_argument, NULL, O_AFFINITY },
	{ "workloads-dir", required_argument, NULL, O_WORKLOADS },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, O_FORCE },
	{ "append", no_argument, NULL, O_APPEND },
	{ "loops-from", required_argument, NULL, O_LOOPS_FROM },
	{ "target", required_argument, NULL, O_TARGET },
	{ "workers", required_argument, NULL, O_WORKERS },
	{ "budget", required_argument, NULL, O_BUDGET },
	{ NULL, 0, NULL, 0 },
};

/* The numbers: -p, -n, -w, -l, --min-time, --target.  1: not one of them.  */
static int measure_number(int c, const char *usage, struct measure_args *a)
{
	switch (c) {
	case 'p':
		if (util_parse_long(optarg, 0, LIMIT_COUNT, &a->processes) < 0)
			return cmd_usage_error(usage, "bad --processes `%s`: give a number from 0 to %d",
					       optarg, LIMIT_COUNT);
		return 0;
	case 'n':
		if (util_parse_long(optarg, 1, LIMIT_COUNT, &a->values) < 0)
			return cmd_usage_error(usage, "bad --values `%s`: give a number from 1 to %d",
					       optarg, LIMIT_COUNT);
		return 0;
	case 'w':
		if (util_parse_long(optarg, 0, LIMIT_COUNT, &a->warmups) < 0)
			return cmd_usage_error(usage, "bad --warmups `%s`: give a number from 0 to %d",
					       optarg, LIMIT_COUNT);
		return 0;
	case 'l':
		if (util_parse_long(optarg, 1, 1L << 40, &a->loops) < 0)
			return cmd_usage_error(usage, "bad --loops `%s`: give a number from 1 to 2^40",
					       optarg);
		return 0;
	case O_MIN_TIME:
		if (util_parse_double(optarg, &a->min_time) < 0)
			return cmd_usage_error(usage, "bad --min-time `%s`: give seconds > 0", optarg);
		return 0;
	case O_BUDGET:
		if (strcmp(optarg, "0") == 0)
			a->budget = 0;	/* none */
		else if (util_parse_double(optarg, &a->budget) < 0)
			return cmd_usage_error(usage, "bad --budget `%s`: give seconds, or 0 for "
					       "none", optarg);
		return 0;
	case O_TARGET:
		if (util_parse_double(optarg, &a->target) < 0 || a->target > 100)
			return cmd_usage_error(usage, "bad --target `%s`: give a percentage, e.g. 1",
					       optarg);
		return 0;
	}
	return 1;
}

/* The rest: what runs, where, and the output.  */
static int measure_option(int c, const char *usage, struct measure_options *o,
			  struct measure_args *a)
{
	struct runner_options *r = &o->run;
	struct bench_error err = { 0 };
	struct stat st;
	cpu_set_t cpus;
	int cpu;

	switch (c) {
	case 'b': o->names = optarg; break;
	case 'c': o->categories = optarg; break;
	case 's': r->setup = optarg; break;
	case O_FAST:
	case O_RIGOROUS:
	case O_SMOKE:
		a->prof = runner_profile(c == O_FAST ? "fast" : c == O_RIGOROUS ? "rigorous" : "smoke");
		a->profiles++;
		break;
	case O_TIMEOUT:
		if (strcmp(optarg, "0") == 0)
			r->timeout = 0;	/* never */
		else if (util_parse_double(optarg, &r->timeout) < 0)
			return cmd_usage_error(usage, "bad --timeout `%s`: give seconds, or 0 for never",
					       optarg);
		break;
	case O_AFFINITY:
		if (worker_parse_cpus(optarg, &cpus) < 0)
			return cmd_usage_error(usage, "bad --affinity `%s`: give CPUs like 0 or 0,2-3",
					       optarg);
		if ((cpu = util_unusable_cpu(&cpus)) >= 0)
			return cmd_usage_error(usage, "--affinity: CPU %d is not one this process "
					       "may use", cpu);
		r->affinity = optarg;
		break;
	case O_WORKLOADS:
		if (stat(optarg, &st) < 0 || !S_ISDIR(st.st_mode))
			return cmd_usage_error(usage, "--workloads-dir `%s` is not a folder", optarg);
		r->workloads_dir = optarg;
		break;
	case O_WORKERS:
		if (strcmp(optarg, "fresh") == 0)
			r->forks = 0;
		else if (strcmp(optarg, "forked") == 0)
			r->forks = RUNNER_TEMPLATE_FORKS;
		else
			return cmd_usage_error(usage, "bad --workers `%s`: give fresh or forked",
					       optarg);
		break;
	case 'o': r->output = optarg; break;
	case O_FORCE: r->force = 1; break;
	case O_APPEND: r->append = 1; break;
	case O_LOOPS_FROM:
		json_decref(r->loops_from);
		r->loops_from = NULL;
		if (result_read(optarg, &r->loops_from, &err) < 0) {
			fprintf(stderr, "sandbench: --loops-from: %s\n", err.msg);
			return 2;
		}
		break;
	default:
		return cmd_usage_error(usage, NULL);
	}
	return 0;
}

/* The profile, then what the command line changes of it.  */
static int measure_apply(const char *usage, struct measure_options *o,
			 const struct measure_args *a)
{
	struct runner_options *r = &o->run;
	const struct runner_profile *prof = a->prof;

	if (a->profiles > 1)
		return cmd_usage_error(usage, "%s", "choose one of --fast, --rigorous and --smoke");
	if (r->force && r->append)
		return cmd_usage_error(usage, "%s", "choose one of --force and --append");
	/* -p 0 only calibrates: with the loops given there is nothing to do,
	 * and a file of benchmarks without runs is one no command reads.  */
	if (a->processes == 0 && (a->loops > 0 || r->loops_from || prof->loops))
		return cmd_usage_error(usage, "%s", "-p 0 only calibrates the loops: not with "
				       "--loops, --loops-from or --smoke, which give them");
	r->processes = prof->most;
	r->values = prof->values;
	r->warmups = prof->warmups;
	r->target = prof->target;
	r->min_time = a->min_time > 0 ? a->min_time : prof->min_time;
	r->loops = prof->loops;
	r->budget = prof->budget;
	r->budget_per_benchmark = 1;
	if (a->budget >= 0) {
		r->budget = a->budget;
		r->budget_per_benchmark = 0;
	}
	if (a->processes >= 0) {
		r->processes = (unsigned)a->processes;
		r->target = 0;
	}
	if (a->target > 0)
		r->target = a->target / 100;
	if (a->values > 0)
		r->values = (unsigned)a->values;
	if (a->warmups >= 0)
		r->warmups = (unsigned)a->warmups;
	if (a->loops > 0)
		r->loops = (uint64_t)a->loops;
	return 0;
}

/* Options shared by run and timeit; on failure too, the caller calls
 * measure_release (--loops-from is read while parsing).  */
static int measure_parse(int argc, char **argv, int is_timeit, const char *usage,
			 struct measure_options *o)
{
	struct measure_args a = { .prof = runner_profile("default"), .processes = -1,
				  .values = -1, .warmups = -1, .loops = -1, .budget = -1 };
	int c, rc;

	*o = (struct measure_options){ .run = { .timeout = 600, .forks = RUNNER_TEMPLATE_FORKS } };
	optind = 0;
	while ((c = cmd_getopt(argc, argv, is_timeit ? "s:p:n:w:l:o:" : "b:c:p:n:w:l:o:",
			       measure_longopts)) != -1) {
		rc = measure_number(c, usage, &a);
		if (rc == 1)
			rc = measure_option(c, usage, o, &a);
		if (rc)
			return rc;
	}
	return measure_apply(usage, o, &a);
}

void measure_release(struct measure_options *o)
{
	json_decref(o->run.loops_from);
	o->run.loops_from = NULL;
}

int run_parse(int argc, char **argv, struct measure_options *o)
{
	int rc = measure_parse(argc, argv, 0, usage_run, o);

	if (rc == 0 && optind < argc)
		rc = cmd_usage_error(usage_run, "unexpected argument `%s` (select benchmarks with -b)",
				     argv[optind]);
	return rc;
}

int timeit_parse(int argc, char **argv, struct measure_options *o)
{
	int rc = measure_parse(argc, argv, 1, usage_timeit, o);

	if (rc == 0 && optind + 1 != argc)
		rc = cmd_usage_error(usage_timeit, "%s", "give exactly one statement to time");
	if (rc == 0)
		o->run.stmt = argv[optind];
	return rc;
}

/* results/sandbench-YYYYmmdd-HHMMSS.json, the folder made.  */
static char *default_output(void)
{
	char stamp[32];

	util_local_time("%Y%m%d-%H%M%S", stamp, sizeof(stamp));
	if (mkdir("results", 0755) < 0 && errno != EEXIST)
		return NULL;
	return xasprintf("results/sandbench-%s.json", stamp);
}

int cmd_run(int argc, char **argv)
{
	struct measure_options o;
	struct bench_error err = { 0 };
	const struct bench_def **sel = NULL;
	cleanup_free char *output = NULL;
	size_t n;
	int rc = run_parse(argc, argv, &o);

	if (rc)
		goto out;
	rc = 2;
	if (bench_registry_select(o.names, o.categories, &sel, &n, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		goto out;
	}
	if (!o.run.output) {
		output = default_output();
		if (!output) {
			fprintf(stderr, "sandbench: cannot create the folder `results`: %s\n",
				strerror(errno));
			goto out;
		}
		o.run.output = output;
	}
	rc = runner_run(&o.run, sel, n);
out:
	measure_release(&o);
	free(sel);
	return rc;
}
