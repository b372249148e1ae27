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
	return l4_len <= gw->cfg.mtu - IP4_HDR_LEN &&
	       OFF_L4 + l4_len <= FRAME_BUF_SIZE;
}

uint8_t *ip4_out_begin(struct gw *gw)
{
	return gw_out_begin(gw) + OFF_L4;
}

void ip4_out_finish(struct gw *gw, uint32_t src, uint32_t dst, uint8_t proto,
		    size_t l4_len, const uint8_t *dst_mac)
{
	uint8_t *buf = gw->out_buf[gw->n_out];
	uint8_t *e = buf + OFF_ETH, *ip = buf + OFF_IP4;

	/* All checksums are complete: no flags, whatever was negotiated. */
	memset(buf, 0, VNET_HDR_LEN);
	memcpy(e, dst_mac, 6);
	memcpy(e + 6, gw->mac, 6);
	wr16(e + 12, ETH_P_IP);
	ip[0] = 0x45;
	ip[1] = 0;
	wr16(ip + 2, (uint16_t)(IP4_HDR_LEN + l4_len));
	wr16(ip + 4, 0);		/* id: DF set, never fragmented */
	wr16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = proto;
	wr16(ip + 10, 0);
	wraddr(ip + 12, src);
	wraddr(ip + 16, dst);
	wr16(ip + 10, csum_fold(csum_add(0, ip, IP4_HDR_LEN)));
	gw_out_commit(gw, OFF_L4 + l4_len);
}
