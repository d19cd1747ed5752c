"""Mako: a page template that inherits a base layout and uses defs.

The page has a navigation list of 10 links, 40 paragraphs each followed by an
image, and a 150 x 150 table. Cell text, paragraphs and titles go through
HTML escaping (|h), link and image targets through URL escaping (|u).
Templates live in an in-memory TemplateLookup; inputs come from a fixed seed.
"""
import hashlib
import random

from mako.lookup import TemplateLookup

SIZE = 150
PARAGRAPHS = 40
SEED = 20240607

BASE = """\
<%def name="link(href, text)"><a href="/go?to=${href | u}">${text | h}</a>\
</%def>
<!DOCTYPE html>
<html>
<head><title>${self.title()}</title></head>
<body>
<div class="nav"><ul>
% for href, text in nav:
<li>${link(href, text)}</li>
% endfor
</ul></div>
<div class="content">
${next.body()}
</div>
<div class="footer">${self.footer()}</div>
</body>
</html>
"""

PAGE = """\
<%inherit file="base.html"/>
<%def name="title()">${heading | h} &mdash; page ${page}</%def>
<%def name="footer()">Rendered for ${user | h}</%def>
<%def name="image(src, alt)">\
<img src="/img/${src | u}" alt="${alt | h}"/></%def>
<%def name="grid(rows)">
<table>
% for row in rows:
<tr>\\
% for cell in row:
<td>${cell | h}</td>\\
% endfor
</tr>
% endfor
</table>
</%def>
<h1>${heading | h}</h1>
% for i, (text, src) in enumerate(paragraphs):
<p class="${'odd' if i % 2 else 'even'}">${text | h}</p>
${image(src, text[:20])}
% endfor
${grid(table)}
"""

# Output of Mako 1.2 (Debian python3-mako) for the inputs of setup(), checked
# by eye for correct HTML and URL escaping.
LENGTH = 506044
SHA256 = "277a97aedec018858f83d5fb4f10605ce1f587a0e1f7e9b302890ae2740e3ac1"

WORDS = ["alpha", "beta", "<gamma>", "delta & co", "\"quoted\"", "epsilon",
         "zeta's", "eta", "theta/iota", "kappa"]


def setup():
    rng = random.Random(SEED)
    paragraphs = []
    for i in range(PARAGRAPHS):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
        paragraphs.append((text, "photo %d/ä & b.png" % i))
    table = [["%d<%d>" % (r, c) for c in range(SIZE)] for r in range(SIZE)]
    nav = [("section %d?x=%d&y=<%d>" % (i, i, i), "Section <%d>" % i)
           for i in range(10)]

    lookup = TemplateLookup()
    lookup.put_string("base.html", BASE)
    lookup.put_string("page.html", PAGE)
    template = lookup.get_template("page.html")
    context = {
        "heading": "Report <%d> & summary" % SEED,
        "page": 7,
        "user": "O'Brien & <sons>",
        "nav": nav,
        "paragraphs": paragraphs,
        "table": table,
    }
    return template, context


def run(state, loops):
    template, context = state
    for _ in range(loops):
        html = template.render(**context)
        cells = html.count("<td>")
        if cells != SIZE * SIZE:
            raise AssertionError("table has %d cells, expected %d"
                                 % (cells, SIZE * SIZE))
        digest = hashlib.sha256(html.encode()).hexdigest()
        if len(html) != LENGTH or digest != SHA256:
            raise AssertionError("page of %d chars, sha256 %s; expected %d "
                                 "chars, sha256 %s"
                                 % (len(html), digest, LENGTH, SHA256))
