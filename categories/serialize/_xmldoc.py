"""The XML document shared by the xml_etree_* workloads and libxml2 twins.

About 1 MB of UTF-8 (ASCII-only, so byte and character counts agree), with no
whitespace between elements, laid out exactly as ElementTree serialises it:

    <?xml version='1.0' encoding='utf-8'?>\\n
    <catalogue sections="50">
      <section id="s0" kind="broad">             x 50 (ids s0 .. s49)
        <entry n="0">section 0 entry 0: FILLER</entry>   x 100 (n 0 .. 99)
      </section>
      <chain kind="deep">
        <link depth="1"> ... <link depth="50">   nested 50 deep
          <leaf>end of chain</leaf>
        </link> ... </link>
      </chain>
    </catalogue>

(indentation above is for reading only). The bytes are fully determined by the
constants below, so a C program can rebuild them with printf and check its
result against DOCUMENT_LENGTH, ELEMENT_COUNT and TEXT_LENGTH.
"""

SECTIONS = 50
ENTRIES = 100
CHAIN_DEPTH = 50

DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
FILLER = ("the quick brown fox jumps over the lazy dog while a patient "
          "archivist files one more record into the long and carefully "
          "ordered catalogue of everything that was ever written down")
ENTRY_PREFIX = "section %d entry %d: "
LEAF_TEXT = "end of chain"

# Root, sections, entries, the chain element, its links and the leaf.
ELEMENT_COUNT = 1 + SECTIONS * (1 + ENTRIES) + 1 + CHAIN_DEPTH + 1
# Characters of .text over all elements (entries and the leaf carry text).
TEXT_LENGTH = 993512
DOCUMENT_LENGTH = 1106359


def entry_text(section, entry):
    """The text of entry `entry` of section `section`."""
    return ENTRY_PREFIX % (section, entry) + FILLER


def make_document():
    """Return the document as UTF-8 bytes."""
    parts = [DECLARATION, '<catalogue sections="%d">' % SECTIONS]
    for s in range(SECTIONS):
        parts.append('<section id="s%d" kind="broad">' % s)
        for e in range(ENTRIES):
            parts.append('<entry n="%d">%s</entry>' % (e, entry_text(s, e)))
        parts.append('</section>')
    parts.append('<chain kind="deep">')
    for depth in range(1, CHAIN_DEPTH + 1):
        parts.append('<link depth="%d">' % depth)
    parts.append('<leaf>%s</leaf>' % LEAF_TEXT)
    parts.append('</link>' * CHAIN_DEPTH)
    parts.append('</chain></catalogue>')
    return "".join(parts).encode("utf-8")


def expected_json():
    """The layout and expected figures as JSON, for the libxml2 twins."""
    import json
    return json.dumps({
        "sections": SECTIONS,
        "entries": ENTRIES,
        "chain_depth": CHAIN_DEPTH,
        "declaration": DECLARATION,
        "filler": FILLER,
        "leaf_text": LEAF_TEXT,
        "element_count": ELEMENT_COUNT,
        "text_length": TEXT_LENGTH,
        "document_length": DOCUMENT_LENGTH,
    })
