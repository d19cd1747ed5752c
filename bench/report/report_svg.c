#include "bench/report/report.h"

#include <math.h>
#include <string.h>

#include "bench/lib/util.h"
#include "bench/report/compare.h"
#include "bench/report/thesis.h"

/* Geometry, in pixels.  Text widths are estimates for a 12 px sans-serif
 * font (DejaVu Sans, the widest usual one), so that nothing overlaps.  */
#define WIDTH 960
#define MARGIN 12
#define CHAR_W 7.2		/* average letter */
#define DIGIT_W 7.7		/* digits, %, + and - */
#define BAR_H 12
#define BAR_GAP 2
#define ROW_PAD 12
#define TICK_GAP 14		/* between tick labels */
#define MAX_LABEL 40		/* characters of a row label */

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
};
#define STUDY_COLOR "#8a8a8a"

struct series {
	const char *name;
	const char *color;
	int whiskers;
};

struct bar {
	double ratio, lo, hi;	/* NAN ratio: no bar */
	enum compare_verdict verdict;
};

struct chart {
	const char *title, *subtitle;
	char *axis;		/* owned: chart_init, chart_finish */
	const char **labels;
	size_t nrows, nseries;
	struct series *series;
	struct bar *bars;	/* nrows x nseries */
	int bold_last;		/* the last row is a total */
	int with_study;		/* the last series is the study's */
};

void report_svg_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* Control characters are not allowed in XML 1.0.  */
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
	}
}

/* The x axis: linear in percent, or logarithmic in the ratio.  */
struct axis {
	int log;
	double a, b;		/* domain: percent, or log10(ratio) */
	double x0, x1;		/* pixels */
	double ticks[64];	/* ratios */
	size_t nticks;
	double step;		/* linear: percent between ticks */
};

static double axis_x(const struct axis *ax, double ratio)
{
	double v = ax->log ? log10(ratio) : (ratio - 1) * 100;
	return ax->x0 + (v - ax->a) / (ax->b - ax->a) * (ax->x1 - ax->x0);
}

static void tick_label(char *buf, size_t size, double ratio, double step_pct)
{
	double p = (ratio - 1) * 100;
	int decimals = 0;

	if (fabs(p) < 1e-9)
		p = 0;
	/* As many decimals as the step needs: 0.25 has two.  */
	while (decimals < 6 && step_pct > 0 &&
	       fabs(step_pct * pow(10, decimals) - round(step_pct * pow(10, decimals))) > 1e-6)
		decimals++;
	if (p == 0)
		snprintf(buf, size, "0%%");
	else
		snprintf(buf, size, "%+.*f%%", decimals, p);
}

/* A step of 1, 2, 2.5 or 5 times a power of ten, at least raw.  */
double report_svg_nice_step(double raw)
{
	static const double m[] = { 1, 2, 2.5, 5, 10 };
	double p = pow(10, floor(log10(raw)));

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (m[i] * p >= raw * (1 - 1e-9))
			return m[i] * p;
	return 10 * p;
}

static double label_px(size_t chars, double per_char)
{
	return (double)chars * per_char;
}

static void linear_axis(struct axis *ax, double lo, double hi)
{
	double a = fmin((lo - 1) * 100, 0), b = fmax((hi - 1) * 100, 0), step;
	size_t max_ticks;

	if (b - a < 1e-6)
		b = a + 1;
	/* As many ticks as their widest labels allow, at most 10.  */
	max_ticks = (size_t)((ax->x1 - ax->x0) / (label_px(8, DIGIT_W) + TICK_GAP));
	max_ticks = max_ticks < 2 ? 2 : max_ticks > 10 ? 10 : max_ticks;
	step = report_svg_nice_step((b - a) / (double)(max_ticks - 1));
	ax->a = floor(a / step + 1e-9) * step;
	ax->b = ceil(b / step - 1e-9) * step;
	while ((ax->b - ax->a) / step + 1 > (double)max_ticks + 0.5) {
		step = report_svg_nice_step(step * 1.01);
		ax->a = floor(a / step + 1e-9) * step;
		ax->b = ceil(b / step - 1e-9) * step;
	}
	ax->step = step;
	ax->nticks = 0;
	for (double v = ax->a; v <= ax->b + step / 2 && ax->nticks < 64; v += step)
		ax->ticks[ax->nticks++] = 1 + (fabs(v) < step / 1e6 ? 0 : v) / 100;
}

static void log_axis(struct axis *ax, double lo, double hi)
{
	static const double m[] = { 1, 2, 5 };
	double min_gap = label_px(7, DIGIT_W) + TICK_GAP, pad;
	int k0, k1;

	/* A ratio of 0 (or a range the file made absurd) has no logarithm: keep
	 * the axis to twelve decades below hi (make fuzz found -inf here).  */
	if (!(hi > 0) || !isfinite(hi))
		hi = 1;
	if (!(lo > hi * 1e-12) || !isfinite(lo))
		lo = hi * 1e-12;
	k0 = (int)floor(log10(lo));
	k1 = (int)ceil(log10(hi));

	/* The data's range and a little room, not snapped to a decade: the
	 * span is large and a snapped end could waste half of it.  */
	pad = 0.02 * (log10(hi) - log10(lo));
	ax->a = log10(lo) - pad;
	ax->b = log10(hi) + pad;
	/* 1-2-5 ticks when their labels have room, else every n-th decade.  */
	for (int every = 0; every < 64; every++) {
		double last = -1e9;
		int ok = 1;

		ax->nticks = 0;
		for (int k = k0; k <= k1; k++) {
			for (size_t i = 0; i < (every == 0 ? 3u : 1u); i++) {
				double r = m[i] * pow(10, k), x;
				if (log10(r) < ax->a || log10(r) > ax->b || ax->nticks == 64 ||
				    (every > 0 && (k - k0) % every != 0))
					continue;
				x = axis_x(ax, r);
				if (x - last < min_gap)
					ok = 0;
				last = x;
				ax->ticks[ax->nticks++] = r;
			}
		}
		if (ok)
			return;
	}
}

static void fmt_bar(char *buf, size_t size, const struct bar *b)
{
	char s[32];

	if (isnan(b->ratio)) {
		snprintf(buf, size, "n/a");
		return;
	}
	report_fmt_change(s, sizeof(s), b->ratio);
	if (b->verdict == COMPARE_NO_VERDICT)
		snprintf(buf, size, "%s", s);
	else
		snprintf(buf, size, "%s %s", s, compare_verdict_name(b->verdict));
}

/* Where a chart's parts go, worked out before anything is drawn.  */
struct layout {
	double label_w, value_w;	/* the row labels' and values' columns */
	double y0, band, height;	/* the first row's top, a row's height, the whole */
	struct axis ax;
};

/* The legend, wrapped to the width: drawn into f unless NULL; the
 * baseline of its last line.  */
static double legend(FILE *f, const struct chart *ch)
{
	double y = 62, x = MARGIN;

	for (size_t s = 0; s < ch->nseries; s++) {
		double w = 14 + label_px(strlen(ch->series[s].name), CHAR_W) + 20;
		if (x + w > WIDTH - MARGIN && x > MARGIN) {
			x = MARGIN;
			y += 18;
		}
		if (f) {
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
				"<text x=\"%.1f\" y=\"%.1f\">", x, y - 9, ch->series[s].color, x + 14, y);
			report_svg_text(f, ch->series[s].name);
			fprintf(f, "</text>\n");
		}
		x += w;
	}
	return y;
}

/* The columns from the widest label and value, the axis from the range of
 * the bars (and whiskers), the rows below the legend.  */
static void lay_out(const struct chart *ch, struct layout *lay)
{
	size_t max_label = 0, max_value = 0;
	double lo = 1, hi = 1;
	char buf[64];

	for (size_t r = 0; r < ch->nrows; r++) {
		size_t n = strlen(ch->labels[r]);
		max_label = n > max_label ? n : max_label;
		for (size_t s = 0; s < ch->nseries; s++) {
			const struct bar *b = &ch->bars[r * ch->nseries + s];
			fmt_bar(buf, sizeof(buf), b);
			max_value = strlen(buf) > max_value ? strlen(buf) : max_value;
			if (isnan(b->ratio))
				continue;
			lo = fmin(lo, b->ratio);
			hi = fmax(hi, b->ratio);
			if (ch->series[s].whiskers && !isnan(b->lo)) {
				lo = fmin(lo, b->lo);
				hi = fmax(hi, b->hi);
			}
		}
	}
	if (max_label > MAX_LABEL)
		max_label = MAX_LABEL;
	lay->label_w = fmax(label_px(max_label, CHAR_W) + 16, 60);
	lay->value_w = label_px(max_value, DIGIT_W) + 16;
	lay->y0 = legend(NULL, ch) + 18;
	lay->band = (double)ch->nseries * (BAR_H + BAR_GAP) - BAR_GAP + ROW_PAD;
	lay->height = ceil(lay->y0 + lay->band * (double)ch->nrows + 52);
	lay->ax = (struct axis){ 0 };
	lay->ax.x0 = MARGIN + lay->label_w;
	lay->ax.x1 = WIDTH - MARGIN - lay->value_w;
	lay->ax.log = hi / lo > 10;
	if (lay->ax.log)
		log_axis(&lay->ax, lo, hi);
	else
		linear_axis(&lay->ax, lo, hi);
}

/* Title, subtitle, then the legend.  */
static void svg_head(FILE *f, const struct chart *ch, const struct layout *lay)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
		"viewBox=\"0 0 %d %.0f\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" "
		"font-size=\"12\">\n", WIDTH, lay->height, WIDTH, lay->height);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">", MARGIN);
	report_svg_text(f, ch->title);
	fprintf(f, "</text>\n<text x=\"%d\" y=\"40\" font-size=\"11\" fill=\"#555555\">", MARGIN);
	report_svg_text(f, ch->subtitle);
	fprintf(f, "</text>\n");
	legend(f, ch);
}

/* Row backgrounds, grid, baseline, the axis' title.  */
static void svg_grid(FILE *f, const struct chart *ch, const struct layout *lay)
{
	const struct axis *ax = &lay->ax;
	double y0 = lay->y0, bottom = lay->y0 + lay->band * (double)ch->nrows;
	char buf[64];

	for (size_t r = 0; r < ch->nrows; r += 2)
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#f3f3f3\"/>\n",
			MARGIN, y0 + lay->band * (double)r, WIDTH - 2 * MARGIN, lay->band);
	for (size_t t = 0; t < ax->nticks; t++) {
		double tx = axis_x(ax, ax->ticks[t]);
		tick_label(buf, sizeof(buf), ax->ticks[t], ax->log ? 1 : ax->step);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d0d0\"/>\n"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%s</text>\n",
			tx, y0, tx, bottom + 4, tx, bottom + 18, buf);
	}
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
		axis_x(ax, 1), y0, axis_x(ax, 1), bottom);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
		ax->x0, bottom, ax->x1, bottom);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", (ax->x0 + ax->x1) / 2,
		bottom + 40);
	report_svg_text(f, ch->axis);
	fprintf(f, "%s</text>\n", ax->log ? " (log scale)" : "");
}

/* Series s of a row whose bars start at y: its value, its bar (faint
 * without a verdict of slower or faster) and its whiskers.  */
static void svg_bar(FILE *f, const struct chart *ch, const struct layout *lay,
		    const struct bar *b, size_t s, double y)
{
	const struct axis *ax = &lay->ax;
	double xb = axis_x(ax, 1), xv;
	char buf[64];

	fmt_bar(buf, sizeof(buf), b);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\">%s</text>\n",
		ax->x1 + 8, y + BAR_H - 2, ch->series[s].color, buf);
	if (isnan(b->ratio))
		return;
	xv = axis_x(ax, b->ratio);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"%s/>\n",
		fmin(xb, xv), y, fmax(fabs(xv - xb), 1), BAR_H, ch->series[s].color,
		b->verdict == COMPARE_SLOWER || b->verdict == COMPARE_FASTER ||
		!ch->series[s].whiskers ? "" : " fill-opacity=\"0.45\"");
	if (ch->series[s].whiskers && !isnan(b->lo)) {
		double xl = axis_x(ax, b->lo), xh = axis_x(ax, b->hi), yc = y + BAR_H / 2.0;
		fprintf(f, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" "
			"stroke=\"#222222\" stroke-width=\"1.2\" fill=\"none\"/>\n",
			xl, yc, xh, xl, yc - 4, yc + 4, xh, yc - 4, yc + 4);
	}
}

/* Rows: label, then per series a bar.  */
static void svg_rows(FILE *f, const struct chart *ch, const struct layout *lay)
{
	for (size_t r = 0; r < ch->nrows; r++) {
		double top = lay->y0 + lay->band * (double)r + ROW_PAD / 2.0;
		char label[MAX_LABEL * 4 + 8];

		snprintf(label, sizeof(label), "%s", ch->labels[r]);
		if (strlen(ch->labels[r]) > MAX_LABEL)
			strcpy(label + MAX_LABEL - 3, "...");
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\"%s>", lay->ax.x0 - 8,
			top + (lay->band - ROW_PAD) / 2 + 4,
			ch->bold_last && r + 1 == ch->nrows ? " font-weight=\"bold\"" : "");
		report_svg_text(f, label);
		fprintf(f, "</text>\n");
		for (size_t s = 0; s < ch->nseries; s++)
			svg_bar(f, ch, lay, &ch->bars[r * ch->nseries + s], s,
				top + (double)s * (BAR_H + BAR_GAP));
	}
}

static char *chart_svg(const struct chart *ch)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct layout lay;

	if (!f)
		abort();
	lay_out(ch, &lay);
	svg_head(f, ch, &lay);
	svg_grid(f, ch, &lay);
	svg_rows(f, ch, &lay);
	fprintf(f, "</svg>\n");
	if (fclose(f) != 0)
		abort();
	return text;
}

/* Series: each runtime but the reference, then the study when it has a
 * figure for some row.  */
static size_t make_series(const struct compare *c, int with_study, struct series *out)
{
	size_t n = 0;

	for (size_t rt = 0; rt < c->nruntimes; rt++) {
		if (rt == c->ref)
			continue;
		out[n] = (struct series){ c->runtimes[rt].name,
					  palette[n % (sizeof(palette) / sizeof(palette[0]))], 1 };
		n++;
	}
	if (with_study)
		out[n++] = (struct series){ "", STUDY_COLOR, 0 };
	return n;
}

static struct bar ratio_bar(const struct compare_ratio *r)
{
	return (struct bar){ r->ratio, r->lo, r->hi, r->verdict };
}

static struct bar study_bar(double ratio)
{
	return (struct bar){ ratio, NAN, NAN, COMPARE_NO_VERDICT };
}

/* Room for max_rows rows, the series of c and the axis' title, for a
 * chart whose with_study is set.  */
static void chart_init(struct chart *ch, const struct compare *c, size_t max_rows)
{
	ch->axis = xasprintf("change against %s, %%", c->runtimes[c->ref].name);
	ch->series = xcalloc(c->nruntimes + 1, sizeof(*ch->series));
	ch->labels = xcalloc(max_rows + 1, sizeof(*ch->labels));
	ch->bars = xcalloc((max_rows + 1) * (c->nruntimes + 1), sizeof(*ch->bars));
	ch->nseries = make_series(c, ch->with_study, ch->series);
}

/* A new row with its label and the study's bar (when shown): the
 * runtimes' bars, in the order of the series, are the caller's to fill.  */
static struct bar *chart_add_row(struct chart *ch, const char *label, double study)
{
	struct bar *row = &ch->bars[ch->nrows * ch->nseries];

	ch->labels[ch->nrows++] = label;
	if (ch->with_study)
		row[ch->nseries - 1] = study_bar(study);
	return row;
}

/* The chart's SVG text; what chart_init allocated is freed.  */
static char *chart_finish(struct chart *ch, const struct compare *c)
{
	char *study_name = NULL, *svg;

	if (ch->with_study) {
		study_name = xasprintf("%s: Kata vs crun", c->study->label);
		ch->series[ch->nseries - 1].name = study_name;
	}
	svg = chart_svg(ch);
	free(study_name);
	free(ch->axis);
	free(ch->series);
	free(ch->labels);
	free(ch->bars);
	return svg;
}

char *report_svg_category(const struct compare *c, size_t category)
{
	const struct compare_group *g = &c->categories[category];
	cleanup_free char *title = xasprintf("%s: overhead against %s", g->name,
					     c->runtimes[c->ref].name);
	struct chart ch = {
		.title = title,
		.subtitle = "per benchmark, slowest first; whiskers: 95% confidence interval; "
			    "full colour: slower or faster",
		.with_study = c->study && g->study_n > 0,
	};

	chart_init(&ch, c, c->nbenches);
	for (size_t k = 0; k < c->nbenches; k++) {
		const struct compare_bench *b = &c->benches[c->order[k]];
		struct bar *row;

		if (strcmp(b->category, g->name) != 0 || !b->cells[c->ref].present)
			continue;
		row = chart_add_row(&ch, b->name, b->study);
		for (size_t rt = 0, s = 0; rt < c->nruntimes; rt++)
			if (rt != c->ref)
				row[s++] = ratio_bar(&b->cells[rt].r);
	}
	return chart_finish(&ch, c);
}

char *report_svg_overview(const struct compare *c)
{
	cleanup_free char *title = xasprintf("Geometric mean overhead per category against %s",
					     c->runtimes[c->ref].name);
	struct chart ch = {
		.title = title,
		.subtitle = "geometric means of the benchmarks' ratios; whiskers: 95% confidence "
			    "interval; full colour: slower or faster",
		.bold_last = 1,
		.with_study = c->study && c->total.study_n > 0,
	};

	chart_init(&ch, c, c->ncategories + 1);
	for (size_t i = 0; i <= c->ncategories; i++) {
		const struct compare_group *g = i < c->ncategories ? &c->categories[i] : &c->total;
		struct bar *row = chart_add_row(&ch, g->name, g->study);

		for (size_t rt = 0, s = 0; rt < c->nruntimes; rt++)
			if (rt != c->ref)
				row[s++] = ratio_bar(&g->geo[rt]);
	}
	return chart_finish(&ch, c);
}
