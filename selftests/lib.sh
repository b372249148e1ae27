# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by the shell selftests: TAP output in the format of
# kselftest_harness.h, and helpers for namespaces and the module.
#
# A test script defines one function per test and ends with
#   tap_run name_of_fn "what it checks" ...
# Each function runs in a subshell with `set -e`, so the first failing
# command fails the test; its output is shown only when it fails.

RINGNET_ROOT=${RINGNET_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
RINGNET_BUILD=${RINGNET_BUILD:-$RINGNET_ROOT/build}
KVER=${KVER:-$(uname -r)}
RINGNET_KO=$RINGNET_BUILD/$KVER/ringnet.ko
PATH=$RINGNET_BUILD/userspace:$PATH

# TAP_ONLY="fn1 fn2" (or "fn1,fn2", as tests.txt's env= takes no spaces)
# runs only those tests; TAP_SKIP the same, all but those.  Each test's
# run time is printed as a comment, for the time budget (scripts/check-report).
tap_run()
{
	local n=0 failed=0 fn desc log rc start only=" ${TAP_ONLY:-} " except=" ${TAP_SKIP:-} "
	local -a tests=()

	only=${only//,/ } except=${except//,/ }

	while [ $# -ge 2 ]; do
		if { [ -z "${TAP_ONLY:-}" ] || [[ $only == *" $1 "* ]]; } && [[ $except != *" $1 "* ]]; then
			tests+=("$1" "$2")
		fi
		shift 2
	done
	set -- "${tests[@]}"
	echo "TAP version 13"
	echo "1..$(($# / 2))"
	log=$(mktemp)
	while [ $# -ge 2 ]; do
		fn=$1 desc=$2
		shift 2
		n=$((n + 1))
		start=$EPOCHREALTIME
		( set -e; "$fn" ) >"$log" 2>&1
		rc=$?
		awk -v f="$fn" -v a="$start" -v b="$EPOCHREALTIME" \
			'BEGIN { printf "# %s: %.1fs\n", f, b - a }'
		if [ $rc -eq 0 ]; then
			echo "ok $n $desc"
		elif [ $rc -eq 4 ]; then
			echo "ok $n $desc # SKIP $(tail -n 1 "$log")"
		else
			failed=$((failed + 1))
			sed 's/^/# /' "$log"
			echo "not ok $n $desc"
		fi
		cleanup_all >/dev/null 2>&1
	done
	rm -f "$log"
	[ $failed -eq 0 ]
}

skip() { echo "$*"; exit 4; }
fail() { echo "FAIL: $*"; exit 1; }

# `! cmd` does not trip `set -e`; this does.
must_fail()
{
	if "$@" >/dev/null 2>&1; then
		fail "succeeded but should not have: $*"
	fi
}

# Namespaces made by a test carry this prefix and are removed after it.
NS_PREFIX=rnt$$-
ns() { echo "$NS_PREFIX$1"; }
ns_add() { local n; for n; do ip netns add "$(ns "$n")"; ip -n "$(ns "$n")" link set lo up; done; }
in_ns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

cleanup_all()
{
	local n
	for n in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX"); do
		ip netns del "$n"
	done
	ip -j -d link show | jq -r '.[] | select(.linkinfo.info_kind == "ringnet") | .ifname' |
		while read -r n; do ip link del "$n"; done
	module_loaded || insmod "$RINGNET_KO"
}

module_loaded() { [ -d /sys/module/ringnet ]; }

module_reload()
{
	rmmod ringnet
	insmod "$RINGNET_KO"
}

# Names of the ringnet devices in the current (or given) namespace.
ringnet_devs()
{
	local cmd=(ip -j -d link show)
	[ $# -gt 0 ] && cmd=(ip -n "$(ns "$1")" -j -d link show)
	"${cmd[@]}" | jq -r '.[] | select(.linkinfo.info_kind == "ringnet") | .ifname' | sort | xargs
}

# make_tmpd NAME [CLEANUP]: $TMPD, a new directory /tmp/NAME.XXXXXX that
# anyone may read (nginx's workers run as nobody).  When the test's
# subshell exits, CLEANUP runs: tmpd_cleanup unless given.
make_tmpd()
{
	TMPD=$(mktemp -d "/tmp/$1.XXXXXX")
	chmod 755 "$TMPD"
	# shellcheck disable=SC2064 # the name of the function, now
	trap "${2:-tmpd_cleanup}" EXIT
}

# tmpd_cleanup: the processes of $TMPD/*.pid killed, $TMPD removed.
tmpd_cleanup()
{
	local p
	for p in "$TMPD"/*.pid; do
		# It may have ended by itself: that is no failure.
		[ -f "$p" ] && { kill "$(cat "$p")" 2>/dev/null || true; }
	done
	rm -rf "$TMPD"
}

# host_and_out VETH [NS...]: the namespaces "host" and "out" (and the NS
# given, empty), joined by a veth: VETH-h, 198.51.100.1/24 in host, and
# VETH-o, 198.51.100.2/24 in out, the outside test host.  Loopbacks up;
# host allows ping sockets (a per-namespace sysctl).
host_and_out()
{
	local veth=$1 n
	shift
	# In batches: under TCG every process costs a good fraction of a second.
	ip -batch - <<-EOF
		netns add $(ns host)
		netns add $(ns out)
		$(for n; do echo "netns add $(ns "$n")"; done)
		link add $veth-h netns $(ns host) type veth peer name $veth-o netns $(ns out)
	EOF
	ip -n "$(ns host)" -batch - <<-EOF
		link set lo up
		addr add 198.51.100.1/24 dev $veth-h
		link set $veth-h up
	EOF
	ip -n "$(ns out)" -batch - <<-EOF
		link set lo up
		addr add 198.51.100.2/24 dev $veth-o
		link set $veth-o up
	EOF
	in_ns host sysctl -qw net.ipv4.ping_group_range="0 2147483647"
}

# Small Python servers and clients the tests share.
PYDIR=$RINGNET_ROOT/selftests/py
PY=/usr/bin/python3

# start_py NAME NS SCRIPT ARGS...: a Python program in the test's
# namespace NS, in the background; its pid in $TMPD/NAME.pid.
start_py()
{
	local name=$1 n=$2
	shift 2
	ip netns exec "$(ns "$n")" "$PY" "$@" &
	echo $! >"$TMPD/$name.pid"
}

# Wait up to $1 seconds for a command to succeed.
wait_for()
{
	local t=$1 i
	shift
	for ((i = 0; i < t * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}
