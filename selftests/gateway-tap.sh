#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ringnetd over a TAP device, natively (no module, no VM): as root, with
# network namespaces the test makes and removes (gateway-lib.sh).

. "$(dirname "$0")/gateway-lib.sh"

ping_gateway()
{
	topology
	start_gw --config-net
	in_ns sbx ip -4 addr show dev tap0 | grep -q 'inet 10.0.2.100/24'
	in_ns sbx ip route show default | grep -q 'via 10.0.2.2 dev tap0'
	[ "$(in_ns sbx cat /sys/class/net/tap0/mtu)" = 65520 ]
	in_ns sbx busybox ping -c 2 -W 2 10.0.2.2
	in_ns sbx busybox ping -c 1 -W 2 10.0.2.3
	[ "$(stat icmp_echo_local)" -ge 3 ]
	[ "$(stat arp_replies)" -ge 1 ]
}

dhcp_lease()
{
	topology
	start_gw
	cat >"$TMPD/udhcpc.sh" <<'EOF2'
#!/bin/sh
# busybox udhcpc calls this with the lease in the environment.
case "$1" in
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$mask" dev "$interface"
	[ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
	for r in $router; do ip route replace default via "$r" dev "$interface"; done
	echo "dns=$dns lease=$lease mtu=$mtu subnet=$subnet" >"$(dirname "$0")/lease"
	;;
esac
exit 0
EOF2
	chmod +x "$TMPD/udhcpc.sh"
	in_ns sbx ip link set tap0 up
	in_ns sbx busybox udhcpc -i tap0 -n -q -f -t 5 -T 1 -s "$TMPD/udhcpc.sh"
	cat "$TMPD/lease"
	grep -q 'dns=10.0.2.3 lease=3600 mtu=65520 subnet=255.255.255.0' "$TMPD/lease"
	in_ns sbx ip -4 addr show dev tap0 | grep -q 'inet 10.0.2.100/24'
	in_ns sbx ip route show default | grep -q 'via 10.0.2.2'
	[ "$(stat dhcp_offers)" -ge 1 ]
	[ "$(stat dhcp_acks)" -ge 1 ]
	in_ns sbx busybox ping -c 1 -W 2 10.0.2.2
}

dns_forward()
{
	local out
	topology
	write_dns_server
	start_py dns host "$TMPD/dns.py" 5353
	start_gw --config-net --dns-upstream 127.0.0.1:5353
	sleep 0.3
	out=$(in_ns sbx busybox nslookup -type=a test.example 10.0.2.3 2>&1 || true)
	echo "$out"
	grep -q '192.0.2.53' <<<"$out"
	out=$(in_ns sbx busybox nslookup -type=a nothere.example 10.0.2.3 2>&1 || true)
	echo "$out"
	grep -qi "NXDOMAIN\|can't find" <<<"$out"
	[ "$(stat dns_queries)" -ge 2 ]
}

udp_outside()
{
	local out
	topology
	start_py echo out "$PYDIR/udp_echo.py" 198.51.100.2 7007
	start_gw --config-net --map-host-loopback 10.0.2.2
	sleep 0.3
	out=$(in_ns sbx "$PY" "$PYDIR/udp_client.py" 198.51.100.2 7007 over-the-veth)
	[ "$out" = over-the-veth ] || fail "got '$out'"
	# A large datagram, one packet at MTU 65520.
	out=$(in_ns sbx "$PY" "$PYDIR/udp_client.py" 198.51.100.2 7007 "$(head -c 60000 /dev/zero | tr '\0' x)")
	[ ${#out} = 60000 ] || fail "got ${#out} bytes"
	# The gateway's address is the host's loopback.
	start_py echo2 host "$PYDIR/udp_echo.py" 127.0.0.1 7008
	sleep 0.3
	out=$(in_ns sbx "$PY" "$PYDIR/udp_client.py" 10.0.2.2 7008 via-loopback)
	[ "$out" = via-loopback ] || fail "got '$out'"
	[ "$(stat udp_from_host)" -ge 3 ]
}

# Host loopback is out of reach unless asked for.
udp_no_loopback_by_default()
{
	local out
	topology
	start_py echo2 host "$PYDIR/udp_echo.py" 127.0.0.1 7008
	start_gw --config-net
	sleep 0.3
	out=$(in_ns sbx "$PY" "$PYDIR/udp_client.py" 10.0.2.2 7008 via-loopback)
	[ "$out" = ECONNREFUSED ] || fail "reached host loopback: got '$out'"
}

udp_refused()
{
	local out
	topology
	start_gw --config-net --map-host-loopback 10.0.2.2
	out=$(in_ns sbx "$PY" "$PYDIR/udp_client.py" 198.51.100.2 9)
	[ "$out" = ECONNREFUSED ] || fail "outside closed port: got '$out'"
	out=$(in_ns sbx "$PY" "$PYDIR/udp_client.py" 10.0.2.2 9)
	[ "$out" = ECONNREFUSED ] || fail "loopback closed port: got '$out'"
	[ "$(stat icmp_errors_sent)" -ge 2 ]
}

ping_outside()
{
	topology
	start_gw --config-net
	in_ns sbx busybox ping -c 2 -W 2 198.51.100.2
	[ "$(stat icmp_echo_relayed)" -ge 2 ]
	[ "$(stat icmp_echo_replies)" -ge 2 ]
}

malformed()
{
	topology
	start_gw --config-net
	in_ns sbx busybox ping -c 1 -W 2 10.0.2.2	# learn the gateway's MAC
	cat >"$TMPD/garbage.py" <<'PYEOF'
import os, random, socket, struct, subprocess
random.seed(4)
gwmac = bytes.fromhex(subprocess.run(["ip", "neigh", "show", "10.0.2.2"],
        capture_output=True, text=True).stdout.split("lladdr ")[1].split()[0].replace(":", ""))
me = bytes.fromhex(open("/sys/class/net/tap0/address").read().strip().replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("tap0", 0))
def csum(b):
    if len(b) % 2: b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
def ip4(src, dst, proto, payload, frag=0x4000, fix=True, tot=None, ihl=5):
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot if tot is not None else 20 + len(payload),
                    0, frag, 64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    if fix: h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return gwmac + me + b"\x08\x00" + h + payload
sent = 0
def send(f):
    global sent
    s.send(f); sent += 1
icmp = b"\x08\x00\xf7\xff" + b"\0" * 4
for i in range(300):                   # random bytes to the gateway's MAC
    send(gwmac + me + os.urandom(random.randrange(2, 200)))
for i in range(100):                   # random EtherType-IPv4 payloads
    send(gwmac + me + b"\x08\x00" + os.urandom(random.randrange(0, 100)))
for i in range(50):
    bad = bytearray(ip4("10.0.2.100", "10.0.2.2", 1, icmp)); bad[24] ^= 0xff
    send(bytes(bad))                                                 # bad header checksum
    send(ip4("10.0.2.100", "10.0.2.2", 1, icmp, frag=0x2000))        # MF
    send(ip4("10.0.2.100", "10.0.2.2", 1, icmp, frag=0x0001))        # offset
    send(ip4("10.0.2.100", "10.0.2.2", 1, icmp, tot=2000))           # length past frame
    send(ip4("10.0.2.100", "10.0.2.2", 17, b"\0\1\0\2\0\xff\0\0"))   # UDP length past packet
    send(gwmac + me + b"\x08\x06" + os.urandom(10))                  # short ARP
print(sent)
PYEOF
	local before after
	before=$(stat rx_frames)
	in_ns sbx "$PY" "$TMPD/garbage.py"
	sleep 0.5
	kill -0 "$GW_PID" || fail "ringnetd died"
	after=$(stat rx_frames)
	[ $((after - before)) -ge 700 ] || fail "only $((after - before)) frames seen"
	[ "$(stat ip4_bad_csum)" -ge 50 ]
	[ "$(stat ip4_fragment)" -ge 100 ]
	[ "$(stat ip4_bad_length)" -ge 50 ]
	[ "$(stat udp_bad)" -ge 50 ]
	[ "$(stat arp_bad)" -ge 50 ]
	socat -t 2 - UNIX-CONNECT:"$TMPD/stats" |
		jq -c '.counters | with_entries(select(.value != 0))'
	in_ns sbx busybox ping -c 1 -W 2 10.0.2.2
}

restart()
{
	local out
	topology
	start_py echo out "$PYDIR/udp_echo.py" 198.51.100.2 7007
	start_gw --config-net
	out=$(in_ns sbx "$PY" "$PYDIR/udp_client.py" 198.51.100.2 7007 first)
	[ "$out" = first ]
	# SIGTERM: a clean exit, status 0, the stats socket removed.
	kill -TERM "$GW_PID"
	wait "$GW_PID"
	GW_PID=
	[ ! -e "$TMPD/stats" ]
	start_gw --config-net
	out=$(in_ns sbx "$PY" "$PYDIR/udp_client.py" 198.51.100.2 7007 second)
	[ "$out" = second ]
	# SIGKILL: no cleanup at all, and still a new one takes over.
	kill -KILL "$GW_PID"
	wait "$GW_PID" || true
	GW_PID=
	start_gw --config-net
	out=$(in_ns sbx "$PY" "$PYDIR/udp_client.py" 198.51.100.2 7007 third)
	[ "$out" = third ]
	in_ns sbx busybox ping -c 1 -W 2 10.0.2.2
}

bad_usage()
{
	[ -x "$RINGNETD" ] || skip "$RINGNETD not built"
	local a rc
	for a in "--backend foo" "--mtu 100" "--mtu x" "--address 10.0.2.100/33" \
		 "--gateway 192.0.2.1" "--dns-upstream ::1" "--max-flows 0" \
		 "--no-such-option" "extra" "--address 10.0.2.2"; do
		rc=0
		# shellcheck disable=SC2086
		"$RINGNETD" $a 2>"/tmp/rgw-usage.$$" || rc=$?
		[ $rc = 2 ] || fail "'$a' exited $rc, not 2"
		grep -q ringnetd "/tmp/rgw-usage.$$" || fail "'$a': no message"
	done
	rm -f "/tmp/rgw-usage.$$"
	"$RINGNETD" --help | grep -q -- --netns
}

tcp_loopback_mtu()
{
	local mtu=$1 got
	topology
	write_tcp_helpers
	start_py tcpsrv host "$TMPD/tcp_server.py" 127.0.0.1 8080
	start_py http host -m http.server --bind 127.0.0.1 --directory "$TMPD" 8000
	start_gw --config-net --map-host-loopback 10.0.2.2 --mtu "$mtu"
	sleep 0.5
	# curl over HTTP from the sandbox to a server on host loopback.
	in_ns sbx curl -sS --max-time 60 -o "$TMPD/got" http://10.0.2.2:8000/big
	got=$(sha256sum "$TMPD/got" | cut -d' ' -f1)
	[ "$got" = "$BIG_SHA" ] || fail "curl download: $got"
	tcp_bulk "$mtu" 10.0.2.2
	[ "$(stat tcp_connected)" -ge 4 ]
	socat -t 2 - UNIX-CONNECT:"$TMPD/stats" |
		jq -c '.flows, (.counters | with_entries(select(.key | startswith("tcp_"))))'
}

tcp_loopback()		{ tcp_loopback_mtu 65520; }
tcp_loopback_1500()	{ tcp_loopback_mtu 1500; }

tcp_outside()
{
	topology
	write_tcp_helpers
	start_py tcpsrv out "$TMPD/tcp_server.py" 198.51.100.2 8080
	start_gw --config-net
	sleep 0.5
	tcp_bulk 65520 198.51.100.2
}

tcp_refused()
{
	local out
	topology
	write_tcp_helpers
	start_gw --config-net --map-host-loopback 10.0.2.2
	out=$(in_ns sbx "$PY" "$TMPD/tcp_client.py" connect 10.0.2.2 9)
	[ "$out" = ECONNREFUSED ] || fail "loopback closed port: got '$out'"
	out=$(in_ns sbx "$PY" "$TMPD/tcp_client.py" connect 198.51.100.2 9)
	[ "$out" = ECONNREFUSED ] || fail "outside closed port: got '$out'"
	# Nothing listens on the DNS address; an unmapped gateway neither.
	out=$(in_ns sbx "$PY" "$TMPD/tcp_client.py" connect 10.0.2.3 80)
	[ "$out" = ECONNREFUSED ] || fail "DNS address: got '$out'"
	[ "$(stat tcp_refused)" -ge 2 ]
	[ "$(stat tcp_closed_port)" -ge 1 ]
}

tcp_many()
{
	local out
	topology
	write_tcp_helpers
	start_py tcpsrv host "$TMPD/tcp_server.py" 127.0.0.1 8080
	start_gw --config-net --map-host-loopback 10.0.2.2
	sleep 0.5
	out=$(in_ns sbx timeout 60 "$PY" "$TMPD/tcp_client.py" many 10.0.2.2 8080 200)
	[ "$out" = 200 ] || fail "$out of 200 connections completed"
	sleep 1
	[ "$(stat flows_active)" -le 5 ] || fail "$(stat flows_active) flows left"
}

tcp_lossy()
{
	topology
	write_tcp_helpers
	start_py tcpsrv host "$TMPD/tcp_server.py" 127.0.0.1 8080
	start_gw --config-net --map-host-loopback 10.0.2.2 --mtu 1500
	in_ns sbx tc qdisc add dev tap0 root netem loss 1% delay 5ms ||
		skip "no netem"
	sleep 0.5
	tcp_bulk 1500 10.0.2.2
	[ "$(stat tcp_retrans)" -ge 1 ] || [ "$(stat tcp_ooo)" -ge 1 ]
}

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }

tap_run \
	bad_usage	"ringnetd: bad command lines exit 2 with a message" \
	ping_gateway	"ringnetd: --config-net, ping the gateway and DNS addresses" \
	dhcp_lease	"ringnetd: busybox udhcpc gets the lease and applies it" \
	dns_forward	"ringnetd: DNS to 10.0.2.3 through a resolver on host loopback" \
	udp_outside	"ringnetd: UDP echo to an outside host and via the gateway" \
	udp_no_loopback_by_default "ringnetd: host loopback unreachable unless mapped" \
	udp_refused	"ringnetd: a closed UDP port is ECONNREFUSED in the sandbox" \
	ping_outside	"ringnetd: ping an outside host through ping sockets" \
	malformed	"ringnetd: malformed frames are counted and survive" \
	restart		"ringnetd: killed and restarted, a new one serves new flows" \
	tcp_loopback	"ringnetd: TCP to host loopback, curl, 20 MiB each way, half-close" \
	tcp_loopback_1500 "ringnetd: the same at MTU 1500 (uploads of 2 MiB)" \
	tcp_outside	"ringnetd: TCP to an outside host, 20 MiB each way, half-close" \
	tcp_refused	"ringnetd: a closed TCP port is ECONNREFUSED in the sandbox" \
	tcp_many	"ringnetd: 200 concurrent TCP connections all complete" \
	tcp_lossy	"ringnetd: TCP over 1% loss and 5 ms delay, sha256 intact"
