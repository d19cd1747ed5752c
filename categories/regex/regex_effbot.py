"""regex_effbot: many small searches with precompiled patterns.

22 patterns (alternation, groups, back-references, classes, lazy and greedy
repeats, lookahead, anchors), each searched 10 times in its target padded
with 0 to 10,000 characters (after it, and for some patterns before it too);
the number of hits is checked against the counts in _effbot (shared with
the pcre2 twin).
"""
import re

from categories.regex import _effbot

# Every (pattern, flags) this benchmark compiles; regex_compile reuses them.
PATTERNS = tuple((case[0], 0) for case in _effbot.CASES)

EXPECTED_HITS = _effbot.SEARCHES * sum(case[3] for case in _effbot.CASES)


def setup():
    # One (bound search, text) per search, so the loop does nothing else.
    searches = []
    for pattern, target, pad_before, _ in _effbot.CASES:
        search = re.compile(pattern).search
        for n in _effbot.PADDINGS:
            text = _effbot.padded(target, n, pad_before)
            searches.extend([(search, text)] * _effbot.SEARCHES)
    return searches


def run(searches, loops):
    for _ in range(loops):
        hits = 0
        for search, text in searches:
            if search(text) is not None:
                hits += 1
        if hits != EXPECTED_HITS:
            raise AssertionError("regex_effbot: %d hits, expected %d"
                                 % (hits, EXPECTED_HITS))
