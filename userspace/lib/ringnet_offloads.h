/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of the offload bits (RINGNET_F_*) as the tools take and print
 * them: ringnetctl, the ip(8) plugin and ringnet-bridge share this table and
 * its parser, so their spellings and what they accept stay in step.  Header
 * only: the ip(8) plugin links against nothing.
 */
#ifndef RINGNET_OFFLOADS_H
#define RINGNET_OFFLOADS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/ringnet.h>

/* The plugin and ringnet-bridge look up every bit below __RINGNET_F_NBITS:
 * a new bit needs its name here first. */
_Static_assert(__RINGNET_F_NBITS == 5, "ringnet_offload_names lacks a RINGNET_F_* bit");

static const char *const ringnet_offload_names[__RINGNET_F_NBITS] = {
	[RINGNET_F_CSUM_BIT]	= "csum",
	[RINGNET_F_TSO4_BIT]	= "tso4",
	[RINGNET_F_TSO6_BIT]	= "tso6",
	[RINGNET_F_TSO_ECN_BIT]	= "tso-ecn",
	[RINGNET_F_USO_BIT]	= "uso",
};

/*
 * "none", "all" (every bit named above) or a comma list of names.  Returns
 * 0, or -1 with the offending name in bad/bad_len: an unknown one, or an
 * empty one ("csum,,tso4", "csum,", "").
 */
static inline int ringnet_offloads_parse(const char *list, uint64_t *mask,
					 const char **bad, size_t *bad_len)
{
	const char *p = list;

	*mask = 0;
	if (!strcmp(list, "none"))
		return 0;
	if (!strcmp(list, "all")) {
		*mask = RINGNET_F_ALL;
		return 0;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		unsigned int bit;

		for (bit = 0; bit < __RINGNET_F_NBITS; bit++)
			if (strlen(ringnet_offload_names[bit]) == len &&
			    !strncmp(p, ringnet_offload_names[bit], len))
				break;
		if (bit == __RINGNET_F_NBITS) {
			*bad = p;
			*bad_len = len;
			return -1;
		}
		*mask |= 1ULL << bit;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

#endif
