"""Eight queens by brute force: try every permutation of column positions.

All 8! = 40,320 permutations of range(8) are tested; a permutation places one
queen per row and column, so only the two diagonal directions need checking.
The board has 92 solutions.
"""
from itertools import permutations

SIZE = 8
EXPECTED_SOLUTIONS = 92


def solve(n):
    """Return every solution as a tuple giving the column of each row."""
    rows = range(n)
    found = []
    for cols in permutations(rows):
        # Queens share a diagonal exactly when row+col (or row-col) repeats.
        rising = set(cols[r] + r for r in rows)
        falling = set(cols[r] - r for r in rows)
        if len(rising) == len(falling) == n:
            found.append(cols)
    return found


def setup():
    return SIZE


def run(state, loops):
    for _ in range(loops):
        solutions = solve(state)
        if len(solutions) != EXPECTED_SOLUTIONS:
            raise AssertionError("nqueens: %d solutions, expected %d"
                                 % (len(solutions), EXPECTED_SOLUTIONS))
