/* `sandbench matrix`: the suite under several runtimes, in rounds whose
 * runtime order is shuffled, merged into one pyperf file per runtime.  */
#ifndef CTR_MATRIX_H
#define CTR_MATRIX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct bench_error;

int ctr_matrix_cmd(int argc, char **argv);
extern const char ctr_matrix_usage[];

/* Merge the round files DIR/raw/RUNTIME-rN.json of every runtime into
 * DIR/RUNTIME.json, keeping per benchmark only the rounds every runtime has,
 * so that value counts are equal across runtimes.  extra_metadata maps a
 * runtime name to an object of metadata to add (borrowed, may be NULL).
 * Writes what it dropped to log (may be NULL).  */
int ctr_matrix_merge(const char *dir, const char *const *runtimes, unsigned rounds,
		     json_t *extra_metadata, FILE *log, struct bench_error *err);

/* The order of n runtimes in each of `rounds` rounds, order[r * n + k]:
 * Fisher-Yates per round, from one splitmix64 stream seeded with seed, so a
 * recorded seed gives the same orders again.  */
void ctr_shuffle_orders(uint64_t seed, unsigned rounds, size_t n, size_t *order);

/* splitmix64: a small, well-mixed generator for the shuffles, orders,
 * CPUs and hash seeds of a matrix (all from its recorded seed).  */
uint64_t ctr_random_next(uint64_t *state);

/* "4G", "512M", "1048576" -> bytes; -1 on garbage.  */
long long ctr_parse_size(const char *s);

#endif
