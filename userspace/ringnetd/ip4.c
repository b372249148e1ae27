// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4: validate what the sandbox sends, dispatch it by protocol, and
 * build the headers of what goes back.
 *
 * Fragments go to frag.c and come back whole through ip4_deliver().
 */
#include <netinet/in.h>
#include <linux/if_ether.h>

#include "gw.h"

/*
 * Destinations we relay to: none of this-network, loopback (from outside,
 * a martian), link-local, multicast, limited or subnet broadcast.  The
 * gateway and DNS addresses are ours and never get here.
 */
bool ip4_is_relayable(const struct gw *gw, uint32_t dst)
{
	uint32_t h = ntohl(dst);
	uint32_t mask = gw->cfg.prefix ? ~0U << (32 - gw->cfg.prefix) : 0;
	uint32_t net = ntohl(gw->cfg.addr) & mask;

	if ((h >> 24) == 0 || (h >> 24) == 127 || (h >> 16) == 0xa9fe ||
	    (h >> 28) >= 0xe)
		return false;
	if (gw->cfg.prefix < 31 && h == (net | ~mask))
		return false;
	return true;
}

void ip4_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
	       const uint8_t *eth, size_t len)
{
	const uint8_t *ip = eth + ETH_HDR_LEN;
	size_t avail = len - ETH_HDR_LEN, ihl, tot;
	struct ip4_pkt p;
	uint16_t frag;

	if (avail < IP4_HDR_LEN || ip[0] >> 4 != 4 || (ip[0] & 0xf) < 5) {
		gw->stats.ip4_bad_header++;
		return;
	}
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tot = rd16(ip + 2);
	/* Shorter than claimed is an error; longer is Ethernet padding. */
	if (tot < ihl || tot > avail) {
		gw->stats.ip4_bad_length++;
		return;
	}
	if (!(vh->flags & VIRTIO_NET_HDR_F_DATA_VALID) &&
	    csum_fold(csum_add(0, ip, ihl)) != 0) {
		gw->stats.ip4_bad_csum++;
		return;
	}
	frag = rd16(ip + 6);

	p.src = rdaddr(ip + 12);
	p.dst = rdaddr(ip + 16);
	p.proto = ip[9];
	p.vnet_flags = vh->flags;
	p.ip_id = rd16(ip + 4);
	p.eth_src = eth + 6;
	p.l4 = ip + ihl;
	p.l4_len = tot - ihl;
	p.in_frame = true;

	/* 0.0.0.0 is allowed for DHCP only: udp4_input checks. */
	if ((ntohl(p.src) >> 28) >= 0xe || (ntohl(p.src) >> 24) == 127) {
		gw->stats.ip4_bad_src++;
		return;
	}
	eth_learn(gw, eth);

	if (frag & 0x3fff)		/* MF, or a fragment offset */
		frag_input(gw, &p, frag);
	else
		ip4_deliver(gw, &p);
}

void ip4_deliver(struct gw *gw, const struct ip4_pkt *p)
{
	switch (p->proto) {
	case IPPROTO_ICMP:
		icmp4_input(gw, p);
		break;
	case IPPROTO_UDP:
		udp4_input(gw, p);
		break;
	case IPPROTO_TCP:
		tcp4_input(gw, p);
		break;
	default:
		gw->stats.ip4_proto++;
	}
}

bool ip4_fits(const struct gw *gw, size_t l4_len)
{
	(void)gw;
	return l4_len <= IP4_MAX_L4;
}

uint8_t *ip4_out_begin(struct gw *gw)
{
	return gw_out_begin(gw) + OFF_L4;
}

void ip4_build_hdr(uint8_t *ip, uint32_t src, uint32_t dst, uint8_t proto,
		   size_t l4_len)
{
	size_t tot = IP4_HDR_LEN + l4_len;

	ip[0] = 0x45;
	ip[1] = 0;
	wr16(ip + 2, (uint16_t)(tot < 0xffff ? tot : 0xffff));
	wr16(ip + 4, 0);		/* id: DF set, never fragmented */
	wr16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = proto;
	wr16(ip + 10, 0);
	wraddr(ip + 12, src);
	wraddr(ip + 16, dst);
	wr16(ip + 10, csum_fold(csum_add(0, ip, IP4_HDR_LEN)));
}

static void eth_hdr_build(struct gw *gw, uint8_t *buf, const uint8_t *dst_mac)
{
	uint8_t *e = buf + OFF_ETH;

	/* All checksums are complete: no flags, whatever was negotiated. */
	memset(buf, 0, VNET_HDR_LEN);
	memcpy(e, dst_mac, 6);
	memcpy(e + 6, gw->mac, 6);
	wr16(e + 12, ETH_P_IP);
}

/*
 * A UDP or ICMP datagram larger than the sandbox's MTU (a host peer may
 * send up to 64 KiB) leaves in fragments, as a router would cut it: the
 * whole L4 part is copied aside, then sent in MTU-sized pieces, each a
 * multiple of 8 bytes but the last, each in its own frame.
 */
static void ip4_out_fragments(struct gw *gw, uint32_t src, uint32_t dst, uint8_t proto,
			      size_t l4_len, const uint8_t *dst_mac)
{
	size_t per = (gw->cfg.mtu - IP4_HDR_LEN) & ~(size_t)7, off, len;
	uint16_t id = ++gw->ip4_id;
	uint8_t *buf, *ip;

	memcpy(gw->scratch, gw->out_buf[gw->n_out] + OFF_L4, l4_len);
	for (off = 0; off < l4_len; off += len) {
		len = l4_len - off < per ? l4_len - off : per;
		buf = gw_out_begin(gw);
		eth_hdr_build(gw, buf, dst_mac);
		ip = buf + OFF_IP4;
		ip4_build_hdr(ip, src, dst, proto, len);
		wr16(ip + 4, id);
		wr16(ip + 6, (uint16_t)((off + len < l4_len ? 0x2000 : 0) | off / 8));
		wr16(ip + 10, 0);
		wr16(ip + 10, csum_fold(csum_add(0, ip, IP4_HDR_LEN)));
		memcpy(ip + IP4_HDR_LEN, gw->scratch + off, len);
		gw_out_commit(gw, OFF_L4 + len);
	}
	gw->stats.tx_fragmented++;
}

void ip4_out_finish(struct gw *gw, uint32_t src, uint32_t dst, uint8_t proto,
		    size_t l4_len, const uint8_t *dst_mac)
{
	uint8_t *buf = gw->out_buf[gw->n_out];

	/* TCP is sized by the MSS, or is a TSO frame the device segments. */
	if (proto != IPPROTO_TCP && IP4_HDR_LEN + l4_len > gw->cfg.mtu) {
		ip4_out_fragments(gw, src, dst, proto, l4_len, dst_mac);
		return;
	}
	eth_hdr_build(gw, buf, dst_mac);
	ip4_build_hdr(buf + OFF_IP4, src, dst, proto, l4_len);
	gw_out_commit(gw, OFF_L4 + l4_len);
}
