"""SymPy: integrate((1/tan(x))**10, x), the antiderivative of cot(x)**10.

SymPy's cache is cleared before each integration, outside the timed region;
run() returns the time of the integrations only.
"""
import sandbench
from sympy import cos, integrate, sin, symbols, tan
from sympy.core.cache import clear_cache


def setup():
    x = symbols("x")
    # The reduction formula  I(n) = -cot(x)**(n-1)/(n-1) - I(n-2),  I(0) = x,
    # unrolled for n = 10, with cot written as cos/sin as SymPy returns it.
    expected = -x
    sign = -1
    for n in range(1, 10, 2):
        expected += sign * cos(x) ** n / (n * sin(x) ** n)
        sign = -sign
    return x, expected


def run(state, loops):
    x, expected = state
    elapsed = 0
    for _ in range(loops):
        clear_cache()
        t0 = sandbench.clock_ns()
        result = integrate((1 / tan(x)) ** 10, x)
        elapsed += sandbench.clock_ns() - t0

        if result != expected:
            raise AssertionError("integral of cot(x)**10 is %s, expected %s"
                                 % (result, expected))
    return elapsed
