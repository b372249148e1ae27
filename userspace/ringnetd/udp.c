// SPDX-License-Identifier: GPL-2.0
/*
 * UDP: the sandbox's datagrams relayed onto host sockets, one connected
 * socket per flow (see flow.h), and what comes back on that socket sent
 * to the sandbox from the address and port it wrote to.
 *
 * Which host address a flow talks to:
 *   - the DNS address, port 53: the current upstream resolver (dns.c);
 *   - the --map-host-loopback address: host loopback, so services
 *     on the host's 127.0.0.1 are reachable from the sandbox as 10.0.2.2;
 *   - anything else relayable (ip4_is_relayable()): itself.
 *
 * Host sockets have IP_RECVERR: ICMP errors about our datagrams land on
 * the socket's error queue, with the offender's type and code, and become
 * the same ICMP error toward the sandbox.  Without it a connected UDP
 * socket would only report ECONNREFUSED on its next send().
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>

#include "gw.h"
#include "flow.h"

#define DHCP_SERVER_PORT 67
#define DNS_PORT 53

static bool udp_csum_ok(const struct ip4_pkt *p, size_t len)
{
	uint32_t sum;

	/* Zero: the sender did not compute one (allowed over IPv4). */
	if (rd16(p->l4 + 6) == 0 ||
	    (p->vnet_flags & (VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_NEEDS_CSUM)))
		return true;
	sum = csum_ip4_pseudo(p->src, p->dst, IPPROTO_UDP, (uint16_t)len);
	return csum_fold(csum_add(sum, p->l4, len)) == 0;
}

static int udp_socket(const struct sockaddr_in *to)
{
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)) < 0 ||
	    connect(fd, (const struct sockaddr *)to, sizeof(*to)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Where a new flow goes on the host side; false if nowhere. */
static bool udp_target(struct gw *gw, const struct ip4_pkt *p, uint16_t dport,
		       struct sockaddr_in *to, enum flow_kind *kind)
{
	*to = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(dport),
				    .sin_addr.s_addr = p->dst };
	*kind = FLOW_UDP;
	if (p->dst == gw->cfg.dns && dport == DNS_PORT) {
		*kind = FLOW_DNS;
		if (!dns_upstream(gw, to)) {
			gw->stats.dns_no_upstream++;
			return false;
		}
		return true;
	}
	if (gw->cfg.map_loopback && p->dst == gw->cfg.map_loopback) {
		to->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return true;
	}
	if (p->dst == gw->cfg.gw || p->dst == gw->cfg.dns) {
		/* Ours, but nothing listens there. */
		gw->stats.udp_closed_port++;
		icmp4_send_error(gw, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, p->src,
				 p->dst, IPPROTO_UDP, rd16(p->l4), dport,
				 p->l4 + UDP_HDR_LEN, p->l4_len - UDP_HDR_LEN);
		return false;
	}
	if (!ip4_is_relayable(gw, p->dst) || p->src == 0) {
		gw->stats.ip4_bad_dst++;
		return false;
	}
	return true;
}

void udp4_input(struct gw *gw, const struct ip4_pkt *p)
{
	struct flow_key k;
	struct sockaddr_in to;
	enum flow_kind kind;
	uint16_t sport, dport;
	size_t len;
	uint32_t idx;
	struct flow *f;
	int fd;

	if (p->l4_len < UDP_HDR_LEN) {
		gw->stats.udp_bad++;
		return;
	}
	len = rd16(p->l4 + 4);
	if (len < UDP_HDR_LEN || len > p->l4_len || !udp_csum_ok(p, len)) {
		gw->stats.udp_bad++;
		return;
	}
	sport = rd16(p->l4);
	dport = rd16(p->l4 + 2);

	if (dport == DHCP_SERVER_PORT &&
	    (p->dst == htonl(INADDR_BROADCAST) || p->dst == gw->cfg.gw)) {
		dhcp_input(gw, p, p->l4 + UDP_HDR_LEN, len - UDP_HDR_LEN);
		return;
	}
	if (p->src == 0) {
		gw->stats.ip4_bad_src++;
		return;
	}

	k = (struct flow_key){ .proto = IPPROTO_UDP, .sb_addr = p->src,
			       .peer_addr = p->dst, .sb_port = sport,
			       .peer_port = dport };
	idx = flow_lookup(gw, &k);
	if (idx == FLOW_NONE) {
		if (!udp_target(gw, p, dport, &to, &kind))
			return;
		idx = flow_alloc(gw, kind, &k);
		if (idx == FLOW_NONE)
			return;
		fd = udp_socket(&to);
		if (fd < 0 || flow_set_fd(gw, idx, fd) < 0) {
			gw->stats.flows_socket_err++;
			if (fd >= 0)
				close(fd);
			flow_close(gw, idx);
			return;
		}
		if (gw_log_level >= LOG_DEBUG_) {
			char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

			gw_log(LOG_DEBUG_, "udp flow %s:%u -> %s:%u", ip4_str(p->src, a),
			       sport, ip4_str(to.sin_addr.s_addr, b), ntohs(to.sin_port));
		}
	}
	f = flow_get(gw, idx);
	f->last = gw_now();
	if (f->kind == FLOW_DNS)
		gw->stats.dns_queries++;
	if (send(f->fd, p->l4 + UDP_HDR_LEN, len - UDP_HDR_LEN, 0) < 0) {
		/* ECONNREFUSED here repeats an error already reflected. */
		gw->stats.udp_send_err++;
		return;
	}
	gw->stats.udp_to_host++;
}

/* Reflect ICMP errors queued on a flow's socket. */
static void udp_errqueue(struct gw *gw, struct flow *f)
{
	uint8_t data[576];
	char cbuf[CMSG_SPACE(sizeof(struct sock_extended_err) +
			     sizeof(struct sockaddr_in))];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr mh;
	struct cmsghdr *c;
	struct sock_extended_err ee;
	ssize_t n;

	for (;;) {
		mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = cbuf,
				      .msg_controllen = sizeof(cbuf) };
		n = recvmsg(f->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			return;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR)
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if (ee.ee_origin != SO_EE_ORIGIN_ICMP)
				continue;
			if (f->kind == FLOW_DNS)
				dns_upstream_failed(gw);
			icmp4_send_error(gw, ee.ee_type, ee.ee_code, f->key.sb_addr,
					 f->key.peer_addr, IPPROTO_UDP, f->key.sb_port,
					 f->key.peer_port, data, (size_t)n);
		}
	}
}

void udp4_sock_event(struct gw *gw, unsigned int idx, uint32_t events)
{
	struct flow *f = flow_get(gw, idx);
	size_t room = gw->cfg.mtu - IP4_HDR_LEN - UDP_HDR_LEN;
	uint8_t *l4;
	uint32_t sum;
	ssize_t n;
	int i;

	if (!f)
		return;
	if (events & EPOLLERR)
		udp_errqueue(gw, f);
	for (i = 0; i < 32; i++) {
		l4 = ip4_out_begin(gw);
		n = recv(f->fd, l4 + UDP_HDR_LEN, room, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* A pending error: read it off the queue. */
			udp_errqueue(gw, f);
			continue;
		}
		if ((size_t)n > room) {
			gw->stats.tx_drop_too_big++;
			continue;
		}
		f->last = gw_now();
		wr16(l4, f->key.peer_port);
		wr16(l4 + 2, f->key.sb_port);
		wr16(l4 + 4, (uint16_t)(UDP_HDR_LEN + n));
		wr16(l4 + 6, 0);
		sum = csum_ip4_pseudo(f->key.peer_addr, f->key.sb_addr, IPPROTO_UDP,
				      (uint16_t)(UDP_HDR_LEN + n));
		sum = csum_fold(csum_add(sum, l4, UDP_HDR_LEN + (size_t)n));
		wr16(l4 + 6, sum ? sum : 0xffff);
		ip4_out_finish(gw, f->key.peer_addr, f->key.sb_addr, IPPROTO_UDP,
			       UDP_HDR_LEN + (size_t)n, eth_sb_mac(gw));
		gw->stats.udp_from_host++;
	}
}
