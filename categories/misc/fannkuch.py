"""Fannkuch-redux for n = 9: pancake flips over all 9! permutations.

For every permutation (generated in the benchmark-game order so the signed
checksum is well defined) the first element k says how many leading elements
to reverse; this repeats until 1 comes first. The run reports the signed sum
of flip counts (8629) and the largest flip count (30).
"""
N = 9
EXPECTED_CHECKSUM = 8629
EXPECTED_MAX_FLIPS = 30


def fannkuch(n):
    perm = list(range(1, n + 1))
    # count[i] is the remaining number of rotations of the first i+1 items.
    count = list(range(1, n + 1))
    checksum = 0
    max_flips = 0
    sign = 1
    while True:
        first = perm[0]
        if first != 1:
            work = perm[:]
            flips = 0
            while first != 1:
                work[:first] = work[first - 1::-1]
                flips += 1
                first = work[0]
            if flips > max_flips:
                max_flips = flips
            checksum += flips if sign > 0 else -flips
        sign = -sign
        # Next permutation: rotate the first i+1 items left until a counter
        # has turns left; the counters below it restart.
        i = 1
        while True:
            if i == n:
                return checksum, max_flips
            head = perm[0]
            perm[:i] = perm[1:i + 1]
            perm[i] = head
            count[i] -= 1
            if count[i] > 0:
                break
            count[i] = i + 1
            i += 1


def setup():
    return N


def run(state, loops):
    for _ in range(loops):
        checksum, max_flips = fannkuch(state)
        if (checksum, max_flips) != (EXPECTED_CHECKSUM, EXPECTED_MAX_FLIPS):
            raise AssertionError(
                "fannkuch(%d): checksum %d max flips %d, expected %d and %d"
                % (state, checksum, max_flips,
                   EXPECTED_CHECKSUM, EXPECTED_MAX_FLIPS))
