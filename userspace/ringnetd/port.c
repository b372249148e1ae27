// SPDX-License-Identifier: GPL-2.0
/*
 * Published ports (-t, -u): host sockets that bring connections and
 * datagrams into the sandbox.
 *
 * A TCP connection accepted on a published port becomes a connection we
 * open toward the sandbox (tcp_conn_inbound()); a datagram on a published
 * UDP port starts or continues an inbound UDP flow (udp4_inbound()).
 * Either way the sandbox sees the client's own address and port, so a
 * server there can log and filter by them.  Only addresses it could not
 * answer (the host's loopback, say) are shown as another one:
 * port_sandbox_view().
 *
 * Host sockets bind to 127.0.0.1 unless an address is given, so that
 * publishing a port exposes it to this host only, as with a service that
 * listens on loopback.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include "gw.h"
#include "flow.h"

#define ACCEPT_BATCH	64
#define RECV_BATCH	32

/* "N" or "N-M" (from s up to end) into *lo and *hi: false if not that. */
static bool parse_range(const char *s, const char *end, uint16_t *lo, uint16_t *hi)
{
	const char *dash = memchr(s, '-', (size_t)(end - s));
	unsigned long a, b;

	if (!parse_uint(s, dash ? dash : end, 65535, &a))
		return false;
	b = a;
	if (dash && !parse_uint(dash + 1, end, 65535, &b))
		return false;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return *lo && *lo <= *hi;
}

const char *port_parse(struct gw_config *cfg, uint8_t proto, const char *arg)
{
	const char *colon[2] = { NULL, NULL }, *p, *host, *host_end, *guest = NULL;
	uint16_t hlo, hhi, glo, ghi;
	uint32_t addr = htonl(INADDR_LOOPBACK);
	struct port_map *m;
	char abuf[INET_ADDRSTRLEN];
	unsigned int n = 0, i;

	for (p = arg; *p; p++) {
		if (*p != ':')
			continue;
		if (n == 2)
			return "too many ':'";
		colon[n++] = p;
	}
	host = arg;
	host_end = p;
	/* ADDR:HOST:GUEST, ADDR:HOST (an address has dots), HOST:GUEST */
	if (n == 2 || (n == 1 && memchr(arg, '.', (size_t)(colon[0] - arg)))) {
		if ((size_t)(colon[0] - arg) >= sizeof(abuf))
			return "not an IPv4 address before ':'";
		memcpy(abuf, arg, (size_t)(colon[0] - arg));
		abuf[colon[0] - arg] = '\0';
		if (inet_pton(AF_INET, abuf, &addr) != 1)
			return "not an IPv4 address before ':'";
		host = colon[0] + 1;
		host_end = n == 2 ? colon[1] : p;
		if (n == 2)
			guest = colon[1] + 1;
	} else if (n == 1) {
		host_end = colon[0];
		guest = colon[0] + 1;
	}
	if (!parse_range(host, host_end, &hlo, &hhi))
		return "not a port or range of ports (1-65535) on the host";
	glo = hlo;
	ghi = hhi;
	if (guest && !parse_range(guest, guest + strlen(guest), &glo, &ghi))
		return "not a port or range of ports (1-65535) in the sandbox";
	if (ghi - glo != hhi - hlo)
		return "the host and sandbox ranges differ in length";

	m = realloc(cfg->ports, (cfg->n_ports + (hhi - hlo) + 1U) * sizeof(*m));
	if (!m)
		return "out of memory";
	cfg->ports = m;
	for (i = 0; i <= (unsigned int)(hhi - hlo); i++)
		m[cfg->n_ports++] = (struct port_map){ .proto = proto, .addr = addr,
						       .host_port = (uint16_t)(hlo + i),
						       .guest_port = (uint16_t)(glo + i) };
	return NULL;
}

static int port_socket(const struct port_map *m)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(m->host_port),
				  .sin_addr.s_addr = m->addr };
	int type = m->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int fd, one = 1;

	fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* TCP: a restarted ringnetd binds again while the connections of
	 * the last one are in TIME_WAIT.  (Not for UDP, where it would let
	 * anyone else bind the port as well.) */
	if ((m->proto == IPPROTO_TCP &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    (m->proto == IPPROTO_UDP &&
	     setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (m->proto == IPPROTO_TCP && listen(fd, SOMAXCONN) < 0)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int port_open(struct gw *gw)
{
	struct epoll_event ev = { .events = EPOLLIN };
	const struct port_map *m;
	char a[INET_ADDRSTRLEN];
	unsigned int i;
	int fd, err;

	if (!gw->cfg.n_ports)
		return 0;
	/* One more: a spare fd, so that accept() out of fds can still take a
	 * connection off the queue (and reset it). */
	gw->port_fd = malloc((gw->cfg.n_ports + 1) * sizeof(*gw->port_fd));
	if (!gw->port_fd) {
		gw_log(LOG_ERR_, "publish: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < gw->cfg.n_ports; i++)
		gw->port_fd[i] = -1;
	gw->port_fd[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < gw->cfg.n_ports; i++) {
		m = &gw->cfg.ports[i];
		fd = port_socket(m);
		ev.data.u64 = EP_REF(EP_PORT, i);
		if (fd < 0 || epoll_ctl(gw->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			err = errno;
			if (fd >= 0)
				close(fd);
			gw_log(LOG_ERR_, "publish %s %s:%u: %s",
			       m->proto == IPPROTO_TCP ? "tcp" : "udp", ip4_str(m->addr, a),
			       m->host_port, strerror(err));
			port_close(gw);
			return -err;
		}
		gw->port_fd[i] = fd;
		gw_log(LOG_INFO_, "published %s %s:%u to port %u",
		       m->proto == IPPROTO_TCP ? "tcp" : "udp", ip4_str(m->addr, a),
		       m->host_port, m->guest_port);
	}
	return 0;
}

void port_close(struct gw *gw)
{
	unsigned int i;

	if (!gw->port_fd)
		return;
	for (i = 0; i <= gw->cfg.n_ports; i++)
		if (gw->port_fd[i] >= 0)
			close(gw->port_fd[i]);
	free(gw->port_fd);
	gw->port_fd = NULL;
}

/*
 * The sandbox answers a client through the gateway, so it must see an
 * address it routes there: not loopback or anything else we would not
 * relay (ip4_is_relayable()), not its own, and nothing else of its own
 * subnet (it would look for that on the link, where only we answer, and
 * only for our addresses).  Those are shown as the --map-host-loopback
 * address, else the gateway's: a server in the sandbox sees them as
 * connections from the host, which they are.
 */
uint32_t port_sandbox_view(const struct gw *gw, uint32_t client)
{
	uint32_t mask = gw->cfg.prefix ? htonl(~0U << (32 - gw->cfg.prefix)) : 0;

	if (ip4_is_relayable(gw, client) && client != gw->cfg.addr &&
	    ((client & mask) != (gw->cfg.addr & mask) || gw_is_local(gw, client)))
		return client;
	return gw->cfg.map_loopback ? gw->cfg.map_loopback : gw->cfg.gw;
}

static void port_accept(struct gw *gw, const struct port_map *m, int lfd)
{
	int *spare = &gw->port_fd[gw->cfg.n_ports];
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_in sa;
	socklen_t sl;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		sl = sizeof(sa);
		fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == ECONNABORTED || errno == EINTR)
				continue;
			if ((errno == EMFILE || errno == ENFILE) && *spare >= 0) {
				/* Left queued, the connection would wake us again
				 * and again: take it with the spare fd, reset it. */
				close(*spare);
				fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
				if (fd >= 0) {
					setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
					close(fd);
				}
				*spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
				gw->stats.flows_socket_err++;
				continue;
			}
			return;
		}
		if (sa.sin_family != AF_INET) {
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
			close(fd);
			continue;
		}
		gw->stats.port_accepted++;
		if (!gw->sb_mac_known)
			arp_request_sandbox(gw);
		tcp_conn_inbound(gw, fd, port_sandbox_view(gw, sa.sin_addr.s_addr),
				 ntohs(sa.sin_port), m->guest_port);
	}
}

static void port_recv(struct gw *gw, const struct port_map *m, int fd)
{
	size_t room = IP4_MAX_L4 - UDP_HDR_LEN;	/* cut to the MTU by ip4.c */
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct sockaddr_in sa;
	struct in_pktinfo pi;
	struct cmsghdr *c;
	struct msghdr mh;
	struct iovec iov;
	uint32_t local;
	uint8_t *l4;
	ssize_t n;
	int i;

	/* Before the datagrams: ip4_out_begin() below holds a buffer. */
	if (!gw->sb_mac_known)
		arp_request_sandbox(gw);
	for (i = 0; i < RECV_BATCH; i++) {
		l4 = ip4_out_begin(gw);
		iov = (struct iovec){ .iov_base = l4 + UDP_HDR_LEN, .iov_len = room };
		mh = (struct msghdr){ .msg_name = &sa, .msg_namelen = sizeof(sa),
				      .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			return;
		if ((size_t)n > room || (mh.msg_flags & MSG_TRUNC)) {
			gw->stats.tx_drop_too_big++;
			continue;
		}
		if (mh.msg_namelen < sizeof(sa) || sa.sin_family != AF_INET || !sa.sin_port)
			continue;
		local = 0;
		for (c = CMSG_FIRSTHDR(&mh); c && m->addr == htonl(INADDR_ANY);
		     c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				local = pi.ipi_spec_dst.s_addr;
			}
		}
		udp4_inbound(gw, fd, &sa, local, m->guest_port, l4, (size_t)n);
	}
}

void port_event(struct gw *gw, unsigned int idx, uint32_t events)
{
	const struct port_map *m;

	(void)events;
	if (!gw->port_fd || idx >= gw->cfg.n_ports)
		return;
	m = &gw->cfg.ports[idx];
	if (m->proto == IPPROTO_TCP)
		port_accept(gw, m, gw->port_fd[idx]);
	else
		port_recv(gw, m, gw->port_fd[idx]);
}
