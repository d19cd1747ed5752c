/* The drivers' table, what is asked of a driver whatever the engine
 * (installed? usable? its version, its metadata), and argv building.  */
#include "containers/driver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "containers/engine.h"

extern const struct ctr_driver ctr_driver_native, ctr_driver_runc, ctr_driver_crun,
	ctr_driver_runsc, ctr_driver_kata, ctr_driver_kata_qemu, ctr_driver_kata_clh,
	ctr_driver_kata_fc, ctr_driver_kata_dragonball;

const struct ctr_driver *const ctr_drivers[] = {
	&ctr_driver_native, &ctr_driver_runc, &ctr_driver_crun, &ctr_driver_runsc,
	&ctr_driver_kata, &ctr_driver_kata_qemu, &ctr_driver_kata_clh, &ctr_driver_kata_fc,
	&ctr_driver_kata_dragonball, NULL,
};

void ctr_argv_add(struct ctr_argv *a, const char *arg)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = xstrdup(arg);
	a->v[a->n] = NULL;
}

void ctr_argv_addf(struct ctr_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	ctr_argv_add(a, s);
	free(s);
}

void ctr_argv_release(struct ctr_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

const struct ctr_driver *ctr_driver_find(const char *name)
{
	for (size_t i = 0; ctr_drivers[i]; i++)
		if (strcmp(ctr_drivers[i]->name, name) == 0)
			return ctr_drivers[i];
	return NULL;
}

char *ctr_which(const char *binary)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL;

	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", dir, binary);
		if (access(full, X_OK) == 0)
			return full;
		free(full);
	}
	/* root's PATH may lack /usr/sbin, where Debian puts runc.  */
	for (const char *dir = "/usr/sbin"; dir; dir = NULL) {
		char *full = xasprintf("%s/%s", dir, binary);
		if (access(full, X_OK) == 0)
			return full;
		free(full);
	}
	return NULL;
}

static int in_path(const char *binary)
{
	cleanup_free char *full = ctr_which(binary);
	return full != NULL;
}

int ctr_driver_available(const struct ctr_driver *d, struct bench_error *err)
{
	if (d->check)
		return d->check(d, err);
	if (d->binary && !in_path(d->binary)) {
		if (d->package)
			return bench_error_set(err, 0, "runtime `%s`: `%s` is not installed "
					       "(apt-get install %s)", d->name, d->binary, d->package);
		return bench_error_set(err, 0, "runtime `%s`: `%s` is not installed (it is not "
				       "packaged in Debian 12: see https://katacontainers.io)",
				       d->name, d->binary);
	}
	return 0;
}

int ctr_driver_usable(const struct ctr_driver *d, enum ctr_engine engine, struct bench_error *err)
{
	return d->usable ? d->usable(d, engine, err) : ctr_engine_usable(d, engine, err);
}

void ctr_driver_version(const struct ctr_driver *d, char *buf, size_t size)
{
	char *argv[] = { (char *)d->binary, "--version", NULL };
	cleanup_free char *out = NULL;
	int status;

	snprintf(buf, size, "unknown");
	if (!d->binary) {
		snprintf(buf, size, "none");
		return;
	}
	if (child_capture(argv, &out, NULL, &status, NULL) == 0 && out[0]) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(buf, size, "%s", out);
	}
}

void ctr_podman_runtime(const struct ctr_driver *d, struct ctr_argv *argv)
{
	ctr_argv_add(argv, "--runtime");
	ctr_argv_add(argv, d->binary);
}

void ctr_container_metadata(const struct ctr_driver *d, enum ctr_engine engine, json_t *md)
{
	const struct ctr_engine_ops *e = ctr_engine_ops(engine);
	json_t *extra;

	json_object_set_new(md, "engine", json_string(e->name));
	if (e->metadata)
		e->metadata(d, md);
	if (d->metadata && (extra = d->metadata(d))) {
		json_object_update(md, extra);
		json_decref(extra);
	}
}

void ctr_run_metadata(const struct ctr_driver *d, enum ctr_engine engine, json_t *md)
{
	(d->run_metadata ? d->run_metadata : ctr_container_metadata)(d, engine, md);
}

int ctr_quiet_run(char *const argv[])
{
	cleanup_free char *out = NULL;
	cleanup_free char *e = NULL;
	int status;

	if (child_capture(argv, &out, &e, &status, NULL) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}
