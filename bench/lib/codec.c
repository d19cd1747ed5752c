#include "bench/lib/codec.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/util.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *codec_base64_encode(const unsigned char *data, size_t len)
{
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = b64_alphabet[(v >> 6) & 63];
		*o++ = b64_alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < len ? (uint32_t)data[i + 1] << 8 : 0);
		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64_alphabet, c) : NULL;
	return p ? (int)(p - b64_alphabet) : -1;
}

int codec_base64_decode(const char *text, size_t len, unsigned char **out, size_t *out_len,
			struct bench_error *err)
{
	unsigned char *buf, *o;
	size_t pad = 0;

	if (len == 0 || len % 4 != 0)
		return bench_error_set(err, 0, "base64 of %zu characters, not a multiple of 4", len);
	if (text[len - 1] == '=')
		pad = text[len - 2] == '=' ? 2 : 1;
	buf = o = xmalloc(len / 4 * 3);
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++) {
			size_t at = i + (size_t)k;
			v[k] = at >= len - pad ? 0 : b64_value(text[at]);
			if (v[k] < 0) {
				free(buf);
				return bench_error_set(err, 0, "base64: `%c` at offset %zu is not a "
						       "base64 character", text[at], at);
			}
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		*o++ = (unsigned char)(w >> 16);
		*o++ = (unsigned char)(w >> 8);
		*o++ = (unsigned char)w;
	}
	*out = buf;
	*out_len = len / 4 * 3 - pad;
	return 0;
}

int codec_gzip(const char *data, size_t len, unsigned char **out, size_t *out_len,
	       struct bench_error *err)
{
	z_stream zs = { 0 };
	unsigned char *buf;
	uLong bound;
	int rc;

	if (len > LIMIT_RESULT_FILE)
		return bench_error_set(err, 0, "gzip: %zu bytes is over the limit of %u", len,
				       LIMIT_RESULT_FILE);
	if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return bench_error_set(err, ENOMEM, "gzip: start zlib");
	bound = deflateBound(&zs, (uLong)len);
	buf = xmalloc(bound);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	zs.avail_out = (uInt)bound;
	rc = deflate(&zs, Z_FINISH);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		free(buf);
		return bench_error_set(err, 0, "gzip: zlib error %d", rc);
	}
	*out = buf;
	return 0;
}

int codec_gunzip(const unsigned char *data, size_t len, char **out, size_t *out_len,
		 struct bench_error *err)
{
	z_stream zs = { 0 };
	size_t cap = len * 8 + 4096 < LIMIT_RESULT_FILE ? len * 8 + 4096 : LIMIT_RESULT_FILE;
	char *buf;
	int rc;

	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return bench_error_set(err, ENOMEM, "gunzip: start zlib");
	buf = xmalloc(cap + 1);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	for (;;) {
		zs.next_out = (Bytef *)buf + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_OK && zs.avail_out == 0) {
			if (cap >= LIMIT_RESULT_FILE) {
				rc = Z_MEM_ERROR;
				break;
			}
			/* Never past the limit: a bomb costs the limit, not twice it.  */
			cap = cap < LIMIT_RESULT_FILE / 2 ? cap * 2 : LIMIT_RESULT_FILE;
			buf = xrealloc(buf, cap + 1);
			continue;
		}
		if (rc != Z_OK)
			break;
	}
	if (rc != Z_STREAM_END || zs.avail_in != 0) {
		const char *why = rc == Z_STREAM_END ? "bytes after the end of the gzip data" :
				  rc == Z_BUF_ERROR ? "the gzip data ends early" :
				  rc == Z_MEM_ERROR ? "larger than the limit" :
				  zs.msg ? zs.msg : "not gzip data";
		inflateEnd(&zs);
		free(buf);
		return bench_error_set(err, 0, "gunzip: %s", why);
	}
	*out_len = zs.total_out;
	buf[zs.total_out] = '\0';
	inflateEnd(&zs);
	*out = buf;
	return 0;
}
