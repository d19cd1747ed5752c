"""Unpickle three objects with the pure-Python unpickler (pickle._Unpickler).

Same pickles as the unpickle workload (a user profile with a datetime, a tuple
of large ints, a list of three profiles; highest protocol), loaded by the
unpickler written in Python. A value is one round of three loads
(INNER_LOOPS = 20).
"""
import io
import pickle

from categories.serialize import _pickle_data

INNER_LOOPS = 20


def _loads(data):
    return pickle._Unpickler(io.BytesIO(data)).load()


def setup():
    objs = _pickle_data.objects()
    data = [pickle.dumps(obj, pickle.HIGHEST_PROTOCOL) for obj in objs]
    return data, list(objs)


def run(state, loops):
    (p_profile, p_numbers, p_group), expected = state
    for _ in range(loops):
        for _ in range(INNER_LOOPS):
            a = _loads(p_profile)
            b = _loads(p_numbers)
            c = _loads(p_group)
    if [a, b, c] != expected:
        raise AssertionError("unpickle_pure_python: loaded objects differ "
                             "from the originals")
