"""pathlib: list and stat a directory of 2,000 files through pathlib.

Setup writes the tree of _tree (2,000 small files, 8 mixed suffixes, 250 of
them "*.py") in a temporary folder. Per iteration, twice: iterdir() with
stat() on each entry, then glob("*.py") with stat(); the numbers of entries
and the sums of their sizes are checked.
"""
# This module is categories.pathlib.pathlib: absolute imports get the stdlib.
import pathlib
import shutil
import tempfile

from categories.pathlib import _tree


def setup():
    folder = tempfile.mkdtemp(prefix="sandbench-")
    try:
        counts = _tree.make_tree(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, counts


def _scan(base):
    files = size = py_files = py_size = 0
    for path in base.iterdir():
        files += 1
        size += path.stat().st_size
    for path in base.glob("*.py"):
        py_files += 1
        py_size += path.stat().st_size
    return files, size, py_files, py_size


def run(state, loops):
    folder, counts = state
    base = pathlib.Path(folder)
    expected = (counts["files"], counts["bytes"],
                counts["py_files"], counts["py_bytes"])
    for _ in range(loops):
        for _ in range(2):
            found = _scan(base)
            if found != expected:
                raise AssertionError(
                    "pathlib: found (files, bytes, py files, py bytes) %r, "
                    "expected %r" % (found, expected))


def teardown(state):
    if state is not None:
        shutil.rmtree(state[0], ignore_errors=True)
