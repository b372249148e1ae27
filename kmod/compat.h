/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ringnet: differences between the kernels we build for (Debian's 6.1 and
 * 6.12).  Each RINGNET_HAVE_* comes from a header probe in Kbuild, not from
 * LINUX_VERSION_CODE: distribution kernels backport interfaces.
 */
#ifndef _RINGNET_COMPAT_H
#define _RINGNET_COMPAT_H

#include <linux/mm.h>

/* vma->vm_flags became read-only in 6.3, behind vm_flags_clear(). */
#ifdef RINGNET_HAVE_VM_FLAGS_CLEAR
#define ringnet_vm_flags_clear(vma, flags)	vm_flags_clear(vma, flags)
#else
#define ringnet_vm_flags_clear(vma, flags)	((vma)->vm_flags &= ~(flags))
#endif

#endif /* _RINGNET_COMPAT_H */
