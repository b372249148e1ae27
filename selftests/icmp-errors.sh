#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ringnetd: errors its host sockets get reach the sandbox as ICMP errors.
# Natively over TAP, as root, in gateway-lib.sh's namespaces plus a
# router behind "out":
#
#   sbx -- ringnetd in host -- out 198.51.100.2 -- far 192.0.2.2
#
# out forwards and routes (the host routes all of these via out)
#   203.0.113.0/26     unreachable: host unreachable from 198.51.100.2
#   203.0.113.64/26    prohibit: administratively prohibited, likewise
#   203.0.113.128/26   to far, which routes it back: the packet loops
#                      until its TTL runs out, and far says so
# and 192.0.2.128/25 has no route on the host at all.

. "$(dirname "$0")/gateway-lib.sh"

RECVERR=$PYDIR/recverr.py

routers()
{
	topology
	ns_add far
	ip link add rgw-f netns "$(ns out)" type veth peer name rgw-r netns "$(ns far)"
	ip -n "$(ns out)" addr add 192.0.2.1/25 dev rgw-f
	ip -n "$(ns out)" link set rgw-f up
	ip -n "$(ns far)" addr add 192.0.2.2/25 dev rgw-r
	ip -n "$(ns far)" link set rgw-r up
	ip -n "$(ns far)" route add default via 192.0.2.1
	in_ns out sysctl -qw net.ipv4.ip_forward=1
	in_ns far sysctl -qw net.ipv4.ip_forward=1
	ip -n "$(ns out)" route add unreachable 203.0.113.0/26
	ip -n "$(ns out)" route add prohibit 203.0.113.64/26
	ip -n "$(ns out)" route add 203.0.113.128/26 via 192.0.2.2
	ip -n "$(ns host)" route add 203.0.113.0/24 via 198.51.100.2
	ip -n "$(ns host)" route add 192.0.2.0/25 via 198.51.100.2
	# The sandbox's checks use ping sockets too.
	in_ns sbx sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	start_gw --config-net --map-host-loopback 10.0.2.2
}

# expect WANT CMD...: CMD's one line of output is WANT.
expect()
{
	local want=$1 out
	shift
	out=$("$@")
	[ "$out" = "$want" ] || fail "$*: got '$out', want '$want'"
}

# A closed port on the outside host: port unreachable from that host.
udp_port_unreachable()
{
	routers
	expect "ECONNREFUSED type=3 code=3 from=198.51.100.2 quote=ok" \
		in_ns sbx "$PY" "$RECVERR" udp 198.51.100.2 9
	# Host loopback answers as the gateway's address it is mapped to.
	expect "ECONNREFUSED type=3 code=3 from=10.0.2.2 quote=ok" \
		in_ns sbx "$PY" "$RECVERR" udp 10.0.2.2 9
	# A program without IP_RECVERR sees the errno.
	expect ECONNREFUSED in_ns sbx "$PY" "$PYDIR/udp_client.py" 198.51.100.2 9
	[ "$(stat udp_host_errors)" -ge 3 ]
	[ "$(stat icmp_errors_sent)" -ge 3 ]
}

# A router on the way: unreachable and prohibited, from the router.
udp_router_unreachable()
{
	routers
	expect "EHOSTUNREACH type=3 code=1 from=198.51.100.2 quote=ok" \
		in_ns sbx "$PY" "$RECVERR" udp 203.0.113.1 7
	expect "EHOSTUNREACH type=3 code=13 from=198.51.100.2 quote=ok" \
		in_ns sbx "$PY" "$RECVERR" udp 203.0.113.65 7
	[ "$(stat udp_host_errors)" -eq 2 ]
	[ "$(stat host_errors_dropped)" -eq 0 ]
}

# A routing loop: time exceeded, from the router where the TTL ran out.
udp_ttl_exceeded()
{
	routers
	expect "EHOSTUNREACH type=11 code=0 from=192.0.2.2 quote=ok" \
		in_ns sbx "$PY" "$RECVERR" udp 203.0.113.129 7
	[ "$(stat udp_host_errors)" -eq 1 ]
}

# No route on the host: the gateway, the router that has none, says so.
udp_no_host_route()
{
	routers
	expect "ENETUNREACH type=3 code=0 from=10.0.2.2 quote=ok" \
		in_ns sbx "$PY" "$RECVERR" udp 192.0.2.200 7
	[ "$(stat flows_no_route)" -eq 1 ]
	[ "$(stat flows_active)" -eq 0 ]
}

# Ping through the host's ping sockets: the sandbox's ping socket gets the
# error (the quote has its identifier), and ping says what happened.
ping_errors()
{
	routers
	expect "EHOSTUNREACH type=3 code=1 from=198.51.100.2 quote=ok" \
		in_ns sbx "$PY" "$RECVERR" ping 203.0.113.1
	expect "EHOSTUNREACH type=11 code=0 from=192.0.2.2 quote=ok" \
		in_ns sbx "$PY" "$RECVERR" ping 203.0.113.129
	expect "ENETUNREACH type=3 code=0 from=10.0.2.2 quote=ok" \
		in_ns sbx "$PY" "$RECVERR" ping 192.0.2.200
	[ "$(stat icmp_host_errors)" -eq 2 ]
	[ "$(stat flows_no_route)" -eq 1 ]
	# iputils ping over a ping socket, then as root over a raw socket.
	ping_says "From 198.51.100.2 icmp_seq=1 Packet filtered" 203.0.113.65
	in_ns sbx sysctl -qw net.ipv4.ping_group_range="1 0"
	ping_says "From 192.0.2.2 icmp_seq=1 Time to live exceeded" 203.0.113.129
	[ "$(stat icmp_host_errors)" -eq 4 ]
	# Echo still works alongside.
	in_ns sbx ping -c 1 -W 3 198.51.100.2
}

# TCP: a connect the host can't complete is refused in the sandbox the
# same way, at once, by an ICMP error that quotes the sandbox's SYN.
tcp_unreachable()
{
	local conn='
import errno, socket, sys
s = socket.socket()
s.settimeout(20)
try:
    s.connect((sys.argv[1], 80))
    print("CONNECTED")
except OSError as e:
    print(errno.errorcode.get(e.errno, e))'
	routers
	expect EHOSTUNREACH in_ns sbx timeout 30 "$PY" -c "$conn" 203.0.113.1
	expect ENETUNREACH in_ns sbx timeout 30 "$PY" -c "$conn" 192.0.2.200
	[ "$(stat tcp_unreach)" -eq 2 ]
	[ "$(stat flows_active)" -eq 0 ]
	socat -t 2 - UNIX-CONNECT:"$TMPD/stats" | jq -e '.tcp_states.established == 0'
}

# ping_says LINE ADDR: one echo request to ADDR; ping prints LINE.
ping_says()
{
	local out
	out=$(in_ns sbx ping -n -c 1 -W 3 "$2" 2>&1) && fail "ping $2 succeeded: $out"
	echo "$out"
	grep -qx "$1" <<<"$out" || fail "ping $2 did not say '$1'"
}

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }

tap_run \
	udp_port_unreachable	"icmp errors: closed UDP port outside, ECONNREFUSED from that host" \
	udp_router_unreachable	"icmp errors: UDP through a router, unreachable/prohibited from it" \
	udp_ttl_exceeded	"icmp errors: UDP into a routing loop, time exceeded from the router" \
	udp_no_host_route	"icmp errors: UDP with no host route, net unreachable from the gateway" \
	ping_errors		"icmp errors: ping unreachable, time exceeded, no route; ping prints them" \
	tcp_unreachable		"icmp errors: TCP to an unreachable host fails at once in the sandbox"
