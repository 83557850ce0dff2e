// SPDX-License-Identifier: GPL-2.0
/*
 * zvmo page lists: the pages and markers of a VMO, kept in a tree of nodes
 * of ZVMO_PL_FANOUT slots each.
 *
 * Offsets given to and reported by these functions are VMO offsets in
 * bytes, page aligned and below ZVMO_PL_MAX_OFFSET. Inside, a list works
 * with skewed offsets: the VMO offset plus the list's skew. The node that
 * holds skewed offset s starts at s rounded down to ZVMO_PL_NODE_SPAN.
 * Skewed offsets stay below ZVMO_PL_MAX_OFFSET + ZVMO_PL_NODE_SPAN, so no
 * sum here can overflow a u64.
 *
 * Walks find their first node with one tree descent and then step with
 * rb_next(): they cost in proportion to the nodes in the range, however
 * long the range is.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/types.h>

#include "page_list.h"

#define PL_SPAN_MASK	(ZVMO_PL_NODE_SPAN - 1)

static struct kmem_cache *zvmo_pl_cache;
static atomic_long_t zvmo_pl_nodes = ATOMIC_LONG_INIT(0);

/* The key of the node that holds skewed offset @soff. */
static inline u64 pl_key(u64 soff)
{
	return soff & ~PL_SPAN_MASK;
}

/* The slot index of skewed offset @soff in its node. */
static inline unsigned int pl_index(u64 soff)
{
	return (soff & PL_SPAN_MASK) >> PAGE_SHIFT;
}

/* The VMO offset of slot @i of @node in @pl. */
static inline u64 pl_slot_off(const struct zvmo_page_list *pl,
			      const struct zvmo_pl_node *node, unsigned int i)
{
	return node->offset + ((u64)i << PAGE_SHIFT) - pl->skew;
}

static inline struct zvmo_pl_node *pl_node(const struct rb_node *rb)
{
	return rb_entry_safe(rb, struct zvmo_pl_node, rb);
}

static inline struct zvmo_pl_node *pl_next(struct zvmo_pl_node *node)
{
	return pl_node(rb_next(&node->rb));
}

/*
 * The slots of @node that the skewed range [@ss, @se) touches:
 * [*first, *last), empty if the range misses the node.
 */
static void pl_window(const struct zvmo_pl_node *node, u64 ss, u64 se,
		      unsigned int *first, unsigned int *last)
{
	u64 lo = max(ss, node->offset);
	u64 hi = min(se, node->offset + ZVMO_PL_NODE_SPAN);

	if (lo >= hi) {
		*first = 0;
		*last = 0;
		return;
	}
	*first = (lo - node->offset) >> PAGE_SHIFT;
	*last = (hi - node->offset + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

static bool pl_node_is_empty(const struct zvmo_pl_node *node)
{
	unsigned int i;

	for (i = 0; i < ZVMO_PL_FANOUT; i++)
		if (node->slots[i].val)
			return false;
	return true;
}

/* The node with key @key, or NULL. */
static struct zvmo_pl_node *pl_find(struct zvmo_page_list *pl, u64 key)
{
	struct rb_node *rb = pl->root.rb_node;
	struct zvmo_pl_node *node = pl->hint;

	if (node && node->offset == key)
		return node;
	while (rb) {
		node = rb_entry(rb, struct zvmo_pl_node, rb);
		if (key < node->offset) {
			rb = rb->rb_left;
		} else if (key > node->offset) {
			rb = rb->rb_right;
		} else {
			pl->hint = node;
			return node;
		}
	}
	return NULL;
}

/* The first node that holds VMO offset @off or a later one, or NULL. */
static struct zvmo_pl_node *pl_first_from(struct zvmo_page_list *pl, u64 off)
{
	struct rb_node *rb = pl->root.rb_node;
	struct zvmo_pl_node *node, *best = NULL;
	u64 key = pl_key(off + pl->skew);

	while (rb) {
		node = rb_entry(rb, struct zvmo_pl_node, rb);
		if (node->offset >= key) {
			best = node;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return best;
}

static struct zvmo_pl_node *pl_alloc_node(u64 key, gfp_t gfp)
{
	struct zvmo_pl_node *node;

	node = kmem_cache_zalloc(zvmo_pl_cache, gfp);
	if (!node)
		return NULL;
	node->offset = key;
	atomic_long_inc(&zvmo_pl_nodes);
	return node;
}

static void pl_free_node(struct zvmo_pl_node *node)
{
	atomic_long_dec(&zvmo_pl_nodes);
	kmem_cache_free(zvmo_pl_cache, node);
}

/* Insert @node, whose key @pl does not have yet. */
static void pl_link(struct zvmo_page_list *pl, struct zvmo_pl_node *node)
{
	struct rb_node **link = &pl->root.rb_node, *parent = NULL;
	struct zvmo_pl_node *cur;

	while (*link) {
		parent = *link;
		cur = rb_entry(parent, struct zvmo_pl_node, rb);
		if (node->offset < cur->offset)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&node->rb, parent, link);
	rb_insert_color(&node->rb, &pl->root);
	pl->nr_nodes++;
}

/*
 * Insert @node after all nodes of @pl; *@tail is the last node of @pl (NULL
 * if @pl is empty) and becomes @node. The last node has no right child, so
 * this needs no descent.
 */
static void pl_append(struct zvmo_page_list *pl, struct zvmo_pl_node *node,
		      struct zvmo_pl_node **tail)
{
	struct rb_node *parent = *tail ? &(*tail)->rb : NULL;

	rb_link_node(&node->rb, parent,
		     parent ? &parent->rb_right : &pl->root.rb_node);
	rb_insert_color(&node->rb, &pl->root);
	pl->nr_nodes++;
	*tail = node;
}

static void pl_unlink(struct zvmo_page_list *pl, struct zvmo_pl_node *node)
{
	rb_erase(&node->rb, &pl->root);
	pl->nr_nodes--;
	if (pl->hint == node)
		pl->hint = NULL;
}

static void pl_drop_if_empty(struct zvmo_page_list *pl,
			     struct zvmo_pl_node *node)
{
	if (!pl_node_is_empty(node))
		return;
	pl_unlink(pl, node);
	pl_free_node(node);
}

/* Release and clear slot @i of @node, which belongs to (or left) @pl. */
static void pl_release_slot(const struct zvmo_page_list *pl,
			    struct zvmo_pl_node *node, unsigned int i,
			    void (*release)(struct zvmo_pl_slot *slot, u64 off,
					    void *ctx),
			    void *ctx)
{
	struct zvmo_pl_slot *slot = &node->slots[i];

	if (zvmo_pl_slot_is_empty(slot))
		return;
	if (release)
		release(slot, pl_slot_off(pl, node, i), ctx);
	zvmo_pl_slot_clear(slot);
}

/**
 * zvmo_page_list_cache_init() - create the cache page list nodes come from
 *
 * Context: Process context; module init.
 * Return: 0 or -ENOMEM.
 */
int zvmo_page_list_cache_init(void)
{
	zvmo_pl_cache = kmem_cache_create("zvmo_pl_node",
					  sizeof(struct zvmo_pl_node), 0,
					  SLAB_ACCOUNT, NULL);
	return zvmo_pl_cache ? 0 : -ENOMEM;
}

/**
 * zvmo_page_list_cache_exit() - destroy the node cache
 *
 * All page lists must be destroyed before.
 *
 * Context: Process context; module exit.
 */
void zvmo_page_list_cache_exit(void)
{
	kmem_cache_destroy(zvmo_pl_cache);
	zvmo_pl_cache = NULL;
}

/**
 * zvmo_page_list_total_nodes() - count the nodes of all page lists
 *
 * Context: Any context.
 * Return: the number of nodes allocated and not yet freed.
 */
long zvmo_page_list_total_nodes(void)
{
	return atomic_long_read(&zvmo_pl_nodes);
}

/**
 * zvmo_page_list_node_size() - the size of one node
 *
 * A list's metadata takes @nr_nodes times this many bytes.
 *
 * Context: Any context.
 * Return: sizeof(struct zvmo_pl_node).
 */
size_t zvmo_page_list_node_size(void)
{
	return sizeof(struct zvmo_pl_node);
}

/**
 * zvmo_page_list_init() - make @pl an empty list
 * @pl: the list
 * @skew: its skew: page aligned and below ZVMO_PL_NODE_SPAN
 *
 * Context: Any context.
 */
void zvmo_page_list_init(struct zvmo_page_list *pl, u64 skew)
{
	WARN_ON_ONCE(skew & (~PL_SPAN_MASK | (PAGE_SIZE - 1)));
	pl->root = RB_ROOT;
	pl->skew = skew & PL_SPAN_MASK & ~(u64)(PAGE_SIZE - 1);
	pl->nr_nodes = 0;
	pl->hint = NULL;
}

/**
 * zvmo_page_list_is_empty() - whether @pl holds nothing
 * @pl: the list
 *
 * Context: Any context; caller serializes with changes to @pl.
 * Return: true if no slot of @pl is non-empty.
 */
bool zvmo_page_list_is_empty(const struct zvmo_page_list *pl)
{
	return RB_EMPTY_ROOT(&pl->root);
}

/**
 * zvmo_page_list_lookup() - find the slot for an offset
 * @pl: the list
 * @off: the offset
 *
 * The caller may change the slot's content and state, but must not leave
 * all slots of a node empty: clear slots with zvmo_page_list_remove().
 *
 * Context: Any context; caller holds the hierarchy lock.
 * Return: the slot, which may be empty, or NULL if no node holds @off.
 */
struct zvmo_pl_slot *zvmo_page_list_lookup(struct zvmo_page_list *pl, u64 off)
{
	struct zvmo_pl_node *node;
	u64 soff;

	if (off >= ZVMO_PL_MAX_OFFSET)
		return NULL;
	soff = off + pl->skew;
	node = pl_find(pl, pl_key(soff));
	return node ? &node->slots[pl_index(soff)] : NULL;
}

/**
 * zvmo_page_list_lookup_or_alloc() - find the slot for an offset, or make it
 * @pl: the list
 * @off: the offset, below ZVMO_PL_MAX_OFFSET
 * @gfp: how to allocate a node
 *
 * If the caller leaves a slot it got from here empty, it must call
 * zvmo_page_list_return_empty_slot(), before dropping the hierarchy lock.
 *
 * Context: Any context; caller holds the hierarchy lock. May sleep if @gfp
 * allows.
 * Return: the slot, or NULL if a node was needed and could not be
 * allocated; then @pl is unchanged.
 */
struct zvmo_pl_slot *zvmo_page_list_lookup_or_alloc(struct zvmo_page_list *pl,
						    u64 off, gfp_t gfp)
{
	struct rb_node **link = &pl->root.rb_node, *parent = NULL;
	struct zvmo_pl_node *node;
	u64 soff, key;

	if (WARN_ON_ONCE(off >= ZVMO_PL_MAX_OFFSET))
		return NULL;
	soff = off + pl->skew;
	key = pl_key(soff);

	node = pl->hint;
	if (node && node->offset == key)
		goto found;
	while (*link) {
		parent = *link;
		node = rb_entry(parent, struct zvmo_pl_node, rb);
		if (key < node->offset)
			link = &parent->rb_left;
		else if (key > node->offset)
			link = &parent->rb_right;
		else
			goto found;
	}

	node = pl_alloc_node(key, gfp);
	if (!node)
		return NULL;
	rb_link_node(&node->rb, parent, link);
	rb_insert_color(&node->rb, &pl->root);
	pl->nr_nodes++;
found:
	pl->hint = node;
	return &node->slots[pl_index(soff)];
}

/**
 * zvmo_page_list_return_empty_slot() - give back an unused slot
 * @pl: the list
 * @off: the offset whose slot zvmo_page_list_lookup_or_alloc() returned
 *
 * Frees the slot's node if all its slots are empty.
 *
 * Context: Any context; caller holds the hierarchy lock.
 */
void zvmo_page_list_return_empty_slot(struct zvmo_page_list *pl, u64 off)
{
	struct zvmo_pl_node *node;

	if (off >= ZVMO_PL_MAX_OFFSET)
		return;
	node = pl_find(pl, pl_key(off + pl->skew));
	if (node)
		pl_drop_if_empty(pl, node);
}

/**
 * zvmo_page_list_remove() - take the content out of a slot
 * @pl: the list
 * @off: the offset
 *
 * Clears the slot and frees its node if that leaves the node empty.
 *
 * Context: Any context; caller holds the hierarchy lock.
 * Return: the slot's former content and state; an empty slot if there was
 * none.
 */
struct zvmo_pl_slot zvmo_page_list_remove(struct zvmo_page_list *pl, u64 off)
{
	struct zvmo_pl_slot old = { 0, 0 };
	struct zvmo_pl_node *node;
	struct zvmo_pl_slot *slot;
	u64 soff;

	if (off >= ZVMO_PL_MAX_OFFSET)
		return old;
	soff = off + pl->skew;
	node = pl_find(pl, pl_key(soff));
	if (!node)
		return old;
	slot = &node->slots[pl_index(soff)];
	old = *slot;
	zvmo_pl_slot_clear(slot);
	pl_drop_if_empty(pl, node);
	return old;
}

/**
 * zvmo_page_list_for_each() - visit the non-empty slots of a range
 * @pl: the list
 * @start: start of the range
 * @end: end of the range (exclusive); clipped to ZVMO_PL_MAX_OFFSET
 * @fn: called for each page or marker in [@start, @end), in offset order.
 *	It returns 0 to go on, or a positive value or a negative errno to
 *	stop the walk. It may change or clear @slot (with
 *	zvmo_pl_slot_clear()), but must not otherwise change @pl; nodes it
 *	empties are freed.
 * @ctx: passed to @fn
 *
 * Context: Any context; caller holds the hierarchy lock.
 * Return: 0 if the walk ended, else what @fn returned to stop it.
 */
int zvmo_page_list_for_each(struct zvmo_page_list *pl, u64 start, u64 end,
			    int (*fn)(struct zvmo_pl_slot *slot, u64 off,
				      void *ctx),
			    void *ctx)
{
	return zvmo_page_list_walk_gaps(pl, start, end, fn, NULL, ctx);
}

/**
 * zvmo_page_list_walk_gaps() - visit the slots and gaps of a range
 * @pl: the list
 * @start: start of the range
 * @end: end of the range (exclusive); clipped to ZVMO_PL_MAX_OFFSET
 * @page_fn: called for each page or marker in the range, as the @fn of
 *	zvmo_page_list_for_each(); may be NULL
 * @gap_fn: called for each gap: each maximal run of empty offsets in the
 *	range, [@gap_start, @gap_end). May be NULL. Returns 0 to go on, or a
 *	positive value or a negative errno to stop the walk. It may change
 *	@pl inside the gap, for example fill it; the walk goes on at
 *	@gap_end.
 * @ctx: passed to @page_fn and @gap_fn
 *
 * Pages, markers and gaps come in offset order and together cover the
 * range.
 *
 * Context: Any context; caller holds the hierarchy lock.
 * Return: 0 if the walk ended, else what a callback returned to stop it.
 */
int zvmo_page_list_walk_gaps(struct zvmo_page_list *pl,
			     u64 start, u64 end,
			     int (*page_fn)(struct zvmo_pl_slot *slot,
					    u64 off, void *ctx),
			     int (*gap_fn)(u64 gap_start, u64 gap_end,
					   void *ctx),
			     void *ctx)
{
	struct zvmo_pl_node *node, *next;
	struct zvmo_pl_slot *slot;
	unsigned int i, last;
	u64 cursor, off;
	int ret;

	end = min(end, ZVMO_PL_MAX_OFFSET);
	if (start >= end)
		return 0;

	/* Everything before @cursor has been reported. */
	cursor = start;
	node = pl_first_from(pl, cursor);
	while (node && node->offset < end + pl->skew) {
		pl_window(node, cursor + pl->skew, end + pl->skew, &i, &last);
		for (; i < last; i++) {
			slot = &node->slots[i];
			if (zvmo_pl_slot_is_empty(slot))
				continue;
			off = pl_slot_off(pl, node, i);
			if (gap_fn && off > cursor) {
				ret = gap_fn(cursor, off, ctx);
				cursor = off;
				if (ret)
					return ret;
				/* @gap_fn may have changed the tree. */
				break;
			}
			cursor = off + PAGE_SIZE;
			ret = page_fn ? page_fn(slot, off, ctx) : 0;
			if (ret) {
				pl_drop_if_empty(pl, node);
				return ret;
			}
		}
		if (i < last) {
			node = pl_first_from(pl, cursor);
			continue;
		}
		next = pl_next(node);
		pl_drop_if_empty(pl, node);
		node = next;
	}
	if (gap_fn && cursor < end)
		return gap_fn(cursor, end, ctx);
	return 0;
}

/**
 * zvmo_page_list_walk_runs() - visit the runs of selected slots
 * @pl: the list
 * @start: start of the range
 * @end: end of the range (exclusive); clipped to ZVMO_PL_MAX_OFFSET
 * @in_run: called for each page or marker in the range: whether it
 *	belongs in a run. It may be called again for a slot that ended a
 *	run, after @run_fn reported that run.
 * @run_fn: called for each maximal run [@run_start, @run_end) of
 *	consecutive offsets in the range whose slots are non-empty and
 *	selected by @in_run. Returns 0 to go on, or a positive value or a
 *	negative errno to stop the walk. It may change @pl; the walk goes on
 *	at @run_end.
 * @ctx: passed to @in_run and @run_fn
 *
 * Runs come in offset order. An empty slot, an offset no node holds or a
 * slot @in_run rejects ends a run.
 *
 * Context: Any context; caller holds the hierarchy lock.
 * Return: 0 if the walk ended, else what @run_fn returned to stop it.
 */
int zvmo_page_list_walk_runs(struct zvmo_page_list *pl, u64 start, u64 end,
			     bool (*in_run)(const struct zvmo_pl_slot *slot,
					    u64 off, void *ctx),
			     int (*run_fn)(u64 run_start, u64 run_end,
					   void *ctx),
			     void *ctx)
{
	u64 pos, off, run_start = 0, run_end = 0;
	const struct zvmo_pl_slot *slot;
	struct zvmo_pl_node *node;
	unsigned int i, last;
	bool active = false;
	bool take;
	int ret;

	end = min(end, ZVMO_PL_MAX_OFFSET);
	if (start >= end)
		return 0;

	/* Slots before @pos have been looked at. */
	pos = start;
	node = pl_first_from(pl, pos);
	while (node && node->offset < end + pl->skew) {
		pl_window(node, pos + pl->skew, end + pl->skew, &i, &last);
		for (; i < last; i++) {
			slot = &node->slots[i];
			off = pl_slot_off(pl, node, i);
			take = !zvmo_pl_slot_is_empty(slot) &&
			       in_run(slot, off, ctx);
			if (take && active && off == run_end) {
				run_end += PAGE_SIZE;
				continue;
			}
			if (active)
				break;
			if (take) {
				active = true;
				run_start = off;
				run_end = off + PAGE_SIZE;
			}
		}
		if (i == last) {
			node = pl_next(node);
			continue;
		}
		/*
		 * The run ended before slot i. Report it, then look at slot i
		 * again: @run_fn may have changed the tree, even freed @node.
		 */
		active = false;
		pos = pl_slot_off(pl, node, i);
		ret = run_fn(run_start, run_end, ctx);
		if (ret)
			return ret;
		node = pl_first_from(pl, pos);
	}
	if (active)
		return run_fn(run_start, run_end, ctx);
	return 0;
}

/**
 * zvmo_page_list_remove_range() - empty a range
 * @pl: the list
 * @start: start of the range
 * @end: end of the range (exclusive); clipped to ZVMO_PL_MAX_OFFSET
 * @release: called, if not NULL, for each page or marker in the range, in
 *	offset order, before its slot is cleared; must not change @pl
 * @ctx: passed to @release
 *
 * Frees the nodes this empties.
 *
 * Context: Any context; caller holds the hierarchy lock.
 */
void zvmo_page_list_remove_range(struct zvmo_page_list *pl, u64 start,
				 u64 end,
				 void (*release)(struct zvmo_pl_slot *slot,
						 u64 off, void *ctx),
				 void *ctx)
{
	struct zvmo_pl_node *node, *next;
	unsigned int i, last;

	end = min(end, ZVMO_PL_MAX_OFFSET);
	if (start >= end)
		return;

	node = pl_first_from(pl, start);
	while (node && node->offset < end + pl->skew) {
		next = pl_next(node);
		pl_window(node, start + pl->skew, end + pl->skew, &i, &last);
		for (; i < last; i++)
			pl_release_slot(pl, node, i, release, ctx);
		pl_drop_if_empty(pl, node);
		node = next;
	}
}

/* What take_range does with a node the range reaches. */
enum pl_take {
	PL_TAKE_NONE,	/* nothing in the range: leave it */
	PL_TAKE_WHOLE,	/* nothing outside the range: move the node */
	PL_TAKE_SPLIT,	/* both: move the range's slots to a new node */
};

static enum pl_take pl_take_kind(const struct zvmo_pl_node *node,
				 unsigned int first, unsigned int last)
{
	bool in = false, out = false;
	unsigned int i;

	for (i = 0; i < ZVMO_PL_FANOUT; i++) {
		if (zvmo_pl_slot_is_empty(&node->slots[i]))
			continue;
		if (i >= first && i < last)
			in = true;
		else
			out = true;
	}
	if (!in)
		return PL_TAKE_NONE;
	return out ? PL_TAKE_SPLIT : PL_TAKE_WHOLE;
}

/**
 * zvmo_page_list_take_range() - move a range of one list into a new list
 * @src: the list to take from
 * @start: start of the range
 * @end: end of the range (exclusive); clipped to ZVMO_PL_MAX_OFFSET
 * @dst: the list to fill; initialised here, so it must hold nothing
 * @gfp: how to allocate nodes
 *
 * Moves the content of @src at offset o in [@start, @end) to @dst at
 * offset o - @start, with its state. @dst gets the skew that puts the
 * content at the same slot positions, so nodes move whole by relinking;
 * only the nodes at the two ends of the range may need splitting, and
 * their new nodes are allocated before anything changes.
 *
 * Context: Any context; caller holds the hierarchy lock. May sleep if @gfp
 * allows.
 * Return: 0; or -ENOMEM, and then @src is unchanged and @dst empty.
 */
int zvmo_page_list_take_range(struct zvmo_page_list *src, u64 start, u64 end,
			      struct zvmo_page_list *dst, gfp_t gfp)
{
	struct zvmo_pl_node *spare[2] = { NULL, NULL };
	struct zvmo_pl_node *node, *next, *tail = NULL;
	unsigned int i, first, last, nr_spare = 0, used = 0;
	u64 ss, se, delta, keys[2];

	if (WARN_ON_ONCE(src == dst))
		return -EINVAL;
	zvmo_page_list_init(dst, (src->skew + start) & PL_SPAN_MASK);
	end = min(end, ZVMO_PL_MAX_OFFSET);
	if (start >= end)
		return 0;

	ss = start + src->skew;
	se = end + src->skew;
	/* Key k in @src is key k - delta in @dst. */
	delta = pl_key(ss);

	/* Only the nodes at either end of the range can need splitting. */
	keys[0] = pl_key(ss);
	keys[1] = pl_key(se - 1);
	for (i = 0; i < 2; i++) {
		if (i && keys[1] == keys[0])
			break;
		node = pl_find(src, keys[i]);
		if (!node)
			continue;
		pl_window(node, ss, se, &first, &last);
		if (pl_take_kind(node, first, last) == PL_TAKE_SPLIT)
			nr_spare++;
	}
	for (i = 0; i < nr_spare; i++) {
		spare[i] = pl_alloc_node(0, gfp);
		if (!spare[i]) {
			while (i--)
				pl_free_node(spare[i]);
			return -ENOMEM;
		}
	}

	/* From here on nothing can fail. */
	node = pl_first_from(src, start);
	while (node && node->offset < se) {
		next = pl_next(node);
		pl_window(node, ss, se, &first, &last);
		switch (pl_take_kind(node, first, last)) {
		case PL_TAKE_NONE:
			break;
		case PL_TAKE_WHOLE:
			pl_unlink(src, node);
			node->offset -= delta;
			pl_append(dst, node, &tail);
			break;
		case PL_TAKE_SPLIT:
			if (WARN_ON_ONCE(used >= nr_spare))
				break;
			spare[used]->offset = node->offset - delta;
			for (i = first; i < last; i++) {
				spare[used]->slots[i] = node->slots[i];
				zvmo_pl_slot_clear(&node->slots[i]);
			}
			pl_append(dst, spare[used++], &tail);
			break;
		}
		node = next;
	}
	WARN_ON_ONCE(used != nr_spare);
	return 0;
}

/**
 * zvmo_page_list_merge() - move the content of one list into another
 * @dst: the list to move into
 * @src: the list to empty
 * @start: start of the range of @src to keep
 * @end: end of that range (exclusive); clipped to ZVMO_PL_MAX_OFFSET
 * @release: called, if not NULL, for each page or marker of @src that is
 *	dropped, before its slot is cleared; must not change either list
 * @migrate: called, if not NULL, for each page or marker of @src that
 *	moves, before it moves from @src_off in @src to @dst_off in @dst. It
 *	may change the content and state of @slot, which move with it, or
 *	clear @slot, and then nothing moves; it must not change either list
 *	otherwise.
 * @ctx: passed to @release and @migrate
 *
 * Content of @src at offset o in [@start, @end) goes to @dst at offset
 * o - @start, unless @dst has content there: then @dst keeps its own and
 * the content of @src is released. Content of @src outside the range is
 * released. Callbacks come in @src offset order. @src ends up empty.
 *
 * @dst->skew must equal (@src->skew + @start) % ZVMO_PL_NODE_SPAN: then
 * nodes of @src that @dst lacks move whole, and the merge allocates
 * nothing.
 *
 * Context: Any context; caller holds the hierarchy lock.
 * Return: 0, or -EINVAL if the skews do not match; then nothing changed.
 */
int zvmo_page_list_merge(struct zvmo_page_list *dst,
			 struct zvmo_page_list *src, u64 start, u64 end,
			 void (*release)(struct zvmo_pl_slot *slot, u64 off,
					 void *ctx),
			 void (*migrate)(struct zvmo_pl_slot *slot, u64 src_off,
					 u64 dst_off, void *ctx),
			 void *ctx)
{
	struct zvmo_pl_node *node, *next, *target;
	struct zvmo_pl_slot *slot;
	unsigned int i, first, last;
	u64 ss = 0, se = 0, delta = 0, off;

	if (WARN_ON_ONCE(dst == src))
		return -EINVAL;
	if (((src->skew + start) & PL_SPAN_MASK) != dst->skew)
		return -EINVAL;
	end = min(end, ZVMO_PL_MAX_OFFSET);
	if (start < end) {
		ss = start + src->skew;
		se = end + src->skew;
		/* Key k in @src is key k - delta in @dst. */
		delta = pl_key(ss);
	}

	for (node = pl_node(rb_first(&src->root)); node; node = next) {
		next = pl_next(node);
		pl_unlink(src, node);
		pl_window(node, ss, se, &first, &last);
		target = NULL;
		if (first < last)
			target = pl_find(dst, node->offset - delta);

		for (i = 0; i < ZVMO_PL_FANOUT; i++) {
			slot = &node->slots[i];
			if (zvmo_pl_slot_is_empty(slot))
				continue;
			if (i < first || i >= last ||
			    (target &&
			     !zvmo_pl_slot_is_empty(&target->slots[i]))) {
				pl_release_slot(src, node, i, release, ctx);
				continue;
			}
			off = pl_slot_off(src, node, i);
			if (migrate)
				migrate(slot, off, off - start, ctx);
			if (target && !zvmo_pl_slot_is_empty(slot)) {
				target->slots[i] = *slot;
				zvmo_pl_slot_clear(slot);
			}
		}

		if (!target && !pl_node_is_empty(node)) {
			node->offset -= delta;
			pl_link(dst, node);
		} else {
			pl_free_node(node);
		}
	}
	return 0;
}

/**
 * zvmo_page_list_destroy() - empty a list
 * @pl: the list
 * @release: called, if not NULL, for each page or marker, in offset order,
 *	before its slot is cleared; must not change @pl
 * @ctx: passed to @release
 *
 * Frees all nodes; @pl is then empty and may be used again.
 *
 * Context: Any context; caller holds the hierarchy lock, or holds the only
 * reference to @pl.
 */
void zvmo_page_list_destroy(struct zvmo_page_list *pl,
			    void (*release)(struct zvmo_pl_slot *slot, u64 off,
					    void *ctx),
			    void *ctx)
{
	zvmo_page_list_remove_range(pl, 0, ZVMO_PL_MAX_OFFSET, release, ctx);
	WARN_ON_ONCE(!RB_EMPTY_ROOT(&pl->root) || pl->nr_nodes);
}

/**
 * zvmo_page_list_validate() - check the invariants of a list
 * @pl: the list
 *
 * Checks that the nodes are aligned, in order and not empty, that every
 * slot holds a valid value at a valid offset and that the node count and
 * the hint are right. Reports the first problem with pr_err().
 *
 * Context: Any context; caller holds the hierarchy lock.
 * Return: 0 if @pl is sound, else -EINVAL.
 */
int zvmo_page_list_validate(const struct zvmo_page_list *pl)
{
	const struct zvmo_pl_node *node, *prev = NULL;
	const struct zvmo_pl_slot *slot;
	bool hint_found = !pl->hint;
	unsigned long count = 0, tag;
	unsigned int i;
	bool empty;
	u64 soff;

	if (pl->skew & (~PL_SPAN_MASK | (PAGE_SIZE - 1))) {
		pr_err("page list %p: bad skew %#llx\n", pl, pl->skew);
		return -EINVAL;
	}
	for (node = pl_node(rb_first(&pl->root)); node;
	     node = pl_node(rb_next(&node->rb))) {
		count++;
		if (node == pl->hint)
			hint_found = true;
		if (node->offset & PL_SPAN_MASK) {
			pr_err("page list %p: node %#llx misaligned\n",
			       pl, node->offset);
			return -EINVAL;
		}
		if (prev && node->offset <= prev->offset) {
			pr_err("page list %p: node %#llx after node %#llx\n",
			       pl, node->offset, prev->offset);
			return -EINVAL;
		}
		empty = true;
		for (i = 0; i < ZVMO_PL_FANOUT; i++) {
			slot = &node->slots[i];
			if (zvmo_pl_slot_is_empty(slot)) {
				if (!slot->state)
					continue;
				pr_err("page list %p: node %#llx slot %u empty with state %#lx\n",
				       pl, node->offset, i, slot->state);
				return -EINVAL;
			}
			empty = false;
			tag = slot->val & ZVMO_PL_TAG_MASK;
			if ((tag != ZVMO_PL_TAG_PAGE &&
			     tag != ZVMO_PL_TAG_COMPRESSED &&
			     slot->val != ZVMO_PL_TAG_MARKER) ||
			    slot->val == ZVMO_PL_TAG_COMPRESSED) {
				pr_err("page list %p: node %#llx slot %u bad value %#lx\n",
				       pl, node->offset, i, slot->val);
				return -EINVAL;
			}
			soff = node->offset + ((u64)i << PAGE_SHIFT);
			if (soff < pl->skew ||
			    soff - pl->skew >= ZVMO_PL_MAX_OFFSET) {
				pr_err("page list %p: node %#llx slot %u out of range\n",
				       pl, node->offset, i);
				return -EINVAL;
			}
		}
		if (empty) {
			pr_err("page list %p: node %#llx empty\n",
			       pl, node->offset);
			return -EINVAL;
		}
		if (count > pl->nr_nodes)
			break;
		prev = node;
	}
	if (count != pl->nr_nodes) {
		pr_err("page list %p: %lu nodes, nr_nodes %lu\n",
		       pl, count, pl->nr_nodes);
		return -EINVAL;
	}
	if (!hint_found) {
		pr_err("page list %p: hint %p not in the list\n", pl, pl->hint);
		return -EINVAL;
	}
	return 0;
}
