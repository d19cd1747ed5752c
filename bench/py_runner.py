"""Run catalogue workloads in a plain python3 process, as sandbench's worker
runs them in its embedded interpreter, and write pyperf JSON that
`sandbench compare` reads (bench/harness.sh compares the two).

    python3 -I bench/py_runner.py --loops-from FILE -o FILE [--append]
                                  [-n VALUES] [-w WARMUPS] BENCH...

Each benchmark runs in a fresh process of this interpreter (sys.executable),
like a worker: import categories.CATEGORY.NAME from the source tree, call
setup(), then WARMUPS untimed and VALUES timed calls of run(state, loops),
each timed with CLOCK_MONOTONIC around the call (or the nanoseconds run()
returns), divided by loops and INNER_LOOPS; then teardown(state).  The loops
come from a sandbench result file, so both sides do the same work per value.
"""
import argparse
import glob
import importlib
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def module_of(name):
    """categories.CATEGORY.NAME for a benchmark name, from the source tree."""
    found = glob.glob(os.path.join(ROOT, "categories", "*", name + ".py"))
    if len(found) != 1:
        sys.exit("py_runner: benchmark `%s`: no categories/*/%s.py" % (name, name))
    category = os.path.basename(os.path.dirname(found[0]))
    return "categories.%s.%s" % (category, name), category


def child(module, loops, values, warmups):
    """One process: the worker's measure() for a given number of loops."""
    sys.path.insert(0, ROOT)
    mod = importlib.import_module(module)
    inner = getattr(mod, "INNER_LOOPS", 1)
    run = mod.run
    clock = time.clock_gettime_ns
    monotonic = time.CLOCK_MONOTONIC

    def one():
        t0 = clock(monotonic)
        result = run(state, loops)
        t1 = clock(monotonic)
        return (result if isinstance(result, int) else t1 - t0) / 1e9 / loops / inner

    state = mod.setup()
    warm = [[loops, one()] for _ in range(warmups)]
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    timed = [one() for _ in range(values)]
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    if hasattr(mod, "teardown"):
        mod.teardown(state)
    md = {
        "ru_utime_s": ru1.ru_utime - ru0.ru_utime,
        "ru_stime_s": ru1.ru_stime - ru0.ru_stime,
        "ru_minflt": ru1.ru_minflt - ru0.ru_minflt,
        "ru_majflt": ru1.ru_majflt - ru0.ru_majflt,
        "ru_nvcsw": ru1.ru_nvcsw - ru0.ru_nvcsw,
        "ru_nivcsw": ru1.ru_nivcsw - ru0.ru_nivcsw,
        "timed_s": sum(timed) * loops * inner,
    }
    json.dump({"metadata": md, "warmups": warm, "values": timed}, sys.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--loops-from", required=True, metavar="FILE",
                    help="a sandbench result file giving each benchmark's loops")
    ap.add_argument("-o", "--output", required=True, metavar="FILE")
    ap.add_argument("--append", action="store_true", help="add runs to FILE")
    ap.add_argument("-n", "--values", type=int, default=3)
    ap.add_argument("-w", "--warmups", type=int, default=1)
    ap.add_argument("--child", nargs=2, metavar=("MODULE", "LOOPS"), help=argparse.SUPPRESS)
    ap.add_argument("bench", nargs="*")
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.values, args.warmups)
        return
    if not args.bench:
        ap.error("name at least one benchmark")

    with open(args.loops_from) as f:
        loops = {b["metadata"]["name"]: b["metadata"]["loops"] for b in json.load(f)["benchmarks"]}
    if args.append and os.path.exists(args.output):
        with open(args.output) as f:
            doc = json.load(f)
    else:
        doc = {"version": "1.0", "metadata": {
            "runtime": "python3", "python_executable": sys.executable,
            "python_version": sys.version.split()[0] + " (64-bit)",
            "python_implementation": sys.implementation.name}, "benchmarks": []}
    by_name = {b["metadata"]["name"]: b for b in doc["benchmarks"]}
    for name in args.bench:
        if name not in loops:
            sys.exit("py_runner: benchmark `%s` is not in %s" % (name, args.loops_from))
        module, category = module_of(name)
        out = subprocess.run([sys.executable, "-I", os.path.abspath(__file__),
                              "--loops-from", args.loops_from, "-o", os.devnull,
                              "-n", str(args.values), "-w", str(args.warmups),
                              "--child", module, str(loops[name])],
                             stdout=subprocess.PIPE, check=True).stdout
        bench = by_name.get(name)
        if bench is None:
            bench = {"metadata": {"name": name, "unit": "second", "loops": loops[name],
                                  "tags": [category, "python"]}, "runs": []}
            by_name[name] = bench
            doc["benchmarks"].append(bench)
        bench["runs"].append(json.loads(out))
    tmp = args.output + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, args.output)


if __name__ == "__main__":
    main()
