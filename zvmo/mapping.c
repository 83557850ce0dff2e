// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings of VMOs.
 *
 * Faults use the core mm's own path: ->fault returns the VMO's page in
 * vmf->page, locked, and the core maps it (and, in a private mapping,
 * copies it on write) with the usual rmap and reference counting, so a page
 * the VMO frees stays alive for as long as a page table holds it. Holes are
 * mapped read-only to a zero page of the module's own and cost nothing;
 * ->page_mkwrite turns a write to it through a shared mapping into a
 * commit. (The kernel's shared zero page is not allowed in shared writable
 * mappings since 6.10.) A read fault also maps the committed pages around
 * it with vm_insert_pages() (hence VM_MIXEDMAP): ->map_pages would run
 * under RCU, where the hierarchy lock cannot be taken. Whenever the page
 * at an offset changes, zvmo/cow unmaps it from the VMO's address space.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>

#include "compat.h"
#include "cow/cow_pages.h"
#include "handle.h"
#include "mapping.h"
#include "vmo.h"

static struct zvmo_vmo *zvmo_vma_vmo(struct vm_area_struct *vma)
{
	struct zvmo_handle *h = vma->vm_file->private_data;

	return h->vmo;
}

static void zvmo_vm_open(struct vm_area_struct *vma)
{
	atomic_long_inc(&zvmo_vma_vmo(vma)->num_mappings);
}

static void zvmo_vm_close(struct vm_area_struct *vma)
{
	atomic_long_dec(&zvmo_vma_vmo(vma)->num_mappings);
}

static vm_fault_t zvmo_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	bool shared_write = (vmf->flags & FAULT_FLAG_WRITE) &&
			    (vma->vm_flags & VM_SHARED);

	return zvmo_cow_fault(zvmo_vma_vmo(vma)->cow, vmf, shared_write);
}

static vm_fault_t zvmo_vm_page_mkwrite(struct vm_fault *vmf)
{
	return zvmo_cow_fault_mkwrite(zvmo_vma_vmo(vmf->vma)->cow, vmf);
}

static const struct vm_operations_struct zvmo_vm_ops = {
	.open = zvmo_vm_open,
	.close = zvmo_vm_close,
	.fault = zvmo_vm_fault,
	.page_mkwrite = zvmo_vm_page_mkwrite,
};

/**
 * zvmo_mapping_mmap() - ->mmap of a VMO handle
 * @file: the handle
 * @vma: the new mapping
 *
 * A mapping needs the map and read rights. A shared mapping can be written
 * only with the write right, now or by a later mprotect(); executing needs
 * the execute right. A private mapping is copy-on-write over the VMO, as a
 * private mapping of a file is.
 *
 * Context: Process context; the mmap lock is held for writing.
 * Return: 0 or -EACCES.
 */
int zvmo_mapping_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct zvmo_handle *h = file->private_data;
	u32 rights = h->rights;

	if (!(rights & ZVMO_RIGHT_MAP) || !(rights & ZVMO_RIGHT_READ))
		return -EACCES;
	if ((vma->vm_flags & VM_SHARED) && !(rights & ZVMO_RIGHT_WRITE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	if (!(rights & ZVMO_RIGHT_EXECUTE)) {
		if (vma->vm_flags & VM_EXEC)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYEXEC);
	}

	/* Fault-around inserts pages with vm_insert_pages(). */
	vm_flags_set(vma, VM_MIXEDMAP);
	vma->vm_ops = &zvmo_vm_ops;
	zvmo_vm_open(vma);
	return 0;
}
