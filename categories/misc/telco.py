"""Telephone billing with decimal arithmetic, after Cowlishaw's telco test.

5,000 call records of 8 bytes each (big-endian call length in seconds; the low
bit selects a local or distance rate) are priced with Decimal: the price is
rounded to cents half-to-even, then taxed (every call 6.75%, distance calls
another 3.41%, taxes rounded down). Each total is printed to a StringIO and
the four running sums are checked against exact integer arithmetic done in
setup.
"""
import decimal
import io
import random
import struct

SEED = 2
RECORDS = 5000
DISTANCE = 1

RATES = (decimal.Decimal("0.0013"), decimal.Decimal("0.00894"))
BASIC_TAX = decimal.Decimal("0.0675")
DISTANCE_TAX = decimal.Decimal("0.0341")
CENTS = decimal.Decimal("0.01")

# The same rates and taxes as integer fractions, for the independent check.
RATE_CENTS = ((13, 100), (894, 1000))
BASIC_TAX_FRACTION = (675, 10000)
DISTANCE_TAX_FRACTION = (341, 10000)


def _round_half_even(num, den):
    quotient, remainder = divmod(num, den)
    if 2 * remainder > den or (2 * remainder == den and quotient % 2):
        quotient += 1
    return quotient


def _expected_sums(lengths):
    """Sums in cents of price, basic tax, distance tax and total."""
    prices = basic = distance = 0
    for seconds in lengths:
        kind = seconds & 1
        num, den = RATE_CENTS[kind]
        price = _round_half_even(seconds * num, den)
        prices += price
        basic += price * BASIC_TAX_FRACTION[0] // BASIC_TAX_FRACTION[1]
        if kind == DISTANCE:
            distance += (price * DISTANCE_TAX_FRACTION[0]
                         // DISTANCE_TAX_FRACTION[1])
    sums = (prices, basic, distance, prices + basic + distance)
    return tuple(decimal.Decimal(cents).scaleb(-2) for cents in sums)


def setup():
    rng = random.Random(SEED)
    lengths = [rng.randrange(1, 20000) for _ in range(RECORDS)]
    data = b"".join(struct.pack(">Q", seconds) for seconds in lengths)
    return data, _expected_sums(lengths)


def bill(data, out):
    zero = decimal.Decimal(0)
    sum_price = sum_basic = sum_distance = sum_total = zero
    for (seconds,) in struct.iter_unpack(">Q", data):
        kind = seconds & 1
        price = (RATES[kind] * seconds).quantize(
            CENTS, rounding=decimal.ROUND_HALF_EVEN)
        basic = (price * BASIC_TAX).quantize(
            CENTS, rounding=decimal.ROUND_DOWN)
        total = price + basic
        sum_basic += basic
        if kind == DISTANCE:
            distance = (price * DISTANCE_TAX).quantize(
                CENTS, rounding=decimal.ROUND_DOWN)
            total += distance
            sum_distance += distance
        sum_price += price
        sum_total += total
        print(total, file=out)
    return sum_price, sum_basic, sum_distance, sum_total


def run(state, loops):
    data, expected = state
    # The default context (28 digits) is ample; the check catches any other.
    for _ in range(loops):
        sums = bill(data, io.StringIO())
        if sums != expected:
            raise AssertionError("telco: sums %s, expected %s"
                                 % (sums, expected))
