// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct family_ctx {
	uint16_t id;
	uint32_t events_group;
};

static int group_cb(const struct nlattr *attr, void *data)
{
	struct family_ctx *f = data;
	struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID)
			id = mnl_attr_get_u32(a);
	}
	if (name && !strcmp(name, RINGNET_MCGRP_EVENTS))
		f->events_group = id;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_ctx *f = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		f->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS: {
		struct nlattr *g;

		mnl_attr_for_each_nested(g, attr)
			group_cb(g, f);
		break;
	}
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			      data);
}

int rn_nl_open(struct rn_nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct family_ctx f = { 0 };
	struct genlmsghdr *g;
	struct nlmsghdr *nlh;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->seq = time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, RINGNET_GENL_NAME);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		goto fail;
	do {
		ret = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (ret <= 0)
			goto fail;
		ret = mnl_cb_run(buf, ret, nl->seq, mnl_socket_get_portid(nl->sock),
				 family_cb, &f);
	} while (ret > 0);
	if (ret < 0 || !f.id)
		goto fail;
	nl->family = f.id;
	nl->events_group = f.events_group;
	return 0;
fail:
	ret = errno ? -errno : -ENOENT;
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
	return ret;
}

void rn_nl_close(struct rn_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

struct nlmsghdr *rn_nl_msg(struct rn_nl *nl, char *buf, uint8_t cmd,
			   uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = RINGNET_GENL_VERSION;
	return nlh;
}

static int reply_attr_cb(const struct nlattr *attr, void *data)
{
	struct rn_reply *r = data;
	int type = mnl_attr_get_type(attr);

	if (type <= RINGNET_A_DEV_MAX)
		r->attrs[type] = (struct nlattr *)attr;
	return MNL_CB_OK;
}

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rn_reply *r = data;

	/* Keep the last reply: copy it where attrs can point into it. */
	if (nlh->nlmsg_len > sizeof(r->buf))
		return MNL_CB_ERROR;
	memcpy(r->buf, nlh, nlh->nlmsg_len);
	memset(r->attrs, 0, sizeof(r->attrs));
	r->count++;
	return mnl_attr_parse((struct nlmsghdr *)r->buf,
			      sizeof(struct genlmsghdr), reply_attr_cb, r);
}

/* The error message: an NLMSGERR_ATTR_MSG TLV after the echoed request. */
static void read_extack(const struct nlmsghdr *nlh, struct rn_reply *r)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int off = sizeof(*err);
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(err->msg);
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(r->msg, sizeof(r->msg), "%s", mnl_attr_get_str(a));
	}
}

int rn_nl_call(struct rn_nl *nl, struct nlmsghdr *nlh, struct rn_reply *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = nlh->nlmsg_seq;
	int ret;

	memset(r, 0, sizeof(*r));
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return r->error = -errno;

	for (;;) {
		const struct nlmsghdr *m;
		int len;

		len = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (len < 0)
			return r->error = -errno;
		/* Errors carry extack TLVs that mnl_cb_run() does not read. */
		for (m = (void *)buf; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != seq)
				continue;	/* a late answer to an earlier request */
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

				read_extack(m, r);
				return r->error = e->error;
			}
			if (m->nlmsg_type == NLMSG_DONE)
				return r->error = 0;
			ret = reply_cb(m, r);
			if (ret < 0)
				return r->error = -EMSGSIZE;
		}
	}
}

int rn_dev_get(struct rn_nl *nl, const char *ifname, uint32_t ifindex,
	       struct rn_reply *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rn_nl_msg(nl, buf, RINGNET_CMD_DEV_GET, 0);

	if (ifname)
		mnl_attr_put_strz(nlh, RINGNET_A_DEV_IFNAME, ifname);
	if (ifindex)
		mnl_attr_put_u32(nlh, RINGNET_A_DEV_IFINDEX, ifindex);
	return rn_nl_call(nl, nlh, r);
}

int rn_nl_subscribe(struct rn_nl *nl)
{
	int group = nl->events_group;

	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

int rn_nl_event(struct rn_nl *nl, int timeout_ms, uint8_t *cmd, char *ifname,
		size_t len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct pollfd p = { .fd = mnl_socket_get_fd(nl->sock), .events = POLLIN };
	struct rn_reply *r;
	struct nlmsghdr *nlh;
	int n;

	if (poll(&p, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	nlh = (struct nlmsghdr *)buf;
	if (!mnl_nlmsg_ok(nlh, n) || nlh->nlmsg_type != nl->family)
		return -EPROTO;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	reply_cb(nlh, r);
	*cmd = ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
	snprintf(ifname, len, "%s", r->attrs[RINGNET_A_DEV_IFNAME] ?
		 mnl_attr_get_str(r->attrs[RINGNET_A_DEV_IFNAME]) : "");
	free(r);
	return 0;
}
