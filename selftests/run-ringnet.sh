#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ringnet-run over ringnet.ko, in the VM (as root; one test as nobody):
# ringnet-run makes the sandbox (a ringnet device and ringnetd's channel),
# and traffic crosses the kernel rings both ways.  Servers are on the VM's
# loopback, reached through --map-host-loopback; nothing leaves the VM.
# gateway.sh (GW_BACKEND=ringnet) runs the gateway's own cases over ringnet.ko.

# shellcheck disable=SC2016 # CMD scripts expand inside the sandbox
. "$(dirname "$0")/lib.sh"

RUN=$RINGNET_BUILD/userspace/ringnet-run
TMPD=

servers()
{
	TMPD=$(mktemp -d)
	chmod 755 "$TMPD"
	head -c 20M /dev/urandom >"$TMPD/big"
	"$PY" -m http.server --bind 127.0.0.1 --directory "$TMPD" 8000 \
		>/dev/null 2>&1 & echo $! >"$TMPD/http.pid"
	"$PY" "$PYDIR/udp_echo.py" 127.0.0.1 7007 & echo $! >"$TMPD/udp.pid"
	wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/8000" 2>/dev/null || fail "http.server did not start"
}

stop_servers()
{
	kill "$(cat "$TMPD/http.pid")" "$(cat "$TMPD/udp.pid")" 2>/dev/null
	rm -rf "$TMPD"
}

ping_gateway()
{
	[ -c /dev/net/ringnet ] || fail "no /dev/net/ringnet"
	"$RUN" --backend ringnet -- sh -c '
		ip -d link show rn0 | grep -q ringnet
		ping -c 2 -W 2 10.0.2.2 >/dev/null
		ringnetctl show -j rn0' >"$(mktemp)"
}

tcp_udp_through_rings()
{
	local got out
	servers
	trap stop_servers RETURN
	got=$("$RUN" --backend ringnet --map-host-loopback 10.0.2.2 -- \
		sh -c 'curl -sS --max-time 120 http://10.0.2.2:8000/big | sha256sum')
	[ "${got%% *}" = "$(sha256sum <"$TMPD/big" | cut -d' ' -f1)" ] || fail "download: $got"
	out=$("$RUN" --backend ringnet --map-host-loopback 10.0.2.2 -- "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(b"x" * 30000, ("10.0.2.2", 7007))
print(len(s.recv(65535)))')
	[ "$out" = 30000 ] || fail "UDP echo: $out"
}

counters_after_exit()
{
	# The device dies with the sandbox; nothing is left behind.
	"$RUN" --backend ringnet -- true
	[ -z "$(ringnet_devs)" ]
	! pgrep -x ringnetd >/dev/null || fail "ringnetd left running"
}

# As nobody: ringnet-run makes a user namespace that owns the sandbox's
# network namespace, so ringnetd may create rn0 there and attach to it.
# Debian's kernels allow unprivileged user namespaces unless
# kernel.unprivileged_userns_clone is 0.
unprivileged()
{
	local v out rc=0
	v=$(sysctl -n kernel.unprivileged_userns_clone 2>/dev/null || echo 1)
	[ "$v" = 1 ] || skip "kernel.unprivileged_userns_clone = $v"
	[ "$(sysctl -n user.max_user_namespaces)" != 0 ] || skip "user.max_user_namespaces = 0"
	servers
	trap stop_servers RETURN
	# The test's working directory is root's; nobody's is /.
	out=$(cd / && setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$RUN" --backend ringnet --map-host-loopback 10.0.2.2 -- sh -c '
			echo "uid=$(id -u)"
			read -r inside outside count </proc/self/uid_map
			echo "uid $inside is $outside outside"
			ip -d link show rn0 | grep -qw ringnet && echo kind=ringnet
			ip route show default
			curl -sS --max-time 120 http://10.0.2.2:8000/big | sha256sum
			"$0" "$1" 10.0.2.2 7007 from-nobody' "$PY" "$PYDIR/udp_client.py" 2>&1) || rc=$?
	echo "$out"
	[ $rc = 0 ] || fail "exited $rc"
	# Root in its user namespace, nobody outside.
	grep -qx uid=0 <<<"$out" || fail "not root inside"
	grep -qx "uid 0 is 65534 outside" <<<"$out"
	grep -qx kind=ringnet <<<"$out"
	grep -q 'default via 10.0.2.2 dev rn0' <<<"$out"
	grep -q "^$(sha256sum <"$TMPD/big" | cut -d' ' -f1) " <<<"$out" || fail "download"
	grep -qx from-nobody <<<"$out" || fail "UDP echo"
	! pgrep -x ringnetd >/dev/null || fail "ringnetd left running"
}

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }

tap_run \
	ping_gateway		"ringnet-run over ringnet.ko: device, ping the gateway" \
	tcp_udp_through_rings	"20 MiB over TCP (sha256) and UDP through the rings" \
	counters_after_exit	"nothing left after the sandbox exits" \
	unprivileged		"ringnet-run as nobody, in a user namespace, over ringnet.ko"
