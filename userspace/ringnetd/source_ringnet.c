// SPDX-License-Identifier: GPL-2.0
/*
 * Frame source: a ringnet channel (libringnet).
 *
 * Frames are read in place from the rx ring and released after the batch
 * is handled; frames to send are copied into reserved tx slots and
 * published with one submit.  libringnet kicks the kernel only when it
 * asked for it, and epoll on the channel fd both waits and kicks, so the
 * main loop needs nothing backend-specific.
 *
 * The device must exist in the namespace (ip link add DEV type ringnet, or
 * ringnetctl add DEV); with --config-net main.c creates it if it doesn't.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gw.h"
#include "libringnet.h"

#define RN_BATCH 64

static unsigned int rn_recv(struct frame_source *s, struct frame *f, unsigned int max)
{
	struct ringnet_chan *ch = s->priv;
	struct ringnet_frame rf[RN_BATCH];
	unsigned int n, i;

	if (max > RN_BATCH)
		max = RN_BATCH;
	n = ringnet_rx_peek(ch, rf, max);
	for (i = 0; i < n; i++) {
		f[i].data = rf[i].data;
		f[i].len = rf[i].len;
	}
	return n;
}

static void rn_recv_done(struct frame_source *s, unsigned int n)
{
	ringnet_rx_release(s->priv, n);
}

static unsigned int rn_send(struct frame_source *s, const struct frame *f,
			    unsigned int n)
{
	struct ringnet_chan *ch = s->priv;
	struct ringnet_frame out[RN_BATCH];
	unsigned int done = 0, m, i, ok;

	while (done < n) {
		m = ringnet_tx_reserve(ch, out, n - done < RN_BATCH ? n - done : RN_BATCH);
		if (!m)
			break;	/* ring full: the rest is dropped */
		for (i = 0, ok = 0; i < m; i++) {
			const struct frame *in = &f[done + i];

			if (in->len > out[ok].len)
				continue;	/* larger than a slot */
			/* Built in the slot rn_lend() lent: already there. */
			if (in->data != out[ok].data)
				memcpy(out[ok].data, in->data, in->len);
			out[ok].len = in->len;
			ok++;
		}
		ringnet_tx_submit(ch, out, ok);
		done += m;
	}
	return done;
}

/* The slots the next frames will go to, to build them in place. */
static unsigned int rn_lend(struct frame_source *s, uint8_t **bufs, unsigned int max,
			    uint32_t min_len)
{
	struct ringnet_chan *ch = s->priv;
	struct ringnet_frame f[RN_BATCH];
	unsigned int n, i;

	if (ringnet_slot_size(ch) < min_len)
		return 0;
	n = ringnet_tx_reserve(ch, f, max < RN_BATCH ? max : RN_BATCH);
	for (i = 0; i < n; i++)
		bufs[i] = f[i].data;
	return n;
}

static void rn_close(struct frame_source *s)
{
	if (s->priv) {
		ringnet_close(s->priv);
		free(s->priv);
	}
	s->priv = NULL;
	s->fd = -1;
}

static const struct frame_source_ops rn_ops = {
	.recv = rn_recv,
	.recv_done = rn_recv_done,
	.send = rn_send,
	.lend = rn_lend,
	.close = rn_close,
};

int source_ringnet_available(void)
{
	return access(RINGNET_CHANNEL_PATH, F_OK) == 0;
}

int source_ringnet_open(struct frame_source *s, const char *dev)
{
	/*
	 * 128 slots each way hold 8 MiB of 64 KiB segments, more than the
	 * TCP relay keeps in flight (tcp.c, MAX_INFLIGHT); the kernel's 256
	 * would double the 17 MiB of rings mapped into us for nothing.
	 */
	struct ringnet_chan_opts o = {
		.rx_entries = 128,
		.tx_entries = 128,
		.offloads = RINGNET_F_CSUM | RINGNET_F_TSO4 | RINGNET_F_TSO6,
	};
	struct ringnet_chan *ch;
	int err;

	memset(s, 0, sizeof(*s));
	s->ops = &rn_ops;
	s->backend = "ringnet";
	s->fd = -1;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	err = ringnet_open(ch, &o);
	if (err) {
		gw_log(LOG_ERR_, "%s: %s", RINGNET_CHANNEL_PATH, strerror(-err));
		free(ch);
		return err;
	}
	err = ringnet_attach(ch, dev, 0);
	if (err) {
		gw_log(LOG_ERR_, "%s: can't attach a ringnet channel: %s", dev,
		       strerror(-err));
		ringnet_close(ch);
		free(ch);
		return err;
	}
	s->priv = ch;
	s->fd = ch->fd;
	if (ch->offloads & RINGNET_F_CSUM)
		s->offloads |= FRAME_OFF_CSUM;
	if (ch->offloads & RINGNET_F_TSO4)
		s->offloads |= FRAME_OFF_TSO4;
	if (ch->offloads & RINGNET_F_TSO6)
		s->offloads |= FRAME_OFF_TSO6;
	return 0;
}
