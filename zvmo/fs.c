// SPDX-License-Identifier: GPL-2.0
/*
 * zvmo's pseudo filesystem: every VMO has an inode of its own here, so its
 * files share one address space however many descriptors point at it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#include "fs.h"
#include "zvmo.h"

#define ZVMO_FS_MAGIC	0x7a766d6f	/* "zvmo" */

static struct vfsmount *zvmo_mnt;

static int zvmo_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, ZVMO_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type zvmo_fs_type = {
	.name = "zvmo",
	.init_fs_context = zvmo_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/**
 * zvmo_fs_init() - mount the pseudo filesystem
 *
 * Context: Module init.
 * Return: 0 or a negative errno.
 */
int zvmo_fs_init(void)
{
	zvmo_mnt = kern_mount(&zvmo_fs_type);
	return PTR_ERR_OR_ZERO(zvmo_mnt);
}

/**
 * zvmo_fs_exit() - unmount the pseudo filesystem
 *
 * Context: Module exit, when no file of ours is left.
 */
void zvmo_fs_exit(void)
{
	kern_unmount(zvmo_mnt);
}

/**
 * zvmo_fs_new_inode() - a new inode with an address space of its own
 *
 * Context: Process context; may sleep.
 * Return: the inode, holding one reference, or an ERR_PTR().
 */
struct inode *zvmo_fs_new_inode(void)
{
	return alloc_anon_inode(zvmo_mnt->mnt_sb);
}

/**
 * zvmo_fs_install() - open a file on @inode and install it as a descriptor
 * @inode: the object's inode; the new file takes a reference of its own
 * @name: the file's name, shown in /proc/<pid>/fd
 * @fops: the file's operations; their owner is pinned while it is open
 * @priv: the file's private_data; ->release() of @fops frees it
 * @fd_flags: ZVMO_FD_* flags
 *
 * The descriptor is installed last, once nothing can fail. On failure
 * @priv is untouched and still belongs to the caller.
 *
 * Context: Process context; may sleep.
 * Return: the descriptor or a negative errno.
 */
int zvmo_fs_install(struct inode *inode, const char *name,
		    const struct file_operations *fops, void *priv,
		    u32 fd_flags)
{
	struct file *file;
	int fd, err;

	if (fd_flags & ~ZVMO_FD_CLOEXEC)
		return -EINVAL;

	fd = get_unused_fd_flags(O_RDWR |
				 (fd_flags & ZVMO_FD_CLOEXEC ? O_CLOEXEC : 0));
	if (fd < 0)
		return fd;

	if (!try_module_get(fops->owner)) {
		err = -ENODEV;
		goto err_put_fd;
	}

	ihold(inode);
	file = alloc_file_pseudo(inode, zvmo_mnt, name, O_RDWR, fops);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto err_iput;
	}
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	file->private_data = priv;

	fd_install(fd, file);
	return fd;

err_iput:
	iput(inode);
	module_put(fops->owner);
err_put_fd:
	put_unused_fd(fd);
	return err;
}
