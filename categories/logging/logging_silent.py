"""Log below the threshold: 10 logger.debug() calls per iteration, all dropped.

The logger's level is WARNING, so each call stops at the level test; this
measures the cost of logging statements that are switched off. A StreamHandler
over an io.StringIO is attached and must stay empty. Values are per call
(INNER_LOOPS = 10).
"""
import io
import logging

INNER_LOOPS = 10
MESSAGE = "cache lookup for %s"
ARG = "user:1042"


def setup():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("sandbench.logging_silent")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    return logger, stream


def run(state, loops):
    logger, stream = state
    msg = MESSAGE
    arg = ARG
    for _ in range(loops):
        logger.debug(msg, arg)
        logger.debug(msg, arg)
        logger.debug(msg, arg)
        logger.debug(msg, arg)
        logger.debug(msg, arg)
        logger.debug(msg, arg)
        logger.debug(msg, arg)
        logger.debug(msg, arg)
        logger.debug(msg, arg)
        logger.debug(msg, arg)
    if stream.tell():
        raise AssertionError("logging_silent: %d characters written by "
                             "filtered debug() calls" % stream.tell())


def teardown(state):
    if state is not None:
        logger, _ = state
        logger.handlers.clear()
