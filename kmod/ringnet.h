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

/*
 * The kernel's private view of one shared ring.  Pointers lead into the
 * shared area; everything else lives in kernel memory and is what the
 * kernel trusts.
 */
struct ringnet_ring {
	u32			*producer;
	u32			*consumer;
	u32			*flags;
	struct ringnet_desc	*desc;
	u8			*buffers;
	u64			buffers_len;
	u32			entries;
	u32			mask;
	u32			flags_cache;	/* last value written to *flags */
	union {
		struct {		/* kernel-to-user: the kernel produces */
			u32	prod;
			u32	cached_cons;
		};
		u32		cons;	/* user-to-kernel: the kernel consumes */
	};
};

enum {
	RINGNET_CH_ERROR_REPORTED,	/* a ring error event was sent */
};

/* An open /dev/net/ringnet. */
struct ringnet_channel {
	struct mutex			lock;	/* setup and mmap */
	struct net			*net;	/* where ATTACH looks */
	void				*mem;	/* the shared area */
	size_t				mem_size;
	u32				slot_size;
	u64				offloads;	/* asked and possible */
	struct ringnet_ring		rx;	/* kernel to user */
	struct ringnet_ring		tx;	/* user to kernel */

	struct ringnet_dev __rcu	*rn;	/* written under RTNL */
	struct pid			*owner;	/* who attached */
	bool				dead;	/* the device was deleted */
	unsigned long			state;
	wait_queue_head_t		wq;
};

struct ringnet_dev {
	struct net_device		*dev;
	struct ringnet_pcpu_stats __percpu *stats;
	struct ringnet_channel __rcu	*channel;	/* written under RTNL */
	struct napi_struct		napi;

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

static inline void ringnet_count2(struct ringnet_dev *rn,
				  enum ringnet_counter c1, u64 n1,
				  enum ringnet_counter c2, u64 n2)
{
	struct ringnet_pcpu_stats *s = this_cpu_ptr(rn->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->count[c1], n1);
	u64_stats_add(&s->count[c2], n2);
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
void ringnet_genl_notify(struct net_device *dev, u8 cmd, gfp_t gfp);
void ringnet_genl_notify_error(struct net_device *dev, int errnum,
			       const char *msg);

int ringnet_chan_init(void);
void ringnet_chan_exit(void);
netdev_tx_t ringnet_chan_xmit(struct ringnet_channel *ch, struct ringnet_dev *rn,
			      struct sk_buff *skb);
netdev_features_t ringnet_chan_features_check(struct ringnet_channel *ch,
					      struct sk_buff *skb,
					      netdev_features_t features);
bool ringnet_chan_mtu_fits(const struct ringnet_channel *ch, unsigned int mtu);
void ringnet_chan_wake_queue(struct ringnet_channel *ch, struct ringnet_dev *rn);
void ringnet_chan_dev_gone(struct ringnet_dev *rn);
int ringnet_chan_fill(struct sk_buff *skb, struct ringnet_channel *ch);
int ringnet_napi_poll(struct napi_struct *napi, int budget);

#endif /* _RINGNET_H */
