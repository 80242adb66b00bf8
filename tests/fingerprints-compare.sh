#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Compare two versions of tests/fingerprints.txt run by run: the same runs
# in the same order, and the same fingerprint, clock and statistics digest;
# only the number of events dispatched may differ.  This is the check for a
# change that only makes the engine dispatch fewer events for the same
# trajectory (advancing the clock in place).  Prints the events before and
# after per scenario file and in all.
#
#	tests/fingerprints-compare.sh OLD NEW
#	tests/fingerprints-compare.sh <(git show HEAD~1:tests/fingerprints.txt) tests/fingerprints.txt
#
# Exit status 0 if only events differ, 1 otherwise (each other difference
# is printed).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 OLD NEW" >&2; exit 2; }
# Either may be a pipe (<(git show ...)): read each once.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$1" > "$tmp/old"
cat "$2" > "$tmp/new"
[ "$(wc -l < "$tmp/old")" -eq "$(wc -l < "$tmp/new")" ] ||
	{ echo "$0: $1 and $2 pin different numbers of runs" >&2; exit 1; }
paste -d' ' "$tmp/old" "$tmp/new" | awk '
{
	# FILE CONFIG RUN fingerprint events now digest, twice
	run = $1 " " $2 " " $3
	if ($1 != $8 || $2 != $9 || $3 != $10) {
		print "different runs: " run " / " $8 " " $9 " " $10; bad++; next
	}
	if ($4 != $11) { print run ": fingerprint " $4 " -> " $11; bad++ }
	if ($6 != $13) { print run ": clock " $6 " -> " $13; bad++ }
	if ($7 != $14) { print run ": statistics digest " $7 " -> " $14; bad++ }
	if (!($1 in before)) order[n++] = $1
	before[$1] += $5; after[$1] += $12; tb += $5; ta += $12
}
END {
	for (i = 0; i < n; i++)
		printf "%-24s events %10d -> %10d (%.2fx fewer)\n", order[i], before[order[i]],
		       after[order[i]], after[order[i]] ? before[order[i]] / after[order[i]] : 0
	printf "%-24s events %10d -> %10d (%.2fx fewer), %d runs, %d other differences\n",
	       "all", tb, ta, ta ? tb / ta : 0, NR, bad
	exit bad ? 1 : 0
}'
