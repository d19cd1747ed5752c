/* `sandbench env`: the metadata of this machine or container.  */
#include <stdio.h>

#include "bench/cmd/cmd.h"
#include "bench/harness/metadata.h"

const char usage_env[] =
	"usage: sandbench env\n"
	"\n"
	"Print the metadata recorded in result files, as JSON: host, CPU, kernel,\n"
	"Python, the clock and its read cost, and the runtime detected from inside\n"
	"(bare host, container, virtual machine, gvisor).\n";

int env_parse(int argc, char **argv)
{
	if (argc > 1)
		return cmd_usage_error(usage_env, "unexpected argument `%s`", argv[1]);
	return 0;
}

int cmd_env(int argc, char **argv)
{
	json_t *md;
	int rc = env_parse(argc, argv);

	if (rc)
		return rc;
	md = metadata_collect();
	json_dumpf(md, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("\n");
	json_decref(md);
	return 0;
}
