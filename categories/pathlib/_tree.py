"""Shared file tree of the pathlib benchmark and its C twin.

make_tree(path) fills the existing, empty directory `path` with FILES regular
files named "f%04d" % i + SUFFIXES[i % len(SUFFIXES)] for i in 0..FILES-1,
file i holding i % 100 bytes of "#". Only names ending in ".py" match the
glob "*.py" (".pyc" and ".py.bak" do not).
"""
import os

FILES = 2000
SUFFIXES = (".py", ".txt", ".c", ".h", ".json", ".pyc", ".py.bak", "")


def file_name(i):
    return "f%04d%s" % (i, SUFFIXES[i % len(SUFFIXES)])


def make_tree(path):
    """Create the files; return the counts and byte totals a scan expects."""
    counts = {"files": 0, "bytes": 0, "py_files": 0, "py_bytes": 0}
    for i in range(FILES):
        name = file_name(i)
        size = i % 100
        with open(os.path.join(path, name), "wb") as f:
            f.write(b"#" * size)
        counts["files"] += 1
        counts["bytes"] += size
        if name.endswith(".py"):
            counts["py_files"] += 1
            counts["py_bytes"] += size
    return counts


def make_temp_tree():
    """Make the tree in a new temporary folder, as the pathlib benchmark does.

    Returns JSON: {"path": the folder, plus the counts of make_tree}. The
    caller (the C twin) removes the folder.
    """
    import json
    import shutil
    import tempfile
    folder = tempfile.mkdtemp(prefix="sandbench-")
    try:
        counts = make_tree(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return json.dumps(dict(counts, path=folder))
