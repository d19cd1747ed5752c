/* native: no container, the binary itself on the host (the baseline).  So
 * no engine, no bundle, no network namespace: it runs through any engine.  */
#include <string.h>

#include "bench/lib/util.h"
#include "containers/engine.h"

static int native_usable(const struct ctr_driver *d, enum ctr_engine engine,
			 struct bench_error *err)
{
	(void)d;
	(void)engine;
	(void)err;
	return 0;
}

/* Our own environment, and what containers are told of their runtime.  */
static int native_prepare(const struct ctr_run *run, struct ctr_prepared *pr,
			  struct bench_error *err)
{
	extern char **environ;
	static const char mark[] = "SANDBENCH_RUNTIME=", tmpdir[] = "TMPDIR=";

	(void)err;
	ctr_argv_add(&pr->argv, util_self_exe());
	for (size_t i = 0; run->args[i]; i++)
		ctr_argv_add(&pr->argv, run->args[i]);
	for (char **e = environ; *e; e++)
		if (strncmp(*e, mark, sizeof(mark) - 1) != 0 &&
		    !(pr->scratch && strncmp(*e, tmpdir, sizeof(tmpdir) - 1) == 0))
			ctr_argv_add(&pr->env, *e);
	ctr_argv_addf(&pr->env, "%snative", mark);
	/* Its scratch folder (containers/scratch.c), as /tmp is a container's.  */
	if (pr->scratch)
		ctr_argv_addf(&pr->env, "%s%s", tmpdir, pr->scratch);
	return 0;
}

static void native_metadata(const struct ctr_driver *d, enum ctr_engine engine, json_t *md)
{
	(void)d;
	(void)engine;
	json_object_set_new(md, "engine", json_string("none"));
}

const struct ctr_driver ctr_driver_native = {
	.name = "native",
	.binary = NULL,
	.flags = CTR_NO_CONTAINER,
	.usable = native_usable,
	.prepare = native_prepare,
	.run_metadata = native_metadata,
};
