#!/bin/sh
# `make bench-harness`: how well sandbench uses machine time, on this machine.
# Prints the clock's cost, a worker's start-up, timeit's time to 1%, the
# whole catalogue's wall time, duty cycle and precision under --fast; how the
# embedded interpreter's times relate to /usr/bin/python3's on a dozen
# CPU-bound benchmarks (the same workload code, set-up and timed loop:
# bench/py_runner.py), for this binary and, when given, the same build linked
# the other way; then the default profile, and the matrices: whether the
# default design measures what the processes design measures (runsc against
# runc on system-call-heavy benchmarks; --lead-in 0, --pin sandbox and
# --pin worker beside them), A/A
# tests (native twice) of six CPU-bound benchmarks in the lockstep and
# processes designs, quiet and under ../shared/tools/hog.py, of the whole
# catalogue, and whether two runc-vs-runsc matrices agree.
#   HARNESS_QUICK=1   stop after the comparison with python3, in 3 rounds
#                     instead of 6
#   HARNESS_MATRICES=1  only the matrices
#   HARNESS_VALIDITY=1  only the validity check (the designs on system-call-
#                     heavy benchmarks under runc and runsc)
#   HARNESS_FORKED=1  only forked processes against fresh ones (--fast, each
#                     kind twice, interleaved: wall time, precision, A/A)
#   HARNESS_FORKED_BENCH=NAMES  that comparison on these benchmarks only
#   HARNESS_ABBA_ONLY=1  with HARNESS_FORKED=1: only the ABBA comparison on
#                     15 benchmarks (forked_abba)
#   HARNESS_OTHER=BIN another sandbench binary to compare with python3
#                     (`make bench-harness` gives the other linkage's)
set -eu

sb=./sandbench
out=${HARNESS_DIR:-results/harness-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
py=/usr/bin/python3
say() { printf '%-44s %s\n' "$1" "$2"; }

field() { # field FILE KEY: a metadata value of the suite
	$py -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"][sys.argv[2]])' "$1" "$2"
}

median_startup() { # the median spawn-to-first-value of a file's workers, ms
	$py - "$1" <<'PY'
import json, statistics, sys
runs = [r for b in json.load(open(sys.argv[1]))["benchmarks"] for r in b["runs"]]
print("%.1f" % (1e3 * statistics.median(r["metadata"]["worker_startup_s"] for r in runs
                                      if "worker_startup_s" in r["metadata"])))
PY
}

efficiency() { # the run's closing line: wall time, duty cycle, precision
	grep '^wall time' "$1" | tail -1
}

on_target() { # on_target FILE PCT: benchmarks whose half-width reached PCT
	$py - "$1" "$2" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["benchmarks"]
hw = [x["metadata"].get("ci95_halfwidth_pct") for x in b]
ok = sum(h is not None and h <= float(sys.argv[2]) for h in hw)
print("%d of %d benchmarks reached %s%%" % (ok, len(b), sys.argv[2]))
PY
}

# --fast with fresh worker processes and with forked ones, each kind twice,
# in turn (fresh, forked, fresh, forked) so that a drifting machine favours
# neither: wall time, duty cycle and median half-width of each, then the
# A/A within each kind and forked against fresh (bench/forked_aa.py).
forked_vs_fresh() {
	bench=${HARNESS_FORKED_BENCH:+-b $HARNESS_FORKED_BENCH}
	for i in 1 2; do
		for kind in fresh forked; do
			/usr/bin/time -f '%e' -o "$out/$kind$i.time" $sb run --fast --workers $kind \
				$bench -o "$out/$kind$i.json" > "$out/$kind$i.txt" 2>&1 || true
			say "--fast ${HARNESS_FORKED_BENCH:-catalogue}, $kind #$i" \
				"$(cat "$out/$kind$i.time") s; $(efficiency "$out/$kind$i.txt")"
		done
	done
	$py bench/forked_aa.py "$out/fresh1.json" "$out/fresh2.json" "$out/forked1.json" \
		"$out/forked2.json"
}

# The same question without drift: benchmark by benchmark, -p 8 of each
# kind twice in the order fresh, forked, forked, fresh (ABBA), so that a
# load that rises or falls through the run weighs on both kinds alike.
forked_abba() {
	set -- richards nbody float chaos go hexiom nqueens raytrace spectral_norm deltablue \
		json_dumps unpickle_list regex_v8 pathlib logging_simple
	mkdir -p "$out/abba"
	for b in "$@"; do
		for f in fresh1 forked1 forked2 fresh2; do
			$sb run --fast -p 8 --workers ${f%?} -b $b --append -o "$out/abba/$f.json" \
				>> "$out/abba/$f.txt" 2>&1 || true
		done
	done
	say "ABBA, -p 8, $# benchmarks" "$(echo "$@" | tr ' ' ,)"
	$py bench/forked_aa.py "$out/abba/fresh1.json" "$out/abba/fresh2.json" \
		"$out/abba/forked1.json" "$out/abba/forked2.json"
}

echo "sandbench harness benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), results in $out"
if [ "${HARNESS_FORKED:-0}" = 1 ]; then
	forked_abba
	[ -n "${HARNESS_ABBA_ONLY:-}" ] || forked_vs_fresh
	exit 0
fi
if [ "${HARNESS_MATRICES:-0}" != 1 ] && [ "${HARNESS_VALIDITY:-0}" != 1 ]; then
$sb env > "$out/env.json"
say "clock read cost" "$($py -c 'import json,sys; print("%.1f ns" % json.load(open(sys.argv[1]))["clock_read_cost_ns"])' "$out/env.json")"
say "clock" "$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["timer"])' "$out/env.json")"

$sb run -b syscall_getpid,unpack_sequence -p 10 -n 1 -w 0 --loops 1 -o "$out/startup.json" > /dev/null 2>&1
say "worker start-up, spawn to first value" "$(median_startup "$out/startup.json") ms (median of 20 workers)"

t0=$(date +%s.%N)
$sb timeit -s 'data = list(range(2000))' -o "$out/timeit.json" 'sum(x * x for x in data)' > "$out/timeit.txt" 2>&1
t1=$(date +%s.%N)
say "timeit, ~100 us statement, to a 1% half-width" "$($py -c "print('%.1f s' % ($t1 - $t0))"); $(grep '^timeit' "$out/timeit.txt" | awk '{print $3, $4 ", half-width", $7, "(" $8 " processes x values)"}')"

/usr/bin/time -f '%e' -o "$out/fast.time" $sb run --fast -o "$out/fast.json" > "$out/fast.txt" 2>&1 || true
say "catalogue --fast: wall time" "$(cat "$out/fast.time") s"
say "catalogue --fast" "$(efficiency "$out/fast.txt")"
say "catalogue --fast: time to verdict" "$(on_target "$out/fast.json" 2)"
forked_vs_fresh
forked_abba

# Embedded against /usr/bin/python3: the same loops (calibrated once), then
# rounds in which each benchmark gets one process of each side in turn, the
# order rotated every round so that a drifting machine favours no side.
embedded_vs_python3() {
	set -- richards nbody float chaos fannkuch go hexiom nqueens raytrace spectral_norm \
		deltablue json_dumps
	names=$(echo "$@" | tr ' ' ,)
	rounds=6
	[ "${HARNESS_QUICK:-0}" = 1 ] && rounds=3
	sides="python3 $($sb env | $py -c 'import json,sys; print("embedded-" + json.load(sys.stdin)["python_link"])')"
	[ -n "${HARNESS_OTHER:-}" ] && sides="$sides $($HARNESS_OTHER env | $py -c 'import json,sys; print("embedded-" + json.load(sys.stdin)["python_link"])')"
	rm -f "$out"/vs-*.json
	$sb run -b "$names" -p 1 -n 1 -w 0 -o "$out/loops-vs.json" > /dev/null 2>&1
	r=0
	while [ $r -lt $rounds ]; do
		order=$(echo $sides | tr ' ' '\n' | awk -v r=$r '{ a[NR] = $0 } END { for (i = 0; i < NR; i++) print a[(i + r) % NR + 1] }')
		for bench in "$@"; do
			for side in $order; do
				case $side in
				python3) $py -I bench/py_runner.py --loops-from "$out/loops-vs.json" -n 3 -w 1 \
						--append -o "$out/vs-python3.json" "$bench" ;;
				*) bin=$sb
				   [ "$side" = "$(echo $sides | cut -d' ' -f2)" ] || bin=$HARNESS_OTHER
				   SANDBENCH_RUNTIME=$side $bin run -b "$bench" -p 1 -n 3 -w 1 \
					--loops-from "$out/loops-vs.json" --append -o "$out/vs-$side.json" \
					> /dev/null 2>&1 ;;
				esac
			done
		done
		r=$((r + 1))
	done
	$sb compare --ref python3 -o "$out/vs-report" "$out"/vs-*.json > "$out/vs.txt"
	$py - "$out/vs-report/report.json" <<'PY'
import json, math, sys
r = json.load(open(sys.argv[1]))
sides = [x["name"] for x in r["runtimes"] if not x["reference"]]
fmt = lambda c: "%.3f [%.3f, %.3f]" % (c["ratio"], c["ci95"][0], c["ci95"][1])
print("  %-16s %10s  %s" % ("benchmark", "python3", "  ".join("%-24s" % s for s in sides)))
for b in sorted(r["benchmarks"], key=lambda b: b["name"]):
    print("  %-16s %8.2f ms  %s" % (b["name"], 1e3 * b["runtimes"]["python3"]["mean"],
          "  ".join("%-24s" % fmt(b["runtimes"][s]) for s in sides)))
print("  %-16s %11s  %s" % ("geometric mean", "", "  ".join("%-24s" % fmt(r["all"]["runtimes"][s]) for s in sides)))
for s in sides:
    ratios = [b["runtimes"][s]["ratio"] for b in r["benchmarks"]]
    print("  %s/python3: geometric mean %.3f, range %.3f to %.3f over %d benchmarks" % (
        s, r["all"]["runtimes"][s]["ratio"], min(ratios), max(ratios), len(ratios)))
PY
}
echo "embedded / python3, time ratio with its 95% interval (below 1: sandbench is faster):"
embedded_vs_python3

[ "${HARNESS_QUICK:-0}" = 1 ] && exit 0

/usr/bin/time -f '%e' -o "$out/default.time" $sb run -o "$out/default.json" > "$out/default.txt" 2>&1 || true
say "catalogue, default profile: wall time" "$(cat "$out/default.time") s"
say "catalogue, default profile" "$(efficiency "$out/default.txt")"
say "catalogue, default profile: time to verdict" "$(on_target "$out/default.json" 1)"
fi

# The matrix's precision: A/A tests (the same runtime twice: any slower or
# faster verdict is false), the lockstep design against --design processes.
matrix_summary() { # matrix_summary DIR: median half-width, verdicts, bias
	$py - "$1/report.json" <<'PY'
import json, math, statistics, sys
r = json.load(open(sys.argv[1]))
ref = r["reference"]
cells = [c for b in r["benchmarks"] for n, c in b["runtimes"].items()
         if n != ref and c.get("ci95") and None not in c["ci95"]]
hw = [100 * (c["ci95"][1] - c["ci95"][0]) / 2 for c in cells]
flagged = sum(c["verdict"] in ("slower", "faster") for c in cells)
geo = [x for n, x in r["all"]["runtimes"].items() if n != ref]
print("median half-width %.2f%% over %d, %d slower/faster (%.1f%%), all %.4f" % (
    statistics.median(hw) if hw else float("nan"), len(cells), flagged,
    100.0 * flagged / max(1, len(cells)), geo[0]["ratio"] if geo else float("nan")))
PY
}
timed_matrix() { # timed_matrix LABEL NAME ARGS...: run a matrix, print a line
	label=$1 name=$2
	shift 2
	/usr/bin/time -f '%e' -o "$out/$name.time" $sb matrix "$@" -o "$out/$name" > "$out/$name.txt" 2>&1 || true
	say "$label" "$(matrix_summary "$out/$name"), $(cat "$out/$name.time") s"
}

# Validity: the default design (lockstep, as deployed) against the processes
# design (fresh unpinned processes, no pairing) on system-call-heavy
# benchmarks, runsc against runc: each ratio must lie within the other's
# interval.  The lockstep without its lead-in (--lead-in 0: gVisor timed
# after each pause), the pinned lockstep (--pin sandbox, which may measure
# another system) and --pin worker (the workload's processes alone pinned)
# are shown beside them.
sys4=syscall_getpid,pathlib,logging_simple,python_startup
$sb matrix --runtimes runc,runsc --fast -b $sys4 -o "$out/valid-lockstep" > /dev/null 2>&1 || true
$sb matrix --runtimes runc,runsc --fast -b $sys4 --design processes -o "$out/valid-processes" > /dev/null 2>&1 || true
$sb matrix --runtimes runc,runsc --fast -b $sys4 --lead-in 0 -o "$out/valid-unled" > /dev/null 2>&1 || true
$sb matrix --runtimes runc,runsc --fast -b $sys4 --pin sandbox -o "$out/valid-pinned" > /dev/null 2>&1 || true
$sb matrix --runtimes runc,runsc --fast -b $sys4 --pin worker -o "$out/valid-worker" > /dev/null 2>&1 || true
$py - "$out/valid-lockstep/report.json" "$out/valid-processes/report.json" "$out/valid-pinned/report.json" \
	"$out/valid-worker/report.json" "$out/valid-unled/report.json" <<'PY'
import json, sys
def cells(path):
    try:
        r = json.load(open(path))
    except (OSError, ValueError):
        return {}
    return {b["name"]: b["runtimes"]["runsc"] for b in r["benchmarks"] if "runsc" in b["runtimes"]}
def show(c):
    if not c or not c.get("ci95") or None in c["ci95"]:
        return "%-28s" % "-"
    return "%-28s" % ("%.2fx [%.2f, %.2f]" % (c["ratio"], c["ci95"][0], c["ci95"][1]))
def within(a, b):
    return a["ci95"][0] <= b["ratio"] <= a["ci95"][1] and b["ci95"][0] <= a["ratio"] <= b["ci95"][1]
lock, proc, pin, worker, unled = (cells(p) for p in sys.argv[1:6])
print("%-24s %-28s %-28s %-28s %-28s %-28s %s" % ("validity: runsc/runc", "lockstep (default)",
      "processes", "--lead-in 0", "--pin sandbox", "--pin worker", "default vs processes"))
for name in "syscall_getpid pathlib logging_simple python_startup".split():
    a, b = lock.get(name), proc.get(name)
    ok = a and b and a.get("ci95") and b.get("ci95") and None not in a["ci95"] + b["ci95"]
    verdict = ("agree" if within(a, b) else "DISAGREE (%.2fx apart)" % max(
        a["ratio"] / b["ratio"], b["ratio"] / a["ratio"])) if ok else "no interval"
    print("  %-22s %s %s %s %s %s %s" % (name, show(a), show(b), show(unled.get(name)),
                                         show(pin.get(name)), show(worker.get(name)), verdict))
PY
[ "${HARNESS_VALIDITY:-0}" = 1 ] && exit 0

aa6=nbody,richards,float,json_dumps,regex_v8,sympy_sum
timed_matrix "A/A, 6 CPU-bound, lockstep --fast" aa6-lockstep --runtimes native,native --fast -b $aa6
timed_matrix "A/A, 6 CPU-bound, processes --fast" aa6-processes --design processes --runtimes native,native --fast -b $aa6
hog=${HARNESS_HOG:-../shared/tools/hog.py}
if [ -f "$hog" ]; then
	setsid $py "$hog" 2 3600 > /dev/null 2>&1 &
	hog_pid=$!
	timed_matrix "A/A, 6 CPU-bound, lockstep --fast, hog.py 2" aa6-hog --runtimes native,native --fast -b $aa6
	kill -- -$hog_pid 2> /dev/null || true
else
	say "A/A under load" "skipped: no $hog (HARNESS_HOG=PATH to hog.py)"
fi

# Two runc-vs-runsc lockstep matrices of the CPU-bound categories: do their
# ratios and verdicts agree?
for i in 1 2; do
	$sb matrix --runtimes runc,runsc --fast -c math,scimark,misc,sympy -o "$out/matrix-$i" > /dev/null 2>&1 || true
done
say "two runc-vs-runsc matrices (CPU-bound)" "$($py - "$out/matrix-1/report.json" "$out/matrix-2/report.json" <<'PY'
import json, sys
def ratios(path):
    r = json.load(open(path))
    return {b["name"]: b["runtimes"]["runsc"] for b in r["benchmarks"] if "runsc" in b["runtimes"]}
a, b = ratios(sys.argv[1]), ratios(sys.argv[2])
common = sorted(set(a) & set(b))
moved = [abs(a[n]["ratio"] / b[n]["ratio"] - 1) for n in common]
agree = sum(a[n]["verdict"] == b[n]["verdict"] for n in common)
worst = max(zip(moved, common))
print("max ratio change %.1f%% (%s), %d of %d within 2%%; same verdict on %d of %d (%.0f%%)" % (
    100 * worst[0], worst[1], sum(m <= 0.02 for m in moved), len(common), agree, len(common),
    100.0 * agree / len(common)))
PY
)"

timed_matrix "A/A, whole catalogue, lockstep --fast" aa-catalogue --runtimes native,native --fast
