/* libFuzzer: a reference table (`compare --reference-table FILE`) of
 * arbitrary bytes.  It is data: parsed within THESIS_MAX_BYTES, at most
 * THESIS_MAX_FIELD bytes a field and THESIS_MAX_ROWS rows, or refused with
 * a message naming it.  */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bench/lib/error.h"
#include "bench/report/thesis.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct thesis_table t = { 0 };
	struct bench_error err = { 0 };

	if (thesis_parse((const char *)data, size, "table.csv", &t, &err) < 0) {
		if (strncmp(err.msg, "table.csv", 9) != 0)
			fuzz_fail("a refused table gives an error naming it, got `%s`", err.msg);
		if (t.nrows || t.rows)
			fuzz_fail("%s", "a refused table is left empty");
		return 0;
	}
	if (t.nrows == 0 || t.nrows > THESIS_MAX_ROWS)
		fuzz_fail("a parsed table has %zu rows", t.nrows);
	for (size_t i = 0; i < t.nrows; i++) {
		const struct thesis_row *r = &t.rows[i];

		if (!r->label[0] || strlen(r->label) > THESIS_MAX_FIELD ||
		    strlen(r->category) > THESIS_MAX_FIELD)
			fuzz_fail("row %zu: label or category empty or too long", i);
		if (!(r->ratio > 0) || !isfinite(r->ratio))
			fuzz_fail("row %zu: ratio %g", i, r->ratio);
		if (r->name && thesis_find(&t, r->name) != r)
			fuzz_fail("row %zu: `%s` found at another row", i, r->name);
	}
	thesis_release(&t);
	return 0;
}
