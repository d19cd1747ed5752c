#!/bin/sh
# System calls per iteration of one benchmark under gVisor itself, to check
# the native counts of `sandbench explain --syscalls` (README: "Counts under
# the runtime itself").  strace cannot run inside gVisor; `runsc --strace`
# logs every call the sandbox's kernel serves.  The worker runs with L and
# 2L loops in the image's bundle; the difference of the calls, over L x
# INNER, is the timed work alone.
#   usage: bench/runsc-counts.sh BENCH L [INNER]   (root; an image built by
#   `sandbench image build`, in $SANDBENCH_IMAGE_DIR or the default folder)
# The worker ends with "cannot write the result to fd 3": nothing listens
# for its result here, and its calls are all made by then.
set -eu

bench=$1 loops=$2 inner=${3:-1}
image=${SANDBENCH_IMAGE_DIR:-/var/tmp/sandbench-image-$(./sandbench --version | awk '{print $2}')}
work=$(mktemp -d "${TMPDIR:-/tmp}/runsc-counts-XXXXXX")
trap 'rm -rf "$work"' EXIT

[ -f "$image/config.json" ] || { echo "runsc-counts: no image in $image (sandbench image build)" >&2; exit 2; }
for n in "$loops" $((2 * loops)); do
	mkdir -p "$work/b$n" "$work/log$n"
	python3 - "$image" "$bench" "$n" "$work/b$n/config.json" <<'PY'
import json, sys
image, bench, n, out = sys.argv[1:]
c = json.load(open(image + "/config.json"))
c["root"] = {"path": image + "/rootfs", "readonly": True}
c["process"]["args"] = ["/usr/bin/sandbench", "__worker", "--bench=" + bench,
                        "--loops=" + n, "--values=1", "--warmups=0"]
json.dump(c, open(out, "w"))
PY
	runsc --root "$work/root" --network=none --strace --debug --debug-log="$work/log$n/" \
		run -bundle "$work/b$n" "runsc-counts-$$-$n" >"$work/out$n" 2>&1 || true
	# "[ tid: tid] comm E name(args)": one line per call entered.
	sed -nE 's/.*\] [^ ]+ E ([a-z_0-9]+)\(.*/\1/p' "$work/log$n"/*boot* | sort | uniq -c |
		awk '{print $2, $1}' >"$work/c$n"
done
join -a 2 -e 0 -o 0,1.2,2.2 "$work/c$loops" "$work/c$((2 * loops))" |
	awk -v l="$loops" -v i="$inner" '{ d = ($3 - $2) / l / i; if (d >= 0.01) printf "%-20s %.4g\n", $1, d }' |
	sort -k2 -g -r
