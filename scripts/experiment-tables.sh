#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Regenerate the README's experiment tables from the current model: run
# each experiment's shipped scenario as the README says, and print, per
# experiment, the commands and a markdown table of the means over the
# repetitions (the numbers `faultsim report` prints).
#
#   scripts/experiment-tables.sh [-j N] [-d DIR] [-u README.md] [EXPERIMENT...]
#
# EXPERIMENT is one of page-lock exp1 exp2 exp3 exp4 exp5 writeseek per-vma
# validate (default: all, in the README's order).  FAULTSIM names the
# command (default: ./faultsim if there is one, else faultsim from PATH);
# the scenarios are this script's ../scenarios.  Databases go to DIR
# (default: a temporary directory, removed at the end); with -d they are
# kept, and a database already there is reused (faultsim run resumes it),
# so delete DIR after changing the model.  -u FILE rewrites FILE in place:
# each region between the lines "<!-- experiment-tables: EXPERIMENT -->"
# and "<!-- /experiment-tables -->" gets that experiment's commands and
# tables (only the experiments named, or every region's without names).
set -eu

jobs=2
dir=
readme=
while getopts j:d:u:h opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	d) dir=$OPTARG ;;
	u) readme=$OPTARG ;;
	*) sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

top=$(cd "$(dirname "$0")/.." && pwd)
sc=$top/scenarios
if [ -z "${FAULTSIM:-}" ]; then
	if [ -x ./faultsim ]; then FAULTSIM=./faultsim; else FAULTSIM=faultsim; fi
fi
if [ -z "$dir" ]; then
	dir=$(mktemp -d "${TMPDIR:-/tmp}/experiment-tables.XXXXXX")
	trap 'rm -rf "$dir"' EXIT
else
	mkdir -p "$dir"
fi

if [ -n "$readme" ]; then
	# shellcheck disable=SC2046 # one experiment a word
	[ $# -gt 0 ] || set -- $(sed -n 's/^<!-- experiment-tables: \([a-z0-9-]*\) -->$/\1/p' "$readme")
	for e in "$@"; do
		FAULTSIM=$FAULTSIM EXPERIMENT_TABLES_BODY=1 "$0" -j "$jobs" -d "$dir" "$e" >"$dir/$e.md"
	done
	awk -v dir="$dir" -v names=" $* " '
	/^<!-- experiment-tables: [a-z0-9-]+ -->$/ {
		print
		name = $3
		if (index(names, " " name " ")) {
			while ((getline l < (dir "/" name ".md")) > 0) print l
			close(dir "/" name ".md")
			skip = 1
		}
		next
	}
	/^<!-- \/experiment-tables -->$/ { skip = 0 }
	!skip' "$readme" >"$dir/readme.new"
	cat "$dir/readme.new" >"$readme"
	exit 0
fi
[ $# -gt 0 ] || set -- page-lock exp1 exp2 exp3 exp4 exp5 writeseek per-vma validate

# heading TEXT: the experiment's heading (not inside a README region).
heading() {
	if [ -n "${EXPERIMENT_TABLES_BODY:-}" ]; then echo; else printf '### %s\n\n' "$1"; fi
}

# run DB SCENARIO [ARGS...]: faultsim run, the command echoed as the README
# writes it (scenarios/..., --db=NAME.db).
run() {
	db=$1; scen=$2; shift 2
	echo "    faultsim run scenarios/$scen -j 2 --db=$db.db${*:+ $*}"
	if ! "$FAULTSIM" run "$sc/$scen" -j "$jobs" --quiet --db="$dir/$db.db" "$@" \
		>"$dir/$db.log" 2>&1; then
		cat "$dir/$db.log" >&2
		exit 1
	fi
}

# table [-a] [-w EXPR] [-c LABEL=VALUE] [-n] DB BASE LABEL=METRIC...: one row per
# configuration (its config and iteration variables), one column per METRIC
# (MODULE.NAME), each the mean over the repetitions that recorded it, in
# human units; BASE (VAR=VALUE, or -) adds a column with the first
# metric's change against the row whose variable VAR is VALUE and whose
# other variables are the row's (a factor from 10x up).  -a takes runs of
# every status (a deadlocked run too), -w keeps the runs where EXPR holds
# (export's --where), -c puts a column LABEL of VALUE first, -n leaves the
# header out (to continue the table before it).
table() {
	where=; pre=; head=1; all=
	OPTIND=1
	while getopts aw:c:n o; do
		case $o in
		a) all=--all ;;
		w) where=$OPTARG ;;
		c) pre=$OPTARG ;;
		n) head= ;;
		*) return 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	db=$1; base=$2; shift 2
	pats=
	specs=
	for m in "$@"; do
		pats="$pats -p ${m#*=}"
		specs="$specs${specs:+;}$m"
	done
	# shellcheck disable=SC2086
	"$FAULTSIM" export --db="$dir/$db.db" -f csv $all ${where:+-w "$where"} $pats |
	awk -F, -v base="$base" -v specs="$specs" -v pre="$pre" -v head="$head" '
	function human(v, u,    a) {
		a = v < 0 ? -v : v
		if (u == "ns") {
			if (a >= 1e9) return sprintf("%.3g s", v / 1e9)
			if (a >= 1e6) return sprintf("%.3g ms", v / 1e6)
			if (a >= 1e3) return sprintf("%.3g µs", v / 1e3)
			return sprintf("%.3g ns", v)
		}
		if (u == "B") {
			if (a >= 2^30) return sprintf("%.3g GiB", v / 2^30)
			if (a >= 2^20) return sprintf("%.3g MiB", v / 2^20)
			if (a >= 2^10) return sprintf("%.3g KiB", v / 2^10)
			return sprintf("%d B", v)
		}
		# Rates keep their unit; counts are what the column says.
		u = index(u, "/") ? " " u : ""
		if (a >= 1e6) return sprintf("%.3g M", v / 1e6) u
		if (a >= 1e4) return sprintf("%.3g k", v / 1e3) u
		if (a == int(a)) return sprintf("%d", v) u
		return sprintf("%.4g", v) u
	}
	NR == 1 {
		for (i = 1; i <= NF; i++) if ($i == "runnumber") nv = i - 1
		for (i = 2; i <= nv; i++) var[i] = $i
		n = split(specs, s, ";")
		for (k = 1; k <= n; k++) {
			p = index(s[k], "=")
			label[k] = substr(s[k], 1, p - 1); metric[k] = substr(s[k], p + 1)
		}
		bv = base == "-" ? "" : substr(base, 1, index(base, "=") - 1)
		bval = base == "-" ? "" : substr(base, index(base, "=") + 1)
		next
	}
	{
		key = $1; for (i = 2; i <= nv; i++) key = key SUBSEP $i
		if (!(key in seen)) { seen[key] = 1; order[++rows] = key }
		m = $(NF - 3) "." $(NF - 2)
		sum[key, m] += $(NF - 1); cnt[key, m]++; unit[m] = $NF
	}
	END {
		if (pre != "") { pl = substr(pre, 1, index(pre, "=") - 1); pv = substr(pre, index(pre, "=") + 1) }
		if (head) {
			printf "|%s config", pre != "" ? " " pl " |" : ""
			for (i = 2; i <= nv; i++) printf " | %s", var[i]
			for (k = 1; k <= n; k++) {
				printf " | %s", label[k]
				if (k == 1 && bv != "") printf " | vs %s", bval
			}
			print " |"
			printf "|---%s", pre != "" ? "|---" : ""
			for (i = 2; i <= nv; i++) printf "|---"
			for (k = 1; k <= n; k++) { printf "|---"; if (k == 1 && bv != "") printf "|---" }
			print "|"
		}
		for (r = 1; r <= rows; r++) {
			key = order[r]; split(key, f, SUBSEP)
			printf "|%s %s", pre != "" ? " " pv " |" : "", f[1]
			for (i = 2; i <= nv; i++) printf " | %s", f[i]
			for (k = 1; k <= n; k++) {
				m = metric[k]
				printf " | %s", cnt[key, m] ? human(sum[key, m] / cnt[key, m], unit[m]) : "–"
				if (k == 1 && bv != "") {
					bkey = f[1]
					for (i = 2; i <= nv; i++) bkey = bkey SUBSEP (var[i] == bv ? bval : f[i])
					if (bkey == key) printf " | base"
					else if (cnt[bkey, m] && sum[bkey, m] != 0) {
						q = sum[key, m] / cnt[key, m] / (sum[bkey, m] / cnt[bkey, m])
						if (q >= 10) printf " | %.0fx", q
						else printf " | %+.2f%%", 100 * (q - 1)
					}
					else printf " | –"
				}
			}
			print " |"
		}
	}'
}

for e in "$@"; do
	case $e in
	page-lock)
		heading "page-lock.ini"
		run pl page-lock.ini; echo
		table pl page_lock=steal "hot ops/s=hot.throughput" "wait p99=page_lock.waitTime:p99" \
			"losses max=page_lock.lossesPerAcquire:max" "handoffs=page_lock.handoffs"
		echo
		;;
	exp1)
		heading "exp1-drop-mmap-sem.ini"
		for c in 50ns 500ns 2us; do
			run "exp1-$c" exp1-drop-mmap-sem.ini -s memory.scan_cost=$c
		done
		echo
		h=
		for c in 50ns 500ns 2us; do
			table $h -c "memory.scan_cost=$c" "exp1-$c" io=drop \
				"writer mean=app.writerWait:mean" "writer p99=app.writerWait:p99" \
				"writer max=app.writerWait:max" "reader mean=app.procWait:mean" \
				"reader p99=app.procWait:p99" "reader max=app.procWait:max"
			h=-n
		done
		echo
		;;
	exp2)
		heading "exp2-retry.ini"
		run e2 exp2-retry.ini; echo
		table e2 - "retries mean=fault.retries:mean" "retries max=fault.retries:max" \
			"drops max=fault.drops:max" "writer wait mean=hot.writerWait:mean" \
			"major faults=fault.majfault"
		echo
		;;
	exp3)
		heading "exp3-khugepaged.ini"
		run exp3 exp3-khugepaged.ini; echo
		table exp3 - "collapses=khugepaged.collapses" \
			"failed (swap-in)=khugepaged.collapseFailedSwapin" \
			"swap-in drops=khugepaged.swapinDrops" \
			"read wait mean=mmap_sem.readWaitTime:mean" \
			"read wait p99=mmap_sem.readWaitTime:p99" "write hold max=khugepaged.writeHold:max" \
			"pmd locks=khugepaged.pmdLocks" "pmd-seq waits=khugepaged.pmdSeqWaits" \
			"app p99=app.latency:p99"
		echo
		;;
	exp4)
		heading "exp4-fault-around.ini"
		run e4 exp4-fault-around.ini; echo
		table e4 - "faults=fault.faults" "fallbacks=fault.faultAroundFallback"
		echo
		;;
	exp5)
		heading "exp5-prefault.ini"
		run exp5 exp5-prefault.ini
		run exp5s exp5-prefault.ini -c same-file; echo
		table exp5 prefault=per-page "dd=dd.mbps" "elapsed=dd.elapsed" \
			"lines probed=write.probedLines"
		echo
		table -a exp5s - "written=dd.bytes" "self-deadlocks=write.selfDeadlocks" \
			"short copies=write.shortCopies"
		echo
		;;
	writeseek)
		heading "writeseek.ini"
		run ws writeseek.ini; echo
		table ws prefault=per-page "writes/s=wis.throughput" \
			"write(2) mean=write.latency:mean" "lines probed=write.probedLines"
		echo
		;;
	per-vma)
		heading "exp-per-vma.ini"
		run pv exp-per-vma.ini
		run pvw exp-per-vma.ini -c writer; echo
		# shellcheck disable=SC2016 # export's --where, not the shell's
		table -w '$threads=1|8|32' pv - "faults=fault.faults"; echo
		table pvw - "faults=fault.faults" "writer ops=pft.writerOps" \
			"writer wait mean=pft.writerWait:mean" "VMA-lock faults=fault.vmaLockSuccess"
		echo
		;;
	validate)
		heading "validate-disk.ini, validate-cpus.ini"
		run vd validate-disk.ini
		run vdc validate-disk.ini -c MMc
		run vc validate-cpus.ini; echo
		table vd - "response mean=disk.responseTime:mean" "queue mean=disk.queueLength:mean"
		echo
		table vdc - "response mean=disk.responseTime:mean" "queue mean=disk.queueLength:mean"
		echo
		table vc - "response mean=cpu_load.responseTime:mean" \
			"jobs in system=cpu_load.meanJobsInSystem"
		echo
		;;
	*)
		echo "experiment-tables.sh: unknown experiment '$e' (page-lock exp1 exp2 exp3" \
			"exp4 exp5 writeseek per-vma validate)" >&2
		exit 2
		;;
	esac
done
