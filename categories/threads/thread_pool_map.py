"""thread_pool_map: a thread pool mapping many small tasks.

A ThreadPoolExecutor of 4 workers, started in setup, maps 4,000 tiny tasks
per iteration (a short digit sum each), so the time goes to handing work
between threads: queue locks, futex waits and wake-ups, the GIL. The sum
of the results is checked against the value computed serially in setup.
"""
import contextlib
from concurrent.futures import ThreadPoolExecutor

WORKERS = 4
TASKS = 4000


def _task(n):
    total = 0
    while n:
        n, digit = divmod(n, 10)
        total += digit
    return total


def setup():
    arguments = range(1_000_000, 1_000_000 + 7 * TASKS, 7)
    expected = sum(map(_task, arguments))
    pool = ThreadPoolExecutor(max_workers=WORKERS,
                              thread_name_prefix="sandbench")
    return pool, arguments, expected


def run(state, loops):
    pool, arguments, expected = state
    for _ in range(loops):
        total = sum(pool.map(_task, arguments))
        if total != expected:
            raise AssertionError("thread_pool_map: sum %d, expected %d"
                                 % (total, expected))


def teardown(state):
    if state is not None:
        with contextlib.suppress(Exception):
            state[0].shutdown(wait=True)
