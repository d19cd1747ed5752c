"""In-memory sqlite3 driven from Python, timed per row.

Each loop creates a table, inserts the 1,000 rows (i, cos i, str i) of
categories/sql/_synth.py one statement at a time, reads them all back through
a Python scalar function (cos) and computes the mean text length with a Python
aggregate, then drops the table. A value is the cost per row.
"""
import math
import sqlite3

from categories.sql import _synth

INNER_LOOPS = _synth.ROWS


class AvgLength:
    """sqlite3 aggregate: mean length of the text values it is given."""

    def __init__(self):
        self.total = 0
        self.count = 0

    def step(self, value):
        self.total += len(value)
        self.count += 1

    def finalize(self):
        return self.total / self.count if self.count else None


def setup():
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.create_function(_synth.UDF_NAME, 1, math.cos, deterministic=True)
    conn.create_aggregate(_synth.AGGREGATE_NAME, 1, AvgLength)
    # Build the rows once so the loop times SQLite and the callbacks only.
    rows = [_synth.row(i) for i in range(_synth.ROWS)]
    return conn, rows


def run(state, loops):
    conn, rows = state
    execute = conn.execute
    for _ in range(loops):
        execute(_synth.CREATE_SQL)
        for values in rows:
            execute(_synth.INSERT_SQL, values)

        matches = 0
        cos_sum = 0.0
        for _x, cos_x, y in execute(_synth.QUERY_SQL):
            if cos_x == y:
                matches += 1
            cos_sum += y
        (avg_length,) = execute(_synth.AGGREGATE_SQL).fetchone()
        execute(_synth.DROP_SQL)

        if matches != _synth.EXPECTED_MATCHES:
            raise AssertionError("sb_cos matched %d rows, expected %d"
                                 % (matches, _synth.EXPECTED_MATCHES))
        if abs(cos_sum - _synth.EXPECTED_COS_SUM) > _synth.COS_SUM_TOLERANCE:
            raise AssertionError("sum of y is %r, expected %r"
                                 % (cos_sum, _synth.EXPECTED_COS_SUM))
        if avg_length != _synth.EXPECTED_AVG_LENGTH:
            raise AssertionError("sb_avglength gave %r, expected %r"
                                 % (avg_length, _synth.EXPECTED_AVG_LENGTH))


def teardown(state):
    if state is not None:
        try:
            state[0].close()
        except sqlite3.Error:
            pass
