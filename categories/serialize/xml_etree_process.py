"""Query and restructure a ~1 MB XML tree with ElementTree, then serialise it.

Each pass parses the document of categories/serialize/_xmldoc.py (50 sections
of 100 text entries and a 50-deep chain, 5,103 elements), then:
find() single elements by path and attribute, iterfind() every entry and copy
each tenth one into a new tree, findall() the sections and move every other
one (and the chain) into an archive tree, and serialise all three trees.
One iteration does 3 passes.
"""
import xml.etree.ElementTree as ET
import zlib

from categories.serialize import _xmldoc

REPEAT = 3
# Entries copied by iterfind: those numbered 0, 10, ..., 90 in every section.
PICKED = _xmldoc.SECTIONS * _xmldoc.ENTRIES // 10


def process(doc):
    """One pass; returns the three trees and their serialisations."""
    SubElement = ET.SubElement
    root = ET.fromstring(doc)

    leaf = root.find("chain//leaf")
    middle = root.find("section[@id='s%d']" % (_xmldoc.SECTIONS // 2))
    if leaf.text != _xmldoc.LEAF_TEXT or middle is None:
        raise AssertionError("xml_etree_process: find() missed the leaf or "
                             "the middle section")

    picks = ET.Element("picks")
    for entry in root.iterfind("section/entry"):
        if entry.get("n").endswith("0"):
            SubElement(picks, "pick", n=entry.get("n")).text = entry.text

    archive = ET.Element("archive")
    for section in root.findall("section")[1::2]:
        root.remove(section)
        archive.append(section)
    chain = root.find("chain")
    root.remove(chain)
    archive.append(chain)

    trees = (root, archive, picks)
    return trees, [ET.tostring(tree, encoding="utf-8") for tree in trees]


def summarise(result):
    """Element counts of the three trees and one CRC-32 over their bytes."""
    trees, outputs = result
    counts = tuple(sum(1 for _ in tree.iter()) for tree in trees)
    crc = 0
    for data in outputs:
        crc = zlib.crc32(data, crc)
    return counts, crc


def setup():
    doc = _xmldoc.make_document()
    expected = summarise(process(doc))
    counts = expected[0]
    # Moving subtrees must neither lose nor duplicate elements; the archive
    # has its own root element, so the two trees hold one more in total.
    if sum(counts[:2]) != _xmldoc.ELEMENT_COUNT + 1 or counts[2] != PICKED + 1:
        raise AssertionError("xml_etree_process: element counts %r"
                             % (counts,))
    return doc, expected


def run(state, loops):
    doc, expected = state
    for _ in range(loops):
        for _ in range(REPEAT):
            result = process(doc)
        summary = summarise(result)
        if summary != expected:
            raise AssertionError("xml_etree_process: got (counts, crc) %r, "
                                 "expected %r" % (summary, expected))
