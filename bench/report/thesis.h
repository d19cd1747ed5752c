/* The 2021 study's table (Kata Containers vs crun on pyperformance), built
 * into the binary, and other reference tables of the same CSV shape.  */
#ifndef BENCH_THESIS_H
#define BENCH_THESIS_H

#include <stddef.h>

#include "bench/lib/limits.h"

struct bench_error;

/* Limits on a reference table read from a file: it is data, never trusted.  */
#define THESIS_MAX_BYTES LIMIT_SMALL_FILE
#define THESIS_MAX_FIELD 256
#define THESIS_MAX_ROWS 10000

/* The study's CSV: bench/report/thesis_kata_vs_crun.csv itself, built in by
 * bench/gen-sources.sh (NUL-terminated; thesis_csv_len leaves the NUL out).  */
extern const char thesis_csv[];
extern const size_t thesis_csv_len;

struct thesis_row {
	char *label;		/* the table's name: "Scimark mc" */
	const char *name;	/* ours: "scimark_monte_carlo"; NULL if unknown */
	char *category;		/* ours when the name is registered, else the table's */
	double ratio;		/* slower runtime / faster one: 1 + difference_pct / 100 */
};

struct thesis_table {
	char *label;		/* a column heading: "study" */
	char *title;		/* for sentences: "the 2021 study, ..." */
	struct thesis_row *rows;
	size_t nrows;
};

/* Parse CSV text with a header naming at least the columns `benchmark` and
 * `difference_pct` (`category` is used when a name is not ours).  Fields may
 * be quoted; each is at most THESIS_MAX_FIELD bytes.  `what` names the
 * source in messages.  */
int thesis_parse(const char *text, size_t len, const char *what,
		 struct thesis_table *t, struct bench_error *err);

/* Load the built-in study (path NULL) or a reference table file, and set
 * the label and title (thesis_parse leaves them NULL).  */
int thesis_load(const char *path, struct thesis_table *t, struct bench_error *err);

void thesis_release(struct thesis_table *t);

/* Our benchmark name for a label of the study ("Unpack seq" ->
 * "unpack_sequence"), through an explicit table, else the label itself
 * when it names a registered benchmark; NULL when nothing matches.  */
const char *thesis_map_name(const char *label);

/* The row for our benchmark name, or NULL.  */
const struct thesis_row *thesis_find(const struct thesis_table *t, const char *name);

#endif
