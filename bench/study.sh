#!/bin/bash
# Study overhead and parallel speedup of `faultsim run`, as NAME VALUE lines:
#   study.tiny.j1.runs_per_s   200 tiny runs (1 ms simulated each): the cost
#   study.tiny.j2.runs_per_s   of configuration, model and database per run
#   study.long.j1.wall_s       8 runs of about a second each, -j 1 and -j 2,
#   study.long.j2.wall_s       and the speedup (target >= 1.8 on 2 cores)
#   study.long.speedup
# Usage: bench/study.sh [BUILDDIR]   (default: build)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
fs=${1:-$here/build}/faultsim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/tiny.ini" <<'INI'
[General]
machine.cpus = 2
load.cpu.utilization = 0.5
load.disk.utilization = 0.5
disk.latency = exp(100us)
sim-time-limit = 1ms
repeat = 200
INI
cat > "$tmp/long.ini" <<'INI'
[General]
machine.cpus = 4
disk.latency = exp(50us)
disk.depth = 4
load.disk.utilization = 0.8
load.cpu.utilization = 0.7
load.cpu.service = exp(20us)
sim-time-limit = ${t=10s}
repeat = 8
INI

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }

# Calibrate the long runs to about a second of wall time each.
"$fs" run "$tmp/long.ini" -r 0 --quiet --db "$tmp/cal.db"
w=$(sqlite3 "$tmp/cal.db" "SELECT wallTime FROM runStatus")
limit=$(echo "10 / $w" | bc -l | xargs printf '%.3f')
sed -i "s/\${t=10s}/${limit}s/" "$tmp/long.ini"

for j in 1 2; do
	t0=$(now)
	"$fs" run "$tmp/tiny.ini" -j $j --quiet --db "$tmp/tiny$j.db"
	t1=$(now)
	printf 'study.tiny.j%d.runs_per_s %.1f\n' $j "$(echo "200 / ($t1 - $t0)" | bc -l)"
done
for j in 1 2; do
	t0=$(now)
	"$fs" run "$tmp/long.ini" -j $j --quiet --db "$tmp/long$j.db"
	t1=$(now)
	eval "long$j=$(secs "$t0" "$t1")"
	printf 'study.long.j%d.wall_s %.3f\n' $j "$(secs "$t0" "$t1")"
done
printf 'study.long.run_wall_s %.3f\n' "$(sqlite3 "$tmp/long1.db" "SELECT avg(wallTime) FROM runStatus")"
printf 'study.long.speedup %.3f\n' "$(echo "$long1 / $long2" | bc -l)"
