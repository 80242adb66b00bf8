#!/bin/sh
# The coroutine stack switches are annotated for valgrind: the task and
# wait-queue tests must run under memcheck without a single error.
# Skipped (exit 77) when valgrind is not installed or in sanitizer builds.
command -v valgrind >/dev/null 2>&1 || exit 77
b=${top_builddir:-.}
# AddressSanitizer builds cannot run under valgrind.
grep -q '^#define SIM_SANITIZERS 1' "$b/config.h" && exit 77
status=0
for t in test-task test-waitqueue test-engine; do
	out=$("$b/libtool" --mode=execute valgrind -q --error-exitcode=99 \
		--leak-check=no "$b/tests/$t" -k --tap 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || echo "$out" | grep -q '^==[0-9]*== [A-Z]'; then
		echo "$out" | grep -v '^ok'
		echo "FAIL: $t under valgrind (exit $rc)"
		status=1
	else
		echo "ok: $t clean under valgrind"
	fi
done
exit $status
