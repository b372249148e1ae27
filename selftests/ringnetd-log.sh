#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ringnetd's logging: to stderr with a severity, or to syslog with
# --syslog.  The syslog case runs in a mount namespace of its own, with a
# tmpfs on /dev holding a /dev/log that the test itself listens on.

. "$(dirname "$0")/lib.sh"

RINGNETD=${RINGNETD:-$RINGNET_BUILD/userspace/ringnetd}

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

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }

tap_run \
	stderr_levels	"ringnetd: errors on stderr carry their severity" \
	to_syslog	"ringnetd: --syslog sends them to syslog, daemon facility"
