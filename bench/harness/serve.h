/* `sandbench __serve`: a long-lived process, inside a container or not,
 * that runs one worker process per request.  The matrix keeps one per
 * runtime and alternates its requests between them, so that the runtimes'
 * processes of a benchmark run minutes apart at most, not a whole suite.
 *
 * Protocol (bench/harness/protocol.h), one JSON object per line: first the reply
 * {"status":"ready","metadata":{...}} (the suite metadata as seen inside);
 * then one reply per request: a run request starts a worker process and
 * answers with its run; the lockstep requests start, drive and stop one
 * live worker (the lockstep matrix keeps one per runtime, blocked between
 * values), relaying its replies.  End of input ends it.  */
#ifndef BENCH_SERVE_H
#define BENCH_SERVE_H

int serve_main(int argc, char **argv);

#endif
