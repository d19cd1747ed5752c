/* Errors: functions return 0 or -1 and fill a struct bench_error.  */
#ifndef BENCH_ERROR_H
#define BENCH_ERROR_H

#include <stddef.h>

struct bench_error {
	int errnum;		/* errno of the cause, or 0 */
	char msg[1024];		/* one line, lowercase, names the thing */
	char *detail;		/* optional multi-line text (a traceback), owned */
	int skip;		/* not a failure: cannot run here (module missing) */
};

/* Format the message (appending strerror(errnum) when errnum != 0); returns -1
 * so that a failure is one line: `return bench_error_set(err, errno, "...")`. */
int bench_error_set(struct bench_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Take ownership of a detail text (a traceback), replacing any earlier one. */
void bench_error_set_detail(struct bench_error *err, char *detail);

/* Prefix the message with more context: "run `nbody`: <old message>". */
int bench_error_prefix(struct bench_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Free the detail text and clear the message. */
void bench_error_release(struct bench_error *err);

#endif
