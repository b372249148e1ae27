#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ringnetctl against the real module: what it creates is what ip(8) sees,
# its JSON matches ip's, kernel errors come through with their extack
# message and a non-zero exit, usage errors exit 2, and monitor reports
# events in the order they happened.

. "$(dirname "$0")/lib.sh"

CTL=ringnetctl

add_show_del()
{
	$CTL add rn0 mtu 9000 address 02:12:34:56:78:9a mem-limit 8M offloads csum,tso4
	[ "$(ringnet_devs)" = rn0 ]
	$CTL show rn0 | grep -q 'rn0'
	local j
	j=$($CTL show rn0 -j)
	[ "$(jq -r '.[0].mtu' <<<"$j")" = 9000 ]
	[ "$(jq -r '.[0].address' <<<"$j")" = 02:12:34:56:78:9a ]
	[ "$(jq -r '.[0].mem_limit' <<<"$j")" = $((8 << 20)) ]
	[ "$(jq -c '.[0].offloads' <<<"$j")" = '["csum","tso4"]' ]
	[ "$(jq -r '.[0].attached' <<<"$j")" = false ]
	[ "$(jq -r '.[0].channel' <<<"$j")" = null ]
	$CTL set rn0 mem-limit 16M offloads none
	[ "$($CTL show rn0 -j | jq -r '.[0].mem_limit')" = $((16 << 20)) ]
	[ "$($CTL show rn0 -j | jq -c '.[0].offloads')" = '[]' ]
	$CTL del rn0
	[ -z "$(ringnet_devs)" ]
}

# show -j and ip -d -j link agree on everything both report.
json_matches_ip()
{
	local i
	for i in 0 1 2; do $CTL add "rn$i"; done
	ip link set rn1 mtu 65520 up
	ip link set rn2 address 02:00:00:00:00:22
	$CTL show -j | jq -e 'length == 3' >/dev/null
	for i in 0 1 2; do
		local mine theirs
		mine=$($CTL show -j | jq -c ".[] | select(.ifname == \"rn$i\") | {ifindex, ifname, address, mtu}")
		theirs=$(ip -d -j link show "rn$i" | jq -c '.[0] | {ifindex, ifname, address, mtu}')
		[ "$mine" = "$theirs" ] || fail "rn$i: ringnetctl $mine, ip $theirs"
	done
	# the counters are the ones ip -s shows
	[ "$($CTL show -j rn1 | jq '.[0].stats.tx_packets')" = \
	  "$(ip -s -j link show rn1 | jq '.[0].stats64.tx.packets')" ]
}

add_in_netns()
{
	ns_add a
	$CTL add rn0 netns "$(ns a)"
	[ "$(ringnet_devs a)" = rn0 ]
	[ -z "$(ringnet_devs)" ]
	in_ns a "$(command -v $CTL)" show -j | jq -e '.[0].ifname == "rn0"' >/dev/null
	$CTL add rn1 netns /run/netns/"$(ns a)"
	[ "$(ringnet_devs a)" = "rn0 rn1" ]
}

kernel_errors_verbatim()
{
	local out rc
	$CTL add rn0
	out=$($CTL set rn0 mem-limit 1K 2>&1) && fail "accepted 1K"
	grep -q "out of range" <<<"$out" || fail "no extack message: $out"
	out=$($CTL set rn0 mem-limit 100G 2>&1) && fail "accepted 100G"
	grep -q "memory limit above the module's max_mem_limit" <<<"$out" || fail "$out"
	out=$($CTL set rn0 offloads tso4 2>&1) && fail "accepted tso4 alone"
	grep -q "segmentation offloads need csum" <<<"$out" || fail "$out"
	out=$($CTL add rn1 offloads tso-ecn,csum 2>&1) && fail "accepted tso-ecn without tso"
	grep -q "tso-ecn needs tso4 or tso6" <<<"$out" || fail "$out"
	out=$($CTL show nosuch0 2>&1) && fail "showed nosuch0"
	grep -qi "no such device" <<<"$out" || fail "$out"
	ip link add d0 type dummy
	rc=0; $CTL show d0 >/dev/null 2>&1 || rc=$?
	[ $rc = 1 ] || fail "show d0 exit $rc"
	rc=0; $CTL del d0 >/dev/null 2>&1 || rc=$?
	[ $rc = 1 ] || fail "del d0 exit $rc"
	ip link show d0 >/dev/null
	out=$($CTL add rn0 2>&1) && fail "added rn0 twice"
	grep -qi "exists" <<<"$out" || fail "$out"
}

usage_errors()
{
	local rc args
	for args in "" "bogus" "add" "add rn0 mtu" "add rn0 mtu 12" "add rn0 address zz" \
		    "set rn0" "set rn0 offloads warp" "show -x"; do
		rc=0; $CTL $args >/dev/null 2>&1 || rc=$?
		[ $rc = 2 ] || fail "'ringnetctl $args' exited $rc, not 2"
	done
	$CTL help >/dev/null
}

# Events arrive in the order things happened, also across namespaces.
monitor_order()
{
	local out pid
	out=$(mktemp)
	$CTL monitor -j >"$out" &
	pid=$!
	ns_add a
	sleep 0.5
	$CTL add rn0
	$CTL add rn1
	ip link set rn0 netns "$(ns a)"
	ip -n "$(ns a)" link add rn7 type ringnet	# not ours to see
	$CTL del rn1
	ip -n "$(ns a)" link set rn0 netns 1
	$CTL del rn0
	wait_for 5 sh -c "[ \$(wc -l <$out) -ge 6 ]"
	kill $pid
	wait $pid || true
	local got
	got=$(jq -r '"\(.event) \(.ifname)"' "$out" | xargs)
	[ "$got" = "created rn0 created rn1 deleted rn0 deleted rn1 created rn0 deleted rn0" ] ||
		fail "events: $got"
}

# ip(8) with the plugin takes and shows the ringnet options.
ip_plugin()
{
	export IP_LIB_DIR=$RINGNET_BUILD/userspace/ip
	ip link add rn0 type ringnet mem-limit 8M offloads csum,tso4
	ip -d link show rn0 | grep -q "ringnet detached mem-limit 8388608 offloads csum,tso4" ||
		fail "$(ip -d link show rn0)"
	ip link set rn0 type ringnet offloads none
	[ "$(ip -d -j link show rn0 | jq -c '.[0].linkinfo.info_data')" = \
	  '{"attached":false,"mem_limit":8388608,"offloads":[]}' ] ||
		fail "$(ip -d -j link show rn0)"
	[ "$($CTL show -j rn0 | jq -c '.[0].offloads')" = '[]' ]
	must_fail ip link add rn1 type ringnet offloads warp
	# The same parser as ringnetctl's: an empty name is no name.
	must_fail ip link add rn1 type ringnet offloads csum,,tso4
	must_fail ip link add rn1 type ringnet offloads csum,
	# "all": every offload the module has (uso only where the kernel does).
	ip link add rn1 type ringnet offloads all
	$CTL show -j rn1 | jq -e '.[0].offloads | contains(["csum","tso4","tso6","tso-ecn"])' \
		>/dev/null || fail "offloads all: $($CTL show -j rn1 | jq -c '.[0].offloads')"
	ip link del rn1
	must_fail ip link add rn1 type ringnet mem-limit 1K
	# ringnetctl's byte counts: no blank, no sign, "-1" is no 2^64 - 1.
	must_fail ip link add rn1 type ringnet mem-limit " 8M"
	must_fail ip link add rn1 type ringnet mem-limit +8M
	out=$(ip link add rn1 type ringnet mem-limit -1 2>&1) && fail "accepted -1"
	grep -q 'bad mem-limit "-1"' <<<"$out" || fail "mem-limit -1: $out"
	ip link add rn1 type ringnet help 2>&1 | grep -q "mem-limit BYTES"
}

tap_run \
	ip_plugin		"ip link add/show with the ringnet options" \
	add_show_del		"add, show, set, del" \
	json_matches_ip		"show -j matches ip -d -j link" \
	add_in_netns		"add into a namespace by name and by path" \
	kernel_errors_verbatim	"kernel errors shown with their extack message" \
	usage_errors		"usage errors exit 2" \
	monitor_order		"monitor sees events in order"
