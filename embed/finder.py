"""Import hook: serves the `categories` package from the sources built into
the binary, or from sandbench.workloads_dir on disk (development).

Only cheap modules are imported here: importlib.abc would pull in pathlib,
re and tempfile, slowing every worker's start and pre-importing what the
workloads measure.
"""
import os
import sys
from importlib.machinery import ModuleSpec

import sandbench

PACKAGE = "categories"


class _Loader:
    def __init__(self, source, origin):
        self._source = source
        self._origin = origin

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        code = compile(self._source, self._origin, "exec", dont_inherit=True)
        exec(code, module.__dict__)

    def get_source(self, fullname):
        return self._source.decode("utf-8")


class _Finder:
    def __init__(self, builtin, directory):
        self._builtin = builtin
        self._directory = directory

    def _lookup(self, parts):
        """Return (source bytes, origin, is_package) or None."""
        if self._directory is not None:
            base = os.path.join(self._directory, *parts)
            if os.path.isdir(base):
                return b"", base, True
            if os.path.isfile(base + ".py"):
                with open(base + ".py", "rb") as f:
                    return f.read(), base + ".py", False
            return None
        key = "/".join([PACKAGE, *parts])
        if key in self._builtin:
            return self._builtin[key], key + ".py", False
        if any(name.startswith(key + "/") for name in self._builtin):
            return b"", key, True
        return None

    def find_spec(self, fullname, path=None, target=None):
        parts = fullname.split(".")
        if parts[0] != PACKAGE:
            return None
        found = self._lookup(parts[1:])
        if found is None:
            return None
        source, origin, is_package = found
        spec = ModuleSpec(fullname, _Loader(source, origin), origin=origin,
                          is_package=is_package)
        spec.has_location = self._directory is not None and not is_package
        return spec


sys.meta_path.insert(0, _Finder(sandbench._builtin_sources,
                                sandbench.workloads_dir))
