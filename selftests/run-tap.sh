#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ringnet-run over TAP, natively (no module, no VM), as root.
#
#   host  where ringnet-run (and so ringnetd) runs: a namespace of the
#         test's own, so the gateway's "host" sockets and its loopback are
#         private to the test and nothing leaves this machine
#   out   an outside test host, 198.51.100.2, behind a veth from host
#
# The sandbox namespace itself is ringnet-run's: made and removed by it.

# shellcheck disable=SC2016 # CMD scripts expand inside the sandbox
. "$(dirname "$0")/lib.sh"

RUN=${RINGNET_RUN:-$RINGNET_BUILD/userspace/ringnet-run}
export RINGNETD=${RINGNETD:-$RINGNET_BUILD/userspace/ringnetd}
TMPD=

topology()
{
	[ -x "$RUN" ] || skip "$RUN not built"
	[ -x "$RINGNETD" ] || skip "$RINGNETD not built"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	make_tmpd run-tap
	host_and_out rrn
}

# run [ringnet-run options] -- CMD...: ringnet-run in "host", tap backend.
run() { ip netns exec "$(ns host)" "$RUN" --backend tap "$@"; }

# gone PID NETNS_LINK: neither a process in that namespace nor its ringnetd.
gone()
{
	local pid=$1 nsl=$2 p
	pgrep -f "ringnetd --netns /proc/$pid/ns/net" && fail "ringnetd for $pid still runs"
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/net" 2>/dev/null)" = "$nsl" ] &&
			fail "process ${p#/proc/} still in the sandbox's namespace $nsl"
	done
	return 0
}

exit_status()
{
	local rc
	topology
	run -- true
	rc=0
	run -- sh -c 'exit 7' || rc=$?
	[ $rc = 7 ] || fail "exit 7 came back as $rc"
	rc=0
	run -- sh -c 'kill -USR1 $$' || rc=$?
	[ $rc = $((128 + 10)) ] || fail "SIGUSR1 came back as $rc"
	rc=0
	run -- /no/such/command 2>/dev/null || rc=$?
	[ $rc = 127 ] || fail "a missing command came back as $rc"
}

# A shell as CMD waits for its background jobs: CMD must not inherit
# ringnet-run's blocked SIGCHLD (dash's wait then never returned).
background_jobs()
{
	local out
	topology
	out=$(timeout 60 ip netns exec "$(ns host)" "$RUN" --backend tap -- \
		sh -c 'sleep 0.1 & sleep 0.2 & wait; echo waited')
	[ "$out" = waited ] || fail "got '$out'"
}

sandbox_net()
{
	local out
	topology
	out=$(run -- sh -c '
		ip -4 addr show dev tap0
		ip route show default
		busybox ping -c 2 -W 2 10.0.2.2
		readlink /proc/self/ns/net')
	echo "$out"
	grep -q 'inet 10.0.2.100/24' <<<"$out"
	grep -q 'default via 10.0.2.2 dev tap0' <<<"$out"
	grep -q '2 packets received' <<<"$out"
	[ "$(tail -n 1 <<<"$out")" != "$(in_ns host readlink /proc/self/ns/net)" ] ||
		fail "CMD ran in the host's namespace"
}

udp_echo()
{
	local out
	topology
	start_py echo out "$PYDIR/udp_echo.py" 198.51.100.2 7007
	start_py lo host "$PYDIR/udp_echo.py" 127.0.0.1 7008
	sleep 0.3
	out=$(run -- "$PY" "$PYDIR/udp_client.py" 198.51.100.2 7007 outside)
	[ "$out" = outside ] || fail "outside: got '$out'"
	out=$(run --map-host-loopback 10.0.2.2 -- "$PY" "$PYDIR/udp_client.py" 10.0.2.2 7008 loopback)
	[ "$out" = loopback ] || fail "host loopback: got '$out'"
	# Not mapped, not reachable.
	out=$(run -- "$PY" "$PYDIR/udp_client.py" 10.0.2.2 7008 loopback)
	[ "$out" = ECONNREFUSED ] || fail "unmapped host loopback: got '$out'"
}

cleanup_after()
{
	local pid nsl
	topology
	run -- sh -c 'echo $$ >"$1/pid"; readlink /proc/self/ns/net >"$1/ns"' sh "$TMPD"
	pid=$(cat "$TMPD/pid")
	nsl=$(cat "$TMPD/ns")
	gone "$pid" "$nsl"
}

sigterm()
{
	local rp pid nsl rc
	topology
	ip netns exec "$(ns host)" "$RUN" --backend tap -- \
		sh -c 'readlink /proc/self/ns/net >"$1/ns"; echo $$ >"$1/pid"; exec sleep 100' sh "$TMPD" &
	rp=$!
	wait_for 5 test -s "$TMPD/pid" || fail "CMD did not start"
	pid=$(cat "$TMPD/pid")
	nsl=$(cat "$TMPD/ns")
	pgrep -f "ringnetd --netns /proc/$pid/ns/net" >/dev/null || fail "no ringnetd while CMD runs"
	kill -TERM "$rp"
	rc=0
	wait "$rp" || rc=$?
	[ $rc = 143 ] || fail "ringnet-run exited $rc, not 143"
	kill -0 "$pid" 2>/dev/null && fail "CMD survived"
	gone "$pid" "$nsl"
}

bad_usage()
{
	[ -x "$RUN" ] || skip "$RUN not built"
	local a rc
	for a in "" "true" "--" "--backend foo -- true" "--backend" "--netns x -- true" \
		 "--dev a/b -- true" "--timeout 0 -- true" "--linger x -- true" \
		 "--linger 3601 -- true" "--no-such-option -- true" \
		 "--mtu 5 -- true"; do
		rc=0
		# shellcheck disable=SC2086
		"$RUN" $a 2>"$TMPD_U" || rc=$?
		[ $rc = 2 ] || fail "'$a' exited $rc, not 2"
		grep -q ringnet "$TMPD_U" || fail "'$a': no message"
	done
	"$RUN" --help | grep -q -- --backend
}

unprivileged()
{
	local v out rc
	topology
	v=$(sysctl -n kernel.unprivileged_userns_clone 2>/dev/null || echo 1)
	[ "$v" = 1 ] || skip "kernel.unprivileged_userns_clone = $v"
	[ "$(sysctl -n user.max_user_namespaces)" != 0 ] || skip "user.max_user_namespaces = 0"
	rc=0
	out=$(ip netns exec "$(ns host)" setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$RUN" --backend tap -- sh -c 'id -u; ip route show default' 2>&1) || rc=$?
	echo "$out"
	[ $rc = 0 ] || fail "exited $rc"
	grep -qx 0 <<<"$out"
	grep -q 'default via 10.0.2.2 dev tap0' <<<"$out"
}

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
TMPD_U=$(mktemp)
trap 'rm -f "$TMPD_U"' EXIT

tap_run \
	bad_usage	"ringnet-run: bad command lines exit 2 with a message" \
	exit_status	"ringnet-run: CMD's exit status, 128+signal, 127 if not found" \
	background_jobs	"ringnet-run: a shell as CMD sees its background jobs end" \
	sandbox_net	"ringnet-run: CMD has 10.0.2.100, a default route, pings the gateway" \
	udp_echo	"ringnet-run: UDP echo outside and, mapped, on host loopback" \
	cleanup_after	"ringnet-run: no ringnetd and no sandbox namespace left after" \
	sigterm		"ringnet-run: SIGTERM ends CMD (143) and cleans up" \
	unprivileged	"ringnet-run: as an unprivileged user in a user namespace"
