/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A ringnet device as the "ringnet" generic netlink family describes it,
 * and the ways ringnetctl prints one.
 */
#ifndef RINGNETCTL_DEV_H
#define RINGNETCTL_DEV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <net/if.h>
#include <linux/ringnet.h>
#include <netlink/attr.h>

#include "json.h"

#define RN_ETH_ALEN	6

struct rn_channel {
	uint32_t present;		/* bit n: RINGNET_A_CHANNEL_n seen */
	uint32_t owner_pid;
	uint32_t rx_entries;
	uint32_t tx_entries;
	uint32_t slot_size;
	uint64_t mem_bytes;
};

struct rn_dev {
	uint64_t present;		/* bit n: RINGNET_A_DEV_n seen */
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint8_t address[RN_ETH_ALEN];
	uint32_t mtu;
	bool attached;
	uint64_t mem_limit;
	uint64_t offloads;
	uint64_t offloads_active;
	struct rn_channel channel;
	uint32_t stats_present;		/* bit n: RINGNET_A_STATS_n seen */
	uint64_t stats[RINGNET_A_STATS_MAX + 1];
	uint32_t error_errno;		/* DEV_ERROR_NTF only */
	char error_msg[256];
};

static inline bool rn_dev_has(const struct rn_dev *dev, int attr)
{
	return dev->present & (1ULL << attr);
}

/*
 * Fills dev from the attributes of a DEV_GET reply or a notification.
 * Returns 0 or a negative libnl error code.
 */
int rn_dev_parse(struct rn_dev *dev, struct nlmsghdr *hdr);

/* Offload names, as on the command line: "csum", "tso4", ... */
const char *rn_offload_name(unsigned int bit);
/* Writes the names of mask, joined by sep, or "none". */
void rn_offloads_print(FILE *out, uint64_t mask, const char *sep);

/* Human-readable binary size: "64 MiB", "1.50 GiB", "512 bytes". */
void rn_format_size(char *buf, size_t len, uint64_t bytes);

/* The "show" block of one device. */
void rn_dev_print_text(FILE *out, const struct rn_dev *dev);
/* The fields of the device object, inside an object already begun. */
void rn_dev_print_json_fields(struct json *j, const struct rn_dev *dev);
/* One "monitor" line, without the event name and the newline. */
void rn_dev_print_event_text(FILE *out, const struct rn_dev *dev);

#endif
