/* sqlite3 C API twin of sqlite_synth: the same rows and statements (from
 * sql/_synth.py), a C scalar function and a C aggregate in place of the
 * Python ones, the same results.  A value is the cost per row.  */
#if HAVE_SQLITE3
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/native.h"
#include "embed/py.h"

/* _synth.ROWS, checked in setup: inner_loops must be a constant.  */
#define SYNTH_ROWS 1000

struct synth_row {
	sqlite3_int64 x;
	double y;
	const char *z;
	int zlen;
};

struct synth_state {
	struct native_figures fig;	/* first: see native.h */
	json_t *spec;			/* _synth.expected_json() */
	sqlite3 *db;
	/* Kept across loops like Python's statement cache; sqlite
	 * re-prepares them after each DROP and CREATE.  */
	sqlite3_stmt *insert, *query, *aggregate;
	struct synth_row *rows;
	size_t nrows;
	const char *create_sql, *insert_sql, *drop_sql, *query_sql, *aggregate_sql;
	json_int_t expected_matches;
	double expected_avg_length, expected_cos_sum, cos_sum_tolerance;
};

/* sb_cos(x): math.cos, which is the same libm call.  */
static void sb_cos(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_result_double(ctx, cos(sqlite3_value_double(argv[0])));
}

struct avg_length {
	sqlite3_int64 total, count;
};

/* sb_avglength(z): Python's len() counts characters, not UTF-8 bytes.  */
static void avg_length_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct avg_length *a = sqlite3_aggregate_context(ctx, sizeof(*a));
	const unsigned char *t = sqlite3_value_text(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);

	if (!a) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (!t) {
		sqlite3_result_error(ctx, "sb_avglength: the argument is NULL", -1);
		return;
	}
	for (int i = 0; i < n; i++)
		a->total += (t[i] & 0xc0) != 0x80;
	a->count++;
}

static void avg_length_final(sqlite3_context *ctx)
{
	struct avg_length *a = sqlite3_aggregate_context(ctx, 0);

	if (a && a->count)
		sqlite3_result_double(ctx, (double)a->total / (double)a->count);
	else
		sqlite3_result_null(ctx);
}

static int db_error(struct synth_state *s, const char *sql, struct bench_error *err)
{
	return bench_error_set(err, 0, "sqlite3: `%s`: %s", sql, sqlite3_errmsg(s->db));
}

static int exec(struct synth_state *s, const char *sql, struct bench_error *err)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_error(s, sql, err);
}

/* Prepare *stmt once; later loops reuse it.  */
static int prepare(struct synth_state *s, sqlite3_stmt **stmt, const char *sql,
		   struct bench_error *err)
{
	if (*stmt)
		return 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return db_error(s, sql, err);
	return 0;
}

static void synth_teardown(void *state)
{
	struct synth_state *s = state;

	if (!s)
		return;
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->query);
	sqlite3_finalize(s->aggregate);
	sqlite3_close(s->db);
	free(s->rows);
	json_decref(s->spec);
	free(s);
}

static int synth_load(struct synth_state *s, struct bench_error *err)
{
	cleanup_free char *json = NULL;
	const char *udf, *agg;
	json_t *rows, *row;
	json_error_t jerr;
	size_t i;

	if (py_call_bytes("sql/_synth", "expected_json", &json, NULL, err) < 0)
		return -1;
	s->spec = json_loads(json, 0, &jerr);
	if (!s->spec ||
	    json_unpack_ex(s->spec, &jerr, 0,
			   "{s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:F, s:F, s:F}",
			   "rows", &rows, "create_sql", &s->create_sql,
			   "insert_sql", &s->insert_sql, "drop_sql", &s->drop_sql,
			   "udf_name", &udf, "query_sql", &s->query_sql,
			   "aggregate_name", &agg, "aggregate_sql", &s->aggregate_sql,
			   "expected_matches", &s->expected_matches,
			   "expected_avg_length", &s->expected_avg_length,
			   "expected_cos_sum", &s->expected_cos_sum,
			   "cos_sum_tolerance", &s->cos_sum_tolerance) < 0)
		return bench_error_set(err, 0, "_synth.expected_json(): %s", jerr.text);
	s->nrows = json_array_size(rows);
	if (s->nrows != SYNTH_ROWS)
		return bench_error_set(err, 0, "_synth has %zu rows, this twin is built for %d",
				       s->nrows, SYNTH_ROWS);
	s->rows = xcalloc(s->nrows, sizeof(*s->rows));
	json_array_foreach(rows, i, row) {
		struct synth_row *r = &s->rows[i];
		json_int_t x;

		if (json_unpack_ex(row, &jerr, 0, "[IFs]", &x, &r->y, &r->z) < 0)
			return bench_error_set(err, 0, "_synth.expected_json() row %zu: %s", i,
					       jerr.text);
		r->x = x;
		r->zlen = (int)strlen(r->z);
	}

	if (sqlite3_open(":memory:", &s->db) != SQLITE_OK)
		return bench_error_set(err, 0, "sqlite3: open an in-memory database: %s",
				       s->db ? sqlite3_errmsg(s->db) : "out of memory");
	if (sqlite3_create_function(s->db, udf, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    sb_cos, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, agg, 1, SQLITE_UTF8, NULL, NULL, avg_length_step,
				    avg_length_final) != SQLITE_OK)
		return bench_error_set(err, 0, "sqlite3: create functions %s and %s: %s", udf, agg,
				       sqlite3_errmsg(s->db));
	return 0;
}

static int synth_setup(void **state, struct bench_error *err)
{
	struct synth_state *s = xcalloc(1, sizeof(*s));

	if (synth_load(s, err) < 0) {
		synth_teardown(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int insert_rows(struct synth_state *s, struct bench_error *err)
{
	/* Python's sqlite3 (isolation_level "") opens a transaction before the
	 * first INSERT and never commits it by itself: do the same, so that
	 * both sides do the same journal work.  */
	if (sqlite3_get_autocommit(s->db) && exec(s, "BEGIN ", err) < 0)
		return -1;
	if (prepare(s, &s->insert, s->insert_sql, err) < 0)
		return -1;
	for (size_t i = 0; i < s->nrows; i++) {
		const struct synth_row *r = &s->rows[i];

		if (sqlite3_bind_int64(s->insert, 1, r->x) != SQLITE_OK ||
		    sqlite3_bind_double(s->insert, 2, r->y) != SQLITE_OK ||
		    sqlite3_bind_text(s->insert, 3, r->z, r->zlen, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_step(s->insert) != SQLITE_DONE) {
			db_error(s, s->insert_sql, err);
			sqlite3_reset(s->insert);
			return -1;
		}
		sqlite3_reset(s->insert);
	}
	return 0;
}

static int synth_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		     struct bench_error *err)
{
	struct synth_state *s = state;

	for (uint64_t i = 0; i < loops; i++) {
		json_int_t matches = 0, rows = 0;
		double cos_sum = 0.0, avg_length;
		int rc;

		if (exec(s, s->create_sql, err) < 0 || insert_rows(s, err) < 0)
			return -1;

		if (prepare(s, &s->query, s->query_sql, err) < 0)
			return -1;
		while ((rc = sqlite3_step(s->query)) == SQLITE_ROW) {
			double cos_x = sqlite3_column_double(s->query, 1);
			double y = sqlite3_column_double(s->query, 2);

			bench_do_not_optimize(sqlite3_column_int64(s->query, 0));
			matches += cos_x == y;
			cos_sum += y;
			rows++;
		}
		sqlite3_reset(s->query);
		if (rc != SQLITE_DONE)
			return db_error(s, s->query_sql, err);

		if (prepare(s, &s->aggregate, s->aggregate_sql, err) < 0)
			return -1;
		rc = sqlite3_step(s->aggregate);
		if (rc != SQLITE_ROW) {
			db_error(s, s->aggregate_sql, err);
			sqlite3_reset(s->aggregate);
			return -1;
		}
		if (sqlite3_column_type(s->aggregate, 0) != SQLITE_FLOAT) {
			sqlite3_reset(s->aggregate);
			return bench_error_set(err, 0, "sqlite_synth_c: `%s` gave no number",
					       s->aggregate_sql);
		}
		avg_length = sqlite3_column_double(s->aggregate, 0);
		sqlite3_reset(s->aggregate);
		if (exec(s, s->drop_sql, err) < 0)
			return -1;

		native_figure_set(&s->fig, 0, "expected_matches", (double)matches);
		native_figure_set(&s->fig, 1, "expected_avg_length", avg_length);
		if (matches != s->expected_matches || rows != (json_int_t)s->nrows)
			return bench_error_set(err, 0, "sqlite_synth_c: sb_cos matched %lld of %lld "
					       "rows, expected %lld of %zu", (long long)matches,
					       (long long)rows, (long long)s->expected_matches,
					       s->nrows);
		if (fabs(cos_sum - s->expected_cos_sum) > s->cos_sum_tolerance)
			return bench_error_set(err, 0, "sqlite_synth_c: sum of y is %.17g, "
					       "expected %.17g", cos_sum, s->expected_cos_sum);
		if (avg_length != s->expected_avg_length)
			return bench_error_set(err, 0, "sqlite_synth_c: sb_avglength gave %.17g, "
					       "expected %.17g", avg_length,
					       s->expected_avg_length);
	}
	return 0;
}

const struct bench_native_ops sql_sqlite_synth_c_ops = {
	.needs_python = 1,
	.setup = synth_setup,
	.run = synth_run,
	.teardown = synth_teardown,
	.inner_loops = SYNTH_ROWS,
};

#endif /* HAVE_SQLITE3 */
