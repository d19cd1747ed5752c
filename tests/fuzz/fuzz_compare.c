/* libFuzzer: `sandbench compare a.json b.json --reference-table t.csv` on
 * fuzzed files, and every report rendered from what it accepts.  The input
 * is the two result files and the table, separated by NUL bytes (which no
 * valid JSON holds); without a table, the built-in study.  */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "bench/report/compare.h"
#include "bench/report/report.h"
#include "bench/report/thesis.h"
#include "tests/fuzz/fuzz.h"

static char *paths[2];
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_scratch_dir("compare");

	paths[0] = xasprintf("%s/runc.json", dir);
	paths[1] = xasprintf("%s/runsc.json", dir);
	devnull = fopen("/dev/null", "we");
	return 0;
}

/* The next part of the input, up to a NUL or the end.  */
static const uint8_t *part(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *start = *p, *nul = memchr(start, '\0', (size_t)(end - start));

	*len = (size_t)((nul ? nul : end) - start);
	*p = nul ? nul + 1 : end;
	return start;
}

static void render(const struct compare *c)
{
	char *text;
	json_t *j;

	report_text(devnull, c, 1);
	free(report_md(c));
	free(report_csv(c));
	text = report_json(c);
	j = json_loads(text, 0, NULL);
	if (!j)
		fuzz_fail("%s", "report.json is not valid JSON");
	json_decref(j);
	free(text);
	free(report_svg_overview(c));
	for (size_t i = 0; i < c->ncategories; i++) {
		free(report_svg_category(c, i));
		text = report_svg_name(c->categories[i].name);
		if (strchr(text, '/') || strstr(text, ".."))
			fuzz_fail("chart file name `%s` leaves the report folder", text);
		free(text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size, *a, *b, *t;
	size_t alen, blen, tlen;
	struct thesis_table study = { 0 };
	struct compare c = { 0 };
	struct bench_error err = { 0 };
	struct compare_options opts = { .min_change = 0.02, .study = &study };

	a = part(&p, end, &alen);
	b = part(&p, end, &blen);
	t = part(&p, end, &tlen);
	fuzz_write_file(paths[0], a, alen);
	fuzz_write_file(paths[1], b, blen);
	if (p > t && tlen > 0) {
		if (thesis_parse((const char *)t, tlen, "t.csv", &study, &err) < 0) {
			bench_error_release(&err);
			return 0;
		}
		/* What thesis_load adds to a parsed table.  */
		study.label = xstrdup("reference");
		study.title = xstrdup("the reference table `t.csv`");
	} else if (thesis_load(NULL, &study, &err) < 0) {
		fuzz_fail("the built-in study does not load: %s", err.msg);
	}
	if (compare_load(&c, (const char *const *)paths, 2, &opts, &err) < 0) {
		if (!strstr(err.msg, "runc.json") && !strstr(err.msg, "runsc.json") &&
		    !strstr(err.msg, "benchmark `"))
			fuzz_fail("a refused comparison names the file or benchmark, got `%s`", err.msg);
	} else {
		if (c.nruntimes != 2 || c.ref > 1)
			fuzz_fail("%zu runtimes, reference %zu", c.nruntimes, c.ref);
		render(&c);
	}
	compare_release(&c);
	thesis_release(&study);
	bench_error_release(&err);
	return 0;
}
