"""The first 2,000 decimal digits of pi by an unbounded big-integer spigot.

Gibbons' streaming algorithm: pi is the composition of the linear fractional
transformations x -> (k x + 4k + 2) / (2k + 1), k = 1, 2, ...; a digit is
emitted once the transformations consumed so far map both 3 and 4 to the same
integer part. Time goes into multiplying and dividing integers that grow to
thousands of digits.
"""
import hashlib

DIGITS = 2_000

EXPECTED_PREFIX = "31415926535897932384626433832795"
# SHA-256 of the 2,000 digits as one ASCII string "31415...", checked against
# mpmath's pi.
EXPECTED_SHA256 = (
    "6c0a1a80ae4a792e902645d2aba6832eb27b1c9a8f54c20fe783626e9c85f30f")


def pi_digits(count):
    """Return the first count digits of pi as a string."""
    # The current transformation is x -> (q x + r) / t; its lower-left
    # coefficient stays zero for this series, so three integers suffice.
    q, r, t = 1, 0, 1
    k = 0
    digits = []
    while len(digits) < count:
        digit = (3 * q + r) // t
        if digit == (4 * q + r) // t:
            digits.append(digit)
            # Shift the emitted digit out: x -> 10 (x - digit).
            q, r = 10 * q, 10 * (r - digit * t)
        else:
            k += 1
            odd = 2 * k + 1
            q, r, t = q * k, (2 * q + r) * odd, t * odd
    return "".join(map(str, digits))


def setup():
    return DIGITS


def run(state, loops):
    for _ in range(loops):
        text = pi_digits(state)
        if not text.startswith(EXPECTED_PREFIX):
            raise AssertionError("pidigits: starts %r, expected %r"
                                 % (text[:len(EXPECTED_PREFIX)],
                                    EXPECTED_PREFIX))
        digest = hashlib.sha256(text.encode("ascii")).hexdigest()
        if digest != EXPECTED_SHA256:
            raise AssertionError("pidigits: digest of %d digits is %s, "
                                 "expected %s"
                                 % (len(text), digest, EXPECTED_SHA256))
