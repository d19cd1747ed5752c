"""Log a constant message: 10 logger.warning(msg) calls per iteration.

The logger writes through a StreamHandler into an io.StringIO, so the cost is
the logging machinery itself (record creation, formatting, handler locking),
not I/O. Values are per call (INNER_LOOPS = 10).
"""
from categories.logging import _stream

INNER_LOOPS = 10
MESSAGE = "cache refreshed for the nightly report"
# Lines are counted and the buffer emptied after every chunk of loops, so a
# long run neither keeps megabytes of log text alive nor pays a check per call.
CHUNK = 1000


def setup():
    return _stream.make_logger("logging_simple")


def run(state, loops):
    logger, stream = state
    msg = MESSAGE
    remaining = loops
    while remaining:
        n = min(remaining, CHUNK)
        for _ in range(n):
            logger.warning(msg)
            logger.warning(msg)
            logger.warning(msg)
            logger.warning(msg)
            logger.warning(msg)
            logger.warning(msg)
            logger.warning(msg)
            logger.warning(msg)
            logger.warning(msg)
            logger.warning(msg)
        _stream.check_and_empty("logging_simple", stream, n * INNER_LOOPS,
                                MESSAGE + "\n")
        remaining -= n


def teardown(state):
    _stream.release(state)
