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
 * result, gzip-compressed.  A later format changes `v1`.  */
#ifndef CTR_K8S_H
#define CTR_K8S_H

#include <jansson.h>
#include <stddef.h>

struct bench_error;

#define CTR_K8S_MARKER "SANDBENCH-RESULT"
#define CTR_K8S_FORMAT "v1"

/* `sandbench k8s plan|job|collect ...`: the exit status.  */
int ctr_k8s_cmd(int argc, char **argv);
extern const char ctr_k8s_usage[];

/* Standard base64 with padding; the result is NUL-terminated and owned by
 * the caller.  */
char *ctr_k8s_base64_encode(const unsigned char *data, size_t len);

/* Decode len characters of strict base64 (a length that is a multiple of
 * 4, padding only at the end); *out is owned by the caller.  */
int ctr_k8s_base64_decode(const char *text, size_t len, unsigned char **out,
			  size_t *out_len, struct bench_error *err);

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

#endif
