"""Log a %-formatted message: 10 logger.warning(fmt, arg) calls per iteration.

Like logging_simple, but each record merges its argument into the message when
it is formatted. The handler is a StreamHandler over an io.StringIO. Values are
per call (INNER_LOOPS = 10).
"""
import io
import logging

INNER_LOOPS = 10
FORMAT = "request for %s took too long"
ARG = "/reports/nightly/summary"
EXPECTED_TAIL = FORMAT % ARG + "\n"
LINE_FORMAT = "%(levelname)s:%(name)s:%(message)s"
# Lines are counted and the buffer emptied after every chunk of loops, so a
# long run neither keeps megabytes of log text alive nor pays a check per call.
CHUNK = 1000


def setup():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LINE_FORMAT))
    logger = logging.getLogger("sandbench.logging_format")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    return logger, stream


def _check(stream, calls):
    text = stream.getvalue()
    lines = text.count("\n")
    if lines != calls:
        raise AssertionError("logging_format: %d lines written, expected %d"
                             % (lines, calls))
    if not text.endswith(EXPECTED_TAIL):
        raise AssertionError("logging_format: unexpected last line %r"
                             % text[-80:])
    stream.seek(0)
    stream.truncate()


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
        _check(stream, n * INNER_LOOPS)
        remaining -= n


def teardown(state):
    if state is not None:
        logger, _ = state
        logger.handlers.clear()
