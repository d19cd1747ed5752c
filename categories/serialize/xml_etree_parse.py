"""Parse a ~1 MB XML document with ElementTree, from a file and from bytes.

The document (categories/serialize/_xmldoc.py: 50 sections of 100 text
entries and a 50-deep chain, 5,103 elements) is written to a temporary file in
setup. One iteration parses it 9 times with ElementTree.parse(path) and 9
times with ElementTree.fromstring(bytes), the parser being the C accelerator
over expat.
"""
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET

from categories.serialize import _xmldoc

REPEAT = 9


def setup():
    doc = _xmldoc.make_document()
    if len(doc) != _xmldoc.DOCUMENT_LENGTH:
        raise AssertionError("xml_etree_parse: document is %d bytes, "
                             "expected %d"
                             % (len(doc), _xmldoc.DOCUMENT_LENGTH))
    tmpdir = tempfile.mkdtemp(prefix="sandbench-")
    try:
        path = os.path.join(tmpdir, "catalogue.xml")
        with open(path, "wb") as f:
            f.write(doc)
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise
    return tmpdir, path, doc


def _check(root, source):
    count = sum(1 for _ in root.iter())
    if count != _xmldoc.ELEMENT_COUNT:
        raise AssertionError("xml_etree_parse: %d elements parsed from %s, "
                             "expected %d"
                             % (count, source, _xmldoc.ELEMENT_COUNT))


def run(state, loops):
    _, path, doc = state
    parse = ET.parse
    fromstring = ET.fromstring
    for _ in range(loops):
        for _ in range(REPEAT):
            from_file = parse(path).getroot()
            from_bytes = fromstring(doc)
        _check(from_file, "the file")
        _check(from_bytes, "bytes")


def teardown(state):
    if state is not None:
        shutil.rmtree(state[0], ignore_errors=True)
