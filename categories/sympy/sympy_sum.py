"""SymPy: summation(x**i/i, (i, 1, 400)), a polynomial of 400 terms.

SymPy's cache is cleared before each summation, outside the timed region;
run() returns the time of the summations only.
"""
import sandbench
from sympy import Rational, summation, symbols
from sympy.core.cache import clear_cache

TERMS = 400


def setup():
    return symbols("x i")


def run(state, loops):
    x, i = state
    elapsed = 0
    for _ in range(loops):
        clear_cache()
        t0 = sandbench.clock_ns()
        result = summation(x ** i / i, (i, 1, TERMS))
        elapsed += sandbench.clock_ns() - t0

        coeffs = result.as_coefficients_dict()
        if len(coeffs) != TERMS:
            raise AssertionError("sum has %d terms, expected %d"
                                 % (len(coeffs), TERMS))
        for k in range(1, TERMS + 1):
            if coeffs[x ** k] != Rational(1, k):
                raise AssertionError("coefficient of x**%d is %s, "
                                     "expected 1/%d" % (k, coeffs[x ** k], k))
    return elapsed
