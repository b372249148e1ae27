/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libringnet: the userspace side of a ringnet channel.
 *
 *	struct ringnet_chan ch;
 *	struct ringnet_frame f[64];
 *	unsigned int i, n;
 *
 *	ringnet_open(&ch, NULL);		// defaults: 256 + 256 entries, 68 KiB slots
 *	ringnet_attach(&ch, "rn0", 0);
 *	for (;;) {
 *		ringnet_wait(&ch, POLLIN, -1);
 *		n = ringnet_rx_peek(&ch, f, 64);	// frames the device sent
 *		for (i = 0; i < n; i++)
 *			handle(f[i].data, f[i].len);	// vnet header + Ethernet frame
 *		ringnet_rx_release(&ch, n);
 *	}
 *
 * Sending is the mirror image: ringnet_tx_reserve() lends buffers, the
 * caller writes header and frame into them and sets each len, and
 * ringnet_tx_submit() publishes them.  Neither side makes a system call per
 * frame: release and submit kick the kernel only when it asked for it.
 *
 * A channel is used by one thread at a time per direction: one reader, one
 * writer.
 */
#ifndef LIBRINGNET_H
#define LIBRINGNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/ringnet.h>
#include <linux/virtio_net.h>

#define RINGNET_VNET_HDR_LEN	sizeof(struct virtio_net_hdr_v1)

/* Options of ringnet_open(); zero means the kernel's default. */
struct ringnet_chan_opts {
	uint32_t rx_entries;
	uint32_t tx_entries;
	uint32_t slot_size;
	uint64_t offloads;	/* RINGNET_F_*; ~0 asks for all the kernel has */
};

/* Userspace's view of one ring. */
struct ringnet_uring {
	uint32_t *producer;
	uint32_t *consumer;
	uint32_t *flags;
	struct ringnet_desc *desc;
	uint8_t *buffers;
	uint64_t buffers_len;
	uint32_t entries;
	uint32_t mask;
	uint32_t head;		/* our index: rx consumer, tx producer */
	uint32_t cached;	/* the other side's index, as last read */
};

struct ringnet_chan {
	int fd;
	void *map;
	size_t map_size;
	struct ringnet_setup setup;
	struct ringnet_uring rx;	/* kernel to user */
	struct ringnet_uring tx;	/* user to kernel */
	uint64_t offloads;		/* in effect once attached */
	uint32_t mtu;
	uint64_t kicks;			/* system calls made to kick */
};

/* A frame: the virtio_net_hdr_v1, then the Ethernet frame. */
struct ringnet_frame {
	void *data;
	uint32_t len;
};

/* All return 0 or a negative errno. */
int ringnet_open(struct ringnet_chan *ch, const struct ringnet_chan_opts *opts);
int ringnet_attach(struct ringnet_chan *ch, const char *ifname, unsigned int ifindex);
int ringnet_detach(struct ringnet_chan *ch);
void ringnet_close(struct ringnet_chan *ch);
int ringnet_kick(struct ringnet_chan *ch);

/*
 * Wait for POLLIN (frames to read) and/or POLLOUT (room to write).  Returns
 * the events seen, 0 on timeout, or a negative errno; POLLERR|POLLHUP mean
 * the device is gone.
 */
int ringnet_wait(struct ringnet_chan *ch, short events, int timeout_ms);

/* Kernel to user: look at up to max frames, then give n of them back. */
unsigned int ringnet_rx_peek(struct ringnet_chan *ch, struct ringnet_frame *f,
			     unsigned int max);
void ringnet_rx_release(struct ringnet_chan *ch, unsigned int n);

/*
 * User to kernel: borrow up to max buffers (each f->len is the room in it),
 * fill them, set f->len, and submit the first n in order.
 */
unsigned int ringnet_tx_reserve(struct ringnet_chan *ch, struct ringnet_frame *f,
				unsigned int max);
void ringnet_tx_submit(struct ringnet_chan *ch, const struct ringnet_frame *f,
		       unsigned int n);

/* Bytes of room for header plus frame in one buffer. */
static inline uint32_t ringnet_slot_size(const struct ringnet_chan *ch)
{
	return ch->setup.slot_size;
}

#endif
