"""Stream a ~1 MB XML document with ElementTree.iterparse (start, end events).

The document (categories/serialize/_xmldoc.py: 50 sections of 100 text
entries and a 50-deep chain, 5,103 elements) is written to a temporary file in
setup. One iteration streams it 7 times from the file and 7 times from a
BytesIO, counting events and text as a streaming consumer would, and clearing
each section once it has been read so memory stays flat.
"""
import io
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET

from categories.serialize import _xmldoc

REPEAT = 7
EVENTS = ("start", "end")


def setup():
    doc = _xmldoc.make_document()
    tmpdir = tempfile.mkdtemp(prefix="sandbench-")
    try:
        path = os.path.join(tmpdir, "catalogue.xml")
        with open(path, "wb") as f:
            f.write(doc)
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise
    return tmpdir, path, doc


def _stream(source):
    """Return (start events, end events, characters of text) for `source`."""
    starts = ends = text = 0
    for event, elem in ET.iterparse(source, EVENTS):
        if event == "start":
            starts += 1
        else:
            ends += 1
            if elem.text is not None:
                text += len(elem.text)
            if elem.tag == "section":
                elem.clear()
    return starts, ends, text


def _check(result, source):
    expected = (_xmldoc.ELEMENT_COUNT, _xmldoc.ELEMENT_COUNT,
                _xmldoc.TEXT_LENGTH)
    if result != expected:
        raise AssertionError("xml_etree_iterparse: from %s got (starts, "
                             "ends, text) %r, expected %r"
                             % (source, result, expected))


def run(state, loops):
    _, path, doc = state
    for _ in range(loops):
        for _ in range(REPEAT):
            _check(_stream(path), "the file")
            _check(_stream(io.BytesIO(doc)), "BytesIO")


def teardown(state):
    if state is not None:
        shutil.rmtree(state[0], ignore_errors=True)
