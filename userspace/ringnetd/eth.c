// SPDX-License-Identifier: GPL-2.0
/*
 * Ethernet: the first look at every frame from the sandbox.
 *
 * The vnet header is read first because it says what the rest is: with
 * checksum offload the sandbox may send frames whose L4 checksum is only
 * partial (NEEDS_CSUM), and with TSO a "frame" may be a 64 KiB TCP segment
 * (GSO).  Neither is an error, but a header that claims more than we
 * negotiated is.
 */
#include <linux/if_ether.h>

#include "gw.h"

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static bool vnet_hdr_ok(const struct gw *gw, const struct virtio_net_hdr_v1 *vh)
{
	unsigned int known = VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID;
	uint8_t gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (vh->flags & ~known)
		return false;
	if (vh->flags && !(gw->src->offloads & FRAME_OFF_CSUM))
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return gw->src->offloads & FRAME_OFF_TSO4;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return gw->src->offloads & FRAME_OFF_TSO6;
	default:
		return false;
	}
}

/*
 * Learn where the sandbox is, from frames that passed validation (so
 * garbage sent to the broadcast address can't redirect our replies): any
 * unicast source will do, there is only one host on this link.
 */
void eth_learn(struct gw *gw, const uint8_t *eth)
{
	bool first = !gw->sb_mac_known;

	if (!(eth[6] & 1) && memcmp(eth + 6, "\0\0\0\0\0\0", 6)) {
		memcpy(gw->sb_mac, eth + 6, 6);
		gw->sb_mac_known = true;
		if (first)
			tcp_sb_mac_learned(gw);
	}
}

/* The sandbox's MAC, or broadcast until we know it. */
const uint8_t *eth_sb_mac(const struct gw *gw)
{
	return gw->sb_mac_known ? gw->sb_mac : bcast_mac;
}

/*
 * Work that may point into the frames waits for the end of their batch:
 * the sandbox's datagrams and its in-order TCP data, which leave in one
 * system call per flow.
 */
void gw_input_done(struct gw *gw)
{
	udp_out_flush(gw);
	tcp_out_flush(gw);
}

void gw_input(struct gw *gw, const uint8_t *frame, size_t len)
{
	struct virtio_net_hdr_v1 vh;
	const uint8_t *eth = frame + VNET_HDR_LEN;
	size_t eth_len;
	uint16_t type;

	gw->stats.rx_frames++;
	if (len < VNET_HDR_LEN + ETH_HDR_LEN) {
		gw->stats.drop_short++;
		return;
	}
	memcpy(&vh, frame, sizeof(vh));
	if (!vnet_hdr_ok(gw, &vh)) {
		gw->stats.drop_vnet_hdr++;
		return;
	}
	eth_len = len - VNET_HDR_LEN;

	/* Our MAC or broadcast; multicast (IPv6 neighbour discovery,
	 * mDNS, ...) is not for us yet. */
	if (memcmp(eth, gw->mac, 6) && memcmp(eth, bcast_mac, 6)) {
		gw->stats.drop_not_for_us++;
		return;
	}
	type = rd16(eth + 12);
	switch (type) {
	case ETH_P_ARP:
		arp_input(gw, eth, eth_len);
		break;
	case ETH_P_IP:
		ip4_input(gw, &vh, eth, eth_len);
		break;
	default:
		gw->stats.drop_ethertype++;
	}
}
