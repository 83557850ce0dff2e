// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings of VMOs.
 *
 * Read faults map the VMO's pages with vm_insert_pages() (hence
 * VM_MIXEDMAP) under the hierarchy lock, read-only. A write fault hands
 * the VMO's own page to the core, which maps it writable once
 * ->page_mkwrite has checked it (zvmo/cow/cow_mm.c says how that stays
 * safe against snapshots); ->page_mkwrite also turns a write to anything
 * else (an ancestor's page of a snapshot, or the zero page of the
 * module's own that holes show) into a fork or a commit. Either way the
 * entries are normal pages with rmap and reference counts, so a page the
 * VMO frees stays alive for as long as a page table holds it. (The
 * kernel's shared zero page is not allowed in shared writable mappings
 * since 6.10.) A read fault maps the pages around it too, from
 * ->map_pages when the faulting page is there and the hierarchy lock is
 * free (it runs under RCU and cannot wait), else from ->fault. Whenever
 * the page at an offset changes, zvmo/cow unmaps it from the address
 * space of every VMO that shows it.
 * A private mapping's write gets the page for the core to copy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>

#include "compat.h"
#include "cow/cow_mm.h"
#include "handle.h"
#include "mapping.h"
#include "vmo.h"

static struct zvmo_vmo *zvmo_vma_vmo(struct vm_area_struct *vma)
{
	struct zvmo_handle *h = vma->vm_file->private_data;

	return h->vmo;
}

/* Count a mapping of @vmo in @mm in (@delta 1) or out (-1). */
static void zvmo_mapping_count_mm(struct zvmo_vmo *vmo, struct mm_struct *mm,
				  long delta)
{
	unsigned int i, free = ARRAY_SIZE(vmo->mms);

	spin_lock(&vmo->mms_lock);
	for (i = 0; i < ARRAY_SIZE(vmo->mms); i++) {
		if (vmo->mms[i].mm == mm)
			break;
		if (!vmo->mms[i].mm && free == ARRAY_SIZE(vmo->mms))
			free = i;
	}
	if (i == ARRAY_SIZE(vmo->mms) && delta > 0)
		i = free;
	if (i < ARRAY_SIZE(vmo->mms)) {
		vmo->mms[i].mm = mm;
		vmo->mms[i].n += delta;
		if (!vmo->mms[i].n)
			vmo->mms[i].mm = NULL;
	} else {
		vmo->mms_more += delta;
	}
	spin_unlock(&vmo->mms_lock);
}

/**
 * zvmo_mapping_share_count() - address spaces a VMO is mapped into
 * @vmo: the VMO
 *
 * Zircon's share_count: each address space counts once, and an unmapped
 * VMO counts as 1. Past the first few address spaces, the others count by
 * mappings, so this is an estimate, as Zircon's is.
 *
 * Context: Any context.
 * Return: the count, at least 1.
 */
u64 zvmo_mapping_share_count(struct zvmo_vmo *vmo)
{
	u64 n = 0;
	unsigned int i;

	spin_lock(&vmo->mms_lock);
	for (i = 0; i < ARRAY_SIZE(vmo->mms); i++)
		n += !!vmo->mms[i].mm;
	n += vmo->mms_more;
	spin_unlock(&vmo->mms_lock);
	return max_t(u64, n, 1);
}

static void zvmo_vm_count(struct vm_area_struct *vma, long delta)
{
	struct zvmo_vmo *vmo = zvmo_vma_vmo(vma);

	atomic_long_add(delta, &vmo->num_mappings);
	zvmo_mapping_count_mm(vmo, vma->vm_mm, delta);
}

/* A mapping split or copied by fork(): the leaf has mappings already. */
static void zvmo_vm_open(struct vm_area_struct *vma)
{
	atomic_long_inc(&zvmo_vma_vmo(vma)->cow->nr_vmas);
	zvmo_vm_count(vma, 1);
}

static void zvmo_vm_close(struct vm_area_struct *vma)
{
	atomic_long_dec(&zvmo_vma_vmo(vma)->cow->nr_vmas);
	zvmo_vm_count(vma, -1);
}

static vm_fault_t zvmo_vm_fault(struct vm_fault *vmf)
{
	struct zvmo_vmo *vmo = zvmo_vma_vmo(vmf->vma);

	return zvmo_cow_fault(vmo->cow, &vmo->view, vmf);
}

static vm_fault_t zvmo_vm_page_mkwrite(struct vm_fault *vmf)
{
	struct zvmo_vmo *vmo = zvmo_vma_vmo(vmf->vma);

	return zvmo_cow_fault_mkwrite(vmo->cow, &vmo->view, vmf);
}

/*
 * The core's fault-around: the fast path of read faults, which maps what
 * is there without waiting for anything. Its being there also tells the
 * core (vmf_can_call_fault(), 6.4 and later) that ->fault may run under
 * the VMA lock alone, rather than failing each fault over to a second try
 * under the mmap lock.
 */
static vm_fault_t zvmo_vm_map_pages(struct vm_fault *vmf, pgoff_t start,
				    pgoff_t end)
{
	struct zvmo_vmo *vmo = zvmo_vma_vmo(vmf->vma);

	return zvmo_cow_map_pages(vmo->cow, &vmo->view, vmf);
}

static const struct vm_operations_struct zvmo_vm_ops = {
	.open = zvmo_vm_open,
	.close = zvmo_vm_close,
	.fault = zvmo_vm_fault,
	.map_pages = zvmo_vm_map_pages,
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
 * private mapping of a file is. A VMO that is not cached is mapped with
 * its memory type, and only shared.
 *
 * Context: Process context; the mmap lock is held for writing. Takes the
 * hierarchy lock.
 * Return: 0, -EACCES, or -EINVAL for a private mapping of a VMO that is
 * not cached.
 */
int zvmo_mapping_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct zvmo_handle *h = file->private_data;
	u32 rights = h->rights;
	unsigned int policy;

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

	/* Counted in before the policy is read: it cannot change now. */
	policy = zvmo_cow_mmap(h->vmo->cow);
	switch (policy) {
	case ZVMO_CACHE_CACHED:
		break;
	case ZVMO_CACHE_WRITE_COMBINING:
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
		break;
	default:
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
		break;
	}
	/* Copies of such pages would be write-back, under this protection. */
	if (policy != ZVMO_CACHE_CACHED && !(vma->vm_flags & VM_SHARED)) {
		atomic_long_dec(&h->vmo->cow->nr_vmas);
		return -EINVAL;
	}

	/* Fault-around inserts pages with vm_insert_pages(). */
	vm_flags_set(vma, VM_MIXEDMAP);
	vma->vm_ops = &zvmo_vm_ops;
	zvmo_vm_count(vma, 1);
	return 0;
}
