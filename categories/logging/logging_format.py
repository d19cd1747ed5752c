"""Log a %-formatted message: 10 logger.warning(fmt, arg) calls per iteration.

Like logging_simple, but each record merges its argument into the message when
it is formatted. The handler is a StreamHandler over an io.StringIO. Values are
per call (INNER_LOOPS = 10).
"""
from categories.logging import _stream

INNER_LOOPS = 10
FORMAT = "request for %s took too long"
ARG = "/reports/nightly/summary"
EXPECTED_TAIL = FORMAT % ARG + "\n"
# Lines are counted and the buffer emptied after every chunk of loops, so a
# long run neither keeps megabytes of log text alive nor pays a check per call.
CHUNK = 1000


def setup():
    return _stream.make_logger("logging_format")


def run(state, loops):
    logger, stream = state
    fmt = FORMAT
    arg = ARG
    remaining = loops
    while remaining:
        n = min(remaining, CHUNK)
        for _ in range(n):
            logger.warning(fmt, arg)
            logger.warning(fmt, arg)
            logger.warning(fmt, arg)
            logger.warning(fmt, arg)
            logger.warning(fmt, arg)
            logger.warning(fmt, arg)
            logger.warning(fmt, arg)
            logger.warning(fmt, arg)
            logger.warning(fmt, arg)
            logger.warning(fmt, arg)
        _stream.check_and_empty("logging_format", stream, n * INNER_LOOPS,
                                EXPECTED_TAIL)
        remaining -= n


def teardown(state):
    _stream.release(state)
