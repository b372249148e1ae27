// SPDX-License-Identifier: GPL-2.0
/*
 * The rtnetlink commands: "add" and "del".
 *
 * RTM_NEWLINK is built by hand.  libnl-route can only put IFLA_INFO_DATA
 * for link kinds it has rtnl_link_info_ops for, and in libnl 3.7 that
 * structure lives in libnl's private headers: registering one for
 * "ringnet" would mean copying a private struct layout that may change
 * under us.  The message is a handful of attributes, so nlmsg/nla calls
 * say plainly what goes to the kernel.  "del" does use libnl-route: it
 * reads the link to check its kind, then deletes it by ifindex.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

#include "dev.h"
#include "nl.h"
#include "ringnetctl.h"

struct add_options {
	const char *ifname;
	bool has_mtu, has_address, has_mem_limit, has_offloads;
	uint32_t mtu;
	uint8_t address[RN_ETH_ALEN];
	const char *netns;
	uint64_t mem_limit;
	uint64_t offloads;
};

/* Where the new device goes: an nsfs file descriptor, or a process's. */
struct netns_target {
	int fd;			/* -1 unless given by name or path */
	uint32_t pid;		/* 0 unless given by PID */
};

static void parse_add_options(int argc, char **argv, struct add_options *o)
{
	bool has_netns = false;

	if (argc < 1)
		usage_error("add: missing DEV");
	o->ifname = parse_ifname(argv[0]);

	for (int i = 1; i < argc; i += 2) {
		const char *key = argv[i];

		if (!strcmp(key, "mtu")) {
			option_once(&o->has_mtu, key);
			o->mtu = parse_mtu(option_value(argc, argv, i));
		} else if (!strcmp(key, "address")) {
			option_once(&o->has_address, key);
			parse_mac(option_value(argc, argv, i), o->address);
		} else if (!strcmp(key, "netns")) {
			option_once(&has_netns, key);
			o->netns = option_value(argc, argv, i);
			if (!*o->netns)
				usage_error("empty netns");
		} else if (!strcmp(key, "mem-limit")) {
			option_once(&o->has_mem_limit, key);
			o->mem_limit = parse_bytes(key, option_value(argc, argv, i));
		} else if (!strcmp(key, "offloads")) {
			option_once(&o->has_offloads, key);
			o->offloads = parse_offloads(option_value(argc, argv, i));
		} else {
			usage_error("add: unknown option '%s'", key);
		}
	}
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * NAME is /run/netns/NAME (as "ip netns add" makes them), anything with a
 * '/' is a path to an nsfs file, and a number is a PID, unless
 * /run/netns/NUMBER exists (as with "ip link set ... netns").
 */
static int netns_open(const char *spec, struct netns_target *t)
{
	char path[4096];
	int type;

	t->fd = -1;
	t->pid = 0;

	if (strchr(spec, '/')) {
		snprintf(path, sizeof(path), "%s", spec);
	} else {
		if (!strcmp(spec, ".") || !strcmp(spec, ".."))
			usage_error("invalid netns name '%s'", spec);
		snprintf(path, sizeof(path), "/run/netns/%s", spec);
		if (all_digits(spec) && access(path, F_OK) < 0) {
			unsigned long pid = strtoul(spec, NULL, 10);

			if (!pid || pid > INT32_MAX)
				usage_error("invalid netns PID '%s'", spec);
			t->pid = pid;
			return 0;
		}
	}

	t->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (t->fd < 0) {
		fprintf(stderr, "ringnetctl: netns %s: cannot open %s: %s\n",
			spec, path, strerror(errno));
		return -1;
	}

	/* Catch a wrong file here, with its name, rather than get EINVAL. */
	type = ioctl(t->fd, NS_GET_NSTYPE);
	if ((type < 0 && errno == ENOTTY) || (type >= 0 && type != CLONE_NEWNET)) {
		fprintf(stderr, "ringnetctl: netns %s: %s is not a network"
			" namespace\n", spec, path);
		close(t->fd);
		t->fd = -1;
		return -1;
	}
	return 0;
}

static int put_link_info(struct nl_msg *msg, const struct add_options *o)
{
	struct nlattr *linkinfo, *data;

	linkinfo = nla_nest_start(msg, IFLA_LINKINFO | NLA_F_NESTED);
	if (!linkinfo)
		return -NLE_NOMEM;
	NLA_PUT_STRING(msg, IFLA_INFO_KIND, RINGNET_LINK_KIND);

	if (o->has_mem_limit || o->has_offloads) {
		data = nla_nest_start(msg, IFLA_INFO_DATA | NLA_F_NESTED);
		if (!data)
			return -NLE_NOMEM;
		if (o->has_mem_limit)
			NLA_PUT_U64(msg, IFLA_RINGNET_MEM_LIMIT, o->mem_limit);
		if (o->has_offloads)
			NLA_PUT_U64(msg, IFLA_RINGNET_OFFLOADS, o->offloads);
		nla_nest_end(msg, data);
	}

	nla_nest_end(msg, linkinfo);
	return 0;

nla_put_failure:
	return -NLE_NOMEM;
}

static struct nl_msg *build_newlink(const struct add_options *o,
				    const struct netns_target *ns)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;

	/* EXCL: an existing device of that name is an error, not a no-op. */
	msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (!msg)
		return NULL;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto nla_put_failure;

	NLA_PUT_STRING(msg, IFLA_IFNAME, o->ifname);
	if (o->has_mtu)
		NLA_PUT_U32(msg, IFLA_MTU, o->mtu);
	if (o->has_address)
		NLA_PUT(msg, IFLA_ADDRESS, RN_ETH_ALEN, o->address);
	if (ns->fd >= 0)
		NLA_PUT_U32(msg, IFLA_NET_NS_FD, ns->fd);
	if (ns->pid)
		NLA_PUT_U32(msg, IFLA_NET_NS_PID, ns->pid);
	if (put_link_info(msg, o) < 0)
		goto nla_put_failure;
	return msg;

nla_put_failure:
	nlmsg_free(msg);
	return NULL;
}

int cmd_add(int argc, char **argv)
{
	struct netns_target ns = { .fd = -1 };
	struct add_options o = { 0 };
	int ret = RINGNETCTL_EXIT_FAILURE;
	struct nl_msg *msg;
	struct rn_nl nl;
	int err;

	parse_add_options(argc, argv, &o);
	if (o.netns && netns_open(o.netns, &ns) < 0)
		return RINGNETCTL_EXIT_FAILURE;

	err = rn_nl_open(&nl, NETLINK_ROUTE);
	if (err < 0) {
		rn_nl_perror(NULL, err, "rtnetlink socket");
		goto out_ns;
	}

	msg = build_newlink(&o, &ns);
	if (!msg) {
		fprintf(stderr, "ringnetctl: out of memory\n");
		goto out_nl;
	}

	err = rn_nl_request(&nl, msg, NULL, NULL);
	if (err < 0)
		rn_nl_perror(&nl, err, "RTM_NEWLINK %s", o.ifname);
	else
		ret = 0;

	nlmsg_free(msg);
out_nl:
	rn_nl_close(&nl);
out_ns:
	if (ns.fd >= 0)
		close(ns.fd);
	return ret;
}

/*
 * Deletes the link only if it is a ringnet device, by the ifindex we
 * checked, so a rename in between cannot make us delete something else.
 */
static int del_ringnet_link(struct rn_nl *nl, const char *ifname)
{
	struct rtnl_link *link = NULL;
	struct nl_msg *msg = NULL;
	const char *kind;
	int err;

	rn_nl_clear_error(nl);
	err = rtnl_link_get_kernel(nl->sk, 0, ifname, &link);
	if (err < 0) {
		rn_nl_perror(nl, err, "RTM_GETLINK %s", ifname);
		return -1;
	}

	kind = rtnl_link_get_type(link);
	if (!kind || strcmp(kind, RINGNET_LINK_KIND)) {
		fprintf(stderr, "ringnetctl: del %s: not a ringnet device"
			" (link kind: %s); refusing to delete it\n",
			ifname, kind ? kind : "none");
		err = -1;
		goto out;
	}

	err = rtnl_link_build_delete_request(link, &msg);
	if (err < 0) {
		rn_nl_perror(NULL, err, "RTM_DELLINK %s", ifname);
		goto out;
	}
	err = rn_nl_request(nl, msg, NULL, NULL);
	if (err < 0)
		rn_nl_perror(nl, err, "RTM_DELLINK %s", ifname);

out:
	nlmsg_free(msg);
	rtnl_link_put(link);
	return err < 0 ? -1 : 0;
}

int cmd_del(int argc, char **argv)
{
	const char *ifname;
	struct rn_nl nl;
	int err;

	if (argc < 1)
		usage_error("del: missing DEV");
	if (argc > 1)
		usage_error("del: unexpected argument '%s'", argv[1]);
	ifname = parse_ifname(argv[0]);

	err = rn_nl_open(&nl, NETLINK_ROUTE);
	if (err < 0) {
		rn_nl_perror(NULL, err, "rtnetlink socket");
		return RINGNETCTL_EXIT_FAILURE;
	}
	err = del_ringnet_link(&nl, ifname);
	rn_nl_close(&nl);
	return err < 0 ? RINGNETCTL_EXIT_FAILURE : 0;
}
