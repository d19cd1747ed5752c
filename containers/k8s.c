#include "containers/k8s.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "bench/lib/clock.h"
#include "bench/report/cmd_report.h"
#include "bench/lib/error.h"
#include "bench/harness/metadata.h"
#include "categories/registry.h"
#include "bench/lib/result.h"
#include "bench/harness/runner.h"
#include "bench/lib/child.h"
#include "bench/lib/util.h"
#include "containers/driver.h"
#include "containers/matrix.h"

/* ctr_matrix_merge holds at most 8 runtimes and 64 rounds.  */
#define MAX_CLASSES 8
#define MAX_ROUNDS 64
#define CONTAINER_UID 65534
#define CALIBRATION_DIR "/calibration"
/* A ConfigMap is stored in etcd, whose objects are limited to 1 MiB.  */
#define CONFIGMAP_MAX_BYTES 1000000

const char ctr_k8s_usage[] =
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

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "sandbench: k8s: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n\n%s", ctr_k8s_usage);
	return 2;
}

/* ---- names ---- */

/* An RFC 1123 label, as Kubernetes wants for names: lowercase letters,
 * digits and '-', alphanumeric at both ends, at most 63 characters.  */
static int is_dns_label(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* A label value: at most 63 of [A-Za-z0-9._-], alphanumeric at both ends.  */
static int is_label_value(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int alnum = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= '0' && s[i] <= '9');
		if (!alnum && ((i == 0 || i == n - 1) || !strchr("._-", s[i])))
			return 0;
	}
	return 1;
}

/* One field of the result line: no blank, nothing odd.  */
static int is_token(const char *s)
{
	if (!*s || strlen(s) > 63)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-", *s)))
			return 0;
	return 1;
}

/* The cluster's default runtime has no RuntimeClass of its own.  */
static int is_default_class(const char *cls)
{
	return strcmp(cls, "runc") == 0 || strcmp(cls, "default") == 0;
}

/* ---- base64, gzip, the result line ---- */

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *ctr_k8s_base64_encode(const unsigned char *data, size_t len)
{
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = b64_alphabet[(v >> 6) & 63];
		*o++ = b64_alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < len ? (uint32_t)data[i + 1] << 8 : 0);
		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64_alphabet, c) : NULL;
	return p ? (int)(p - b64_alphabet) : -1;
}

int ctr_k8s_base64_decode(const char *text, size_t len, unsigned char **out,
			  size_t *out_len, struct bench_error *err)
{
	unsigned char *buf, *o;
	size_t pad = 0;

	if (len == 0 || len % 4 != 0)
		return bench_error_set(err, 0, "base64 of %zu characters, not a multiple of 4", len);
	if (text[len - 1] == '=')
		pad = text[len - 2] == '=' ? 2 : 1;
	buf = o = xmalloc(len / 4 * 3);
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++) {
			size_t at = i + (size_t)k;
			v[k] = at >= len - pad ? 0 : b64_value(text[at]);
			if (v[k] < 0) {
				free(buf);
				return bench_error_set(err, 0, "base64: `%c` at offset %zu is not a "
						       "base64 character", text[at], at);
			}
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		*o++ = (unsigned char)(w >> 16);
		*o++ = (unsigned char)(w >> 8);
		*o++ = (unsigned char)w;
	}
	*out = buf;
	*out_len = len / 4 * 3 - pad;
	return 0;
}

static int gzip_buffer(const char *data, size_t len, unsigned char **out, size_t *out_len,
		       struct bench_error *err)
{
	z_stream zs = { 0 };
	unsigned char *buf;
	uLong bound;
	int rc;

	if (len > RESULT_MAX_BYTES)
		return bench_error_set(err, 0, "gzip: %zu bytes is over the limit of %u", len,
				       RESULT_MAX_BYTES);
	if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return bench_error_set(err, ENOMEM, "gzip: start zlib");
	bound = deflateBound(&zs, (uLong)len);
	buf = xmalloc(bound);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	zs.avail_out = (uInt)bound;
	rc = deflate(&zs, Z_FINISH);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		free(buf);
		return bench_error_set(err, 0, "gzip: zlib error %d", rc);
	}
	*out = buf;
	return 0;
}

static int gunzip_buffer(const unsigned char *data, size_t len, char **out, size_t *out_len,
			 struct bench_error *err)
{
	z_stream zs = { 0 };
	size_t cap = len * 8 + 4096;
	char *buf;
	int rc;

	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return bench_error_set(err, ENOMEM, "gunzip: start zlib");
	buf = xmalloc(cap + 1);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	for (;;) {
		zs.next_out = (Bytef *)buf + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_OK && zs.avail_out == 0) {
			if (cap >= RESULT_MAX_BYTES) {
				rc = Z_MEM_ERROR;
				break;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
			continue;
		}
		if (rc != Z_OK)
			break;
	}
	if (rc != Z_STREAM_END || zs.avail_in != 0) {
		const char *why = rc == Z_STREAM_END ? "bytes after the end of the gzip data" :
				  rc == Z_BUF_ERROR ? "the gzip data ends early" :
				  rc == Z_MEM_ERROR ? "larger than the limit" :
				  zs.msg ? zs.msg : "not gzip data";
		inflateEnd(&zs);
		free(buf);
		return bench_error_set(err, 0, "gunzip: %s", why);
	}
	*out_len = zs.total_out;
	buf[zs.total_out] = '\0';
	inflateEnd(&zs);
	*out = buf;
	return 0;
}

char *ctr_k8s_result_line(json_t *suite, const char *run_id, const char *runtime_class,
			  unsigned round, struct bench_error *err)
{
	cleanup_free char *text = json_dumps(suite, JSON_COMPACT);
	cleanup_free unsigned char *gz = NULL;
	cleanup_free char *b64 = NULL;
	size_t gz_len = 0;
	uLong crc;

	if (!text) {
		bench_error_set(err, 0, "the result cannot be written as JSON");
		return NULL;
	}
	if (gzip_buffer(text, strlen(text), &gz, &gz_len, err) < 0)
		return NULL;
	crc = crc32(crc32(0L, Z_NULL, 0), gz, (uInt)gz_len);
	b64 = ctr_k8s_base64_encode(gz, gz_len);
	return xasprintf("%s %s %s %s %u %08lx %s", CTR_K8S_MARKER, CTR_K8S_FORMAT, run_id,
			 runtime_class, round, (unsigned long)crc, b64);
}

void ctr_k8s_result_release(struct ctr_k8s_result *res)
{
	free(res->run_id);
	free(res->runtime_class);
	json_decref(res->suite);
	memset(res, 0, sizeof(*res));
}

/* The identity the job recorded in the result must be the line's: a line
 * whose header was edited or pasted together is not trusted.  */
static int check_identity(json_t *suite, const struct ctr_k8s_result *res, const char *what,
			  struct bench_error *err)
{
	json_t *md = json_object_get(suite, "metadata"), *b, *r;
	const char *id = json_string_value(json_object_get(md, "k8s_run_id"));
	const char *cls = json_string_value(json_object_get(md, "k8s_runtime_class"));
	size_t i, j;

	if (!id || !cls)
		return bench_error_set(err, 0, "%s: the result has no k8s_run_id and "
				       "k8s_runtime_class: it was not written by `sandbench k8s job`", what);
	if (strcmp(id, res->run_id) != 0 || strcmp(cls, res->runtime_class) != 0)
		return bench_error_set(err, 0, "%s: the line says run `%s`, class `%s`, but the result "
				       "inside says run `%s`, class `%s`", what, res->run_id,
				       res->runtime_class, id, cls);
	json_array_foreach(json_object_get(suite, "benchmarks"), i, b)
		json_array_foreach(json_object_get(b, "runs"), j, r) {
			json_t *round = json_object_get(json_object_get(r, "metadata"), "k8s_round");
			if (round && json_integer_value(round) != (json_int_t)res->round)
				return bench_error_set(err, 0, "%s: the line says round %u, but a run "
						       "inside says round %lld", what, res->round,
						       (long long)json_integer_value(round));
		}
	return 0;
}

int ctr_k8s_result_parse(const char *line, const char *what, struct ctr_k8s_result *res,
			 struct bench_error *err)
{
	const char *start = strstr(line, CTR_K8S_MARKER " v");
	cleanup_free char *copy = NULL;
	cleanup_free unsigned char *gz = NULL;
	cleanup_free char *text = NULL;
	char *fields[6] = { NULL }, *p, *end = NULL;
	struct bench_error why = { 0 };
	size_t nfields = 0, gz_len = 0, text_len = 0, len;
	unsigned long crc_line;
	uLong crc;
	json_error_t jerr;
	json_t *suite;
	long round;

	memset(res, 0, sizeof(*res));
	if (!start)
		return bench_error_set(err, 0, "%s: no %s line", what, CTR_K8S_MARKER);
	copy = xstrdup(start + strlen(CTR_K8S_MARKER) + 1);
	len = strlen(copy);
	while (len > 0 && strchr(" \t\r\n", copy[len - 1]))
		copy[--len] = '\0';
	/* Exactly one space between fields: the base64 is the rest.  */
	for (p = copy; p && nfields < 6; p = end) {
		fields[nfields++] = p;
		if (nfields == 6)
			break;
		end = strchr(p, ' ');
		if (end)
			*end++ = '\0';
	}
	if (nfields < 6 || !*fields[5])
		return bench_error_set(err, 0, "%s: the result line is truncated: it ends after %zu "
				       "of its 6 fields", what, nfields < 6 ? nfields : (size_t)5);
	if (strcmp(fields[0], CTR_K8S_FORMAT) != 0)
		return bench_error_set(err, 0, "%s: result line format `%s`, not %s: written by "
				       "another version of sandbench?", what, fields[0], CTR_K8S_FORMAT);
	if (!is_token(fields[1]) || !is_token(fields[2]) ||
	    util_parse_long(fields[3], 1, MAX_ROUNDS, &round) < 0)
		return bench_error_set(err, 0, "%s: the result line is damaged: run id `%s`, class "
				       "`%s`, round `%s`", what, fields[1], fields[2], fields[3]);
	if (strlen(fields[4]) != 8 || strspn(fields[4], "0123456789abcdef") != 8)
		return bench_error_set(err, 0, "%s: the result line is damaged: checksum `%s` is not "
				       "8 hex digits", what, fields[4]);
	crc_line = strtoul(fields[4], NULL, 16);
	if (ctr_k8s_base64_decode(fields[5], strlen(fields[5]), &gz, &gz_len, &why) < 0)
		return bench_error_set(err, 0, "%s: the result line of %s round %ld is truncated or "
				       "damaged (%s)", what, fields[2], round, why.msg);
	crc = crc32(crc32(0L, Z_NULL, 0), gz, (uInt)gz_len);
	if (crc != crc_line)
		return bench_error_set(err, 0, "%s: the result line of %s round %ld is truncated or "
				       "damaged: its crc32 is %08lx, the line says %s", what, fields[2],
				       round, (unsigned long)crc, fields[4]);
	if (gunzip_buffer(gz, gz_len, &text, &text_len, &why) < 0)
		return bench_error_set(err, 0, "%s: the result of %s round %ld: %s", what, fields[2],
				       round, why.msg);
	suite = json_loadb(text, text_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!suite)
		return bench_error_set(err, 0, "%s: the result of %s round %ld is not valid JSON "
				       "(%s)", what, fields[2], round, jerr.text);
	if (result_validate(suite, what, err) < 0) {
		json_decref(suite);
		return -1;
	}
	res->run_id = xstrdup(fields[1]);
	res->runtime_class = xstrdup(fields[2]);
	res->round = (unsigned)round;
	if (check_identity(suite, res, what, err) < 0) {
		json_decref(suite);
		ctr_k8s_result_release(res);
		return -1;
	}
	res->suite = suite;
	return 0;
}

/* ---- plan ---- */

struct k8s_plan {
	char run_id[64];
	const char *classes[MAX_CLASSES];
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

static uint64_t random_u64(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = bench_clock_ns() ^ ((uint64_t)getpid() << 32);
	return v;
}


static char *job_name(const struct k8s_plan *p, const char *cls, unsigned round)
{
	return xasprintf("sandbench-%s-r%u-%s", p->run_id, round, cls);
}

static char *configmap_name(const struct k8s_plan *p)
{
	return xasprintf("sandbench-%s-calibration", p->run_id);
}

/* "4Gi" rather than a byte count, when it is one.  */
static char *quantity(long long bytes)
{
	static const char *const units[] = { "Gi", "Mi", "Ki" };

	for (int i = 0; i < 3; i++) {
		long long unit = 1LL << (10 * (3 - i));
		if (bytes % unit == 0)
			return xasprintf("%lld%s", bytes / unit, units[i]);
	}
	return xasprintf("%lld", bytes);
}

/* The arguments of /usr/bin/sandbench in the Job of (cls, round).  Like the
 * matrix's rounds: fixed process counts (no early stop) so that value
 * counts are equal, loops from the calibration.  */
static void job_args(const struct k8s_plan *p, const char *cls, unsigned round,
		     struct ctr_argv *a)
{
	const struct runner_profile *prof = runner_profile(p->profile);

	ctr_argv_add(a, "k8s");
	ctr_argv_add(a, "job");
	ctr_argv_addf(a, "--run-id=%s", p->run_id);
	ctr_argv_addf(a, "--runtime-class=%s", cls);
	ctr_argv_addf(a, "--round=%u", round);
	if (p->names)
		ctr_argv_addf(a, "--bench=%s", p->names);
	if (p->categories)
		ctr_argv_addf(a, "--category=%s", p->categories);
	if (!p->calibration) {
		ctr_argv_add(a, "--smoke");
		return;
	}
	ctr_argv_addf(a, "--processes=%u", (prof->processes + p->rounds - 1) / p->rounds);
	ctr_argv_addf(a, "--values=%u", prof->values);
	ctr_argv_addf(a, "--warmups=%u", prof->warmups);
	ctr_argv_add(a, "--loops-from=" CALIBRATION_DIR "/calibration.json");
}

static json_t *labels(const struct k8s_plan *p, const char *cls, unsigned round)
{
	json_t *l = json_object();

	json_object_set_new(l, "app.kubernetes.io/name", json_string("sandbench"));
	json_object_set_new(l, "sandbench.io/run-id", json_string(p->run_id));
	if (cls) {
		json_object_set_new(l, "sandbench.io/runtime-class", json_string(cls));
		json_object_set_new(l, "sandbench.io/round", json_sprintf("%u", round));
	}
	return l;
}

static json_t *env_value(const char *name, const char *value)
{
	return json_pack("{s:s, s:s}", "name", name, "value", value);
}

static json_t *env_field(const char *name, const char *field)
{
	return json_pack("{s:s, s:{s:{s:s}}}", "name", name, "valueFrom", "fieldRef",
			 "fieldPath", field);
}

static json_t *job_manifest(const struct k8s_plan *p, const char *cls, unsigned round)
{
	cleanup_free char *name = job_name(p, cls, round);
	cleanup_free char *memory = quantity(p->memory);
	struct ctr_argv a = { 0 };
	json_t *args = json_array(), *env = json_array(), *mounts = json_array();
	json_t *volumes = json_array(), *resources, *container, *pod, *job;

	job_args(p, cls, round, &a);
	for (size_t i = 0; i < a.n; i++)
		json_array_append_new(args, json_string(a.v[i]));
	ctr_argv_release(&a);

	/* The environment the matrix's containers get, and who we are: the
	 * downward API cannot tell a pod its runtime class.  */
	json_array_append_new(env, env_value("PATH", "/usr/bin:/bin"));
	json_array_append_new(env, env_value("HOME", "/tmp"));
	json_array_append_new(env, env_value("TMPDIR", "/tmp"));
	json_array_append_new(env, env_value("LANG", "C.UTF-8"));
	json_array_append_new(env, env_value("SANDBENCH_RUNTIME", cls));
	json_array_append_new(env, env_value("SANDBENCH_RUN_ID", p->run_id));
	json_array_append_new(env, json_pack("{s:s, s:o}", "name", "SANDBENCH_ROUND",
					     "value", json_sprintf("%u", round)));
	json_array_append_new(env, env_field("SANDBENCH_NODE", "spec.nodeName"));
	json_array_append_new(env, env_field("SANDBENCH_POD", "metadata.name"));

	/* Guaranteed QoS: requests equal to limits, whole CPUs (which the
	 * static CPU manager policy turns into exclusive cores).  */
	resources = json_pack("{s:{s:o, s:s}, s:{s:o, s:s}}",
			      "requests", "cpu", json_sprintf("%ld", p->cpus), "memory", memory,
			      "limits", "cpu", json_sprintf("%ld", p->cpus), "memory", memory);

	/* A tmpfs /tmp, as the matrix's containers have: a disk-backed
	 * emptyDir would measure the node's disk (and gVisor's gofer).  */
	json_array_append_new(mounts, json_pack("{s:s, s:s}", "name", "tmp", "mountPath", "/tmp"));
	json_array_append_new(volumes, json_pack("{s:s, s:{s:s, s:s}}", "name", "tmp", "emptyDir",
						 "medium", "Memory", "sizeLimit", "1Gi"));
	if (p->calibration) {
		cleanup_free char *cm = configmap_name(p);
		json_array_append_new(mounts, json_pack("{s:s, s:s, s:b}", "name", "calibration",
							"mountPath", CALIBRATION_DIR, "readOnly", 1));
		json_array_append_new(volumes, json_pack("{s:s, s:{s:s}}", "name", "calibration",
							 "configMap", "name", cm));
	}

	container = json_pack("{s:s, s:s, s:s, s:[s], s:o, s:s, s:o, s:o, s:o,"
			      " s:{s:b, s:i, s:i, s:b, s:b, s:{s:[s]}}}",
			      "name", "sandbench", "image", p->image,
			      "imagePullPolicy", "IfNotPresent",
			      "command", "/usr/bin/sandbench", "args", args,
			      "workingDir", "/tmp", "env", env, "resources", resources,
			      "volumeMounts", mounts,
			      "securityContext", "runAsNonRoot", 1, "runAsUser", CONTAINER_UID,
			      "runAsGroup", CONTAINER_UID, "readOnlyRootFilesystem", 1,
			      "allowPrivilegeEscalation", 0, "capabilities", "drop", "ALL");

	pod = json_object();
	if (!is_default_class(cls))
		json_object_set_new(pod, "runtimeClassName", json_string(cls));
	if (p->node)
		json_object_set_new(pod, "nodeName", json_string(p->node));
	else
		json_object_set_new(pod, "nodeSelector",
				    json_pack("{s:s}", p->selector_key, p->selector_value));
	json_object_set_new(pod, "restartPolicy", json_string("Never"));
	/* The benchmark needs no API access, and service links only add
	 * environment variables.  */
	json_object_set_new(pod, "automountServiceAccountToken", json_false());
	json_object_set_new(pod, "enableServiceLinks", json_false());
	json_object_set_new(pod, "securityContext",
			    json_pack("{s:b, s:i, s:i}", "runAsNonRoot", 1, "runAsUser", CONTAINER_UID,
				      "runAsGroup", CONTAINER_UID));
	json_object_set_new(pod, "containers", json_pack("[o]", container));
	json_object_set_new(pod, "volumes", volumes);

	/* No retry: a second attempt would be a different measurement.  */
	job = json_pack("{s:s, s:s, s:{s:s, s:o}, s:{s:i, s:I, s:{s:{s:o}, s:o}}}",
			"apiVersion", "batch/v1", "kind", "Job",
			"metadata", "name", name, "labels", labels(p, cls, round),
			"spec", "backoffLimit", 0, "activeDeadlineSeconds", (json_int_t)p->deadline,
			"template", "metadata", "labels", labels(p, cls, round), "spec", pod);
	return job;
}

static json_t *configmap_manifest(const struct k8s_plan *p, const char *text)
{
	cleanup_free char *name = configmap_name(p);

	return json_pack("{s:s, s:s, s:{s:s, s:o}, s:{s:s}}", "apiVersion", "v1",
			 "kind", "ConfigMap", "metadata", "name", name, "labels", labels(p, NULL, 0),
			 "data", "calibration.json", text);
}

/* Keep only what --loops-from needs, for the selected benchmarks: their
 * metadata (loops) and first run.  A benchmark without loops would be
 * calibrated in each Job, so loops could differ between classes.  */
static int strip_calibration(json_t *full, const struct bench_def **sel, size_t n,
			     const char *what, json_t **out, struct bench_error *err)
{
	json_t *suite = result_suite_new(json_deep_copy(json_object_get(full, "metadata")));
	char missing[512] = "";
	size_t nmissing = 0;

	for (size_t i = 0; i < n; i++) {
		json_t *b = result_find_benchmark(full, sel[i]->name);
		json_t *runs = json_object_get(b, "runs");

		if (!b || result_benchmark_loops(b) == 0 || json_array_size(runs) == 0) {
			size_t used = strlen(missing);
			if (used + strlen(sel[i]->name) + 3 < sizeof(missing))
				snprintf(missing + used, sizeof(missing) - used, "%s%s",
					 nmissing ? "," : "", sel[i]->name);
			nmissing++;
			continue;
		}
		json_array_append_new(json_object_get(suite, "benchmarks"),
				      json_pack("{s:O, s:[O]}", "metadata", json_object_get(b, "metadata"),
						"runs", json_array_get(runs, 0)));
	}
	if (nmissing) {
		json_decref(suite);
		return bench_error_set(err, 0, "%s has no loops for %zu selected benchmark%s: %s "
				       "(calibrate them: sandbench run -p 0 -b %s -o FILE)", what, nmissing,
				       nmissing > 1 ? "s" : "", missing, missing);
	}
	*out = suite;
	return 0;
}

/* Calibrate natively into path, as `sandbench matrix` does.  */
static int calibrate(const struct k8s_plan *p, const char *path, struct bench_error *err)
{
	struct ctr_argv a = { 0 };
	int rc;

	ctr_argv_add(&a, util_self_exe());
	ctr_argv_add(&a, "run");
	if (p->names)
		ctr_argv_addf(&a, "--bench=%s", p->names);
	if (p->categories)
		ctr_argv_addf(&a, "--category=%s", p->categories);
	ctr_argv_add(&a, "--processes=0");
	ctr_argv_addf(&a, "--min-time=%g", runner_profile(p->profile)->min_time);
	ctr_argv_add(&a, "--force");
	ctr_argv_addf(&a, "--output=%s", path);
	fprintf(stderr, "k8s plan: calibrating loops natively into %s (--loops-from FILE "
		"reuses a calibration)\n", path);
	rc = child_run(a.v, 0, err);
	ctr_argv_release(&a);
	return rc;
}

static json_t *plan_to_json(const struct k8s_plan *p, json_t *jobs)
{
	json_t *classes = json_array(), *j;

	for (size_t i = 0; i < p->nclasses; i++)
		json_array_append_new(classes, json_string(p->classes[i]));
	j = json_pack("{s:s, s:s, s:s, s:I, s:o, s:i, s:s, s:s?, s:i, s:I, s:i, s:s, s:s?, s:s?,"
		      " s:s?}",
		      "sandbench_version", SANDBENCH_VERSION, "kind", "sandbench k8s plan",
		      "run_id", p->run_id, "seed", (json_int_t)p->seed, "runtime_classes", classes,
		      "rounds", (int)p->rounds, "image", p->image, "node", p->node,
		      "cpus", (int)p->cpus, "memory", (json_int_t)p->memory,
		      "deadline", (int)p->deadline, "profile", p->profile,
		      "benchmarks", p->names, "categories", p->categories,
		      "loops_from", p->loops_from);
	if (p->selector_key)
		json_object_set_new(j, "node_selector",
				    json_pack("{s:s}", p->selector_key, p->selector_value));
	json_object_set_new(j, "jobs", jobs);
	return j;
}

static int write_json(const char *path, json_t *j, struct bench_error *err)
{
	cleanup_free char *text = json_dumps(j, JSON_INDENT(2));
	cleanup_free char *line = xasprintf("%s\n", text);

	return util_write_file_atomic(path, line, strlen(line), err);
}

/* Write every file of the plan; plan.json last, so that its presence
 * means the plan is whole.  */
static int plan_write(const char *dir, struct k8s_plan *p, struct bench_error *err)
{
	cleanup_free char *manifests = xasprintf("%s/manifests", dir);
	cleanup_free char *raw = xasprintf("%s/raw", dir);
	cleanup_free char *order_path = xasprintf("%s/apply-order.txt", dir);
	cleanup_free char *plan_path = xasprintf("%s/plan.json", dir);
	size_t *order = xcalloc((size_t)p->rounds * p->nclasses, sizeof(*order));
	json_t *jobs = json_array(), *plan = NULL;
	char *apply = xstrdup("");
	int rc = -1;

	if (util_mkdir_p(manifests, err) < 0 || util_mkdir_p(raw, err) < 0)
		goto out;
	if (p->calibration) {
		cleanup_free char *text = json_dumps(p->calibration, JSON_COMPACT);
		cleanup_free char *cal = xasprintf("%s/calibration.json", raw);
		cleanup_free char *path = xasprintf("%s/calibration.json", manifests);
		json_t *cm;
		int w;

		if (strlen(text) > CONFIGMAP_MAX_BYTES) {
			bench_error_set(err, 0, "the loops take %zu bytes, more than a ConfigMap holds "
					"(1 MiB): select fewer benchmarks", strlen(text));
			goto out;
		}
		if (result_write(cal, p->calibration, err) < 0)
			goto out;
		cm = configmap_manifest(p, text);
		w = write_json(path, cm, err);
		json_decref(cm);
		if (w < 0)
			goto out;
		free(apply);
		apply = xasprintf("%s\n", path);
	}
	ctr_shuffle_orders(p->seed, p->rounds, p->nclasses, order);
	for (unsigned r = 0; r < p->rounds; r++)
		for (size_t k = 0; k < p->nclasses; k++) {
			const char *cls = p->classes[order[(size_t)r * p->nclasses + k]];
			cleanup_free char *path = xasprintf("%s/job-r%u-%s.json", manifests, r + 1, cls);
			cleanup_free char *name = job_name(p, cls, r + 1);
			json_t *job = job_manifest(p, cls, r + 1);
			char *more;
			int w = write_json(path, job, err);

			json_decref(job);
			if (w < 0)
				goto out;
			more = xasprintf("%s%s\n", apply, path);
			free(apply);
			apply = more;
			json_array_append_new(jobs, json_pack("{s:s, s:s, s:s, s:i}", "file", path,
							      "name", name, "runtime_class", cls,
							      "round", (int)(r + 1)));
		}
	if (util_write_file_atomic(order_path, apply, strlen(apply), err) < 0)
		goto out;
	plan = plan_to_json(p, jobs);
	jobs = NULL;
	rc = write_json(plan_path, plan, err);
out:
	json_decref(jobs);
	json_decref(plan);
	free(apply);
	free(order);
	return rc;
}

static int plan_classes(struct k8s_plan *p, char *list)
{
	for (char *save = NULL, *cls = strtok_r(list, ",", &save); cls;
	     cls = strtok_r(NULL, ",", &save)) {
		if (!is_dns_label(cls))
			return usage_error("runtime class `%s`: give a RuntimeClass name (lowercase "
					   "letters, digits and '-', at most 63)", cls);
		/* DIR/CLASS.json must not be the plan, the report or what
		 * `sandbench report` skips.  */
		if (strcmp(cls, "plan") == 0 || strcmp(cls, "report") == 0 ||
		    strcmp(cls, "matrix") == 0)
			return usage_error("runtime class `%s`: the name is taken by a file of the "
					   "plan folder", cls);
		for (size_t i = 0; i < p->nclasses; i++)
			if (strcmp(p->classes[i], cls) == 0)
				return usage_error("runtime class `%s` is given twice", cls);
		if (p->nclasses == MAX_CLASSES)
			return usage_error("%s", "at most 8 runtime classes");
		p->classes[p->nclasses++] = cls;
	}
	if (p->nclasses == 0)
		return usage_error("%s", "--runtime-classes: give at least one class");
	return 0;
}

static void plan_run_id(struct k8s_plan *p)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(p->run_id, sizeof(p->run_id), "%s-%04x", stamp,
		 (unsigned)(random_u64() & 0xffff));
}

static int cmd_plan(int argc, char **argv)
{
	enum { O_CLASSES = 256, O_IMAGE, O_NODE, O_SELECTOR, O_ROUNDS, O_CPUS, O_MEMORY,
	       O_DEADLINE, O_SEED, O_LOOPS_FROM, O_FAST, O_RIGOROUS, O_SMOKE };
	static const struct option longopts[] = {
		{ "runtime-classes", required_argument, NULL, O_CLASSES },
		{ "image", required_argument, NULL, O_IMAGE },
		{ "node", required_argument, NULL, O_NODE },
		{ "node-selector", required_argument, NULL, O_SELECTOR },
		{ "output", required_argument, NULL, 'o' },
		{ "bench", required_argument, NULL, 'b' },
		{ "category", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, O_ROUNDS },
		{ "cpus", required_argument, NULL, O_CPUS },
		{ "memory", required_argument, NULL, O_MEMORY },
		{ "deadline", required_argument, NULL, O_DEADLINE },
		{ "seed", required_argument, NULL, O_SEED },
		{ "loops-from", required_argument, NULL, O_LOOPS_FROM },
		{ "fast", no_argument, NULL, O_FAST },
		{ "rigorous", no_argument, NULL, O_RIGOROUS },
		{ "smoke", no_argument, NULL, O_SMOKE },
		{ NULL, 0, NULL, 0 },
	};
	struct k8s_plan p = { .rounds = 2, .cpus = 2, .memory = 4LL << 30, .deadline = 3600,
			      .profile = "default" };
	struct bench_error err = { 0 };
	const struct bench_def **sel = NULL;
	cleanup_free char *classes = NULL;
	cleanup_free char *plan_path = NULL;
	const char *dir = NULL, *selector = NULL;
	int c, profiles = 0, seeded = 0, rc = 2;
	size_t nsel;
	long v;

	while ((c = getopt_long(argc, argv, "o:b:c:", longopts, NULL)) != -1) {
		switch (c) {
		case O_CLASSES:
			free(classes);
			classes = xstrdup(optarg);
			break;
		case O_IMAGE: p.image = optarg; break;
		case O_NODE: p.node = optarg; break;
		case O_SELECTOR: selector = optarg; break;
		case 'o': dir = optarg; break;
		case 'b': p.names = optarg; break;
		case 'c': p.categories = optarg; break;
		case O_ROUNDS:
			if (util_parse_long(optarg, 1, MAX_ROUNDS, &v) < 0)
				return usage_error("bad --rounds `%s`: give 1 to 64", optarg);
			p.rounds = (unsigned)v;
			break;
		case O_CPUS:
			/* Whole CPUs: a fraction is a CFS quota, not cores of its own.  */
			if (util_parse_long(optarg, 1, 1024, &p.cpus) < 0)
				return usage_error("bad --cpus `%s`: give a whole number of CPUs", optarg);
			break;
		case O_MEMORY:
			p.memory = ctr_parse_size(optarg);
			if (p.memory < (64LL << 20))
				return usage_error("bad --memory `%s`: give a size of at least 64M, e.g. 4G",
						   optarg);
			break;
		case O_DEADLINE:
			if (util_parse_long(optarg, 1, 30L * 86400, &p.deadline) < 0)
				return usage_error("bad --deadline `%s`: give whole seconds", optarg);
			break;
		case O_SEED:
			if (util_parse_long(optarg, 0, 0x7fffffffffffffffL, &v) < 0)
				return usage_error("bad --seed `%s`: give a number >= 0", optarg);
			p.seed = (uint64_t)v;
			seeded = 1;
			break;
		case O_LOOPS_FROM: p.loops_from = optarg; break;
		case O_FAST: p.profile = "fast", profiles++; break;
		case O_RIGOROUS: p.profile = "rigorous", profiles++; break;
		case O_SMOKE: p.profile = "smoke", profiles++; break;
		default:
			fprintf(stderr, "\n%s", ctr_k8s_usage);
			return 2;
		}
	}
	if (optind < argc)
		return usage_error("plan: unexpected argument `%s`", argv[optind]);
	if (!classes || !p.image || !dir)
		return usage_error("%s", "plan: give --runtime-classes, --image and -o DIR");
	if (!!p.node == !!selector)
		return usage_error("%s", "plan: give one of --node and --node-selector: every Job "
				   "must run on the same node");
	if (profiles > 1)
		return usage_error("%s", "plan: choose one of --fast, --rigorous and --smoke");
	if (p.loops_from && strcmp(p.profile, "smoke") == 0)
		return usage_error("%s", "plan: --smoke runs 1 loop: --loops-from has no use");
	if (strpbrk(p.image, " \t\n") || !*p.image)
		return usage_error("bad --image `%s`", p.image);
	if (p.node && (!*p.node || strlen(p.node) > 253 ||
		       strspn(p.node, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(p.node)))
		return usage_error("bad --node `%s`: give a node name as `kubectl get nodes` "
				   "shows it", p.node);
	if (selector) {
		const char *eq = strchr(selector, '=');
		if (!eq || eq == selector || !is_label_value(eq + 1) || strpbrk(selector, " \t\n"))
			return usage_error("bad --node-selector `%s`: give KEY=VALUE, e.g. "
					   "kubernetes.io/hostname=NODE", selector);
		p.selector_key = xasprintf("%.*s", (int)(eq - selector), selector);
		p.selector_value = xstrdup(eq + 1);
	}
	if ((rc = plan_classes(&p, classes)) != 0)
		goto out;
	rc = 2;
	if (!seeded)
		p.seed = random_u64() & 0x7fffffffffffffffULL;	/* stays a JSON integer */
	plan_run_id(&p);
	for (size_t i = 0; i < p.nclasses; i++) {
		cleanup_free char *name = job_name(&p, p.classes[i], p.rounds);
		if (strlen(name) > 63) {
			fprintf(stderr, "sandbench: k8s plan: runtime class `%s`: the Job name `%s` "
				"is longer than 63 characters; use a shorter class name\n",
				p.classes[i], name);
			goto out;
		}
	}
	if (bench_registry_select(p.names, p.categories, &sel, &nsel, &err) < 0) {
		fprintf(stderr, "sandbench: k8s plan: %s\n", err.msg);
		goto out;
	}
	if (util_mkdir_p(dir, &err) < 0) {
		fprintf(stderr, "sandbench: k8s plan: %s\n", err.msg);
		goto out;
	}
	plan_path = xasprintf("%s/plan.json", dir);
	if (access(plan_path, F_OK) == 0) {
		fprintf(stderr, "sandbench: k8s plan: `%s` already holds a plan; choose another -o\n",
			dir);
		goto out;
	}

	if (strcmp(p.profile, "smoke") != 0) {
		cleanup_free char *raw = xasprintf("%s/raw", dir);
		cleanup_free char *own = xasprintf("%s/raw/calibration-native.json", dir);
		const char *from = p.loops_from ? p.loops_from : own;
		json_t *full = NULL;

		if (!p.loops_from && (util_mkdir_p(raw, &err) < 0 || calibrate(&p, own, &err) < 0) &&
		    access(own, F_OK) != 0) {
			fprintf(stderr, "sandbench: k8s plan: calibration: %s\n", err.msg);
			rc = 1;
			goto out;
		}
		bench_error_release(&err);
		if (result_read(from, &full, &err) < 0 ||
		    strip_calibration(full, sel, nsel, from, &p.calibration, &err) < 0) {
			fprintf(stderr, "sandbench: k8s plan: %s%s\n", p.loops_from ? "--loops-from: " : "",
				err.msg);
			json_decref(full);
			rc = p.loops_from ? 2 : 1;
			goto out;
		}
		json_decref(full);
	}

	if (plan_write(dir, &p, &err) < 0) {
		fprintf(stderr, "sandbench: k8s plan: %s\n", err.msg);
		rc = 1;
		goto out;
	}
	printf("k8s plan: run %s, %zu classes x %u rounds (seed %llu): %zu Jobs in %s/manifests\n"
	       "apply them one at a time, in the order of %s/apply-order.txt, keep each Job's\n"
	       "log (kubectl logs), then: sandbench k8s collect %s LOGS...\n",
	       p.run_id, p.nclasses, p.rounds, (unsigned long long)p.seed,
	       p.nclasses * p.rounds, dir, dir, dir);
	rc = 0;
out:
	free(sel);
	free(p.selector_key);
	free(p.selector_value);
	json_decref(p.calibration);
	bench_error_release(&err);
	return rc;
}

/* ---- job ---- */

static volatile pid_t job_child = -1;
static volatile sig_atomic_t job_signal;

/* As PID 1 of its container the job has no default signal actions: pass
 * SIGTERM (the Job's deadline) on to `run`, which keeps what it finished.  */
static void job_forward(int sig)
{
	pid_t pid = job_child;

	job_signal = sig;
	if (pid > 0)
		kill(pid, sig);
}

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

/* Where it ran and which round, for the merged files.  */
static void job_metadata(json_t *suite, const char *run_id, const char *cls, unsigned round)
{
	json_t *md = json_object_get(suite, "metadata"), *b, *r;
	const char *node = getenv("SANDBENCH_NODE"), *pod = getenv("SANDBENCH_POD");
	size_t i, j;

	if (!md) {
		md = json_object();
		json_object_set_new(suite, "metadata", md);
	}
	json_object_set_new(md, "runtime", json_string(cls));
	json_object_set_new(md, "k8s_runtime_class", json_string(cls));
	json_object_set_new(md, "k8s_run_id", json_string(run_id));
	if (node && *node && !strchr(node, '\n'))
		json_object_set_new(md, "k8s_node", json_string(node));
	json_array_foreach(json_object_get(suite, "benchmarks"), i, b)
		json_array_foreach(json_object_get(b, "runs"), j, r) {
			json_t *rmd = json_object_get(r, "metadata");
			if (!rmd) {
				rmd = json_object();
				json_object_set_new(r, "metadata", rmd);
			}
			json_object_set_new(rmd, "k8s_round", json_integer(round));
			if (pod && *pod && !strchr(pod, '\n'))
				json_object_set_new(rmd, "k8s_pod", json_string(pod));
		}
}

static int cmd_job(int argc, char **argv)
{
	const char *run_id = getenv("SANDBENCH_RUN_ID"), *cls = getenv("SANDBENCH_RUNTIME");
	const char *round_text = getenv("SANDBENCH_ROUND"), *tmp = getenv("TMPDIR");
	struct sigaction sa = { .sa_handler = job_forward }, old_term, old_int, old_hup;
	struct bench_error err = { 0 };
	posix_spawn_file_actions_t fa;
	cleanup_free char *tmpl = NULL;
	cleanup_free char *output = NULL;
	cleanup_free char *line = NULL;
	struct ctr_argv a = { 0 };
	json_t *suite = NULL;
	char what[128];
	int i, status, rc, run_status;
	long round = 0;
	pid_t pid;

	for (i = 1; i < argc; i++) {
		if (!job_option(argv, argc, &i, "--run-id", &run_id) &&
		    !job_option(argv, argc, &i, "--runtime-class", &cls) &&
		    !job_option(argv, argc, &i, "--round", &round_text))
			break;
	}
	if (!run_id || !is_token(run_id) || !cls || !is_token(cls) || !round_text ||
	    util_parse_long(round_text, 1, MAX_ROUNDS, &round) < 0)
		return usage_error("%s", "job: give --run-id, --runtime-class and --round (1 to 64): "
				   "letters, digits, '.', '_' and '-'");
	for (int k = i; k < argc; k++)
		if (strncmp(argv[k], "-o", 2) == 0 || strncmp(argv[k], "--output", 8) == 0 ||
		    strcmp(argv[k], "--append") == 0)
			return usage_error("job: `%s`: the result goes to stdout, not to a file",
					   argv[k]);

	tmpl = xasprintf("%s/sandbench-job-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		fprintf(stderr, "sandbench: k8s job: create a folder in `%s`: %s\n",
			tmp && *tmp ? tmp : "/tmp", strerror(errno));
		return 1;
	}
	output = xasprintf("%s/result.json.gz", tmpl);
	ctr_argv_add(&a, util_self_exe());
	ctr_argv_add(&a, "run");
	for (int k = i; k < argc; k++)
		ctr_argv_add(&a, argv[k]);
	ctr_argv_add(&a, "--force");
	ctr_argv_addf(&a, "--output=%s", output);

	/* stdout is the result line's alone: `run`'s summary goes to stderr.  */
	fflush(NULL);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGHUP, &sa, &old_hup);
	fprintf(stderr, "k8s job: run %s, class %s, round %ld\n", run_id, cls, round);
	rc = posix_spawn(&pid, a.v[0], &fa, NULL, a.v, child_env());
	posix_spawn_file_actions_destroy(&fa);
	ctr_argv_release(&a);
	if (rc != 0) {
		fprintf(stderr, "sandbench: k8s job: start `%s run`: %s\n", util_self_exe(),
			strerror(rc));
		run_status = 1;
		goto out;
	}
	job_child = pid;
	if (job_signal)		/* it came before the child did */
		kill(pid, job_signal);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	job_child = -1;
	child_describe_status(status, what, sizeof(what));
	run_status = WIFEXITED(status) ? WEXITSTATUS(status) :
		     WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;

	/* A run that failed for some benchmarks (exit 1) or was stopped keeps
	 * the others: send them.  */
	if (result_read(output, &suite, &err) < 0) {
		fprintf(stderr, "sandbench: k8s job: `run` ended with %s and left no result: %s\n",
			what, err.msg);
		run_status = run_status ? run_status : 1;
		goto out;
	}
	job_metadata(suite, run_id, cls, (unsigned)round);
	line = ctr_k8s_result_line(suite, run_id, cls, (unsigned)round, &err);
	if (!line) {
		fprintf(stderr, "sandbench: k8s job: %s\n", err.msg);
		run_status = 1;
		goto out;
	}
	fflush(stderr);
	if (printf("%s\n", line) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "sandbench: k8s job: write the result line: %s\n", strerror(errno));
		run_status = 1;
		goto out;
	}
	fprintf(stderr, "k8s job: result sent (%zu characters); `run` ended with %s\n",
		strlen(line), what);
out:
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	unlink(output);
	rmdir(tmpl);
	json_decref(suite);
	bench_error_release(&err);
	return run_status;
}

/* ---- collect ---- */

struct collect {
	const char *dir;
	json_t *plan;			/* DIR/plan.json */
	const char *run_id;
	const char *classes[MAX_CLASSES + 1];	/* NULL-terminated, for the merge */
	size_t nclasses;
	unsigned rounds;
	char *seen[MAX_CLASSES][MAX_ROUNDS];	/* where each result came from */
	json_t *nodes;			/* node -> first place seen */
	unsigned results, problems;
};

static int collect_load_plan(struct collect *c, struct bench_error *err)
{
	cleanup_free char *path = xasprintf("%s/plan.json", c->dir);
	cleanup_free char *text = NULL;
	json_t *classes, *v;
	size_t i;

	if (util_read_file(path, 1 << 24, &text, NULL, err) < 0)
		return bench_error_prefix(err, "`%s` is not a folder written by `sandbench k8s plan`",
					  c->dir);
	c->plan = json_loads(text, 0, NULL);
	c->run_id = json_string_value(json_object_get(c->plan, "run_id"));
	classes = json_object_get(c->plan, "runtime_classes");
	c->rounds = (unsigned)json_integer_value(json_object_get(c->plan, "rounds"));
	if (!c->run_id || !json_is_array(classes) || json_array_size(classes) == 0 ||
	    json_array_size(classes) > MAX_CLASSES || c->rounds < 1 || c->rounds > MAX_ROUNDS)
		return bench_error_set(err, 0, "%s: not a plan written by `sandbench k8s plan`", path);
	json_array_foreach(classes, i, v) {
		if (!json_string_value(v) || !is_dns_label(json_string_value(v)))
			return bench_error_set(err, 0, "%s: a bad runtime class", path);
		c->classes[c->nclasses++] = json_string_value(v);
	}
	c->classes[c->nclasses] = NULL;
	return 0;
}

static void collect_problem(struct collect *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void collect_problem(struct collect *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sandbench: k8s collect: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	c->problems++;
}

/* One result line: check it against the plan and keep it in DIR/raw.  */
static void collect_line(struct collect *c, const char *line, const char *where)
{
	struct ctr_k8s_result res;
	struct bench_error err = { 0 };
	const char *node;
	size_t k;

	if (ctr_k8s_result_parse(line, where, &res, &err) < 0) {
		collect_problem(c, "%s; left out", err.msg);
		return;
	}
	if (strcmp(res.run_id, c->run_id) != 0) {
		collect_problem(c, "%s: a result of run `%s`, not of this plan's run `%s`; left out",
				where, res.run_id, c->run_id);
		goto out;
	}
	for (k = 0; k < c->nclasses && strcmp(c->classes[k], res.runtime_class) != 0; k++)
		;
	if (k == c->nclasses || res.round > c->rounds) {
		collect_problem(c, "%s: class `%s` round %u is not in the plan; left out", where,
				res.runtime_class, res.round);
		goto out;
	}
	if (c->seen[k][res.round - 1]) {
		collect_problem(c, "%s: a second result for %s round %u (the first is at %s); left out",
				where, res.runtime_class, res.round, c->seen[k][res.round - 1]);
		goto out;
	}
	{
		cleanup_free char *path = xasprintf("%s/raw/%s-r%u.json", c->dir, res.runtime_class,
						    res.round);
		if (result_write(path, res.suite, &err) < 0) {
			collect_problem(c, "%s: %s", where, err.msg);
			goto out;
		}
	}
	c->seen[k][res.round - 1] = xstrdup(where);
	c->results++;
	node = json_string_value(json_object_get(json_object_get(res.suite, "metadata"), "k8s_node"));
	if (node && !json_object_get(c->nodes, node))
		json_object_set_new(c->nodes, node, json_string(where));
out:
	ctr_k8s_result_release(&res);
}

static void collect_file(struct collect *c, const char *path)
{
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	FILE *f = is_stdin ? stdin : fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, lineno = 0, found = 0;

	if (!f) {
		collect_problem(c, "open `%s`: %s", path, strerror(errno));
		return;
	}
	while (getline(&line, &cap, f) >= 0) {
		cleanup_free char *where = NULL;

		lineno++;
		if (!strstr(line, CTR_K8S_MARKER " v"))
			continue;
		found++;
		where = xasprintf("%s:%zu", name, lineno);
		collect_line(c, line, where);
	}
	if (ferror(f))
		collect_problem(c, "read `%s`: %s", name, strerror(errno));
	else if (!found)
		collect_problem(c, "%s: no %s line: the Job did not finish, or this is not a "
				"sandbench Job's log (its last lines say why)", name, CTR_K8S_MARKER);
	free(line);
	if (!is_stdin)
		fclose(f);
}

/* What each merged file records of how it was run.  */
static json_t *collect_metadata(const struct collect *c)
{
	json_t *all = json_object(), *p = c->plan;

	for (size_t i = 0; i < c->nclasses; i++) {
		json_t *md = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I}",
				       "runtime", c->classes[i], "engine", "kubernetes",
				       "k8s_runtime_class", c->classes[i], "k8s_run_id", c->run_id,
				       "matrix_rounds", (int)c->rounds,
				       "matrix_seed", json_integer_value(json_object_get(p, "seed")));
		const char *image = json_string_value(json_object_get(p, "image"));

		if (image)
			json_object_set_new(md, "k8s_image", json_string(image));
		if (json_integer_value(json_object_get(p, "cpus")) > 0)
			json_object_set(md, "k8s_cpus", json_object_get(p, "cpus"));
		if (json_integer_value(json_object_get(p, "memory")) > 0)
			json_object_set(md, "limit_memory", json_object_get(p, "memory"));
		json_object_set_new(all, c->classes[i], md);
	}
	return all;
}

static int cmd_collect(int argc, char **argv)
{
	struct collect c = { 0 };
	struct bench_error err = { 0 };
	struct ctr_argv report = { 0 };
	json_t *extra = NULL;
	int nfiles = 0, status = 2;

	if (argc < 2)
		return usage_error("%s", "collect: give the plan folder DIR, then the log files");
	for (int i = 2; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1])
			return usage_error("collect: unknown option `%s`", argv[i]);
	c.dir = argv[1];
	if (collect_load_plan(&c, &err) < 0) {
		fprintf(stderr, "sandbench: k8s collect: %s\n", err.msg);
		goto out;
	}
	{
		cleanup_free char *raw = xasprintf("%s/raw", c.dir);
		if (util_mkdir_p(raw, &err) < 0) {
			fprintf(stderr, "sandbench: k8s collect: %s\n", err.msg);
			goto out;
		}
	}
	c.nodes = json_object();
	for (int i = 2; i < argc; i++, nfiles++)
		collect_file(&c, argv[i]);
	if (nfiles == 0)
		collect_file(&c, "-");

	for (size_t k = 0; k < c.nclasses; k++)
		for (unsigned r = 0; r < c.rounds; r++) {
			cleanup_free char *path = xasprintf("%s/raw/%s-r%u.json", c.dir, c.classes[k],
							    r + 1);
			/* An earlier collect may have brought it.  */
			if (!c.seen[k][r] && access(path, F_OK) != 0)
				collect_problem(&c, "no result for %s round %u: its Job's log is not among "
						"the input, or the Job did not finish", c.classes[k], r + 1);
		}
	if (json_object_size(c.nodes) > 1) {
		const char *node;
		json_t *where;
		collect_problem(&c, "the results come from %zu nodes, not one:",
				json_object_size(c.nodes));
		json_object_foreach(c.nodes, node, where)
			fprintf(stderr, "  %s (first at %s)\n", node, json_string_value(where));
	}

	extra = collect_metadata(&c);
	if (ctr_matrix_merge(c.dir, c.classes, c.rounds, extra, stderr, &err) < 0) {
		fprintf(stderr, "sandbench: k8s collect: merge: %s\n", err.msg);
		status = 1;
		goto out;
	}
	/* `compare -o DIR` on the merged files: `report DIR` would also read
	 * plan.json as a result file.  */
	ctr_argv_add(&report, "compare");
	ctr_argv_add(&report, "-o");
	ctr_argv_add(&report, c.dir);
	for (size_t k = 0; k < c.nclasses; k++) {
		cleanup_free char *path = xasprintf("%s/%s.json", c.dir, c.classes[k]);
		if (access(path, F_OK) == 0)
			ctr_argv_add(&report, path);
	}
	fprintf(stderr, "k8s collect: %u result%s of run %s taken in\n", c.results,
		c.results == 1 ? "" : "s", c.run_id);
	status = 0;
	if (report.n >= 5) {
		optind = 1;
		if (cmd_compare((int)report.n, report.v) != 0)
			status = 1;
	} else {
		fprintf(stderr, "k8s collect: fewer than two classes have results: no report\n");
	}
	if (c.problems) {
		fprintf(stderr, "sandbench: k8s collect: %u problem%s (above); the good results are "
			"merged\n", c.problems, c.problems > 1 ? "s" : "");
		status = 1;
	}
out:
	for (size_t k = 0; k < MAX_CLASSES; k++)
		for (unsigned r = 0; r < MAX_ROUNDS; r++)
			free(c.seen[k][r]);
	ctr_argv_release(&report);
	json_decref(extra);
	json_decref(c.nodes);
	json_decref(c.plan);
	bench_error_release(&err);
	return status;
}

int ctr_k8s_cmd(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "give a subcommand: plan, job or collect");
	if (strcmp(argv[1], "plan") == 0)
		return cmd_plan(argc - 1, argv + 1);
	if (strcmp(argv[1], "job") == 0)
		return cmd_job(argc - 1, argv + 1);
	if (strcmp(argv[1], "collect") == 0)
		return cmd_collect(argc - 1, argv + 1);
	return usage_error("unknown subcommand `%s`: plan, job or collect", argv[1]);
}
