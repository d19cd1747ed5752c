"""chameleon: render a Chameleon page template of a 500 x 10 HTML table.

Each of the 5,000 cells gets two attributes (one computed) and escaped text
content (some values hold "&" and "<"). The number of cells and of escaped
characters in the output are checked against counts taken from the data.
"""
import random

from chameleon import PageTemplate

ROWS = 500
COLUMNS = 10
SEED = 7

TEMPLATE = """\
<table xmlns:tal="http://xml.zope.org/namespaces/tal" class="grid">
  <tr tal:repeat="row rows">
    <td tal:repeat="cell row"
        tal:attributes="class 'col-' + cell[0]; data-column cell[2]"
        tal:content="cell[1]">value</td>
  </tr>
</table>
"""

_KINDS = ("num", "neg", "txt", "zero")
_WORDS = ("alpha", "beta", "R&D", "x<y", "gamma", "delta", "Q&A", "omega")


def setup():
    rng = random.Random(SEED)
    rows = []
    for _ in range(ROWS):
        row = []
        for column in range(COLUMNS):
            kind = rng.choice(_KINDS)
            if kind == "txt":
                value = rng.choice(_WORDS)
            elif kind == "zero":
                value = 0
            else:
                value = rng.randint(1, 99999) * (-1 if kind == "neg" else 1)
            row.append((kind, value, column))
        rows.append(row)
    escapes = sum(str(value).count("&") + str(value).count("<")
                  for row in rows for _, value, _ in row)
    template = PageTemplate(TEMPLATE)
    template(rows=rows[:1])  # compiles the template outside the timed region
    return template, rows, escapes


def run(state, loops):
    template, rows, escapes = state
    for _ in range(loops):
        html = template(rows=rows)
        cells = html.count('<td class="col-')
        escaped = html.count("&amp;") + html.count("&lt;")
        if cells != ROWS * COLUMNS or escaped != escapes:
            raise AssertionError(
                "chameleon: %d cells and %d escapes, expected %d and %d"
                % (cells, escaped, ROWS * COLUMNS, escapes))
