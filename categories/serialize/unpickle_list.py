"""Unpickle a small list: 10 pairs of 10-int lists (C unpickler).

Ten loads per loop of its highest-protocol pickle (INNER_LOOPS = 10), so a
value is the time of one load.
"""
import pickle

from categories.serialize import _pickle_data

INNER_LOOPS = 10


def setup():
    obj = _pickle_data.list_of_lists()
    return pickle.dumps(obj, pickle.HIGHEST_PROTOCOL), obj


def run(state, loops):
    data, expected = state
    loads = pickle.loads
    for _ in range(loops):
        for _ in range(INNER_LOOPS):
            obj = loads(data)
    if obj != expected:
        raise AssertionError("unpickle_list: loaded list differs from the "
                             "original")
