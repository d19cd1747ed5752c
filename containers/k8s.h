/* `sandbench k8s`: the suite as Kubernetes Jobs, one per (RuntimeClass,
 * round), on one node; results come back in the pods' logs.
 *
 *   k8s plan     writes the Job manifests (JSON), the order to apply them
 *                in and DIR/plan.json
 *   k8s job      what each Job's container runs: `sandbench run`, then one
 *                result line on stdout
 *   k8s collect  finds the result lines in `kubectl logs` output, checks
 *                them, merges them per class into DIR/CLASS.json and
 *                writes the report
 *
 * The result line, one per Job, alone on its line of stdout (a prefix such
 * as `kubectl logs --timestamps` or `--prefix` adds is ignored; readers look
 * for the marker followed by " v"):
 *
 *   SANDBENCH-RESULT v1 RUN-ID CLASS ROUND CRC32 BASE64
 *
 * fields separated by one space: RUN-ID the plan's run id, CLASS the
 * runtime class, ROUND from 1, CRC32 eight lowercase hex digits, zlib's
 * crc32 of the payload, and BASE64 the payload in standard base64 with
 * padding (RFC 4648, no line breaks).  The payload is the pyperf JSON
 * result, gzip-compressed.  A later format changes `v1`.
 *
 *   k8s.c           names, and the plan: calibration, the files
 *   k8s_manifest.c  the Jobs' and the ConfigMap's manifests
 *   k8s_result.c    the result line
 *   k8s_collect.c   the logs back into result files and the report
 *
 * bench/cmd/k8s*.c are the command lines.  */
#ifndef CTR_K8S_H
#define CTR_K8S_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/lib/limits.h"

struct bench_def;
struct bench_error;

#define CTR_K8S_MARKER "SANDBENCH-RESULT"
#define CTR_K8S_FORMAT "v1"

/* ---- names ---- */

/* An RFC 1123 label, as Kubernetes wants for names: lowercase letters,
 * digits and '-', alphanumeric at both ends, at most 63 characters.  */
int ctr_k8s_is_dns_label(const char *s);

/* A label value: at most 63 of [A-Za-z0-9._-], alphanumeric at both ends.  */
int ctr_k8s_is_label_value(const char *s);

/* One field of the result line: no blank, nothing odd.  */
int ctr_k8s_is_token(const char *s);

/* ---- the plan ---- */

struct ctr_k8s_plan {
	char run_id[64];
	const char *classes[LIMIT_RUNTIMES];
	size_t nclasses;
	unsigned rounds;
	uint64_t seed;
	const char *image;
	const char *node;		/* spec.nodeName, or NULL */
	char *selector_key, *selector_value;	/* spec.nodeSelector, or NULL */
	long cpus;
	long long memory;
	long deadline;
	const char *profile;		/* "default", "fast", "rigorous", "smoke" */
	const char *names, *categories;
	const char *loops_from;		/* as given, or NULL */
	json_t *calibration;		/* the loops the Jobs get; NULL with --smoke */
};

/* The Job of (cls, round): "sandbench-RUNID-rN-CLASS", a new string.  */
char *ctr_k8s_job_name(const struct ctr_k8s_plan *p, const char *cls, unsigned round);

/* Write the plan into dir (calibrating the loops natively first unless
 * --loops-from or --smoke gives them) and say what to do next; seeded:
 * p->seed is given, else drawn.  The exit status.  */
int ctr_k8s_plan_make(const char *dir, struct ctr_k8s_plan *p, int seeded);

/* The manifests, DIR/apply-order.txt and DIR/plan.json.  */
int ctr_k8s_plan_write(const char *dir, struct ctr_k8s_plan *p, struct bench_error *err);

/* ---- the result line ---- */

/* The result line of suite (without its newline), owned by the caller.  */
char *ctr_k8s_result_line(json_t *suite, const char *run_id, const char *runtime_class,
			  unsigned round, struct bench_error *err);

/* A result line, decoded and checked.  */
struct ctr_k8s_result {
	char *run_id;
	char *runtime_class;
	unsigned round;
	json_t *suite;		/* valid pyperf JSON (result_validate) */
};

/* Parse line from the marker on (anything before it is ignored): fields,
 * checksum, gzip, JSON, result_validate, and the identity the suite's
 * metadata records against the line's.  `what` names the place in
 * messages ("pod.log:12").  */
int ctr_k8s_result_parse(const char *line, const char *what, struct ctr_k8s_result *res,
			 struct bench_error *err);

void ctr_k8s_result_release(struct ctr_k8s_result *res);

/* Where a Job ran and which round, recorded in its result: the suite's
 * and every run's metadata.  */
void ctr_k8s_job_metadata(json_t *suite, const char *run_id, const char *cls, unsigned round);

/* ---- collect ---- */

/* Take the result lines of the logs (none: stdin) into the plan folder
 * dir, merge them and write the report.  The exit status.  */
int ctr_k8s_collect(const char *dir, char *const *logs, int nlogs);

#endif
