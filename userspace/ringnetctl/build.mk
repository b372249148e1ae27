# ringnetctl, the configuration tool (see ../Makefile for the format).
PROGRAMS		+= ringnetctl
ringnetctl_SRCS		:= ringnetctl/ringnetctl.c ringnetctl/link.c \
			   ringnetctl/genl.c ringnetctl/nl.c ringnetctl/dev.c \
			   ringnetctl/json.c
ringnetctl_PKGS		:= libnl-3.0 libnl-genl-3.0 libnl-route-3.0

# Reply parsing and printing, checked against messages built in the test.
TESTS			+= ringnetctl-test-dev
ringnetctl-test-dev_SRCS := ringnetctl/tests/test-dev.c ringnetctl/dev.c \
			   ringnetctl/json.c
ringnetctl-test-dev_PKGS := libnl-3.0 libnl-genl-3.0
