#!/bin/sh
# System calls per iteration of one benchmark in the image, under a container
# runtime itself, to check the native counts of `sandbench explain --syscalls`
# (README: "Counts under the runtime itself").  The worker runs with L and 2L
# loops in the image's bundle; the difference of the calls, over L x INNER,
# is the timed work alone, its processes' children included.
#   runsc:      strace cannot run inside gVisor; `runsc --strace` logs every
#               call the sandbox's kernel serves.
#   runc, crun: the container is created, the host's strace attaches to its
#               first process (-f: its children too), then it is started.
#   usage: bench/container-counts.sh RUNTIME BENCH L [INNER]   (root; an
#   image built by `sandbench image build`, in $SANDBENCH_IMAGE_DIR or the
#   default folder)
# The worker ends with "cannot write the result to fd 3": nothing listens
# for its result here, and its calls are all made by then.
set -eu

[ $# -ge 3 ] || { echo "usage: bench/container-counts.sh runsc|runc|crun BENCH L [INNER]" >&2; exit 2; }
rt=$1 bench=$2 loops=$3 inner=${4:-1}
case $rt in
runsc|runc|crun) command -v "$rt" >/dev/null || { echo "container-counts: $rt is not installed" >&2; exit 2; } ;;
*) echo "container-counts: runtime '$rt' is not one of runsc, runc, crun" >&2; exit 2 ;;
esac
[ "$rt" = runsc ] || command -v strace >/dev/null || { echo "container-counts: strace is not installed (apt-get install strace)" >&2; exit 2; }
image=${SANDBENCH_IMAGE_DIR:-/var/tmp/sandbench-image-$(./sandbench --version | awk '{print $2}')}
work=$(mktemp -d "${TMPDIR:-/tmp}/container-counts-XXXXXX")
name=container-counts-$$
trap '"$rt" --root "$work/root" delete -f "$name-$loops" >/dev/null 2>&1 || true
      "$rt" --root "$work/root" delete -f "$name-$((2 * loops))" >/dev/null 2>&1 || true
      rm -rf "$work"' EXIT

[ -f "$image/config.json" ] || { echo "container-counts: no image in $image (sandbench image build)" >&2; exit 2; }
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
	if [ "$rt" = runsc ]; then
		runsc --root "$work/root" --network=none --strace --debug --debug-log="$work/log$n/" \
			run -bundle "$work/b$n" "$name-$n" >"$work/out$n" 2>&1 || true
		# "[ tid: tid] comm E name(args)": one line per call entered.
		sed -nE 's/.*\] [^ ]+ E ([a-z_0-9]+)\(.*/\1/p' "$work/log$n"/*boot* | sort | uniq -c |
			awk '{print $2, $1}' >"$work/c$n"
		continue
	fi
	"$rt" --root "$work/root" create --bundle "$work/b$n" "$name-$n" >"$work/out$n" 2>&1
	pid=$("$rt" --root "$work/root" state "$name-$n" | python3 -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
	strace -f -qq -c -U name,calls -o "$work/s$n" -p "$pid" &
	tracer=$!
	# Start only once strace holds the process, or the first calls are lost.
	until [ "$(awk '/^TracerPid/ {print $2}' "/proc/$pid/status")" != 0 ]; do sleep 0.05; done
	"$rt" --root "$work/root" start "$name-$n"
	wait "$tracer" || true
	"$rt" --root "$work/root" delete -f "$name-$n" >/dev/null 2>&1 || true
	# strace -c's table: "syscall calls" rows between dashed lines, then a total.
	awk '$1 !~ /^-/ && $1 != "syscall" && $1 != "total" && NF == 2 {print $1, $2}' "$work/s$n" |
		sort >"$work/c$n"
done
join -a 2 -e 0 -o 0,1.2,2.2 "$work/c$loops" "$work/c$((2 * loops))" |
	awk -v l="$loops" -v i="$inner" '{ d = ($3 - $2) / l / i; if (d >= 0.01) printf "%-20s %.4g\n", $1, d }' |
	sort -k2 -g -r
