/* `sandbench k8s`: the result line, the Job manifests (checked against the
 * Kubernetes schemas by kubernetes-models, tests/k8s/validate.js), collect
 * on good and bad logs, and the Jobs' very commands run under runc and
 * runsc ($SANDBENCH and $SANDBENCH_ROOT, set by `make test`).  */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/codec.h"
#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "containers/driver.h"
#include "containers/image.h"
#include "containers/k8s.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-k8s-XXXXXX";

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(k8s, .init = setup, .fini = teardown, .timeout = 600);

static void spit(const char *path, const char *text)
{
	cr_assert_eq(util_write_file_atomic(path, text, strlen(text), NULL), 0, "write %s", path);
}

/* $SANDBENCH ARGS, stdin from in (or /dev/null).  */
static struct cmd sandbench_in(const char *in, char *const args[])
{
	return support_finish(dir, "cmd", support_start(dir, "cmd", in, args));
}

#define SANDBENCH(...) sandbench_in(NULL, (char *[]){ __VA_ARGS__, NULL })

/* j at a dotted path ("spec.template.spec"), borrowed.  */
static json_t *at(json_t *j, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_is_array(j) ? json_array_get(j, (size_t)atoi(k)) : json_object_get(j, k);
	free(copy);
	return j;
}

static const char *str_at(json_t *j, const char *path)
{
	return json_string_value(at(j, path));
}

/* The lines of a file; the array and strings are the caller's.  */
static char **lines_of(const char *path, size_t *n)
{
	char *text = slurp(path), *save = NULL;
	char **lines = NULL;

	*n = 0;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lines = xrealloc(lines, (*n + 1) * sizeof(*lines));
		lines[(*n)++] = xstrdup(l);
	}
	free(text);
	return lines;
}

static void lines_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* `k8s plan` into DIR/name with these extra arguments; exit 0.  */
static char *plan(const char *name, char *const extra[])
{
	char *out = path_in(name);
	char *args[48] = { "k8s", "plan", "--image", "registry.example/sandbench:0.1.0",
			   "-o", out };
	int n = 6;
	struct cmd c;

	for (int i = 0; extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	c = sandbench_in(NULL, args);
	cr_assert_eq(c.status, 0, "k8s plan failed (%d): %s", c.status, c.err);
	cmd_free(&c);
	return out;
}

static size_t values_of(json_t *suite, const char *name)
{
	json_t *b = result_find_benchmark(suite, name);
	double *v;
	size_t n;

	cr_assert_not_null(b, "benchmark `%s` missing", name);
	result_benchmark_values(b, &v, &n, NULL, NULL);
	free(v);
	return n;
}

/* ---- the result line ---- */

Test(k8s, base64_round_trips_and_rejects_damage)
{
	static const char *const rfc4648[][2] = {
		{ "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	static const char *const bad[] = { "Zm9", "Zm9v=mFy", "Zm9v!A==", "Z===", "Zm9vY g==" };
	unsigned char bytes[256], *out;
	size_t n;

	for (size_t i = 0; i < 6; i++) {
		char *enc = codec_base64_encode((const unsigned char *)rfc4648[i][0],
						strlen(rfc4648[i][0]));
		cr_assert_str_eq(enc, rfc4648[i][1]);
		free(enc);
	}
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 37 + 11);
	for (size_t len = 1; len <= sizeof(bytes); len++) {
		char *enc = codec_base64_encode(bytes, len);
		cr_assert_eq(codec_base64_decode(enc, strlen(enc), &out, &n, NULL), 0);
		cr_assert_eq(n, len);
		cr_assert_eq(memcmp(out, bytes, len), 0, "length %zu", len);
		free(out);
		free(enc);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(codec_base64_decode(bad[i], strlen(bad[i]), &out, &n, NULL), -1,
			     "`%s` must be rejected", bad[i]);
}

/* A small result as `k8s job` sends it.  */
static json_t *job_suite(const char *run_id, const char *cls, unsigned round)
{
	json_t *suite = result_suite_new(json_pack("{s:s, s:s, s:s}", "hostname", "pod",
						   "k8s_run_id", run_id, "k8s_runtime_class", cls));
	json_t *b = result_benchmark_new("nbody", "math", "python", 8, 1);

	json_array_append_new(json_object_get(b, "runs"),
			      json_pack("{s:{s:i}, s:[f,f]}", "metadata", "k8s_round", (int)round,
					"values", 0.125, 0.25));
	json_array_append_new(json_object_get(suite, "benchmarks"), b);
	return suite;
}

Test(k8s, result_line_round_trips_and_names_damage)
{
	struct bench_error err = { 0 };
	struct ctr_k8s_result res;
	json_t *suite = job_suite("20260101-000000-abcd", "gvisor", 2);
	char *line = ctr_k8s_result_line(suite, "20260101-000000-abcd", "gvisor", 2, &err);
	char *prefixed, *damaged, *cut, *other;
	size_t len;

	cr_assert_not_null(line, "%s", err.msg);
	cr_assert(strncmp(line, "SANDBENCH-RESULT v1 20260101-000000-abcd gvisor 2 ", 50) == 0,
		  "%s", line);
	cr_assert_null(strchr(line, '\n'));

	/* kubectl logs --timestamps puts a date before it.  */
	prefixed = xasprintf("2026-01-01T00:00:00.000000000Z %s\r\n", line);
	cr_assert_eq(ctr_k8s_result_parse(prefixed, "pod.log:3", &res, &err), 0, "%s", err.msg);
	cr_assert_str_eq(res.run_id, "20260101-000000-abcd");
	cr_assert_str_eq(res.runtime_class, "gvisor");
	cr_assert_eq(res.round, 2);
	cr_assert(json_equal(res.suite, suite), "the suite must come back unchanged");
	ctr_k8s_result_release(&res);

	/* One base64 character changed: the checksum says so.  */
	damaged = xstrdup(line);
	len = strlen(damaged);
	damaged[len - 10] = damaged[len - 10] == 'A' ? 'B' : 'A';
	cr_assert_eq(ctr_k8s_result_parse(damaged, "pod.log:3", &res, &err), -1);
	cr_assert(strstr(err.msg, "pod.log:3") && strstr(err.msg, "truncated or damaged"), "%s", err.msg);

	/* Cut in the middle of the base64, and within the fields.  */
	cut = xasprintf("%.*s", (int)(len - 7), line);
	cr_assert_eq(ctr_k8s_result_parse(cut, "pod.log:3", &res, &err), -1);
	cr_assert(strstr(err.msg, "truncated"), "%s", err.msg);
	cut[40] = '\0';
	cr_assert_eq(ctr_k8s_result_parse(cut, "pod.log:3", &res, &err), -1);
	cr_assert(strstr(err.msg, "truncated: it ends after 2 of its 6 fields"), "%s", err.msg);

	/* A header that does not match the result inside.  */
	other = xstrdup(line);
	memcpy(other + strlen("SANDBENCH-RESULT v1 "), "20260101-000000-ffff", 20);
	cr_assert_eq(ctr_k8s_result_parse(other, "pod.log:3", &res, &err), -1);
	cr_assert(strstr(err.msg, "the result inside says run `20260101-000000-abcd`"), "%s", err.msg);

	free(other);
	free(cut);
	free(damaged);
	free(prefixed);
	free(line);
	json_decref(suite);
}

/* ---- plan ---- */

/* Everything the issue asks of one Job.  */
static void check_job(json_t *job, const char *run_id, const char *cls, unsigned round,
		      const char *node, const char *cpus, const char *memory, long deadline)
{
	json_t *pod = at(job, "spec.template.spec"), *c = at(pod, "containers.0"), *env, *e;
	char round_text[16];
	size_t i, found = 0;

	snprintf(round_text, sizeof(round_text), "%u", round);
	cr_assert_str_eq(str_at(job, "apiVersion"), "batch/v1");
	cr_assert_str_eq(str_at(job, "kind"), "Job");
	cr_assert_leq(strlen(str_at(job, "metadata.name")), 63);
	for (int level = 0; level < 2; level++) {
		json_t *l = at(job, level ? "spec.template.metadata.labels" : "metadata.labels");
		cr_assert_str_eq(json_string_value(json_object_get(l, "sandbench.io/run-id")), run_id);
		cr_assert_str_eq(json_string_value(json_object_get(l, "sandbench.io/runtime-class")), cls);
		cr_assert_str_eq(json_string_value(json_object_get(l, "sandbench.io/round")), round_text);
	}
	cr_assert_eq(json_integer_value(at(job, "spec.backoffLimit")), 0);
	cr_assert(json_is_integer(at(job, "spec.backoffLimit")));
	cr_assert_eq(json_integer_value(at(job, "spec.activeDeadlineSeconds")), deadline);
	cr_assert_str_eq(str_at(pod, "restartPolicy"), "Never");
	if (strcmp(cls, "runc") == 0 || strcmp(cls, "default") == 0)
		cr_assert_null(at(pod, "runtimeClassName"), "the cluster's default: no runtimeClassName");
	else
		cr_assert_str_eq(str_at(pod, "runtimeClassName"), cls);
	cr_assert_str_eq(str_at(pod, "nodeName"), node);
	cr_assert_eq(json_array_size(at(pod, "containers")), 1);

	/* Guaranteed QoS: requests equal limits, whole CPUs.  */
	cr_assert_str_eq(str_at(c, "resources.requests.cpu"), cpus);
	cr_assert_str_eq(str_at(c, "resources.limits.cpu"), cpus);
	cr_assert_str_eq(str_at(c, "resources.requests.memory"), memory);
	cr_assert_str_eq(str_at(c, "resources.limits.memory"), memory);

	cr_assert_eq(json_is_true(at(pod, "securityContext.runAsNonRoot")), 1);
	cr_assert_eq(json_integer_value(at(pod, "securityContext.runAsUser")), 65534);
	cr_assert_eq(json_is_true(at(c, "securityContext.runAsNonRoot")), 1);
	cr_assert_eq(json_integer_value(at(c, "securityContext.runAsUser")), 65534);
	cr_assert_eq(json_is_true(at(c, "securityContext.readOnlyRootFilesystem")), 1);
	cr_assert(json_is_false(at(c, "securityContext.allowPrivilegeEscalation")));
	cr_assert_str_eq(str_at(c, "securityContext.capabilities.drop.0"), "ALL");
	cr_assert_eq(json_array_size(at(c, "securityContext.capabilities.drop")), 1);
	cr_assert_null(at(c, "securityContext.capabilities.add"));

	/* /tmp is an emptyDir.  */
	cr_assert_str_eq(str_at(c, "volumeMounts.0.mountPath"), "/tmp");
	cr_assert_str_eq(str_at(pod, "volumes.0.name"), str_at(c, "volumeMounts.0.name"));
	cr_assert(json_is_object(at(pod, "volumes.0.emptyDir")));

	cr_assert_str_eq(str_at(c, "command.0"), "/usr/bin/sandbench");
	cr_assert_eq(json_array_size(at(c, "command")), 1);
	cr_assert_str_eq(str_at(c, "args.0"), "k8s");
	cr_assert_str_eq(str_at(c, "args.1"), "job");

	env = at(c, "env");
	json_array_foreach(env, i, e) {
		const char *name = str_at(e, "name"), *value = str_at(e, "value");
		const char *want = strcmp(name, "SANDBENCH_RUNTIME") == 0 ? cls :
				   strcmp(name, "SANDBENCH_RUN_ID") == 0 ? run_id :
				   strcmp(name, "SANDBENCH_ROUND") == 0 ? round_text : NULL;
		if (want) {
			cr_assert_str_eq(value, want, "env %s", name);
			found++;
		}
	}
	cr_assert_eq(found, 3, "SANDBENCH_RUNTIME, SANDBENCH_RUN_ID and SANDBENCH_ROUND");
}

/* The class of DIR/manifests/job-rN-CLASS.json and N.  */
static void job_file_parts(const char *path, unsigned *round, char *cls, size_t size)
{
	const char *base = strrchr(path, '/') + 1;
	int used = 0;

	cr_assert_eq(sscanf(base, "job-r%u-%n", round, &used), 1, "%s", path);
	snprintf(cls, size, "%.*s", (int)(strlen(base + used) - strlen(".json")), base + used);
}

Test(k8s, plan_writes_a_job_per_class_and_round_in_shuffled_rounds)
{
	char *p = plan("p", (char *[]){ "--runtime-classes", "runc,gvisor,kata-qemu", "--rounds",
		"3", "--smoke", "-b", "nbody", "--node", "node-1", "--seed", "7", "--cpus", "3",
		"--memory", "3G", "--deadline", "900", NULL });
	char *q = plan("q", (char *[]){ "--runtime-classes", "runc,gvisor,kata-qemu", "--rounds",
		"3", "--smoke", "-b", "nbody", "--node", "node-1", "--seed", "7", NULL });
	char *plan_path = xasprintf("%s/plan.json", p), *order = xasprintf("%s/apply-order.txt", p);
	char *order_q = xasprintf("%s/apply-order.txt", q);
	json_t *pl = load(plan_path);
	const char *run_id = str_at(pl, "run_id");
	size_t n, nq;
	char **lines = lines_of(order, &n), **lines_q = lines_of(order_q, &nq);

	cr_assert_eq(json_integer_value(json_object_get(pl, "seed")), 7);
	cr_assert_eq(json_integer_value(json_object_get(pl, "rounds")), 3);
	cr_assert_eq(json_array_size(json_object_get(pl, "runtime_classes")), 3);
	cr_assert_str_eq(str_at(pl, "benchmarks"), "nbody");
	cr_assert_str_eq(str_at(pl, "profile"), "smoke");
	cr_assert_eq(json_array_size(json_object_get(pl, "jobs")), 9);
	cr_assert_eq(n, 9, "one manifest per class and round, no ConfigMap with --smoke");
	cr_assert_eq(nq, 9);
	for (size_t i = 0; i < n; i++) {
		unsigned round, round_q;
		char cls[64], cls_q[64], *args;
		json_t *job = load(lines[i]);

		job_file_parts(lines[i], &round, cls, sizeof(cls));
		cr_assert_eq(round, i / 3 + 1, "round %zu holds every class once", i / 3 + 1);
		for (size_t k = i - i % 3; k < i; k++)
			cr_assert(!strstr(lines[k], cls), "%s twice in a round", cls);
		/* The same seed, the same order.  */
		job_file_parts(lines_q[i], &round_q, cls_q, sizeof(cls_q));
		cr_assert_str_eq(cls, cls_q);
		cr_assert_str_eq(str_at(json_array_get(json_object_get(pl, "jobs"), i), "file"), lines[i]);
		check_job(job, run_id, cls, round, "node-1", "3", "3Gi", 900);
		args = json_dumps(at(job, "spec.template.spec.containers.0.args"), 0);
		cr_assert(strstr(args, "\"--smoke\"") && !strstr(args, "loops-from"), "%s", args);
		free(args);
		json_decref(job);
	}
	lines_free(lines, n);
	lines_free(lines_q, nq);
	json_decref(pl);
	free(plan_path);
	free(order);
	free(order_q);
	free(p);
	free(q);
}

/* A calibration file as `sandbench run -p 0` writes it.  */
static char *calibration_file(const char *const *names)
{
	char *path = path_in("calibration.json");
	json_t *suite = result_suite_new(json_pack("{s:s}", "hostname", "h"));
	struct bench_error err = { 0 };

	for (size_t i = 0; names[i]; i++) {
		json_t *b = result_benchmark_new(names[i], "math", "python", 64, 1);
		json_array_append_new(json_object_get(b, "runs"),
				      json_pack("{s:{s:i}, s:[[i,f]]}", "metadata", "calibrate_loops", 64,
						"warmups", 64, 0.01));
		/* A full result: only the first run reaches the ConfigMap.  */
		json_array_append_new(json_object_get(b, "runs"),
				      json_pack("{s:{s:s}, s:[f,f,f]}", "metadata", "date", "d",
						"values", 0.1, 0.1, 0.1));
		json_array_append_new(json_object_get(suite, "benchmarks"), b);
	}
	cr_assert_eq(result_write(path, suite, &err), 0, "%s", err.msg);
	json_decref(suite);
	return path;
}

Test(k8s, plan_sends_the_loops_in_a_configmap)
{
	char *cal = calibration_file((const char *[]){ "nbody", "richards", "float", NULL });
	char *p = plan("p", (char *[]){ "--runtime-classes", "runc,gvisor", "--fast", "--rounds", "2",
		"-b", "nbody,richards", "--node-selector", "kubernetes.io/hostname=node-1",
		"--loops-from", cal, NULL });
	char *order = xasprintf("%s/apply-order.txt", p);
	size_t n;
	char **lines = lines_of(order, &n);
	json_t *cm, *loops;
	const char *cm_name;
	char *p2;
	struct cmd c;

	cr_assert_eq(n, 5, "the ConfigMap, then 4 Jobs");
	cm = load(lines[0]);
	cr_assert_str_eq(str_at(cm, "kind"), "ConfigMap");
	cm_name = str_at(cm, "metadata.name");
	loops = json_loads(json_string_value(json_object_get(at(cm, "data"), "calibration.json")),
			   0, NULL);
	cr_assert_not_null(loops);
	cr_assert_eq(json_array_size(json_object_get(loops, "benchmarks")), 2, "the selection only");
	cr_assert_eq(result_benchmark_loops(result_find_benchmark(loops, "richards")), 64);
	cr_assert_eq(json_array_size(at(result_find_benchmark(loops, "nbody"), "runs")), 1);
	cr_assert_eq(result_validate(loops, "calibration", NULL), 0);
	for (size_t i = 1; i < n; i++) {
		json_t *job = load(lines[i]), *pod = at(job, "spec.template.spec");
		char *args = json_dumps(at(pod, "containers.0.args"), 0);

		cr_assert_str_eq(json_string_value(json_object_get(at(pod, "nodeSelector"),
								   "kubernetes.io/hostname")), "node-1");
		cr_assert_null(at(pod, "nodeName"));
		/* --fast: 6 processes x 2 values, split across 2 rounds.  */
		cr_assert(strstr(args, "\"--processes=3\"") && strstr(args, "\"--values=2\"") &&
			  strstr(args, "\"--loops-from=/calibration/calibration.json\""), "%s", args);
		cr_assert_str_eq(str_at(pod, "volumes.1.configMap.name"), cm_name);
		cr_assert_str_eq(str_at(pod, "containers.0.volumeMounts.1.mountPath"), "/calibration");
		free(args);
		json_decref(job);
	}

	/* A selected benchmark without loops would calibrate in each Job.  */
	p2 = path_in("p2");
	c = SANDBENCH("k8s", "plan", "--runtime-classes", "runc,gvisor", "--image", "i", "--node",
		      "n", "-b", "nbody,pathlib", "--loops-from", cal, "-o", p2);
	cr_assert_eq(c.status, 2);
	cr_assert(strstr(c.err, "no loops for 1 selected benchmark: pathlib"), "%s", c.err);
	cmd_free(&c);
	free(p2);

	json_decref(loops);
	json_decref(cm);
	lines_free(lines, n);
	free(order);
	free(p);
	free(cal);
}

Test(k8s, plan_refuses_unusable_arguments)
{
	static const char *const cases[][12] = {
		{ "--runtime-classes", "runc,gvisor", "-b", "nbody", "--smoke", NULL },	/* no node */
		{ "--runtime-classes", "runc", "--node", "a", "--node-selector", "k=v", "--smoke", NULL },
		{ "--runtime-classes", "runc,gVisor", "--node", "a", "--smoke", NULL },
		{ "--runtime-classes", "runc,plan", "--node", "a", "--smoke", NULL },
		{ "--runtime-classes", "runc,runc", "--node", "a", "--smoke", NULL },
		{ "--runtime-classes", "runc", "--node", "a", "--cpus", "1.5", "--smoke", NULL },
		{ "--runtime-classes", "runc", "--node", "a", "--memory", "lots", "--smoke", NULL },
		{ "--runtime-classes", "runc", "--node", "a", "-b", "nosuch", "--smoke", NULL },
		{ "--runtime-classes", "runc", "--node-selector", "nokey", "--smoke", NULL },
		{ "--runtime-classes", "runc,a-runtime-class-name-that-is-far-too-long-for-a-job",
		  "--node", "a", "--smoke", NULL },
	};
	char *out = path_in("bad");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *args[20] = { "k8s", "plan", "--image", "i", "-o", out };
		int n = 6;
		struct cmd c;

		for (int k = 0; cases[i][k]; k++)
			args[n++] = (char *)cases[i][k];
		args[n] = NULL;
		c = sandbench_in(NULL, args);
		cr_assert_eq(c.status, 2, "case %zu must exit 2 (%d): %s", i, c.status, c.err);
		cr_assert(strstr(c.err, "sandbench: k8s"), "case %zu: %s", i, c.err);
		cmd_free(&c);
	}
	free(plan("again", (char *[]){ "--runtime-classes", "runc", "--node", "a", "--smoke", NULL }));
	{
		char *again = path_in("again");
		struct cmd c = SANDBENCH("k8s", "plan", "--runtime-classes", "runc", "--node", "a",
					 "--smoke", "--image", "i", "-o", again);
		cr_assert_eq(c.status, 2);
		cr_assert(strstr(c.err, "already holds a plan"), "%s", c.err);
		cmd_free(&c);
		free(again);
	}
	free(out);
}

/* ---- the manifests against the Kubernetes schemas ---- */

/* kubernetes-models, installed into build/k8s-validator from
 * tests/k8s/package-lock.json when missing or out of date.  */
static char *validator_modules(void)
{
	const char *root = getenv("SANDBENCH_ROOT");
	char *base, *lock_path, *cmd, *modules;
	int fd, rc;

	cr_assert_not_null(root, "run through `make test`, which sets $SANDBENCH_ROOT");
	if (!have("node") || !have("npm"))
		cr_skip_test("node and npm are needed to check the manifests against the Kubernetes "
			     "schemas (apt-get install nodejs npm)");
	base = xasprintf("%s/build/k8s-validator", root);
	lock_path = xasprintf("%s.lock", base);
	util_mkdir_p(base, NULL);
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(flock(fd, LOCK_EX), 0);
	cmd = xasprintf("cmp -s '%s/tests/k8s/package-lock.json' '%s/package-lock.json' && "
			"test -f '%s/node_modules/kubernetes-models/package.json' || "
			"{ cp '%s/tests/k8s/package.json' '%s/tests/k8s/package-lock.json' '%s/' && "
			"npm ci --prefix '%s' --no-audit --no-fund > '%s/npm.log' 2>&1; }",
			root, base, base, root, root, base, base, base);
	rc = system(cmd);
	close(fd);
	if (rc != 0) {
		char *log_path = xasprintf("%s/npm.log", base);
		char *log = slurp(log_path);
		cr_assert_fail("npm could not install the validator into %s:\n%s", base, log);
	}
	modules = xasprintf("%s/node_modules", base);
	free(cmd);
	free(lock_path);
	free(base);
	return modules;
}

static int validate(const char *modules, const char *files, char **output)
{
	char *out = path_in("validate.txt");
	char *cmd = xasprintf("NODE_PATH='%s' node '%s/tests/k8s/validate.js' %s > '%s' 2>&1",
			      modules, getenv("SANDBENCH_ROOT"), files, out);
	int status = system(cmd);

	*output = slurp(out);
	free(cmd);
	free(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(k8s, manifests_pass_the_kubernetes_schemas)
{
	char *modules = validator_modules();
	char *cal = calibration_file((const char *[]){ "nbody", "richards", NULL });
	char *p = plan("p", (char *[]){ "--runtime-classes", "runc,gvisor,kata-qemu,kata-fc",
		"--smoke", "-b", "nbody", "--node", "worker-1.example", NULL });
	char *q = plan("q", (char *[]){ "--runtime-classes", "default,gvisor", "--rigorous",
		"--rounds", "4", "-b", "nbody,richards", "--node-selector",
		"kubernetes.io/hostname=worker-1", "--loops-from", cal, "--memory", "1536M", NULL });
	char *files = xasprintf("%s/manifests/*.json %s/manifests/*.json", p, q);
	char *broken = path_in("broken.json"), *text, *out;
	json_t *job;
	int status;

	status = validate(modules, files, &out);
	cr_assert_eq(status, 0, "kubernetes-models rejects a manifest:\n%s", out);
	cr_assert(strstr(out, "valid batch/v1 Job") && strstr(out, "valid v1 ConfigMap"), "%s", out);
	free(out);

	/* The validator does reject what the API server would.  */
	free(files);
	files = xasprintf("%s/manifests/job-r1-gvisor.json", p);
	job = load(files);
	json_object_set_new(at(job, "spec"), "backoffLimit", json_string("0"));
	text = json_dumps(job, 0);
	spit(broken, text);
	status = validate(modules, broken, &out);
	cr_assert_eq(status, 1, "a string backoffLimit must fail: %s", out);
	cr_assert(strstr(out, "backoffLimit"), "%s", out);

	free(out);
	free(text);
	json_decref(job);
	free(broken);
	free(files);
	free(p);
	free(q);
	free(cal);
	free(modules);
}

/* ---- job and collect ---- */

/* Run the container command of the Job of (cls, round) natively, the
 * way its pod would; its stdout.  */
static char *run_job_natively(const char *plan_dir, const char *cls, unsigned round)
{
	char *path = xasprintf("%s/manifests/job-r%u-%s.json", plan_dir, round, cls);
	json_t *job = load(path), *args = at(job, "spec.template.spec.containers.0.args"), *a;
	char *argv[32];
	size_t i, n = 0;
	struct cmd c;
	char *out;

	json_array_foreach(args, i, a)
		argv[n++] = (char *)json_string_value(a);
	argv[n] = NULL;
	c = sandbench_in(NULL, argv);
	cr_assert_eq(c.status, 0, "k8s job failed (%d): %s", c.status, c.err);
	cr_assert(strstr(c.err, "syscall_getpid"), "run's progress stays on stderr: %s", c.err);
	out = c.out;
	free(c.err);
	json_decref(job);
	free(path);
	return out;
}

Test(k8s, job_prints_one_result_line)
{
	char *p = plan("p", (char *[]){ "--runtime-classes", "runc,gvisor", "--rounds", "2",
		"--smoke", "-b", "nbody,syscall_getpid", "--node", "n", NULL });
	char *out = run_job_natively(p, "gvisor", 2);
	char *plan_path = xasprintf("%s/plan.json", p);
	json_t *pl = load(plan_path), *b, *r;
	struct bench_error err = { 0 };
	struct ctr_k8s_result res;
	size_t i, j;

	cr_assert(strncmp(out, "SANDBENCH-RESULT v1 ", 20) == 0, "stdout: %.200s", out);
	cr_assert_eq(strchr(out, '\n') - out + 1, (long)strlen(out), "stdout is one line");
	cr_assert_eq(ctr_k8s_result_parse(out, "stdout", &res, &err), 0, "%s", err.msg);
	cr_assert_str_eq(res.run_id, str_at(pl, "run_id"));
	cr_assert_str_eq(res.runtime_class, "gvisor");
	cr_assert_eq(res.round, 2);
	cr_assert_str_eq(str_at(res.suite, "metadata.runtime"), "gvisor");
	cr_assert_eq(json_array_size(json_object_get(res.suite, "benchmarks")), 2);
	json_array_foreach(json_object_get(res.suite, "benchmarks"), i, b)
		json_array_foreach(json_object_get(b, "runs"), j, r)
			cr_assert_eq(json_integer_value(at(r, "metadata.k8s_round")), 2);
	ctr_k8s_result_release(&res);
	json_decref(pl);
	free(plan_path);
	free(out);
	free(p);
}

static const char noise[] = "[1/2] nbody ...\n[1/2] nbody: 134.9 ms +- 0.000 ns\n";

/* As PID 1 of a container the job passes the signals it gets to `run` as
 * they came: Ctrl-C (SIGINT) ends `run` as an interrupt (130), which
 * keeps what it finished, and the job still sends its result line.  */
Test(k8s, job_passes_a_signal_on_to_run_as_it_came)
{
	char *wd = support_hanging_workloads(dir);
	pid_t pid = support_start(dir, "sig", NULL, (char *[]){ "k8s", "job",
		"--run-id=20260101-000000-abcd", "--runtime-class=runc", "--round=1", "--smoke",
		"--workloads-dir", wd, "-b", "float,nbody", NULL });
	struct cmd c;
	char *err = path_in("sig.err"), *text = NULL;

	/* float is done once run has said so; nbody then hangs.  */
	for (int i = 0; i < 6000; i++) {
		free(text);
		text = slurp(err);
		if (text && strstr(text, "float:"))
			break;
		usleep(10000);
	}
	cr_assert(text && strstr(text, "float:"), "float never finished: %s", text ? text : "");
	usleep(200000);
	kill(pid, SIGINT);
	c = support_finish(dir, "sig", pid);
	cr_assert_eq(c.status, 130, "status %d: %s", c.status, c.err);
	cr_assert(strstr(c.out, "SANDBENCH-RESULT"), "no result line: %s", c.out);
	cmd_free(&c);
	free(text);
	free(err);
	free(wd);
}

Test(k8s, collect_names_every_bad_log_and_merges_the_good_ones)
{
	char *p = plan("p", (char *[]){ "--runtime-classes", "runc,gvisor", "--rounds", "1",
		"--smoke", "-b", "syscall_getpid", "--node", "n", NULL });
	char *runc = run_job_natively(p, "runc", 1), *gvisor = run_job_natively(p, "gvisor", 1);
	char *good_runc = path_in("good-runc.log"), *good_gvisor = path_in("good-gvisor.log");
	char *empty = path_in("empty.log"), *trunc = path_in("truncated.log");
	char *dup = path_in("dup.log"), *other = path_in("other.log");
	char *merged_runc = xasprintf("%s/runc.json", p), *merged_gvisor = xasprintf("%s/gvisor.json", p);
	char *report = xasprintf("%s/report.md", p), *text, *cut, *expect;
	json_t *suite;
	struct cmd c;

	text = xasprintf("%s%s", noise, runc);
	spit(good_runc, text);
	free(text);
	text = xasprintf("%s%s", noise, gvisor);
	spit(good_gvisor, text);
	free(text);
	spit(empty, "k8s job: run 1, class gvisor, round 1\nKilled\n");
	cut = xasprintf("%.*s", (int)(strlen(gvisor) / 2), gvisor);
	text = xasprintf("%s%s\n", noise, cut);	/* the result on line 3 */
	spit(trunc, text);
	free(text);
	text = xasprintf("x\n%s", runc);
	spit(dup, text);
	free(text);
	/* A result of another run: the same Job, another run id.  */
	c = SANDBENCH("k8s", "job", "--run-id=19990101-000000-0000", "--runtime-class=runc",
		      "--round=1", "--smoke", "-b", "syscall_getpid");
	cr_assert_eq(c.status, 0, "%s", c.err);
	spit(other, c.out);
	cmd_free(&c);

	/* The truncated result comes before the good one: it must not take
	 * its place.  */
	c = SANDBENCH("k8s", "collect", p, good_runc, trunc, good_gvisor, empty, dup, other);
	cr_assert_eq(c.status, 1, "bad input exits 1 (%d): %s", c.status, c.err);
	expect = xasprintf("%s: no SANDBENCH-RESULT line", empty);
	cr_assert(strstr(c.err, expect), "%s\n(expected: %s)", c.err, expect);
	free(expect);
	expect = xasprintf("%s:3: the result line of gvisor round 1 is truncated or damaged", trunc);
	cr_assert(strstr(c.err, expect), "%s\n(expected: %s)", c.err, expect);
	free(expect);
	expect = xasprintf("%s:2: a second result for runc round 1 (the first is at %s:3)", dup,
			   good_runc);
	cr_assert(strstr(c.err, expect), "%s\n(expected: %s)", c.err, expect);
	free(expect);
	expect = xasprintf("%s:1: a result of run `19990101-000000-0000`, not of this plan's run",
			   other);
	cr_assert(strstr(c.err, expect), "%s\n(expected: %s)", c.err, expect);
	free(expect);
	cr_assert(strstr(c.err, "4 problems"), "%s", c.err);

	/* The good ones are merged and reported.  */
	suite = load(merged_runc);
	cr_assert_eq(values_of(suite, "syscall_getpid"), 1);
	cr_assert_str_eq(str_at(suite, "metadata.runtime"), "runc");
	cr_assert_str_eq(str_at(suite, "metadata.engine"), "kubernetes");
	json_decref(suite);
	suite = load(merged_gvisor);
	cr_assert_eq(values_of(suite, "syscall_getpid"), 1);
	json_decref(suite);
	cr_assert_eq(access(report, F_OK), 0, "the report is written: %s", c.err);
	cmd_free(&c);

	/* `kubectl logs -l ... | sandbench k8s collect DIR`: stdin.  */
	text = xasprintf("%s%s%s", noise, gvisor, runc);
	spit(good_runc, text);
	free(text);
	c = sandbench_in(good_runc, (char *[]){ "k8s", "collect", p, NULL });
	cr_assert_eq(c.status, 0, "good logs on stdin (%d): %s", c.status, c.err);
	cr_assert(strstr(c.err, "2 results"), "%s", c.err);
	cmd_free(&c);

	free(cut);
	free(report);
	free(merged_runc);
	free(merged_gvisor);
	free(good_runc);
	free(good_gvisor);
	free(empty);
	free(trunc);
	free(dup);
	free(other);
	free(runc);
	free(gvisor);
	free(p);
}

Test(k8s, collect_refuses_unusable_arguments)
{
	char *p = plan("p", (char *[]){ "--runtime-classes", "runc,gvisor", "--smoke", "-b",
		"nbody", "--node", "n", NULL });
	char *fifo = path_in("fifo.log");
	struct cmd c = SANDBENCH("k8s", "collect");

	cr_assert_eq(c.status, 2, "%s", c.err);
	cmd_free(&c);
	c = SANDBENCH("k8s", "collect", dir, "x.log");
	cr_assert_eq(c.status, 2, "a folder without plan.json: %s", c.err);
	cr_assert(strstr(c.err, "not a folder written by `sandbench k8s plan`"), "%s", c.err);
	cmd_free(&c);
	c = SANDBENCH("k8s", "collect", p, "--bogus");
	cr_assert_eq(c.status, 2, "%s", c.err);
	cmd_free(&c);
	c = SANDBENCH("k8s", "collect", p, "/nonexistent.log");
	cr_assert_eq(c.status, 1, "a missing log is bad input: %s", c.err);
	cr_assert(strstr(c.err, "open `/nonexistent.log`"), "%s", c.err);
	cmd_free(&c);
	/* A FIFO named as a log is refused, not waited for: a pipe is `-`.  */
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	c = support_finish_within(dir, "cmd", support_start(dir, "cmd", NULL, (char *[]){
		"k8s", "collect", p, fifo, NULL }), 60);
	cr_assert_eq(c.status, 1, "%d\n%s", c.status, c.err);
	cr_assert(strstr(c.err, fifo) && strstr(c.err, "not a regular file"), "%s", c.err);
	cmd_free(&c);
	free(p);
	free(fifo);
}

/* ---- the Jobs' commands under runc and runsc ---- */

Test(k8s, collect_runs_the_jobs_commands_under_runc_and_runsc)
{
	static const char *const names[] = { "nbody", "richards", "syscall_getpid" };
	struct bench_error err = { 0 };
	struct ctr_image img = { 0 };
	char *image_dir = path_in("image"), *logs = path_in("logs"), *p, *order;
	struct ctr_argv collect = { 0 };
	size_t n;
	char **lines;
	struct cmd c;

	cr_assert_not_null(getenv("SANDBENCH"), "run through `make test`");
	if (getuid() != 0)
		cr_skip_test("container runtimes need root here");
	if (!have("runc") || !have("runsc"))
		cr_skip_test("runc and runsc are needed (apt-get install runc runsc)");

	/* The image must hold $SANDBENCH, not this test binary: built by
	 * $SANDBENCH, opened as it is (ctr_image_ensure would rebuild it around
	 * this binary if it found it older).  */
	c = SANDBENCH("image", "build", "--no-podman", "-o", image_dir);
	cr_assert_eq(c.status, 0, "image build: %s", c.err);
	cmd_free(&c);
	cr_assert_eq(ctr_image_open(image_dir, &img, &err), 0, "%s", err.msg);

	p = plan("p", (char *[]){ "--runtime-classes", "runc,gvisor", "--rounds", "2", "--smoke",
		"-b", "nbody,richards,syscall_getpid", "--node", "local", NULL });
	order = xasprintf("%s/apply-order.txt", p);
	lines = lines_of(order, &n);
	cr_assert_eq(n, 4);
	cr_assert_eq(mkdir(logs, 0755), 0);
	ctr_argv_add(&collect, getenv("SANDBENCH"));
	ctr_argv_add(&collect, "k8s");
	ctr_argv_add(&collect, "collect");
	ctr_argv_add(&collect, p);
	for (size_t i = 0; i < n; i++) {
		json_t *job = load(lines[i]), *a;
		const char *cls = json_string_value(json_object_get(at(job, "metadata.labels"),
								    "sandbench.io/runtime-class"));
		const struct ctr_driver *d = ctr_driver_find(strcmp(cls, "gvisor") == 0 ? "runsc" : "runc");
		struct ctr_argv args = { 0 };
		char *results = xasprintf("%s/results-%zu", dir, i);
		char *log = xasprintf("%s/%s.log", logs, str_at(job, "metadata.name"));
		char *label = xasprintf("[%s]", str_at(job, "metadata.name"));
		int fd, exit_status;
		size_t k;

		/* The container's args, after /usr/bin/sandbench.  */
		json_array_foreach(at(job, "spec.template.spec.containers.0.args"), k, a)
			ctr_argv_add(&args, json_string_value(a));
		cr_assert_eq(mkdir(results, 0755), 0);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		cr_assert_geq(fd, 0);
		cr_assert_eq(ctr_run(&(struct ctr_run){ .driver = d, .engine = CTR_ENGINE_OCI,
				.image = &img, .args = (const char *const *)args.v, .results = results,
				.timeout = 300, .log_fd = fd, .label = label }, &exit_status, &err), 0,
			     "%s under %s: %s\n%s", cls, d->name, err.msg, err.detail ? err.detail : "");
		close(fd);
		ctr_argv_add(&collect, log);
		ctr_argv_release(&args);
		free(label);
		free(log);
		free(results);
		json_decref(job);
	}

	c = sandbench_in(NULL, collect.v + 1);
	cr_assert_eq(c.status, 0, "collect (%d): %s", c.status, c.err);
	for (int i = 0; i < 2; i++) {
		char *path = xasprintf("%s/%s.json", p, i ? "gvisor" : "runc");
		json_t *suite = load(path);
		const char *detected = str_at(suite, "metadata.runtime_detected");

		cr_assert_str_eq(str_at(suite, "metadata.runtime"), i ? "gvisor" : "runc");
		cr_assert_str_eq(str_at(suite, "metadata.k8s_runtime_class"), i ? "gvisor" : "runc");
		cr_assert_eq(!!strstr(detected, "gvisor"), i, "%s detected `%s`", path, detected);
		for (size_t k = 0; k < 3; k++)
			cr_assert_eq(values_of(suite, names[k]), 2, "%s: `%s`: one value per round",
				     path, names[k]);
		json_decref(suite);
		free(path);
	}
	{
		char *report = xasprintf("%s/report.md", p);
		cr_assert_eq(access(report, F_OK), 0, "%s", c.out);
		free(report);
	}
	cmd_free(&c);
	ctr_argv_release(&collect);
	ctr_image_release(&img);
	lines_free(lines, n);
	free(order);
	free(p);
	free(logs);
	free(image_dir);
}
