#include <getopt.h>
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

int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	int index = -1, c = getopt_long(argc, argv, shortopts, longopts, &index);

	if (c != -1 && c != '?' && c != ':' && optarg && !*optarg) {
		if (index >= 0)
			fprintf(stderr, "sandbench: --%s: an empty value: give a path or a value\n",
				longopts[index].name);
		else
			fprintf(stderr, "sandbench: -%c: an empty value: give a path or a value\n", c);
		return '?';
	}
	return c;
}
