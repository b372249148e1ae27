// SPDX-License-Identifier: GPL-2.0
/*
 * ringnet: the "ringnet" generic netlink family.
 *
 * Numbers and checks follow Documentation/netlink/specs/ringnet.yaml.  The
 * operations are written as plain genl_ops with a policy each, which both
 * 6.1 and later kernels accept, and the family is strict (resv_start_op 0):
 * an attribute an operation does not take is refused, not ignored.
 */

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "ringnet.h"

static struct genl_family ringnet_genl_family;

enum {
	RINGNET_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group ringnet_mcgrps[] = {
	[RINGNET_MCGRP_EVENTS_ID] = { .name = RINGNET_MCGRP_EVENTS },
};

/* DEV_GET takes only a device selector. */
static const struct nla_policy ringnet_dev_get_policy[RINGNET_A_DEV_IFNAME + 1] = {
	[RINGNET_A_DEV_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[RINGNET_A_DEV_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

/* DEV_SET takes a device selector and the settings that may change. */
static const struct nla_policy ringnet_dev_set_policy[RINGNET_A_DEV_OFFLOADS + 1] = {
	[RINGNET_A_DEV_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[RINGNET_A_DEV_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[RINGNET_A_DEV_MEM_LIMIT] = NLA_POLICY_FULL_RANGE(NLA_U64,
						&ringnet_mem_limit_range),
	[RINGNET_A_DEV_OFFLOADS] = NLA_POLICY_MASK(NLA_U64, RINGNET_F_ALL),
};

/*
 * Resolve the device a request names, in the requester's namespace, and
 * make sure it is ours before anyone looks at its private data.  Returns it
 * with a reference held.
 */
static struct net_device *ringnet_lookup(struct genl_info *info)
{
	struct nlattr *ifindex = info->attrs[RINGNET_A_DEV_IFINDEX];
	struct nlattr *ifname = info->attrs[RINGNET_A_DEV_IFNAME];
	struct net *net = genl_info_net(info);
	struct net_device *dev;

	if (!ifindex && !ifname) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, RINGNET_A_DEV_IFINDEX);
		NL_SET_ERR_MSG(info->extack, "missing device: give its ifindex or name");
		return ERR_PTR(-EINVAL);
	}
	if (ifindex && ifname) {
		NL_SET_ERR_MSG_ATTR(info->extack, ifname,
				    "give the device's ifindex or name, not both");
		return ERR_PTR(-EINVAL);
	}

	if (ifindex)
		dev = dev_get_by_index(net, nla_get_u32(ifindex));
	else
		dev = dev_get_by_name(net, nla_data(ifname));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, ifindex ?: ifname,
				    "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!ringnet_is_ringnet(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(info->extack, ifindex ?: ifname,
				    "not a ringnet device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dev;
}

static int ringnet_put_stats(struct sk_buff *skb, struct ringnet_dev *rn)
{
	u64 c[RINGNET_NR_COUNTERS];
	struct nlattr *nest;
	int i;

	BUILD_BUG_ON(RINGNET_A_STATS_RX_PACKETS + RINGNET_NR_COUNTERS - 1 !=
		     RINGNET_A_STATS_MAX);

	ringnet_read_counters(rn, c);
	nest = nla_nest_start(skb, RINGNET_A_DEV_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < RINGNET_NR_COUNTERS; i++) {
		if (nla_put_u64_64bit(skb, RINGNET_A_STATS_RX_PACKETS + i, c[i],
				      RINGNET_A_STATS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One device as a message: a reply, a dump entry or an event. */
static int ringnet_fill_dev(struct sk_buff *skb, struct net_device *dev,
			    u8 cmd, u32 portid, u32 seq, int flags,
			    struct netlink_callback *cb)
{
	struct ringnet_dev *rn = netdev_priv(dev);
	struct ringnet_channel *ch;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ringnet_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	if (nla_put_u32(skb, RINGNET_A_DEV_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, RINGNET_A_DEV_IFNAME, dev->name) ||
	    nla_put(skb, RINGNET_A_DEV_ADDRESS, ETH_ALEN, dev->dev_addr) ||
	    nla_put_u32(skb, RINGNET_A_DEV_MTU, READ_ONCE(dev->mtu)) ||
	    nla_put_u8(skb, RINGNET_A_DEV_ATTACHED, READ_ONCE(rn->attached)) ||
	    nla_put_u64_64bit(skb, RINGNET_A_DEV_MEM_LIMIT,
			      READ_ONCE(rn->mem_limit), RINGNET_A_DEV_PAD) ||
	    nla_put_u64_64bit(skb, RINGNET_A_DEV_OFFLOADS,
			      READ_ONCE(rn->offloads), RINGNET_A_DEV_PAD) ||
	    nla_put_u64_64bit(skb, RINGNET_A_DEV_OFFLOADS_ACTIVE,
			      READ_ONCE(rn->offloads_active), RINGNET_A_DEV_PAD) ||
	    ringnet_put_stats(skb, rn))
		goto cancel;

	rcu_read_lock();
	ch = rcu_dereference(rn->channel);
	if (ch && ringnet_chan_fill(skb, ch)) {
		rcu_read_unlock();
		goto cancel;
	}
	rcu_read_unlock();

	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int ringnet_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	struct sk_buff *msg;
	int err;

	dev = ringnet_lookup(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		dev_put(dev);
		return -ENOMEM;
	}
	err = ringnet_fill_dev(msg, dev, RINGNET_CMD_DEV_GET, info->snd_portid,
			       info->snd_seq, 0, NULL);
	dev_put(dev);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: how many ringnet devices earlier messages already carried. */
static int ringnet_nl_dev_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	long skip = cb->args[0], done = 0;
	struct net_device *dev;
	int err = 0;

	rcu_read_lock();
	cb->seq = READ_ONCE(net->dev_base_seq);
	for_each_netdev_rcu(net, dev) {
		if (!ringnet_is_ringnet(dev))
			continue;
		if (done++ < skip)
			continue;
		err = ringnet_fill_dev(skb, dev, RINGNET_CMD_DEV_GET,
				       NETLINK_CB(cb->skb).portid,
				       cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err) {
			done--;
			break;
		}
	}
	rcu_read_unlock();
	cb->args[0] = done;

	/* A device too big for an empty message would loop forever. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

static int ringnet_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *mem_limit = info->attrs[RINGNET_A_DEV_MEM_LIMIT];
	struct nlattr *offloads = info->attrs[RINGNET_A_DEV_OFFLOADS];
	struct net_device *dev;
	int err;

	rtnl_lock();
	dev = ringnet_lookup(info);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out_unlock;
	}
	if (!mem_limit && !offloads) {
		NL_SET_ERR_MSG(info->extack, "nothing to change");
		err = -EINVAL;
		goto out_put;
	}
	err = ringnet_check_settings(mem_limit, offloads, info->extack);
	if (!err)
		ringnet_apply_settings(netdev_priv(dev), mem_limit, offloads);
out_put:
	dev_put(dev);
out_unlock:
	rtnl_unlock();
	return err;
}

static const struct genl_ops ringnet_genl_ops[] = {
	{
		.cmd	= RINGNET_CMD_DEV_GET,
		.doit	= ringnet_nl_dev_get_doit,
		.dumpit	= ringnet_nl_dev_get_dumpit,
		.policy	= ringnet_dev_get_policy,
		.maxattr = ARRAY_SIZE(ringnet_dev_get_policy) - 1,
	},
	{
		.cmd	= RINGNET_CMD_DEV_SET,
		.doit	= ringnet_nl_dev_set_doit,
		.policy	= ringnet_dev_set_policy,
		.maxattr = ARRAY_SIZE(ringnet_dev_set_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family ringnet_genl_family __ro_after_init = {
	.name		= RINGNET_GENL_NAME,
	.version	= RINGNET_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= ringnet_genl_ops,
	.n_ops		= ARRAY_SIZE(ringnet_genl_ops),
	.mcgrps		= ringnet_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ringnet_mcgrps),
};

/*
 * Tell the device's namespace what happened to it.  Events are best effort,
 * as rtnetlink's are: a listener that falls behind sees ENOBUFS.
 */
void ringnet_genl_notify(struct net_device *dev, u8 cmd, gfp_t gfp)
{
	struct net *net = dev_net(dev);
	struct sk_buff *msg;

	if (!genl_has_listeners(&ringnet_genl_family, net,
				RINGNET_MCGRP_EVENTS_ID))
		return;

	msg = nlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!msg)
		return;
	if (ringnet_fill_dev(msg, dev, cmd, 0, 0, 0, NULL)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&ringnet_genl_family, net, msg, 0,
				RINGNET_MCGRP_EVENTS_ID, gfp);
}

/* A channel broke the ring protocol; may be called from softirq. */
void ringnet_genl_notify_error(struct net_device *dev, int errnum,
			       const char *what)
{
	struct net *net = dev_net(dev);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&ringnet_genl_family, net,
				RINGNET_MCGRP_EVENTS_ID))
		return;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &ringnet_genl_family, 0,
			  RINGNET_CMD_DEV_ERROR_NTF);
	if (!hdr ||
	    nla_put_u32(msg, RINGNET_A_DEV_IFINDEX, dev->ifindex) ||
	    nla_put_string(msg, RINGNET_A_DEV_IFNAME, dev->name) ||
	    nla_put_u32(msg, RINGNET_A_DEV_ERRNO, errnum) ||
	    nla_put_string(msg, RINGNET_A_DEV_ERROR_MSG, what)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&ringnet_genl_family, net, msg, 0,
				RINGNET_MCGRP_EVENTS_ID, GFP_ATOMIC);
}

int __init ringnet_genl_init(void)
{
	return genl_register_family(&ringnet_genl_family);
}

void ringnet_genl_exit(void)
{
	genl_unregister_family(&ringnet_genl_family);
}
