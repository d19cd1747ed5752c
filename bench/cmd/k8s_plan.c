/* `sandbench k8s plan`: the command line of ctr_k8s_plan_make.  */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cmd/cmd.h"
#include "bench/lib/util.h"

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

#define BAD(...) cmd_usage_error(usage_k8s, "k8s: " __VA_ARGS__)

/* The numbers.  1: not one of them.  */
static int number_option(int c, struct k8s_plan_options *o)
{
	struct ctr_k8s_plan *p = &o->plan;
	long v;

	switch (c) {
	case O_ROUNDS:
		if (util_parse_long(optarg, 1, LIMIT_ROUNDS, &v) < 0)
			return BAD("bad --rounds `%s`: give 1 to %d", optarg, LIMIT_ROUNDS);
		p->rounds = (unsigned)v;
		return 0;
	case O_CPUS:
		/* Whole CPUs: a fraction is a CFS quota, not cores of its own.  */
		if (util_parse_long(optarg, 1, 1024, &p->cpus) < 0)
			return BAD("bad --cpus `%s`: give a whole number of CPUs", optarg);
		return 0;
	case O_MEMORY:
		p->memory = ctr_parse_size(optarg);
		if (p->memory < (64LL << 20))
			return BAD("bad --memory `%s`: give a size of at least 64M, e.g. 4G", optarg);
		return 0;
	case O_DEADLINE:
		if (util_parse_long(optarg, 1, 30L * 86400, &p->deadline) < 0)
			return BAD("bad --deadline `%s`: give whole seconds", optarg);
		return 0;
	case O_SEED:
		if (util_parse_long(optarg, 0, 0x7fffffffffffffffL, &v) < 0)
			return BAD("bad --seed `%s`: give a number >= 0", optarg);
		p->seed = (uint64_t)v;
		o->seeded = 1;
		return 0;
	}
	return 1;
}

/* --runtime-classes LIST: names of RuntimeClasses, each once.  */
static int plan_classes(struct ctr_k8s_plan *p, char *list)
{
	for (char *save = NULL, *cls = strtok_r(list, ",", &save); cls;
	     cls = strtok_r(NULL, ",", &save)) {
		if (!ctr_k8s_is_dns_label(cls))
			return BAD("runtime class `%s`: give a RuntimeClass name (lowercase letters, "
				   "digits and '-', at most 63)", cls);
		/* DIR/CLASS.json must not be the plan, the report or what
		 * `sandbench report` skips.  */
		if (strcmp(cls, "plan") == 0 || strcmp(cls, "report") == 0 ||
		    strcmp(cls, "matrix") == 0)
			return BAD("runtime class `%s`: the name is taken by a file of the plan folder",
				   cls);
		for (size_t i = 0; i < p->nclasses; i++)
			if (strcmp(p->classes[i], cls) == 0)
				return BAD("runtime class `%s` is given twice", cls);
		if (p->nclasses == LIMIT_RUNTIMES)
			return BAD("at most %d runtime classes", LIMIT_RUNTIMES);
		p->classes[p->nclasses++] = cls;
	}
	if (p->nclasses == 0)
		return BAD("%s", "--runtime-classes: give at least one class");
	return 0;
}

/* Where the Jobs run: --node NAME or --node-selector KEY=VALUE.  */
static int plan_node(struct ctr_k8s_plan *p, const char *selector)
{
	const char *eq = selector ? strchr(selector, '=') : NULL;

	if (p->node && (!*p->node || strlen(p->node) > 253 ||
			strspn(p->node, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(p->node)))
		return BAD("bad --node `%s`: give a node name as `kubectl get nodes` shows it",
			   p->node);
	if (!selector)
		return 0;
	if (!eq || eq == selector || !ctr_k8s_is_label_value(eq + 1) || strpbrk(selector, " \t\n"))
		return BAD("bad --node-selector `%s`: give KEY=VALUE, e.g. "
			   "kubernetes.io/hostname=NODE", selector);
	p->selector_key = xasprintf("%.*s", (int)(eq - selector), selector);
	p->selector_value = xstrdup(eq + 1);
	return 0;
}

/* What only makes sense together.  */
static int plan_check(struct k8s_plan_options *o, const char *selector, int profiles)
{
	struct ctr_k8s_plan *p = &o->plan;

	if (!o->classes || !p->image || !o->dir)
		return BAD("%s", "plan: give --runtime-classes, --image and -o DIR");
	if (!!p->node == !!selector)
		return BAD("%s", "plan: give one of --node and --node-selector: every Job must "
			   "run on the same node");
	if (profiles > 1)
		return BAD("%s", "plan: choose one of --fast, --rigorous and --smoke");
	if (p->loops_from && strcmp(p->profile, "smoke") == 0)
		return BAD("%s", "plan: --smoke runs 1 loop: --loops-from has no use");
	if (strpbrk(p->image, " \t\n") || !*p->image)
		return BAD("bad --image `%s`", p->image);
	return plan_node(p, selector) ?: plan_classes(p, o->classes);
}

int k8s_plan_parse(int argc, char **argv, struct k8s_plan_options *o)
{
	struct ctr_k8s_plan *p = &o->plan;
	const char *selector = NULL;
	int c, rc, profiles = 0;

	*o = (struct k8s_plan_options){ .plan = { .rounds = 2, .cpus = 2, .memory = 4LL << 30,
						  .deadline = 3600, .profile = "default" } };
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "o:b:c:", longopts)) != -1) {
		if ((rc = number_option(c, o)) != 1) {
			if (rc)
				return rc;
			continue;
		}
		switch (c) {
		case O_CLASSES:
			free(o->classes);
			o->classes = xstrdup(optarg);
			break;
		case O_IMAGE: p->image = optarg; break;
		case O_NODE: p->node = optarg; break;
		case O_SELECTOR: selector = optarg; break;
		case 'o': o->dir = optarg; break;
		case 'b': p->names = optarg; break;
		case 'c': p->categories = optarg; break;
		case O_LOOPS_FROM: p->loops_from = optarg; break;
		case O_FAST: p->profile = "fast", profiles++; break;
		case O_RIGOROUS: p->profile = "rigorous", profiles++; break;
		case O_SMOKE: p->profile = "smoke", profiles++; break;
		default:
			return cmd_usage_error(usage_k8s, NULL);
		}
	}
	if (optind < argc)
		return BAD("plan: unexpected argument `%s`", argv[optind]);
	return plan_check(o, selector, profiles);
}

void k8s_plan_release(struct k8s_plan_options *o)
{
	free(o->plan.selector_key);
	free(o->plan.selector_value);
	free(o->classes);
	o->plan.selector_key = o->plan.selector_value = o->classes = NULL;
}

int cmd_k8s_plan(int argc, char **argv)
{
	struct k8s_plan_options o;
	int rc = k8s_plan_parse(argc, argv, &o);

	if (rc == 0)
		rc = ctr_k8s_plan_make(o.dir, &o.plan, o.seeded);
	k8s_plan_release(&o);
	return rc;
}
