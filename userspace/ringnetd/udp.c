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
 *
 * Datagrams to a published UDP port (port.c) go the other way: each
 * client is a FLOW_UDP_IN flow, the sandbox sees the client's address and
 * port, and its replies go back out of the published socket.
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

/* A connected socket with IP_RECVERR, or -errno. */
static int udp_socket(const struct sockaddr_in *to)
{
	int one = 1, fd, err;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)) < 0 ||
	    connect(fd, (const struct sockaddr *)to, sizeof(*to)) < 0) {
		err = errno;
		close(fd);
		return -err;
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

/*
 * Inbound flows answer through the published socket with sendto() rather
 * than through a connected socket per flow: that socket would have to be
 * bound to the published port as well, which needs SO_REUSEADDR (or
 * SO_REUSEPORT) on both, letting other sockets bind the port too, and
 * leaves a window between its bind() and connect() in which it takes
 * other clients' datagrams.  The cost is that ICMP errors about replies
 * are not reflected to the sandbox.
 */
static ssize_t udp_in_send(struct flow *f, const void *data, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(f->key.peer_port),
				  .sin_addr.s_addr = f->client_addr };
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))] = { 0 };
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to),
			     .msg_iov = &iov, .msg_iovlen = 1 };
	struct in_pktinfo pi = { .ipi_spec_dst.s_addr = f->local_addr };
	struct cmsghdr *c;

	if (f->local_addr) {
		/* A wildcard socket: reply from where the client wrote to. */
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	return sendmsg(f->pub_fd, &mh, MSG_DONTWAIT);
}

/*
 * The sandbox's datagrams to one flow wait in gw->udp_out while a batch of
 * frames is handled and leave in one sendmmsg(): at MTU 1500 a system call
 * per datagram was most of what relaying them cost.  The iovecs point into
 * the frames, so the queue is sent before those are released
 * (gw_input_done()), before a datagram for another flow is queued (order
 * within a flow is kept), and before the flow's socket is closed.
 */
void udp_out_flush(struct gw *gw)
{
	struct udp_batch *b = &gw->udp_out;
	struct flow *f = b->n ? flow_get(gw, b->flow) : NULL;
	unsigned int i = 0;
	int sent;

	while (f && i < b->n) {
		sent = sendmmsg(f->fd, b->msg + i, b->n - i, MSG_DONTWAIT);
		gw->stats.udp_host_sends++;
		if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* The send buffer is full: so it stays for the rest. */
			gw->stats.udp_send_err += b->n - i;
			break;
		}
		if (sent < 0) {
			/* That one datagram is lost (ECONNREFUSED repeats an
			 * error already reflected); the ones after it may go. */
			gw->stats.udp_send_err++;
			i++;
			continue;
		}
		for (; sent > 0; sent--, i++) {
			gw->stats.udp_to_host++;
			gw->stats.udp_bytes_to_host += b->iov[i].iov_len;
		}
	}
	b->n = 0;
}

static void udp_out_queue(struct gw *gw, uint32_t idx, const uint8_t *data, size_t len)
{
	struct udp_batch *b = &gw->udp_out;

	if (b->n && (b->flow != idx || b->n == UDP_BATCH))
		udp_out_flush(gw);
	b->flow = idx;
	b->iov[b->n] = (struct iovec){ .iov_base = (void *)data, .iov_len = len };
	b->msg[b->n] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &b->iov[b->n],
						      .msg_iovlen = 1 } };
	b->n++;
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
	ssize_t n;
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
		if (idx == FLOW_NONE) {
			/* Table full (counted): refused, as a filter would. */
			icmp4_unreach(gw, p, ICMP_PKT_FILTERED);
			return;
		}
		fd = udp_socket(&to);
		if (fd < 0 || flow_set_fd(gw, idx, fd) < 0) {
			/* No route on the host: the sandbox hears it. */
			if (!(fd < 0 && icmp4_no_route(gw, p, -fd)))
				gw->stats.flows_socket_err++;
			else if (kind == FLOW_DNS)
				dns_upstream_failed(gw);
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
	if (f->kind != FLOW_UDP_IN && p->in_frame) {
		udp_out_queue(gw, idx, p->l4 + UDP_HDR_LEN, len - UDP_HDR_LEN);
		return;
	}
	udp_out_flush(gw);	/* a reassembled datagram after queued ones */
	if (f->kind == FLOW_UDP_IN)
		n = udp_in_send(f, p->l4 + UDP_HDR_LEN, len - UDP_HDR_LEN);
	else
		n = send(f->fd, p->l4 + UDP_HDR_LEN, len - UDP_HDR_LEN, MSG_DONTWAIT);
	gw->stats.udp_host_sends++;
	if (n < 0) {
		/* ECONNREFUSED here repeats an error already reflected. */
		gw->stats.udp_send_err++;
		return;
	}
	gw->stats.udp_to_host++;
	gw->stats.udp_bytes_to_host += len - UDP_HDR_LEN;
}

/* Reflect ICMP errors queued on a flow's socket (icmp.c). */
static void udp_errqueue(struct gw *gw, struct flow *f)
{
	if (icmp4_host_errors(gw, f) && f->kind == FLOW_DNS)
		dns_upstream_failed(gw);
}

/* A datagram of len bytes at l4 + UDP_HDR_LEN of the current output
 * buffer: headers around it, to the sandbox from the flow's peer. */
static void udp_to_sandbox(struct gw *gw, struct flow *f, uint8_t *l4, size_t len)
{
	uint32_t sum;

	f->last = gw_now();
	wr16(l4, f->key.peer_port);
	wr16(l4 + 2, f->key.sb_port);
	wr16(l4 + 4, (uint16_t)(UDP_HDR_LEN + len));
	wr16(l4 + 6, 0);
	sum = csum_ip4_pseudo(f->key.peer_addr, f->key.sb_addr, IPPROTO_UDP,
			      (uint16_t)(UDP_HDR_LEN + len));
	sum = csum_fold(csum_add(sum, l4, UDP_HDR_LEN + len));
	wr16(l4 + 6, sum ? sum : 0xffff);
	ip4_out_finish(gw, f->key.peer_addr, f->key.sb_addr, IPPROTO_UDP,
		       UDP_HDR_LEN + len, eth_sb_mac(gw));
	gw->stats.udp_from_host++;
	gw->stats.udp_bytes_from_host += len;
}

void udp4_sock_event(struct gw *gw, unsigned int idx, uint32_t events)
{
	struct flow *f = flow_get(gw, idx);
	size_t room = IP4_MAX_L4 - UDP_HDR_LEN;	/* cut to the MTU by ip4.c */
	uint8_t *l4;
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
		udp_to_sandbox(gw, f, l4, (size_t)n);
	}
}

/*
 * The first datagram of a client of a published port starts a flow keyed
 * by what the sandbox sees (port_sandbox_view()); later ones find it.
 */
void udp4_inbound(struct gw *gw, int pub_fd, const struct sockaddr_in *client,
		  uint32_t local_addr, uint16_t guest_port, uint8_t *l4, size_t len)
{
	struct flow_key k = { .proto = IPPROTO_UDP, .sb_addr = gw->cfg.addr,
			      .peer_addr = port_sandbox_view(gw, client->sin_addr.s_addr),
			      .sb_port = guest_port, .peer_port = ntohs(client->sin_port) };
	uint32_t idx = flow_lookup(gw, &k);
	struct flow *f;

	if (idx == FLOW_NONE) {
		idx = flow_alloc(gw, FLOW_UDP_IN, &k);
		if (idx == FLOW_NONE) {
			gw->stats.port_table_full++;
			return;
		}
		f = flow_get(gw, idx);
		f->pub_fd = pub_fd;
		f->client_addr = client->sin_addr.s_addr;
		f->local_addr = local_addr;
		gw->stats.udp_in_flows++;
		if (gw_log_level >= LOG_DEBUG_) {
			char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

			gw_log(LOG_DEBUG_, "udp flow in %s:%u (as %s) -> port %u",
			       ip4_str(client->sin_addr.s_addr, a), k.peer_port,
			       ip4_str(k.peer_addr, b), guest_port);
		}
	}
	f = flow_get(gw, idx);
	if (f->kind != FLOW_UDP_IN || f->client_addr != client->sin_addr.s_addr) {
		/* The sandbox's own flow to that address and port, or another
		 * loopback client shown as the same address. */
		gw->stats.port_busy++;
		return;
	}
	udp_to_sandbox(gw, f, l4, len);
}
