// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table (see flow.h for what a flow is).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "gw.h"
#include "flow.h"

struct flow_table {
	unsigned int max;
	unsigned int used;
	uint32_t free_head;	/* free entries chained through hnext */
	uint32_t nbuckets;	/* a power of two, at least 2 * max */
	uint32_t *buckets;
	struct flow *e;
};

struct flow_table *flow_table_new(unsigned int max)
{
	struct flow_table *t;
	uint32_t i;

	if (max == 0 || max > (1U << 20))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->max = max;
	for (t->nbuckets = 16; t->nbuckets < 2 * max; t->nbuckets <<= 1)
		;
	t->buckets = malloc(t->nbuckets * sizeof(*t->buckets));
	t->e = calloc(max, sizeof(*t->e));
	if (!t->buckets || !t->e) {
		free(t->buckets);
		free(t->e);
		free(t);
		return NULL;
	}
	for (i = 0; i < t->nbuckets; i++)
		t->buckets[i] = FLOW_NONE;
	for (i = 0; i < max; i++) {
		t->e[i].fd = -1;
		t->e[i].hnext = i + 1 < max ? i + 1 : FLOW_NONE;
	}
	t->free_head = 0;
	return t;
}

void flow_table_free(struct gw *gw)
{
	struct flow_table *t = gw->flows;
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->max; i++)
		if (t->e[i].kind != FLOW_FREE)
			flow_close(gw, i);
	free(t->buckets);
	free(t->e);
	free(t);
	gw->flows = NULL;
}

/*
 * The sandbox chooses every field of the key, so a hash it could aim at
 * one chain would make lookups linear in the table size; the chains are
 * bounded by max anyway, and a seeded hash would be the next step if that
 * ever mattered more than simplicity here.
 */
static uint32_t flow_hash(const struct flow_key *k)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	h ^= k->proto;
	h = (h ^ k->sb_addr) * 0x100000001b3ULL;
	h = (h ^ k->peer_addr) * 0x100000001b3ULL;
	h = (h ^ ((uint32_t)k->sb_port << 16 | k->peer_port)) * 0x100000001b3ULL;
	return (uint32_t)(h ^ (h >> 29));
}

static bool key_eq(const struct flow_key *a, const struct flow_key *b)
{
	return a->proto == b->proto && a->sb_addr == b->sb_addr &&
	       a->peer_addr == b->peer_addr && a->sb_port == b->sb_port &&
	       a->peer_port == b->peer_port;
}

struct flow *flow_get(struct gw *gw, uint32_t idx)
{
	struct flow_table *t = gw->flows;

	if (idx >= t->max || t->e[idx].kind == FLOW_FREE)
		return NULL;
	return &t->e[idx];
}

uint32_t flow_lookup(struct gw *gw, const struct flow_key *k)
{
	struct flow_table *t = gw->flows;
	uint32_t i = t->buckets[flow_hash(k) & (t->nbuckets - 1)];

	for (; i != FLOW_NONE; i = t->e[i].hnext)
		if (key_eq(&t->e[i].key, k))
			return i;
	return FLOW_NONE;
}

uint32_t flow_alloc(struct gw *gw, enum flow_kind kind, const struct flow_key *k)
{
	struct flow_table *t = gw->flows;
	uint32_t i = t->free_head, b;
	struct flow *f;

	if (i == FLOW_NONE) {
		gw->stats.flows_table_full++;
		return FLOW_NONE;
	}
	f = &t->e[i];
	t->free_head = f->hnext;
	b = flow_hash(k) & (t->nbuckets - 1);
	f->kind = kind;
	f->key = *k;
	f->fd = -1;
	f->pub_fd = -1;
	f->client_addr = f->local_addr = 0;
	f->last = gw_now();
	f->hnext = t->buckets[b];
	t->buckets[b] = i;
	t->used++;
	gw->stats.flows_created++;
	return i;
}

int flow_set_fd(struct gw *gw, uint32_t idx, int fd)
{
	return flow_set_fd_ev(gw, idx, fd, EPOLLIN);
}

int flow_set_fd_ev(struct gw *gw, uint32_t idx, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = EP_REF(EP_FLOW, idx) };

	gw->flows->e[idx].fd = fd;
	/* EPOLLERR is always reported: that is how IP_RECVERR errors arrive. */
	if (epoll_ctl(gw->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void flow_close(struct gw *gw, uint32_t idx)
{
	struct flow_table *t = gw->flows;
	struct flow *f = &t->e[idx];
	uint32_t *pp = &t->buckets[flow_hash(&f->key) & (t->nbuckets - 1)];

	if (f->kind == FLOW_FREE)
		return;
	/* Accepted datagrams still queued for this socket go first. */
	if (gw->udp_out.n && gw->udp_out.flow == idx)
		udp_out_flush(gw);
	/* TCP data not yet written was not acknowledged either: it goes
	 * with the connection. */
	if (gw->tcp_out.n && gw->tcp_out.flow == idx)
		gw->tcp_out.n = 0;
	while (*pp != FLOW_NONE && *pp != idx)
		pp = &t->e[*pp].hnext;
	if (*pp == idx)
		*pp = f->hnext;
	if (f->fd >= 0)
		close(f->fd);	/* also leaves the epoll set */
	f->fd = -1;
	f->kind = FLOW_FREE;
	f->hnext = t->free_head;
	t->free_head = idx;
	t->used--;
}

void flow_event(struct gw *gw, uint32_t idx, uint32_t events)
{
	struct flow *f = flow_get(gw, idx);

	if (!f)
		return;
	if (f->kind == FLOW_PING)
		icmp4_sock_event(gw, idx, events);
	else if (f->kind == FLOW_TCP)
		tcp4_sock_event(gw, idx, events);
	else
		udp4_sock_event(gw, idx, events);
}

void flow_expire(struct gw *gw, time_t now)
{
	struct flow_table *t = gw->flows;
	uint32_t i;

	for (i = 0; i < t->max; i++) {
		if (t->e[i].kind == FLOW_FREE || t->e[i].kind == FLOW_TCP)
			continue;
		if (now - t->e[i].last >= (time_t)gw->cfg.udp_timeout) {
			flow_close(gw, i);
			gw->stats.flows_expired++;
		}
	}
}

unsigned int flow_count(const struct gw *gw)
{
	return gw->flows->used;
}
