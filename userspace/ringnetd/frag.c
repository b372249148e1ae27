// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 reassembly of what the sandbox fragments.
 *
 * A sandbox at MTU 1500 fragments every UDP datagram above 1472 bytes (its
 * stack sets no DF on UDP), and ping -s 3000 does the same with ICMP; the
 * host socket then sends the whole datagram and lets the host's own stack
 * fragment it again as its path needs.  TCP never gets here: it sets DF.
 *
 * Memory is the worry: a sandbox could open datagrams and never finish
 * them.  So there is a fixed number of slots, each holding one datagram of
 * at most 64 KiB, allocated while in use; a datagram older than
 * FRAG_TIMEOUT_S is dropped, and when every slot is busy the oldest goes.
 * Overlapping fragments drop the whole datagram (as RFC 5722 asks of IPv6,
 * and as Linux does for IPv4 overlaps it can't resolve): accepting them
 * would let two fragments disagree about the same bytes.
 */
#include <stdlib.h>

#include "gw.h"

#define FRAG_SLOTS	8
#define FRAG_TIMEOUT_S	5
#define FRAG_MAX_LEN	(65535 - IP4_HDR_LEN)	/* payload of one datagram */
#define FRAG_UNITS	((FRAG_MAX_LEN + 7) / 8)	/* 8-byte blocks */

struct frag_slot {
	bool used;
	uint8_t proto;
	uint16_t id;
	uint32_t src, dst;
	time_t started;
	uint32_t total;		/* payload length, once the last fragment came */
	uint32_t have;		/* payload bytes received */
	uint32_t max_end;	/* highest offset + length received */
	uint8_t *data;
	uint8_t seen[(FRAG_UNITS + 7) / 8];	/* 8-byte blocks received */
};

struct frag_table {
	struct frag_slot slot[FRAG_SLOTS];
};

static void slot_free(struct frag_slot *s)
{
	free(s->data);
	memset(s, 0, sizeof(*s));
}

void frag_fini(struct gw *gw)
{
	unsigned int i;

	if (!gw->frags)
		return;
	for (i = 0; i < FRAG_SLOTS; i++)
		slot_free(&gw->frags->slot[i]);
	free(gw->frags);
	gw->frags = NULL;
}

void frag_expire(struct gw *gw, time_t now)
{
	unsigned int i;

	if (!gw->frags)
		return;
	for (i = 0; i < FRAG_SLOTS; i++) {
		struct frag_slot *s = &gw->frags->slot[i];

		if (s->used && now - s->started >= FRAG_TIMEOUT_S) {
			gw->stats.ip4_frag_timeout++;
			slot_free(s);
		}
	}
}

static struct frag_slot *slot_find(struct gw *gw, uint32_t src, uint32_t dst,
				   uint8_t proto, uint16_t id)
{
	struct frag_slot *s, *free_slot = NULL, *oldest = NULL;
	unsigned int i;

	if (!gw->frags) {
		gw->frags = calloc(1, sizeof(*gw->frags));
		if (!gw->frags)
			return NULL;
	}
	frag_expire(gw, gw_now());
	for (i = 0; i < FRAG_SLOTS; i++) {
		s = &gw->frags->slot[i];
		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (s->src == src && s->dst == dst && s->proto == proto && s->id == id)
			return s;
		if (!oldest || s->started < oldest->started)
			oldest = s;
	}
	if (!free_slot) {
		gw->stats.ip4_frag_evicted++;
		slot_free(oldest);
		free_slot = oldest;
	}
	s = free_slot;
	s->data = malloc(FRAG_MAX_LEN);
	if (!s->data)
		return NULL;
	s->used = true;
	s->src = src;
	s->dst = dst;
	s->proto = proto;
	s->id = id;
	s->started = gw_now();
	return s;
}

/* Mark blocks [first, last] seen; false if any already was. */
static bool mark_seen(struct frag_slot *s, uint32_t first, uint32_t last)
{
	uint32_t u;

	for (u = first; u <= last; u++)
		if (s->seen[u / 8] & (1U << (u % 8)))
			return false;
	for (u = first; u <= last; u++)
		s->seen[u / 8] |= (uint8_t)(1U << (u % 8));
	return true;
}

void frag_input(struct gw *gw, struct ip4_pkt *p, uint16_t frag_field)
{
	uint32_t off = (uint32_t)(frag_field & 0x1fff) * 8;
	bool more = frag_field & 0x2000;
	uint32_t len = (uint32_t)p->l4_len;
	uint16_t id = p->ip_id;
	struct frag_slot *s;

	gw->stats.ip4_fragment++;
	/* Every fragment but the last carries a multiple of 8 bytes. */
	if (!len || (more && (len % 8)) || off + len > FRAG_MAX_LEN) {
		gw->stats.ip4_frag_bad++;
		return;
	}
	s = slot_find(gw, p->src, p->dst, p->proto, id);
	if (!s) {
		gw->stats.ip4_frag_bad++;
		return;
	}
	if ((s->total && (off + len > s->total || (!more && off + len != s->total))) ||
	    (!more && off + len < s->max_end) ||
	    !mark_seen(s, off / 8, (off + len - 1) / 8)) {
		/* Overlap, or a length that contradicts an earlier fragment. */
		gw->stats.ip4_frag_bad++;
		slot_free(s);
		return;
	}
	if (!more)
		s->total = off + len;
	memcpy(s->data + off, p->l4, len);
	s->have += len;
	if (off + len > s->max_end)
		s->max_end = off + len;
	if (!s->total || s->have != s->total)
		return;

	/* Whole: checksums are checked in software from here on. */
	gw->stats.ip4_reassembled++;
	p->l4 = s->data;
	p->l4_len = s->total;
	p->vnet_flags = 0;
	p->in_frame = false;	/* the slot is freed below */
	ip4_deliver(gw, p);
	slot_free(s);
}
