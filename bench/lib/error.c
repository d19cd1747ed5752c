#include "bench/lib/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bench_error_set(struct bench_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->errnum = errnum;
	n = strlen(err->msg);
	if (errnum && n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	return -1;
}

void bench_error_set_detail(struct bench_error *err, char *detail)
{
	if (!err) {
		free(detail);
		return;
	}
	free(err->detail);
	err->detail = detail;
}

int bench_error_prefix(struct bench_error *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	return -1;
}

void bench_error_release(struct bench_error *err)
{
	free(err->detail);
	err->detail = NULL;
	err->msg[0] = '\0';
	err->errnum = 0;
	err->skip = 0;
}
