// SPDX-License-Identifier: GPL-2.0
/*
 * The copy-on-write hierarchy of VMOs, after Zircon's VmCowPages.
 *
 * Every VMO owns a leaf node. A snapshot of a leaf L makes a hidden node H
 * that takes L's whole page list (by moving its tree root: O(1)); L and the
 * new child C become H's two children, and both read through H. A hidden
 * node is never written: a write in a leaf forks the page it reads down
 * the path from the node that holds it, one level at a time. At each
 * hidden node on the way, the page is copied if the other child still
 * needs it, and the split bit of the side that took a copy is set;
 * otherwise (the other side has split already, or cannot see the offset)
 * the page migrates down instead of being copied. So a hierarchy never
 * holds more pages than full copies of its VMOs would.
 *
 * When a child stops seeing a range (it shrank or closed), the pages of
 * its ancestors that only it could see are freed, level by level upwards.
 * A hidden node left with one child merges into it: the pages that child
 * still needs move down (whole page-list nodes at a time, thanks to the
 * skew every list of the hierarchy shares), and the hidden node goes. So
 * the depth of a hierarchy is bounded by the VMOs alive, however many came
 * and went.
 *
 * Invariant: if a node has content at an offset, the nearest ancestor
 * with content at the same place has the split bit of that side set. So
 * a lookup walking up never meets content its side gave up, and the
 * leaves that share a page are exactly those whose walk ends at it.
 *
 * Everything here runs under the hierarchy lock and allocates only page
 * list nodes; pages come from a pool the caller fills with the lock
 * dropped, and freed pages go to a list the caller frees after dropping
 * it. Mappings are unmapped under the lock, so no fault can map a page
 * the hierarchy no longer shows at that place.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "cow_pages.h"

#define ZVMO_GFP_NODE \
	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

static inline unsigned int zvmo_cow_side(const struct zvmo_cow_pages *child)
{
	return child->parent->children[1] == child;
}

static inline unsigned long zvmo_cow_split(unsigned int side)
{
	return side ? ZVMO_COW_SPLIT_RIGHT : ZVMO_COW_SPLIT_LEFT;
}

/* Whether @child reads through its parent at the parent's offset @poff. */
static bool zvmo_cow_sees(const struct zvmo_cow_pages *child, u64 poff)
{
	return child && poff >= child->parent_offset &&
	       poff - child->parent_offset < child->parent_limit;
}

/*
 * The node after @cur in a depth-first walk of the subtree of @top: its
 * first child if @descend, else the next sibling on the way back up.
 * NULL when the walk is over.
 */
static struct zvmo_cow_pages *zvmo_cow_walk_next(struct zvmo_cow_pages *top,
						 struct zvmo_cow_pages *cur,
						 bool descend)
{
	if (descend && cur->hidden) {
		if (cur->children[0])
			return cur->children[0];
		if (cur->children[1])
			return cur->children[1];
	}
	while (cur != top) {
		struct zvmo_cow_pages *parent = cur->parent;

		if (cur == parent->children[0] && parent->children[1])
			return parent->children[1];
		cur = parent;
	}
	return NULL;
}

/*
 * How many leaves at or below @top read the content of @top's parent at
 * the parent's offset @poff, counting up to @max: those reached through
 * windows that cover the place and nodes with no content of their own
 * there. A hidden node's window says only what its children could see
 * when it was made; what they still read is in their windows and lists.
 */
static unsigned long zvmo_cow_readers(struct zvmo_cow_pages *top, u64 poff,
				      unsigned long max)
{
	u64 root_off = poff + top->parent->root_offset;
	struct zvmo_cow_pages *cur = top;
	unsigned long n = 0;

	while (cur) {
		u64 off = root_off - cur->root_offset;
		bool reads = zvmo_cow_sees(cur, off + cur->parent_offset);

		if (reads) {
			struct zvmo_pl_slot *s;

			s = zvmo_page_list_lookup(&cur->pages, off);
			reads = !s || zvmo_pl_slot_is_empty(s);
		}
		if (reads && !cur->hidden && ++n >= max)
			break;
		cur = zvmo_cow_walk_next(top, cur, reads);
	}
	return n;
}

/* Whether some leaf at or below @child still reads its parent at @poff. */
static bool zvmo_cow_needed(struct zvmo_cow_pages *child, u64 poff)
{
	return child && zvmo_cow_readers(child, poff, 1);
}

static void zvmo_cow_changed(struct zvmo_cow_pages *cow)
{
	cow->hier->gen++;
}

struct zvmo_cow_stats zvmo_cow_stats;

static atomic_long_t zvmo_cow_next_id;

static struct zvmo_cow_pages *zvmo_cow_alloc_node(void)
{
	struct zvmo_cow_pages *cow = kzalloc(sizeof(*cow), GFP_KERNEL_ACCOUNT);

	if (cow) {
		cow->id = atomic_long_inc_return(&zvmo_cow_next_id);
		INIT_LIST_HEAD(&cow->views);
		INIT_LIST_HEAD(&cow->clones);
		INIT_LIST_HEAD(&cow->clone_link);
		INIT_LIST_HEAD(&cow->zeros);
	}
	return cow;
}

/**
 * zvmo_cow_zero_at() - the zero range of a pager-backed leaf at an offset
 * @leaf: the leaf
 * @off: the offset
 *
 * Costs time in proportion to the leaf's zero ranges.
 *
 * Context: The hierarchy lock is held.
 * Return: the range, or NULL.
 */
static struct zvmo_cow_zero *zvmo_cow_zero_at(struct zvmo_cow_pages *leaf,
					      u64 off)
{
	struct zvmo_cow_zero *z;

	list_for_each_entry(z, &leaf->zeros, link) {
		if (z->start > off)
			break;
		if (off < z->end)
			return z;
	}
	return NULL;
}

/* A spare range, of the caller's; there is always one when it is needed. */
static struct zvmo_cow_zero *zvmo_cow_zero_spare(struct zvmo_cow_zero **spares)
{
	struct zvmo_cow_zero *z = NULL;
	unsigned int i;

	for (i = 0; !z && i < ZVMO_COW_ZERO_SPARES; i++) {
		z = spares[i];
		spares[i] = NULL;
	}
	WARN_ON_ONCE(!z);
	return z;
}

/* Split @z at @off, inside it: @z keeps the part before. */
static void zvmo_cow_zero_split(struct zvmo_cow_zero *z, u64 off,
				struct zvmo_cow_zero **spares)
{
	struct zvmo_cow_zero *after = zvmo_cow_zero_spare(spares);

	if (!after)
		return;
	after->start = off;
	after->end = z->end;
	after->dirty = z->dirty;
	z->end = off;
	list_add(&after->link, &z->link);
}

/* Join the ranges of @leaf that touch and have the same state. */
static void zvmo_cow_zeros_join(struct zvmo_cow_pages *leaf)
{
	struct zvmo_cow_zero *z, *next;

	list_for_each_entry_safe(z, next, &leaf->zeros, link) {
		if (list_is_last(&z->link, &leaf->zeros))
			break;
		if (z->end == next->start && z->dirty == next->dirty) {
			next->start = z->start;
			list_del(&z->link);
			kfree(z);
		}
	}
}

/**
 * zvmo_cow_zeros_set_locked() - change the state of the zero ranges in a
 *	range of a pager-backed leaf
 * @leaf: the leaf
 * @start: page-aligned start
 * @end: page-aligned end
 * @from: the state of the ranges to change (ZVMO_COW_DIRTY_MASK: any)
 * @to: their new state, or 0 to remove them
 * @spares: ZVMO_COW_ZERO_SPARES ranges to split with, allocated by the
 *	caller; those used are NULL afterwards, the caller frees the others
 *
 * Context: The hierarchy lock is held.
 */
static void zvmo_cow_zeros_set_locked(struct zvmo_cow_pages *leaf, u64 start,
				      u64 end, unsigned long from,
				      unsigned long to,
				      struct zvmo_cow_zero **spares)
{
	struct zvmo_cow_zero *z, *next;

	list_for_each_entry_safe(z, next, &leaf->zeros, link) {
		if (z->end <= start)
			continue;
		if (z->start >= end)
			break;
		if (from != ZVMO_COW_DIRTY_MASK && z->dirty != from)
			continue;
		/* Cut off what lies outside the range; it stays as it is. */
		if (z->start < start) {
			zvmo_cow_zero_split(z, start, spares);
			/* The part inside comes next. */
			next = list_next_entry(z, link);
			continue;
		}
		if (z->end > end) {
			zvmo_cow_zero_split(z, end, spares);
			next = list_next_entry(z, link);
		}
		if (to) {
			z->dirty = to;
		} else {
			list_del(&z->link);
			kfree(z);
		}
	}
	zvmo_cow_zeros_join(leaf);
}

/**
 * zvmo_cow_zeros_add_locked() - make a range of a pager-backed leaf a
 *	dirty zero range
 * @leaf: the leaf
 * @start: page-aligned start
 * @end: page-aligned end, past @start
 * @spares: as for zvmo_cow_zeros_set_locked()
 *
 * The content of the range is the caller's to remove (what stays, a
 * pinned page, has its own state).
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_zeros_add_locked(struct zvmo_cow_pages *leaf, u64 start,
			       u64 end, struct zvmo_cow_zero **spares)
{
	struct zvmo_cow_zero *z, *fresh;
	struct list_head *at = &leaf->zeros;

	zvmo_cow_zeros_set_locked(leaf, start, end, ZVMO_COW_DIRTY_MASK, 0,
				  spares);
	fresh = zvmo_cow_zero_spare(spares);
	if (!fresh)
		return;
	fresh->start = start;
	fresh->end = end;
	fresh->dirty = ZVMO_COW_DIRTY;
	list_for_each_entry(z, &leaf->zeros, link) {
		if (z->start > start) {
			at = &z->link;
			break;
		}
	}
	list_add_tail(&fresh->link, at);
	zvmo_cow_zeros_join(leaf);
}

/* Drop the zero ranges of @leaf at and past @size. */
static void zvmo_cow_zeros_truncate_locked(struct zvmo_cow_pages *leaf,
					   u64 size)
{
	struct zvmo_cow_zero *z, *next;

	list_for_each_entry_safe(z, next, &leaf->zeros, link) {
		if (z->end <= size)
			continue;
		if (z->start < size) {
			z->end = size;
			continue;
		}
		list_del(&z->link);
		kfree(z);
	}
}

static void zvmo_hier_put(struct zvmo_hier *hier)
{
	if (refcount_dec_and_test(&hier->ref)) {
		mutex_destroy(&hier->lock);
		kfree(hier);
	}
}

/**
 * zvmo_cow_create() - the leaf of a new VMO, alone in a new hierarchy
 * @size: size in bytes, page aligned
 *
 * Context: Process context; may sleep.
 * Return: the leaf or NULL.
 */
struct zvmo_cow_pages *zvmo_cow_create(u64 size)
{
	struct zvmo_cow_pages *cow = zvmo_cow_alloc_node();

	if (!cow)
		return NULL;
	cow->hier = kzalloc(sizeof(*cow->hier), GFP_KERNEL_ACCOUNT);
	if (!cow->hier) {
		kfree(cow);
		return NULL;
	}
	mutex_init(&cow->hier->lock);
	refcount_set(&cow->hier->ref, 1);
	cow->hier->gen = 1;
	zvmo_page_list_init(&cow->pages, 0);
	cow->size = size;
	return cow;
}

/**
 * zvmo_cow_pool_fill() - allocate pages into @pool until it holds @nr
 * @pool: the pool
 * @nr: pages wanted
 *
 * Context: Process context, without the hierarchy lock; may sleep.
 * Return: 0 or -ENOMEM (what was allocated stays in the pool).
 */
int zvmo_cow_pool_fill(struct zvmo_cow_pool *pool, unsigned int nr)
{
	while (pool->nr < nr) {
		struct page *page = zvmo_cow_page_alloc();

		if (!page)
			return -ENOMEM;
		list_add(&page->lru, &pool->pages);
		pool->nr++;
	}
	return 0;
}

/**
 * zvmo_cow_free_list() - free pages linked through page->lru
 * @freelist: the pages; empty afterwards
 *
 * Context: Process context, without the hierarchy lock.
 */
void zvmo_cow_free_list(struct list_head *freelist)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, freelist, lru) {
		list_del(&page->lru);
		zvmo_cow_page_free(page);
	}
}

/**
 * zvmo_cow_pool_drain() - free what is left in @pool
 * @pool: the pool
 *
 * Context: Process context, without the hierarchy lock.
 */
void zvmo_cow_pool_drain(struct zvmo_cow_pool *pool)
{
	zvmo_cow_free_list(&pool->pages);
	pool->nr = 0;
}

static struct page *zvmo_cow_pool_take(struct zvmo_cow_pool *pool)
{
	struct page *page;

	if (WARN_ON_ONCE(!pool->nr))
		return NULL;
	page = list_first_entry(&pool->pages, struct page, lru);
	list_del(&page->lru);
	pool->nr--;
	return page;
}

/* What a release of content let go of. */
struct zvmo_cow_release {
	struct list_head *freelist;
	unsigned long held;
	unsigned long compressed;
};

/*
 * Let go of the memory of @slot's content, which is being removed: a
 * page goes to @freelist, compressed content leaves the store. Returns
 * whether there was any.
 */
static bool zvmo_cow_release_content(const struct zvmo_pl_slot *slot,
				     struct list_head *freelist)
{
	struct page *page = zvmo_pl_slot_page(slot);

	if (page) {
		list_add(&page->lru, freelist);
		return true;
	}
	if (zvmo_pl_slot_is_compressed(slot)) {
		zvmo_cow_compressed_free(zvmo_pl_slot_compressed(slot));
		return true;
	}
	return false;
}

/* Release callback: count what goes (@ctx is a struct zvmo_cow_release). */
static void zvmo_cow_release_slot(struct zvmo_pl_slot *slot, u64 off,
				  void *ctx)
{
	struct zvmo_cow_release *r = ctx;

	r->compressed += zvmo_pl_slot_is_compressed(slot);
	r->held += zvmo_cow_release_content(slot, r->freelist);
}

/* @cow no longer holds what @r counts. */
static void zvmo_cow_released(struct zvmo_cow_pages *cow,
			      const struct zvmo_cow_release *r)
{
	cow->nr_pages -= r->held;
	cow->hier->nr_pages -= r->held;
	cow->nr_compressed -= r->compressed;
	cow->hier->nr_compressed -= r->compressed;
}

/* Walk callback: note the offset of the first content, and stop. */
static int zvmo_cow_first_content(struct zvmo_pl_slot *slot, u64 off,
				  void *ctx)
{
	*(u64 *)ctx = off;
	return 1;
}

/*
 * Let go of the memory of @cow's content in @slot, which the caller then
 * fills or removes.
 */
static void zvmo_cow_put_content(struct zvmo_cow_pages *cow,
				 const struct zvmo_pl_slot *slot,
				 struct list_head *freelist)
{
	struct zvmo_cow_release r = { .freelist = freelist };

	zvmo_cow_release_slot((struct zvmo_pl_slot *)slot, 0, &r);
	zvmo_cow_released(cow, &r);
}

/*
 * Remove the content of @cow at @off; a page goes to @freelist,
 * compressed content leaves the store.
 */
static void zvmo_cow_drop(struct zvmo_cow_pages *cow, u64 off,
			  struct list_head *freelist)
{
	struct zvmo_pl_slot old = zvmo_page_list_remove(&cow->pages, off);

	zvmo_cow_put_content(cow, &old, freelist);
}

static void zvmo_cow_set_page(struct zvmo_cow_pages *cow,
			      struct zvmo_pl_slot *slot, struct page *page)
{
	zvmo_pl_slot_set_page(slot, page);
	slot->state = 0;
	cow->nr_pages++;
	cow->hier->nr_pages++;
}

/**
 * zvmo_cow_find_locked() - the content a node reads at an offset
 * @cow: the node
 * @off: the offset, page aligned
 * @found: filled with the slot and its owner, if there is content
 *
 * Walks up from @cow to the first node with content at the place, within
 * each node's window onto its parent.
 *
 * Context: The hierarchy lock is held.
 * Return: true if content (a page or a marker) was found.
 */
bool zvmo_cow_find_locked(struct zvmo_cow_pages *cow, u64 off,
			  struct zvmo_cow_found *found)
{
	for (;;) {
		struct zvmo_pl_slot *slot;

		slot = zvmo_page_list_lookup(&cow->pages, off);
		if (slot && !zvmo_pl_slot_is_empty(slot)) {
			found->owner = cow;
			found->slot = slot;
			found->owner_off = off;
			return true;
		}
		if (!cow->parent || off >= cow->parent_limit)
			return false;
		off += cow->parent_offset;
		cow = cow->parent;
	}
}

/**
 * zvmo_cow_page_locked() - the page a node reads at an offset
 * @cow: the node
 * @off: the offset, page aligned
 *
 * The page may be an ancestor's, or a clone's origin's. A pager-backed
 * leaf's page is noted as read, for eviction.
 *
 * Context: The hierarchy lock is held.
 * Return: the page, NULL where the node reads zeros, or ERR_PTR(-EAGAIN)
 * where its content is compressed: zvmo_cow_decompress_locked() it, and
 * call again.
 */
struct page *zvmo_cow_page_locked(struct zvmo_cow_pages *cow, u64 off)
{
	struct zvmo_cow_found found;

	while (!zvmo_cow_find_locked(cow, off, &found)) {
		/* A clone reads its origin's current content. */
		if (!cow->origin || off >= cow->origin_limit)
			return NULL;
		off += cow->origin_offset;
		cow = cow->origin;
	}
	/* A pager's page that is read ages more slowly. */
	if (found.owner->source)
		found.slot->state |= ZVMO_COW_ACCESSED;
	if (zvmo_pl_slot_is_compressed(found.slot))
		return ERR_PTR(-EAGAIN);
	return zvmo_pl_slot_page(found.slot);
}

/*
 * Put the content of @slot of @node, compressed, back in a page of
 * @pool's. Its marks stay, but for cold and poor: what is decompressed is
 * in use, and may be written.
 */
static int zvmo_cow_decompress_slot(struct zvmo_cow_pages *node,
				    struct zvmo_pl_slot *slot,
				    struct zvmo_cow_pool *pool)
{
	unsigned long handle = zvmo_pl_slot_compressed(slot);
	struct page *page;
	int err;

	if (!pool->nr) {
		pool->want = max(pool->want, 1U);
		return -EAGAIN;
	}
	page = zvmo_cow_pool_take(pool);
	err = zvmo_cow_page_decompress(page, handle);
	if (err) {
		list_add(&page->lru, &pool->pages);
		pool->nr++;
		return err;
	}
	zvmo_cow_compressed_free(handle);
	zvmo_pl_slot_set_page(slot, page);
	slot->state &= ~(ZVMO_COW_COLD | ZVMO_COW_POOR);
	node->nr_compressed--;
	node->hier->nr_compressed--;
	zvmo_cow_changed(node);
	return 0;
}

/**
 * zvmo_cow_decompress_locked() - make the content a node reads at an
 *	offset a page again, if it is compressed
 * @cow: the node
 * @off: the offset, page aligned
 * @pool: pages to use
 *
 * The content may be an ancestor's. Nothing maps compressed content, so
 * nothing is unmapped.
 *
 * Context: The hierarchy lock is held.
 * Return: 0 (also where the content is not compressed); -EAGAIN with
 * @pool->want set if @pool is empty (fill it with the lock dropped, and
 * call again), or -EIO if the content does not decompress.
 */
int zvmo_cow_decompress_locked(struct zvmo_cow_pages *cow, u64 off,
			       struct zvmo_cow_pool *pool)
{
	struct zvmo_cow_found found;

	if (!cow->hier->nr_compressed || !zvmo_cow_find_locked(cow, off, &found) ||
	    !zvmo_pl_slot_is_compressed(found.slot))
		return 0;
	return zvmo_cow_decompress_slot(found.owner, found.slot, pool);
}

struct zvmo_cow_unzip {
	struct zvmo_cow_pages *leaf;
	struct zvmo_cow_pages *node;
	u64 delta;	/* node offset - leaf offset */
	struct zvmo_cow_pool *pool;
	int err;
};

static int zvmo_cow_unzip_slot(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zvmo_cow_unzip *u = ctx;
	struct zvmo_cow_found found;

	if (!zvmo_pl_slot_is_compressed(slot))
		return 0;
	/* Only what the leaf reads. */
	if (u->node != u->leaf &&
	    (!zvmo_cow_find_locked(u->leaf, off - u->delta, &found) ||
	     found.slot != slot))
		return 0;
	u->err = zvmo_cow_decompress_slot(u->node, slot, u->pool);
	return u->err;
}

/**
 * zvmo_cow_decompress_range_locked() - make all the content a leaf reads
 *	in a range pages again
 * @leaf: the leaf
 * @start: page-aligned start
 * @end: page-aligned end
 * @pool: pages to use
 *
 * Its own content, and what it reads of its ancestors'.
 *
 * Context: The hierarchy lock is held.
 * Return: 0, or as zvmo_cow_decompress_locked(); what was done before
 * an error stays done.
 */
int zvmo_cow_decompress_range_locked(struct zvmo_cow_pages *leaf, u64 start,
				     u64 end, struct zvmo_cow_pool *pool)
{
	struct zvmo_cow_unzip u = { .leaf = leaf, .node = leaf, .pool = pool };
	struct zvmo_cow_pages *t = leaf;

	if (!leaf->hier->nr_compressed)
		return 0;
	zvmo_page_list_for_each(&leaf->pages, start, end, zvmo_cow_unzip_slot,
				&u);
	while (!u.err && t->parent && start < min(end, t->parent_limit)) {
		end = min(end, t->parent_limit) + t->parent_offset;
		start += t->parent_offset;
		u.delta += t->parent_offset;
		u.node = t->parent;
		zvmo_page_list_for_each(&u.node->pages, start, end,
					zvmo_cow_unzip_slot, &u);
		t = u.node;
	}
	/* Pages for a batch of what may be left, not one at a time. */
	if (u.err == -EAGAIN)
		pool->want = min_t(unsigned long, leaf->hier->nr_compressed, 16);
	return u.err;
}

/**
 * zvmo_cow_compressed_locked() - a page of a node's went into the store
 * @node: the node
 * @slot: the page's slot, which nothing pins, maps or refers to
 * @handle: its content in the store
 * @freelist: the page goes here
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_compressed_locked(struct zvmo_cow_pages *node,
				struct zvmo_pl_slot *slot,
				unsigned long handle,
				struct list_head *freelist)
{
	struct page *page = zvmo_pl_slot_page(slot);

	list_add(&page->lru, freelist);
	zvmo_pl_slot_set_compressed(slot, handle);
	slot->state &= ~ZVMO_COW_COLD;
	node->nr_compressed++;
	node->hier->nr_compressed++;
	zvmo_cow_changed(node);
}

/*
 * Unmap the parent offset @poff of @child and of every leaf below it that
 * reads through it, from all their views.
 */
static void zvmo_cow_unmap_subtree(struct zvmo_cow_pages *child, u64 poff)
{
	u64 root_off = poff + child->parent->root_offset;
	struct zvmo_cow_pages *cur = child;

	while (cur) {
		u64 off = root_off - cur->root_offset;
		bool sees = zvmo_cow_sees(cur, off + cur->parent_offset);

		if (sees && !cur->hidden)
			zvmo_cow_unmap_leaf_locked(cur, off, off + PAGE_SIZE);
		cur = zvmo_cow_walk_next(child, cur, sees);
	}
}

/**
 * zvmo_cow_zeroed_locked() - a page of a node's holds only zeros: make it a
 *	marker, which reads the same
 * @node: the node
 * @slot: the page's slot, which nothing pins, maps or refers to
 * @freelist: the page goes here
 *
 * In place, so that a walk of the node's list may go on.
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_zeroed_locked(struct zvmo_cow_pages *node,
			    struct zvmo_pl_slot *slot,
			    struct list_head *freelist)
{
	zvmo_cow_put_content(node, slot, freelist);
	zvmo_pl_slot_set_marker(slot);
	/* A hidden node's split bits stay; the page's marks go with it. */
	slot->state &= node->hidden ?
		       (ZVMO_COW_SPLIT_LEFT | ZVMO_COW_SPLIT_RIGHT) : 0;
	if (!node->hidden)
		node->commit_events++;
	zvmo_cow_changed(node);
}

/**
 * zvmo_cow_unmap_node_locked() - unmap a node's offset wherever it shows
 * @node: a leaf, or a hidden node
 * @off: the node's offset
 *
 * A leaf's own offset goes from all its views; a hidden node's, from
 * those of every leaf below that reads it.
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_unmap_node_locked(struct zvmo_cow_pages *node, u64 off)
{
	unsigned int side;

	if (!node->hidden) {
		zvmo_cow_unmap_leaf_locked(node, off, off + PAGE_SIZE);
		return;
	}
	for (side = 0; side < 2; side++)
		if (node->children[side] &&
		    zvmo_cow_sees(node->children[side], off))
			zvmo_cow_unmap_subtree(node->children[side], off);
}

/*
 * The child of @node on the way from @leaf up to @node, and @leaf's
 * offset @off in that child's terms.
 */
static struct zvmo_cow_pages *zvmo_cow_below(struct zvmo_cow_pages *leaf,
					     struct zvmo_cow_pages *node,
					     u64 *off)
{
	while (leaf->parent != node) {
		*off += leaf->parent_offset;
		leaf = leaf->parent;
	}
	return leaf;
}

/*
 * Pages needed to bring the content @found for @leaf down to the node
 * below @stop (NULL: to @leaf itself): a copy at each level where the
 * other side still needs the page.
 */
static unsigned int zvmo_cow_fork_cost(struct zvmo_cow_pages *leaf, u64 off,
				       const struct zvmo_cow_found *found,
				       struct zvmo_cow_pages *stop)
{
	struct zvmo_cow_pages *t = leaf;
	unsigned int n = 0;
	u64 toff = off;

	while (stop && t != stop) {
		toff += t->parent_offset;
		t = t->parent;
	}
	while (t != found->owner) {
		struct zvmo_cow_pages *node = t->parent;
		unsigned int side = zvmo_cow_side(t);
		u64 noff = toff + t->parent_offset;
		bool split = node == found->owner &&
			     (found->slot->state & zvmo_cow_split(!side));

		if (!split && zvmo_cow_needed(node->children[!side], noff))
			n++;
		toff = noff;
		t = node;
	}
	return n;
}

/*
 * Move the content @found one level down, towards @leaf: copy it if the
 * other side still needs it (setting the split bit of this side), else
 * migrate it. The content is a page.
 */
static int zvmo_cow_fork_step(struct zvmo_cow_pages *leaf, u64 off,
			      struct zvmo_cow_found *found,
			      struct zvmo_cow_pool *pool)
{
	struct zvmo_cow_pages *node = found->owner, *t;
	struct zvmo_pl_slot *tslot;
	struct page *page = zvmo_pl_slot_page(found->slot);
	unsigned int side;
	u64 toff = off;

	t = zvmo_cow_below(leaf, node, &toff);
	side = zvmo_cow_side(t);
	tslot = zvmo_page_list_lookup_or_alloc(&t->pages, toff, ZVMO_GFP_NODE);
	if (!tslot)
		return -ENOMEM;

	if (!(found->slot->state & zvmo_cow_split(!side)) &&
	    zvmo_cow_needed(node->children[!side], found->owner_off)) {
		struct page *copy = zvmo_cow_pool_take(pool);

		if (!copy) {
			zvmo_page_list_return_empty_slot(&t->pages, toff);
			return -ENOMEM;
		}
		zvmo_cow_page_copy(copy, page);
		atomic_long_inc(&zvmo_cow_stats.forks);
		found->slot->state |= zvmo_cow_split(side);
		zvmo_cow_set_page(t, tslot, copy);
		/* Everyone below @t read @page here, and now reads @copy. */
		zvmo_cow_unmap_subtree(t, found->owner_off);
	} else {
		/* Only @t's side reads it: it moves, and stays mapped. */
		zvmo_page_list_remove(&node->pages, found->owner_off);
		node->nr_pages--;
		zvmo_pl_slot_set_page(tslot, page);
		tslot->state = 0;
		t->nr_pages++;
		atomic_long_inc(&zvmo_cow_stats.migrations);
	}
	zvmo_cow_changed(leaf);
	return 0;
}

/*
 * Bring the page @leaf reads at @off down to the node below @stop (NULL:
 * into @leaf). Returns 0 once there, -EAGAIN with @pool->want set if the
 * pool is short, or -ENOMEM.
 */
static int zvmo_cow_fork_down(struct zvmo_cow_pages *leaf, u64 off,
			      struct zvmo_cow_pool *pool,
			      struct zvmo_cow_pages *stop)
{
	struct zvmo_cow_found found;
	unsigned int cost;
	bool unzip;
	int err;

	if (!zvmo_cow_find_locked(leaf, off, &found) ||
	    !zvmo_cow_held(found.slot))
		return 0;
	/* Compressed content that moves is a page again first. */
	unzip = zvmo_pl_slot_is_compressed(found.slot) &&
		found.owner != stop && (found.owner != leaf || !stop);
	cost = zvmo_cow_fork_cost(leaf, off, &found, stop) + unzip;
	if (cost > pool->nr) {
		pool->want = cost;
		return -EAGAIN;
	}
	if (unzip) {
		err = zvmo_cow_decompress_slot(found.owner, found.slot, pool);
		if (err)
			return err;
	}
	while (found.owner != leaf && found.owner != stop) {
		err = zvmo_cow_fork_step(leaf, off, &found, pool);
		if (err)
			return err;
		if (!zvmo_cow_find_locked(leaf, off, &found))
			break;
	}
	return 0;
}

/**
 * zvmo_cow_writable_locked() - a page of a leaf's own at an offset
 * @leaf: the leaf
 * @off: the offset, page aligned, below the leaf's size
 * @pool: pages to use
 *
 * The page the leaf reads at @off becomes its own: forked down from the
 * ancestor that holds it, or, where the leaf reads zeros, a new zeroed
 * page committed. Mappings that showed something else there are unmapped.
 *
 * Context: The hierarchy lock is held.
 * Return: the page; ERR_PTR(-EAGAIN) with @pool->want set if @pool holds
 * too few pages (fill it with the lock dropped, and call again),
 * ERR_PTR(-ENODATA) if the page is a pager's to supply (ask it, and call
 * again), ERR_PTR(-ENOMEM) if a page-list node could not be allocated, or
 * ERR_PTR(-EIO) if compressed content did not decompress.
 */
struct page *zvmo_cow_writable_locked(struct zvmo_cow_pages *leaf, u64 off,
				      struct zvmo_cow_pool *pool)
{
	struct page *page, *origin_page;
	struct zvmo_pl_slot *slot;
	unsigned long dirty;
	int err;

	leaf->dedup_done = false;
	err = zvmo_cow_fork_down(leaf, off, pool, NULL);
	if (err)
		return ERR_PTR(err);
	slot = zvmo_page_list_lookup(&leaf->pages, off);
	if (slot && zvmo_pl_slot_is_page(slot)) {
		/* It is being written: no longer cold, maybe no longer poor. */
		slot->state &= ~(ZVMO_COW_COLD | ZVMO_COW_POOR);
		return zvmo_pl_slot_page(slot);
	}

	/* A page the pager has yet to supply: the caller asks for it. */
	if (zvmo_cow_missing_locked(leaf, off))
		return ERR_PTR(-ENODATA);
	/* A clone copies its origin's page; elsewhere zeros: commit a page. */
	origin_page = leaf->origin ? zvmo_cow_page_locked(leaf, off) : NULL;
	if (!pool->nr) {
		pool->want = 1;
		return ERR_PTR(-EAGAIN);
	}
	slot = zvmo_page_list_lookup_or_alloc(&leaf->pages, off, ZVMO_GFP_NODE);
	if (!slot)
		return ERR_PTR(-ENOMEM);
	/* It keeps the dirty state of the marker or zero range it replaces. */
	dirty = zvmo_cow_dirty(slot);
	if (!dirty && leaf->source) {
		struct zvmo_cow_zero *z = zvmo_cow_zero_at(leaf, off);

		dirty = z ? z->dirty : 0;
	}
	page = zvmo_cow_pool_take(pool);
	if (origin_page)
		zvmo_cow_page_copy(page, origin_page);
	else
		zvmo_cow_page_clear(page);
	if (leaf->cache_policy) {
		err = zvmo_cow_page_set_policy(page, leaf->cache_policy);
		if (err) {
			list_add(&page->lru, &pool->pages);
			pool->nr++;
			zvmo_page_list_return_empty_slot(&leaf->pages, off);
			return ERR_PTR(err);
		}
	}
	zvmo_cow_set_page(leaf, slot, page);
	slot->state |= dirty;
	leaf->commit_events++;
	zvmo_cow_changed(leaf);
	/* Mappings may show the zero page, or an origin's page, here. */
	if (leaf->zero_mapped || leaf->origin || !list_empty(&leaf->clones))
		zvmo_cow_unmap_leaf_locked(leaf, off, off + PAGE_SIZE);
	return page;
}

/*
 * Whether an ancestor of @leaf has content @leaf would read at @off if it
 * had none of its own.
 */
static bool zvmo_cow_behind(struct zvmo_cow_pages *leaf, u64 off)
{
	struct zvmo_cow_found found;

	if (!leaf->parent || off >= leaf->parent_limit)
		return false;
	return zvmo_cow_find_locked(leaf->parent, off + leaf->parent_offset,
				    &found);
}

/**
 * zvmo_cow_zero_page_locked() - make a leaf read zeros at an offset
 * @leaf: the leaf
 * @off: the offset, page aligned, below the leaf's size
 * @pool: pages for copies the leaf's relatives still need
 * @freelist: pages freed go here
 *
 * The leaf's own page goes. If an ancestor's content would show through,
 * a marker stops it, for good: the ancestor's page is split off from the
 * leaf's side as a fork would do, so no merge ever brings it back, and it
 * is freed if nobody else needs it.
 *
 * Context: The hierarchy lock is held.
 * Return: 0, -EAGAIN with @pool->want set, or -ENOMEM.
 */
int zvmo_cow_zero_page_locked(struct zvmo_cow_pages *leaf, u64 off,
			      struct zvmo_cow_pool *pool,
			      struct list_head *freelist)
{
	struct zvmo_cow_found found;
	struct zvmo_pl_slot *slot;
	struct zvmo_cow_pages *node;
	unsigned int side;
	int err;

	if (!zvmo_cow_find_locked(leaf, off, &found))
		return 0;
	if (found.owner == leaf) {
		struct page *page = zvmo_pl_slot_page(found.slot);

		if (!zvmo_cow_held(found.slot))
			return 0;
		if (page && (zvmo_cow_pins(found.slot) || leaf->contiguous)) {
			/* Pinned, or never removed: zeroed where it is. */
			zvmo_cow_page_clear(page);
			return 0;
		}
		if (zvmo_cow_behind(leaf, off)) {
			/* Replace it with a marker, in place. */
			zvmo_cow_put_content(leaf, found.slot, freelist);
			zvmo_pl_slot_set_marker(found.slot);
			found.slot->state = 0;
		} else {
			zvmo_cow_drop(leaf, off, freelist);
		}
		leaf->commit_events++;
		goto out;
	}
	if (zvmo_pl_slot_is_marker(found.slot))
		return 0;

	/* An ancestor's page: split it off as far as the leaf's parent. */
	err = zvmo_cow_fork_down(leaf, off, pool, leaf->parent);
	if (err)
		return err;
	slot = zvmo_page_list_lookup_or_alloc(&leaf->pages, off, ZVMO_GFP_NODE);
	if (!slot)
		return -ENOMEM;
	zvmo_pl_slot_set_marker(slot);
	slot->state = 0;

	node = leaf->parent;
	side = zvmo_cow_side(leaf);
	if (zvmo_cow_find_locked(node, off + leaf->parent_offset, &found) &&
	    found.owner == node) {
		if ((found.slot->state & zvmo_cow_split(!side)) ||
		    !zvmo_cow_needed(node->children[!side], found.owner_off))
			zvmo_cow_drop(node, found.owner_off, freelist);
		else
			found.slot->state |= zvmo_cow_split(side);
	}
out:
	zvmo_cow_changed(leaf);
	zvmo_cow_unmap_leaf_locked(leaf, off, off + PAGE_SIZE);
	return 0;
}

/*
 * Make @leaf read zeros at each offset of [@start, @end) of @node (its
 * own offsets: @delta more than the leaf's) where it reads @node's
 * content.
 */
static int zvmo_cow_zero_from(struct zvmo_cow_pages *leaf,
			      struct zvmo_cow_pages *node, u64 delta,
			      u64 start, u64 end, struct zvmo_cow_pool *pool,
			      struct list_head *freelist)
{
	struct zvmo_cow_found found;
	u64 off;
	int err;

	for (off = start; off < end; off += PAGE_SIZE) {
		u64 at = U64_MAX;

		zvmo_page_list_for_each(&node->pages, off, end,
					zvmo_cow_first_content, &at);
		if (at == U64_MAX)
			break;
		off = at;
		if (node != leaf &&
		    (!zvmo_cow_find_locked(leaf, off - delta, &found) ||
		     found.owner != node || !zvmo_cow_held(found.slot)))
			continue;
		err = zvmo_cow_zero_page_locked(leaf, off - delta, pool,
						freelist);
		if (err)
			return err;
	}
	return 0;
}

/**
 * zvmo_cow_zero_range_locked() - make a leaf read zeros in a range
 * @leaf: the leaf
 * @start: page-aligned start
 * @end: page-aligned end, at most the size
 * @pool: pages for copies the leaf's relatives still need
 * @freelist: pages freed go here
 *
 * Pinned pages, and those of a contiguous leaf, are zeroed in place.
 * Costs time in proportion to the content in the range, the ancestors'
 * included, not to its length. A call that fails with -EAGAIN can be
 * repeated over the same range once the pool is filled: what was done
 * stays done.
 *
 * Context: The hierarchy lock is held.
 * Return: 0, -EAGAIN with @pool->want set, or -ENOMEM.
 */
int zvmo_cow_zero_range_locked(struct zvmo_cow_pages *leaf, u64 start,
			       u64 end, struct zvmo_cow_pool *pool,
			       struct list_head *freelist)
{
	struct zvmo_cow_pages *t = leaf;
	u64 delta = 0;
	int err;

	if (!leaf->parent && !leaf->nr_pinned && !leaf->contiguous) {
		zvmo_cow_remove_locked(leaf, start, end, freelist);
		return 0;
	}
	err = zvmo_cow_zero_from(leaf, leaf, 0, start, end, pool, freelist);
	end = min(end, leaf->parent_limit);
	while (!err && t->parent && start < end) {
		delta += t->parent_offset;
		start += t->parent_offset;
		end += t->parent_offset;
		t = t->parent;
		err = zvmo_cow_zero_from(leaf, t, delta, start, end, pool,
					 freelist);
		end = min(end, t->parent_limit);
	}
	return err;
}

/**
 * zvmo_cow_remove_locked() - remove a leaf's own content in a range
 * @leaf: the leaf
 * @start: page-aligned start
 * @end: page-aligned end
 * @freelist: pages removed go here
 *
 * What the leaf reads there afterwards is what its ancestors have, so
 * this is decommit only for a leaf without a parent. Mappings of the
 * range are unmapped.
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_remove_locked(struct zvmo_cow_pages *leaf, u64 start, u64 end,
			    struct list_head *freelist)
{
	struct zvmo_cow_release r = { .freelist = freelist };
	unsigned long before = leaf->nr_pages;

	zvmo_page_list_remove_range(&leaf->pages, start, end,
				    zvmo_cow_release_slot, &r);
	zvmo_cow_released(leaf, &r);
	if (before != leaf->nr_pages)
		leaf->commit_events++;
	zvmo_cow_changed(leaf);
	zvmo_cow_unmap_leaf_locked(leaf, start, end);
}

static int zvmo_cow_slot_pinned(struct zvmo_pl_slot *slot, u64 off,
				void *ctx)
{
	return zvmo_cow_pins(slot) ? 1 : 0;
}

/**
 * zvmo_cow_pinned_in_locked() - whether a leaf has a pinned page in a range
 * @leaf: the leaf
 * @start: page-aligned start
 * @end: end
 *
 * Costs time in proportion to the pages present in the range, and nothing
 * if the leaf has no pins.
 *
 * Context: The hierarchy lock is held.
 * Return: true if a page in [@start, @end) is pinned.
 */
bool zvmo_cow_pinned_in_locked(struct zvmo_cow_pages *leaf, u64 start,
			       u64 end)
{
	if (!leaf->nr_pinned || start >= end)
		return false;
	return zvmo_page_list_for_each(&leaf->pages, start, end,
				       zvmo_cow_slot_pinned, NULL) > 0;
}

/**
 * zvmo_cow_missing_locked() - whether a leaf's pager has yet to supply a page
 * @leaf: the leaf
 * @off: the offset, page aligned, below the leaf's size
 *
 * Context: The hierarchy lock is held.
 * Return: true if what @leaf reads at @off is a page a pager has yet to
 * supply: @leaf, or the origin a clone reads through, is pager-backed and
 * has nothing (no page, no marker) there below its pager limit.
 */
bool zvmo_cow_missing_locked(struct zvmo_cow_pages *leaf, u64 off)
{
	u64 root_off;

	return zvmo_cow_missing_root_locked(leaf, off, &root_off);
}

/**
 * zvmo_cow_missing_root_locked() - where a page a leaf reads is missing
 * @leaf: the leaf
 * @off: the offset, page aligned, below the leaf's size
 * @root_off: set to the offset in the leaf returned
 *
 * Follows a clone to its origin (and so on) where it has no content.
 *
 * Context: The hierarchy lock is held.
 * Return: the pager-backed leaf whose pager is to supply what @leaf reads
 * at @off, or NULL if @leaf reads content or zeros there.
 */
struct zvmo_cow_pages *zvmo_cow_missing_root_locked(struct zvmo_cow_pages *leaf,
						    u64 off, u64 *root_off)
{
	struct zvmo_cow_found found;

	/* Every fault and commit asks: no walk for an ordinary leaf. */
	if (!leaf->source && !leaf->origin)
		return NULL;
	for (;;) {
		if (zvmo_cow_find_locked(leaf, off, &found))
			return NULL;
		if (leaf->source) {
			*root_off = off;
			return zvmo_cow_zero_at(leaf, off) ? NULL : leaf;
		}
		if (!leaf->origin || off >= leaf->origin_limit)
			return NULL;
		off += leaf->origin_offset;
		leaf = leaf->origin;
	}
}

/**
 * zvmo_cow_missing_run_locked() - the run of missing pages from an offset
 * @leaf: a pager-backed leaf
 * @off: the offset of a missing page
 * @max: the most pages to count
 *
 * Context: The hierarchy lock is held.
 * Return: the run's length in bytes: at least a page, ended by a present
 * page, the pager limit, the size or @max.
 */
u64 zvmo_cow_missing_run_locked(struct zvmo_cow_pages *leaf, u64 off,
				unsigned int max)
{
	u64 end = leaf->size, at = U64_MAX;
	struct zvmo_cow_zero *z;

	/* A zero range ends the run too. */
	list_for_each_entry(z, &leaf->zeros, link) {
		if (z->start > off) {
			end = min(end, z->start);
			break;
		}
	}
	end = min_t(u64, end, off + ((u64)max << PAGE_SHIFT));
	zvmo_page_list_for_each(&leaf->pages, off, end, zvmo_cow_first_content,
				&at);
	end = min(end, at);
	return max_t(u64, end - off, PAGE_SIZE);
}

/**
 * zvmo_cow_mark_dirty_locked() - note that a pager-backed leaf's content
 *	was written
 * @leaf: the leaf; nothing happens unless it is pager-backed
 * @off: the offset of its page
 *
 * Clean or awaiting clean content becomes dirty, and the leaf modified.
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_mark_dirty_locked(struct zvmo_cow_pages *leaf, u64 off)
{
	struct zvmo_pl_slot *slot;

	if (!leaf->source)
		return;
	leaf->modified = true;
	slot = zvmo_page_list_lookup(&leaf->pages, off);
	if (slot && !zvmo_pl_slot_is_empty(slot))
		slot->state = (slot->state & ~ZVMO_COW_DIRTY_MASK) |
			      ZVMO_COW_DIRTY;
}

/**
 * zvmo_cow_needs_dirty_locked() - whether a write must ask the pager first
 * @leaf: the leaf
 * @off: the offset, page aligned, of content the leaf has
 *
 * Context: The hierarchy lock is held.
 * Return: true if @leaf traps writes to clean content
 * (ZVMO_VMO_TRAP_DIRTY) and its content at @off is clean.
 */
bool zvmo_cow_needs_dirty_locked(struct zvmo_cow_pages *leaf, u64 off)
{
	struct zvmo_pl_slot *slot;

	if (!leaf->trap_dirty)
		return false;
	slot = zvmo_page_list_lookup(&leaf->pages, off);
	return slot && !zvmo_pl_slot_is_empty(slot) &&
	       zvmo_cow_dirty(slot) == ZVMO_COW_CLEAN;
}

/* Where a walk over consecutive content of one kind has got to. */
struct zvmo_cow_run {
	u64 next;
	unsigned long dirty;
};

static int zvmo_cow_run_step(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zvmo_cow_run *run = ctx;

	if (off != run->next || zvmo_cow_dirty(slot) != run->dirty)
		return 1;
	run->next = off + PAGE_SIZE;
	return 0;
}

/**
 * zvmo_cow_clean_run_locked() - the run of clean content from an offset
 * @leaf: a pager-backed leaf
 * @off: the offset of clean content
 * @end: where the run ends at the latest
 * @max: the most pages to count
 *
 * Context: The hierarchy lock is held.
 * Return: the run's length in bytes, at least a page: ended by an offset
 * without content, or with content that is not clean, by @end, the size
 * or @max pages.
 */
u64 zvmo_cow_clean_run_locked(struct zvmo_cow_pages *leaf, u64 off, u64 end,
			      unsigned int max)
{
	struct zvmo_cow_run run = { .next = off, .dirty = ZVMO_COW_CLEAN };

	end = min3(end, leaf->size, off + ((u64)max << PAGE_SHIFT));
	zvmo_page_list_for_each(&leaf->pages, off, end, zvmo_cow_run_step,
				&run);
	return max_t(u64, run.next - off, PAGE_SIZE);
}

/* Whether zero ranges cover all of [@start, @end) of @leaf. */
static bool zvmo_cow_zeros_cover(struct zvmo_cow_pages *leaf, u64 start,
				 u64 end)
{
	struct zvmo_cow_zero *z;

	list_for_each_entry(z, &leaf->zeros, link) {
		if (z->end <= start)
			continue;
		if (z->start > start)
			return false;
		start = z->end;
		if (start >= end)
			return true;
	}
	return false;
}

/* A gap in the content not covered by zero ranges: never supplied. */
static int zvmo_cow_stop_at_gap(u64 start, u64 end, void *ctx)
{
	return !zvmo_cow_zeros_cover(ctx, start, end);
}

static int zvmo_cow_dirty_clean(struct zvmo_pl_slot *slot, u64 off,
				void *ctx)
{
	if (zvmo_cow_dirty(slot) == ZVMO_COW_CLEAN)
		slot->state |= ZVMO_COW_DIRTY;
	return 0;
}

/**
 * zvmo_cow_pager_dirty_locked() - the pager lets the clean content of a
 *	range be written (ZVMO_PAGER_OP_DIRTY)
 * @leaf: a pager-backed leaf
 * @start: page-aligned start
 * @end: page-aligned end, at most the size
 *
 * Clean content becomes dirty; dirty and awaiting clean content stays as
 * it is, and so do zero ranges, which are dirty already.
 *
 * Context: The hierarchy lock is held.
 * Return: 0, or -ENOENT if a page of the range has no content and is in
 * no zero range: it was never supplied (then nothing changed).
 */
int zvmo_cow_pager_dirty_locked(struct zvmo_cow_pages *leaf, u64 start,
				u64 end)
{
	if (zvmo_page_list_walk_gaps(&leaf->pages, start, end, NULL,
				     zvmo_cow_stop_at_gap, leaf) > 0)
		return -ENOENT;
	zvmo_page_list_for_each(&leaf->pages, start, end, zvmo_cow_dirty_clean,
				NULL);
	return 0;
}

struct zvmo_cow_wb {
	bool zeros_only;
	bool pages;
};

static int zvmo_cow_wb_begin(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zvmo_cow_wb *wb = ctx;

	if (zvmo_cow_dirty(slot) != ZVMO_COW_DIRTY ||
	    (wb->zeros_only && zvmo_pl_slot_is_page(slot)))
		return 0;
	slot->state = (slot->state & ~ZVMO_COW_DIRTY_MASK) |
		      ZVMO_COW_AWAITING_CLEAN;
	wb->pages |= zvmo_pl_slot_is_page(slot);
	return 0;
}

/**
 * zvmo_cow_writeback_begin_locked() - the pager starts writing back a range
 * @leaf: a pager-backed leaf
 * @start: page-aligned start
 * @end: page-aligned end
 * @zeros_only: only zeros are written back (ZVMO_DIRTY_RANGE_IS_ZERO): a
 *	page written since the pager looked stays dirty
 * @spares: zero ranges to split with, ZVMO_COW_ZERO_SPARES of them; those
 *	used are NULL afterwards
 *
 * Dirty content and zero ranges of the range become awaiting clean.
 *
 * Context: The hierarchy lock is held.
 * Return: true if a page did: its mappings must go, so that the next
 * write through one is seen.
 */
bool zvmo_cow_writeback_begin_locked(struct zvmo_cow_pages *leaf, u64 start,
				     u64 end, bool zeros_only,
				     struct zvmo_cow_zero **spares)
{
	struct zvmo_cow_wb wb = { .zeros_only = zeros_only };

	zvmo_page_list_for_each(&leaf->pages, start, end, zvmo_cow_wb_begin,
				&wb);
	zvmo_cow_zeros_set_locked(leaf, start, end, ZVMO_COW_DIRTY,
				  ZVMO_COW_AWAITING_CLEAN, spares);
	return wb.pages;
}

static int zvmo_cow_wb_end(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	if (zvmo_cow_dirty(slot) == ZVMO_COW_AWAITING_CLEAN)
		slot->state &= ~ZVMO_COW_DIRTY_MASK;
	return 0;
}

/**
 * zvmo_cow_writeback_end_locked() - the pager wrote back a range
 * @leaf: a pager-backed leaf
 * @start: page-aligned start
 * @end: page-aligned end
 *
 * @spares: as for zvmo_cow_writeback_begin_locked()
 *
 * Awaiting clean content becomes clean; what was written since the
 * writeback began is dirty and stays so. Awaiting clean zero ranges go:
 * the pager has the zeros now, and is asked for them again.
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_writeback_end_locked(struct zvmo_cow_pages *leaf, u64 start,
				   u64 end, struct zvmo_cow_zero **spares)
{
	zvmo_page_list_for_each(&leaf->pages, start, end, zvmo_cow_wb_end,
				NULL);
	zvmo_cow_zeros_set_locked(leaf, start, end, ZVMO_COW_AWAITING_CLEAN, 0,
				  spares);
}

struct zvmo_cow_hint {
	bool always_need;
};

static int zvmo_cow_hint_step(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zvmo_cow_hint *h = ctx;

	if (!zvmo_cow_held(slot))
		return 0;
	slot->state &= ~ZVMO_COW_EVICT_MASK;
	slot->state |= h->always_need ? ZVMO_COW_ALWAYS_NEED :
					ZVMO_COW_DONT_NEED;
	return 0;
}

/**
 * zvmo_cow_hint_locked() - ZVMO_OP_ALWAYS_NEED or ZVMO_OP_DONT_NEED of
 *	the pages of a range of a leaf
 * @leaf: the leaf
 * @start: page-aligned start
 * @end: page-aligned end
 * @always_need: ALWAYS_NEED (never evict nor compress them), else
 *	DONT_NEED (evict or compress them first)
 *
 * The last hint of a page wins.
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_hint_locked(struct zvmo_cow_pages *leaf, u64 start, u64 end,
			  bool always_need)
{
	struct zvmo_cow_hint h = { .always_need = always_need };

	zvmo_page_list_for_each(&leaf->pages, start, end, zvmo_cow_hint_step,
				&h);
}

/**
 * zvmo_cow_evict_page_locked() - evict a clean page of a pager-backed leaf
 * @leaf: the leaf
 * @off: the page's offset
 * @freelist: the page goes here, to be freed once the lock is dropped
 *
 * Its mappings, the leaf's and its clones', go first; the next access
 * asks the pager for it again.
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_evict_page_locked(struct zvmo_cow_pages *leaf, u64 off,
				struct list_head *freelist)
{
	zvmo_cow_unmap_leaf_locked(leaf, off, off + PAGE_SIZE);
	zvmo_cow_drop(leaf, off, freelist);
	leaf->commit_events++;
	zvmo_cow_changed(leaf);
}

struct zvmo_cow_query {
	struct zvmo_cow_pages *leaf;
	struct zvmo_cow_dirty_range *out;
	u64 max;
	u64 nr;
	struct zvmo_cow_dirty_range cur;
};

/* Add [@off, @off + @len) to the runs, of pages or of zeros. */
static void zvmo_cow_query_add(struct zvmo_cow_query *q, u64 off, u64 len,
			       bool zero)
{
	if (q->nr && q->cur.offset + q->cur.length == off &&
	    q->cur.zero == zero) {
		q->cur.length += len;
	} else {
		q->cur.offset = off;
		q->cur.length = len;
		q->cur.zero = zero;
		q->nr++;
	}
	if (q->nr <= q->max)
		q->out[q->nr - 1] = q->cur;
}

static int zvmo_cow_query_step(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	if (zvmo_cow_dirty(slot) != ZVMO_COW_CLEAN)
		zvmo_cow_query_add(ctx, off, PAGE_SIZE,
				   !zvmo_pl_slot_is_page(slot));
	return 0;
}

/* Where there is no content, the zero ranges are dirty zeros. */
static int zvmo_cow_query_gap(u64 start, u64 end, void *ctx)
{
	struct zvmo_cow_query *q = ctx;
	struct zvmo_cow_zero *z;

	list_for_each_entry(z, &q->leaf->zeros, link) {
		if (z->end <= start)
			continue;
		if (z->start >= end)
			break;
		zvmo_cow_query_add(q, max(z->start, start),
				   min(z->end, end) - max(z->start, start),
				   true);
	}
	return 0;
}

/**
 * zvmo_cow_dirty_ranges_locked() - the runs of dirty content of a range
 * @leaf: a pager-backed leaf
 * @start: page-aligned start
 * @end: page-aligned end
 * @out: filled with the first @max runs, in order
 * @max: room in @out
 *
 * Dirty and awaiting clean content counts (it has not been written back
 * yet); a run is pages, or zeros (markers), not both. Time goes in
 * proportion to the content of the range.
 *
 * Context: The hierarchy lock is held.
 * Return: how many runs there are in all.
 */
u64 zvmo_cow_dirty_ranges_locked(struct zvmo_cow_pages *leaf, u64 start,
				 u64 end, struct zvmo_cow_dirty_range *out,
				 u64 max)
{
	struct zvmo_cow_query q = { .out = out, .max = max, .leaf = leaf };

	zvmo_page_list_walk_gaps(&leaf->pages, start, end,
				 zvmo_cow_query_step, zvmo_cow_query_gap, &q);
	return q.nr;
}

/**
 * zvmo_cow_drop_clean_locked() - free a pager-backed leaf's clean content
 * @leaf: the leaf
 * @freelist: pages freed go here
 *
 * What the pager supplied and nobody wrote, and is not pinned, goes (as
 * Zircon's detach drops clean pages); the offsets are unmapped.
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_drop_clean_locked(struct zvmo_cow_pages *leaf,
				struct list_head *freelist)
{
	struct zvmo_pl_slot *slot;
	u64 off;

	for (off = 0; off < leaf->size; off += PAGE_SIZE) {
		u64 at = U64_MAX;

		zvmo_page_list_for_each(&leaf->pages, off, leaf->size,
					zvmo_cow_first_content, &at);
		if (at == U64_MAX)
			break;
		off = at;
		slot = zvmo_page_list_lookup(&leaf->pages, off);
		if (slot->state & (ZVMO_COW_DIRTY_MASK | ZVMO_COW_PIN_MASK))
			continue;
		zvmo_cow_drop(leaf, off, freelist);
		leaf->commit_events++;
		zvmo_cow_unmap_leaf_locked(leaf, off, off + PAGE_SIZE);
	}
	zvmo_cow_changed(leaf);
}

/*
 * Allocate the slots of [@start, @start + @nr pages) that @leaf lacks,
 * noting in @fresh which were empty (and so are to be filled); offsets past
 * the size are not. On failure the ones allocated are given back.
 */
static int zvmo_cow_reserve_locked(struct zvmo_cow_pages *leaf, u64 start,
				   unsigned int nr, bool *fresh)
{
	struct zvmo_pl_slot *slot;
	unsigned int i;
	u64 off;

	for (i = 0; i < nr; i++) {
		off = start + ((u64)i << PAGE_SHIFT);
		fresh[i] = false;
		if (off >= leaf->size)
			continue;
		slot = zvmo_page_list_lookup_or_alloc(&leaf->pages, off,
						      ZVMO_GFP_NODE);
		if (!slot)
			goto undo;
		fresh[i] = zvmo_pl_slot_is_empty(slot);
	}
	return 0;

undo:
	while (i--)
		if (fresh[i])
			zvmo_page_list_return_empty_slot(&leaf->pages,
							 start +
							 ((u64)i << PAGE_SHIFT));
	return -ENOMEM;
}

/*
 * Fill the slot of @off that zvmo_cow_reserve_locked() found @fresh with
 * @page (NULL: zeros, a marker); else @page goes to @freelist. Returns
 * whether it was placed.
 */
static bool zvmo_cow_place_locked(struct zvmo_cow_pages *leaf, u64 off,
				  bool fresh, struct page *page,
				  struct list_head *freelist)
{
	struct zvmo_pl_slot *slot;

	if (!fresh) {
		if (page)
			list_add(&page->lru, freelist);
		return false;
	}
	slot = zvmo_page_list_lookup(&leaf->pages, off);
	if (page) {
		zvmo_cow_set_page(leaf, slot, page);
	} else {
		zvmo_pl_slot_set_marker(slot);
		slot->state = 0;
	}
	return true;
}

/* After pages were placed in [@start, @start + @nr pages) of @leaf. */
static void zvmo_cow_placed_locked(struct zvmo_cow_pages *leaf, u64 start,
				   unsigned int nr)
{
	leaf->commit_events++;
	zvmo_cow_changed(leaf);
	if (leaf->zero_mapped || !list_empty(&leaf->clones))
		zvmo_cow_unmap_leaf_locked(leaf, start,
					   start + ((u64)nr << PAGE_SHIFT));
}

/**
 * zvmo_cow_move_locked() - move pages from a leaf into a pager-backed one
 * @leaf: the pager-backed leaf
 * @start: page-aligned start in @leaf
 * @aux: a leaf without parent, of another hierarchy
 * @aux_start: page-aligned start in @aux, whose range lies below its size
 * @nr: pages to move, at most ZVMO_COW_MOVE_MAX
 * @freelist: pages @leaf has no use for (it has content there already,
 *	or the offset is past its end) go here
 *
 * First the slots of @leaf that are empty are allocated, so that the move
 * cannot fail half-way: if one cannot be, nothing has changed. Then each
 * of @aux's pages moves (@aux reads zeros there afterwards, and its
 * mappings of the range are unmapped); a hole of @aux supplies zeros (a
 * marker). Mappings of @leaf showing the zero page or its clones are
 * unmapped.
 *
 * Context: Both hierarchy locks are held.
 * Return: 0 or -ENOMEM.
 */
int zvmo_cow_move_locked(struct zvmo_cow_pages *leaf, u64 start,
			 struct zvmo_cow_pages *aux, u64 aux_start,
			 unsigned int nr, struct list_head *freelist)
{
	bool fresh[ZVMO_COW_MOVE_MAX];
	unsigned long moved = 0, placed = 0;
	unsigned int i;

	if (WARN_ON_ONCE(nr > ZVMO_COW_MOVE_MAX))
		return -EINVAL;
	if (zvmo_cow_reserve_locked(leaf, start, nr, fresh))
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct zvmo_pl_slot old;
		struct page *page;

		old = zvmo_page_list_remove(&aux->pages,
					    aux_start + ((u64)i << PAGE_SHIFT));
		page = zvmo_pl_slot_page(&old);
		moved += !!page;
		placed += zvmo_cow_place_locked(leaf,
						start + ((u64)i << PAGE_SHIFT),
						fresh[i], page, freelist);
	}
	if (moved) {
		aux->nr_pages -= moved;
		aux->hier->nr_pages -= moved;
		aux->commit_events++;
	}
	zvmo_cow_changed(aux);
	zvmo_cow_unmap_leaf_locked(aux, aux_start,
				   aux_start + ((u64)nr << PAGE_SHIFT));
	if (placed)
		zvmo_cow_placed_locked(leaf, start, nr);
	return 0;
}

/**
 * zvmo_cow_fill_locked() - put new pages where a pager-backed leaf has none
 * @leaf: the leaf
 * @start: page-aligned start
 * @pages: @nr pages of the caller's, with their content
 * @nr: how many, at most ZVMO_COW_MOVE_MAX
 * @freelist: pages @leaf has no use for go here
 *
 * As zvmo_cow_move_locked(), whole or not at all, from pages instead of a
 * leaf.
 *
 * Context: The hierarchy lock is held.
 * Return: 0 or -ENOMEM (then the pages are still the caller's).
 */
int zvmo_cow_fill_locked(struct zvmo_cow_pages *leaf, u64 start,
			 struct page **pages, unsigned int nr,
			 struct list_head *freelist)
{
	bool fresh[ZVMO_COW_MOVE_MAX];
	unsigned long placed = 0;
	unsigned int i;

	if (WARN_ON_ONCE(nr > ZVMO_COW_MOVE_MAX))
		return -EINVAL;
	if (zvmo_cow_reserve_locked(leaf, start, nr, fresh))
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		placed += zvmo_cow_place_locked(leaf,
						start + ((u64)i << PAGE_SHIFT),
						fresh[i], pages[i], freelist);
	if (placed)
		zvmo_cow_placed_locked(leaf, start, nr);
	return 0;
}

/**
 * zvmo_cow_insert_locked() - give a leaf a page where it has nothing
 * @leaf: the leaf, with no parent
 * @off: page-aligned offset below its size, where its slot is empty
 * @page: the page, its content what the leaf reads from now on
 *
 * Context: The hierarchy lock is held.
 * Return: 0, -EEXIST if the slot is not empty, or -ENOMEM (the page is
 * still the caller's).
 */
int zvmo_cow_insert_locked(struct zvmo_cow_pages *leaf, u64 off,
			   struct page *page)
{
	struct zvmo_pl_slot *slot;

	slot = zvmo_page_list_lookup_or_alloc(&leaf->pages, off, ZVMO_GFP_NODE);
	if (!slot)
		return -ENOMEM;
	if (!zvmo_pl_slot_is_empty(slot))
		return -EEXIST;
	zvmo_cow_set_page(leaf, slot, page);
	leaf->commit_events++;
	zvmo_cow_changed(leaf);
	return 0;
}

/*
 * @child stopped reading through its parent over [@start, @end) of its
 * own offsets: its window no longer covers the range, or (further up) it
 * is a hidden node some of whose leaves gave it up. Every slot of the
 * parent there that no leaf on @child's side reads any more gets the
 * split bit of that side, or is freed if the other side does not need it
 * either. The range goes on up to the grandparent, less what a leaf
 * sibling still sees; a hidden sibling's window may have holes its
 * leaves gave up, so there each slot is asked instead.
 */
static void zvmo_cow_release_up(struct zvmo_cow_pages *child, u64 start,
				u64 end, struct list_head *freelist,
				bool merging)
{
	while (child->parent && start < end) {
		struct zvmo_cow_pages *node = child->parent, *other;
		unsigned int side = zvmo_cow_side(child);
		u64 nstart = start + child->parent_offset;
		u64 nend = end + child->parent_offset;
		u64 ostart, oend, off;

		other = node->children[!side];
		/*
		 * A parent about to merge into @other drops what @other does
		 * not need anyway: only the levels above have work to do.
		 */
		for (off = nstart; !merging && off < nend; off += PAGE_SIZE) {
			struct zvmo_pl_slot *slot;
			u64 at = U64_MAX;

			zvmo_page_list_for_each(&node->pages, off, nend,
						zvmo_cow_first_content, &at);
			if (at == U64_MAX)
				break;
			off = at;
			slot = zvmo_page_list_lookup(&node->pages, off);
			if ((slot->state & zvmo_cow_split(side)) ||
			    zvmo_cow_needed(child, off))
				continue;
			if ((slot->state & zvmo_cow_split(!side)) ||
			    !zvmo_cow_needed(other, off))
				zvmo_cow_drop(node, off, freelist);
			else
				slot->state |= zvmo_cow_split(side);
		}

		nend = min(nend, node->parent_limit);
		ostart = other ? other->parent_offset : 0;
		oend = other ? other->parent_offset + other->parent_limit : 0;
		if (other && !other->hidden && ostart < oend &&
		    nstart < ostart && oend < nend) {
			/* Two pieces: the upper one first, by recursion. */
			zvmo_cow_release_up(node, oend, nend, freelist, false);
			nend = ostart;
		} else if (other && !other->hidden && ostart < oend) {
			if (nstart >= ostart && nstart < oend)
				nstart = oend;
			if (nend > ostart && nend <= oend)
				nend = ostart;
			if (nstart >= ostart && nend <= oend)
				nend = nstart;
		}
		child = node;
		start = nstart;
		end = nend;
		merging = false;
	}
}

/**
 * zvmo_cow_resize_locked() - change a leaf's size
 * @leaf: the leaf
 * @size: the new size, page aligned
 * @freelist: pages freed go here
 *
 * Shrinking removes the leaf's content past the new end and cuts its
 * window onto its parent there for good, releasing the ancestors' pages
 * only it could see: regrown, the range reads zeros. Mappings past the
 * new end are unmapped (they fault with SIGBUS from now on).
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_resize_locked(struct zvmo_cow_pages *leaf, u64 size,
			    struct list_head *freelist)
{
	u64 old = leaf->size;

	if (size < old) {
		struct zvmo_cow_pages *clone;

		zvmo_cow_remove_locked(leaf, size, old, freelist);
		zvmo_cow_zeros_truncate_locked(leaf, size);
		leaf->origin_limit = min(leaf->origin_limit, size);
		/* What is cut off reads zeros in the clones too, for good. */
		list_for_each_entry(clone, &leaf->clones, clone_link)
			clone->origin_limit = min(clone->origin_limit,
						  size > clone->origin_offset ?
						  size - clone->origin_offset :
						  0);
		if (leaf->parent && size < leaf->parent_limit) {
			u64 limit = leaf->parent_limit;

			leaf->parent_limit = size;
			zvmo_cow_release_up(leaf, size, limit, freelist, false);
		}
	}
	WRITE_ONCE(leaf->size, size);
	zvmo_cow_changed(leaf);
}

struct zvmo_cow_merge {
	struct zvmo_cow_pages *child;
	unsigned long split;
	unsigned long moved;
	unsigned long moved_compressed;
	struct zvmo_cow_release freed;
};

static void zvmo_cow_merge_release(struct zvmo_pl_slot *slot, u64 off,
				   void *ctx)
{
	struct zvmo_cow_merge *m = ctx;

	zvmo_cow_release_slot(slot, off, &m->freed);
}

static void zvmo_cow_merge_migrate(struct zvmo_pl_slot *slot, u64 src_off,
				   u64 dst_off, void *ctx)
{
	struct zvmo_cow_merge *m = ctx;

	if ((slot->state & m->split) ||
	    (m->child->hidden &&
	     !zvmo_cow_needed(m->child->children[0], dst_off) &&
	     !zvmo_cow_needed(m->child->children[1], dst_off))) {
		/* The child forked it or gave it up: nobody needs it. */
		zvmo_cow_merge_release(slot, src_off, ctx);
		zvmo_pl_slot_clear(slot);
		return;
	}
	slot->state = 0;
	m->moved += zvmo_cow_held(slot);
	m->moved_compressed += zvmo_pl_slot_is_compressed(slot);
}

/*
 * Hidden @node has one child left: move what the child still reads of
 * @node into it, free the rest, and put the child in @node's place.
 */
static void zvmo_cow_merge(struct zvmo_cow_pages *node,
			   struct list_head *freelist)
{
	unsigned int side = node->children[0] ? 0 : 1;
	struct zvmo_cow_pages *child = node->children[side];
	struct zvmo_cow_pages *grand = node->parent;
	struct zvmo_cow_merge m = {
		.child = child,
		.split = zvmo_cow_split(side),
		.freed = { .freelist = freelist },
	};
	int err;

	err = zvmo_page_list_merge(&child->pages, &node->pages,
				   child->parent_offset,
				   child->parent_offset + child->parent_limit,
				   zvmo_cow_merge_release,
				   zvmo_cow_merge_migrate, &m);
	/* The skews of a hierarchy always match; keep the node if not. */
	if (WARN_ON_ONCE(err))
		return;
	child->nr_pages += m.moved;
	child->nr_compressed += m.moved_compressed;
	node->hier->nr_pages -= m.freed.held;
	node->hier->nr_compressed -= m.freed.compressed;
	node->nr_pages = 0;
	node->nr_compressed = 0;
	atomic_long_inc(&zvmo_cow_stats.merges);

	if (grand) {
		u64 limit = node->parent_limit > child->parent_offset ?
			    node->parent_limit - child->parent_offset : 0;

		grand->children[zvmo_cow_side(node)] = child;
		child->parent_limit = min(child->parent_limit, limit);
		child->parent_offset += node->parent_offset;
	} else {
		child->parent_limit = 0;
		child->parent_offset = 0;
	}
	child->parent = grand;
	zvmo_hier_put(node->hier);
	kfree(node);
}

/**
 * zvmo_cow_destroy() - free a leaf whose VMO is gone
 * @leaf: the leaf; it has no views left
 *
 * Frees its pages and those of its ancestors that only it could see; its
 * hidden parent, left with one child, merges into that child.
 *
 * Context: Process context; takes the hierarchy lock.
 */
void zvmo_cow_destroy(struct zvmo_cow_pages *leaf)
{
	struct zvmo_hier *hier = leaf->hier;
	LIST_HEAD(freelist);
	struct zvmo_cow_release r = { .freelist = &freelist };

	mutex_lock(&hier->lock);
	WARN_ON_ONCE(!list_empty(&leaf->views) || !list_empty(&leaf->clones));
	list_del_init(&leaf->clone_link);
	/* No fault is left; this drops the references of the last ones. */
	zvmo_cow_quiesce_locked(leaf);
	zvmo_page_list_destroy(&leaf->pages, zvmo_cow_release_slot, &r);
	zvmo_cow_released(leaf, &r);
	zvmo_cow_zeros_truncate_locked(leaf, 0);
	if (leaf->parent) {
		struct zvmo_cow_pages *node = leaf->parent;
		u64 limit = leaf->parent_limit;

		leaf->parent_limit = 0;
		zvmo_cow_release_up(leaf, 0, limit, &freelist, true);
		node->children[zvmo_cow_side(leaf)] = NULL;
		leaf->parent = NULL;
		zvmo_cow_merge(node, &freelist);
	}
	hier->gen++;
	mutex_unlock(&hier->lock);
	zvmo_cow_free_list(&freelist);
	zvmo_hier_put(hier);
	kfree(leaf);
}

/**
 * zvmo_cow_clone() - an at-least-on-write clone of a pager-backed leaf
 * @origin: the leaf, pager-backed or itself such a clone
 * @offset: page-aligned offset of the clone in @origin
 * @size: the clone's size, page aligned
 * @out: the clone's leaf
 *
 * Zircon's unidirectional clone: until it writes a page, the clone reads
 * what @origin reads there now, asking @origin's pager for what is
 * missing; @origin never sees the clone's writes. Costs O(1).
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0 or -ENOMEM.
 */
int zvmo_cow_clone(struct zvmo_cow_pages *origin, u64 offset, u64 size,
		   struct zvmo_cow_pages **out)
{
	struct zvmo_cow_pages *clone = zvmo_cow_alloc_node();

	if (!clone)
		return -ENOMEM;
	mutex_lock(&origin->hier->lock);
	clone->hier = origin->hier;
	refcount_inc(&origin->hier->ref);
	clone->origin = origin;
	clone->origin_offset = offset;
	clone->origin_limit = offset < origin->size ?
			      min(size, origin->size - offset) : 0;
	clone->size = size;
	zvmo_page_list_init(&clone->pages, 0);
	list_add_tail(&clone->clone_link, &origin->clones);
	origin->hier->gen++;
	mutex_unlock(&origin->hier->lock);
	*out = clone;
	return 0;
}

/**
 * zvmo_cow_snapshot() - a snapshot child of a leaf
 * @leaf: the leaf
 * @offset: page-aligned offset of the child in the leaf
 * @size: the child's size, page aligned
 * @out: the child's leaf
 *
 * A hidden node takes the leaf's pages and becomes the parent of both the
 * leaf and the child, which read through it. Costs O(1) in the leaf's
 * size, and the unmapping of the leaf's mappings, so that their next write
 * faults and forks.
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0, -EINVAL if the child's offset from the root overflows,
 * -EOPNOTSUPP for a contiguous or pager-backed leaf, -EBUSY for a leaf
 * with pinned pages
 * or a cache policy other than cached, or -ENOMEM.
 */
int zvmo_cow_snapshot(struct zvmo_cow_pages *leaf, u64 offset, u64 size,
		      struct zvmo_cow_pages **out)
{
	struct zvmo_hier *hier = leaf->hier;
	struct zvmo_cow_pages *node, *child;
	u64 root_off, root_end;
	int err = 0;

	/*
	 * What no memory can change is refused before any is asked for:
	 * these are set when the leaf is made, before anyone can see it.
	 */
	if (leaf->contiguous || leaf->source || leaf->origin)
		return -EOPNOTSUPP;
	node = zvmo_cow_alloc_node();
	child = zvmo_cow_alloc_node();
	if (!node || !child) {
		kfree(node);
		kfree(child);
		return -ENOMEM;
	}

	mutex_lock(&hier->lock);
	/* The leaf's pages are about to become the hidden node's. */
	zvmo_cow_quiesce_locked(leaf);
	/*
	 * As Zircon: pinned pages must stay the leaf's, a contiguous VMO's
	 * pages cannot be shared, nor can pages of another memory type.
	 */
	if (leaf->contiguous || leaf->source || leaf->origin) {
		err = -EOPNOTSUPP;
		goto out_unlock;
	}
	if (leaf->nr_pinned || leaf->cache_policy) {
		err = -EBUSY;
		goto out_unlock;
	}
	if (check_add_overflow(leaf->root_offset, offset, &root_off) ||
	    check_add_overflow(root_off, size, &root_end)) {
		err = -EINVAL;
		goto out_unlock;
	}

	node->hier = hier;
	node->hidden = true;
	node->pages = leaf->pages;
	zvmo_page_list_init(&leaf->pages, node->pages.skew);
	node->nr_pages = leaf->nr_pages;
	leaf->nr_pages = 0;
	node->nr_compressed = leaf->nr_compressed;
	leaf->nr_compressed = 0;
	node->size = leaf->size;
	node->parent = leaf->parent;
	node->parent_offset = leaf->parent_offset;
	node->parent_limit = leaf->parent_limit;
	node->root_offset = leaf->root_offset;
	if (leaf->parent)
		leaf->parent->children[zvmo_cow_side(leaf)] = node;
	node->children[0] = leaf;
	node->children[1] = child;

	leaf->parent = node;
	leaf->parent_offset = 0;
	leaf->parent_limit = leaf->size;

	child->hier = hier;
	child->parent = node;
	child->parent_offset = offset;
	child->parent_limit = offset < leaf->size ?
			      min(size, leaf->size - offset) : 0;
	child->root_offset = root_off;
	child->size = size;
	zvmo_page_list_init(&child->pages, (node->pages.skew + offset) &
					   (ZVMO_PL_NODE_SPAN - 1));
	refcount_add(2, &hier->ref);
	hier->gen++;

	/* Writes through the leaf's mappings must fault, and fork, now. */
	zvmo_cow_unmap_leaf_locked(leaf, 0, U64_MAX);
	leaf->zero_mapped = false;
	mutex_unlock(&hier->lock);
	*out = child;
	return 0;

out_unlock:
	mutex_unlock(&hier->lock);
	kfree(node);
	kfree(child);
	return err;
}

/*
 * Leaves that read the content of hidden @node at @off: those below a
 * child whose split bit is clear and whose window covers @off, and that
 * have no content of their own (nor any node between) at the place.
 */
static unsigned long zvmo_cow_sharers(struct zvmo_cow_pages *node, u64 off,
				      const struct zvmo_pl_slot *slot)
{
	unsigned long n = 0;
	unsigned int side;

	for (side = 0; side < 2; side++) {
		if (node->children[side] &&
		    !(slot->state & zvmo_cow_split(side)))
			n += zvmo_cow_readers(node->children[side], off,
					      ULONG_MAX);
	}
	return n;
}

struct zvmo_cow_attr_walk {
	struct zvmo_cow_pages *leaf;
	struct zvmo_cow_pages *node;
	u64 delta;	/* node offset - leaf offset */
	struct zvmo_cow_attr *attr;
};

static int zvmo_cow_attr_slot(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zvmo_cow_attr_walk *w = ctx;
	struct zvmo_cow_found found;
	unsigned long n;

	if (!zvmo_cow_held(slot))
		return 0;
	if (!zvmo_cow_find_locked(w->leaf, off - w->delta, &found) ||
	    found.slot != slot)
		return 0;
	n = zvmo_cow_sharers(w->node, off, slot);
	if (WARN_ON_ONCE(!n))
		n = 1;
	w->attr->populated += PAGE_SIZE;
	if (n == 1)
		w->attr->populated_private += PAGE_SIZE;
	w->attr->populated_scaled += PAGE_SIZE / n;
	if (zvmo_pl_slot_is_compressed(slot))
		return 0;
	w->attr->committed += PAGE_SIZE;
	if (n == 1)
		w->attr->private += PAGE_SIZE;
	w->attr->scaled += PAGE_SIZE / n;
	return 0;
}

/**
 * zvmo_cow_attr_locked() - the memory a leaf is charged with
 * @leaf: the leaf
 * @attr: filled: bytes of every page it reads (committed), of those only
 *	it reads (private), and of every page divided among the leaves that
 *	read it (scaled), so that the scaled bytes of all the leaves of a
 *	hierarchy add up to the pages it holds; and the same three counting
 *	compressed pages too (populated)
 *
 * A leaf without a parent is O(1). Otherwise the pages of its ancestors
 * in its window are walked once and the result cached until the
 * hierarchy next changes, so repeated queries cost nothing.
 *
 * Context: The hierarchy lock is held.
 */
void zvmo_cow_attr_locked(struct zvmo_cow_pages *leaf,
			  struct zvmo_cow_attr *attr)
{
	struct zvmo_cow_attr_walk w = { .leaf = leaf, .attr = attr };
	struct zvmo_cow_pages *t = leaf;
	u64 own = (u64)leaf->nr_pages << PAGE_SHIFT;
	u64 own_committed = (u64)(leaf->nr_pages - leaf->nr_compressed) <<
			    PAGE_SHIFT;
	u64 start = 0, end;

	attr->committed = own_committed;
	attr->private = own_committed;
	attr->scaled = own_committed;
	attr->populated = own;
	attr->populated_private = own;
	attr->populated_scaled = own;
	if (!leaf->parent)
		return;
	if (leaf->attr_gen == leaf->hier->gen) {
		*attr = leaf->attr;
		return;
	}

	end = leaf->parent_limit;
	while (t->parent && start < end) {
		w.node = t->parent;
		w.delta += t->parent_offset;
		start += t->parent_offset;
		end += t->parent_offset;
		zvmo_page_list_for_each(&w.node->pages, start, end,
					zvmo_cow_attr_slot, &w);
		t = w.node;
		end = min(end, t->parent_limit);
	}
	leaf->attr = *attr;
	leaf->attr_gen = leaf->hier->gen;
}

/**
 * zvmo_cow_depth_locked() - how many hidden nodes a node reads through
 * @cow: the node
 *
 * Context: The hierarchy lock is held.
 * Return: the number of ancestors.
 */
unsigned int zvmo_cow_depth_locked(struct zvmo_cow_pages *cow)
{
	unsigned int depth = 0;

	while (cow->parent) {
		cow = cow->parent;
		depth++;
	}
	return depth;
}

struct zvmo_cow_check {
	struct zvmo_cow_pages *cow;
	unsigned long pages;
	unsigned long compressed;
	unsigned long pinned;
	int bad;
};

static int zvmo_cow_check_slot(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zvmo_cow_check *c = ctx;
	struct zvmo_cow_pages *cow = c->cow;
	unsigned long both = ZVMO_COW_SPLIT_LEFT | ZVMO_COW_SPLIT_RIGHT;
	bool compressed = zvmo_pl_slot_is_compressed(slot);

	c->pages += zvmo_cow_held(slot);
	c->compressed += compressed;
	if (!cow->hidden && zvmo_cow_pins(slot))
		c->pinned++;
	/*
	 * A leaf's state is a pin count of its own pages, a pager-backed
	 * leaf's dirty state of its content and its marks for eviction, an
	 * ordinary leaf's marks for compression. Only an ordinary
	 * hierarchy's content is compressed.
	 */
	if ((!cow->hidden && (off >= cow->size ||
			      zvmo_cow_pins(slot) > ZVMO_COW_PIN_MAX ||
			      (slot->state & ~(ZVMO_COW_PIN_MASK |
					       ZVMO_COW_DIRTY_MASK |
					       ZVMO_COW_EVICT_MASK |
					       ZVMO_COW_COMPRESS_MASK)) ||
			      zvmo_cow_dirty(slot) == ZVMO_COW_DIRTY_MASK ||
			      (zvmo_cow_dirty(slot) && !cow->source) ||
			      (slot->state & ZVMO_COW_ACCESSED &&
			       !cow->source) ||
			      (slot->state & (ZVMO_COW_COLD | ZVMO_COW_POOR) &&
			       cow->source) ||
			      (zvmo_cow_pins(slot) &&
			       !zvmo_pl_slot_is_page(slot)))) ||
	    (cow->hidden && ((slot->state & both) == both ||
			     (slot->state & ~(both |
					      ZVMO_COW_COMPRESS_MASK)))) ||
	    (compressed && (cow->source || cow->origin || cow->contiguous ||
			    cow->cache_policy || cow->discardable ||
			    cow->hier->no_compress))) {
		pr_err("node %p: bad slot at %#llx: %#lx state %#lx\n",
		       cow, off, slot->val, slot->state);
		c->bad = -EINVAL;
	}
	/* A hidden node's page that no leaf reads should have been freed. */
	if (cow->hidden && zvmo_cow_held(slot) &&
	    !zvmo_cow_sharers(cow, off, slot)) {
		pr_err("node %p: page at %#llx that no leaf reads\n", cow,
		       off);
		c->bad = -EINVAL;
	}
	return 0;
}

/*
 * A leaf's zero ranges: a pager-backed leaf's only, in order, apart or of
 * different states, page aligned, dirty or awaiting clean, inside its size.
 */
static int zvmo_cow_check_zeros(struct zvmo_cow_pages *cow)
{
	struct zvmo_cow_zero *z, *prev = NULL;

	list_for_each_entry(z, &cow->zeros, link) {
		if (!cow->source || z->start >= z->end || z->end > cow->size ||
		    ((z->start | z->end) & ~PAGE_MASK) ||
		    (z->dirty != ZVMO_COW_DIRTY &&
		     z->dirty != ZVMO_COW_AWAITING_CLEAN) ||
		    (prev && (prev->end > z->start ||
			      (prev->end == z->start &&
			       prev->dirty == z->dirty)))) {
			pr_err("node %p: bad zero range [%#llx, %#llx) %#lx\n",
			       cow, z->start, z->end, z->dirty);
			return -EINVAL;
		}
		prev = z;
	}
	return 0;
}

static int zvmo_cow_check_node(struct zvmo_cow_pages *cow)
{
	struct zvmo_cow_check c = { .cow = cow };
	unsigned int i;

	if (zvmo_page_list_validate(&cow->pages))
		c.bad = -EINVAL;
	zvmo_page_list_for_each(&cow->pages, 0, ZVMO_PL_MAX_OFFSET,
				zvmo_cow_check_slot, &c);
	if (c.pages != cow->nr_pages || c.pinned != cow->nr_pinned ||
	    c.compressed != cow->nr_compressed) {
		pr_err("node %p: %lu pages, %lu pinned and %lu compressed counted, %lu, %lu and %lu in its list\n",
		       cow, cow->nr_pages, cow->nr_pinned, cow->nr_compressed,
		       c.pages, c.pinned, c.compressed);
		c.bad = -EINVAL;
	}
	if ((cow->cache_policy || cow->source) &&
	    (cow->parent || cow->hidden)) {
		pr_err("node %p: cache policy %u in a hierarchy\n", cow,
		       cow->cache_policy);
		c.bad = -EINVAL;
	}
	if (zvmo_cow_check_zeros(cow))
		c.bad = -EINVAL;
	if (cow->hidden != (cow->children[0] || cow->children[1]) ||
	    (cow->hidden && !list_empty(&cow->views))) {
		pr_err("node %p: hidden %d with children %p %p\n", cow,
		       cow->hidden, cow->children[0], cow->children[1]);
		c.bad = -EINVAL;
	}
	for (i = 0; i < 2; i++) {
		struct zvmo_cow_pages *child = cow->children[i];

		if (!child)
			continue;
		if (child->parent != cow || child->hier != cow->hier ||
		    child->root_offset != cow->root_offset +
					  child->parent_offset ||
		    child->pages.skew != ((cow->pages.skew +
					   child->parent_offset) &
					  (ZVMO_PL_NODE_SPAN - 1))) {
			pr_err("node %p: child %p does not match\n", cow,
			       child);
			c.bad = -EINVAL;
		}
	}
	return c.bad;
}

/* Check the tree under @root and its clones' trees; count their pages. */
static int zvmo_cow_check_tree(struct zvmo_cow_pages *root,
			       unsigned long *pages, unsigned long *compressed)
{
	struct zvmo_cow_pages *cur, *clone;
	int bad = 0;

	for (cur = root; cur; cur = zvmo_cow_walk_next(root, cur, true)) {
		if (zvmo_cow_check_node(cur))
			bad = -EINVAL;
		*pages += cur->nr_pages;
		*compressed += cur->nr_compressed;
		list_for_each_entry(clone, &cur->clones, clone_link) {
			if (clone->origin != cur || clone->parent ||
			    clone->hier != cur->hier) {
				pr_err("node %p: clone %p does not match\n",
				       cur, clone);
				bad = -EINVAL;
			}
			if (zvmo_cow_check_tree(clone, pages, compressed))
				bad = -EINVAL;
		}
	}
	return bad;
}

/**
 * zvmo_cow_validate_locked() - check the whole hierarchy of a node
 * @cow: any node of it
 *
 * Checks, as the seeds' DebugValidate* do, every node's page list and
 * page count, the links and skews between nodes, that hidden nodes have
 * two children and leaves none, that no leaf holds content past its size
 * or split bits, that a leaf's pin counts are on its own pages and add up
 * to its count of pinned pages, that clones link back to their origins,
 * that no slot has both split bits, that every page of a
 * hidden node is read by some leaf, and that the pages of all nodes add
 * up to the hierarchy's count. Reports what is wrong with
 * pr_err().
 *
 * Context: The hierarchy lock is held.
 * Return: 0 or -EINVAL.
 */
int zvmo_cow_validate_locked(struct zvmo_cow_pages *cow)
{
	struct zvmo_cow_pages *root = cow;
	unsigned long pages = 0, compressed = 0;
	int bad;

	while (root->parent || root->origin)
		root = root->parent ?: root->origin;
	bad = zvmo_cow_check_tree(root, &pages, &compressed);
	if (pages != cow->hier->nr_pages ||
	    compressed != cow->hier->nr_compressed) {
		pr_err("hierarchy: %lu pages and %lu compressed in nodes, %lu and %lu counted\n",
		       pages, compressed, cow->hier->nr_pages,
		       cow->hier->nr_compressed);
		bad = -EINVAL;
	}
	return bad;
}
