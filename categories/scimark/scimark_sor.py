"""SciMark SOR: successive over-relaxation on a 100x100 grid, 10 sweeps.

Each sweep visits the interior points in row order and moves each towards the
mean of its four neighbours, over-relaxed with omega = 1.25 (Gauss-Seidel
order: updated neighbours are used at once). The grid starts with random
values from SciMark's generator, copied afresh each iteration, and is indexed
as g[i, j] through a bounds-checked 2-D array class, so each access costs
Python-level calls, as in SciMark's Python port.
"""
from array import array
from math import isclose

from categories.scimark import _random

SIZE = 100
SWEEPS = 10
OMEGA = 1.25

# Sum of the grid after 10 sweeps, cross-checked with a plain nested-list
# implementation of the same sweeps.
EXPECTED_SUM = 5063.040415869753


class Grid:
    """Square grid of doubles in one row-major array, bounds-checked.

    The explicit check matters for stencils: g[i - 1, j] at i = 0 must fail
    rather than wrap around to the last row as a negative index would.
    """

    __slots__ = ("size", "data")

    def __init__(self, rows):
        self.size = len(rows)
        self.data = array("d", [x for row in rows for x in row])

    def _offset(self, index):
        i, j = index
        size = self.size
        if 0 <= i < size and 0 <= j < size:
            return i * size + j
        raise IndexError("grid index %r out of range" % (index,))

    def __getitem__(self, index):
        return self.data[self._offset(index)]

    def __setitem__(self, index, value):
        self.data[self._offset(index)] = value


def sor(g, size, omega, sweeps):
    quarter_omega = omega * 0.25
    keep = 1.0 - omega
    interior = range(1, size - 1)
    for _ in range(sweeps):
        for i in interior:
            for j in interior:
                g[i, j] = (quarter_omega * (g[i - 1, j] + g[i + 1, j]
                                            + g[i, j - 1] + g[i, j + 1])
                           + keep * g[i, j])


def setup():
    rnd = _random.Random(_random.KERNEL_SEED)
    return [rnd.vector(SIZE) for _ in range(SIZE)]


def run(state, loops):
    for _ in range(loops):
        grid = Grid(state)
        sor(grid, SIZE, OMEGA, SWEEPS)
        total = sum(grid.data)
        if not isclose(total, EXPECTED_SUM, rel_tol=1e-12):
            raise AssertionError("scimark_sor: grid sums to %r, expected %r"
                                 % (total, EXPECTED_SUM))
