# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The gateway tests' topology and helpers, shared by the scripts that run
# ringnetd against test hosts in namespaces (gateway.sh and others).
#
#   sbx   the sandbox: its device is $SBDEV
#   host  where ringnetd runs and opens its host sockets; a namespace of
#         the test's own, so "the host's loopback" is a private one and
#         nothing the sandbox sends can leave this machine
#   out   an outside test host, 198.51.100.2 (documentation range), behind
#         a veth from host (198.51.100.1)
#
# GW_BACKEND picks the sandbox's device:
#   tap       (the default) tap0, created in sbx by ringnetd; natively
#   ringnet   rn0, a ringnet.ko device the topology creates in sbx and
#             ringnetd attaches a channel to; in the VM

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RINGNETD=${RINGNETD:-$RINGNET_BUILD/userspace/ringnetd}
GW_BACKEND=${GW_BACKEND:-tap}
case $GW_BACKEND in
tap)	SBDEV=tap0 ;;
ringnet) SBDEV=rn0 ;;
*)	echo "GW_BACKEND='$GW_BACKEND': neither tap nor ringnet" >&2; exit 2 ;;
esac
# Seconds one bulk transfer may take; TCG in the VM is slow.
XFER_TIMEOUT=${XFER_TIMEOUT:-600}
# Test data shared by the tests of one script run: random files are slow
# to make under TCG.  Removed when the script exits, unless it sets an
# EXIT trap of its own: then it calls gw_data_cleanup.
GW_DATA=/tmp/gateway-data.$$
trap 'gw_data_cleanup' EXIT
TMPD=
GW_PID=

teardown()
{
	stop_gw
	tmpd_cleanup
}

gw_data_cleanup() { rm -rf "$GW_DATA"; }

# Namespaces, the outside host behind a veth, and for the ringnet backend
# the sandbox's device.
topology()
{
	[ -x "$RINGNETD" ] || skip "$RINGNETD not built"
	case $GW_BACKEND in
	tap)	[ -c /dev/net/tun ] || skip "no /dev/net/tun" ;;
	ringnet) [ -c /dev/net/ringnet ] || fail "no /dev/net/ringnet (ringnet.ko not loaded?)" ;;
	esac
	make_tmpd gateway teardown
	host_and_out rgw sbx
	ip -n "$(ns sbx)" -batch - <<-EOF
		link set lo up
		$([ "$GW_BACKEND" = ringnet ] && echo "link add $SBDEV type ringnet")
	EOF
}

# start_gw [ringnetd options...]: ringnetd in "host" for $SBDEV in "sbx".
start_gw()
{
	rm -f "$TMPD/stats"	# a killed ringnetd leaves its socket behind
	# Not through in_ns: $! must be ringnetd itself (ip netns exec execs).
	ip netns exec "$(ns host)" "$RINGNETD" --backend "$GW_BACKEND" \
		--netns "$(ns sbx)" --dev "$SBDEV" \
		--stats-socket "$TMPD/stats" "$@" 2>>"$TMPD/ringnetd.log" &
	GW_PID=$!
	# The stats socket comes after the device is open (and attached).
	# Bounds far beyond need: in a VM beside another one, under TCG, a
	# start that takes a second alone may take several.
	wait_for 30 test -S "$TMPD/stats" || { cat "$TMPD/ringnetd.log"; fail "ringnetd did not start"; }
	wait_for 20 in_ns sbx ip link show "$SBDEV" >/dev/null
}

stop_gw()
{
	[ -n "$GW_PID" ] || return 0
	kill "$GW_PID" 2>/dev/null || true
	wait "$GW_PID" 2>/dev/null || true
	GW_PID=
	rm -f "$TMPD/stats"
}

# sb_link_flags: the flags of the sandbox's device, e.g. "BROADCAST
# MULTICAST UP LOWER_UP", or nothing if it is gone.
sb_link_flags()
{
	in_ns sbx ip -j link show "$SBDEV" 2>/dev/null | jq -r '.[0].flags | join(" ")'
}

# stat NAME: a counter from the stats socket (JSON); flows_active is
# the flow table's use.
stat()
{
	socat -t 2 - UNIX-CONNECT:"$TMPD/stats" |
		jq -r --arg n "$1" 'if $n == "flows_active" then .flows.active else .counters[$n] end'
}

# stats_ge NAME=MIN...: true if every counter NAME is at least MIN, else
# says which are not.  One look at the stats socket: cheaper than stat.
stats_ge()
{
	local json bad
	json=$(socat -t 2 - UNIX-CONNECT:"$TMPD/stats") || { echo "no stats socket"; return 1; }
	bad=$(jq -r '($ARGS.positional[] | split("=")) as [$n, $min]
		| (if $n == "flows_active" then .flows.active else .counters[$n] end) as $v
		| select($v == null or $v < ($min | tonumber))
		| "\($n) is \($v), not >= \($min)"' --args "$@" <<<"$json")
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}

# sb_netem ARGS...: a netem qdisc on the sandbox's device (its egress).
sb_netem()
{
	local err
	err=$(in_ns sbx tc qdisc add dev "$SBDEV" root netem "$@" 2>&1) && return 0
	echo "$err"
	[ -e /sys/module/sch_netem ] || modprobe -n sch_netem 2>/dev/null ||
		skip "no sch_netem: natively the host kernel loads no modules (the VM runs this)"
	fail "tc qdisc add dev $SBDEV root netem $*"
}

# wait_listen NS PROTO PORT: until something listens on PORT in NS.
wait_listen()
{
	local opt=-Htln
	[ "$2" = udp ] && opt=-Huln
	wait_for 20 sh -c "ip netns exec '$(ns "$1")' ss $opt 'sport = :$3' | grep -q ." ||
		fail "nothing listens on $2 port $3 in $1"
}

# test_file NAME MIB: a file of MIB random MiB in $GW_DATA, made once per
# script run; prints its path.  The sha256 is in $GW_DATA/NAME.sha256.
test_file()
{
	local f=$GW_DATA/$1
	if [ ! -f "$f.sha256" ]; then
		mkdir -p "$GW_DATA"
		head -c "$2M" /dev/urandom >"$f"
		sha256sum "$f" | cut -d' ' -f1 >"$f.sha256"
	fi
	echo "$f"
}

# start_nginx: nginx on the host's loopback, port 8000, serving $TMPD;
# PUT /up/NAME stores NAME in $TMPD/up (nginx's WebDAV module).
start_nginx()
{
	command -v nginx >/dev/null || skip "no nginx (scripts/install-deps installs nginx-light)"
	mkdir -p "$TMPD/up/.tmp"
	chmod -R 777 "$TMPD/up"
	cat >"$TMPD/nginx.conf" <<NGX
daemon on; worker_processes 1; pid $TMPD/nginx.pid; error_log $TMPD/nginx.err;
events { worker_connections 1024; }
http {
	access_log off; sendfile on;
	client_body_temp_path $TMPD/up/.tmp; proxy_temp_path $TMPD/up/.tmp;
	fastcgi_temp_path $TMPD/up/.tmp; uwsgi_temp_path $TMPD/up/.tmp;
	scgi_temp_path $TMPD/up/.tmp;
	server {
		listen 127.0.0.1:8000; root $TMPD;
		location /up/ { dav_methods PUT; client_max_body_size 0; }
	}
}
NGX
	in_ns host nginx -c "$TMPD/nginx.conf" -e "$TMPD/nginx.err" ||
		{ cat "$TMPD/nginx.err"; fail "nginx did not start"; }
	wait_listen host tcp 8000
}

# start_dnsmasq [dnsmasq options...]: a resolver on the host's loopback,
# port 5353, UDP and TCP, for names under .example:
#   test.example  A 192.0.2.53
#   big.example   TXT, 1200 bytes: more than a UDP answer without EDNS
#                 holds, so over UDP it comes truncated
#   anything else under .example is NXDOMAIN
DNS_BIG_TXT=
start_dnsmasq()
{
	command -v dnsmasq >/dev/null || skip "no dnsmasq (scripts/install-deps installs dnsmasq-base)"
	local part txt=() i
	DNS_BIG_TXT=
	for i in 1 2 3 4 5 6; do
		part=$(printf "%-200s" "part $i of the big TXT record" | tr ' ' .)
		txt+=("$part")
		DNS_BIG_TXT+=$part
	done
	in_ns host dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --port 5353 \
		--listen-address 127.0.0.1 --bind-interfaces --pid-file="$TMPD/dnsmasq.pid" \
		--local=/example/ --address=/test.example/192.0.2.53 \
		--txt-record="big.example,$(IFS=,; echo "${txt[*]}")" "$@"
	wait_listen host udp 5353
	wait_listen host tcp 5353
}

# A DNS responder for one name: test.example. A 192.0.2.53, else NXDOMAIN.
write_dns_server()
{
	cat >"$TMPD/dns.py" <<'PYEOF'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    q, a = s.recvfrom(4096)
    if len(q) < 12:
        continue
    i, labels = 12, []
    while i < len(q) and q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace"))
        i += 1 + q[i]
    qend = i + 5
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0] if len(q) >= qend else 0
    name = ".".join(labels).lower()
    hit = name == "test.example" and qtype == 1
    flags = 0x8180 if name == "test.example" else 0x8183
    r = q[:2] + struct.pack("!HHHHH", flags, 1, 1 if hit else 0, 0, 0) + q[12:qend]
    if hit:
        r += struct.pack("!HHHIH", 0xc00c, 1, 1, 60, 4) + bytes([192, 0, 2, 53])
    s.sendto(r, a)
PYEOF
}

# write_tcp_helpers [MIB]: $TMPD/tcp_server.py and tcp_client.py (see
# py/tcp_*.py for their modes), $TMPD/big of MIB random MiB (20 unless
# given) with its sha256 in $BIG_SHA, and $TMPD/small, 2 MiB, for
# $SMALL_SHA.  The files are links into $GW_DATA.
write_tcp_helpers()
{
	local mib=${1:-20}
	cp "$PYDIR/tcp_server.py" "$PYDIR/tcp_client.py" "$TMPD/"
	ln -sf "$(test_file "big$mib" "$mib")" "$TMPD/big"
	ln -sf "$(test_file small 2)" "$TMPD/small"
	BIG_SHA=$(cat "$GW_DATA/big$mib.sha256")
	SMALL_SHA=$(cat "$GW_DATA/small.sha256")
}

# tcp_bulk MTU ADDR: $TMPD/big downloaded and uploaded, and a half-close
# (the small file sent after the client's FIN), sha256 checked; the
# server (tcp_server.py) listens on ADDR port 8080.
tcp_bulk()
{
	local mtu=$1 addr=$2 out
	out=$(in_ns sbx timeout "$XFER_TIMEOUT" "$PY" "$TMPD/tcp_client.py" get "$addr" 8080 "$TMPD/big")
	[ "$out" = "$BIG_SHA" ] || fail "download at mtu $mtu to $addr: got '$out'"
	out=$(in_ns sbx timeout "$XFER_TIMEOUT" "$PY" "$TMPD/tcp_client.py" put "$addr" 8080 "$TMPD/big")
	[ "$out" = "$BIG_SHA" ] || fail "upload at mtu $mtu to $addr: got '$out'"
	out=$(in_ns sbx timeout "$XFER_TIMEOUT" "$PY" "$TMPD/tcp_client.py" half "$addr" 8080 "$TMPD/small")
	[ "$out" = "$SMALL_SHA" ] || fail "half-close at mtu $mtu to $addr: got '$out'"
}
