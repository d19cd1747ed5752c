"""Hexiom: place numbered tiles on a hexagonal board of 19 cells (side 3).

A tile showing k must end up with exactly k tiles on neighbouring cells;
cells left over stay empty. The solver keeps, for each cell, the set of
values still possible (a bit mask over the tile numbers and "empty") and
narrows it by counting and neighbour rules to a fixed point, then searches by
branching on the cell with the fewest options. It enumerates every solution
of a fixed puzzle (made from a random layout, with three cells locked so that
the solution is unique) and checks the count and the solution.
"""
SIDE = 3
EMPTY = 7
EMPTY_BIT = 1 << EMPTY

# The bag holds TILES[k] tiles showing k; cells are numbered row by row.
TILES = (0, 1, 4, 6, 0, 1, 0)
LOCKED = {2: 2, 13: 2, 17: EMPTY}
SOLUTION = [EMPTY, EMPTY, 2, 3, 3, 3, 3, 3, 5, EMPTY, EMPTY, 2, 3, 2, EMPTY,
            2, EMPTY, EMPTY, 1]


def hex_cells(side):
    """Axial coordinates of a hexagon with `side` cells per edge."""
    radius = side - 1
    return [(q, r)
            for r in range(-radius, radius + 1)
            for q in range(-radius, radius + 1)
            if abs(q + r) <= radius]


def neighbour_table(cells):
    index = {cell: i for i, cell in enumerate(cells)}
    steps = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1))
    return [tuple(index[q + dq, r + dr] for dq, dr in steps
                  if (q + dq, r + dr) in index)
            for q, r in cells]


class Contradiction(Exception):
    pass


class Puzzle:
    def __init__(self, side, tiles, locked):
        """`tiles` counts how many tiles show each number 0..6; `locked`
        maps cell indices to values fixed in advance."""
        self.cells = hex_cells(side)
        self.neighbours = neighbour_table(self.cells)
        # How many cells end up with each value, empty included.
        self.quota = list(tiles) + [len(self.cells) - sum(tiles)]
        self.locked = locked

    def start(self):
        domains = []
        for i, around in enumerate(self.neighbours):
            if i in self.locked:
                domains.append(1 << self.locked[i])
            else:
                # A tile can never want more neighbours than the cell has.
                domains.append(((1 << (len(around) + 1)) - 1)
                               | EMPTY_BIT)
        return domains

    def propagate(self, domains):
        """Narrow `domains` in place until nothing changes."""
        neighbours = self.neighbours
        quota = self.quota
        changed = True
        while changed:
            changed = False
            for value in range(8):
                bit = 1 << value
                fixed = possible = 0
                for mask in domains:
                    if mask & bit:
                        possible += 1
                        if mask == bit:
                            fixed += 1
                if fixed > quota[value] or possible < quota[value]:
                    raise Contradiction
                if fixed == quota[value] and possible > fixed:
                    for i, mask in enumerate(domains):
                        if mask & bit and mask != bit:
                            domains[i] = mask & ~bit
                    changed = True
                elif possible == quota[value] and possible > fixed:
                    for i, mask in enumerate(domains):
                        if mask & bit:
                            domains[i] = bit
                    changed = True
            for i, mask in enumerate(domains):
                if mask == EMPTY_BIT:
                    continue
                around = neighbours[i]
                # Neighbours surely holding a tile, and possibly holding one.
                surely = maybe = 0
                for j in around:
                    if domains[j] != EMPTY_BIT:
                        maybe += 1
                        if not domains[j] & EMPTY_BIT:
                            surely += 1
                allowed = ((1 << (maybe + 1)) - 1) & ~((1 << surely) - 1)
                narrowed = mask & (allowed | EMPTY_BIT)
                if not narrowed:
                    raise Contradiction
                if narrowed != mask:
                    domains[i] = narrowed
                    changed = True
                if narrowed & (narrowed - 1) or narrowed == EMPTY_BIT:
                    continue
                # A placed tile settles its undecided neighbours once its
                # number reaches either bound.
                need = narrowed.bit_length() - 1
                if surely < maybe and need in (surely, maybe):
                    for j in around:
                        if domains[j] & EMPTY_BIT and domains[j] != EMPTY_BIT:
                            if need == surely:
                                domains[j] = EMPTY_BIT
                            else:
                                domains[j] &= ~EMPTY_BIT
                    changed = True

    def solutions(self):
        found = []
        self._search(self.start(), found)
        return found

    def _search(self, domains, found):
        try:
            self.propagate(domains)
        except Contradiction:
            return
        open_cells = [(bin(mask).count("1"), i)
                      for i, mask in enumerate(domains)
                      if mask & (mask - 1)]
        if not open_cells:
            found.append([mask.bit_length() - 1 for mask in domains])
            return
        _, cell = min(open_cells)
        mask = domains[cell]
        while mask:
            bit = mask & -mask
            mask ^= bit
            branch = domains[:]
            branch[cell] = bit
            self._search(branch, found)

    def is_solution(self, values):
        counts = [values.count(v) for v in range(8)]
        if counts != self.quota:
            return False
        for value, around in zip(values, self.neighbours):
            if value != EMPTY and value != sum(
                    1 for j in around if values[j] != EMPTY):
                return False
        return True


def setup():
    puzzle = Puzzle(SIDE, TILES, LOCKED)
    if not puzzle.is_solution(SOLUTION):
        raise AssertionError("hexiom: the expected solution breaks the rules")
    return puzzle


def run(state, loops):
    for _ in range(loops):
        found = state.solutions()
        if found != [SOLUTION]:
            raise AssertionError("hexiom: %d solutions %s, expected only %s"
                                 % (len(found), found[:2], SOLUTION))
