"""SciMark 2.0's pseudo-random generator, for reproducible kernel inputs.

A subtractive lagged Fibonacci generator over 17 words,

    x[n] = (x[n-5] - x[n-17]) mod (2**31 - 1),

whose first 17 words come from a multiplicative congruential sequence
(multiplier 9069, modulo 2**31) started at an odd seed. It produces the same
stream as SciMark's own Random class, which the kernels and the Monte Carlo
integration are defined with (seed 101010 for the kernels' data, 113 for
Monte Carlo).
"""
KERNEL_SEED = 101010
MONTE_CARLO_SEED = 113

_MODULUS = 2 ** 31 - 1
_SCALE = 1.0 / _MODULUS
_WORDS = 17
_SHORT_LAG = 5


class Random:
    """Uniform doubles in [0, 1) from SciMark's lagged Fibonacci generator."""

    def __init__(self, seed):
        if seed < 1:
            raise ValueError("seed must be a positive integer, got %r" % seed)
        # The seed sequence only cycles through odd values.
        x = min(seed, _MODULUS)
        if x % 2 == 0:
            x -= 1
        words = []
        for _ in range(_WORDS):
            x = x * 9069 % 2 ** 31
            words.append(x)
        self._words = words
        # The ring buffer is walked downwards: _old is the slot written 17
        # draws ago (and overwritten now), _recent the one written 5 draws ago.
        self._recent = _WORDS - 1 - (_WORDS - _SHORT_LAG)
        self._old = _WORDS - 1

    def next_double(self):
        words = self._words
        recent = self._recent
        old = self._old
        k = words[recent] - words[old]
        if k < 0:
            k += _MODULUS
        words[old] = k
        self._recent = recent - 1 if recent else _WORDS - 1
        self._old = old - 1 if old else _WORDS - 1
        return k * _SCALE

    def vector(self, n):
        """Return a list of the next n doubles."""
        return [self.next_double() for _ in range(n)]
