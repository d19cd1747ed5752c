"""The workload behind `sandbench timeit`: STMT and SETUP are set by the
harness before setup() is called."""
import ast

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


def _check_stays(code, what):
    """Refuse code that would leave the timed loop (or _timed itself) and so
    fake the timing: return, yield, await, or break/continue outside a loop
    of its own.  Nested functions and classes may do what they like."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    loops = (ast.For, ast.AsyncFor, ast.While)

    def walk(node, in_loop):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, scopes):
                continue
            leaves = isinstance(child, (ast.Return, ast.Yield, ast.YieldFrom, ast.Await))
            if not in_loop and isinstance(child, (ast.Break, ast.Continue)):
                leaves = True
            if leaves:
                raise ValueError("the %s leaves the timed loop (`%s`): time an expression "
                                 "or a call instead" % (what, type(child).__name__.lower()))
            walk(child, in_loop or isinstance(child, loops))

    walk(ast.parse(code, "<timeit %s>" % what), False)


def setup():
    # Compile at set-up so a syntax error is reported before any timing; the
    # set-up statement runs on each call, outside the timed region.
    _check_stays(STMT, "statement")
    _check_stays(SETUP, "set-up")
    source = _TEMPLATE.format(setup=_indent(SETUP).replace("\n        ", "\n    "),
                              stmt=_indent(STMT))
    namespace = {}
    exec(compile(source, "<timeit>", "exec"), namespace)
    return namespace["_timed"]


def run(timed, loops):
    try:
        return timed(loops, sandbench.clock_ns)
    except ModuleNotFoundError as e:
        # The user's own import, not a dependency this machine lacks: a
        # failure, not a skipped benchmark.
        raise ImportError("%s (in the statement or its set-up)" % e) from None
