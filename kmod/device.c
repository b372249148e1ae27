// SPDX-License-Identifier: GPL-2.0
/*
 * ringnet: the network device and its rtnetlink link kind.
 *
 * Devices are created and deleted only through rtnetlink ("ip link add rn0
 * type ringnet"), so the core deletes them with their network namespace and
 * on module unload.  Carrier stays off until a userspace channel attaches.
 */

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/module.h>
#include <linux/sizes.h>

#include "ringnet.h"

/* Largest MTU: a 64 KiB IP packet less the Ethernet header, as pasta uses. */
#define RINGNET_MAX_MTU		65520

static unsigned long long default_mem_limit = SZ_64M;
module_param(default_mem_limit, ullong, 0644);
MODULE_PARM_DESC(default_mem_limit,
		 "ring memory limit of a new device, in bytes (default 64 MiB)");

unsigned long long ringnet_max_mem_limit = SZ_1G;
module_param_named(max_mem_limit, ringnet_max_mem_limit, ullong, 0644);
MODULE_PARM_DESC(max_mem_limit,
		 "highest ring memory limit any device may have, in bytes (default 1 GiB)");

/* The policies' lower bound; the upper one is a module parameter. */
struct netlink_range_validation ringnet_mem_limit_range = {
	.min = RINGNET_MEM_LIMIT_MIN,
	.max = U64_MAX,
};

void ringnet_read_counters(struct ringnet_dev *rn, u64 *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(u64) * RINGNET_NR_COUNTERS);
	for_each_possible_cpu(cpu) {
		const struct ringnet_pcpu_stats *s = per_cpu_ptr(rn->stats, cpu);
		u64 snap[RINGNET_NR_COUNTERS];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < RINGNET_NR_COUNTERS; i++)
				snap[i] = u64_stats_read(&s->count[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		for (i = 0; i < RINGNET_NR_COUNTERS; i++)
			sum[i] += snap[i];
	}
}

/*
 * Settings can arrive through rtnetlink (IFLA_RINGNET_*) or generic netlink
 * (RINGNET_A_DEV_*); both carry the same u64 payloads, so one check serves
 * both.  The policies have already checked types, the minimum and that no
 * unknown offload bit is set.
 */
int ringnet_check_settings(const struct nlattr *mem_limit,
			   const struct nlattr *offloads,
			   struct netlink_ext_ack *extack)
{
	if (mem_limit && nla_get_u64(mem_limit) > READ_ONCE(ringnet_max_mem_limit)) {
		NL_SET_ERR_MSG_ATTR(extack, mem_limit,
				    "memory limit above the module's max_mem_limit");
		return -ERANGE;
	}

	if (offloads) {
		u64 f = nla_get_u64(offloads);

		if ((f & (RINGNET_F_TSO4 | RINGNET_F_TSO6 | RINGNET_F_USO)) &&
		    !(f & RINGNET_F_CSUM)) {
			NL_SET_ERR_MSG_ATTR(extack, offloads,
					    "segmentation offloads need csum");
			return -EINVAL;
		}
		if ((f & RINGNET_F_TSO_ECN) &&
		    !(f & (RINGNET_F_TSO4 | RINGNET_F_TSO6))) {
			NL_SET_ERR_MSG_ATTR(extack, offloads,
					    "tso-ecn needs tso4 or tso6");
			return -EINVAL;
		}
		/* "all" must work everywhere: allow what exists, and say so. */
		if (f & ~RINGNET_F_SUPPORTED)
			NL_SET_ERR_MSG_ATTR(extack, offloads,
					    "uso needs Linux 6.2 or later; not allowed");
	}
	return 0;
}

/*
 * Called under RTNL, after ringnet_check_settings() accepted the values.
 * Offloads this kernel cannot carry are left out (the check warned).
 */
void ringnet_apply_settings(struct ringnet_dev *rn,
			    const struct nlattr *mem_limit,
			    const struct nlattr *offloads)
{
	ASSERT_RTNL();
	if (mem_limit)
		WRITE_ONCE(rn->mem_limit, nla_get_u64(mem_limit));
	if (offloads)
		WRITE_ONCE(rn->offloads, nla_get_u64(offloads) & RINGNET_F_SUPPORTED);
}

static netdev_tx_t ringnet_start_xmit(struct sk_buff *skb,
				      struct net_device *dev)
{
	struct ringnet_dev *rn = netdev_priv(dev);
	struct ringnet_channel *ch = rcu_dereference_bh(rn->channel);

	if (likely(ch))
		return ringnet_chan_xmit(ch, rn, skb);

	/* The carrier is off without a channel, so this is rare. */
	ringnet_count(rn, RINGNET_C_TX_DROP_NO_CHANNEL, 1);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

static netdev_features_t ringnet_features_check(struct sk_buff *skb,
						struct net_device *dev,
						netdev_features_t features)
{
	struct ringnet_dev *rn = netdev_priv(dev);
	struct ringnet_channel *ch = rcu_dereference_bh(rn->channel);

	return ch ? ringnet_chan_features_check(ch, skb, features) : features;
}

/* Offload bits and the device features that carry them. */
static const struct {
	u64			offload;
	netdev_features_t	features;
} ringnet_offload_features[] = {
	{ RINGNET_F_CSUM,	NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_RXCSUM },
	{ RINGNET_F_TSO4,	NETIF_F_TSO },
	{ RINGNET_F_TSO6,	NETIF_F_TSO6 },
	{ RINGNET_F_TSO_ECN,	NETIF_F_TSO_ECN },
	{ RINGNET_F_USO,	NETIF_F_GSO_UDP_L4 },
};

#define RINGNET_OFFLOAD_FEATURES (NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_RXCSUM | \
				  NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_TSO_ECN | \
				  NETIF_F_GSO_UDP_L4)

/* The stack may use an offload only if the attached channel took it. */
static netdev_features_t ringnet_fix_features(struct net_device *dev,
					      netdev_features_t features)
{
	struct ringnet_dev *rn = netdev_priv(dev);
	netdev_features_t allowed = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ringnet_offload_features); i++)
		if (rn->offloads_active & ringnet_offload_features[i].offload)
			allowed |= ringnet_offload_features[i].features;
	return features & (allowed | ~RINGNET_OFFLOAD_FEATURES);
}

static int ringnet_change_mtu(struct net_device *dev, int new_mtu)
{
	struct ringnet_dev *rn = netdev_priv(dev);
	struct ringnet_channel *ch = rtnl_dereference(rn->channel);

	/* Every frame must fit one slot of the attached channel. */
	if (ch && !ringnet_chan_mtu_fits(ch, new_mtu))
		return -EINVAL;
	WRITE_ONCE(dev->mtu, new_mtu);
	return 0;
}

static int ringnet_open(struct net_device *dev)
{
	struct ringnet_dev *rn = netdev_priv(dev);

	napi_enable(&rn->napi);
	/* Frames may have been queued while the device was down. */
	if (rtnl_dereference(rn->channel)) {
		local_bh_disable();
		napi_schedule(&rn->napi);
		local_bh_enable();
	}
	return 0;
}

static int ringnet_stop(struct net_device *dev)
{
	struct ringnet_dev *rn = netdev_priv(dev);

	napi_disable(&rn->napi);
	return 0;
}

static void ringnet_get_stats64(struct net_device *dev,
				struct rtnl_link_stats64 *stats)
{
	struct ringnet_dev *rn = netdev_priv(dev);
	u64 c[RINGNET_NR_COUNTERS];

	ringnet_read_counters(rn, c);
	stats->rx_packets = c[RINGNET_C_RX_PACKETS];
	stats->rx_bytes = c[RINGNET_C_RX_BYTES];
	stats->tx_packets = c[RINGNET_C_TX_PACKETS];
	stats->tx_bytes = c[RINGNET_C_TX_BYTES];
	stats->tx_dropped = c[RINGNET_C_TX_DROP_NO_CHANNEL] +
			    c[RINGNET_C_TX_DROP_BAD_OFFLOAD] +
			    c[RINGNET_C_TX_DROP_TOO_BIG];
	stats->rx_dropped = c[RINGNET_C_RX_DROP_BAD_DESC] +
			    c[RINGNET_C_RX_DROP_BAD_HDR] +
			    c[RINGNET_C_RX_DROP_NO_MEM];
	stats->rx_errors = c[RINGNET_C_RX_DROP_BAD_DESC] +
			   c[RINGNET_C_RX_DROP_BAD_HDR];
}

static int ringnet_dev_init(struct net_device *dev)
{
	struct ringnet_dev *rn = netdev_priv(dev);

	rn->stats = netdev_alloc_pcpu_stats(struct ringnet_pcpu_stats);
	if (!rn->stats)
		return -ENOMEM;
	netif_napi_add(dev, &rn->napi, ringnet_napi_poll);
	return 0;
}

static void ringnet_dev_uninit(struct net_device *dev)
{
	struct ringnet_dev *rn = netdev_priv(dev);

	netif_napi_del(&rn->napi);
}

static void ringnet_dev_free(struct net_device *dev)
{
	struct ringnet_dev *rn = netdev_priv(dev);

	free_percpu(rn->stats);
}

static const struct net_device_ops ringnet_netdev_ops = {
	.ndo_init		= ringnet_dev_init,
	.ndo_uninit		= ringnet_dev_uninit,
	.ndo_open		= ringnet_open,
	.ndo_stop		= ringnet_stop,
	.ndo_start_xmit		= ringnet_start_xmit,
	.ndo_features_check	= ringnet_features_check,
	.ndo_fix_features	= ringnet_fix_features,
	.ndo_change_mtu		= ringnet_change_mtu,
	.ndo_get_stats64	= ringnet_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void ringnet_setup(struct net_device *dev)
{
	struct ringnet_dev *rn = netdev_priv(dev);

	ether_setup(dev);
	dev->netdev_ops = &ringnet_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = ringnet_dev_free;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = RINGNET_MAX_MTU;

	/*
	 * Offloads are all possible, and ringnet_fix_features() enables those
	 * the attached channel negotiated.  GRO and GSO stay in software.
	 */
	dev->hw_features = RINGNET_OFFLOAD_FEATURES | NETIF_F_HIGHDMA;
	dev->features = dev->hw_features | NETIF_F_GSO_SOFTWARE;
	dev->vlan_features = dev->features & ~NETIF_F_GSO_UDP_L4;

	rn->dev = dev;
	rn->mem_limit = READ_ONCE(default_mem_limit);
	rn->offloads = RINGNET_F_SUPPORTED;
}

static const struct nla_policy ringnet_link_policy[IFLA_RINGNET_MAX + 1] = {
	[IFLA_RINGNET_MEM_LIMIT] = NLA_POLICY_FULL_RANGE(NLA_U64,
						&ringnet_mem_limit_range),
	[IFLA_RINGNET_OFFLOADS]	= NLA_POLICY_MASK(NLA_U64, RINGNET_F_ALL),
	[IFLA_RINGNET_ATTACHED]	= { .type = NLA_REJECT,
				    .reject_message = "attached is read only" },
};

static int ringnet_validate(struct nlattr *tb[], struct nlattr *data[],
			    struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "address must be 6 bytes");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "address must be a unicast, non-zero Ethernet address");
			return -EADDRNOTAVAIL;
		}
	}
	if (!data)
		return 0;
	return ringnet_check_settings(data[IFLA_RINGNET_MEM_LIMIT],
				      data[IFLA_RINGNET_OFFLOADS], extack);
}

static int ringnet_newlink(struct net *src_net, struct net_device *dev,
			   struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	struct ringnet_dev *rn = netdev_priv(dev);

	if (!tb[IFLA_ADDRESS])
		eth_hw_addr_random(dev);
	if (data)
		ringnet_apply_settings(rn, data[IFLA_RINGNET_MEM_LIMIT],
				       data[IFLA_RINGNET_OFFLOADS]);

	/* No channel yet: the stack must not think it can send. */
	netif_carrier_off(dev);

	return register_netdevice(dev);
}

static int ringnet_changelink(struct net_device *dev, struct nlattr *tb[],
			      struct nlattr *data[],
			      struct netlink_ext_ack *extack)
{
	if (data)
		ringnet_apply_settings(netdev_priv(dev),
				       data[IFLA_RINGNET_MEM_LIMIT],
				       data[IFLA_RINGNET_OFFLOADS]);
	return 0;
}

static size_t ringnet_get_size(const struct net_device *dev)
{
	return nla_total_size_64bit(sizeof(u64)) +	/* MEM_LIMIT */
	       nla_total_size_64bit(sizeof(u64)) +	/* OFFLOADS */
	       nla_total_size(sizeof(u8));		/* ATTACHED */
}

static int ringnet_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct ringnet_dev *rn = netdev_priv(dev);

	if (nla_put_u64_64bit(skb, IFLA_RINGNET_MEM_LIMIT,
			      READ_ONCE(rn->mem_limit), IFLA_RINGNET_PAD) ||
	    nla_put_u64_64bit(skb, IFLA_RINGNET_OFFLOADS,
			      READ_ONCE(rn->offloads), IFLA_RINGNET_PAD) ||
	    nla_put_u8(skb, IFLA_RINGNET_ATTACHED, READ_ONCE(rn->attached)))
		return -EMSGSIZE;
	return 0;
}

struct rtnl_link_ops ringnet_link_ops __read_mostly = {
	.kind		= RINGNET_LINK_KIND,
	.priv_size	= sizeof(struct ringnet_dev),
	.setup		= ringnet_setup,
	.maxtype	= IFLA_RINGNET_MAX,
	.policy		= ringnet_link_policy,
	.validate	= ringnet_validate,
	.newlink	= ringnet_newlink,
	.changelink	= ringnet_changelink,
	.get_size	= ringnet_get_size,
	.fill_info	= ringnet_fill_info,
};

/*
 * A device enters a namespace when it is created or moved there and leaves
 * it when it is deleted or moved away; the core reports both as
 * REGISTER/UNREGISTER, so listeners of every namespace see a consistent
 * story.
 */
static int ringnet_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (!ringnet_is_ringnet(dev))
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_REGISTER:
		ringnet_genl_notify(dev, RINGNET_CMD_DEV_CREATED_NTF, GFP_KERNEL);
		break;
	case NETDEV_UNREGISTER:
		/* A move keeps the channel; a deletion takes it along. */
		if (dev->reg_state == NETREG_UNREGISTERING)
			ringnet_chan_dev_gone(netdev_priv(dev));
		ringnet_genl_notify(dev, RINGNET_CMD_DEV_DELETED_NTF, GFP_KERNEL);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block ringnet_notifier = {
	.notifier_call = ringnet_netdev_event,
};

int ringnet_device_init(void)
{
	int err;

	err = register_netdevice_notifier(&ringnet_notifier);
	if (err)
		return err;
	err = rtnl_link_register(&ringnet_link_ops);
	if (err)
		unregister_netdevice_notifier(&ringnet_notifier);
	return err;
}

void ringnet_device_exit(void)
{
	/* Deletes every device, in every namespace. */
	rtnl_link_unregister(&ringnet_link_ops);
	unregister_netdevice_notifier(&ringnet_notifier);
}
