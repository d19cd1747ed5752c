/* The budget chart of a matrix (budget.svg): per slowed-down benchmark and
 * runtime, its measured change (with its interval) beside the change its
 * system calls predict, stacked by call (the top ones, then "other"), and
 * the part they leave unexplained.  Each row is drawn in percent of its own
 * measured change, so that +58 us and +372 ms read side by side; the
 * values beside the bars give the times.  */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "bench/report/compare.h"
#include "bench/report/report.h"

/* Geometry, in pixels, as in report_svg.c.  */
#define WIDTH 960
#define MARGIN 12
#define CHAR_W 7.2
#define BAR_H 12
#define BAR_GAP 2
#define ROW_PAD 12
#define MAX_PCT 300		/* an axis beyond this clips the bars */
#define VALUE_W 240		/* the values' column: "predicted +58.4 us (36%) incomplete" */

static const char *const palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
};
#define MEASURED_COLOR "#555555"
#define OTHER_COLOR "#b0b0b0"
#define UNEXPLAINED_COLOR "#d62728"

struct row {
	const char *bench, *runtime;
	const struct budget *b;
};

struct budget_chart {
	struct row *rows;
	size_t nrows;
	const char *calls[32];	/* the calls with a colour, in order */
	size_t ncalls;
	double a, b;		/* the axis' domain, percent of the measured */
	double step;		/* between its ticks */
	double x0, x1;		/* its pixels */
	double y0;		/* the first row's top */
};

/* Slowed down: slower by the verdict, or without one by more than the
 * threshold.  */
static int slowed_down(const struct compare *c, const struct compare_cell *cell)
{
	if (cell->r.verdict != COMPARE_NO_VERDICT)
		return cell->r.verdict == COMPARE_SLOWER;
	return cell->r.ratio - 1 > c->min_change;
}

static double pct(const struct budget *b, double seconds)
{
	return 100 * seconds / b->measured;
}

static double axis_x(const struct budget_chart *ch, double p)
{
	p = fmax(ch->a, fmin(ch->b, p));
	return ch->x0 + (p - ch->a) / (ch->b - ch->a) * (ch->x1 - ch->x0);
}

/* The colour of a call: its place among the chart's calls.  */
static const char *call_color(const struct budget_chart *ch, const char *name)
{
	for (size_t i = 0; i < ch->ncalls; i++)
		if (strcmp(ch->calls[i], name) == 0)
			return palette[i % (sizeof(palette) / sizeof(palette[0]))];
	return OTHER_COLOR;
}

/* The rows, the calls that get a colour (a top call of some row, at most
 * as many as the palette), and the axis.  */
static void collect(const struct compare *c, struct budget_chart *ch)
{
	ch->rows = xcalloc(c->nbenches * c->nruntimes + 1, sizeof(*ch->rows));
	ch->a = 0;
	ch->b = 100;
	for (size_t k = 0; k < c->nbenches; k++) {
		const struct compare_bench *bench = &c->benches[c->order[k]];

		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			const struct budget *b = budget_table_cell(c->budget, c->order[k], rt);
			double stacked = 0;

			if (!b || !(b->measured > 0) || !slowed_down(c, &bench->cells[rt]))
				continue;
			ch->rows[ch->nrows++] = (struct row){ bench->name, c->runtimes[rt].name, b };
			for (size_t i = 0; i < b->ntop; i++) {
				size_t j = 0;

				if (b->top[i].contrib <= 0)
					continue;
				stacked += b->top[i].contrib;
				while (j < ch->ncalls && strcmp(ch->calls[j], b->top[i].name) != 0)
					j++;
				if (j == ch->ncalls && ch->ncalls < sizeof(palette) / sizeof(palette[0]))
					ch->calls[ch->ncalls++] = b->top[i].name;
			}
			/* The stack runs to the top calls' sum, the rest back or
			 * on to the prediction.  */
			ch->a = fmin(ch->a, pct(b, b->predicted));
			ch->b = fmax(ch->b, pct(b, fmax(stacked, b->predicted)));
			if (!isnan(b->lo)) {
				ch->a = fmin(ch->a, pct(b, b->lo));
				ch->b = fmax(ch->b, pct(b, b->hi));
			}
		}
	}
	ch->a = fmax(ch->a, -MAX_PCT);
	ch->b = fmin(ch->b, MAX_PCT);
	ch->step = report_svg_nice_step((ch->b - ch->a) / 8);
	ch->a = floor(ch->a / ch->step + 1e-9) * ch->step;
	ch->b = ceil(ch->b / ch->step - 1e-9) * ch->step;
}

/* A bar from x0 to x1 at y, of class cls (and the call it stands for).  */
static void rect(FILE *f, double x0, double x1, double y, const char *cls, const char *call,
		 const char *fill, const char *extra)
{
	fprintf(f, "<rect class=\"%s\"", cls);
	if (call) {
		fprintf(f, " data-call=\"");
		report_svg_text(f, call);
		fputc('"', f);
	}
	fprintf(f, " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"%s/>\n",
		fmin(x0, x1), y, fmax(fabs(x1 - x0), 0.5), BAR_H, fill, extra);
}

/* A legend entry at *x, wrapped at the width; the next entry's x.  */
static void legend_entry(FILE *f, double *x, double *y, const char *color, const char *extra,
			 const char *name)
{
	double w = 14 + (double)strlen(name) * CHAR_W + 20;

	if (*x + w > WIDTH - MARGIN && *x > MARGIN) {
		*x = MARGIN;
		*y += 18;
	}
	if (f) {
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"%s/>"
			"<text x=\"%.1f\" y=\"%.1f\">", *x, *y - 9, color, extra, *x + 14, *y);
		report_svg_text(f, name);
		fprintf(f, "</text>\n");
	}
	*x += w;
}

#define UNEXPLAINED_STYLE " fill-opacity=\"0.15\" stroke=\"" UNEXPLAINED_COLOR \
	"\" stroke-dasharray=\"3 2\""

/* Drawn into f unless NULL; the baseline of its last line.  */
static double legend(FILE *f, const struct budget_chart *ch)
{
	double x = MARGIN, y = 62;

	legend_entry(f, &x, &y, MEASURED_COLOR, "", "measured (whiskers: 95% interval)");
	for (size_t i = 0; i < ch->ncalls; i++)
		legend_entry(f, &x, &y, call_color(ch, ch->calls[i]), "", ch->calls[i]);
	legend_entry(f, &x, &y, OTHER_COLOR, "", "other calls");
	legend_entry(f, &x, &y, UNEXPLAINED_COLOR, UNEXPLAINED_STYLE, "unexplained");
	return y;
}

static void grid(FILE *f, const struct budget_chart *ch, double bottom, const char *ref)
{
	for (double p = ch->a; p <= ch->b + ch->step / 1e6; p += ch->step)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d0d0\"/>\n"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%.0f%%"
			"</text>\n", axis_x(ch, p), ch->y0, axis_x(ch, p), bottom + 4, axis_x(ch, p),
			bottom + 18, fabs(p) < 1e-9 ? 0 : p);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
		axis_x(ch, 0), ch->y0, axis_x(ch, 0), bottom);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
		ch->x0, bottom, ch->x1, bottom);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">share of the measured "
		"change against ", (ch->x0 + ch->x1) / 2, bottom + 40);
	report_svg_text(f, ref);
	fprintf(f, ", %% (each row its own; clipped at %d%%)</text>\n", MAX_PCT);
}

/* The predicted bar of b at y: the top calls, then the rest of the
 * prediction ("other"), then what is left of the measured change.  */
static void predicted_bar(FILE *f, const struct budget_chart *ch, const struct budget *b,
			  double y)
{
	double at = 0, stacked = 0;

	for (size_t i = 0; i < b->ntop; i++) {
		double next;

		if (b->top[i].contrib <= 0)
			continue;
		next = at + pct(b, b->top[i].contrib);
		rect(f, axis_x(ch, at), axis_x(ch, next), y, "call", b->top[i].name,
		     call_color(ch, b->top[i].name), "");
		stacked += b->top[i].contrib;
		at = next;
	}
	if (fabs(b->predicted - stacked) > 1e-3 * b->measured) {
		double next = at + pct(b, b->predicted - stacked);

		/* A negative rest (calls cheaper under the runtime) runs back.  */
		rect(f, axis_x(ch, at), axis_x(ch, next), y, "other", NULL, OTHER_COLOR, "");
		at = next;
	}
	if (at < 100)
		rect(f, axis_x(ch, at), axis_x(ch, 100), y, "unexplained", NULL, UNEXPLAINED_COLOR,
		     UNEXPLAINED_STYLE);
}

static void draw_row(FILE *f, const struct budget_chart *ch, const struct row *r, double top,
		     double band, int many_runtimes)
{
	const struct budget *b = r->b;
	char m[96], p[32], lo[32], hi[32], share[32];
	char *label = many_runtimes ? xasprintf("%s, %s", r->bench, r->runtime)
				    : xstrdup(r->bench);

	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", ch->x0 - 8,
		top + (band - ROW_PAD) / 2 + 4);
	report_svg_text(f, label);
	fprintf(f, "</text>\n");
	free(label);
	budget_fmt_time(m, sizeof(m), b->measured);
	budget_fmt_time(p, sizeof(p), b->predicted);
	budget_fmt_time(lo, sizeof(lo), b->lo);
	budget_fmt_time(hi, sizeof(hi), b->hi);
	budget_fmt_share(share, sizeof(share), b);
	fprintf(f, "<g class=\"row\" data-bench=\"");
	report_svg_text(f, r->bench);
	fprintf(f, "\" data-runtime=\"");
	report_svg_text(f, r->runtime);
	fprintf(f, "\">\n");
	rect(f, axis_x(ch, 0), axis_x(ch, 100), top, "measured", NULL, MEASURED_COLOR, "");
	if (!isnan(b->lo)) {
		double xl = axis_x(ch, pct(b, b->lo)), xh = axis_x(ch, pct(b, b->hi));
		double yc = top + BAR_H / 2.0;

		fprintf(f, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" "
			"stroke=\"#222222\" stroke-width=\"1.2\" fill=\"none\"/>\n",
			xl, yc, xh, xl, yc - 4, yc + 4, xh, yc - 4, yc + 4);
	}
	if (!isnan(b->lo))
		snprintf(m + strlen(m), sizeof(m) - strlen(m), " [%s, %s]", lo, hi);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\">%s</text>\n",
		ch->x1 + 8, top + BAR_H - 2, MEASURED_COLOR, m);
	top += BAR_H + BAR_GAP;
	predicted_bar(f, ch, b, top);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">predicted %s (%s)%s</text>\n"
		"</g>\n", ch->x1 + 8, top + BAR_H - 2, p, share, b->nmissing ? " incomplete" : "");
}

char *budget_svg(const struct compare *c)
{
	struct budget_chart ch = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	double band = 2 * BAR_H + BAR_GAP + ROW_PAD, height, bottom;
	size_t max_label = 10, others = 0;

	if (!f)
		abort();
	collect(c, &ch);
	for (size_t rt = 0; rt < c->nruntimes; rt++)
		others += rt != c->ref;
	for (size_t i = 0; i < ch.nrows; i++) {
		size_t n = strlen(ch.rows[i].bench) + (others > 1 ? strlen(ch.rows[i].runtime) + 2 : 0);
		max_label = n > max_label ? n : max_label;
	}
	ch.x0 = MARGIN + fmin((double)max_label, 40) * CHAR_W + 16;
	ch.x1 = WIDTH - MARGIN - VALUE_W;
	ch.y0 = legend(NULL, &ch) + 18;
	bottom = ch.y0 + band * (double)(ch.nrows ? ch.nrows : 1);
	height = ceil(bottom + 52);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
		"viewBox=\"0 0 %d %.0f\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" "
		"font-size=\"12\">\n", WIDTH, height, WIDTH, height);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">System-call "
		"budget against ", MARGIN);
	report_svg_text(f, c->runtimes[c->ref].name);
	fprintf(f, "</text>\n<text x=\"%d\" y=\"40\" font-size=\"11\" fill=\"#555555\">per "
		"slowed-down benchmark, slowest first: the measured change per iteration, and "
		"below it the change its system calls predict, by call</text>\n", MARGIN);
	legend(f, &ch);
	for (size_t r = 0; r < ch.nrows; r += 2)
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#f3f3f3\"/>\n",
			MARGIN, ch.y0 + band * (double)r, WIDTH - 2 * MARGIN, band);
	grid(f, &ch, bottom, c->runtimes[c->ref].name);
	for (size_t r = 0; r < ch.nrows; r++)
		draw_row(f, &ch, &ch.rows[r], ch.y0 + band * (double)r + ROW_PAD / 2.0, band,
			 others > 1);
	if (ch.nrows == 0) {
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">no benchmark with system call counts slowed "
			"down against ", ch.x0, ch.y0 + band / 2 + 4);
		report_svg_text(f, c->runtimes[c->ref].name);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "</svg>\n");
	if (fclose(f) != 0)
		abort();
	free(ch.rows);
	return text;
}
