/* `sandbench matrix`: the command line of containers/matrix.h.  */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cmd/cmd.h"
#include "bench/harness/protocol.h"
#include "bench/harness/worker.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "containers/lockstep.h"
#include "containers/placement.h"

const char usage_matrix[] =
	"usage: sandbench matrix --runtimes LIST -o DIR [-b NAMES] [-c CATEGORIES]\n"
	"                        [--fast | --rigorous | --smoke] [--design lockstep|processes]\n"
	"                        [--value-time S] [--values N] [--slots N] [--target PCT]\n"
	"                        [--seeds same|independent] [--value-warmup] [--lead-in S]\n"
	"                        [--rounds R]\n"
	"                        [--pin none|sandbox[=CPUS]|worker[=CPUS]]\n"
	"                        [--engine oci|podman|containerd] [--cpus LIST] [--memory SIZE]\n"
	"                        [--timeout S] [--seed N] [--image DIR]\n"
	"                        [--scratch tmpfs|disk]\n"
	"       sandbench matrix --resume DIR\n"
	"\n"
	"Run the selected benchmarks under several runtimes, each runtime with one\n"
	"long-lived server (inside its container), and merge the results into\n"
	"DIR/RUNTIME.json (pyperf JSON), with equal value counts per benchmark across\n"
	"runtimes.  A runtime listed twice is an A/A test: native,native writes\n"
	"DIR/native.json and DIR/native-2.json.\n"
	"\n"
	"Every runtime gets the same CPUs (--cpus, default all this process may use)\n"
	"and runs there as deployed: its processes and threads, a sandbox's own\n"
	"helpers too, go where the scheduler puts them.\n"
	"Lockstep design (default): for each benchmark and process slot, every runtime\n"
	"has one worker alive at once, with the same hash seed; the values are asked\n"
	"one at a time, alternating between the runtimes in a counterbalanced order\n"
	"(ABBA, BAAB, or a shuffle per block), so that value i of each runtime's\n"
	"process are taken milliseconds apart and pair.  Processes are fresh per slot.\n"
	"After a minimum of slots, a benchmark stops once the paired interval of every\n"
	"runtime against the first listed is within the target, or its time budget or\n"
	"most slots are spent (--fast: 6-20 slots, 8 values, 1%, 8 s; default: 8-40,\n"
	"8, 0.5%, 40 s; --rigorous: 10-80, 10, 0.25%, 160 s; --smoke: 2 slots of 3\n"
	"values).\n"
	"Processes design: in each of R rounds, the worker processes of a benchmark\n"
	"alternate between the runtimes, in an order shuffled per process.\n"
	"  --runtimes LIST   comma-separated: native, runc, crun, runsc, kata, kata-qemu,\n"
	"                    kata-clh, kata-fc, kata-dragonball (kata: --engine containerd)\n"
	"  -o, --output DIR  the results folder (must not hold another matrix or other\n"
	"                    *.json files; one matrix at a time runs in it)\n"
	"  --design D        lockstep (default) or processes\n"
	"  --value-time S    lockstep: seconds per value, for calibration (default 0.01)\n"
	"  --values N        lockstep: values per process, 3-100 (default: the profile's;\n"
	"                    fewer, at least 3, when one iteration outlasts S)\n"
	"  --slots N         lockstep: the most slots per benchmark (1-200)\n"
	"  --target PCT      lockstep: stop at this 95% half-width, in percent\n"
	"  --seeds MODE      lockstep: same (default: one hash seed per slot) or\n"
	"                    independent (one per worker)\n"
	"  --value-warmup    lockstep: one untimed iteration before each value\n"
	"  --lead-in S       lockstep: S seconds of untimed iterations straight before\n"
	"                    each value of a runtime whose own threads serve the\n"
	"                    workload (runsc, kata), so that it is timed in its steady\n"
	"                    state, as deployed; the others of its matrix get one\n"
	"                    untimed iteration (0-10, default 0.1; 0: none)\n"
	"  --pin MODE        lockstep: none (default); sandbox: every thread of each\n"
	"                    runtime's host process tree on one CPU per slot, drawn\n"
	"                    from --cpus (or from CPUS, within --cpus).  Quieter, but it\n"
	"                    changes what is measured for a runtime with helper threads:\n"
	"                    gVisor's system calls cost about 4x less with its Sentry on\n"
	"                    the workload's CPU, a VM's I/O threads share its vCPU's CPU;\n"
	"                    worker: only the workload's processes (the worker, gVisor's\n"
	"                    stubs that run it) on the slot's CPU, the runtime's free\n"
	"  --rounds R        rounds (default 2 for processes, 1 for lockstep)\n"
	"  --engine E        oci: the runtime binary on an OCI bundle (default);\n"
	"                    podman: `podman run --runtime NAME`, as the 2021 study did;\n"
	"                    containerd: `ctr run` with a shim v2, the only way Kata 2+\n"
	"                    runs (the daemon at $CONTAINERD_ADDRESS or\n"
	"                    /run/containerd/containerd.sock, else a private one, as root)\n"
	"  --cpus LIST       every runtime's CPUs, e.g. 0-1: the containers' cpuset, the\n"
	"                    affinity of native and of the runtimes' host processes\n"
	"                    (default: every CPU this process may use)\n"
	"  --memory SIZE     a memory limit, e.g. 4G (at least 128M)\n"
	"  --scratch KIND    every runtime's /tmp and working folder: tmpfs (default:\n"
	"                    a container's own; native's mounted in a mount namespace\n"
	"                    of its own, as root) or disk (a folder under /var/tmp)\n"
	"  --timeout S       kill a worker process after S seconds, and stop a container\n"
	"                    that answers nothing for S + 60 (default 3600; 0: never)\n"
	"  --seed N          the seed of the orders, CPUs and hash seeds (default:\n"
	"                    random, recorded)\n"
	"  --image DIR       the image's bundle folder (default: $SANDBENCH_IMAGE_DIR or\n"
	"                    /var/tmp/sandbench-image-VERSION); built when missing or\n"
	"                    older than the binary\n"
	"  --resume DIR      finish an interrupted matrix, or measure again what\n"
	"                    failed; rounds and (lockstep) benchmarks already done\n"
	"                    are kept\n"
	"\n"
	"Files in DIR: RUNTIME.json (merged), raw/RUNTIME-rN.json (one per round),\n"
	"matrix.json (the plan and what is done), matrix.log.\n";

/* Below this the container dies starting Python, reported only as "the
 * container has ended".  */
#define MIN_MEMORY (128LL << 20)

enum { O_RUNTIMES = 256, O_ROUNDS, O_ENGINE, O_CPUS, O_MEMORY, O_TIMEOUT, O_SEED,
       O_IMAGE, O_RESUME, O_FAST, O_RIGOROUS, O_SMOKE, O_DESIGN, O_VALUE_TIME, O_VALUES,
       O_SLOTS, O_TARGET, O_SEEDS, O_VALUE_WARMUP, O_LEAD_IN, O_PIN, O_SCRATCH };

static const struct option longopts[] = {
	{ "runtimes", required_argument, NULL, O_RUNTIMES },
	{ "output", required_argument, NULL, 'o' },
	{ "bench", required_argument, NULL, 'b' },
	{ "category", required_argument, NULL, 'c' },
	{ "rounds", required_argument, NULL, O_ROUNDS },
	{ "engine", required_argument, NULL, O_ENGINE },
	{ "cpus", required_argument, NULL, O_CPUS },
	{ "memory", required_argument, NULL, O_MEMORY },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "seed", required_argument, NULL, O_SEED },
	{ "image", required_argument, NULL, O_IMAGE },
	{ "resume", required_argument, NULL, O_RESUME },
	{ "fast", no_argument, NULL, O_FAST },
	{ "rigorous", no_argument, NULL, O_RIGOROUS },
	{ "smoke", no_argument, NULL, O_SMOKE },
	{ "design", required_argument, NULL, O_DESIGN },
	{ "value-time", required_argument, NULL, O_VALUE_TIME },
	{ "values", required_argument, NULL, O_VALUES },
	{ "slots", required_argument, NULL, O_SLOTS },
	{ "target", required_argument, NULL, O_TARGET },
	{ "seeds", required_argument, NULL, O_SEEDS },
	{ "value-warmup", no_argument, NULL, O_VALUE_WARMUP },
	{ "lead-in", required_argument, NULL, O_LEAD_IN },
	{ "pin", required_argument, NULL, O_PIN },
	{ "scratch", required_argument, NULL, O_SCRATCH },
	{ NULL, 0, NULL, 0 },
};

#define BAD(...) cmd_usage_error(usage_matrix, "matrix: " __VA_ARGS__)

/* The options of the lockstep design.  1: not one of them.  */
static int lockstep_option(int c, struct ctr_matrix_plan *p)
{
	long v;

	switch (c) {
	case O_DESIGN:
		if (strcmp(optarg, "lockstep") != 0 && strcmp(optarg, "processes") != 0)
			return BAD("bad --design `%s`: give lockstep or processes", optarg);
		p->lockstep = strcmp(optarg, "lockstep") == 0;
		return 0;
	case O_VALUE_TIME:
		if (util_parse_double(optarg, &p->value_time) < 0 || p->value_time > 60)
			return BAD("bad --value-time `%s`: give seconds, above 0 and at most 60",
				   optarg);
		return 0;
	case O_VALUES:
		if (util_parse_long(optarg, LOCKSTEP_MIN_VALUES, LOCKSTEP_MAX_VALUES, &v) < 0)
			return BAD("bad --values `%s`: give a number from %d to %d", optarg,
				   LOCKSTEP_MIN_VALUES, LOCKSTEP_MAX_VALUES);
		p->values = (unsigned)v;
		return 0;
	case O_SLOTS:
		if (util_parse_long(optarg, 1, LOCKSTEP_MAX_SLOTS, &v) < 0)
			return BAD("bad --slots `%s`: give a number from 1 to %d", optarg,
				   LOCKSTEP_MAX_SLOTS);
		p->slots = (unsigned)v;
		return 0;
	case O_TARGET:
		if (util_parse_double(optarg, &p->target) < 0 || p->target >= 100)
			return BAD("bad --target `%s`: give a percentage above 0 and below 100",
				   optarg);
		p->target /= 100;
		return 0;
	case O_SEEDS:
		if (strcmp(optarg, "same") != 0 && strcmp(optarg, "independent") != 0)
			return BAD("bad --seeds `%s`: give same or independent", optarg);
		p->independent_seeds = strcmp(optarg, "independent") == 0;
		return 0;
	case O_VALUE_WARMUP:
		p->value_warmup = 1;
		return 0;
	case O_LEAD_IN:
		if (util_parse_nonnegative(optarg, &p->lead_in) < 0 || p->lead_in > PROTO_MAX_LEAD_IN)
			return BAD("bad --lead-in `%s`: give seconds from 0 to %g", optarg,
				   PROTO_MAX_LEAD_IN);
		return 0;
	case O_PIN:
		if (strcmp(optarg, "none") == 0) {
			p->pin = CTR_PIN_NONE;
			p->pin_cpus = NULL;
		} else if (strcmp(optarg, "sandbox") == 0 || strncmp(optarg, "sandbox=", 8) == 0) {
			p->pin = CTR_PIN_SANDBOX;
			p->pin_cpus = optarg[7] ? optarg + 8 : NULL;
		} else if (strcmp(optarg, "worker") == 0 || strncmp(optarg, "worker=", 7) == 0) {
			p->pin = CTR_PIN_WORKER;
			p->pin_cpus = optarg[6] ? optarg + 7 : NULL;
		} else {
			return BAD("bad --pin `%s`: give none, sandbox, worker, sandbox=CPUS or "
				   "worker=CPUS", optarg);
		}
		return 0;
	}
	return 1;
}

/* --pin against the design and --cpus, once every option is known.  */
static int check_pin(const struct ctr_matrix_plan *p)
{
	cpu_set_t pin, cpus;
	char own[256];

	if (p->pin == CTR_PIN_NONE)
		return 0;
	if (!p->lockstep)
		return BAD("--pin %s: the processes design pins nothing; give it with --design "
			   "lockstep, or leave --pin out", ctr_pin_name(p->pin));
	if (!p->pin_cpus)
		return 0;
	if (worker_parse_cpus(p->pin_cpus, &pin) < 0)
		return BAD("bad --pin `%s=%s`: give CPUs like 0 or 0,2-3", ctr_pin_name(p->pin),
			   p->pin_cpus);
	if (!p->cpus)
		ctr_cpus_own(own, sizeof(own));
	worker_parse_cpus(p->cpus ? p->cpus : own, &cpus);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &pin) && !CPU_ISSET(c, &cpus))
			return BAD("--pin `%s=%s`: CPU %d is not in --cpus (%s)", ctr_pin_name(p->pin),
				   p->pin_cpus, c, p->cpus ? p->cpus : own);
	return 0;
}

/* The containers' limits and the rounds.  1: not one of them.  */
static int limit_option(int c, struct matrix_options *o)
{
	struct ctr_matrix_plan *p = &o->plan;
	cpu_set_t set;
	int cpu;
	long v;

	switch (c) {
	case O_ROUNDS:
		if (util_parse_long(optarg, 1, LIMIT_ROUNDS, &v) < 0)
			return BAD("bad --rounds `%s`: give a number from 1 to %d", optarg,
				   LIMIT_ROUNDS);
		p->rounds = (unsigned)v;
		return 0;
	case O_ENGINE:
		if (ctr_engine_parse(optarg, &p->engine) < 0)
			return BAD("bad --engine `%s`: give oci, podman or containerd", optarg);
		return 0;
	case O_CPUS:
		if (worker_parse_cpus(optarg, &set) < 0)
			return BAD("bad --cpus `%s`: give CPUs like 0 or 0,2-3", optarg);
		if ((cpu = util_unusable_cpu(&set)) >= 0)
			return BAD("--cpus `%s`: CPU %d is not one this process may use", optarg, cpu);
		p->cpus = optarg;
		return 0;
	case O_SCRATCH:
		if (ctr_scratch_parse(optarg, &p->scratch) < 0)
			return BAD("bad --scratch `%s`: give tmpfs or disk", optarg);
		return 0;
	case O_MEMORY:
		p->memory = ctr_parse_size(optarg);
		if (p->memory < MIN_MEMORY)
			return BAD("bad --memory `%s`: give a size of at least %lldM, e.g. 4G",
				   optarg, MIN_MEMORY >> 20);
		return 0;
	case O_TIMEOUT:
		if (util_parse_nonnegative(optarg, &p->timeout) < 0)
			return BAD("bad --timeout `%s`: give seconds, or 0 for never", optarg);
		return 0;
	case O_SEED:
		if (util_parse_long(optarg, 0, 0x7fffffffffffffffL, &v) < 0)
			return BAD("bad --seed `%s`: give a number from 0 to 2^63-1", optarg);
		p->seed = (uint64_t)v;
		o->seeded = 1;
		return 0;
	}
	return 1;
}

/* --runtimes LIST into the plan's labels.  */
static int parse_runtimes(const char *list, struct ctr_matrix_plan *p)
{
	cleanup_free char *copy = xstrdup(list);
	struct bench_error err = { 0 };

	/* strtok_r would skip an empty name silently.  */
	if (list[0] == ',' || strstr(list, ",,") || util_ends_with(list, ","))
		return BAD("--runtimes `%s`: an empty runtime name", list);
	for (char *save = NULL, *name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save))
		if (ctr_matrix_plan_add(p, name, &err) < 0) {
			fprintf(stderr, "sandbench: matrix: %s\n", err.msg);
			return 2;
		}
	if (p->nruntimes == 0)
		return BAD("%s", "--runtimes: give at least one runtime");
	return 0;
}

int matrix_parse(int argc, char **argv, struct matrix_options *o)
{
	struct ctr_matrix_plan *p = &o->plan;
	const char *runtimes = NULL;
	int c, rc, profiles = 0, lead_in = 0;

	*o = (struct matrix_options){ 0 };
	ctr_matrix_plan_init(p);
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "o:b:c:", longopts)) != -1) {
		lead_in |= c == O_LEAD_IN;
		if ((rc = lockstep_option(c, p)) != 1 || (rc = limit_option(c, o)) != 1) {
			if (rc)
				return rc;
			continue;
		}
		switch (c) {
		case O_RUNTIMES: runtimes = optarg; break;
		case 'o': o->dir = optarg; break;
		case 'b': p->names = optarg; break;
		case 'c': p->categories = optarg; break;
		case O_IMAGE: p->image_dir = optarg; break;
		case O_RESUME: o->resume = optarg; break;
		case O_FAST: p->profile = "fast", profiles++; break;
		case O_RIGOROUS: p->profile = "rigorous", profiles++; break;
		case O_SMOKE: p->profile = "smoke", profiles++; break;
		default:
			return cmd_usage_error(usage_matrix, NULL);
		}
	}
	if (optind < argc)
		return BAD("unexpected argument `%s`", argv[optind]);
	if (o->resume)
		return 0;
	if (!runtimes || !o->dir || profiles > 1)
		return BAD("give --runtimes and -o DIR%s",
			   profiles > 1 ? ", and one of --fast, --rigorous and --smoke" : "");
	if ((rc = check_pin(p)) != 0)
		return rc;
	if (lead_in && !p->lockstep)
		return BAD("%s", "--lead-in: the processes design times whole processes; give it "
			   "with --design lockstep, or leave --lead-in out");
	return parse_runtimes(runtimes, p);
}

int cmd_matrix(int argc, char **argv)
{
	struct matrix_options o;
	int rc = matrix_parse(argc, argv, &o);

	if (rc)
		return rc;
	if (o.resume)
		return ctr_matrix_resume(o.resume);
	return ctr_matrix_start(o.dir, &o.plan, o.seeded);
}
