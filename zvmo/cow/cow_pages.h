/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pages of VMOs and their copy-on-write hierarchy (Zircon's
 * VmCowPages).
 *
 * cow_pages.c is the hierarchy itself: hidden nodes, forking, migration,
 * release and merging, attribution. It touches pages only through the few
 * page functions declared at the end, and needs nothing else of the mm, so
 * it also builds on the host for the differential test. cow_mm.c is the
 * rest: read() and write(), commit, decommit, zero, resize, and faults.
 */
#ifndef _ZVMO_COW_PAGES_H
#define _ZVMO_COW_PAGES_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include "../page_list.h"

/*
 * Split bits, in the state of a slot of a hidden node: the left or right
 * child (and everything below it) no longer needs this slot's content,
 * because it forked a copy, shadowed it, or stopped seeing the offset.
 * Both set never happens: the content is freed instead.
 */
#define ZVMO_COW_SPLIT_LEFT	BIT(0)
#define ZVMO_COW_SPLIT_RIGHT	BIT(1)

/**
 * struct zvmo_hier - what all the nodes of one clone hierarchy share
 * @lock: the hierarchy lock. It guards the page lists, sizes, links and
 *	counts of every node of the hierarchy, and the views of its leaves.
 *	Lock order: an mm's mmap lock (page faults), then a page's lock,
 *	then @lock, then the i_mmap lock of an address space (unmapping).
 *	Nothing is copied to or from user memory under @lock with page
 *	faults enabled.
 * @ref: one reference per node of the hierarchy
 * @gen: bumped under @lock whenever content or shape changes; cached
 *	attribution is good while it stays the same
 * @nr_pages: pages held by all the nodes, compressed ones included
 * @nr_compressed: of those, the ones in the compressed store
 * @no_compress: the hierarchy's root VMO was made ZVMO_VMO_NO_COMPRESS:
 *	reclaim compresses none of its pages
 */
struct zvmo_hier {
	struct mutex lock;	/* the hierarchy lock; see above */
	refcount_t ref;
	u64 gen;
	unsigned long nr_pages;
	unsigned long nr_compressed;
	bool no_compress;
};

struct zvmo_page_source;

struct zvmo_reclaim_entry;

/**
 * struct zvmo_cow_zero - a zero range of a pager-backed leaf
 * @link: in the leaf's @zeros, in order; ranges never overlap, and ranges
 *	that touch differ in @dirty
 * @start: page-aligned start
 * @end: page-aligned end, past @start, at most the leaf's size
 * @dirty: ZVMO_COW_DIRTY, or ZVMO_COW_AWAITING_CLEAN once its writeback
 *	began; when it ends, the range goes, and the pager is asked again
 *
 * Content inside a range (a page written there) has its own state.
 */
struct zvmo_cow_zero {
	struct list_head link;
	u64 start;
	u64 end;
	unsigned long dirty;
};

/*
 * Zero ranges one operation may need, at most: two to split a range it
 * falls inside of, and one more for a range it adds.
 */
#define ZVMO_COW_ZERO_SPARES	3

/**
 * struct zvmo_cow_view - one VMO's window onto the pages of a leaf
 * @link: in the leaf's @views
 * @mapping: the VMO's address space, which its mappings share
 * @offset: leaf offset of the VMO's offset 0
 * @len: bytes of the leaf the VMO sees, or U64_MAX for "up to the leaf's
 *	size, whatever it becomes" (the owner and its references)
 *
 * A VMO owns a leaf; slices and references of it look into the same leaf
 * through views of their own, so that each of their address spaces is
 * unmapped when the content under it changes.
 */
struct zvmo_cow_view {
	struct list_head link;
	struct address_space *mapping;
	u64 offset;
	u64 len;
};

/*
 * A leaf's slots carry the page's pin count in the low bits of their
 * state: pins of a page nest up to ZVMO_COW_PIN_MAX (Zircon's limit).
 *
 * The content of a pager-backed leaf (a page, or a marker: zeros) also
 * has a dirty state, the seeds' DirtyState: clean (0) as supplied, dirty
 * once written, and awaiting clean from the start of its writeback until
 * its end, which makes it clean again unless it was written meanwhile.
 * Other leaves' content is untracked and keeps the field 0.
 */
#define ZVMO_COW_PIN_MAX	31
#define ZVMO_COW_PIN_MASK	0xffUL
#define ZVMO_COW_DIRTY_MASK	(3UL << 8)
#define ZVMO_COW_CLEAN		0UL
#define ZVMO_COW_DIRTY		BIT(8)
#define ZVMO_COW_AWAITING_CLEAN	BIT(9)

/*
 * A pager-backed leaf's pages also carry what eviction goes by: read
 * since eviction last looked (cleared as it passes: a clock), always
 * needed (ZVMO_OP_ALWAYS_NEED: never evicted), not needed
 * (ZVMO_OP_DONT_NEED: evicted first).
 */
#define ZVMO_COW_ACCESSED	BIT(10)
#define ZVMO_COW_ALWAYS_NEED	BIT(11)
#define ZVMO_COW_DONT_NEED	BIT(12)
#define ZVMO_COW_EVICT_MASK \
	(ZVMO_COW_ACCESSED | ZVMO_COW_ALWAYS_NEED | ZVMO_COW_DONT_NEED)

/*
 * The pages of an ordinary anonymous leaf, and of its hidden ancestors,
 * carry what compression goes by (zvmo_cow_compress()): ALWAYS_NEED
 * (never compressed) and DONT_NEED (compressed first) as above, and two
 * marks of its own: cold (it was mapped, and compression unmapped it: it
 * is compressed the next time round unless it was mapped again), and
 * poor (it compressed too badly to keep compressed: not tried again until
 * it is written). A hidden node keeps the marks its pages had in the leaf
 * they came from, beside its split bits.
 */
#define ZVMO_COW_COLD		BIT(13)
#define ZVMO_COW_POOR		BIT(14)
#define ZVMO_COW_COMPRESS_MASK \
	(ZVMO_COW_ALWAYS_NEED | ZVMO_COW_DONT_NEED | ZVMO_COW_COLD | \
	 ZVMO_COW_POOR)

/* Whether @slot holds memory: a page, or content in the compressed store. */
static inline bool zvmo_cow_held(const struct zvmo_pl_slot *slot)
{
	return zvmo_pl_slot_is_page(slot) || zvmo_pl_slot_is_compressed(slot);
}

static inline unsigned long zvmo_cow_pins(const struct zvmo_pl_slot *slot)
{
	return slot->state & ZVMO_COW_PIN_MASK;
}

static inline unsigned long zvmo_cow_dirty(const struct zvmo_pl_slot *slot)
{
	return slot->state & ZVMO_COW_DIRTY_MASK;
}

/* Writes of one leaf that can be on their way into page tables at once. */
#define ZVMO_COW_INFLIGHT	16

/**
 * struct zvmo_cow_stats - what the hierarchies did since the module loaded
 * @forks: pages copied down for one side of a hidden node
 * @migrations: pages moved down, the other side no longer reading them
 * @merges: hidden nodes merged into their last child
 */
struct zvmo_cow_stats {
	atomic_long_t forks;
	atomic_long_t migrations;
	atomic_long_t merges;
};

extern struct zvmo_cow_stats zvmo_cow_stats;

/**
 * struct zvmo_cow_pages - a node of a clone hierarchy
 * @id: the node's id, unique for the module's life (introspection names
 *	hidden nodes by it)
 * @hier: the hierarchy; @hier->lock guards everything below
 * @parent: the hidden node this one reads through, or NULL
 * @children: a hidden node's two children, left and right
 * @parent_offset: the parent's offset of this node's offset 0
 * @parent_limit: this node reads through its parent only below this
 *	offset; it only ever shrinks, so a range that was cut off reads
 *	zero for good
 * @root_offset: offset of this node's offset 0 in the root's terms, to
 *	catch chains of offsets that overflow
 * @hidden: a hidden node: holds what its children share, has no views
 *	and is never written
 * @views: the views of a leaf (struct zvmo_cow_view)
 * @pages: pages and markers by offset; a hidden node's slots carry split
 *	bits in their state
 * @size: size in bytes, page aligned. No content of a leaf lies at or
 *	past it; a hidden node keeps the size its leaf had when it was made.
 * @nr_pages: pages in @pages, compressed ones included
 * @nr_compressed: of those, the ones in the compressed store
 * @commit_events: times the leaf's own pages were added or removed
 * @attr_gen: @hier->gen when @attr was computed; 0 if never
 * @attr: cached attribution of a leaf that has a parent
 * @inflight: pages of a leaf's own that ->page_mkwrite let the core make
 *	writable after the lock is dropped, each with a reference. Each
 *	stays locked by its fault until the page table entry is in place,
 *	so an entry whose page can be locked is over. Whatever takes pages
 *	away from the leaf waits for them first: zvmo_cow_quiesce_locked().
 * @zero_mapped: a view of the leaf may map the zero page somewhere (set
 *	under the lock before a fault maps it, cleared when all the leaf's
 *	mappings are unmapped): only then does a commit have to unmap
 * @nr_inflight: entries in @inflight
 * @quiescing: tasks waiting in zvmo_cow_quiesce_locked(); while there
 *	are any, no entry is added
 * @nr_pinned: pages of a leaf with a pin count (in their slot's state);
 *	pinned pages are the leaf's own and stay in their slots until
 *	unpinned: nothing decommits, moves or frees them
 * @contiguous: the leaf of a contiguous VMO: all its pages were
 *	committed at creation and are never removed
 * @cache_policy: ZVMO_CACHE_* of a leaf's pages (0: cached); a leaf that
 *	is not cached has no parent and no children
 * @nr_vmas: mappings of the leaf's views, counted under the lock as they
 *	are made so that a cache policy never changes under one
 * @source: the pager's end of a pager-backed leaf (which has no parent and
 *	no children), with a reference; NULL for the others
 * @zeros: a pager-backed leaf's zero ranges (struct zvmo_cow_zero), in
 *	order: where it has no content there, it reads zeros without asking
 *	its pager, and the zeros are dirty (the seeds' zero intervals)
 * @trap_dirty: a pager-backed leaf whose clean content is written only
 *	once its pager agreed (ZVMO_VMO_TRAP_DIRTY)
 * @modified: a pager-backed leaf was written or resized since its pager
 *	last reset its stats
 * @reclaim: the leaf's entry in the list of its kind of reclaim
 *	(zvmo/reclaim.c's), or NULL: a leaf of a VMO's own that is ordinary
 *	anonymous (dedup), pager-backed (eviction) or discardable has one
 * @evict_hand: where eviction looks next in a pager-backed leaf
 * @evicted: pages eviction took from a pager-backed leaf
 * @dedup_hand: where dedup looks next in an ordinary anonymous leaf
 * @dedup_gen: @hier->gen when dedup last looked
 * @dedup_stamp: jiffies when dedup found the leaf written since its last
 *	look; it waits for the leaf to stay unwritten a while
 * @dedup_done: set by dedup when it looks, cleared when the leaf's pages
 *	are written (zvmo_cow_writable_locked() or a shared mapping made
 *	writable)
 * @dedup_clean: a pass of dedup went over the whole leaf with nothing in
 *	its way and no write: while @dedup_done stays set and @hier->gen is
 *	@dedup_gen, dedup has nothing to look at
 * @dedup_skipped: the pass under way passed over a page something holds
 * @compress_hand: where compression looks next in the node's list
 * @discardable: the leaf of a discardable VMO (ZVMO_VMO_DISCARDABLE),
 *	which has no parent, children, clones nor pager
 * @lock_count: a discardable leaf's locks (ZVMO_OP_LOCK); reclaim may
 *	discard it only while there are none
 * @discarded: a discardable leaf was discarded since it was last locked
 * @discards: times it was discarded: a commit that sees it change while
 *	it refills its pool gives up (-ENOMEM)
 * @origin: for an at-least-on-write clone of a pager-backed leaf (Zircon's
 *	unidirectional clone), the leaf it reads the current content of
 *	where it has none of its own. A clone is a root of its own in the
 *	origin's hierarchy (it shares the lock), with no parent; it takes a
 *	copy of a page when it writes one. NULL for the others.
 * @origin_offset: the origin's offset of the clone's offset 0
 * @origin_limit: the clone reads through its origin only below this
 *	offset; it only ever shrinks
 * @clones: a leaf's clones (through @clone_link)
 * @clone_link: in the origin's @clones
 */
struct zvmo_cow_pages {
	u64 id;
	struct zvmo_hier *hier;
	struct zvmo_cow_pages *parent;
	struct zvmo_cow_pages *children[2];
	u64 parent_offset;
	u64 parent_limit;
	u64 root_offset;
	bool hidden;
	struct list_head views;
	struct zvmo_page_list pages;
	u64 size;
	unsigned long nr_pages;
	unsigned long nr_compressed;
	u64 commit_events;
	u64 attr_gen;
	struct zvmo_cow_attr {
		u64 committed;
		u64 private;
		u64 scaled;
		u64 populated;
		u64 populated_private;
		u64 populated_scaled;
	} attr;
	bool zero_mapped;
	struct page *inflight[ZVMO_COW_INFLIGHT];
	unsigned int nr_inflight;
	unsigned int quiescing;
	unsigned long nr_pinned;
	bool contiguous;
	u8 cache_policy;
	atomic_long_t nr_vmas;
	struct zvmo_page_source *source;
	struct list_head zeros;
	bool trap_dirty;
	bool modified;
	struct zvmo_reclaim_entry *reclaim;
	u64 evict_hand;
	u64 evicted;
	u64 dedup_hand;
	u64 dedup_gen;
	unsigned long dedup_stamp;
	bool dedup_done;
	bool dedup_clean;
	bool dedup_skipped;
	u64 compress_hand;
	bool discardable;
	bool discarded;
	u64 discards;
	u64 lock_count;
	struct zvmo_cow_pages *origin;
	u64 origin_offset;
	u64 origin_limit;
	struct list_head clones;
	struct list_head clone_link;
};

/**
 * struct zvmo_cow_pool - pages allocated ahead, outside the lock
 * @pages: the pages, linked through page->lru; their content is garbage
 * @nr: how many
 * @want: set by an operation that ran out: how many it needs in all
 */
struct zvmo_cow_pool {
	struct list_head pages;
	unsigned int nr;
	unsigned int want;
};

#define ZVMO_COW_POOL_INIT(name) \
	{ .pages = LIST_HEAD_INIT((name).pages), .nr = 0, .want = 0 }

/* A page's slot and the node holding it, as a walk up found them. */
struct zvmo_cow_found {
	struct zvmo_cow_pages *owner;
	struct zvmo_pl_slot *slot;
	u64 owner_off;
};

struct zvmo_cow_pages *zvmo_cow_create(u64 size);
int zvmo_cow_snapshot(struct zvmo_cow_pages *cow, u64 offset, u64 size,
		      struct zvmo_cow_pages **out);
void zvmo_cow_destroy(struct zvmo_cow_pages *cow);

bool zvmo_cow_find_locked(struct zvmo_cow_pages *cow, u64 off,
			  struct zvmo_cow_found *found);
struct page *zvmo_cow_page_locked(struct zvmo_cow_pages *cow, u64 off);
int zvmo_cow_decompress_locked(struct zvmo_cow_pages *cow, u64 off,
			       struct zvmo_cow_pool *pool);
int zvmo_cow_decompress_range_locked(struct zvmo_cow_pages *leaf, u64 start,
				     u64 end, struct zvmo_cow_pool *pool);
void zvmo_cow_compressed_locked(struct zvmo_cow_pages *node,
				struct zvmo_pl_slot *slot,
				unsigned long handle,
				struct list_head *freelist);
void zvmo_cow_zeroed_locked(struct zvmo_cow_pages *node,
			    struct zvmo_pl_slot *slot,
			    struct list_head *freelist);
void zvmo_cow_unmap_node_locked(struct zvmo_cow_pages *node, u64 off);
struct page *zvmo_cow_writable_locked(struct zvmo_cow_pages *cow, u64 off,
				      struct zvmo_cow_pool *pool);
int zvmo_cow_zero_page_locked(struct zvmo_cow_pages *cow, u64 off,
			      struct zvmo_cow_pool *pool,
			      struct list_head *freelist);
int zvmo_cow_zero_range_locked(struct zvmo_cow_pages *leaf, u64 start,
			       u64 end, struct zvmo_cow_pool *pool,
			       struct list_head *freelist);
void zvmo_cow_remove_locked(struct zvmo_cow_pages *cow, u64 start, u64 end,
			    struct list_head *freelist);
bool zvmo_cow_pinned_in_locked(struct zvmo_cow_pages *leaf, u64 start,
			       u64 end);
int zvmo_cow_clone(struct zvmo_cow_pages *origin, u64 offset, u64 size,
		   struct zvmo_cow_pages **out);
struct zvmo_cow_pages *zvmo_cow_missing_root_locked(struct zvmo_cow_pages *leaf,
						    u64 off, u64 *root_off);
bool zvmo_cow_missing_locked(struct zvmo_cow_pages *leaf, u64 off);
u64 zvmo_cow_missing_run_locked(struct zvmo_cow_pages *leaf, u64 off,
				unsigned int max);
void zvmo_cow_mark_dirty_locked(struct zvmo_cow_pages *leaf, u64 off);
bool zvmo_cow_needs_dirty_locked(struct zvmo_cow_pages *leaf, u64 off);
u64 zvmo_cow_clean_run_locked(struct zvmo_cow_pages *leaf, u64 off, u64 end,
			      unsigned int max);
int zvmo_cow_pager_dirty_locked(struct zvmo_cow_pages *leaf, u64 start,
				u64 end);
bool zvmo_cow_writeback_begin_locked(struct zvmo_cow_pages *leaf, u64 start,
				     u64 end, bool zeros_only,
				     struct zvmo_cow_zero **spares);
void zvmo_cow_writeback_end_locked(struct zvmo_cow_pages *leaf, u64 start,
				   u64 end, struct zvmo_cow_zero **spares);
void zvmo_cow_hint_locked(struct zvmo_cow_pages *leaf, u64 start, u64 end,
			  bool always_need);
void zvmo_cow_zeros_add_locked(struct zvmo_cow_pages *leaf, u64 start,
			       u64 end, struct zvmo_cow_zero **spares);
void zvmo_cow_evict_page_locked(struct zvmo_cow_pages *leaf, u64 off,
				struct list_head *freelist);

/**
 * struct zvmo_cow_dirty_range - a run of dirty content, as queried
 * @offset: its start
 * @length: its length
 * @zero: it reads zeros (markers, not pages)
 */
struct zvmo_cow_dirty_range {
	u64 offset;
	u64 length;
	bool zero;
};

u64 zvmo_cow_dirty_ranges_locked(struct zvmo_cow_pages *leaf, u64 start,
				 u64 end, struct zvmo_cow_dirty_range *out,
				 u64 max);
void zvmo_cow_drop_clean_locked(struct zvmo_cow_pages *leaf,
				struct list_head *freelist);
/* Pages zvmo_cow_move_locked() moves at most at once. */
#define ZVMO_COW_MOVE_MAX	256

int zvmo_cow_move_locked(struct zvmo_cow_pages *leaf, u64 start,
			 struct zvmo_cow_pages *aux, u64 aux_start,
			 unsigned int nr, struct list_head *freelist);
int zvmo_cow_fill_locked(struct zvmo_cow_pages *leaf, u64 start,
			 struct page **pages, unsigned int nr,
			 struct list_head *freelist);
int zvmo_cow_insert_locked(struct zvmo_cow_pages *leaf, u64 off,
			   struct page *page);
void zvmo_cow_resize_locked(struct zvmo_cow_pages *cow, u64 size,
			    struct list_head *freelist);
void zvmo_cow_attr_locked(struct zvmo_cow_pages *cow,
			  struct zvmo_cow_attr *attr);
unsigned int zvmo_cow_depth_locked(struct zvmo_cow_pages *cow);
int zvmo_cow_validate_locked(struct zvmo_cow_pages *cow);

int zvmo_cow_pool_fill(struct zvmo_cow_pool *pool, unsigned int nr);
void zvmo_cow_pool_drain(struct zvmo_cow_pool *pool);
void zvmo_cow_free_list(struct list_head *freelist);

/*
 * Page functions the hierarchy uses, from cow_mm.c (or the host test):
 * allocate a page (content garbage) or NULL; free one; copy or clear
 * one; give one the memory type of a cache policy; decompress content of
 * the compressed store into a page (0, or -EIO), and drop content from
 * it; unmap [@start, @end) of a leaf from every view's address space;
 * wait, with the lock dropped and taken again, until no fault is making a
 * page of the leaf writable.
 */
struct page *zvmo_cow_page_alloc(void);
void zvmo_cow_page_free(struct page *page);
void zvmo_cow_page_copy(struct page *dst, struct page *src);
void zvmo_cow_page_clear(struct page *page);
int zvmo_cow_page_set_policy(struct page *page, unsigned int policy);
int zvmo_cow_page_decompress(struct page *page, unsigned long handle);
void zvmo_cow_compressed_free(unsigned long handle);
void zvmo_cow_unmap_leaf_locked(struct zvmo_cow_pages *leaf, u64 start,
				u64 end);
void zvmo_cow_quiesce_locked(struct zvmo_cow_pages *leaf);

#endif /* _ZVMO_COW_PAGES_H */
