#!/bin/sh
# Compare two builds of faultsim on a shared, noisy machine: N rounds of
# `faultsim bench WHAT -r R`, each round running A then B, and for every
# figure whose name matches PATTERN (an awk regular expression) the median
# and spread of each build and the median (min..max) of the per-round
# ratios B / A.  The machine's speed drifts between rounds; a round's two
# runs are next to each other, so the ratio is what to quote.
#
# Usage: bench/ab.sh [-n ROUNDS] [-r R] A B WHAT [PATTERN]
#   A, B     faultsim binaries (e.g. ../base/build/faultsim build/faultsim)
#   WHAT     a bench group: engine, faults, models, disk, pagecache, study
#   PATTERN  default: _per_cpu_s$
# Example: bench/ab.sh -n 7 -r 3 /tmp/old/faultsim build/faultsim faults
set -eu
rounds=7
reps=3
while getopts n:r: opt; do
	case $opt in
	n) rounds=$OPTARG ;;
	r) reps=$OPTARG ;;
	*) echo "usage: $0 [-n ROUNDS] [-r R] A B WHAT [PATTERN]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	echo "usage: $0 [-n ROUNDS] [-r R] A B WHAT [PATTERN]" >&2
	exit 2
fi
a=$1 b=$2 what=$3 pattern=${4:-_per_cpu_s\$}
for f in "$a" "$b"; do
	[ -x "$f" ] || { echo "$0: $f: not an executable" >&2; exit 2; }
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT

i=0
while [ "$i" -lt "$rounds" ]; do
	i=$((i + 1))
	for side in A B; do
		[ $side = A ] && fs=$a || fs=$b
		"$fs" bench "$what" -r "$reps" |
			awk -v i="$i" -v s="$side" -v p="$pattern" \
			    '$1 ~ p && $1 !~ /\.spread$/ { print $1, i, s, $2 }' >> "$out"
	done
done

# name round side value -> per name: medians, spreads, paired ratios.
sort -k1,1 -k2,2n -k3,3 "$out" | awk -v n="$rounds" '
function median(v, k,   t, i, j, x) {
	for (i = 1; i <= k; i++) t[i] = v[i]
	for (i = 2; i <= k; i++) {	# insertion sort: k is small
		x = t[i]
		for (j = i - 1; j >= 1 && t[j] > x; j--) t[j + 1] = t[j]
		t[j + 1] = x
	}
	lo = t[1]; hi = t[k]
	return k % 2 ? t[(k + 1) / 2] : (t[k / 2] + t[k / 2 + 1]) / 2
}
function flush(   ma, sa, mb, sb, mr, rlo, rhi) {
	if (name == "" || !na || na != nb) return
	ma = median(va, na); sa = ma ? (hi - lo) / ma : 0
	mb = median(vb, nb); sb = mb ? (hi - lo) / mb : 0
	mr = median(r, nr); rlo = lo; rhi = hi
	printf "%s: A %.4g (spread %.2f), B %.4g (spread %.2f), B/A %.3f (%.3f..%.3f), %d rounds\n",
	       name, ma, sa, mb, sb, mr, rlo, rhi, nr
}
$1 != name { flush(); name = $1; na = nb = nr = 0; split("", va); split("", vb); split("", r) }
$3 == "A" { va[++na] = $4; a[$2] = $4 }
$3 == "B" { vb[++nb] = $4; if (($2 in a) && a[$2] > 0) r[++nr] = $4 / a[$2] }
END { flush() }'
