/* libxml2 twins of xml_etree_parse, _iterparse and _generate: the same
 * document (serialize/_xmldoc.py), the same repeats per loop, the same
 * checks, with libxml2 in place of ElementTree over expat.  */
#if HAVE_LIBXML2
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/native.h"
#include "embed/py.h"

/* Repeats per loop: the REPEAT of xml_etree_parse, _iterparse, _generate.  */
#define PARSE_REPEAT 9
#define ITERPARSE_REPEAT 7
#define GENERATE_REPEAT 4

struct xml_state {
	struct native_figures fig;	/* first: see native.h */
	json_t *expected;		/* _xmldoc.expected_json() */
	char *doc;			/* _xmldoc.make_document() */
	size_t len;
	char *dir, *path;		/* the document on disk, NULL for generate */
	char *text;			/* generate: room for one entry's text */
	/* from expected */
	json_int_t sections, entries, chain_depth;
	json_int_t element_count, text_length, document_length;
	const char *declaration, *filler, *leaf_text;
};

/* The last libxml2 error, or a generic message.  */
static int xml_error(struct bench_error *err, const char *what)
{
	const xmlError *e = xmlGetLastError();
	const char *msg = e && e->message ? e->message : "libxml2 reported no error";
	int len = (int)strcspn(msg, "\n");

	return bench_error_set(err, 0, "libxml2: %s: %.*s", what, len, msg);
}

static int write_document(struct xml_state *s, struct bench_error *err)
{
	const char *tmp = getenv("TMPDIR");
	cleanup_close int fd = -1;
	size_t done = 0;

	s->dir = xasprintf("%s/sandbench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(s->dir)) {
		bench_error_set(err, errno, "create a folder `%s`", s->dir);
		free(s->dir);
		s->dir = NULL;
		return -1;
	}
	s->path = xasprintf("%s/catalogue.xml", s->dir);
	fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return bench_error_set(err, errno, "create `%s`", s->path);
	while (done < s->len) {
		ssize_t n = write(fd, s->doc + done, s->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bench_error_set(err, errno, "write `%s`", s->path);
		done += (size_t)n;
	}
	return 0;
}

static void xml_teardown(void *state)
{
	struct xml_state *s = state;

	if (!s)
		return;
	if (s->path)
		unlink(s->path);
	if (s->dir)
		rmdir(s->dir);
	free(s->path);
	free(s->dir);
	free(s->doc);
	free(s->text);
	json_decref(s->expected);
	free(s);
}

/* The document and the figures ElementTree finds in it, from _xmldoc;
 * written to a temporary file when on_disk.  */
static int xml_setup(void **state, int on_disk, struct bench_error *err)
{
	struct xml_state *s = xcalloc(1, sizeof(*s));
	cleanup_free char *json = NULL;
	json_error_t jerr;
	int rc = -1;

	LIBXML_TEST_VERSION
	if (py_call_bytes("serialize/_xmldoc", "make_document", &s->doc, &s->len, err) < 0 ||
	    py_call_bytes("serialize/_xmldoc", "expected_json", &json, NULL, err) < 0)
		goto out;
	s->expected = json_loads(json, 0, &jerr);
	if (!s->expected ||
	    json_unpack_ex(s->expected, &jerr, 0, "{s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:s}",
			   "sections", &s->sections, "entries", &s->entries,
			   "chain_depth", &s->chain_depth, "element_count", &s->element_count,
			   "text_length", &s->text_length, "document_length", &s->document_length,
			   "declaration", &s->declaration, "filler", &s->filler,
			   "leaf_text", &s->leaf_text) < 0) {
		bench_error_set(err, 0, "_xmldoc.expected_json(): %s", jerr.text);
		goto out;
	}
	if ((json_int_t)s->len != s->document_length) {
		bench_error_set(err, 0, "the document is %zu bytes, _xmldoc expects %lld", s->len,
				(long long)s->document_length);
		goto out;
	}
	s->text = xmalloc(strlen(s->filler) + 64);
	if (on_disk && write_document(s, err) < 0)
		goto out;
	*state = s;
	s = NULL;
	rc = 0;
out:
	xml_teardown(s);
	return rc;
}

/* ---- xml_parse_libxml2 ---- */

static long count_elements(const xmlNode *node)
{
	long n = 0;

	for (; node; node = node->next)
		if (node->type == XML_ELEMENT_NODE)
			n += 1 + count_elements(node->children);
	return n;
}

static int check_tree(struct xml_state *s, xmlDoc *doc, unsigned fig, const char *source,
		      struct bench_error *err)
{
	long count = count_elements(xmlDocGetRootElement(doc));

	native_figure_set(&s->fig, fig, "element_count", (double)count);
	if (count != s->element_count)
		return bench_error_set(err, 0, "xml_parse_libxml2: %ld elements parsed from %s, "
				       "expected %lld", count, source, (long long)s->element_count);
	return 0;
}

static int parse_setup(void **state, struct bench_error *err)
{
	return xml_setup(state, 1, err);
}

static int parse_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		     struct bench_error *err)
{
	struct xml_state *s = state;
	xmlDoc *from_file = NULL, *from_memory = NULL, *doc;
	int rc = -1;

	for (uint64_t i = 0; i < loops; i++) {
		/* As in Python, the previous tree is freed once the next one is built.  */
		for (int r = 0; r < PARSE_REPEAT; r++) {
			doc = xmlReadFile(s->path, NULL, 0);
			xmlFreeDoc(from_file);
			from_file = doc;
			if (!doc) {
				xml_error(err, s->path);
				goto out;
			}
			doc = xmlReadMemory(s->doc, (int)s->len, "catalogue.xml", NULL, 0);
			xmlFreeDoc(from_memory);
			from_memory = doc;
			if (!doc) {
				xml_error(err, "the document in memory");
				goto out;
			}
		}
		if (check_tree(s, from_file, 0, "the file", err) < 0 ||
		    check_tree(s, from_memory, 1, "memory", err) < 0)
			goto out;
	}
	rc = 0;
out:
	xmlFreeDoc(from_file);
	xmlFreeDoc(from_memory);
	return rc;
}

const struct bench_native_ops serialize_xml_parse_libxml2_ops = {
	.needs_python = 1,
	.setup = parse_setup,
	.run = parse_run,
	.teardown = xml_teardown,
};

/* ---- xml_iterparse_libxml2 ---- */

/* Count start and end events and the characters of each element's .text
 * (the text before its first child, as ElementTree has it), as
 * xml_etree_iterparse's _stream does; frees the reader.  */
static int stream(struct xml_state *s, xmlTextReader *reader, const char *source,
		  struct bench_error *err)
{
	long starts = 0, ends = 0, text = 0;
	int in_text = 0, r;

	if (!reader)
		return xml_error(err, source);
	while ((r = xmlTextReaderRead(reader)) == 1) {
		switch (xmlTextReaderNodeType(reader)) {
		case XML_READER_TYPE_ELEMENT:
			starts++;
			in_text = !xmlTextReaderIsEmptyElement(reader);
			if (!in_text)	/* <x/> has no end node: its end event is now */
				ends++;
			break;
		case XML_READER_TYPE_END_ELEMENT:
			ends++;
			in_text = 0;	/* what follows is the element's tail */
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_WHITESPACE:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			if (in_text)
				text += xmlUTF8Strlen(xmlTextReaderConstValue(reader));
			break;
		default:
			break;
		}
	}
	xmlFreeTextReader(reader);
	if (r < 0)
		return xml_error(err, source);
	native_figure_set(&s->fig, 0, "element_count", (double)starts);
	native_figure_set(&s->fig, 1, "element_count", (double)ends);
	native_figure_set(&s->fig, 2, "text_length", (double)text);
	if (starts != s->element_count || ends != s->element_count || text != s->text_length)
		return bench_error_set(err, 0, "xml_iterparse_libxml2: from %s got (starts, ends, "
				       "text) (%ld, %ld, %ld), expected (%lld, %lld, %lld)",
				       source, starts, ends, text, (long long)s->element_count,
				       (long long)s->element_count, (long long)s->text_length);
	return 0;
}

static int iterparse_setup(void **state, struct bench_error *err)
{
	return xml_setup(state, 1, err);
}

static int iterparse_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
			 struct bench_error *err)
{
	struct xml_state *s = state;

	for (uint64_t i = 0; i < loops; i++) {
		for (int r = 0; r < ITERPARSE_REPEAT; r++) {
			if (stream(s, xmlReaderForFile(s->path, NULL, 0), s->path, err) < 0 ||
			    stream(s, xmlReaderForMemory(s->doc, (int)s->len, "catalogue.xml",
							 NULL, 0),
				   "the document in memory", err) < 0)
				return -1;
		}
	}
	return 0;
}

const struct bench_native_ops serialize_xml_iterparse_libxml2_ops = {
	.needs_python = 1,
	.setup = iterparse_setup,
	.run = iterparse_run,
	.teardown = xml_teardown,
};

/* ---- xml_generate_libxml2 ---- */

/* Build the tree of xml_etree_generate's build_tree() element by element;
 * *elements counts them.  libxml2 fails only on out-of-memory, which the
 * byte-for-byte check of the output then reports.  */
static xmlDoc *build_tree(struct xml_state *s, long *elements)
{
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *root, *section, *entry, *link;
	char num[32];
	long n = 0;

	root = xmlNewDocNode(doc, NULL, BAD_CAST "catalogue", NULL);
	xmlDocSetRootElement(doc, root);
	snprintf(num, sizeof(num), "%lld", (long long)s->sections);
	xmlNewProp(root, BAD_CAST "sections", BAD_CAST num);
	n++;
	for (json_int_t i = 0; i < s->sections; i++) {
		section = xmlNewChild(root, NULL, BAD_CAST "section", NULL);
		snprintf(num, sizeof(num), "s%lld", (long long)i);
		xmlNewProp(section, BAD_CAST "id", BAD_CAST num);
		xmlNewProp(section, BAD_CAST "kind", BAD_CAST "broad");
		n++;
		for (json_int_t e = 0; e < s->entries; e++) {
			/* _xmldoc.entry_text(): ENTRY_PREFIX % (s, e) + FILLER */
			sprintf(s->text, "section %lld entry %lld: %s", (long long)i,
				(long long)e, s->filler);
			entry = xmlNewTextChild(section, NULL, BAD_CAST "entry", BAD_CAST s->text);
			snprintf(num, sizeof(num), "%lld", (long long)e);
			xmlNewProp(entry, BAD_CAST "n", BAD_CAST num);
			n++;
		}
	}
	link = xmlNewChild(root, NULL, BAD_CAST "chain", NULL);
	xmlNewProp(link, BAD_CAST "kind", BAD_CAST "deep");
	n++;
	for (json_int_t depth = 1; depth <= s->chain_depth; depth++) {
		link = xmlNewChild(link, NULL, BAD_CAST "link", NULL);
		snprintf(num, sizeof(num), "%lld", (long long)depth);
		xmlNewProp(link, BAD_CAST "depth", BAD_CAST num);
		n++;
	}
	xmlNewTextChild(link, NULL, BAD_CAST "leaf", BAD_CAST s->leaf_text);
	*elements = n + 1;
	return doc;
}

static int generate_setup(void **state, struct bench_error *err)
{
	return xml_setup(state, 0, err);
}

static int generate_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
			struct bench_error *err)
{
	struct xml_state *s = state;
	xmlBuffer *out = NULL;
	long elements = 0;
	int rc = -1;

	for (uint64_t i = 0; i < loops; i++) {
		for (int r = 0; r < GENERATE_REPEAT; r++) {
			xmlDoc *doc = build_tree(s, &elements);

			/* ElementTree's declaration (single quotes, then a newline),
			 * then the root element, as tostring(xml_declaration=True).  */
			xmlBufferFree(out);
			out = xmlBufferCreateSize(s->len + 1);
			if (!out || xmlBufferCCat(out, s->declaration) != 0 ||
			    xmlNodeDump(out, doc, xmlDocGetRootElement(doc), 0, 0) < 0) {
				xmlFreeDoc(doc);
				xml_error(err, "serialise the tree");
				goto out;
			}
			xmlFreeDoc(doc);
		}
		native_figure_set(&s->fig, 0, "element_count", (double)elements);
		native_figure_set(&s->fig, 1, "document_length", (double)xmlBufferLength(out));
		if (elements != s->element_count) {
			bench_error_set(err, 0, "xml_generate_libxml2: built %ld elements, "
					"expected %lld", elements, (long long)s->element_count);
			goto out;
		}
		if ((size_t)xmlBufferLength(out) != s->len ||
		    memcmp(xmlBufferContent(out), s->doc, s->len) != 0) {
			bench_error_set(err, 0, "xml_generate_libxml2: serialised %d bytes that "
					"differ from the %zu-byte reference document",
					xmlBufferLength(out), s->len);
			goto out;
		}
	}
	rc = 0;
out:
	xmlBufferFree(out);
	return rc;
}

const struct bench_native_ops serialize_xml_generate_libxml2_ops = {
	.needs_python = 1,
	.setup = generate_setup,
	.run = generate_run,
	.teardown = xml_teardown,
};

#endif /* HAVE_LIBXML2 */
