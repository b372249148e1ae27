// SPDX-License-Identifier: GPL-2.0
/*
 * Frame source: a TAP device.
 *
 * IFF_VNET_HDR makes the TAP file speak the format the ringnet rings do, a
 * virtio_net_hdr before every frame, so the gateway sees one format.  The
 * header is the 12-byte v1 one (TUNSETVNETHDRSZ), and checksum and TCP
 * segmentation offloads are turned on when the kernel has them: then the
 * sandbox's stack skips checksums and hands over 64 KiB TCP segments.
 *
 * TUNSETIFF creates the device in the current network namespace or
 * attaches to an existing TAP device of that name.  Each read() returns
 * one frame; a batch is as many as are waiting, up to the caller's max.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_tun.h>

#include "gw.h"

#define TAP_BATCH	64
#define TAP_BUF_SIZE	(VNET_HDR_LEN + ETH_HDR_LEN + 65536)

struct tap {
	uint8_t *buf[TAP_BATCH];
};

static unsigned int tap_recv(struct frame_source *s, struct frame *f, unsigned int max)
{
	struct tap *t = s->priv;
	unsigned int n = 0;
	ssize_t r;

	if (max > TAP_BATCH)
		max = TAP_BATCH;
	while (n < max) {
		r = read(s->fd, t->buf[n], TAP_BUF_SIZE);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;	/* EAGAIN: all read */
		}
		f[n].data = t->buf[n];
		f[n].len = (uint32_t)r;
		n++;
	}
	return n;
}

static void tap_recv_done(struct frame_source *s, unsigned int n)
{
	(void)s;
	(void)n;	/* the buffers are ours and reused */
}

static unsigned int tap_send(struct frame_source *s, const struct frame *f,
			     unsigned int n)
{
	unsigned int i, sent = 0;

	for (i = 0; i < n; i++) {
		/* One write per frame: TAP takes exactly one frame per call.
		 * EAGAIN (the device's queue is full) drops this frame only. */
		if (write(s->fd, f[i].data, f[i].len) == (ssize_t)f[i].len)
			sent++;
	}
	return sent;
}

static void tap_close(struct frame_source *s)
{
	struct tap *t = s->priv;
	unsigned int i;

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (t)
		for (i = 0; i < TAP_BATCH; i++)
			free(t->buf[i]);
	free(t);
	s->priv = NULL;
}

static const struct frame_source_ops tap_ops = {
	.recv = tap_recv,
	.recv_done = tap_recv_done,
	.send = tap_send,
	.close = tap_close,
};

int source_tap_open(struct frame_source *s, const char *dev)
{
	struct ifreq ifr = { 0 };
	int hdrsz = VNET_HDR_LEN, err, i;
	struct tap *t;

	memset(s, 0, sizeof(*s));
	s->ops = &tap_ops;
	s->backend = "tap";
	s->fd = -1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	s->priv = t;
	for (i = 0; i < TAP_BATCH; i++)
		if (!(t->buf[i] = malloc(TAP_BUF_SIZE)))
			goto nomem;

	s->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0) {
		err = -errno;
		gw_log(LOG_ERR_, "/dev/net/tun: %s", strerror(errno));
		goto fail;
	}
	if (strlen(dev) >= IFNAMSIZ) {
		err = -EINVAL;
		gw_log(LOG_ERR_, "%s: device name too long", dev);
		goto fail;
	}
	strcpy(ifr.ifr_name, dev);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(s->fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		gw_log(LOG_ERR_, "%s: can't create or attach TAP device: %s", dev,
		       strerror(errno));
		goto fail;
	}
	if (ioctl(s->fd, TUNSETVNETHDRSZ, &hdrsz) < 0) {
		err = -errno;
		gw_log(LOG_ERR_, "%s: TUNSETVNETHDRSZ: %s", dev, strerror(errno));
		goto fail;
	}
	/* The best the kernel has, then less. */
	if (ioctl(s->fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) == 0)
		s->offloads = FRAME_OFF_CSUM | FRAME_OFF_TSO4 | FRAME_OFF_TSO6;
	else if (ioctl(s->fd, TUNSETOFFLOAD, TUN_F_CSUM) == 0)
		s->offloads = FRAME_OFF_CSUM;
	else
		s->offloads = 0;
	return 0;
nomem:
	err = -ENOMEM;
fail:
	tap_close(s);
	return err;
}
