#!/bin/sh
# faultsim quick start.
#
#   ./quickstart.sh run     install what is missing, build, run the main job
#   ./quickstart.sh check   install what is missing, build, run the tests
#   ./quickstart.sh deps    only install what is missing
#
# Installing needs root (apt-get, Debian 12).  The build goes to build/
# (out of tree); set CONFIGURE_FLAGS to pass more options to configure.
set -eu
cd "$(dirname "$0")"

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

case "${1:-}" in
deps)
	deps
	;;
run)
	deps
	build
	# The default study into results.db (resumes if it is there), then
	# the comparison table.
	./build/faultsim run scenarios/default.ini -j "$(nproc)"
	./build/faultsim report -p mmap.latency:mean -p mmap.latency:p99 \
		-p mmap_sem.writeWaitTime:max -p ps.latency:p99 \
		-p app.throughput -p files.throughput
	;;
check)
	if [ "$(id -u)" = 0 ]; then PACKAGES="$PACKAGES $CHECK_PACKAGES"; fi
	deps
	build
	make -C build -j"$(nproc)" check
	;;
*)
	echo "usage: $0 run|check|deps" >&2
	exit 2
	;;
esac
