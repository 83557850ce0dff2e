/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel APIs that differ between the kernels zvmo supports (6.1 and
 * 6.12), in one place: the rest of the code calls what is here. Kbuild
 * detects each feature in the kernel's headers (ZVMO_HAVE_*), so a
 * backport is found as well as a new release.
 */
#ifndef _ZVMO_COMPAT_H
#define _ZVMO_COMPAT_H

#include <linux/mm.h>

#ifndef ZVMO_HAVE_VM_FLAGS_SET
/* vm_flags became writable only through helpers in 6.3. */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#ifndef ZVMO_HAVE_RELEASE_FAULT_LOCK
/* Faults ran under the mmap lock alone until per-VMA locks (6.4). */
static inline void release_fault_lock(struct vm_fault *vmf)
{
	mmap_read_unlock(vmf->vma->vm_mm);
}
#endif

/*
 * The largest order the page allocator gives: MAX_PAGE_ORDER since 6.8;
 * in 6.1, MAX_ORDER is one past it. (6.4 to 6.7, not supported, had an
 * inclusive MAX_ORDER: there this is one order short, which is safe.)
 */
#ifdef MAX_PAGE_ORDER
#define ZVMO_MAX_ORDER	MAX_PAGE_ORDER
#else
#define ZVMO_MAX_ORDER	(MAX_ORDER - 1)
#endif

#endif /* _ZVMO_COMPAT_H */
