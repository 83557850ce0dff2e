/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZVMO_VMO_H
#define _ZVMO_VMO_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>

#include "cow/cow_pages.h"
#include "zvmo.h"

/**
 * struct zvmo_vmo - a virtual memory object
 * @ref: references: one per handle (open file)
 * @koid: id unique for the module's life; never reused
 * @options: ZVMO_VMO_* options given at creation (for a child: whether
 *	it is resizable); never change
 * @kind: 0, or ZVMO_INFO_COW_CLONE, ZVMO_INFO_SLICE or
 *	ZVMO_INFO_REFERENCE for a child of that kind
 * @inode: the VMO's own inode: its address space is what mappings of every
 *	handle share, and its i_size mirrors the size for fstat()
 * @cow: the leaf whose pages the VMO reads: its own, or for a slice or a
 *	reference, that of @source
 * @source: for a slice or a reference, the VMO that owns @cow; the VMO
 *	holds a reference to it
 * @origin: for an at-least-on-write clone of a pager-backed VMO, the VMO
 *	whose leaf the clone's leaf reads through; the clone holds a
 *	reference to it
 * @view: the VMO's view of @cow; for a slice, its window
 * @parent_koid: koid of the VMO this one was made from, or 0
 * @parent: that VMO while it lives, under zvmo_family_lock
 * @children: live children, under zvmo_family_lock
 * @sibling: in the parent's @children
 * @num_children: length of @children
 * @num_mappings: mappings (VMAs) of the VMO alive
 * @mms_lock: guards @mms and @mms_more
 * @mms: address spaces the VMO is mapped into, with their mappings
 * @mms_more: mappings in address spaces @mms had no room for
 * @lock: guards @content_size, @name and the inode's i_size, and serializes
 *	resizes. Taken before the hierarchy lock.
 * @content_size: the content size property; at most the size
 * @name: NUL-terminated name
 * @owner: the effective uid of the task that made it
 * @rcu: frees it, for introspection's lookups without a reference
 */
struct zvmo_vmo {
	struct kref ref;
	u64 koid;
	u32 options;
	u32 kind;
	struct inode *inode;
	struct zvmo_cow_pages *cow;
	struct zvmo_vmo *source;
	struct zvmo_vmo *origin;
	struct zvmo_cow_view view;
	u64 parent_koid;
	struct zvmo_vmo *parent;
	struct list_head children;
	struct list_head sibling;
	unsigned long num_children;
	atomic_long_t num_mappings;
	spinlock_t mms_lock;	/* see above */
	struct {
		struct mm_struct *mm;
		unsigned long n;
	} mms[8];
	unsigned long mms_more;
	struct mutex lock;	/* see above */
	u64 content_size;
	char name[ZVMO_NAME_LEN];
	kuid_t owner;
	struct rcu_head rcu;
};

u64 zvmo_new_koid(void);
int zvmo_vmo_create(u64 size, u32 options, struct zvmo_vmo **out);
int zvmo_vmo_create_contiguous(u64 size, u32 align_log2,
			       struct zvmo_vmo **out);
int zvmo_vmo_create_paged(u64 size, u32 options, struct zvmo_page_source *src,
			  struct zvmo_vmo **out);
int zvmo_vmo_set_cache_policy(struct zvmo_vmo *vmo, u32 policy);
int zvmo_vmo_create_child(struct zvmo_vmo *parent, u32 options, u64 offset,
			  u64 size, struct zvmo_vmo **out);
void zvmo_vmo_put(struct zvmo_vmo *vmo);
struct zvmo_vmo *zvmo_vmo_next(unsigned long *index, kuid_t owner_only);
u64 zvmo_vmo_size(struct zvmo_vmo *vmo);
void zvmo_vmo_info(struct zvmo_vmo *vmo, struct zvmo_vmo_info *info);
void zvmo_vmo_set_name(struct zvmo_vmo *vmo, const char *name);
int zvmo_vmo_set_content_size(struct zvmo_vmo *vmo, u64 content_size);
int zvmo_vmo_set_size(struct zvmo_vmo *vmo, u64 size);
ssize_t zvmo_vmo_read(struct zvmo_vmo *vmo, u64 off, struct iov_iter *to);
ssize_t zvmo_vmo_write(struct zvmo_vmo *vmo, u64 off, struct iov_iter *from);
int zvmo_vmo_op_range(struct zvmo_vmo *vmo, u32 op, u64 off, u64 len);
int zvmo_vmo_lock_check(struct zvmo_vmo *vmo, u64 off, u64 len);
void zvmo_vmo_lock_undo(struct zvmo_vmo *vmo, bool discarded);
int zvmo_vmo_lock_op(struct zvmo_vmo *vmo, u32 op, u64 off, u64 len,
		     struct zvmo_vmo_lock_state *state);

static inline void zvmo_vmo_get(struct zvmo_vmo *vmo)
{
	kref_get(&vmo->ref);
}

#endif /* _ZVMO_VMO_H */
