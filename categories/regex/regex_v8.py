"""regex_v8: a replay of mixed regexp operations over generated web-like text.

Setup generates (seed 2024) 1,280 strings of the kinds a browser script
handles: URLs, HTML fragments, user-agent strings, cookie headers, CSS
declarations, JSON texts and prose with e-mails, dates and numbers. Each
iteration replays 48 operations (match, search, sub with strings and with
functions, split, findall), each over every string of its kind, 9,750 regex
calls in all; a checksum of the results is compared to a constant.
"""
import random
import re

SEED = 2024
COUNTS = {"url": 240, "html": 190, "agent": 100, "cookie": 100,
          "css": 190, "json": 140, "prose": 320}

_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"'}


def _entity(m):
    return _ENTITIES[m.group(1)]


def _percent(m):
    return chr(int(m.group(0)[1:], 16))


def _upper(m):
    return m.group(1).upper()


def _unicode_escape(m):
    return chr(int(m.group(1), 16))


# (kind of string, operation, pattern, flags, replacement for "sub")
OPERATIONS = (
    ("url", "match",
     r"^(\w+)://([^/:?#]+)(?::(\d+))?(/[^?#]*)?(?:\?([^#]*))?(?:#(.*))?$",
     0, None),
    ("url", "findall", r"[?&]([^=&#]+)=([^&#]*)", 0, None),
    ("url", "search", r"\.(png|jpe?g|gif|svg)(?:\?|#|$)", re.I, None),
    ("url", "sub", r"%[0-9A-Fa-f]{2}", 0, _percent),
    ("html", "findall", r"<(\w+)([^>]*)>", 0, None),
    ("html", "sub", r"<[^>]+>", 0, ""),
    ("html", "findall", r'\bclass="([^"]*)"', 0, None),
    ("html", "sub", r"&(amp|lt|gt|quot);", 0, _entity),
    ("html", "search", r'<img\s[^>]*src="([^"]+)"', 0, None),
    ("agent", "search", r"(Chrome|Firefox|Safari|Edge)/(\d+)\.(\d+)", 0, None),
    ("agent", "search", r"\((Windows NT [\d.]+|Macintosh|X11|Linux)[^)]*\)",
     0, None),
    ("agent", "match", r"Mozilla/5\.0 ", 0, None),
    ("agent", "search", r"mobile|android|iphone|ipad", re.I, None),
    ("agent", "search", r"MSIE (\d+\.\d+)", 0, None),
    ("cookie", "split", r";\s*", 0, None),
    ("cookie", "findall", r"(?:^|;\s*)([^=;\s]+)=([^;]*)", 0, None),
    ("cookie", "search", r"(?:^|;\s*)session=([^;]*)", 0, None),
    ("prose", "findall", r"[\w.+-]+@[\w-]+\.[\w.]+", 0, None),
    ("prose", "findall", r"\b\d{4}-\d{2}-\d{2}\b", 0, None),
    ("prose", "sub", r"([a-z])([A-Z])", 0, r"\1_\2"),
    ("prose", "split", r"[.!?]\s+", 0, None),
    ("prose", "findall", r"\b[A-Z][a-z]+\b", 0, None),
    ("prose", "sub", r"^\s+|\s+$", 0, ""),
    ("prose", "findall", r"-?\d+(?:\.\d+)?", 0, None),
    ("prose", "sub", r"(\d)(?=(?:\d{3})+(?!\d))", 0, r"\1,"),
    ("css", "split", r"\s*;\s*", 0, None),
    ("css", "match", r"\s*([\w-]+)\s*:\s*(.+?)\s*(?:;|$)", 0, None),
    ("css", "sub", r"-([a-z])", 0, _upper),
    ("css", "search", r"#(?:[0-9a-fA-F]{3}){1,2}\b", 0, None),
    ("css", "findall", r"(-?\d+(?:\.\d+)?)(px|em|%)", 0, None),
    ("json", "sub", r'\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})', 0, "@"),
    ("json", "sub", r'"[^"\\\n\r]*"|true|false|null|-?\d+(?:\.\d*)?'
                    r"(?:[eE][+\-]?\d+)?", 0, "]"),
    ("json", "findall", r'"((?:\\.|[^"\\])*)"\s*:', 0, None),
    ("json", "sub", r"\\u([0-9a-fA-F]{4})", 0, _unicode_escape),
    ("url", "sub", r"^https?://(?:www\.)?", 0, ""),
    ("url", "split", r"[/?&#=]", 0, None),
    ("html", "sub", r"\s{2,}", 0, " "),
    ("html", "findall", r'\b(?:href|src)="(https?://[^"]+)"', 0, None),
    ("html", "search", r'<a\s[^>]*title="([^"]*)"[^>]*>(.*?)</a>', 0, None),
    ("prose", "search", r"\b(\w+)\s+\1\b", re.I, None),
    ("prose", "findall", r"\b\w{10,}\b", 0, None),
    ("prose", "sub", r"\s+", 0, " "),
    ("css", "match", r"^\s*(?:margin|padding)\b", 0, None),
    ("agent", "findall", r"[\w.]+/[\d.]+", 0, None),
    ("cookie", "sub", r"[^\w=;% -]", 0, ""),
    ("json", "match", r"^[\s\[\]{}:,@]*$", 0, None),
    ("url", "search", r"[?&]utm_(\w+)=", 0, None),
    ("html", "split", r"(<[^>]+>)", 0, None),
)

# Every (pattern, flags) this benchmark compiles; regex_compile reuses them.
PATTERNS = tuple((pattern, flags) for _, _, pattern, flags, _ in OPERATIONS)

EXPECTED_CHECKSUM = 799512

_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "zen", "bar",
              "qu", "dex", "fin", "gol", "hap", "jor", "pix", "wex", "yal")
_TLDS = ("com", "org", "net", "io", "de", "co.uk")
_TAGS = ("div", "span", "p", "li", "td", "section", "em", "strong")
_BROWSERS = (("Chrome", 120), ("Firefox", 121), ("Safari", 17), ("Edge", 119))
_SYSTEMS = ("Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7",
            "X11; Linux x86_64", "Linux; Android 14; Pixel 8",
            "iPhone; CPU iPhone OS 17_1 like Mac OS X",
            "compatible; MSIE 9.0; Windows NT 6.1")
_PROPERTIES = ("margin", "padding", "color", "background-color", "font-size",
               "border-top-width", "line-height", "z-index", "text-align")


def _word(rng, capital=False):
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))
    return word.capitalize() if capital else word


def _url(rng):
    scheme = rng.choice(("http", "https", "https"))
    host = "%s%s.%s" % (rng.choice(("", "www.", "cdn.", "api.")),
                        _word(rng), rng.choice(_TLDS))
    port = ":%d" % rng.randint(1024, 9999) if rng.random() < 0.15 else ""
    path = "/".join(_word(rng) for _ in range(rng.randint(0, 4)))
    if rng.random() < 0.4:
        path += "/%s.%s" % (_word(rng), rng.choice(("png", "JPG", "html",
                                                    "js", "svg", "jpeg")))
    query = "&".join("%s=%s%s" % (rng.choice(("id", "q", "page", "utm_source",
                                              "ref", "lang", "utm_medium")),
                                  _word(rng),
                                  rng.choice(("", "%20", "%2F", "%C3")))
                     for _ in range(rng.randint(0, 4)))
    url = "%s://%s%s/%s" % (scheme, host, port, path)
    if query:
        url += "?" + query
    if rng.random() < 0.2:
        url += "#" + _word(rng)
    return url


def _html(rng):
    parts = []
    for _ in range(rng.randint(2, 6)):
        tag = rng.choice(_TAGS)
        classes = " ".join(_word(rng) for _ in range(rng.randint(1, 3)))
        text = " ".join(_word(rng) for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.3:
            text += " &amp; %s &lt;%s&gt;" % (_word(rng), _word(rng))
        inner = text
        if rng.random() < 0.4:
            inner = '<a href="%s" title="%s">%s</a>  %s' % (
                _url(rng), _word(rng, True), _word(rng), text)
        if rng.random() < 0.3:
            inner += '<img src="%s" alt="%s" />' % (_url(rng), _word(rng))
        parts.append('<%s class="%s" id="%s">%s</%s>'
                     % (tag, classes, _word(rng), inner, tag))
    return "\n    ".join(parts)


def _agent(rng):
    browser, version = rng.choice(_BROWSERS)
    system = rng.choice(_SYSTEMS)
    mobile = " Mobile" if "Android" in system or "iPhone" in system else ""
    return ("Mozilla/5.0 (%s) AppleWebKit/537.36 (KHTML, like Gecko) "
            "%s/%d.%d.%d%s" % (system, browser, version, rng.randint(0, 9),
                              rng.randint(0, 5000), mobile))


def _cookie(rng):
    pairs = ["%s=%s" % (_word(rng), _word(rng) + str(rng.randint(0, 999)))
             for _ in range(rng.randint(2, 8))]
    if rng.random() < 0.5:
        pairs.insert(rng.randint(0, len(pairs)),
                     "session=%08x" % rng.getrandbits(32))
    if rng.random() < 0.2:
        pairs.append("prefs=%s!%s" % (_word(rng), _word(rng)))
    return "; ".join(pairs)


def _css(rng):
    declarations = []
    for _ in range(rng.randint(1, 5)):
        prop = rng.choice(_PROPERTIES)
        if "color" in prop:
            digits = rng.choice((3, 6))
            value = "#%0*x" % (digits, rng.getrandbits(4 * digits))
        elif prop in ("margin", "padding"):
            value = " ".join("%d%s" % (rng.randint(-4, 40),
                                       rng.choice(("px", "em", "%")))
                             for _ in range(rng.randint(1, 4)))
        else:
            value = rng.choice(("%dpx" % rng.randint(8, 32),
                                "%.1fem" % rng.uniform(0.5, 3), "center",
                                "inherit", str(rng.randint(1, 99))))
        indent = " " * rng.randint(0, 2)
        declarations.append("%s%s: %s" % (indent, prop, value))
    separator = " ; " if rng.random() < 0.3 else "; "
    return separator.join(declarations)


def _json(rng):
    items = []
    for _ in range(rng.randint(2, 7)):
        kind = rng.randint(0, 5)
        if kind == 0:
            value = str(rng.randint(-1000, 100000))
        elif kind == 1:
            value = "%.3e" % rng.uniform(-1e6, 1e6)
        elif kind == 2:
            value = rng.choice(("true", "false", "null"))
        elif kind == 3:
            value = '"%s \\u00e9\\"%s\\" \\n"' % (_word(rng), _word(rng))
        elif kind == 4:
            value = "[%s]" % ", ".join(str(rng.randint(0, 99))
                                       for _ in range(rng.randint(0, 5)))
        else:
            key = _word(rng)
            value = '{"%s": "%s"}' % (key, _url(rng).replace("/", "\\/"))
        items.append('"%s": %s' % (_word(rng), value))
    return "{" + ", ".join(items) + "}"


def _prose(rng):
    sentences = []
    for _ in range(rng.randint(1, 4)):
        length = rng.randint(4, 14)
        words = [_word(rng, rng.random() < 0.15) for _ in range(length)]
        extra = rng.randint(0, 6)
        if extra == 0:
            words.append("%s.%s@%s.%s" % (_word(rng), _word(rng), _word(rng),
                                          rng.choice(_TLDS)))
        elif extra == 1:
            words.append("%04d-%02d-%02d" % (rng.randint(1990, 2030),
                                             rng.randint(1, 12),
                                             rng.randint(1, 28)))
        elif extra == 2:
            words.append(str(rng.randint(1, 10 ** rng.randint(1, 10))))
        elif extra == 3:
            words.append("%s%s" % (_word(rng), _word(rng, True)))
        elif extra == 4:
            words.append("%.2f" % rng.uniform(-500, 500))
        elif extra == 5:
            words.insert(rng.randint(0, len(words)), words[0])
        rng.shuffle(words)
        sentences.append(" ".join(words).capitalize()
                         + rng.choice((".", ".", "!", "?")))
    lead = " " * rng.randint(0, 3)
    return lead + "  ".join(sentences) + "\n" * rng.randint(0, 1)


_MAKERS = {"url": _url, "html": _html, "agent": _agent, "cookie": _cookie,
           "css": _css, "json": _json, "prose": _prose}


def setup():
    rng = random.Random(SEED)
    texts = {kind: [_MAKERS[kind](rng) for _ in range(count)]
             for kind, count in COUNTS.items()}
    plan = []
    for kind, operation, pattern, flags, replacement in OPERATIONS:
        compiled = re.compile(pattern, flags)
        plan.append((operation, compiled, replacement, texts[kind]))
    return plan


def run(plan, loops):
    for _ in range(loops):
        # Sums the size of every result, so any change in behaviour shows.
        checksum = 0
        for operation, compiled, replacement, strings in plan:
            if operation == "sub":
                sub = compiled.sub
                for s in strings:
                    checksum += len(sub(replacement, s))
            elif operation == "search" or operation == "match":
                find = getattr(compiled, operation)
                for s in strings:
                    m = find(s)
                    if m is not None:
                        checksum += m.end() + 1
            elif operation == "findall":
                findall = compiled.findall
                for s in strings:
                    checksum += len(findall(s))
            else:
                split = compiled.split
                for s in strings:
                    checksum += len(split(s))
        if checksum != EXPECTED_CHECKSUM:
            raise AssertionError("regex_v8: checksum %d, expected %d"
                                 % (checksum, EXPECTED_CHECKSUM))
