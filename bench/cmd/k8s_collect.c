/* `sandbench k8s collect DIR [LOGFILE... | -]`.  */
#include "bench/cmd/cmd.h"

int k8s_collect_parse(int argc, char **argv, struct k8s_collect_options *o)
{
	*o = (struct k8s_collect_options){ 0 };
	if (argc < 2)
		return cmd_usage_error(usage_k8s, "%s", "k8s: collect: give the plan folder DIR, "
				       "then the log files");
	for (int i = 2; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1])
			return cmd_usage_error(usage_k8s, "k8s: collect: unknown option `%s`", argv[i]);
	o->dir = argv[1];
	o->logs = argv + 2;
	o->nlogs = argc - 2;
	return 0;
}

int cmd_k8s_collect(int argc, char **argv)
{
	struct k8s_collect_options o;
	int rc = k8s_collect_parse(argc, argv, &o);

	if (rc)
		return rc;
	return ctr_k8s_collect(o.dir, o.logs, o.nlogs);
}
