"""Pickle a dict of 100 keys, each mapping to a 10-key dict (C pickler).

Five dumps per loop at the highest protocol (INNER_LOOPS = 5), so a value is
the time of one dump of the 1,100-entry structure.
"""
import pickle

from categories.serialize import _pickle_data

INNER_LOOPS = 5


def setup():
    obj = _pickle_data.dict_of_dicts()
    protocol = pickle.HIGHEST_PROTOCOL
    expected = pickle.dumps(obj, protocol)
    if pickle.loads(expected) != obj:
        raise AssertionError("pickle_dict: the reference pickle does not "
                             "load back to the original dict")
    return obj, protocol, expected


def run(state, loops):
    obj, protocol, expected = state
    dumps = pickle.dumps
    for _ in range(loops):
        for _ in range(INNER_LOOPS):
            data = dumps(obj, protocol)
    if data != expected:
        raise AssertionError("pickle_dict: output differs from the set-up "
                             "pickle")
