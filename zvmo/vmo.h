/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZVMO_VMO_H
#define _ZVMO_VMO_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "zvmo.h"

struct zvmo_cow_pages;

/**
 * struct zvmo_vmo - a virtual memory object
 * @ref: references: one per handle (open file)
 * @koid: id unique for the module's life; never reused
 * @options: ZVMO_VMO_* options given at creation; never change
 * @inode: the VMO's own inode: its address space is what mappings of every
 *	handle share, and its i_size mirrors the size for fstat()
 * @cow: the pages, and the size, under the hierarchy lock
 * @num_mappings: mappings (VMAs) of the VMO alive
 * @lock: guards @content_size, @name and the inode's i_size, and serializes
 *	resizes. Taken before the hierarchy lock.
 * @content_size: the content size property; at most the size
 * @name: NUL-terminated name
 */
struct zvmo_vmo {
	struct kref ref;
	u64 koid;
	u32 options;
	struct inode *inode;
	struct zvmo_cow_pages *cow;
	atomic_long_t num_mappings;
	struct mutex lock;	/* see above */
	u64 content_size;
	char name[ZVMO_NAME_LEN];
};

int zvmo_vmo_create(u64 size, u32 options, struct zvmo_vmo **out);
void zvmo_vmo_put(struct zvmo_vmo *vmo);
u64 zvmo_vmo_size(struct zvmo_vmo *vmo);
void zvmo_vmo_info(struct zvmo_vmo *vmo, struct zvmo_vmo_info *info);
void zvmo_vmo_set_name(struct zvmo_vmo *vmo, const char *name);
int zvmo_vmo_set_content_size(struct zvmo_vmo *vmo, u64 content_size);
int zvmo_vmo_set_size(struct zvmo_vmo *vmo, u64 size);
ssize_t zvmo_vmo_read(struct zvmo_vmo *vmo, u64 off, struct iov_iter *to);
ssize_t zvmo_vmo_write(struct zvmo_vmo *vmo, u64 off, struct iov_iter *from);
int zvmo_vmo_op_range(struct zvmo_vmo *vmo, u32 op, u64 off, u64 len);

static inline void zvmo_vmo_get(struct zvmo_vmo *vmo)
{
	kref_get(&vmo->ref);
}

#endif /* _ZVMO_VMO_H */
