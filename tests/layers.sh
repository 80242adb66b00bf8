#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The layers of the source tree, checked from its #include lines and, when
# the objects are built, from the symbols they use.
#
# Folders and what each may include (a lower layer never includes a higher
# one; config.h, the configure header, is allowed everywhere):
#
#	include/faultsim   include/faultsim only: the installed plugin API,
#			   declarations that stand alone, at the bottom;
#			   the layers below implement them
#	sim/core	core
#	sim/config	core, config
#	sim/kernel	core, kernel
#	sim/model	anything under sim/, policies/, include/
#	policies	sim/core, policies (builtin.h)
#	policies/examples  include/faultsim only (built out of tree)
#	analysis	core, analysis
#	cli		anything but tests/
#
# and every folder include/faultsim.
#
# Symbols: an object may use only the functions of the layers it may
# include, with the plugin API's functions being those of the layers that
# implement it: the kernel's (a policy calls down_read(), which
# sim/kernel/rwsem.c defines) and the registry's fs_* (a policy registers
# itself with fs_register_rwsem_policy(), which sim/model/policy.c
# defines).
#
# Cycles: a unit is a source file with its header and its -private.h
# (sim/core/engine.c, engine.h and engine-private.h are the unit
# sim/core/engine); a cycle is a set of units that reach each other.  A
# cycle between units of different folders fails, and so does any cycle
# inside sim/core or sim/config; one inside another folder is listed.
# A policy's call of the registry (fs_register_*) is the plugin API's way
# in, not a dependency of the model on the policy: it is no edge of the
# symbol graph's cycles.
#
# Pending: a cycle inside sim/kernel or sim/model is listed as "pending"
# without failing while LAYERS_PENDING_OK is yes (the default below); set
# it to no to make it fail too.
#
# Run by make check (from the build directory); by hand:
#	top_srcdir=. top_builddir=build sh tests/layers.sh [-v]
# -v lists every include of the graph and every unit edge.

pending_ok=${LAYERS_PENDING_OK:-yes}
top=${top_srcdir:-$(dirname "$0")/..}
build=${top_builddir:-.}
verbose=no
[ "$1" = "-v" ] && verbose=yes

cd "$top" || exit 1
top_abs=$(pwd)
case $build in
/*) ;;
*) build=$(cd "$OLDPWD" && cd "$build" && pwd) ;;
esac

files=$(find sim policies include/faultsim analysis cli -type f \
	\( -name '*.c' -o -name '*.h' -o -name '*.S' \) 2>/dev/null | LC_ALL=C sort)

# The include graph: "F file" for every file, "I from to" for every
# include of a project file, "U from text" for a quoted include that names
# no file.
graph() {
	for f in $files; do
		echo "F $f"
		dir=${f%/*}
		sed -n 's/^[ 	]*#[ 	]*include[ 	]*\([<"]\)\([^>"]*\)[>"].*/\1 \2/p' "$f" |
		while read -r q inc; do
			if [ "$inc" = config.h ]; then
				continue
			elif [ -f "$inc" ]; then
				echo "I $f $inc"
			elif [ -f "include/$inc" ]; then
				echo "I $f include/$inc"
			elif [ "$q" = '"' ] && [ -f "$dir/$inc" ]; then
				echo "I $f $dir/$inc"
			elif [ "$q" = '"' ]; then
				echo "U $f $inc"
			fi
		done
	done
}

# The symbol graph: "S from to" for every object of a source file of the
# tree that uses a function or variable another one defines.
symbols() {
	command -v nm >/dev/null 2>&1 || return 0
	objs=$(cd "$build" && find sim policies analysis cli -name '*.o' 2>/dev/null | LC_ALL=C sort)
	[ -n "$objs" ] || return 0
	for o in $objs; do
		base=${o##*/}
		base=${base%.o}
		base=${base#*_la-}
		base=${base#faultsim-}
		dir=${o%/*}
		dir=${dir%/.libs}
		src=
		for ext in c S; do
			[ -f "$dir/$base.$ext" ] && src=$dir/$base.$ext
		done
		[ -n "$src" ] || continue	# a stale object
		nm -g --defined-only "$build/$o" 2>/dev/null |
			awk -v s="$src" 'NF == 3 && $2 ~ /[TDBRCGSVW]/ { print "D", s, $3 }'
		nm -u "$build/$o" 2>/dev/null | awk -v s="$src" 'NF >= 2 { print "R", s, $2 }'
	done | LC_ALL=C sort -u
}

{ graph; symbols; } | awk -v pending_ok="$pending_ok" -v verbose="$verbose" '
function layer(f) {
	if (f ~ /^sim\/core\//) return "core"
	if (f ~ /^sim\/config\//) return "config"
	if (f ~ /^sim\/kernel\//) return "kernel"
	if (f ~ /^sim\/model\//) return "model"
	if (f ~ /^policies\/examples\//) return "examples"
	if (f ~ /^policies\//) return "policies"
	if (f ~ /^include\/faultsim\//) return "api"
	if (f ~ /^analysis\//) return "analysis"
	if (f ~ /^cli\//) return "cli"
	return "other"
}
function unit(f,   u) {
	u = f
	sub(/\.[chS]$/, "", u)
	sub(/-private$/, "", u)
	return u
}
# How an edge of layer a to layer b stands: "ok", "api" (a call of the
# registry by a policy) or "up".
function verdict(a, b, sym) {
	if (index(allowed[a], " " b " ")) return "ok"
	if (sym != "" && index(allowed_sym[a], " " b " ")) return "ok"
	if (sym ~ /^fs_/ && index(api_sym[a], " " b " ")) return "api"
	return "up"
}
function strongconnect(v,   i, n, w, list, comp, members, size) {
	idx[v] = low[v] = ++counter
	stack[++sp] = v
	onstack[v] = 1
	n = split(adj[v], list, " ")
	for (i = 1; i <= n; i++) {
		w = list[i]
		if (!(w in idx)) {
			strongconnect(w)
			if (low[w] < low[v]) low[v] = low[w]
		} else if (onstack[w] && idx[w] < low[v]) {
			low[v] = idx[w]
		}
	}
	if (low[v] == idx[v]) {
		members = ""; size = 0
		do {
			w = stack[sp--]
			onstack[w] = 0
			members = w (members == "" ? "" : " " members)
			size++
		} while (w != v)
		if (size > 1) cycles[++ncycles] = members
	}
}
# The cycles of the unit graph in adj[], judged; prints them, returns
# the number that fail.
function report_cycles(what,   c, n, i, m, lays, one, nl, fail, bad, kind, note) {
	for (c in idx) delete idx[c]
	for (c in low) delete low[c]
	for (c in onstack) delete onstack[c]
	for (c in cycles) delete cycles[c]
	ncycles = 0; counter = 0; sp = 0
	for (c in nodes) if (!(c in idx)) strongconnect(c)
	bad = 0
	for (c = 1; c <= ncycles; c++) {
		n = split(cycles[c], m, " ")
		lays = ""; nl = 0
		for (i = 1; i <= n; i++) {
			one = layer(m[i])
			if (!index(" " lays " ", " " one " ")) { lays = lays (nl ? " " : "") one; nl++ }
		}
		if (nl > 1) { kind = "across folders"; fail = 1 }
		else if (lays == "core" || lays == "config") { kind = "inside " lays; fail = 1 }
		else if (lays == "kernel" || lays == "model") { kind = "inside " lays; fail = pending_ok == "yes" ? 0 : 1; note = "pending" }
		else { kind = "inside " lays; fail = 0; note = "note:" }
		printf "%s: %s cycle %s: %s\n", what, fail ? "FAIL" : note, kind, cycles[c]
		bad += fail
		ncyc[what]++
	}
	return bad
}
BEGIN {
	allowed["core"] = " core api "
	allowed["config"] = " core config api "
	allowed["kernel"] = " core kernel api "
	allowed["model"] = " core config kernel model api policies "
	allowed["policies"] = " core api policies "
	allowed["examples"] = " api "
	allowed["api"] = " api "
	allowed["analysis"] = " core analysis api "
	allowed["cli"] = " core config kernel model api policies analysis cli "
	allowed["other"] = " "
		# Functions of the plugin API are defined by the kernel, and
	# the registry (fs_*) by the model.
	allowed_sym["policies"] = " kernel "
	allowed_sym["examples"] = " kernel core "
	api_sym["policies"] = api_sym["examples"] = " model "
}
$1 == "F" {
	nfiles[layer($2)]++; total++
	nodes[unit($2)] = 1
	next
}
$1 == "U" { printf "includes: unresolved \"%s\" in %s\n", $3, $2; next }
$1 == "I" {
	v = verdict(layer($2), layer($3), "")
	nincludes++
	if (verbose == "yes") printf "include %s -> %s%s\n", $2, $3, v == "ok" ? "" : " (" v ")"
	if (v == "up") { up++; printf "includes: FAIL upward %s -> %s\n", $2, $3 }
	a = unit($2); b = unit($3)
	if (a != b && !((a, b) in edge)) { edge[a, b] = 1; adj[a] = adj[a] " " b; nedges++ }
	next
}
$1 == "D" { if (!($3 in def)) def[$3] = $2; next }
$1 == "R" { refs[++nrefs] = $2 " " $3; next }
END {
	bad = 0
	printf "files: %d (", total
	sep = ""
	split("core config kernel model policies examples api analysis cli other", order, " ")
	for (i = 1; i <= 10; i++) if (nfiles[order[i]]) { printf "%s%s %d", sep, order[i], nfiles[order[i]]; sep = ", " }
	printf ")\n"
	if (verbose == "yes") for (k in edge) { split(k, p, SUBSEP); print "unit " p[1] " -> " p[2] }
	bad += up
	bad += report_cycles("includes")
	printf "includes: %d includes, %d unit edges, %d upward, %d cycles\n",
		nincludes, nedges, up, ncyc["includes"]

	if (!nrefs) {
		print "symbols: no objects built, not checked"
	} else {
		for (k in edge) delete edge[k]
		for (k in adj) delete adj[k]
		nedges = 0
		for (i = 1; i <= nrefs; i++) {
			split(refs[i], r, " ")
			if (!(r[2] in def)) continue	# a library function
			a = r[1]; b = def[r[2]]
			v = verdict(layer(a), layer(b), r[2])
			if (v == "up") { sup++; printf "symbols: FAIL upward %s uses %s of %s\n", a, r[2], b }
			a = unit(a); b = unit(b)
			if (v != "api" && a != b && !((a, b) in edge)) { edge[a, b] = 1; adj[a] = adj[a] " " b; nedges++ }
		}
		bad += sup
		bad += report_cycles("symbols")
		printf "symbols: %d unit edges, %d upward, %d cycles\n",
			nedges, sup, ncyc["symbols"]
	}
	if (bad) { printf "layers: FAIL (%d)\n", bad; exit 1 }
	print "layers: ok"
}
'
