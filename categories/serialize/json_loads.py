"""Decode three JSON documents with json.loads, 20 times each per loop.

The documents: a user profile (a dict of strings, numbers, lists and a nested
dict, with some non-ASCII text), a tuple of 200 large ints (a JSON array), and
a list of 4 further profiles. A loop decodes each document 20 times
(INNER_LOOPS = 60), so a value is the mean time of one decode.
Inputs are built in setup from a fixed seed.
"""
import json
import random

SEED = 3141
REPEAT = 20
INNER_LOOPS = 3 * REPEAT
INT_COUNT = 200
GROUP_SIZE = 4

WORDS = ["ch\u00e2teau", "fjord", "sm\u00f6rg\u00e5s", "tea", "\u00e9t\u00e9",
         "river", "mountain", "jazz", "caf\u00e9", "novel", "garden", "rain",
         "Gr\u00fc\u00dfe", "harbour", "lantern", "orchard"]


def _phrase(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _profile(rng):
    return {
        "id": rng.randrange(10**9),
        "handle": "user%06d" % rng.randrange(10**6),
        "name": _phrase(rng, 2).title(),
        "age": rng.randrange(18, 90),
        "country": rng.choice(["SE", "FR", "DE", "JP", "BR"]),
        "active": rng.random() < 0.8,
        "score": round(rng.uniform(0, 1000), 4),
        "bio": _phrase(rng, 40),
        "favourite_places": [_phrase(rng, 2) for _ in range(12)],
        "favourite_words": rng.sample(WORDS, 10),
        "history": [{"year": 2000 + i, "visits": rng.randrange(500),
                     "rating": round(rng.random() * 5, 2)} for i in range(10)],
        "settings": {"locale": "sv_SE", "newsletter": False, "avatar": None,
                     "page_size": 25, "theme": "solarized"},
    }


def setup():
    rng = random.Random(SEED)
    profile = _profile(rng)
    numbers = tuple(rng.randrange(2**31, 2**48) for _ in range(INT_COUNT))
    group = [_profile(rng) for _ in range(GROUP_SIZE)]
    docs = [json.dumps(obj) for obj in (profile, numbers, group)]
    # What each document must decode to; JSON has no tuples.
    expected = [profile, list(numbers), group]
    return docs, expected


def run(state, loops):
    (d_profile, d_numbers, d_group), expected = state
    loads = json.loads
    for _ in range(loops):
        for _ in range(REPEAT):
            a = loads(d_profile)
        for _ in range(REPEAT):
            b = loads(d_numbers)
        for _ in range(REPEAT):
            c = loads(d_group)
    if [a, b, c] != expected:
        raise AssertionError("json_loads: decoded documents differ from the "
                             "originals")
