"""SciMark sparse matrix multiply: y = A x in compressed-row storage.

A is 1000x1000 with 50 non-zeros per row (50,000 in all), laid out as in
SciMark 2.0: row r has its entries in columns 0, s, 2s, ... with stride
s = max(1, r // 50), so later rows spread wider. Values and x come from
SciMark's generator; the three CSR arrays (values, column indices, row
starts) are typed arrays. One product per iteration.
"""
from array import array

from categories.scimark import _random

N = 1000
NONZEROS = 50_000


def build(n, nonzeros, rnd):
    """Return SciMark's matrix as CSR arrays (values, columns, row_starts)."""
    per_row = nonzeros // n
    columns = array("i")
    row_starts = array("i", [0])
    for r in range(n):
        stride = max(1, r // per_row)
        columns.extend(k * stride for k in range(per_row))
        row_starts.append(len(columns))
    values = array("d", rnd.vector(len(columns)))
    return values, columns, row_starts


def multiply(values, columns, row_starts, x, y):
    start = row_starts[0]
    for r in range(len(y)):
        end = row_starts[r + 1]
        total = 0.0
        for k in range(start, end):
            total += x[columns[k]] * values[k]
        y[r] = total
        start = end


def setup():
    rnd = _random.Random(_random.KERNEL_SEED)
    values, columns, row_starts = build(N, NONZEROS, rnd)
    x = array("d", rnd.vector(N))
    # The expected product, from (column, value) pairs per row instead of the
    # flat arrays; the same operations in the same order give equal bits.
    expected = array("d")
    for r in range(N):
        entries = zip(columns[row_starts[r]:row_starts[r + 1]],
                      values[row_starts[r]:row_starts[r + 1]])
        total = 0.0
        for c, v in entries:
            total += x[c] * v
        expected.append(total)
    return values, columns, row_starts, x, expected


def run(state, loops):
    values, columns, row_starts, x, expected = state
    y = array("d", bytes(8 * N))
    for _ in range(loops):
        y[0] = -1.0  # so that a product that writes nothing cannot pass
        multiply(values, columns, row_starts, x, y)
        if y != expected:
            bad = next(r for r in range(N) if y[r] != expected[r])
            raise AssertionError("scimark_sparse_mat_mult: y[%d] = %r, "
                                 "expected %r" % (bad, y[bad], expected[bad]))
