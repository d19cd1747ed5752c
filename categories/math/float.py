"""Float arithmetic on many small objects: 100,000 slotted 3-D points.

Point i is (sin i, 3 cos i, sin^2 i / 2); every point is scaled to unit length,
then the points are folded into their component-wise maximum. The work is
dominated by float operations, attribute access on __slots__ objects and the
allocation of 100,000 instances per iteration.
"""
from math import cos, isclose, sin, sqrt

POINTS = 100_000

# Component-wise maximum of the normalised points, cross-checked against a
# NumPy evaluation of the same formulas.
EXPECTED_MAX = (0.8944271890997865, 1.0, 0.4472135954456972)


class Point:
    __slots__ = ("x", "y", "z")

    def __init__(self, i):
        s = sin(i)
        self.x = s
        self.y = cos(i) * 3.0
        self.z = s * s / 2.0

    def normalise(self):
        length = sqrt(self.x * self.x + self.y * self.y + self.z * self.z)
        self.x /= length
        self.y /= length
        self.z /= length

    def absorb_max(self, other):
        """Raise each component to other's where other's is larger."""
        if other.x > self.x:
            self.x = other.x
        if other.y > self.y:
            self.y = other.y
        if other.z > self.z:
            self.z = other.z
        return self


def compute(n):
    points = [Point(i) for i in range(n)]
    for p in points:
        p.normalise()
    rest = iter(points)
    best = next(rest)
    for p in rest:
        best = best.absorb_max(p)
    return best


def setup():
    return POINTS


def run(state, loops):
    for _ in range(loops):
        best = compute(state)
        got = (best.x, best.y, best.z)
        if not all(isclose(g, e, rel_tol=1e-12)
                   for g, e in zip(got, EXPECTED_MAX)):
            raise AssertionError("float: maximum %r, expected %r"
                                 % (got, EXPECTED_MAX))
