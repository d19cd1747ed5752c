/* sandbench: what does this sandbox cost my Python code, and where?  The
 * commands, each in bench/cmd/NAME.c.  */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/cmd/cmd.h"
#include "bench/cmd/explain.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;	/* NULL: internal, no --help */
} commands[] = {
	{ "list", cmd_list, usage_list },
	{ "run", cmd_run, usage_run },
	{ "timeit", cmd_timeit, usage_timeit },
	{ "env", cmd_env, usage_env },
	{ "image", cmd_image, usage_image },
	{ "matrix", cmd_matrix, usage_matrix },
	{ "k8s", cmd_k8s, usage_k8s },
	{ "compare", cmd_compare, usage_compare },
	{ "report", cmd_report, usage_report },
	{ "explain", cmd_explain, usage_explain },
	/* internal modes of the re-executed binary */
	{ "__worker", cmd_worker, NULL },
	{ "__serve", cmd_serve, NULL },
	{ "__child", cmd_child, NULL },
	{ "__startup", cmd_startup, NULL },
	{ "__noop", cmd_noop, NULL },
};

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/* Output lost (a closed stdout, a full disk) is an error, as coreutils
 * say it: flushed here, where it would otherwise be lost in silence.  */
static int close_stdout(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "sandbench: write error on stdout: %s\n", strerror(errno));
		return rc ? rc : 1;
	}
	return rc;
}

static int run_command(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_main, stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return cmd_help(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (commands[i].usage && wants_help(argc - 1, argv + 1)) {
			fputs(commands[i].usage, stdout);
			return 0;
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "sandbench: unknown command `%s`; commands: list run timeit env image "
		"matrix k8s compare report explain\nTry `sandbench --help`.\n", argv[1]);
	return 2;
}

int main(int argc, char **argv)
{
	int rc = run_command(argc, argv);

	/* The internal commands (__worker...) keep their own streams.  */
	return argc >= 2 && argv[1][0] == '_' ? rc : close_stdout(rc);
}
