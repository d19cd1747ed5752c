"""Inputs shared by the pickle and unpickle workloads, built from fixed seeds.

- objects(): three objects pickled in turn by pickle/unpickle and their
  pure-Python variants: a user profile (a dict with strings, lists, a nested
  dict, floats and a datetime), a tuple of large ints, and a list of three
  profiles varied from the first.
- dict_of_dicts(): 100 keys, each mapping to a 10-key dict (pickle_dict).
- list_of_lists(): 10 pairs of 10-int lists (pickle_list, unpickle_list).
"""
import datetime
import random

PROFILE_SEED = 1729
GROUP_SIZE = 3


def _profile():
    return {
        "user_id": 48213377,
        "handle": "marguerite_b",
        "display_name": "Marguerite Bl\u00e9riot",
        "email": "m.bleriot@example.org",
        "country": "FR",
        "verified": True,
        "follower_count": 1842,
        "karma": 3.75,
        "signed_up": datetime.datetime(2019, 4, 17, 8, 31, 5, 120000),
        "languages": ["fr", "en", "de"],
        "interests": ["aviation", "Stra\u00dfenbahn", "tea", "chess",
                      "photography", "maps"],
        "recent_scores": [0.5, 12.25, 7.0, 3.125, 99.5],
        "settings": {"theme": "dark", "notifications": False,
                     "timezone": "Europe/Paris", "page_size": 50},
        "bio": ("Pilot, cartographer and occasional writer. Collects old "
                "timetables and the stories behind them."),
    }


def _vary(profile, rng):
    """A copy of `profile` with a few fields changed, as another user."""
    other = dict(profile)
    other["user_id"] = rng.randrange(10**7, 10**8)
    other["handle"] = "".join(rng.choice("abcdefghijklmnop")
                              for _ in range(10))
    other["follower_count"] = rng.randrange(10000)
    other["karma"] = round(rng.uniform(0, 10), 3)
    other["signed_up"] = profile["signed_up"] + datetime.timedelta(
        days=rng.randrange(1000), seconds=rng.randrange(86400))
    other["interests"] = rng.sample(profile["interests"], 4)
    other["recent_scores"] = [round(rng.uniform(0, 100), 2) for _ in range(5)]
    return other


def objects():
    """Return (profile, int tuple, list of profiles)."""
    rng = random.Random(PROFILE_SEED)
    profile = _profile()
    numbers = tuple(rng.randrange(2**40, 2**48) for _ in range(20)) + (60,)
    group = [_vary(profile, rng) for _ in range(GROUP_SIZE)]
    return profile, numbers, group


def dict_of_dicts():
    """100 keys, each mapping to a dict of 10 small ints set to None."""
    return {key: dict.fromkeys(range(10)) for key in range(100)}


def list_of_lists():
    """10 items, each a pair of lists of the ints 0..9."""
    return [[list(range(10)), list(range(10))] for _ in range(10)]
