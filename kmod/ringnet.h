/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ringnet: internal definitions shared by the device, the netlink family
 * and (later) the frame channel.
 */
#ifndef _RINGNET_H
#define _RINGNET_H

#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <net/rtnetlink.h>
#include <uapi/linux/ringnet.h>

#include "compat.h"

/*
 * Counters, in the order of their RINGNET_A_STATS_* attributes so that the
 * netlink dump is a loop: counter i is attribute RINGNET_A_STATS_RX_PACKETS + i.
 */
enum ringnet_counter {
	RINGNET_C_RX_PACKETS,
	RINGNET_C_RX_BYTES,
	RINGNET_C_TX_PACKETS,
	RINGNET_C_TX_BYTES,
	RINGNET_C_TX_DROP_NO_CHANNEL,
	RINGNET_C_TX_DROP_BAD_OFFLOAD,
	RINGNET_C_TX_DROP_TOO_BIG,
	RINGNET_C_RX_DROP_BAD_DESC,
	RINGNET_C_RX_DROP_BAD_HDR,
	RINGNET_C_RX_DROP_NO_MEM,
	RINGNET_C_RING_ERRORS,
	RINGNET_C_KICKS,
	RINGNET_C_TX_QUEUE_STOPS,
	RINGNET_NR_COUNTERS,
};

struct ringnet_pcpu_stats {
	u64_stats_t		count[RINGNET_NR_COUNTERS];
	struct u64_stats_sync	syncp;
};

/* Offloads this kernel can express in a virtio_net_hdr_v1. */
#ifdef RINGNET_HAVE_VNET_USO
#define RINGNET_F_SUPPORTED	RINGNET_F_ALL
#else
#define RINGNET_F_SUPPORTED	(RINGNET_F_ALL & ~RINGNET_F_USO)
#endif

/* Bounds of a device's ring memory limit. */
#define RINGNET_MEM_LIMIT_MIN	SZ_1M

struct ringnet_dev {
	struct net_device		*dev;
	struct ringnet_pcpu_stats __percpu *stats;

	/* Settings, written under RTNL, read anywhere with READ_ONCE(). */
	u64				mem_limit;
	u64				offloads;

	/* What the attached channel negotiated; 0 while detached. */
	u64				offloads_active;
	bool				attached;
};

extern struct rtnl_link_ops ringnet_link_ops;
extern unsigned long long ringnet_max_mem_limit;
extern struct netlink_range_validation ringnet_mem_limit_range;

static inline bool ringnet_is_ringnet(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &ringnet_link_ops;
}

static inline void ringnet_count(struct ringnet_dev *rn,
				 enum ringnet_counter c, u64 n)
{
	struct ringnet_pcpu_stats *s = this_cpu_ptr(rn->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->count[c], n);
	u64_stats_update_end(&s->syncp);
}

void ringnet_read_counters(struct ringnet_dev *rn, u64 *sum);
int ringnet_check_settings(const struct nlattr *mem_limit,
			   const struct nlattr *offloads,
			   struct netlink_ext_ack *extack);
void ringnet_apply_settings(struct ringnet_dev *rn,
			    const struct nlattr *mem_limit,
			    const struct nlattr *offloads);

int ringnet_device_init(void);
void ringnet_device_exit(void);

int ringnet_genl_init(void);
void ringnet_genl_exit(void);
void ringnet_genl_notify(struct net_device *dev, u8 cmd);

#endif /* _RINGNET_H */
