"""The workload behind `sandbench timeit`: STMT and SETUP are set by the
harness before setup() is called."""
import sandbench

STMT = "pass"
SETUP = "pass"

_TEMPLATE = """
def _timed(_loops, _clock):
    {setup}
    _t0 = _clock()
    for _ in range(_loops):
        {stmt}
    return _clock() - _t0
"""


def _indent(code):
    return "\n        ".join(code.splitlines() or ["pass"])


def setup():
    # Compile at set-up so a syntax error is reported before any timing; the
    # set-up statement runs on each call, outside the timed region.
    source = _TEMPLATE.format(setup=_indent(SETUP).replace("\n        ", "\n    "),
                              stmt=_indent(STMT))
    namespace = {}
    exec(compile(source, "<timeit>", "exec"), namespace)
    return namespace["_timed"]


def run(timed, loops):
    return timed(loops, sandbench.clock_ns)
