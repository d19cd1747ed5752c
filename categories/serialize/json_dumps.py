"""Encode a mix of Python objects to JSON with json.dumps.

One iteration encodes 2,000 tiny dicts, 1,000 flat records, 500 nested
documents and one list of 200 nested documents: thousands of dumps calls of
very different sizes, so both per-call overhead and the encoder's inner loops
count. Inputs are built in setup from a fixed seed.
"""
import json
import random

SEED = 8086
TINY_COUNT = 2000
FLAT_COUNT = 1000
NESTED_COUNT = 500
LIST_SIZE = 200


def _flat(rng):
    return {
        "id": rng.randrange(10**9),
        "name": "item-%05d" % rng.randrange(100000),
        "price": round(rng.uniform(0.5, 500.0), 2),
        "in_stock": rng.random() < 0.7,
        "discount": None,
        "category": rng.choice(["books", "tools", "garden", "caf\u00e9"]),
        "rating": rng.randrange(1, 6),
        "sku": "SKU%08X" % rng.getrandbits(32),
    }


def _nested(rng):
    return {
        "order": rng.randrange(10**6),
        "customer": {
            "name": "Customer %d" % rng.randrange(1000),
            "address": {"street": "%d Long Road" % rng.randrange(500),
                        "city": rng.choice(["Lund", "Graz", "Ume\u00e5"]),
                        "zip": "%05d" % rng.randrange(100000)},
        },
        "lines": [_flat(rng) for _ in range(3)],
        "totals": [round(rng.uniform(0, 100), 3) for _ in range(4)],
        "flags": {"gift": False, "express": True, "notes": None},
    }


def setup():
    rng = random.Random(SEED)
    cases = [
        ({"ok": True}, TINY_COUNT),
        (_flat(rng), FLAT_COUNT),
        (_nested(rng), NESTED_COUNT),
        ([_nested(rng) for _ in range(LIST_SIZE)], 1),
    ]
    return [(obj, count, json.dumps(obj)) for obj, count in cases]


def run(state, loops):
    dumps = json.dumps
    for _ in range(loops):
        for obj, count, expected in state:
            for _ in range(count):
                text = dumps(obj)
            if text != expected:
                raise AssertionError("json_dumps: encoding of a %s changed"
                                     % type(obj).__name__)
