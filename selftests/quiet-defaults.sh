#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A run the user chose nothing for is quiet: ringnetd, ringnet-run and the
# demo's command line, as root and as an unprivileged user, under the open
# files limit as it is, a soft limit of 1024 and a hard one of 1024, print
# no "warning:" line (one printed on every run teaches users to ignore
# warnings).  An explicit --max-flows the limit cannot hold still warns.
# Natively over TAP, in namespaces of the test's own (gateway-lib.sh).
# Cost: about 10 s natively.

. "$(dirname "$0")/gateway-lib.sh"

RUN=${RINGNET_RUN:-$RINGNET_BUILD/userspace/ringnet-run}
export RINGNETD
# What scripts/demo-guest gives ringnet-run (there over ringnet.ko).
DEMO_ARGS=(--map-host-loopback 10.0.2.2 --dns-upstream 127.0.0.1:5353)
# The open files limits tried: as they are, soft 1024, soft and hard 1024.
LIMITS=("" "-Sn 1024" "-n 1024")

# no_warning FILE WHAT: fails if FILE has a warning line.
no_warning()
{
	cat "$1"
	if grep -q 'warning:' "$1"; then fail "a warning from $2"; fi
}

# A normal machine has an IPv4 resolver; else "no IPv4 DNS upstream" is
# a true warning, not a noisy default.
need_resolver()
{
	grep -Eq '^[[:space:]]*nameserver[[:space:]]+[0-9.]+[[:space:]]*$' /etc/resolv.conf ||
		skip "no IPv4 nameserver in /etc/resolv.conf"
}

# fd_soft PID: the process's soft limit on open files.
fd_soft() { awk '/^Max open files/ { print $4 }' "/proc/$1/limits"; }

# gw_limit [ULIMIT_ARGS]: ringnetd with no options but those that place
# it (gateway-lib.sh's start_gw), under `ulimit ULIMIT_ARGS`: no warning,
# and the default 4096 flows (which want 4160 files) or, if the hard limit
# holds fewer, as many as it leaves room for, the soft limit raised to fit.
gw_limit()
{
	local hard want=4160 flows
	need_resolver
	topology
	# shellcheck disable=SC2086 # the ulimit options are words
	[ -z "${1:-}" ] || ulimit $1	# each test runs in a subshell of its own
	hard=$(ulimit -Hn)
	[ "$hard" = unlimited ] || [ "$hard" -ge "$want" ] || want=$hard
	flows=$((want - 64))
	start_gw
	[ "$(socat -t 2 - UNIX-CONNECT:"$TMPD/stats" | jq .flows.max)" = "$flows" ] ||
		fail "flow bound not $flows"
	[ "$(fd_soft "$GW_PID")" -ge "$want" ] || fail "soft limit $(fd_soft "$GW_PID"), not >= $want"
	stop_gw
	no_warning "$TMPD/ringnetd.log" "ringnetd${1:+ under ulimit $1}"
}

gw_as_is() { gw_limit; }
gw_soft_1024() { gw_limit "-Sn 1024"; }
# 960 flows: what a hard limit of 1024 leaves room for.
gw_hard_1024() { gw_limit "-n 1024"; }

# What the user asked for and cannot have is still worth a warning.
gw_explicit_max_flows()
{
	topology
	ulimit -n 1024
	start_gw --max-flows 5000
	[ "$(socat -t 2 - UNIX-CONNECT:"$TMPD/stats" | jq .flows.max)" = 5000 ] ||
		fail "the explicit bound was not kept"
	stop_gw
	cat "$TMPD/ringnetd.log"
	grep -q 'warning: open files limited to 1024: fewer than --max-flows 5000' \
		"$TMPD/ringnetd.log" || fail "no warning for --max-flows 5000"
}

# run_quiet [setpriv ARGS --]: ringnet-run -- true and the demo's
# ringnet-run, in a namespace "host", under every limit of LIMITS.
run_quiet()
{
	local -a as=()
	local limit
	[ "${1:-}" != setpriv ] || { as=(setpriv --reuid 65534 --regid 65534 --clear-groups); }
	[ -x "$RUN" ] || skip "$RUN not built"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	need_resolver
	make_tmpd quiet
	ns_add host
	for limit in "${LIMITS[@]}"; do
		# shellcheck disable=SC2086 # the ulimit options are words
		(
			[ -z "$limit" ] || ulimit $limit
			ip netns exec "$(ns host)" "${as[@]}" "$RUN" --backend tap -- true
			ip netns exec "$(ns host)" "${as[@]}" "$RUN" --backend tap "${DEMO_ARGS[@]}" -- true
		) 2>"$TMPD/stderr" || { cat "$TMPD/stderr"; fail "ringnet-run failed${limit:+ under ulimit $limit}"; }
		no_warning "$TMPD/stderr" "ringnet-run${limit:+ under ulimit $limit}"
	done
}

run_root() { run_quiet; }

run_unprivileged()
{
	local v
	v=$(sysctl -n kernel.unprivileged_userns_clone 2>/dev/null || echo 1)
	[ "$v" = 1 ] || skip "kernel.unprivileged_userns_clone = $v"
	[ "$(sysctl -n user.max_user_namespaces)" != 0 ] || skip "user.max_user_namespaces = 0"
	run_quiet setpriv
}

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }

tap_run \
	gw_as_is		"quiet: ringnetd, open files limit as it is" \
	gw_soft_1024		"quiet: ringnetd, soft limit 1024: raised, 4096 flows" \
	gw_hard_1024		"quiet: ringnetd, hard limit 1024: 960 flows, no warning" \
	gw_explicit_max_flows	"quiet: an explicit --max-flows above the limit warns" \
	run_root		"quiet: ringnet-run and the demo's command line, as root" \
	run_unprivileged	"quiet: ringnet-run and the demo's command line, unprivileged"
