"""A bzip2 decompressor in pure Python, run over a generated .tar.bz2.

setup() writes a tar archive of generated source-like files (seeded, about
400 KB; about 60 KB once compressed by the bz2 module in 100 KB blocks) to a
temporary folder. Each iteration reads the archive and decodes it completely:
bit reader, Huffman tables, move-to-front, inverse Burrows-Wheeler transform
and run-length expansion, with every block's CRC verified. The output's
SHA-256 must equal that of the original tar.
"""
import bz2
import hashlib
import io
import os
import random
import shutil
import tarfile
import tempfile

SEED = 1
FILES = 10
LINES_PER_FILE = 1800
VOCABULARY = 100
BLOCK_SIZE_LEVEL = 1

BLOCK_MAGIC = 0x314159265359
END_MAGIC = 0x177245385090
GROUP_SIZE = 50


class BzipError(Exception):
    pass


def _crc_table():
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000
                   else crc << 1) & 0xFFFFFFFF
        table.append(crc)
    return table


CRC_TABLE = _crc_table()


def bzip2_crc(data):
    """The CRC-32 bzip2 uses: polynomial 0x04C11DB7, most significant bit
    first (unlike zlib's reflected CRC-32)."""
    crc = 0xFFFFFFFF
    table = CRC_TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
    return crc ^ 0xFFFFFFFF


class BitReader:
    """Reads a byte string most significant bit first, one bit at a time."""

    def __init__(self, data):
        self.data = data
        self.position = 0
        self.end = 8 * len(data)

    def bit(self):
        position = self.position
        if position >= self.end:
            raise BzipError("unexpected end of data")
        self.position = position + 1
        return (self.data[position >> 3] >> (7 - (position & 7))) & 1

    def read(self, n):
        value = 0
        for _ in range(n):
            value = (value << 1) | self.bit()
        return value


class Huffman:
    """A canonical prefix code rebuilt from code lengths, decoded bit by
    bit: codes of one length are consecutive, so one comparison per length
    tells whether the code read so far is complete."""

    def __init__(self, lengths):
        self.longest = max(lengths)
        # Symbols in code order: by length, then by symbol.
        self.symbols = sorted(range(len(lengths)), key=lambda s: lengths[s])
        # Per length: one past the last code, and code minus its index.
        self.limit = [0] * (self.longest + 1)
        self.offset = [0] * (self.longest + 1)
        code = 0
        index = 0
        for length in range(1, self.longest + 1):
            count = lengths.count(length)
            self.offset[length] = code - index
            code += count
            index += count
            self.limit[length] = code
            code <<= 1

    def decode(self, reader):
        code = 0
        for length in range(1, self.longest + 1):
            code = (code << 1) | reader.bit()
            if code < self.limit[length]:
                return self.symbols[code - self.offset[length]]
        raise BzipError("invalid Huffman code")


def read_block(reader, max_size):
    """Decode one block to the bytes before the run-length stage."""
    if reader.bit():
        raise BzipError("randomised blocks are not supported")
    origin = reader.read(24)

    # Which byte values occur: 16 ranges of 16, each flagged then mapped.
    used_ranges = reader.read(16)
    alphabet = []
    for r in range(16):
        if used_ranges & (0x8000 >> r):
            used = reader.read(16)
            alphabet.extend(r * 16 + i for i in range(16)
                            if used & (0x8000 >> i))
    if not alphabet:
        raise BzipError("block uses no symbols")
    end_of_block = len(alphabet) + 1

    tables_count = reader.read(3)
    selectors_count = reader.read(15)
    if not 2 <= tables_count <= 6 or not selectors_count:
        raise BzipError("bad Huffman table header")
    order = list(range(tables_count))
    selectors = []
    for _ in range(selectors_count):
        index = 0
        while reader.bit():
            index += 1
            if index >= tables_count:
                raise BzipError("bad selector")
        table = order.pop(index)
        order.insert(0, table)
        selectors.append(table)

    tables = []
    for _ in range(tables_count):
        length = reader.read(5)
        lengths = []
        for _ in range(end_of_block + 1):
            while reader.bit():
                length += -1 if reader.bit() else 1
            if not 1 <= length <= 20:
                raise BzipError("bad code length")
            lengths.append(length)
        tables.append(Huffman(lengths))

    # Symbols: runs of the front byte (RUNA/RUNB digits of a bijective base-2
    # count), move-to-front indices, and the end marker.
    block = bytearray()
    front = alphabet[:]
    run = 0
    run_digit = 1
    group = 0
    left_in_group = 0
    table = None
    while True:
        if not left_in_group:
            if group >= len(selectors):
                raise BzipError("ran out of selectors")
            table = tables[selectors[group]]
            group += 1
            left_in_group = GROUP_SIZE
        left_in_group -= 1
        symbol = table.decode(reader)
        if symbol <= 1:
            run += run_digit << symbol
            run_digit <<= 1
            continue
        if run:
            block.extend(bytes((front[0],)) * run)
            run = 0
            run_digit = 1
        if symbol == end_of_block:
            break
        value = front.pop(symbol - 1)
        front.insert(0, value)
        block.append(value)
    if len(block) > max_size or origin >= len(block):
        raise BzipError("block larger than declared or bad origin")
    return inverse_bwt(block, origin)


def inverse_bwt(last_column, origin):
    # Stable sort of the last column by counting gives the first column;
    # following the links from the origin row restores the text.
    starts = [0] * 256
    for byte in last_column:
        starts[byte] += 1
    total = 0
    for byte in range(256):
        starts[byte], total = total, total + starts[byte]
    links = [0] * len(last_column)
    for i, byte in enumerate(last_column):
        links[starts[byte]] = i
        starts[byte] += 1
    text = bytearray(len(last_column))
    position = links[origin]
    for i in range(len(last_column)):
        text[i] = last_column[position]
        position = links[position]
    return text


def expand_runs(data):
    """Undo the first-stage run-length code: four equal bytes are followed
    by a count of further copies."""
    out = bytearray()
    last = -1
    repeats = 0
    i = 0
    size = len(data)
    while i < size:
        byte = data[i]
        i += 1
        out.append(byte)
        if byte != last:
            last = byte
            repeats = 1
            continue
        repeats += 1
        if repeats == 4:
            if i >= size:
                raise BzipError("run length missing")
            out.extend(bytes((byte,)) * data[i])
            i += 1
            last = -1
            repeats = 0
    return out


def decompress(data):
    reader = BitReader(data)
    if reader.read(24) != int.from_bytes(b"BZh", "big"):
        raise BzipError("not a bzip2 stream")
    level = reader.read(8) - ord("0")
    if not 1 <= level <= 9:
        raise BzipError("bad block size")
    out = bytearray()
    combined = 0
    while True:
        magic = reader.read(48)
        stored_crc = reader.read(32)
        if magic == END_MAGIC:
            if stored_crc != combined:
                raise BzipError("stream CRC mismatch")
            return bytes(out)
        if magic != BLOCK_MAGIC:
            raise BzipError("bad block magic")
        block = expand_runs(read_block(reader, level * 100000))
        crc = bzip2_crc(block)
        if crc != stored_crc:
            raise BzipError("block CRC mismatch")
        combined = (((combined << 1) | (combined >> 31)) & 0xFFFFFFFF) ^ crc
        out += block


TEMPLATES = (
    "def {a}({b}, {c}):",
    "    {a} = {b}.{c}({d})",
    "    if {a} is None:",
    "        return {b}",
    "    for {a} in {b}:",
    "        {a}.append({b}[{n}])",
    "    {a} += {n}",
    "    return {a} + {n}",
    "",
    "class {A}({B}):",
    '    """{a} {b} {c} {d}."""',
    "# {a} {b} {c}",
)


def make_tar(rng):
    """A tar of Python-like modules: lines from a few templates filled with
    identifiers drawn from a small vocabulary by a Zipf law, which
    compresses about as well as (slightly better than) real source."""
    vocabulary = ["".join(rng.choice("etaoinshrdlucmfwypvbgkqjxz")
                          for _ in range(rng.randint(2, 8)))
                  for _ in range(VOCABULARY)]
    weights = [1.0 / (rank + 1) for rank in range(VOCABULARY)]

    def words(k):
        return rng.choices(vocabulary, weights, k=k)

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w",
                      format=tarfile.USTAR_FORMAT) as tar:
        for number in range(FILES):
            lines = []
            for _ in range(LINES_PER_FILE):
                a, b, c, d, e, f = words(6)
                lines.append(rng.choice(TEMPLATES).format(
                    a=a, b=b, c=c, d=d, A=e.title(), B=f.title(),
                    n=rng.randrange(10)))
            body = ("\n".join(lines) + "\n").encode()
            info = tarfile.TarInfo("pkg/module%02d.py" % number)
            info.size = len(body)
            info.mtime = 1_600_000_000 + number
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def setup():
    folder = tempfile.mkdtemp(prefix="sandbench-")
    try:
        original = make_tar(random.Random(SEED))
        path = os.path.join(folder, "archive.tar.bz2")
        with open(path, "wb") as f:
            f.write(bz2.compress(original, BLOCK_SIZE_LEVEL))
        return folder, path, hashlib.sha256(original).hexdigest()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def run(state, loops):
    _, path, expected = state
    for _ in range(loops):
        with open(path, "rb") as f:
            data = decompress(f.read())
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected:
            raise AssertionError("pyflate: output sha256 %s, expected %s"
                                 % (digest, expected))


def teardown(state):
    if state is not None:
        shutil.rmtree(state[0], ignore_errors=True)
