/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the rest of zvmo does with a VMO's pages: read() and write(),
 * commit, decommit, zero, resize, attribution, and page faults. All of it
 * works on a leaf of a clone hierarchy (cow_pages.h) at leaf offsets.
 */
#ifndef _ZVMO_COW_MM_H
#define _ZVMO_COW_MM_H

#include <linux/mm_types.h>
#include <linux/types.h>
#include <linux/uio.h>

#include "cow_pages.h"

struct mem_cgroup;

/**
 * struct zvmo_cow_counts - what ZVMO_IOC_VMO_INFO reports of the pages
 * @attr: committed, private and scaled bytes
 * @metadata: bytes of the leaf's page-list nodes
 * @commit_events: see &struct zvmo_cow_pages
 * @pinned: bytes of the leaf's pinned pages
 */
struct zvmo_cow_counts {
	struct zvmo_cow_attr attr;
	u64 metadata;
	u64 commit_events;
	u64 pinned;
};

/*
 * Whether dedup may find something in @leaf: not while a pass it
 * finished clean still holds (no write since, the hierarchy unchanged).
 * Read without the lock by reclaim's count, which needs no more than a
 * guess.
 */
static inline bool zvmo_cow_dedup_pending(const struct zvmo_cow_pages *leaf)
{
	return !READ_ONCE(leaf->dedup_done) || !READ_ONCE(leaf->dedup_clean) ||
	       READ_ONCE(leaf->dedup_gen) != READ_ONCE(leaf->hier->gen);
}

/* Ancestors a report names at most. */
#define ZVMO_COW_REPORT_NODES	64

/**
 * struct zvmo_cow_report - what introspection shows of a leaf
 * @leaf: its id
 * @dirty: bytes of dirty or awaiting clean content (pager-backed)
 * @evicted: pages evicted from it (pager-backed)
 * @lock_count: its locks (discardable)
 * @discarded: discarded since last locked (discardable)
 * @truncated: it has more ancestors than @nodes holds
 * @nr_nodes: entries in @nodes
 * @nodes: its hidden ancestors, nearest first: id, pages held, size
 */
struct zvmo_cow_report {
	u64 leaf;
	u64 dirty;
	u64 evicted;
	u64 lock_count;
	bool discarded;
	bool truncated;
	unsigned int nr_nodes;
	struct {
		u64 id;
		u64 pages;
		u64 size;
	} nodes[ZVMO_COW_REPORT_NODES];
};

void zvmo_cow_report(struct zvmo_cow_pages *leaf, struct zvmo_cow_report *r);
int zvmo_cow_init(void);
void zvmo_cow_exit(void);
void zvmo_cow_view_add(struct zvmo_cow_pages *leaf,
		       struct zvmo_cow_view *view);
void zvmo_cow_view_del(struct zvmo_cow_pages *leaf,
		       struct zvmo_cow_view *view);
ssize_t zvmo_cow_read(struct zvmo_cow_pages *leaf, u64 off,
		      struct iov_iter *to);
ssize_t zvmo_cow_write(struct zvmo_cow_pages *leaf, u64 off,
		       struct iov_iter *from);
int zvmo_cow_commit(struct zvmo_cow_pages *leaf, u64 start, u64 end);
int zvmo_cow_decommit(struct zvmo_cow_pages *leaf, u64 start, u64 end);
int zvmo_cow_zero(struct zvmo_cow_pages *leaf, u64 start, u64 end);
int zvmo_cow_resize(struct zvmo_cow_pages *leaf, u64 size);
int zvmo_cow_pin(struct zvmo_cow_pages *leaf, u64 start, u64 end,
		 struct page **pages, bool write);
void zvmo_cow_unpin(struct zvmo_cow_pages *leaf, u64 start, u64 end);
int zvmo_cow_fill_contiguous(struct zvmo_cow_pages *leaf, struct page *first,
			     unsigned long nr);
int zvmo_cow_set_cache_policy(struct zvmo_cow_pages *leaf,
			      unsigned int policy);
unsigned int zvmo_cow_mmap(struct zvmo_cow_pages *leaf);
int zvmo_cow_supply(struct zvmo_cow_pages *leaf, u64 start, u64 end,
		    struct zvmo_cow_pages *aux, u64 aux_start);
int zvmo_cow_supply_copy(struct zvmo_cow_pages *leaf, u64 start, u64 end,
			 const char __user *buf);
void zvmo_cow_pager_detached(struct zvmo_cow_pages *leaf);
bool zvmo_cow_has_parent(struct zvmo_cow_pages *leaf);
void zvmo_cow_counts(struct zvmo_cow_pages *leaf,
		     struct zvmo_cow_counts *counts);
int zvmo_cow_pager_op(struct zvmo_cow_pages *leaf, u32 op, u64 start,
		      u64 end, bool zeros_only);
int zvmo_cow_query_dirty(struct zvmo_cow_pages *leaf, u64 start, u64 end,
			 struct zvmo_cow_dirty_range *out, u64 max, u64 *avail);
bool zvmo_cow_pager_stats(struct zvmo_cow_pages *leaf, bool reset);
unsigned long zvmo_cow_evict(struct zvmo_cow_pages *leaf, unsigned long nr,
			     bool dont_need_only);
unsigned long zvmo_cow_dedup(struct zvmo_cow_pages *leaf,
			     unsigned long *budget, unsigned long min_age);
unsigned long zvmo_cow_compress(struct zvmo_cow_pages *leaf,
				struct mem_cgroup *memcg, unsigned long nr,
				bool dont_need_only, unsigned long min_age);
unsigned long zvmo_cow_discard(struct zvmo_cow_pages *leaf);
int zvmo_cow_lock_discardable(struct zvmo_cow_pages *leaf, bool try,
			      bool *discarded);
int zvmo_cow_unlock_discardable(struct zvmo_cow_pages *leaf, bool discarded);
int zvmo_cow_hint(struct zvmo_cow_pages *leaf, u32 op, u64 start, u64 end);
vm_fault_t zvmo_cow_map_pages(struct zvmo_cow_pages *leaf,
			      const struct zvmo_cow_view *view,
			      struct vm_fault *vmf);
vm_fault_t zvmo_cow_fault(struct zvmo_cow_pages *leaf,
			  const struct zvmo_cow_view *view,
			  struct vm_fault *vmf);
vm_fault_t zvmo_cow_fault_mkwrite(struct zvmo_cow_pages *leaf,
				  const struct zvmo_cow_view *view,
				  struct vm_fault *vmf);

#endif /* _ZVMO_COW_MM_H */
