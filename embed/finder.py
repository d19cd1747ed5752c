"""Import hook: serves the `categories` package from the sources built into
the binary, or from sandbench.workloads_dir on disk (development)."""
import importlib.abc
import importlib.util
import os
import sys

import sandbench

PACKAGE = "categories"


class _Loader(importlib.abc.InspectLoader):
    def __init__(self, source, origin, is_package):
        self._source = source
        self._origin = origin
        self._is_package = is_package

    def is_package(self, fullname):
        return self._is_package

    def get_source(self, fullname):
        return self._source.decode("utf-8")

    def get_code(self, fullname):
        return compile(self._source, self._origin, "exec", dont_inherit=True)


class _Finder(importlib.abc.MetaPathFinder):
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
        spec = importlib.util.spec_from_loader(
            fullname, _Loader(source, origin, is_package),
            origin=origin, is_package=is_package)
        spec.has_location = self._directory is not None and not is_package
        return spec


sys.meta_path.insert(0, _Finder(sandbench._builtin_sources,
                                sandbench.workloads_dir))
