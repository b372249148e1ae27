/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A frame source: where the sandbox's Ethernet frames come from and go to.
 *
 * The gateway never knows which device it talks to.  A TAP file and a
 * ringnet channel differ in how frames move (one read() per frame against
 * rings in shared memory), but both hand over frames in the same format,
 * which is what this interface is cut along:
 *
 *	struct virtio_net_hdr_v1 (12 bytes) | Ethernet header | payload
 *
 * Receiving lends frames: recv() fills up to max descriptors that point
 * into the source's own memory, valid until recv_done().  Sending copies
 * unless the frames were built in buffers the source lent (lend(): the
 * ringnet channel's own slots); send() returns how many it took,
 * so a full ring or a full TAP queue is a short count the caller counts as
 * a drop (every protocol relayed so far is lossy; TCP will need EPOLLOUT).
 */
#ifndef RINGNETD_FRAMES_H
#define RINGNETD_FRAMES_H

#include <stdint.h>
#include <linux/virtio_net.h>

#define VNET_HDR_LEN	sizeof(struct virtio_net_hdr_v1)	/* 12 */

/* Offloads in effect, in both directions, whatever the backend calls them. */
#define FRAME_OFF_CSUM	(1U << 0)	/* NEEDS_CSUM / DATA_VALID may appear */
#define FRAME_OFF_TSO4	(1U << 1)
#define FRAME_OFF_TSO6	(1U << 2)

struct frame {
	uint8_t *data;		/* vnet header, then the Ethernet frame */
	uint32_t len;		/* both together */
};

struct frame_source;

struct frame_source_ops {
	/* Up to max frames now waiting; 0 when there are none. */
	unsigned int (*recv)(struct frame_source *s, struct frame *f,
			     unsigned int max);
	/* Give back the n frames the last recv() lent. */
	void (*recv_done)(struct frame_source *s, unsigned int n);
	/* Copy out up to n frames; returns how many were taken. */
	unsigned int (*send)(struct frame_source *s, const struct frame *f,
			     unsigned int n);
	/*
	 * Optional: up to max buffers of at least min_len bytes that the
	 * next frames sent may be built in, in the order they will be sent
	 * and valid until the next send(), which takes frames built there
	 * without a copy.  Returns how many.
	 */
	unsigned int (*lend)(struct frame_source *s, uint8_t **bufs, unsigned int max,
			     uint32_t min_len);
	void (*close)(struct frame_source *s);
};

struct frame_source {
	const struct frame_source_ops *ops;
	const char *backend;	/* "tap", "ringnet", "fake" */
	int fd;			/* for epoll: EPOLLIN means frames wait */
	unsigned int offloads;	/* FRAME_OFF_* */
	void *priv;
};

/*
 * Both open the device named dev in the current network namespace, so
 * call them after setns() into the sandbox's.  They return 0 or a negative
 * errno and print what went wrong.
 */
int source_tap_open(struct frame_source *s, const char *dev);
int source_ringnet_open(struct frame_source *s, const char *dev);
/* Whether the ringnet backend is available on this system. */
int source_ringnet_available(void);

#endif
