/* libFuzzer: arbitrary bytes as a worker protocol message, decoded the way
 * the parent, serve and a lockstep worker decode one (bench/harness/protocol.h).  A
 * message that decodes must encode and decode back to the same fields.  */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/harness/protocol.h"
#include "bench/lib/error.h"
#include "tests/fuzz/fuzz.h"

static void reply_again(const struct proto_reply *r)
{
	char *text = proto_reply_encode(r);
	struct bench_error err = { 0 };
	struct proto_reply back;

	if (proto_reply_decode(text, strlen(text), &back, "fuzz", &err) < 0)
		fuzz_fail("an encoded reply does not decode: %s: %s", text, err.msg);
	if (back.status != r->status || back.ns != r->ns || back.lead_ns != r->lead_ns ||
	    /* serve's hello carries metadata, not loops */
	    (!r->metadata && (back.loops != r->loops || back.inner_loops != r->inner_loops)) ||
	    (r->status == PROTO_VALUE && back.value != r->value) ||
	    ((r->run || back.run) && !json_equal(back.run, r->run)) ||
	    ((r->metadata || back.metadata) && !json_equal(back.metadata, r->metadata)) ||
	    (r->error && strcmp(back.error, r->error) != 0))
		fuzz_fail("a reply changed on its way back: %s", text);
	proto_reply_release(&back);
	free(text);
}

static void request_again(const struct proto_request *q)
{
	char *text = proto_request_encode(q);
	struct bench_error err = { 0 };
	struct proto_request back;

	if (proto_request_decode(text, strlen(text), &back, &err) < 0)
		fuzz_fail("an encoded request does not decode: %s: %s", text, err.msg);
	if (back.kind != q->kind || back.warmup != q->warmup || back.lead_in != q->lead_in ||
	    (q->bench && (strcmp(back.bench, q->bench) != 0 || back.loops != q->loops ||
			  back.warmups != q->warmups || back.min_time != q->min_time ||
			  back.timeout != q->timeout)))
		fuzz_fail("a request changed on its way back: %s", text);
	proto_request_release(&back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bench_error err = { 0 };
	struct proto_reply r;
	struct proto_request q;

	if (proto_reply_decode((const char *)data, size, &r, "fuzz", &err) == 0)
		reply_again(&r);
	proto_reply_release(&r);
	bench_error_release(&err);
	if (proto_request_decode((const char *)data, size, &q, &err) == 0)
		request_again(&q);
	proto_request_release(&q);
	bench_error_release(&err);
	return 0;
}
