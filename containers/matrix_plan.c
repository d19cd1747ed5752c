/* The plan of a matrix: what the command line asked for, recorded in
 * DIR/matrix.json so that --resume can finish it.  */
#include "containers/matrix.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bench/harness/protocol.h"
#include "bench/harness/runner.h"
#include "bench/harness/worker.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "containers/image.h"
#include "containers/lockstep.h"
#include "containers/placement.h"

void ctr_matrix_plan_init(struct ctr_matrix_plan *p)
{
	*p = (struct ctr_matrix_plan){ .timeout = 3600, .profile = "default",
				       .image_dir = ctr_image_default_dir(), .lockstep = 1,
				       .value_time = 0.01, .target = -1, .lead_in = LOCKSTEP_LEAD_IN };
}

int ctr_matrix_plan_add(struct ctr_matrix_plan *p, const char *name, struct bench_error *err)
{
	const struct ctr_driver *d = ctr_driver_find(name);
	int times = 1;

	if (!d)
		return bench_error_set(err, 0, "unknown runtime `%s`; runtimes: native runc crun "
				       "runsc kata kata-qemu kata-clh kata-fc kata-dragonball", name);
	if (p->nruntimes == LIMIT_RUNTIMES)
		return bench_error_set(err, 0, "at most %d runtimes", LIMIT_RUNTIMES);
	for (size_t i = 0; i < p->nruntimes; i++)
		times += ctr_matrix_driver(p->runtimes[i]) == d;
	if (times == 1)
		snprintf(p->labels[p->nruntimes], sizeof(p->labels[0]), "%s", name);
	else
		snprintf(p->labels[p->nruntimes], sizeof(p->labels[0]), "%s-%d", name, times);
	p->runtimes[p->nruntimes] = p->labels[p->nruntimes];
	p->nruntimes++;
	return 0;
}

double ctr_matrix_lead_in(const struct ctr_matrix_plan *p, const char *label, int *warmup)
{
	int helpers = 0;

	for (size_t i = 0; i < p->nruntimes; i++)
		helpers |= (int)(ctr_matrix_driver(p->runtimes[i])->flags & CTR_HELPERS);
	*warmup = p->value_warmup || (helpers && p->lead_in > 0);
	return ctr_matrix_driver(label)->flags & CTR_HELPERS ? p->lead_in : 0;
}

const struct ctr_driver *ctr_matrix_driver(const char *label)
{
	const struct ctr_driver *d = ctr_driver_find(label);
	const char *dash = strrchr(label, '-');
	char name[32];

	if (d)
		return d;
	if (!dash || dash == label || !dash[1] || strspn(dash + 1, "0123456789") != strlen(dash + 1) ||
	    (size_t)(dash - label) >= sizeof(name))
		return NULL;
	memcpy(name, label, (size_t)(dash - label));
	name[dash - label] = '\0';
	return ctr_driver_find(name);
}

long long ctr_parse_size(const char *s)
{
	char *end;
	double v;
	long long mult = 1;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': mult = 1LL << 10; end++; break;
	case 'm': case 'M': mult = 1LL << 20; end++; break;
	case 'g': case 'G': mult = 1LL << 30; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	/* Converting a double beyond long long is undefined: refuse it.  */
	if (*end || !(v * (double)mult < (double)LLONG_MAX))
		return -1;
	return (long long)(v * (double)mult);
}

/* The lockstep part of the plan (a plan without "design" is a processes one,
 * written before the lockstep design).  A new object.  */
static json_t *lockstep_plan_to_json(const struct ctr_matrix_plan *p)
{
	return json_pack("{s:s, s:s, s:s?, s:f, s:i, s:i, s:f, s:s, s:b, s:f, s:s}",
			 "design", p->lockstep ? "lockstep" : "processes",
			 "pin", ctr_pin_name(p->pin), "pin_cpus", p->pin_cpus,
			 "value_time", p->value_time,
			 "values", (int)p->values, "slots", (int)p->slots, "target", p->target,
			 "seeds", p->independent_seeds ? "independent" : "same",
			 "value_warmup", p->value_warmup, "lead_in", p->lead_in, "run_id", p->run_id);
}

/* Read the lockstep part back, bounded as the command line bounds it.  */
static int lockstep_plan_from_json(json_t *j, struct ctr_matrix_plan *p)
{
	const char *design = json_string_value(json_object_get(j, "design"));
	const char *pin = json_string_value(json_object_get(j, "pin"));
	json_t *target = json_object_get(j, "target");
	cpu_set_t set;

	p->lockstep = design && strcmp(design, "lockstep") == 0;
	if (design && !p->lockstep && strcmp(design, "processes") != 0)
		return -1;
	/* A lockstep plan from before placement pinned every slot.  */
	p->pin = !pin ? (p->lockstep ? CTR_PIN_SANDBOX : CTR_PIN_NONE) :
		 strcmp(pin, "sandbox") == 0 ? CTR_PIN_SANDBOX :
		 strcmp(pin, "worker") == 0 ? CTR_PIN_WORKER : CTR_PIN_NONE;
	if (pin && p->pin == CTR_PIN_NONE && strcmp(pin, "none") != 0)
		return -1;
	p->pin_cpus = json_string_value(json_object_get(j, "pin_cpus"));
	if ((p->pin && !p->lockstep) || (p->pin_cpus && worker_parse_cpus(p->pin_cpus, &set) < 0) ||
	    (p->cpus && worker_parse_cpus(p->cpus, &set) < 0))
		return -1;
	p->value_time = json_number_value(json_object_get(j, "value_time"));
	p->values = (unsigned)json_integer_value(json_object_get(j, "values"));
	p->slots = (unsigned)json_integer_value(json_object_get(j, "slots"));
	p->target = target ? json_number_value(target) : -1;
	p->independent_seeds = strcmp(json_string_value(json_object_get(j, "seeds")) ?: "same",
				      "independent") == 0;
	p->value_warmup = json_is_true(json_object_get(j, "value_warmup"));
	/* A plan from before the lead-in had none.  */
	p->lead_in = json_number_value(json_object_get(j, "lead_in"));
	p->run_id = json_string_value(json_object_get(j, "run_id"));
	if (!p->run_id) {
		snprintf(p->run_id_buf, sizeof(p->run_id_buf), "%llu", (unsigned long long)p->seed);
		p->run_id = p->run_id_buf;
	}
	/* It becomes suite metadata: one non-empty line.  */
	if (!p->run_id[0] || strchr(p->run_id, '\n'))
		return -1;
	if (p->lockstep && (!(p->value_time > 0 && p->value_time <= 60) ||
			    json_integer_value(json_object_get(j, "values")) > LOCKSTEP_MAX_VALUES ||
			    json_integer_value(json_object_get(j, "values")) < 0 ||
			    p->slots > LOCKSTEP_MAX_SLOTS || !(p->target < 1) ||
			    !(p->lead_in >= 0 && p->lead_in <= PROTO_MAX_LEAD_IN)))
		return -1;
	return 0;
}

static json_t *plan_to_json(const struct ctr_matrix_plan *p, json_t *done)
{
	json_t *rts = json_array();

	for (size_t i = 0; i < p->nruntimes; i++)
		json_array_append_new(rts, json_string(p->runtimes[i]));
	json_t *j = json_pack("{s:o, s:i, s:I, s:s, s:s?, s:I, s:f, s:s?, s:s?, s:s, s:s, s:O}",
			      "runtimes", rts, "rounds", (int)p->rounds, "seed", (json_int_t)p->seed,
			      "engine", ctr_engine_name(p->engine),
			      "cpus", p->cpus, "memory", (json_int_t)p->memory, "timeout", p->timeout,
			      "benchmarks", p->names, "categories", p->categories,
			      "profile", p->profile, "image", p->image_dir, "done", done);

	json_t *ls = lockstep_plan_to_json(p);

	json_object_update(j, ls);
	json_decref(ls);
	json_object_set_new(j, "scratch", json_string(ctr_scratch_name(p->scratch)));
	return j;
}

int ctr_matrix_plan_save(const char *dir, const struct ctr_matrix_plan *p, json_t *done, struct bench_error *err)
{
	cleanup_free char *path = xasprintf("%s/matrix.json", dir);
	json_t *j = plan_to_json(p, done);
	cleanup_free char *text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	if (!text)
		return bench_error_set(err, 0, "write `%s`: cannot encode the plan", path);
	return util_write_file_atomic(path, text, strlen(text), err);
}

int ctr_matrix_plan_load(const char *dir, struct ctr_matrix_plan *p, json_t **root, struct bench_error *err)
{
	cleanup_free char *path = xasprintf("%s/matrix.json", dir);
	cleanup_free char *text = NULL;
	json_t *j, *rts, *v;
	size_t i;

	if (util_read_file(path, LIMIT_SMALL_FILE, &text, NULL, err) < 0)
		return bench_error_prefix(err, "--resume `%s`: not a matrix folder", dir);
	j = json_loads(text, 0, NULL);
	rts = json_object_get(j, "runtimes");
	/* The plan is read back from disk: bound what sizes allocations and
	 * deadlines as the command line does (--rounds, --timeout).  */
	if (!json_is_array(rts) || json_array_size(rts) == 0 || json_array_size(rts) > LIMIT_RUNTIMES ||
	    json_integer_value(json_object_get(j, "rounds")) < 1 ||
	    json_integer_value(json_object_get(j, "rounds")) > LIMIT_ROUNDS ||
	    !(json_number_value(json_object_get(j, "timeout")) >= 0 &&
	      json_number_value(json_object_get(j, "timeout")) <= 1e9)) {
		json_decref(j);
		return bench_error_set(err, 0, "%s: not a plan written by sandbench matrix", path);
	}
	memset(p, 0, sizeof(*p));
	json_array_foreach(rts, i, v)
		p->runtimes[p->nruntimes++] = json_string_value(v);
	p->rounds = (unsigned)json_integer_value(json_object_get(j, "rounds"));
	p->seed = (uint64_t)json_integer_value(json_object_get(j, "seed"));
	p->engine = CTR_ENGINE_OCI;
	if (ctr_engine_parse(json_string_value(json_object_get(j, "engine")) ?: "oci", &p->engine) < 0) {
		json_decref(j);
		return bench_error_set(err, 0, "%s: not a plan written by sandbench matrix", path);
	}
	p->cpus = json_string_value(json_object_get(j, "cpus"));
	p->memory = json_integer_value(json_object_get(j, "memory"));
	/* Plans from before --scratch had a tmpfs for containers only.  */
	if (ctr_scratch_parse(json_string_value(json_object_get(j, "scratch")) ?: "tmpfs",
			      &p->scratch) < 0) {
		json_decref(j);
		return bench_error_set(err, 0, "%s: not a plan written by sandbench matrix", path);
	}
	p->timeout = json_number_value(json_object_get(j, "timeout"));
	p->names = json_string_value(json_object_get(j, "benchmarks"));
	p->categories = json_string_value(json_object_get(j, "categories"));
	p->profile = json_string_value(json_object_get(j, "profile")) ?: "default";
	if (!runner_profile(p->profile)) {
		json_decref(j);
		return bench_error_set(err, 0, "%s: not a plan written by sandbench matrix", path);
	}
	p->image_dir = json_string_value(json_object_get(j, "image")) ?: ctr_image_default_dir();
	if (lockstep_plan_from_json(j, p) < 0) {
		json_decref(j);
		return bench_error_set(err, 0, "%s: not a plan written by sandbench matrix", path);
	}
	for (i = 0; i < p->nruntimes; i++) {
		if (!p->runtimes[i] || !ctr_matrix_driver(p->runtimes[i])) {
			json_decref(j);
			return bench_error_set(err, 0, "%s: unknown runtime in the plan", path);
		}
		/* Two lanes of one label would write the same files.  */
		for (size_t k = 0; k < i; k++)
			if (strcmp(p->runtimes[k], p->runtimes[i]) == 0) {
				/* The name is j's: said before j goes.  */
				bench_error_set(err, 0, "%s: runtime `%s` twice in the plan", path,
						p->runtimes[i]);
				json_decref(j);
				return -1;
			}
	}
	*root = j;
	return 0;
}
