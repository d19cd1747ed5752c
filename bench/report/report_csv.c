#include "bench/report/report.h"

#include <math.h>
#include <string.h>

#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "bench/report/compare.h"

void report_csv_text(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void report_csv_num(FILE *f, double v)
{
	fputc(',', f);
	if (isfinite(v))
		fprintf(f, "%.6g", v);
}

char *report_csv(const struct compare *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	fprintf(f, "benchmark,category,unit,runtime,reference,processes,values,mean,stdev,"
		"ratio,ci_low,ci_high,change_pct,verdict,paired,pairs,coverage,study_ratio,"
		"sys_share,cpu_share,minflt_per_it,majflt_per_it,csw_per_it,rw_syscalls_per_it,"
		"sys_share_change_pts,minflt_change,csw_change,rw_syscalls_change"
		BUDGET_CSV_HEADER "\n");
	for (size_t k = 0; k < c->nbenches; k++) {
		const struct compare_bench *b = &c->benches[c->order[k]];
		const struct compare_cell *x = &b->cells[c->ref];

		for (size_t rt = 0; rt < c->nruntimes; rt++) {
			const struct compare_cell *y = &b->cells[rt];
			int rated = x->present;

			if (!y->present)
				continue;
			report_csv_text(f, b->name);
			fputc(',', f);
			report_csv_text(f, b->category);
			fputc(',', f);
			report_csv_text(f, b->unit);
			fputc(',', f);
			report_csv_text(f, c->runtimes[rt].name);
			fputc(',', f);
			report_csv_text(f, c->runtimes[c->ref].name);
			fprintf(f, ",%zu,%zu", y->nprocs, y->nvalues);
			fprintf(f, ",%.9g,%.9g", y->mean, y->stdev);
			report_csv_num(f, rated ? y->r.ratio : NAN);
			report_csv_num(f, rated ? y->r.lo : NAN);
			report_csv_num(f, rated ? y->r.hi : NAN);
			report_csv_num(f, rated ? (y->r.ratio - 1) * 100 : NAN);
			fprintf(f, ",%s,%d,%zu", rated && rt != c->ref ?
				compare_verdict_name(y->r.verdict) : "", rated && y->r.paired,
				rated ? y->r.pairs : 0);
			report_csv_num(f, rated && y->r.coverage > 0 ? y->r.coverage : NAN);
			report_csv_num(f, b->study);
			report_csv_num(f, y->ex.sys_share);
			report_csv_num(f, y->ex.cpu_share);
			report_csv_num(f, y->ex.minflt);
			report_csv_num(f, y->ex.majflt);
			report_csv_num(f, y->ex.csw);
			report_csv_num(f, y->ex.rw_syscalls);
			report_csv_num(f, compare_explain_change(x->ex.sys_share, y->ex.sys_share, 1));
			report_csv_num(f, compare_explain_change(x->ex.minflt, y->ex.minflt, 0));
			report_csv_num(f, compare_explain_change(x->ex.csw, y->ex.csw, 0));
			report_csv_num(f, compare_explain_change(x->ex.rw_syscalls, y->ex.rw_syscalls, 0));
			budget_csv(f, budget_table_cell(c->budget, c->order[k], rt));
			fputc('\n', f);
		}
	}
	if (fclose(f) != 0)
		abort();
	return text;
}
