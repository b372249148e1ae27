// SPDX-License-Identifier: GPL-2.0
/*
 * The TCP relay through a fake frame source against real sockets on
 * 127.0.0.1 (the gateway address is mapped to host loopback): handshake
 * after connect(), data both ways with checksums checked, data kept in the
 * host socket until acked, retransmission, FIN and RST both ways, refused
 * connects, malformed segments.  With and without SO_PEEK_OFF.
 * Published ports: connections opened toward the sandbox from the
 * client's address, and UDP flows the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/sockios.h>


extern int tcp_peek_off_mode;
extern int tcp_syn_retries;
#include "fake.h"
#include "../tcp_ooo.h"


#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* Where the sandbox's segments go; 0: the gateway (mapped to loopback). */
static uint32_t tcp_dst;
#define TCP_DST	(tcp_dst ? tcp_dst : GW)

static size_t build_tcp(uint8_t *buf, uint16_t sport, uint16_t dport, uint32_t seq,
			uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opt,
			size_t optlen, const void *data, size_t len)
{
	static uint8_t l4[70000];
	size_t hl = 20 + optlen;
	uint32_t sum;

	wr16(l4, sport);
	wr16(l4 + 2, dport);
	wr32(l4 + 4, seq);
	wr32(l4 + 8, ack);
	l4[12] = (uint8_t)((hl / 4) << 4);
	l4[13] = flags;
	wr16(l4 + 14, win);
	wr16(l4 + 16, 0);
	wr16(l4 + 18, 0);
	if (optlen)
		memcpy(l4 + 20, opt, optlen);
	if (len)
		memcpy(l4 + hl, data, len);
	sum = csum_ip4_pseudo(SB, TCP_DST, IPPROTO_TCP, (uint16_t)(hl + len));
	wr16(l4 + 16, csum_fold(csum_add(sum, l4, hl + len)));
	return build_ip4(buf, IPPROTO_TCP, SB, TCP_DST, l4, hl + len);
}

/* Sent frame i as TCP from GW to SB: checksums checked; its header. */
static const uint8_t *sent_tcp(unsigned int i, size_t *plen)
{
	const uint8_t *f = sent[i], *ip = f + OFF_IP4, *l4 = ip + 20;
	size_t l4_len;

	CHECK(sent_len[i] >= OFF_L4 + 20);
	CHECK(ip[9] == IPPROTO_TCP);
	CHECK(rdaddr(ip + 12) == GW && rdaddr(ip + 16) == SB);
	CHECK(csum_fold(csum_add(0, ip, 20)) == 0);
	l4_len = sent_len[i] - OFF_L4;
	CHECK(csum_fold(csum_add(csum_ip4_pseudo(GW, SB, IPPROTO_TCP, (uint16_t)l4_len),
				 l4, l4_len)) == 0);
	*plen = l4_len - (size_t)(l4[12] >> 4) * 4;
	return l4;
}

/* Run the event loop's socket part until nothing happens for ms. */
static void pump(int ms)
{
	while (poll_events(ms) > 0)
		;
}

struct conn {
	uint16_t sport, dport;
	uint32_t seq;		/* the sandbox's next */
	uint32_t peer_seq;	/* the relay's next */
	int lfd, afd;
	uint32_t idx;
};

static uint8_t fbuf[70000 + 128];
/* SO_RCVBUF of the host peer's socket, if not 0 (set on the listener, so
 * the accepted socket starts with it). */
static int peer_rcvbuf;

static void seg(struct conn *c, uint8_t flags, const void *d, size_t len)
{
	size_t l = build_tcp(fbuf, c->sport, c->dport, c->seq, c->peer_seq, flags,
			     0xffff, NULL, 0, d, len);

	input(fbuf, l);
	c->seq += (uint32_t)len + !!(flags & F_FIN);
}

/* The handshake, with SACK permitted in the sandbox's SYN if sack. */
static void open_conn_opts(struct conn *c, uint16_t sport, uint16_t mss, bool sack)
{
	/* MSS, window scale 2, SACK permitted */
	uint8_t opt[12] = { 2, 4, mss >> 8, mss & 0xff, 1, 3, 3, 2, 1, 1, 4, 2 };
	const uint8_t *t;
	size_t l, plen;
	struct flow_key k;

	memset(c, 0, sizeof(*c));
	c->lfd = loopback_socket(SOCK_STREAM, &c->dport);
	if (peer_rcvbuf)
		CHECK(setsockopt(c->lfd, SOL_SOCKET, SO_RCVBUF, &peer_rcvbuf,
				 sizeof(peer_rcvbuf)) == 0);
	c->sport = sport;
	c->seq = 1000;
	n_sent = 0;
	l = build_tcp(fbuf, c->sport, c->dport, c->seq, 0, F_SYN, 0xffff, opt,
		      sack ? 12 : 8, NULL, 0);
	input(fbuf, l);
	c->seq++;
	CHECK(gw.stats.tcp_connects >= 1);
	/* Nothing before connect() completes. */
	CHECK(n_sent == 0);
	pump(50);
	CHECK(n_sent == 1);
	t = sent_tcp(0, &plen);
	CHECK(t[13] == (F_SYN | F_ACK));
	CHECK(rd32(t + 8) == c->seq);
	CHECK(rd16(t) == c->dport && rd16(t + 2) == c->sport);
	CHECK(t[12] >> 4 == (sack ? 8 : 7));
	CHECK(t[20] == 2 && t[21] == 4 && rd16(t + 22) == 65520 - 40);
	CHECK(t[24] == 1 && t[25] == 3 && t[26] == 3 && t[27] == 7);
	if (sack)
		CHECK(t[28] == 1 && t[29] == 1 && t[30] == 4 && t[31] == 2);
	c->peer_seq = rd32(t + 4) + 1;
	seg(c, F_ACK, NULL, 0);
	c->afd = accept(c->lfd, NULL, NULL);
	CHECK(c->afd >= 0);
	k = (struct flow_key){ .proto = IPPROTO_TCP, .sb_addr = SB, .peer_addr = GW,
			       .sb_port = c->sport, .peer_port = c->dport };
	c->idx = flow_lookup(&gw, &k);
	CHECK(c->idx != FLOW_NONE);
	n_sent = 0;
}

static void open_conn_mss(struct conn *c, uint16_t sport, uint16_t mss)
{
	open_conn_opts(c, sport, mss, false);
}

static void open_conn(struct conn *c, uint16_t sport)
{
	open_conn_mss(c, sport, 1460);
}

static int inq(struct conn *c)
{
	int n = -1;

	ioctl(flow_get(&gw, c->idx)->fd, SIOCINQ, &n);
	return n;
}

static void test_data(int peek_off)
{
	struct conn c;
	uint8_t buf[8192], big[6000];
	const uint8_t *t;
	size_t plen, i, got;
	ssize_t n;

	tcp_peek_off_mode = peek_off;
	reset(16, 0);
	open_conn(&c, 40000);

	/* Sandbox to host, and the ACK for it. */
	seg(&c, F_ACK | F_PSH, "hello", 5);
	CHECK(n_sent == 1);
	t = sent_tcp(0, &plen);
	CHECK(plen == 0 && rd32(t + 8) == c.seq && (t[13] & F_ACK));
	n = recv(c.afd, buf, sizeof(buf), MSG_DONTWAIT);
	CHECK(n == 5 && !memcmp(buf, "hello", 5));
	/* Out of order: held, duplicate ACK without SACK (not offered). */
	n_sent = 0;
	c.seq += 10;
	seg(&c, F_ACK, "later", 5);
	c.seq -= 15;
	CHECK(gw.stats.tcp_ooo_held == 1 && n_sent == 1);
	t = sent_tcp(0, &plen);
	CHECK(rd32(t + 8) == c.seq && t[12] >> 4 == 5);
	CHECK(recv(c.afd, buf, sizeof(buf), MSG_DONTWAIT) < 0);

	/* Host to sandbox: MSS-sized segments, kept until acked. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	CHECK(send(c.afd, big, sizeof(big), 0) == (ssize_t)sizeof(big));
	n_sent = 0;
	pump(50);
	CHECK(n_sent == 5);
	for (i = 0, got = 0; i < n_sent; i++) {
		t = sent_tcp((unsigned int)i, &plen);
		CHECK(plen <= 1460);
		CHECK(rd32(t + 4) == c.peer_seq + got);
		CHECK(!memcmp(t + 20, big + got, plen));
		got += plen;
	}
	CHECK(got == sizeof(big));
	CHECK(inq(&c) == (int)sizeof(big));
	/* Lose all of it: the RTO sends it again, peeked again. */
	usleep(250 * 1000);
	n_sent = 0;
	tcp_timer(&gw);
	gw_flush(&gw);
	CHECK(gw.stats.tcp_retrans == 1);
	CHECK(n_sent == 5);
	t = sent_tcp(0, &plen);
	CHECK(rd32(t + 4) == c.peer_seq && !memcmp(t + 20, big, plen));
	/* Ack the first 2920: consumed from the host socket, no more. */
	c.peer_seq += 2920;
	n_sent = 0;
	seg(&c, F_ACK, NULL, 0);
	CHECK(inq(&c) == (int)sizeof(big) - 2920);
	/* Three duplicate ACKs: a fast retransmission from there. */
	seg(&c, F_ACK, NULL, 0);
	seg(&c, F_ACK, NULL, 0);
	seg(&c, F_ACK, NULL, 0);
	CHECK(gw.stats.tcp_retrans == 2);
	CHECK(n_sent >= 1);
	t = sent_tcp(0, &plen);
	CHECK(rd32(t + 4) == c.peer_seq && !memcmp(t + 20, big + 2920, plen));
	c.peer_seq += (uint32_t)(sizeof(big) - 2920);
	seg(&c, F_ACK, NULL, 0);
	CHECK(inq(&c) == 0);
	CHECK(gw.stats.tcp_bytes_from_host == sizeof(big));

	/* FIN from the sandbox: the host sees EOF, still sends. */
	n_sent = 0;
	seg(&c, F_FIN | F_ACK, NULL, 0);
	CHECK(recv(c.afd, buf, sizeof(buf), 0) == 0);
	CHECK(send(c.afd, "tail", 4, 0) == 4);
	close(c.afd);
	n_sent = 0;
	pump(50);
	CHECK(n_sent >= 1);
	t = sent_tcp(0, &plen);
	CHECK(plen == 4 && !memcmp(t + 20, "tail", 4));
	if (n_sent == 1) {
		/* Without SO_PEEK_OFF, EOF shows once the queue is empty. */
		c.peer_seq += 4;
		n_sent = 0;
		seg(&c, F_ACK, NULL, 0);
		c.peer_seq -= 4;
		CHECK(n_sent == 1);
		t = sent_tcp(0, &plen);
	} else {
		CHECK(n_sent == 2);
		t = sent_tcp(1, &plen);
	}
	CHECK(t[13] & F_FIN);
	CHECK(rd32(t + 4) == c.peer_seq + 4);
	c.peer_seq += 5;
	seg(&c, F_ACK, NULL, 0);
	CHECK(flow_count(&gw) == 0);
	close(c.lfd);
}

static void test_rst(void)
{
	struct conn c;
	struct linger lg = { 1, 0 };
	uint8_t buf[16];
	const uint8_t *t;
	size_t plen;

	reset(16, 0);
	/* RST from the sandbox: the host peer sees a reset. */
	open_conn(&c, 40001);
	seg(&c, F_RST, NULL, 0);
	CHECK(gw.stats.tcp_rst_from_sb == 1);
	CHECK(flow_count(&gw) == 0);
	CHECK(recv(c.afd, buf, sizeof(buf), 0) < 0 && errno == ECONNRESET);
	close(c.afd);
	close(c.lfd);

	/* A reset from the host: RST to the sandbox. */
	open_conn(&c, 40002);
	setsockopt(c.afd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c.afd);
	pump(50);
	CHECK(n_sent == 1);
	t = sent_tcp(0, &plen);
	CHECK(t[13] & F_RST);
	CHECK(flow_count(&gw) == 0);
	close(c.lfd);

	/* Refused: RST acking the SYN. */
	{
		uint16_t port;
		int fd = loopback_socket(SOCK_STREAM, &port);
		size_t l;

		close(fd);
		n_sent = 0;
		l = build_tcp(fbuf, 40003, port, 5000, 0, F_SYN, 0xffff, NULL, 0, NULL, 0);
		input(fbuf, l);
		pump(50);
		CHECK(n_sent == 1);
		t = sent_tcp(0, &plen);
		CHECK(t[13] == (F_RST | F_ACK) && rd32(t + 8) == 5001);
		CHECK(gw.stats.tcp_refused == 1);
		CHECK(flow_count(&gw) == 0);
	}
}

static void test_table_full(void)
{
	struct conn a;
	size_t l, plen;
	const uint8_t *t;

	reset(1, 0);
	open_conn(&a, 40010);
	n_sent = 0;
	l = build_tcp(fbuf, 40011, a.dport, 1, 0, F_SYN, 0xffff, NULL, 0, NULL, 0);
	input(fbuf, l);
	CHECK(gw.stats.tcp_table_full == 1 && n_sent == 1);
	t = sent_tcp(0, &plen);
	CHECK(t[13] & F_RST);
	/* A segment for no connection: RST. */
	n_sent = 0;
	l = build_tcp(fbuf, 40012, a.dport, 1, 77, F_ACK, 0xffff, NULL, 0, "x", 1);
	input(fbuf, l);
	CHECK(gw.stats.tcp_no_conn == 1 && n_sent == 1);
	t = sent_tcp(0, &plen);
	CHECK(t[13] == F_RST && rd32(t + 4) == 77);
	close(a.afd);
	close(a.lfd);
}

static void test_malformed(void)
{
	static const uint8_t overrun[8] = { 2, 4, 5, 0xb4, 1, 3, 9, 0 };
	uint8_t g[256];
	size_t l;
	uint16_t port;
	int lfd;

	reset(16, 0);
	lfd = loopback_socket(SOCK_STREAM, &port);
	l = build_tcp(fbuf, 40020, port, 1, 0, F_SYN, 0xffff, NULL, 0, NULL, 0);
	memcpy(g, fbuf, l);
	g[OFF_L4 + 16] ^= 1;				/* bad checksum */
	input(g, l);
	memcpy(g, fbuf, l);
	g[OFF_L4 + 12] = 0x40;				/* offset 16 */
	input(g, l);
	g[OFF_L4 + 12] = 0xf0;				/* offset past the end */
	input(g, l);
	input(fbuf, l - 1);				/* IPv4 longer than frame */
	{
		uint8_t l4[12] = { 0 };
		size_t s = build_ip4(g, IPPROTO_TCP, SB, GW, l4, sizeof(l4));

		input(g, s);				/* shorter than a header */
	}
	CHECK(gw.stats.tcp_bad == 4);
	l = build_tcp(fbuf, 40020, port, 1, 0, F_SYN | F_FIN, 0xffff, NULL, 0, NULL, 0);
	input(fbuf, l);
	l = build_tcp(fbuf, 40020, port, 1, 0, 0, 0xffff, NULL, 0, NULL, 0);
	input(fbuf, l);
	l = build_tcp(fbuf, 0, port, 1, 0, F_SYN, 0xffff, NULL, 0, NULL, 0);
	input(fbuf, l);
	CHECK(gw.stats.tcp_bad_flags == 3);
	l = build_tcp(fbuf, 40020, port, 1, 0, F_SYN, 0xffff, overrun, 8, NULL, 0);
	input(fbuf, l);
	CHECK(gw.stats.tcp_bad_opts == 1);
	CHECK(n_sent == 0 && flow_count(&gw) == 0);
	/* Data on a SYN: counted, the connection still opens. */
	l = build_tcp(fbuf, 40021, port, 1, 0, F_SYN, 0xffff, NULL, 0, "data", 4);
	input(fbuf, l);
	CHECK(gw.stats.tcp_syn_data == 1 && flow_count(&gw) == 1);
	pump(50);
	CHECK(n_sent == 1);
	/* To the DNS address: nothing there, RST. */
	n_sent = 0;
	l = build_tcp(fbuf, 40022, 80, 1, 0, F_SYN, 0xffff, NULL, 0, NULL, 0);
	wraddr(fbuf + OFF_IP4 + 16, DNS);
	fix_ip_csum(fbuf);
	input(fbuf, l);		/* TCP checksum now wrong: counted bad */
	CHECK(gw.stats.tcp_bad == 5);
	close(lfd);
}

/*
 * A sandbox at MTU 65520 has an MSS larger than a new host socket's send
 * buffer: the window must still open (it once stayed shut for good).
 */
static void test_window_small_sndbuf(void)
{
	int sndbuf = 16384;	/* the kernel doubles it: 32 KiB */
	const uint8_t *t;
	struct conn c;
	size_t plen;

	tcp_peek_off_mode = 1;
	reset(16, 0);
	open_conn_mss(&c, 40100, 65480);
	CHECK(setsockopt(flow_get(&gw, c.idx)->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
			 sizeof(sndbuf)) == 0);
	seg(&c, F_ACK | F_PSH, "hello", 5);
	CHECK(n_sent == 1);
	if (n_sent == 1) {
		t = sent_tcp(0, &plen);
		CHECK(rd32(t + 8) == c.seq);	/* the data was taken */
		CHECK(rd16(t + 14) != 0);	/* and the window is open */
	}
	close(c.afd);
	close(c.lfd);
}

/*
 * TCP to the DNS address's port 53 reaches the upstream resolver: the
 * handshake completes only once the upstream accepted, and the query
 * arrives there byte for byte.  Without an upstream, an RST.
 */
static void test_dns_tcp(void)
{
	static const uint8_t query[] = { 0, 5, 0x12, 0x34, 1, 0, 0 };
	uint8_t got[sizeof(query)];
	const uint8_t *t;
	uint16_t port;
	size_t l;
	int lfd, afd;

	reset(16, 0);
	lfd = loopback_socket(SOCK_STREAM, &port);
	gw.cfg.dns_upstream[0] = (struct sockaddr_in){ .sin_family = AF_INET,
		.sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	gw.cfg.n_dns_upstream = 1;
	tcp_dst = DNS;
	n_sent = 0;
	l = build_tcp(fbuf, 40200, 53, 7000, 0, F_SYN, 0xffff, NULL, 0, NULL, 0);
	input(fbuf, l);
	pump(50);
	CHECK(gw.stats.dns_tcp_conns == 1);
	CHECK(n_sent == 1);
	if (n_sent == 1) {
		const uint8_t *ip = sent[0] + OFF_IP4;

		t = ip + 20;
		CHECK(rdaddr(ip + 12) == DNS && t[13] == (F_SYN | F_ACK));
		l = build_tcp(fbuf, 40200, 53, 7001, rd32(t + 4) + 1, F_ACK | F_PSH, 0xffff,
			      NULL, 0, query, sizeof(query));
		input(fbuf, l);
		afd = accept(lfd, NULL, NULL);
		CHECK(afd >= 0 && recv(afd, got, sizeof(got), MSG_WAITALL) == sizeof(got));
		CHECK(!memcmp(got, query, sizeof(query)));
		if (afd >= 0)
			close(afd);
	}
	close(lfd);

	gw.cfg.n_dns_upstream = 0;
	n_sent = 0;
	l = build_tcp(fbuf, 40201, 53, 8000, 0, F_SYN, 0xffff, NULL, 0, NULL, 0);
	input(fbuf, l);
	CHECK(gw.stats.dns_no_upstream == 1 && n_sent == 1);
	if (n_sent == 1) {
		t = sent[0] + OFF_L4;
		CHECK(t[13] == (F_RST | F_ACK) && rd32(t + 8) == 8001);
	}
	tcp_dst = 0;
}

/* Published ports ------------------------------------------------------ */

#define CLIENT A(198, 51, 100, 2)

/* Sent frame i as TCP from src to SB: checksums checked; its header. */
static const uint8_t *sent_tcp_from(unsigned int i, uint32_t src, size_t *plen)
{
	const uint8_t *ip = sent[i] + OFF_IP4, *l4 = ip + 20;
	size_t l4_len = sent_len[i] - OFF_L4;

	*plen = 0;
	CHECK(sent_len[i] >= OFF_L4 + 20);
	if (sent_len[i] < OFF_L4 + 20)
		return l4;
	CHECK(rd16(sent[i] + OFF_ETH + 12) == ETH_P_IP && ip[9] == IPPROTO_TCP);
	CHECK(rdaddr(ip + 12) == src && rdaddr(ip + 16) == SB);
	CHECK(csum_fold(csum_add(0, ip, 20)) == 0);
	CHECK(csum_fold(csum_add(csum_ip4_pseudo(src, SB, IPPROTO_TCP, (uint16_t)l4_len),
				 l4, l4_len)) == 0);
	*plen = l4_len - (size_t)(l4[12] >> 4) * 4;
	return l4;
}

/* The sandbox answers our ARP request: that is how we learn its MAC. */
static void arp_reply_from_sb(void)
{
	uint8_t f[VNET_HDR_LEN + 60] = { 0 }, *e = f + VNET_HDR_LEN, *a = e + 14;

	memcpy(e, gw.mac, 6);
	memcpy(e + 6, sb_mac, 6);
	wr16(e + 12, ETH_P_ARP);
	wr16(a, 1);
	wr16(a + 2, ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	wr16(a + 6, 2);
	memcpy(a + 8, sb_mac, 6);
	wraddr(a + 14, SB);
	memcpy(a + 18, gw.mac, 6);
	wraddr(a + 24, GW);
	input(f, sizeof(f));
}

/* A connected pair over loopback: *client, and the accepted end. */
static int accepted_pair(int *client)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	uint16_t port;
	int lfd = loopback_socket(SOCK_STREAM, &port), afd;

	sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	*client = recv_timeout(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (*client < 0 || connect(*client, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		exit(1);
	}
	afd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(afd >= 0);
	close(lfd);
	return afd;
}

/* Our SYN in sent frame i: from src:sport to the guest port; its ISN. */
static uint32_t check_syn(unsigned int i, uint32_t src, uint16_t sport, uint16_t dport)
{
	size_t plen;
	const uint8_t *t = sent_tcp_from(i, src, &plen);

	CHECK(t[13] == F_SYN && plen == 0);
	CHECK(rd16(t) == sport && rd16(t + 2) == dport);
	CHECK(t[12] >> 4 == 8);		/* MSS, window scale, SACK permitted */
	CHECK(t[20] == 2 && t[21] == 4 && rd16(t + 22) == 65520 - 40);
	CHECK(t[25] == 3 && t[26] == 3 && t[27] == 7);
	CHECK(t[30] == 4 && t[31] == 2);
	return rd32(t + 4);
}

/*
 * A connection from a client at 198.51.100.2:40300 to the sandbox's port
 * 8080: our SYN carries the client's address (first to the broadcast
 * MAC, again once the sandbox's ARP reply taught us its MAC), its SYN-ACK
 * completes the handshake, and data flows both ways.
 */
static void test_inbound(int peek_off)
{
	static const uint8_t opt[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 2 };	/* 1460, ws 2 */
	uint8_t buf[64];
	const uint8_t *t;
	struct conn c = { .sport = 8080, .dport = 40300, .seq = 5000 };
	size_t plen, l;
	uint32_t iss;
	int client;

	tcp_peek_off_mode = peek_off;
	reset(16, 0);
	tcp_dst = CLIENT;
	c.afd = accepted_pair(&client);
	tcp_conn_inbound(&gw, c.afd, CLIENT, 40300, 8080);
	gw_flush(&gw);
	CHECK(n_sent == 1 && flow_count(&gw) == 1);
	if (n_sent < 1)
		goto out;
	CHECK(!memcmp(sent[0] + OFF_ETH, "\xff\xff\xff\xff\xff\xff", 6));
	iss = check_syn(0, CLIENT, 40300, 8080);
	/* The client's data waits for the handshake. */
	CHECK(send(client, "early", 5, 0) == 5);
	pump(20);
	CHECK(n_sent == 1);

	n_sent = 0;
	arp_reply_from_sb();
	CHECK(n_sent == 1);
	if (n_sent < 1)
		goto out;
	CHECK(!memcmp(sent[0] + OFF_ETH, sb_mac, 6));
	CHECK(check_syn(0, CLIENT, 40300, 8080) == iss);

	/* A SYN-ACK for something else: RST, and still waiting. */
	n_sent = 0;
	l = build_tcp(fbuf, 8080, 40300, 5000, iss + 7, F_SYN | F_ACK, 0xffff, opt, 8, NULL, 0);
	input(fbuf, l);
	CHECK(gw.stats.tcp_bad_ack == 1 && n_sent == 1);
	t = sent_tcp_from(0, CLIENT, &plen);
	CHECK(t[13] == F_RST && rd32(t + 4) == iss + 7);
	CHECK(flow_count(&gw) == 1);

	/* The SYN-ACK: our ACK, then the data that waited. */
	n_sent = 0;
	l = build_tcp(fbuf, 8080, 40300, 5000, iss + 1, F_SYN | F_ACK, 0xffff, opt, 8, NULL, 0);
	input(fbuf, l);
	c.seq = 5001;
	c.peer_seq = iss + 1;
	CHECK(gw.stats.port_connected == 1);
	CHECK(n_sent == 2);
	if (n_sent < 2)
		goto out;
	t = sent_tcp_from(0, CLIENT, &plen);
	CHECK(t[13] == F_ACK && rd32(t + 4) == iss + 1 && rd32(t + 8) == 5001 && plen == 0);
	t = sent_tcp_from(1, CLIENT, &plen);
	CHECK(plen == 5 && !memcmp(t + 20, "early", 5) && rd32(t + 4) == iss + 1);
	c.peer_seq += 5;
	/* The SYN-ACK again (our ACK lost): ACKed again. */
	n_sent = 0;
	input(fbuf, l);
	CHECK(n_sent == 1);
	t = sent_tcp_from(0, CLIENT, &plen);
	CHECK(t[13] == F_ACK && rd32(t + 8) == 5001);

	/* Both ways, the same relay as for outbound connections. */
	n_sent = 0;
	seg(&c, F_ACK | F_PSH, "reply", 5);
	CHECK(recv(client, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "reply", 5));
	CHECK(send(client, "more", 4, 0) == 4);
	n_sent = 0;
	pump(50);
	CHECK(n_sent == 1);
	t = sent_tcp_from(0, CLIENT, &plen);
	CHECK(plen == 4 && !memcmp(t + 20, "more", 4) && rd32(t + 4) == c.peer_seq);
	c.peer_seq += 4;
	seg(&c, F_ACK, NULL, 0);
	CHECK(gw.stats.tcp_bytes_from_host == 9);
	/* An RST from the sandbox resets the client. */
	seg(&c, F_RST, NULL, 0);
	CHECK(flow_count(&gw) == 0);
	CHECK(recv(client, buf, sizeof(buf), 0) < 0 && errno == ECONNRESET);
out:
	close(client);
	tcp_dst = 0;
}

/* The sandbox refuses (RST), or never answers: the client is reset. */
static void test_inbound_refused(void)
{
	uint8_t buf[16];
	size_t l;
	uint32_t iss;
	unsigned int i, syns = 0;
	int client, afd;

	reset(16, 0);
	tcp_dst = CLIENT;
	arp_reply_from_sb();
	n_sent = 0;
	afd = accepted_pair(&client);
	tcp_conn_inbound(&gw, afd, CLIENT, 40301, 22);
	gw_flush(&gw);
	CHECK(n_sent == 1);
	iss = check_syn(0, CLIENT, 40301, 22);
	/* An RST that does not ack our SYN is ignored. */
	l = build_tcp(fbuf, 22, 40301, 0, iss, F_RST | F_ACK, 0, NULL, 0, NULL, 0);
	input(fbuf, l);
	CHECK(flow_count(&gw) == 1 && gw.stats.port_refused == 0);
	l = build_tcp(fbuf, 22, 40301, 0, iss + 1, F_RST | F_ACK, 0, NULL, 0, NULL, 0);
	input(fbuf, l);
	CHECK(flow_count(&gw) == 0);
	CHECK(gw.stats.port_refused == 1 && gw.stats.tcp_rst_from_sb == 1);
	CHECK(recv(client, buf, sizeof(buf), 0) < 0 && errno == ECONNRESET);
	close(client);

	/* No answer: the SYN again after 200 and 400 ms, then a reset. */
	tcp_syn_retries = 2;
	n_sent = 0;
	afd = accepted_pair(&client);
	tcp_conn_inbound(&gw, afd, CLIENT, 40302, 22);
	gw_flush(&gw);
	for (i = 0; i < 20 && flow_count(&gw); i++) {
		usleep(100 * 1000);
		tcp_timer(&gw);
		gw_flush(&gw);
	}
	CHECK(flow_count(&gw) == 0);
	for (i = 0; i < n_sent; i++)
		syns += check_syn(i, CLIENT, 40302, 22) == check_syn(0, CLIENT, 40302, 22);
	CHECK(n_sent == 3 && syns == 3);
	CHECK(gw.stats.port_refused == 2 && gw.stats.tcp_retrans == 2);
	CHECK(recv(client, buf, sizeof(buf), 0) < 0 && errno == ECONNRESET);
	close(client);
	tcp_syn_retries = 5;
	tcp_dst = 0;
}

/* A free port on 127.0.0.1 to publish (for the proto given). */
static uint16_t free_port(int type)
{
	uint16_t port;

	close(loopback_socket(type, &port));
	return port;
}

static void test_port_parse(void)
{
	static const char *const bad[] = {
		"", "0", "70000", "x", "80-70", "9000-9002:7000", "9000:7000-7002",
		"8080:", ":8080", "1.2.3:80", "1.2.3.4:", "1.2.3.4:80:", "a:1:2:3",
		"80-", "-80", "80--81", "1.2.3.4:80:90:100", "::1:80",
	};
	struct gw_config cfg;
	unsigned int i;

	gw_config_defaults(&cfg);
	CHECK(!port_parse(&cfg, IPPROTO_TCP, "8080"));
	CHECK(cfg.n_ports == 1 && cfg.ports[0].proto == IPPROTO_TCP &&
	      cfg.ports[0].addr == htonl(INADDR_LOOPBACK) &&
	      cfg.ports[0].host_port == 8080 && cfg.ports[0].guest_port == 8080);
	CHECK(!port_parse(&cfg, IPPROTO_UDP, "8081:53"));
	CHECK(cfg.n_ports == 2 && cfg.ports[1].proto == IPPROTO_UDP &&
	      cfg.ports[1].host_port == 8081 && cfg.ports[1].guest_port == 53);
	CHECK(!port_parse(&cfg, IPPROTO_TCP, "198.51.100.1:2222"));
	CHECK(cfg.n_ports == 3 && cfg.ports[2].addr == A(198, 51, 100, 1) &&
	      cfg.ports[2].host_port == 2222 && cfg.ports[2].guest_port == 2222);
	CHECK(!port_parse(&cfg, IPPROTO_TCP, "0.0.0.0:9000-9002:7000-7002"));
	CHECK(cfg.n_ports == 6);
	for (i = 0; i < 3 && cfg.n_ports == 6; i++)
		CHECK(cfg.ports[3 + i].addr == 0 && cfg.ports[3 + i].host_port == 9000 + i &&
		      cfg.ports[3 + i].guest_port == 7000 + i);
	CHECK(!port_parse(&cfg, IPPROTO_TCP, "65535"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!port_parse(&cfg, IPPROTO_TCP, bad[i])) {
			fprintf(stderr, "port_parse took '%s'\n", bad[i]);
			failures++;
		}
	}
	CHECK(cfg.n_ports == 7);
	free(cfg.ports);
}

/* How clients look to the sandbox. */
static void test_sandbox_view(void)
{
	reset(16, 0);		/* --map-host-loopback 10.0.2.2 */
	CHECK(port_sandbox_view(&gw, CLIENT) == CLIENT);
	CHECK(port_sandbox_view(&gw, A(192, 0, 2, 1)) == A(192, 0, 2, 1));
	CHECK(port_sandbox_view(&gw, A(127, 0, 0, 1)) == GW);
	gw.cfg.map_loopback = A(10, 0, 2, 9);
	CHECK(port_sandbox_view(&gw, A(127, 0, 0, 2)) == A(10, 0, 2, 9));
	CHECK(port_sandbox_view(&gw, 0) == A(10, 0, 2, 9));
	CHECK(port_sandbox_view(&gw, SB) == A(10, 0, 2, 9));
	CHECK(port_sandbox_view(&gw, A(10, 0, 2, 50)) == A(10, 0, 2, 9));
	CHECK(port_sandbox_view(&gw, A(169, 254, 1, 1)) == A(10, 0, 2, 9));
	gw.cfg.map_loopback = 0;
	CHECK(port_sandbox_view(&gw, A(127, 0, 0, 1)) == GW);
	CHECK(port_sandbox_view(&gw, A(224, 0, 0, 1)) == GW);
}

/*
 * Through port.c: a TCP port and a UDP port published on 127.0.0.1.  A
 * loopback client is shown as the --map-host-loopback address (the
 * gateway's here), with its own port.
 */
static void test_port_loopback(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char spec[64];
	uint8_t buf[64], l4[16];
	const uint8_t *t, *ip;
	socklen_t sl = sizeof(sa);
	uint16_t tport = free_port(SOCK_STREAM), uport = free_port(SOCK_DGRAM), cport;
	struct conn c = { .sport = 8081, .seq = 9000 };
	size_t plen, l;
	uint32_t iss;
	int client, uc;

	reset(16, 0);
	snprintf(spec, sizeof(spec), "%u:8081", tport);
	CHECK(!port_parse(&gw.cfg, IPPROTO_TCP, spec));
	snprintf(spec, sizeof(spec), "127.0.0.1:%u:5353", uport);
	CHECK(!port_parse(&gw.cfg, IPPROTO_UDP, spec));
	CHECK(port_open(&gw) == 0);

	/* TCP: ARP for the sandbox, then the SYN from 10.0.2.2. */
	sa.sin_port = htons(tport);
	client = recv_timeout(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	CHECK(connect(client, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(getsockname(client, (struct sockaddr *)&sa, &sl) == 0);
	cport = ntohs(sa.sin_port);
	c.dport = cport;
	n_sent = 0;
	pump(50);
	CHECK(gw.stats.port_accepted == 1 && gw.stats.arp_requests == 1);
	CHECK(n_sent == 2);
	if (n_sent < 2)
		goto out;
	CHECK(rd16(sent[0] + OFF_ETH + 12) == ETH_P_ARP);
	CHECK(rdaddr(sent[0] + OFF_ETH + 14 + 24) == SB);
	iss = check_syn(1, GW, cport, 8081);
	n_sent = 0;
	arp_reply_from_sb();
	l = build_tcp(fbuf, 8081, cport, 9000, iss + 1, F_SYN | F_ACK, 0xffff, NULL, 0, NULL, 0);
	n_sent = 0;
	input(fbuf, l);
	c.seq = 9001;
	c.peer_seq = iss + 1;
	CHECK(n_sent == 1 && gw.stats.port_connected == 1);
	seg(&c, F_ACK | F_PSH, "banner", 6);
	CHECK(recv(client, buf, sizeof(buf), 0) == 6 && !memcmp(buf, "banner", 6));
	CHECK(send(client, "hi", 2, 0) == 2);
	n_sent = 0;
	pump(50);
	CHECK(n_sent == 1);
	t = sent_tcp_from(0, GW, &plen);
	CHECK(plen == 2 && !memcmp(t + 20, "hi", 2));
	/* Replies to the shown address find the flow: no new connect(). */
	CHECK(gw.stats.tcp_connects == 0);
	seg(&c, F_RST, NULL, 0);
	close(client);

	/* UDP: a flow per client, replies back from the published port. */
	uc = recv_timeout(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(uport),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	CHECK(connect(uc, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	sl = sizeof(sa);
	CHECK(getsockname(uc, (struct sockaddr *)&sa, &sl) == 0);
	cport = ntohs(sa.sin_port);
	CHECK(send(uc, "query", 5, 0) == 5);
	n_sent = 0;
	pump(50);
	CHECK(gw.stats.udp_in_flows == 1 && n_sent == 1);
	if (n_sent < 1)
		goto out;
	ip = sent[0] + OFF_IP4;
	CHECK(ip[9] == IPPROTO_UDP && rdaddr(ip + 12) == GW && rdaddr(ip + 16) == SB);
	CHECK(rd16(ip + 20) == cport && rd16(ip + 22) == 5353 && rd16(ip + 24) == 8 + 5);
	CHECK(!memcmp(ip + 28, "query", 5));
	CHECK(csum_fold(csum_add(csum_ip4_pseudo(GW, SB, IPPROTO_UDP, 13), ip + 20, 13)) == 0);
	/* The sandbox's answer reaches the client, from the published port. */
	wr16(l4, 5353);
	wr16(l4 + 2, cport);
	wr16(l4 + 4, 8 + 6);
	wr16(l4 + 6, 0);
	memcpy(l4 + 8, "answer", 6);
	l = build_ip4(fbuf, IPPROTO_UDP, SB, GW, l4, 14);
	input(fbuf, l);
	CHECK(recv(uc, buf, sizeof(buf), MSG_DONTWAIT) == 6 && !memcmp(buf, "answer", 6));
	CHECK(gw.stats.udp_to_host == 1);
	/* The same client again: the same flow. */
	CHECK(send(uc, "again", 5, 0) == 5);
	n_sent = 0;
	pump(50);
	CHECK(gw.stats.udp_in_flows == 1 && n_sent == 1 && flow_count(&gw) == 1);
	close(uc);
out:
	port_close(&gw);
	free(gw.cfg.ports);
	gw.cfg.ports = NULL;
	gw.cfg.n_ports = 0;
}

/* A full table: the client is reset, nothing goes to the sandbox. */
static void test_inbound_table_full(void)
{
	struct conn a;
	uint8_t buf[16];
	int client, afd;

	reset(1, 0);
	open_conn(&a, 40400);
	n_sent = 0;
	afd = accepted_pair(&client);
	tcp_conn_inbound(&gw, afd, CLIENT, 40401, 80);
	gw_flush(&gw);
	CHECK(n_sent == 0 && gw.stats.port_table_full == 1);
	CHECK(recv(client, buf, sizeof(buf), 0) < 0 && errno == ECONNRESET);
	close(client);
	close(a.afd);
	close(a.lfd);
}

/*
 * The window is a promise: whatever the sandbox sends inside it, the host
 * socket takes whole, down to a zero window, even when the host peer
 * reads nothing.  (Once the window was counted in payload bytes while
 * send() stops at payload plus overhead: the last segments before the
 * buffer filled were taken in part and the rest was lost.)  Repeated
 * ACKs of the same byte never open the window further, so the sandbox
 * counts them as duplicates.
 */
static void test_window_is_kept(void)
{
	static uint8_t chunk[1460];
	uint32_t wnd, wf, sent_total = 0;
	const uint8_t *t;
	struct conn c;
	int rounds = 0;
	size_t plen, len;

	tcp_peek_off_mode = 1;
	reset(16, 0);
	open_conn(&c, 40300);
	/* The peer reads nothing until the window is shut. */
	memset(chunk, 0x5a, sizeof(chunk));
	seg(&c, F_ACK | F_PSH, chunk, 1);
	t = sent_tcp(0, &plen);
	wnd = (uint32_t)rd16(t + 14) << 7;
	while (wnd && rounds++ < 100000) {
		/* Fill the window exactly, as a sender may. */
		while (wnd) {
			len = wnd < sizeof(chunk) ? wnd : sizeof(chunk);
			n_sent = 0;
			seg(&c, F_ACK, chunk, len);
			CHECK(n_sent == 1);
			t = sent_tcp(0, &plen);
			CHECK(rd32(t + 8) == c.seq);	/* all of it taken */
			if (rd32(t + 8) != c.seq)
				goto out;
			sent_total += (uint32_t)len;
			wnd -= (uint32_t)len;
			/* The new right edge may lie further. */
			if (((uint32_t)rd16(t + 14) << 7) > wnd)
				wnd = (uint32_t)rd16(t + 14) << 7;
		}
	}
out:
	CHECK(wnd == 0);
	CHECK(gw.stats.tcp_host_short == 0);
	CHECK(sent_total > 65536);

	/* A gap: the duplicate ACKs repeat the ack and never grow the window. */
	wf = 0xffff;
	for (rounds = 0; rounds < 3; rounds++) {
		n_sent = 0;
		c.seq += 1000;
		seg(&c, F_ACK, chunk, 100);
		c.seq -= 1100;
		CHECK(n_sent == 1);
		t = sent_tcp(0, &plen);
		CHECK(rd32(t + 8) == c.seq && rd16(t + 14) <= wf);
		wf = rd16(t + 14);
	}

	/*
	 * The peer reads everything: the socket wakes us (EPOLLOUT) and the
	 * window opens at once, without waiting for the timer.  (A writer
	 * that never hits the limit used to get no such wake-up.)
	 */
	{
		static uint8_t sink[65536];
		uint32_t before = (uint32_t)gw.stats.tcp_wnd_updates, got = 0;
		ssize_t r;
		int k;

		/* Everything taken: the first byte and the window's worth. */
		for (k = 0; k < 100000 && got < sent_total + 1; k++) {
			r = recv(c.afd, sink, sizeof(sink), MSG_DONTWAIT);
			if (r > 0)
				got += (uint32_t)r;
			else
				usleep(100);
		}
		CHECK(got == sent_total + 1);
		n_sent = 0;
		pump(100);
		CHECK(gw.stats.tcp_wnd_updates > before);
		CHECK(n_sent >= 1);
		if (n_sent >= 1) {
			t = sent_tcp(n_sent - 1, &plen);
			CHECK(rd32(t + 8) == c.seq && rd16(t + 14) > 0);
		}
	}
	close(c.afd);
	close(c.lfd);
}

/* The held runs themselves: merging, trimming, SACK order, limits. */
static void test_ooo_runs(void)
{
	static uint8_t data[100000];
	struct tcp_ooo *q = NULL;
	uint32_t b[4][2], len, i;
	const uint8_t *d;
	size_t limit = tcp_ooo_limit;

	reset(4, 0);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + (i >> 8));
	/* Stream offsets stand for sequence numbers near the wrap. */
#define S(off)	((uint32_t)(0xfffff000U + (off)))
	CHECK(ooo_add(&gw, &q, S(3000), data + 3000, 1000));	/* [3000, 4000) */
	CHECK(ooo_add(&gw, &q, S(6000), data + 6000, 1000));	/* [6000, 7000) */
	CHECK(ooo_add(&gw, &q, S(4000), data + 4000, 500));	/* appends */
	CHECK(ooo_sack(q, b, 4) == 2);
	CHECK(b[0][0] == S(3000) && b[0][1] == S(4500));	/* newest first */
	CHECK(b[1][0] == S(6000) && b[1][1] == S(7000));
	CHECK(ooo_held(q) == 2500);
	/* Nothing continues the stream at 1000 yet. */
	CHECK(!ooo_next(q, S(1000), &len));
	/* Bridging both runs, overlapping each: one run. */
	CHECK(ooo_add(&gw, &q, S(4200), data + 4200, 2300));
	CHECK(ooo_sack(q, b, 4) == 1 && b[0][0] == S(3000) && b[0][1] == S(7000));
	/* In front of it, touching: one run, starting earlier. */
	CHECK(ooo_add(&gw, &q, S(2000), data + 2000, 1000));
	CHECK(ooo_held(q) == 5000);
	/* A retransmission of held bytes changes nothing. */
	CHECK(ooo_add(&gw, &q, S(2500), data + 2500, 100));
	CHECK(ooo_held(q) == 5000);
	/* Once the stream reaches 2500, the rest continues it, intact. */
	d = ooo_next(q, S(2500), &len);
	CHECK(d && len == 4500 && !memcmp(d, data + 2500, len));
	ooo_written(&gw, &q, S(5000));
	d = ooo_next(q, S(5000), &len);
	CHECK(d && len == 2000 && !memcmp(d, data + 5000, len));
	ooo_written(&gw, &q, S(7000));
	CHECK(!q && gw.tcp_ooo_bytes == 0);

	/* At most TCP_OOO_RUNS runs; the newest is named first in SACK. */
	for (i = 0; i < TCP_OOO_RUNS; i++)
		CHECK(ooo_add(&gw, &q, S(2000 * (i + 1)), data, 100));
	CHECK(!ooo_add(&gw, &q, S(2000 * (i + 1)), data, 100));
	CHECK(ooo_add(&gw, &q, S(4100), data, 100));	/* touches run 2 */
	CHECK(ooo_sack(q, b, 4) == 4);
	CHECK(b[0][0] == S(4000) && b[0][1] == S(4200));
	CHECK(b[1][0] == S(2000) && b[2][0] == S(6000) && b[3][0] == S(8000));
	ooo_free(&gw, &q);
	CHECK(!q && gw.tcp_ooo_bytes == 0);

	/* The limit counts what is allocated, across connections. */
	tcp_ooo_limit = 40000;
	CHECK(ooo_add(&gw, &q, S(100000), data, 30000));
	CHECK(!ooo_add(&gw, &q, S(200000), data, 30000));
	/* Growing a run takes slack only where the limit allows. */
	CHECK(ooo_add(&gw, &q, S(130000), data, 8000));
	CHECK(gw.tcp_ooo_bytes <= 40000 && ooo_held(q) == 38000);
	ooo_free(&gw, &q);
	CHECK(gw.tcp_ooo_bytes == 0);
	tcp_ooo_limit = limit;
#undef S
}

/* The SACK blocks of sent frame i (its count), into b. */
static unsigned int sent_sack(unsigned int i, uint32_t b[4][2])
{
	size_t plen, hl, k = 20;
	const uint8_t *t = sent_tcp(i, &plen);
	unsigned int n = 0;

	hl = (size_t)(t[12] >> 4) * 4;
	while (k < hl && t[k] != 0) {
		if (t[k] == 1) {
			k++;
			continue;
		}
		if (t[k] == 5)
			for (n = 0; n < (t[k + 1] - 2u) / 8 && n < 4; n++) {
				b[n][0] = rd32(t + k + 2 + 8 * n);
				b[n][1] = rd32(t + k + 6 + 8 * n);
			}
		k += t[k + 1];
	}
	return n;
}

static void seg_at(struct conn *c, uint32_t off, uint8_t flags, const uint8_t *d,
		   size_t len)
{
	uint32_t was = c->seq;

	c->seq += off;
	seg(c, flags, d, len);
	c->seq = was;
}

/*
 * Segments behind a lost one are held and reported in SACK blocks, none
 * of it acknowledged or written; the missing segment brings the host
 * all of it in order, and a FIN that came behind the gap closes.
 */
static void test_ooo_relay(void)
{
	static uint8_t data[20000], got[20000];
	uint32_t b[4][2];
	const uint8_t *t;
	struct conn c;
	size_t plen, i;
	ssize_t n, total;

	tcp_peek_off_mode = 1;
	reset(16, 0);
	open_conn_opts(&c, 40400, 1460, true);
	recv_timeout(c.afd);	/* a failure ends the test, not waits */
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + (i >> 9));
	seg(&c, F_ACK, data, 1000);
	/* 1000..2000 is lost; the rest comes, with a FIN, and a gap at 5000. */
	n_sent = 0;
	seg_at(&c, 1000, F_ACK, data + 2000, 1000);
	seg_at(&c, 2000, F_ACK, data + 3000, 2000);
	seg_at(&c, 5000, F_ACK | F_FIN, data + 6000, 1000);
	CHECK(n_sent == 3);
	CHECK(gw.stats.tcp_ooo_held == 3);
	t = sent_tcp(2, &plen);
	CHECK(rd32(t + 8) == c.seq);		/* duplicate ACKs */
	CHECK(sent_sack(2, b) == 2);
	CHECK(b[0][0] == c.seq + 5000 && b[0][1] == c.seq + 6000);
	CHECK(b[1][0] == c.seq + 1000 && b[1][1] == c.seq + 4000);
	CHECK(gw.tcp_ooo_bytes > 0);
	/* Only what came in order reached the host. */
	CHECK(recv(c.afd, got, sizeof(got), MSG_DONTWAIT) == 1000);

	/* The first gap fills: everything up to the second goes through. */
	n_sent = 0;
	seg(&c, F_ACK, data + 1000, 1000);
	CHECK(n_sent == 1);
	t = sent_tcp(0, &plen);
	CHECK(rd32(t + 8) == c.seq + 3000);
	CHECK(sent_sack(0, b) == 1 && b[0][0] == c.seq + 4000);
	/* The second gap: the held FIN follows the data. */
	n_sent = 0;
	seg_at(&c, 3000, F_ACK, data + 5000, 1000);
	CHECK(n_sent == 1);
	t = sent_tcp(0, &plen);
	CHECK(rd32(t + 8) == c.seq + 5001);
	CHECK(sent_sack(0, b) == 0);
	CHECK(gw.tcp_ooo_bytes == 0);
	for (total = 0; (n = recv(c.afd, got + total, sizeof(got) - (size_t)total, 0)) > 0;)
		total += n;
	CHECK(total == 6000 && !memcmp(got, data + 1000, 6000));
	CHECK(gw.stats.tcp_bytes_to_host == 7000);
	close(c.afd);
	close(c.lfd);
}

/*
 * What can't be held (beyond the window, or past the limit) is dropped
 * and never named in a SACK block: the sandbox sends it again.
 */
static void test_ooo_limits(void)
{
	static uint8_t data[60000];
	size_t limit = tcp_ooo_limit, plen;
	uint32_t b[4][2];
	struct conn c;
	uint8_t buf[64];

	tcp_peek_off_mode = 1;
	reset(16, 0);
	open_conn_opts(&c, 40500, 1460, true);
	memset(data, 0xab, sizeof(data));
	seg(&c, F_ACK, data, 10);
	n_sent = 0;
	seg_at(&c, 20u << 20, F_ACK, data, 100);	/* far beyond any window */
	CHECK(gw.stats.tcp_beyond_wnd == 1 && sent_sack(0, b) == 0);
	tcp_ooo_limit = 5000;				/* two 2 KiB buffers */
	seg_at(&c, 1000, F_ACK, data, 1000);
	seg_at(&c, 5000, F_ACK, data, 1000);
	CHECK(gw.stats.tcp_ooo_held == 2);
	seg_at(&c, 8000, F_ACK, data, 1000);		/* a third: no room */
	CHECK(gw.stats.tcp_ooo_dropped == 1);
	CHECK(n_sent == 4 && sent_sack(3, b) == 2);
	CHECK(b[0][1] == c.seq + 6000 && b[1][1] == c.seq + 2000);
	(void)sent_tcp(3, &plen);
	CHECK(recv(c.afd, buf, sizeof(buf), MSG_DONTWAIT) == 10);
	/* Connection closed with data held: all of it freed. */
	seg(&c, F_RST | F_ACK, NULL, 0);
	CHECK(flow_count(&gw) == 0 && gw.tcp_ooo_bytes == 0);
	tcp_ooo_limit = limit;
	close(c.afd);
	close(c.lfd);
}

/* An ACK from the sandbox for ack, with SACK blocks [b[i][0], b[i][1]). */
static void sack_ack(struct conn *c, uint32_t ack, const uint32_t b[][2], unsigned int n)
{
	uint8_t opt[36] = { 1, 1, 5, (uint8_t)(2 + 8 * n) };
	unsigned int i;
	size_t l;

	for (i = 0; i < n; i++) {
		wr32(opt + 4 + 8 * i, b[i][0]);
		wr32(opt + 8 + 8 * i, b[i][1]);
	}
	l = build_tcp(fbuf, c->sport, c->dport, c->seq, ack, F_ACK, 0xffff, opt,
		      n ? 4 + 8 * n : 0, NULL, 0);
	input(fbuf, l);
}

/*
 * Toward the sandbox, two segments of five are lost: its duplicate ACKs
 * name the three that arrived, and exactly the two holes are sent again,
 * peeked from the host socket, not everything after the first.
 */
static void test_sack_recovery(int peek_off)
{
	static uint8_t big[7300];
	uint32_t p, b[2][2];
	const uint8_t *t;
	struct conn c;
	size_t plen, i;

	tcp_peek_off_mode = peek_off;
	reset(16, 0);
	open_conn_opts(&c, 40600, 1460, true);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 11 + 3);
	CHECK(send(c.afd, big, sizeof(big), 0) == (ssize_t)sizeof(big));
	n_sent = 0;
	pump(50);
	/* Five segments (and perhaps a window update as the buffer grew). */
	for (i = 0, plen = 0; i < n_sent; i++) {
		size_t l;

		(void)sent_tcp((unsigned int)i, &l);
		plen += l;
	}
	CHECK(plen == sizeof(big));
	p = c.peer_seq;
	/* Segments 2 and 4 lost. */
	b[0][0] = p + 2920;
	b[0][1] = p + 4380;
	b[1][0] = p + 5840;
	b[1][1] = p + 7300;
	sack_ack(&c, p + 1460, b, 1);
	CHECK(inq(&c) == (int)sizeof(big) - 1460);
	n_sent = 0;
	sack_ack(&c, p + 1460, b, 2);
	sack_ack(&c, p + 1460, b, 2);
	CHECK(n_sent == 0);
	sack_ack(&c, p + 1460, b, 2);
	CHECK(n_sent == 2 && gw.stats.tcp_retrans == 2);
	t = sent_tcp(0, &plen);
	CHECK(rd32(t + 4) == p + 1460 && plen == 1460 && !memcmp(t + 20, big + 1460, plen));
	t = sent_tcp(1, &plen);
	CHECK(rd32(t + 4) == p + 4380 && plen == 1460 && !memcmp(t + 20, big + 4380, plen));
	/* More duplicates: nothing new to fill. */
	n_sent = 0;
	sack_ack(&c, p + 1460, b, 2);
	CHECK(n_sent == 0);
	/* A partial ACK that leaves the retransmitted hole: none sent twice. */
	sack_ack(&c, p + 4380, b + 1, 1);
	CHECK(n_sent == 0 && inq(&c) == (int)sizeof(big) - 4380);
	sack_ack(&c, p + 7300, NULL, 0);
	CHECK(inq(&c) == 0 && gw.stats.tcp_retrans == 2);
	close(c.afd);
	close(c.lfd);
}

/*
 * A source that lends its buffers (the ringnet channel's slots) gets the
 * segments built in them, peeked straight from the host socket: the same
 * bytes, no copy in between.
 */
static void test_lent_buffers(void)
{
	static uint8_t big[20000];
	const uint8_t *t;
	struct conn c;
	size_t i, plen, got = 0;

	tcp_peek_off_mode = 1;
	fake_lends = true;
	reset(16, 0);
	open_conn(&c, 40800);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 10));
	CHECK(send(c.afd, big, sizeof(big), 0) == (ssize_t)sizeof(big));
	n_sent = 0;
	fake_lent_used = 0;
	gw_out_lend(&gw);	/* sent[] from the start again, as after a flush */
	pump(50);
	for (i = 0; i < n_sent; i++) {
		t = sent_tcp((unsigned int)i, &plen);
		if (!plen)
			continue;
		CHECK(rd32(t + 4) == c.peer_seq + got && !memcmp(t + 20, big + got, plen));
		got += plen;
	}
	CHECK(got == sizeof(big));
	CHECK(fake_lent_used >= 14);
	fake_lends = false;
	close(c.afd);
	close(c.lfd);
}

/* Segments queued for one batch of frames (input_queued()). */
static uint8_t queued[MAX_BATCH][OFF_L4 + 20 + 1460];
static const uint8_t *queued_ptr[MAX_BATCH];
static size_t queued_len[MAX_BATCH];
static unsigned int n_queued;

static void queue_seg(struct conn *c, uint8_t flags, const void *d, size_t len)
{
	if (n_queued == MAX_BATCH || len > 1460)
		abort();
	queued_len[n_queued] = build_tcp(queued[n_queued], c->sport, c->dport, c->seq,
					 c->peer_seq, flags, 0xffff, NULL, 0, d, len);
	queued_ptr[n_queued] = queued[n_queued];
	n_queued++;
	c->seq += (uint32_t)len + !!(flags & F_FIN);
}

static void input_queued(void)
{
	input_batch(queued_ptr, queued_len, n_queued);
	n_queued = 0;
}

/* The ACKs among the frames sent: how many, and the last one's number. */
static unsigned int sent_acks(uint32_t *last)
{
	unsigned int i, n = 0;
	const uint8_t *t;
	size_t plen;

	for (i = 0; i < n_sent; i++) {
		t = sent_tcp(i, &plen);
		if (!plen && t[13] == F_ACK) {
			*last = rd32(t + 8);
			n++;
		}
	}
	return n;
}

/* The next len bytes on fd are pattern(seed) intact. */
static void check_stream(int fd, unsigned int seed, size_t len)
{
	static uint8_t buf[100000];
	size_t got = 0, i;
	ssize_t n;

	while (got < len) {
		n = recv(fd, buf + got, len - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	CHECK(got == len);
	for (i = 0; i < got; i++)
		if (buf[i] != (uint8_t)(seed * 13 + i * 7 + (i >> 8)))
			break;
	CHECK(i == len);
}

/*
 * In-order data of one batch of frames reaches the host socket in one
 * write per run of a connection, and the sandbox gets one ACK for the run
 * instead of one per segment.  A FIN, another connection's data or a gap
 * sends what is batched first; a full batch goes as it fills.
 */
static void test_data_batch(void)
{
	static uint8_t d[100000];
	struct conn a, b;
	uint64_t sends;
	uint32_t ack;
	size_t i;

	tcp_peek_off_mode = 1;
	reset(16, 0);
	open_conn(&a, 40900);
	open_conn(&b, 40901);
	recv_timeout(a.afd);
	recv_timeout(b.afd);

	/* Three segments of a: one write, one ACK for all of them. */
	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(1 * 13 + i * 7 + (i >> 8));
	queue_seg(&a, F_ACK, d, 1460);
	queue_seg(&a, F_ACK, d + 1460, 1460);
	queue_seg(&a, F_ACK | F_PSH, d + 2920, 1000);
	sends = gw.stats.tcp_host_sends;
	n_sent = 0;
	input_queued();
	CHECK(gw.stats.tcp_host_sends == sends + 1);
	CHECK(sent_acks(&ack) == 1 && n_sent == 1 && ack == a.seq);
	check_stream(a.afd, 1, 3920);

	/* a, b, a: three runs, three writes, an ACK each, in that order. */
	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(2 * 13 + i * 7 + (i >> 8));
	queue_seg(&a, F_ACK, d, 1000);
	queue_seg(&b, F_ACK, d, 700);
	queue_seg(&a, F_ACK, d + 1000, 500);
	sends = gw.stats.tcp_host_sends;
	n_sent = 0;
	input_queued();
	CHECK(gw.stats.tcp_host_sends == sends + 3);
	CHECK(sent_acks(&ack) == 3 && ack == a.seq);
	CHECK(rd32(sent[1] + OFF_L4 + 8) == b.seq);
	check_stream(a.afd, 2, 1500);
	check_stream(b.afd, 2, 700);

	/* A gap: what came before it is written, the rest held. */
	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(3 * 13 + i * 7 + (i >> 8));
	queue_seg(&a, F_ACK, d, 800);
	a.seq += 400;
	queue_seg(&a, F_ACK, d + 1200, 600);
	a.seq -= 1000;
	queue_seg(&a, F_ACK, d + 800, 400);
	a.seq += 600;
	input_queued();
	CHECK(gw.stats.tcp_ooo_held == 1);
	check_stream(a.afd, 3, 1800);

	/* More than a batch holds: written as it fills, nothing lost. */
	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(4 * 13 + i * 7 + (i >> 8));
	sends = gw.stats.tcp_host_sends;
	for (i = 0; i < TCP_BATCH + 6; i++)
		queue_seg(&a, F_ACK, d + i * 1000, 1000);
	n_sent = 0;
	input_queued();
	CHECK(gw.stats.tcp_host_sends == sends + 2);
	CHECK(sent_acks(&ack) == 2 && ack == a.seq);
	check_stream(a.afd, 4, (TCP_BATCH + 6) * 1000);

	/* Data, then a FIN in the same batch: the host reads it all, then EOF. */
	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(5 * 13 + i * 7 + (i >> 8));
	queue_seg(&a, F_ACK, d, 1460);
	queue_seg(&a, F_ACK, d + 1460, 1460);
	queue_seg(&a, F_ACK | F_FIN, NULL, 0);
	sends = gw.stats.tcp_host_sends;
	n_sent = 0;
	input_queued();
	CHECK(gw.stats.tcp_host_sends == sends + 1);
	CHECK(sent_acks(&ack) == 2 && ack == a.seq);
	check_stream(a.afd, 5, 2920);
	CHECK(recv(a.afd, d, sizeof(d), 0) == 0);
	CHECK(gw.stats.tcp_host_short == 0);

	/* An RST after data of its connection: the data goes first. */
	queue_seg(&b, F_ACK, "last", 4);
	queue_seg(&b, F_RST, NULL, 0);
	input_queued();
	CHECK(flow_lookup(&gw, &(struct flow_key){ .proto = IPPROTO_TCP, .sb_addr = SB,
						    .peer_addr = GW, .sb_port = b.sport,
						    .peer_port = b.dport }) == FLOW_NONE);
	CHECK(gw.stats.tcp_bytes_to_host == 3920 + 1500 + 700 + 1800 +
	      (TCP_BATCH + 6) * 1000 + 2920 + 4);
	close(a.afd);
	close(a.lfd);
	close(b.afd);
	close(b.lfd);
}

/*
 * A batch the host socket takes only in part: the rest is held, not
 * dropped, and reaches the host when the socket has room again, without
 * the sandbox sending it again.
 */
static void test_data_batch_short(void)
{
	static uint8_t d[20000], sink[20000];
	int small = 2048;
	const uint8_t *t;
	size_t plen, total, got = 0, i;
	uint32_t wnd;
	struct conn c;
	ssize_t r;
	int k;

	tcp_peek_off_mode = 1;
	reset(16, 0);
	peer_rcvbuf = 2048;
	open_conn(&c, 40910);
	peer_rcvbuf = 0;
	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(6 * 13 + i * 7 + (i >> 8));
	/* The window our ACK offers, then a send buffer far smaller than it. */
	seg(&c, F_ACK, d, 1);
	t = sent_tcp(0, &plen);
	wnd = (uint32_t)rd16(t + 14) << 7;
	CHECK(setsockopt(flow_get(&gw, c.idx)->fd, SOL_SOCKET, SO_SNDBUF, &small,
			 sizeof(small)) == 0);
	CHECK(wnd > 10 * 1400);	/* all within the window */
	for (i = 0; i < 10; i++)
		queue_seg(&c, F_ACK, d + 1 + i * 1400, 1400);
	total = 1 + 10 * 1400;
	n_sent = 0;
	input_queued();
	CHECK(gw.stats.tcp_host_short == 1);
	CHECK(gw.stats.tcp_ooo_held >= 1);
	CHECK(n_sent == 1);
	t = sent_tcp(0, &plen);
	CHECK((int32_t)(rd32(t + 8) - c.seq) < 0);	/* not all taken */
	/* The peer reads: what was held follows, and all of it acknowledged. */
	for (k = 0; k < 2000 && got < total; k++) {
		r = recv(c.afd, sink + got, sizeof(sink) - got, MSG_DONTWAIT);
		if (r > 0)
			got += (size_t)r;
		pump(1);
	}
	CHECK(got == total && !memcmp(sink, d, total));
	CHECK(gw.stats.tcp_bytes_to_host == total);
	close(c.afd);
	close(c.lfd);
}

/*
 * Stopping (SIGTERM): data held beyond a gap keeps tcp_holding() true
 * until the gap fills; then tcp_stop() resets the sandbox's side, and the
 * host peer reads everything the sandbox sent, then EOF: not a reset,
 * although the host's own data was still unread in our socket (close()
 * would have answered that with an RST, dropping what was queued).
 */
static void test_stop(void)
{
	static uint8_t data[3000], reply[3000], got[4000];
	const uint8_t *t;
	struct conn c;
	size_t plen, i;
	ssize_t n, total = 0;

	tcp_peek_off_mode = 1;
	reset(16, 0);
	open_conn_opts(&c, 40500, 1460, true);
	recv_timeout(c.afd);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	/* The host peer's data: peeked toward the sandbox, never acked. */
	CHECK(send(c.afd, reply, sizeof(reply), 0) == (ssize_t)sizeof(reply));
	pump(50);
	CHECK(inq(&c) == (int)sizeof(reply));
	seg(&c, F_ACK, data, 1000);
	seg_at(&c, 1000, F_ACK, data + 2000, 1000);
	CHECK(tcp_holding(&gw));
	seg(&c, F_ACK, data + 1000, 1000);
	CHECK(!tcp_holding(&gw));
	c.seq += 1000;

	n_sent = 0;
	tcp_stop(&gw, gw_now_ms() + 1000);
	gw_flush(&gw);
	CHECK(n_sent == 1);
	if (n_sent == 1) {
		t = sent_tcp(0, &plen);
		CHECK(t[13] == (F_RST | F_ACK) && plen == 0);
	}
	CHECK(flow_count(&gw) == 0);
	while ((n = recv(c.afd, got + total, sizeof(got) - (size_t)total, 0)) > 0)
		total += n;
	CHECK(n == 0);		/* EOF, not ECONNRESET */
	CHECK(total == (ssize_t)sizeof(data) && !memcmp(got, data, sizeof(data)));
	close(c.afd);
	close(c.lfd);
}

int main(void)
{
	test_data(1);
	test_data(0);
	test_window_small_sndbuf();
	test_window_is_kept();
	test_ooo_runs();
	test_ooo_relay();
	test_ooo_limits();
	test_sack_recovery(1);
	test_sack_recovery(0);
	test_lent_buffers();
	test_data_batch();
	test_data_batch_short();
	test_rst();
	test_stop();
	test_table_full();
	test_malformed();
	test_dns_tcp();
	test_inbound(1);
	test_inbound(0);
	test_inbound_refused();
	test_inbound_table_full();
	test_port_parse();
	test_sandbox_view();
	test_port_loopback();
	return tests_done("ringnetd-test-tcp");
}
