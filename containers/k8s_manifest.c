/* The files of a Kubernetes plan: a Job per class and round, the
 * ConfigMap of the loops, the order to apply them in, DIR/plan.json.  */
#include "containers/k8s.h"

#include <string.h>

#include "bench/harness/metadata.h"
#include "bench/harness/runner.h"
#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/util.h"
#include "containers/driver.h"
#include "containers/matrix.h"

#define CALIBRATION_DIR "/calibration"
/* A ConfigMap is stored in etcd, whose objects are limited to 1 MiB.  */
#define CONFIGMAP_MAX_BYTES 1000000

/* The cluster's default runtime has no RuntimeClass of its own.  */
static int is_default_class(const char *cls)
{
	return strcmp(cls, "runc") == 0 || strcmp(cls, "default") == 0;
}

char *ctr_k8s_job_name(const struct ctr_k8s_plan *p, const char *cls, unsigned round)
{
	return xasprintf("sandbench-%s-r%u-%s", p->run_id, round, cls);
}

static char *configmap_name(const struct ctr_k8s_plan *p)
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
static void job_args(const struct ctr_k8s_plan *p, const char *cls, unsigned round,
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

static json_t *labels(const struct ctr_k8s_plan *p, const char *cls, unsigned round)
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

/* The environment the matrix's containers get, and who we are: the
 * downward API cannot tell a pod its runtime class.  */
static json_t *job_env(const struct ctr_k8s_plan *p, const char *cls, unsigned round)
{
	json_t *env = json_array();

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
	return env;
}

/* Where and as whom the pod runs.  */
static json_t *pod_spec(const struct ctr_k8s_plan *p, const char *cls, json_t *container,
			json_t *volumes)
{
	json_t *pod = json_object();

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
			    json_pack("{s:b, s:i, s:i}", "runAsNonRoot", 1, "runAsUser",
				      LIMIT_CONTAINER_UID, "runAsGroup", LIMIT_CONTAINER_UID));
	json_object_set_new(pod, "containers", json_pack("[o]", container));
	json_object_set_new(pod, "volumes", volumes);
	return pod;
}

static json_t *job_manifest(const struct ctr_k8s_plan *p, const char *cls, unsigned round)
{
	cleanup_free char *name = ctr_k8s_job_name(p, cls, round);
	cleanup_free char *memory = quantity(p->memory);
	struct ctr_argv a = { 0 };
	json_t *args = json_array(), *env = job_env(p, cls, round), *mounts = json_array();
	json_t *volumes = json_array(), *resources, *container, *pod;

	job_args(p, cls, round, &a);
	for (size_t i = 0; i < a.n; i++)
		json_array_append_new(args, json_string(a.v[i]));
	ctr_argv_release(&a);

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
			      "securityContext", "runAsNonRoot", 1, "runAsUser", LIMIT_CONTAINER_UID,
			      "runAsGroup", LIMIT_CONTAINER_UID, "readOnlyRootFilesystem", 1,
			      "allowPrivilegeEscalation", 0, "capabilities", "drop", "ALL");

	pod = pod_spec(p, cls, container, volumes);

	/* No retry: a second attempt would be a different measurement.  */
	return json_pack("{s:s, s:s, s:{s:s, s:o}, s:{s:i, s:I, s:{s:{s:o}, s:o}}}",
			 "apiVersion", "batch/v1", "kind", "Job",
			 "metadata", "name", name, "labels", labels(p, cls, round),
			 "spec", "backoffLimit", 0, "activeDeadlineSeconds", (json_int_t)p->deadline,
			 "template", "metadata", "labels", labels(p, cls, round), "spec", pod);
}

static json_t *configmap_manifest(const struct ctr_k8s_plan *p, const char *text)
{
	cleanup_free char *name = configmap_name(p);

	return json_pack("{s:s, s:s, s:{s:s, s:o}, s:{s:s}}", "apiVersion", "v1",
			 "kind", "ConfigMap", "metadata", "name", name, "labels", labels(p, NULL, 0),
			 "data", "calibration.json", text);
}

/* Keep only what --loops-from needs, for the selected benchmarks: their
 * metadata (loops) and first run.  A benchmark without loops would be
 * calibrated in each Job, so loops could differ between classes.  */

static json_t *plan_to_json(const struct ctr_k8s_plan *p, json_t *jobs)
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

/* plan.json last, so that its presence means the plan is whole.  */
int ctr_k8s_plan_write(const char *dir, struct ctr_k8s_plan *p, struct bench_error *err)
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
			cleanup_free char *name = ctr_k8s_job_name(p, cls, r + 1);
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
