# ringnet-run, a command in a sandbox networked by ringnetd (see ../Makefile).
PROGRAMS		+= ringnet-run
ringnet-run_SRCS	:= ringnet-run/ringnet-run.c
