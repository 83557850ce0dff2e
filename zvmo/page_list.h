/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page list: where a VMO keeps its pages and markers, by offset.
 *
 * A list is a balanced tree of nodes; each node holds ZVMO_PL_FANOUT slots
 * for consecutive pages. A node exists only while one of its slots is
 * non-empty, so a sparse VMO costs memory and walk time in proportion to
 * what it holds, not to its size.
 *
 * The page list does no locking: the caller serializes all access to a
 * list (in zvmo, with the lock of the VMO's clone hierarchy).
 */
#ifndef _ZVMO_PAGE_LIST_H
#define _ZVMO_PAGE_LIST_H

#include <linux/bits.h>
#include <linux/mm_types.h>
#include <linux/rbtree.h>
#include <linux/types.h>

#define ZVMO_PL_FANOUT		16	/* slots per node */
#define ZVMO_PL_NODE_SPAN	((u64)ZVMO_PL_FANOUT * PAGE_SIZE)
/* Offsets are below this; ranges are clipped to it. */
#define ZVMO_PL_MAX_OFFSET	BIT_ULL(63)

/*
 * The low two bits of a slot's @val say what it holds. A struct page is
 * at least 4-byte aligned, and so is a handle of the compressed store (a
 * pointer to a slab object), so they are free in either.
 */
#define ZVMO_PL_TAG_MASK	3UL
#define ZVMO_PL_TAG_PAGE	1UL	/* struct page * | ZVMO_PL_TAG_PAGE */
#define ZVMO_PL_TAG_MARKER	2UL	/* the whole value: no payload */
#define ZVMO_PL_TAG_COMPRESSED	3UL	/* handle | ZVMO_PL_TAG_COMPRESSED */

/**
 * struct zvmo_pl_slot - what a list holds at one page offset
 * @val: 0 if empty, else a tagged value: a page, a marker, or the handle
 *	of a page's content in the compressed store
 * @state: per-slot state owned by the caller (copy-on-write split bits,
 *	dirty state, pin count, ...). The page list moves it with the
 *	content and zeroes it when it clears the slot; an empty slot's
 *	state is zero.
 */
struct zvmo_pl_slot {
	unsigned long val;
	unsigned long state;
};

static inline bool zvmo_pl_slot_is_empty(const struct zvmo_pl_slot *slot)
{
	return !slot->val;
}

static inline bool zvmo_pl_slot_is_page(const struct zvmo_pl_slot *slot)
{
	return (slot->val & ZVMO_PL_TAG_MASK) == ZVMO_PL_TAG_PAGE;
}

static inline bool zvmo_pl_slot_is_marker(const struct zvmo_pl_slot *slot)
{
	return slot->val == ZVMO_PL_TAG_MARKER;
}

static inline bool zvmo_pl_slot_is_compressed(const struct zvmo_pl_slot *slot)
{
	return (slot->val & ZVMO_PL_TAG_MASK) == ZVMO_PL_TAG_COMPRESSED;
}

/* The handle of the compressed content in @slot, or 0 if it holds none. */
static inline unsigned long
zvmo_pl_slot_compressed(const struct zvmo_pl_slot *slot)
{
	if (!zvmo_pl_slot_is_compressed(slot))
		return 0;
	return slot->val & ~ZVMO_PL_TAG_MASK;
}

/* The page in @slot, or NULL if it holds no page. */
static inline struct page *zvmo_pl_slot_page(const struct zvmo_pl_slot *slot)
{
	if (!zvmo_pl_slot_is_page(slot))
		return NULL;
	return (struct page *)(slot->val & ~ZVMO_PL_TAG_MASK);
}

/* Make @slot hold @page; its state is the caller's to set. */
static inline void zvmo_pl_slot_set_page(struct zvmo_pl_slot *slot,
					 struct page *page)
{
	slot->val = (unsigned long)page | ZVMO_PL_TAG_PAGE;
}

/*
 * Make @slot hold compressed content by its @handle (4-byte aligned); its
 * state is the caller's to set.
 */
static inline void zvmo_pl_slot_set_compressed(struct zvmo_pl_slot *slot,
					       unsigned long handle)
{
	slot->val = handle | ZVMO_PL_TAG_COMPRESSED;
}

/* Make @slot hold a marker; its state is the caller's to set. */
static inline void zvmo_pl_slot_set_marker(struct zvmo_pl_slot *slot)
{
	slot->val = ZVMO_PL_TAG_MARKER;
}

/* Empty @slot, and zero its state. */
static inline void zvmo_pl_slot_clear(struct zvmo_pl_slot *slot)
{
	slot->val = 0;
	slot->state = 0;
}

/**
 * struct zvmo_pl_node - ZVMO_PL_FANOUT consecutive slots of a page list
 * @rb: links the node into its list's tree, keyed by @offset
 * @offset: skewed offset of @slots[0]: a multiple of ZVMO_PL_NODE_SPAN
 * @slots: the slots; slot i holds skewed offset @offset + i * PAGE_SIZE
 *
 * The tree is an intrusive rbtree rather than an xarray because whole nodes
 * move between lists (take_range, merge): relinking an rb_node allocates
 * nothing, so those moves cannot fail half-way, where an xarray store may
 * need memory.
 */
struct zvmo_pl_node {
	struct rb_node rb;
	u64 offset;
	struct zvmo_pl_slot slots[ZVMO_PL_FANOUT];
};

/**
 * struct zvmo_page_list - the pages and markers of a VMO, by offset
 * @root: the nodes, keyed by skewed offset; no node is all empty
 * @skew: added to a VMO offset to get its skewed offset; below
 *	ZVMO_PL_NODE_SPAN and page aligned. Lists of one clone tree pick
 *	skews that put a given parent offset at the same slot position, so
 *	that whole nodes can move between them.
 * @nr_nodes: nodes in @root
 * @hint: the node last looked up, or NULL; a cache in front of the tree
 */
struct zvmo_page_list {
	struct rb_root root;
	u64 skew;
	unsigned long nr_nodes;
	struct zvmo_pl_node *hint;
};

int zvmo_page_list_cache_init(void);
void zvmo_page_list_cache_exit(void);
long zvmo_page_list_total_nodes(void);
size_t zvmo_page_list_node_size(void);

void zvmo_page_list_init(struct zvmo_page_list *pl, u64 skew);
bool zvmo_page_list_is_empty(const struct zvmo_page_list *pl);

struct zvmo_pl_slot *zvmo_page_list_lookup(struct zvmo_page_list *pl,
					   u64 off);
struct zvmo_pl_slot *zvmo_page_list_lookup_or_alloc(struct zvmo_page_list *pl,
						    u64 off, gfp_t gfp);
void zvmo_page_list_return_empty_slot(struct zvmo_page_list *pl, u64 off);
struct zvmo_pl_slot zvmo_page_list_remove(struct zvmo_page_list *pl,
					  u64 off);

int zvmo_page_list_for_each(struct zvmo_page_list *pl, u64 start, u64 end,
			    int (*fn)(struct zvmo_pl_slot *slot, u64 off,
				      void *ctx),
			    void *ctx);
int zvmo_page_list_walk_gaps(struct zvmo_page_list *pl,
			     u64 start, u64 end,
			     int (*page_fn)(struct zvmo_pl_slot *slot,
					    u64 off, void *ctx),
			     int (*gap_fn)(u64 gap_start, u64 gap_end,
					   void *ctx),
			     void *ctx);
int zvmo_page_list_walk_runs(struct zvmo_page_list *pl, u64 start, u64 end,
			     bool (*in_run)(const struct zvmo_pl_slot *slot,
					    u64 off, void *ctx),
			     int (*run_fn)(u64 run_start, u64 run_end,
					   void *ctx),
			     void *ctx);

void zvmo_page_list_remove_range(struct zvmo_page_list *pl, u64 start,
				 u64 end,
				 void (*release)(struct zvmo_pl_slot *slot,
						 u64 off, void *ctx),
				 void *ctx);
int zvmo_page_list_take_range(struct zvmo_page_list *src, u64 start, u64 end,
			      struct zvmo_page_list *dst, gfp_t gfp);
int zvmo_page_list_merge(struct zvmo_page_list *dst,
			 struct zvmo_page_list *src, u64 start, u64 end,
			 void (*release)(struct zvmo_pl_slot *slot, u64 off,
					 void *ctx),
			 void (*migrate)(struct zvmo_pl_slot *slot, u64 src_off,
					 u64 dst_off, void *ctx),
			 void *ctx);
void zvmo_page_list_destroy(struct zvmo_page_list *pl,
			    void (*release)(struct zvmo_pl_slot *slot, u64 off,
					    void *ctx),
			    void *ctx);

int zvmo_page_list_validate(const struct zvmo_page_list *pl);

#endif /* _ZVMO_PAGE_LIST_H */
