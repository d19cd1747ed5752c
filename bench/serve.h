/* `sandbench __serve`: a long-lived process, inside a container or not,
 * that runs one worker process per request.  The matrix keeps one per
 * runtime and alternates its requests between them, so that the runtimes'
 * processes of a benchmark run minutes apart at most, not a whole suite.
 *
 * Protocol, one JSON object per line: first the reply
 * {"status":"ready","metadata":{...}} (the suite metadata as seen inside);
 * then for each request {"bench":NAME,"loops":L,"values":N,"warmups":W,
 * "min_time":S,"timeout":S} (loops 0: calibrate first) the reply
 * {"status":"ok","run":{...},"loops":L,"inner_loops":K} or
 * {"status":"failed"|"skipped","error":MSG[,"traceback":TEXT]}.
 * End of input ends it.  */
#ifndef BENCH_SERVE_H
#define BENCH_SERVE_H

int serve_main(int argc, char **argv);

#endif
