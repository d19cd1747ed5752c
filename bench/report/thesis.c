#include "bench/report/thesis.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/registry.h"

/* The study's names, as its spreadsheet spelt them, and ours
 * (pyperformance's).  Matched without regard to case.  */
static const char *const name_map[][2] = {
	{ "2to3", "2to3" },
	{ "Chameleon", "chameleon" },
	{ "Chaos", "chaos" },
	{ "Crypto pyaes", "crypto_pyaes" },
	{ "Deltablue", "deltablue" },
	{ "Django template", "django_template" },
	{ "Dulwich log", "dulwich_log" },
	{ "Fannkuch", "fannkuch" },
	{ "Float", "float" },
	{ "Go", "go" },
	{ "Hexiom", "hexiom" },
	{ "JSON dumps", "json_dumps" },
	{ "JSON loads", "json_loads" },
	{ "Logging format", "logging_format" },
	{ "Logging silent", "logging_silent" },
	{ "Logging simple", "logging_simple" },
	{ "Mako", "mako" },
	{ "Meteor contest", "meteor_contest" },
	{ "Nbody", "nbody" },
	{ "Nqueens", "nqueens" },
	{ "Pathlib", "pathlib" },
	{ "Pickle", "pickle" },
	{ "Pickle dict", "pickle_dict" },
	{ "Pickle list", "pickle_list" },
	{ "Pickle pure Python", "pickle_pure_python" },
	{ "Pidigits", "pidigits" },
	{ "Pyflate", "pyflate" },
	{ "Python startup", "python_startup" },
	{ "Python startup no site", "python_startup_no_site" },
	{ "Raytrace", "raytrace" },
	{ "Regex compile", "regex_compile" },
	{ "Regex DNA", "regex_dna" },
	{ "Regex effbot", "regex_effbot" },
	{ "Regex v8", "regex_v8" },
	{ "Richards", "richards" },
	{ "Scimark fft", "scimark_fft" },
	{ "Scimark lu", "scimark_lu" },
	{ "Scimark mc", "scimark_monte_carlo" },
	{ "Scimark sor", "scimark_sor" },
	{ "Scimark sparse mat mult", "scimark_sparse_mat_mult" },
	{ "Spectral norm", "spectral_norm" },
	{ "SQL alch declarative", "sqlalchemy_declarative" },
	{ "SQL alch imperative", "sqlalchemy_imperative" },
	{ "Sqllite synth", "sqlite_synth" },
	{ "Sympy expand", "sympy_expand" },
	{ "Sympy integrate", "sympy_integrate" },
	{ "Sympy sum", "sympy_sum" },
	{ "Sympy str", "sympy_str" },
	{ "Telco", "telco" },
	{ "Tornado http", "tornado_http" },
	{ "Unpack seq", "unpack_sequence" },
	{ "Unpickle", "unpickle" },
	{ "Unpickle list", "unpickle_list" },
	{ "Unpickle pure Python", "unpickle_pure_python" },
	{ "XML etree parse", "xml_etree_parse" },
	{ "XML etree iterparse", "xml_etree_iterparse" },
	{ "XML etree generate", "xml_etree_generate" },
	{ "XML etree process", "xml_etree_process" },
};

const char *thesis_map_name(const char *label)
{
	const struct bench_def *def;

	for (size_t i = 0; i < sizeof(name_map) / sizeof(name_map[0]); i++)
		if (strcasecmp(label, name_map[i][0]) == 0)
			return name_map[i][1];
	def = bench_registry_find(label);
	return def ? def->name : NULL;
}

const struct thesis_row *thesis_find(const struct thesis_table *t, const char *name)
{
	for (size_t i = 0; t && i < t->nrows; i++)
		if (t->rows[i].name && strcmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	return NULL;
}

void thesis_release(struct thesis_table *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		free(t->rows[i].label);
		free(t->rows[i].category);
	}
	free(t->rows);
	free(t->label);
	free(t->title);
	*t = (struct thesis_table){ 0 };
}

#define MAX_COLUMNS 32

struct record {
	char field[MAX_COLUMNS][THESIS_MAX_FIELD + 1];
	size_t n;
};

/* Read one CSV record at *p (RFC 4180 quoting, no line breaks inside
 * quotes); 1 when read, 0 at the end, -1 on a malformed line.  */
static int next_record(const char **p, const char *end, struct record *rec,
		       const char *what, size_t line, struct bench_error *err)
{
	const char *s = *p;

	if (s >= end)
		return 0;
	rec->n = 0;
	for (;;) {
		char *out;
		size_t len = 0;
		int quoted = s < end && *s == '"';

		if (rec->n == MAX_COLUMNS)
			return bench_error_set(err, 0, "%s: line %zu: more than %d columns", what,
					       line, MAX_COLUMNS);
		out = rec->field[rec->n++];
		if (quoted)
			s++;
		for (;;) {
			char ch;
			if (s >= end || (!quoted && (*s == ',' || *s == '\n' || *s == '\r')))
				break;
			ch = *s++;
			if (quoted && ch == '"') {
				if (s < end && *s == '"') {
					s++;
				} else {
					quoted = 0;
					if (s < end && *s != ',' && *s != '\n' && *s != '\r')
						return bench_error_set(err, 0, "%s: line %zu: text after a closing quote",
								       what, line);
					break;
				}
			} else if (quoted && ch == '\n') {
				return bench_error_set(err, 0, "%s: line %zu: a quoted field spans lines",
						       what, line);
			} else if (ch == '\0') {
				return bench_error_set(err, 0, "%s: line %zu: a NUL byte", what, line);
			}
			if (len == THESIS_MAX_FIELD)
				return bench_error_set(err, 0, "%s: line %zu: a field longer than %d bytes",
						       what, line, THESIS_MAX_FIELD);
			out[len++] = ch;
		}
		if (quoted)
			return bench_error_set(err, 0, "%s: line %zu: an unterminated quote", what, line);
		out[len] = '\0';
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (s < end && *s == '\r')
			s++;
		if (s < end && *s == '\n')
			s++;
		break;
	}
	*p = s;
	return 1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int column(const struct record *hdr, const char *name)
{
	for (size_t i = 0; i < hdr->n; i++)
		if (strcasecmp(hdr->field[i], name) == 0)
			return (int)i;
	return -1;
}

/* The columns thesis_parse reads, by index; -1 when absent.  */
struct columns {
	int name, pct, cat;
};

/* Skip a byte order mark and blank lines, read the header at *p and find
 * its columns; *line is the header's line.  */
static int read_header(const char **p, const char *end, size_t *line, struct record *hdr,
		       struct columns *col, const char *what, struct bench_error *err)
{
	int r;

	/* Spreadsheets may start the file with a UTF-8 byte order mark.  */
	if (end - *p >= 3 && memcmp(*p, "\xef\xbb\xbf", 3) == 0)
		*p += 3;
	/* Skip blank lines before the header.  */
	while (*p < end && (**p == '\n' || **p == '\r'))
		*line += *(*p)++ == '\n';
	r = next_record(p, end, hdr, what, *line, err);
	if (r <= 0)
		return r == 0 ? bench_error_set(err, 0, "%s: empty, expected a CSV header", what) : -1;
	for (size_t i = 0; i < hdr->n; i++)
		memmove(hdr->field[i], trim(hdr->field[i]), strlen(trim(hdr->field[i])) + 1);
	col->name = column(hdr, "benchmark");
	col->pct = column(hdr, "difference_pct");
	col->cat = column(hdr, "category");
	if (col->name < 0 || col->pct < 0)
		return bench_error_set(err, 0, "%s: the header needs the columns `benchmark` and "
				       "`difference_pct` (like bench/report/thesis_kata_vs_crun.csv)",
				       what);
	return 0;
}

/* Add the record rec of line `line` to tab as a row.  */
static int add_row(struct thesis_table *tab, struct record *rec, const struct columns *col,
		   const char *what, size_t line, struct bench_error *err)
{
	struct thesis_row *row;
	const char *label, *name, *pct_text;
	const struct bench_def *def;
	char *e;
	double pct;

	if (tab->nrows == THESIS_MAX_ROWS)
		return bench_error_set(err, 0, "%s: more than %d rows", what, THESIS_MAX_ROWS);
	label = trim(rec->field[col->name]);
	pct_text = trim(rec->field[col->pct]);
	errno = 0;
	pct = strtod(pct_text, &e);
	if (!*label || !*pct_text || *e || errno || !isfinite(pct) || pct <= -100)
		return bench_error_set(err, 0, "%s: line %zu: `%s` needs a name and a difference_pct "
				       "above -100 (got `%s`)", what, line, label, pct_text);
	name = thesis_map_name(label);
	if (name && thesis_find(tab, name))
		return bench_error_set(err, 0, "%s: line %zu: `%s` appears twice", what, line, label);
	def = name ? bench_registry_find(name) : NULL;
	tab->rows = xrealloc(tab->rows, (tab->nrows + 1) * sizeof(*tab->rows));
	row = &tab->rows[tab->nrows++];
	row->label = xstrdup(label);
	row->name = name;
	row->category = xstrdup(def ? def->category :
				col->cat >= 0 && *trim(rec->field[col->cat]) ?
				trim(rec->field[col->cat]) : "other");
	row->ratio = 1 + pct / 100;
	return 0;
}

int thesis_parse(const char *text, size_t len, const char *what,
		 struct thesis_table *t, struct bench_error *err)
{
	struct thesis_table tab = { 0 };
	const char *p = text, *end = text + len;
	struct record *rec = xmalloc(sizeof(*rec)), *hdr = xmalloc(sizeof(*hdr));
	struct columns col = { -1, -1, -1 };
	int r, rc = -1;
	size_t line = 1;

	if (len > THESIS_MAX_BYTES) {
		bench_error_set(err, 0, "%s: larger than the limit of %u bytes", what, THESIS_MAX_BYTES);
		goto out;
	}
	if (read_header(&p, end, &line, hdr, &col, what, err) < 0)
		goto out;
	while (line++, (r = next_record(&p, end, rec, what, line, err)) > 0) {
		if (rec->n == 1 && !*trim(rec->field[0]))
			continue;
		if (rec->n != hdr->n) {
			bench_error_set(err, 0, "%s: line %zu: %zu fields, the header has %zu", what,
					line, rec->n, hdr->n);
			goto out;
		}
		if (add_row(&tab, rec, &col, what, line, err) < 0)
			goto out;
	}
	if (r < 0)
		goto out;
	if (tab.nrows == 0) {
		bench_error_set(err, 0, "%s: no rows after the header", what);
		goto out;
	}
	*t = tab;
	tab = (struct thesis_table){ 0 };
	rc = 0;
out:
	thesis_release(&tab);
	free(rec);
	free(hdr);
	return rc;
}

int thesis_load(const char *path, struct thesis_table *t, struct bench_error *err)
{
	cleanup_free char *text = NULL;
	size_t len;

	if (!path) {
		if (thesis_parse(thesis_csv, thesis_csv_len, "built-in study table", t, err) < 0)
			return -1;
		t->label = xstrdup("study");
		t->title = xstrdup("the 2021 study, Kata Containers vs crun");
		return 0;
	}
	if (util_read_file(path, THESIS_MAX_BYTES, &text, &len, err) < 0)
		return -1;
	if (thesis_parse(text, len, path, t, err) < 0)
		return -1;
	t->label = xstrdup("reference");
	t->title = xasprintf("the reference table `%s`", path);
	return 0;
}
