"""regex_dna: regular expressions over a ~1 MB generated FASTA text.

Per iteration: strip headers and line breaks, count 9 variant patterns
(findall), apply 11 IUB-code substitutions; the counts and the lengths are
checked against the constants in _dna (the pcre2 twin uses the same input).
"""
import re

from categories.regex import _dna

# Every (pattern, flags) this benchmark compiles; regex_compile reuses them.
PATTERNS = tuple(
    [(_dna.CLEANUP, 0)]
    + [(variant, 0) for variant in _dna.VARIANTS]
    + [(code, 0) for code, _ in _dna.SUBSTITUTIONS]
)


def setup():
    text = _dna.make_fasta()
    if len(text) != _dna.EXPECTED_INPUT_LENGTH:
        raise AssertionError("FASTA text is %d chars, expected %d"
                             % (len(text), _dna.EXPECTED_INPUT_LENGTH))
    cleanup = re.compile(_dna.CLEANUP)
    variants = [re.compile(v) for v in _dna.VARIANTS]
    substitutions = [(re.compile(code), alternatives)
                     for code, alternatives in _dna.SUBSTITUTIONS]
    return text, cleanup, variants, substitutions


def run(state, loops):
    text, cleanup, variants, substitutions = state
    for _ in range(loops):
        seq = cleanup.sub("", text)
        clean_length = len(seq)
        counts = tuple(len(v.findall(seq)) for v in variants)
        for code, alternatives in substitutions:
            seq = code.sub(alternatives, seq)
        if (counts != _dna.EXPECTED_COUNTS
                or clean_length != _dna.EXPECTED_CLEAN_LENGTH
                or len(seq) != _dna.EXPECTED_FINAL_LENGTH):
            raise AssertionError(
                "regex_dna: counts %r, lengths %d/%d; expected %r, %d/%d"
                % (counts, clean_length, len(seq), _dna.EXPECTED_COUNTS,
                   _dna.EXPECTED_CLEAN_LENGTH, _dna.EXPECTED_FINAL_LENGTH))
