"""SymPy: expand((1 + x + y + z)**20) into its 1,771 monomials.

SymPy's cache is cleared before each expansion, outside the timed region, so
every loop does the full work; run() returns the time of the expansions only.
"""
from math import comb, factorial

import sandbench
from sympy import expand, symbols
from sympy.core.cache import clear_cache

POWER = 20
# Monomials of degree <= 20 in three variables: C(20 + 3, 3).
TERMS = comb(POWER + 3, 3)
# Multinomial coefficient of x**5*y**5*z**5 (the constant 1 taken 5 times).
COEFF_XYZ5 = factorial(POWER) // factorial(5) ** 4


def setup():
    x, y, z = symbols("x y z")
    return x, y, z


def run(state, loops):
    x, y, z = state
    elapsed = 0
    for _ in range(loops):
        clear_cache()
        t0 = sandbench.clock_ns()
        result = expand((1 + x + y + z) ** POWER)
        elapsed += sandbench.clock_ns() - t0

        coeffs = result.as_coefficients_dict()
        if len(coeffs) != TERMS:
            raise AssertionError("expansion has %d terms, expected %d"
                                 % (len(coeffs), TERMS))
        if coeffs[x**5 * y**5 * z**5] != COEFF_XYZ5:
            raise AssertionError("coefficient of x**5*y**5*z**5 is %s, "
                                 "expected %d"
                                 % (coeffs[x**5 * y**5 * z**5], COEFF_XYZ5))
        # Setting x = y = z = 1 gives 4**20.
        if sum(coeffs.values()) != 4 ** POWER:
            raise AssertionError("coefficients do not add up to 4**%d"
                                 % POWER)
    return elapsed
