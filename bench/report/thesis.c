#include "bench/report/thesis.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench/lib/error.h"
#include "categories/registry.h"
#include "bench/lib/util.h"

/* The study's table: bench/report/thesis_kata_vs_crun.csv, line ends aside (a
 * test keeps the two equal).  A string literal needs no build step.  */
const char thesis_csv[] =
	"benchmark,unit,category,crun_mean,crun_stdev,kata_mean,kata_stdev,difference_pct\n"
	"2to3,ms,apps,345.95,1.95,548.55,2.2,58.56\n"
	"Chameleon,ms,apps,9.073,0.128,9.1865,0.1275,1.25\n"
	"Chaos,ms,misc,105.45,1,105.45,1,0.00\n"
	"Crypto pyaes,ms,misc,108.2,1,108.4,1,0.18\n"
	"Deltablue,ms,misc,6.916,0.146,7.009,0.1735,1.34\n"
	"Django template,ms,template,48.76,0.685,49.02,0.625,0.53\n"
	"Dulwich log,ms,misc,91.885,0.855,183.3,1.9,99.49\n"
	"Fannkuch,ms,misc,466.85,3.35,469.95,2.55,0.66\n"
	"Float,ms,math,117.95,1.1,118.9,1.1,0.81\n"
	"Go,ms,misc,249.25,3,250.85,2.55,0.64\n"
	"Hexiom,ms,misc,9.3135,0.085,9.3445,0.0865,0.33\n"
	"JSON dumps,ms,serialize,12.905,0.15,13.58,0.135,5.23\n"
	"JSON loads,us,serialize,26.6,0.395,28.025,0.41,5.36\n"
	"Logging format,us,logging,9.38,0.172,9.4065,0.1715,0.28\n"
	"Logging silent,ns,logging,176.231,5.507,188.45,5.35,6.93\n"
	"Logging simple,us,logging,8.543,0.148,8.353,0.146,-2.22\n"
	"Mako,ms,template,15.915,0.14,16.33,0.11,2.61\n"
	"Meteor contest,ms,misc,108.05,0.4,108.75,0.7,0.65\n"
	"Nbody,ms,math,125.65,1.1,125.7,1.1,0.04\n"
	"Nqueens,ms,misc,93.39,0.995,95.115,1.1,1.85\n"
	"Pathlib,ms,pathlib,22.56,0.26,1019,0,4416.84\n"
	"Pickle,us,serialize,10.195,0.115,10.39,0.1,1.91\n"
	"Pickle dict,us,serialize,26.375,0.12,26.52,0.15,0.55\n"
	"Pickle list,us,serialize,3.3505,0.0315,3.3845,0.034,1.01\n"
	"Pickle pure Python,us,serialize,434.15,5.95,442.65,6.1,1.96\n"
	"Pidigits,ms,math,180.05,0.2,181.1,0.5,0.58\n"
	"Pyflate,ms,misc,707,8.1,742.25,8.05,4.99\n"
	"Python startup,ms,startup,9.851,0.0345,37.15,0.235,277.12\n"
	"Python startup no site,ms,startup,6.4905,0.0205,23.32,0.1,259.29\n"
	"Raytrace,ms,misc,462.5,5.25,464.05,5.2,0.34\n"
	"Regex compile,ms,regex,174.95,1.45,175.7,1.2,0.43\n"
	"Regex DNA,ms,regex,179.5,1,184,1,2.51\n"
	"Regex effbot,ms,regex,2.9995,0.028,3.0185,0.022,0.63\n"
	"Regex v8,ms,regex,22.235,0.1655,22.59,0.16,1.60\n"
	"Richards,ms,misc,66.005,1.275,66.42,1.32,0.63\n"
	"Scimark fft,ms,scimark,347.25,2.85,347.4,1.35,0.04\n"
	"Scimark lu,ms,scimark,150.7,3.7,151.65,3.75,0.63\n"
	"Scimark mc,ms,scimark,103.2,1.85,104.65,1.25,1.41\n"
	"Scimark sor,ms,scimark,195.45,3.55,196.5,3.8,0.54\n"
	"Scimark sparse mat mult,ms,scimark,4.599,0.0165,4.625,0.0305,0.57\n"
	"Spectral norm,ms,misc,137,0.95,137.75,1,0.55\n"
	"SQL alch declarative,ms,sql,167.95,4,172.55,4,2.74\n"
	"SQL alch imperative,ms,sql,25.38,0.94,25.71,1.005,1.30\n"
	"Sqllite synth,us,sql,3.014,0.066,2.985,0.063,-0.96\n"
	"Sympy expand,ms,sympy,551.8,4.5,555.75,4.35,0.72\n"
	"Sympy integrate,ms,sympy,24.13,0.2,24.615,0.22,2.01\n"
	"Sympy sum,ms,sympy,195.3,2.8,199.3,2.2,2.05\n"
	"Sympy str,ms,sympy,335.75,2.95,338.75,2.95,0.89\n"
	"Telco,ms,misc,6.035,0.12,6.084,0.112,0.81\n"
	"Tornado http,ms,apps,166.5,3.05,154.45,3.15,-7.24\n"
	"Unpack seq,ns,misc,57.635,1.635,58.045,1.59,0.71\n"
	"Unpickle,us,serialize,13.29,0.15,15.675,0.115,17.95\n"
	"Unpickle list,us,serialize,4.894,0.1005,4.888,0.0625,-0.12\n"
	"Unpickle pure Python,us,serialize,316.3,3.7,325.35,4.8,2.86\n"
	"XML etree parse,ms,serialize,157.45,2.05,188.65,1.55,19.82\n"
	"XML etree iterparse,ms,serialize,107.05,1.8,122.7,1.85,14.62\n"
	"XML etree generate,ms,serialize,85.825,0.79,87.75,0.81,2.24\n"
	"XML etree process,ms,serialize,69.415,0.6,70.69,0.78,1.84\n";
const size_t thesis_csv_len = sizeof(thesis_csv) - 1;

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

int thesis_parse(const char *text, size_t len, const char *what,
		 struct thesis_table *t, struct bench_error *err)
{
	struct thesis_table tab = { 0 };
	const char *p = text, *end = text + len;
	struct record *rec = xmalloc(sizeof(*rec)), *hdr = xmalloc(sizeof(*hdr));
	int c_name, c_pct, c_cat, r, rc = -1;
	size_t line = 1;

	if (len > THESIS_MAX_BYTES) {
		bench_error_set(err, 0, "%s: larger than the limit of %u bytes", what, THESIS_MAX_BYTES);
		goto out;
	}
	/* Spreadsheets may start the file with a UTF-8 byte order mark.  */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	/* Skip blank lines before the header.  */
	while (p < end && (*p == '\n' || *p == '\r'))
		line += *p++ == '\n';
	r = next_record(&p, end, hdr, what, line, err);
	if (r <= 0) {
		if (r == 0)
			bench_error_set(err, 0, "%s: empty, expected a CSV header", what);
		goto out;
	}
	for (size_t i = 0; i < hdr->n; i++)
		memmove(hdr->field[i], trim(hdr->field[i]), strlen(trim(hdr->field[i])) + 1);
	c_name = column(hdr, "benchmark");
	c_pct = column(hdr, "difference_pct");
	c_cat = column(hdr, "category");
	if (c_name < 0 || c_pct < 0) {
		bench_error_set(err, 0, "%s: the header needs the columns `benchmark` and "
				"`difference_pct` (like bench/report/thesis_kata_vs_crun.csv)", what);
		goto out;
	}
	while (line++, (r = next_record(&p, end, rec, what, line, err)) > 0) {
		struct thesis_row *row;
		const char *label, *name, *pct_text;
		const struct bench_def *def;
		char *e;
		double pct;

		if (rec->n == 1 && !*trim(rec->field[0]))
			continue;
		if (rec->n != hdr->n) {
			bench_error_set(err, 0, "%s: line %zu: %zu fields, the header has %zu", what,
					line, rec->n, hdr->n);
			goto out;
		}
		if (tab.nrows == THESIS_MAX_ROWS) {
			bench_error_set(err, 0, "%s: more than %d rows", what, THESIS_MAX_ROWS);
			goto out;
		}
		label = trim(rec->field[c_name]);
		pct_text = trim(rec->field[c_pct]);
		errno = 0;
		pct = strtod(pct_text, &e);
		if (!*label || !*pct_text || *e || errno || !isfinite(pct) || pct <= -100) {
			bench_error_set(err, 0, "%s: line %zu: `%s` needs a name and a difference_pct "
					"above -100 (got `%s`)", what, line, label, pct_text);
			goto out;
		}
		name = thesis_map_name(label);
		if (name && thesis_find(&tab, name)) {
			bench_error_set(err, 0, "%s: line %zu: `%s` appears twice", what, line, label);
			goto out;
		}
		def = name ? bench_registry_find(name) : NULL;
		tab.rows = xrealloc(tab.rows, (tab.nrows + 1) * sizeof(*tab.rows));
		row = &tab.rows[tab.nrows++];
		row->label = xstrdup(label);
		row->name = name;
		row->category = xstrdup(def ? def->category :
					c_cat >= 0 && *trim(rec->field[c_cat]) ?
					trim(rec->field[c_cat]) : "other");
		row->ratio = 1 + pct / 100;
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
