#!/usr/bin/env python3
"""The shape of the code: long files, long functions, and includes that go
up the layers.  `make test` runs it with --check (an include from a lower
layer to a higher one, or a cycle between folders, fails the test);
without it, it prints the figures issue 13 asks for.

Layers, bottom first: a folder may include its own headers and those of
the folders below it, never those above.
"""
import os
import re
import subprocess
import sys

LAYERS = [
    "bench/lib",        # util, error, clock, child processes, codecs, result files
    "embed",            # the interpreter
    "categories",       # the workloads and their registry
    "bench/harness",    # runner, worker, serve, the worker protocol
    "bench/report",     # compare, statistics of a report, the outputs
    "containers",       # image, engines, drivers, matrix, k8s
    "bench/cmd",        # the commands, main.c's table
]
LONG_FILE = 600
LONG_FUNCTION = 80
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    """The layer a source file belongs to, or None (tests, tools)."""
    for i, prefix in reversed(list(enumerate(LAYERS))):
        if path == prefix or path.startswith(prefix + "/"):
            return i
    return None


def sources(root):
    out = subprocess.check_output(["git", "ls-files", "*.c", "*.h"], cwd=root, text=True)
    return [f for f in out.split() if not f.startswith("tests/")]


def includes(root, path):
    """Root-relative paths of the headers a file includes."""
    with open(os.path.join(root, path), encoding="utf-8") as f:
        found = INCLUDE.findall(f.read())
    here = os.path.dirname(path)
    return [os.path.normpath(os.path.join(here, inc))
            if os.path.exists(os.path.join(root, here, inc)) else inc for inc in found]


def upward_includes(root, files):
    bad = []
    for f in files:
        for inc in includes(root, f):
            lf, li = layer_of(f), layer_of(inc)
            if lf is not None and li is not None and li > lf:
                bad.append((f, inc))
    return bad


def folder_cycles(root, files):
    """Pairs of folders (a file's own folder) that include each other,
    directly or through others."""
    edges = {}
    for f in files:
        a = os.path.dirname(f)
        for inc in includes(root, f):
            b = os.path.dirname(inc)
            if b and b != a:
                edges.setdefault(a, set()).add(b)

    def reach(a):
        seen, todo = set(), [a]
        while todo:
            for b in edges.get(todo.pop(), ()):
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
        return seen

    reachable = {a: reach(a) for a in edges}
    return sorted({tuple(sorted((a, b))) for a in reachable for b in reachable[a]
                   if a != b and a in reachable.get(b, set())})


def long_functions(root, files):
    """Functions longer than LONG_FUNCTION lines: a definition's opening
    brace and closing brace sit in column 0 (STYLE.md)."""
    found = []
    for f in files:
        if not f.endswith(".c"):
            continue
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            lines = fh.read().split("\n")
        start = name = None
        for i, line in enumerate(lines):
            if line == "{" and i > 0:
                start = i
                head = " ".join(lines[max(0, i - 3):i])
                m = re.findall(r"(\w+)\s*\(", head)
                name = m[0] if m else "?"
                for cand in m:
                    if cand not in ("if", "while", "for", "switch", "sizeof", "return"):
                        name = cand
                        break
            elif line.startswith("}") and start is not None:
                n = i - start + 1
                if n > LONG_FUNCTION:
                    found.append((n, f, name))
                start = None
    return sorted(found, reverse=True)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = sources(root)
    up = upward_includes(root, files)
    cycles = folder_cycles(root, files)
    if "--check" in sys.argv[1:]:
        for f, inc in up:
            print(f"code_shape: {f} includes {inc}, which is in a higher layer "
                  f"(bench/code_shape.py lists the layers)", file=sys.stderr)
        for a, b in cycles:
            print(f"code_shape: {a} and {b} include each other", file=sys.stderr)
        return 1 if up or cycles else 0
    counts = []
    for f in files:
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            counts.append((sum(1 for _ in fh), f))
    print(f"files over {LONG_FILE} lines:")
    for n, f in sorted(counts, reverse=True):
        if n > LONG_FILE:
            print(f"  {n:5d}  {f}")
    print(f"functions over {LONG_FUNCTION} lines:")
    for n, f, name in long_functions(root, files):
        print(f"  {n:5d}  {f}: {name}")
    print(f"includes going up a layer: {len(up)}")
    for f, inc in up:
        print(f"  {f} -> {inc}")
    print(f"folders including each other: {len(cycles)}")
    for a, b in cycles:
        print(f"  {a} <-> {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
