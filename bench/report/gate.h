/* An exit status from a comparison, for CI: `--fail-on slower,faster,
 * inconclusive` and `--max-change NAME=PCT` bounds per benchmark or
 * category, checked against every runtime's verdicts against the
 * reference.  */
#ifndef BENCH_REPORT_GATE_H
#define BENCH_REPORT_GATE_H

#include <stddef.h>

struct bench_error;
struct compare;

enum {
	GATE_SLOWER = 1,
	GATE_FASTER = 2,
	GATE_INCONCLUSIVE = 4,		/* also: no interval at all */
};

/* A bound: NAME (a benchmark, a category or `all`) may not be slower by
 * more than max (a fraction); name points into the option's text.  */
struct gate_bound {
	const char *text;		/* the whole option value, for messages */
	const char *name;
	size_t name_len;
	double max;
};

#define GATE_MAX_BOUNDS 64

/* "slower,faster": the GATE_* bits in *mask; -1 on an unknown word (set in
 * *bad, with its length in *bad_len) or an empty list.  */
int gate_parse_fail_on(const char *text, unsigned *mask, const char **bad, size_t *bad_len);

/* "pathlib=10": -1 unless NAME=PCT with a non-empty name and a number from
 * 0 to 1000.  */
int gate_parse_bound(const char *text, struct gate_bound *b);

/* -1 (err names the option) when a bound names no benchmark or category of
 * the comparison.  */
int gate_check_names(const struct compare *c, const struct gate_bound *bounds, size_t n,
		     struct bench_error *err);

/* What crossed, as one line ("--fail-on slower: runsc on pathlib +43.2%
 * [+40.1%, +46.0%]; ..."), owned by the caller; NULL when nothing did.
 * Verdicts count for benchmarks and for groups of several benchmarks
 * (categories, `all`); a bound is crossed when the whole interval lies
 * above +PCT.  */
char *gate_crossed(const struct compare *c, unsigned fail_on, const struct gate_bound *bounds,
		   size_t nbounds);

#endif
