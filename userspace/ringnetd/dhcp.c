// SPDX-License-Identifier: GPL-2.0
/*
 * DHCPv4 (RFC 2131): a server with one address to give, the sandbox's.
 *
 * There is one client on the link, so there is no pool and no lease
 * database: whoever asks gets the configured address, and a REQUEST for
 * any other address is NAKed so a client that remembers an old lease
 * starts over.  Renewals (REQUEST with ciaddr) are ACKed like any other.
 *
 * Replies go to the broadcast addresses (Ethernet and IP) while the client
 * has no address (ciaddr 0), which every client accepts whether or not it
 * set the BROADCAST flag, and to ciaddr once it has one.
 */
#include <netinet/in.h>
#include <linux/icmp.h>

#include "gw.h"

#define BOOTP_LEN	236	/* fixed part, up to and without the cookie */
#define DHCP_COOKIE	0x63825363
#define DHCP_MIN_REPLY	300	/* BOOTP minimum, some clients insist */

enum {
	OPT_PAD = 0, OPT_MASK = 1, OPT_ROUTER = 3, OPT_DNS = 6, OPT_MTU = 26,
	OPT_BCAST = 28, OPT_REQ_IP = 50, OPT_LEASE = 51, OPT_MSG_TYPE = 53,
	OPT_SERVER_ID = 54, OPT_T1 = 58, OPT_T2 = 59, OPT_END = 255,
};

enum {
	DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK,
	DHCPNAK, DHCPRELEASE, DHCPINFORM,
};

struct dhcp_req {
	int type;
	bool has_req_ip, has_server_id;
	uint32_t req_ip, server_id, ciaddr;
};

/* Walk the options; false if they run past the end or lack a type. */
static bool parse_options(const uint8_t *o, size_t len, struct dhcp_req *r)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = o[i], l;

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			break;
		if (i + 2 > len)
			return false;
		l = o[i + 1];
		if (i + 2 + l > len)
			return false;
		switch (code) {
		case OPT_MSG_TYPE:
			if (l == 1)
				r->type = o[i + 2];
			break;
		case OPT_REQ_IP:
			if (l == 4) {
				r->req_ip = rdaddr(o + i + 2);
				r->has_req_ip = true;
			}
			break;
		case OPT_SERVER_ID:
			if (l == 4) {
				r->server_id = rdaddr(o + i + 2);
				r->has_server_id = true;
			}
			break;
		}
		i += 2 + l;
	}
	return r->type != 0;
}

static uint8_t *opt_u32(uint8_t *p, uint8_t code, uint32_t v_host)
{
	p[0] = code;
	p[1] = 4;
	wr32(p + 2, v_host);
	return p + 6;
}

static uint8_t *opt_addr(uint8_t *p, uint8_t code, uint32_t a)
{
	p[0] = code;
	p[1] = 4;
	wraddr(p + 2, a);
	return p + 6;
}

static void dhcp_reply(struct gw *gw, const uint8_t *req, const struct dhcp_req *r,
		       int type, const uint8_t *client_mac)
{
	const struct gw_config *c = &gw->cfg;
	uint32_t mask = c->prefix ? htonl(~0U << (32 - c->prefix)) : 0;
	uint8_t *l4 = ip4_out_begin(gw), *b = l4 + UDP_HDR_LEN, *o;
	uint32_t dst = r->ciaddr ? r->ciaddr : htonl(INADDR_BROADCAST);
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	size_t len, ulen;
	uint32_t sum;

	memset(b, 0, BOOTP_LEN);
	b[0] = 2;			/* BOOTREPLY */
	b[1] = 1;			/* Ethernet */
	b[2] = 6;
	memcpy(b + 4, req + 4, 4);	/* xid */
	memcpy(b + 10, req + 10, 2);	/* flags */
	memcpy(b + 12, req + 12, 4);	/* ciaddr */
	if (type != DHCPNAK && type != 0)
		wraddr(b + 16, c->addr);	/* yiaddr */
	memcpy(b + 28, req + 28, 16);	/* chaddr */
	wr32(b + BOOTP_LEN, DHCP_COOKIE);
	o = b + BOOTP_LEN + 4;
	o[0] = OPT_MSG_TYPE;
	o[1] = 1;
	o[2] = (uint8_t)(type ? type : DHCPACK);
	o += 3;
	o = opt_addr(o, OPT_SERVER_ID, c->gw);
	if (type != DHCPNAK) {
		if (type != 0) {	/* no lease for INFORM */
			o = opt_u32(o, OPT_LEASE, c->lease_time);
			o = opt_u32(o, OPT_T1, c->lease_time / 2);
			o = opt_u32(o, OPT_T2, c->lease_time / 8 * 7);
		}
		o = opt_addr(o, OPT_MASK, mask);
		o = opt_addr(o, OPT_BCAST, (c->addr & mask) | ~mask);
		o = opt_addr(o, OPT_ROUTER, c->gw);
		o = opt_addr(o, OPT_DNS, c->dns);
		o[0] = OPT_MTU;
		o[1] = 2;
		wr16(o + 2, (uint16_t)c->mtu);
		o += 4;
	}
	*o++ = OPT_END;
	len = (size_t)(o - b);
	if (len < DHCP_MIN_REPLY) {
		memset(o, 0, DHCP_MIN_REPLY - len);
		len = DHCP_MIN_REPLY;
	}

	ulen = UDP_HDR_LEN + len;
	wr16(l4, 67);
	wr16(l4 + 2, 68);
	wr16(l4 + 4, (uint16_t)ulen);
	wr16(l4 + 6, 0);
	sum = csum_ip4_pseudo(c->gw, dst, IPPROTO_UDP, (uint16_t)ulen);
	sum = csum_fold(csum_add(sum, l4, ulen));
	wr16(l4 + 6, sum ? sum : 0xffff);
	ip4_out_finish(gw, c->gw, dst, IPPROTO_UDP, ulen,
		       r->ciaddr ? client_mac : bcast);
}

void dhcp_input(struct gw *gw, const struct ip4_pkt *p, const uint8_t *d, size_t len)
{
	(void)p;
	struct dhcp_req r = { 0 };
	int reply;

	/* BOOTREQUEST over Ethernet, the cookie, and valid options. */
	if (len < BOOTP_LEN + 4 || d[0] != 1 || d[1] != 1 || d[2] != 6 ||
	    rd32(d + BOOTP_LEN) != DHCP_COOKIE ||
	    !parse_options(d + BOOTP_LEN + 4, len - BOOTP_LEN - 4, &r)) {
		gw->stats.dhcp_bad++;
		return;
	}
	r.ciaddr = rdaddr(d + 12);
	/* Replies use chaddr, but a client must not make us unicast to an
	 * address that is not the one we give out. */
	if (r.ciaddr && r.ciaddr != gw->cfg.addr)
		r.ciaddr = 0;

	switch (r.type) {
	case DHCPDISCOVER:
		reply = DHCPOFFER;
		break;
	case DHCPREQUEST:
		/* Answering another server's offer: not ours to decide. */
		if (r.has_server_id && r.server_id != gw->cfg.gw) {
			gw->stats.dhcp_bad++;
			return;
		}
		if (r.has_req_ip ? r.req_ip == gw->cfg.addr : rdaddr(d + 12) == gw->cfg.addr)
			reply = DHCPACK;
		else
			reply = DHCPNAK;
		break;
	case DHCPINFORM:
		reply = 0;	/* an ACK without lease, see dhcp_reply() */
		break;
	case DHCPDECLINE:
	case DHCPRELEASE:
		/* Nothing to free: the address stays the sandbox's. */
		return;
	default:
		gw->stats.dhcp_bad++;
		return;
	}
	dhcp_reply(gw, d, &r, reply, d + 28);
	if (reply == DHCPOFFER)
		gw->stats.dhcp_offers++;
	else if (reply == DHCPNAK)
		gw->stats.dhcp_naks++;
	else
		gw->stats.dhcp_acks++;
	gw_log(LOG_INFO_, "dhcp: %s", reply == DHCPOFFER ? "offer" :
	       reply == DHCPNAK ? "nak" : "ack");
}
