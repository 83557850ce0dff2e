// SPDX-License-Identifier: GPL-2.0
/*
 * The VMO object: what every handle of one VMO shares.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "cow/cow_mm.h"
#include "fs.h"
#include "mapping.h"
#include "reclaim.h"
#include "pager/pager.h"
#include "vmo.h"

static atomic64_t zvmo_next_koid = ATOMIC64_INIT(1024);

/**
 * zvmo_new_koid() - an id for a new object
 *
 * Context: Any context.
 * Return: an id no object of the module had or will have.
 */
u64 zvmo_new_koid(void)
{
	return atomic64_inc_return(&zvmo_next_koid);
}

/* Guards the parent and children links of all VMOs. */
static DEFINE_MUTEX(zvmo_family_lock);

/* Every VMO alive, by koid, for introspection. */
static DEFINE_XARRAY(zvmo_vmos);

/* The end of a VMO's own leaf, and of its pager's end if it has one. */
static void zvmo_vmo_cow_destroy(struct zvmo_cow_pages *cow)
{
	struct zvmo_page_source *src = cow->source;

	zvmo_reclaim_del(cow);
	if (src)
		zvmo_page_source_end(src);
	zvmo_cow_destroy(cow);
	if (src)
		zvmo_page_source_put(src);
}

/*
 * The reclaim a VMO's own leaf is open to: a pager's pages are evicted, a
 * discardable VMO discarded, an ordinary one's zero pages deduplicated.
 * A contiguous VMO keeps its pages, and a clone of a pager's VMO reads
 * its origin where it has no page: a marker there is not "zeros" yet.
 */
static int zvmo_vmo_reclaim_add(struct zvmo_cow_pages *cow)
{
	if (cow->source)
		return zvmo_reclaim_add(cow, ZVMO_RECLAIM_EVICT, true);
	if (cow->discardable)
		return zvmo_reclaim_add(cow, ZVMO_RECLAIM_DISCARD, true);
	if (cow->contiguous || cow->origin)
		return 0;
	return zvmo_reclaim_add(cow, ZVMO_RECLAIM_DEDUP, true);
}

/*
 * A VMO around @cow (a new leaf it owns, or with @source, the leaf of
 * @source it looks into through a window of @view_len bytes at
 * @view_off, U64_MAX for all of it).
 */
static struct zvmo_vmo *zvmo_vmo_alloc(struct zvmo_cow_pages *cow,
				       struct zvmo_vmo *source, u64 view_off,
				       u64 view_len, u64 size, u32 options)
{
	struct zvmo_vmo *vmo;
	struct inode *inode;
	int err;

	vmo = kzalloc(sizeof(*vmo), GFP_KERNEL_ACCOUNT);
	if (!vmo)
		return ERR_PTR(-ENOMEM);
	inode = zvmo_fs_new_inode();
	if (IS_ERR(inode)) {
		kfree(vmo);
		return ERR_CAST(inode);
	}
	/* Its place among all VMOs, filled once it is whole. */
	vmo->koid = zvmo_new_koid();
	err = xa_reserve(&zvmo_vmos, vmo->koid, GFP_KERNEL_ACCOUNT);
	if (!err && !source) {
		err = zvmo_vmo_reclaim_add(cow);
		if (err)
			xa_release(&zvmo_vmos, vmo->koid);
	}
	if (err) {
		iput(inode);
		kfree(vmo);
		return ERR_PTR(err);
	}
	inode->i_private = vmo;
	inode->i_size = size;

	kref_init(&vmo->ref);
	vmo->owner = current_euid();
	vmo->options = options;
	vmo->inode = inode;
	vmo->cow = cow;
	vmo->source = source;
	if (source)
		zvmo_vmo_get(source);
	vmo->view.mapping = inode->i_mapping;
	vmo->view.offset = view_off;
	vmo->view.len = view_len;
	INIT_LIST_HEAD(&vmo->children);
	INIT_LIST_HEAD(&vmo->sibling);
	mutex_init(&vmo->lock);
	spin_lock_init(&vmo->mms_lock);
	vmo->content_size = size;
	zvmo_cow_view_add(cow, &vmo->view);
	atomic_long_inc(&zvmo_counters.vmos);
	/* A reserved entry needs no memory. */
	WARN_ON_ONCE(xa_store(&zvmo_vmos, vmo->koid, vmo, GFP_KERNEL));
	return vmo;
}

/**
 * zvmo_vmo_create() - make a VMO
 * @size: size in bytes; rounded up to a whole page
 * @options: ZVMO_VMO_* options
 * @out: the new VMO, holding one reference
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL for unknown options, -ERANGE for a size past
 * ZVMO_VMO_MAX_SIZE, -EOPNOTSUPP for options not supported yet, or -ENOMEM.
 */
int zvmo_vmo_create(u64 size, u32 options, struct zvmo_vmo **out)
{
	struct zvmo_cow_pages *cow;
	struct zvmo_vmo *vmo;

	if (options & ~(ZVMO_VMO_RESIZABLE | ZVMO_VMO_DISCARDABLE |
			ZVMO_VMO_NO_COMPRESS))
		return -EINVAL;
	/* A discard is of the whole VMO, whose size a lock reports. */
	if ((options & ZVMO_VMO_DISCARDABLE) &&
	    (options & ZVMO_VMO_RESIZABLE))
		return -EOPNOTSUPP;
	if (size > ZVMO_VMO_MAX_SIZE)
		return -ERANGE;
	size = PAGE_ALIGN(size);
	if (size > ZVMO_VMO_MAX_SIZE)
		return -ERANGE;

	cow = zvmo_cow_create(size);
	if (!cow)
		return -ENOMEM;
	cow->discardable = options & ZVMO_VMO_DISCARDABLE;
	/* Its snapshots share its hierarchy, and so this. */
	cow->hier->no_compress = options & ZVMO_VMO_NO_COMPRESS;
	vmo = zvmo_vmo_alloc(cow, NULL, 0, U64_MAX, size, options);
	if (IS_ERR(vmo)) {
		zvmo_cow_destroy(cow);
		return PTR_ERR(vmo);
	}
	*out = vmo;
	return 0;
}

/**
 * zvmo_vmo_create_paged() - make a VMO whose pages a pager supplies
 * @size: size in bytes; rounded up to a whole page
 * @options: ZVMO_VMO_RESIZABLE, ZVMO_VMO_TRAP_DIRTY
 * @src: the pager's end; the VMO takes the caller's reference, also on
 *	failure
 * @out: the new VMO, holding one reference
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL for unknown options, -ERANGE for a size past
 * ZVMO_VMO_MAX_SIZE, or -ENOMEM.
 */
int zvmo_vmo_create_paged(u64 size, u32 options, struct zvmo_page_source *src,
			  struct zvmo_vmo **out)
{
	struct zvmo_cow_pages *cow;
	struct zvmo_vmo *vmo;
	int err = 0;

	if (options & ~(ZVMO_VMO_RESIZABLE | ZVMO_VMO_TRAP_DIRTY))
		err = -EINVAL;
	else if (size > ZVMO_VMO_MAX_SIZE ||
		 PAGE_ALIGN(size) > ZVMO_VMO_MAX_SIZE)
		err = -ERANGE;
	if (err) {
		zvmo_page_source_end(src);
		zvmo_page_source_put(src);
		return err;
	}
	size = PAGE_ALIGN(size);
	cow = zvmo_cow_create(size);
	if (!cow) {
		zvmo_page_source_end(src);
		zvmo_page_source_put(src);
		return -ENOMEM;
	}
	cow->source = src;
	cow->trap_dirty = options & ZVMO_VMO_TRAP_DIRTY;
	vmo = zvmo_vmo_alloc(cow, NULL, 0, U64_MAX, size,
			     options & ZVMO_VMO_RESIZABLE);
	if (IS_ERR(vmo)) {
		zvmo_vmo_cow_destroy(cow);
		return PTR_ERR(vmo);
	}
	*out = vmo;
	return 0;
}

/**
 * zvmo_vmo_create_contiguous() - make a VMO of physically contiguous pages
 * @size: size in bytes, rounded up to a whole page; not 0
 * @align_log2: log2 of the physical alignment, 0 for a page
 * @out: the new VMO, holding one reference
 *
 * The pages come from the page allocator in one block of the smallest
 * order that holds @size and is aligned as asked (a block is aligned to
 * its size); the pages past @size go back at once. Charged to the
 * caller's memory cgroup.
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL for a bad size or alignment, or -ENOMEM, also when
 * the block would be larger than the allocator gives.
 */
int zvmo_vmo_create_contiguous(u64 size, u32 align_log2,
			       struct zvmo_vmo **out)
{
	struct zvmo_cow_pages *cow;
	struct zvmo_vmo *vmo;
	unsigned long nr, i;
	struct page *page;
	unsigned int order;
	int err;

	if (!size)
		return -EINVAL;
	if (align_log2 && (align_log2 < PAGE_SHIFT ||
			   align_log2 > ZVMO_CONTIGUOUS_MAX_ALIGN_LOG2))
		return -EINVAL;
	if (size > (PAGE_SIZE << ZVMO_MAX_ORDER))
		return -ENOMEM;
	size = PAGE_ALIGN(size);
	order = get_order(size);
	if (align_log2 > PAGE_SHIFT)
		order = max(order, align_log2 - PAGE_SHIFT);
	if (order > ZVMO_MAX_ORDER)
		return -ENOMEM;

	page = alloc_pages(GFP_HIGHUSER | __GFP_ACCOUNT | __GFP_ZERO |
			   __GFP_RETRY_MAYFAIL | __GFP_NOWARN, order);
	if (!page)
		return -ENOMEM;
	split_page(page, order);
	nr = size >> PAGE_SHIFT;
	for (i = nr; i < (1UL << order); i++)
		__free_page(page + i);

	cow = zvmo_cow_create(size);
	if (!cow) {
		for (i = 0; i < nr; i++)
			__free_page(page + i);
		return -ENOMEM;
	}
	err = zvmo_cow_fill_contiguous(cow, page, nr);
	if (!err) {
		vmo = zvmo_vmo_alloc(cow, NULL, 0, U64_MAX, size, 0);
		err = PTR_ERR_OR_ZERO(vmo);
	}
	if (err) {
		zvmo_cow_destroy(cow);
		return err;
	}
	*out = vmo;
	return 0;
}

/* The checks of zvmo_vmo_create_child(), in Zircon's order. */
static int zvmo_vmo_check_child(struct zvmo_vmo *parent, u32 options,
				u64 offset, u64 size)
{
	u32 type = options & (ZVMO_CHILD_SNAPSHOT | ZVMO_CHILD_SLICE |
			      ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE |
			      ZVMO_CHILD_REFERENCE |
			      ZVMO_CHILD_SNAPSHOT_MODIFIED);
	u32 known = type | ZVMO_CHILD_RESIZABLE | ZVMO_CHILD_NO_WRITE;
	u64 end;

	/* Zircon's first check: a discardable VMO has no children at all. */
	if (parent->options & ZVMO_VMO_DISCARDABLE)
		return -EOPNOTSUPP;
	if (options & ~known)
		return -EINVAL;
	if ((options & ZVMO_CHILD_NO_WRITE) &&
	    (options & ZVMO_CHILD_RESIZABLE))
		return -EINVAL;
	if (size > ZVMO_VMO_MAX_SIZE || PAGE_ALIGN(size) > ZVMO_VMO_MAX_SIZE)
		return -ERANGE;
	size = PAGE_ALIGN(size);

	if (type & ZVMO_CHILD_SLICE) {
		if (type != ZVMO_CHILD_SLICE ||
		    (options & ZVMO_CHILD_RESIZABLE))
			return -EINVAL;
		if (!PAGE_ALIGNED(offset))
			return -EINVAL;
		if (check_add_overflow(offset, size, &end) ||
		    end > zvmo_vmo_size(parent))
			return -EINVAL;
		if (parent->options & ZVMO_VMO_RESIZABLE)
			return -EOPNOTSUPP;
		return 0;
	}
	if (type & ZVMO_CHILD_REFERENCE) {
		if (type != ZVMO_CHILD_REFERENCE)
			return -EINVAL;
		if (offset || size)
			return -EINVAL;
		if (parent->kind == ZVMO_INFO_SLICE)
			return -EOPNOTSUPP;
		if ((options & ZVMO_CHILD_RESIZABLE) &&
		    !(parent->options & ZVMO_VMO_RESIZABLE))
			return -EOPNOTSUPP;
		return 0;
	}
	if (hweight32(type) != 1)
		return -EINVAL;
	if (!PAGE_ALIGNED(offset))
		return -EINVAL;
	if (check_add_overflow(offset, size, &end))
		return -ERANGE;
	/* No defined semantics for a snapshot through a window. */
	if (parent->kind == ZVMO_INFO_SLICE)
		return -EOPNOTSUPP;
	return 0;
}

/**
 * zvmo_vmo_create_child() - make a snapshot, slice or reference of a VMO
 * @parent: the VMO
 * @options: ZVMO_CHILD_* options
 * @offset: the child's offset in @parent
 * @size: the child's size, rounded up to a whole page (0 for a reference)
 * @out: the new VMO, holding one reference
 *
 * A snapshot gets a leaf of its own in @parent's hierarchy; all three
 * snapshot types are full snapshots, as none can be anything else on an
 * anonymous VMO. Of a pager-backed VMO, only
 * ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE is possible: a clone that reads
 * the parent's current pages until it writes its own. A slice and a
 * reference look into @parent's leaf. The child's name is @parent's.
 *
 * Context: Process context; may sleep.
 * Return: 0, or the errors struct zvmo_vmo_create_child lists.
 */
int zvmo_vmo_create_child(struct zvmo_vmo *parent, u32 options, u64 offset,
			  u64 size, struct zvmo_vmo **out)
{
	struct zvmo_vmo *vmo, *source = parent->source ?: parent;
	u64 content_size = size;
	u32 vopts = 0, kind;
	struct zvmo_cow_pages *cow;
	int err;

	err = zvmo_vmo_check_child(parent, options, offset, size);
	if (err)
		return err;
	size = PAGE_ALIGN(size);
	if (options & ZVMO_CHILD_RESIZABLE)
		vopts |= ZVMO_VMO_RESIZABLE;

	if (options & ZVMO_CHILD_SLICE) {
		kind = ZVMO_INFO_SLICE;
		vmo = zvmo_vmo_alloc(parent->cow, source,
				     parent->view.offset + offset, size, size,
				     0);
	} else if (options & ZVMO_CHILD_REFERENCE) {
		kind = ZVMO_INFO_REFERENCE;
		content_size = zvmo_vmo_size(parent);
		vmo = zvmo_vmo_alloc(parent->cow, source, 0, U64_MAX,
				     content_size, parent->options);
	} else if ((options & ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE) &&
		   (parent->cow->source || parent->cow->origin)) {
		/* Zircon's unidirectional clone, of a pager's pages. */
		kind = ZVMO_INFO_COW_CLONE;
		err = zvmo_cow_clone(parent->cow, parent->view.offset + offset,
				     size, &cow);
		if (err)
			return err;
		vmo = zvmo_vmo_alloc(cow, NULL, 0, U64_MAX, size, vopts);
		if (IS_ERR(vmo)) {
			zvmo_cow_destroy(cow);
		} else {
			zvmo_vmo_get(source);
			vmo->origin = source;
		}
	} else {
		kind = ZVMO_INFO_COW_CLONE;
		err = zvmo_cow_snapshot(parent->cow, offset, size, &cow);
		if (err)
			return err;
		vmo = zvmo_vmo_alloc(cow, NULL, 0, U64_MAX, size, vopts);
		if (IS_ERR(vmo))
			zvmo_cow_destroy(cow);
	}
	if (IS_ERR(vmo))
		return PTR_ERR(vmo);

	vmo->kind = kind;
	vmo->content_size = content_size;
	vmo->parent_koid = parent->koid;
	mutex_lock(&parent->lock);
	memcpy(vmo->name, parent->name, sizeof(vmo->name));
	mutex_unlock(&parent->lock);

	mutex_lock(&zvmo_family_lock);
	vmo->parent = parent;
	list_add_tail(&vmo->sibling, &parent->children);
	parent->num_children++;
	mutex_unlock(&zvmo_family_lock);

	*out = vmo;
	return 0;
}

static void zvmo_vmo_release(struct kref *ref)
{
	struct zvmo_vmo *vmo = container_of(ref, struct zvmo_vmo, ref);
	struct zvmo_vmo *child, *next;

	xa_erase(&zvmo_vmos, vmo->koid);

	mutex_lock(&zvmo_family_lock);
	if (vmo->parent) {
		list_del(&vmo->sibling);
		vmo->parent->num_children--;
	}
	list_for_each_entry_safe(child, next, &vmo->children, sibling) {
		list_del_init(&child->sibling);
		child->parent = NULL;
	}
	mutex_unlock(&zvmo_family_lock);

	zvmo_cow_view_del(vmo->cow, &vmo->view);
	if (vmo->source)
		zvmo_vmo_put(vmo->source);
	else
		zvmo_vmo_cow_destroy(vmo->cow);
	if (vmo->origin)
		zvmo_vmo_put(vmo->origin);
	iput(vmo->inode);
	mutex_destroy(&vmo->lock);
	kfree_rcu(vmo, rcu);
	atomic_long_dec(&zvmo_counters.vmos);
}

/**
 * zvmo_vmo_next() - the next VMO alive, for introspection
 * @index: the koid to look from; set past the VMO found
 * @owner_only: only a VMO made by this effective uid, or any if
 *	INVALID_UID
 *
 * Context: Process context.
 * Return: the VMO, with a reference (zvmo_vmo_put() it), or NULL when
 * there are no more.
 */
struct zvmo_vmo *zvmo_vmo_next(unsigned long *index, kuid_t owner_only)
{
	struct zvmo_vmo *vmo;

	rcu_read_lock();
	for (vmo = xa_find(&zvmo_vmos, index, ULONG_MAX, XA_PRESENT); vmo;
	     vmo = xa_find_after(&zvmo_vmos, index, ULONG_MAX, XA_PRESENT))
		if ((!uid_valid(owner_only) || uid_eq(owner_only, vmo->owner)) &&
		    kref_get_unless_zero(&vmo->ref))
			break;
	rcu_read_unlock();
	if (vmo)
		*index = vmo->koid + 1;
	return vmo;
}

/**
 * zvmo_vmo_put() - drop a reference, freeing the VMO with the last one
 * @vmo: the VMO
 *
 * Context: Process context; may sleep.
 */
void zvmo_vmo_put(struct zvmo_vmo *vmo)
{
	kref_put(&vmo->ref, zvmo_vmo_release);
}

/**
 * zvmo_vmo_size() - the VMO's current size
 * @vmo: the VMO
 *
 * Context: Any context; takes no lock (the size may change at once).
 * Return: the size in bytes.
 */
u64 zvmo_vmo_size(struct zvmo_vmo *vmo)
{
	if (vmo->kind == ZVMO_INFO_SLICE)
		return vmo->view.len;
	return READ_ONCE(vmo->cow->size);
}

/**
 * zvmo_vmo_info() - fill the VMO's part of ZVMO_IOC_VMO_INFO
 * @vmo: the VMO
 * @info: filled; fields of the handle (rights) are the caller's
 *
 * Context: Process context; takes @vmo->lock and the hierarchy lock.
 */
void zvmo_vmo_info(struct zvmo_vmo *vmo, struct zvmo_vmo_info *info)
{
	struct zvmo_cow_counts counts;

	info->koid = vmo->koid;
	info->flags = ZVMO_INFO_PAGED | vmo->kind;
	if (vmo->options & ZVMO_VMO_RESIZABLE)
		info->flags |= ZVMO_INFO_RESIZABLE;
	if (vmo->cow->contiguous)
		info->flags |= ZVMO_INFO_CONTIGUOUS;
	if (vmo->cow->source || vmo->cow->origin)
		info->flags |= ZVMO_INFO_PAGER_BACKED;
	if (vmo->cow->discardable)
		info->flags |= ZVMO_INFO_DISCARDABLE;
	info->cache_policy = READ_ONCE(vmo->cow->cache_policy);

	mutex_lock(&vmo->lock);
	info->size = zvmo_vmo_size(vmo);
	/*
	 * A reference and its owner share a size, which either may change:
	 * the content size one of them set never reads past it.
	 */
	info->content_size = min(vmo->content_size, info->size);
	memcpy(info->name, vmo->name, sizeof(info->name));
	mutex_unlock(&vmo->lock);

	mutex_lock(&zvmo_family_lock);
	info->parent_koid = vmo->parent_koid;
	info->num_children = vmo->num_children;
	mutex_unlock(&zvmo_family_lock);

	zvmo_cow_counts(vmo->cow, &counts);
	info->metadata_bytes = counts.metadata;
	info->committed_change_events = counts.commit_events;
	/* A slice's or a reference's pages are counted in their owner. */
	if (!vmo->source) {
		info->committed_bytes = counts.attr.committed;
		info->committed_private_bytes = counts.attr.private;
		info->committed_scaled_bytes = counts.attr.scaled;
		info->populated_bytes = counts.attr.populated;
		info->populated_private_bytes = counts.attr.populated_private;
		info->populated_scaled_bytes = counts.attr.populated_scaled;
		info->pinned_bytes = counts.pinned;
	} else {
		info->metadata_bytes = 0;
	}
	info->share_count = zvmo_mapping_share_count(vmo);
	info->num_mappings = atomic_long_read(&vmo->num_mappings);
}

/**
 * zvmo_vmo_set_name() - name the VMO
 * @vmo: the VMO
 * @name: the name: at most ZVMO_NAME_LEN - 1 bytes of it are kept
 *
 * Context: Process context; takes @vmo->lock.
 */
void zvmo_vmo_set_name(struct zvmo_vmo *vmo, const char *name)
{
	mutex_lock(&vmo->lock);
	memset(vmo->name, 0, sizeof(vmo->name));
	strscpy(vmo->name, name, sizeof(vmo->name));
	mutex_unlock(&vmo->lock);
}

/**
 * zvmo_vmo_set_content_size() - set the content size property
 * @vmo: the VMO
 * @content_size: the new content size
 *
 * Context: Process context; takes @vmo->lock.
 * Return: 0, or -ERANGE past the VMO's size.
 */
int zvmo_vmo_set_content_size(struct zvmo_vmo *vmo, u64 content_size)
{
	int err = 0;

	mutex_lock(&vmo->lock);
	if (content_size > zvmo_vmo_size(vmo))
		err = -ERANGE;
	else
		vmo->content_size = content_size;
	mutex_unlock(&vmo->lock);
	return err;
}

/**
 * zvmo_vmo_set_size() - resize a resizable VMO
 * @vmo: the VMO
 * @size: new size in bytes, rounded up to a whole page
 *
 * Shrinking frees the pages past the new end; growing reads zeros. The
 * content size follows the size.
 *
 * Context: Process context; takes @vmo->lock, then the hierarchy lock.
 * Return: 0, -EPERM if the VMO is not resizable, -ERANGE for a size
 * past ZVMO_VMO_MAX_SIZE, or -EBUSY if a page past the new size is
 * pinned.
 */
int zvmo_vmo_set_size(struct zvmo_vmo *vmo, u64 size)
{
	int err;

	if (!(vmo->options & ZVMO_VMO_RESIZABLE))
		return -EPERM;
	if (size > ZVMO_VMO_MAX_SIZE)
		return -ERANGE;
	size = PAGE_ALIGN(size);
	if (size > ZVMO_VMO_MAX_SIZE)
		return -ERANGE;

	mutex_lock(&vmo->lock);
	err = zvmo_cow_resize(vmo->cow, size);
	if (!err) {
		i_size_write(vmo->inode, size);
		vmo->content_size = size;
	}
	mutex_unlock(&vmo->lock);
	return err;
}

/**
 * zvmo_vmo_set_cache_policy() - choose the memory type of a VMO's pages
 * @vmo: the VMO
 * @policy: ZVMO_CACHE_*
 *
 * See struct zvmo_cache_policy.
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL for an unknown policy, -EBUSY if the VMO is a child,
 * has children, mappings, pins or (unless contiguous) committed pages, or
 * -ENOMEM.
 */
int zvmo_vmo_set_cache_policy(struct zvmo_vmo *vmo, u32 policy)
{
	bool family;

	if (policy > ZVMO_CACHE_WRITE_COMBINING)
		return -EINVAL;
	/* As Zircon: reclaim would have to scan or discard uncached pages. */
	if (vmo->cow->discardable)
		return policy == ZVMO_CACHE_CACHED ? 0 : -EBUSY;
	mutex_lock(&zvmo_family_lock);
	family = vmo->kind || vmo->num_children;
	mutex_unlock(&zvmo_family_lock);
	if (family)
		return -EBUSY;
	return zvmo_cow_set_cache_policy(vmo->cow, policy);
}

/*
 * Check [@off, @off + @len) against the size. Reads starting at or past the
 * end are end of file (1); a range running past the end is -ERANGE.
 */
static int zvmo_vmo_check_rw(struct zvmo_vmo *vmo, u64 off, u64 len,
			     bool read)
{
	u64 size = zvmo_vmo_size(vmo), end;

	if (read && off >= size)
		return 1;
	if (check_add_overflow(off, len, &end) || end > size)
		return -ERANGE;
	return 0;
}

/**
 * zvmo_vmo_read() - read() and pread() of a VMO
 * @vmo: the VMO
 * @off: offset of the first byte
 * @to: destination
 *
 * Context: Process context; may sleep and fault.
 * Return: bytes read (0 at or past the end), or a negative errno.
 */
ssize_t zvmo_vmo_read(struct zvmo_vmo *vmo, u64 off, struct iov_iter *to)
{
	int ret;

	if (!iov_iter_count(to))
		return 0;
	ret = zvmo_vmo_check_rw(vmo, off, iov_iter_count(to), true);
	if (ret)
		return ret > 0 ? 0 : ret;
	return zvmo_cow_read(vmo->cow, vmo->view.offset + off, to);
}

/**
 * zvmo_vmo_write() - write() and pwrite() of a VMO
 * @vmo: the VMO
 * @off: offset of the first byte
 * @from: source
 *
 * Context: Process context; may sleep and fault.
 * Return: bytes written, or a negative errno.
 */
ssize_t zvmo_vmo_write(struct zvmo_vmo *vmo, u64 off, struct iov_iter *from)
{
	int ret;

	if (!iov_iter_count(from))
		return 0;
	ret = zvmo_vmo_check_rw(vmo, off, iov_iter_count(from), false);
	if (ret)
		return ret;
	return zvmo_cow_write(vmo->cow, vmo->view.offset + off, from);
}

/**
 * zvmo_vmo_lock_check() - whether a VMO can be locked or unlocked
 * @vmo: the VMO
 * @off: must be 0
 * @len: must be the VMO's size
 *
 * Context: Any.
 * Return: 0, -EOPNOTSUPP if the VMO is not discardable, or -ERANGE for a
 * range other than the whole VMO.
 */
int zvmo_vmo_lock_check(struct zvmo_vmo *vmo, u64 off, u64 len)
{
	if (!vmo->cow->discardable)
		return -EOPNOTSUPP;
	if (off || len != zvmo_vmo_size(vmo))
		return -ERANGE;
	return 0;
}

/**
 * zvmo_vmo_lock_undo() - take back a ZVMO_OP_LOCK that cannot be reported
 * @vmo: the VMO
 * @discarded: the lock said the VMO had been discarded: the next one
 *	says so again
 *
 * Context: Process context; takes the hierarchy lock.
 */
void zvmo_vmo_lock_undo(struct zvmo_vmo *vmo, bool discarded)
{
	zvmo_cow_unlock_discardable(vmo->cow, discarded);
}

/**
 * zvmo_vmo_lock_op() - ZVMO_OP_LOCK, ZVMO_OP_TRY_LOCK or ZVMO_OP_UNLOCK
 * @vmo: the VMO
 * @op: which
 * @off: must be 0
 * @len: must be the VMO's size
 * @state: for ZVMO_OP_LOCK, filled in; else NULL
 *
 * Locks nest; reclaim may discard the VMO only while it has none. LOCK
 * always succeeds and says in @state whether the VMO was discarded since
 * it was last locked; TRY_LOCK fails instead, leaving it unlocked.
 *
 * Context: Process context; takes the hierarchy lock.
 * Return: 0, -EOPNOTSUPP if the VMO is not discardable, -ERANGE for a
 * range other than the whole VMO, -EPERM for a TRY_LOCK of a discarded
 * VMO, or -EBUSY for an UNLOCK of a VMO that is not locked.
 */
int zvmo_vmo_lock_op(struct zvmo_vmo *vmo, u32 op, u64 off, u64 len,
		     struct zvmo_vmo_lock_state *state)
{
	bool discarded;
	int err;

	err = zvmo_vmo_lock_check(vmo, off, len);
	if (err)
		return err;
	if (op == ZVMO_OP_UNLOCK)
		return zvmo_cow_unlock_discardable(vmo->cow, false);
	err = zvmo_cow_lock_discardable(vmo->cow, op == ZVMO_OP_TRY_LOCK,
					&discarded);
	if (!err && state) {
		state->offset = off;
		state->size = len;
		state->discarded_offset = 0;
		state->discarded_size = discarded ? len : 0;
	}
	return err;
}

/**
 * zvmo_vmo_op_range() - commit, decommit or zero a range
 * @vmo: the VMO
 * @op: ZVMO_OP_COMMIT, ZVMO_OP_DECOMMIT, ZVMO_OP_ZERO, or a hint:
 *	ZVMO_OP_ALWAYS_NEED, ZVMO_OP_DONT_NEED, ZVMO_OP_PREFETCH
 * @off: start of the range
 * @len: length of the range
 *
 * As Zircon: COMMIT rounds the range out to whole pages, DECOMMIT wants it
 * page aligned, ZERO works on bytes. The range must lie within the VMO.
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL for an unaligned DECOMMIT or an unknown @op, -ERANGE
 * for a range past the end, -ENOMEM, or -EINTR.
 */
int zvmo_vmo_op_range(struct zvmo_vmo *vmo, u32 op, u64 off, u64 len)
{
	u64 end;

	if (op == ZVMO_OP_DECOMMIT &&
	    (!PAGE_ALIGNED(off) || !PAGE_ALIGNED(len)))
		return -EINVAL;
	if (check_add_overflow(off, len, &end) || end > zvmo_vmo_size(vmo))
		return -ERANGE;
	if (!len)
		return 0;
	off += vmo->view.offset;
	end += vmo->view.offset;

	switch (op) {
	case ZVMO_OP_COMMIT:
		return zvmo_cow_commit(vmo->cow, round_down(off, PAGE_SIZE),
				       PAGE_ALIGN(end));
	case ZVMO_OP_DECOMMIT:
		return zvmo_cow_decommit(vmo->cow, off, end);
	case ZVMO_OP_ZERO:
		return zvmo_cow_zero(vmo->cow, off, end);
	case ZVMO_OP_ALWAYS_NEED:
	case ZVMO_OP_DONT_NEED:
	case ZVMO_OP_PREFETCH:
		/*
		 * Hints about eviction, compression and fetching, rounded out
		 * to pages (zvmo_cow_hint()).
		 */
		if (op == ZVMO_OP_DONT_NEED && vmo->cow->source)
			zvmo_reclaim_dont_need_pending();
		return zvmo_cow_hint(vmo->cow, op, round_down(off, PAGE_SIZE),
				     PAGE_ALIGN(end));
	default:
		return -EINVAL;
	}
}
