#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Published ports (ringnetd -t / -u): connections and datagrams from the
# host side into the sandbox, which sees the client's own address and
# port.  As root, in the namespaces of gateway-lib.sh; GW_BACKEND=ringnet
# runs it over ringnet.ko (in the VM).

. "$(dirname "$0")/gateway-lib.sh"

SRV=$PYDIR/port_server.py
CLI=$PYDIR/port_client.py

# check_peer OUT ADDR [GUEST_PORT]: OUT of "port_client.py peer|udp" says
# the server saw ADDR and the client's own port (and listens on GUEST_PORT).
check_peer()
{
	local la lp bar pa pp sp
	read -r la lp bar pa pp sp _ <<<"$1"
	[ "$bar" = "|" ] || fail "no answer: '$1'"
	[ "$pa" = "$2" ] || fail "the server saw $pa, not $2 (client $la:$lp): '$1'"
	[ "$pp" = "$lp" ] || fail "the server saw port $pp, the client has $lp: '$1'"
	[ -z "${3:-}" ] || [ "$sp" = "$3" ] || fail "answered by port $sp, not $3: '$1'"
}

# From the host's loopback: bytes intact both ways, and the client shown
# as the --map-host-loopback address with its own port.  Bound to
# 127.0.0.1 by default: out of reach from outside.
tcp_loopback()
{
	local f sha out
	topology
	f=$(test_file ports 8)
	sha=$(cat "$f.sha256")
	start_gw --config-net --map-host-loopback 10.0.2.5 -t 8080
	start_py srv sbx "$SRV" tcp 0.0.0.0 8080
	wait_listen sbx tcp 8080
	out=$(in_ns host timeout "$XFER_TIMEOUT" "$PY" "$CLI" get 127.0.0.1 8080 "$f")
	[ "$out" = "$sha" ] || fail "download: got '$out'"
	out=$(in_ns host timeout "$XFER_TIMEOUT" "$PY" "$CLI" put 127.0.0.1 8080 "$f")
	[ "$out" = "$sha" ] || fail "upload: got '$out'"
	out=$(in_ns host timeout 30 "$PY" "$CLI" peer 127.0.0.1 8080)
	echo "$out"
	check_peer "$out" 10.0.2.5 8080
	out=$(in_ns out timeout 30 "$PY" "$PYDIR/tcp_client.py" connect 198.51.100.1 8080)
	[ "$out" = ECONNREFUSED ] || fail "reached from outside: '$out'"
	[ "$(stat port_accepted)" = 3 ] || fail "$(stat port_accepted) accepted"
	[ "$(stat port_connected)" = 3 ] || fail "$(stat port_connected) connected"
}

# Published on the host's 198.51.100.1, reached from the outside host:
# the server sees 198.51.100.2 and the client's port.
tcp_outside()
{
	local f sha out
	topology
	f=$(test_file ports 8)
	sha=$(cat "$f.sha256")
	start_gw --config-net -t 198.51.100.1:8080:80
	start_py srv sbx "$SRV" tcp 0.0.0.0 80
	wait_listen sbx tcp 80
	out=$(in_ns out timeout 30 "$PY" "$CLI" peer 198.51.100.1 8080)
	echo "$out"
	check_peer "$out" 198.51.100.2 80
	out=$(in_ns out timeout "$XFER_TIMEOUT" "$PY" "$CLI" get 198.51.100.1 8080 "$f")
	[ "$out" = "$sha" ] || fail "download: got '$out'"
	out=$(in_ns out timeout "$XFER_TIMEOUT" "$PY" "$CLI" put 198.51.100.1 8080 "$f")
	[ "$out" = "$sha" ] || fail "upload: got '$out'"
	# Only that address is published.
	out=$(in_ns host timeout 30 "$PY" "$PYDIR/tcp_client.py" connect 127.0.0.1 8080)
	[ "$out" = ECONNREFUSED ] || fail "published on loopback too: '$out'"
}

# UDP: an echo through to a server in the sandbox, which sees the real
# client (outside), or the gateway's address for a loopback client.
udp_publish()
{
	local out big
	topology
	start_gw --config-net -u 198.51.100.1:7007:5007 --publish-udp 7008:5007
	start_py usrv sbx "$SRV" udp 0.0.0.0 5007
	wait_listen sbx udp 5007
	out=$(in_ns out timeout 30 "$PY" "$CLI" udp 198.51.100.1 7007 from-outside)
	echo "$out"
	check_peer "$out" 198.51.100.2 5007
	[ "${out##* }" = from-outside ] || fail "payload: '$out'"
	out=$(in_ns host timeout 30 "$PY" "$CLI" udp 127.0.0.1 7008 from-loopback)
	echo "$out"
	check_peer "$out" 10.0.2.2 5007
	[ "${out##* }" = from-loopback ] || fail "payload: '$out'"
	# A large datagram, whole.
	big=$(head -c 30000 /dev/zero | tr '\0' x)
	out=$(in_ns out timeout 30 "$PY" "$CLI" udp 198.51.100.1 7007 "$big")
	[ "${out##* }" = "$big" ] || fail "30000 bytes: got ${#out}"
	[ "$(stat udp_in_flows)" = 3 ] || fail "$(stat udp_in_flows) inbound flows"
}

# A range maps port by port.
tcp_range()
{
	local i out
	topology
	start_gw --config-net -t 127.0.0.1:9000-9002:7000-7002
	for i in 0 1 2; do
		start_py "srv$i" sbx "$SRV" tcp 0.0.0.0 "700$i"
	done
	for i in 0 1 2; do
		wait_listen sbx tcp "700$i"
	done
	for i in 0 1 2; do
		out=$(in_ns host timeout 30 "$PY" "$CLI" peer 127.0.0.1 "900$i")
		echo "$out"
		check_peer "$out" 10.0.2.2 "700$i"
	done
}

# Nothing listens in the sandbox: its RST resets the client at once.
tcp_refused()
{
	local out
	topology
	start_gw --config-net -t 9100
	out=$(in_ns host timeout 30 "$PY" "$CLI" reset 127.0.0.1 9100)
	socat -t 2 - UNIX-CONNECT:"$TMPD/stats" | jq -c '.counters | with_entries(select(.value != 0))'
	[ "$out" = ECONNRESET ] || fail "client saw '$out'"
	[ "$(stat port_refused)" = 1 ] || fail "port_refused $(stat port_refused)"
	# The sandbox's RST, not our giving up.
	[ "$(stat tcp_rst_from_sb)" = 1 ] || fail "tcp_rst_from_sb $(stat tcp_rst_from_sb)"
	[ "$(stat flows_active)" = 0 ] || fail "$(stat flows_active) flows left"
}

# A sandbox that never answers (no address: no --config-net, no DHCP):
# after the SYN retries (12.6 s), the client is reset too.
tcp_no_answer()
{
	local out
	topology
	start_gw -t 9101
	out=$(in_ns host timeout 60 "$PY" "$CLI" reset 127.0.0.1 9101)
	[ "$out" = ECONNRESET ] || fail "client saw '$out'"
	[ "$(stat port_refused)" = 1 ] || fail "port_refused $(stat port_refused)"
	[ "$(stat tcp_retrans)" = 5 ] || fail "tcp_retrans $(stat tcp_retrans)"
}

bad_usage()
{
	[ -x "$RINGNETD" ] || skip "$RINGNETD not built"
	local a rc err=/tmp/ports-usage.$$
	for a in "-t x" "-t 0" "-t 70000" "-t 9000-9002:7000" "-t 9000:7000-7001" \
		 "-u 1.2.3:80" "--publish-tcp 8080:" "-u 80-70" "-t 1.2.3.4:5:6:7" \
		 "--publish-udp ::1:53" "-t" "-u"; do
		rc=0
		# shellcheck disable=SC2086
		"$RINGNETD" $a 2>"$err" || rc=$?
		[ $rc = 2 ] || fail "'$a' exited $rc, not 2"
		grep -q ringnetd "$err" || fail "'$a': no message"
	done
	rm -f "$err"
	"$RINGNETD" --help | grep -q -- --publish-tcp
}

# A port already taken: ringnetd says so and exits 1.
port_in_use()
{
	local rc=0
	topology
	start_py taken host "$SRV" tcp 127.0.0.1 9102
	wait_listen host tcp 9102
	in_ns host timeout 20 "$RINGNETD" --backend "$GW_BACKEND" --netns "$(ns sbx)" \
		--dev "$SBDEV" -t 9102 2>"$TMPD/err" || rc=$?
	cat "$TMPD/err"
	[ $rc = 1 ] || fail "exited $rc, not 1"
	grep -q "127.0.0.1:9102" "$TMPD/err" || fail "no message about the port"
}

# ringnet-run passes -t on to ringnetd; the sandbox's server sees a
# loopback client as the gateway (no --map-host-loopback).
run_publish()
{
	local out i rc
	topology
	# Not through in_ns: $! must be ringnet-run, for teardown to stop it.
	ip netns exec "$(ns host)" ringnet-run --backend "$GW_BACKEND" -t 9200:8080 -- \
		"$PY" "$SRV" tcp 0.0.0.0 8080 2>"$TMPD/run.err" &
	echo $! >"$TMPD/run.pid"
	for ((i = 0; i < 100; i++)); do
		out=$(in_ns host timeout 30 "$PY" "$CLI" peer 127.0.0.1 9200 2>/dev/null) && break
		sleep 0.2
	done
	echo "$out"
	cat "$TMPD/run.err"
	check_peer "$out" 10.0.2.2 8080
	# The port taken (by the first): ringnetd cannot start, 125.
	rc=0
	in_ns host ringnet-run --backend "$GW_BACKEND" -t 9200:8080 -- true || rc=$?
	[ $rc = 125 ] || fail "a second ringnet-run -t 9200 exited $rc, not 125"
	# A bad port: ringnetd's usage error is ringnet-run's.
	rc=0
	in_ns host ringnet-run --backend "$GW_BACKEND" -t 0 -- true || rc=$?
	[ $rc = 2 ] || fail "ringnet-run -t 0 exited $rc, not 2"
}

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }

tap_run \
	bad_usage	"ringnetd: bad -t and -u arguments exit 2 with a message" \
	port_in_use	"ringnetd: a published port already taken exits 1 with a message" \
	tcp_loopback	"ports: TCP from host loopback, sha256 both ways, mapped address seen" \
	tcp_outside	"ports: TCP on 198.51.100.1 from outside, client's address and port seen" \
	udp_publish	"ports: UDP echo, client's address seen, replies back" \
	tcp_range	"ports: -t 127.0.0.1:9000-9002:7000-7002 maps port by port" \
	tcp_refused	"ports: nothing listening in the sandbox resets the client" \
	tcp_no_answer	"ports: a sandbox that never answers resets the client after retries" \
	run_publish	"ports: ringnet-run -t publishes a port of its command"
