/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RINGNETD_NETCFG_H
#define RINGNETD_NETCFG_H

#include <stdint.h>

/*
 * rtnetlink in the current network namespace, for --config-net: all
 * return 0 or a negative errno and print what failed.
 */
int netcfg_sandbox(const char *dev, uint32_t addr, unsigned int prefix,
		   uint32_t gw, unsigned int mtu);
/* ip link add DEV type ringnet */
int netcfg_ringnet_add(const char *dev);

#endif
