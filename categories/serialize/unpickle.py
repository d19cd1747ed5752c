"""Unpickle three objects with the C unpickler.

The pickles (highest protocol) of a user profile (dict with a datetime), a
tuple of large ints and a list of three profiles are loaded one after the
other; a loop does 20 such rounds (INNER_LOOPS = 20), so a value is the time of
one round of three loads. Inputs come from
categories/serialize/_pickle_data.py.
"""
import pickle

import _pickle

from categories.serialize import _pickle_data

INNER_LOOPS = 20


def setup():
    if pickle.Unpickler is not _pickle.Unpickler:
        raise AssertionError("unpickle: the C accelerator is not in use")
    objs = _pickle_data.objects()
    data = [pickle.dumps(obj, pickle.HIGHEST_PROTOCOL) for obj in objs]
    return data, list(objs)


def run(state, loops):
    (p_profile, p_numbers, p_group), expected = state
    loads = pickle.loads
    for _ in range(loops):
        for _ in range(INNER_LOOPS):
            a = loads(p_profile)
            b = loads(p_numbers)
            c = loads(p_group)
    if [a, b, c] != expected:
        raise AssertionError("unpickle: loaded objects differ from the "
                             "originals")
