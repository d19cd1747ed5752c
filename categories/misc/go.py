"""Pick the first move of a 9x9 Go game by Monte Carlo tree search.

UCT grows a search tree from the empty board over 200 simulated games, each
finished by random playouts (no suicide, simple ko, no filling of one's own
one-point eyes) and scored by area with komi 7.5. The move played is the
most visited child of the root. Everything runs on seed 1, so the chosen
move and the tree's statistics are fixed and checked.
"""
import math
import random

SIZE = 9
POINTS = SIZE * SIZE
GAMES = 200
SEED = 1
KOMI = 7.5
EXPLORATION = 1.0
# Playouts stop here even without two passes in a row.
MAX_MOVES = 3 * POINTS

EMPTY, BLACK, WHITE = 0, 1, 2
PASS = -1

# Point 17 is row 1, column 8 (from 0); many children tie on visits, and
# max() keeps the first of them in expansion order.
EXPECTED_MOVE = 17
EXPECTED_VISITS = 5

NEIGHBOURS = [
    tuple(row * SIZE + col for row, col in
          ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
          if 0 <= row < SIZE and 0 <= col < SIZE)
    for r in range(SIZE) for c in range(SIZE)
]


def opponent(colour):
    return BLACK + WHITE - colour


class Board:
    __slots__ = ("colours", "empties", "slot", "to_move", "ko", "passes")

    def __init__(self):
        self.colours = [EMPTY] * POINTS
        # The empty points, and where each sits in that list (O(1) updates).
        self.empties = list(range(POINTS))
        self.slot = list(range(POINTS))
        self.to_move = BLACK
        self.ko = None
        self.passes = 0

    def copy(self):
        other = Board.__new__(Board)
        other.colours = self.colours[:]
        other.empties = self.empties[:]
        other.slot = self.slot[:]
        other.to_move = self.to_move
        other.ko = self.ko
        other.passes = self.passes
        return other

    def _fill(self, point, colour):
        self.colours[point] = colour
        last = self.empties.pop()
        if last != point:
            i = self.slot[point]
            self.empties[i] = last
            self.slot[last] = i

    def _clear(self, point):
        self.colours[point] = EMPTY
        self.slot[point] = len(self.empties)
        self.empties.append(point)

    def has_liberty(self, point, ignore=None):
        """Whether the group at `point` touches an empty point other than
        `ignore`; stops at the first one found."""
        colours = self.colours
        colour = colours[point]
        seen = {point}
        todo = [point]
        while todo:
            for n in NEIGHBOURS[todo.pop()]:
                if colours[n] == EMPTY:
                    if n != ignore:
                        return True
                elif colours[n] == colour and n not in seen:
                    seen.add(n)
                    todo.append(n)
        return False

    def remove_group(self, point):
        """Take the group at `point` off the board; return its size."""
        colours = self.colours
        colour = colours[point]
        self._clear(point)
        todo = [point]
        removed = 1
        while todo:
            for n in NEIGHBOURS[todo.pop()]:
                if colours[n] == colour:
                    self._clear(n)
                    todo.append(n)
                    removed += 1
        return removed

    def is_own_eye(self, point, colour):
        colours = self.colours
        for n in NEIGHBOURS[point]:
            if colours[n] != colour:
                return False
        return True

    def is_legal(self, point):
        colours = self.colours
        if colours[point] != EMPTY or point == self.ko:
            return False
        for n in NEIGHBOURS[point]:
            if colours[n] == EMPTY:
                return True
        # Surrounded: legal only if it captures or joins a group that keeps
        # a liberty elsewhere.
        colour = self.to_move
        for n in NEIGHBOURS[point]:
            # Own group with another liberty, or enemy group without one.
            if (colours[n] == colour) == self.has_liberty(n, point):
                return True
        return False

    def play(self, point):
        """Play a legal move (or PASS) for the side to move."""
        colour = self.to_move
        enemy = opponent(colour)
        self.to_move = enemy
        self.ko = None
        if point == PASS:
            self.passes += 1
            return
        self.passes = 0
        self._fill(point, colour)
        colours = self.colours
        captured = 0
        last_captured = None
        for n in NEIGHBOURS[point]:
            if colours[n] == enemy and not self.has_liberty(n):
                captured += self.remove_group(n)
                last_captured = n
        # A lone stone that took one stone and has no other liberty could
        # be retaken at once: that point is ko.
        if captured == 1 and not any(
                colours[n] == colour or (colours[n] == EMPTY
                                         and n != last_captured)
                for n in NEIGHBOURS[point]):
            self.ko = last_captured

    def legal_moves(self):
        return [p for p in range(POINTS) if self.is_legal(p)]

    def random_move(self, rng):
        """A random legal move that fills no own eye, or PASS. The scan
        starts at a random place in the list of empty points."""
        empties = self.empties
        count = len(empties)
        if not count:
            return PASS
        start = rng.randrange(count)
        colour = self.to_move
        for k in range(count):
            point = empties[(start + k) % count]
            if not self.is_own_eye(point, colour) and self.is_legal(point):
                return point
        return PASS

    def random_playout(self, rng):
        """Play random moves to the end of the game; return the winner."""
        for _ in range(MAX_MOVES):
            if self.passes >= 2:
                break
            self.play(self.random_move(rng))
        return self.winner()

    def winner(self):
        colours = self.colours
        score = {BLACK: 0.0, WHITE: KOMI}
        for point, colour in enumerate(colours):
            if colour != EMPTY:
                score[colour] += 1
                continue
            around = {colours[n] for n in NEIGHBOURS[point]}
            if len(around) == 1 and EMPTY not in around:
                score[around.pop()] += 1
        return BLACK if score[BLACK] > score[WHITE] else WHITE


class Node:
    __slots__ = ("move", "parent", "mover", "untried", "children",
                 "wins", "visits")

    def __init__(self, move, parent, board):
        self.move = move
        self.parent = parent
        # The colour that played `move`; its wins are what this node counts.
        self.mover = opponent(board.to_move)
        self.untried = board.legal_moves()
        self.children = []
        self.wins = 0
        self.visits = 0

    def best_child(self):
        log_visits = math.log(self.visits)
        return max(self.children, key=lambda child: (
            child.wins / child.visits
            + EXPLORATION * math.sqrt(log_visits / child.visits)))


def search(root_board, games, rng):
    root = Node(PASS, None, root_board)
    for _ in range(games):
        node = root
        board = root_board.copy()
        while not node.untried and node.children:
            node = node.best_child()
            board.play(node.move)
        if node.untried:
            move = node.untried.pop(rng.randrange(len(node.untried)))
            board.play(move)
            child = Node(move, node, board)
            node.children.append(child)
            node = child
        winner = board.random_playout(rng)
        while node is not None:
            node.visits += 1
            if winner == node.mover:
                node.wins += 1
            node = node.parent
    return root


def setup():
    return Board()


def run(state, loops):
    for _ in range(loops):
        root = search(state, GAMES, random.Random(SEED))
        best = max(root.children, key=lambda child: child.visits)
        result = (best.move, best.visits, root.visits)
        expected = (EXPECTED_MOVE, EXPECTED_VISITS, GAMES)
        if result != expected:
            raise AssertionError("go: (move, its visits, root visits) = %r, "
                                 "expected %r" % (result, expected))
