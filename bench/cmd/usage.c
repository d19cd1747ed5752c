#include <stdarg.h>
#include <stdio.h>

#include "bench/cmd/cmd.h"

int cmd_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fputs("sandbench: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "\n%s", usage);
	return 2;
}
