# libringnet, the userspace side of a channel (see ../Makefile for the format).
LIBRARIES		+= ringnet
ringnet_SRCS		:= lib/ring.c

# Index arithmetic against a fake channel: no kernel needed.
TESTS			+= libringnet-test-ring
libringnet-test-ring_SRCS := lib/tests/test-ring.c lib/ring.c
