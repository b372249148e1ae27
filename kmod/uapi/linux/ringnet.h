/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ringnet: a network device whose frames travel to and from userspace
 * through shared memory rings.
 *
 * This header is the whole userspace ABI: the rtnetlink link options, the
 * "ringnet" generic netlink family and the offload bits.  The numbers of the
 * generic netlink family come from Documentation/netlink/specs/ringnet.yaml,
 * which is the source of truth; keep the two in step.
 */
#ifndef _UAPI_LINUX_RINGNET_H
#define _UAPI_LINUX_RINGNET_H

#include <linux/const.h>
#include <linux/types.h>

#define RINGNET_LINK_KIND		"ringnet"
#define RINGNET_GENL_NAME		"ringnet"
#define RINGNET_GENL_VERSION		1
#define RINGNET_MCGRP_EVENTS		"events"

/*
 * Offloads a channel may negotiate.  Each bit is effective in both
 * directions: the kernel may hand userspace frames that use it, and
 * userspace may hand the kernel frames that use it.
 */
enum {
	RINGNET_F_CSUM_BIT,	/* partial checksums (NEEDS_CSUM / DATA_VALID) */
	RINGNET_F_TSO4_BIT,	/* TCP segmentation, IPv4; needs CSUM */
	RINGNET_F_TSO6_BIT,	/* TCP segmentation, IPv6; needs CSUM */
	RINGNET_F_TSO_ECN_BIT,	/* TSO with CWR set; needs TSO4 or TSO6 */
	RINGNET_F_USO_BIT,	/* UDP segmentation; needs CSUM, kernel >= 6.2 */
	__RINGNET_F_NBITS,
};

#define RINGNET_F_CSUM		_BITULL(RINGNET_F_CSUM_BIT)
#define RINGNET_F_TSO4		_BITULL(RINGNET_F_TSO4_BIT)
#define RINGNET_F_TSO6		_BITULL(RINGNET_F_TSO6_BIT)
#define RINGNET_F_TSO_ECN	_BITULL(RINGNET_F_TSO_ECN_BIT)
#define RINGNET_F_USO		_BITULL(RINGNET_F_USO_BIT)
#define RINGNET_F_ALL		(_BITULL(__RINGNET_F_NBITS) - 1)

/* rtnetlink: IFLA_INFO_DATA of "ip link add DEV type ringnet" */
enum {
	IFLA_RINGNET_UNSPEC,
	IFLA_RINGNET_MEM_LIMIT,		/* u64: ring memory a channel may map */
	IFLA_RINGNET_OFFLOADS,		/* u64: RINGNET_F_* a channel may use */
	IFLA_RINGNET_ATTACHED,		/* u8, read only: a channel is attached */
	IFLA_RINGNET_PAD,
	__IFLA_RINGNET_MAX,
};

#define IFLA_RINGNET_MAX (__IFLA_RINGNET_MAX - 1)

/* generic netlink: commands */
enum {
	RINGNET_CMD_UNSPEC,
	RINGNET_CMD_DEV_GET,		/* do: one device; dump: all in the netns */
	RINGNET_CMD_DEV_SET,		/* change run-time settings */
	RINGNET_CMD_DEV_CREATED_NTF,	/* events: a device appeared in the netns */
	RINGNET_CMD_DEV_DELETED_NTF,	/* events: a device left the netns */
	RINGNET_CMD_DEV_ATTACHED_NTF,	/* events: a channel attached */
	RINGNET_CMD_DEV_DETACHED_NTF,	/* events: the channel detached */
	RINGNET_CMD_DEV_ERROR_NTF,	/* events: the channel broke the ring ABI */
	__RINGNET_CMD_MAX,
};

#define RINGNET_CMD_MAX (__RINGNET_CMD_MAX - 1)

/* generic netlink: attributes of a device */
enum {
	RINGNET_A_DEV_UNSPEC,
	RINGNET_A_DEV_IFINDEX,		/* u32 */
	RINGNET_A_DEV_IFNAME,		/* string */
	RINGNET_A_DEV_PAD,
	RINGNET_A_DEV_ADDRESS,		/* binary, 6 bytes; read only */
	RINGNET_A_DEV_MTU,		/* u32; read only (set with rtnetlink) */
	RINGNET_A_DEV_ATTACHED,		/* u8; read only */
	RINGNET_A_DEV_MEM_LIMIT,	/* u64 */
	RINGNET_A_DEV_OFFLOADS,		/* u64: RINGNET_F_* a channel may use */
	RINGNET_A_DEV_OFFLOADS_ACTIVE,	/* u64: RINGNET_F_* negotiated; read only */
	RINGNET_A_DEV_CHANNEL,		/* nest: RINGNET_A_CHANNEL_*; read only */
	RINGNET_A_DEV_STATS,		/* nest: RINGNET_A_STATS_*; read only */
	RINGNET_A_DEV_ERRNO,		/* u32: positive errno, in ERROR_NTF */
	RINGNET_A_DEV_ERROR_MSG,	/* string, in ERROR_NTF */
	__RINGNET_A_DEV_MAX,
};

#define RINGNET_A_DEV_MAX (__RINGNET_A_DEV_MAX - 1)

/* the attached channel */
enum {
	RINGNET_A_CHANNEL_UNSPEC,
	RINGNET_A_CHANNEL_PAD,
	RINGNET_A_CHANNEL_OWNER_PID,	/* u32: tgid that attached, in the reader's pidns */
	RINGNET_A_CHANNEL_RX_ENTRIES,	/* u32: kernel-to-user ring entries */
	RINGNET_A_CHANNEL_TX_ENTRIES,	/* u32: user-to-kernel ring entries */
	RINGNET_A_CHANNEL_SLOT_SIZE,	/* u32: bytes per frame slot */
	RINGNET_A_CHANNEL_MEM_BYTES,	/* u64: bytes of shared memory */
	__RINGNET_A_CHANNEL_MAX,
};

#define RINGNET_A_CHANNEL_MAX (__RINGNET_A_CHANNEL_MAX - 1)

/*
 * Counters.  "rx" is what the device received from userspace, "tx" what it
 * transmitted to userspace, as "ip -s link" counts them.  Every dropped
 * frame is counted under exactly one reason.
 */
enum {
	RINGNET_A_STATS_UNSPEC,
	RINGNET_A_STATS_PAD,
	RINGNET_A_STATS_RX_PACKETS,	/* u64 */
	RINGNET_A_STATS_RX_BYTES,	/* u64 */
	RINGNET_A_STATS_TX_PACKETS,	/* u64 */
	RINGNET_A_STATS_TX_BYTES,	/* u64 */
	RINGNET_A_STATS_TX_DROP_NO_CHANNEL,	/* u64: transmit with no channel */
	RINGNET_A_STATS_TX_DROP_BAD_OFFLOAD,	/* u64: skb not expressible in a vnet header */
	RINGNET_A_STATS_TX_DROP_TOO_BIG,	/* u64: frame larger than a slot */
	RINGNET_A_STATS_RX_DROP_BAD_DESC,	/* u64: descriptor out of bounds */
	RINGNET_A_STATS_RX_DROP_BAD_HDR,	/* u64: vnet header rejected */
	RINGNET_A_STATS_RX_DROP_NO_MEM,		/* u64: skb allocation failed */
	RINGNET_A_STATS_RING_ERRORS,		/* u64: corrupt producer/consumer */
	RINGNET_A_STATS_KICKS,			/* u64: wake-ups asked by userspace */
	RINGNET_A_STATS_TX_QUEUE_STOPS,		/* u64: queue stopped, ring full */
	__RINGNET_A_STATS_MAX,
};

#define RINGNET_A_STATS_MAX (__RINGNET_A_STATS_MAX - 1)

/*
 * The frame channel: /dev/net/ringnet.
 *
 * An open file is a channel.  RINGNET_IOC_SETUP sizes the rings and returns
 * the layout of one shared memory area, which userspace maps whole with
 * mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0).
 * RINGNET_IOC_ATTACH binds the channel to a ringnet device.  The layout is
 * not ABI: userspace finds every ring and buffer at the offsets SETUP
 * returns.  See Documentation/ringnet.rst for the protocol.
 */
#define RINGNET_CHANNEL_PATH		"/dev/net/ringnet"
#define RINGNET_IOC_MAGIC		0xE7

/* Where one ring lives in the mapping; all values are byte offsets. */
struct ringnet_ring_layout {
	__u64 producer;		/* __u32 index, advanced by the producer */
	__u64 consumer;		/* __u32 index, advanced by the consumer */
	__u64 flags;		/* __u32 RINGNET_RING_F_*, written by the kernel */
	__u64 desc;		/* entries * struct ringnet_desc */
	__u64 buffers;		/* frame buffers of this direction */
	__u64 buffers_len;	/* bytes of frame buffers */
};

/*
 * RINGNET_IOC_SETUP.  Extensible: "size" is sizeof the struct the caller was
 * built with; a longer struct must have zeros past what the kernel knows
 * (else E2BIG), a shorter one gets only what fits.  Zero in any "in" field
 * asks for the default.  Once per channel: a second call fails with EBUSY.
 */
struct ringnet_setup {
	__u32 size;		/* in: sizeof(struct ringnet_setup) */
	__u32 flags;		/* in: 0 */
	__u32 rx_entries;	/* in/out: kernel-to-user ring, power of 2 */
	__u32 tx_entries;	/* in/out: user-to-kernel ring, power of 2 */
	__u32 slot_size;	/* in/out: bytes per frame buffer (header + frame) */
	__u32 abi_version;	/* out: RINGNET_ABI_VERSION */
	__u64 offloads;		/* in: RINGNET_F_* wanted; out: those this kernel has */
	__u64 mmap_size;	/* out: length to map, at offset 0 */
	struct ringnet_ring_layout rx;	/* out: kernel-to-user */
	struct ringnet_ring_layout tx;	/* out: user-to-kernel */
};

#define RINGNET_ABI_VERSION		1
#define RINGNET_SETUP_SIZE_VER0		136	/* sizeof the first published struct */

/*
 * One frame.  "addr" is a byte offset into the ring's buffers, "len" the
 * length of the 12-byte struct virtio_net_hdr_v1 plus the Ethernet frame
 * that follow it there.  The kernel fills the kernel-to-user ring's
 * descriptors; userspace fills the other ring's, and may point them
 * anywhere inside that ring's buffers.
 */
struct ringnet_desc {
	__u64 addr;
	__u32 len;
	__u32 flags;		/* 0; reserved */
};

/* Ring flags: the other side must kick (RINGNET_IOC_KICK or poll()). */
#define RINGNET_RING_F_NEED_WAKEUP	_BITUL(0)

/* RINGNET_IOC_ATTACH: name the device by ifindex, or by name with ifindex 0. */
struct ringnet_attach {
	__u32 ifindex;		/* in */
	__u32 queue;		/* in: 0; room for one channel per queue */
	char ifname[16];	/* in: used when ifindex is 0 */
	__u64 offloads;		/* out: RINGNET_F_* in effect on this channel */
	__u32 mtu;		/* out: the device's MTU at attach time */
	__u32 reserved;		/* in: 0 */
};

#define RINGNET_IOC_SETUP	_IOWR(RINGNET_IOC_MAGIC, 1, struct ringnet_setup)
#define RINGNET_IOC_ATTACH	_IOWR(RINGNET_IOC_MAGIC, 2, struct ringnet_attach)
#define RINGNET_IOC_DETACH	_IO(RINGNET_IOC_MAGIC, 3)
#define RINGNET_IOC_KICK	_IO(RINGNET_IOC_MAGIC, 4)

#endif /* _UAPI_LINUX_RINGNET_H */
