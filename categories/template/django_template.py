"""Django template engine, standalone: a 150 x 150 table rendered by for-loops.

Every cell holds text with HTML special characters, so the |escape filter
does real work. Django is configured with settings.configure() and
USE_TZ=False: no apps, no database. Django 3.2 imports pytz, which reads
/usr/share/zoneinfo: the container image carries it.
"""
import hashlib

import django
from django.conf import settings

SIZE = 150

TEMPLATE = """\
<table class="{{ css_class }}">
{% for row in table %}<tr class="{% cycle 'odd' 'even' %}">\
{% for cell in row %}<td>{{ cell|escape }}</td>{% endfor %}</tr>
{% endfor %}</table>
"""


def _expected_html(table, css_class):
    """Render the same markup with plain str operations, as a reference."""
    def escape(text):
        return (text.replace("&", "&amp;").replace("<", "&lt;")
                .replace(">", "&gt;").replace('"', "&quot;")
                .replace("'", "&#x27;"))

    lines = ['<table class="%s">' % escape(css_class)]
    for r, row in enumerate(table):
        cells = "".join("<td>%s</td>" % escape(cell) for cell in row)
        lines.append('<tr class="%s">%s</tr>'
                     % ("odd" if r % 2 == 0 else "even", cells))
    return "\n".join(lines) + "\n</table>\n"


def setup():
    if not settings.configured:
        settings.configure(USE_TZ=False, USE_I18N=False)
        django.setup()
    from django.template import Context, Engine

    table = [["<%d & %d>" % (r, c) for c in range(SIZE)]
             for r in range(SIZE)]
    css_class = 'grid "big"'
    expected = _expected_html(table, css_class)
    # A private engine: it does not depend on settings.TEMPLATES.
    template = Engine(autoescape=True).from_string(TEMPLATE)
    context = Context({"table": table, "css_class": css_class})
    return (template, context, len(expected),
            hashlib.sha256(expected.encode()).hexdigest())


def run(state, loops):
    template, context, length, digest = state
    for _ in range(loops):
        html = template.render(context)
        # The length test is cheap and catches most failures before hashing.
        if (len(html) != length
                or hashlib.sha256(html.encode()).hexdigest() != digest):
            raise AssertionError("rendered table differs from the reference "
                                 "(%d chars, expected %d)"
                                 % (len(html), length))
