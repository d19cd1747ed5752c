"""regex_compile: compile every pattern of the other regex benchmarks.

The 91 distinct (pattern, flags) pairs of regex_dna, regex_effbot and
regex_v8 are compiled with re's cache purged before each compile, so every
call runs the parser and the code generator. One pass takes a few ms, so an
iteration makes 50 passes; the total number of capture groups is checked.
"""
import re

from categories.regex import regex_dna, regex_effbot, regex_v8

PASSES = 50
EXPECTED_PATTERNS = 91
EXPECTED_GROUPS = 45  # capture groups over one pass


def setup():
    # Duplicates would be compiled once per pass anyway; keep first-seen order.
    patterns = list(dict.fromkeys(
        regex_dna.PATTERNS + regex_effbot.PATTERNS + regex_v8.PATTERNS))
    if len(patterns) != EXPECTED_PATTERNS:
        raise AssertionError("regex_compile: %d patterns, expected %d"
                             % (len(patterns), EXPECTED_PATTERNS))
    return patterns


def run(patterns, loops):
    purge = re.purge
    compile_ = re.compile
    for _ in range(loops):
        groups = 0
        for _ in range(PASSES):
            for pattern, flags in patterns:
                purge()
                groups += compile_(pattern, flags).groups
        if groups != EXPECTED_GROUPS * PASSES:
            raise AssertionError("regex_compile: %d groups, expected %d"
                                 % (groups, EXPECTED_GROUPS * PASSES))
