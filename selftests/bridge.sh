#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two namespaces, a ringnet device in each, and ringnet-bridge copying
# frames between their channels: a point-to-point link made of nothing but
# the ring ABI.  Everything the stack does over it must work as over a
# wire: ping, TCP with and without segmentation offload, UDP (fragmented
# and, where the kernel has it, segmented), a large transfer that must
# arrive bit for bit, device counters that add up, and the carrier
# following the bridge.
#
#   a: rn0 192.0.2.1/24 2001:db8::1/64  <-- ringnet-bridge -->  b: rn0 .2 ::2
#
# Under TCG every exec costs a good fraction of a second, so the helpers
# parse with bash rather than jq/awk, wait with read -t rather than
# sleep(1), and let socat and Python wait for their peers themselves.

. "$(dirname "$0")/lib.sh"

BRIDGE=$RINGNET_BUILD/selftests/ringnet-bridge
WORK=$(mktemp -d /tmp/bridge.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
DATA=$WORK/data		# random bytes and hashes of prefixes, see data_file
# 64 MiB: many laps of the rings (what 200 MiB proved, at a third of the
# time under TCG, where making the random file costs too).
DATA_SIZE=$((64 << 20))

A4=192.0.2.1 B4=192.0.2.2 A6=2001:db8::1 B6=2001:db8::2

# Datagram sizes of the UDP test: 1473 and up are IP-fragmented at MTU 1500.
export UDP_SIZES="16 64 100 512 1400 1472 1473 3000 8000 20000"

declare -A DEV	# [snapshot.ns.key] from ringnetctl, see dev_snap
declare -A AB BA	# the bridge's last stats, a -> b and b -> a

[ -x "$BRIDGE" ] || { echo "1..0 # SKIP $BRIDGE not built"; exit 4; }

# ---- waiting without a process -------------------------------------------

mkfifo "$WORK/nap"
exec {NAP_FD}<>"$WORK/nap"
nap() { read -r -t "$1" -u "$NAP_FD" || true; }

now_us() { echo "${EPOCHREALTIME/./}"; }

poll_until() # seconds command...
{
	local end=$(($(now_us) + $1 * 1000000))
	shift
	until "$@"; do
		[ "$(now_us)" -lt "$end" ] || return 1
		nap 0.1
	done
}

# ---- the link ------------------------------------------------------------

setup_pair()
{
	local n i=1
	ns_add a b
	for n in a b; do
		ip -n "$(ns $n)" -batch - <<-EOF
		link add rn0 type ringnet
		addr add 192.0.2.$i/24 dev rn0
		addr add 2001:db8::$i/64 dev rn0 nodad
		link set rn0 up
		EOF
		i=$((i + 1))
	done
}

carrier() # ns -> 1 or 0
{
	local out up='[<,]LOWER_UP[,>]'
	out=$(ip -n "$(ns "$1")" -o link show rn0)
	if [[ $out =~ $up ]]; then echo 1; else echo 0; fi
}

carrier_is() { [ "$(carrier "$1")" = "$2" ]; }
carriers_are() { carrier_is a "$1" && carrier_is b "$1"; }

# ---- the bridge ----------------------------------------------------------

bridge_exited() # a zombie still answers kill -0
{
	local state
	read -r _ _ state _ 2>/dev/null <"/proc/$BRIDGE_PID/stat" || return 0
	[ "$state" = Z ]
}

# Both channels are attached once it prints its banner.
bridge_ready()
{
	[[ $(<"$WORK/bridge.err") == *" <-> "* ]] && return 0
	! bridge_exited || fail "ringnet-bridge exited: $(<"$WORK/bridge.err")"
	return 1
}

# Start the bridge between a:rn0 and b:rn0 with extra options.  Counters
# move only while a channel is attached, so they get a baseline first.
bridge_start()
{
	dev_snap base
	: >"$WORK/bridge.out"
	: >"$WORK/bridge.err"
	"$BRIDGE" --stats "$@" "$(ns a):rn0" "$(ns b):rn0" \
		>"$WORK/bridge.out" 2>"$WORK/bridge.err" &
	BRIDGE_PID=$!
	trap bridge_kill EXIT
	poll_until 20 bridge_ready || fail "ringnet-bridge did not attach"
	BRIDGE_BANNER=$(<"$WORK/bridge.err")
	echo "$BRIDGE_BANNER"
}

bridge_kill()
{
	[ -n "${BRIDGE_PID:-}" ] || return 0
	kill "$BRIDGE_PID" 2>/dev/null || true
	wait "$BRIDGE_PID" 2>/dev/null || true
	BRIDGE_PID=
}

# SIGTERM (or $1): the bridge must exit 0 and print its stats.
bridge_stop()
{
	local sig=${1:-TERM} rc=0
	kill -"$sig" "$BRIDGE_PID"
	wait "$BRIDGE_PID" || rc=$?
	BRIDGE_PID=
	echo "$(<"$WORK/bridge.out")"
	[ "$rc" = 0 ] || fail "ringnet-bridge exited with status $rc on SIG$sig"
	bridge_stats || fail "no stats printed on SIG$sig"
}

# Its last two lines "FROM -> TO: frames N bytes N gso N ..." into AB, BA.
bridge_stats()
{
	local line i
	local -a w
	AB=() BA=()
	while IFS= read -r line; do
		[[ $line == *" -> "* ]] || continue
		read -ra w <<<"$line"
		for ((i = 3; i + 1 < ${#w[@]}; i += 2)); do
			if [ "${w[0]}" = "$(ns a):rn0" ]; then
				AB[${w[i]}]=${w[i + 1]}
			else
				BA[${w[i]}]=${w[i + 1]}
			fi
		done
	done <"$WORK/bridge.out"
	[ -n "${AB[frames]:-}" ] && [ -n "${BA[frames]:-}" ]
}

# ---- device state ---------------------------------------------------------

# "ringnetctl show rn0 -j" of both namespaces into DEV[NAME.ns.key]: numbers
# and booleans as they are, offloads_active as a space-separated list.
# ringnetctl prints one key per line.
dev_snap() # name
{
	local n line list in_list json
	local num='^ *"([a-z_]+)": ([0-9a-z]+),?$' item='^ *"([a-z0-9-]+)",?$'
	for n in a b; do
		in_list='' list=''
		json=$(in_ns $n ringnetctl show rn0 -j)
		while IFS= read -r line; do
			if [ -n "$in_list" ]; then
				if [[ $line =~ $item ]]; then
					list+=" ${BASH_REMATCH[1]}"
				else
					in_list=
				fi
			elif [[ $line =~ $num ]]; then
				DEV[$1.$n.${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
			elif [[ $line == *'"offloads_active": ['* ]]; then
				[[ $line == *']'* ]] || in_list=1
			fi
		done <<<"$json"
		DEV[$1.$n.offloads_active]=${list# }
	done
}

# Every frame a device sent since bridge_start reached the other (the bridge
# copies exactly, so tx of one and rx of the other move together) and no
# device dropped anything as bad.
counters_agree()
{
	local from to u k moved_tx moved_rx bad=0
	dev_snap now
	for from in a b; do
		to=b
		[ $from = a ] || to=a
		for u in packets bytes; do
			moved_tx=$((${DEV[now.$from.tx_$u]} - ${DEV[base.$from.tx_$u]}))
			moved_rx=$((${DEV[now.$to.rx_$u]} - ${DEV[base.$to.rx_$u]}))
			if [ "$moved_tx" != "$moved_rx" ]; then
				echo "$from -> $to: tx_$u +$moved_tx, rx_$u +$moved_rx"
				bad=1
			fi
		done
		for k in rx_drop_bad_desc rx_drop_bad_hdr rx_drop_no_mem ring_errors \
			 tx_drop_bad_offload tx_drop_too_big; do
			if [ "${DEV[now.$from.$k]}" != 0 ]; then
				echo "$from: $k ${DEV[now.$from.$k]}"
				bad=1
			fi
		done
	done
	[ "$bad" = 0 ]
}

# A frame may still be on its way: a few tries.
check_counters()
{
	local i
	for i in 1 2 3 4 5; do
		counters_agree >/dev/null && return 0
		nap 0.5
	done
	counters_agree || fail "device counters disagree"
}

# ethtool's view of rn0: check_features NS TSO TX-CSUM (on|off each)
check_features()
{
	local out
	out=$(in_ns "$1" ethtool -k rn0)
	[[ $out == *$'\n'"tcp-segmentation-offload: $2"* ]] ||
		fail "$1: tcp-segmentation-offload is not $2"
	[[ $out == *$'\n'"tx-checksumming: $3"* ]] || fail "$1: tx-checksumming is not $3"
}

# ---- traffic ---------------------------------------------------------------

# DATA_SIZE random bytes, with the sha256 of every prefix a test sends
# ($DATA.BYTES.sha256), made once for all tests.
data_file()
{
	[ -e "$DATA.$DATA_SIZE.sha256" ] && return
	python3 - "$DATA" "$DATA_SIZE" <<-'EOF'
	import hashlib, os, sys
	path, size = sys.argv[1], int(sys.argv[2])
	marks = {512 << 10, 1 << 20, 8 << 20, 16 << 20, size}
	h, done = hashlib.sha256(), 0
	with open(path, "wb") as f:
	    while done < size:
	        block = os.urandom(512 << 10)
	        f.write(block)
	        h.update(block)
	        done += len(block)
	        if done in marks:
	            with open("%s.%d.sha256" % (path, done), "w") as m:
	                m.write(h.hexdigest() + "\n")
	EOF
}

# Send the first BYTES of $DATA over TCP from one namespace to an address
# in the other, and check the receiver's sha256 of what arrived.
tcp_send() # from to address bytes
{
	local from=$1 to=$2 addr=$3 bytes=$4 port=$((20000 + RANDOM % 20000))
	local want got rpid t0 t
	data_file
	read -r want <"$DATA.$bytes.sha256"
	in_ns "$to" timeout 180 socat -u "TCP6-LISTEN:$port,reuseaddr,ipv6only=0" - |
		sha256sum >"$WORK/got" &
	rpid=$!
	t0=$(now_us)
	# socat retries while the listener is not up yet.
	in_ns "$from" timeout 180 socat -u "OPEN:$DATA,readbytes=$bytes" \
		"TCP:$addr:$port,retry=100,interval=0.1"
	wait "$rpid"
	t=$(($(now_us) - t0))
	read -r got _ <"$WORK/got"
	echo "$from -> $to ($addr): $bytes bytes in $((t / 1000)) ms, $((bytes * 8 / t)) Mbit/s"
	[ "$got" = "$want" ] || fail "$from -> $to: sha256 $got, sent $want"
}

# No ping on every host, so ICMP echo over a raw socket from Python.
cat >"$WORK/ping.py" <<'EOF'
# ping.py ADDR...: three echoes to each address; every reply must come back.
import os, select, socket, struct, sys, time

def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xFFFF)
    return ~(t + (t >> 16)) & 0xFFFF

def ping(addr, count=3):
    v6 = ":" in addr
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW,
                      socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    ident, ok = os.getpid() & 0xFFFF, 0
    for seq in range(count):
        payload = os.urandom(56)
        pkt = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, ident, seq) + payload
        if not v6:  # the kernel fills in the ICMPv6 checksum, not this one
            pkt = pkt[:2] + struct.pack("!H", csum(pkt)) + pkt[4:]
        sent = time.monotonic()
        s.sendto(pkt, (addr, 0))
        while time.monotonic() - sent < 5:
            if not select.select([s], [], [], 0.5)[0]:
                continue
            data = s.recv(4096)
            if not v6:
                data = data[(data[0] & 0xF) * 4:]
            t, _, _, i, q = struct.unpack("!BBHHH", data[:8])
            if t == (129 if v6 else 0) and i == ident and q == seq:
                if data[8:] != payload:
                    sys.exit("reply %d from %s: payload differs" % (seq, addr))
                ok += 1
                print("reply %d from %s in %.1f ms" % (seq, addr, (time.monotonic() - sent) * 1000))
                break
    print("%d/%d replies from %s" % (ok, count, addr))
    return ok == count

sys.exit(0 if all([ping(a) for a in sys.argv[1:]]) else 1)
EOF

cat >"$WORK/udp.py" <<'EOF'
# udp.py send ADDR PORT COUNT [GSO_SIZE] | recv PORT COUNT | blast ADDR PORT COUNT
# Every datagram says its number and size and carries bytes derived from
# them, so the receiver can tell one that is lost, cut or damaged.  Sizes
# cycle through $UDP_SIZES; with GSO_SIZE, datagrams of that size go 16 to
# a send() with UDP_SEGMENT.  The sender first waits for the receiver to
# answer a probe, so nothing is sent before it listens.  blast just sends
# COUNT datagrams of 1400 bytes, receiver or not.
import hashlib, os, socket, struct, sys

UDP_SEGMENT = 103
SO_RCVBUFFORCE = 33
PROBE = b"probe"
SIZES = [int(x) for x in os.environ["UDP_SIZES"].split()]

def datagram(seq, size):
    head = struct.pack("!II", seq, size)
    seed = hashlib.sha256(head).digest()
    return head + (seed * (size // len(seed) + 1))[:size - len(head)]

if sys.argv[1] == "blast":
    addr, port, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    for seq in range(count):
        s.sendto(datagram(seq, 1400), (addr, port))
    sys.exit(0)

if sys.argv[1] == "send":
    addr, port, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    gso = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    dst = (addr, port)
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    for _ in range(100):
        s.sendto(PROBE, dst)
        try:
            if s.recv(64) == PROBE:
                break
        except socket.timeout:
            pass
    else:
        sys.exit("no receiver at %s port %d" % dst)
    s.settimeout(None)
    if gso:
        s.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, gso)
        for first in range(0, count, 16):
            s.sendto(b"".join(datagram(q, gso) for q in range(first, min(first + 16, count))), dst)
    else:
        for seq in range(count):
            s.sendto(datagram(seq, SIZES[seq % len(SIZES)]), dst)
    sys.exit(0)

port, count = int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
s.bind(("::", port))
s.settimeout(30)
seen, bad = set(), 0
try:
    while len(seen) < count:
        data, peer = s.recvfrom(65536)
        if data == PROBE:
            s.sendto(PROBE, peer)
            continue
        seq, size = struct.unpack("!II", data[:8])
        if len(data) != size or data != datagram(seq, size) or seq >= count or seq in seen:
            bad += 1
        else:
            seen.add(seq)
except socket.timeout:
    pass
print("received %d/%d datagrams intact, %d bad" % (len(seen), count, bad))
sys.exit(0 if len(seen) == count and not bad else 1)
EOF

udp_send() # from to address count [gso-size]
{
	local from=$1 to=$2 addr=$3 count=$4 port=$((20000 + RANDOM % 20000)) rpid
	in_ns "$to" python3 "$WORK/udp.py" recv "$port" "$count" &
	rpid=$!
	in_ns "$from" python3 "$WORK/udp.py" send "$addr" "$port" "$count" ${5:+"$5"}
	wait "$rpid" || fail "$from -> $to ($addr): datagrams lost or damaged"
}

# IPv4 frames of COUNT datagrams of the UDP test: 1480 bytes of each
# datagram (with its 8-byte header) per fragment.
udp_frames() # count
{
	local -a sizes
	local i n=0
	read -ra sizes <<<"$UDP_SIZES"
	for ((i = 0; i < $1; i++)); do
		n=$((n + (sizes[i % ${#sizes[@]}] + 8 + 1479) / 1480))
	done
	echo $n
}

# ---- tests ---------------------------------------------------------------

ping_v4_v6()
{
	setup_pair
	bridge_start
	in_ns a python3 "$WORK/ping.py" $B4 $B6
	in_ns b python3 "$WORK/ping.py" $A4 $A6
	check_counters
	bridge_stop
	[ "${AB[frames]}" -ge 6 ] && [ "${BA[frames]}" -ge 6 ]
}

tcp_tso_on()
{
	local n
	setup_pair
	bridge_start -o all
	for n in a b; do
		check_features $n on on
		[[ " ${DEV[base.$n.offloads_active]} " != *" tso4 "* ]] ||
			fail "$n: offloads active before the bridge attached"
	done
	dev_snap attached
	for n in a b; do
		[[ " ${DEV[attached.$n.offloads_active]} " == *" csum tso4 tso6 "* ]] ||
			fail "$n: active offloads are '${DEV[attached.$n.offloads_active]}'"
	done
	tcp_send a b $B4 $((16 << 20))
	tcp_send b a $A4 $((16 << 20))
	tcp_send a b "[$B6]" $((8 << 20))
	check_counters
	bridge_stop
	# The stack handed the devices segments of up to 64 KiB (as large as
	# its pacing allows) and they crossed whole.
	[ "${AB[gso]}" -gt 0 ] || fail "no GSO frame a -> b"
	[ "${BA[gso]}" -gt 0 ] || fail "no GSO frame b -> a"
	[ "${AB[largest]}" -gt 1514 ] || fail "a -> b: no frame above the MTU"
	[ "${BA[largest]}" -gt 1514 ] || fail "b -> a: no frame above the MTU"
	# a -> b carried 24 MiB of TCP payload: 17400 frames at the MTU, and
	# far fewer with TSO even with every ACK of b -> a counted.
	echo "a -> b: ${AB[frames]} frames, $((AB[bytes] / AB[frames])) bytes on average"
	[ "${AB[frames]}" -lt 17400 ] || fail "a -> b: ${AB[frames]} frames, as many as without TSO"
}

tcp_tso_off()
{
	local n
	setup_pair
	bridge_start -o none
	check_features a off off
	check_features b off off
	dev_snap attached
	[ -z "${DEV[attached.a.offloads_active]}${DEV[attached.b.offloads_active]}" ] ||
		fail "offloads active: '${DEV[attached.a.offloads_active]}' '${DEV[attached.b.offloads_active]}'"
	tcp_send a b $B4 $((1 << 20))
	tcp_send b a $A4 $((1 << 20))
	tcp_send b a "[$A6]" $((512 << 10))
	check_counters
	bridge_stop
	[ "${AB[gso]}" = 0 ] || fail "a -> b: GSO frames without TSO"
	[ "${BA[gso]}" = 0 ] || fail "b -> a: GSO frames without TSO"
	[ "${AB[largest]}" -le 1514 ] || fail "a -> b: ${AB[largest]} byte frame"
	[ "${BA[largest]}" -le 1514 ] || fail "b -> a: ${BA[largest]} byte frame"
	# 1 MiB in segments of at most 1448 bytes is at least 725 frames.
	[ "${AB[frames]}" -ge 725 ] || fail "a -> b: only ${AB[frames]} frames"
	[ "${BA[frames]}" -ge 725 ] || fail "b -> a: only ${BA[frames]} frames"
}

udp_intact()
{
	local n=300 frames tx rx
	setup_pair
	# pfifo rather than fq_codel: a slow guest must not see AQM drops.
	in_ns a tc qdisc replace dev rn0 root pfifo limit 10000
	in_ns b tc qdisc replace dev rn0 root pfifo limit 10000
	bridge_start
	udp_send a b $B4 32	# ARP and ND done before counting
	check_counters
	dev_snap before
	udp_send a b $B4 $n
	check_counters
	tx=$((${DEV[now.a.tx_packets]} - ${DEV[before.a.tx_packets]}))
	rx=$((${DEV[now.b.rx_packets]} - ${DEV[before.b.rx_packets]}))
	frames=$(udp_frames $n)
	echo "a: tx +$tx, b: rx +$rx, for $n datagrams in $frames IPv4 frames"
	[ "$tx" -ge "$frames" ] || fail "a transmitted $tx frames, want $frames"
	[ "$rx" -ge "$frames" ] || fail "b received $rx frames, want $frames"
	udp_send b a $A6 $n
	# Nothing so far was a GSO frame; UDP_SEGMENT makes some where the
	# kernel can put UDP segmentation in a vnet header (uso, Linux 6.2+).
	udp_send a b $B4 256 1200
	check_counters
	bridge_stop
	if [[ $BRIDGE_BANNER == *uso* ]]; then
		[ "${AB[gso]}" -gt 0 ] || fail "no USO frame crossed a -> b"
		echo "USO: ${AB[gso]} GSO frames a -> b"
	else
		echo "no uso on this kernel: UDP_SEGMENT was done in software"
		[ "${AB[gso]}" = 0 ] || fail "GSO frames without uso"
	fi
}

small_rings()
{
	setup_pair
	in_ns a tc qdisc replace dev rn0 root pfifo limit 10000
	in_ns b tc qdisc replace dev rn0 root pfifo limit 10000
	# Eight entries each way: a burst (a datagram IP-fragmented into 14
	# frames) fills a ring at once, so the kernel stops the sending
	# device's queue until the bridge makes room.  Nothing may be lost.
	bridge_start -e 8
	udp_send a b $B4 300
	udp_send b a $A6 300
	tcp_send a b $B4 $((8 << 20))
	check_counters
	bridge_stop
	echo "queue stops: a ${DEV[now.a.tx_queue_stops]}, b ${DEV[now.b.tx_queue_stops]};" \
	     "bridge found b full ${AB[full]} times, a ${BA[full]} times"
	[ "${DEV[now.a.tx_queue_stops]}" -gt 0 ] || fail "a's queue never stopped"
	[ "${DEV[now.b.tx_queue_stops]}" -gt 0 ] || fail "b's queue never stopped"
}

# CPU time the bridge has used, in clock ticks.
bridge_cpu()
{
	local -a f
	read -ra f <"/proc/$BRIDGE_PID/stat"
	echo $((f[13] + f[14]))
}

bridge_found_full() # direction 1 (a -> b) or 2
{
	kill -USR1 "$BRIDGE_PID"
	nap 0.3
	bridge_stats || return 1
	if [ "$1" = 1 ]; then [ "${AB[full]}" -gt 0 ]; else [ "${BA[full]}" -gt 0 ]; fi
}

queue_stopped() { dev_snap q; [ "${DEV[q.$1.tx_queue_stops]}" -gt 0 ]; }

paused_destination()
{
	local cpu rpid
	setup_pair
	bridge_start -e 8
	in_ns a python3 "$WORK/ping.py" $B4
	# b's NAPI is off while rn0 is down: its tx ring fills, and the bridge
	# must stop taking frames from a and wait, asleep, for room.
	ip -n "$(ns b)" link set rn0 down
	in_ns a python3 "$WORK/udp.py" blast $B4 9 200 &
	rpid=$!
	poll_until 20 bridge_found_full 1 || fail "the bridge never found b's ring full"
	cpu=$(bridge_cpu)
	nap 1
	echo "bridge CPU while waiting: $(($(bridge_cpu) - cpu)) ticks in 1 s"
	[ $(($(bridge_cpu) - cpu)) -lt 50 ] || fail "the bridge spins while b is full"
	poll_until 10 queue_stopped a || fail "a's queue did not stop"
	# Up again: NAPI takes the frames, the bridge gets POLLOUT and goes on.
	ip -n "$(ns b)" link set rn0 up
	wait "$rpid"
	check_counters
	echo "b received $((${DEV[now.b.rx_packets]} - ${DEV[base.b.rx_packets]})) frames"
	[ $((${DEV[now.b.rx_packets]} - ${DEV[base.b.rx_packets]})) -ge 200 ] ||
		fail "b received fewer than the 200 datagrams"
	bridge_stop
}

transfer_big()
{
	setup_pair
	bridge_start
	tcp_send a b $B4 "$DATA_SIZE"
	check_counters
	bridge_stop
	[ "${AB[bytes]}" -gt "$DATA_SIZE" ] || fail "the bridge carried ${AB[bytes]} bytes a -> b"
}

carrier_follows_bridge()
{
	setup_pair
	carriers_are 0 || fail "carrier on before the bridge runs"
	bridge_start
	carriers_are 1 || fail "no carrier with the bridge attached"
	dev_snap attached
	[ "${DEV[attached.a.attached]}" = true ] && [ "${DEV[attached.b.attached]}" = true ]
	[ "${DEV[attached.a.owner_pid]}" = "$BRIDGE_PID" ] || fail "a: owner is not the bridge"
	bridge_stop INT
	poll_until 5 carriers_are 0 || fail "carrier still on after the bridge exited"
	dev_snap detached
	[ "${DEV[detached.a.attached]}" = false ] && [ "${DEV[detached.b.attached]}" = false ]

	# A device that goes away stops the bridge with an error.
	bridge_start
	ip -n "$(ns b)" link del rn0
	poll_until 10 bridge_exited || fail "bridge still running without its device"
	local rc=0
	wait "$BRIDGE_PID" || rc=$?
	BRIDGE_PID=
	echo "$(<"$WORK/bridge.err")"
	[ "$rc" != 0 ] || fail "bridge exited 0 after its device went away"
	[[ $(<"$WORK/bridge.err") == *"rn0: the device is gone"* ]] || fail "no message"
	poll_until 5 carrier_is a 0 || fail "a: carrier still on"
}

offload_mismatch()
{
	local rc=0
	setup_pair
	# b may only use checksums: asking for everything gives the two
	# channels different offloads, which the bridge must refuse.
	in_ns b ringnetctl set rn0 offloads csum
	"$BRIDGE" -o all "$(ns a):rn0" "$(ns b):rn0" 2>"$WORK/err" || rc=$?
	echo "$(<"$WORK/err")"
	[ "$rc" != 0 ] || fail "bridge accepted channels with different offloads"
	[[ $(<"$WORK/err") == *"different offloads"* ]] || fail "no clear message"
	carriers_are 0
	# Asking for what both can do works, and only that is on.
	bridge_start -o csum
	check_features a off on
	check_features b off on
	in_ns a python3 "$WORK/ping.py" $B4
	tcp_send a b $B4 $((1 << 20))
	check_counters
	bridge_stop
}

bad_arguments()
{
	setup_pair
	must_fail "$BRIDGE" "$(ns a):rn0"
	must_fail "$BRIDGE" -o bogus "$(ns a):rn0" "$(ns b):rn0"
	must_fail "$BRIDGE" "$(ns a):rn0" nosuchns:rn0
	must_fail "$BRIDGE" "$(ns a):rn0" "$(ns b):nosuchdev"
	must_fail "$BRIDGE" -e 3 "$(ns a):rn0" "$(ns b):rn0"
	# A device already attached elsewhere cannot be taken.
	bridge_start
	must_fail "$BRIDGE" "$(ns a):rn0" "$(ns b):rn0"
	bridge_stop
}

tap_run \
	ping_v4_v6		"ping over the bridge, IPv4 and IPv6, both ways" \
	tcp_tso_on		"TCP both ways with TSO: 64 KiB frames cross, data intact" \
	tcp_tso_off		"TCP both ways without offloads: MTU frames, data intact" \
	udp_intact		"UDP datagrams arrive intact and counters add up" \
	small_rings		"8-entry rings: queues stop and restart, nothing lost" \
	paused_destination	"a full destination stops the bridge (asleep), then it resumes" \
	transfer_big		"$((DATA_SIZE >> 20)) MiB over TCP arrive with the same sha256" \
	carrier_follows_bridge	"carrier on with the bridge, off after it; device loss ends it" \
	offload_mismatch	"different offloads are refused; a common set works" \
	bad_arguments		"bad arguments and busy devices are refused"
