// SPDX-License-Identifier: GPL-2.0
/*
 * The pages of VMOs as the rest of the kernel sees them: read() and
 * write(), commit, decommit, zero, resize, and page faults, over the
 * hierarchy of cow_pages.c.
 *
 * Pages are allocated with the hierarchy lock dropped, into a pool, and
 * freed after it is released. Read-only page table entries are installed
 * under the hierarchy lock (fault-around and fault handlers use
 * vm_insert_pages()). Writable ones are installed, or made writable, by
 * the core after ->page_mkwrite checked under the lock that the page is
 * the leaf's own: from do_shared_fault() for a first write (->fault
 * hands the page over in vmf->page, and finish_fault() maps it writable,
 * one fault in all, as for a file) or from the write-protect fault of a
 * read-only entry. Either way the core holds the page locked until the
 * entry is in place, and ->page_mkwrite notes the page in the leaf's
 * in-flight entries; whatever takes pages away from a leaf (snapshot,
 * decommit, zero, shrink) first waits, with the lock dropped, until each
 * of those pages is unlocked, then changes the pages and unmaps them,
 * under the lock. So no mapping ever shows a page the VMO no longer has
 * at that place, and no snapshot can be written through a mapping of its
 * parent.
 *
 * Bytes are copied from user memory under the lock with page faults
 * disabled, so a write() racing with a snapshot lands wholly before or
 * after it; when that copy would fault, the lock is dropped and the
 * source faulted in.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/wait_bit.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include "../compat.h"
#include "../compress.h"
#include "../pager/pager.h"
#include "../reclaim.h"
#include "../zvmo.h"
#include "cow_mm.h"

/*
 * Pages are charged to the caller's memory cgroup. Past its limit the
 * allocation fails rather than waking the OOM killer: a VMO commit is a
 * request the caller can see fail, like mmap(MAP_POPULATE) of too much.
 */
#define ZVMO_GFP_PAGE \
	(GFP_HIGHUSER | __GFP_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* Pages allocated per round trip of the lock when committing. */
#define ZVMO_COMMIT_BATCH	16

/* Pages a read fault maps at once: the faulting one's aligned block. */
#define ZVMO_FAULT_AROUND	16

/*
 * The page mappings show where a VMO reads zeros: read-only, never
 * written, never freed while the module is loaded.
 */
static struct page *zvmo_zero_page;

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

/**
 * zvmo_cow_page_alloc() - a page for a VMO, its content garbage
 *
 * Context: Process context; may sleep; not under the hierarchy lock.
 * Return: the page or NULL.
 */
struct page *zvmo_cow_page_alloc(void)
{
	struct page *page = alloc_page(ZVMO_GFP_PAGE);

	if (page)
		atomic_long_inc(&zvmo_counters.pages);
	return page;
}

/**
 * zvmo_cow_page_free() - drop the VMO's reference to a page
 * @page: the page; mappings may still hold it until they are torn down
 */
void zvmo_cow_page_free(struct page *page)
{
	atomic_long_dec(&zvmo_counters.pages);
	/* Back to write-back before the allocator has it again. */
	if (page_private(page))
		zvmo_cow_page_set_policy(page, ZVMO_CACHE_CACHED);
	put_page(page);
}

/**
 * zvmo_cow_page_decompress() - fill a page from the compressed store
 * @page: the page
 * @handle: the content, which stays in the store
 *
 * Context: Process context; may sleep.
 * Return: 0 or -EIO.
 */
int zvmo_cow_page_decompress(struct page *page, unsigned long handle)
{
	return zvmo_zc_load(handle, page);
}

/**
 * zvmo_cow_compressed_free() - drop content from the compressed store
 * @handle: the content
 *
 * Context: Any context that may take a spinlock.
 */
void zvmo_cow_compressed_free(unsigned long handle)
{
	zvmo_zc_free(handle);
}

/**
 * zvmo_cow_page_set_policy() - give a page the memory type of a policy
 * @page: the page, the VMO's, in no page table
 * @policy: ZVMO_CACHE_*
 *
 * Changes the kernel's own alias of the page (the direct map), so that
 * the page table entries of mappings, made with the same type, never
 * conflict with it (on x86 the PAT forbids two types for one page). The
 * page remembers its type in page->private, until it is made cached
 * again.
 *
 * Context: Process context; may sleep.
 * Return: 0, -ENOMEM, or -EOPNOTSUPP where the architecture has no way.
 */
int zvmo_cow_page_set_policy(struct page *page, unsigned int policy)
{
#ifdef CONFIG_X86
	unsigned long addr = (unsigned long)page_address(page);
	int err;

	if (policy == page_private(page))
		return 0;
	switch (policy) {
	case ZVMO_CACHE_CACHED:
		err = set_memory_wb(addr, 1);
		break;
	case ZVMO_CACHE_UNCACHED:
	case ZVMO_CACHE_UNCACHED_DEVICE:
		if (page_private(page))
			set_memory_wb(addr, 1);
		err = set_memory_uc(addr, 1);
		break;
	case ZVMO_CACHE_WRITE_COMBINING:
		if (page_private(page))
			set_memory_wb(addr, 1);
		err = set_memory_wc(addr, 1);
		break;
	default:
		err = -EINVAL;
	}
	if (err) {
		if (page_private(page) && !set_memory_wb(addr, 1))
			set_page_private(page, ZVMO_CACHE_CACHED);
		return err;
	}
	set_page_private(page, policy);
	return 0;
#else
	return policy == ZVMO_CACHE_CACHED ? 0 : -EOPNOTSUPP;
#endif
}

/**
 * zvmo_cow_page_copy() - copy a page
 * @dst: the copy
 * @src: the original
 */
void zvmo_cow_page_copy(struct page *dst, struct page *src)
{
	copy_highpage(dst, src);
}

/**
 * zvmo_cow_page_clear() - zero a page
 * @page: the page
 */
void zvmo_cow_page_clear(struct page *page)
{
	clear_highpage(page);
}

/**
 * zvmo_cow_unmap_leaf_locked() - unmap a range of a leaf from its views
 * @leaf: the leaf
 * @start: page-aligned start, in leaf offsets
 * @end: end (U64_MAX: to the end)
 *
 * Its clones' views are unmapped where they read through it.
 *
 * Context: The hierarchy lock is held; takes each address space's i_mmap
 * lock.
 */
void zvmo_cow_unmap_leaf_locked(struct zvmo_cow_pages *leaf, u64 start,
				u64 end)
{
	struct zvmo_cow_view *view;

	struct zvmo_cow_pages *clone;

	lockdep_assert_held(&leaf->hier->lock);
	list_for_each_entry(view, &leaf->views, link) {
		u64 vend = view->len == U64_MAX ? U64_MAX :
			   view->offset + view->len;
		u64 s = max(start, view->offset), e = min(end, vend);

		if (s >= e || !mapping_mapped(view->mapping))
			continue;
		unmap_mapping_range(view->mapping, s - view->offset,
				    e == U64_MAX ? 0 : e - s, 0);
	}
	/* Clones show this leaf's pages where they have none. */
	list_for_each_entry(clone, &leaf->clones, clone_link) {
		u64 s = max(start, clone->origin_offset);
		u64 e = min(end, clone->origin_offset + clone->origin_limit);

		if (s < e)
			zvmo_cow_unmap_leaf_locked(clone,
						   s - clone->origin_offset,
						   e - clone->origin_offset);
	}
}

/**
 * zvmo_cow_view_add() - let a VMO look into a leaf
 * @leaf: the leaf
 * @view: the VMO's view, filled but for @view->link
 *
 * Context: Process context; takes the hierarchy lock.
 */
void zvmo_cow_view_add(struct zvmo_cow_pages *leaf,
		       struct zvmo_cow_view *view)
{
	mutex_lock(&leaf->hier->lock);
	list_add(&view->link, &leaf->views);
	mutex_unlock(&leaf->hier->lock);
}

/**
 * zvmo_cow_view_del() - the end of a VMO's view, once it has no mappings
 * @leaf: the leaf
 * @view: the view
 *
 * Context: Process context; takes the hierarchy lock.
 */
void zvmo_cow_view_del(struct zvmo_cow_pages *leaf,
		       struct zvmo_cow_view *view)
{
	mutex_lock(&leaf->hier->lock);
	list_del(&view->link);
	mutex_unlock(&leaf->hier->lock);
}

#ifdef ZVMO_DEBUG
/*
 * Debug builds check the whole hierarchy after every change, as the
 * seeds' DebugValidate* do.
 */
static void zvmo_cow_check_locked(struct zvmo_cow_pages *leaf)
{
	WARN(zvmo_cow_validate_locked(leaf),
	     "zvmo: VMO hierarchy invariants broken\n");
}
#else
static inline void zvmo_cow_check_locked(struct zvmo_cow_pages *leaf)
{
}
#endif

/* Drop the in-flight entries of @leaf whose fault is over. */
static void zvmo_cow_reap_locked(struct zvmo_cow_pages *leaf)
{
	unsigned int i = 0;

	while (i < leaf->nr_inflight) {
		struct page *page = leaf->inflight[i];

		if (!trylock_page(page)) {
			i++;
			continue;
		}
		unlock_page(page);
		put_page(page);
		leaf->inflight[i] = leaf->inflight[--leaf->nr_inflight];
	}
}

/**
 * zvmo_cow_quiesce_locked() - wait for the writes on their way into page
 *	tables of a leaf's mappings
 * @leaf: the leaf
 *
 * Returns once no fault that ->page_mkwrite let through is still to
 * install a writable entry for a page of the leaf: an operation that then
 * takes pages away from the leaf, under the lock, unmaps every writable
 * entry of them. New faults wait meanwhile (->page_mkwrite retries them).
 *
 * Context: Process context, holding no page lock. The hierarchy lock is
 * held; it is dropped while waiting and held again on return.
 */
void zvmo_cow_quiesce_locked(struct zvmo_cow_pages *leaf)
{
	for (;;) {
		struct page *page;

		zvmo_cow_reap_locked(leaf);
		if (!leaf->nr_inflight)
			return;
		page = leaf->inflight[0];
		get_page(page);
		WRITE_ONCE(leaf->quiescing, leaf->quiescing + 1);
		mutex_unlock(&leaf->hier->lock);
		folio_wait_locked(page_folio(page));
		put_page(page);
		mutex_lock(&leaf->hier->lock);
		WRITE_ONCE(leaf->quiescing, leaf->quiescing - 1);
		if (!leaf->quiescing) {
			/* Pairs with the waiters' check in ->page_mkwrite. */
			smp_mb();
			wake_up_var(&leaf->quiescing);
		}
	}
}

#ifdef ZVMO_DEBUG
/*
 * Debug builds only: how long ->page_mkwrite sleeps after letting a write
 * through, to widen the window the race tests aim at (a snapshot or a
 * decommit while the core has still to install the writable entry).
 */
static unsigned int zvmo_mkwrite_delay_us;
module_param_named(debug_mkwrite_delay_us, zvmo_mkwrite_delay_us, uint, 0644);
MODULE_PARM_DESC(debug_mkwrite_delay_us,
		 "microseconds each write fault waits before its entry is installed (debug builds)");

static void zvmo_cow_mkwrite_delay(void)
{
	unsigned int us = READ_ONCE(zvmo_mkwrite_delay_us);

	if (us)
		fsleep(us);
}
#else
static inline void zvmo_cow_mkwrite_delay(void)
{
}
#endif

/*
 * Note @page, locked by a fault about to make it writable, in @leaf's
 * in-flight entries. False if it cannot be now (an operation waits for
 * them, or too many are in flight): the fault must retry.
 */
static bool zvmo_cow_track_locked(struct zvmo_cow_pages *leaf,
				  struct page *page)
{
	if (leaf->quiescing)
		return false;
	if (leaf->nr_inflight == ZVMO_COW_INFLIGHT)
		zvmo_cow_reap_locked(leaf);
	if (leaf->nr_inflight == ZVMO_COW_INFLIGHT)
		return false;
	get_page(page);
	leaf->inflight[leaf->nr_inflight++] = page;
	return true;
}

/*
 * Unlock the hierarchy, then free what the operation removed and what is
 * left of its pool.
 */
static void zvmo_cow_unlock(struct zvmo_cow_pages *leaf,
			    struct list_head *freelist,
			    struct zvmo_cow_pool *pool)
{
	zvmo_cow_check_locked(leaf);
	mutex_unlock(&leaf->hier->lock);
	if (freelist)
		zvmo_cow_free_list(freelist);
	if (pool)
		zvmo_cow_pool_drain(pool);
}

/*
 * Refill @pool, with the lock dropped, after an operation ran out. Keeps
 * the pages: the operation retries.
 */
static int zvmo_cow_refill(struct zvmo_cow_pages *leaf,
			   struct zvmo_cow_pool *pool)
{
	int err;

	mutex_unlock(&leaf->hier->lock);
	err = zvmo_cow_pool_fill(pool, pool->want);
	pool->want = 0;
	mutex_lock(&leaf->hier->lock);
	return err;
}

/* Bytes done so far, or @err if nothing was. */
static ssize_t zvmo_done_or(size_t done, int err)
{
	return done ? done : err;
}

/*
 * @leaf lacks the page at @off, and a pager is to supply it (its own, or
 * its origin's): ask for the run of missing pages there, up to @end, and
 * wait for the answer. Drops the lock; the caller holds the VMO, and so
 * the page source (a clone holds its origin's VMO). Returns 0 to look
 * again, or the error the access fails with.
 */
static int zvmo_cow_await(struct zvmo_cow_pages *leaf, u64 off, u64 end)
{
	struct zvmo_page_source *src;
	struct zvmo_cow_pages *root;
	u64 root_off, len, gen;

	root = zvmo_cow_missing_root_locked(leaf, off, &root_off);
	if (!root) {
		mutex_unlock(&leaf->hier->lock);
		return 0;
	}
	src = root->source;
	len = zvmo_cow_missing_run_locked(root, root_off, ZVMO_PAGER_BATCH);
	gen = zvmo_page_source_gen(src);
	mutex_unlock(&leaf->hier->lock);
	len = min(len, PAGE_ALIGN(max_t(u64, end, off + PAGE_SIZE)) - off);
	return zvmo_page_source_wait(src, ZVMO_PAGER_READ, root_off, len, gen,
				     ZVMO_WAIT);
}

/*
 * A write to @end reached clean content of @leaf at @off, and @leaf traps
 * dirty: ask the pager to let the run of clean content from there be
 * dirtied, and wait. Drops the lock. Returns 0 to look again, or the
 * error the write fails with.
 */
static int zvmo_cow_await_dirty(struct zvmo_cow_pages *leaf, u64 off,
				u64 end)
{
	struct zvmo_page_source *src = leaf->source;
	u64 len, gen;

	len = zvmo_cow_clean_run_locked(leaf, off, PAGE_ALIGN(end),
					ZVMO_PAGER_BATCH);
	gen = zvmo_page_source_gen(src);
	mutex_unlock(&leaf->hier->lock);
	return zvmo_page_source_wait(src, ZVMO_PAGER_DIRTY, off, len, gen,
				     ZVMO_WAIT);
}

/*
 * The page @leaf reads at @off with a reference taken, NULL where it reads
 * zeros, -ERANGE if @off is at or past the end, or the error of a pager
 * that did not supply it. A read to @end asks for the pages up to there.
 */
static struct page *zvmo_cow_get_page(struct zvmo_cow_pages *leaf, u64 off,
				      u64 end, struct zvmo_cow_pool *pool)
{
	struct page *page;
	int err;

	for (;;) {
		mutex_lock(&leaf->hier->lock);
		if (off >= leaf->size) {
			page = ERR_PTR(-ERANGE);
			break;
		}
		page = zvmo_cow_page_locked(leaf, off);
		if (PTR_ERR_OR_ZERO(page) == -EAGAIN) {
			/* Compressed: decompress it, refilling if need be. */
			err = zvmo_cow_decompress_locked(leaf, off, pool);
			if (err == -EAGAIN)
				err = zvmo_cow_refill(leaf, pool);
			mutex_unlock(&leaf->hier->lock);
			if (err)
				return ERR_PTR(err);
			continue;
		}
		if (page) {
			get_page(page);
			break;
		}
		if (!zvmo_cow_missing_locked(leaf, off))
			break;
		err = zvmo_cow_await(leaf, off, end);
		if (err)
			return ERR_PTR(err);
	}
	mutex_unlock(&leaf->hier->lock);
	return page;
}

/**
 * zvmo_cow_read() - copy a leaf's bytes at @off into @to
 * @leaf: the leaf
 * @off: leaf offset of the first byte
 * @to: destination; iov_iter_count(@to) bytes are read
 *
 * Pages the leaf does not have read as their ancestors' or as zeros, and
 * nothing is committed; a pager-backed leaf waits for its pager to supply
 * them. The caller checked the range against the size; a shrink racing
 * with the read ends it early with -ERANGE.
 *
 * Context: Process context; takes and drops the hierarchy lock per page;
 * copies to user memory with it dropped, holding a page reference.
 * Return: bytes read, or a negative errno if none were.
 */
ssize_t zvmo_cow_read(struct zvmo_cow_pages *leaf, u64 off,
		      struct iov_iter *to)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	size_t len = iov_iter_count(to);
	ssize_t ret = 0;
	size_t done = 0;

	while (done < len) {
		u64 pos = off + done;
		size_t pg_off = offset_in_page(pos);
		size_t n = min_t(size_t, PAGE_SIZE - pg_off, len - done);
		struct page *page;
		size_t copied;

		page = zvmo_cow_get_page(leaf, pos & PAGE_MASK, off + len,
					 &pool);
		if (IS_ERR(page)) {
			ret = zvmo_done_or(done, PTR_ERR(page));
			goto out;
		}
		if (page) {
			copied = copy_page_to_iter(page, pg_off, n, to);
			put_page(page);
		} else {
			copied = iov_iter_zero(n, to);
		}
		done += copied;
		if (copied < n) {
			ret = zvmo_done_or(done, -EFAULT);
			goto out;
		}
		if (fatal_signal_pending(current)) {
			ret = zvmo_done_or(done, -EINTR);
			goto out;
		}
		cond_resched();
	}
	ret = done;
out:
	zvmo_cow_pool_drain(&pool);
	return ret;
}

/*
 * The leaf's own page at @off, forking or committing it, with the lock
 * held on return if the result is a page. Refills @pool as needed, and
 * waits for a pager to supply the page, except in a fault: then
 * ERR_PTR(-ENODATA) comes back with the lock held, for the fault to wait
 * its own way.
 */
static struct page *zvmo_cow_writable(struct zvmo_cow_pages *leaf, u64 off,
				      struct zvmo_cow_pool *pool, bool fault)
{
	struct page *page;
	int err;

	mutex_lock(&leaf->hier->lock);
	for (;;) {
		if (off >= leaf->size) {
			page = ERR_PTR(-ERANGE);
			break;
		}
		page = zvmo_cow_writable_locked(leaf, off, pool);
		err = PTR_ERR_OR_ZERO(page);
		if (err == -ENODATA) {
			if (fault)
				return page;
			err = zvmo_cow_await(leaf, off, off + PAGE_SIZE);
			if (err)
				return ERR_PTR(err);
			mutex_lock(&leaf->hier->lock);
			continue;
		}
		if (err != -EAGAIN)
			break;
		err = zvmo_cow_refill(leaf, pool);
		if (err) {
			page = ERR_PTR(err);
			break;
		}
	}
	if (IS_ERR(page))
		mutex_unlock(&leaf->hier->lock);
	return page;
}

/**
 * zvmo_cow_write() - copy @from into a leaf at @off
 * @leaf: the leaf
 * @off: leaf offset of the first byte
 * @from: source; iov_iter_count(@from) bytes are written
 *
 * Each page written becomes the leaf's own first (committed, or forked
 * from its ancestors). The source is faulted in first, so a bad buffer
 * fails with -EFAULT before anything changes.
 *
 * Context: Process context; takes and drops the hierarchy lock per page.
 * Return: bytes written, or a negative errno if none were.
 */
ssize_t zvmo_cow_write(struct zvmo_cow_pages *leaf, u64 off,
		       struct iov_iter *from)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	size_t len = iov_iter_count(from);
	size_t done = 0;
	ssize_t ret = 0;

	if (fault_in_iov_iter_readable(from, len))
		return -EFAULT;

	while (done < len) {
		u64 pos = off + done;
		size_t pg_off = offset_in_page(pos);
		size_t n = min_t(size_t, PAGE_SIZE - pg_off, len - done);
		struct page *page;
		size_t copied;

		page = zvmo_cow_writable(leaf, pos & PAGE_MASK, &pool, false);
		if (IS_ERR(page)) {
			ret = zvmo_done_or(done, PTR_ERR(page));
			goto out;
		}
		if (zvmo_cow_needs_dirty_locked(leaf, pos & PAGE_MASK)) {
			int err = zvmo_cow_await_dirty(leaf, pos & PAGE_MASK,
						       off + len);

			if (err) {
				ret = zvmo_done_or(done, err);
				goto out;
			}
			continue;
		}
		zvmo_cow_mark_dirty_locked(leaf, pos & PAGE_MASK);
		pagefault_disable();
		copied = copy_page_from_iter_atomic(page, pg_off, n, from);
		pagefault_enable();
		zvmo_cow_check_locked(leaf);
		mutex_unlock(&leaf->hier->lock);
		done += copied;
		if (copied < n &&
		    fault_in_iov_iter_readable(from, n - copied) == n - copied) {
			ret = zvmo_done_or(done, -EFAULT);
			goto out;
		}
		if (fatal_signal_pending(current)) {
			ret = zvmo_done_or(done, -EINTR);
			goto out;
		}
		cond_resched();
	}
	ret = done;
out:
	zvmo_cow_pool_drain(&pool);
	return ret;
}

/*
 * The leaf's own page at @pos of a range to @end, committing or forking
 * it; NULL after @pool was refilled (with the lock dropped) for a batch of
 * the pages to come, or after a pager supplied pages: look again.
 */
static struct page *zvmo_cow_own_locked(struct zvmo_cow_pages *leaf, u64 pos,
					u64 end, struct zvmo_cow_pool *pool)
{
	struct page *page;
	int err;

	if (end > leaf->size)
		return ERR_PTR(-ERANGE);
	page = zvmo_cow_writable_locked(leaf, pos, pool);
	if (PTR_ERR_OR_ZERO(page) == -ENODATA) {
		err = zvmo_cow_await(leaf, pos, end);
		mutex_lock(&leaf->hier->lock);
		return err ? ERR_PTR(err) : NULL;
	}
	if (PTR_ERR_OR_ZERO(page) != -EAGAIN)
		return page;
	pool->want = max_t(u64, pool->want,
			   min_t(u64, ZVMO_COMMIT_BATCH,
				 (end - pos) >> PAGE_SHIFT));
	err = zvmo_cow_refill(leaf, pool);
	if (!err && fatal_signal_pending(current))
		err = -EINTR;
	return err ? ERR_PTR(err) : NULL;
}

/**
 * zvmo_cow_commit() - commit every page of [@start, @end) of a leaf
 * @leaf: the leaf
 * @start: page-aligned start
 * @end: page-aligned end, at most the size
 *
 * Where the leaf reads its ancestors' pages it gets copies of its own,
 * elsewhere zeroed pages. What was committed before a failure stays.
 *
 * Context: Process context; may sleep; takes the hierarchy lock.
 * Return: 0, -ENOMEM, -ERANGE if the leaf shrank under us, or -EINTR if a
 * fatal signal came.
 */
int zvmo_cow_commit(struct zvmo_cow_pages *leaf, u64 start, u64 end)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	LIST_HEAD(freelist);
	u64 pos = start, discards;
	int err = 0;

	mutex_lock(&leaf->hier->lock);
	discards = leaf->discards;
	while (pos < end) {
		struct page *page = zvmo_cow_own_locked(leaf, pos, end, &pool);

		/*
		 * Reclaim discarded what this commit did so far (it took the
		 * lock while the pool was refilled): the memory is not there
		 * to hold the range, and going on would only feed reclaim.
		 */
		if (leaf->discards != discards) {
			err = -ENOMEM;
			break;
		}
		if (!page)
			continue;
		if (IS_ERR(page)) {
			err = PTR_ERR(page);
			break;
		}
		pos += PAGE_SIZE;
		if (!((pos >> PAGE_SHIFT) % ZVMO_COMMIT_BATCH) &&
		    need_resched()) {
			mutex_unlock(&leaf->hier->lock);
			cond_resched();
			mutex_lock(&leaf->hier->lock);
		}
	}
	zvmo_cow_unlock(leaf, &freelist, &pool);
	return err;
}

/**
 * zvmo_cow_has_parent() - whether a leaf reads through a hidden node
 * @leaf: the leaf
 *
 * Context: Any context; the answer may change at once.
 * Return: true if it is, or was made, a snapshot or has one.
 */
bool zvmo_cow_has_parent(struct zvmo_cow_pages *leaf)
{
	return READ_ONCE(leaf->parent);
}

/**
 * zvmo_cow_decommit() - free the pages of [@start, @end) of a leaf
 * @leaf: the leaf
 * @start: page-aligned start
 * @end: page-aligned end
 *
 * Costs time in proportion to the pages present, not to the range.
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0, -ERANGE if the range is past the end, -EBUSY if a page in it
 * is pinned (then nothing is freed), or -EOPNOTSUPP if the leaf reads
 * through a hidden node, is contiguous or is pager-backed (as Zircon:
 * decommit is not supported on copy-on-write children, contiguous or
 * pager-backed VMOs).
 */
int zvmo_cow_decommit(struct zvmo_cow_pages *leaf, u64 start, u64 end)
{
	LIST_HEAD(freelist);
	int err = 0;

	mutex_lock(&leaf->hier->lock);
	zvmo_cow_quiesce_locked(leaf);
	if (leaf->parent || leaf->contiguous || leaf->source || leaf->origin)
		err = -EOPNOTSUPP;
	else if (end > leaf->size)
		err = -ERANGE;
	else if (zvmo_cow_pinned_in_locked(leaf, start, end))
		err = -EBUSY;
	else
		zvmo_cow_remove_locked(leaf, start, end, &freelist);
	zvmo_cow_unlock(leaf, &freelist, NULL);
	return err;
}

/*
 * Zero [@start, @end) within the page at @page_off, if the leaf reads
 * anything but zeros there.
 */
static int zvmo_cow_zero_partial_locked(struct zvmo_cow_pages *leaf,
					u64 page_off, size_t start,
					size_t end, struct zvmo_cow_pool *pool)
{
	struct page *page;
	int err;

	err = zvmo_cow_decompress_locked(leaf, page_off, pool);
	if (err)
		return err;
	if (!zvmo_cow_page_locked(leaf, page_off))
		return 0;
	page = zvmo_cow_writable_locked(leaf, page_off, pool);
	if (IS_ERR(page))
		return PTR_ERR(page);
	memzero_page(page, start, end - start);
	return 0;
}

/*
 * Zero [@start, @end) of @leaf: the partial pages at either end in place,
 * the whole pages between by zvmo_cow_zero_range_locked(); @pool is
 * refilled (with the lock dropped) as often as that asks. Lock held.
 */
static int zvmo_cow_zero_locked(struct zvmo_cow_pages *leaf, u64 start,
				u64 end, struct zvmo_cow_pool *pool,
				struct list_head *freelist)
{
	u64 first = round_up(start, PAGE_SIZE);
	u64 last = round_down(end, PAGE_SIZE);
	u64 head = start & PAGE_MASK;
	size_t pg_start = offset_in_page(start);
	int err = 0;

	do {
		if (err == -EAGAIN) {
			err = zvmo_cow_refill(leaf, pool);
			if (err)
				break;
		}
		zvmo_cow_quiesce_locked(leaf);
		if (end > leaf->size) {
			err = -ERANGE;
			break;
		}
		if (first > last) {
			/* Within one page. */
			err = zvmo_cow_zero_partial_locked(leaf, head, pg_start,
							   pg_start + end -
							   start, pool);
			continue;
		}
		err = 0;
		if (start < first)
			err = zvmo_cow_zero_partial_locked(leaf, head, pg_start,
							   PAGE_SIZE, pool);
		if (!err && last < end)
			err = zvmo_cow_zero_partial_locked(leaf, last, 0,
							   end - last, pool);
		if (!err && first < last)
			err = zvmo_cow_zero_range_locked(leaf, first, last,
							 pool, freelist);
	} while (err == -EAGAIN);
	return err;
}

/* Zero ranges allocated ahead, for an operation that may split some. */
static int zvmo_cow_spares_get(struct zvmo_cow_zero **spares)
{
	unsigned int i;

	for (i = 0; i < ZVMO_COW_ZERO_SPARES; i++) {
		spares[i] = kmalloc(sizeof(*spares[i]), GFP_KERNEL_ACCOUNT);
		if (!spares[i]) {
			while (i--)
				kfree(spares[i]);
			return -ENOMEM;
		}
	}
	return 0;
}

static void zvmo_cow_spares_put(struct zvmo_cow_zero **spares)
{
	unsigned int i;

	for (i = 0; i < ZVMO_COW_ZERO_SPARES; i++)
		kfree(spares[i]);
}

/* Write zeros over [@start, @end) of @leaf, inside one page. */
static int zvmo_cow_write_zeros(struct zvmo_cow_pages *leaf, u64 start,
				u64 end)
{
	struct kvec kv = {
		.iov_base = page_address(ZERO_PAGE(0)),
		.iov_len = end - start,
	};
	struct iov_iter from;
	ssize_t n;

	iov_iter_kvec(&from, ITER_SOURCE, &kv, 1, kv.iov_len);
	n = zvmo_cow_write(leaf, start, &from);
	if (n < 0)
		return n;
	return n == kv.iov_len ? 0 : -EINTR;
}

static bool zvmo_cow_present(void *ctx, u64 off);

static int zvmo_cow_dirty_step(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	zvmo_cow_mark_dirty_locked(ctx, off);
	return 0;
}

/*
 * ZERO of a pager-backed leaf, which is writing zeros: the partial pages
 * at the ends are written zeros as write() would (asking for them, and
 * for leave to dirty them); the whole pages between lose their content
 * (pinned ones are zeroed in place, and dirty) and become a dirty zero
 * range, which the pager never had. Waiters for pages there go on.
 */
static int zvmo_cow_zero_pager(struct zvmo_cow_pages *leaf, u64 start,
			       u64 end)
{
	struct zvmo_cow_zero *spares[ZVMO_COW_ZERO_SPARES] = { NULL };
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	u64 first = round_up(start, PAGE_SIZE);
	u64 last = round_down(end, PAGE_SIZE);
	LIST_HEAD(freelist);
	int err = 0;

	if (first > last)
		return zvmo_cow_write_zeros(leaf, start, end);
	if (start < first)
		err = zvmo_cow_write_zeros(leaf, start, first);
	if (!err && last < end)
		err = zvmo_cow_write_zeros(leaf, last, end);
	if (err || first == last)
		return err;
	err = zvmo_cow_spares_get(spares);
	if (err)
		return err;
	mutex_lock(&leaf->hier->lock);
	/* Whole pages only: the partial ones were written above. */
	err = zvmo_cow_zero_locked(leaf, first, last, &pool, &freelist);
	if (!err) {
		/* What stays, pinned pages, was written zeros. */
		zvmo_page_list_for_each(&leaf->pages, first, last,
					zvmo_cow_dirty_step, leaf);
		zvmo_cow_zeros_add_locked(leaf, first, last, spares);
		leaf->modified = true;
		zvmo_page_source_supplied(leaf->source, first, last,
					  zvmo_cow_present, leaf);
	}
	zvmo_cow_unlock(leaf, &freelist, &pool);
	zvmo_cow_spares_put(spares);
	if (!err)
		zvmo_page_source_wake(leaf->source);
	return err;
}

/**
 * zvmo_cow_zero() - make the bytes [@start, @end) of a leaf read zero
 * @leaf: the leaf
 * @start: first byte
 * @end: end of the range
 *
 * Whole pages lose their content (a marker keeps an ancestor's from
 * showing through); the partial pages at either end are zeroed in place,
 * forked first if they were an ancestor's. A pager-backed leaf's whole
 * pages become a dirty zero range, and its partial pages are written
 * zeros, as by write().
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0, -ERANGE if the range is past the end, -EOPNOTSUPP for an
 * at-least-on-write clone, -ENOMEM, or what a write() of the partial
 * pages of a pager-backed leaf fails with.
 */
int zvmo_cow_zero(struct zvmo_cow_pages *leaf, u64 start, u64 end)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	LIST_HEAD(freelist);
	int err;

	if (start == end)
		return 0;
	if (leaf->source)
		return zvmo_cow_zero_pager(leaf, start, end);
	/* A clone's zeros would have to hide its origin's content. */
	if (leaf->origin)
		return -EOPNOTSUPP;

	mutex_lock(&leaf->hier->lock);
	err = zvmo_cow_zero_locked(leaf, start, end, &pool, &freelist);
	zvmo_cow_unlock(leaf, &freelist, &pool);
	return err;
}

/**
 * zvmo_cow_resize() - change a leaf's size
 * @leaf: the leaf
 * @size: new size, page aligned
 *
 * See zvmo_cow_resize_locked().
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0, or -EBUSY if a page past the new size is pinned (then
 * nothing changed).
 */
int zvmo_cow_resize(struct zvmo_cow_pages *leaf, u64 size)
{
	struct zvmo_cow_zero *spares[ZVMO_COW_ZERO_SPARES] = { NULL };
	LIST_HEAD(freelist);
	bool shrunk = false;
	u64 old;
	int err = 0;

	if (leaf->source && zvmo_cow_spares_get(spares))
		return -ENOMEM;
	mutex_lock(&leaf->hier->lock);
	zvmo_cow_quiesce_locked(leaf);
	old = leaf->size;
	if (zvmo_cow_pinned_in_locked(leaf, size, old)) {
		err = -EBUSY;
	} else {
		shrunk = size < old;
		if (leaf->source && size != old)
			leaf->modified = true;
		zvmo_cow_resize_locked(leaf, size, &freelist);
		/* A pager's VMO grows into dirty zeros its pager never had. */
		if (leaf->source && size > old)
			zvmo_cow_zeros_add_locked(leaf, old, size, spares);
	}
	zvmo_cow_unlock(leaf, &freelist, NULL);
	zvmo_cow_spares_put(spares);
	/* Nothing past the end will be supplied: its waiters fail. */
	if (shrunk && leaf->source)
		zvmo_page_source_cancel(leaf->source, size, U64_MAX, -ERANGE);
	return err;
}

/* Take one pin off each page of [@start, @end), pinned by the caller. */
static void zvmo_cow_unpin_locked(struct zvmo_cow_pages *leaf, u64 start,
				  u64 end)
{
	struct zvmo_pl_slot *slot;
	u64 off;

	for (off = start; off < end; off += PAGE_SIZE) {
		slot = zvmo_page_list_lookup(&leaf->pages, off);
		if (WARN_ON_ONCE(!slot || !zvmo_cow_pins(slot)))
			continue;
		if (!(--slot->state & ZVMO_COW_PIN_MASK)) {
			leaf->nr_pinned--;
			atomic_long_dec(&zvmo_counters.pinned_pages);
		}
	}
}

/**
 * zvmo_cow_pin() - commit and pin every page of a range of a leaf
 * @leaf: the leaf
 * @start: page-aligned start
 * @end: page-aligned end, past @start
 * @pages: filled with the pages, (@end - @start) / PAGE_SIZE of them
 * @write: the pin lets the pages be written
 *
 * Each page becomes the leaf's own first (committed, or forked from its
 * ancestors, as for a write), then gains a pin. A pinned page stays in
 * its slot, at the same physical address, until zvmo_cow_unpin(): the
 * operations that would take it away fail instead, and a zero clears it
 * in place. Pages pinned so far cannot go while the lock is dropped to
 * allocate, so the range is pinned whole or not at all.
 *
 * Context: Process context; may sleep; takes the hierarchy lock.
 * Return: 0, -ERANGE if the leaf is smaller than @end, -EPERM if a page
 * has ZVMO_COW_PIN_MAX pins already, -ENOMEM, or -EINTR if a fatal
 * signal came; on error nothing is pinned.
 */
int zvmo_cow_pin(struct zvmo_cow_pages *leaf, u64 start, u64 end,
		 struct page **pages, bool write)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	struct zvmo_pl_slot *slot;
	LIST_HEAD(freelist);
	unsigned long i = 0;
	u64 pos = start;
	int err = 0;

	mutex_lock(&leaf->hier->lock);
	while (pos < end) {
		struct page *page = zvmo_cow_own_locked(leaf, pos, end, &pool);

		if (!page)
			continue;
		if (IS_ERR(page)) {
			err = PTR_ERR(page);
			break;
		}
		if (write && zvmo_cow_needs_dirty_locked(leaf, pos)) {
			err = zvmo_cow_await_dirty(leaf, pos, end);
			mutex_lock(&leaf->hier->lock);
			if (err)
				break;
			continue;
		}
		slot = zvmo_page_list_lookup(&leaf->pages, pos);
		if (zvmo_cow_pins(slot) == ZVMO_COW_PIN_MAX) {
			err = -EPERM;
			break;
		}
		if (!zvmo_cow_pins(slot)) {
			leaf->nr_pinned++;
			atomic_long_inc(&zvmo_counters.pinned_pages);
		}
		slot->state++;
		/* What a device may write is dirty from now on. */
		if (write)
			zvmo_cow_mark_dirty_locked(leaf, pos);
		pages[i++] = page;
		pos += PAGE_SIZE;
		if (!(i % ZVMO_COMMIT_BATCH) && need_resched()) {
			mutex_unlock(&leaf->hier->lock);
			cond_resched();
			mutex_lock(&leaf->hier->lock);
		}
	}
	if (err)
		zvmo_cow_unpin_locked(leaf, start, pos);
	zvmo_cow_unlock(leaf, &freelist, &pool);
	return err;
}

/**
 * zvmo_cow_unpin() - take off the pins zvmo_cow_pin() put on a range
 * @leaf: the leaf
 * @start: as given to zvmo_cow_pin()
 * @end: as given to zvmo_cow_pin()
 *
 * Context: Process context; takes the hierarchy lock.
 */
void zvmo_cow_unpin(struct zvmo_cow_pages *leaf, u64 start, u64 end)
{
	mutex_lock(&leaf->hier->lock);
	zvmo_cow_unpin_locked(leaf, start, end);
	zvmo_cow_unlock(leaf, NULL, NULL);
}

static bool zvmo_cow_present(void *ctx, u64 off)
{
	return !zvmo_cow_missing_locked(ctx, off);
}

/**
 * zvmo_cow_supply() - move pages from an ordinary leaf into a pager's
 * @leaf: the pager-backed leaf
 * @start: page-aligned start in @leaf
 * @end: page-aligned end
 * @aux: the leaf the pages come from
 * @aux_start: page-aligned start in @aux
 *
 * A move, in batches of ZVMO_COW_MOVE_MAX pages, each under both locks
 * (@aux's first: it is never pager-backed, @leaf always is, so the order
 * is the same for everyone), and each whole or not at all; then the
 * requests the batch answers are done. Where @leaf has content it keeps
 * it and the page is freed; a hole in @aux supplies zeros.
 *
 * Context: Process context; may sleep; takes both hierarchy locks.
 * Return: 0; -ERANGE if a range is past its leaf's end; -EBUSY if @aux
 * has a parent, pins in the range, or is a pager's, a clone, contiguous
 * or not cached; -ENOMEM; -EIO if a compressed page of @aux does not
 * decompress; -EINTR if a fatal signal came while decompressing them.
 * Batches moved before a failure stay moved; the one that failed changed
 * nothing (what of @aux it decompressed stays decompressed).
 */
int zvmo_cow_supply(struct zvmo_cow_pages *leaf, u64 start, u64 end,
		    struct zvmo_cow_pages *aux, u64 aux_start)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	int err = 0;

	if (aux->hier == leaf->hier)
		return -EBUSY;
	while (!err && start < end) {
		unsigned int nr = min_t(u64, (end - start) >> PAGE_SHIFT,
					ZVMO_COW_MOVE_MAX);
		u64 len = (u64)nr << PAGE_SHIFT;
		LIST_HEAD(freelist);

		mutex_lock(&aux->hier->lock);
		zvmo_cow_quiesce_locked(aux);
		if (aux_start + len > aux->size)
			err = -ERANGE;
		else if (aux->parent || aux->source || aux->origin ||
			 aux->contiguous || aux->cache_policy ||
			 zvmo_cow_pinned_in_locked(aux, aux_start,
						   aux_start + len))
			err = -EBUSY;
		else
			/* Compressed pages of @aux's move as pages. */
			err = zvmo_cow_decompress_range_locked(aux, aux_start,
							       aux_start + len,
							       &pool);
		if (err == -EAGAIN) {
			err = zvmo_cow_refill(aux, &pool);
			if (!err && fatal_signal_pending(current))
				err = -EINTR;
			zvmo_cow_unlock(aux, &freelist, NULL);
			continue;
		}
		if (!err) {
			mutex_lock_nested(&leaf->hier->lock,
					  SINGLE_DEPTH_NESTING);
			err = zvmo_cow_move_locked(leaf, start, aux, aux_start,
						   nr, &freelist);
			if (!err)
				zvmo_page_source_supplied(leaf->source, start,
							  start + len,
							  zvmo_cow_present,
							  leaf);
			zvmo_cow_check_locked(leaf);
			mutex_unlock(&leaf->hier->lock);
			if (!err)
				zvmo_page_source_wake(leaf->source);
		}
		zvmo_cow_unlock(aux, &freelist, NULL);
		start += len;
		aux_start += len;
		cond_resched();
	}
	zvmo_cow_pool_drain(&pool);
	return err;
}

/**
 * zvmo_cow_supply_copy() - supply a pager-backed leaf from user memory
 * @leaf: the leaf
 * @start: page-aligned start
 * @end: page-aligned end
 * @buf: the content of [@start, @end)
 *
 * In batches of ZVMO_COW_MOVE_MAX pages: each is allocated and filled
 * with the lock dropped, then placed under it, whole or not at all.
 * Where @leaf has content it keeps it.
 *
 * Context: Process context; may sleep and fault; takes the hierarchy
 * lock.
 * Return: 0, -EFAULT or -ENOMEM; batches before a failure stay supplied.
 */
int zvmo_cow_supply_copy(struct zvmo_cow_pages *leaf, u64 start, u64 end,
			 const char __user *buf)
{
	unsigned int max = min_t(u64, (end - start) >> PAGE_SHIFT,
				 ZVMO_COW_MOVE_MAX);
	struct page *few[16], **pages = few;
	int err = 0;

	if (start == end)
		return 0;
	/* Most supplies answer one request: a batch of a few pages. */
	if (max > ARRAY_SIZE(few)) {
		pages = kvmalloc_array(max, sizeof(*pages), GFP_KERNEL);
		if (!pages)
			return -ENOMEM;
	}
	while (!err && start < end) {
		unsigned int nr = min_t(u64, (end - start) >> PAGE_SHIFT, max);
		unsigned int i, got;
		LIST_HEAD(freelist);

		for (got = 0; !err && got < nr; got++) {
			void *kaddr;

			pages[got] = zvmo_cow_page_alloc();
			if (!pages[got]) {
				err = -ENOMEM;
				break;
			}
			kaddr = kmap_local_page(pages[got]);
			if (copy_from_user(kaddr, buf + ((u64)got << PAGE_SHIFT),
					   PAGE_SIZE))
				err = -EFAULT;
			kunmap_local(kaddr);
		}
		if (!err) {
			mutex_lock(&leaf->hier->lock);
			err = zvmo_cow_fill_locked(leaf, start, pages, nr,
						   &freelist);
			if (!err)
				zvmo_page_source_supplied(leaf->source, start,
							  start +
							  ((u64)nr << PAGE_SHIFT),
							  zvmo_cow_present,
							  leaf);
			zvmo_cow_unlock(leaf, &freelist, NULL);
			if (!err)
				zvmo_page_source_wake(leaf->source);
		}
		if (err)
			for (i = 0; i < got; i++)
				zvmo_cow_page_free(pages[i]);
		start += (u64)nr << PAGE_SHIFT;
		buf += (u64)nr << PAGE_SHIFT;
		cond_resched();
	}
	if (pages != few)
		kvfree(pages);
	return err;
}

static bool zvmo_cow_not_clean(void *ctx, u64 off)
{
	struct zvmo_cow_pages *leaf = ctx;
	struct zvmo_pl_slot *slot = zvmo_page_list_lookup(&leaf->pages, off);

	return slot && !zvmo_pl_slot_is_empty(slot) &&
	       zvmo_cow_dirty(slot) != ZVMO_COW_CLEAN;
}

/**
 * zvmo_cow_pager_op() - a pager's operation on the dirty state of a range
 * @leaf: the pager-backed leaf
 * @op: ZVMO_PAGER_OP_DIRTY, ZVMO_PAGER_OP_WRITEBACK_BEGIN or
 *	ZVMO_PAGER_OP_WRITEBACK_END
 * @start: page-aligned start
 * @end: page-aligned end
 * @zeros_only: for WRITEBACK_BEGIN, ZVMO_DIRTY_RANGE_IS_ZERO was given
 *
 * DIRTY lets the writes waiting for the range go on. WRITEBACK_BEGIN
 * waits for the writable entries in flight, as a snapshot does, and takes
 * down the mappings of the pages it changes, so that each later write is
 * seen.
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0, -ERANGE if the leaf is smaller than @end, -ENOENT for a
 * DIRTY over a page never supplied (then nothing changed), or -ENOMEM.
 */
int zvmo_cow_pager_op(struct zvmo_cow_pages *leaf, u32 op, u64 start,
		      u64 end, bool zeros_only)
{
	struct zvmo_cow_zero *spares[ZVMO_COW_ZERO_SPARES] = { NULL };
	int err;

	err = zvmo_cow_spares_get(spares);
	if (err)
		return err;
	mutex_lock(&leaf->hier->lock);
	if (end > leaf->size) {
		err = -ERANGE;
	} else if (op == ZVMO_PAGER_OP_DIRTY) {
		err = zvmo_cow_pager_dirty_locked(leaf, start, end);
		if (!err)
			zvmo_page_source_dirtied(leaf->source, start, end,
						 zvmo_cow_not_clean, leaf);
	} else if (op == ZVMO_PAGER_OP_WRITEBACK_BEGIN) {
		zvmo_cow_quiesce_locked(leaf);
		if (zvmo_cow_writeback_begin_locked(leaf, start, end,
						    zeros_only, spares))
			zvmo_cow_unmap_leaf_locked(leaf, start, end);
	} else {
		zvmo_cow_writeback_end_locked(leaf, start, end, spares);
	}
	zvmo_cow_unlock(leaf, NULL, NULL);
	zvmo_cow_spares_put(spares);
	if (!err && op == ZVMO_PAGER_OP_DIRTY)
		zvmo_page_source_wake(leaf->source);
	return err;
}

/**
 * zvmo_cow_query_dirty() - the runs of dirty content of a range
 * @leaf: the pager-backed leaf
 * @start: page-aligned start
 * @end: page-aligned end
 * @out: filled with up to @max runs
 * @max: room in @out
 * @avail: set to the number of runs in the range
 *
 * See zvmo_cow_dirty_ranges_locked().
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0, or -ERANGE if the leaf is smaller than @end.
 */
int zvmo_cow_query_dirty(struct zvmo_cow_pages *leaf, u64 start, u64 end,
			 struct zvmo_cow_dirty_range *out, u64 max, u64 *avail)
{
	int err = 0;

	mutex_lock(&leaf->hier->lock);
	if (end > leaf->size)
		err = -ERANGE;
	else
		*avail = zvmo_cow_dirty_ranges_locked(leaf, start, end, out,
						      max);
	mutex_unlock(&leaf->hier->lock);
	return err;
}

/**
 * zvmo_cow_pager_stats() - whether a pager-backed leaf was modified
 * @leaf: the leaf
 * @reset: forget it from now on
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: true if the leaf was written or resized since it was made or
 * the last reset.
 */
bool zvmo_cow_pager_stats(struct zvmo_cow_pages *leaf, bool reset)
{
	bool modified;

	mutex_lock(&leaf->hier->lock);
	modified = leaf->modified;
	if (reset)
		leaf->modified = false;
	mutex_unlock(&leaf->hier->lock);
	return modified;
}

/* Pages one round of eviction takes under the lock at most. */
#define ZVMO_EVICT_BATCH	32

struct zvmo_cow_evict {
	struct zvmo_cow_pages *leaf;
	u64 offs[ZVMO_EVICT_BATCH];
	unsigned int nr;
	unsigned int max;
	bool dont_need_only;
	u64 next;
	unsigned long budget;
};

/*
 * One step of the clock over @leaf's content: take a clean page that
 * nothing protects and nobody read since the hand last passed; clear the
 * mark of one that was read, and take its mappings down, so that a read
 * through one is seen the next time round.
 */
static int zvmo_cow_evict_step(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zvmo_cow_evict *e = ctx;
	struct page *page = zvmo_pl_slot_page(slot);

	e->next = off + PAGE_SIZE;
	e->budget--;
	if (!page || zvmo_cow_pins(slot) || zvmo_cow_dirty(slot) ||
	    slot->state & ZVMO_COW_ALWAYS_NEED)
		goto next;
	if (e->dont_need_only) {
		if (!(slot->state & ZVMO_COW_DONT_NEED))
			goto next;
	} else if (slot->state & ZVMO_COW_ACCESSED) {
		slot->state &= ~ZVMO_COW_ACCESSED;
		if (page_mapped(page))
			zvmo_cow_unmap_leaf_locked(e->leaf, off,
						   off + PAGE_SIZE);
		goto next;
	}
	e->offs[e->nr++] = off;
next:
	return e->nr == e->max || !e->budget;
}

/**
 * zvmo_cow_evict() - give back clean pages of a pager-backed leaf
 * @leaf: the leaf
 * @nr: how many at most
 * @dont_need_only: only those ZVMO_OP_DONT_NEED marked
 *
 * A clock: the leaf's hand goes round its content, at most twice (once to
 * clear the marks of the pages read since it last passed, once more to
 * take them), evicting clean pages that are not pinned nor always
 * needed. Dirty and awaiting clean content stays. Mappings go before the
 * pages do; the next access asks the pager again.
 *
 * Context: Process context, reclaim included: takes the hierarchy lock
 * only if it is free, and allocates nothing.
 * Return: the pages evicted.
 */
unsigned long zvmo_cow_evict(struct zvmo_cow_pages *leaf, unsigned long nr,
			     bool dont_need_only)
{
	struct zvmo_cow_evict e = { .leaf = leaf,
				    .dont_need_only = dont_need_only };
	/* Ends of the content reached: the first may be half a round. */
	unsigned int ends = 0, max_ends = dont_need_only ? 2 : 3;
	unsigned long done = 0;
	LIST_HEAD(freelist);
	unsigned int i;
	u64 start;

	if (!nr || !mutex_trylock(&leaf->hier->lock))
		return 0;
	e.budget = 2 * (leaf->nr_pages + ZVMO_EVICT_BATCH);
	start = leaf->evict_hand < leaf->size ? leaf->evict_hand : 0;
	while (done < nr && e.budget && ends < max_ends && leaf->nr_pages) {
		e.nr = 0;
		e.max = min_t(unsigned long, nr - done, ZVMO_EVICT_BATCH);
		e.next = start;
		zvmo_page_list_for_each(&leaf->pages, start, leaf->size,
					zvmo_cow_evict_step, &e);
		for (i = 0; i < e.nr; i++)
			zvmo_cow_evict_page_locked(leaf, e.offs[i], &freelist);
		done += e.nr;
		if (e.nr < e.max && e.budget) {
			/* The walk reached the end: round again from 0. */
			ends++;
			start = 0;
		} else {
			start = e.next < leaf->size ? e.next : 0;
		}
	}
	/* Taking the pages not needed leaves the clock where it was. */
	if (!dont_need_only)
		leaf->evict_hand = start;
	leaf->evicted += done;
	zvmo_cow_unlock(leaf, &freelist, NULL);
	atomic_long_add(done, &zvmo_counters.evicted);
	return done;
}

/* Pages one round of dedup looks at under the lock at most. */
#define ZVMO_DEDUP_BATCH	32

struct zvmo_cow_dedup {
	u64 offs[ZVMO_DEDUP_BATCH];
	unsigned int nr;
	unsigned long budget;
	u64 next;
	bool skipped;
};

/* Whether @page holds nothing but zeros. */
static bool zvmo_cow_page_is_zero(struct page *page)
{
	void *addr = kmap_local_page(page);
	bool zero = !memchr_inv(addr, 0, PAGE_SIZE);

	kunmap_local(addr);
	return zero;
}

/*
 * One step of dedup over a leaf's pages: take a page that holds only
 * zeros and that nothing but the leaf holds. A page with another
 * reference is mapped, pinned by someone's get_user_pages(), being read,
 * or on its way into a page table (an in-flight write holds one): its
 * content may change or be in use, so it stays, and the pass is not
 * clean.
 */
static int zvmo_cow_dedup_step(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zvmo_cow_dedup *d = ctx;
	struct page *page = zvmo_pl_slot_page(slot);

	d->next = off + PAGE_SIZE;
	d->budget--;
	if (!page)
		goto next;
	if (zvmo_cow_pins(slot) || page_ref_count(page) != 1) {
		d->skipped = true;
		goto next;
	}
	if (zvmo_cow_page_is_zero(page))
		d->offs[d->nr++] = off;
next:
	return d->nr == ZVMO_DEDUP_BATCH || !d->budget;
}

/**
 * zvmo_cow_dedup() - free the pages of an ordinary leaf that hold only
 *	zeros
 * @leaf: the leaf
 * @budget: how many more pages may be looked at; what this call looks at
 *	is taken off
 * @min_age: jiffies the leaf must have gone unwritten first (0: look now)
 *
 * Only cold leaves are looked at: a leaf written since dedup last looked
 * is noted, and left for @min_age, so that what a task is committing or
 * writing now is not taken from under it. Then the leaf's hand goes over
 * its pages, a pass at a time, and each page of zeros that only the leaf
 * holds goes (a marker stays where an ancestor's content would show
 * through): the leaf reads the same zeros without it. A pass that had
 * nothing in its way, with no write to the leaf meanwhile, leaves the
 * leaf clean: dedup looks at it again only once it is written or its
 * hierarchy changes.
 *
 * Context: Process context, reclaim included: takes the hierarchy lock
 * only if it is free, and allocates nothing.
 * Return: the pages freed.
 */
unsigned long zvmo_cow_dedup(struct zvmo_cow_pages *leaf,
			     unsigned long *budget, unsigned long min_age)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	struct zvmo_cow_dedup d = { .skipped = false };
	unsigned long done = 0;
	LIST_HEAD(freelist);
	unsigned int i;
	int stopped;

	if (!*budget || !mutex_trylock(&leaf->hier->lock))
		return 0;
	/* Uncached pages are not read through the kernel's mapping. */
	if (leaf->cache_policy || !leaf->nr_pages)
		goto out;
	if (!leaf->dedup_done) {
		/* Written since the last look: from now on, no write yet. */
		leaf->dedup_done = true;
		leaf->dedup_clean = false;
		leaf->dedup_stamp = jiffies;
		leaf->dedup_hand = 0;
	} else if (leaf->dedup_clean && leaf->dedup_gen == leaf->hier->gen) {
		goto out;
	}
	if (min_age && time_before(jiffies, leaf->dedup_stamp + min_age))
		goto out;
	/* A new pass, or the hierarchy changed since the last round. */
	if (!leaf->dedup_hand || leaf->dedup_hand >= leaf->size ||
	    leaf->dedup_gen != leaf->hier->gen) {
		leaf->dedup_hand = 0;
		leaf->dedup_skipped = false;
	}
	/* Writes that are over hold no reference any more. */
	zvmo_cow_reap_locked(leaf);
	while (*budget && leaf->nr_pages) {
		d.nr = 0;
		d.budget = *budget;
		d.next = leaf->dedup_hand;
		stopped = zvmo_page_list_for_each(&leaf->pages,
						  leaf->dedup_hand, leaf->size,
						  zvmo_cow_dedup_step, &d);
		for (i = 0; i < d.nr; i++)
			zvmo_cow_zero_page_locked(leaf, d.offs[i], &pool,
						  &freelist);
		done += d.nr;
		*budget = d.budget;
		leaf->dedup_skipped |= d.skipped;
		if (!stopped || d.next >= leaf->size || !leaf->nr_pages) {
			/* The pass is over: clean if nothing was in its way. */
			leaf->dedup_hand = 0;
			leaf->dedup_clean = leaf->dedup_done &&
					    !leaf->dedup_skipped;
			break;
		}
		leaf->dedup_hand = d.next;
	}
	leaf->dedup_gen = leaf->hier->gen;
out:
	zvmo_cow_unlock(leaf, &freelist, &pool);
	atomic_long_add(done, &zvmo_counters.deduped);
	return done;
}

struct zvmo_cow_zc {
	struct zvmo_cow_pages *leaf;
	struct zvmo_cow_pages *node;
	u64 delta;	/* node offset - leaf offset */
	u64 next;
	struct mem_cgroup *memcg;
	struct list_head *freelist;
	unsigned long budget;
	unsigned long want;
	unsigned long done;
	bool dont_need_only;
	bool full;
};

/*
 * One step of compression over the content @z->leaf reads: compress a
 * page that nothing but its node holds, that is not pinned nor always
 * needed, and did not compress badly before; one of zeros becomes a
 * marker instead. A mapped page is unmapped
 * and marked cold first, and compressed the next time round unless it
 * was mapped again meanwhile: then it is in use, and left.
 */
static int zvmo_cow_zc_step(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zvmo_cow_zc *z = ctx;
	struct page *page = zvmo_pl_slot_page(slot);
	struct zvmo_cow_found found;
	unsigned long handle;
	int err;

	z->next = off + PAGE_SIZE;
	if (!page)
		return 0;
	z->budget--;
	if ((!z->node->hidden && zvmo_cow_pins(slot)) ||
	    slot->state & (ZVMO_COW_ALWAYS_NEED | ZVMO_COW_POOR) ||
	    (z->dont_need_only && !(slot->state & ZVMO_COW_DONT_NEED)))
		goto next;
	/* Of an ancestor's pages, only those the leaf reads. */
	if (z->node != z->leaf &&
	    (!zvmo_cow_find_locked(z->leaf, off - z->delta, &found) ||
	     found.slot != slot))
		goto next;
	if (page_ref_count(page) != 1) {
		if (!page_mapped(page)) {
			/* Being read, or written: in use. */
		} else if (!(slot->state & ZVMO_COW_COLD)) {
			slot->state |= ZVMO_COW_COLD;
			zvmo_cow_unmap_node_locked(z->node, off);
		} else {
			/* Mapped again since: in use. */
			slot->state &= ~ZVMO_COW_COLD;
		}
		goto next;
	}
	if (zvmo_cow_page_is_zero(page)) {
		/* Zeros need no store: a marker reads the same. */
		zvmo_cow_zeroed_locked(z->node, slot, z->freelist);
		atomic_long_inc(&zvmo_counters.deduped);
		z->done++;
		goto next;
	}
	err = zvmo_zc_store(page, z->memcg, &handle);
	if (err == -E2BIG) {
		slot->state |= ZVMO_COW_POOR;
		goto next;
	}
	if (err) {
		z->full = true;
		return 1;
	}
	zvmo_cow_compressed_locked(z->node, slot, handle, z->freelist);
	z->done++;
next:
	return z->done == z->want || !z->budget;
}

/*
 * Compress what @z->leaf reads of @node in [@start, @end) of its offsets
 * (@delta more than the leaf's): from the node's hand, once round.
 */
static void zvmo_cow_zc_node(struct zvmo_cow_zc *z,
			     struct zvmo_cow_pages *node, u64 delta,
			     u64 start, u64 end)
{
	u64 hand = node->compress_hand;
	int stopped;

	if (hand < start || hand >= end)
		hand = start;
	z->node = node;
	z->delta = delta;
	z->next = hand;
	stopped = zvmo_page_list_for_each(&node->pages, hand, end,
					  zvmo_cow_zc_step, z);
	if (!stopped && hand > start) {
		z->next = start;
		zvmo_page_list_for_each(&node->pages, start, hand,
					zvmo_cow_zc_step, z);
	}
	node->compress_hand = z->next;
}

/**
 * zvmo_cow_compress() - compress cold pages an ordinary leaf reads
 * @leaf: the leaf
 * @memcg: the memory cgroup the store's memory is charged to (the
 *	leaf's), or NULL
 * @nr: how many at most
 * @dont_need_only: only those ZVMO_OP_DONT_NEED marked, whatever the
 *	leaf's age
 * @min_age: jiffies the leaf must have gone unwritten first (0: now), as
 *	dedup measures it
 *
 * Each node's hand goes once round what the leaf reads of it, the leaf's
 * own pages first, then its hidden ancestors', until @nr are compressed
 * or a budget of pages was looked at: the walk costs what the nodes hold,
 * not the leaf's size. Each page compressed is freed, and its slot holds its
 * content in the store: any access to it decompresses it into a new page
 * first (zvmo_cow_decompress_locked()). Not for a hierarchy made
 * ZVMO_VMO_NO_COMPRESS, nor while the compress parameter is off.
 *
 * Context: Process context, reclaim included: takes the hierarchy lock
 * only if it is free, and allocates only for the store, without waiting.
 * Return: the pages compressed (and freed).
 */
unsigned long zvmo_cow_compress(struct zvmo_cow_pages *leaf,
				struct mem_cgroup *memcg, unsigned long nr,
				bool dont_need_only, unsigned long min_age)
{
	LIST_HEAD(freelist);
	struct zvmo_cow_zc z = {
		.leaf = leaf, .memcg = memcg, .freelist = &freelist,
		.want = nr, .dont_need_only = dont_need_only,
	};
	struct zvmo_cow_pages *t = leaf;
	u64 start = 0, end = leaf->size, delta = 0;

	if (!nr || !zvmo_zc_enabled() || !mutex_trylock(&leaf->hier->lock))
		return 0;
	if (leaf->hier->no_compress || leaf->cache_policy || leaf->contiguous ||
	    leaf->source || leaf->origin || leaf->discardable || !leaf->size)
		goto out;
	if (!dont_need_only && min_age &&
	    (!leaf->dedup_done ||
	     time_before(jiffies, leaf->dedup_stamp + min_age)))
		goto out;
	/* Writes that are over hold no reference any more. */
	zvmo_cow_reap_locked(leaf);
	/*
	 * Each node once round at most, the leaf first: a page unmapped now
	 * waits for the next call.
	 */
	z.budget = max(4 * nr, 1024UL);
	zvmo_cow_zc_node(&z, leaf, 0, start, end);
	while (z.done < nr && z.budget && !z.full && t->parent &&
	       start < min(end, t->parent_limit)) {
		end = min(end, t->parent_limit) + t->parent_offset;
		start += t->parent_offset;
		delta += t->parent_offset;
		zvmo_cow_zc_node(&z, t->parent, delta, start, end);
		t = t->parent;
	}
out:
	zvmo_cow_unlock(leaf, &freelist, NULL);
	return z.done;
}

/**
 * zvmo_cow_discard() - discard an unlocked discardable leaf
 * @leaf: the leaf
 *
 * All its pages go, its mappings first: it reads zeros, and the next
 * ZVMO_OP_LOCK says it was discarded. Not while it is locked, has pinned
 * pages, or a write is on its way into a page table of a mapping.
 *
 * Context: Process context, reclaim included: takes the hierarchy lock
 * only if it is free, and allocates nothing.
 * Return: the pages freed.
 */
unsigned long zvmo_cow_discard(struct zvmo_cow_pages *leaf)
{
	unsigned long done = 0;
	LIST_HEAD(freelist);

	if (!mutex_trylock(&leaf->hier->lock))
		return 0;
	zvmo_cow_reap_locked(leaf);
	if (!leaf->lock_count && leaf->nr_pages && !leaf->nr_pinned &&
	    !leaf->nr_inflight) {
		done = leaf->nr_pages;
		zvmo_cow_remove_locked(leaf, 0, leaf->size, &freelist);
		leaf->discarded = true;
		leaf->discards++;
		atomic_long_inc(&zvmo_counters.discarded_vmos);
		atomic_long_add(done, &zvmo_counters.discarded);
	}
	zvmo_cow_unlock(leaf, &freelist, NULL);
	return done;
}

/**
 * zvmo_cow_lock_discardable() - ZVMO_OP_LOCK or ZVMO_OP_TRY_LOCK of a
 *	discardable leaf
 * @leaf: the leaf
 * @try: fail rather than lock a leaf that was discarded
 * @discarded: set to whether it was discarded since it was last locked
 *
 * The first lock takes the leaf off reclaim's list.
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0, or -EPERM for a @try of a discarded leaf.
 */
int zvmo_cow_lock_discardable(struct zvmo_cow_pages *leaf, bool try,
			      bool *discarded)
{
	int err = 0;

	mutex_lock(&leaf->hier->lock);
	*discarded = leaf->discarded;
	if (leaf->discarded && try) {
		err = -EPERM;
	} else {
		if (!leaf->lock_count++)
			zvmo_reclaim_list(leaf, false);
		leaf->discarded = false;
	}
	mutex_unlock(&leaf->hier->lock);
	return err;
}

/**
 * zvmo_cow_unlock_discardable() - ZVMO_OP_UNLOCK of a discardable leaf
 * @leaf: the leaf
 * @discarded: also note it as discarded (a lock taken back)
 *
 * The last unlock puts the leaf at the back of reclaim's list: the least
 * recently unlocked leaves are discarded first.
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0, or -EBUSY if the leaf is not locked.
 */
int zvmo_cow_unlock_discardable(struct zvmo_cow_pages *leaf, bool discarded)
{
	int err = 0;

	mutex_lock(&leaf->hier->lock);
	if (!leaf->lock_count) {
		err = -EBUSY;
	} else {
		if (discarded)
			leaf->discarded = true;
		if (!--leaf->lock_count)
			zvmo_reclaim_list(leaf, true);
	}
	mutex_unlock(&leaf->hier->lock);
	return err;
}

/* Count the dirty content of a pager-backed leaf, and what a range holds. */
struct zvmo_cow_report_walk {
	u64 dirty;
	u64 slots;
};

static int zvmo_cow_report_step(struct zvmo_pl_slot *slot, u64 off,
				void *ctx)
{
	struct zvmo_cow_report_walk *w = ctx;

	w->slots++;
	if (zvmo_cow_dirty(slot))
		w->dirty += PAGE_SIZE;
	return 0;
}

/**
 * zvmo_cow_report() - what introspection shows of a leaf
 * @leaf: the leaf
 * @r: filled in
 *
 * Walks the pages of a pager-backed leaf to count its dirty bytes, and
 * the leaf's ancestors.
 *
 * Context: Process context; takes the hierarchy lock.
 */
void zvmo_cow_report(struct zvmo_cow_pages *leaf, struct zvmo_cow_report *r)
{
	struct zvmo_cow_report_walk w = { 0 };
	struct zvmo_cow_pages *node;
	struct zvmo_cow_zero *z;

	memset(r, 0, sizeof(*r));
	mutex_lock(&leaf->hier->lock);
	r->leaf = leaf->id;
	r->evicted = leaf->evicted;
	r->lock_count = leaf->lock_count;
	r->discarded = leaf->discarded;
	if (leaf->source) {
		zvmo_page_list_for_each(&leaf->pages, 0, leaf->size,
					zvmo_cow_report_step, &w);
		r->dirty = w.dirty;
		/* Zero ranges are dirty where no content has its own state. */
		list_for_each_entry(z, &leaf->zeros, link) {
			w.slots = 0;
			zvmo_page_list_for_each(&leaf->pages, z->start, z->end,
						zvmo_cow_report_step, &w);
			r->dirty += z->end - z->start - w.slots * PAGE_SIZE;
		}
	}
	for (node = leaf->parent; node; node = node->parent) {
		if (r->nr_nodes == ZVMO_COW_REPORT_NODES) {
			r->truncated = true;
			break;
		}
		r->nodes[r->nr_nodes].id = node->id;
		r->nodes[r->nr_nodes].pages = node->nr_pages;
		r->nodes[r->nr_nodes].size = node->size;
		r->nr_nodes++;
	}
	mutex_unlock(&leaf->hier->lock);
}

/**
 * zvmo_cow_hint() - ZVMO_OP_ALWAYS_NEED, ZVMO_OP_DONT_NEED or
 *	ZVMO_OP_PREFETCH of a range of a leaf
 * @leaf: the leaf
 * @op: the hint
 * @start: page-aligned start
 * @end: page-aligned end, at most the size
 *
 * Of a pager-backed leaf, PREFETCH and ALWAYS_NEED ask the pager for
 * what is missing (as a commit), and ALWAYS_NEED then protects the pages
 * from eviction; DONT_NEED marks the pages that are there to go first.
 * Of an ordinary leaf, PREFETCH and ALWAYS_NEED decompress what it reads
 * in the range, and ALWAYS_NEED then keeps its own pages there from
 * compression; DONT_NEED marks them to be compressed first, however
 * recently the leaf was written. Neither commits anything.
 *
 * Context: Process context; may sleep; takes the hierarchy lock.
 * Return: 0, or the error of the commit or decompression (-ENOMEM,
 * -EIO), or -EINTR if a fatal signal came while decompressing.
 */
int zvmo_cow_hint(struct zvmo_cow_pages *leaf, u32 op, u64 start, u64 end)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	int err = 0;

	if (!leaf->source) {
		mutex_lock(&leaf->hier->lock);
		do {
			if (op != ZVMO_OP_DONT_NEED)
				err = zvmo_cow_decompress_range_locked(leaf, start,
								       end, &pool);
			if (err == -EAGAIN)
				err = zvmo_cow_refill(leaf, &pool) ?:
				      fatal_signal_pending(current) ? -EINTR :
				      -EAGAIN;
		} while (err == -EAGAIN);
		if (!err && op != ZVMO_OP_PREFETCH)
			zvmo_cow_hint_locked(leaf, start, end,
					     op == ZVMO_OP_ALWAYS_NEED);
		zvmo_cow_unlock(leaf, NULL, &pool);
		if (!err && op == ZVMO_OP_DONT_NEED)
			zvmo_reclaim_dont_need_pending();
		return err;
	}
	if (op != ZVMO_OP_DONT_NEED)
		err = zvmo_cow_commit(leaf, start, end);
	if (err || op == ZVMO_OP_PREFETCH)
		return err;
	mutex_lock(&leaf->hier->lock);
	zvmo_cow_hint_locked(leaf, start, end, op == ZVMO_OP_ALWAYS_NEED);
	mutex_unlock(&leaf->hier->lock);
	return 0;
}

/**
 * zvmo_cow_pager_detached() - a pager-backed leaf's pager let go of it
 * @leaf: the leaf
 *
 * Drops the pages nobody wrote since they were supplied, and that are not
 * pinned: from now on the leaf's pager answers nothing, so those offsets
 * fail.
 *
 * Context: Process context; takes the hierarchy lock.
 */
void zvmo_cow_pager_detached(struct zvmo_cow_pages *leaf)
{
	LIST_HEAD(freelist);

	mutex_lock(&leaf->hier->lock);
	zvmo_cow_quiesce_locked(leaf);
	zvmo_cow_drop_clean_locked(leaf, &freelist);
	zvmo_cow_unlock(leaf, &freelist, NULL);
}

/**
 * zvmo_cow_fill_contiguous() - put the pages of a contiguous VMO in place
 * @leaf: a new leaf, empty, of a size of @nr pages
 * @first: the first of @nr physically consecutive pages, zeroed, each
 *	with a reference of its own
 * @nr: how many
 *
 * The leaf takes the pages (and frees them when it goes) and is marked
 * contiguous: nothing removes them before that.
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0 or -ENOMEM; then the pages not taken are freed.
 */
int zvmo_cow_fill_contiguous(struct zvmo_cow_pages *leaf, struct page *first,
			     unsigned long nr)
{
	unsigned long i;
	int err = 0;

	mutex_lock(&leaf->hier->lock);
	leaf->contiguous = true;
	for (i = 0; i < nr; i++) {
		atomic_long_inc(&zvmo_counters.pages);
		if (!err)
			err = zvmo_cow_insert_locked(leaf, (u64)i << PAGE_SHIFT,
						     first + i);
		if (err)
			zvmo_cow_page_free(first + i);
	}
	mutex_unlock(&leaf->hier->lock);
	return err;
}

/* Give every page of @leaf the memory type of @policy; undo on failure. */
static int zvmo_cow_retype_locked(struct zvmo_cow_pages *leaf,
				  unsigned int policy)
{
	unsigned int old = leaf->cache_policy;
	struct zvmo_pl_slot *slot;
	u64 off, done;
	int err = 0;

	if (!leaf->nr_pages)
		return 0;
	for (off = 0; off < leaf->size; off += PAGE_SIZE) {
		slot = zvmo_page_list_lookup(&leaf->pages, off);
		if (!slot || !zvmo_pl_slot_is_page(slot))
			continue;
		err = zvmo_cow_page_set_policy(zvmo_pl_slot_page(slot),
					       policy);
		if (err)
			break;
	}
	if (!err)
		return 0;
	for (done = 0; done < off; done += PAGE_SIZE) {
		slot = zvmo_page_list_lookup(&leaf->pages, done);
		if (slot && zvmo_pl_slot_is_page(slot))
			zvmo_cow_page_set_policy(zvmo_pl_slot_page(slot), old);
	}
	return err;
}

/**
 * zvmo_cow_set_cache_policy() - choose the memory type of a leaf's pages
 * @leaf: the leaf
 * @policy: ZVMO_CACHE_*
 *
 * Only for a leaf without parent, children (the caller checks that the
 * VMO has none), mappings and pins, and without pages unless it is
 * contiguous (whose pages all change type then). Pages committed later
 * get the type as they come.
 *
 * Context: Process context; may sleep; takes the hierarchy lock.
 * Return: 0, -EBUSY if the leaf is in any of those states, -ENOMEM, or
 * -EOPNOTSUPP for a pager-backed leaf or where the architecture cannot
 * change memory types.
 */
int zvmo_cow_set_cache_policy(struct zvmo_cow_pages *leaf,
			      unsigned int policy)
{
	int err = 0;

	if (leaf->source || leaf->origin)
		return -EOPNOTSUPP;
	mutex_lock(&leaf->hier->lock);
	if (leaf->parent || leaf->nr_pinned ||
	    atomic_long_read(&leaf->nr_vmas) ||
	    (leaf->nr_pages && !leaf->contiguous))
		err = -EBUSY;
	else if (policy != leaf->cache_policy)
		err = zvmo_cow_retype_locked(leaf, policy);
	if (!err)
		leaf->cache_policy = policy;
	mutex_unlock(&leaf->hier->lock);
	return err;
}

/**
 * zvmo_cow_mmap() - a mapping of a view of a leaf is being made
 * @leaf: the leaf
 *
 * Counts the mapping in, so that the cache policy stays what it is until
 * the mapping goes (zvmo_cow_munmap()).
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: the leaf's cache policy, for the mapping's protection.
 */
unsigned int zvmo_cow_mmap(struct zvmo_cow_pages *leaf)
{
	unsigned int policy;

	mutex_lock(&leaf->hier->lock);
	atomic_long_inc(&leaf->nr_vmas);
	policy = leaf->cache_policy;
	mutex_unlock(&leaf->hier->lock);
	return policy;
}

/**
 * zvmo_cow_counts() - memory use of a leaf
 * @leaf: the leaf
 * @counts: filled
 *
 * Context: Process context; takes the hierarchy lock.
 */
void zvmo_cow_counts(struct zvmo_cow_pages *leaf,
		     struct zvmo_cow_counts *counts)
{
	mutex_lock(&leaf->hier->lock);
	zvmo_cow_attr_locked(leaf, &counts->attr);
	counts->metadata = (u64)leaf->pages.nr_nodes *
			   zvmo_page_list_node_size();
	counts->commit_events = leaf->commit_events;
	counts->pinned = (u64)leaf->nr_pinned << PAGE_SHIFT;
	mutex_unlock(&leaf->hier->lock);
}

/*
 * The leaf offset of a fault, or U64_MAX if it is past the VMO's end (the
 * leaf's size is checked under the lock).
 */
static u64 zvmo_cow_fault_off(const struct zvmo_cow_view *view,
			      struct vm_fault *vmf)
{
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;

	if (view->len != U64_MAX && off >= view->len)
		return U64_MAX;
	return view->offset + off;
}

/*
 * Map what the leaf reads in the faulting address's aligned block: its
 * pages and its ancestors' (read-only, as the mapping's protection is for
 * a shared writable mapping: writes go through ->page_mkwrite), and the
 * zero page at the faulting address if it reads zeros there. Entries that
 * exist are left alone.
 */
static vm_fault_t zvmo_cow_fault_around(struct zvmo_cow_pages *leaf,
					const struct zvmo_cow_view *view,
					struct vm_fault *vmf, u64 fault_off)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long span = ZVMO_FAULT_AROUND * PAGE_SIZE;
	unsigned long block = ALIGN_DOWN(vmf->address, span);
	/*
	 * Within the aligned block, whatever the VMA's start: so within the
	 * faulting address's page table, which ->map_pages checked is
	 * there (vm_insert_pages() must not allocate one under RCU).
	 */
	unsigned long start = max(block, vma->vm_start);
	unsigned long end = min(block + span, vma->vm_end);
	struct page *pages[ZVMO_FAULT_AROUND];
	unsigned long addr, run_addr = 0, num;
	unsigned int n = 0;
	int err;

	for (addr = start; addr <= end; addr += PAGE_SIZE) {
		struct page *page = NULL;

		if (addr < end) {
			u64 off = fault_off + addr - vmf->address;
			u64 voff = off - view->offset;

			if (off < leaf->size &&
			    (view->len == U64_MAX || voff < view->len))
				page = zvmo_cow_page_locked(leaf, off);
			/*
			 * Compressed: left for a fault of its own (the one
			 * at the faulting address decompressed it first).
			 */
			if (IS_ERR(page)) {
				WARN_ON_ONCE(addr == vmf->address);
				page = NULL;
			} else if (!page && addr == vmf->address) {
				page = zvmo_zero_page;
				leaf->zero_mapped = true;
			}
		}
		if (page) {
			if (!n)
				run_addr = addr;
			pages[n++] = page;
			continue;
		}
		/* A run ended: insert it, stepping over present entries. */
		while (n) {
			num = n;
			err = vm_insert_pages(vma, run_addr, pages, &num);
			if (err && err != -EBUSY)
				return err == -ENOMEM ? VM_FAULT_OOM :
							VM_FAULT_SIGBUS;
			/* num pages were left; skip the one that was busy. */
			if (!num)
				break;
			run_addr += (n - num + 1) * PAGE_SIZE;
			memmove(pages, pages + n - num + 1,
				(num - 1) * sizeof(pages[0]));
			n = num - 1;
		}
		n = 0;
	}
	return VM_FAULT_NOPAGE;
}

/*
 * Ask @src for @command over [@off, @off + @len) on behalf of a fault on
 * @leaf, whose lock is held (and dropped), and wait as a fault may; the
 * rules are zvmo_cow_fault_missing()'s.
 */
static vm_fault_t zvmo_cow_fault_ask(struct zvmo_cow_pages *leaf,
				     struct zvmo_page_source *src,
				     u16 command, u64 off, u64 len,
				     struct vm_fault *vmf)
{
	bool retry = vmf->flags & FAULT_FLAG_ALLOW_RETRY;
	u64 gen = zvmo_page_source_gen(src);
	int err;

	/* Once the mmap lock goes, so may the mapping and the VMO. */
	zvmo_page_source_get(src);
	mutex_unlock(&leaf->hier->lock);
	err = zvmo_page_source_take_failure(src, off);
	if (!err && retry && (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)) {
		/* Ask, but do not wait, nor drop the lock. */
		zvmo_page_source_wait(src, command, off, len, gen,
				      ZVMO_WAIT_NONE);
		zvmo_page_source_put(src);
		return VM_FAULT_RETRY | VM_FAULT_MAJOR;
	}
	if (!err && retry) {
		release_fault_lock(vmf);
		zvmo_page_source_wait(src, command, off, len, gen,
				      ZVMO_WAIT_FAULT);
		zvmo_page_source_put(src);
		return VM_FAULT_RETRY | VM_FAULT_MAJOR;
	}
	if (!err)
		err = zvmo_page_source_wait(src, command, off, len, gen,
					    ZVMO_WAIT);
	zvmo_page_source_put(src);
	if (!err)
		return VM_FAULT_MAJOR;
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

/*
 * A fault reached a page @leaf's pager is to supply (the lock is held):
 * ask for the run of missing pages from there, and wait as a fault may.
 * @root and @root_off are where it is missing, as
 * zvmo_cow_missing_root_locked() found, or NULL to look here.
 * Whenever the core lets the fault be retried, first try or not, the mmap
 * (or VMA) lock is dropped while waiting, as userfaultfd does, so that the
 * pager (perhaps a thread of this process that needs the mmap lock for
 * writing, to map its buffers) is never stuck behind it; the fault is
 * then retried, and a failure met while waiting is kept for the retry to
 * report. Otherwise (some get_user_pages() callers) it waits holding the
 * lock. The hierarchy lock is dropped.
 *
 * A fault that waited is a major one, as one that waited for a file's
 * I/O; and a retry the core makes after a major fault is flagged
 * FAULT_FLAG_TRIED on every kernel (after a VMA-lock try as well), which
 * the fault-around reads.
 *
 * Returns 0 to look again at once, VM_FAULT_MAJOR to look again after a
 * wait (with nothing dropped but the hierarchy lock, either way),
 * VM_FAULT_RETRY | VM_FAULT_MAJOR, VM_FAULT_SIGBUS for a pager that
 * failed the page or is gone, or VM_FAULT_OOM.
 */
static vm_fault_t zvmo_cow_fault_missing(struct zvmo_cow_pages *leaf,
					 const struct zvmo_cow_view *view,
					 struct vm_fault *vmf, u64 off,
					 struct zvmo_cow_pages *root,
					 u64 root_off)
{
	u64 vend = view->len == U64_MAX ? U64_MAX : view->offset + view->len;
	struct zvmo_page_source *src;
	u64 len;

	if (!root)
		root = zvmo_cow_missing_root_locked(leaf, off, &root_off);
	if (!root) {
		mutex_unlock(&leaf->hier->lock);
		return 0;
	}
	src = root->source;
	len = zvmo_cow_missing_run_locked(root, root_off, ZVMO_PAGER_BATCH);
	len = min(len, vend - off);
	return zvmo_cow_fault_ask(leaf, src, ZVMO_PAGER_READ, root_off, len,
				  vmf);
}

/*
 * A write fault reached clean content of @leaf, which traps dirty (the
 * lock is held): ask the pager to let the page be dirtied, and wait as
 * zvmo_cow_fault_missing() does. A fault writes one page: it asks for
 * that one.
 */
static vm_fault_t zvmo_cow_fault_dirty(struct zvmo_cow_pages *leaf,
				       struct vm_fault *vmf, u64 off)
{
	return zvmo_cow_fault_ask(leaf, leaf->source, ZVMO_PAGER_DIRTY, off,
				  PAGE_SIZE, vmf);
}

/**
 * zvmo_cow_map_pages() - map a read fault's page and its neighbours, if
 *	that can be done without waiting
 * @leaf: the leaf the VMO looks into
 * @view: the VMO's view of it
 * @vmf: the fault
 *
 * The fast path of a read fault, and of the retry of one that waited for
 * a pager: if the hierarchy lock is free and the leaf (or an ancestor)
 * has a page at the faulting offset, map the fault-around block as
 * zvmo_cow_fault() would. Anything else, zeros, a missing page, a leaf
 * that is not cached, no page table yet, is left to zvmo_cow_fault().
 *
 * Context: Page fault; the mmap lock or the VMA lock is held, and on 6.4
 * and later the RCU read lock: must not sleep. Takes the hierarchy lock
 * only if it is free.
 * Return: VM_FAULT_NOPAGE if the faulting address is mapped now, else 0.
 */
vm_fault_t zvmo_cow_map_pages(struct zvmo_cow_pages *leaf,
			      const struct zvmo_cow_view *view,
			      struct vm_fault *vmf)
{
	u64 off = zvmo_cow_fault_off(view, vmf);
	struct page *page;
	vm_fault_t ret = 0;
	int err;

	/*
	 * With the page table there, vm_insert_pages() allocates nothing
	 * (the levels above it stay while the fault's lock is held).
	 */
	if (off == U64_MAX || READ_ONCE(leaf->cache_policy) ||
	    pmd_none(READ_ONCE(*vmf->pmd)))
		return 0;
	if (!mutex_trylock(&leaf->hier->lock))
		return 0;
	page = off < leaf->size ? zvmo_cow_page_locked(leaf, off) : NULL;
	/* Compressed: ->fault decompresses it. */
	if (IS_ERR(page))
		page = NULL;
	if (page && (vmf->flags & FAULT_FLAG_TRIED)) {
		/*
		 * The retry of a fault that waited for the pager: its page
		 * alone, for the task waits for it; the next fault nearby
		 * maps around.
		 */
		err = vm_insert_page(vmf->vma, vmf->address, page);
		ret = !err || err == -EBUSY ? VM_FAULT_NOPAGE : 0;
	} else if (page) {
		ret = zvmo_cow_fault_around(leaf, view, vmf, off);
	}
	mutex_unlock(&leaf->hier->lock);
	if (ret != VM_FAULT_NOPAGE)
		return 0;
	/* Resolved here: ->fault, which counts the others, is not called. */
	this_cpu_inc(zvmo_faults);
	return ret;
}

/**
 * zvmo_cow_fault() - resolve a page fault on a mapping of a VMO
 * @leaf: the leaf the VMO looks into
 * @view: the VMO's view of it
 * @vmf: the fault; vmf->pgoff is the page's offset in the VMO
 *
 * A read maps what the VMO reads there (and around it) read-only, the
 * zero page where it reads zeros, and commits nothing. A write through a
 * shared mapping makes the page the leaf's own (committing or forking
 * it) and hands it to the core in vmf->page, which calls ->page_mkwrite
 * and then maps it writable; so does a read of a leaf that is not
 * cached, and the core maps it read-only. A write through a private mapping gets the
 * page in vmf->page for the core to copy. Past the end is SIGBUS.
 *
 * Context: Page fault; the mmap lock or the VMA lock is held. Takes the
 * hierarchy lock.
 * Return: VM_FAULT_NOPAGE, 0 (vmf->page set, with a reference),
 * VM_FAULT_RETRY, VM_FAULT_SIGBUS or VM_FAULT_OOM; with VM_FAULT_MAJOR
 * if it waited for a pager.
 */
vm_fault_t zvmo_cow_fault(struct zvmo_cow_pages *leaf,
			  const struct zvmo_cow_view *view,
			  struct vm_fault *vmf)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	u64 off = zvmo_cow_fault_off(view, vmf);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	struct zvmo_cow_pages *root;
	vm_fault_t ret, major = 0;
	LIST_HEAD(freelist);
	struct page *page;
	u64 root_off;

	this_cpu_inc(zvmo_faults);
	if (off == U64_MAX)
		return VM_FAULT_SIGBUS;
	/*
	 * A leaf that is not cached never shows the zero page (its memory
	 * type is write-back): a read commits the page too.
	 */
	if ((write || READ_ONCE(leaf->cache_policy)) &&
	    (vmf->vma->vm_flags & VM_SHARED)) {
		/* Most such faults commit or fork one page. */
		if (zvmo_cow_pool_fill(&pool, 1))
			return VM_FAULT_OOM;
again:
		page = zvmo_cow_writable(leaf, off, &pool, true);
		if (PTR_ERR_OR_ZERO(page) == -ENODATA) {
			ret = zvmo_cow_fault_missing(leaf, view, vmf, off,
						     NULL, 0);
			if (!(ret & ~VM_FAULT_MAJOR)) {
				major |= ret;
				goto again;
			}
			zvmo_cow_pool_drain(&pool);
			return ret;
		}
		if (IS_ERR(page)) {
			zvmo_cow_pool_drain(&pool);
			/* Past the end, or content that did not decompress. */
			return PTR_ERR(page) == -ERANGE ||
			       PTR_ERR(page) == -EIO ? VM_FAULT_SIGBUS :
						       VM_FAULT_OOM;
		}
		if (write && zvmo_cow_needs_dirty_locked(leaf, off)) {
			ret = zvmo_cow_fault_dirty(leaf, vmf, off);
			if (!(ret & ~VM_FAULT_MAJOR)) {
				major |= ret;
				goto again;
			}
			zvmo_cow_pool_drain(&pool);
			return ret;
		}
		/* ->page_mkwrite checks it again, with the page locked. */
		get_page(page);
		zvmo_cow_unlock(leaf, &freelist, &pool);
		vmf->page = page;
		return major;
	}

	mutex_lock(&leaf->hier->lock);
again_read:
	while (off < leaf->size &&
	       (root = zvmo_cow_missing_root_locked(leaf, off, &root_off))) {
		ret = zvmo_cow_fault_missing(leaf, view, vmf, off, root,
					     root_off);
		if (ret & ~VM_FAULT_MAJOR) {
			zvmo_cow_pool_drain(&pool);
			return ret;
		}
		major |= ret;
		mutex_lock(&leaf->hier->lock);
	}
	if (off < leaf->size) {
		/* Compressed content is a page again before it is mapped. */
		int err = zvmo_cow_decompress_locked(leaf, off, &pool);

		if (err == -EAGAIN) {
			err = zvmo_cow_refill(leaf, &pool);
			if (!err)
				goto again_read;
		}
		if (err) {
			zvmo_cow_unlock(leaf, NULL, &pool);
			return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
		}
	}
	if (off >= leaf->size) {
		ret = VM_FAULT_SIGBUS;
	} else if (!write) {
		/*
		 * The retry of a fault that waited for the pager (when
		 * ->map_pages could not map it): the core maps the page
		 * alone, in the page table it allocated for the fault.
		 */
		page = vmf->flags & FAULT_FLAG_TRIED ?
		       zvmo_cow_page_locked(leaf, off) : NULL;
		if (page) {
			get_page(page);
			vmf->page = page;
			ret = 0;
		} else {
			ret = zvmo_cow_fault_around(leaf, view, vmf, off);
		}
	} else {
		/* A private mapping's write: the core copies the page. */
		page = zvmo_cow_page_locked(leaf, off) ?: zvmo_zero_page;
		get_page(page);
		vmf->page = page;
		ret = 0;
	}
	zvmo_cow_unlock(leaf, NULL, &pool);
	return ret | major;
}

/**
 * zvmo_cow_fault_mkwrite() - a page of a shared mapping is about to be
 *	made writable
 * @leaf: the leaf the VMO looks into
 * @view: the VMO's view of it
 * @vmf: the fault; vmf->page is the page ->fault handed over, or the one
 *	mapped read-only
 *
 * If the page is the leaf's own at that place, it is noted in the leaf's
 * in-flight entries and returned locked, and the core maps it writable
 * (or makes the read-only entry writable, if it is still the one it
 * had). If an operation is waiting for the in-flight entries, the fault
 * sleeps until it is through and is then retried; if too many are in
 * flight, it is retried at once. Otherwise (an ancestor's
 * page, the zero page, or a page the leaf no longer has there) the leaf
 * gets a page of its own, mapped read-only in place of the old one, and
 * the write faults again.
 *
 * Context: Page fault; the mmap lock or the VMA lock is held. Takes the
 * page lock, then the hierarchy lock.
 * Return: VM_FAULT_LOCKED, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS or
 * VM_FAULT_OOM.
 */
vm_fault_t zvmo_cow_fault_mkwrite(struct zvmo_cow_pages *leaf,
				  const struct zvmo_cow_view *view,
				  struct vm_fault *vmf)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	u64 off = zvmo_cow_fault_off(view, vmf);
	struct page *page = vmf->page, *own;
	struct zvmo_pl_slot *slot;
	vm_fault_t ret = VM_FAULT_NOPAGE;
	LIST_HEAD(freelist);

	if (off == U64_MAX)
		return VM_FAULT_SIGBUS;
	lock_page(page);
	mutex_lock(&leaf->hier->lock);
	if (off < leaf->size) {
		slot = zvmo_page_list_lookup(&leaf->pages, off);
		if (slot && zvmo_pl_slot_page(slot) == page &&
		    zvmo_cow_needs_dirty_locked(leaf, off)) {
			/*
			 * Clean, and the pager must agree first: that wait
			 * may not drop the mmap lock from here. Without the
			 * entry, the write faults again into ->fault, which
			 * may.
			 */
			zvmo_cow_unmap_leaf_locked(leaf, off, off + PAGE_SIZE);
			mutex_unlock(&leaf->hier->lock);
			unlock_page(page);
			return VM_FAULT_NOPAGE;
		}
		if (slot && zvmo_pl_slot_page(slot) == page) {
			if (zvmo_cow_track_locked(leaf, page)) {
				leaf->dedup_done = false;
				zvmo_cow_mark_dirty_locked(leaf, off);
				mutex_unlock(&leaf->hier->lock);
				zvmo_cow_mkwrite_delay();
				return VM_FAULT_LOCKED;
			}
			mutex_unlock(&leaf->hier->lock);
			unlock_page(page);
			/*
			 * Retry once the operation that waits for the writes
			 * in flight is through, holding nothing it waits for.
			 */
			wait_var_event_killable(&leaf->quiescing,
						!READ_ONCE(leaf->quiescing));
			return VM_FAULT_NOPAGE;
		}
	}
	mutex_unlock(&leaf->hier->lock);

	/* Not the leaf's own: make one, and map it instead. */
	own = zvmo_cow_writable(leaf, off, &pool, true);
	if (PTR_ERR_OR_ZERO(own) == -ENODATA) {
		/* Dropped since it was mapped: the next fault asks for it. */
		mutex_unlock(&leaf->hier->lock);
	} else if (IS_ERR(own)) {
		if (PTR_ERR(own) == -ENOMEM)
			ret = VM_FAULT_OOM;
	} else {
		/* The old entry was unmapped as the page changed. */
		vm_insert_page(vmf->vma, vmf->address, own);
		zvmo_cow_unlock(leaf, &freelist, NULL);
	}
	zvmo_cow_pool_drain(&pool);
	unlock_page(page);
	return ret;
}
