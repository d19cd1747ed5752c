"""Pickle a small list: 10 pairs of 10-int lists (C pickler).

Ten dumps per loop at the highest protocol (INNER_LOOPS = 10), so a value is
the time of one dump.
"""
import pickle

from categories.serialize import _pickle_data

INNER_LOOPS = 10


def setup():
    obj = _pickle_data.list_of_lists()
    protocol = pickle.HIGHEST_PROTOCOL
    expected = pickle.dumps(obj, protocol)
    if pickle.loads(expected) != obj:
        raise AssertionError("pickle_list: the reference pickle does not "
                             "load back to the original list")
    return obj, protocol, expected


def run(state, loops):
    obj, protocol, expected = state
    dumps = pickle.dumps
    for _ in range(loops):
        for _ in range(INNER_LOOPS):
            data = dumps(obj, protocol)
    if data != expected:
        raise AssertionError("pickle_list: output differs from the set-up "
                             "pickle")
