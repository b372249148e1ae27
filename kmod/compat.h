/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ringnet: differences between the kernels we build for (Debian's 6.1 and
 * 6.12).  Each RINGNET_HAVE_* comes from a header probe in Kbuild, not from
 * LINUX_VERSION_CODE: distribution kernels backport interfaces.
 */
#ifndef _RINGNET_COMPAT_H
#define _RINGNET_COMPAT_H

#endif /* _RINGNET_COMPAT_H */
