// SPDX-License-Identifier: GPL-2.0
/*
 * The pages of a VMO: commit, decommit, zero, resize, and the byte copies of
 * read() and write().
 *
 * Pages are allocated outside the hierarchy lock and inserted under it; user
 * memory is touched only with the lock dropped, holding a reference on the
 * page instead. A page removed from the list is freed only after the lock is
 * released.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "../zvmo.h"
#include "cow_pages.h"

/*
 * Pages are charged to the caller's memory cgroup. Past its limit the
 * allocation fails rather than waking the OOM killer: a VMO commit is a
 * request the caller can see fail, like mmap(MAP_POPULATE) of too much.
 */
#define ZVMO_GFP_PAGE \
	(GFP_HIGHUSER | __GFP_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)
#define ZVMO_GFP_NODE \
	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* Pages allocated per round trip of the lock when committing. */
#define ZVMO_COMMIT_BATCH	16

/*
 * The page mappings show for a hole: read-only, never written, never freed
 * while the module is loaded.
 */
static struct page *zvmo_zero_page;

/**
 * zvmo_cow_create() - pages for a new VMO with a hierarchy of its own
 * @size: size in bytes, page aligned
 *
 * Context: Process context; may sleep.
 * Return: the new object or NULL.
 */
struct zvmo_cow_pages *zvmo_cow_create(u64 size)
{
	struct zvmo_cow_pages *cow;

	cow = kzalloc(sizeof(*cow), GFP_KERNEL_ACCOUNT);
	if (!cow)
		return NULL;
	cow->hier = kzalloc(sizeof(*cow->hier), GFP_KERNEL_ACCOUNT);
	if (!cow->hier) {
		kfree(cow);
		return NULL;
	}
	mutex_init(&cow->hier->lock);
	refcount_set(&cow->hier->ref, 1);
	zvmo_page_list_init(&cow->pages, 0);
	cow->size = size;
	return cow;
}

static void zvmo_hier_put(struct zvmo_hier *hier)
{
	if (refcount_dec_and_test(&hier->ref)) {
		mutex_destroy(&hier->lock);
		kfree(hier);
	}
}

static struct page *zvmo_alloc_page(bool zero)
{
	struct page *page = alloc_page(ZVMO_GFP_PAGE | (zero ? __GFP_ZERO : 0));

	if (page)
		atomic_long_inc(&zvmo_counters.pages);
	return page;
}

#ifdef ZVMO_DEBUG
struct zvmo_cow_check {
	struct zvmo_cow_pages *cow;
	unsigned long pages;
	bool bad;
};

static int zvmo_cow_check_slot(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zvmo_cow_check *c = ctx;
	struct page *page = zvmo_pl_slot_page(slot);

	if (!page)
		return 0;
	c->pages++;
	if (off >= c->cow->size || page == zvmo_zero_page ||
	    page_count(page) < 1 || PageLRU(page) || PageAnon(page)) {
		pr_err("page %p at %#llx of a VMO of size %#llx: count %d\n",
		       page, off, c->cow->size, page_count(page));
		c->bad = true;
	}
	return 0;
}

/*
 * Debug builds check the pages after every change, as the seeds'
 * DebugValidate* do: the page list is well formed, every page lies inside
 * the size, is ours (not the zero page, not on an LRU, not anonymous) and
 * alive, and the count of pages is what the list holds.
 */
static void zvmo_cow_validate_locked(struct zvmo_cow_pages *cow)
{
	struct zvmo_cow_check c = { .cow = cow };

	lockdep_assert_held(&cow->hier->lock);
	if (zvmo_page_list_validate(&cow->pages))
		c.bad = true;
	zvmo_page_list_for_each(&cow->pages, 0, ZVMO_PL_MAX_OFFSET,
				zvmo_cow_check_slot, &c);
	if (c.pages != cow->nr_pages) {
		pr_err("VMO pages: %lu counted, %lu in the list\n",
		       cow->nr_pages, c.pages);
		c.bad = true;
	}
	WARN(c.bad, "zvmo: VMO page invariants broken\n");
}
#else
static inline void zvmo_cow_validate_locked(struct zvmo_cow_pages *cow)
{
}
#endif

static void zvmo_free_page(struct page *page)
{
	atomic_long_dec(&zvmo_counters.pages);
	put_page(page);
}

static void zvmo_free_page_list(struct list_head *list)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru) {
		list_del(&page->lru);
		zvmo_free_page(page);
	}
}

/*
 * Release callback: move a removed page to the caller's free list, noting
 * in page->index where it was, for zvmo_cow_unmap_removed().
 */
static void zvmo_cow_release_slot(struct zvmo_pl_slot *slot, u64 off,
				  void *ctx)
{
	struct list_head *freelist = ctx;
	struct page *page = zvmo_pl_slot_page(slot);

	if (page) {
		page->index = off >> PAGE_SHIFT;
		list_add(&page->lru, freelist);
	}
}

/*
 * Tear down every mapping of pages removed from [@start, @end), then free
 * them. A fault maps a page only while holding its page lock and after
 * seeing, under the hierarchy lock, that the page is still in the list; so
 * once a removed page's lock has been taken and dropped here, no new
 * mapping of it can appear, and one that appeared since the bulk unmap is
 * found by page_mapped().
 */
static void zvmo_cow_unmap_removed(struct zvmo_cow_pages *cow, u64 start,
				   u64 end, struct list_head *freelist)
{
	struct page *page;

	if (list_empty(freelist))
		return;
	if (cow->mapping && mapping_mapped(cow->mapping)) {
		unmap_mapping_range(cow->mapping, start, end - start, 0);
		list_for_each_entry(page, freelist, lru) {
			lock_page(page);
			if (page_mapped(page))
				unmap_mapping_range(cow->mapping,
						    (loff_t)page->index <<
						    PAGE_SHIFT, PAGE_SIZE, 0);
			unlock_page(page);
		}
	}
	zvmo_free_page_list(freelist);
}

/**
 * zvmo_cow_init() - set up what all VMOs' pages share
 *
 * Context: Module init.
 * Return: 0 or -ENOMEM.
 */
int zvmo_cow_init(void)
{
	zvmo_zero_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	return zvmo_zero_page ? 0 : -ENOMEM;
}

/**
 * zvmo_cow_exit() - free what zvmo_cow_init() set up
 *
 * Context: Module exit, when no VMO and no mapping is left.
 */
void zvmo_cow_exit(void)
{
	__free_page(zvmo_zero_page);
}

/*
 * Pages were committed in [@start, @end) where a mapping may show the zero
 * page: make those mappings fault again. A fault maps the zero page only
 * while holding its lock, after seeing the hole under the hierarchy lock;
 * taking and dropping that lock here waits out any such fault that did not
 * see our pages, so the unmap after it cannot miss its entry.
 */
static void zvmo_cow_unmap_zero(struct zvmo_cow_pages *cow, u64 start,
				u64 end)
{
	if (!READ_ONCE(cow->zero_mapped) || !mapping_mapped(cow->mapping))
		return;
	lock_page(zvmo_zero_page);
	unlock_page(zvmo_zero_page);
	unmap_mapping_range(cow->mapping, start, end - start, 0);
}

static unsigned long zvmo_count_pages(struct list_head *list)
{
	unsigned long n = 0;
	struct list_head *pos;

	list_for_each(pos, list)
		n++;
	return n;
}

/* Remove every page in [start, end) onto @freelist. */
static void zvmo_cow_remove_locked(struct zvmo_cow_pages *cow, u64 start,
				   u64 end, struct list_head *freelist)
{
	unsigned long n;

	lockdep_assert_held(&cow->hier->lock);
	zvmo_page_list_remove_range(&cow->pages, start, end,
				    zvmo_cow_release_slot, freelist);
	n = zvmo_count_pages(freelist);
	if (n) {
		cow->nr_pages -= n;
		cow->commit_events++;
	}
	zvmo_cow_validate_locked(cow);
}

/**
 * zvmo_cow_destroy() - free the pages and the object
 * @cow: the pages; nothing else may use them any more
 *
 * Context: Process context.
 */
void zvmo_cow_destroy(struct zvmo_cow_pages *cow)
{
	LIST_HEAD(freelist);

	mutex_lock(&cow->hier->lock);
	zvmo_page_list_destroy(&cow->pages, zvmo_cow_release_slot, &freelist);
	mutex_unlock(&cow->hier->lock);
	zvmo_free_page_list(&freelist);
	zvmo_hier_put(cow->hier);
	kfree(cow);
}

/*
 * The page at @off with a reference taken, or NULL if none is committed
 * there. -ERANGE if @off is at or past the end.
 */
static struct page *zvmo_cow_get_page(struct zvmo_cow_pages *cow, u64 off)
{
	struct zvmo_pl_slot *slot;
	struct page *page = NULL;

	mutex_lock(&cow->hier->lock);
	if (off >= cow->size) {
		page = ERR_PTR(-ERANGE);
		goto out;
	}
	slot = zvmo_page_list_lookup(&cow->pages, off);
	if (slot && zvmo_pl_slot_is_page(slot)) {
		page = zvmo_pl_slot_page(slot);
		get_page(page);
	}
out:
	mutex_unlock(&cow->hier->lock);
	return page;
}

/* Bytes done so far, or @err if nothing was. */
static ssize_t zvmo_done_or(size_t done, int err)
{
	return done ? done : err;
}

/**
 * zvmo_cow_read() - copy the VMO's bytes at @off into @to
 * @cow: the pages
 * @off: offset of the first byte
 * @to: destination; iov_iter_count(@to) bytes are read
 *
 * Uncommitted pages read as zeros and stay uncommitted. The caller checked
 * the range against the size; a shrink racing with the read ends it early
 * with -ERANGE.
 *
 * Context: Process context; takes and drops the hierarchy lock per page;
 * copies to user memory with it dropped.
 * Return: bytes read, or a negative errno if none were.
 */
ssize_t zvmo_cow_read(struct zvmo_cow_pages *cow, u64 off,
		      struct iov_iter *to)
{
	size_t len = iov_iter_count(to);
	size_t done = 0;

	while (done < len) {
		u64 pos = off + done;
		size_t pg_off = offset_in_page(pos);
		size_t n = min_t(size_t, PAGE_SIZE - pg_off, len - done);
		struct page *page;
		size_t copied;

		page = zvmo_cow_get_page(cow, pos & PAGE_MASK);
		if (IS_ERR(page))
			return zvmo_done_or(done, PTR_ERR(page));
		if (page) {
			copied = copy_page_to_iter(page, pg_off, n, to);
			put_page(page);
		} else {
			copied = iov_iter_zero(n, to);
		}
		done += copied;
		if (copied < n)
			return zvmo_done_or(done, -EFAULT);
		if (fatal_signal_pending(current))
			return zvmo_done_or(done, -EINTR);
		cond_resched();
	}
	return done;
}

/*
 * Put @page, which holds the bytes [@pg_off, @pg_off + @n) of a write, at
 * @off. If a page appeared there meanwhile, copy the bytes into it instead.
 * Consumes @page either way.
 */
static int zvmo_cow_install_written(struct zvmo_cow_pages *cow, u64 off,
				    struct page *page, size_t pg_off, size_t n)
{
	struct zvmo_pl_slot *slot;
	int err = 0;

	mutex_lock(&cow->hier->lock);
	if (off >= cow->size) {
		err = -ERANGE;
		goto out_free;
	}
	slot = zvmo_page_list_lookup_or_alloc(&cow->pages, off, ZVMO_GFP_NODE);
	if (!slot) {
		err = -ENOMEM;
		goto out_free;
	}
	if (zvmo_pl_slot_is_page(slot)) {
		/* A racing write or commit got here first: theirs stays. */
		memcpy_page(zvmo_pl_slot_page(slot), pg_off, page, pg_off, n);
		goto out_free;
	}
	zvmo_pl_slot_set_page(slot, page);
	cow->nr_pages++;
	cow->commit_events++;
	zvmo_cow_validate_locked(cow);
	mutex_unlock(&cow->hier->lock);
	zvmo_cow_unmap_zero(cow, off, off + PAGE_SIZE);
	return 0;

out_free:
	mutex_unlock(&cow->hier->lock);
	zvmo_free_page(page);
	return err;
}

/**
 * zvmo_cow_write() - copy @from into the VMO at @off, committing pages
 * @cow: the pages
 * @off: offset of the first byte
 * @from: source; iov_iter_count(@from) bytes are written
 *
 * The source is faulted in first, so a bad buffer fails with -EFAULT before
 * anything changes. A missing page is filled outside the lock and inserted
 * after: a whole-page write needs no zeroing.
 *
 * Context: Process context; takes and drops the hierarchy lock per page;
 * copies from user memory with it dropped.
 * Return: bytes written, or a negative errno if none were.
 */
ssize_t zvmo_cow_write(struct zvmo_cow_pages *cow, u64 off,
		       struct iov_iter *from)
{
	size_t len = iov_iter_count(from);
	size_t done = 0;
	int err;

	if (fault_in_iov_iter_readable(from, len))
		return -EFAULT;

	while (done < len) {
		u64 pos = off + done;
		size_t pg_off = offset_in_page(pos);
		size_t n = min_t(size_t, PAGE_SIZE - pg_off, len - done);
		struct page *page;
		size_t copied;

		page = zvmo_cow_get_page(cow, pos & PAGE_MASK);
		if (IS_ERR(page))
			return zvmo_done_or(done, PTR_ERR(page));
		if (page) {
			copied = copy_page_from_iter(page, pg_off, n, from);
			put_page(page);
		} else {
			page = zvmo_alloc_page(n < PAGE_SIZE);
			if (!page)
				return zvmo_done_or(done, -ENOMEM);
			copied = copy_page_from_iter(page, pg_off, n, from);
			if (copied < n) {
				zvmo_free_page(page);
				return zvmo_done_or(done, -EFAULT);
			}
			err = zvmo_cow_install_written(cow, pos & PAGE_MASK,
						       page, pg_off, n);
			if (err)
				return zvmo_done_or(done, err);
		}
		done += copied;
		if (copied < n)
			return zvmo_done_or(done, -EFAULT);
		if (fatal_signal_pending(current))
			return zvmo_done_or(done, -EINTR);
		cond_resched();
	}
	return done;
}

/* Gap callback of commit: note the first missing offset and stop. */
static int zvmo_first_gap(u64 gap_start, u64 gap_end, void *ctx)
{
	*(u64 *)ctx = gap_start;
	return 1;
}

static int zvmo_skip_present(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	return 0;
}

/*
 * Fill the empty slots of [*pos, end) from @pages, under the lock, and
 * advance *pos past what was filled. Stops when @pages runs out.
 */
static int zvmo_cow_fill_locked(struct zvmo_cow_pages *cow, u64 *pos,
				u64 end, struct list_head *pages)
{
	struct zvmo_pl_slot *slot;
	struct page *page;

	while (*pos < end && !list_empty(pages)) {
		slot = zvmo_page_list_lookup_or_alloc(&cow->pages, *pos,
						      ZVMO_GFP_NODE);
		if (!slot)
			return -ENOMEM;
		if (!zvmo_pl_slot_is_page(slot)) {
			page = list_first_entry(pages, struct page, lru);
			list_del(&page->lru);
			zvmo_pl_slot_set_page(slot, page);
			cow->nr_pages++;
		}
		*pos += PAGE_SIZE;
	}
	return 0;
}

/**
 * zvmo_cow_commit() - commit every page of [@start, @end)
 * @cow: the pages
 * @start: page-aligned start
 * @end: page-aligned end, at most the size
 *
 * Allocates zeroed pages outside the lock, a batch at a time, and puts them
 * in the gaps. What was committed before a failure stays committed.
 *
 * Context: Process context; may sleep; takes the hierarchy lock.
 * Return: 0, -ENOMEM, -ERANGE if the VMO shrank under us, or -EINTR if a
 * fatal signal came.
 */
int zvmo_cow_commit(struct zvmo_cow_pages *cow, u64 start, u64 end)
{
	u64 pos = start;
	LIST_HEAD(pages);
	int err = 0;
	unsigned int i;

	while (pos < end) {
		u64 gap = end, filled;
		unsigned long before;

		/* Find the next gap; the lock is not held while allocating. */
		mutex_lock(&cow->hier->lock);
		if (end > cow->size) {
			mutex_unlock(&cow->hier->lock);
			err = -ERANGE;
			break;
		}
		zvmo_page_list_walk_gaps(&cow->pages, pos, end,
					 zvmo_skip_present,
					 zvmo_first_gap, &gap);
		mutex_unlock(&cow->hier->lock);
		pos = gap;
		if (pos >= end)
			break;

		for (i = 0; i < ZVMO_COMMIT_BATCH && i < (end - pos) >> PAGE_SHIFT;
		     i++) {
			struct page *page = zvmo_alloc_page(true);

			if (!page) {
				err = -ENOMEM;
				break;
			}
			list_add(&page->lru, &pages);
		}

		mutex_lock(&cow->hier->lock);
		before = cow->nr_pages;
		if (end > cow->size) {
			err = -ERANGE;
		} else {
			int fill_err = zvmo_cow_fill_locked(cow, &pos, end,
							    &pages);
			if (fill_err)
				err = fill_err;
		}
		filled = cow->nr_pages - before;
		if (filled)
			cow->commit_events++;
		zvmo_cow_validate_locked(cow);
		mutex_unlock(&cow->hier->lock);
		zvmo_free_page_list(&pages);
		if (filled)
			zvmo_cow_unmap_zero(cow, gap, pos);

		if (err)
			break;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}
	return err;
}

/**
 * zvmo_cow_decommit() - free the pages of [@start, @end)
 * @cow: the pages
 * @start: page-aligned start
 * @end: page-aligned end
 *
 * Costs time in proportion to the pages present, not to the range.
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0, or -ERANGE if the range is past the end.
 */
int zvmo_cow_decommit(struct zvmo_cow_pages *cow, u64 start, u64 end)
{
	LIST_HEAD(freelist);
	int err = 0;

	mutex_lock(&cow->hier->lock);
	if (end > cow->size)
		err = -ERANGE;
	else
		zvmo_cow_remove_locked(cow, start, end, &freelist);
	mutex_unlock(&cow->hier->lock);
	zvmo_cow_unmap_removed(cow, start, end, &freelist);
	return err;
}

/* Zero [@start, @end) within the page at @page_off, if one is committed. */
static void zvmo_cow_zero_partial_locked(struct zvmo_cow_pages *cow,
					 u64 page_off, size_t start,
					 size_t end)
{
	struct zvmo_pl_slot *slot;

	slot = zvmo_page_list_lookup(&cow->pages, page_off);
	if (slot && zvmo_pl_slot_is_page(slot))
		memzero_page(zvmo_pl_slot_page(slot), start, end - start);
}

/**
 * zvmo_cow_zero() - make the bytes [@start, @end) read as zero
 * @cow: the pages
 * @start: first byte
 * @end: end of the range
 *
 * Whole pages are freed (they read as zero uncommitted); the partial pages
 * at either end are zeroed in place if committed.
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0, or -ERANGE if the range is past the end.
 */
int zvmo_cow_zero(struct zvmo_cow_pages *cow, u64 start, u64 end)
{
	u64 first = round_up(start, PAGE_SIZE);
	u64 last = round_down(end, PAGE_SIZE);
	LIST_HEAD(freelist);
	int err = 0;

	if (start == end)
		return 0;

	mutex_lock(&cow->hier->lock);
	if (end > cow->size) {
		err = -ERANGE;
		goto out;
	}
	if (first > last) {
		/* Within one page. */
		zvmo_cow_zero_partial_locked(cow, start & PAGE_MASK,
					     offset_in_page(start),
					     offset_in_page(start) + end - start);
		goto out;
	}
	if (start < first)
		zvmo_cow_zero_partial_locked(cow, start & PAGE_MASK,
					     offset_in_page(start), PAGE_SIZE);
	if (last < end)
		zvmo_cow_zero_partial_locked(cow, last, 0, end - last);
	if (first < last)
		zvmo_cow_remove_locked(cow, first, last, &freelist);
out:
	mutex_unlock(&cow->hier->lock);
	zvmo_cow_unmap_removed(cow, first, last, &freelist);
	return err;
}

/**
 * zvmo_cow_resize() - change the size, freeing the pages past a new end
 * @cow: the pages
 * @size: new size, page aligned
 *
 * Growing adds nothing: the new range reads as zero.
 *
 * Context: Process context; takes the hierarchy lock.
 */
void zvmo_cow_resize(struct zvmo_cow_pages *cow, u64 size)
{
	LIST_HEAD(freelist);
	u64 old;

	mutex_lock(&cow->hier->lock);
	old = cow->size;
	if (size < old)
		zvmo_cow_remove_locked(cow, size, old, &freelist);
	WRITE_ONCE(cow->size, size);
	zvmo_cow_validate_locked(cow);
	mutex_unlock(&cow->hier->lock);
	if (size < old) {
		/* Zero pages mapped past the new end go too: that is SIGBUS. */
		if (cow->mapping && mapping_mapped(cow->mapping))
			unmap_mapping_range(cow->mapping, size, old - size, 0);
		zvmo_cow_unmap_removed(cow, size, old, &freelist);
	}
}

/**
 * zvmo_cow_counts() - memory use of the pages
 * @cow: the pages
 * @counts: filled
 *
 * Context: Process context; takes the hierarchy lock.
 */
void zvmo_cow_counts(struct zvmo_cow_pages *cow,
		     struct zvmo_cow_counts *counts)
{
	mutex_lock(&cow->hier->lock);
	counts->committed = (u64)cow->nr_pages << PAGE_SHIFT;
	counts->metadata = (u64)cow->pages.nr_nodes *
			   zvmo_page_list_node_size();
	counts->commit_events = cow->commit_events;
	mutex_unlock(&cow->hier->lock);
}

/* What a mapping shows at @off: the page there, or the zero page. */
static struct page *zvmo_cow_page_or_zero(struct zvmo_cow_pages *cow, u64 off)
{
	struct zvmo_pl_slot *slot = zvmo_page_list_lookup(&cow->pages, off);
	struct page *page = slot ? zvmo_pl_slot_page(slot) : NULL;

	return page ?: zvmo_zero_page;
}

/*
 * The page at @off for a fault, committing one when @commit: locked, with
 * a reference, and still what the list holds at @off when its lock was
 * taken (see zvmo_cow_unmap_removed() and zvmo_cow_unmap_zero()). A hole
 * that is not committed gives the zero page.
 */
static struct page *zvmo_cow_fault_page(struct zvmo_cow_pages *cow, u64 off,
					bool commit, vm_fault_t *err)
{
	struct page *page, *new = NULL;
	struct zvmo_pl_slot *slot;
	bool committed = false;

retry:
	mutex_lock(&cow->hier->lock);
	if (off >= cow->size) {
		*err = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	page = zvmo_cow_page_or_zero(cow, off);
	if (page == zvmo_zero_page && commit) {
		if (!new) {
			mutex_unlock(&cow->hier->lock);
			new = zvmo_alloc_page(true);
			if (!new) {
				*err = VM_FAULT_OOM;
				return NULL;
			}
			goto retry;
		}
		slot = zvmo_page_list_lookup_or_alloc(&cow->pages, off,
						      ZVMO_GFP_NODE);
		if (!slot) {
			*err = VM_FAULT_OOM;
			goto out_unlock;
		}
		zvmo_pl_slot_set_page(slot, new);
		cow->nr_pages++;
		cow->commit_events++;
		page = new;
		new = NULL;
		committed = true;
		zvmo_cow_validate_locked(cow);
	}
	if (page == zvmo_zero_page)
		WRITE_ONCE(cow->zero_mapped, true);
	get_page(page);
	mutex_unlock(&cow->hier->lock);
	if (new)
		zvmo_free_page(new);
	if (committed)
		zvmo_cow_unmap_zero(cow, off, off + PAGE_SIZE);

	lock_page(page);
	mutex_lock(&cow->hier->lock);
	if (off >= cow->size || zvmo_cow_page_or_zero(cow, off) != page) {
		/* Removed, replaced or filled while we waited for the lock. */
		mutex_unlock(&cow->hier->lock);
		unlock_page(page);
		put_page(page);
		goto retry;
	}
	mutex_unlock(&cow->hier->lock);
	return page;

out_unlock:
	mutex_unlock(&cow->hier->lock);
	if (new)
		zvmo_free_page(new);
	return NULL;
}

/* Pages a read fault maps at once: the faulting one's aligned block. */
#define ZVMO_FAULT_AROUND	16

/*
 * Map the committed pages of a read fault's block, the faulting page among
 * them, as the page cache's fault-around does, so reading a mapping costs
 * a fault per block rather than per page. Pages are inserted under the
 * hierarchy lock, so a removal either came first (and they are not found)
 * or comes after and unmaps them. Entries that exist already are left
 * alone. Returns true if the faulting address is mapped now.
 */
static bool zvmo_cow_fault_around(struct zvmo_cow_pages *cow,
				  struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long span = ZVMO_FAULT_AROUND * PAGE_SIZE;
	unsigned long start = max(ALIGN_DOWN(vmf->address, span),
				  vma->vm_start);
	unsigned long end = min(start + span, vma->vm_end);
	struct page *pages[ZVMO_FAULT_AROUND];
	unsigned long addr, run_addr = 0, num, done, at;
	struct zvmo_pl_slot *slot;
	unsigned int n = 0, i;
	bool mapped = false;
	int err;
	u64 off;

	mutex_lock(&cow->hier->lock);
	for (addr = start; addr <= end; addr += PAGE_SIZE) {
		struct page *page = NULL;

		if (addr < end) {
			off = ((u64)vmf->pgoff << PAGE_SHIFT) +
			      (addr - vmf->address);
			slot = off < cow->size ?
			       zvmo_page_list_lookup(&cow->pages, off) : NULL;
			page = slot ? zvmo_pl_slot_page(slot) : NULL;
		}
		if (page) {
			if (!n)
				run_addr = addr;
			pages[n++] = page;
			continue;
		}
		/* A run ended: insert it, stepping over present entries. */
		at = (vmf->address - run_addr) >> PAGE_SHIFT;
		for (i = 0; i < n; i += done + 1) {
			num = n - i;
			err = vm_insert_pages(vma, run_addr + i * PAGE_SIZE,
					      pages + i, &num);
			done = n - i - num;
			if (vmf->address >= run_addr && at >= i &&
			    (at < i + done || (at == i + done && err == -EBUSY)))
				mapped = true;
		}
		n = 0;
	}
	mutex_unlock(&cow->hier->lock);
	return mapped;
}

/**
 * zvmo_cow_fault() - resolve a page fault on a mapping of the VMO
 * @cow: the pages
 * @vmf: the fault; vmf->pgoff is the page's offset in the VMO
 * @shared_write: a write through a shared mapping, which commits a page
 *
 * The page is returned in vmf->page, locked and with a reference, for the
 * core mm to map (and copy, for a private mapping's write). A hole that is
 * not written through a shared mapping gives the zero page, mapped
 * read-only, and commits nothing. Past the end is SIGBUS. A read fault of
 * a committed page maps it, and the committed pages around it, itself.
 *
 * Context: Page fault; the mmap lock is held. Takes the hierarchy lock and
 * the page lock.
 * Return: VM_FAULT_LOCKED, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS or
 * VM_FAULT_OOM.
 */
vm_fault_t zvmo_cow_fault(struct zvmo_cow_pages *cow, struct vm_fault *vmf,
			  bool shared_write)
{
	vm_fault_t ret = 0;

	if (!(vmf->flags & FAULT_FLAG_WRITE) && zvmo_cow_fault_around(cow, vmf))
		return VM_FAULT_NOPAGE;
	vmf->page = zvmo_cow_fault_page(cow, (u64)vmf->pgoff << PAGE_SHIFT,
					shared_write, &ret);
	return vmf->page ? VM_FAULT_LOCKED : ret;
}

/**
 * zvmo_cow_fault_mkwrite() - a page of a shared mapping is about to be
 *	made writable
 * @cow: the pages
 * @vmf: the fault; vmf->page is the page mapped or about to be
 *
 * A committed page that is still the VMO's is fine: it is returned locked.
 * The zero page never is: the VMO commits a page there, the zero page's
 * entries go, and the write faults again onto the new page.
 *
 * Context: Page fault; the mmap lock is held. Takes the hierarchy lock and
 * the page lock.
 * Return: VM_FAULT_LOCKED, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS or
 * VM_FAULT_OOM.
 */
vm_fault_t zvmo_cow_fault_mkwrite(struct zvmo_cow_pages *cow,
				  struct vm_fault *vmf)
{
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;
	struct page *page;
	vm_fault_t ret = 0;

	if (vmf->page != zvmo_zero_page) {
		lock_page(vmf->page);
		mutex_lock(&cow->hier->lock);
		if (off < cow->size &&
		    zvmo_cow_page_or_zero(cow, off) == vmf->page) {
			mutex_unlock(&cow->hier->lock);
			return VM_FAULT_LOCKED;
		}
		/* Gone meanwhile: its entry goes too; fault again. */
		mutex_unlock(&cow->hier->lock);
		unlock_page(vmf->page);
		return VM_FAULT_NOPAGE;
	}

	page = zvmo_cow_fault_page(cow, off, true, &ret);
	if (!page)
		return ret;
	unlock_page(page);
	put_page(page);
	unmap_mapping_range(cow->mapping, off, PAGE_SIZE, 0);
	return VM_FAULT_NOPAGE;
}
