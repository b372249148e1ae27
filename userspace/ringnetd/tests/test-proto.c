// SPDX-License-Identifier: GPL-2.0
/*
 * ringnetd's protocol code against crafted frames, through a fake frame
 * source that records what the gateway sends.  Well-formed requests must
 * get the right answers; malformed frames must be dropped and counted
 * under the right reason (and, under ASan/UBSan, touch nothing they
 * shouldn't).  UDP relaying runs against sockets on 127.0.0.1.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/errqueue.h>

#include "fake.h"

static size_t build_udp(uint8_t *buf, uint32_t src, uint16_t sport, uint32_t dst,
			uint16_t dport, const void *data, size_t len)
{
	uint8_t l4[2048];
	uint32_t sum;

	wr16(l4, sport);
	wr16(l4 + 2, dport);
	wr16(l4 + 4, (uint16_t)(UDP_HDR_LEN + len));
	wr16(l4 + 6, 0);
	memcpy(l4 + UDP_HDR_LEN, data, len);
	sum = csum_ip4_pseudo(src, dst, IPPROTO_UDP, (uint16_t)(UDP_HDR_LEN + len));
	sum = csum_fold(csum_add(sum, l4, UDP_HDR_LEN + len));
	wr16(l4 + 6, sum ? sum : 0xffff);
	return build_ip4(buf, IPPROTO_UDP, src, dst, l4, UDP_HDR_LEN + len);
}

static size_t build_echo(uint8_t *buf, uint32_t dst, uint16_t id, size_t datalen)
{
	uint8_t l4[1024];
	size_t i;

	l4[0] = 8;
	l4[1] = 0;
	wr16(l4 + 2, 0);
	wr16(l4 + 4, id);
	wr16(l4 + 6, 1);
	for (i = 0; i < datalen; i++)
		l4[8 + i] = (uint8_t)i;
	wr16(l4 + 2, csum_fold(csum_add(0, l4, 8 + datalen)));
	return build_ip4(buf, IPPROTO_ICMP, SB, dst, l4, 8 + datalen);
}

/* Check the IPv4 packet in sent frame i; returns its L4 part. */
static const uint8_t *sent_ip4(unsigned int i, uint8_t proto, uint32_t src,
			       uint32_t dst, size_t *l4_len)
{
	const uint8_t *f = sent[i], *ip = f + OFF_IP4;

	CHECK(sent_len[i] >= OFF_L4);
	CHECK(rd16(f + OFF_ETH + 12) == ETH_P_IP);
	CHECK(!memcmp(f + OFF_ETH + 6, gw.mac, 6));
	CHECK(ip[0] == 0x45);
	CHECK(ip[9] == proto);
	CHECK(rdaddr(ip + 12) == src);
	CHECK(rdaddr(ip + 16) == dst);
	CHECK(rd16(ip + 2) == sent_len[i] - OFF_IP4);
	CHECK(csum_fold(csum_add(0, ip, IP4_HDR_LEN)) == 0);
	*l4_len = sent_len[i] - OFF_L4;
	return ip + IP4_HDR_LEN;
}

static void test_arp(void)
{
	uint8_t f[128] = { 0 }, *e = f + VNET_HDR_LEN, *a = e + ETH_HDR_LEN;
	const uint8_t *r;

	reset(16, 0);
	memset(e, 0xff, 6);
	memcpy(e + 6, sb_mac, 6);
	wr16(e + 12, ETH_P_ARP);
	wr16(a, 1);
	wr16(a + 2, ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	wr16(a + 6, 1);
	memcpy(a + 8, sb_mac, 6);
	wraddr(a + 14, SB);
	wraddr(a + 24, GW);
	input(f, VNET_HDR_LEN + 42);
	CHECK(gw.stats.arp_replies == 1);
	CHECK(n_sent == 1);
	r = sent[0] + OFF_ETH;
	CHECK(!memcmp(r, sb_mac, 6));
	CHECK(rd16(r + 12) == ETH_P_ARP);
	CHECK(rd16(r + 14 + 6) == 2);
	CHECK(!memcmp(r + 14 + 8, gw.mac, 6));
	CHECK(rdaddr(r + 14 + 14) == GW);
	CHECK(rdaddr(r + 14 + 24) == SB);
	CHECK(gw.sb_mac_known && !memcmp(gw.sb_mac, sb_mac, 6));

	wraddr(a + 24, DNS);
	input(f, VNET_HDR_LEN + 42);
	CHECK(gw.stats.arp_replies == 2);

	/* Another host, a reply, gratuitous: ignored. */
	wraddr(a + 24, A(10, 0, 2, 7));
	input(f, VNET_HDR_LEN + 42);
	wraddr(a + 24, GW);
	wr16(a + 6, 2);
	input(f, VNET_HDR_LEN + 42);
	wr16(a + 6, 1);
	wraddr(a + 14, GW);
	input(f, VNET_HDR_LEN + 42);
	CHECK(gw.stats.arp_ignored == 3);

	/* Truncated, or not Ethernet/IPv4. */
	wraddr(a + 14, SB);
	input(f, VNET_HDR_LEN + 41);
	a[4] = 8;
	input(f, VNET_HDR_LEN + 42);
	CHECK(gw.stats.arp_bad == 2);
	CHECK(n_sent == 2);
}

static void test_icmp_gw(void)
{
	uint8_t f[2048];
	const uint8_t *l4;
	size_t len, l4_len;

	reset(16, 0);
	len = build_echo(f, GW, 0x1234, 56);
	input(f, len);
	CHECK(gw.stats.icmp_echo_local == 1);
	CHECK(n_sent == 1);
	l4 = sent_ip4(0, IPPROTO_ICMP, GW, SB, &l4_len);
	CHECK(l4_len == 64);
	CHECK(l4[0] == 0 && l4[1] == 0);
	CHECK(rd16(l4 + 4) == 0x1234);
	CHECK(csum_fold(csum_add(0, l4, l4_len)) == 0);
	CHECK(!memcmp(l4 + 8, f + OFF_L4 + 8, 56));
	CHECK(!memcmp(sent[0] + OFF_ETH, sb_mac, 6));

	len = build_echo(f, DNS, 1, 0);
	input(f, len);
	CHECK(gw.stats.icmp_echo_local == 2);

	/* Bad ICMP checksum; short; not an echo request. */
	len = build_echo(f, GW, 1, 8);
	f[OFF_L4 + 9] ^= 1;
	input(f, len);
	len = build_ip4(f, IPPROTO_ICMP, SB, GW, (const uint8_t *)"\x08\0\0", 3);
	input(f, len);
	CHECK(gw.stats.icmp_bad == 2);
	len = build_echo(f, GW, 1, 8);
	f[OFF_L4] = 13;		/* timestamp */
	wr16(f + OFF_L4 + 2, 0);
	wr16(f + OFF_L4 + 2, csum_fold(csum_add(0, f + OFF_L4, 16)));
	input(f, len);
	CHECK(gw.stats.icmp_ignored == 1);
	CHECK(n_sent == 2);

	/* DATA_VALID skips the checksums. */
	reset(16, FRAME_OFF_CSUM);
	len = build_echo(f, GW, 1, 8);
	f[OFF_L4 + 9] ^= 1;
	f[OFF_IP4 + 10] ^= 1;
	f[0] = VIRTIO_NET_HDR_F_DATA_VALID;
	input(f, len);
	CHECK(gw.stats.icmp_echo_local == 1);
}

static void test_ip4_malformed(void)
{
	uint8_t f[2048], g[2048];
	size_t len;
	struct gw_stats s;

	reset(16, 0);
	len = build_echo(f, GW, 7, 16);

	input(f, 5);					/* shorter than vnet */
	input(f, VNET_HDR_LEN + 13);			/* shorter than Ethernet */
	CHECK(gw.stats.drop_short == 2);
	input(f, OFF_IP4 + 19);				/* short IPv4 header */
	memcpy(g, f, len); g[OFF_IP4] = 0x65; input(g, len);	/* version 6 */
	memcpy(g, f, len); g[OFF_IP4] = 0x44; input(g, len);	/* ihl 4 */
	CHECK(gw.stats.ip4_bad_header == 3);
	memcpy(g, f, len); g[OFF_IP4] = 0x4f; fix_ip_csum(g); input(g, len); /* ihl past tot */
	memcpy(g, f, len); wr16(g + OFF_IP4 + 2, (uint16_t)(len - OFF_IP4 + 1));
	fix_ip_csum(g); input(g, len);			/* longer than the frame */
	input(f, len - 1);				/* truncated */
	CHECK(gw.stats.ip4_bad_length == 3);
	memcpy(g, f, len); g[OFF_IP4 + 10] ^= 0x40; input(g, len);
	CHECK(gw.stats.ip4_bad_csum == 1);
	memcpy(g, f, len); wr16(g + OFF_IP4 + 6, 0x2000); fix_ip_csum(g); input(g, len);
	memcpy(g, f, len); wr16(g + OFF_IP4 + 6, 0x0010); fix_ip_csum(g); input(g, len);
	CHECK(gw.stats.ip4_fragment == 2);
	memcpy(g, f, len); g[OFF_IP4 + 9] = 47; fix_ip_csum(g); input(g, len);
	CHECK(gw.stats.ip4_proto == 1);
	memcpy(g, f, len); g[OFF_IP4 + 9] = IPPROTO_TCP; fix_ip_csum(g); input(g, len);
	CHECK(gw.stats.tcp_bad == 1);	/* an echo body: bad TCP checksum */
	memcpy(g, f, len); wraddr(g + OFF_IP4 + 12, A(224, 0, 0, 1)); fix_ip_csum(g); input(g, len);
	CHECK(gw.stats.ip4_bad_src == 1);
	CHECK(n_sent == 0);

	/* Ethernet padding after the IPv4 packet is fine. */
	memset(f + len, 0xee, 10);
	input(f, len + 10);
	CHECK(gw.stats.icmp_echo_local == 1);

	/* Not our MAC, not IPv4 or ARP, vnet flags without offloads, GSO. */
	memcpy(g, f, len); g[OFF_ETH] = 0x06; input(g, len);
	CHECK(gw.stats.drop_not_for_us == 1);
	memcpy(g, f, len); wr16(g + OFF_ETH + 12, ETH_P_IPV6); input(g, len);
	CHECK(gw.stats.drop_ethertype == 1);
	memcpy(g, f, len); g[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM; input(g, len);
	memcpy(g, f, len); g[0] = 0x80; input(g, len);
	memcpy(g, f, len); g[1] = VIRTIO_NET_HDR_GSO_UDP; input(g, len);
	memcpy(g, f, len); g[1] = VIRTIO_NET_HDR_GSO_TCPV4; input(g, len);
	CHECK(gw.stats.drop_vnet_hdr == 4);

	/* Relaying to martians: multicast, loopback, broadcast, this net. */
	len = build_udp(f, SB, 1000, A(224, 0, 0, 251), 5353, "x", 1);
	input(f, len);
	len = build_udp(f, SB, 1000, A(127, 0, 0, 1), 53, "x", 1);
	input(f, len);
	len = build_udp(f, SB, 1000, A(10, 0, 2, 255), 53, "x", 1);
	input(f, len);
	len = build_udp(f, SB, 1000, A(0, 1, 2, 3), 53, "x", 1);
	input(f, len);
	len = build_echo(f, A(255, 255, 255, 255), 1, 1);
	input(f, len);
	CHECK(gw.stats.ip4_bad_dst == 5);
	CHECK(flow_count(&gw) == 0);
	CHECK(n_sent == 1);

	/*
	 * Garbage: random frames, and valid frames with random bytes
	 * flipped.  Nothing may crash; every frame is counted once.
	 *
	 * A mutated destination could be any address on the Internet, so the
	 * flow table (one entry) is filled first with a flow to the host's
	 * loopback discard port: every new flow is refused and nothing leaves
	 * this machine.
	 */
	reset(1, 0);
	len = build_udp(f, SB, 5000, GW, 9, "data", 4);
	input(f, len);
	CHECK(flow_count(&gw) == 1);
	srand(1);
	s = gw.stats;
	for (int i = 0; i < 20000; i++) {
		size_t l = (size_t)rand() % 400;
		int j;

		for (j = 0; j < (int)l; j++)
			g[j] = (uint8_t)rand();
		if (i & 1) {	/* aim at our parsers */
			memset(g, 0, VNET_HDR_LEN);
			memcpy(g + OFF_ETH, i & 2 ? gw.mac : (const uint8_t *)"\xff\xff\xff\xff\xff\xff", 6);
			wr16(g + OFF_ETH + 12, i & 4 ? ETH_P_IP : ETH_P_ARP);
		}
		input(g, l);
	}
	for (int i = 0; i < 20000; i++) {
		size_t l;

		switch (i % 3) {
		case 0: l = build_echo(g, GW, 1, 40); break;
		case 1: l = build_udp(g, 0, 68, A(255, 255, 255, 255), 67, f, 300); break;
		default: l = build_udp(g, SB, 5000, GW, 9, "data", 4); break;
		}
		g[OFF_IP4 + (size_t)rand() % (l - OFF_IP4)] = (uint8_t)rand();
		if (rand() & 1)
			fix_ip_csum(g);
		input(g, l - (size_t)(rand() % 3));
	}
	CHECK(gw.stats.rx_frames - s.rx_frames == 40000);
	CHECK(gw.stats.flows_created == s.flows_created && flow_count(&gw) == 1);
	n_sent = 0;
}

/* A DHCP message from the sandbox's client. */
static size_t build_dhcp(uint8_t *f, int type, uint32_t ciaddr, uint32_t req_ip,
			 uint32_t server_id, bool truncate_opts)
{
	uint8_t b[400] = { 0 }, *o;
	size_t len;

	b[0] = 1; b[1] = 1; b[2] = 6;
	wr32(b + 4, 0xdeadbeef);
	wraddr(b + 12, ciaddr);
	memcpy(b + 28, sb_mac, 6);
	wr32(b + 236, 0x63825363);
	o = b + 240;
	*o++ = 53; *o++ = 1; *o++ = (uint8_t)type;
	if (req_ip) {
		*o++ = 50; *o++ = 4; wraddr(o, req_ip); o += 4;
	}
	if (server_id) {
		*o++ = 54; *o++ = 4; wraddr(o, server_id); o += 4;
	}
	*o++ = 55; *o++ = 3; *o++ = 1; *o++ = 3; *o++ = 6;
	if (truncate_opts) {
		*o++ = 12; *o++ = 40;	/* host name running past the end */
		len = (size_t)(o - b) + 5;
	} else {
		*o++ = 255;
		len = (size_t)(o - b);
	}
	return build_udp(f, ciaddr, 68, ciaddr ? GW : A(255, 255, 255, 255), 67, b, len);
}

/* The value of option code in a DHCP reply, or NULL. */
static const uint8_t *dhcp_opt(const uint8_t *b, size_t len, uint8_t code, uint8_t *olen)
{
	size_t i = 240;

	while (i + 2 <= len && b[i] != 255) {
		if (b[i] == 0) {
			i++;
			continue;
		}
		if (b[i] == code) {
			*olen = b[i + 1];
			return b + i + 2;
		}
		i += 2 + b[i + 1];
	}
	return NULL;
}

static void check_dhcp_reply(unsigned int i, int type, uint32_t dst, uint32_t yiaddr)
{
	const uint8_t *l4, *b, *o;
	size_t l4_len;
	uint8_t ol = 0;

	l4 = sent_ip4(i, IPPROTO_UDP, GW, dst, &l4_len);
	CHECK(rd16(l4) == 67 && rd16(l4 + 2) == 68);
	CHECK(rd16(l4 + 4) == l4_len);
	CHECK(csum_fold(csum_add(csum_ip4_pseudo(GW, dst, IPPROTO_UDP, (uint16_t)l4_len),
				 l4, l4_len)) == 0);
	b = l4 + UDP_HDR_LEN;
	CHECK(l4_len - UDP_HDR_LEN >= 300);
	CHECK(b[0] == 2);
	CHECK(rd32(b + 4) == 0xdeadbeef);
	CHECK(rdaddr(b + 16) == yiaddr);
	CHECK(!memcmp(b + 28, sb_mac, 6));
	CHECK(rd32(b + 236) == 0x63825363);
	o = dhcp_opt(b, l4_len - UDP_HDR_LEN, 53, &ol);
	CHECK(o && ol == 1 && o[0] == type);
	o = dhcp_opt(b, l4_len - UDP_HDR_LEN, 54, &ol);
	CHECK(o && ol == 4 && rdaddr(o) == GW);
	if (type == 6)
		return;
	o = dhcp_opt(b, l4_len - UDP_HDR_LEN, 1, &ol);
	CHECK(o && ol == 4 && rdaddr(o) == A(255, 255, 255, 0));
	o = dhcp_opt(b, l4_len - UDP_HDR_LEN, 3, &ol);
	CHECK(o && ol == 4 && rdaddr(o) == GW);
	o = dhcp_opt(b, l4_len - UDP_HDR_LEN, 6, &ol);
	CHECK(o && ol == 4 && rdaddr(o) == DNS);
	o = dhcp_opt(b, l4_len - UDP_HDR_LEN, 26, &ol);
	CHECK(o && ol == 2 && rd16(o) == 65520);
	o = dhcp_opt(b, l4_len - UDP_HDR_LEN, 51, &ol);
	CHECK(o && ol == 4 && rd32(o) == 3600);
}

static void test_dhcp(void)
{
	uint8_t f[2048];
	size_t len;
	uint32_t bcast = A(255, 255, 255, 255);

	reset(16, 0);
	len = build_dhcp(f, 1, 0, 0, 0, false);		/* DISCOVER */
	input(f, len);
	CHECK(gw.stats.dhcp_offers == 1 && n_sent == 1);
	check_dhcp_reply(0, 2, bcast, SB);
	CHECK(!memcmp(sent[0] + OFF_ETH, "\xff\xff\xff\xff\xff\xff", 6));

	len = build_dhcp(f, 3, 0, SB, GW, false);	/* REQUEST (selecting) */
	input(f, len);
	CHECK(gw.stats.dhcp_acks == 1 && n_sent == 2);
	check_dhcp_reply(1, 5, bcast, SB);

	len = build_dhcp(f, 3, SB, 0, 0, false);	/* renewal: ciaddr */
	input(f, len);
	CHECK(gw.stats.dhcp_acks == 2 && n_sent == 3);
	check_dhcp_reply(2, 5, SB, SB);
	CHECK(!memcmp(sent[2] + OFF_ETH, sb_mac, 6));

	len = build_dhcp(f, 3, 0, A(10, 0, 2, 50), 0, false);	/* init-reboot, wrong */
	input(f, len);
	CHECK(gw.stats.dhcp_naks == 1 && n_sent == 4);
	check_dhcp_reply(3, 6, bcast, 0);

	len = build_dhcp(f, 3, 0, SB, A(10, 0, 2, 9), false);	/* another server's */
	input(f, len);
	len = build_dhcp(f, 1, 0, 0, 0, true);			/* options overrun */
	input(f, len);
	len = build_dhcp(f, 1, 0, 0, 0, false);
	f[OFF_L4 + UDP_HDR_LEN + 236] = 0;			/* cookie */
	wr16(f + OFF_L4 + 6, 0);
	input(f, len);
	len = build_dhcp(f, 1, 0, 0, 0, false);
	input(f, OFF_L4 + 8 + 100);				/* truncated: IP length */
	CHECK(gw.stats.dhcp_bad == 3);
	CHECK(gw.stats.ip4_bad_length == 1);
	len = build_dhcp(f, 7, 0, 0, 0, false);			/* RELEASE: silence */
	input(f, len);
	CHECK(n_sent == 4);
}

static void test_udp(void)
{
	uint8_t f[2048], buf[2048];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	const uint8_t *l4;
	size_t len, l4_len;
	uint16_t port, closed_port;
	ssize_t n;
	int srv, tmp;

	reset(2, 0);
	srv = recv_timeout(loopback_socket(SOCK_DGRAM, &port));
	tmp = loopback_socket(SOCK_DGRAM, &closed_port);
	close(tmp);

	/* To the gateway: host loopback. */
	len = build_udp(f, SB, 40000, GW, port, "ping", 4);
	input(f, len);
	CHECK(gw.stats.udp_to_host == 1 && flow_count(&gw) == 1);
	n = recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	CHECK(n == 4 && !memcmp(buf, "ping", 4));
	if (n == 4) {
		sendto(srv, "pong!", 5, 0, (struct sockaddr *)&from, fl);
		poll_events(2000);
	}
	CHECK(gw.stats.udp_from_host == 1 && n_sent == 1);
	if (n_sent == 1) {
		l4 = sent_ip4(0, IPPROTO_UDP, GW, SB, &l4_len);
		CHECK(l4_len == 13 && rd16(l4) == port && rd16(l4 + 2) == 40000);
		CHECK(!memcmp(l4 + 8, "pong!", 5));
		CHECK(csum_fold(csum_add(csum_ip4_pseudo(GW, SB, IPPROTO_UDP, 13), l4, 13)) == 0);
	}

	/* The same tuple reuses the flow. */
	input(f, len);
	CHECK(flow_count(&gw) == 1 && gw.stats.flows_created == 1);
	recv(srv, buf, sizeof(buf), 0);

	/* A closed port: ICMP port unreachable, quoting the datagram. */
	n_sent = 0;
	len = build_udp(f, SB, 40001, GW, closed_port, "knock", 5);
	input(f, len);
	poll_events(2000);
	CHECK(gw.stats.icmp_errors_sent == 1 && n_sent == 1);
	CHECK(gw.stats.udp_host_errors == 1);
	if (n_sent == 1) {
		/* From the gateway: the host's offender is 127.0.0.1. */
		l4 = sent_ip4(0, IPPROTO_ICMP, GW, SB, &l4_len);
		CHECK(l4[0] == 3 && l4[1] == 3);
		CHECK(csum_fold(csum_add(0, l4, l4_len)) == 0);
		CHECK(rdaddr(l4 + 8 + 12) == SB && rdaddr(l4 + 8 + 16) == GW);
		CHECK(csum_fold(csum_add(0, l4 + 8, IP4_HDR_LEN)) == 0);
		CHECK(rd16(l4 + 8 + 2) == IP4_HDR_LEN + UDP_HDR_LEN + 5);
		CHECK(rd16(l4 + 28) == 40001 && rd16(l4 + 30) == closed_port);
		CHECK(rd16(l4 + 32) == UDP_HDR_LEN + 5);
		CHECK(l4_len == 36 + 5 && !memcmp(l4 + 36, "knock", 5));
	}

	/* The table holds two flows: a third is refused, and told so. */
	n_sent = 0;
	len = build_udp(f, SB, 40002, GW, port, "x", 1);
	input(f, len);
	CHECK(gw.stats.flows_table_full == 1 && flow_count(&gw) == 2);
	CHECK(n_sent == 1);
	if (n_sent == 1) {
		l4 = sent_ip4(0, IPPROTO_ICMP, GW, SB, &l4_len);
		CHECK(l4[0] == 3 && l4[1] == 13 && rd16(l4 + 28) == 40002);
	}

	/* Idle flows expire. */
	flow_expire(&gw, gw_now() + 61);
	CHECK(flow_count(&gw) == 0 && gw.stats.flows_expired == 2);
	input(f, len);
	CHECK(flow_count(&gw) == 1);

	/* Bad UDP: length past the packet, bad checksum, short header. */
	len = build_udp(f, SB, 40003, GW, port, "abc", 3);
	wr16(f + OFF_L4 + 4, 12);
	input(f, len);
	len = build_udp(f, SB, 40003, GW, port, "abc", 3);
	f[OFF_L4 + 9] ^= 1;
	input(f, len);
	len = build_ip4(f, IPPROTO_UDP, SB, GW, (const uint8_t *)"\1\2\3\4\5", 5);
	input(f, len);
	CHECK(gw.stats.udp_bad == 3);
	/* NEEDS_CSUM (offload negotiated) means the checksum is partial. */
	reset(4, FRAME_OFF_CSUM);
	len = build_udp(f, SB, 40003, GW, port, "abc", 3);
	f[OFF_L4 + 9] ^= 1;
	f[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	input(f, len);
	CHECK(gw.stats.udp_bad == 0 && gw.stats.udp_to_host == 1);
	recv(srv, buf, sizeof(buf), 0);

	/* The DNS address answers nothing but port 53. */
	n_sent = 0;
	len = build_udp(f, SB, 40004, DNS, 54, "q", 1);
	input(f, len);
	CHECK(gw.stats.udp_closed_port == 1 && n_sent == 1);
	close(srv);
}

static void test_dns(void)
{
	uint8_t f[2048], buf[2048];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	const uint8_t *l4;
	size_t len, l4_len;
	uint16_t port;
	ssize_t n;
	int srv;

	reset(16, 0);
	len = build_udp(f, SB, 33333, DNS, 53, "query", 5);
	input(f, len);
	CHECK(gw.stats.dns_no_upstream == 1 && flow_count(&gw) == 0);

	srv = recv_timeout(loopback_socket(SOCK_DGRAM, &port));
	gw.cfg.dns_upstream[0] = (struct sockaddr_in){ .sin_family = AF_INET,
		.sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	gw.cfg.n_dns_upstream = 1;
	input(f, len);
	CHECK(gw.stats.dns_queries == 1);
	n = recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	CHECK(n == 5 && !memcmp(buf, "query", 5));
	if (n == 5) {
		sendto(srv, "answer", 6, 0, (struct sockaddr *)&from, fl);
		poll_events(2000);
	}
	CHECK(n_sent == 1);
	if (n_sent == 1) {
		l4 = sent_ip4(0, IPPROTO_UDP, DNS, SB, &l4_len);
		CHECK(rd16(l4) == 53 && rd16(l4 + 2) == 33333);
		CHECK(l4_len == 14 && !memcmp(l4 + 8, "answer", 6));
	}
	close(srv);

	{
		struct sockaddr_in sa;

		CHECK(dns_parse_upstream("127.0.0.1:5353", &sa) == 0 && ntohs(sa.sin_port) == 5353);
		CHECK(dns_parse_upstream("192.0.2.1", &sa) == 0 && ntohs(sa.sin_port) == 53);
		CHECK(dns_parse_upstream("192.0.2.1:", &sa) < 0);
		CHECK(dns_parse_upstream("192.0.2.1:70000", &sa) < 0);
		CHECK(dns_parse_upstream("::1", &sa) < 0);
		CHECK(dns_parse_upstream("bogus", &sa) < 0);
		CHECK(dns_parse_upstream("192.0.2.1:+53", &sa) < 0);
	}
}

#define PARSE_UINT(s, max, v) parse_uint(s, s + strlen(s), max, v)

static void test_parse_uint(void)
{
	const char *digits = "1234";
	unsigned long v = 7;

	CHECK(PARSE_UINT("0", 0, &v) && v == 0);
	CHECK(PARSE_UINT("65535", 65535, &v) && v == 65535);
	CHECK(PARSE_UINT("0080", 65535, &v) && v == 80);
	CHECK(PARSE_UINT("18446744073709551615", ULONG_MAX, &v) && v == ULONG_MAX);
	v = 7;
	CHECK(!PARSE_UINT("", 10, &v) && v == 7);
	CHECK(!PARSE_UINT("65536", 65535, &v));
	CHECK(!PARSE_UINT("18446744073709551616", ULONG_MAX, &v));
	CHECK(!PARSE_UINT("1", 0, &v));
	CHECK(!PARSE_UINT("-1", 10, &v));
	CHECK(!PARSE_UINT("+1", 10, &v));
	CHECK(!PARSE_UINT(" 1", 10, &v));
	CHECK(!PARSE_UINT("1 ", 10, &v));
	CHECK(!PARSE_UINT("1x", 10, &v) && v == 7);
	/* Up to end only: "12" of "1234". */
	CHECK(parse_uint(digits, digits + 2, 100, &v) && v == 12);
}

/*
 * Check an ICMP error in sent frame i: from src to SB, type and code, and
 * a quote of the packet the sandbox sent to peer (its IPv4 header rebuilt
 * with a valid checksum and the original length).  Returns the quoted L4
 * part, and its length in the frame in *q_len.
 */
static const uint8_t *check_error(unsigned int i, uint32_t src, uint8_t type,
				  uint8_t code, uint32_t peer, uint8_t proto,
				  size_t orig_l4_len, size_t *q_len)
{
	const uint8_t *l4, *ip;
	size_t l4_len;

	l4 = sent_ip4(i, IPPROTO_ICMP, src, SB, &l4_len);
	CHECK(l4_len >= ICMP_HDR_LEN + IP4_HDR_LEN + 8);
	CHECK(l4[0] == type && l4[1] == code);
	CHECK(csum_fold(csum_add(0, l4, l4_len)) == 0);
	/* RFC 1812: the whole error within 576 bytes. */
	CHECK(IP4_HDR_LEN + l4_len <= 576);
	ip = l4 + ICMP_HDR_LEN;
	CHECK(ip[0] == 0x45 && ip[9] == proto);
	CHECK(rd16(ip + 2) == IP4_HDR_LEN + orig_l4_len);
	CHECK(rdaddr(ip + 12) == SB && rdaddr(ip + 16) == peer);
	CHECK(csum_fold(csum_add(0, ip, IP4_HDR_LEN)) == 0);
	*q_len = l4_len - ICMP_HDR_LEN - IP4_HDR_LEN;
	return ip + IP4_HDR_LEN;
}

/* A flow as udp4_input or echo_relay would make it, without a socket. */
static struct flow *fake_flow(enum flow_kind kind, uint8_t proto, uint32_t peer,
			      uint16_t sb_port, uint16_t peer_port)
{
	struct flow_key k = { .proto = proto, .sb_addr = SB, .peer_addr = peer,
			      .sb_port = sb_port, .peer_port = peer_port };
	uint32_t idx = flow_alloc(&gw, kind, &k);

	CHECK(idx != FLOW_NONE);
	return flow_get(&gw, idx);
}

/*
 * Errors read off host sockets' error queues become ICMP errors toward
 * the sandbox: from the router that sent them when the sandbox may hear
 * from it, quoting what the sandbox sent.
 */
static void test_host_errors(void)
{
	struct sock_extended_err ee = { .ee_errno = EHOSTUNREACH,
					.ee_origin = SO_EE_ORIGIN_ICMP,
					.ee_type = 3, .ee_code = 1 };
	uint32_t peer = A(198, 51, 100, 2), router = A(203, 0, 113, 9);
	uint8_t data[1200], echo[64];
	const uint8_t *q;
	struct flow *f;
	size_t q_len, i;
	uint16_t want_sum;

	reset(16, 0);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);

	/* UDP, host unreachable from a router on the way. */
	f = fake_flow(FLOW_UDP, IPPROTO_UDP, peer, 40000, 7007);
	CHECK(icmp4_reflect(&gw, f, &ee, router, data, 11));
	gw_flush(&gw);
	CHECK(n_sent == 1 && gw.stats.udp_host_errors == 1);
	CHECK(gw.stats.icmp_errors_sent == 1);
	if (n_sent == 1) {
		q = check_error(0, router, 3, 1, peer, IPPROTO_UDP, 8 + 11, &q_len);
		CHECK(q_len == 8 + 11);
		CHECK(rd16(q) == 40000 && rd16(q + 2) == 7007 && rd16(q + 4) == 19);
		CHECK(!memcmp(q + 8, data, 11));
		CHECK(rd32(sent[0] + OFF_L4 + 4) == 0);
	}

	/* Time exceeded; a long datagram is quoted only up to 576 bytes. */
	n_sent = 0;
	ee.ee_type = 11;
	ee.ee_code = 0;
	CHECK(icmp4_reflect(&gw, f, &ee, router, data, sizeof(data)));
	gw_flush(&gw);
	CHECK(n_sent == 1);
	if (n_sent == 1) {
		q = check_error(0, router, 11, 0, peer, IPPROTO_UDP, 8 + sizeof(data), &q_len);
		CHECK(IP4_HDR_LEN + ICMP_HDR_LEN + IP4_HDR_LEN + q_len == 576);
		CHECK(rd16(q + 4) == 8 + sizeof(data));
		CHECK(!memcmp(q + 8, data, q_len - 8));
	}

	/* Parameter problem: the pointer is byte 4 of the ICMP header. */
	n_sent = 0;
	ee.ee_type = 12;
	ee.ee_code = 0;
	ee.ee_info = 9;
	CHECK(icmp4_reflect(&gw, f, &ee, router, data, 0));
	gw_flush(&gw);
	CHECK(n_sent == 1);
	if (n_sent == 1) {
		check_error(0, router, 12, 0, peer, IPPROTO_UDP, 8, &q_len);
		CHECK(sent[0][OFF_L4 + 4] == 9 && q_len == 8);
	}

	/*
	 * Whom the error comes from: an offender the sandbox can't hear from
	 * (none, a martian, its own address) is replaced by the peer.
	 */
	ee.ee_type = 3;
	ee.ee_code = 3;
	ee.ee_info = 0;
	n_sent = 0;
	CHECK(icmp4_reflect(&gw, f, &ee, 0, data, 4));
	CHECK(icmp4_reflect(&gw, f, &ee, A(127, 0, 0, 1), data, 4));
	CHECK(icmp4_reflect(&gw, f, &ee, SB, data, 4));
	CHECK(icmp4_reflect(&gw, f, &ee, A(224, 0, 0, 1), data, 4));
	CHECK(icmp4_reflect(&gw, f, &ee, peer, data, 4));
	gw_flush(&gw);
	CHECK(n_sent == 5);
	for (i = 0; i < n_sent; i++)
		check_error((unsigned int)i, peer, 3, 3, peer, IPPROTO_UDP, 12, &q_len);

	/* Flows to a stand-in: the error is the stand-in's. */
	n_sent = 0;
	f = fake_flow(FLOW_DNS, IPPROTO_UDP, DNS, 40001, 53);
	CHECK(icmp4_reflect(&gw, f, &ee, router, data, 4));
	f = fake_flow(FLOW_UDP, IPPROTO_UDP, GW, 40002, 9);	/* mapped loopback */
	CHECK(icmp4_reflect(&gw, f, &ee, router, data, 4));
	gw_flush(&gw);
	CHECK(n_sent == 2);
	if (n_sent == 2) {
		q = check_error(0, DNS, 3, 3, DNS, IPPROTO_UDP, 12, &q_len);
		CHECK(rd16(q) == 40001 && rd16(q + 2) == 53);
		q = check_error(1, GW, 3, 3, GW, IPPROTO_UDP, 12, &q_len);
		CHECK(rd16(q) == 40002 && rd16(q + 2) == 9);
	}

	/*
	 * Not passed on: fragmentation needed (the host fragments; a
	 * sandbox would start sending fragments), local errors, types
	 * sockets don't report.
	 */
	n_sent = 0;
	gw.stats.icmp_errors_sent = 0;
	ee.ee_code = 4;
	ee.ee_info = 1400;
	CHECK(!icmp4_reflect(&gw, f, &ee, router, data, 4));
	ee.ee_origin = SO_EE_ORIGIN_LOCAL;
	ee.ee_errno = EMSGSIZE;
	ee.ee_type = ee.ee_code = 0;
	CHECK(!icmp4_reflect(&gw, f, &ee, 0, data, 4));
	ee.ee_origin = SO_EE_ORIGIN_ICMP;
	ee.ee_type = 3;
	ee.ee_code = 16;
	CHECK(!icmp4_reflect(&gw, f, &ee, router, data, 4));
	ee.ee_type = 5;		/* redirect */
	ee.ee_code = 0;
	CHECK(!icmp4_reflect(&gw, f, &ee, router, data, 4));
	gw_flush(&gw);
	CHECK(n_sent == 0 && gw.stats.icmp_errors_sent == 0);
	CHECK(gw.stats.host_errors_dropped == 4);

	/*
	 * Ping: the queue holds our echo request with the host's
	 * identifier.  The quote has the sandbox's, and the checksum the
	 * sandbox computed.
	 */
	n_sent = 0;
	f = fake_flow(FLOW_PING, IPPROTO_ICMP, peer, 0x1234, 0);
	echo[0] = 8;
	echo[1] = 0;
	wr16(echo + 4, 0x1234);
	wr16(echo + 6, 77);
	for (i = 8; i < sizeof(echo); i++)
		echo[i] = (uint8_t)(0xa0 + i);
	wr16(echo + 2, 0);
	want_sum = csum_fold(csum_add(0, echo, sizeof(echo)));
	wr16(echo + 4, 0xd305);		/* what the host's socket sent */
	wr16(echo + 2, 0);
	wr16(echo + 2, csum_fold(csum_add(0, echo, sizeof(echo))));
	ee.ee_type = 3;
	ee.ee_code = 1;
	CHECK(icmp4_reflect(&gw, f, &ee, router, echo, sizeof(echo)));
	CHECK(!icmp4_reflect(&gw, f, &ee, router, echo, 7));	/* no header */
	gw_flush(&gw);
	CHECK(n_sent == 1 && gw.stats.icmp_host_errors == 1);
	CHECK(gw.stats.host_errors_dropped == 5);
	if (n_sent == 1) {
		q = check_error(0, router, 3, 1, peer, IPPROTO_ICMP, sizeof(echo), &q_len);
		CHECK(q_len == sizeof(echo));
		CHECK(q[0] == 8 && q[1] == 0);
		CHECK(rd16(q + 4) == 0x1234 && rd16(q + 6) == 77);
		CHECK(rd16(q + 2) == want_sum);
		CHECK(csum_fold(csum_add(0, q, q_len)) == 0);
		CHECK(!memcmp(q + 8, echo + 8, sizeof(echo) - 8));
	}
}

/*
 * A new flow the host has no route for: unreachable, from the gateway,
 * quoting the sandbox's packet exactly.
 */
static void test_no_route(void)
{
	uint8_t f[2048];
	struct ip4_pkt p = { .src = SB, .dst = A(203, 0, 113, 1), .proto = IPPROTO_UDP };
	const uint8_t *q;
	size_t len, q_len;

	reset(16, 0);
	len = build_udp(f, SB, 40000, p.dst, 9999, "lost", 4);
	p.l4 = f + OFF_L4;
	p.l4_len = len - OFF_L4;
	CHECK(icmp4_no_route(&gw, &p, ENETUNREACH));
	CHECK(icmp4_no_route(&gw, &p, EHOSTUNREACH));
	CHECK(icmp4_no_route(&gw, &p, EACCES));
	CHECK(!icmp4_no_route(&gw, &p, EINVAL));
	CHECK(!icmp4_no_route(&gw, &p, EMFILE));
	gw_flush(&gw);
	CHECK(n_sent == 3 && gw.stats.flows_no_route == 3);
	if (n_sent == 3) {
		q = check_error(0, GW, 3, 0, p.dst, IPPROTO_UDP, 12, &q_len);
		CHECK(q_len == 12 && !memcmp(q, f + OFF_L4, 12));
		check_error(1, GW, 3, 1, p.dst, IPPROTO_UDP, 12, &q_len);
		check_error(2, GW, 3, 13, p.dst, IPPROTO_UDP, 12, &q_len);
	}
}

/* A device that takes nothing: replies are counted as dropped. */
/* Fragment [off, off + len) of the UDP datagram l4 (id, MF if more). */
static void input_frag(const uint8_t *l4, uint16_t id, size_t off, size_t len, bool more)
{
	static uint8_t f[OFF_L4 + 4096];
	size_t flen = build_ip4(f, IPPROTO_UDP, SB, GW, l4 + off, len);

	wr16(f + OFF_IP4 + 4, id);
	wr16(f + OFF_IP4 + 6, (uint16_t)((more ? 0x2000 : 0) | off / 8));
	fix_ip_csum(f);
	input(f, flen);
}

/*
 * Fragments, in any order, make one datagram for the host socket; overlaps
 * drop it; incomplete ones expire or make room; the table stays bounded.
 */
static void test_frag(void)
{
	static uint8_t l4[UDP_HDR_LEN + 3000], buf[4096], whole[4096];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	uint16_t port, i;
	size_t off;
	uint32_t sum;
	uint64_t was;
	ssize_t n;
	int srv;

	reset(4, 0);
	srv = recv_timeout(loopback_socket(SOCK_DGRAM, &port));
	wr16(l4, 40100);
	wr16(l4 + 2, port);
	wr16(l4 + 4, sizeof(l4));
	wr16(l4 + 6, 0);
	for (i = 0; i < 3000; i++)
		l4[UDP_HDR_LEN + i] = (uint8_t)(i * 13 + 1);
	sum = csum_ip4_pseudo(SB, GW, IPPROTO_UDP, sizeof(l4));
	sum = csum_fold(csum_add(sum, l4, sizeof(l4)));
	wr16(l4 + 6, sum ? sum : 0xffff);

	/* Last, first, middle. */
	input_frag(l4, 1, 2960, sizeof(l4) - 2960, false);
	input_frag(l4, 1, 0, 1480, true);
	CHECK(gw.stats.udp_to_host == 0);
	input_frag(l4, 1, 1480, 1480, true);
	CHECK(gw.stats.ip4_fragment == 3 && gw.stats.ip4_reassembled == 1);
	CHECK(gw.stats.udp_to_host == 1);
	n = recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	CHECK(n == 3000 && !memcmp(buf, l4 + UDP_HDR_LEN, 3000));

	/* The 3000-byte answer reaches a sandbox at MTU 1500 in fragments. */
	gw.cfg.mtu = 1500;
	n_sent = 0;
	if (n == 3000) {
		sendto(srv, buf, 3000, 0, (struct sockaddr *)&from, fl);
		poll_events(2000);
	}
	CHECK(n_sent == 3 && gw.stats.tx_fragmented == 1);
	for (i = 0, off = 0; i < n_sent && n_sent == 3; i++) {
		const uint8_t *ip = sent[i] + OFF_IP4;
		uint16_t fr = rd16(ip + 6);

		CHECK(sent_len[i] - OFF_IP4 <= 1500 && rd16(ip + 2) == sent_len[i] - OFF_IP4);
		CHECK(csum_fold(csum_add(0, ip, IP4_HDR_LEN)) == 0);
		CHECK((size_t)(fr & 0x1fff) * 8 == off && !!(fr & 0x2000) == (i < 2));
		CHECK(rd16(ip + 4) == rd16(sent[0] + OFF_IP4 + 4));
		memcpy(whole + off, ip + IP4_HDR_LEN, sent_len[i] - OFF_L4);
		off += sent_len[i] - OFF_L4;
	}
	CHECK(off == UDP_HDR_LEN + 3000 && !memcmp(whole + UDP_HDR_LEN, buf, 3000));
	CHECK(csum_fold(csum_add(csum_ip4_pseudo(GW, SB, IPPROTO_UDP, (uint16_t)off),
				 whole, off)) == 0);
	gw.cfg.mtu = 65520;

	/* A corrupted payload is caught by the UDP checksum, in software. */
	l4[100] ^= 1;
	input_frag(l4, 2, 0, 1480, true);
	input_frag(l4, 2, 1480, sizeof(l4) - 1480, false);
	l4[100] ^= 1;
	CHECK(gw.stats.ip4_reassembled == 2 && gw.stats.udp_bad == 1);

	/* Overlap: the datagram is dropped, even once the rest comes. */
	input_frag(l4, 3, 0, 1480, true);
	input_frag(l4, 3, 1472, 1480, true);
	CHECK(gw.stats.ip4_frag_bad == 1);
	input_frag(l4, 3, 2952, sizeof(l4) - 2952, false);
	CHECK(gw.stats.ip4_reassembled == 2);
	/* Not a multiple of 8 before the last, or past 64 KiB. */
	input_frag(l4, 4, 0, 1001, true);
	input_frag(l4, 4, 65528, 100, false);
	CHECK(gw.stats.ip4_frag_bad == 3);

	/* Nine datagrams started: the oldest makes room; all expire. */
	for (i = 10; i < 19; i++)
		input_frag(l4, i, 0, 1480, true);
	CHECK(gw.stats.ip4_frag_evicted >= 1);
	frag_expire(&gw, gw_now() + 10);
	CHECK(gw.stats.ip4_frag_timeout >= 7);
	input_frag(l4, 10, 1480, sizeof(l4) - 1480, false);
	CHECK(gw.stats.ip4_reassembled == 2);

	/* The fake clock (gw_fake_now_ms) is what the timeout reads. */
	gw_fake_now_ms = 5000000;
	frag_expire(&gw, gw_now());
	was = gw.stats.ip4_frag_timeout;
	input_frag(l4, 20, 0, 1480, true);
	gw_fake_now_ms += 4999;
	frag_expire(&gw, gw_now());
	CHECK(gw.stats.ip4_frag_timeout == was);
	gw_fake_now_ms += 1;
	frag_expire(&gw, gw_now());
	CHECK(gw.stats.ip4_frag_timeout == was + 1);
	gw_fake_now_ms = 0;
	close(srv);
}

static void udp_payload(uint8_t *p, unsigned int seq, size_t len)
{
	size_t j;

	for (j = 0; j < len; j++)
		p[j] = (uint8_t)(seq * 31 + j);
}

/* The next datagram on srv is number seq of len bytes, intact. */
static void check_udp_payload(int srv, unsigned int seq, size_t len)
{
	uint8_t want[4096], buf[4096];
	ssize_t n = recv(srv, buf, sizeof(buf), 0);

	udp_payload(want, seq, len);
	CHECK(n == (ssize_t)len && !memcmp(buf, want, len));
}

/*
 * The sandbox's datagrams in one batch of frames reach the host in one
 * sendmmsg() per run of a flow, in order and intact.  A reassembled one,
 * whose buffer does not outlive the call, goes at once but after those
 * of its flow queued before it.
 */
static void test_udp_batch(void)
{
	static uint8_t frames[8][OFF_L4 + 2048], l4[UDP_HDR_LEN + 3000];
	const uint8_t *fp[8];
	uint8_t payload[2048];
	size_t lens[8], len;
	uint16_t port_a, port_b;
	unsigned int i;
	uint32_t sum;
	int srv_a, srv_b;

	reset(4, 0);
	srv_a = recv_timeout(loopback_socket(SOCK_DGRAM, &port_a));
	srv_b = recv_timeout(loopback_socket(SOCK_DGRAM, &port_b));

	/* Five to a, one to b, one more to a: three system calls. */
	for (i = 0; i < 7; i++) {
		len = 1000 + i * 50;
		udp_payload(payload, i, len);
		lens[i] = build_udp(frames[i], SB, 40200, GW, i == 5 ? port_b : port_a,
				    payload, len);
	}
	for (i = 0; i < 8; i++)
		fp[i] = frames[i];
	input_batch(fp, lens, 7);
	CHECK(gw.stats.udp_to_host == 7 && gw.stats.udp_host_sends == 3);
	CHECK(gw.stats.udp_bytes_to_host == 7 * 1000 + 21 * 50);
	for (i = 0; i < 7; i++)
		check_udp_payload(i == 5 ? srv_b : srv_a, i, 1000 + i * 50);

	/* One queued to a, then a 3000-byte one to a in two fragments. */
	udp_payload(payload, 7, 500);
	lens[0] = build_udp(frames[0], SB, 40200, GW, port_a, payload, 500);
	wr16(l4, 40200);
	wr16(l4 + 2, port_a);
	wr16(l4 + 4, sizeof(l4));
	wr16(l4 + 6, 0);
	udp_payload(l4 + UDP_HDR_LEN, 8, 3000);
	sum = csum_ip4_pseudo(SB, GW, IPPROTO_UDP, sizeof(l4));
	sum = csum_fold(csum_add(sum, l4, sizeof(l4)));
	wr16(l4 + 6, sum ? sum : 0xffff);
	for (i = 1; i < 3; i++) {
		size_t off = i == 1 ? 0 : 1480;

		lens[i] = build_ip4(frames[i], IPPROTO_UDP, SB, GW, l4 + off,
				    i == 1 ? 1480 : sizeof(l4) - 1480);
		wr16(frames[i] + OFF_IP4 + 4, 77);
		wr16(frames[i] + OFF_IP4 + 6, (uint16_t)((i == 1 ? 0x2000 : 0) | off / 8));
		fix_ip_csum(frames[i]);
	}
	input_batch(fp, lens, 3);
	CHECK(gw.stats.ip4_reassembled == 1);
	CHECK(gw.stats.udp_to_host == 9 && gw.stats.udp_host_sends == 5);
	check_udp_payload(srv_a, 7, 500);
	check_udp_payload(srv_a, 8, 3000);
	CHECK(gw.stats.udp_send_err == 0);
	close(srv_a);
	close(srv_b);
}

static void test_tx_full(void)
{
	uint8_t f[256];
	size_t len;

	reset(16, 0);
	send_room = 0;
	len = build_echo(f, GW, 1, 8);
	input(f, len);
	CHECK(gw.stats.tx_drop_full == 1 && gw.stats.tx_frames == 0);
}

int main(void)
{
	test_arp();
	test_icmp_gw();
	test_ip4_malformed();
	test_dhcp();
	test_udp();
	test_frag();
	test_udp_batch();
	test_dns();
	test_parse_uint();
	test_host_errors();
	test_no_route();
	test_tx_full();
	return tests_done("ringnetd-test-proto");
}
