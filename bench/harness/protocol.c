#include "bench/harness/protocol.h"

#include <stdlib.h>
#include <string.h>

#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/util.h"

static const char *const status_names[] = {
	[PROTO_OK] = "ok", [PROTO_FAILED] = "failed", [PROTO_SKIPPED] = "skipped",
	[PROTO_READY] = "ready", [PROTO_VALUE] = "value",
};

static const char *const lockstep_names[] = {
	[PROTO_LOCK_START] = "start", [PROTO_LOCK_VALUE] = "value", [PROTO_LOCK_STOP] = "stop",
};

/* A message cut inside a UTF-8 sequence is no JSON string: say so instead
 * of sending nothing.  */
static json_t *text(const char *s)
{
	json_t *j = json_string(s);
	return j ? j : json_string("(a message that is not valid UTF-8)");
}

/* Encode and free j.  */
static char *dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(j);
	/* Only out of memory: every string went through text().  */
	if (!s)
		abort();
	return s;
}

char *proto_reply_encode(const struct proto_reply *r)
{
	json_t *j = json_pack("{s:s}", "status", status_names[r->status]);

	switch (r->status) {
	case PROTO_OK:
		json_object_set(j, "run", r->run);
		json_object_set_new(j, "loops", json_integer((json_int_t)r->loops));
		json_object_set_new(j, "inner_loops", json_integer(r->inner_loops));
		break;
	case PROTO_FAILED:
	case PROTO_SKIPPED:
		json_object_set_new(j, "error", text(r->error ? r->error : "unknown error"));
		if (r->traceback)
			json_object_set_new(j, "traceback", text(r->traceback));
		break;
	case PROTO_READY:
		if (r->metadata) {
			json_object_set(j, "metadata", r->metadata);
		} else {
			json_object_set_new(j, "loops", json_integer((json_int_t)r->loops));
			json_object_set_new(j, "inner_loops", json_integer(r->inner_loops));
		}
		break;
	case PROTO_VALUE:
		json_object_set_new(j, "value", json_real(r->value));
		json_object_set_new(j, "ns", json_integer((json_int_t)r->ns));
		json_object_set_new(j, "lead_ns", json_integer((json_int_t)r->lead_ns));
		break;
	}
	return dump(j);
}

char *proto_request_encode(const struct proto_request *q)
{
	json_t *j;

	if (q->kind == PROTO_RUN)
		return dump(json_pack("{s:s, s:I, s:i, s:i, s:f, s:f}", "bench", q->bench,
				      "loops", (json_int_t)q->loops, "values", (int)q->values,
				      "warmups", (int)q->warmups, "min_time", q->min_time,
				      "timeout", q->timeout));
	j = json_pack("{s:s}", "lockstep", lockstep_names[q->kind]);
	if (q->kind == PROTO_LOCK_START) {
		json_object_set_new(j, "bench", json_string(q->bench));
		json_object_set_new(j, "loops", json_integer((json_int_t)q->loops));
		json_object_set_new(j, "warmups", json_integer(q->warmups));
		json_object_set_new(j, "min_time", json_real(q->min_time));
		json_object_set_new(j, "timeout", json_real(q->timeout));
		json_object_set_new(j, "hash_seed", json_integer(q->hash_seed));
	} else if (q->kind == PROTO_LOCK_VALUE) {
		if (q->warmup)
			json_object_set_new(j, "warmup", json_true());
		if (q->lead_in > 0)
			json_object_set_new(j, "lead_in", json_real(q->lead_in));
	}
	return dump(j);
}

static json_int_t get_int(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

int proto_reply_decode(const char *text_, size_t len, struct proto_reply *r, const char *from,
		       struct bench_error *err)
{
	json_t *msg = json_loadb(text_, len, 0, NULL);
	const char *status = json_string_value(json_object_get(msg, "status"));
	size_t k;

	memset(r, 0, sizeof(*r));
	r->status = PROTO_FAILED;
	for (k = 0; status && k < sizeof(status_names) / sizeof(status_names[0]); k++)
		if (strcmp(status, status_names[k]) == 0)
			break;
	if (!json_is_object(msg) || !status || k == sizeof(status_names) / sizeof(status_names[0])) {
		json_decref(msg);
		return bench_error_set(err, 0, "%s sent no valid reply", from);
	}
	r->status = (enum proto_status)k;
	switch (r->status) {
	case PROTO_OK:
		if (!json_is_object(json_object_get(msg, "run"))) {
			json_decref(msg);
			r->status = PROTO_FAILED;
			return bench_error_set(err, 0, "%s sent a result without a run", from);
		}
		r->run = json_incref(json_object_get(msg, "run"));
		/* fall through */
	case PROTO_READY:
		r->loops = get_int(msg, "loops") > 0 ? (uint64_t)get_int(msg, "loops") : 1;
		r->inner_loops = get_int(msg, "inner_loops") > 0 ?
			(unsigned)get_int(msg, "inner_loops") : 1;
		if (json_is_object(json_object_get(msg, "metadata")))
			r->metadata = json_incref(json_object_get(msg, "metadata"));
		break;
	case PROTO_FAILED:
	case PROTO_SKIPPED:
		r->owned_error = xstrdup(json_string_value(json_object_get(msg, "error")) ?:
					 "the worker failed");
		r->error = r->owned_error;
		if (json_string_value(json_object_get(msg, "traceback"))) {
			r->owned_traceback = xstrdup(json_string_value(json_object_get(msg, "traceback")));
			r->traceback = r->owned_traceback;
		}
		break;
	case PROTO_VALUE:
		r->value = json_number_value(json_object_get(msg, "value"));
		r->ns = get_int(msg, "ns") > 0 ? (uint64_t)get_int(msg, "ns") : 0;
		r->lead_ns = get_int(msg, "lead_ns") > 0 ? (uint64_t)get_int(msg, "lead_ns") : 0;
		if (!(r->value > 0)) {
			json_decref(msg);
			r->status = PROTO_FAILED;
			return bench_error_set(err, 0, "%s sent a value that is not positive", from);
		}
		break;
	}
	json_decref(msg);
	return 0;
}

int proto_request_decode(const char *text_, size_t len, struct proto_request *q,
			 struct bench_error *err)
{
	json_t *req = json_loadb(text_, len, 0, NULL);
	const char *lock = json_string_value(json_object_get(req, "lockstep"));
	const char *bench = json_string_value(json_object_get(req, "bench"));
	json_int_t loops = get_int(req, "loops"), values = get_int(req, "values"),
		   warmups = get_int(req, "warmups"), seed = get_int(req, "hash_seed");
	int rc = -1;

	memset(q, 0, sizeof(*q));
	if (!json_is_object(req)) {
		json_decref(req);
		return bench_error_set(err, 0, "the request is not a JSON object");
	}
	q->kind = PROTO_RUN;
	if (lock) {
		size_t k;
		for (k = PROTO_LOCK_START; k <= PROTO_LOCK_STOP; k++)
			if (strcmp(lock, lockstep_names[k]) == 0)
				break;
		if (k > PROTO_LOCK_STOP) {
			bench_error_set(err, 0, "unknown lockstep request `%s`", lock);
			goto out;
		}
		q->kind = (enum proto_kind)k;
	}
	/* Only a value request has untimed iterations first.  */
	if (q->kind == PROTO_LOCK_VALUE) {
		json_t *lead = json_object_get(req, "lead_in");
		q->warmup = json_is_true(json_object_get(req, "warmup"));
		q->lead_in = lead ? json_number_value(lead) : 0;
		if (lead && (!json_is_number(lead) || !(q->lead_in >= 0 && q->lead_in <= PROTO_MAX_LEAD_IN)))
			bench_error_set(err, 0, "bad lead_in in the request: give 0 to %g seconds",
					PROTO_MAX_LEAD_IN);
		else
			rc = 0;
		goto out;
	}
	if (q->kind == PROTO_LOCK_STOP) {
		rc = 0;
		goto out;
	}
	q->min_time = json_number_value(json_object_get(req, "min_time"));
	q->timeout = json_number_value(json_object_get(req, "timeout"));
	if (!bench) {
		bench_error_set(err, 0, "unknown benchmark in the request");
		goto out;
	}
	if (loops < 0 || values < 0 || values > LIMIT_COUNT || warmups < 0 ||
	    warmups > LIMIT_COUNT || !(q->min_time > 0) || !(q->timeout >= 0) ||
	    seed < 0 || seed > 4294967295LL) {
		bench_error_set(err, 0, "bad counts in the request");
		goto out;
	}
	q->owned = xstrdup(bench);
	q->bench = q->owned;
	q->loops = (uint64_t)loops;
	q->values = (unsigned)values;
	q->warmups = (unsigned)warmups;
	q->hash_seed = (long)seed;
	rc = 0;
out:
	json_decref(req);
	return rc;
}

void proto_reply_release(struct proto_reply *r)
{
	json_decref(r->run);
	json_decref(r->metadata);
	free(r->owned_error);
	free(r->owned_traceback);
	memset(r, 0, sizeof(*r));
}

void proto_request_release(struct proto_request *q)
{
	free(q->owned);
	memset(q, 0, sizeof(*q));
}

int proto_reply_error(const struct proto_reply *r, struct bench_error *err)
{
	bench_error_set(err, 0, "%s", r->error ? r->error : "the worker failed");
	if (r->traceback)
		bench_error_set_detail(err, xstrdup(r->traceback));
	if (err)
		err->skip = r->status == PROTO_SKIPPED;
	return -1;
}
