// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: one input is a sequence of records fed to a fresh
 * gateway on the unit tests' fake frame source (tests/fake.c), with real
 * host sockets on 127.0.0.1 and a fake clock.
 *
 * The first byte picks the source's offloads (low bits) and whether it
 * lends its buffers (bit 7).  Then records, each
 *
 *	u8 op, u16 len (big endian), len bytes of payload
 *
 * (a payload cut short by the end of the input is taken as it is):
 *
 *	0 FRAME		the payload is one frame (vnet header + Ethernet),
 *			fed as it is
 *	1 FIX		the same, but the harness first makes it plausible:
 *			IPv4 header checksum, and for an unfragmented
 *			TCP/UDP/ICMP packet its checksum; TCP to 10.0.2.2:80
 *			and UDP to 10.0.2.2:7 go to the harness's listeners;
 *			a TCP ACK number counts from the gateway's last SYN-ACK
 *	2 CLOCK		advance the clock by the u16 (ms) in the payload
 *	3 TIMERS	tcp_timer(), flow_expire(), frag_expire()
 *	4 PUMP		the event loop's socket part, without waiting
 *	5 HOST		the host peer; payload[0] says what it does:
 *			0 accept, 1 write the rest to the last accepted,
 *			2 read all accepted, 3 close the last accepted,
 *			4 reset it, 5 the DNS upstream answers the rest
 *			(or echoes the query), 6 the UDP peer echoes
 *
 * Each input starts from gw_fini()/gw_init() with every host socket of
 * the previous one closed, so inputs are independent and no fd leaks.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

#include "../tests/fake.h"

enum { OP_FRAME, OP_FIX, OP_CLOCK, OP_TIMERS, OP_PUMP, OP_HOST, OP_MAX };

#define MAX_ACCEPTED 16

static int tcp_lfd, udp_fd, dns_fd;
static uint16_t tcp_port, udp_port, dns_port;
static int accepted[MAX_ACCEPTED];
static unsigned int n_accepted;
static uint32_t last_iss;	/* the gateway's ISN in its last SYN-ACK */
static uint8_t frame[FRAME_BUF_SIZE];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	gw_log_level = -1;
	tcp_lfd = loopback_socket(SOCK_STREAM, &tcp_port);
	udp_fd = loopback_socket(SOCK_DGRAM, &udp_port);
	dns_fd = loopback_socket(SOCK_DGRAM, &dns_port);
	/* accept() in host_reset() must not wait */
	fcntl(tcp_lfd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* What the previous input left on the host side goes. */
static void host_reset(void)
{
	uint8_t buf[2048];
	int fd;

	while (n_accepted)
		close(accepted[--n_accepted]);
	while ((fd = accept4(tcp_lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(fd);
	while (recv(udp_fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
	while (recv(dns_fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}

static void fix_l4_csum(uint8_t *ip, size_t l4_len, uint8_t proto, size_t sum_off)
{
	uint8_t *l4 = ip + (ip[0] & 0xf) * 4;
	uint32_t sum = 0;

	if (l4_len < sum_off + 2)
		return;
	wr16(l4 + sum_off, 0);
	if (proto != IPPROTO_ICMP)
		sum = csum_ip4_pseudo(rdaddr(ip + 12), rdaddr(ip + 16), proto,
				      (uint16_t)l4_len);
	wr16(l4 + sum_off, csum_fold(csum_add(sum, l4, l4_len)));
}

/* OP_FIX: checksums right, ports to the harness's sockets. */
static void fix_frame(uint8_t *f, size_t len)
{
	uint8_t *ip = f + OFF_IP4, *l4;
	size_t hl, tot;

	if (len < OFF_L4 || rd16(f + OFF_ETH + 12) != ETH_P_IP)
		return;
	hl = (size_t)(ip[0] & 0xf) * 4;
	tot = rd16(ip + 2);
	if (hl < IP4_HDR_LEN || tot < hl || OFF_IP4 + tot > len)
		return;
	wr16(ip + 10, 0);
	wr16(ip + 10, csum_fold(csum_add(0, ip, hl)));
	if (rd16(ip + 6) & 0x3fff)	/* a fragment */
		return;
	l4 = ip + hl;
	if (ip[9] == IPPROTO_TCP && tot - hl >= 20) {
		if (rdaddr(ip + 16) == GW && rd16(l4 + 2) == 80)
			wr16(l4 + 2, tcp_port);
		if (l4[13] & 0x10)
			wr32(l4 + 8, rd32(l4 + 8) + last_iss);
		fix_l4_csum(ip, tot - hl, IPPROTO_TCP, 16);
	} else if (ip[9] == IPPROTO_UDP && tot - hl >= 8) {
		if (rdaddr(ip + 16) == GW && rd16(l4 + 2) == 7)
			wr16(l4 + 2, udp_port);
		fix_l4_csum(ip, tot - hl, IPPROTO_UDP, 6);
	} else if (ip[9] == IPPROTO_ICMP) {
		fix_l4_csum(ip, tot - hl, IPPROTO_ICMP, 2);
	}
}

/* The harness's peer on the UDP socket fd answers one datagram. */
static void udp_answer(int fd, const uint8_t *p, size_t len)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	uint8_t buf[2048];
	ssize_t n;

	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	if (n < 0)
		return;
	if (len)
		sendto(fd, p, len, MSG_DONTWAIT, (struct sockaddr *)&from, fl);
	else
		sendto(fd, buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&from, fl);
}

static void host_op(const uint8_t *p, size_t len)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	uint8_t buf[65536];
	unsigned int i;
	int fd;

	if (!len)
		return;
	switch (p[0] % 7) {
	case 0:
		while (n_accepted < MAX_ACCEPTED &&
		       (fd = accept4(tcp_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
			accepted[n_accepted++] = fd;
		break;
	case 1:
		if (n_accepted)
			(void)!send(accepted[n_accepted - 1], p + 1, len - 1,
				    MSG_DONTWAIT | MSG_NOSIGNAL);
		break;
	case 2:
		for (i = 0; i < n_accepted; i++)
			while (recv(accepted[i], buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
		break;
	case 4:
		if (n_accepted)
			setsockopt(accepted[n_accepted - 1], SOL_SOCKET, SO_LINGER,
				   &lg, sizeof(lg));
		/* fall through */
	case 3:
		if (n_accepted)
			close(accepted[--n_accepted]);
		break;
	case 5:
		udp_answer(dns_fd, p + 1, len - 1);
		break;
	case 6:
		udp_answer(udp_fd, p + 1, len - 1);
		break;
	}
}

/* The gateway's ISN, from a SYN-ACK it sent; then the fake's log is
 * emptied so it never fills. */
static void scan_sent(void)
{
	unsigned int i;

	for (i = 0; i < n_sent; i++) {
		const uint8_t *ip = sent[i] + OFF_IP4;

		if (sent_len[i] >= OFF_L4 + 20 && ip[9] == IPPROTO_TCP &&
		    (ip[IP4_HDR_LEN + 13] & 0x12) == 0x12)
			last_iss = rd32(ip + IP4_HDR_LEN + 4) + 1;
	}
	n_sent = 0;
	gw_out_lend(&gw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;

	if (!size)
		return 0;
	gw_fake_now_ms = 1000000;
	fake_lends = data[0] & 0x80;
	reset(64, data[0] & (FRAME_OFF_CSUM | FRAME_OFF_TSO4 | FRAME_OFF_TSO6));
	gw.cfg.dns_upstream[0] = (struct sockaddr_in){
		.sin_family = AF_INET, .sin_port = htons(dns_port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	gw.cfg.n_dns_upstream = 1;
	host_reset();
	last_iss = 0;
	data++;
	while (end - data >= 3) {
		uint8_t op = data[0] % OP_MAX;
		size_t len = rd16(data + 1);

		data += 3;
		if (len > (size_t)(end - data))
			len = (size_t)(end - data);
		switch (op) {
		case OP_FRAME:
			input(data, len);
			break;
		case OP_FIX:
			if (len > sizeof(frame))
				break;
			memcpy(frame, data, len);
			fix_frame(frame, len);
			input(frame, len);
			break;
		case OP_CLOCK:
			gw_fake_now_ms += len >= 2 ? rd16(data) : 1000;
			break;
		case OP_TIMERS:
			tcp_timer(&gw);
			flow_expire(&gw, gw_now());
			frag_expire(&gw, gw_now());
			break;
		case OP_PUMP:
			poll_events(0);
			break;
		case OP_HOST:
			host_op(data, len);
			break;
		}
		scan_sent();
		data += len;
	}
	return 0;
}
