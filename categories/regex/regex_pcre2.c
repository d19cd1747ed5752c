/* pcre2 twins of regex_dna and regex_effbot: the same text, the same
 * patterns (from regex/_dna.py and regex/_effbot.py), the same counts.
 * Patterns are JIT-compiled where pcre2_jit_compile succeeds; without JIT
 * pcre2_match falls back to the interpreter on its own.  */
#if HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/native.h"
#include "embed/py.h"

/* Up to 1 MiB of JIT stack: the default 32 KiB is for small subjects.  */
#define JIT_STACK_MAX (1 << 20)

struct pattern {
	pcre2_code *code;
	pcre2_match_data *md;
};

/* What every pattern of one benchmark shares.  */
struct regex_ctx {
	pcre2_compile_context *cc;
	pcre2_match_context *mc;
	pcre2_jit_stack *stack;
};

static void regex_ctx_init(struct regex_ctx *c)
{
	c->cc = pcre2_compile_context_create(NULL);
	c->mc = pcre2_match_context_create(NULL);
	c->stack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
	if (!c->cc || !c->mc) {
		fputs("sandbench: out of memory\n", stderr);
		abort();
	}
	/* Python's `.` and `$` know only "\n" as a line break.  */
	pcre2_set_newline(c->cc, PCRE2_NEWLINE_LF);
	if (c->stack)
		pcre2_jit_stack_assign(c->mc, NULL, c->stack);
}

static void regex_ctx_release(struct regex_ctx *c)
{
	pcre2_jit_stack_free(c->stack);
	pcre2_match_context_free(c->mc);
	pcre2_compile_context_free(c->cc);
}

static int pcre2_fail(struct bench_error *err, int code, const char *what, const char *pattern)
{
	PCRE2_UCHAR msg[256];

	pcre2_get_error_message(code, msg, sizeof(msg));
	return bench_error_set(err, 0, "pcre2: %s `%s`: %s", what, pattern, (char *)msg);
}

/* The inputs are ASCII, so bytes are characters and no PCRE2_UTF is needed
 * (it would check the whole subject's encoding on every match).  */
static int pattern_compile(struct regex_ctx *c, const char *pattern, struct pattern *p,
			   struct bench_error *err)
{
	PCRE2_SIZE offset;
	int code;

	p->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &offset,
				c->cc);
	if (!p->code)
		return pcre2_fail(err, code, "compile", pattern);
	pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
	p->md = pcre2_match_data_create_from_pattern(p->code, NULL);
	if (!p->md) {
		fputs("sandbench: out of memory\n", stderr);
		abort();
	}
	return 0;
}

static void pattern_release(struct pattern *p)
{
	pcre2_match_data_free(p->md);
	pcre2_code_free(p->code);
}

/* ---- regex_dna_pcre2 ---- */

#define MAX_VARIANTS 9

/* Figure keys of the variant counts, as in _dna.expected_json().  */
static const char *const count_keys[MAX_VARIANTS] = {
	"expected_counts[0]", "expected_counts[1]", "expected_counts[2]",
	"expected_counts[3]", "expected_counts[4]", "expected_counts[5]",
	"expected_counts[6]", "expected_counts[7]", "expected_counts[8]",
};

struct dna_state {
	struct native_figures fig;	/* first: see native.h */
	struct regex_ctx ctx;
	json_t *expected;		/* _dna.expected_json() */
	char *text;			/* _dna.make_fasta() */
	size_t len;
	struct pattern cleanup;
	struct pattern *variants, *codes;
	const char **alternatives;
	json_int_t *counts;		/* expected, one per variant */
	size_t nvariants, ncodes;
	json_int_t clean_length, final_length;
	char *buf[2];			/* substitution results, in turn */
	size_t cap[2];
};

static void dna_teardown(void *state)
{
	struct dna_state *s = state;

	if (!s)
		return;
	pattern_release(&s->cleanup);
	for (size_t i = 0; s->variants && i < s->nvariants; i++)
		pattern_release(&s->variants[i]);
	for (size_t i = 0; s->codes && i < s->ncodes; i++)
		pattern_release(&s->codes[i]);
	regex_ctx_release(&s->ctx);
	free(s->variants);
	free(s->codes);
	free(s->alternatives);
	free(s->counts);
	free(s->buf[0]);
	free(s->buf[1]);
	free(s->text);
	json_decref(s->expected);
	free(s);
}

static int dna_load(struct dna_state *s, struct bench_error *err)
{
	cleanup_free char *json = NULL;
	json_t *variants, *subs, *counts, *v;
	json_int_t input_length;
	const char *cleanup;
	json_error_t jerr;
	size_t i;

	regex_ctx_init(&s->ctx);
	if (py_call_bytes("regex/_dna", "make_fasta", &s->text, &s->len, err) < 0 ||
	    py_call_bytes("regex/_dna", "expected_json", &json, NULL, err) < 0)
		return -1;
	s->expected = json_loads(json, 0, &jerr);
	if (!s->expected ||
	    json_unpack_ex(s->expected, &jerr, 0, "{s:s, s:o, s:o, s:o, s:I, s:I, s:I}",
			   "cleanup", &cleanup, "variants", &variants, "substitutions", &subs,
			   "expected_counts", &counts, "input_length", &input_length,
			   "clean_length", &s->clean_length, "final_length", &s->final_length) < 0)
		return bench_error_set(err, 0, "_dna.expected_json(): %s", jerr.text);
	if ((json_int_t)s->len != input_length)
		return bench_error_set(err, 0, "the FASTA text is %zu bytes, _dna expects %lld",
				       s->len, (long long)input_length);
	s->nvariants = json_array_size(variants);
	if (s->nvariants == 0 || s->nvariants > MAX_VARIANTS ||
	    s->nvariants != json_array_size(counts))
		return bench_error_set(err, 0, "_dna.expected_json(): %zu variants, %zu counts",
				       s->nvariants, json_array_size(counts));
	if (pattern_compile(&s->ctx, cleanup, &s->cleanup, err) < 0)
		return -1;
	s->variants = xcalloc(s->nvariants, sizeof(*s->variants));
	s->counts = xcalloc(s->nvariants, sizeof(*s->counts));
	json_array_foreach(variants, i, v) {
		s->counts[i] = json_integer_value(json_array_get(counts, i));
		if (pattern_compile(&s->ctx, json_string_value(v) ? json_string_value(v) : "",
				    &s->variants[i], err) < 0)
			return -1;
	}
	s->ncodes = json_array_size(subs);
	s->codes = xcalloc(s->ncodes, sizeof(*s->codes));
	s->alternatives = xcalloc(s->ncodes, sizeof(*s->alternatives));
	json_array_foreach(subs, i, v) {
		const char *code, *alt;

		if (json_unpack_ex(v, &jerr, 0, "[ss]", &code, &alt) < 0)
			return bench_error_set(err, 0, "_dna.expected_json(): %s", jerr.text);
		/* Python's replacement templates expand backslashes, pcre2's `$`:
		 * the literal alternatives have neither.  */
		if (strpbrk(alt, "\\$"))
			return bench_error_set(err, 0, "replacement `%s`: only literal text is "
					       "supported", alt);
		s->alternatives[i] = alt;
		if (pattern_compile(&s->ctx, code, &s->codes[i], err) < 0)
			return -1;
	}
	for (i = 0; i < 2; i++) {
		s->cap[i] = 2 * s->len + 1;
		s->buf[i] = xmalloc(s->cap[i]);
	}
	return 0;
}

static int dna_setup(void **state, struct bench_error *err)
{
	struct dna_state *s = xcalloc(1, sizeof(*s));

	if (dna_load(s, err) < 0) {
		dna_teardown(s);
		return -1;
	}
	*state = s;
	return 0;
}

/* buf[to] = p.sub(repl, in); grows buf[to] when pcre2 asks for more.  */
static int substitute(struct dna_state *s, struct pattern *p, const char *in, size_t len,
		      const char *repl, int to, size_t *out_len, struct bench_error *err)
{
	for (;;) {
		PCRE2_SIZE n = s->cap[to];
		int rc = pcre2_substitute(p->code, (PCRE2_SPTR)in, len, 0,
					  PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH,
					  p->md, s->ctx.mc, (PCRE2_SPTR)repl, PCRE2_ZERO_TERMINATED,
					  (PCRE2_UCHAR *)s->buf[to], &n);
		if (rc >= 0) {
			*out_len = n;
			return 0;
		}
		if (rc != PCRE2_ERROR_NOMEMORY)
			return pcre2_fail(err, rc, "substitute", repl);
		s->cap[to] = n + 1;
		free(s->buf[to]);
		s->buf[to] = xmalloc(s->cap[to]);
	}
}

/* len(p.findall(subject)): non-overlapping matches, leftmost first.  */
static int count_matches(struct regex_ctx *c, struct pattern *p, const char *subject,
			 size_t len, json_int_t *count, struct bench_error *err)
{
	PCRE2_SIZE start = 0, *ov = pcre2_get_ovector_pointer(p->md);
	json_int_t n = 0;

	while (start <= len) {
		int rc = pcre2_match(p->code, (PCRE2_SPTR)subject, len, start, 0, p->md, c->mc);

		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc < 0)
			return pcre2_fail(err, rc, "match", "findall");
		n++;
		/* The variants never match empty; step over an empty match
		 * anyway so the loop ends.  */
		start = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
	}
	*count = n;
	return 0;
}

static int dna_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		   struct bench_error *err)
{
	struct dna_state *s = state;
	json_int_t counts[MAX_VARIANTS];
	size_t clean_length, len;
	int cur;

	for (uint64_t i = 0; i < loops; i++) {
		if (substitute(s, &s->cleanup, s->text, s->len, "", 0, &clean_length, err) < 0)
			return -1;
		for (size_t v = 0; v < s->nvariants; v++)
			if (count_matches(&s->ctx, &s->variants[v], s->buf[0], clean_length,
					  &counts[v], err) < 0)
				return -1;
		len = clean_length;
		cur = 0;
		for (size_t c = 0; c < s->ncodes; c++, cur = !cur)
			if (substitute(s, &s->codes[c], s->buf[cur], len, s->alternatives[c],
				       !cur, &len, err) < 0)
				return -1;

		for (size_t v = 0; v < s->nvariants; v++)
			native_figure_set(&s->fig, (unsigned)v, count_keys[v], (double)counts[v]);
		native_figure_set(&s->fig, 9, "clean_length", (double)clean_length);
		native_figure_set(&s->fig, 10, "final_length", (double)len);
		for (size_t v = 0; v < s->nvariants; v++)
			if (counts[v] != s->counts[v])
				return bench_error_set(err, 0, "regex_dna_pcre2: variant %zu matched "
						       "%lld times, expected %lld", v,
						       (long long)counts[v],
						       (long long)s->counts[v]);
		if ((json_int_t)clean_length != s->clean_length ||
		    (json_int_t)len != s->final_length)
			return bench_error_set(err, 0, "regex_dna_pcre2: lengths %zu/%zu, "
					       "expected %lld/%lld", clean_length, len,
					       (long long)s->clean_length,
					       (long long)s->final_length);
	}
	return 0;
}

const struct bench_native_ops regex_dna_pcre2_ops = {
	.needs_python = 1,
	.setup = dna_setup,
	.run = dna_run,
	.teardown = dna_teardown,
};

/* ---- regex_effbot_pcre2 ---- */

/* One pattern searched in each of its padded texts.  */
struct effbot_case {
	struct pattern p;
	const char *source;
	char **texts;			/* one per padding */
	size_t *lens;
	json_int_t expected;		/* paddings whose text matches */
	json_int_t hits;		/* of the last loop */
};

struct effbot_state {
	struct native_figures fig;	/* first: see native.h */
	struct regex_ctx ctx;
	json_t *spec;			/* _effbot.cases_json() */
	struct effbot_case *cases;
	size_t ncases, npaddings;
	json_int_t searches, expected_hits;
};

static void effbot_teardown(void *state)
{
	struct effbot_state *s = state;

	if (!s)
		return;
	for (size_t i = 0; s->cases && i < s->ncases; i++) {
		struct effbot_case *c = &s->cases[i];
		pattern_release(&c->p);
		for (size_t j = 0; c->texts && j < s->npaddings; j++)
			free(c->texts[j]);
		free(c->texts);
		free(c->lens);
	}
	free(s->cases);
	regex_ctx_release(&s->ctx);
	json_decref(s->spec);
	free(s);
}

/* _effbot.padded(): n pads after the target, and before it if pad_before.  */
static char *padded(const char *target, char pad, size_t n, int pad_before, size_t *len)
{
	size_t tlen = strlen(target), before = pad_before ? n : 0;
	char *text = xmalloc(before + tlen + n + 1);

	memset(text, pad, before);
	memcpy(text + before, target, tlen);
	memset(text + before + tlen, pad, n);
	*len = before + tlen + n;
	text[*len] = '\0';
	return text;
}

static int effbot_load(struct effbot_state *s, struct bench_error *err)
{
	cleanup_free char *json = NULL;
	json_t *paddings, *cases, *v;
	const char *pad;
	json_error_t jerr;
	size_t i;

	regex_ctx_init(&s->ctx);
	if (py_call_bytes("regex/_effbot", "cases_json", &json, NULL, err) < 0)
		return -1;
	s->spec = json_loads(json, 0, &jerr);
	if (!s->spec ||
	    json_unpack_ex(s->spec, &jerr, 0, "{s:s, s:o, s:I, s:o, s:I}", "pad_char", &pad,
			   "paddings", &paddings, "searches", &s->searches, "cases", &cases,
			   "expected_hits", &s->expected_hits) < 0)
		return bench_error_set(err, 0, "_effbot.cases_json(): %s", jerr.text);
	if (strlen(pad) != 1)
		return bench_error_set(err, 0, "_effbot.cases_json(): pad `%s` is not one "
				       "character", pad);
	s->npaddings = json_array_size(paddings);
	s->ncases = json_array_size(cases);
	s->cases = xcalloc(s->ncases, sizeof(*s->cases));
	json_array_foreach(cases, i, v) {
		struct effbot_case *c = &s->cases[i];
		const char *target;
		int pad_before;

		if (json_unpack_ex(v, &jerr, 0, "[ssbI]", &c->source, &target, &pad_before,
				   &c->expected) < 0)
			return bench_error_set(err, 0, "_effbot.cases_json(): %s", jerr.text);
		c->texts = xcalloc(s->npaddings, sizeof(*c->texts));
		c->lens = xcalloc(s->npaddings, sizeof(*c->lens));
		for (size_t j = 0; j < s->npaddings; j++)
			c->texts[j] = padded(target, pad[0],
					     (size_t)json_integer_value(json_array_get(paddings, j)),
					     pad_before, &c->lens[j]);
		if (pattern_compile(&s->ctx, c->source, &c->p, err) < 0)
			return -1;
	}
	return 0;
}

static int effbot_setup(void **state, struct bench_error *err)
{
	struct effbot_state *s = xcalloc(1, sizeof(*s));

	if (effbot_load(s, err) < 0) {
		effbot_teardown(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int effbot_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		      struct bench_error *err)
{
	struct effbot_state *s = state;

	for (uint64_t i = 0; i < loops; i++) {
		json_int_t hits = 0;

		for (size_t k = 0; k < s->ncases; k++) {
			struct effbot_case *c = &s->cases[k];

			c->hits = 0;
			for (size_t j = 0; j < s->npaddings; j++) {
				for (json_int_t n = 0; n < s->searches; n++) {
					int rc = pcre2_match(c->p.code, (PCRE2_SPTR)c->texts[j],
							     c->lens[j], 0, 0, c->p.md, s->ctx.mc);
					if (rc >= 0)
						c->hits++;
					else if (rc != PCRE2_ERROR_NOMATCH)
						return pcre2_fail(err, rc, "search", c->source);
				}
			}
			hits += c->hits;
		}
		native_figure_set(&s->fig, 0, "expected_hits", (double)hits);
		if (hits == s->expected_hits)
			continue;
		for (size_t k = 0; k < s->ncases; k++) {
			struct effbot_case *c = &s->cases[k];
			if (c->hits != c->expected * s->searches)
				return bench_error_set(err, 0, "regex_effbot_pcre2: `%s` matched "
						       "%lld of %lld searches, expected %lld",
						       c->source, (long long)c->hits,
						       (long long)(s->searches * (json_int_t)s->npaddings),
						       (long long)(c->expected * s->searches));
		}
		return bench_error_set(err, 0, "regex_effbot_pcre2: %lld hits, expected %lld",
				       (long long)hits, (long long)s->expected_hits);
	}
	return 0;
}

const struct bench_native_ops regex_effbot_pcre2_ops = {
	.needs_python = 1,
	.setup = effbot_setup,
	.run = effbot_run,
	.teardown = effbot_teardown,
};

#endif /* HAVE_PCRE2 */
