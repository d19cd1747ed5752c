/* The bounds sandbench puts on what it is given, each written once.  */
#ifndef BENCH_LIB_LIMITS_H
#define BENCH_LIB_LIMITS_H

/* Processes, values and warm-ups of a run: on the command line and in the
 * worker protocol alike.  */
#define LIMIT_COUNT 10000

/* A matrix (and a Kubernetes plan): runtimes compared, rounds of each.  */
#define LIMIT_RUNTIMES 8
#define LIMIT_ROUNDS 64

/* The user a container runs as: nobody, no root inside.  */
#define LIMIT_CONTAINER_UID 65534

/* The largest file read whole: settings and metadata; logs, system-call
 * counts and charts; a worker's reply; a result file (uncompressed).  */
#define LIMIT_SMALL_FILE (1u << 20)
#define LIMIT_DATA_FILE (1u << 24)
#define LIMIT_MESSAGE (1u << 26)
#define LIMIT_RESULT_FILE (512u << 20)

#endif
