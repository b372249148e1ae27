#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device lifecycle: create, delete, namespace deletion and module unload, in
# every order.  What must hold each time: the device is really gone (from
# every namespace that can still be looked at), nothing is moved back into
# the initial namespace, the module unloads and loads again, and the kernel
# log stays clean (the VM runner checks it after the suite).

. "$(dirname "$0")/lib.sh"

create_delete()
{
	local i
	for i in $(seq 1 50); do
		ip link add rn0 type ringnet
		ip link set rn0 up
		ip link del rn0
	done
	[ -z "$(ringnet_devs)" ]
}

link_properties()
{
	ip link add rn0 address 02:00:00:aa:bb:cc mtu 9000 type ringnet
	[ "$(ip -j link show rn0 | jq -r '.[0].address')" = 02:00:00:aa:bb:cc ]
	[ "$(ip -j link show rn0 | jq -r '.[0].mtu')" = 9000 ]
	ip link set rn0 mtu 65520
	must_fail ip link set rn0 mtu 65521
	must_fail ip link set rn0 mtu 67
	[ "$(ip -j -d link show rn0 | jq -r '.[0].max_mtu')" = 65520 ]
	# a multicast or zero address is refused
	must_fail ip link add rn1 address 01:00:5e:00:00:01 type ringnet
	must_fail ip link add rn1 address 00:00:00:00:00:00 type ringnet
	# two devices never share a random address
	ip link add rn1 type ringnet
	[ "$(ip -j link show rn0 | jq -r '.[0].address')" != "$(ip -j link show rn1 | jq -r '.[0].address')" ]
	ip link set rn0 address 02:00:00:aa:bb:cd
	[ "$(ip -j link show rn0 | jq -r '.[0].address')" = 02:00:00:aa:bb:cd ]
}

carrier_off_without_channel()
{
	ip link add rn0 type ringnet
	ip link set rn0 up
	ip addr add 192.0.2.1/24 dev rn0
	[ "$(cat /sys/class/net/rn0/carrier)" = 0 ]
	[ "$(ip -j link show rn0 | jq -r '.[0].operstate')" = DOWN ]
	# Nothing can be sent without a channel: the packets never reach the
	# device (qdisc is deactivated while the carrier is off).
	must_fail ping -c 1 -W 1 192.0.2.2
	ip link del rn0
}

netns_delete_takes_devices()
{
	ns_add a b
	ip -n "$(ns a)" link add rn0 type ringnet
	ip -n "$(ns a)" link add rn1 type ringnet
	ip link add rn2 type ringnet
	ip link set rn2 netns "$(ns b)"
	[ "$(ringnet_devs a)" = "rn0 rn1" ]
	[ "$(ringnet_devs b)" = "rn2" ]
	[ -z "$(ringnet_devs)" ]
	ip netns del "$(ns a)"
	ip netns del "$(ns b)"
	# Devices of a dying namespace are deleted, not handed back to init_net.
	sleep 1
	[ -z "$(ringnet_devs)" ]
	module_reload
}

rmmod_takes_devices()
{
	ns_add a
	ip link add rn0 type ringnet
	ip -n "$(ns a)" link add rn1 type ringnet
	ip -n "$(ns a)" link set rn1 up
	rmmod ringnet
	[ -z "$(ringnet_devs)" ]
	[ -z "$(ringnet_devs a)" ]
	must_fail ip link add rn0 type ringnet
	insmod "$RINGNET_KO"
	ip -n "$(ns a)" link add rn1 type ringnet
	ip netns del "$(ns a)"
}

rmmod_during_netns_teardown()
{
	local i
	for i in $(seq 1 10); do
		ns_add "t$i"
		ip -n "$(ns "t$i")" link add rn0 type ringnet
		ip -n "$(ns "t$i")" link set rn0 up
	done
	for i in $(seq 1 10); do
		ip netns del "$(ns "t$i")" &
	done
	rmmod ringnet
	wait
	insmod "$RINGNET_KO"
	[ -z "$(ringnet_devs)" ]
}

netns_delete_during_rmmod()
{
	local i
	for i in $(seq 1 10); do
		ns_add "u$i"
		ip -n "$(ns "u$i")" link add rn0 type ringnet
	done
	rmmod ringnet &
	for i in $(seq 1 10); do
		ip netns del "$(ns "u$i")"
	done
	wait
	insmod "$RINGNET_KO"
	[ -z "$(ringnet_devs)" ]
}

move_then_delete_target_netns()
{
	ns_add a
	ip link add rn0 type ringnet
	ip link set rn0 netns "$(ns a)"
	ip -n "$(ns a)" link set rn0 up
	ip -n "$(ns a)" link set rn0 netns 1
	[ "$(ringnet_devs)" = rn0 ]
	ip link set rn0 netns "$(ns a)"
	ip netns del "$(ns a)"
	sleep 1
	[ -z "$(ringnet_devs)" ]
}

load_unload_loop()
{
	local i
	for i in $(seq 1 10); do
		module_reload
		ip link add rn0 type ringnet
		ip link add rn1 type ringnet
		ip link del rn0
	done
	module_reload
	[ -z "$(ringnet_devs)" ]
}

many_devices()
{
	local i
	for i in $(seq 0 199); do
		echo "link add rn$i type ringnet"
	done | ip -batch -
	[ "$(ringnet_devs | wc -w)" = 200 ]
	module_reload
	[ -z "$(ringnet_devs)" ]
}

tap_run \
	create_delete			"create and delete, 50 times" \
	link_properties			"address, MTU range up to 65520, address checks" \
	carrier_off_without_channel	"carrier is off while no channel is attached" \
	netns_delete_takes_devices	"deleting a namespace deletes its devices" \
	rmmod_takes_devices		"rmmod deletes devices in every namespace" \
	rmmod_during_netns_teardown	"rmmod while namespaces are being torn down" \
	netns_delete_during_rmmod	"namespaces deleted while rmmod runs" \
	move_then_delete_target_netns	"a moved device dies with its new namespace" \
	load_unload_loop		"load and unload with devices, 10 times" \
	many_devices			"200 devices, then unload"
