"""Run one sandbench workload under a plain python3, for development.

    /usr/bin/python3 tests/workload_shim.py categories/math/nbody.py [LOOPS]
    /usr/bin/python3 tests/workload_shim.py --child categories/apps/2to3.py ARGS...

Mimics the contract of categories/README.md: a stand-in `sandbench` module,
setup(), one warm-up run(state, 1), then run(state, LOOPS) timed, teardown().
"""
import importlib.util
import os
import sys
import time
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIM = os.path.abspath(__file__)


def _child_command(name, *args):
    path = os.path.join(ROOT, "categories", name + ".py")
    return [sys.executable, SHIM, "--child", path, *map(str, args)]


def _install_sandbench():
    mod = types.ModuleType("sandbench")
    mod.clock_ns = time.monotonic_ns
    mod.child_command = _child_command
    mod.cache_dir = None
    sys.modules["sandbench"] = mod


def _load(path):
    category = os.path.basename(os.path.dirname(os.path.abspath(path)))
    stem = os.path.splitext(os.path.basename(path))[0]
    name = "categories.%s.%s" % (category, stem)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main(argv):
    sys.path.insert(0, ROOT)
    _install_sandbench()
    if argv and argv[0] == "--child":
        _load(argv[1]).child(argv[2:])
        return 0
    path = argv[0]
    loops = int(argv[1]) if len(argv) > 1 else 1
    module = _load(path)
    inner = getattr(module, "INNER_LOOPS", 1)
    state = None
    try:
        t0 = time.monotonic_ns()
        state = module.setup()
        print("setup: %.1f ms" % ((time.monotonic_ns() - t0) / 1e6))
        module.run(state, 1)
        t0 = time.monotonic_ns()
        ns = module.run(state, loops)
        elapsed = time.monotonic_ns() - t0 if ns is None else ns
        per = elapsed / (loops * inner)
        print("%s: %d loops x %d inner, %.3f ms per iteration (%.1f us)"
              % (os.path.basename(path), loops, inner, per / 1e6, per / 1e3))
    finally:
        teardown = getattr(module, "teardown", None)
        if teardown:
            teardown(state)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
