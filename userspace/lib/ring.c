// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libringnet: open, map and drive a ringnet channel.
 *
 * The ordering rules mirror the kernel's (Documentation/ringnet.rst):
 * acquire the other side's index before touching what it covers, release
 * ours after we are done with it, and a full barrier between publishing an
 * index and reading the other side's need-wakeup flag.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libringnet.h"

static inline uint32_t load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint32_t load_relaxed(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void uring_init(struct ringnet_uring *r, uint8_t *map,
		       const struct ringnet_ring_layout *l, uint32_t entries)
{
	r->producer = (uint32_t *)(map + l->producer);
	r->consumer = (uint32_t *)(map + l->consumer);
	r->flags = (uint32_t *)(map + l->flags);
	r->desc = (struct ringnet_desc *)(map + l->desc);
	r->buffers = map + l->buffers;
	r->buffers_len = l->buffers_len;
	r->entries = entries;
	r->mask = entries - 1;
	r->head = 0;
	r->cached = 0;
}

int ringnet_open(struct ringnet_chan *ch, const struct ringnet_chan_opts *opts)
{
	int err;

	memset(ch, 0, sizeof(*ch));
	ch->fd = open(RINGNET_CHANNEL_PATH, O_RDWR | O_CLOEXEC);
	if (ch->fd < 0)
		return -errno;

	ch->setup.size = sizeof(ch->setup);
	if (opts) {
		ch->setup.rx_entries = opts->rx_entries;
		ch->setup.tx_entries = opts->tx_entries;
		ch->setup.slot_size = opts->slot_size;
		ch->setup.offloads = opts->offloads == ~0ULL ? RINGNET_F_ALL :
							     opts->offloads;
	}
	if (ioctl(ch->fd, RINGNET_IOC_SETUP, &ch->setup) < 0)
		goto fail;

	ch->map_size = ch->setup.mmap_size;
	ch->map = mmap(NULL, ch->map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       ch->fd, 0);
	if (ch->map == MAP_FAILED) {
		ch->map = NULL;
		goto fail;
	}
	uring_init(&ch->rx, ch->map, &ch->setup.rx, ch->setup.rx_entries);
	uring_init(&ch->tx, ch->map, &ch->setup.tx, ch->setup.tx_entries);
	return 0;
fail:
	err = -errno;
	close(ch->fd);
	ch->fd = -1;
	return err;
}

int ringnet_attach(struct ringnet_chan *ch, const char *ifname,
		   unsigned int ifindex)
{
	struct ringnet_attach a = { .ifindex = ifindex };

	if (!ifindex) {
		if (!ifname || strlen(ifname) >= sizeof(a.ifname))
			return -EINVAL;
		strcpy(a.ifname, ifname);
	}
	if (ioctl(ch->fd, RINGNET_IOC_ATTACH, &a) < 0)
		return -errno;
	ch->offloads = a.offloads;
	ch->mtu = a.mtu;
	return 0;
}

int ringnet_detach(struct ringnet_chan *ch)
{
	return ioctl(ch->fd, RINGNET_IOC_DETACH) < 0 ? -errno : 0;
}

void ringnet_close(struct ringnet_chan *ch)
{
	if (ch->map)
		munmap(ch->map, ch->map_size);
	if (ch->fd >= 0)
		close(ch->fd);
	ch->map = NULL;
	ch->fd = -1;
}

int ringnet_kick(struct ringnet_chan *ch)
{
	ch->kicks++;
	return ioctl(ch->fd, RINGNET_IOC_KICK) < 0 ? -errno : 0;
}

int ringnet_wait(struct ringnet_chan *ch, short events, int timeout_ms)
{
	struct pollfd p = { .fd = ch->fd, .events = events };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? p.revents : 0;
}

/* The other side asked to be woken: tell it after a full barrier. */
static void kick_if_needed(struct ringnet_chan *ch, struct ringnet_uring *r)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load_relaxed(r->flags) & RINGNET_RING_F_NEED_WAKEUP)
		ringnet_kick(ch);
}

unsigned int ringnet_rx_peek(struct ringnet_chan *ch, struct ringnet_frame *f,
			     unsigned int max)
{
	struct ringnet_uring *r = &ch->rx;
	uint32_t avail = r->cached - r->head;
	unsigned int i;

	if (avail < max || avail > r->entries) {
		r->cached = load_acquire(r->producer);
		avail = r->cached - r->head;
	}
	if (avail > r->entries)		/* cannot be, unless memory is corrupt */
		avail = 0;
	if (max > avail)
		max = avail;
	for (i = 0; i < max; i++) {
		const struct ringnet_desc *d = &r->desc[(r->head + i) & r->mask];
		uint64_t addr = d->addr;
		uint32_t len = d->len;

		if (addr > r->buffers_len || len > r->buffers_len - addr)
			len = 0, addr = 0;	/* the kernel never does this */
		f[i].data = r->buffers + addr;
		f[i].len = len;
	}
	return max;
}

void ringnet_rx_release(struct ringnet_chan *ch, unsigned int n)
{
	struct ringnet_uring *r = &ch->rx;

	if (!n)
		return;
	r->head += n;
	store_release(r->consumer, r->head);
	kick_if_needed(ch, r);
}

unsigned int ringnet_tx_reserve(struct ringnet_chan *ch, struct ringnet_frame *f,
				unsigned int max)
{
	struct ringnet_uring *r = &ch->tx;
	uint32_t slot = ch->setup.slot_size;
	uint32_t room = r->entries - (r->head - r->cached);
	unsigned int i;

	if (room < max) {
		/* Acquire: the kernel has finished copying what it consumed. */
		r->cached = load_acquire(r->consumer);
		room = r->entries - (r->head - r->cached);
	}
	if (room > r->entries)
		room = 0;
	if (max > room)
		max = room;
	/* Entry i of the ring always uses buffer i: simple, and never shared. */
	for (i = 0; i < max; i++) {
		uint32_t idx = (r->head + i) & r->mask;

		f[i].data = r->buffers + (uint64_t)idx * slot;
		f[i].len = slot;
	}
	return max;
}

void ringnet_tx_submit(struct ringnet_chan *ch, const struct ringnet_frame *f,
		       unsigned int n)
{
	struct ringnet_uring *r = &ch->tx;
	unsigned int i;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		struct ringnet_desc *d = &r->desc[(r->head + i) & r->mask];

		d->addr = (uint8_t *)f[i].data - r->buffers;
		d->len = f[i].len;
		d->flags = 0;
	}
	r->head += n;
	store_release(r->producer, r->head);
	kick_if_needed(ch, r);
}
