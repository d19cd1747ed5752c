/* Encodings of bytes in memory: base64 (RFC 4648) and gzip, each bounded
 * by the largest result file (LIMIT_RESULT_FILE).  */
#ifndef BENCH_LIB_CODEC_H
#define BENCH_LIB_CODEC_H

#include <stddef.h>

struct bench_error;

/* Standard base64 with padding; the result is NUL-terminated and owned by
 * the caller.  */
char *codec_base64_encode(const unsigned char *data, size_t len);

/* Decode len characters of strict base64 (a length that is a multiple of
 * 4, padding only at the end); *out is owned by the caller.  */
int codec_base64_decode(const char *text, size_t len, unsigned char **out, size_t *out_len,
			struct bench_error *err);

/* gzip-compress data (level 9); *out is owned by the caller.  */
int codec_gzip(const char *data, size_t len, unsigned char **out, size_t *out_len,
	       struct bench_error *err);

/* Uncompress one gzip stream, nothing after it; *out is NUL-terminated and
 * owned by the caller.  */
int codec_gunzip(const unsigned char *data, size_t len, char **out, size_t *out_len,
		 struct bench_error *err);

#endif
