"""2to3: run the lib2to3 fixers over generated Python 2 source, in a child.

Setup writes 9 modules (about 40 KB) to a temporary folder: 8 assembled
(seed 0x2703) from Python 2 snippets (print statements, iteritems,
has_key, "except X, e", "raise X, msg", unicode and long literals, xrange,
backticks, <>, exec, tuple parameters, old imports, ...) and 1 already valid
Python 3 module that no fixer changes. Each iteration runs one child process
of the binary that refactors the folder with every default fixer of
lib2to3.fixes (what "2to3 -f all" runs), without writing, and exits
non-zero if a file fails or the number of changed files is not 8.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import warnings

import sandbench

SEED = 0x2703
PY2_FILES = 8
TARGET_BYTES = 5000  # per Python 2 module

# Python 2 snippets; {f}, {g} are function names, {n} a small number.
_SNIPPETS = (
    '''
def {f}(items):
    total = 0L
    for key, value in items.iteritems():
        if items.has_key(key + "_old"):
            print "skipping", key
            continue
        total += value
    print "total:", total,
    return total
''',
    '''
def {f}(path):
    try:
        handle = open(path)
        data = handle.read()
    except IOError, err:
        print >>sys.stderr, "cannot read %s: %s" % (path, err)
        raise ValueError, "bad path %r" % path
    return unicode(data, "utf-8")
''',
    '''
class {F}Iterator:
    __metaclass__ = type

    def __init__(self, limit):
        self.limit = limit
        self.count = 0

    def __iter__(self):
        return self

    def next(self):
        if self.count >= self.limit:
            raise StopIteration
        self.count += 1
        return self.count * {n}

    def __nonzero__(self):
        return self.count < self.limit
''',
    '''
def {f}(pairs):
    return map(lambda (a, b): a * b + {n}, pairs)
''',
    '''
def {f}((x, y), scale={n}):
    if x <> y:
        return `x` + u"/" + `y`
    return ur"same" if scale else u"none"
''',
    '''
def {f}(table):
    keys = table.keys()
    keys.sort()
    values = [table[k] for k in keys]
    return dict(zip(keys, values)), filter(None, values)
''',
    '''
def {f}(source, namespace):
    exec source in namespace
    exec "result_{n} = %d" % {n}
    return namespace.get("result_{n}")
''',
    '''
def {f}(count):
    squares = []
    for i in xrange(count):
        squares.append(i ** 2)
    mask = 0777 & {n}
    return reduce(lambda a, b: a + b, squares, mask)
''',
    '''
def {f}(obj):
    if isinstance(obj, basestring):
        return intern(obj)
    if isinstance(obj, (int, long)):
        return obj + sys.maxint
    if callable(obj):
        return apply(obj, ({n},))
    return obj
''',
    '''
def {f}(url):
    request = urllib2.Request(url)
    buf = StringIO.StringIO()
    parser = ConfigParser.ConfigParser()
    buf.write(cPickle.dumps(request.get_full_url()))
    return parser, buf.getvalue()
''',
    '''
def {f}(queue):
    answer = raw_input("continue? ")
    level = input()
    while not queue.empty():
        item = queue.get()
        print "%s: %d" % (item, level)
    return answer
''',
    '''
def {f}(handler):
    name = handler.func_name
    code = handler.func_code
    method = getattr(handler, "im_func", None)
    print "handler", name, code.co_argcount
    return method
''',
    '''
def {f}(first, second):
    merged = dict(first.items() + second.items())
    for k in merged.iterkeys():
        for v in merged.itervalues():
            if v == k:
                raise KeyError, k
    return merged
''',
    '''
def {f}(lines):
    result = []
    for a, b in izip(lines, imap(str.upper, lines)):
        result.append(a + b)
    return os.getcwdu(), result
''',
    '''
def {f}(stream):
    for line in stream.xreadlines():
        if line.startswith(u"#"):
            continue
        try:
            value = long(line)
        except (TypeError, ValueError), exc:
            print "bad line", repr(line), exc
            continue
        yield value * {n}L
''',
    '''
class {F}Error(Exception):
    def __init__(self, message):
        Exception.__init__(self, message)

    def __unicode__(self):
        return unicode(self.message)


def {f}(value):
    if not value:
        raise {F}Error, "empty value"
    return {g}(value)
''',
)

_HEADER = '''\
# -*- coding: utf-8 -*-
"""Generated Python 2 module {index}."""
import sys
import os
import urllib2
import StringIO
import cPickle
import ConfigParser
from itertools import imap, izip

'''

_PY3_MODULE = '''\
"""A generated module already valid in Python 3: no fixer changes it."""
import math


class Vector:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def length(self):
        return math.hypot(self.x, self.y)

    def scaled(self, factor):
        return Vector(self.x * factor, self.y * factor)


def total_length(vectors):
    return sum(v.length() for v in vectors)


def describe(vector):
    return "Vector(%r, %r)" % (vector.x, vector.y)
'''

_SYLLABLES = ("load", "save", "parse", "merge", "scan", "emit", "walk",
              "fold", "pack", "split", "check", "build")


def _module(rng, index):
    parts = [_HEADER.format(index=index)]
    size = len(parts[0])
    previous = "len"
    number = 0
    while size < TARGET_BYTES:
        number += 1
        name = "%s_%s_%d" % (rng.choice(_SYLLABLES), rng.choice(_SYLLABLES),
                             number)
        snippet = rng.choice(_SNIPPETS).format(
            f=name, F=name.title().replace("_", ""), g=previous,
            n=rng.randint(2, 999))
        previous = name
        parts.append("\n" + snippet)
        size += len(snippet)
    return "".join(parts)


def setup():
    folder = tempfile.mkdtemp(prefix="sandbench-")
    try:
        rng = random.Random(SEED)
        for index in range(PY2_FILES):
            with open(os.path.join(folder, "legacy_%d.py" % index), "w",
                      encoding="utf-8") as f:
                f.write(_module(rng, index))
        with open(os.path.join(folder, "modern.py"), "w",
                  encoding="utf-8") as f:
            f.write(_PY3_MODULE)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def run(folder, loops):
    command = sandbench.child_command("apps/2to3", folder)
    for _ in range(loops):
        done = subprocess.run(command, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        if done.returncode != 0:
            error = done.stderr.decode(errors="replace")[-2000:]
            raise AssertionError("2to3 child exited with %d: %s"
                                 % (done.returncode, error))


def teardown(folder):
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def child(argv):
    # lib2to3 announces its deprecation on import (Pending- before 3.11).
    for category in (PendingDeprecationWarning, DeprecationWarning):
        warnings.filterwarnings("ignore", "lib2to3 package is deprecated",
                                category)
    from lib2to3 import refactor

    class CountingTool(refactor.RefactoringTool):
        # Called for every refactored file, with whether its text changed.
        def print_output(self, old_text, new_text, filename, equal):
            if not equal:
                self.changed.append(filename)

    folder, = argv
    tool = CountingTool(refactor.get_fixers_from_package("lib2to3.fixes"))
    tool.changed = []
    # Any parse or fixer error raises out of refactor(): the exit is non-zero.
    tool.refactor([folder], write=False)
    changed = len(tool.changed)
    if changed != PY2_FILES:
        sys.exit("2to3: %d files changed, expected %d" % (changed, PY2_FILES))
