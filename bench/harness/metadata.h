/* Metadata of the machine (or container) a run happens in.  */
#ifndef BENCH_METADATA_H
#define BENCH_METADATA_H

#include <jansson.h>
#include <stddef.h>

#define SANDBENCH_VERSION "0.1.0"

/* The suite-level metadata: pyperf's keys (hostname, platform,
 * cpu_model_name, cpu_count, aslr, python_version, python_implementation,
 * python_executable, timer) and ours (python_link: "static" or "shared",
 * sandbench_version, clock_read_cost_ns, runtime_detected and its evidence,
 * kernel).  A new object.  */
json_t *metadata_collect(void);

/* What the process can tell about where it runs, e.g. "gvisor",
 * "container, virtual machine", "bare host".  */
void metadata_detect_runtime(char *buf, size_t size);

/* The local time as pyperf writes dates: "2026-11-27 10:00:00.123456".  */
void metadata_date(char *buf, size_t size);

#endif
