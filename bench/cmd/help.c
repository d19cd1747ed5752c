/* `sandbench --help` and `--version`.  */
#include <stdio.h>

#include "bench/cmd/cmd.h"
#include "bench/harness/metadata.h"
#include "embed/py.h"

const char usage_main[] =
	"usage: sandbench COMMAND [OPTIONS]\n"
	"\n"
	"Measure what a container runtime costs Python code: a pyperformance-style\n"
	"suite run by an embedded CPython, with results in pyperf's JSON format.\n"
	"\n"
	"commands:\n"
	"  list      list the benchmarks with their category and kind\n"
	"  run       run benchmarks and write a result file\n"
	"  timeit    measure one Python statement the same way\n"
	"  env       print the metadata of this machine or container\n"
	"  image     build the container image from this host's files\n"
	"  matrix    run the suite under several container runtimes, interleaved\n"
	"  k8s       the same on a Kubernetes node: Jobs per RuntimeClass, collected\n"
	"  compare   compare result files, one per runtime, against a reference\n"
	"  report    compare the result files in a folder and write the report there\n"
	"  explain   say why: kernel share, faults, context switches, system calls\n"
	"            and what they cost (--budget)\n"
	"\n"
	"`sandbench COMMAND --help` describes each command; --version prints the version.\n";

int cmd_help(int argc, char **argv)
{
	fputs(usage_main, stdout);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	printf("sandbench %s (Python %s)\n", SANDBENCH_VERSION, py_version());
	return 0;
}
