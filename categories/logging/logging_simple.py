"""Log a constant message: 10 logger.warning(msg) calls per iteration.

The logger writes through a StreamHandler into an io.StringIO, so the cost is
the logging machinery itself (record creation, formatting, handler locking),
not I/O. Values are per call (INNER_LOOPS = 10).
"""
import io
import logging

INNER_LOOPS = 10
MESSAGE = "cache refreshed for the nightly report"
LINE_FORMAT = "%(levelname)s:%(name)s:%(message)s"
# Lines are counted and the buffer emptied after every chunk of loops, so a
# long run neither keeps megabytes of log text alive nor pays a check per call.
CHUNK = 1000


def setup():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LINE_FORMAT))
    logger = logging.getLogger("sandbench.logging_simple")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    return logger, stream


def _check(stream, calls):
    text = stream.getvalue()
    lines = text.count("\n")
    if lines != calls:
        raise AssertionError("logging_simple: %d lines written, expected %d"
                             % (lines, calls))
    if not text.endswith(MESSAGE + "\n"):
        raise AssertionError("logging_simple: unexpected last line %r"
                             % text[-80:])
    stream.seek(0)
    stream.truncate()


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
        _check(stream, n * INNER_LOOPS)
        remaining -= n


def teardown(state):
    if state is not None:
        logger, _ = state
        logger.handlers.clear()
