// SPDX-License-Identifier: GPL-2.0
/*
 * --config-net: give the sandbox its address, MTU, link and default route
 * ourselves, over rtnetlink (libmnl), for sandboxes that run no DHCP
 * client.  Done inside the sandbox's namespace, after the device exists.
 *
 * Order matters: the link must be up before the route through the gateway
 * can be added, since the kernel only accepts a gateway it can reach
 * through an up link's prefix route.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "gw.h"
#include "netcfg.h"

static int nl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto err;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0) {
		ret = -errno;
		goto err;
	}
	ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, NULL, NULL);
	if (ret < 0) {
		ret = -errno;
		goto err;
	}
	return 0;
err:
	gw_log(LOG_ERR_, "rtnetlink: %s: %s", what, strerror(-ret));
	return ret;
}

static struct mnl_socket *nl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (!nl) {
		gw_log(LOG_ERR_, "rtnetlink: %s", strerror(errno));
		return NULL;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		gw_log(LOG_ERR_, "rtnetlink: bind: %s", strerror(errno));
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

int netcfg_sandbox(const char *dev, uint32_t addr, unsigned int prefix,
		   uint32_t gw, unsigned int mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int ifindex = if_nametoindex(dev);
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct ifaddrmsg *ifa;
	struct rtmsg *rtm;
	int ret;

	if (!ifindex) {
		gw_log(LOG_ERR_, "%s: %s", dev, strerror(errno));
		return -ENODEV;
	}
	nl = nl_open();
	if (!nl)
		return -EIO;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	ret = nl_talk(nl, nlh, "set link up and MTU");
	if (ret)
		goto out;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, addr);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, addr);
	ret = nl_talk(nl, nlh, "add address");
	if (ret)
		goto out;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_GATEWAY, gw);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	ret = nl_talk(nl, nlh, "add default route");
out:
	mnl_socket_close(nl);
	return ret;
}

int netcfg_ringnet_add(const char *dev)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *li;
	int ret;

	nl = nl_open();
	if (!nl)
		return -EIO;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, dev);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "ringnet");
	mnl_attr_nest_end(nlh, li);
	ret = nl_talk(nl, nlh, "create ringnet device");
	mnl_socket_close(nl);
	return ret;
}
