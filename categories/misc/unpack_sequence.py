"""Sequence unpacking: `a, b, ..., j = seq` for a 10-element tuple and list.

Each loop runs 400 unpackings of a tuple and then 400 of a list; a value is
the time of one tuple unpacking plus one list unpacking (INNER_LOOPS = 400).
The 400 statements are written out one after another, so that the loop
overhead stays small next to the unpacking itself; the source is generated
once in setup() rather than spelled out here. Tuples and lists get separate
compiled copies so that each keeps its own specialised bytecode.
"""
UNPACKINGS = 400
INNER_LOOPS = UNPACKINGS

NAMES = "a, b, c, d, e, f, g, h, i, j"

# Body of the generated function: the same unpacking statement repeated.
TEMPLATE = """\
def unpack_many(seq, loops):
    for _ in range(loops):
{body}
    return {names}
"""


def make_unpacker(count):
    """Compile a function unpacking its argument count times per loop."""
    body = ("        %s = seq\n" % NAMES) * count
    namespace = {}
    exec(compile(TEMPLATE.format(body=body.rstrip("\n"), names=NAMES),
                 "<unpack_sequence>", "exec"), namespace)
    return namespace["unpack_many"]


def setup():
    values = tuple(range(10))
    return [(make_unpacker(UNPACKINGS), values),
            (make_unpacker(UNPACKINGS), list(values))]


def run(state, loops):
    expected = list(range(10))
    for unpack_many, seq in state:
        # The names hold the elements of the last unpacking, in order.
        got = unpack_many(seq, loops)
        if list(got) != expected:
            raise AssertionError("unpack_sequence: unpacked %r from %s %r"
                                 % (got, type(seq).__name__, seq))
