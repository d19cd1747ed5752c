/* compare with runs as the unit (A1 A2 A3 -- B1 B2 B3) and the exit status
 * from verdicts and bounds (--fail-on, --max-change): against a naive
 * second computation, on simulated runs whose truth is known, and on bad
 * input.  */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/error.h"
#include "bench/lib/result.h"
#include "bench/lib/stats.h"
#include "bench/lib/util.h"
#include "bench/report/compare.h"
#include "bench/report/gate.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-compare-runs-XXXXXX";

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(compare_runs, .init = setup, .fini = teardown, .timeout = 120);

static const struct compare_options defaults = { .min_change = 0.02 };

static double normal(uint64_t *seed)
{
	double u = ((double)(stats_rand(seed) >> 11) + 0.5) / 9007199254740992.0;
	double v = ((double)(stats_rand(seed) >> 11) + 0.5) / 9007199254740992.0;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* One run of the suite: benchmark i's process p has the values
 * values[(i * procs + p) * 3 ..] (3 a process).  matrix_run_id when not
 * NULL.  */
static char *write_run(const char *file, const char *run_id, const char *const *names,
		       size_t nbench, size_t procs, const double *values)
{
	json_t *md = json_pack("{s:s}", "runtime", "native");
	json_t *suite;
	char *path = xasprintf("%s/%s", dir, file);
	struct bench_error err = { 0 };

	if (run_id)
		json_object_set_new(md, "matrix_run_id", json_string(run_id));
	suite = result_suite_new(md);
	for (size_t i = 0; i < nbench; i++) {
		json_t *b = result_benchmark_new(names[i], i < 2 ? "math" : "misc", "python", 10, 1);

		for (size_t p = 0; p < procs; p++) {
			const double *v = &values[(i * procs + p) * 3];
			json_array_append_new(json_object_get(b, "runs"),
				json_pack("{s:[f,f,f]}", "values", v[0], v[1], v[2]));
		}
		json_array_append_new(json_object_get(suite, "benchmarks"), b);
	}
	cr_assert_eq(result_write(path, suite, &err), 0, "%s", err.msg);
	json_decref(suite);
	return path;
}

/* Simulated runs: per file a log offset of sd between (the run's drift),
 * per process one of sd within, per value 0.2%; truth[i] multiplies
 * benchmark i on side B.  */
struct sim {
	size_t nbench, procs, na, nb;
	const double *truth;
	double between, within;
};

static void simulate(const struct sim *s, uint64_t *seed, char **paths)
{
	static const char *const names[] = { "nbody", "float", "richards", "chaos", "go", "hexiom" };
	double *v = xcalloc(s->nbench * s->procs * 3, sizeof(*v));

	for (size_t f = 0; f < s->na + s->nb; f++) {
		double drift = s->between * normal(seed);
		char file[32];

		for (size_t i = 0; i < s->nbench; i++) {
			double base = 0.01 * (double)(i + 1) * (f >= s->na ? s->truth[i] : 1);
			for (size_t p = 0; p < s->procs; p++) {
				double m = base * exp(drift + s->within * normal(seed));
				for (size_t k = 0; k < 3; k++)
					v[(i * s->procs + p) * 3 + k] = m * exp(0.002 * normal(seed));
			}
		}
		snprintf(file, sizeof(file), "%c%zu.json", f < s->na ? 'a' : 'b',
			 f < s->na ? f + 1 : f - s->na + 1);
		paths[f] = write_run(file, NULL, names, s->nbench, s->procs, v);
	}
	free(v);
}

static void free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
}

/* ---- a second, naive computation ---- */

/* A file's estimate for benchmark i, from its JSON: the mean of the logs
 * of the process means.  */
static double naive_file_estimate(const char *path, size_t i)
{
	json_t *suite = load(path), *runs, *r;
	double sum = 0;
	size_t k, n = 0;

	runs = json_object_get(json_array_get(json_object_get(suite, "benchmarks"), i), "runs");
	json_array_foreach(runs, k, r) {
		json_t *vals = json_object_get(r, "values");
		double m = 0;
		for (size_t j = 0; j < json_array_size(vals); j++)
			m += json_number_value(json_array_get(vals, j));
		sum += log(m / (double)json_array_size(vals));
		n++;
	}
	json_decref(suite);
	return sum / (double)n;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* P(U <= u) for Mann-Whitney m, n by listing every choice of the m ranks of
 * x among m + n (bit masks): the enumeration the DP must agree with.  */
static double enumerate_u_cdf(size_t m, size_t n, size_t u)
{
	size_t total = 0, hits = 0;

	for (unsigned mask = 0; mask < 1u << (m + n); mask++) {
		size_t count = 0, ux = 0, ys_above = 0;

		if ((size_t)__builtin_popcount(mask) != m)
			continue;
		/* U = pairs with y > x: for each x, the y ranked above it.  */
		for (int r = (int)(m + n) - 1; r >= 0; r--) {
			if (mask >> r & 1)
				ux += ys_above, count++;
			else
				ys_above++;
		}
		total++;
		hits += ux <= u;
	}
	return (double)hits / (double)total;
}

/* Runs against a second computation: 4 and 4 files (Moses, its critical
 * value from an enumeration of the rank orders) and 3 and 3 (Welch).  */
Test(compare_runs, runs_match_a_naive_computation)
{
	static const double truth[] = { 1.10, 0.95 };
	static const size_t sizes[][2] = { { 4, 4 }, { 3, 3 }, { 3, 5 } };
	uint64_t seed = 7;

	for (size_t z = 0; z < 3; z++) {
		struct sim s = { 2, 5, sizes[z][0], sizes[z][1], truth, 0.03, 0.01 };
		size_t n = s.na + s.nb, na = s.na, nb = s.nb;
		char *paths[8];
		struct compare c;
		struct bench_error err = { 0 };

		simulate(&s, &seed, paths);
		cr_assert_eq(compare_load_runs(&c, (const char *const *)paths, n, na, &defaults, &err),
			     0, "%s", err.msg);
		cr_assert(c.runs && c.nruntimes == 2 && c.runtimes[0].nfiles == na &&
			  c.runtimes[1].nfiles == nb);
		for (size_t i = 0; i < 2; i++) {
			const struct compare_ratio *r = &c.benches[i].cells[1].r;
			double a[8], b[8], d[64], est, lo, hi;
			size_t k = 0, crit = 0;

			for (size_t f = 0; f < na; f++)
				a[f] = naive_file_estimate(paths[f], i);
			for (size_t f = 0; f < nb; f++)
				b[f] = naive_file_estimate(paths[na + f], i);
			if (na * nb >= 15) {
				for (size_t x = 0; x < na; x++)
					for (size_t y = 0; y < nb; y++)
						d[k++] = b[y] - a[x];
				qsort(d, k, sizeof(*d), by_value);
				est = k % 2 ? d[k / 2] : (d[k / 2 - 1] + d[k / 2]) / 2;
				while (enumerate_u_cdf(na, nb, crit) <= 0.025)
					crit++;
				/* crit: the largest c with P(U <= c - 1) <= 0.025.  */
				lo = d[crit - 1];
				hi = d[k - crit];
				cr_assert_eq(r->method, COMPARE_RUNS_MOSES);
			} else {
				double ma = 0, mb = 0, va = 0, vb = 0, se, df;
				for (size_t f = 0; f < na; f++)
					ma += a[f] / (double)na;
				for (size_t f = 0; f < nb; f++)
					mb += b[f] / (double)nb;
				for (size_t f = 0; f < na; f++)
					va += (a[f] - ma) * (a[f] - ma) / (double)(na - 1) / (double)na;
				for (size_t f = 0; f < nb; f++)
					vb += (b[f] - mb) * (b[f] - mb) / (double)(nb - 1) / (double)nb;
				se = sqrt(va + vb);
				df = (va + vb) * (va + vb) /
				     (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
				est = mb - ma;
				lo = est - stats_t975((size_t)(df + 1e-9)) * se;
				hi = est + stats_t975((size_t)(df + 1e-9)) * se;
				cr_assert_eq(r->method, COMPARE_RUNS_WELCH);
			}
			cr_assert_float_eq(log(r->ratio), est, 1e-9, "%zu/%zu, bench %zu", na, nb, i);
			cr_assert_float_eq(log(r->lo), lo, 1e-9, "%zu/%zu, bench %zu", na, nb, i);
			cr_assert_float_eq(log(r->hi), hi, 1e-9, "%zu/%zu, bench %zu", na, nb, i);
			cr_assert_not(r->paired);
		}
		cr_assert_eq(c.runtimes[1].drift_warned, 0, "runs carry their drift: no warning");
		compare_release(&c);
		free_paths(paths, n);
	}
}

/* Simulated runs with a known ratio and a drift between runs three times
 * the noise between processes: the interval across runs holds the truth at
 * about its rate, the per-process one of two files does not.  */
Test(compare_runs, interval_covers_the_truth_despite_drift, .timeout = 240)
{
	enum { SIMS = 200 };
	static const double truth[] = { 1.05 };
	static const size_t sizes[][2] = { { 4, 4 }, { 3, 3 } };
	uint64_t seed = 11;

	for (size_t z = 0; z < 2; z++) {
		struct sim s = { 1, 5, sizes[z][0], sizes[z][1], truth, 0.03, 0.01 };
		size_t hits = 0, two_file_hits = 0, n = s.na + s.nb;

		for (size_t k = 0; k < SIMS; k++) {
			char *paths[8];
			const char *two[2];
			struct compare c;
			struct bench_error err = { 0 };

			simulate(&s, &seed, paths);
			cr_assert_eq(compare_load_runs(&c, (const char *const *)paths, n, s.na,
						       &defaults, &err), 0, "%s", err.msg);
			hits += c.benches[0].cells[1].r.lo <= truth[0] &&
				truth[0] <= c.benches[0].cells[1].r.hi;
			compare_release(&c);
			two[0] = paths[0];
			two[1] = paths[s.na];
			cr_assert_eq(compare_load(&c, two, 2, &defaults, &err), 0, "%s", err.msg);
			two_file_hits += c.benches[0].cells[1].r.lo <= truth[0] &&
					 truth[0] <= c.benches[0].cells[1].r.hi;
			compare_release(&c);
			free_paths(paths, n);
		}
		cr_log_info("%zu and %zu runs: covered %zu of %d; two files, per process: %zu",
			    s.na, s.nb, hits, SIMS, two_file_hits);
		/* Nominal 95% (Moses at 4 and 4: 97.1% exactly); two standard errors
		 * over 200 are 3 points.  */
		cr_assert(hits >= 0.91 * SIMS && hits <= 0.995 * SIMS, "covered %zu of %d", hits, SIMS);
		cr_assert(two_file_hits < 0.7 * SIMS, "the per-process interval is blind to drift: "
			  "%zu of %d", two_file_hits, SIMS);
	}
}

/* A/A with drift: 3 runs a side, 6 benchmarks, no difference at all; false
 * slower/faster verdicts no more often than the intervals allow (5% each,
 * fewer with the 2% threshold), and the same for `all`.  */
Test(compare_runs, aa_gives_no_false_verdict_beyond_the_nominal_rate, .timeout = 240)
{
	enum { SIMS = 150, NB = 6 };
	static const double truth[NB] = { 1, 1, 1, 1, 1, 1 };
	struct sim s = { NB, 4, 3, 3, truth, 0.03, 0.01 };
	uint64_t seed = 13;
	size_t wrong = 0, wrong_all = 0;

	for (size_t k = 0; k < SIMS; k++) {
		char *paths[6];
		struct compare c;
		struct bench_error err = { 0 };

		simulate(&s, &seed, paths);
		cr_assert_eq(compare_load_runs(&c, (const char *const *)paths, 6, 3, &defaults, &err),
			     0, "%s", err.msg);
		for (size_t i = 0; i < NB; i++)
			wrong += c.benches[i].cells[1].r.verdict == COMPARE_SLOWER ||
				 c.benches[i].cells[1].r.verdict == COMPARE_FASTER;
		wrong_all += c.total.geo[1].verdict == COMPARE_SLOWER ||
			     c.total.geo[1].verdict == COMPARE_FASTER;
		compare_release(&c);
		free_paths(paths, 6);
	}
	cr_log_info("A/A: %zu false verdicts of %d benchmark comparisons, %zu of %d for all",
		    wrong, SIMS * NB, wrong_all, SIMS);
	cr_assert(wrong <= 0.05 * SIMS * NB, "%zu false verdicts of %d", wrong, SIMS * NB);
	cr_assert(wrong_all <= 0.08 * SIMS, "%zu false verdicts of %d", wrong_all, SIMS);
}

/* ---- bad input ---- */

static void assert_refused(const char *const *paths, size_t n, size_t na, const char *a,
			   const char *b)
{
	struct compare c;
	struct bench_error err = { 0 };

	cr_assert_eq(compare_load_runs(&c, paths, n, na, &defaults, &err), -1);
	cr_assert(strstr(err.msg, a) && strstr(err.msg, b), "%s", err.msg);
	bench_error_release(&err);
}

Test(compare_runs, bad_sides_are_refused_naming_the_file)
{
	static const char *const two[] = { "nbody", "float" }, *const one[] = { "nbody" };
	double v[2 * 3 * 3];
	char *a1, *a2, *b1, *b2, *m1, *m2, *u;
	json_t *suite;
	struct bench_error err = { 0 };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		v[i] = 0.01 * (1 + 0.01 * (double)(i % 5));
	a1 = write_run("a1.json", NULL, two, 2, 3, v);
	a2 = write_run("a2.json", NULL, one, 1, 3, v);
	b1 = write_run("b1.json", NULL, two, 2, 3, v);
	b2 = write_run("b2.json", NULL, two, 2, 3, v);
	m1 = write_run("m1.json", "run-9", two, 2, 3, v);
	m2 = write_run("m2.json", "run-9", two, 2, 3, v);
	assert_refused((const char *[]){ a1, a2, b1, b2 }, 4, 2, "a1.json", "`float`");
	assert_refused((const char *[]){ a1, b1, b2 }, 3, 1, "a1.json", "only file of its side");
	assert_refused((const char *[]){ a1, b1, b2 }, 3, 2, "b2.json", "only file of its side");
	assert_refused((const char *[]){ m1, m2, b1, b2 }, 4, 2, "m2.json", "one matrix run");
	/* A unit that differs within a side.  */
	suite = load(b2);
	json_object_set_new(json_object_get(json_array_get(json_object_get(suite, "benchmarks"), 0),
					    "metadata"), "unit", json_string("byte"));
	u = xasprintf("%s/u.json", dir);
	cr_assert_eq(result_write(u, suite, &err), 0, "%s", err.msg);
	json_decref(suite);
	assert_refused((const char *[]){ a1, b1, b1, u }, 4, 2, "u.json", "unit");
	/* One matrix run across the sides is not a side's problem: unpaired.  */
	{
		struct compare c;
		cr_assert_eq(compare_load_runs(&c, (const char *[]){ b1, m1, b2, m2 }, 4, 2, &defaults,
					       &err), 0, "%s", err.msg);
		cr_assert_not(c.benches[0].cells[1].r.paired);
		compare_release(&c);
	}
	free(a1);
	free(a2);
	free(b1);
	free(b2);
	free(m1);
	free(m2);
	free(u);
}

/* ---- the exit status ---- */

Test(compare_runs, gate_parses_and_names_what_crossed)
{
	static const double truth[] = { 1.5, 1.0, 0.6 };
	struct sim s = { 3, 6, 4, 4, truth, 0.005, 0.005 };
	struct gate_bound b[3];
	unsigned mask;
	const char *bad;
	size_t bad_len;
	char *paths[8], *line;
	struct compare c;
	struct bench_error err = { 0 };
	uint64_t seed = 3;

	cr_assert_eq(gate_parse_fail_on("slower,inconclusive", &mask, &bad, &bad_len), 0);
	cr_assert_eq(mask, GATE_SLOWER | GATE_INCONCLUSIVE);
	cr_assert_eq(gate_parse_fail_on("slower,,faster", &mask, &bad, &bad_len), -1);
	cr_assert_eq(bad_len, 0);
	cr_assert_eq(gate_parse_fail_on("slower,worse", &mask, &bad, &bad_len), -1);
	cr_assert(bad_len == 5 && strncmp(bad, "worse", 5) == 0);
	cr_assert_eq(gate_parse_bound("math=10", &b[0]), 0);
	cr_assert(b[0].name_len == 4 && fabs(b[0].max - 0.10) < 1e-12);
	cr_assert_eq(gate_parse_bound("=10", &b[1]), -1);
	cr_assert_eq(gate_parse_bound("math=", &b[1]), -1);
	cr_assert_eq(gate_parse_bound("math=ten", &b[1]), -1);
	cr_assert_eq(gate_parse_bound("math=-1", &b[1]), -1);
	cr_assert_eq(gate_parse_bound("math", &b[1]), -1);
	cr_assert_eq(gate_parse_bound("nbody=60", &b[1]), 0);
	cr_assert_eq(gate_parse_bound("nbdoy=5", &b[2]), 0);

	simulate(&s, &seed, paths);
	cr_assert_eq(compare_load_runs(&c, (const char *const *)paths, 8, 4, &defaults, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(gate_check_names(&c, b, 2, &err), 0, "%s", err.msg);
	cr_assert_eq(gate_check_names(&c, b, 3, &err), -1);
	cr_assert(strstr(err.msg, "--max-change `nbdoy=5`"), "%s", err.msg);
	cr_assert_null(gate_crossed(&c, 0, NULL, 0));
	line = gate_crossed(&c, GATE_SLOWER, NULL, 0);
	cr_assert(line && strstr(line, "--fail-on slower: b1 on nbody +4") &&
		  !strstr(line, "richards"), "%s", line);
	free(line);
	line = gate_crossed(&c, GATE_FASTER, NULL, 0);
	cr_assert(line && strstr(line, "richards") && !strstr(line, "nbody"), "%s", line);
	free(line);
	/* math: nbody +50% and float 0%, +22% together: above 10%, not 60%.  */
	line = gate_crossed(&c, 0, b, 2);
	cr_assert(line && strstr(line, "--max-change math=10: b1 on math +22") &&
		  !strstr(line, "nbody=60"), "%s", line);
	free(line);
	compare_release(&c);
	free_paths(paths, 8);
	bench_error_release(&err);
}

/* The commands: exit 1 naming what crossed, 0 on an A/A, 2 on bad input.  */
Test(compare_runs, commands_exit_status)
{
	static const double truth[] = { 1.5, 1.0 };
	struct sim s = { 2, 6, 3, 3, truth, 0.005, 0.005 };
	char *paths[6];
	uint64_t seed = 5;
	struct cmd r;

	simulate(&s, &seed, paths);
	r = support_run(dir, "slower", (char *[]){ "compare", "--fail-on", "slower", paths[0],
						  paths[1], paths[2], "--", paths[3], paths[4],
						  paths[5], NULL });
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "FAILED --fail-on slower: b1 on nbody +4") &&
		  !strstr(r.err, "float"), "%s", r.err);
	cr_assert(strstr(r.out, "3/3 runs") && strstr(r.out, "Runs as the unit"), "%s", r.out);
	cmd_free(&r);
	/* The same file against itself: nothing crossed.  */
	r = support_run(dir, "aa", (char *[]){ "compare", "--fail-on", "slower,faster",
					       paths[0], paths[0], NULL });
	cr_assert_eq(r.status, 0, "%s", r.err);
	cmd_free(&r);
	r = support_run(dir, "bound", (char *[]){ "compare", "--max-change", "nbody=40", paths[0],
						 paths[3], NULL });
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "--max-change nbody=40"), "%s", r.err);
	cmd_free(&r);
	r = support_run(dir, "one", (char *[]){ "compare", paths[0], "--", paths[3], paths[4],
					       NULL });
	cr_assert(r.status == 2 && strstr(r.err, "a1.json` is the only file before `--`"), "%s",
		  r.err);
	cmd_free(&r);
	r = support_run(dir, "badfail", (char *[]){ "compare", "--fail-on", "worse", paths[0],
						   paths[3], NULL });
	cr_assert(r.status == 2 && strstr(r.err, "--fail-on `worse`"), "%s", r.err);
	cmd_free(&r);
	r = support_run(dir, "badmax", (char *[]){ "compare", "--max-change", "nbody=x", paths[0],
						  paths[3], NULL });
	cr_assert(r.status == 2 && strstr(r.err, "--max-change `nbody=x`"), "%s", r.err);
	cmd_free(&r);
	r = support_run(dir, "unknown", (char *[]){ "compare", "--max-change", "sql=5", paths[0],
						   paths[3], NULL });
	cr_assert(r.status == 2 && strstr(r.err, "--max-change `sql=5`") &&
		  !strstr(r.out, "nbody"), "%s", r.err);
	cmd_free(&r);
	/* Options between the files, before `--`.  */
	r = support_run(dir, "ref", (char *[]){ "compare", paths[0], paths[1], "--ref", "b1",
					       "--min-change", "3", "--", paths[3], paths[4], NULL });
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "reference: b1 (") && strstr(r.out, "and 1 more run)") &&
		  strstr(r.out, "compared:  a1 ("), "%s", r.out);
	cmd_free(&r);
	/* `--` before every file is the old meaning: the end of options.  */
	r = support_run(dir, "plain", (char *[]){ "compare", "--", paths[0], paths[3], NULL });
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "procs"), "%s", r.out);
	cmd_free(&r);
	free_paths(paths, 6);
}
