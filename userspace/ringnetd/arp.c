// SPDX-License-Identifier: GPL-2.0
/*
 * ARP: answer for the gateway and DNS addresses, nothing else, and ask
 * the sandbox for its MAC when we must speak first (published ports).
 *
 * The sandbox routes everything through the gateway, so these two are the
 * only neighbours it ever needs.  Answering for every address (as some
 * gateways do) would also make the sandbox's duplicate address detection
 * think its own address is taken.
 */
#include <linux/if_arp.h>
#include <linux/if_ether.h>

#include "gw.h"

#define ARP_LEN 28	/* Ethernet/IPv4 ARP body */

/* An ARP frame from our MAC and the sender address sip, to dst. */
static void arp_send(struct gw *gw, uint16_t op, const uint8_t dst[6],
		     const uint8_t tha[6], uint32_t sip, uint32_t tip)
{
	uint8_t *out = gw_out_begin(gw), *e = out + OFF_ETH, *r = e + ETH_HDR_LEN;

	memset(out, 0, VNET_HDR_LEN);
	memcpy(e, dst, 6);
	memcpy(e + 6, gw->mac, 6);
	wr16(e + 12, ETH_P_ARP);
	wr16(r, ARPHRD_ETHER);
	wr16(r + 2, ETH_P_IP);
	r[4] = 6;
	r[5] = 4;
	wr16(r + 6, op);
	memcpy(r + 8, gw->mac, 6);
	wraddr(r + 14, sip);
	memcpy(r + 18, tha, 6);
	wraddr(r + 24, tip);
	/* Pad to the 60-byte Ethernet minimum, as a NIC would. */
	memset(r + ARP_LEN, 0, 60 - ETH_HDR_LEN - ARP_LEN);
	gw_out_commit(gw, VNET_HDR_LEN + 60);
}

void arp_input(struct gw *gw, const uint8_t *eth, size_t len)
{
	const uint8_t *a = eth + ETH_HDR_LEN;
	uint32_t sip, tip;

	if (len < ETH_HDR_LEN + ARP_LEN || rd16(a) != ARPHRD_ETHER ||
	    rd16(a + 2) != ETH_P_IP || a[4] != 6 || a[5] != 4) {
		gw->stats.arp_bad++;
		return;
	}
	eth_learn(gw, eth);
	sip = rdaddr(a + 14);
	tip = rdaddr(a + 24);
	if (rd16(a + 6) != ARPOP_REQUEST || !gw_is_local(gw, tip) ||
	    sip == tip) {
		/* Replies, announcements, questions about other hosts. */
		gw->stats.arp_ignored++;
		return;
	}

	arp_send(gw, ARPOP_REPLY, a + 8, a + 8, tip, sip);
	gw->stats.arp_replies++;
}

/*
 * Ask the sandbox for its MAC.  Frames we start ourselves (published
 * ports) can come before the sandbox ever sent one, and its TCP drops
 * segments that arrive as Ethernet broadcast; its reply teaches us
 * (arp_input() learns from every valid ARP frame).
 */
void arp_request_sandbox(struct gw *gw)
{
	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t unknown[6];

	arp_send(gw, ARPOP_REQUEST, broadcast, unknown, gw->cfg.gw, gw->cfg.addr);
	gw->stats.arp_requests++;
}
