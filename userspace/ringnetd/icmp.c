// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP: echo for the gateway and DNS addresses answered here, echo to
 * anything else relayed through the host's ping sockets, and errors sent
 * to the sandbox on behalf of host sockets.
 *
 * Ping sockets (SOCK_DGRAM, IPPROTO_ICMP) need no privilege, only a group
 * inside net.ipv4.ping_group_range.  The kernel owns the echo identifier
 * of such a socket, so replies come back with the host's identifier and
 * are rewritten to the sandbox's.  When the range forbids us, we say so
 * once and keep answering for the gateway: the sandbox sees timeouts for
 * other hosts, which is what a firewall dropping ping would look like.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>

#include "gw.h"
#include "flow.h"

static bool icmp_csum_ok(const struct ip4_pkt *p)
{
	if (p->vnet_flags & (VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return true;
	return csum_fold(csum_add(0, p->l4, p->l4_len)) == 0;
}

/* Send an ICMP message of l4_len bytes already at l4, checksumming it. */
static void icmp_finish(struct gw *gw, uint8_t *l4, size_t l4_len,
			uint32_t src, uint32_t dst)
{
	wr16(l4 + 2, 0);
	wr16(l4 + 2, csum_fold(csum_add(0, l4, l4_len)));
	ip4_out_finish(gw, src, dst, IPPROTO_ICMP, l4_len, eth_sb_mac(gw));
}

static void echo_reply_local(struct gw *gw, const struct ip4_pkt *p)
{
	uint8_t *l4;

	if (!ip4_fits(gw, p->l4_len))
		return;
	l4 = ip4_out_begin(gw);
	memcpy(l4, p->l4, p->l4_len);
	l4[0] = ICMP_ECHOREPLY;
	l4[1] = 0;
	icmp_finish(gw, l4, p->l4_len, p->dst, p->src);
	gw->stats.icmp_echo_local++;
}

static int ping_socket(struct gw *gw, uint32_t dst)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = dst };
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0) {
		if ((errno == EACCES || errno == EPERM) && !gw->ping_forbidden) {
			gw->ping_forbidden = true;
			gw_log(LOG_WARN_, "ping sockets not allowed (net.ipv4.ping_group_range): "
			       "echo requests to hosts other than the gateway are dropped");
		}
		return -1;
	}
	/* Errors (host unreachable, ...) are read off the error queue and
	 * dropped rather than left to make every send() fail. */
	setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void echo_relay(struct gw *gw, const struct ip4_pkt *p)
{
	struct flow_key k = {
		.proto = IPPROTO_ICMP, .sb_addr = p->src, .peer_addr = p->dst,
		.sb_port = rd16(p->l4 + 4), .peer_port = 0,
	};
	uint32_t idx;
	struct flow *f;
	int fd;

	if (!ip4_is_relayable(gw, p->dst)) {
		gw->stats.ip4_bad_dst++;
		return;
	}
	idx = flow_lookup(gw, &k);
	if (idx == FLOW_NONE) {
		if (gw->ping_forbidden) {
			gw->stats.icmp_no_ping_socket++;
			return;
		}
		idx = flow_alloc(gw, FLOW_PING, &k);
		if (idx == FLOW_NONE)
			return;
		fd = ping_socket(gw, p->dst);
		if (fd < 0 || flow_set_fd(gw, idx, fd) < 0) {
			if (fd < 0 && gw->ping_forbidden)
				gw->stats.icmp_no_ping_socket++;
			else
				gw->stats.flows_socket_err++;
			if (fd >= 0)
				close(fd);
			flow_close(gw, idx);
			return;
		}
	}
	f = flow_get(gw, idx);
	f->last = gw_now();
	/* The kernel sets the identifier and the checksum. */
	if (send(f->fd, p->l4, p->l4_len, 0) < 0) {
		gw->stats.udp_send_err++;
		return;
	}
	gw->stats.icmp_echo_relayed++;
}

void icmp4_input(struct gw *gw, const struct ip4_pkt *p)
{
	if (p->l4_len < ICMP_HDR_LEN || !icmp_csum_ok(p)) {
		gw->stats.icmp_bad++;
		return;
	}
	if (p->l4[0] != ICMP_ECHO || p->l4[1] != 0) {
		gw->stats.icmp_ignored++;
		return;
	}
	if (gw_is_local(gw, p->dst))
		echo_reply_local(gw, p);
	else
		echo_relay(gw, p);
}

/* A reply on a ping socket: give it the sandbox's identifier back. */
void icmp4_sock_event(struct gw *gw, unsigned int idx, uint32_t events)
{
	struct flow *f = flow_get(gw, idx);
	uint8_t *l4;
	ssize_t n;
	int i;

	if (!f)
		return;
	if (events & EPOLLERR) {
		char c[512];

		while (recv(f->fd, c, sizeof(c), MSG_ERRQUEUE | MSG_DONTWAIT) >= 0)
			;
	}
	for (i = 0; i < 32; i++) {
		l4 = ip4_out_begin(gw);
		n = recv(f->fd, l4, gw->cfg.mtu - IP4_HDR_LEN, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			break;
		if ((size_t)n < ICMP_HDR_LEN || !ip4_fits(gw, (size_t)n) ||
		    l4[0] != ICMP_ECHOREPLY) {
			gw->stats.icmp_ignored++;
			continue;
		}
		wr16(l4 + 4, f->key.sb_port);
		f->last = gw_now();
		icmp_finish(gw, l4, (size_t)n, f->key.peer_addr, f->key.sb_addr);
		gw->stats.icmp_echo_replies++;
	}
}

/*
 * An ICMP error about a datagram the sandbox sent: the quoted packet is
 * rebuilt from the flow, as the sandbox sent it, so its stack finds the
 * socket (a connected UDP socket then fails with ECONNREFUSED and the
 * like).  It comes from the address the sandbox talked to, as it would
 * from a host that answered for itself.
 */
void icmp4_send_error(struct gw *gw, uint8_t type, uint8_t code,
		      uint32_t sb_addr, uint32_t peer_addr, uint8_t proto,
		      uint16_t sb_port, uint16_t peer_port,
		      const uint8_t *payload, size_t payload_len)
{
	uint8_t *l4 = ip4_out_begin(gw), *ip, *udp;
	/* RFC 1812: as much of the original as fits in 576 bytes. */
	const size_t quote_max = 576 - IP4_HDR_LEN - ICMP_HDR_LEN - IP4_HDR_LEN - UDP_HDR_LEN;
	size_t quote = payload_len < quote_max ? payload_len : quote_max;

	l4[0] = type;
	l4[1] = code;
	memset(l4 + 2, 0, 6);
	ip = l4 + ICMP_HDR_LEN;
	ip[0] = 0x45;
	ip[1] = 0;
	wr16(ip + 2, (uint16_t)(IP4_HDR_LEN + UDP_HDR_LEN + payload_len));
	wr16(ip + 4, 0);
	wr16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = proto;
	wr16(ip + 10, 0);
	wraddr(ip + 12, sb_addr);
	wraddr(ip + 16, peer_addr);
	wr16(ip + 10, csum_fold(csum_add(0, ip, IP4_HDR_LEN)));
	udp = ip + IP4_HDR_LEN;
	wr16(udp, sb_port);
	wr16(udp + 2, peer_port);
	wr16(udp + 4, (uint16_t)(UDP_HDR_LEN + payload_len));
	wr16(udp + 6, 0);
	if (quote)
		memcpy(udp + UDP_HDR_LEN, payload, quote);
	icmp_finish(gw, l4, ICMP_HDR_LEN + IP4_HDR_LEN + UDP_HDR_LEN + quote,
		    peer_addr, sb_addr);
	gw->stats.icmp_errors_sent++;
}
