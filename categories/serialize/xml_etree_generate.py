"""Build a ~1 MB XML tree with ElementTree and serialise it to UTF-8 bytes.

The tree is the document of categories/serialize/_xmldoc.py (50 sections of
100 text entries and a 50-deep chain, 5,103 elements), built element by
element with SubElement. One iteration builds and serialises it 4 times; the
bytes must equal _xmldoc.make_document() exactly.
"""
import xml.etree.ElementTree as ET

from categories.serialize import _xmldoc

REPEAT = 4


def build_tree():
    """Build the document's tree and return its root element."""
    SubElement = ET.SubElement
    entry_text = _xmldoc.entry_text
    root = ET.Element("catalogue", sections=str(_xmldoc.SECTIONS))
    for s in range(_xmldoc.SECTIONS):
        section = SubElement(root, "section", id="s%d" % s, kind="broad")
        for e in range(_xmldoc.ENTRIES):
            SubElement(section, "entry", n=str(e)).text = entry_text(s, e)
    link = SubElement(root, "chain", kind="deep")
    for depth in range(1, _xmldoc.CHAIN_DEPTH + 1):
        link = SubElement(link, "link", depth=str(depth))
    SubElement(link, "leaf").text = _xmldoc.LEAF_TEXT
    return root


def setup():
    return _xmldoc.make_document()


def run(state, loops):
    expected = state
    tostring = ET.tostring
    for _ in range(loops):
        for _ in range(REPEAT):
            data = tostring(build_tree(), encoding="utf-8",
                            xml_declaration=True)
        if data != expected:
            raise AssertionError("xml_etree_generate: serialised %d bytes "
                                 "that differ from the %d-byte reference "
                                 "document" % (len(data), len(expected)))
