// SPDX-License-Identifier: GPL-2.0
/*
 * TCP: every connection the sandbox opens is relayed onto a host socket,
 * without data buffers of our own (but for data behind a loss).
 *
 * The sandbox talks TCP with us; we talk to the destination with a plain
 * host socket, and the two byte streams are joined by the sequence
 * numbers alone:
 *
 *   sandbox -> host: an in-order segment is written to the host socket
 *	and we acknowledge exactly what send() took.  Segments beyond a gap
 *	are held (tcp_ooo.c) and named in SACK blocks until the gap fills,
 *	then written; what lies beyond the window is dropped.  The window we
 *	advertise is the free memory of the host socket's send buffer.
 *
 *   host -> sandbox: data stays in the host socket's receive queue until
 *	the sandbox acknowledges it.  We peek (MSG_PEEK) straight into the
 *	output frame buffers, up to the sandbox's window, and consume
 *	(MSG_TRUNC, no buffer) what the sandbox ACKs; a retransmission simply
 *	peeks the same bytes again: after duplicate ACKs only the holes the
 *	sandbox's SACK blocks show, after a timeout everything from the
 *	oldest unacknowledged byte.  With SO_PEEK_OFF (TCP: Linux 6.9) the
 *	peek starts at the first unsent byte; without it we peek from the
 *	head into a discard buffer and skip what was already sent.
 *
 * So memory is the kernel's socket buffers plus a fixed struct tcp_conn
 * per flow table entry, and out-of-order data within a global limit.
 * The handshake mirrors the host's connect(): the SYN-ACK goes out only
 * when connect() completed; refusal and timeout become an RST,
 * unreachability an ICMP error.
 *
 * Connections accepted on a published port (port.c) go the other way
 * round: the accepted socket is the host socket from the start, we send
 * the SYN to the sandbox (TS_SYN_SENT, resent with backoff), and its
 * SYN-ACK makes the connection established; from there on the relay is
 * the same.  A reset or no answer from the sandbox resets the client.
 *
 * Not done: timestamps, urgent data, RTT estimation (the RTO is a fixed
 * 200 ms doubled per retry), keepalive toward the sandbox, SACK blocks on
 * data segments (pure ACKs carry them).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/icmp.h>
#include <linux/sockios.h>
#include <linux/sock_diag.h>

#include "gw.h"
#include "flow.h"
#include "tcp_ooo.h"

#ifndef SO_PEEK_OFF
#define SO_PEEK_OFF 42
#endif

#define TCP_HDR_LEN	20
#define TCP_SYN_OPT_LEN	8	/* MSS (4), NOP, window scale (3) */

#define F_FIN	0x01
#define F_SYN	0x02
#define F_RST	0x04
#define F_PSH	0x08
#define F_ACK	0x10
#define F_URG	0x20

#define OUR_WSCALE	7		/* windows up to 8 MiB */
#define RTO_INIT_MS	200
#define RTO_MAX_MS	10000
#define MAX_RETRIES	12
#define CONNECT_TIMEOUT_MS 30000	/* then RST, as if connect() timed out */
#define IDLE_TIMEOUT_MS	(7200 * 1000)	/* both ways open, nothing moving */
#define FIN_TIMEOUT_MS	60000		/* half closed, nothing moving */
/* In flight toward the sandbox at once: the host socket holds it. */
#define MAX_INFLIGHT	(4U << 20)
#define MAX_INFLIGHT_NO_PEEK_OFF (1U << 20)
#define DISCARD_LEN	65536
#define TSO_MAX_PAYLOAD	(65535 - IP4_HDR_LEN - TCP_HDR_LEN)

enum tcp_state {
	TS_CONNECTING = 1,	/* SYN seen, host connect() in progress */
	TS_SYN_RCVD,		/* SYN-ACK sent */
	TS_ESTABLISHED,		/* half-closes are flags below */
	TS_SYN_SENT,		/* published port: our SYN to the sandbox sent */
};

struct tcp_conn {
	uint8_t state;
	uint8_t sb_wscale;	/* shift of the sandbox's window field */
	uint8_t our_wscale;	/* shift of ours; 0 if the sandbox can't scale */
	uint8_t dupacks;
	bool recovering;	/* fast recovery until snd_una reaches recover */
	uint8_t retries;
	bool sb_fin;		/* FIN from the sandbox: host SHUT_WR done */
	bool host_eof;		/* host EOF seen: our FIN is at fin_seq */
	bool wnd_closed;	/* we advertised a zero window: update later */
	uint16_t wnd_sent;	/* window field of our last ACK ... */
	uint32_t ack_sent;	/* ... and its acknowledgement number */
	uint32_t wnd_edge;	/* the furthest right edge we advertised */
	uint32_t room;		/* free memory in the host socket's send
				 * buffer: SO_MEMINFO's last answer less
				 * what we wrote since */
	uint32_t room_asked;	/* that answer; 0: ask again */
	uint32_t sndbuf;	/* SO_SNDBUF in that answer */
	bool inbound;		/* opened by us, from a published port */
	bool host_drained;	/* last peek saw all the host had: skip peeks
				 * until EPOLLIN or a retransmission */
	bool host_rdhup;	/* the host peer's FIN has arrived */
	bool peek_off_set;	/* SO_PEEK_OFF is at snd_nxt - snd_una */
	bool sack_ok;		/* SACK permitted both ways: blocks in our ACKs */
	bool room_waiting;	/* the host socket waits for room: EPOLLOUT
				 * means some was freed */
	bool sb_fin_held;	/* a FIN at sb_fin_seq came beyond a gap */
	uint32_t sb_fin_seq;
	struct tcp_ooo *ooo;	/* data beyond a gap (tcp_ooo.c), or NULL */
	uint16_t mss;		/* payload per segment toward the sandbox */
	uint32_t sb_isn;
	uint32_t rcv_nxt;	/* next byte expected from the sandbox */
	uint32_t iss;
	uint32_t snd_una;	/* oldest byte the sandbox hasn't acked */
	uint32_t snd_nxt;	/* next byte to send */
	uint32_t snd_max;	/* highest ever sent */
	uint32_t recover;	/* snd_nxt when the loss was seen */
	uint32_t rexmit_hi;	/* sent again up to here in this recovery */
	uint32_t fin_seq;
	uint32_t sb_wnd;	/* the sandbox's window, bytes */
	uint32_t rto_ms;
	uint64_t rto_at;	/* ms; 0: nothing outstanding */
	uint64_t last_ms;	/* last progress either way */
	uint64_t start_ms;
	uint64_t probe_ms;	/* last zero window probe */
};

/* -1: probe at init; 0: without SO_PEEK_OFF; 1: with.  Tests force 0. */
int tcp_peek_off_mode = -1;
/* SYNs to the sandbox resent before a published port's client gets a
 * reset: after 0.2, 0.6, 1.4, 3 and 6.2 s, the reset at 12.6 s.  Tests
 * lower it. */
int tcp_syn_retries = 5;
static uint8_t discard_buf[DISCARD_LEN];
static uint64_t isn_state;	/* new_isn() */

#define SEQ_LT(a, b)	((int32_t)((a) - (b)) < 0)
#define SEQ_LE(a, b)	((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b)	((int32_t)((a) - (b)) > 0)
#define SEQ_GE(a, b)	((int32_t)((a) - (b)) >= 0)

int tcp_init(struct gw *gw)
{
	int fd, zero = 0;

	gw->tcp = calloc(gw->cfg.max_flows, sizeof(*gw->tcp));
	if (!gw->tcp)
		return -ENOMEM;
	if (getrandom(&isn_state, sizeof(isn_state), GRND_NONBLOCK) != sizeof(isn_state))
		isn_state ^= gw_now_ms() * 0x9e3779b97f4a7c15ULL;
	if (tcp_peek_off_mode < 0) {
		/* Older kernels: EINVAL or EOPNOTSUPP on a TCP socket. */
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		tcp_peek_off_mode = fd >= 0 &&
			setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)) == 0;
		if (fd >= 0)
			close(fd);
		gw_log(LOG_INFO_, "tcp: %s SO_PEEK_OFF",
		       tcp_peek_off_mode ? "with" : "without");
	}
	return 0;
}

void tcp_fini(struct gw *gw)
{
	uint32_t i;

	for (i = 0; gw->tcp && i < gw->cfg.max_flows; i++)
		ooo_free(gw, &gw->tcp[i].ooo);
	free(gw->tcp);
	gw->tcp = NULL;
}

static struct tcp_conn *conn_of(struct gw *gw, uint32_t idx)
{
	return &gw->tcp[idx];
}

/*
 * Initial sequence numbers from a generator seeded once (splitmix64): a
 * getrandom() per connection was a system call on every SYN.  Nobody but
 * ringnetd writes to the sandbox's link, so there is no off-path sender
 * for unguessable numbers to keep out; they need only differ.
 */
static uint32_t new_isn(void)
{
	uint64_t z = (isn_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)(z ^ (z >> 31));
}

/* Per write, what the host socket's memory grows by beyond the payload
 * (skb overhead), as rcv_wnd() counts it before it asks again. */
#define HOST_WRITE_OVERHEAD	2048

/*
 * Ask the host socket how much memory its send buffer has free.
 *
 * send() takes data while the memory queued (payload plus the overhead of
 * its skbs) is below SO_SNDBUF.  Bytes counted as unsent (SIOCOUTQ) leave
 * that overhead out, and a window that relied on them once let the
 * sandbox send more than the socket took.
 */
static bool ask_room(struct flow *f, struct tcp_conn *c)
{
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t ml = sizeof(mem);

	c->room_asked = 0;
	if (getsockopt(f->fd, SOL_SOCKET, SO_MEMINFO, mem, &ml) < 0 ||
	    ml <= SK_MEMINFO_WMEM_QUEUED * sizeof(mem[0]))
		return false;
	c->sndbuf = mem[SK_MEMINFO_SNDBUF];
	c->room = c->sndbuf > mem[SK_MEMINFO_WMEM_QUEUED] ?
		c->sndbuf - mem[SK_MEMINFO_WMEM_QUEUED] : 0;
	c->room_asked = c->room;
	/*
	 * As full as the kernel calls unwritable (free below half of what
	 * is queued): a poll() now marks the socket as waiting for room, as
	 * a blocked writer would.  Only then does the kernel grow the send
	 * buffer (tcp_new_space()) and wake us with EPOLLOUT when ACKs free
	 * it; a writer that never hits the limit, as we never do, would
	 * keep the first small buffer and hear of room only by the timer.
	 */
	if (c->room < mem[SK_MEMINFO_WMEM_QUEUED] / 2) {
		struct pollfd pfd = { .fd = f->fd, .events = POLLOUT };

		poll(&pfd, 1, 0);
		c->room_waiting = true;
	}
	return true;
}

/* We wrote n bytes (or tried to write len): the room left, by our count. */
static void room_used(struct tcp_conn *c, size_t n, size_t len)
{
	uint32_t cost = (uint32_t)n + HOST_WRITE_OVERHEAD;

	c->room = c->room > cost ? c->room - cost : 0;
	if (n < len) {
		/* The socket is full, and marked as waiting for room. */
		c->room_asked = 0;
		c->room_waiting = true;
	}
}

/*
 * The window we can take: free memory in the host socket's send buffer.
 * Only asked again when our count of it (which can only be low: the
 * socket frees memory, we never do) fell below half of the last answer,
 * or when EPOLLOUT says memory was freed: once per ACK, as it used to be,
 * it was a system call for every segment.
 */
static uint32_t rcv_wnd(struct gw *gw, struct flow *f, struct tcp_conn *c)
{
	uint32_t w, floor, max = 65535U << c->our_wscale;

	(void)gw;
	if (f->fd < 0 || c->sb_fin)
		return 0;
	if ((!c->room_asked || c->room < c->room_asked / 2) && !ask_room(f, c))
		return 0;
	/* An eighth is kept back for the overhead of the skbs to come. */
	w = c->room - c->room / 8;
	if (w > max)
		w = max;
	/*
	 * No silly windows (RFC 1122 4.2.3.3): nothing smaller than an MSS,
	 * or than a quarter of what the socket can hold at all, whichever is
	 * less.  A host socket's first send buffer can be smaller than the
	 * sandbox's MSS (64 KiB at MTU 65520): an MSS floor alone would
	 * keep the window shut for good.
	 */
	floor = c->sndbuf / 4;
	if (floor > c->mss)
		floor = c->mss;
	if (w < floor)
		w = 0;
	return w;
}

/*
 * Finish a segment whose payload (len bytes) is already in the current
 * output buffer, after a header of TCP_HDR_LEN + optlen bytes.
 */
static void seg_finish(struct gw *gw, struct flow *f, struct tcp_conn *c,
		       uint8_t flags, uint32_t seq, size_t optlen, size_t len,
		       uint32_t wnd_field)
{
	uint8_t *l4 = ip4_out_begin(gw), *vh;
	size_t hl = TCP_HDR_LEN + optlen, l4_len = hl + len;
	bool tso = (gw->src->offloads & FRAME_OFF_TSO4) && len > c->mss;
	bool partial = gw->src->offloads & FRAME_OFF_TSO4;
	uint32_t sum;

	wr16(l4, f->key.peer_port);
	wr16(l4 + 2, f->key.sb_port);
	wr32(l4 + 4, seq);
	wr32(l4 + 8, (flags & F_ACK) ? c->rcv_nxt : 0);
	l4[12] = (uint8_t)((hl / 4) << 4);
	l4[13] = flags;
	wr16(l4 + 14, (uint16_t)(wnd_field > 65535 ? 65535 : wnd_field));
	wr16(l4 + 16, 0);
	wr16(l4 + 18, 0);
	sum = csum_ip4_pseudo(f->key.peer_addr, f->key.sb_addr, IPPROTO_TCP,
			      (uint16_t)l4_len);
	if (partial) {
		/* The sandbox's stack completes it (or trusts it). */
		wr16(l4 + 16, (uint16_t)~csum_fold(sum));
	} else {
		wr16(l4 + 16, csum_fold(csum_add(sum, l4, l4_len)));
	}
	ip4_out_finish(gw, f->key.peer_addr, f->key.sb_addr, IPPROTO_TCP, l4_len,
		       eth_sb_mac(gw));
	if (partial) {
		struct virtio_net_hdr_v1 h = { 0 };

		vh = gw->out_buf[gw->n_out - 1];
		h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h.csum_start = ETH_HDR_LEN + IP4_HDR_LEN;
		h.csum_offset = 16;
		if (tso) {
			h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
			h.gso_size = c->mss;
			h.hdr_len = (uint16_t)(ETH_HDR_LEN + IP4_HDR_LEN + hl);
		}
		memcpy(vh, &h, sizeof(h));
	}
}

/*
 * The window field for an ACK of rcv_nxt when w bytes would fit.
 *
 * Data beyond a gap that we could not hold, or after a write the host
 * socket took only in part, comes back only when the sandbox resends it.
 * The fast way there is three duplicate ACKs, and a Linux
 * sender counts an ACK as a duplicate only if it doesn't open the window
 * further.  So an ACK that repeats the last acknowledgement number never
 * advertises more than the last one did; the window grows with the next
 * acknowledgement, or with a window update after a zero window.
 */
static uint32_t ack_wnd_field(struct tcp_conn *c, uint32_t w, bool update)
{
	uint32_t wf = w >> c->our_wscale;

	if (wf > 65535)
		wf = 65535;
	if (!update && c->ack_sent == c->rcv_nxt && c->wnd_sent && wf > c->wnd_sent)
		wf = c->wnd_sent;
	c->ack_sent = c->rcv_nxt;
	c->wnd_sent = (uint16_t)wf;
	if (SEQ_GT(c->rcv_nxt + (wf << c->our_wscale), c->wnd_edge))
		c->wnd_edge = c->rcv_nxt + (wf << c->our_wscale);
	return wf;
}

/*
 * The options of our SYN or SYN-ACK at o, their length: the MSS; window
 * scaling unless the sandbox did not offer it; SACK permitted if it did
 * (or, on our own SYN, always: its SYN-ACK decides).
 */
static size_t syn_opts(struct gw *gw, const struct tcp_conn *c, uint8_t *o)
{
	size_t n = 0;

	o[n++] = 2;
	o[n++] = 4;
	wr16(o + n, (uint16_t)(gw->cfg.mtu - IP4_HDR_LEN - TCP_HDR_LEN));
	n += 2;
	if (c->our_wscale || c->sb_wscale) {
		o[n++] = 1;
		o[n++] = 3;
		o[n++] = 3;
		o[n++] = c->our_wscale;
	}
	if (c->sack_ok) {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 4;
		o[n++] = 2;
	}
	return n;
}

/* SACK blocks for what is held beyond a gap (RFC 2018), their length. */
static size_t sack_opts(const struct tcp_conn *c, uint8_t *o)
{
	uint32_t blocks[4][2];
	unsigned int n, i;

	n = c->sack_ok ? ooo_sack(c->ooo, blocks, 4) : 0;
	if (!n)
		return 0;
	o[0] = 1;
	o[1] = 1;
	o[2] = 5;
	o[3] = (uint8_t)(2 + 8 * n);
	for (i = 0; i < n; i++) {
		wr32(o + 4 + 8 * i, blocks[i][0]);
		wr32(o + 8 + 8 * i, blocks[i][1]);
	}
	return 4 + 8 * n;
}

/*
 * A segment without payload: ACK, FIN, RST, SYN-ACK; F_WND_UPDATE (not a
 * TCP flag, never sent) marks an ACK sent only to open the window.
 */
#define F_WND_UPDATE	0x80
static void send_ctl(struct gw *gw, struct flow *f, struct tcp_conn *c,
		     uint8_t flags, uint32_t seq)
{
	bool update = flags & F_WND_UPDATE;
	uint8_t *o = ip4_out_begin(gw) + TCP_HDR_LEN;
	size_t optlen = 0;
	uint32_t w, wf;

	if (flags & F_SYN)
		optlen = syn_opts(gw, c, o);
	else if (!(flags & F_RST))
		optlen = sack_opts(c, o);
	w = (flags & F_RST) ? 0 : rcv_wnd(gw, f, c);
	c->wnd_closed = !(flags & F_RST) && !w;
	if (flags & F_SYN) {
		wf = w > 65535 ? 65535 : w;	/* never scaled on a SYN */
		c->wnd_edge = c->rcv_nxt + wf;
		c->wnd_sent = (uint16_t)(wf >> c->our_wscale);
	} else {
		wf = ack_wnd_field(c, w, update);
	}
	seg_finish(gw, f, c, flags & ~F_WND_UPDATE, seq, optlen, 0, wf);
}

/*
 * Room freed in the host socket: tell the sandbox if the window opens by
 * at least an MSS or a quarter of what it was (RFC 1122 4.2.3.3), or at
 * all after a zero window.
 */
static void window_update(struct gw *gw, struct flow *f, struct tcp_conn *c)
{
	uint32_t now = rcv_wnd(gw, f, c), was = (uint32_t)c->wnd_sent << c->our_wscale;
	uint32_t step = was / 4 < c->mss ? was / 4 : c->mss;

	if (c->sb_fin || !now || (!c->wnd_closed && now < was + step))
		return;
	send_ctl(gw, f, c, F_ACK | F_WND_UPDATE, c->snd_nxt);
	gw->stats.tcp_wnd_updates++;
}

/* An RST for a segment that has no connection (RFC 9293 3.10.7.1). */
static void send_rst_reply(struct gw *gw, const struct ip4_pkt *p, uint8_t flags,
			   uint32_t seq, uint32_t ack, size_t plen)
{
	struct flow f = { .key = { .proto = IPPROTO_TCP, .sb_addr = p->src,
				   .peer_addr = p->dst, .sb_port = rd16(p->l4),
				   .peer_port = rd16(p->l4 + 2) }, .fd = -1 };
	struct tcp_conn c = { .mss = 536 };

	if (flags & F_ACK) {
		seg_finish(gw, &f, &c, F_RST, ack, 0, 0, 0);
	} else {
		c.rcv_nxt = seq + (uint32_t)plen + !!(flags & F_SYN) + !!(flags & F_FIN);
		seg_finish(gw, &f, &c, F_RST | F_ACK, 0, 0, 0, 0);
	}
	gw->stats.tcp_rst_to_sb++;
}

/* Close the host side, with an RST to its peer if abort. */
static void conn_close(struct gw *gw, uint32_t idx, bool abort)
{
	struct flow *f = flow_get(gw, idx);
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	if (!f)
		return;
	if (abort && f->fd >= 0)
		setsockopt(f->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	ooo_free(gw, &conn_of(gw, idx)->ooo);
	memset(conn_of(gw, idx), 0, sizeof(struct tcp_conn));
	flow_close(gw, idx);
}

/* RST to the sandbox and to the host peer. */
static void conn_reset(struct gw *gw, uint32_t idx)
{
	struct flow *f = flow_get(gw, idx);
	struct tcp_conn *c = conn_of(gw, idx);

	if (!f)
		return;
	send_ctl(gw, f, c, F_RST | F_ACK, c->snd_nxt);
	gw->stats.tcp_rst_to_sb++;
	conn_close(gw, idx, true);
}

static void arm_rto(struct tcp_conn *c, uint64_t now)
{
	if (c->snd_una != c->snd_nxt || c->state == TS_SYN_RCVD) {
		if (!c->rto_at)
			c->rto_at = now + c->rto_ms;
	} else {
		c->rto_at = 0;
	}
}

/*
 * Without SO_PEEK_OFF a peek starts at the head of the receive queue: the
 * first skip bytes land in the discard buffer.  The iovecs for that, from
 * iov[0]; their number.
 */
static unsigned int discard_iovs(struct iovec *iov, size_t skip)
{
	unsigned int n;

	for (n = 0; skip; n++) {
		iov[n].iov_base = discard_buf;
		iov[n].iov_len = skip < DISCARD_LEN ? skip : DISCARD_LEN;
		skip -= iov[n].iov_len;
	}
	return n;
}

/* How many of the bytes from snd_una are data (not the FIN). */
static uint32_t data_upto(const struct tcp_conn *c, uint32_t seq)
{
	if (c->host_eof && SEQ_GT(seq, c->fin_seq))
		seq = c->fin_seq;
	return SEQ_GT(seq, c->snd_una) ? seq - c->snd_una : 0;
}

/*
 * Host to sandbox: peek what the sandbox's window allows into output
 * frames, as many as the output queue has room for per call.
 */
static void tcp_push(struct gw *gw, uint32_t idx)
{
	struct flow *f = flow_get(gw, idx);
	struct tcp_conn *c = conn_of(gw, idx);
	struct iovec iov[MAX_INFLIGHT_NO_PEEK_OFF / DISCARD_LEN + 1 + OUT_QUEUE_LEN];
	size_t seg_max, seglen[OUT_QUEUE_LEN];
	uint32_t inflight, room, budget, max_inflight, wf = 0;
	unsigned int slots, nseg, niov, i;
	bool wf_known = false;
	struct msghdr mh;
	ssize_t n;
	size_t skip;
	int off;

	if (!f || c->state != TS_ESTABLISHED)
		return;
	/*
	 * Nothing new since the last peek came back short: don't ask again
	 * until EPOLLIN says so.  (Without SO_PEEK_OFF, EOF shows only to a
	 * peek with nothing in flight, so that one is still made.)
	 */
	if (c->host_drained && !(c->host_rdhup && c->snd_nxt == c->snd_una))
		goto fin;
	max_inflight = tcp_peek_off_mode ? MAX_INFLIGHT : MAX_INFLIGHT_NO_PEEK_OFF;
	seg_max = (gw->src->offloads & FRAME_OFF_TSO4) ? TSO_MAX_PAYLOAD / c->mss * c->mss
						       : c->mss;
	while (!c->host_eof) {
		inflight = c->snd_nxt - c->snd_una;
		room = c->sb_wnd < max_inflight ? c->sb_wnd : max_inflight;
		if (inflight >= room)
			break;
		budget = room - inflight;
		/*
		 * Without SO_PEEK_OFF every peek copies what is in flight again:
		 * wait until at least as much is new, or half the window is
		 * free, so that copy stays below what is sent.
		 */
		if (!tcp_peek_off_mode && budget < inflight && budget * 2 < room)
			break;
		if (gw->n_out == OUT_QUEUE_LEN)
			gw_flush(gw);
		slots = OUT_QUEUE_LEN - gw->n_out;

		niov = 0;
		skip = 0;
		if (tcp_peek_off_mode) {
			/* The kernel moves the offset as we peek and consume. */
			off = (int)inflight;
			if (!c->peek_off_set &&
			    setsockopt(f->fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)) < 0)
				return;
			c->peek_off_set = true;
		} else {
			niov = discard_iovs(iov, inflight);
			skip = inflight;
		}
		for (nseg = 0; nseg < slots && budget; nseg++) {
			seglen[nseg] = budget < seg_max ? budget : seg_max;
			iov[niov].iov_base = gw->out_buf[gw->n_out + nseg] + OFF_L4 + TCP_HDR_LEN;
			iov[niov++].iov_len = seglen[nseg];
			budget -= (uint32_t)seglen[nseg];
		}
		mh = (struct msghdr){ .msg_iov = iov, .msg_iovlen = niov };
		n = recvmsg(f->fd, &mh, MSG_PEEK | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				c->host_drained = true;
				break;
			}
			if (errno == EINTR)
				break;
			conn_reset(gw, idx);
			return;
		}
		if (n == 0) {
			/* Nothing beyond what was sent, and EOF. */
			c->host_eof = true;
			c->fin_seq = c->snd_nxt;
			break;
		}
		if ((size_t)n <= skip) {
			/*
			 * No new data.  Without SO_PEEK_OFF a peek never returns 0
			 * while data is in flight, but after EPOLLRDHUP the
			 * peer's FIN is in: everything before it is in the
			 * queue, so the end is here.  Our FIN goes now, not one
			 * round trip later when the sandbox has acked the rest.
			 */
			c->host_drained = true;
			if (c->host_rdhup) {
				c->host_eof = true;
				c->fin_seq = c->snd_nxt;
			}
			break;
		}
		n -= (ssize_t)skip;
		if (!wf_known) {
			/* The host socket's room doesn't change while we send. */
			wf = ack_wnd_field(c, rcv_wnd(gw, f, c), false);
			wf_known = true;
		}
		for (i = 0; i < nseg && n > 0; i++) {
			size_t len = (size_t)n < seglen[i] ? (size_t)n : seglen[i];
			bool last = (size_t)n <= seglen[i];

			seg_finish(gw, f, c, F_ACK | (last ? F_PSH : 0), c->snd_nxt, 0, len, wf);
			c->snd_nxt += (uint32_t)len;
			n -= (ssize_t)len;
		}
		if (SEQ_GT(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
		/*
		 * Less than asked: the queue is drained.  With SO_PEEK_OFF,
		 * once the peer's FIN is in (EPOLLRDHUP), one more peek tells
		 * EOF (0); before it, that peek would only say EAGAIN.
		 */
		if (i < nseg && (!tcp_peek_off_mode || !c->host_rdhup)) {
			c->host_drained = true;
			break;
		}
	}
fin:
	if (c->host_eof && c->snd_nxt == c->fin_seq) {
		send_ctl(gw, f, c, F_FIN | F_ACK, c->snd_nxt);
		c->snd_nxt++;
		if (SEQ_GT(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
	}
	arm_rto(c, gw_now_ms());
}

/* Send everything from snd_una again. */
static void retransmit(struct gw *gw, uint32_t idx)
{
	struct tcp_conn *c = conn_of(gw, idx);

	gw->stats.tcp_retrans++;
	c->snd_nxt = c->snd_una;
	c->dupacks = 0;
	c->recovering = false;
	c->host_drained = false;
	c->peek_off_set = false;
	tcp_push(gw, idx);
}

/*
 * Send [seq, end) again, as much of it as one frame holds, peeked from
 * the host socket where it still waits (or the FIN, if that is all).
 * snd_nxt stays: this fills a hole the sandbox reported.
 */
static void resend(struct gw *gw, uint32_t idx, uint32_t seq, uint32_t end)
{
	struct flow *f = flow_get(gw, idx);
	struct tcp_conn *c = conn_of(gw, idx);
	struct iovec iov[MAX_INFLIGHT_NO_PEEK_OFF / DISCARD_LEN + 2];
	uint32_t off = seq - c->snd_una, len, max;
	struct msghdr mh = { .msg_iov = iov };
	size_t skip = 0;
	ssize_t n;
	int o = (int)off;

	if (c->host_eof && SEQ_GE(seq, c->fin_seq)) {
		send_ctl(gw, f, c, F_FIN | F_ACK, c->fin_seq);
		gw->stats.tcp_retrans++;
		return;
	}
	if (c->host_eof && SEQ_GT(end, c->fin_seq))
		end = c->fin_seq;
	if (!tcp_peek_off_mode && off > MAX_INFLIGHT_NO_PEEK_OFF)
		return;
	max = (gw->src->offloads & FRAME_OFF_TSO4) ? TSO_MAX_PAYLOAD / c->mss * c->mss
						   : c->mss;
	len = end - seq < max ? end - seq : max;
	if (gw->n_out == OUT_QUEUE_LEN)
		gw_flush(gw);
	if (tcp_peek_off_mode) {
		if (setsockopt(f->fd, SOL_SOCKET, SO_PEEK_OFF, &o, sizeof(o)) < 0)
			return;
		c->peek_off_set = false;	/* tcp_push() puts it back */
	} else {
		mh.msg_iovlen = discard_iovs(iov, off);
		skip = off;
	}
	iov[mh.msg_iovlen].iov_base = gw->out_buf[gw->n_out] + OFF_L4 + TCP_HDR_LEN;
	iov[mh.msg_iovlen++].iov_len = len;
	n = recvmsg(f->fd, &mh, MSG_PEEK | MSG_DONTWAIT);
	if (n <= (ssize_t)skip)
		return;
	n -= (ssize_t)skip;
	seg_finish(gw, f, c, F_ACK | F_PSH, seq, 0, (size_t)n,
		   ack_wnd_field(c, rcv_wnd(gw, f, c), false));
	gw->stats.tcp_retrans++;
	if (SEQ_GT(seq + (uint32_t)n, c->rexmit_hi))
		c->rexmit_hi = seq + (uint32_t)n;
}

/*
 * The SACK blocks of an ACK from the sandbox, into b (at most 4): only
 * those that lie within what we sent and have not been acknowledged.
 */
static unsigned int parse_sack(const struct tcp_conn *c, const uint8_t *o, size_t len,
			       uint32_t b[4][2])
{
	unsigned int n = 0, k;
	size_t i = 0, l;
	uint32_t s, e;

	while (i < len && o[i] != 0) {
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || (l = o[i + 1]) < 2 || i + l > len)
			break;
		if (o[i] == 5)
			for (k = 0; 2 + 8 * (k + 1) <= l && n < 4; k++) {
				s = rd32(o + i + 2 + 8 * k);
				e = rd32(o + i + 6 + 8 * k);
				if (SEQ_LT(s, e) && SEQ_GT(s, c->snd_una) &&
				    SEQ_LE(e, c->snd_max)) {
					b[n][0] = s;
					b[n][1] = e;
					n++;
				}
			}
		i += l;
	}
	return n;
}

/*
 * The first hole at or after from that the sandbox has not reported
 * holding, below the highest block it reported: [*start, *end).
 */
static bool next_hole(const uint32_t b[4][2], unsigned int n, uint32_t from,
		      uint32_t *start, uint32_t *end)
{
	uint32_t s = from, hi;
	unsigned int i;
	bool moved;

	if (!n)
		return false;
	hi = b[0][1];
	for (i = 1; i < n; i++)
		if (SEQ_GT(b[i][1], hi))
			hi = b[i][1];
	do {
		moved = false;
		for (i = 0; i < n; i++)
			if (SEQ_LE(b[i][0], s) && SEQ_LT(s, b[i][1])) {
				s = b[i][1];
				moved = true;
			}
	} while (moved);
	if (!SEQ_LT(s, hi))
		return false;
	*start = s;
	*end = hi;
	for (i = 0; i < n; i++)
		if (SEQ_GT(b[i][0], s) && SEQ_LT(b[i][0], *end))
			*end = b[i][0];
	return true;
}

/*
 * Fast recovery (RFC 6582, with RFC 6675's use of SACK): the sandbox
 * keeps what came after a lost segment, so only the holes are sent
 * again, each once per recovery: the one at snd_una on the third
 * duplicate ACK and on each partial ACK, and those its SACK blocks show
 * as they come.  The RTO still sends everything again (retransmit()).
 */
static void recover_holes(struct gw *gw, uint32_t idx, const uint32_t b[4][2],
			  unsigned int n)
{
	struct tcp_conn *c = conn_of(gw, idx);
	uint32_t start, end, from;

	from = SEQ_GT(c->rexmit_hi, c->snd_una) ? c->rexmit_hi : c->snd_una;
	if (!n) {
		/* No SACK: one segment at snd_una, as NewReno does. */
		if (from == c->snd_una)
			resend(gw, idx, c->snd_una, c->snd_una + c->mss);
		return;
	}
	while (next_hole(b, n, from, &start, &end)) {
		resend(gw, idx, start, end);
		if (!SEQ_GT(c->rexmit_hi, start))
			return;		/* nothing could be peeked */
		from = c->rexmit_hi;
	}
}

static void mirror_connect_error(struct gw *gw, uint32_t idx, int err)
{
	struct flow *f = flow_get(gw, idx);
	struct tcp_conn *c = conn_of(gw, idx);

	if (err == EHOSTUNREACH || err == ENETUNREACH) {
		struct icmp4_err e = {
			.type = ICMP_DEST_UNREACH, .from = f->key.peer_addr,
			.code = err == EHOSTUNREACH ? ICMP_HOST_UNREACH : ICMP_NET_UNREACH,
			.sb_addr = f->key.sb_addr, .peer_addr = f->key.peer_addr,
			.proto = IPPROTO_TCP,
		};

		/* The quote: ports and the SYN's sequence number, which the
		 * sandbox's stack checks before it believes the error. */
		wr16(e.l4_hdr, f->key.sb_port);
		wr16(e.l4_hdr + 2, f->key.peer_port);
		wr32(e.l4_hdr + 4, c->sb_isn);
		icmp4_error(gw, &e);
		gw->stats.tcp_unreach++;
		conn_close(gw, idx, false);
		return;
	}
	gw->stats.tcp_refused++;
	c->rcv_nxt = c->sb_isn + 1;
	send_ctl(gw, f, c, F_RST | F_ACK, 0);
	gw->stats.tcp_rst_to_sb++;
	conn_close(gw, idx, false);
}

static void connected(struct gw *gw, uint32_t idx)
{
	struct flow *f = flow_get(gw, idx);
	struct tcp_conn *c = conn_of(gw, idx);

	gw->stats.tcp_connected++;
	c->state = TS_SYN_RCVD;
	c->snd_nxt = c->iss + 1;
	c->snd_max = c->snd_nxt;
	send_ctl(gw, f, c, F_SYN | F_ACK, c->iss);
	c->last_ms = gw_now_ms();
	c->rto_at = c->last_ms + c->rto_ms;
}

/* Options of the sandbox's SYN; false if they overrun the header. */
static bool parse_syn_opts(const uint8_t *o, size_t len, uint16_t *mss, int *ws,
			   bool *sack)
{
	size_t i = 0, l;

	*mss = 536;
	*ws = -1;
	*sack = false;
	while (i < len) {
		if (o[i] == 0)
			break;
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return false;
		l = o[i + 1];
		if (l < 2 || i + l > len)
			return false;
		if (o[i] == 2 && l == 4)
			*mss = rd16(o + i + 2);
		else if (o[i] == 3 && l == 3)
			*ws = o[i + 2] > 14 ? 14 : o[i + 2];
		else if (o[i] == 4 && l == 2)
			*sack = true;
		i += l;
	}
	return true;
}

static void new_conn(struct gw *gw, const struct ip4_pkt *p, const struct flow_key *k,
		     uint32_t seq, size_t doff, size_t plen)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(k->peer_port),
				  .sin_addr.s_addr = p->dst };
	struct tcp_conn *c;
	struct flow *f;
	uint16_t mss;
	bool sack;
	uint32_t idx;
	int ws, fd, one = 1, err;

	if (!parse_syn_opts(p->l4 + TCP_HDR_LEN, doff - TCP_HDR_LEN, &mss, &ws, &sack)) {
		gw->stats.tcp_bad_opts++;
		return;
	}
	if (plen)
		gw->stats.tcp_syn_data++;	/* acked later, when resent */
	if (gw->cfg.map_loopback && p->dst == gw->cfg.map_loopback) {
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else if (p->dst == gw->cfg.dns && k->peer_port == 53) {
		/* DNS over TCP (long answers, zone transfers): the stream is
		 * relayed untouched to the upstream resolver's port 53. */
		if (!dns_upstream(gw, &to)) {
			gw->stats.dns_no_upstream++;
			send_rst_reply(gw, p, F_SYN, seq, 0, plen);
			return;
		}
		gw->stats.dns_tcp_conns++;
	} else if (p->dst == gw->cfg.gw || p->dst == gw->cfg.dns) {
		gw->stats.tcp_closed_port++;
		send_rst_reply(gw, p, F_SYN, seq, 0, plen);
		return;
	} else if (!ip4_is_relayable(gw, p->dst) || p->src == 0) {
		gw->stats.ip4_bad_dst++;
		return;
	}
	idx = flow_alloc(gw, FLOW_TCP, k);
	if (idx == FLOW_NONE) {
		gw->stats.tcp_table_full++;
		send_rst_reply(gw, p, F_SYN, seq, 0, plen);
		return;
	}
	f = flow_get(gw, idx);
	c = conn_of(gw, idx);
	memset(c, 0, sizeof(*c));
	c->state = TS_CONNECTING;
	/* The socket is registered before connect(): EPOLLIN will tell of
	 * anything to read, and a first peek would only find EAGAIN. */
	c->host_drained = true;
	c->sb_isn = seq;
	c->rcv_nxt = seq + 1;
	c->iss = new_isn();
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->sb_wscale = ws >= 0 ? (uint8_t)ws : 0;
	c->our_wscale = ws >= 0 ? OUR_WSCALE : 0;
	c->sack_ok = sack;
	c->sb_wnd = rd16(p->l4 + 14);	/* never scaled on a SYN */
	if (mss < 64)
		mss = 64;
	if (mss > gw->cfg.mtu - IP4_HDR_LEN - TCP_HDR_LEN)
		mss = (uint16_t)(gw->cfg.mtu - IP4_HDR_LEN - TCP_HDR_LEN);
	c->mss = mss;
	c->rto_ms = RTO_INIT_MS;
	c->start_ms = c->last_ms = gw_now_ms();

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || flow_set_fd_ev(gw, idx, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) < 0) {
		gw->stats.flows_socket_err++;
		if (fd >= 0 && f->fd != fd)
			close(fd);
		c->rcv_nxt = seq + 1;
		send_ctl(gw, f, c, F_RST | F_ACK, 0);
		gw->stats.tcp_rst_to_sb++;
		conn_close(gw, idx, false);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	gw->stats.tcp_connects++;
	if (gw_log_level >= LOG_DEBUG_) {
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

		gw_log(LOG_DEBUG_, "tcp flow %s:%u -> %s:%u", ip4_str(p->src, a),
		       k->sb_port, ip4_str(to.sin_addr.s_addr, b), k->peer_port);
	}
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0) {
		connected(gw, idx);
		return;
	}
	err = errno;
	if (err != EINPROGRESS)
		mirror_connect_error(gw, idx, err);
	/* Else EPOLLOUT or EPOLLERR tells. */
}

static uint16_t mss_clamp(const struct gw *gw, uint16_t mss)
{
	if (mss < 64)
		return 64;
	if (mss > gw->cfg.mtu - IP4_HDR_LEN - TCP_HDR_LEN)
		return (uint16_t)(gw->cfg.mtu - IP4_HDR_LEN - TCP_HDR_LEN);
	return mss;
}

void tcp_conn_inbound(struct gw *gw, int fd, uint32_t peer_addr, uint16_t peer_port,
		      uint16_t guest_port)
{
	struct flow_key k = { .proto = IPPROTO_TCP, .sb_addr = gw->cfg.addr,
			      .peer_addr = peer_addr, .sb_port = guest_port,
			      .peer_port = peer_port };
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	struct tcp_conn *c;
	struct flow *f;
	uint32_t idx;
	int one = 1;

	if (flow_lookup(gw, &k) != FLOW_NONE) {
		/* Another loopback client shown as the same address and
		 * port, or the sandbox's own connection to them. */
		gw->stats.port_busy++;
		goto reset;
	}
	idx = flow_alloc(gw, FLOW_TCP, &k);
	if (idx == FLOW_NONE) {
		gw->stats.port_table_full++;
		goto reset;
	}
	f = flow_get(gw, idx);
	c = conn_of(gw, idx);
	memset(c, 0, sizeof(*c));
	c->state = TS_SYN_SENT;
	c->inbound = true;
	c->iss = new_isn();
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1;
	c->our_wscale = OUR_WSCALE;	/* offered; used if the sandbox offers too */
	c->sack_ok = true;		/* the same */
	c->mss = mss_clamp(gw, 65535);
	c->rto_ms = RTO_INIT_MS;
	c->start_ms = c->last_ms = gw_now_ms();
	/* The client's data waits in the socket until the handshake is done. */
	if (flow_set_fd_ev(gw, idx, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) < 0) {
		gw->stats.flows_socket_err++;
		conn_close(gw, idx, true);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (gw_log_level >= LOG_DEBUG_) {
		char a[INET_ADDRSTRLEN];

		gw_log(LOG_DEBUG_, "tcp flow in %s:%u -> port %u", ip4_str(peer_addr, a),
		       peer_port, guest_port);
	}
	send_ctl(gw, f, c, F_SYN, c->iss);
	c->rto_at = c->last_ms + c->rto_ms;
	return;
reset:
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/*
 * The sandbox's answer to our SYN (RFC 9293 3.10.7.3, without the
 * simultaneous open): a SYN-ACK for it establishes the connection, an RST
 * for it is a refusal the client sees as a reset.
 */
static void syn_sent_input(struct gw *gw, uint32_t idx, const struct ip4_pkt *p,
			   uint8_t flags, uint32_t seq, uint32_t ack, size_t doff,
			   size_t plen)
{
	struct flow *f = flow_get(gw, idx);
	struct tcp_conn *c = conn_of(gw, idx);
	uint16_t mss;
	bool sack;
	int ws;

	if ((flags & F_ACK) && ack != c->iss + 1) {
		gw->stats.tcp_bad_ack++;
		if (!(flags & F_RST))
			send_rst_reply(gw, p, flags, seq, ack, plen);
		return;
	}
	if (flags & F_RST) {
		if (flags & F_ACK) {
			gw->stats.tcp_rst_from_sb++;
			gw->stats.port_refused++;
			conn_close(gw, idx, true);
		} else {
			gw->stats.tcp_bad_flags++;
		}
		return;
	}
	if ((flags & (F_SYN | F_ACK)) != (F_SYN | F_ACK)) {
		gw->stats.tcp_bad_flags++;
		return;
	}
	if (!parse_syn_opts(p->l4 + TCP_HDR_LEN, doff - TCP_HDR_LEN, &mss, &ws, &sack)) {
		gw->stats.tcp_bad_opts++;
		return;
	}
	if (plen)
		gw->stats.tcp_syn_data++;	/* not taken: resent after our ACK */
	c->sb_isn = seq;
	c->rcv_nxt = seq + 1;
	/* Scaling only if both offered it (RFC 7323 2.2). */
	c->sb_wscale = ws >= 0 ? (uint8_t)ws : 0;
	if (ws < 0)
		c->our_wscale = 0;
	c->sack_ok = sack;
	c->wnd_edge = c->rcv_nxt;
	c->sb_wnd = rd16(p->l4 + 14);	/* never scaled on a SYN */
	c->mss = mss_clamp(gw, mss);
	c->state = TS_ESTABLISHED;
	c->snd_una = c->iss + 1;
	c->rto_at = 0;
	c->retries = 0;
	c->rto_ms = RTO_INIT_MS;
	c->last_ms = gw_now_ms();
	gw->stats.port_connected++;
	send_ctl(gw, f, c, F_ACK, c->snd_nxt);
	tcp_push(gw, idx);	/* what the client sent meanwhile, and its FIN */
}

/* SYN_SENT: resend the SYN with backoff, or give up and reset the client. */
static void syn_sent_timer(struct gw *gw, uint32_t idx, uint64_t now)
{
	struct flow *f = flow_get(gw, idx);
	struct tcp_conn *c = conn_of(gw, idx);

	if (!c->rto_at || now < c->rto_at)
		return;
	if (++c->retries > tcp_syn_retries) {
		gw->stats.tcp_timeouts++;
		gw->stats.port_refused++;
		conn_close(gw, idx, true);
		return;
	}
	gw->stats.tcp_retrans++;
	if (!gw->sb_mac_known)
		arp_request_sandbox(gw);
	c->rto_ms = c->rto_ms * 2 > RTO_MAX_MS ? RTO_MAX_MS : c->rto_ms * 2;
	send_ctl(gw, f, c, F_SYN, c->iss);
	c->rto_at = now + c->rto_ms;
}

void tcp_sb_mac_learned(struct gw *gw)
{
	struct flow *f;
	uint32_t i;

	for (i = 0; i < gw->cfg.max_flows; i++) {
		f = flow_get(gw, i);
		if (f && f->kind == FLOW_TCP && conn_of(gw, i)->state == TS_SYN_SENT)
			send_ctl(gw, f, conn_of(gw, i), F_SYN, conn_of(gw, i)->iss);
	}
}

/*
 * Write len bytes (in iov) that continue the stream to the host socket and
 * move rcv_nxt past what it took: that many, or -1 if the connection was
 * reset.
 */
static ssize_t host_writev(struct gw *gw, uint32_t idx, struct iovec *iov,
			   unsigned int iovcnt, size_t len)
{
	struct flow *f = flow_get(gw, idx);
	struct tcp_conn *c = conn_of(gw, idx);
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = iovcnt };
	ssize_t n;

	n = sendmsg(f->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	gw->stats.tcp_host_sends++;
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			conn_reset(gw, idx);
			return -1;
		}
		n = 0;
	}
	if ((size_t)n < len) {
		gw->stats.tcp_host_short++;
		gw_log(LOG_DEBUG_, "tcp short: %zd of %zu at %u", n, len,
		       c->rcv_nxt - c->sb_isn);
	}
	room_used(c, (size_t)n, len);
	c->rcv_nxt += (uint32_t)n;
	gw->stats.tcp_bytes_to_host += (uint64_t)n;
	if (n)
		c->last_ms = gw_now_ms();
	return n;
}

static ssize_t host_write(struct gw *gw, uint32_t idx, const uint8_t *d, size_t len)
{
	struct iovec iov = { .iov_base = (void *)d, .iov_len = len };

	return host_writev(gw, idx, &iov, 1, len);
}

static bool has_held(const struct tcp_conn *c)
{
	return c->ooo || c->sb_fin_held;
}

/* Every byte before the sandbox's FIN reached the host: half-close. */
static void sb_fin_take(struct gw *gw, struct flow *f, struct tcp_conn *c)
{
	c->rcv_nxt++;
	c->sb_fin = true;
	c->last_ms = gw_now_ms();
	shutdown(f->fd, SHUT_WR);
	ooo_free(gw, &c->ooo);	/* nothing can follow a FIN */
}

/*
 * Held data that continues the stream now, to the host socket, and a FIN
 * that was held behind it.  False if the connection was reset.
 */
static bool ooo_flush(struct gw *gw, uint32_t idx)
{
	struct flow *f = flow_get(gw, idx);
	struct tcp_conn *c = conn_of(gw, idx);
	const uint8_t *d;
	uint32_t len;
	ssize_t n;

	for (;;) {
		ooo_written(gw, &c->ooo, c->rcv_nxt);
		d = ooo_next(c->ooo, c->rcv_nxt, &len);
		if (!d)
			break;
		n = host_write(gw, idx, d, len);
		if (n < 0)
			return false;
		if ((size_t)n < len) {
			ooo_written(gw, &c->ooo, c->rcv_nxt);
			return true;
		}
	}
	if (c->sb_fin_held && !c->ooo && c->rcv_nxt == c->sb_fin_seq)
		sb_fin_take(gw, f, c);
	return true;
}

/*
 * Data (and a FIN) beyond a gap, or behind held data the host socket has
 * not taken yet: held, within the window we advertised, if there is room.
 */
static void hold(struct gw *gw, struct tcp_conn *c, uint32_t seq, const uint8_t *d,
		 size_t len, bool fin)
{
	uint32_t end = seq + (uint32_t)len;

	if (SEQ_GT(end, c->wnd_edge)) {
		gw->stats.tcp_beyond_wnd++;
		return;
	}
	if (len && !ooo_add(gw, &c->ooo, seq, d, (uint32_t)len)) {
		gw->stats.tcp_ooo_dropped++;
		return;
	}
	if (len)
		gw->stats.tcp_ooo_held++;
	if (fin) {
		c->sb_fin_held = true;
		c->sb_fin_seq = end;
	}
	if (gw_log_level >= LOG_DEBUG_)
		gw_log(LOG_DEBUG_, "tcp ooo: seq %u rcv_nxt %u len %zu, %u held",
		       seq - c->sb_isn, c->rcv_nxt - c->sb_isn, len, ooo_held(c->ooo));
}

/*
 * In-order data from the sandbox waits in gw->tcp_out while a batch of
 * frames is handled, and goes to the host socket in one sendmsg() with one
 * ACK after it.  Per segment, the write and the ACK were two system calls,
 * and writing the ACK ran the sandbox's own transmit path on our time: it
 * sent its next segment from inside our write().
 *
 * The iovecs point into the frames, so the batch leaves before they are
 * released (gw_input_done()), before another connection's data is
 * batched, and before any other kind of segment of its own connection is
 * handled (tcp4_input()).  What the socket does not take is held, as
 * data beyond a gap is, and written when the socket has room: dropping it
 * would leave the sandbox nothing to recover it by but its timeout, since
 * no duplicate ACKs follow one ACK per batch.
 */
void tcp_out_flush(struct gw *gw)
{
	struct tcp_batch *b = &gw->tcp_out;
	uint32_t idx = b->flow, seq;
	unsigned int n = b->n, i;
	struct tcp_conn *c;
	size_t skip;
	ssize_t took;

	if (!n)
		return;
	b->n = 0;
	took = host_writev(gw, idx, b->iov, n, b->len);
	if (took < 0)
		return;
	c = conn_of(gw, idx);
	seq = c->rcv_nxt;
	skip = (size_t)took;
	/* Whatever lies past the bytes it took: none if it took them all. */
	for (i = 0; i < n; i++) {
		if (skip >= b->iov[i].iov_len) {
			skip -= b->iov[i].iov_len;
			continue;
		}
		hold(gw, c, seq, (const uint8_t *)b->iov[i].iov_base + skip,
		     b->iov[i].iov_len - skip, false);
		seq += (uint32_t)(b->iov[i].iov_len - skip);
		skip = 0;
	}
	send_ctl(gw, flow_get(gw, idx), c, F_ACK, c->snd_nxt);
}

/*
 * Data at seq joins the batch if it continues the stream right after what
 * is batched (or rcv_nxt) and nothing is held beyond a gap.  tcp4_input()
 * has flushed a batch of another connection, or a full one.
 */
static bool tcp_out_add(struct gw *gw, uint32_t idx, uint32_t seq, const uint8_t *d,
			size_t len)
{
	struct tcp_batch *b = &gw->tcp_out;
	struct tcp_conn *c = conn_of(gw, idx);

	if (has_held(c) || c->sb_fin || seq != c->rcv_nxt + (uint32_t)(b->n ? b->len : 0))
		return false;
	if (!b->n) {
		b->flow = idx;
		b->len = 0;
	}
	b->iov[b->n++] = (struct iovec){ .iov_base = (void *)d, .iov_len = len };
	b->len += len;
	return true;
}

/*
 * Sandbox data (and FIN) at seq: what continues the stream goes to the
 * host socket, what lies beyond a gap is held until the gap fills.  The
 * ACK says what the host socket took, and SACK blocks what is held.
 */
static void data_in(struct gw *gw, uint32_t idx, uint32_t seq, const uint8_t *d,
		    size_t len, bool fin, bool batchable)
{
	struct flow *f = flow_get(gw, idx);
	struct tcp_conn *c = conn_of(gw, idx);
	uint32_t trim, held;
	ssize_t n;

	if (batchable) {
		if (tcp_out_add(gw, idx, seq, d, len))
			return;
		/* Not what comes next: what is batched goes first. */
		tcp_out_flush(gw);
		if (!flow_get(gw, idx))
			return;
	}
	/* The host socket may have room now for what waits. */
	if (has_held(c) && !ooo_flush(gw, idx))
		return;
	if (c->sb_fin) {
		/* Anything after the FIN is a retransmission: re-ACK. */
		send_ctl(gw, f, c, F_ACK, c->snd_nxt);
		return;
	}
	if (SEQ_LT(seq, c->rcv_nxt)) {
		trim = c->rcv_nxt - seq;
		if (trim > len) {
			/* All old: the sandbox missed our ACK. */
			send_ctl(gw, f, c, F_ACK, c->snd_nxt);
			return;
		}
		seq += trim;
		d += trim;
		len -= trim;
	}
	if (seq != c->rcv_nxt || ooo_next(c->ooo, c->rcv_nxt, &held)) {
		hold(gw, c, seq, d, len, fin);
		send_ctl(gw, f, c, F_ACK, c->snd_nxt);
		return;
	}
	if (len) {
		n = host_write(gw, idx, d, len);
		if (n < 0)
			return;
		if ((size_t)n < len)
			fin = false;
		else if (has_held(c) && !ooo_flush(gw, idx))
			return;
	}
	if (fin && !c->sb_fin)
		sb_fin_take(gw, f, c);
	send_ctl(gw, f, c, F_ACK, c->snd_nxt);
}

/* The host socket took some of what waited: acknowledge it. */
static void ooo_drain(struct gw *gw, uint32_t idx)
{
	struct tcp_conn *c = conn_of(gw, idx);
	uint32_t was = c->rcv_nxt;

	if (!ooo_flush(gw, idx))
		return;
	if (c->rcv_nxt != was)
		send_ctl(gw, flow_get(gw, idx), c, F_ACK, c->snd_nxt);
}

void tcp4_input(struct gw *gw, const struct ip4_pkt *p)
{
	const uint8_t *l4 = p->l4;
	struct flow_key k;
	struct tcp_conn *c;
	struct flow *f;
	size_t doff, plen;
	uint32_t seq, ack, idx, sum, data_acked, old_wnd, sack[4][2];
	unsigned int nsack;
	bool batchable;
	uint8_t flags;

	if (p->l4_len < TCP_HDR_LEN) {
		gw->stats.tcp_bad++;
		return;
	}
	doff = (size_t)(l4[12] >> 4) * 4;
	if (doff < TCP_HDR_LEN || doff > p->l4_len) {
		gw->stats.tcp_bad++;
		return;
	}
	if (!(p->vnet_flags & (VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_NEEDS_CSUM))) {
		sum = csum_ip4_pseudo(p->src, p->dst, IPPROTO_TCP, (uint16_t)p->l4_len);
		if (csum_fold(csum_add(sum, l4, p->l4_len)) != 0) {
			gw->stats.tcp_bad++;
			return;
		}
	}
	k = (struct flow_key){ .proto = IPPROTO_TCP, .sb_addr = p->src,
			       .peer_addr = p->dst, .sb_port = rd16(l4),
			       .peer_port = rd16(l4 + 2) };
	seq = rd32(l4 + 4);
	ack = rd32(l4 + 8);
	flags = l4[13] & 0x3f;
	plen = p->l4_len - doff;
	if (!k.sb_port || !k.peer_port || (flags & F_SYN && flags & (F_FIN | F_RST)) ||
	    !(flags & (F_SYN | F_RST | F_ACK))) {
		gw->stats.tcp_bad_flags++;
		return;
	}
	if (p->src == 0) {
		gw->stats.ip4_bad_src++;
		return;
	}

	idx = flow_lookup(gw, &k);
	/*
	 * Plain data, of a connection whose data is batched, may join the
	 * batch (data_in()); anything else is handled after the batch left,
	 * so that what it does (a FIN's shutdown(), an RST's close(), an ACK
	 * we send) follows the data.
	 */
	batchable = plen && !(flags & (F_SYN | F_RST | F_FIN)) && p->in_frame;
	if (gw->tcp_out.n && (gw->tcp_out.flow != idx || !batchable ||
			      gw->tcp_out.n == TCP_BATCH)) {
		tcp_out_flush(gw);
		idx = flow_lookup(gw, &k);
	}
	if (idx != FLOW_NONE && (flags & F_SYN) && !(flags & F_ACK) &&
	    conn_of(gw, idx)->state != TS_SYN_SENT && conn_of(gw, idx)->sb_isn != seq) {
		/* A new connection on the tuple of an old one: the old is gone. */
		conn_close(gw, idx, true);
		idx = FLOW_NONE;
	}
	if (idx == FLOW_NONE) {
		if (flags & F_RST)
			return;
		if ((flags & (F_SYN | F_ACK)) == F_SYN) {
			new_conn(gw, p, &k, seq, doff, plen);
			return;
		}
		gw->stats.tcp_no_conn++;
		send_rst_reply(gw, p, flags, seq, ack, plen);
		return;
	}
	f = flow_get(gw, idx);
	c = conn_of(gw, idx);

	if (c->state == TS_SYN_SENT) {
		syn_sent_input(gw, idx, p, flags, seq, ack, doff, plen);
		return;
	}
	if (flags & F_RST) {
		/* Acceptable if in the window we offered (RFC 5961 lite). */
		if (SEQ_GE(seq, c->rcv_nxt - 1) &&
		    SEQ_LE(seq, c->rcv_nxt + (65535U << c->our_wscale))) {
			gw->stats.tcp_rst_from_sb++;
			conn_close(gw, idx, true);
		} else {
			gw->stats.tcp_bad_flags++;
		}
		return;
	}
	if (flags & F_SYN) {
		/* The same SYN again, or a SYN-ACK from the sandbox. */
		if (!(flags & F_ACK) && c->state == TS_SYN_RCVD)
			send_ctl(gw, f, c, F_SYN | F_ACK, c->iss);
		else if ((flags & F_ACK) && c->inbound && seq == c->sb_isn)
			send_ctl(gw, f, c, F_ACK, c->snd_nxt);	/* our ACK was lost */
		else if (flags & F_ACK)
			gw->stats.tcp_bad_flags++;
		return;
	}
	if (!(flags & F_ACK) || c->state == TS_CONNECTING) {
		gw->stats.tcp_bad_flags++;
		return;
	}
	if (c->state == TS_SYN_RCVD) {
		if (ack != c->iss + 1) {
			gw->stats.tcp_bad_ack++;
			return;
		}
		c->state = TS_ESTABLISHED;
		c->snd_una = c->iss + 1;
		c->rto_at = 0;
		c->retries = 0;
		c->rto_ms = RTO_INIT_MS;
	}

	old_wnd = c->sb_wnd;
	if (SEQ_GT(ack, c->snd_max)) {
		gw->stats.tcp_bad_ack++;
		send_ctl(gw, f, c, F_ACK, c->snd_nxt);
		return;
	}
	if (SEQ_GT(ack, c->snd_una)) {
		data_acked = data_upto(c, ack);
		if (data_acked) {
			/* Only now does the data leave the host socket. */
			ssize_t r = recv(f->fd, NULL, data_acked, MSG_TRUNC | MSG_DONTWAIT);

			if (r > 0)
				gw->stats.tcp_bytes_from_host += (uint64_t)r;
		}
		c->snd_una = ack;
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		c->dupacks = 0;
		c->retries = 0;
		c->rto_ms = RTO_INIT_MS;
		c->rto_at = 0;
		c->last_ms = gw_now_ms();
		if (c->recovering && SEQ_LT(ack, c->recover)) {
			/* A partial ACK: the next hole starts here. */
			nsack = c->sack_ok ? parse_sack(c, l4 + TCP_HDR_LEN, doff - TCP_HDR_LEN,
							sack) : 0;
			recover_holes(gw, idx, sack, nsack);
			if (!flow_get(gw, idx))
				return;
		} else {
			c->recovering = false;
		}
	} else if (ack == c->snd_una && !plen && !(flags & F_FIN) &&
		   c->snd_nxt != c->snd_una &&
		   ((uint32_t)rd16(l4 + 14) << c->sb_wscale) == old_wnd) {
		nsack = c->sack_ok ? parse_sack(c, l4 + TCP_HDR_LEN, doff - TCP_HDR_LEN,
						sack) : 0;
		if (++c->dupacks == 3 && !c->recovering) {
			c->recovering = true;
			c->recover = c->snd_nxt;
			c->rexmit_hi = c->snd_una;
			recover_holes(gw, idx, sack, nsack);
		} else if (c->recovering && nsack) {
			recover_holes(gw, idx, sack, nsack);
		}
		if (!flow_get(gw, idx))
			return;
	}
	c->sb_wnd = (uint32_t)rd16(l4 + 14) << c->sb_wscale;

	if (plen || (flags & F_FIN))
		data_in(gw, idx, seq, l4 + doff, plen, flags & F_FIN, batchable);
	if (!flow_get(gw, idx))
		return;
	if (c->sb_fin && c->host_eof && SEQ_GT(c->snd_una, c->fin_seq)) {
		conn_close(gw, idx, false);	/* both ways closed, all acked */
		return;
	}
	tcp_push(gw, idx);
}

void tcp4_sock_event(struct gw *gw, unsigned int idx, uint32_t events)
{
	struct flow *f = flow_get(gw, idx);
	struct tcp_conn *c;
	socklen_t sl = sizeof(int);
	int err = 0;

	if (!f || f->kind != FLOW_TCP)
		return;
	c = conn_of(gw, idx);
	if (c->state == TS_SYN_SENT) {
		/* Data and a FIN from the client wait for the handshake (then
		 * tcp_push() reads all there is); a reset ends it here. */
		if ((events & EPOLLERR) &&
		    (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0 || err)) {
			send_ctl(gw, f, c, F_RST, c->iss + 1);
			gw->stats.tcp_rst_to_sb++;
			conn_close(gw, idx, false);
		}
		return;
	}
	if (c->state == TS_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		/* EPOLLOUT alone is a completed connect(): no need to ask. */
		if ((events & (EPOLLERR | EPOLLHUP)) &&
		    getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
			err = errno;
		if (err)
			mirror_connect_error(gw, idx, err);
		else
			connected(gw, idx);
		return;
	}
	if (events & EPOLLERR) {
		if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
			err = errno;
		if (err) {
			conn_reset(gw, idx);
			return;
		}
	}
	if ((events & EPOLLOUT) && c->state == TS_ESTABLISHED && c->room_waiting) {
		/* Memory was freed: ask again. */
		c->room_waiting = false;
		c->room_asked = 0;
		if (has_held(c)) {
			ooo_drain(gw, idx);
			if (!flow_get(gw, idx))
				return;
		}
		window_update(gw, f, c);
	}
	if (events & (EPOLLRDHUP | EPOLLHUP))
		c->host_rdhup = true;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
		c->host_drained = false;
		tcp_push(gw, idx);
	}
}

void tcp_print_states(struct gw *gw, int fd)
{
	unsigned int connecting = 0, syn = 0, est = 0, half = 0, closing = 0, i;
	const struct tcp_conn *c;
	const struct flow *f;

	for (i = 0; gw->tcp && i < gw->cfg.max_flows; i++) {
		f = flow_get(gw, i);
		if (!f || f->kind != FLOW_TCP)
			continue;
		c = conn_of(gw, i);
		if (c->state == TS_CONNECTING)
			connecting++;
		else if (c->state != TS_ESTABLISHED)
			syn++;
		else if (c->sb_fin && c->host_eof)
			closing++;
		else if (c->sb_fin || c->host_eof)
			half++;
		else
			est++;
	}
	dprintf(fd, "\"tcp_states\":{\"connecting\":%u,\"handshake\":%u,"
		"\"established\":%u,\"half_closed\":%u,\"closing\":%u},"
		"\"tcp_ooo_bytes\":%zu",
		connecting, syn, est, half, closing, gw->tcp_ooo_bytes);
}

void tcp_timer(struct gw *gw)
{
	uint64_t now = gw_now_ms();
	struct tcp_conn *c;
	struct flow *f;
	uint32_t i;

	for (i = 0; i < gw->cfg.max_flows; i++) {
		f = flow_get(gw, i);
		if (!f || f->kind != FLOW_TCP)
			continue;
		c = conn_of(gw, i);
		if (c->state == TS_SYN_SENT) {
			syn_sent_timer(gw, i, now);
			continue;
		}
		if (c->state == TS_CONNECTING) {
			if (now - c->start_ms >= CONNECT_TIMEOUT_MS) {
				gw->stats.tcp_timeouts++;
				mirror_connect_error(gw, i, ETIMEDOUT);
			}
			continue;
		}
		if (now - c->last_ms >= ((c->sb_fin || c->host_eof) ? FIN_TIMEOUT_MS
								     : IDLE_TIMEOUT_MS)) {
			gw->stats.tcp_timeouts++;
			conn_reset(gw, i);
			continue;
		}
		if (c->rto_at && now >= c->rto_at) {
			if (++c->retries > MAX_RETRIES) {
				gw->stats.tcp_timeouts++;
				conn_reset(gw, i);
				continue;
			}
			c->rto_ms = c->rto_ms * 2 > RTO_MAX_MS ? RTO_MAX_MS : c->rto_ms * 2;
			c->rto_at = 0;
			if (c->state == TS_SYN_RCVD) {
				gw->stats.tcp_retrans++;
				send_ctl(gw, f, c, F_SYN | F_ACK, c->iss);
				c->rto_at = now + c->rto_ms;
			} else {
				retransmit(gw, i);
			}
			continue;
		}
		if (c->state != TS_ESTABLISHED)
			continue;
		if (!c->sb_wnd && c->snd_nxt == c->snd_una && !c->host_eof &&
		    now - c->last_ms >= c->rto_ms && now - c->probe_ms >= c->rto_ms) {
			c->probe_ms = now;
			/* Zero window probe: an old sequence number, so the
			 * sandbox answers with its current window. */
			send_ctl(gw, f, c, F_ACK, c->snd_una - 1);
		}
		if (c->wnd_closed) {
			c->room_asked = 0;
			window_update(gw, f, c);
		}
	}
}

/*
 * Stopping: data the sandbox sent that we hold ourselves (beyond a gap,
 * or past a short write) has not reached the host yet, and the sandbox
 * still counts it as unacknowledged, so it may yet fill the gap.
 */
bool tcp_holding(struct gw *gw)
{
	struct flow *f;
	uint32_t i;

	for (i = 0; gw->tcp && i < gw->cfg.max_flows; i++) {
		f = flow_get(gw, i);
		if (f && f->kind == FLOW_TCP && has_held(conn_of(gw, i)))
			return true;
	}
	return false;
}

/* What the host sent and nobody will read: dropped without a copy. */
static void discard_unread(int fd)
{
	while (recv(fd, NULL, INT32_MAX, MSG_TRUNC | MSG_DONTWAIT) > 0)
		;
}

/*
 * Wait until each host peer has acknowledged what we wrote, our FIN
 * included, or until_ms.  Meanwhile what the peers still send is read
 * and dropped: a closed socket answers data with an RST, and an RST
 * throws away what was still queued for the peer.  Then the sockets are
 * closed; whatever is still queued then, the kernel delivers on its own.
 */
static void drain_host(struct pollfd *pfd, unsigned int n, uint64_t until_ms)
{
	unsigned int i, left;
	uint64_t now;
	int outq;

	for (;;) {
		left = 0;
		for (i = 0; i < n; i++) {
			if (pfd[i].fd < 0)
				continue;
			discard_unread(pfd[i].fd);
			if ((pfd[i].revents & POLLERR) ||
			    ioctl(pfd[i].fd, SIOCOUTQ, &outq) < 0 || outq <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				continue;
			}
			left++;
		}
		now = gw_now_ms();
		if (!left || now >= until_ms)
			break;
		/* ACKs raise no event: look again every few milliseconds. */
		poll(pfd, n, until_ms - now < 10 ? (int)(until_ms - now) : 10);
	}
	for (i = 0; i < n; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
}

/*
 * The last step before exit.  The sandbox's side of each connection gets
 * an RST: nothing will answer it from now on.  The host's side gets a FIN
 * after whatever its send queue still holds (drain_host()).  Its unread
 * data, which we leave in the receive queue until the sandbox
 * acknowledges it, is discarded first: close() would answer it with an
 * RST and drop the queue.
 */
void tcp_stop(struct gw *gw, uint64_t until_ms)
{
	struct pollfd *pfd = calloc(gw->cfg.max_flows, sizeof(*pfd));
	unsigned int n = 0;
	struct tcp_conn *c;
	uint32_t i, held;
	struct flow *f;

	for (i = 0; gw->tcp && i < gw->cfg.max_flows; i++) {
		f = flow_get(gw, i);
		if (!f || f->kind != FLOW_TCP)
			continue;
		c = conn_of(gw, i);
		held = ooo_held(c->ooo);
		if (held) {
			gw->stats.tcp_stop_held_lost += held;
			gw_log(LOG_WARN_, "tcp: %u bytes the host socket had not taken "
			       "(beyond a gap or past a full socket) dropped on exit", held);
		}
		if (c->state == TS_CONNECTING)
			c->rcv_nxt = c->sb_isn + 1;
		send_ctl(gw, f, c, F_RST | F_ACK, c->state == TS_CONNECTING ? 0 : c->snd_nxt);
		gw->stats.tcp_rst_to_sb++;
		if (f->fd >= 0) {
			shutdown(f->fd, SHUT_WR);
			discard_unread(f->fd);
			if (pfd) {
				/* drain_host() closes it. */
				epoll_ctl(gw->epfd, EPOLL_CTL_DEL, f->fd, NULL);
				pfd[n++] = (struct pollfd){ .fd = f->fd, .events = POLLIN };
				f->fd = -1;
			}
		}
		conn_close(gw, i, false);
	}
	if (pfd)
		drain_host(pfd, n, until_ms);
	free(pfd);
}
