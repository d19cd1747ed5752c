"""The synthetic SQLite data set shared by sqlite_synth and its C twin.

Row i, for i in 0 .. ROWS-1, is (x, y, z) = (i, cos(i), the decimal string of
i), with cos from the C library (Python's math.cos is the same libm call), so
a C program using the sqlite3 C API stores bit-identical rows. Both sides then
run the same statements with their own user-defined function and aggregate
and must obtain the EXPECTED_* results below.
"""
import math

ROWS = 1000

CREATE_SQL = "CREATE TABLE synth (x INTEGER, y REAL, z TEXT)"
INSERT_SQL = "INSERT INTO synth VALUES (?, ?, ?)"
DROP_SQL = "DROP TABLE synth"

# sb_cos(x) is a one-argument scalar function returning cos(x); a row matches
# when it equals the stored y exactly.
UDF_NAME = "sb_cos"
QUERY_SQL = "SELECT x, sb_cos(x), y FROM synth"

# sb_avglength(z) is an aggregate returning the mean length of its text
# arguments, as a double: total length / number of rows.
AGGREGATE_NAME = "sb_avglength"
AGGREGATE_SQL = "SELECT sb_avglength(z) FROM synth"

# Every row matches; the digits of 0..999 add up to 10*1 + 90*2 + 900*3.
EXPECTED_MATCHES = ROWS
EXPECTED_TOTAL_LENGTH = 2890
EXPECTED_AVG_LENGTH = 2.89
# Sum of cos(i) for i < ROWS in closed form (Lagrange's identity); summing
# the stored y in any order agrees with it to well within COS_SUM_TOLERANCE.
EXPECTED_COS_SUM = (math.sin(ROWS / 2.0) * math.cos((ROWS - 1) / 2.0)
                    / math.sin(0.5))
COS_SUM_TOLERANCE = 1e-9


def row(i):
    """Return row i as a tuple (x, y, z)."""
    return (i, math.cos(i), str(i))


def expected_json():
    """The rows, statements and expected results as JSON, for the C twin.

    Floats go through repr, so the C side reads back the very same doubles.
    """
    import json
    return json.dumps({
        "rows": [list(row(i)) for i in range(ROWS)],
        "create_sql": CREATE_SQL,
        "insert_sql": INSERT_SQL,
        "drop_sql": DROP_SQL,
        "udf_name": UDF_NAME,
        "query_sql": QUERY_SQL,
        "aggregate_name": AGGREGATE_NAME,
        "aggregate_sql": AGGREGATE_SQL,
        "expected_matches": EXPECTED_MATCHES,
        "expected_total_length": EXPECTED_TOTAL_LENGTH,
        "expected_avg_length": EXPECTED_AVG_LENGTH,
        "expected_cos_sum": EXPECTED_COS_SUM,
        "cos_sum_tolerance": COS_SUM_TOLERANCE,
    })
