/* Sanitizer defaults, linked into every binary of a `make SANITIZE=1` build.
 *
 * Worker processes are re-executed with a minimal environment
 * (child_env) and containers get one of their own, so the
 * ASAN_OPTIONS, LSAN_OPTIONS and UBSAN_OPTIONS that `make test` exports
 * reach only the processes it starts: the parent of a run or a matrix,
 * compare, report, the unit tests.  Everything else gets these.  */

/* No leak check where the environment did not ask for one: a worker runs
 * CPython from start to exit, and explain --syscalls runs it under strace,
 * where LeakSanitizer cannot work ("does not work under ptrace").  Memory
 * errors still stop the worker, and the run reports it as FAILED.  */
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

/* Undefined behaviour is an error, not a line on stderr that a test never
 * reads.  */
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* What CPython (and the OpenSSL it loads for hashlib) keep until exit is not
 * ours to free: the same as tests/lsan.supp, for a leak check asked for
 * with ASAN_OPTIONS=detect_leaks=1 alone.  */
const char *__lsan_default_suppressions(void)
{
	return "leak:libpython3.11.so\n"
	       "leak:libcrypto.so\n";
}
