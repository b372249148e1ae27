# ringnetd, the gateway (see ../Makefile for the format).
RINGNETD_CORE		:= ringnetd/gw.c ringnetd/eth.c ringnetd/arp.c \
			   ringnetd/ip4.c ringnetd/frag.c ringnetd/icmp.c ringnetd/udp.c \
			   ringnetd/dhcp.c ringnetd/dns.c ringnetd/flow.c \
			   ringnetd/tcp.c ringnetd/tcp_ooo.c ringnetd/port.c \
			   ringnetd/csum.c ringnetd/log.c
RINGNETD_CORE		+= ringnetd/parse.c

PROGRAMS		+= ringnetd
ringnetd_SRCS		:= ringnetd/main.c ringnetd/netcfg.c \
			   ringnetd/source_tap.c ringnetd/source_ringnet.c \
			   $(RINGNETD_CORE)
ringnetd_PKGS		:= libmnl
ringnetd_LIBS		:= ringnet

# The protocol code against crafted and malformed frames, through a fake
# frame source: no device, no root.
TESTS			+= ringnetd-test-proto
ringnetd-test-proto_SRCS := ringnetd/tests/test-proto.c ringnetd/tests/fake.c $(RINGNETD_CORE)

# The TCP relay against real loopback sockets, through a fake frame source.
TESTS			+= ringnetd-test-tcp
ringnetd-test-tcp_SRCS := ringnetd/tests/test-tcp.c ringnetd/tests/fake.c $(RINGNETD_CORE)

# libFuzzer targets (make fuzz at the top): frames through the gateway on
# the same fake source, and the text parsers.
FUZZERS			+= ringnetd-fuzz-frames
ringnetd-fuzz-frames_SRCS := ringnetd/fuzz/fuzz-frames.c ringnetd/tests/fake.c $(RINGNETD_CORE)

FUZZERS			+= ringnetd-fuzz-parse
ringnetd-fuzz-parse_SRCS := ringnetd/fuzz/fuzz-parse.c $(RINGNETD_CORE)
