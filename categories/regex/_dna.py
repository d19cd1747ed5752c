"""Shared input of regex_dna and its pcre2 twin: a FASTA text and patterns.

The text is the output of the classic "fasta" generator for n = 100,000
(about 1 MB), fully specified here so a C program can produce the same bytes:

- A linear congruential generator: seed = (seed * 3877 + 29573) % 139968,
  starting from seed 42; each draw returns the double seed / 139968.0.
- Three records, each a header line then the sequence in lines of 60
  characters (the last line may be shorter), every line ending in "\\n":
  ">ONE Homo sapiens alu": the ALU string repeated cyclically, 2n characters;
  ">TWO IUB ambiguity codes": 3n random characters drawn from IUB;
  ">THREE Homo sapiens frequency": 5n random characters from HOMO_SAPIENS.
  The generator state carries on from TWO into THREE.
- A random character is the first entry whose cumulative probability (a
  running double sum in table order) is greater than the draw; the last
  entry if none is.

The variant counts are case-sensitive findall counts (non-overlapping,
leftmost) over the sequence with headers and newlines removed; the IUB
substitutions are then applied in table order to that sequence.
"""

IM = 139968
IA = 3877
IC = 29573
SEED = 42
N = 100_000
LINE_WIDTH = 60

ALU = (
    "GGCCGGGCGCGGTGGCTCACGCCTGTAATCCCAGCACTTTGG"
    "GAGGCCGAGGCGGGCGGATCACCTGAGGTCAGGAGTTCGAGA"
    "CCAGCCTGGCCAACATGGTGAAACCCCGTCTCTACTAAAAAT"
    "ACAAAAATTAGCCGGGCGTGGTGGCGCGCGCCTGTAATCCCA"
    "GCTACTCGGGAGGCTGAGGCAGGAGAATCGCTTGAACCCGGG"
    "AGGCGGAGGTTGCAGTGAGCCGAGATCGCGCCACTGCACTCC"
    "AGCCTGGGCGACAGAGCGAGACTCCGTCTCAAAAA"
)

IUB = (
    ("a", 0.27), ("c", 0.12), ("g", 0.12), ("t", 0.27),
    ("B", 0.02), ("D", 0.02), ("H", 0.02), ("K", 0.02),
    ("M", 0.02), ("N", 0.02), ("R", 0.02), ("S", 0.02),
    ("V", 0.02), ("W", 0.02), ("Y", 0.02),
)

HOMO_SAPIENS = (
    ("a", 0.3029549426680),
    ("c", 0.1979883004921),
    ("g", 0.1975473066391),
    ("t", 0.3015094502008),
)

VARIANTS = (
    "agggtaaa|tttaccct",
    "[cgt]gggtaaa|tttaccc[acg]",
    "a[act]ggtaaa|tttacc[agt]t",
    "ag[act]gtaaa|tttac[agt]ct",
    "agg[act]taaa|ttta[agt]cct",
    "aggg[acg]aaa|ttt[cgt]ccct",
    "agggt[cgt]aa|tt[acg]accct",
    "agggta[cgt]a|t[acg]taccct",
    "agggtaa[cgt]|[acg]ttaccct",
)

SUBSTITUTIONS = (
    ("B", "(c|g|t)"),
    ("D", "(a|g|t)"),
    ("H", "(a|c|t)"),
    ("K", "(g|t)"),
    ("M", "(a|c)"),
    ("N", "(a|c|g|t)"),
    ("R", "(a|g)"),
    ("S", "(c|g)"),
    ("V", "(a|c|g)"),
    ("W", "(a|t)"),
    ("Y", "(c|t)"),
)

# Removes the header lines and the line breaks.
CLEANUP = ">.*\n|\n"

# Results for N = 100,000 and seed 42 (checked against a separate run).
EXPECTED_COUNTS = (6, 26, 86, 58, 113, 31, 31, 32, 43)
EXPECTED_INPUT_LENGTH = 1_016_745
EXPECTED_CLEAN_LENGTH = 1_000_000
EXPECTED_FINAL_LENGTH = 1_336_326


def _wrap(out, header, seq):
    out.append(header + "\n")
    for i in range(0, len(seq), LINE_WIDTH):
        out.append(seq[i:i + LINE_WIDTH] + "\n")


def _random_sequence(table, count, seed):
    """Return (count characters drawn from table, the generator's new seed)."""
    # The generator has only IM states, so the choice for each state is
    # tabulated once; the draw loop then stays cheap.
    cumulative = []
    total = 0.0
    for _, p in table:
        total += p
        cumulative.append(total)
    last = table[-1][0]
    by_state = []
    for state in range(IM):
        r = state / IM
        for (char, _), c in zip(table, cumulative):
            if r < c:
                by_state.append(char)
                break
        else:
            by_state.append(last)
    chars = []
    append = chars.append
    for _ in range(count):
        seed = (seed * IA + IC) % IM
        append(by_state[seed])
    return "".join(chars), seed


def make_fasta(n=N):
    """Return the FASTA text (str) described in the module docstring."""
    out = []
    repeats = 2 * n // len(ALU) + 1
    _wrap(out, ">ONE Homo sapiens alu", (ALU * repeats)[:2 * n])
    seq, seed = _random_sequence(IUB, 3 * n, SEED)
    _wrap(out, ">TWO IUB ambiguity codes", seq)
    seq, seed = _random_sequence(HOMO_SAPIENS, 5 * n, seed)
    _wrap(out, ">THREE Homo sapiens frequency", seq)
    return "".join(out)


def expected_json():
    """The patterns and expected results as JSON, for the pcre2 twin."""
    import json
    return json.dumps({
        "cleanup": CLEANUP,
        "variants": list(VARIANTS),
        "substitutions": [list(pair) for pair in SUBSTITUTIONS],
        "expected_counts": list(EXPECTED_COUNTS),
        "input_length": EXPECTED_INPUT_LENGTH,
        "clean_length": EXPECTED_CLEAN_LENGTH,
        "final_length": EXPECTED_FINAL_LENGTH,
    })
