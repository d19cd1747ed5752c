"""SciMark FFT: 1024-point complex FFT, forward then inverse, 50 cycles.

In-place iterative radix-2 transform over a flat array of doubles holding
interleaved real and imaginary parts, as in SciMark 2.0: bit-reversal
permutation, then log2(N) butterfly stages whose twiddle factors come from a
trigonometric recurrence rather than a sin/cos per butterfly. The input is
1024 random complex numbers from SciMark's generator.
"""
from array import array
from math import cos, isclose, pi, sin

from categories.scimark import _random

N = 1024
CYCLES = 50
# Bins compared against a direct DFT after the first forward transform.
CHECKED_BINS = (0, 1, 37, N // 2, N - 1)


def bit_reverse(data, n):
    """Permute the n complex values of data into bit-reversed index order."""
    j = 0
    for i in range(n - 1):
        if i < j:
            ii = 2 * i
            jj = 2 * j
            data[ii], data[jj] = data[jj], data[ii]
            data[ii + 1], data[jj + 1] = data[jj + 1], data[ii + 1]
        # Add one to j in bit-reversed arithmetic: carry from the top bit down.
        bit = n >> 1
        while bit <= j:
            j -= bit
            bit >>= 1
        j += bit


def transform(data, direction):
    """Unnormalised in-place DFT with kernel exp(direction * 2 pi i jk / n)."""
    n = len(data) // 2
    bit_reverse(data, n)
    half = 1
    while half < n:
        span = 2 * half
        # w advances by exp(i theta) per step: w += w * (i sin theta - s2),
        # with s2 = 1 - cos theta computed stably as 2 sin^2(theta / 2).
        theta = direction * pi / half
        s = sin(theta)
        t = sin(theta / 2.0)
        s2 = 2.0 * t * t
        w_re = 1.0
        w_im = 0.0
        for a in range(half):
            for lo in range(2 * a, 2 * n, 2 * span):
                hi = lo + span
                z_re = data[hi]
                z_im = data[hi + 1]
                wz_re = w_re * z_re - w_im * z_im
                wz_im = w_re * z_im + w_im * z_re
                data[hi] = data[lo] - wz_re
                data[hi + 1] = data[lo + 1] - wz_im
                data[lo] += wz_re
                data[lo + 1] += wz_im
            w_re, w_im = (w_re - s * w_im - s2 * w_re,
                          w_im + s * w_re - s2 * w_im)
        half = span


def forward(data):
    transform(data, -1)


def inverse(data):
    transform(data, +1)
    scale = 1.0 / (len(data) // 2)
    for i in range(len(data)):
        data[i] *= scale


def direct_dft_bin(signal, k):
    """One bin of the forward DFT by the defining sum, for checking."""
    n = len(signal) // 2
    re = im = 0.0
    for j in range(n):
        # Reduce j k modulo n first so that large bins keep full precision.
        angle = -2.0 * pi * (j * k % n) / n
        c = cos(angle)
        s = sin(angle)
        x_re = signal[2 * j]
        x_im = signal[2 * j + 1]
        re += x_re * c - x_im * s
        im += x_re * s + x_im * c
    return re, im


def setup():
    signal = _random.Random(_random.KERNEL_SEED).vector(2 * N)
    bins = {k: direct_dft_bin(signal, k) for k in CHECKED_BINS}
    return signal, bins


def run(state, loops):
    signal, bins = state
    for _ in range(loops):
        data = array("d", signal)
        for cycle in range(CYCLES):
            forward(data)
            if cycle == 0:
                for k, (re, im) in bins.items():
                    got = (data[2 * k], data[2 * k + 1])
                    if not (isclose(got[0], re, abs_tol=1e-9)
                            and isclose(got[1], im, abs_tol=1e-9)):
                        raise AssertionError(
                            "scimark_fft: bin %d is %r, expected %r"
                            % (k, got, (re, im)))
            inverse(data)
        error = max(abs(a - b) for a, b in zip(data, signal))
        if error > 1e-10:
            raise AssertionError("scimark_fft: %d forward/inverse cycles "
                                 "drifted by %g" % (CYCLES, error))
