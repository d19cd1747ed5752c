/* Helpers shared by the libFuzzer targets of tests/fuzz/.  */
#ifndef SANDBENCH_FUZZ_H
#define SANDBENCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* A folder for the target's files, on tmpfs where there is one (the atomic
 * writes fsync), made once per process and removed at its exit.  */
const char *fuzz_scratch_dir(const char *target);

/* Write data to path, or abort.  */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);

/* Remove everything inside dir (not dir itself).  */
void fuzz_empty_dir(const char *dir);

/* A broken invariant: print it and abort, which libFuzzer reports as a
 * crash with the input that caused it.  */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
