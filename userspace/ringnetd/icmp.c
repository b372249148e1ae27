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
 *
 * Host sockets of UDP and ping flows have IP_RECVERR, so ICMP errors about
 * what they sent (unreachable, time exceeded, parameter problem) wait on
 * their error queue with the type, code and the address that sent them.
 * Each becomes the same error toward the sandbox, from that address, and
 * quoting the packet as the sandbox sent it, so the sandbox's stack finds
 * the socket it is about.  Fragmentation needed is not passed on: the
 * host fragments our later datagrams itself, while a sandbox told of a
 * smaller path MTU would start sending fragments, which we drop.
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

/* A connected ping socket, or -errno. */
static int ping_socket(struct gw *gw, uint32_t dst)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = dst };
	int one = 1, fd, err;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0) {
		err = errno;
		if ((err == EACCES || err == EPERM) && !gw->ping_forbidden) {
			gw->ping_forbidden = true;
			gw_log(LOG_ERR_, "ping sockets not allowed (net.ipv4.ping_group_range): "
			       "echo requests to hosts other than the gateway are dropped");
		}
		return -err;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		return -err;
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
		if (idx == FLOW_NONE) {
			/* Table full (counted): refused, as a filter would. */
			icmp4_unreach(gw, p, ICMP_PKT_FILTERED);
			return;
		}
		fd = ping_socket(gw, p->dst);
		if (fd < 0 || flow_set_fd(gw, idx, fd) < 0) {
			if (fd < 0 && gw->ping_forbidden)
				gw->stats.icmp_no_ping_socket++;
			else if (!(fd < 0 && icmp4_no_route(gw, p, -fd)))
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
	if (events & EPOLLERR)
		icmp4_host_errors(gw, f);
	for (i = 0; i < 32; i++) {
		l4 = ip4_out_begin(gw);
		n = recv(f->fd, l4, IP4_MAX_L4, MSG_DONTWAIT | MSG_TRUNC);
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
 * RFC 1812 4.3.2.3: an error quotes as much of the original as fits in
 * 576 bytes, which also fits any MTU we allow.
 */
#define QUOTE_DATA_MAX	(MTU_MIN - IP4_HDR_LEN - ICMP_HDR_LEN - IP4_HDR_LEN - 8)

void icmp4_error(struct gw *gw, const struct icmp4_err *e)
{
	uint8_t *l4 = ip4_out_begin(gw), *ip = l4 + ICMP_HDR_LEN;
	size_t quote = e->data_len < QUOTE_DATA_MAX ? e->data_len : QUOTE_DATA_MAX;

	l4[0] = e->type;
	l4[1] = e->code;
	wr32(l4 + 4, e->rest);
	ip4_build_hdr(ip, e->sb_addr, e->peer_addr, e->proto, 8 + e->data_len);
	memcpy(ip + IP4_HDR_LEN, e->l4_hdr, 8);
	if (quote)
		memcpy(ip + IP4_HDR_LEN + 8, e->data, quote);
	icmp_finish(gw, l4, ICMP_HDR_LEN + IP4_HDR_LEN + 8 + quote, e->from, e->sb_addr);
	gw->stats.icmp_errors_sent++;
}

/*
 * An error about a packet to or through the gateway, the quote rebuilt
 * from the addresses and ports, as the sandbox sent it (a connected UDP
 * socket then fails with ECONNREFUSED and the like).  It comes from the
 * address the sandbox talked to, as from a host answering for itself.
 */
void icmp4_send_error(struct gw *gw, uint8_t type, uint8_t code,
		      uint32_t sb_addr, uint32_t peer_addr, uint8_t proto,
		      uint16_t sb_port, uint16_t peer_port,
		      const uint8_t *payload, size_t payload_len)
{
	struct icmp4_err e = {
		.type = type, .code = code, .from = peer_addr,
		.sb_addr = sb_addr, .peer_addr = peer_addr, .proto = proto,
		.data = payload, .data_len = payload_len,
	};

	wr16(e.l4_hdr, sb_port);
	wr16(e.l4_hdr + 2, peer_port);
	if (proto == IPPROTO_UDP)
		wr16(e.l4_hdr + 4, (uint16_t)(UDP_HDR_LEN + payload_len));
	icmp4_error(gw, &e);
}

/* The gateway is the router that had no route: the error is its own. */
bool icmp4_unreach(struct gw *gw, const struct ip4_pkt *p, uint8_t code)
{
	struct icmp4_err e = {
		.type = ICMP_DEST_UNREACH, .code = code, .from = gw->cfg.gw,
		.sb_addr = p->src, .peer_addr = p->dst, .proto = p->proto,
	};

	if (p->l4_len < 8)
		return false;
	memcpy(e.l4_hdr, p->l4, 8);
	e.data = p->l4 + 8;
	e.data_len = p->l4_len - 8;
	icmp4_error(gw, &e);
	return true;
}

bool icmp4_no_route(struct gw *gw, const struct ip4_pkt *p, int err)
{
	uint8_t code;

	switch (err) {
	case ENETUNREACH:
		code = ICMP_NET_UNREACH;
		break;
	case EHOSTUNREACH:
		code = ICMP_HOST_UNREACH;
		break;
	case EACCES:		/* a prohibit route, or a broadcast address */
		code = ICMP_PKT_FILTERED;
		break;
	default:
		return false;
	}
	if (!icmp4_unreach(gw, p, code))
		return false;
	gw->stats.flows_no_route++;
	return true;
}

static bool reflectable(uint8_t type, uint8_t code)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
		return code <= NR_ICMP_UNREACH && code != ICMP_FRAG_NEEDED;
	case ICMP_TIME_EXCEEDED:
		return code <= ICMP_EXC_FRAGTIME;
	case ICMP_PARAMETERPROB:
		return code <= 2;
	default:
		return false;
	}
}

/*
 * Whom an error comes from: whoever sent it, if the sandbox could have
 * heard from that address.  Flows to a stand-in (the DNS address, the
 * mapped host loopback) reach another address on the host side, and a
 * martian or the sandbox's own address would make no sense: those errors
 * come from the address the sandbox talked to.
 */
static uint32_t error_source(const struct gw *gw, const struct flow *f, uint32_t offender)
{
	if (f->kind == FLOW_DNS ||
	    (gw->cfg.map_loopback && f->key.peer_addr == gw->cfg.map_loopback))
		return f->key.peer_addr;
	if (!offender || offender == f->key.sb_addr || !ip4_is_relayable(gw, offender))
		return f->key.peer_addr;
	return offender;
}

bool icmp4_reflect(struct gw *gw, const struct flow *f,
		   const struct sock_extended_err *ee, uint32_t offender,
		   const uint8_t *data, size_t len)
{
	struct icmp4_err e = {
		.type = ee->ee_type, .code = ee->ee_code,
		.sb_addr = f->key.sb_addr, .peer_addr = f->key.peer_addr,
		.proto = f->key.proto,
	};
	uint16_t host_id, sum;

	/* Local errors (EMSGSIZE past 64 KiB, ...) have no ICMP to pass on. */
	if (ee->ee_origin != SO_EE_ORIGIN_ICMP || !reflectable(e.type, e.code)) {
		gw->stats.host_errors_dropped++;
		return false;
	}
	if (e.type == ICMP_PARAMETERPROB)
		e.rest = ee->ee_info << 24;	/* the pointer */
	e.from = error_source(gw, f, offender);

	if (f->key.proto == IPPROTO_UDP) {
		/* data: our datagram's payload, as far as the ICMP quoted it. */
		wr16(e.l4_hdr, f->key.sb_port);
		wr16(e.l4_hdr + 2, f->key.peer_port);
		wr16(e.l4_hdr + 4, (uint16_t)(UDP_HDR_LEN + (len < 0xfff7 ? len : 0xfff7)));
		wr16(e.l4_hdr + 6, 0);	/* "none": nobody checks a quote's */
		e.data = data;
		e.data_len = len;
		gw->stats.udp_host_errors++;
	} else if (f->key.proto == IPPROTO_ICMP && len >= ICMP_HDR_LEN) {
		/*
		 * data: our echo request from its header on, with the host's
		 * identifier.  The sandbox's goes back, and the checksum is
		 * adjusted for it (RFC 1624), which gives the one it sent.
		 */
		memcpy(e.l4_hdr, data, 8);
		host_id = rd16(e.l4_hdr + 4);
		sum = (uint16_t)~rd16(e.l4_hdr + 2);
		wr16(e.l4_hdr + 4, f->key.sb_port);
		wr16(e.l4_hdr + 2, csum_fold((uint32_t)sum + (uint16_t)~host_id +
					     f->key.sb_port));
		e.data = data + 8;
		e.data_len = len - 8;
		gw->stats.icmp_host_errors++;
	} else {
		gw->stats.host_errors_dropped++;
		return false;
	}
	icmp4_error(gw, &e);
	return true;
}

unsigned int icmp4_host_errors(struct gw *gw, struct flow *f)
{
	uint8_t data[2048];
	union {
		char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
				    sizeof(struct sockaddr_in))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct sock_extended_err ee;
	struct sockaddr_in off;
	unsigned int sent = 0;
	struct cmsghdr *c;
	struct msghdr mh;
	uint32_t offender;
	bool seen;
	ssize_t n;

	for (;;) {
		mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = cbuf.buf,
				      .msg_controllen = sizeof(cbuf.buf) };
		n = recvmsg(f->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			break;
		seen = false;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR ||
			    c->cmsg_len < CMSG_LEN(sizeof(ee)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			offender = 0;
			if (c->cmsg_len >= CMSG_LEN(sizeof(ee) + sizeof(off))) {
				memcpy(&off, CMSG_DATA(c) + sizeof(ee), sizeof(off));
				if (off.sin_family == AF_INET)
					offender = off.sin_addr.s_addr;
			}
			seen = true;
			if (icmp4_reflect(gw, f, &ee, offender, data, (size_t)n))
				sent++;
		}
		if (!seen)
			gw->stats.host_errors_dropped++;
	}
	return sent;
}
