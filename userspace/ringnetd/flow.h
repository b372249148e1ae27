/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flows: one host socket per conversation the sandbox started, or a
 * client of a published port started (port.c).
 *
 * A flow is keyed by what the sandbox sees: its own address and port and
 * the address and port it talked to (for ping, the echo identifier and 0).
 * The host socket is connected, so whatever comes back on it belongs to
 * exactly this flow and maps back to the same four values, swapped.
 * (Inbound flows are keyed the same way, by what the sandbox sees.)
 *
 * The table is a fixed array of --max-flows entries, allocated once: a
 * sandbox that opens flows without end gets a full table, a counter and
 * refusals, never an out-of-memory host.  Lookups go through a hash of
 * chains threaded through the entries.
 */
#ifndef RINGNETD_FLOW_H
#define RINGNETD_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct gw;

enum flow_kind {
	FLOW_FREE = 0,
	FLOW_UDP,	/* sandbox UDP to a host address */
	FLOW_DNS,	/* sandbox UDP to the DNS address, port 53 */
	FLOW_PING,	/* ICMP echo over a ping socket */
	FLOW_TCP,	/* a TCP connection (tcp.c: own state and timeouts) */
	FLOW_UDP_IN,	/* UDP from a client of a published port (udp.c) */
};

struct flow_key {
	uint8_t proto;		/* IPPROTO_UDP or IPPROTO_ICMP */
	uint32_t sb_addr;	/* network byte order */
	uint32_t peer_addr;
	uint16_t sb_port;	/* host byte order; echo id for ping */
	uint16_t peer_port;
};

struct flow {
	enum flow_kind kind;
	struct flow_key key;
	int fd;
	time_t last;		/* monotonic seconds of the last datagram */
	uint32_t hnext;		/* next in the hash chain, or FLOW_NONE */
	/*
	 * FLOW_UDP_IN has no socket of its own (fd -1): replies leave by the
	 * published port's socket, to the client's real address (the key has
	 * what the sandbox sees), from the local address it wrote to (0: the
	 * socket's own).
	 */
	int pub_fd;
	uint32_t client_addr;
	uint32_t local_addr;
};

#define FLOW_NONE UINT32_MAX

struct flow_table *flow_table_new(unsigned int max);
void flow_table_free(struct gw *gw);
struct flow *flow_get(struct gw *gw, uint32_t idx);
uint32_t flow_lookup(struct gw *gw, const struct flow_key *k);
/* A new entry (fd -1) or FLOW_NONE when the table is full (counted). */
uint32_t flow_alloc(struct gw *gw, enum flow_kind kind, const struct flow_key *k);
/* Give the entry a host socket: registered with epoll as EP_FLOW. */
int flow_set_fd(struct gw *gw, uint32_t idx, int fd);
/* The same with the epoll events given. */
int flow_set_fd_ev(struct gw *gw, uint32_t idx, int fd, uint32_t events);
void flow_close(struct gw *gw, uint32_t idx);
/* Events on the entry's socket, to the protocol its kind belongs to. */
void flow_event(struct gw *gw, uint32_t idx, uint32_t events);
/* Close flows idle for longer than the timeout (TCP: tcp_timer()). */
void flow_expire(struct gw *gw, time_t now);
unsigned int flow_count(const struct gw *gw);

#endif
