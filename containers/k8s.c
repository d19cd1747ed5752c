/* Kubernetes names, and the making of a plan (containers/k8s.h).  */
#include "containers/k8s.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/harness/runner.h"
#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "categories/registry.h"
#include "containers/driver.h"

/* ---- names ---- */

int ctr_k8s_is_dns_label(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int ctr_k8s_is_label_value(const char *s)
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

int ctr_k8s_is_token(const char *s)
{
	if (!*s || strlen(s) > 63)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-", *s)))
			return 0;
	return 1;
}


/* ---- the plan ---- */

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
static int calibrate(const struct ctr_k8s_plan *p, const char *path, struct bench_error *err)
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

/* RUN-ID: the local time and 16 random bits.  */
static void plan_run_id(struct ctr_k8s_plan *p)
{
	char stamp[32];

	util_local_time("%Y%m%d-%H%M%S", stamp, sizeof(stamp));
	snprintf(p->run_id, sizeof(p->run_id), "%s-%04x", stamp,
		 (unsigned)(util_random() & 0xffff));
}

/* The loops the Jobs get: --loops-from, or a native calibration in
 * DIR/raw.  0, or the exit status.  */
static int plan_calibration(const char *dir, struct ctr_k8s_plan *p,
			    const struct bench_def **sel, size_t nsel)
{
	struct bench_error err = { 0 };
	cleanup_free char *raw = xasprintf("%s/raw", dir);
	cleanup_free char *own = xasprintf("%s/raw/calibration-native.json", dir);
	const char *from = p->loops_from ? p->loops_from : own;
	json_t *full = NULL;
	int rc = 0;

	if (!p->loops_from && (util_mkdir_p(raw, &err) < 0 || calibrate(p, own, &err) < 0) &&
	    access(own, F_OK) != 0) {
		fprintf(stderr, "sandbench: k8s plan: calibration: %s\n", err.msg);
		bench_error_release(&err);
		return 1;
	}
	bench_error_release(&err);
	if (result_read(from, &full, &err) < 0 ||
	    strip_calibration(full, sel, nsel, from, &p->calibration, &err) < 0) {
		fprintf(stderr, "sandbench: k8s plan: %s%s\n", p->loops_from ? "--loops-from: " : "",
			err.msg);
		rc = p->loops_from ? 2 : 1;
	}
	json_decref(full);
	bench_error_release(&err);
	return rc;
}

/* Every Job name within the 63 characters of a label.  */
static int check_job_names(const struct ctr_k8s_plan *p)
{
	for (size_t i = 0; i < p->nclasses; i++) {
		cleanup_free char *name = ctr_k8s_job_name(p, p->classes[i], p->rounds);
		if (strlen(name) > 63) {
			fprintf(stderr, "sandbench: k8s plan: runtime class `%s`: the Job name `%s` "
				"is longer than 63 characters; use a shorter class name\n",
				p->classes[i], name);
			return -1;
		}
	}
	return 0;
}

int ctr_k8s_plan_make(const char *dir, struct ctr_k8s_plan *p, int seeded)
{
	struct bench_error err = { 0 };
	const struct bench_def **sel = NULL;
	cleanup_free char *plan_path = xasprintf("%s/plan.json", dir);
	size_t nsel;
	int rc = 2;

	if (!seeded)
		p->seed = util_random() & 0x7fffffffffffffffULL;	/* stays a JSON integer */
	plan_run_id(p);
	if (check_job_names(p) < 0)
		goto out;
	if (bench_registry_select(p->names, p->categories, &sel, &nsel, &err) < 0 ||
	    util_mkdir_p(dir, &err) < 0) {
		fprintf(stderr, "sandbench: k8s plan: %s\n", err.msg);
		goto out;
	}
	if (access(plan_path, F_OK) == 0) {
		fprintf(stderr, "sandbench: k8s plan: `%s` already holds a plan; choose another -o\n",
			dir);
		goto out;
	}
	if (strcmp(p->profile, "smoke") != 0 && (rc = plan_calibration(dir, p, sel, nsel)) != 0)
		goto out;
	rc = 1;
	if (ctr_k8s_plan_write(dir, p, &err) < 0) {
		fprintf(stderr, "sandbench: k8s plan: %s\n", err.msg);
		goto out;
	}
	printf("k8s plan: run %s, %zu classes x %u rounds (seed %llu): %zu Jobs in %s/manifests\n"
	       "apply them one at a time, in the order of %s/apply-order.txt, keep each Job's\n"
	       "log (kubectl logs), then: sandbench k8s collect %s LOGS...\n",
	       p->run_id, p->nclasses, p->rounds, (unsigned long long)p->seed,
	       p->nclasses * p->rounds, dir, dir, dir);
	rc = 0;
out:
	free(sel);
	json_decref(p->calibration);
	p->calibration = NULL;
	bench_error_release(&err);
	return rc;
}
