"""AES-128 in CTR mode with the pure-Python pyaes module (python3-pyaes).

Each iteration encrypts 23,000 bytes of seeded random plaintext and decrypts
the result with a fresh cipher object, then checks the round trip and the
SHA-256 of the ciphertext.
"""
import hashlib
import random

import pyaes

SEED = 5
SIZE = 23000
# The ciphertext digest, cross-checked with `openssl enc -aes-128-ctr`
# (pyaes counts from an initial counter block of 1).
EXPECTED_SHA256 = (
    "ae37143f8fe659268188bec714907253fdd1f91fb73e650122aa0ee097c3e5c9")


def setup():
    rng = random.Random(SEED)
    key = bytes(rng.randrange(256) for _ in range(16))
    plaintext = bytes(rng.randrange(256) for _ in range(SIZE))
    return key, plaintext


def run(state, loops):
    key, plaintext = state
    for _ in range(loops):
        # CTR mode keeps a keystream position, so each direction needs its
        # own cipher starting from the same counter.
        ciphertext = pyaes.AESModeOfOperationCTR(key).encrypt(plaintext)
        decrypted = pyaes.AESModeOfOperationCTR(key).decrypt(ciphertext)
        if decrypted != plaintext:
            raise AssertionError("crypto_pyaes: decryption does not "
                                 "restore the plaintext")
        digest = hashlib.sha256(ciphertext).hexdigest()
        if digest != EXPECTED_SHA256:
            raise AssertionError("crypto_pyaes: ciphertext sha256 %s, "
                                 "expected %s" % (digest, EXPECTED_SHA256))
