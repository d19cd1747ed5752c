"""Pickle three objects with the pure-Python pickler (pickle._Pickler).

Same inputs and rounds as the pickle workload (a user profile with a datetime,
a tuple of large ints, a list of three profiles; highest protocol), but with
the pickler written in Python, so the interpreter does the work the C
accelerator would. A value is one round of three dumps (INNER_LOOPS = 20).
"""
import io
import pickle

from categories.serialize import _pickle_data

INNER_LOOPS = 20


def _dumps(obj, protocol):
    buf = io.BytesIO()
    pickle._Pickler(buf, protocol).dump(obj)
    return buf.getvalue()


def setup():
    objs = _pickle_data.objects()
    protocol = pickle.HIGHEST_PROTOCOL
    # Both picklers must agree byte for byte, which makes the C output a
    # cheap and independent reference.
    expected = [pickle.dumps(obj, protocol) for obj in objs]
    return objs, protocol, expected


def run(state, loops):
    (profile, numbers, group), protocol, expected = state
    for _ in range(loops):
        for _ in range(INNER_LOOPS):
            a = _dumps(profile, protocol)
            b = _dumps(numbers, protocol)
            c = _dumps(group, protocol)
    if [a, b, c] != expected:
        raise AssertionError("pickle_pure_python: output differs from the "
                             "C pickler's")
