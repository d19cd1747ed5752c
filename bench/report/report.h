/* Rendering a comparison (bench/report/compare.h): a terminal table, and report
 * files in Markdown, CSV, JSON and SVG.  */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stddef.h>
#include <stdio.h>

struct bench_error;
struct compare;
struct compare_bench;
struct compare_cell;

/* The aligned table for a terminal: benchmarks slowest first with their
 * verdicts (slower and faster coloured when color is set), then the
 * categories' geometric means, then the benchmarks some files lack, the
 * coverage note and the drift warnings.  */
void report_text(FILE *out, const struct compare *c, int color);

/* The report files' texts, owned by the caller.  report_md links the SVG
 * charts by the names report_svg_name gives.  */
char *report_md(const struct compare *c);
char *report_csv(const struct compare *c);
char *report_json(const struct compare *c);

/* A chart of one category's benchmarks (index into c->categories), or of
 * the categories' geometric means: overhead in percent with 95% interval
 * whiskers, one bar per runtime and the study's in grey, on a log axis when
 * the ratios span more than 10x.  */
char *report_svg_category(const struct compare *c, size_t category);
char *report_svg_overview(const struct compare *c);

/* Text in an SVG (XML) document: escaped, control characters left out.  */
void report_svg_text(FILE *f, const char *s);

/* An axis step of 1, 2, 2.5 or 5 times a power of ten, at least raw.  */
double report_svg_nice_step(double raw);

/* "category-<name>.svg", with characters unsafe in a file name replaced;
 * owned by the caller.  */
char *report_svg_name(const char *category);

/* Write report.md, report.csv, report.json, overview.svg, one
 * category-*.svg per category and, with a system-call budget, budget.svg
 * into dir (created when missing), each file atomically.  */
int report_write_dir(const struct compare *c, const char *dir, struct bench_error *err);

/* Formatting shared by the renderers; NAN gives "-" (or "" for an
 * interval).  */
/* A ratio as a change in percent: 1.231 -> "+23.1%".  */
void report_fmt_change(char *buf, size_t size, double ratio);
/* An interval of ratios as changes: "[+20.0%, +26.3%]".  */
void report_fmt_interval(char *buf, size_t size, double lo, double hi);
/* A mean in its unit: "12.3 ms" for seconds.  */
void report_fmt_value(char *buf, size_t size, double v, const char *unit);
/* A count with 3 significant digits and k/M/G: "1.23k", "0.0451".  */
void report_fmt_count(char *buf, size_t size, double v);
/* An explanation counter with its change: "60% (+56)" for a share,
 * "125 (x1.04)" for a count per iteration, "n/a" when the runtime does not
 * report it (unreported).  */
void report_fmt_explain(char *buf, size_t size, double ref, double other, int is_share,
			int unreported);

/* CSV: a text field, quoted when it holds a comma, a quote or a line
 * break; a number after a comma, with full precision (empty when unknown).  */
void report_csv_text(FILE *f, const char *s);
void report_csv_num(FILE *f, double v);

/* What a ratio was computed from: "20 pairs" (lockstep slots) or
 * "5/5 procs" (reference / other, unpaired).  */
void report_fmt_basis(char *buf, size_t size, const struct compare_cell *x,
		      const struct compare_cell *y);
/* The runtimes whose files measured b: "runc, runsc"; owned by the caller.  */
char *report_measured_by(const struct compare *c, const struct compare_bench *b);
/* The intervals' coverage and the expected count of false verdicts, as a
 * sentence; owned by the caller.  */
char *report_coverage_note(const struct compare *c);
/* In runs mode (compare_load_runs), what the unit is, as a sentence;
 * else NULL.  Owned by the caller.  */
char *report_runs_note(const struct compare *c);
/* That note, the runs note, then a "WARNING: " line per runtime compared unpaired across
 * files measured one after the other (compare_drift_warning), each line
 * after prefix.  */
/* Where the variance of runtime rt's paired ratios against the reference
 * lives, over its paired benchmarks (medians of compare_cell's var_within
 * and var_between, as standard deviations), and what would narrow the
 * intervals; NULL when none is paired.  A new string.  */
char *report_variance_note(const struct compare *c, size_t rt);

/* The counters runtime rt does not report (compare_runtime.unreported),
 * printed n/a: why, or NULL when none; owned by the caller.  */
char *report_unreported_note(const struct compare *c, size_t rt);

void report_print_notes(FILE *out, const struct compare *c, const char *prefix);

#endif
