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

#include "cow/cow_pages.h"
#include "fs.h"
#include "vmo.h"

static atomic64_t zvmo_next_koid = ATOMIC64_INIT(1024);

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
	struct zvmo_vmo *vmo;
	struct inode *inode;
	int err;

	if (options & ~(ZVMO_VMO_RESIZABLE | ZVMO_VMO_DISCARDABLE))
		return -EINVAL;
	if (options & ZVMO_VMO_DISCARDABLE)
		return -EOPNOTSUPP;
	if (size > ZVMO_VMO_MAX_SIZE)
		return -ERANGE;
	size = PAGE_ALIGN(size);
	if (size > ZVMO_VMO_MAX_SIZE)
		return -ERANGE;

	vmo = kzalloc(sizeof(*vmo), GFP_KERNEL_ACCOUNT);
	if (!vmo)
		return -ENOMEM;

	vmo->cow = zvmo_cow_create(size);
	if (!vmo->cow) {
		err = -ENOMEM;
		goto err_free;
	}

	inode = zvmo_fs_new_inode();
	if (IS_ERR(inode)) {
		err = PTR_ERR(inode);
		goto err_cow;
	}
	inode->i_private = vmo;
	inode->i_size = size;
	vmo->cow->mapping = inode->i_mapping;

	kref_init(&vmo->ref);
	vmo->koid = atomic64_inc_return(&zvmo_next_koid);
	vmo->options = options;
	vmo->inode = inode;
	mutex_init(&vmo->lock);
	vmo->content_size = size;
	atomic_long_inc(&zvmo_counters.vmos);

	*out = vmo;
	return 0;

err_cow:
	zvmo_cow_destroy(vmo->cow);
err_free:
	kfree(vmo);
	return err;
}

static void zvmo_vmo_release(struct kref *ref)
{
	struct zvmo_vmo *vmo = container_of(ref, struct zvmo_vmo, ref);

	zvmo_cow_destroy(vmo->cow);
	iput(vmo->inode);
	mutex_destroy(&vmo->lock);
	kfree(vmo);
	atomic_long_dec(&zvmo_counters.vmos);
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
	info->flags = ZVMO_INFO_PAGED;
	if (vmo->options & ZVMO_VMO_RESIZABLE)
		info->flags |= ZVMO_INFO_RESIZABLE;
	info->cache_policy = ZVMO_CACHE_CACHED;

	mutex_lock(&vmo->lock);
	info->size = zvmo_vmo_size(vmo);
	info->content_size = vmo->content_size;
	memcpy(info->name, vmo->name, sizeof(info->name));
	mutex_unlock(&vmo->lock);

	/* Nothing is shared yet: all of it is this VMO's own. */
	zvmo_cow_counts(vmo->cow, &counts);
	info->committed_bytes = counts.committed;
	info->committed_private_bytes = counts.committed;
	info->committed_scaled_bytes = counts.committed;
	info->populated_bytes = counts.committed;
	info->populated_private_bytes = counts.committed;
	info->populated_scaled_bytes = counts.committed;
	info->metadata_bytes = counts.metadata;
	info->committed_change_events = counts.commit_events;
	info->share_count = 1;
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
 * Return: 0, -EPERM if the VMO is not resizable, or -ERANGE for a size
 * past ZVMO_VMO_MAX_SIZE.
 */
int zvmo_vmo_set_size(struct zvmo_vmo *vmo, u64 size)
{
	if (!(vmo->options & ZVMO_VMO_RESIZABLE))
		return -EPERM;
	if (size > ZVMO_VMO_MAX_SIZE)
		return -ERANGE;
	size = PAGE_ALIGN(size);
	if (size > ZVMO_VMO_MAX_SIZE)
		return -ERANGE;

	mutex_lock(&vmo->lock);
	zvmo_cow_resize(vmo->cow, size);
	i_size_write(vmo->inode, size);
	vmo->content_size = size;
	mutex_unlock(&vmo->lock);
	return 0;
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
	return zvmo_cow_read(vmo->cow, off, to);
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
	return zvmo_cow_write(vmo->cow, off, from);
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
		 * Hints about reclaim and fetching: an anonymous VMO keeps
		 * every committed page resident and has nothing to fetch, so
		 * there is nothing for them to change yet.
		 */
		return 0;
	default:
		return -EINVAL;
	}
}
