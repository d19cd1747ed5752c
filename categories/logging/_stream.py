"""What logging_simple and logging_format share: a logger writing through a
StreamHandler into an io.StringIO, and the check of what it wrote."""
import io
import logging

LINE_FORMAT = "%(levelname)s:%(name)s:%(message)s"


def make_logger(name):
    """A WARNING-level logger of its own, and the stream it writes to."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LINE_FORMAT))
    logger = logging.getLogger("sandbench." + name)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    return logger, stream


def check_and_empty(name, stream, calls, tail):
    """Check that `calls` lines were written, the last ending with `tail`,
    then empty the stream so a long run keeps no megabytes of text alive."""
    text = stream.getvalue()
    lines = text.count("\n")
    if lines != calls:
        raise AssertionError("%s: %d lines written, expected %d"
                             % (name, lines, calls))
    if not text.endswith(tail):
        raise AssertionError("%s: unexpected last line %r" % (name, text[-80:]))
    stream.seek(0)
    stream.truncate()


def release(state):
    if state is not None:
        logger, _ = state
        logger.handlers.clear()
