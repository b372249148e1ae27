# libringnet, the userspace side of a channel (see ../Makefile for the format).
LIBRARIES		+= ringnet
ringnet_SRCS		:= lib/ring.c
