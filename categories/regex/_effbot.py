"""Shared input of regex_effbot and its pcre2 twin: patterns, texts, counts.

Each pattern is searched (unanchored search, first match only) in its target
text followed by PAD_CHAR repeated n times, for every n in PADDINGS; cases
marked pad_before also have the n pad characters in front of the target (the
patterns the engine can skip through quickly, by literal prefix). The
patterns stay within the syntax Python's re and PCRE2 agree on (ASCII text,
no \\Z, inline flags only at the start).
"""

PAD_CHAR = "-"
PADDINGS = (0, 5, 50, 250, 1000, 5000, 10000)
SEARCHES = 10  # searches of each padded text per iteration

# (pattern, target, pad_before, number of PADDINGS whose text matches)
CASES = (
    ("Python|Perl", "Perl", True, 7),
    ("(Python|Perl)", "Perl", True, 7),
    ("(?:Python|Perl|Ruby|Lua)", "Lua", False, 7),
    ("\\[Python\\]", "[Python]", True, 7),
    ("Python", "Python", True, 7),
    (".*Python", "Python", False, 7),
    (".*Python.*", "Python", False, 7),
    (".*(Python)", "Python", False, 7),
    ("Py(th)+on", "Pythththon", True, 7),
    ("(Python)\\1", "PythonPython", True, 7),
    ("(?P<lang>Perl|Tcl)-(?P=lang)", "Tcl-Tcl", False, 7),
    ("([a-z][a-z0-9]*,)+", "a5,b7,c9,", False, 7),
    ("(?:[a-z][a-z0-9]*,)+", "a5,b7,c9,", False, 7),
    ("[0-9]{4}-[0-9]{2}-[0-9]{2}", "2024-05-17", False, 7),
    ("(?i)python", "PyThOn", False, 7),
    ("\\bword\\b", "word", False, 7),
    ("<([a-z]+)>.*?</\\1>", "<em>text</em>", True, 7),
    ("Py(?=thon)", "Python", True, 7),
    ("x{3,5}y", "xxxxy", False, 7),
    ("Ruby", "Python", True, 0),
    ("^Python$", "Python", True, 1),
    ("Perl6", "Perl5", True, 0),
)


def padded(target, n, pad_before):
    """Return target followed (and, if pad_before, preceded) by n pads."""
    pad = PAD_CHAR * n
    return (pad if pad_before else "") + target + pad


def cases_json():
    """The cases and the expected number of hits as JSON, for the pcre2 twin."""
    import json
    return json.dumps({
        "pad_char": PAD_CHAR,
        "paddings": list(PADDINGS),
        "searches": SEARCHES,
        "cases": [list(case) for case in CASES],
        "expected_hits": SEARCHES * sum(case[3] for case in CASES),
    })
