"""SymPy: str(expand((x + 2*y + 3*z)**30)), printing 496 terms (17,520 chars).

SymPy's cache is cleared before each expansion, outside the timed region;
run() returns the time of expanding and printing only.
"""
import hashlib
from math import comb, factorial

import sandbench
from sympy import expand, symbols
from sympy.core.cache import clear_cache

POWER = 30
# Homogeneous monomials of degree 30 in three variables: C(30 + 2, 2).
TERMS = comb(POWER + 2, 2)
# The middle term 30!/(10!)**3 * 2**10 * 3**10 * x**10*y**10*z**10, printed.
MIDDLE = "%d*x**10*y**10*z**10" % (
    factorial(POWER) // factorial(10) ** 3 * 2 ** 10 * 3 ** 10)
# Output of SymPy 1.11 (Debian python3-sympy), checked against the above.
LENGTH = 17520
SHA256 = "e56c4a0ecc652ad554e859bfed72d23cdd41531b8f2ca66df94474000797f664"


def setup():
    return symbols("x y z")


def run(state, loops):
    x, y, z = state
    elapsed = 0
    for _ in range(loops):
        clear_cache()
        t0 = sandbench.clock_ns()
        text = str(expand((x + 2 * y + 3 * z) ** POWER))
        elapsed += sandbench.clock_ns() - t0

        # All coefficients are positive, so terms are joined by " + " only.
        if text.count(" + ") != TERMS - 1 or " - " in text:
            raise AssertionError("printed polynomial does not have %d "
                                 "positive terms" % TERMS)
        if MIDDLE not in text:
            raise AssertionError("term %s missing from the output" % MIDDLE)
        digest = hashlib.sha256(text.encode("ascii")).hexdigest()
        if len(text) != LENGTH or digest != SHA256:
            raise AssertionError("output of %d chars, sha256 %s; expected "
                                 "%d chars, sha256 %s"
                                 % (len(text), digest, LENGTH, SHA256))
    return elapsed
