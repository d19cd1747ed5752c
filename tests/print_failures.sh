#!/bin/sh
# Prints the failed tests of a Criterion TAP report, a few lines each, so that
# they are the last lines of a failed `make test` (CI keeps only the tail).
# Usage: tests/print_failures.sh FILE.tap
awk '
/^not ok / { print "FAILED " substr($0, 10); infail = 1; shown = 0; next }
/^(ok|not ok) / { infail = 0 }
infail && /^  - .*: \|\+$/ { where = $2; next }
infail && /^      / && shown < 3 {
	line = $0; sub(/^ +/, "", line)
	print "    " (shown ? "" : where " ") substr(line, 1, 200)
	shown++
}
' "$1"
