"""Pickle three objects with the C pickler at the highest protocol.

Each iteration pickles a user profile (dict with a datetime), a tuple of large
ints and a list of three profiles, one after the other; a loop does 20
iterations (INNER_LOOPS = 20), so a value is the time of one round of three
dumps. Inputs come from categories/serialize/_pickle_data.py.
"""
import pickle

import _pickle

from categories.serialize import _pickle_data

INNER_LOOPS = 20


def setup():
    if pickle.Pickler is not _pickle.Pickler:
        raise AssertionError("pickle: the C accelerator is not in use")
    objs = _pickle_data.objects()
    protocol = pickle.HIGHEST_PROTOCOL
    expected = [pickle.dumps(obj, protocol) for obj in objs]
    return objs, protocol, expected


def run(state, loops):
    (profile, numbers, group), protocol, expected = state
    dumps = pickle.dumps
    for _ in range(loops):
        for _ in range(INNER_LOOPS):
            a = dumps(profile, protocol)
            b = dumps(numbers, protocol)
            c = dumps(group, protocol)
    if [a, b, c] != expected:
        raise AssertionError("pickle: output differs from the set-up pickles")
