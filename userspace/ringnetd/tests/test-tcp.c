// SPDX-License-Identifier: GPL-2.0
/*
 * The TCP relay through a fake frame source against real sockets on
 * 127.0.0.1 (the gateway address is mapped to host loopback): handshake
 * after connect(), data both ways with checksums checked, data kept in the
 * host socket until acked, retransmission, FIN and RST both ways, refused
 * connects, malformed segments.  With and without SO_PEEK_OFF.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/sockios.h>


extern int tcp_peek_off_mode;
#include "fake.h"


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
	struct epoll_event ev[16];
	int n, i;

	while ((n = epoll_wait(gw.epfd, ev, 16, ms)) > 0) {
		for (i = 0; i < n; i++)
			if (EP_KIND(ev[i].data.u64) == EP_FLOW)
				tcp4_sock_event(&gw, EP_IDX(ev[i].data.u64), ev[i].events);
		gw_flush(&gw);
	}
}

static int listener(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 8) < 0 || getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("listener");
		exit(1);
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

struct conn {
	uint16_t sport, dport;
	uint32_t seq;		/* the sandbox's next */
	uint32_t peer_seq;	/* the relay's next */
	int lfd, afd;
	uint32_t idx;
};

static uint8_t fbuf[70000 + 128];

static void seg(struct conn *c, uint8_t flags, const void *d, size_t len)
{
	size_t l = build_tcp(fbuf, c->sport, c->dport, c->seq, c->peer_seq, flags,
			     0xffff, NULL, 0, d, len);

	input(fbuf, l);
	c->seq += (uint32_t)len + !!(flags & F_FIN);
}

static void open_conn_mss(struct conn *c, uint16_t sport, uint16_t mss)
{
	uint8_t opt[8] = { 2, 4, mss >> 8, mss & 0xff, 1, 3, 3, 2 };	/* MSS, ws 2 */
	const uint8_t *t;
	size_t l, plen;
	struct flow_key k;

	memset(c, 0, sizeof(*c));
	c->lfd = listener(&c->dport);
	c->sport = sport;
	c->seq = 1000;
	n_sent = 0;
	l = build_tcp(fbuf, c->sport, c->dport, c->seq, 0, F_SYN, 0xffff, opt, 8, NULL, 0);
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
	CHECK(t[12] >> 4 == 7);
	CHECK(t[20] == 2 && t[21] == 4 && rd16(t + 22) == 65520 - 40);
	CHECK(t[24] == 1 && t[25] == 3 && t[26] == 3 && t[27] == 7);
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
	/* Out of order: dropped, duplicate ACK. */
	n_sent = 0;
	c.seq += 10;
	seg(&c, F_ACK, "later", 5);
	c.seq -= 15;
	CHECK(gw.stats.tcp_ooo == 1 && n_sent == 1);
	t = sent_tcp(0, &plen);
	CHECK(rd32(t + 8) == c.seq);

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
		int fd = listener(&port);
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
	lfd = listener(&port);
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
	lfd = listener(&port);
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
	int rounds = 0, rcvbuf = 4096;
	size_t plen, len;

	tcp_peek_off_mode = 1;
	reset(16, 0);
	open_conn(&c, 40300);
	/* A small receive buffer on the peer that never reads. */
	setsockopt(c.afd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
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
	close(c.afd);
	close(c.lfd);
}

int main(void)
{
	test_data(1);
	test_data(0);
	test_window_small_sndbuf();
	test_window_is_kept();
	test_rst();
	test_table_full();
	test_malformed();
	test_dns_tcp();
	gw_fini(&gw);
	if (failures) {
		fprintf(stderr, "ringnetd-test-tcp: %d check(s) failed\n", failures);
		return 1;
	}
	printf("ringnetd-test-tcp: all passed\n");
	return 0;
}
