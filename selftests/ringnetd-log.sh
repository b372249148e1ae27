#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ringnetd as a process: its logging, to stderr with a severity or to
# syslog with --syslog (in a mount namespace of its own, with a tmpfs on
# /dev holding a /dev/log that the test listens on), and its limits.

. "$(dirname "$0")/gateway-lib.sh"

stderr_levels()
{
	[ -x "$RINGNETD" ] || skip "$RINGNETD not built"
	local out rc=0
	out=$("$RINGNETD" --backend tap --netns /nonexistent 2>&1) || rc=$?
	[ $rc = 1 ] || fail "exit status $rc"
	echo "$out" | grep -q '^ringnetd: error: network namespace /nonexistent' ||
		fail "no error line on stderr: $out"
}

to_syslog()
{
	[ -x "$RINGNETD" ] || skip "$RINGNETD not built"
	command -v socat >/dev/null || skip "no socat"
	local d
	d=$(mktemp -d)
	# shellcheck disable=SC2016
	unshare -m bash -c '
		mount --make-rprivate /
		mount -t tmpfs tmpfs /dev
		timeout 10 socat -u UNIX-RECV:/dev/log STDOUT >"$1/syslog" &
		for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
		"$2" --syslog --backend tap --netns /nonexistent 2>"$1/stderr"
		sleep 0.5
		kill %1' _ "$d" "$RINGNETD" || true
	cat "$d/syslog"
	# <27>: facility daemon (3) * 8 + severity err (3).
	grep -q '^<27>.*ringnetd\[[0-9]*\]: network namespace /nonexistent' "$d/syslog" ||
		fail "no error in syslog"
	[ ! -s "$d/stderr" ] || fail "stderr not empty: $(cat "$d/stderr")"
	rm -rf "$d"
}

# --max-flows N needs N sockets: the soft limit on open files is raised.
fd_limit()
{
	topology
	ulimit -Sn 1024		# each test runs in a subshell of its own
	start_gw --max-flows 5000
	grep '^Max open files' "/proc/$GW_PID/limits"
	[ "$(awk '/^Max open files/ { print $4 }' "/proc/$GW_PID/limits")" -ge 5000 ]
}

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }

tap_run \
	stderr_levels	"ringnetd: errors on stderr carry their severity" \
	to_syslog	"ringnetd: --syslog sends them to syslog, daemon facility" \
	fd_limit	"ringnetd: the open files limit is raised for --max-flows"
