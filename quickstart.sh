#!/bin/sh
# faultsim quick start.
#
#   ./quickstart.sh run     install what is missing, build, run the main job
#                           (the default study into results.db), then report
#   ./quickstart.sh report  the default study's comparison table and plots
#                           from results.db (no build, no run)
#   ./quickstart.sh check   install what is missing, build, run the tests
#   ./quickstart.sh deps    only install what is missing
#
# Installing needs root (apt-get, Debian 12).  The build goes to build/
# (out of tree); set CONFIGURE_FLAGS to pass more options to configure.
# report reads FAULTSIM (default ./build/faultsim) and RESULTS (default
# results.db, relative to the top of the tree); its plots go next to
# RESULTS.
set -eu
cd "$(dirname "$0")"
FAULTSIM=${FAULTSIM:-./build/faultsim}
RESULTS=${RESULTS:-results.db}

PACKAGES="gcc make autoconf automake libtool pkg-config libglib2.0-dev libgsl-dev libsqlite3-dev sqlite3 gnuplot-nox valgrind"
# For the tests, installed when root: a real single-node Slurm
# (tests/slurm.tap, which needs root) and GNU parallel (tests/parallel.tap);
# without them those tests skip.
CHECK_PACKAGES="slurm-wlm munge parallel"

deps() {
	missing=""
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "quickstart: missing Debian packages:$missing" >&2
		echo "quickstart: run as root, or: sudo apt-get install$missing" >&2
		exit 1
	fi
	echo "quickstart: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

build() {
	[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] ||
		autoreconf -fi
	mkdir -p build
	cd build
	[ -f Makefile ] && [ Makefile -nt ../configure ] ||
		../configure --enable-werror ${CONFIGURE_FLAGS:-}
	make -j"$(nproc)"
	cd ..
}

# The comparison of the default study: per kernel preset, the mean and 95%
# confidence interval of each measurement over its repetitions and, under
# it, its change against linux-4.19 in percent with a Welch interval.
# Then plots next to the database.
report() {
	"$FAULTSIM" report --db "$RESULTS" --compare linux-4.19 --wide \
		-p fault.latency:p50 -p fault.latency:p99 -p fault.faultsPerSec \
		-p app.writerWait:mean -p app.writerWait:p99 \
		-p app.procWait:mean -p app.procWait:p99
	base=${RESULTS%.db}
	echo
	echo "plots (gnuplot), next to $RESULTS:"
	plot "$base-fault-latency.png" "latency of every fault, CDF per preset" \
		-p fault.latency --cdf
	plot "$base-faults-per-sec.png" "faults/s per preset, mean and 95% CI" \
		-p fault.faultsPerSec -x kernel
	plot "$base-writer-wait.png" "mmap writer: wait for mmap_sem (write), CDF per preset" \
		-p app.writerWait --cdf
	plot "$base-proc-wait.png" "/proc reader: wait for mmap_sem (read), CDF per preset" \
		-p app.procWait --cdf
}

# plot FILE TITLE ARGS...: one plot of RESULTS, and a line naming it.
plot() {
	file=$1 title=$2
	shift 2
	"$FAULTSIM" plot --db "$RESULTS" --title "$title" -o "$file" "$@" >/dev/null
	printf '  %s  %s\n' "$file" "$title"
}

case "${1:-}" in
deps)
	deps
	;;
run)
	deps
	build
	# The default study into results.db (resumes if it is there), then
	# the comparison table and the plots.
	"$FAULTSIM" run scenarios/default.ini --db "$RESULTS" -j "$(nproc)"
	report
	;;
report)
	report
	;;
check)
	if [ "$(id -u)" = 0 ]; then PACKAGES="$PACKAGES $CHECK_PACKAGES"; fi
	deps
	build
	make -C build -j"$(nproc)" check
	;;
*)
	echo "usage: $0 run|report|check|deps" >&2
	exit 2
	;;
esac
