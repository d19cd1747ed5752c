/* `sandbench k8s plan|job|collect`: the suite as Kubernetes Jobs
 * (containers/k8s.h); each subcommand in bench/cmd/k8s_NAME.c.  */
#include <string.h>

#include "bench/cmd/cmd.h"

const char usage_k8s[] =
	"usage: sandbench k8s plan --runtime-classes LIST --image IMAGE\n"
	"                          (--node NAME | --node-selector KEY=VALUE) -o DIR\n"
	"                          [-b NAMES] [-c CATEGORIES] [--fast | --rigorous | --smoke]\n"
	"                          [--rounds R] [--cpus N] [--memory SIZE] [--deadline S]\n"
	"                          [--seed N] [--loops-from FILE]\n"
	"       sandbench k8s job --run-id ID --runtime-class CLASS --round N [RUN OPTIONS]\n"
	"       sandbench k8s collect DIR [LOGFILE... | -]\n"
	"\n"
	"The suite on one Kubernetes node under several RuntimeClasses, as `matrix`\n"
	"runs it on one machine: one Job per class and round, applied one at a time\n"
	"in an order shuffled per round from a recorded seed.\n"
	"\n"
	"plan: write DIR/manifests/job-rN-CLASS.json (batch/v1 Jobs, in JSON, which\n"
	"kubectl reads as YAML), DIR/apply-order.txt (the manifests to apply, in\n"
	"order, one path a line) and DIR/plan.json.  Every Job has Guaranteed QoS\n"
	"(requests = limits), runtimeClassName CLASS (none for `runc` and `default`:\n"
	"the cluster's default runtime), the same node, no retry, a deadline, user\n"
	"65534, a read-only root, no capabilities and a memory-backed /tmp.\n"
	"  --runtime-classes LIST  comma-separated RuntimeClass names (at most 8)\n"
	"  --image IMAGE         an image with /usr/bin/sandbench (see README.md)\n"
	"  --node NAME           pin every Job to this node (spec.nodeName)\n"
	"  --node-selector K=V   or let the scheduler place them on the one node with\n"
	"                        this label, e.g. kubernetes.io/hostname=NAME\n"
	"  -o, --output DIR      the plan folder (must not hold another plan)\n"
	"  --rounds R            rounds (default 2); the profile's worker processes are\n"
	"                        split across them\n"
	"  --cpus N              whole CPUs per Job (default 2)\n"
	"  --memory SIZE         memory per Job, e.g. 4G (default 4G)\n"
	"  --deadline S          activeDeadlineSeconds of each Job (default 3600)\n"
	"  --seed N              the seed of the shuffled orders (default: random,\n"
	"                        recorded)\n"
	"  --loops-from FILE     the loops of every selected benchmark, from a result\n"
	"                        file (`sandbench run -p 0 -o FILE`); without it (and\n"
	"                        without --smoke) plan calibrates them here, natively.\n"
	"                        The Jobs read them from a ConfigMap mounted at\n"
	"                        /calibration, so every class runs the same loops.\n"
	"\n"
	"job: what each Job's container runs: `sandbench run RUN OPTIONS` into a\n"
	"temporary file, its output on stderr, then the result on one line of stdout:\n"
	"the marker SANDBENCH-RESULT and the fields v1, RUN-ID, CLASS, ROUND, CRC32\n"
	"and the gzipped result in base64, separated by spaces (containers/k8s.h\n"
	"describes it).  The options default to $SANDBENCH_RUN_ID, $SANDBENCH_RUNTIME\n"
	"and $SANDBENCH_ROUND.\n"
	"\n"
	"collect: read the Jobs' logs (`kubectl logs` output: files, or stdin with\n"
	"`-` or no file), check every result line (checksum, pyperf JSON, the run id\n"
	"of DIR/plan.json, one result per class and round), write them to\n"
	"DIR/raw/CLASS-rN.json, merge them into DIR/CLASS.json keeping per benchmark\n"
	"only the rounds every class has (equal value counts), and write the report\n"
	"(report.md and the rest) into DIR.\n"
	"\n"
	"Exit status: 0; 1 when a log or a result is bad or missing (collect still\n"
	"merges the good ones) or a Job's run failed; 2 on unusable arguments.\n";

int cmd_k8s(int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error(usage_k8s, "%s", "k8s: give a subcommand: plan, job or collect");
	if (strcmp(argv[1], "plan") == 0)
		return cmd_k8s_plan(argc - 1, argv + 1);
	if (strcmp(argv[1], "job") == 0)
		return cmd_k8s_job(argc - 1, argv + 1);
	if (strcmp(argv[1], "collect") == 0)
		return cmd_k8s_collect(argc - 1, argv + 1);
	return cmd_usage_error(usage_k8s, "k8s: unknown subcommand `%s`: plan, job or collect",
			       argv[1]);
}
