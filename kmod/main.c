// SPDX-License-Identifier: GPL-2.0
/*
 * ringnet: a network device whose frames travel to and from userspace
 * through shared memory rings.  See Documentation/ringnet.rst.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include "ringnet.h"

static int __init ringnet_init(void)
{
	int err;

	/* The family first: device events are sent from the moment devices exist. */
	err = ringnet_genl_init();
	if (err)
		return err;
	err = ringnet_device_init();
	if (err)
		goto err_genl;
	err = ringnet_chan_init();
	if (err)
		goto err_device;
	return 0;

err_device:
	ringnet_device_exit();
err_genl:
	ringnet_genl_exit();
	return err;
}

static void __exit ringnet_exit(void)
{
	ringnet_chan_exit();
	ringnet_device_exit();
	ringnet_genl_exit();
}

module_init(ringnet_init);
module_exit(ringnet_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Network device with shared-memory rings to userspace");
MODULE_AUTHOR("The ringnet developers");
MODULE_ALIAS_RTNL_LINK(RINGNET_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(RINGNET_GENL_NAME);
