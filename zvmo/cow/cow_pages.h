/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZVMO_COW_PAGES_H
#define _ZVMO_COW_PAGES_H

#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/uio.h>

#include "../page_list.h"

/**
 * struct zvmo_hier - what all the VMOs of one clone hierarchy share
 * @lock: the hierarchy lock. It guards the page lists, sizes and counts of
 *	every zvmo_cow_pages of the hierarchy. Lock order: an mm's mmap lock
 *	(page faults) before @lock; nothing is copied to or from user memory
 *	under @lock, so a fault on a mapping of the VMO during read() or
 *	write() of the same VMO cannot deadlock.
 * @ref: one reference per zvmo_cow_pages of the hierarchy
 */
struct zvmo_hier {
	struct mutex lock;	/* the hierarchy lock; see above */
	refcount_t ref;
};

/**
 * struct zvmo_cow_pages - the pages of a VMO (Zircon's VmCowPages)
 * @hier: the hierarchy this belongs to; @hier->lock guards what follows
 *	but @mapping and @zero_mapped
 * @mapping: the address space every mapping of the VMO shares; set once
 * @zero_mapped: set once a hole has been mapped to the zero page, after
 *	which commits must unmap what they fill
 * @pages: the page list: a page, or nothing, at each offset
 * @size: size in bytes, page aligned; no page lies at or past it
 * @nr_pages: pages in @pages
 * @commit_events: times @nr_pages changed through commit or decommit
 */
struct zvmo_cow_pages {
	struct zvmo_hier *hier;
	struct address_space *mapping;
	bool zero_mapped;
	struct zvmo_page_list pages;
	u64 size;
	unsigned long nr_pages;
	u64 commit_events;
};

/**
 * struct zvmo_cow_counts - what ZVMO_IOC_VMO_INFO reports of the pages
 * @committed: bytes of committed pages
 * @metadata: bytes of page-list nodes
 * @commit_events: see &struct zvmo_cow_pages
 */
struct zvmo_cow_counts {
	u64 committed;
	u64 metadata;
	u64 commit_events;
};

int zvmo_cow_init(void);
void zvmo_cow_exit(void);
struct zvmo_cow_pages *zvmo_cow_create(u64 size);
void zvmo_cow_destroy(struct zvmo_cow_pages *cow);
ssize_t zvmo_cow_read(struct zvmo_cow_pages *cow, u64 off,
		      struct iov_iter *to);
ssize_t zvmo_cow_write(struct zvmo_cow_pages *cow, u64 off,
		       struct iov_iter *from);
int zvmo_cow_commit(struct zvmo_cow_pages *cow, u64 start, u64 end);
int zvmo_cow_decommit(struct zvmo_cow_pages *cow, u64 start, u64 end);
int zvmo_cow_zero(struct zvmo_cow_pages *cow, u64 start, u64 end);
void zvmo_cow_resize(struct zvmo_cow_pages *cow, u64 size);
vm_fault_t zvmo_cow_fault(struct zvmo_cow_pages *cow, struct vm_fault *vmf,
			  bool shared_write);
vm_fault_t zvmo_cow_fault_mkwrite(struct zvmo_cow_pages *cow,
				  struct vm_fault *vmf);
void zvmo_cow_counts(struct zvmo_cow_pages *cow,
		     struct zvmo_cow_counts *counts);

#endif /* _ZVMO_COW_PAGES_H */
