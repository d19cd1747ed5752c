"""SciMark LU: factorise a 100x100 random matrix with partial pivoting.

Right-looking Doolittle elimination in place, as in SciMark 2.0: for each
column pick the largest pivot, swap rows, scale the multipliers, update the
trailing submatrix. Elements are reached through a small matrix class indexed
as m[i, j], so every access goes through Python-level __getitem__ and
__setitem__, which is what SciMark's Python port spends its time on. The
matrix (from SciMark's generator) is copied before each factorisation.
"""
from array import array

from categories.scimark import _random

N = 100


class Matrix:
    """Dense matrix stored as a list of rows of doubles."""

    __slots__ = ("rows",)

    def __init__(self, rows):
        self.rows = [array("d", row) for row in rows]

    def __getitem__(self, index):
        i, j = index
        return self.rows[i][j]

    def __setitem__(self, index, value):
        i, j = index
        self.rows[i][j] = value

    def swap_rows(self, i, j):
        rows = self.rows
        rows[i], rows[j] = rows[j], rows[i]


def lu_factor(a, n):
    """Factorise a in place into unit-lower L and upper U with P a = L U.

    Returns the pivots: at step j, row j was swapped with row pivots[j].
    """
    pivots = []
    for j in range(n):
        p = j
        largest = abs(a[j, j])
        for i in range(j + 1, n):
            candidate = abs(a[i, j])
            if candidate > largest:
                p = i
                largest = candidate
        if largest == 0.0:
            raise ZeroDivisionError("matrix is singular at column %d" % j)
        pivots.append(p)
        if p != j:
            a.swap_rows(j, p)
        inverse = 1.0 / a[j, j]
        for i in range(j + 1, n):
            a[i, j] *= inverse
        for i in range(j + 1, n):
            multiplier = a[i, j]
            for k in range(j + 1, n):
                a[i, k] -= multiplier * a[j, k]
    return pivots


def mat_vec(rows, x):
    return [sum(r * v for r, v in zip(row, x)) for row in rows]


def lu_times(rows, x):
    """Return L (U x) for the factors packed in rows, without forming them."""
    n = len(x)
    ux = [sum(rows[i][k] * x[k] for k in range(i, n)) for i in range(n)]
    return [ux[i] + sum(rows[i][k] * ux[k] for k in range(i))
            for i in range(n)]


def setup():
    rnd = _random.Random(_random.KERNEL_SEED)
    matrix = [rnd.vector(N) for _ in range(N)]
    # Checking P A x = L U x for one vector costs O(N^2), next to the O(N^3)
    # factorisation.
    probe = rnd.vector(N)
    return matrix, probe, mat_vec(matrix, probe)


def run(state, loops):
    matrix, probe, product = state
    for _ in range(loops):
        lu = Matrix(matrix)
        pivots = lu_factor(lu, N)
        expected = list(product)
        for j, p in enumerate(pivots):
            expected[j], expected[p] = expected[p], expected[j]
        got = lu_times(lu.rows, probe)
        error = max(abs(g - e) for g, e in zip(got, expected))
        if error > 1e-9:
            raise AssertionError("scimark_lu: P A x and L U x differ by %g"
                                 % error)
