/* The result line of a Kubernetes Job (containers/k8s.h describes it).  */
#include "containers/k8s.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bench/lib/codec.h"
#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"

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
	if (codec_gzip(text, strlen(text), &gz, &gz_len, err) < 0)
		return NULL;
	crc = crc32(crc32(0L, Z_NULL, 0), gz, (uInt)gz_len);
	b64 = codec_base64_encode(gz, gz_len);
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
	if (!ctr_k8s_is_token(fields[1]) || !ctr_k8s_is_token(fields[2]) ||
	    util_parse_long(fields[3], 1, LIMIT_ROUNDS, &round) < 0)
		return bench_error_set(err, 0, "%s: the result line is damaged: run id `%s`, class "
				       "`%s`, round `%s`", what, fields[1], fields[2], fields[3]);
	if (strlen(fields[4]) != 8 || strspn(fields[4], "0123456789abcdef") != 8)
		return bench_error_set(err, 0, "%s: the result line is damaged: checksum `%s` is not "
				       "8 hex digits", what, fields[4]);
	crc_line = strtoul(fields[4], NULL, 16);
	if (codec_base64_decode(fields[5], strlen(fields[5]), &gz, &gz_len, &why) < 0)
		return bench_error_set(err, 0, "%s: the result line of %s round %ld is truncated or "
				       "damaged (%s)", what, fields[2], round, why.msg);
	crc = crc32(crc32(0L, Z_NULL, 0), gz, (uInt)gz_len);
	if (crc != crc_line)
		return bench_error_set(err, 0, "%s: the result line of %s round %ld is truncated or "
				       "damaged: its crc32 is %08lx, the line says %s", what, fields[2],
				       round, (unsigned long)crc, fields[4]);
	if (codec_gunzip(gz, gz_len, &text, &text_len, &why) < 0)
		return bench_error_set(err, 0, "%s: the result of %s round %ld: %s", what, fields[2],
				       round, why.msg);
	suite = json_loadb(text, text_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!suite) {
		char where[JSON_ERROR_TEXT_LENGTH + 64];
		result_json_error(&jerr, where, sizeof(where));
		return bench_error_set(err, 0, "%s: the result of %s round %ld is not valid JSON "
				       "(%s)", what, fields[2], round, where);
	}
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

void ctr_k8s_job_metadata(json_t *suite, const char *run_id, const char *cls, unsigned round)
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
