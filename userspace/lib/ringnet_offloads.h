/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of the offload bits (RINGNET_F_*) as the tools take and print
 * them: ringnetctl, the ip(8) plugin and ringnet-bridge share this table so
 * their spellings stay in step.  Header only: the ip(8) plugin links
 * against nothing.
 */
#ifndef RINGNET_OFFLOADS_H
#define RINGNET_OFFLOADS_H

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

#endif
