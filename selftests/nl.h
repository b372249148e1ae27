/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small generic netlink client for the selftests, on libmnl: enough to
 * send one request of the ringnet family and read back either the reply's
 * attributes or the kernel's errno and extack message.
 */
#ifndef RINGNET_SELFTEST_NL_H
#define RINGNET_SELFTEST_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/ringnet.h>

struct rn_nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t seq;
	uint32_t events_group;
};

/* What came back: a reply's attributes, or an error and its message. */
struct rn_reply {
	int error;			/* 0 or a negative errno */
	char msg[256];			/* the extack message, or "" */
	int count;			/* replies (dump entries) received */
	struct nlattr *attrs[RINGNET_A_DEV_MAX + 1];	/* the last reply's */
	char buf[16384];		/* backing store for attrs */
};

int rn_nl_open(struct rn_nl *nl);
void rn_nl_close(struct rn_nl *nl);

/* Start a request; add attributes with mnl_attr_put*() on the result. */
struct nlmsghdr *rn_nl_msg(struct rn_nl *nl, char *buf, uint8_t cmd,
			   uint16_t flags);

/* Send it and wait for the answer. */
int rn_nl_call(struct rn_nl *nl, struct nlmsghdr *nlh, struct rn_reply *r);

/* Convenience: DEV_GET by name (ifname) or index (ifindex > 0). */
int rn_dev_get(struct rn_nl *nl, const char *ifname, uint32_t ifindex,
	       struct rn_reply *r);

/* Join the events group; rn_nl_event() then reads one event, or times out. */
int rn_nl_subscribe(struct rn_nl *nl);
int rn_nl_event(struct rn_nl *nl, int timeout_ms, uint8_t *cmd, char *ifname,
		size_t len);

#endif
