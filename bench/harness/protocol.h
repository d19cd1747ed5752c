/* The worker protocol: every message between the parent, `sandbench
 * __serve` and `sandbench __worker`, encoded and decoded here only.
 *
 * A reply is one JSON object on one line; its "status" says which:
 *   {"status":"ok","run":{...},"loops":L,"inner_loops":K}     a worker's run
 *   {"status":"failed"|"skipped","error":MSG[,"traceback":TEXT]}
 *   {"status":"ready","metadata":{...}}      serve's hello (suite metadata)
 *   {"status":"ready","loops":L,"inner_loops":K}   a lockstep worker is set
 *                                            up, warmed up and blocked
 *   {"status":"value","value":S,"ns":N,"lead_ns":L}   one lockstep value:
 *                                            S seconds per iteration, N ns
 *                                            timed after L ns of lead-in
 * A request (to serve, and a lockstep command to a worker) likewise:
 *   {"bench":NAME,"loops":L,"values":N,"warmups":W,"min_time":S,"timeout":S}
 *   {"lockstep":"start","bench":NAME,"loops":L,"warmups":W,"min_time":S,
 *    "timeout":S,"hash_seed":H}             start a lockstep worker (loops 0:
 *                                            calibrate to min_time)
 *   {"lockstep":"value"[,"warmup":true][,"lead_in":S]}   time one value,
 *                                            after one untimed iteration if
 *                                            warmup, after S seconds of
 *                                            untimed iterations if lead_in
 *   {"lockstep":"stop"}                      end it: the reply is its run
 * A worker writes its replies to fd PROTO_WORKER_FD; a lockstep worker
 * reads its commands on fd PROTO_COMMAND_FD.  A request asks for at most
 * LIMIT_COUNT values and warm-ups, as the command line does; a reply is at
 * most LIMIT_MESSAGE bytes (bench/lib/limits.h).  */
#ifndef BENCH_PROTOCOL_H
#define BENCH_PROTOCOL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct bench_error;

#define PROTO_WORKER_FD 3
#define PROTO_COMMAND_FD 4
/* The longest lead-in a value request may ask for, in seconds.  */
#define PROTO_MAX_LEAD_IN 10.0

enum proto_status {
	PROTO_OK, PROTO_FAILED, PROTO_SKIPPED, PROTO_READY, PROTO_VALUE,
};

struct proto_reply {
	enum proto_status status;
	json_t *run;			/* OK: the pyperf run, owned */
	json_t *metadata;		/* READY from serve: suite metadata, owned */
	uint64_t loops;			/* OK, lockstep READY */
	unsigned inner_loops;
	const char *error;		/* FAILED/SKIPPED (encode: borrowed) */
	const char *traceback;		/* or NULL */
	double value;			/* VALUE: seconds per iteration */
	uint64_t ns;			/* VALUE: the timed nanoseconds */
	uint64_t lead_ns;		/* VALUE: the untimed ones just before */
	char *owned_error, *owned_traceback;	/* decode: what error/traceback point to */
};

enum proto_kind { PROTO_RUN, PROTO_LOCK_START, PROTO_LOCK_VALUE, PROTO_LOCK_STOP };

struct proto_request {
	enum proto_kind kind;
	const char *bench;		/* RUN, LOCK_START (decode: points into owned) */
	uint64_t loops;			/* 0: calibrate */
	unsigned values, warmups;
	double min_time, timeout;
	long hash_seed;			/* LOCK_START; 0: a random one */
	int warmup;			/* LOCK_VALUE: one untimed iteration first */
	double lead_in;			/* LOCK_VALUE: untimed seconds straight before */
	char *owned;
};

/* One line of JSON, without its newline; a new string.  */
char *proto_reply_encode(const struct proto_reply *r);
char *proto_request_encode(const struct proto_request *q);

/* Parse one message; -1 with err naming what is wrong (what sent it is
 * `from`: "the worker", "runtime `runc`").  Release with *_release.  */
int proto_reply_decode(const char *text, size_t len, struct proto_reply *r, const char *from,
		       struct bench_error *err);
int proto_request_decode(const char *text, size_t len, struct proto_request *q,
			 struct bench_error *err);

void proto_reply_release(struct proto_reply *r);
void proto_request_release(struct proto_request *q);

/* A FAILED or SKIPPED reply's error into err (skip set for SKIPPED),
 * detail the traceback; returns -1.  */
int proto_reply_error(const struct proto_reply *r, struct bench_error *err);

#endif
