// SPDX-License-Identifier: GPL-2.0
/*
 * VMO handles: the files userspace holds. A handle carries rights, which the
 * module checks itself: every VMO file is opened read-write so that a missing
 * right is EACCES from here rather than a generic EBADF from the VFS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/uio.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "fs.h"
#include "handle.h"
#include "mapping.h"
#include "pin.h"
#include "vmo.h"

static const struct file_operations zvmo_vmo_fops;

/**
 * zvmo_handle_install() - give userspace a descriptor for @vmo
 * @vmo: the VMO; the handle takes a reference of its own
 * @rights: ZVMO_RIGHT_* rights of the descriptor
 * @fd_flags: ZVMO_FD_* flags
 *
 * Context: Process context; may sleep.
 * Return: the descriptor or a negative errno.
 */
int zvmo_handle_install(struct zvmo_vmo *vmo, u32 rights, u32 fd_flags)
{
	struct zvmo_handle *h;
	int fd;

	h = kmalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	h->vmo = vmo;
	h->rights = rights;

	zvmo_vmo_get(vmo);
	fd = zvmo_fs_install(vmo->inode, "zvmo", &zvmo_vmo_fops, h, fd_flags);
	if (fd < 0) {
		zvmo_vmo_put(vmo);
		kfree(h);
		return fd;
	}
	atomic_long_inc(&zvmo_counters.handles);
	return fd;
}

/**
 * zvmo_handle_fget() - the VMO handle behind a descriptor
 * @fd: the descriptor
 * @filep: set to its file, with a reference the caller drops with fput()
 *
 * Context: Process context.
 * Return: the handle, ERR_PTR(-EBADF) if @fd is not open, or
 * ERR_PTR(-ENOTTY) if it is not a VMO.
 */
struct zvmo_handle *zvmo_handle_fget(int fd, struct file **filep)
{
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &zvmo_vmo_fops) {
		fput(file);
		return ERR_PTR(-ENOTTY);
	}
	*filep = file;
	return file->private_data;
}

static int zvmo_vmo_release_file(struct inode *inode, struct file *file)
{
	struct zvmo_handle *h = file->private_data;

	zvmo_vmo_put(h->vmo);
	kfree(h);
	atomic_long_dec(&zvmo_counters.handles);
	return 0;
}

static loff_t zvmo_vmo_llseek(struct file *file, loff_t offset, int whence)
{
	struct zvmo_handle *h = file->private_data;

	return fixed_size_llseek(file, offset, whence, zvmo_vmo_size(h->vmo));
}

static ssize_t zvmo_vmo_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct zvmo_handle *h = iocb->ki_filp->private_data;
	ssize_t ret;

	if (!(h->rights & ZVMO_RIGHT_READ))
		return -EACCES;
	ret = zvmo_vmo_read(h->vmo, iocb->ki_pos, to);
	if (ret > 0)
		iocb->ki_pos += ret;
	return ret;
}

static ssize_t zvmo_vmo_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct zvmo_handle *h = iocb->ki_filp->private_data;
	ssize_t ret;

	if (!(h->rights & ZVMO_RIGHT_WRITE))
		return -EACCES;
	ret = zvmo_vmo_write(h->vmo, iocb->ki_pos, from);
	if (ret > 0)
		iocb->ki_pos += ret;
	return ret;
}

static long zvmo_ioc_info(struct zvmo_handle *h, void __user *uarg)
{
	struct zvmo_vmo_info info;
	u32 argsz;
	int err;

	err = zvmo_copy_out_args(uarg, &argsz);
	if (err)
		return err;
	memset(&info, 0, sizeof(info));
	zvmo_vmo_info(h->vmo, &info);
	info.argsz = argsz;
	info.rights = h->rights;
	return zvmo_copy_out(uarg, &info, sizeof(info));
}

static long zvmo_ioc_dup(struct zvmo_handle *h, void __user *uarg)
{
	struct zvmo_vmo_dup args;
	u32 rights;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.reserved || args.fd_flags & ~ZVMO_FD_CLOEXEC)
		return -EINVAL;
	if (!(h->rights & ZVMO_RIGHT_DUPLICATE))
		return -EACCES;

	rights = args.rights;
	if (rights == ZVMO_RIGHT_SAME_RIGHTS)
		rights = h->rights;
	else if (rights & ~h->rights)
		return -EINVAL;

	return zvmo_handle_install(h->vmo, rights, args.fd_flags);
}

/* Zircon's rights for a child made through a handle with @rights. */
static u32 zvmo_child_rights(u32 rights, u32 options)
{
	u32 snapshot = ZVMO_CHILD_SNAPSHOT |
		       ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE |
		       ZVMO_CHILD_SNAPSHOT_MODIFIED;

	rights |= ZVMO_RIGHT_GET_PROPERTY | ZVMO_RIGHT_SET_PROPERTY;
	if (options & ZVMO_CHILD_NO_WRITE) {
		rights &= ~ZVMO_RIGHT_WRITE;
	} else if (options & snapshot) {
		rights |= ZVMO_RIGHT_WRITE;
		rights &= ~ZVMO_RIGHT_EXECUTE;
	}
	return rights & ~ZVMO_RIGHT_RESIZE;
}

static long zvmo_ioc_create_child(struct zvmo_handle *h, void __user *uarg)
{
	struct zvmo_vmo_create_child args;
	struct zvmo_vmo *child;
	u32 rights;
	int err, fd;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.reserved || args.fd_flags & ~ZVMO_FD_CLOEXEC)
		return -EINVAL;
	if ((h->rights & (ZVMO_RIGHT_DUPLICATE | ZVMO_RIGHT_READ)) !=
	    (ZVMO_RIGHT_DUPLICATE | ZVMO_RIGHT_READ))
		return -EACCES;

	err = zvmo_vmo_create_child(h->vmo, args.options, args.offset,
				    args.size, &child);
	if (err)
		return err;
	rights = zvmo_child_rights(h->rights, args.options);
	if (child->options & ZVMO_VMO_RESIZABLE &&
	    (args.options & ZVMO_CHILD_RESIZABLE))
		rights |= ZVMO_RIGHT_RESIZE;
	fd = zvmo_handle_install(child, rights, args.fd_flags);
	zvmo_vmo_put(child);
	return fd;
}

static long zvmo_ioc_set_name(struct zvmo_handle *h, void __user *uarg)
{
	struct zvmo_name args;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.reserved)
		return -EINVAL;
	if (!(h->rights & ZVMO_RIGHT_SET_PROPERTY))
		return -EACCES;

	args.name[ZVMO_NAME_LEN - 1] = '\0';
	zvmo_vmo_set_name(h->vmo, args.name);
	return 0;
}

static long zvmo_ioc_set_content_size(struct zvmo_handle *h,
				      void __user *uarg)
{
	struct zvmo_content_size args;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.reserved)
		return -EINVAL;
	if (!(h->rights & ZVMO_RIGHT_SET_PROPERTY))
		return -EACCES;

	return zvmo_vmo_set_content_size(h->vmo, args.content_size);
}

static long zvmo_ioc_set_size(struct zvmo_handle *h, void __user *uarg)
{
	struct zvmo_set_size args;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.flags)
		return -EINVAL;
	/* Zircon's order: the write right, resizability, the resize right. */
	if (!(h->rights & ZVMO_RIGHT_WRITE))
		return -EACCES;
	if (!(h->vmo->options & ZVMO_VMO_RESIZABLE))
		return -EPERM;
	if (!(h->rights & ZVMO_RIGHT_RESIZE))
		return -EACCES;

	return zvmo_vmo_set_size(h->vmo, args.size);
}

/*
 * ZVMO_OP_LOCK writes the lock state to the buffer, which must have room
 * for it; the lock is undone if it cannot be written.
 */
static long zvmo_ioc_lock(struct zvmo_handle *h,
			  const struct zvmo_op_range *args)
{
	void __user *ubuf = u64_to_user_ptr(args->buffer);
	struct zvmo_vmo_lock_state state;
	int err;

	if (args->op != ZVMO_OP_LOCK)
		return zvmo_vmo_lock_op(h->vmo, args->op, args->offset,
					args->length, NULL);
	err = zvmo_vmo_lock_check(h->vmo, args->offset, args->length);
	if (err)
		return err;
	if (args->buffer_size < sizeof(state))
		return -EINVAL;
	err = zvmo_vmo_lock_op(h->vmo, args->op, args->offset, args->length,
			       &state);
	if (err)
		return err;
	if (copy_to_user(ubuf, &state, sizeof(state))) {
		/* Undone: a later LOCK reports the discard again. */
		zvmo_vmo_lock_undo(h->vmo, state.discarded_size != 0);
		return -EFAULT;
	}
	return 0;
}

static long zvmo_ioc_op_range(struct zvmo_handle *h, void __user *uarg)
{
	struct zvmo_op_range args;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;

	switch (args.op) {
	case ZVMO_OP_COMMIT:
	case ZVMO_OP_DECOMMIT:
	case ZVMO_OP_ZERO:
		if (!(h->rights & ZVMO_RIGHT_WRITE))
			return -EACCES;
		return zvmo_vmo_op_range(h->vmo, args.op, args.offset,
					 args.length);
	case ZVMO_OP_ALWAYS_NEED:
	case ZVMO_OP_DONT_NEED:
	case ZVMO_OP_PREFETCH:
		if (!(h->rights & (ZVMO_RIGHT_READ | ZVMO_RIGHT_WRITE)))
			return -EACCES;
		return zvmo_vmo_op_range(h->vmo, args.op, args.offset,
					 args.length);
	case ZVMO_OP_LOCK:
	case ZVMO_OP_TRY_LOCK:
	case ZVMO_OP_UNLOCK:
		if (!(h->rights & (ZVMO_RIGHT_READ | ZVMO_RIGHT_WRITE)))
			return -EACCES;
		return zvmo_ioc_lock(h, &args);
	case ZVMO_OP_CACHE_SYNC ... ZVMO_OP_CACHE_CLEAN_INVALIDATE:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

static long zvmo_ioc_set_cache_policy(struct zvmo_handle *h,
				      void __user *uarg)
{
	struct zvmo_cache_policy args;
	int err;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (!(h->rights & ZVMO_RIGHT_MAP))
		return -EACCES;
	return zvmo_vmo_set_cache_policy(h->vmo, args.policy);
}

static long zvmo_vmo_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct zvmo_handle *h = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (ZVMO_IOC(cmd)) {
	case ZVMO_IOC(ZVMO_IOC_VMO_INFO):
		return zvmo_ioc_info(h, uarg);
	case ZVMO_IOC(ZVMO_IOC_VMO_DUP):
		return zvmo_ioc_dup(h, uarg);
	case ZVMO_IOC(ZVMO_IOC_VMO_SET_NAME):
		return zvmo_ioc_set_name(h, uarg);
	case ZVMO_IOC(ZVMO_IOC_VMO_SET_CONTENT_SIZE):
		return zvmo_ioc_set_content_size(h, uarg);
	case ZVMO_IOC(ZVMO_IOC_VMO_SET_SIZE):
		return zvmo_ioc_set_size(h, uarg);
	case ZVMO_IOC(ZVMO_IOC_VMO_OP_RANGE):
		return zvmo_ioc_op_range(h, uarg);
	case ZVMO_IOC(ZVMO_IOC_VMO_CREATE_CHILD):
		return zvmo_ioc_create_child(h, uarg);
	case ZVMO_IOC(ZVMO_IOC_VMO_PIN):
		return zvmo_vmo_pin(h, uarg);
	case ZVMO_IOC(ZVMO_IOC_VMO_SET_CACHE_POLICY):
		return zvmo_ioc_set_cache_policy(h, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations zvmo_vmo_fops = {
	.owner = THIS_MODULE,
	.release = zvmo_vmo_release_file,
	.llseek = zvmo_vmo_llseek,
	.read_iter = zvmo_vmo_read_iter,
	.write_iter = zvmo_vmo_write_iter,
	.mmap = zvmo_mapping_mmap,
	.unlocked_ioctl = zvmo_vmo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
