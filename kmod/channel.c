// SPDX-License-Identifier: GPL-2.0
/*
 * ringnet: the frame channel, /dev/net/ringnet.
 *
 * An open file is a channel.  SETUP allocates one vmalloc area holding two
 * single-producer/single-consumer rings and their frame buffers; userspace
 * maps it whole.  ATTACH binds the channel to a ringnet device:
 *
 *   stack -> ndo_start_xmit -> [rx ring] -> userspace     ("rx": user reads)
 *   userspace -> [tx ring] -> NAPI poll -> GRO -> stack   ("tx": user writes)
 *
 * The shared memory is hostile.  The kernel keeps its own copy of every
 * index it owns, reads each field userspace can write exactly once, and
 * validates the copy: never the shared original.  Frames are always copied;
 * no shared page ever ends up in an skb.
 *
 * Memory ordering (see Documentation/ringnet.rst for the whole protocol):
 *  - a producer writes buffers and descriptors, then store-release of its
 *    index; the consumer load-acquires that index before reading them, and
 *    store-releases its own index once it no longer needs them;
 *  - need-wakeup is a Dekker pattern: the side going to sleep sets the flag,
 *    smp_mb(), then looks at the other index again; the side producing work
 *    publishes its index, smp_mb(), then reads the flag.
 *
 * Locking: attach and detach run under RTNL; setup and mmap under ch->lock.
 * The device finds its channel through rn->channel (RCU), the channel its
 * device through ch->rn (RCU); detach clears both and waits for readers.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/virtio_net.h>

#include "ringnet.h"

#define RINGNET_VNET_HDR_LEN	sizeof(struct virtio_net_hdr_v1)

/* Sizes SETUP accepts, and what zero asks for. */
#define RINGNET_ENTRIES_MIN	8
#define RINGNET_ENTRIES_MAX	32768
#define RINGNET_ENTRIES_DEFAULT	256
#define RINGNET_SLOT_MIN	2048
#define RINGNET_SLOT_MAX	SZ_256K
/* A full 64 KiB segment with its Ethernet, VLAN and vnet headers. */
#define RINGNET_SLOT_DEFAULT	(SZ_64K + SZ_4K)

/* The largest frame userspace may hand in: a 64 KiB IP packet. */
#define RINGNET_FRAME_MAX	(GSO_LEGACY_MAX_SIZE - 1 + VLAN_ETH_HLEN)

/* Frames up to this size are copied into the skb head, larger ones into pages. */
#define RINGNET_COPYBREAK	1536
#define RINGNET_HEAD_PULL	256

static inline u32 ringnet_ring_used(u32 prod, u32 cons)
{
	return prod - cons;
}

/* ---- layout ---------------------------------------------------------- */

/*
 * [rx ring header | rx descs] [tx ring header | tx descs] [rx bufs] [tx bufs]
 * The producer, consumer and flags words each get a cache line, so the two
 * sides do not bounce one line between them.
 */
static int ringnet_layout(struct ringnet_setup *s, size_t *total)
{
	struct ringnet_ring_layout *l[2] = { &s->rx, &s->tx };
	u32 entries[2] = { s->rx_entries, s->tx_entries };
	size_t off = 0, descs, bufs;
	int i;

	for (i = 0; i < 2; i++) {
		l[i]->producer = off;
		l[i]->consumer = off + SMP_CACHE_BYTES;
		l[i]->flags = off + 2 * SMP_CACHE_BYTES;
		l[i]->desc = off + 3 * SMP_CACHE_BYTES;
		if (check_mul_overflow((size_t)entries[i], sizeof(struct ringnet_desc), &descs))
			return -EINVAL;
		off = PAGE_ALIGN(l[i]->desc + descs);
	}
	for (i = 0; i < 2; i++) {
		if (check_mul_overflow((size_t)entries[i], (size_t)s->slot_size, &bufs) ||
		    check_add_overflow(off, bufs, &off))
			return -EINVAL;
		l[i]->buffers = off - bufs;
		l[i]->buffers_len = bufs;
		off = PAGE_ALIGN(off);
	}
	*total = off;
	return 0;
}

static void ringnet_ring_init(struct ringnet_ring *r, void *mem,
			      const struct ringnet_ring_layout *l, u32 entries)
{
	r->producer = mem + l->producer;
	r->consumer = mem + l->consumer;
	r->flags = mem + l->flags;
	r->desc = mem + l->desc;
	r->buffers = mem + l->buffers;
	r->buffers_len = l->buffers_len;
	r->entries = entries;
	r->mask = entries - 1;
}

static int ringnet_check_entries(u32 *n)
{
	if (!*n)
		*n = RINGNET_ENTRIES_DEFAULT;
	if (*n < RINGNET_ENTRIES_MIN || *n > RINGNET_ENTRIES_MAX ||
	    !is_power_of_2(*n))
		return -EINVAL;
	return 0;
}

static long ringnet_ioctl_setup(struct ringnet_channel *ch,
				struct ringnet_setup __user *uarg)
{
	struct ringnet_setup s;
	size_t total;
	u32 usize;
	void *mem;
	int err;

	/* Checked again under the lock; first, so the answer is the useful one. */
	if (READ_ONCE(ch->mem))
		return -EBUSY;
	if (get_user(usize, &uarg->size))
		return -EFAULT;
	if (usize < RINGNET_SETUP_SIZE_VER0)
		return -EINVAL;
	/* Newer userspace may be larger, but not by pages of zeros to scan. */
	if (usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(&s, sizeof(s), uarg, usize);
	if (err)
		return err;

	if (s.flags || s.offloads & ~RINGNET_F_ALL)
		return -EINVAL;
	/* The "out" fields are ours to fill; insisting on zero keeps them free. */
	if (s.abi_version || s.mmap_size || memchr_inv(&s.rx, 0, sizeof(s.rx)) ||
	    memchr_inv(&s.tx, 0, sizeof(s.tx)))
		return -EINVAL;
	if (ringnet_check_entries(&s.rx_entries) ||
	    ringnet_check_entries(&s.tx_entries))
		return -EINVAL;
	if (!s.slot_size)
		s.slot_size = RINGNET_SLOT_DEFAULT;
	if (s.slot_size < RINGNET_SLOT_MIN || s.slot_size > RINGNET_SLOT_MAX ||
	    !IS_ALIGNED(s.slot_size, SMP_CACHE_BYTES))
		return -EINVAL;

	err = ringnet_layout(&s, &total);
	if (err)
		return err;
	if (total > READ_ONCE(ringnet_max_mem_limit))
		return -ENOBUFS;

	s.size = min_t(u32, usize, sizeof(s));
	s.abi_version = RINGNET_ABI_VERSION;
	s.offloads &= RINGNET_F_SUPPORTED;
	s.mmap_size = total;

	mutex_lock(&ch->lock);
	if (ch->mem) {
		mutex_unlock(&ch->lock);
		return -EBUSY;
	}
	mem = vmalloc_user(total);
	if (!mem) {
		mutex_unlock(&ch->lock);
		return -ENOMEM;
	}
	ringnet_ring_init(&ch->rx, mem, &s.rx, s.rx_entries);
	ringnet_ring_init(&ch->tx, mem, &s.tx, s.tx_entries);
	/* NAPI is idle until someone kicks it. */
	WRITE_ONCE(*ch->tx.flags, RINGNET_RING_F_NEED_WAKEUP);
	ch->slot_size = s.slot_size;
	ch->offloads = s.offloads;
	ch->mem_size = total;
	ch->mem = mem;
	mutex_unlock(&ch->lock);

	/* The kernel's own copy of what it told userspace is not ABI. */
	if (copy_to_user(uarg, &s, s.size))
		return -EFAULT;
	return 0;
}

/* ---- attach and detach ------------------------------------------------ */

/* Largest frame, vnet header excluded, that fits one slot. */
static u32 ringnet_slot_frame(const struct ringnet_channel *ch)
{
	return ch->slot_size - RINGNET_VNET_HDR_LEN;
}

bool ringnet_chan_mtu_fits(const struct ringnet_channel *ch, unsigned int mtu)
{
	return mtu + VLAN_ETH_HLEN <= ringnet_slot_frame(ch);
}

/* Offloads keep their dependencies: TSO needs checksums, ECN needs TSO. */
static u64 ringnet_offloads_sane(u64 f)
{
	if (!(f & RINGNET_F_CSUM))
		f &= ~(RINGNET_F_TSO4 | RINGNET_F_TSO6 | RINGNET_F_USO);
	if (!(f & (RINGNET_F_TSO4 | RINGNET_F_TSO6)))
		f &= ~RINGNET_F_TSO_ECN;
	return f;
}

static long ringnet_ioctl_attach(struct ringnet_channel *ch,
				 struct ringnet_attach __user *uarg)
{
	struct ringnet_attach a;
	struct net_device *dev;
	struct ringnet_dev *rn;
	int err;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.queue || a.reserved || a.offloads || a.mtu)
		return -EINVAL;
	if (!a.ifindex && strnlen(a.ifname, sizeof(a.ifname)) == sizeof(a.ifname))
		return -EINVAL;

	mutex_lock(&ch->lock);
	err = ch->mem ? 0 : -EBADFD;
	mutex_unlock(&ch->lock);
	if (err)
		return err;

	rtnl_lock();
	if (ch->dead) {
		err = -ENODEV;
		goto out;
	}
	if (rtnl_dereference(ch->rn)) {
		err = -EISCONN;
		goto out;
	}
	dev = a.ifindex ? __dev_get_by_index(ch->net, a.ifindex) :
			  __dev_get_by_name(ch->net, a.ifname);
	err = -ENODEV;
	if (!dev)
		goto out;
	err = -EOPNOTSUPP;
	if (!ringnet_is_ringnet(dev))
		goto out;
	err = -EPERM;
	if (!ns_capable(dev_net(dev)->user_ns, CAP_NET_ADMIN))
		goto out;
	rn = netdev_priv(dev);
	err = -EBUSY;
	if (rtnl_dereference(rn->channel))
		goto out;
	err = -ENOBUFS;
	if (ch->mem_size > READ_ONCE(rn->mem_limit))
		goto out;
	err = -EMSGSIZE;
	if (!ringnet_chan_mtu_fits(ch, dev->mtu))
		goto out;

	dev_hold(dev);
	ch->owner = get_pid(task_tgid(current));
	rn->offloads_active = ringnet_offloads_sane(ch->offloads & rn->offloads);
	netif_set_tso_max_size(dev, min_t(u32, GSO_LEGACY_MAX_SIZE,
					  ringnet_slot_frame(ch) - VLAN_ETH_HLEN));
	netdev_update_features(dev);

	rcu_assign_pointer(ch->rn, rn);
	rcu_assign_pointer(rn->channel, ch);
	WRITE_ONCE(rn->attached, true);
	netif_carrier_on(dev);
	ringnet_chan_wake_queue(ch, rn);
	ringnet_genl_notify(dev, RINGNET_CMD_DEV_ATTACHED_NTF, GFP_KERNEL);

	a.offloads = rn->offloads_active;
	a.mtu = dev->mtu;
	err = 0;
out:
	rtnl_unlock();
	if (!err && copy_to_user(uarg, &a, sizeof(a)))
		err = -EFAULT;
	return err;
}

/* Under RTNL.  Afterwards neither side can reach the other. */
static void ringnet_detach(struct ringnet_channel *ch, struct ringnet_dev *rn)
{
	struct net_device *dev = rn->dev;

	ASSERT_RTNL();
	netif_carrier_off(dev);
	RCU_INIT_POINTER(rn->channel, NULL);
	RCU_INIT_POINTER(ch->rn, NULL);
	/* No xmit, NAPI poll or kick still looks at the rings after this. */
	synchronize_net();

	WRITE_ONCE(rn->attached, false);
	rn->offloads_active = 0;
	netdev_update_features(dev);
	/* Frames queued for a channel that is gone are dropped from now on. */
	netif_tx_wake_all_queues(dev);

	ringnet_genl_notify(dev, RINGNET_CMD_DEV_DETACHED_NTF, GFP_KERNEL);
	put_pid(ch->owner);
	ch->owner = NULL;
	dev_put(dev);
}

/* The device is going away (RTNL held): detach and tell the channel. */
void ringnet_chan_dev_gone(struct ringnet_dev *rn)
{
	struct ringnet_channel *ch = rtnl_dereference(rn->channel);

	if (!ch)
		return;
	ringnet_detach(ch, rn);
	WRITE_ONCE(ch->dead, true);
	wake_up_interruptible_poll(&ch->wq, EPOLLERR | EPOLLHUP);
}

static long ringnet_ioctl_detach(struct ringnet_channel *ch)
{
	struct ringnet_dev *rn;
	long err = 0;

	rtnl_lock();
	rn = rtnl_dereference(ch->rn);
	if (rn)
		ringnet_detach(ch, rn);
	else
		err = ch->dead ? -ENODEV : -ENOTCONN;
	rtnl_unlock();
	return err;
}

/* ---- errors ------------------------------------------------------------ */

/*
 * Userspace wrote an index that cannot be: count it, and tell listeners once
 * per episode (an episode ends when the ring is sane again).
 */
static void ringnet_ring_error(struct ringnet_channel *ch, struct ringnet_dev *rn,
			       const char *what)
{
	ringnet_count(rn, RINGNET_C_RING_ERRORS, 1);
	if (!test_and_set_bit(RINGNET_CH_ERROR_REPORTED, &ch->state))
		ringnet_genl_notify_error(rn->dev, EPROTO, what);
}

static void ringnet_ring_sane(struct ringnet_channel *ch)
{
	if (unlikely(test_bit(RINGNET_CH_ERROR_REPORTED, &ch->state)))
		clear_bit(RINGNET_CH_ERROR_REPORTED, &ch->state);
}

/* ---- kernel to user: the device transmits ------------------------------- */

/*
 * Free entries in the rx ring.  The cached consumer index is only refreshed
 * when the ring looks full, so a busy ring costs no shared reads.  Called
 * with the tx queue lock held.
 */
static u32 ringnet_rx_free(struct ringnet_channel *ch, struct ringnet_dev *rn,
			   bool refresh)
{
	struct ringnet_ring *r = &ch->rx;
	u32 used = ringnet_ring_used(r->prod, r->cached_cons);

	if (!refresh && used < r->entries)
		return r->entries - used;

	/* Pairs with the consumer's release: it is done with what it passed. */
	r->cached_cons = smp_load_acquire(r->consumer);
	used = ringnet_ring_used(r->prod, r->cached_cons);
	if (unlikely(used > r->entries)) {
		ringnet_ring_error(ch, rn, "rx consumer index out of range");
		/* Say again where we are, so userspace can start over from it. */
		WRITE_ONCE(*r->producer, r->prod);
		return 0;
	}
	return r->entries - used;
}

/*
 * Write a ring's flags word.  Clearing happens on every NAPI run, so it is
 * skipped when our last write already cleared it: the line is shared with a
 * busy reader.  Setting is rare and always written, so that a flag
 * userspace scribbled over cannot leave both sides waiting for the other.
 */
static void ringnet_set_flag(u32 *flags, u32 *cache, u32 value)
{
	if (*cache != value || value) {
		*cache = value;
		WRITE_ONCE(*flags, value);
	}
}

/* The ring is full: stop the queue, then make sure we did not miss room. */
static void ringnet_rx_stop(struct ringnet_channel *ch, struct ringnet_dev *rn,
			    struct netdev_queue *txq)
{
	netif_tx_stop_queue(txq);
	ringnet_count(rn, RINGNET_C_TX_QUEUE_STOPS, 1);
	ringnet_set_flag(ch->rx.flags, &ch->rx.flags_cache,
			 RINGNET_RING_F_NEED_WAKEUP);
	/* Pairs with the consumer's barrier between its index and the flag. */
	smp_mb();
	if (ringnet_rx_free(ch, rn, true)) {
		ringnet_set_flag(ch->rx.flags, &ch->rx.flags_cache, 0);
		netif_tx_start_queue(txq);
	}
}

/* From a kick or poll(): wake the queue once a quarter of the ring is free. */
void ringnet_chan_wake_queue(struct ringnet_channel *ch, struct ringnet_dev *rn)
{
	struct netdev_queue *txq = netdev_get_tx_queue(rn->dev, 0);

	if (!netif_tx_queue_stopped(txq))
		return;
	__netif_tx_lock_bh(txq);
	if (netif_tx_queue_stopped(txq) &&
	    ringnet_rx_free(ch, rn, true) >= max(ch->rx.entries / 4, 1U)) {
		ringnet_set_flag(ch->rx.flags, &ch->rx.flags_cache, 0);
		netif_tx_wake_queue(txq);
	}
	__netif_tx_unlock_bh(txq);
}

netdev_tx_t ringnet_chan_xmit(struct ringnet_channel *ch, struct ringnet_dev *rn,
			      struct sk_buff *skb)
{
	struct netdev_queue *txq = netdev_get_tx_queue(rn->dev, 0);
	struct ringnet_ring *r = &ch->rx;
	struct virtio_net_hdr_v1 hdr = {};
	struct ringnet_desc *desc;
	u32 len = skb->len, idx;
	u8 *slot;

	if (unlikely(!ringnet_rx_free(ch, rn, false))) {
		/* Only a corrupt consumer index gets here: we stop when full. */
		ringnet_rx_stop(ch, rn, txq);
		return NETDEV_TX_BUSY;
	}
	if (unlikely(len > ringnet_slot_frame(ch))) {
		ringnet_count(rn, RINGNET_C_TX_DROP_TOO_BIG, 1);
		goto drop;
	}
	if (unlikely(virtio_net_hdr_from_skb(skb, (struct virtio_net_hdr *)&hdr,
					     true, true, 0))) {
		ringnet_count(rn, RINGNET_C_TX_DROP_BAD_OFFLOAD, 1);
		goto drop;
	}

	idx = r->prod & r->mask;
	slot = r->buffers + (size_t)idx * ch->slot_size;
	memcpy(slot, &hdr, sizeof(hdr));
	skb_copy_bits(skb, 0, slot + sizeof(hdr), len);
	desc = &r->desc[idx];
	WRITE_ONCE(desc->addr, (u64)idx * ch->slot_size);
	WRITE_ONCE(desc->len, len + sizeof(hdr));
	WRITE_ONCE(desc->flags, 0);
	r->prod++;
	/* Pairs with the consumer's acquire of the producer index. */
	smp_store_release(r->producer, r->prod);

	ringnet_count2(rn, RINGNET_C_TX_PACKETS, 1, RINGNET_C_TX_BYTES, len);
	skb_tx_timestamp(skb);
	dev_consume_skb_any(skb);

	if (!ringnet_rx_free(ch, rn, false))
		ringnet_rx_stop(ch, rn, txq);
	if ((!netdev_xmit_more() || netif_xmit_stopped(txq)) &&
	    wq_has_sleeper(&ch->wq))
		wake_up_interruptible_poll(&ch->wq, EPOLLIN | EPOLLRDNORM);
	return NETDEV_TX_OK;

drop:
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* Segments that would not fit a slot are segmented by the stack instead. */
netdev_features_t ringnet_chan_features_check(struct ringnet_channel *ch,
					      struct sk_buff *skb,
					      netdev_features_t features)
{
	if (skb_is_gso(skb) && skb->len > ringnet_slot_frame(ch))
		features &= ~NETIF_F_GSO_MASK;
	return features;
}

/* ---- user to kernel: the device receives, in NAPI ---------------------- */

/* Check a vnet header copy against the channel's offloads and the frame. */
static bool ringnet_hdr_ok(const struct virtio_net_hdr_v1 *h, u32 frame_len,
			   u64 offloads)
{
	u8 gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	u64 need;

	if (h->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
		return false;
	if (h->flags && !(offloads & RINGNET_F_CSUM))
		return false;

	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		need = 0;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		need = RINGNET_F_TSO4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		need = RINGNET_F_TSO6;
		break;
#ifdef RINGNET_HAVE_VNET_USO
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		need = RINGNET_F_USO;
		break;
#endif
	default:
		return false;
	}
	if ((offloads & need) != need)
		return false;
	if (h->gso_type & VIRTIO_NET_HDR_GSO_ECN) {
		if (gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6)
			return false;
		if (!(offloads & RINGNET_F_TSO_ECN))
			return false;
	}
	if (gso != VIRTIO_NET_HDR_GSO_NONE) {
		if (!__virtio16_to_cpu(true, h->gso_size))
			return false;
		if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
			return false;
	} else if (frame_len > RINGNET_FRAME_MAX) {
		return false;
	}
	if (__virtio16_to_cpu(true, h->hdr_len) > frame_len)
		return false;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		u32 start = __virtio16_to_cpu(true, h->csum_start);
		u32 off = __virtio16_to_cpu(true, h->csum_offset);

		if (start + off + sizeof(__sum16) > frame_len)
			return false;
	}
	return true;
}

/* Copy frame_len bytes at src into a new skb: head first, then pages. */
static struct sk_buff *ringnet_copy_frame(struct napi_struct *napi,
					  const u8 *src, u32 frame_len)
{
	u32 head = frame_len <= RINGNET_COPYBREAK ? frame_len : RINGNET_HEAD_PULL;
	struct sk_buff *skb;
	u32 off;
	int i;

	skb = napi_alloc_skb(napi, head);
	if (!skb)
		return NULL;
	skb_put_data(skb, src, head);

	for (off = head, i = 0; off < frame_len; i++) {
		u32 chunk = min_t(u32, frame_len - off, PAGE_SIZE);
		struct page *page;

		if (i >= MAX_SKB_FRAGS)
			goto fail;
		page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
		if (!page)
			goto fail;
		memcpy(page_address(page), src + off, chunk);
		skb_add_rx_frag(skb, i, page, 0, chunk, PAGE_SIZE);
		off += chunk;
	}
	return skb;
fail:
	kfree_skb(skb);
	return NULL;
}

/* One descriptor (already copied out of shared memory) into an skb, or NULL. */
static struct sk_buff *ringnet_rx_frame(struct ringnet_channel *ch,
					struct ringnet_dev *rn,
					struct napi_struct *napi,
					u64 addr, u32 len, u32 flags)
{
	const struct ringnet_ring *r = &ch->tx;
	struct virtio_net_hdr_v1 hdr;
	struct sk_buff *skb;
	u32 frame_len;
	const u8 *src;

	if (flags || len < RINGNET_VNET_HDR_LEN + ETH_HLEN ||
	    len > ch->slot_size || addr > r->buffers_len ||
	    len > r->buffers_len - addr) {
		ringnet_count(rn, RINGNET_C_RX_DROP_BAD_DESC, 1);
		return NULL;
	}
	addr = array_index_nospec(addr, r->buffers_len);
	src = r->buffers + addr;
	frame_len = len - RINGNET_VNET_HDR_LEN;

	/* One read of the header; only this copy is checked and used. */
	memcpy(&hdr, src, sizeof(hdr));
	if (!ringnet_hdr_ok(&hdr, frame_len, rn->offloads_active)) {
		ringnet_count(rn, RINGNET_C_RX_DROP_BAD_HDR, 1);
		return NULL;
	}

	skb = ringnet_copy_frame(napi, src + RINGNET_VNET_HDR_LEN, frame_len);
	if (!skb) {
		ringnet_count(rn, RINGNET_C_RX_DROP_NO_MEM, 1);
		return NULL;
	}
	/* The helper re-checks the header against the copied frame. */
	if (virtio_net_hdr_to_skb(skb, (struct virtio_net_hdr *)&hdr, true)) {
		ringnet_count(rn, RINGNET_C_RX_DROP_BAD_HDR, 1);
		kfree_skb(skb);
		return NULL;
	}
	if (hdr.flags & VIRTIO_NET_HDR_F_DATA_VALID)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->protocol = eth_type_trans(skb, rn->dev);
	return skb;
}

static int ringnet_rx_batch(struct ringnet_channel *ch, struct ringnet_dev *rn,
			    struct napi_struct *napi, int budget)
{
	struct ringnet_ring *r = &ch->tx;
	u32 prod, avail;
	u64 bytes = 0;
	int done, pkts = 0;

	/* Pairs with the producer's release: its descriptors are written. */
	prod = smp_load_acquire(r->producer);
	avail = ringnet_ring_used(prod, r->cons);
	if (unlikely(avail > r->entries)) {
		/* Skip whatever userspace claims; it can start over from here. */
		ringnet_ring_error(ch, rn, "tx producer index out of range");
		r->cons = prod;
		/* Pairs with the producer's acquire, as after a batch. */
		smp_store_release(r->consumer, r->cons);
		return 0;
	}

	for (done = 0; done < budget && done < avail; done++) {
		struct ringnet_desc *d = &r->desc[r->cons & r->mask];
		u64 addr = READ_ONCE(d->addr);
		u32 len = READ_ONCE(d->len);
		u32 flags = READ_ONCE(d->flags);
		struct sk_buff *skb;

		r->cons++;
		skb = ringnet_rx_frame(ch, rn, napi, addr, len, flags);
		if (!skb)
			continue;
		pkts++;
		bytes += skb->len + ETH_HLEN;
		napi_gro_receive(napi, skb);
	}
	if (done) {
		/* Pairs with the producer's acquire: these buffers are free again. */
		smp_store_release(r->consumer, r->cons);
		ringnet_count2(rn, RINGNET_C_RX_PACKETS, pkts, RINGNET_C_RX_BYTES, bytes);
		if (wq_has_sleeper(&ch->wq))
			wake_up_interruptible_poll(&ch->wq, EPOLLOUT | EPOLLWRNORM);
		ringnet_ring_sane(ch);
	}
	return done;
}

int ringnet_napi_poll(struct napi_struct *napi, int budget)
{
	struct ringnet_dev *rn = container_of(napi, struct ringnet_dev, napi);
	struct ringnet_channel *ch;
	int done = 0;

	rcu_read_lock();
	ch = rcu_dereference(rn->channel);
	if (!ch) {
		/* Detached meanwhile: complete, or napi_disable() would wait forever. */
		napi_complete_done(napi, 0);
		goto out;
	}

	/* Running: userspace need not kick while we are at it. */
	ringnet_set_flag(ch->tx.flags, &ch->tx.flags_cache, 0);
	done = ringnet_rx_batch(ch, rn, napi, budget);
	if (done < budget && napi_complete_done(napi, done)) {
		ringnet_set_flag(ch->tx.flags, &ch->tx.flags_cache,
				 RINGNET_RING_F_NEED_WAKEUP);
		/* Pairs with the producer's barrier between its index and the flag. */
		smp_mb();
		if (READ_ONCE(*ch->tx.producer) != ch->tx.cons)
			napi_schedule(napi);
	}
out:
	rcu_read_unlock();
	return done;
}

/* ---- the file ------------------------------------------------------------ */

/* What a kick does: take in new frames, and take back a stopped queue. */
static void ringnet_kick(struct ringnet_channel *ch, struct ringnet_dev *rn)
{
	if (READ_ONCE(*ch->tx.producer) != READ_ONCE(ch->tx.cons)) {
		local_bh_disable();
		napi_schedule(&rn->napi);
		local_bh_enable();
	}
	ringnet_chan_wake_queue(ch, rn);
}

static long ringnet_ioctl_kick(struct ringnet_channel *ch)
{
	struct ringnet_dev *rn;
	long err = 0;

	rcu_read_lock();
	rn = rcu_dereference(ch->rn);
	if (rn) {
		ringnet_count(rn, RINGNET_C_KICKS, 1);
		ringnet_kick(ch, rn);
	} else {
		err = READ_ONCE(ch->dead) ? -ENODEV : -ENOTCONN;
	}
	rcu_read_unlock();
	return err;
}

static long ringnet_chan_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct ringnet_channel *ch = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case RINGNET_IOC_SETUP:
		return ringnet_ioctl_setup(ch, uarg);
	case RINGNET_IOC_ATTACH:
		return ringnet_ioctl_attach(ch, uarg);
	case RINGNET_IOC_DETACH:
		return ringnet_ioctl_detach(ch);
	case RINGNET_IOC_KICK:
		return ringnet_ioctl_kick(ch);
	}
	return -ENOTTY;
}

static __poll_t ringnet_chan_poll(struct file *file, poll_table *wait)
{
	struct ringnet_channel *ch = file->private_data;
	struct ringnet_dev *rn;
	__poll_t mask = 0;

	poll_wait(file, &ch->wq, wait);

	rcu_read_lock();
	rn = rcu_dereference(ch->rn);
	if (rn) {
		/* As a kick, so a poll loop needs no other system call. */
		ringnet_kick(ch, rn);
		if (READ_ONCE(*ch->rx.producer) != READ_ONCE(*ch->rx.consumer))
			mask |= EPOLLIN | EPOLLRDNORM;
		/* As userspace sees it: NAPI publishes its index per batch. */
		if (ringnet_ring_used(READ_ONCE(*ch->tx.producer),
				      READ_ONCE(*ch->tx.consumer)) < ch->tx.entries)
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	rcu_read_unlock();
	if (READ_ONCE(ch->dead))
		mask |= EPOLLERR | EPOLLHUP;
	return mask;
}

static int ringnet_chan_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ringnet_channel *ch = file->private_data;
	unsigned long size = vma->vm_end - vma->vm_start;
	int err;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	mutex_lock(&ch->lock);
	if (!ch->mem)
		err = -EBADFD;
	else if (vma->vm_pgoff || size != ch->mem_size)
		err = -EINVAL;
	else
		err = remap_vmalloc_range(vma, ch->mem, 0);
	mutex_unlock(&ch->lock);
	if (!err)
		ringnet_vm_flags_clear(vma, VM_MAYEXEC);
	return err;
}

static int ringnet_chan_open(struct inode *inode, struct file *file)
{
	struct ringnet_channel *ch;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch)
		return -ENOMEM;
	mutex_init(&ch->lock);
	init_waitqueue_head(&ch->wq);
	ch->net = get_net(current->nsproxy->net_ns);
	file->private_data = ch;
	return nonseekable_open(inode, file);
}

/* Runs after the last munmap: the mappings hold the file. */
static int ringnet_chan_release(struct inode *inode, struct file *file)
{
	struct ringnet_channel *ch = file->private_data;
	struct ringnet_dev *rn;

	rtnl_lock();
	rn = rtnl_dereference(ch->rn);
	if (rn)
		ringnet_detach(ch, rn);
	rtnl_unlock();

	put_net(ch->net);
	vfree(ch->mem);
	mutex_destroy(&ch->lock);
	kfree(ch);
	return 0;
}

/* Report the attached channel to netlink (RCU held). */
int ringnet_chan_fill(struct sk_buff *skb, struct ringnet_channel *ch)
{
	struct nlattr *nest = nla_nest_start(skb, RINGNET_A_DEV_CHANNEL);

	if (!nest ||
	    nla_put_u32(skb, RINGNET_A_CHANNEL_OWNER_PID, pid_vnr(ch->owner)) ||
	    nla_put_u32(skb, RINGNET_A_CHANNEL_RX_ENTRIES, ch->rx.entries) ||
	    nla_put_u32(skb, RINGNET_A_CHANNEL_TX_ENTRIES, ch->tx.entries) ||
	    nla_put_u32(skb, RINGNET_A_CHANNEL_SLOT_SIZE, ch->slot_size) ||
	    nla_put_u64_64bit(skb, RINGNET_A_CHANNEL_MEM_BYTES, ch->mem_size,
			      RINGNET_A_CHANNEL_PAD)) {
		if (nest)
			nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static const struct file_operations ringnet_chan_fops = {
	.owner		= THIS_MODULE,
	.open		= ringnet_chan_open,
	.release	= ringnet_chan_release,
	.unlocked_ioctl	= ringnet_chan_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.poll		= ringnet_chan_poll,
	.mmap		= ringnet_chan_mmap,
};

static struct miscdevice ringnet_miscdev = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "ringnet",
	.nodename	= "net/ringnet",
	.mode		= 0666,
	.fops		= &ringnet_chan_fops,
};

int ringnet_chan_init(void)
{
	return misc_register(&ringnet_miscdev);
}

void ringnet_chan_exit(void)
{
	misc_deregister(&ringnet_miscdev);
}
