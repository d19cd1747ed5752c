/* The worker protocol's codec, and lockstep matrices end to end: slots,
 * counterbalanced orders, common hash seeds, placement, a worker killed
 * mid-slot ($SANDBENCH; the runc,runsc one as root).  */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/harness/protocol.h"
#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "containers/lockstep.h"
#include "containers/matrix.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-lockstep-XXXXXX";

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(lockstep, .init = setup, .fini = teardown, .timeout = 600);

/* ---- the codec ---- */

static void reply_round_trip(const struct proto_reply *in, struct proto_reply *out)
{
	char *text = proto_reply_encode(in);
	struct bench_error err = { 0 };

	cr_assert_eq(proto_reply_decode(text, strlen(text), out, "the test", &err), 0,
		     "%s: %s", text, err.msg);
	cr_assert_eq(out->status, in->status, "%s", text);
	free(text);
}

Test(lockstep, every_reply_survives_a_round_trip)
{
	json_t *run = json_pack("{s:[f,f], s:{s:i}}", "values", 0.5, 0.25, "metadata", "cpu", 1);
	json_t *md = json_pack("{s:s}", "hostname", "vm");
	struct proto_reply r;

	reply_round_trip(&(struct proto_reply){ .status = PROTO_OK, .run = run, .loops = 1ULL << 33,
						.inner_loops = 7 }, &r);
	cr_assert(json_equal(r.run, run));
	cr_assert_eq(r.loops, 1ULL << 33);
	cr_assert_eq(r.inner_loops, 7);
	proto_reply_release(&r);

	reply_round_trip(&(struct proto_reply){ .status = PROTO_FAILED, .error = "boom",
						.traceback = "Traceback: line 1" }, &r);
	cr_assert_str_eq(r.error, "boom");
	cr_assert_str_eq(r.traceback, "Traceback: line 1");
	proto_reply_release(&r);

	reply_round_trip(&(struct proto_reply){ .status = PROTO_SKIPPED, .error = "no lxml" }, &r);
	cr_assert_str_eq(r.error, "no lxml");
	cr_assert_null(r.traceback);
	{
		struct bench_error err = { 0 };
		cr_assert_eq(proto_reply_error(&r, &err), -1);
		cr_assert(err.skip, "a skipped reply is a skip");
		cr_assert_str_eq(err.msg, "no lxml");
	}
	proto_reply_release(&r);

	reply_round_trip(&(struct proto_reply){ .status = PROTO_READY, .metadata = md }, &r);
	cr_assert(json_equal(r.metadata, md));
	proto_reply_release(&r);

	reply_round_trip(&(struct proto_reply){ .status = PROTO_READY, .loops = 64, .inner_loops = 3 },
			 &r);
	cr_assert_null(r.metadata);
	cr_assert_eq(r.loops, 64);
	cr_assert_eq(r.inner_loops, 3);
	proto_reply_release(&r);

	reply_round_trip(&(struct proto_reply){ .status = PROTO_VALUE, .value = 0.0123456789012345,
						.ns = 123456789, .lead_ns = 100000001 }, &r);
	cr_assert_eq(r.value, 0.0123456789012345, "the value keeps its 17 digits");
	cr_assert_eq(r.ns, 123456789);
	cr_assert_eq(r.lead_ns, 100000001);
	proto_reply_release(&r);
	json_decref(run);
	json_decref(md);
}

static void request_round_trip(const struct proto_request *in, struct proto_request *out)
{
	char *text = proto_request_encode(in);
	struct bench_error err = { 0 };

	cr_assert_eq(proto_request_decode(text, strlen(text), out, &err), 0, "%s: %s", text, err.msg);
	cr_assert_eq(out->kind, in->kind, "%s", text);
	free(text);
}

Test(lockstep, every_request_survives_a_round_trip)
{
	struct proto_request q;

	request_round_trip(&(struct proto_request){ .kind = PROTO_RUN, .bench = "nbody", .loops = 5,
						    .values = 3, .warmups = 1, .min_time = 0.05,
						    .timeout = 60 }, &q);
	cr_assert_str_eq(q.bench, "nbody");
	cr_assert_eq(q.loops, 5);
	cr_assert_eq(q.values, 3);
	cr_assert_eq(q.warmups, 1);
	cr_assert_eq(q.min_time, 0.05);
	cr_assert_eq(q.timeout, 60);
	proto_request_release(&q);

	request_round_trip(&(struct proto_request){ .kind = PROTO_LOCK_START, .bench = "float",
						    .warmups = 1, .min_time = 0.01, .timeout = 0,
						    .hash_seed = 4294967295L }, &q);
	cr_assert_str_eq(q.bench, "float");
	cr_assert_eq(q.loops, 0, "0: calibrate");
	cr_assert_eq(q.hash_seed, 4294967295L);
	proto_request_release(&q);

	request_round_trip(&(struct proto_request){ .kind = PROTO_LOCK_VALUE }, &q);
	cr_assert_not(q.warmup);
	proto_request_release(&q);
	request_round_trip(&(struct proto_request){ .kind = PROTO_LOCK_VALUE, .warmup = 1 }, &q);
	cr_assert(q.warmup);
	cr_assert_eq(q.lead_in, 0);
	proto_request_release(&q);
	request_round_trip(&(struct proto_request){ .kind = PROTO_LOCK_VALUE, .lead_in = 0.125 }, &q);
	cr_assert_not(q.warmup);
	cr_assert_eq(q.lead_in, 0.125);
	proto_request_release(&q);
	request_round_trip(&(struct proto_request){ .kind = PROTO_LOCK_STOP }, &q);
	proto_request_release(&q);
}

Test(lockstep, bad_messages_are_errors)
{
	static const struct { const char *text, *says; } replies[] = {
		{ "", "sent no valid reply" },
		{ "[1,2]", "sent no valid reply" },
		{ "{\"status\":\"maybe\"}", "sent no valid reply" },
		{ "{\"loops\":3}", "sent no valid reply" },
		{ "{\"status\":\"ok\",\"loops\":3}", "without a run" },
		{ "{\"status\":\"value\",\"value\":-1}", "not positive" },
		{ "{\"status\":\"value\"}", "not positive" },
	};
	static const struct { const char *text, *says; } requests[] = {
		{ "nonsense", "not a JSON object" },
		{ "{\"lockstep\":\"dance\"}", "unknown lockstep request `dance`" },
		{ "{\"lockstep\":\"start\",\"min_time\":0.01}", "unknown benchmark" },
		{ "{\"bench\":\"nbody\",\"values\":-1,\"min_time\":0.1}", "bad counts" },
		{ "{\"bench\":\"nbody\",\"values\":1,\"min_time\":0}", "bad counts" },
		{ "{\"lockstep\":\"start\",\"bench\":\"nbody\",\"min_time\":0.1,\"hash_seed\":-4}",
		  "bad counts" },
		{ "{\"bench\":\"nbody\",\"warmups\":100001,\"min_time\":0.1}", "bad counts" },
		{ "{\"lockstep\":\"value\",\"lead_in\":-0.1}", "bad lead_in" },
		{ "{\"lockstep\":\"value\",\"lead_in\":10.5}", "bad lead_in" },
		{ "{\"lockstep\":\"value\",\"lead_in\":\"1\"}", "bad lead_in" },
	};

	for (size_t i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		struct proto_reply r;
		struct bench_error err = { 0 };
		cr_assert_eq(proto_reply_decode(replies[i].text, strlen(replies[i].text), &r, "the test",
						&err), -1, "`%s` was taken", replies[i].text);
		cr_assert(strstr(err.msg, replies[i].says), "`%s`: %s", replies[i].text, err.msg);
		cr_assert(strstr(err.msg, "the test"), "the message names the sender: %s", err.msg);
		proto_reply_release(&r);
	}
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		struct proto_request q;
		struct bench_error err = { 0 };
		cr_assert_eq(proto_request_decode(requests[i].text, strlen(requests[i].text), &q, &err), -1,
			     "`%s` was taken", requests[i].text);
		cr_assert(strstr(err.msg, requests[i].says), "`%s`: %s", requests[i].text, err.msg);
		proto_request_release(&q);
	}
}

/* A value request's lead-in, end to end through `sandbench __serve` and a
 * lockstep worker: S seconds of untimed iterations straight before the
 * value, reported apart from it; one iteration for a warm-up; none
 * otherwise.  */
Test(lockstep, a_lead_in_runs_untimed_straight_before_the_value)
{
	char *in = xasprintf("%s/requests", dir), *line, *save = NULL;
	FILE *f = fopen(in, "w");
	struct proto_reply r[6];
	struct bench_error err = { 0 };
	struct cmd c;
	size_t n = 0;

	cr_assert_not_null(f);
	fputs("{\"lockstep\":\"start\",\"bench\":\"syscall_getpid\",\"loops\":100,"
	      "\"warmups\":1,\"min_time\":0.01,\"timeout\":60}\n"
	      "{\"lockstep\":\"value\",\"lead_in\":0.5}\n"
	      "{\"lockstep\":\"value\"}\n"
	      "{\"lockstep\":\"value\",\"warmup\":true}\n"
	      "{\"lockstep\":\"stop\"}\n", f);
	cr_assert_eq(fclose(f), 0);
	c = support_finish(dir, "serve", support_start(dir, "serve", in,
						       (char *[]){ "__serve", NULL }));
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	for (line = strtok_r(c.out, "\n", &save); line && n < 6; line = strtok_r(NULL, "\n", &save), n++)
		cr_assert_eq(proto_reply_decode(line, strlen(line), &r[n], "serve", &err), 0, "%s: %s",
			     line, err.msg);
	cr_assert_eq(n, 6, "hello, ready, 3 values, the run:\n%s", c.out);
	for (size_t k = 2; k < 5; k++)
		cr_assert_eq(r[k].status, PROTO_VALUE);
	cr_assert_geq(r[2].lead_ns, 500000000, "a lead-in of 0.5 s took %llu ns",
		      (unsigned long long)r[2].lead_ns);
	cr_assert_eq(r[3].lead_ns, 0, "no lead-in asked, none run");
	cr_assert(r[4].lead_ns > 0 && r[4].lead_ns < 500000000, "a warm-up is one iteration: %llu ns",
		  (unsigned long long)r[4].lead_ns);
	cr_assert_eq(r[5].status, PROTO_OK);
	cr_assert_eq(json_array_size(json_object_get(r[5].run, "values")), 3,
		     "only the timed values are values");
	for (size_t k = 0; k < n; k++)
		proto_reply_release(&r[k]);
	cmd_free(&c);
	free(in);
}

/* Only a runtime whose own threads serve the workload is led in; the
 * others of its matrix get one untimed iteration, as with --value-warmup.  */
Test(lockstep, only_a_runtime_with_helpers_is_led_in)
{
	struct ctr_matrix_plan p;
	struct bench_error err = { 0 };
	int warmup;

	ctr_matrix_plan_init(&p);
	cr_assert_eq(p.lead_in, LOCKSTEP_LEAD_IN);
	cr_assert_eq(ctr_matrix_plan_add(&p, "runc", &err), 0);
	cr_assert_eq(ctr_matrix_plan_add(&p, "crun", &err), 0);
	cr_assert_eq(ctr_matrix_lead_in(&p, "runc", &warmup), 0);
	cr_assert_not(warmup, "no runtime here has helpers");
	cr_assert_eq(ctr_matrix_plan_add(&p, "runsc", &err), 0);
	cr_assert_eq(ctr_matrix_plan_add(&p, "kata-qemu", &err), 0);
	cr_assert_eq(ctr_matrix_lead_in(&p, "runsc", &warmup), LOCKSTEP_LEAD_IN);
	cr_assert(warmup);
	cr_assert_eq(ctr_matrix_lead_in(&p, "kata-qemu", &warmup), LOCKSTEP_LEAD_IN);
	cr_assert_eq(ctr_matrix_lead_in(&p, "crun", &warmup), 0);
	cr_assert(warmup, "the others of a led-in matrix get one untimed iteration");
	p.lead_in = 0;
	cr_assert_eq(ctr_matrix_lead_in(&p, "runsc", &warmup), 0);
	cr_assert_not(warmup, "--lead-in 0: none");
	p.value_warmup = 1;
	cr_assert_eq(ctr_matrix_lead_in(&p, "runc", &warmup), 0);
	cr_assert(warmup, "--value-warmup");
}

/* A bad --lead-in is refused naming it, before any folder is made.  */
Test(lockstep, a_bad_lead_in_is_refused_before_any_work)
{
	static const char *const bad[][2] = {
		{ "-1", "lockstep" }, { "10.5", "lockstep" }, { "x", "lockstep" }, { "", "lockstep" },
		{ "0.1", "processes" },
	};
	char *out = xasprintf("%s/never", dir);
	struct stat st;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cmd c = support_run(dir, "bad", (char *[]){ "matrix", "--runtimes", "runc,runsc",
			"--design", (char *)bad[i][1], "--lead-in", (char *)bad[i][0], "-o", out, NULL });

		cr_assert_eq(c.status, 2, "--lead-in `%s`: %d\n%s", bad[i][0], c.status, c.err);
		cr_assert(strstr(c.err, "--lead-in"), "the error names the option: %s", c.err);
		cr_assert_neq(stat(out, &st), 0, "--lead-in `%s` made %s", bad[i][0], out);
		cmd_free(&c);
	}
	free(out);
}

/* ---- lockstep matrices ---- */

/* The runs of a benchmark in a merged file.  */
static json_t *runs_of(json_t *suite, const char *name)
{
	json_t *b = result_find_benchmark(suite, name);
	cr_assert_not_null(b, "`%s` missing", name);
	return json_object_get(b, "runs");
}

static json_int_t md_int(json_t *run, const char *key)
{
	json_t *v = json_object_get(json_object_get(run, "metadata"), key);
	cr_assert(json_is_integer(v), "run metadata `%s` missing", key);
	return json_integer_value(v);
}

/* The CPUs this process may use, as the kernel lists them.  */
static const char *own_cpus(void)
{
	static char list[256];
	char *text = slurp("/proc/self/status"), *line = strstr(text, "Cpus_allowed_list:");

	cr_assert_not_null(line);
	line += strlen("Cpus_allowed_list:");
	line += strspn(line, " \t");
	snprintf(list, sizeof(list), "%.*s", (int)strcspn(line, "\n"), line);
	free(text);
	return list;
}

/* What every lockstep matrix must show: one run id, the design and the
 * placement in both files; per benchmark the same slots on both sides with
 * equal value counts, the same hash seed (and CPU, when pinned: pin is
 * "sandbox" or "worker", not "none"), both
 * orders used; a round trip.  */
static void check_lockstep(const char *out_dir, const char *a, const char *b,
			   const char *const *names, size_t nnames, int same_seeds, const char *pin)
{
	int pinned = strcmp(pin, "none") != 0;

	char *pa = xasprintf("%s/%s.json", out_dir, a), *pb = xasprintf("%s/%s.json", out_dir, b);
	json_t *sa = load(pa), *sb = load(pb);
	json_t *ma = json_object_get(sa, "metadata"), *mb = json_object_get(sb, "metadata");

	cr_assert_str_eq(json_string_value(json_object_get(ma, "matrix_design")), "lockstep");
	cr_assert_str_eq(json_string_value(json_object_get(mb, "matrix_design")), "lockstep");
	cr_assert_not_null(json_string_value(json_object_get(ma, "matrix_run_id")));
	cr_assert_str_eq(json_string_value(json_object_get(ma, "matrix_run_id")),
			 json_string_value(json_object_get(mb, "matrix_run_id")));
	cr_assert_gt(json_number_value(json_object_get(ma, "lockstep_rtt_us")), 0,
		     "the round trip of a value request is recorded");
	for (json_t *m = ma; m; m = m == ma ? mb : NULL) {
		cr_assert_str_eq(json_string_value(json_object_get(m, "placement_cpus")), own_cpus());
		cr_assert_str_eq(json_string_value(json_object_get(m, "placement_pin")), pin);
	}
	for (size_t k = 0; k < nnames; k++) {
		json_t *ra = runs_of(sa, names[k]), *rb = runs_of(sb, names[k]);
		int orders[2] = { 0, 0 };

		cr_assert_eq(json_array_size(ra), json_array_size(rb), "`%s`: %zu slots against %zu",
			     names[k], json_array_size(ra), json_array_size(rb));
		cr_assert_geq(json_array_size(ra), 2, "`%s`: the smoke profile has 2 slots", names[k]);
		for (size_t i = 0; i < json_array_size(ra); i++) {
			json_t *x = json_array_get(ra, i), *y = NULL;
			const char *pos;

			for (size_t j = 0; j < json_array_size(rb); j++)
				if (md_int(json_array_get(rb, j), "lockstep_slot") == md_int(x, "lockstep_slot"))
					y = json_array_get(rb, j);
			cr_assert_not_null(y, "`%s`: slot %lld on one side only", names[k],
					   (long long)md_int(x, "lockstep_slot"));
			cr_assert_eq(json_array_size(json_object_get(x, "values")),
				     json_array_size(json_object_get(y, "values")), "equal counts in a slot");
			cr_assert_geq(json_array_size(json_object_get(x, "values")), 3);
			if (pinned)
				cr_assert_eq(md_int(x, "cpu"), md_int(y, "cpu"), "one CPU per slot");
			else
				cr_assert_null(json_object_get(json_object_get(x, "metadata"), "cpu"),
					       "no CPU of its own when not pinned");
			cr_assert_eq(md_int(x, "lockstep_round"), md_int(y, "lockstep_round"));
			/* One layout per slot too, where the runtime allows it.  */
			for (json_t *r = x; r; r = r == x ? y : NULL) {
				const char *aslr = json_string_value(json_object_get(
					json_object_get(r, "metadata"), "worker_aslr"));
				cr_assert(aslr && (strcmp(aslr, "off") == 0 || strcmp(aslr, "on") == 0));
			}
			/* Native twins have no hash seed (as in `run`).  */
			if (!json_object_get(json_object_get(x, "metadata"), "python_hash_seed"))
				cr_assert(strncmp(names[k], "syscall_", 8) == 0, "`%s` has no hash seed",
					  names[k]);
			else if (same_seeds)
				cr_assert_eq(md_int(x, "python_hash_seed"), md_int(y, "python_hash_seed"),
					     "one hash seed per slot");
			else
				cr_assert_neq(md_int(x, "python_hash_seed"), md_int(y, "python_hash_seed"));
			pos = json_string_value(json_object_get(json_object_get(x, "metadata"),
								"lockstep_positions"));
			cr_assert_not_null(pos);
			cr_assert_eq(strlen(pos), 2 * json_array_size(json_object_get(x, "values")) - 1,
				     "one position per value: %s", pos);
			/* Blocks alternate: first here, second in the next one.  */
			for (size_t c = 0; c < strlen(pos); c += 2) {
				cr_assert(pos[c] == '0' || pos[c] == '1', "positions: %s", pos);
				orders[pos[c] - '0']++;
			}
		}
		cr_assert(orders[0] > 0 && orders[1] > 0, "`%s`: both orders are used", names[k]);
	}
	json_decref(sa);
	json_decref(sb);
	free(pa);
	free(pb);
}

Test(lockstep, native_native_smoke)
{
	const char *names[] = { "float", "richards" };
	char *out = xasprintf("%s/nn", dir);
	struct cmd c;

	cr_assert_not_null(getenv("SANDBENCH"), "run through `make test`");
	c = support_finish(dir, "nn", support_start(dir, "nn", NULL, (char *[]){ "matrix",
		"--runtimes", "native,native", "--smoke", "-b", "float,richards", "-o", out, NULL }));
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	check_lockstep(out, "native", "native-2", names, 2, 1, "none");
	/* Natively nothing refuses a fixed layout.  */
	for (int side = 0; side < 2; side++) {
		char *path = xasprintf("%s/%s.json", out, side ? "native-2" : "native");
		json_t *suite = load(path), *b, *r;
		size_t i, j;

		json_array_foreach(json_object_get(suite, "benchmarks"), i, b)
			json_array_foreach(json_object_get(b, "runs"), j, r)
				if (json_object_get(r, "values"))
					cr_assert_str_eq(json_string_value(json_object_get(
						json_object_get(r, "metadata"), "worker_aslr")), "off");
		json_decref(suite);
		free(path);
	}
	cmd_free(&c);
	free(out);
}

Test(lockstep, independent_seeds_differ)
{
	const char *names[] = { "float" };
	char *out = xasprintf("%s/ind", dir);
	struct cmd c;

	c = support_finish(dir, "ind", support_start(dir, "ind", NULL, (char *[]){ "matrix",
		"--runtimes", "native,native", "--smoke", "--seeds", "independent", "-b", "float",
		"-o", out, NULL }));
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	check_lockstep(out, "native", "native-2", names, 1, 0, "none");
	cmd_free(&c);
	free(out);
}

/* How many threads (of `what`: "threads", "workload threads", "other
 * threads") the log says a runtime's tree had in a benchmark's first slot,
 * placed as `how` ("free on CPUs 0-1", "pinned to CPU 1"): read back from
 * /proc by the matrix.  0 when the log does not say so.  */
static unsigned logged(const char *log, const char *bench, const char *runtime, const char *what,
		       const char *how)
{
	char *want = xasprintf("lockstep %s slot 1 %s: ", bench, runtime);
	char *line = xasprintf("%%u %s, each %%127[^\n]", what);
	unsigned threads = 0;
	char placed[128] = "";

	for (const char *at = strstr(log, want); at; at = strstr(at + 1, want)) {
		threads = 0;
		if (sscanf(at + strlen(want), line, &threads, placed) == 2 &&
		    strcmp(placed, how) == 0)
			break;
		threads = 0;
	}
	free(line);
	free(want);
	return threads;
}

static unsigned logged_threads(const char *log, const char *bench, const char *runtime,
			       const char *how)
{
	return logged(log, bench, runtime, "threads", how);
}

/* As deployed (the default): every thread of both trees, gVisor's Sentry
 * and gofer too, may run on every CPU of the set, read back from /proc.  */
/* The lead-in and warm-up a runtime's file records.  */
static void check_lead_in(const char *out_dir, const char *runtime, double lead_in, int warmup)
{
	char *path = xasprintf("%s/%s.json", out_dir, runtime);
	json_t *suite = load(path), *md = json_object_get(suite, "metadata");

	cr_assert_eq(json_number_value(json_object_get(md, "lockstep_runtime_lead_in")), lead_in,
		     "%s: lead-in", runtime);
	cr_assert_eq(json_integer_value(json_object_get(md, "lockstep_runtime_warmup")), warmup,
		     "%s: warm-up", runtime);
	json_decref(suite);
	free(path);
}

Test(lockstep, runc_runsc_smoke)
{
	const char *names[] = { "float", "syscall_getpid" };
	char *out = xasprintf("%s/rr", dir), *log, *text, *how;
	struct cmd c;

	if (getuid() != 0 || !have("runc") || !have("runsc"))
		cr_skip_test("runc and runsc need root and their packages");
	c = support_finish(dir, "rr", support_start(dir, "rr", NULL, (char *[]){ "matrix",
		"--runtimes", "runc,runsc", "--smoke", "-b", "float,syscall_getpid", "-o", out, NULL }));
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	check_lockstep(out, "runc", "runsc", names, 2, 1, "none");
	check_lead_in(out, "runsc", LOCKSTEP_LEAD_IN, 1);
	check_lead_in(out, "runc", 0, 1);
	log = xasprintf("%s/matrix.log", out);
	text = slurp(log);
	how = xasprintf("free on CPUs %s", own_cpus());
	cr_assert_null(strstr(text, "did not take it"), "placement failed:\n%s", text);
	for (size_t k = 0; k < 2; k++) {
		cr_assert_gt(logged_threads(text, names[k], "runc", how), 0, "%s", text);
		/* The Sentry, the gofer and the stub: many threads.  */
		cr_assert_gt(logged_threads(text, names[k], "runsc", how), 4, "%s", text);
	}
	free(how);
	free(text);
	free(log);
	cmd_free(&c);
	free(out);
}

/* --pin sandbox: every thread of both trees on the slot's CPU, as the
 * lockstep design did before placement.  */
Test(lockstep, pin_sandbox_holds_every_thread_on_the_slot_cpu)
{
	const char *names[] = { "syscall_getpid" };
	char *out = xasprintf("%s/pinned", dir), *text, *log, *how, *file;
	json_t *suite, *runs;
	struct cmd c;

	if (getuid() != 0 || !have("runc") || !have("runsc"))
		cr_skip_test("runc and runsc need root and their packages");
	c = support_finish(dir, "pinned", support_start(dir, "pinned", NULL, (char *[]){ "matrix",
		"--runtimes", "runc,runsc", "--smoke", "--pin", "sandbox", "-b", "syscall_getpid",
		"-o", out, NULL }));
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	check_lockstep(out, "runc", "runsc", names, 1, 1, "sandbox");
	log = xasprintf("%s/matrix.log", out);
	text = slurp(log);
	cr_assert_null(strstr(text, "did not take it"), "pinning failed:\n%s", text);
	file = xasprintf("%s/runsc.json", out);
	suite = load(file);
	runs = runs_of(suite, "syscall_getpid");
	how = xasprintf("pinned to CPU %lld", (long long)md_int(json_array_get(runs, 0), "cpu"));
	cr_assert_gt(logged_threads(text, "syscall_getpid", "runc", how), 0, "%s", text);
	cr_assert_gt(logged_threads(text, "syscall_getpid", "runsc", how), 4, "%s", text);
	json_decref(suite);
	free(file);
	free(how);
	free(text);
	free(log);
	cmd_free(&c);
	free(out);
}

/* --pin worker: the workload's processes (the worker; under gVisor the
 * traced stubs that run it) on the slot's CPU, the runtime's own threads
 * (the Sentry's among them) free on the whole set.  */
Test(lockstep, pin_worker_holds_the_workload_and_frees_the_runtime)
{
	const char *names[] = { "syscall_getpid" };
	char *out = xasprintf("%s/pinw", dir), *text, *log, *pinned, *free_on, *file;
	json_t *suite;
	struct cmd c;

	if (getuid() != 0 || !have("runc") || !have("runsc"))
		cr_skip_test("runc and runsc need root and their packages");
	c = support_finish(dir, "pinw", support_start(dir, "pinw", NULL, (char *[]){ "matrix",
		"--runtimes", "runc,runsc", "--smoke", "--pin", "worker", "-b", "syscall_getpid",
		"-o", out, NULL }));
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	check_lockstep(out, "runc", "runsc", names, 1, 1, "worker");
	log = xasprintf("%s/matrix.log", out);
	text = slurp(log);
	file = xasprintf("%s/runsc.json", out);
	suite = load(file);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(suite, "metadata"),
							   "placement_pin")), "worker");
	pinned = xasprintf("pinned to CPU %lld",
			   (long long)md_int(json_array_get(runs_of(suite, "syscall_getpid"), 0), "cpu"));
	free_on = xasprintf("free on CPUs %s", own_cpus());
	cr_assert_gt(logged(text, "syscall_getpid", "runc", "workload threads", pinned), 0, "%s", text);
	cr_assert_gt(logged(text, "syscall_getpid", "runc", "other threads", free_on), 0, "%s", text);
	cr_assert_gt(logged(text, "syscall_getpid", "runsc", "workload threads", pinned), 0, "%s", text);
	/* The Sentry and the gofer.  */
	cr_assert_gt(logged(text, "syscall_getpid", "runsc", "other threads", free_on), 4, "%s", text);
	json_decref(suite);
	free(free_on);
	free(pinned);
	free(file);
	free(text);
	free(log);
	cmd_free(&c);
	free(out);
}

Test(lockstep, worker_killed_mid_slot_drops_the_slot_on_both_sides)
{
	char *out = xasprintf("%s/killed", dir), *pa, *pb, *log_path, *log;
	json_t *sa, *sb;
	pid_t pid, worker = 0;
	struct cmd c;

	pid = support_start(dir, "killed", NULL, (char *[]){ "matrix", "--runtimes", "native,native",
		"--smoke", "-b", "nbody,float", "-o", out, NULL });
	for (int i = 0; i < 3000 && !worker; i++) {
		int status;
		cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "the matrix ended before nbody ran");
		worker = support_descendant_with(pid, (const char *const[]){ "__worker", "--lockstep",
									 "--bench=nbody", NULL });
		if (!worker)
			usleep(10000);
	}
	cr_assert_gt(worker, 0, "no lockstep worker of nbody appeared");
	cr_assert_eq(kill(worker, SIGKILL), 0);
	c = support_finish(dir, "killed", pid);
	cr_assert_eq(c.status, 1, "a failed benchmark makes the exit status 1: %d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, "nbody: FAILED"), "the failure is named:\n%s", c.err);
	cr_assert(strstr(c.err, "the worker died"), "and why:\n%s", c.err);
	log_path = xasprintf("%s/matrix.log", out);
	log = slurp(log_path);
	cr_assert(strstr(log, "dropped on every runtime"), "the slot is dropped on both sides:\n%s", log);
	pa = xasprintf("%s/native.json", out);
	pb = xasprintf("%s/native-2.json", out);
	sa = load(pa);
	sb = load(pb);
	/* nbody failed on one side: neither file keeps it; float goes on.  */
	cr_assert_null(result_find_benchmark(sa, "nbody"));
	cr_assert_null(result_find_benchmark(sb, "nbody"));
	cr_assert_eq(json_array_size(runs_of(sa, "float")), json_array_size(runs_of(sb, "float")));
	cr_assert_eq(json_array_size(runs_of(sa, "float")), 2);
	json_decref(sa);
	json_decref(sb);
	free(pa);
	free(pb);
	free(log);
	free(log_path);
	cmd_free(&c);
	free(out);
}

/* Ctrl-C keeps the benchmarks a lockstep round finished; --resume measures
 * only the others.  */
Test(lockstep, interrupted_lockstep_matrix_resumes_with_finished_benchmarks)
{
	const char *names[] = { "float", "richards", "json_dumps" };
	char *out = xasprintf("%s/resume", dir), *raw = xasprintf("%s/resume/raw/native-r1.json", dir);
	char *first = NULL, *pa = xasprintf("%s/native.json", out);
	json_t *before = NULL, *after, *b0, *b1;
	struct cmd c;
	pid_t pid;

	pid = support_start(dir, "r1", NULL, (char *[]){ "matrix", "--runtimes", "native,native",
		"--smoke", "-b", "float,richards,json_dumps", "--seed", "5", "-o", out, NULL });
	/* Interrupt once the first benchmark is written.  */
	for (int i = 0; i < 6000 && !before; i++) {
		int status;
		json_t *suite;

		cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "the matrix ended before it was interrupted");
		if (access(raw, F_OK) == 0 && result_read(raw, &suite, NULL) == 0) {
			if (json_array_size(json_object_get(suite, "benchmarks")) >= 1)
				before = suite;
			else
				json_decref(suite);
		}
		if (!before)
			usleep(10000);
	}
	cr_assert_not_null(before, "no benchmark was ever written");
	kill(pid, SIGINT);
	c = support_finish(dir, "r1", pid);
	cr_assert_eq(c.status, 130, "Ctrl-C exits 130: %d\n%s", c.status, c.err);
	cmd_free(&c);
	b0 = json_array_get(json_object_get(before, "benchmarks"), 0);
	first = xstrdup(result_benchmark_name(b0));

	c = support_finish(dir, "r2", support_start(dir, "r2", NULL,
		(char *[]){ "matrix", "--resume", out, NULL }));
	cr_assert_eq(c.status, 0, "the resumed matrix finishes: %d\n%s", c.status, c.err);
	check_lockstep(out, "native", "native-2", names, 3, 1, "none");
	after = load(pa);
	b1 = result_find_benchmark(after, first);
	cr_assert(json_equal(json_object_get(b0, "runs"), json_object_get(b1, "runs")),
		  "`%s` was finished before Ctrl-C: it is kept, not measured again", first);
	json_decref(after);
	json_decref(before);
	cmd_free(&c);
	free(first);
	free(pa);
	free(raw);
	free(out);
}

/* A plan saved before placement existed had every slot pinned: --resume
 * keeps it so, and says so in the files; one saved before the lead-in had
 * none.  */
Test(lockstep, a_plan_from_before_placement_resumes_pinned)
{
	const char *names[] = { "float" };
	char *first = xasprintf("%s/new", dir), *old = xasprintf("%s/old", dir);
	char *plan = xasprintf("%s/matrix.json", first), *old_plan = xasprintf("%s/matrix.json", old);
	json_t *j;
	struct cmd c;

	c = support_finish(dir, "new", support_start(dir, "new", NULL, (char *[]){ "matrix",
		"--runtimes", "native,native", "--smoke", "-b", "float", "-o", first, NULL }));
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	cmd_free(&c);
	j = json_load_file(plan, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(j, "pin")), "none");
	cr_assert_eq(json_number_value(json_object_get(j, "lead_in")), LOCKSTEP_LEAD_IN);
	json_object_del(j, "pin");
	json_object_del(j, "lead_in");
	json_object_set_new(j, "done", json_object());
	cr_assert_eq(mkdir(old, 0755), 0);
	cr_assert_eq(json_dump_file(j, old_plan, 0), 0);
	json_decref(j);
	c = support_finish(dir, "old", support_start(dir, "old", NULL, (char *[]){ "matrix",
		"--resume", old, NULL }));
	cr_assert_eq(c.status, 0, "%d\n%s", c.status, c.err);
	check_lockstep(old, "native", "native-2", names, 1, 1, "sandbox");
	check_lead_in(old, "native", 0, 0);
	cmd_free(&c);
	free(old_plan);
	free(plan);
	free(old);
	free(first);
}
