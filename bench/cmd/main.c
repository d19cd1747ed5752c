/* sandbench: what does this sandbox cost my Python code, and where?  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "categories/native.h"
#include "containers/image.h"
#include "containers/k8s.h"
#include "containers/matrix.h"
#include "embed/py.h"
#include "bench/report/cmd_report.h"
#include "bench/cmd/explain.h"
#include "bench/lib/error.h"
#include "bench/harness/metadata.h"
#include "categories/registry.h"
#include "bench/lib/result.h"
#include "bench/harness/runner.h"
#include "bench/harness/serve.h"
#include "bench/lib/util.h"
#include "bench/harness/worker.h"

static const char usage_main[] =
	"usage: sandbench COMMAND [OPTIONS]\n"
	"\n"
	"Measure what a container runtime costs Python code: a pyperformance-style\n"
	"suite run by an embedded CPython, with results in pyperf's JSON format.\n"
	"\n"
	"commands:\n"
	"  list      list the benchmarks with their category and kind\n"
	"  run       run benchmarks and write a result file\n"
	"  timeit    measure one Python statement the same way\n"
	"  env       print the metadata of this machine or container\n"
	"  image     build the container image from this host's files\n"
	"  matrix    run the suite under several container runtimes, interleaved\n"
	"  k8s       the same on a Kubernetes node: Jobs per RuntimeClass, collected\n"
	"  compare   compare result files, one per runtime, against a reference\n"
	"  report    compare the result files in a folder and write the report there\n"
	"  explain   say why: kernel share, faults, context switches, system calls\n"
	"            and what they cost (--budget)\n"
	"\n"
	"`sandbench COMMAND --help` describes each command; --version prints the version.\n";

static const char usage_list[] =
	"usage: sandbench list [-c CATEGORIES]\n"
	"\n"
	"List the benchmarks (name, category, kind) in the order a run visits them.\n"
	"  -c, --category LIST   only these comma-separated categories\n";

static const char usage_run[] =
	"usage: sandbench run [-b NAMES] [-c CATEGORIES] [--fast | --rigorous | --smoke]\n"
	"                     [-p PROCESSES] [--target PCT] [-n VALUES] [-w WARMUPS]\n"
	"                     [-l LOOPS | --loops-from FILE]\n"
	"                     [--min-time S] [--timeout S] [--affinity CPUS]\n"
	"                     [--workloads-dir DIR] [-o FILE [--force | --append]]\n"
	"\n"
	"Run benchmarks, each in fresh worker processes, and write a pyperf JSON file.\n"
	"A benchmark's first process calibrates the loops, then measures like the rest.\n"
	"  -b, --bench NAMES     comma-separated benchmark names\n"
	"  -c, --category LIST   comma-separated categories (with -b: the union)\n"
	"      --fast            up to 6 processes x 2 values of at least 0.05 s,\n"
	"                        1 warmup; stop at a 95% confidence half-width of 2%\n"
	"      --rigorous        up to 40 processes x 3 values, 1 warmup; stop at 0.5%\n"
	"      --smoke           1 process x 1 value, 1 loop, no warmup: checks that\n"
	"                        every workload runs and passes its self-check\n"
	"                        (default profile: up to 20 processes x 3 values,\n"
	"                        1 warmup; stop at 1%; never fewer than 3 processes)\n"
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

static const char usage_timeit[] =
	"usage: sandbench timeit [-s SETUP] [profile and -p/-n/-w/-l/--min-time options]\n"
	"                        [-o FILE [--force | --append]] STMT\n"
	"\n"
	"Measure a Python statement with the same workers and statistics as `run`;\n"
	"write the result file only with -o.\n"
	"  -s, --setup CODE      run once per process before timing (default: pass)\n";

static const char usage_env[] =
	"usage: sandbench env\n"
	"\n"
	"Print the metadata recorded in result files, as JSON: host, CPU, kernel,\n"
	"Python, the clock and its read cost, and the runtime detected from inside\n"
	"(bare host, container, virtual machine, gvisor).\n";

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

static int bad_usage(const char *usage, const char *fmt, const char *arg)
{
	fprintf(stderr, "sandbench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n\n%s", usage);
	return 2;
}

static int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "category", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_error err = { 0 };
	const struct bench_def **sel;
	const char *categories = NULL;
	size_t n;
	int c;

	while ((c = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		if (c != 'c')
			return bad_usage(usage_list, "%s", "unknown option");
		categories = optarg;
	}
	if (optind < argc)
		return bad_usage(usage_list, "unexpected argument `%s`", argv[optind]);
	if (bench_registry_select(NULL, categories, &sel, &n, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		return 2;
	}
	printf("%-26s %-10s %s\n", "benchmark", "category", "kind");
	for (size_t i = 0; i < n; i++)
		printf("%-26s %-10s %s\n", sel[i]->name, sel[i]->category,
		       bench_kind_name(sel[i]->kind));
	for (size_t i = 0; bench_registry_missing[i][0]; i++)
		printf("%-26s %-10s not built: %s\n", bench_registry_missing[i][0], "-",
		       bench_registry_missing[i][1]);
	printf("%zu benchmarks\n", n);
	free(sel);
	return 0;
}

/* Options shared by run and timeit.  */
static int parse_measure_options(int argc, char **argv, int is_timeit, const char *usage,
				 struct runner_options *o, const char **names,
				 const char **categories)
{
	enum { O_FAST = 256, O_RIGOROUS, O_SMOKE, O_MIN_TIME, O_TIMEOUT, O_AFFINITY,
	       O_WORKLOADS, O_FORCE, O_APPEND, O_LOOPS_FROM, O_TARGET };
	static const struct option longopts[] = {
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
		{ NULL, 0, NULL, 0 },
	};
	const struct runner_profile *prof = runner_profile("default");
	long p = -1, nv = -1, w = -1, l = -1;
	double target = 0, min_time = 0;
	int c, profiles = 0;
	cpu_set_t cpus;

	*o = (struct runner_options){ .timeout = 600 };
	while ((c = getopt_long(argc, argv, is_timeit ? "s:p:n:w:l:o:" : "b:c:p:n:w:l:o:",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'b': *names = optarg; break;
		case 'c': *categories = optarg; break;
		case 's': o->setup = optarg; break;
		case O_FAST:
		case O_RIGOROUS:
		case O_SMOKE:
			prof = runner_profile(c == O_FAST ? "fast" : c == O_RIGOROUS ? "rigorous" : "smoke");
			profiles++;
			break;
		case 'p':
			if (util_parse_long(optarg, 0, 10000, &p) < 0)
				return bad_usage(usage, "bad --processes `%s`: give a number from 0 to 10000", optarg);
			break;
		case 'n':
			if (util_parse_long(optarg, 1, 10000, &nv) < 0)
				return bad_usage(usage, "bad --values `%s`: give a number from 1 to 10000", optarg);
			break;
		case 'w':
			if (util_parse_long(optarg, 0, 10000, &w) < 0)
				return bad_usage(usage, "bad --warmups `%s`: give a number from 0 to 10000", optarg);
			break;
		case 'l':
			if (util_parse_long(optarg, 1, 1L << 40, &l) < 0)
				return bad_usage(usage, "bad --loops `%s`: give a number from 1 to 2^40", optarg);
			break;
		case O_MIN_TIME:
			if (util_parse_double(optarg, &min_time) < 0)
				return bad_usage(usage, "bad --min-time `%s`: give seconds > 0", optarg);
			break;
		case O_TIMEOUT:
			if (strcmp(optarg, "0") == 0)
				o->timeout = 0;	/* never */
			else if (util_parse_double(optarg, &o->timeout) < 0)
				return bad_usage(usage, "bad --timeout `%s`: give seconds, or 0 for never",
						 optarg);
			break;
		case O_AFFINITY: {
			int cpu;
			if (worker_parse_cpus(optarg, &cpus) < 0)
				return bad_usage(usage, "bad --affinity `%s`: give CPUs like 0 or 0,2-3", optarg);
			if ((cpu = util_unusable_cpu(&cpus)) >= 0) {
				char what[64];
				snprintf(what, sizeof(what), "CPU %d", cpu);
				return bad_usage(usage, "--affinity: %s is not one this process may use",
						 what);
			}
			o->affinity = optarg;
			break;
		}
		case O_WORKLOADS: {
			struct stat st;
			if (stat(optarg, &st) < 0 || !S_ISDIR(st.st_mode))
				return bad_usage(usage, "--workloads-dir `%s` is not a folder", optarg);
			o->workloads_dir = optarg;
			break;
		}
		case 'o': o->output = optarg; break;
		case O_FORCE: o->force = 1; break;
		case O_APPEND: o->append = 1; break;
		case O_TARGET:
			if (util_parse_double(optarg, &target) < 0 || target > 100)
				return bad_usage(usage, "bad --target `%s`: give a percentage, e.g. 1", optarg);
			break;
		case O_LOOPS_FROM: {
			struct bench_error err = { 0 };
			json_decref(o->loops_from);
			o->loops_from = NULL;
			if (result_read(optarg, &o->loops_from, &err) < 0) {
				fprintf(stderr, "sandbench: --loops-from: %s\n", err.msg);
				return 2;
			}
			break;
		}
		default:
			fprintf(stderr, "\n%s", usage);
			return 2;
		}
	}
	if (profiles > 1)
		return bad_usage(usage, "%s", "choose one of --fast, --rigorous and --smoke");
	if (o->force && o->append)
		return bad_usage(usage, "%s", "choose one of --force and --append");
	/* -p 0 only calibrates: with the loops given there is nothing to do,
	 * and a file of benchmarks without runs is one no command reads.  */
	if (p == 0 && (l > 0 || o->loops_from || prof->loops))
		return bad_usage(usage, "%s", "-p 0 only calibrates the loops: not with --loops, "
				 "--loops-from or --smoke, which give them");
	o->processes = prof->processes;
	o->values = prof->values;
	o->warmups = prof->warmups;
	o->target = prof->target;
	o->min_time = min_time > 0 ? min_time : prof->min_time;
	o->loops = prof->loops;
	if (p >= 0) {
		o->processes = (unsigned)p;
		o->target = 0;
	}
	if (target > 0)
		o->target = target / 100;
	if (nv > 0)
		o->values = (unsigned)nv;
	if (w >= 0)
		o->warmups = (unsigned)w;
	if (l > 0)
		o->loops = (uint64_t)l;
	return 0;
}

static char *default_output(void)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (mkdir("results", 0755) < 0 && errno != EEXIST)
		return NULL;
	return xasprintf("results/sandbench-%s.json", stamp);
}

static int cmd_run(int argc, char **argv)
{
	struct runner_options o;
	struct bench_error err = { 0 };
	const char *names = NULL, *categories = NULL;
	const struct bench_def **sel = NULL;
	cleanup_free char *output = NULL;
	size_t n;
	int rc;

	/* --loops-from is read while parsing: every way out releases it.  */
	rc = parse_measure_options(argc, argv, 0, usage_run, &o, &names, &categories);
	if (rc)
		goto out;
	if (optind < argc) {
		rc = bad_usage(usage_run, "unexpected argument `%s` (select benchmarks with -b)",
			       argv[optind]);
		goto out;
	}
	rc = 2;
	if (bench_registry_select(names, categories, &sel, &n, &err) < 0) {
		fprintf(stderr, "sandbench: %s\n", err.msg);
		goto out;
	}
	if (!o.output) {
		output = default_output();
		if (!output) {
			fprintf(stderr, "sandbench: cannot create the folder `results`: %s\n",
				strerror(errno));
			goto out;
		}
		o.output = output;
	}
	rc = runner_run(&o, sel, n);
out:
	json_decref(o.loops_from);
	free(sel);
	return rc;
}

static int cmd_timeit(int argc, char **argv)
{
	struct runner_options o;
	const char *names = NULL, *categories = NULL;
	char tmpl[4096];
	cleanup_free char *output = NULL;
	int rc;

	rc = parse_measure_options(argc, argv, 1, usage_timeit, &o, &names, &categories);
	if (rc)
		goto out;
	if (optind + 1 != argc) {
		rc = bad_usage(usage_timeit, "%s", "give exactly one statement to time");
		goto out;
	}
	o.stmt = argv[optind];
	if (!o.output) {
		/* No -o: measure into a scratch file, removed afterwards.  */
		if (util_make_temp_dir("sandbench-timeit", tmpl, sizeof(tmpl)) < 0) {
			fprintf(stderr, "sandbench: cannot create a temporary folder: %s\n", strerror(errno));
			rc = 2;
			goto out;
		}
		output = xasprintf("%s/timeit.json", tmpl);
		o.output = output;
		o.scratch_output = 1;
	}
	rc = runner_run(&o, NULL, 0);
	if (output) {
		unlink(output);
		rmdir(tmpl);
	}
out:
	json_decref(o.loops_from);
	return rc;
}

static int cmd_env(int argc, char **argv)
{
	json_t *md;

	if (argc > 1)
		return bad_usage(usage_env, "unexpected argument `%s`", argv[1]);
	md = metadata_collect();
	json_dumpf(md, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("\n");
	json_decref(md);
	return 0;
}

/* `__startup [--no-site]`: the child of the start-up benchmarks.  */
static int child_startup(int argc, char **argv)
{
	struct py_options opts = { .site = !(argc > 1 && strcmp(argv[1], "--no-site") == 0),
				   .hash_seed = -1, .bare = 1 };
	struct bench_error err = { 0 };
	int rc = py_init(&opts, &err);

	if (rc == 0)
		rc = py_run_string("pass", &err);
	if (py_finalize(rc == 0 ? &err : NULL) < 0)
		rc = -1;
	if (rc < 0)
		fprintf(stderr, "sandbench __startup: %s\n", err.msg);
	bench_error_release(&err);
	return rc < 0 ? 1 : 0;
}

static int child_run(int argc, char **argv)
{
	struct py_options opts = { .site = 1, .hash_seed = -1 };

	if (argc > 3 && strcmp(argv[1], "--workloads-dir") == 0) {
		opts.workloads_dir = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: sandbench __child [--workloads-dir DIR] CATEGORY/NAME [ARGS...] (internal)\n");
		return 2;
	}
	return py_child_main(&opts, argv[1], argc - 2, argv + 2);
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
} commands[] = {
	{ "list", cmd_list, usage_list },
	{ "run", cmd_run, usage_run },
	{ "timeit", cmd_timeit, usage_timeit },
	{ "env", cmd_env, usage_env },
	{ "image", ctr_image_cmd, ctr_image_usage },
	{ "matrix", ctr_matrix_cmd, ctr_matrix_usage },
	{ "k8s", ctr_k8s_cmd, ctr_k8s_usage },
	{ "compare", cmd_compare, usage_compare },
	{ "report", cmd_report, usage_report },
	{ "explain", cmd_explain, usage_explain },
	/* internal modes of the re-executed binary */
	{ "__worker", worker_main, NULL },
	{ "__serve", serve_main, NULL },
	{ "__child", child_run, NULL },
	{ "__startup", child_startup, NULL },
	{ "__noop", child_noop, NULL },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_main, stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("sandbench %s (Python %s)\n", SANDBENCH_VERSION, py_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (commands[i].usage && wants_help(argc - 1, argv + 1)) {
			fputs(commands[i].usage, stdout);
			return 0;
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "sandbench: unknown command `%s`; commands: list run timeit env image matrix k8s compare report explain\n"
		"Try `sandbench --help`.\n", argv[1]);
	return 2;
}
