// SPDX-License-Identifier: GPL-2.0
/*
 * zvmo: Zircon-style virtual memory objects for Linux.
 *
 * /dev/zvmo makes VMOs; each VMO is a file descriptor of its own.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "compress.h"
#include "cow/cow_mm.h"
#include "fs.h"
#include "handle.h"
#include "page_list.h"
#include "pager/pager.h"
#include "pin.h"
#include "reclaim.h"
#include "stats.h"
#include "vmo.h"
#include "zvmo.h"

struct zvmo_counters zvmo_counters;
DEFINE_PER_CPU(unsigned long, zvmo_faults);

/**
 * zvmo_copy_args() - read an argument struct that starts with its size
 * @karg: the kernel's copy
 * @ksize: sizeof(*karg)
 * @minsize: the size of the struct's first version: less is -EINVAL
 * @uarg: the user pointer
 *
 * Bytes the caller's older struct lacks read as zero; bytes of a newer
 * struct that the kernel does not know must be zero (else -E2BIG).
 *
 * Context: Process context; may fault.
 * Return: 0 or a negative errno.
 */
int zvmo_copy_args(void *karg, size_t ksize, size_t minsize,
		   const void __user *uarg)
{
	u32 usize;
	int err;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (usize < minsize)
		return -EINVAL;
	if (usize > ZVMO_ARGSZ_MAX)
		return -E2BIG;

	err = copy_struct_from_user(karg, ksize, uarg, usize);
	if (err)
		return err;
	return 0;
}

/**
 * zvmo_copy_out_args() - read the header of an output-only struct
 * @uarg: the user pointer: struct { __u32 argsz; __u32 reserved; ... }
 * @argsz: set to the caller's size
 *
 * The rest of the caller's struct is output and may hold anything.
 *
 * Context: Process context; may fault.
 * Return: 0, -EFAULT, or -EINVAL for a size smaller than the header or a
 * reserved word that is not zero.
 */
int zvmo_copy_out_args(const void __user *uarg, u32 *argsz)
{
	u32 hdr[2];

	if (copy_from_user(hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr[0] < sizeof(hdr) || hdr[1])
		return -EINVAL;
	*argsz = hdr[0];
	return 0;
}

/**
 * zvmo_copy_out() - write an output struct back, as much as the caller has
 * @uarg: the user pointer; its first u32 says how big the caller's struct is
 * @karg: the kernel's copy, whose first u32 is the caller's size
 * @ksize: sizeof(*karg)
 *
 * Context: Process context; may fault.
 * Return: 0 or -EFAULT.
 */
int zvmo_copy_out(void __user *uarg, const void *karg, size_t ksize)
{
	size_t usize = *(const u32 *)karg;

	if (copy_to_user(uarg, karg, min(usize, ksize)))
		return -EFAULT;
	return 0;
}

static long zvmo_dev_vmo_create(void __user *uarg)
{
	struct zvmo_vmo_create args;
	struct zvmo_vmo *vmo;
	int err, fd;
	u32 rights;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.reserved)
		return -EINVAL;
	if (args.fd_flags & ~ZVMO_FD_CLOEXEC)
		return -EINVAL;

	err = zvmo_vmo_create(args.size, args.options, &vmo);
	if (err)
		return err;

	/* As Zircon: only a resizable VMO's handle can resize it. */
	rights = ZVMO_RIGHTS_ALL;
	if (!(args.options & ZVMO_VMO_RESIZABLE))
		rights &= ~ZVMO_RIGHT_RESIZE;
	fd = zvmo_handle_install(vmo, rights, args.fd_flags);
	/* The handle has its own reference, or failed and there is none. */
	zvmo_vmo_put(vmo);
	return fd;
}

static long zvmo_dev_vmo_create_contiguous(void __user *uarg)
{
	struct zvmo_vmo_create_contiguous args;
	struct zvmo_bti *bti;
	struct zvmo_vmo *vmo;
	int err, fd;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	/* Zircon's order: the BTI first. */
	bti = zvmo_bti_get(args.bti_fd);
	if (IS_ERR(bti))
		return PTR_ERR(bti);
	zvmo_bti_put(bti);
	if (args.fd_flags & ~ZVMO_FD_CLOEXEC)
		return -EINVAL;

	err = zvmo_vmo_create_contiguous(args.size, args.alignment_log2, &vmo);
	if (err)
		return err;
	fd = zvmo_handle_install(vmo, ZVMO_RIGHTS_ALL & ~ZVMO_RIGHT_RESIZE,
				 args.fd_flags);
	zvmo_vmo_put(vmo);
	return fd;
}

static long zvmo_dev_stats(void __user *uarg)
{
	struct zvmo_stats st;
	u32 argsz;
	int err;

	err = zvmo_copy_out_args(uarg, &argsz);
	if (err)
		return err;
	memset(&st, 0, sizeof(st));
	st.argsz = argsz;
	st.vmos = atomic_long_read(&zvmo_counters.vmos);
	st.pages = atomic_long_read(&zvmo_counters.pages);
	st.handles = atomic_long_read(&zvmo_counters.handles);
	st.pinned_pages = atomic_long_read(&zvmo_counters.pinned_pages);
	st.pmts = atomic_long_read(&zvmo_counters.pmts);
	st.btis = atomic_long_read(&zvmo_counters.btis);
	st.evicted_pages = atomic_long_read(&zvmo_counters.evicted);
	st.discarded_vmos = atomic_long_read(&zvmo_counters.discarded_vmos);
	st.discarded_pages = atomic_long_read(&zvmo_counters.discarded);
	st.deduped_pages = atomic_long_read(&zvmo_counters.deduped);
	st.compressed_pages = atomic_long_read(&zvmo_zc_stats.stored);
	st.compressed_bytes = atomic_long_read(&zvmo_zc_stats.bytes);
	st.compressed_pool_bytes = zvmo_zc_pool_bytes();
	st.compressions = atomic_long_read(&zvmo_zc_stats.compressed);
	st.decompressions = atomic_long_read(&zvmo_zc_stats.decompressed);
	st.page_list_nodes = zvmo_page_list_total_nodes();
	st.page_list_bytes = st.page_list_nodes * zvmo_page_list_node_size();
	return zvmo_copy_out(uarg, &st, sizeof(st));
}

static long zvmo_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (ZVMO_IOC(cmd)) {
	case ZVMO_IOC(ZVMO_IOC_VMO_CREATE):
		return zvmo_dev_vmo_create(uarg);
	case ZVMO_IOC(ZVMO_IOC_STATS):
		return zvmo_dev_stats(uarg);
	case ZVMO_IOC(ZVMO_IOC_BTI_CREATE):
		return zvmo_bti_create(uarg);
	case ZVMO_IOC(ZVMO_IOC_VMO_CREATE_CONTIGUOUS):
		return zvmo_dev_vmo_create_contiguous(uarg);
	case ZVMO_IOC(ZVMO_IOC_PAGER_CREATE):
		return zvmo_pager_create(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations zvmo_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = zvmo_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice zvmo_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "zvmo",
	.fops = &zvmo_dev_fops,
	.mode = 0666,
};

static int __init zvmo_init(void)
{
	int err;

	err = zvmo_page_list_cache_init();
	if (err)
		return err;

	err = zvmo_cow_init();
	if (err)
		goto err_cache;

	err = zvmo_fs_init();
	if (err)
		goto err_cow;

	err = zvmo_zc_init();
	if (err)
		goto err_fs;

	err = zvmo_reclaim_init();
	if (err)
		goto err_zc;

	err = zvmo_stats_init();
	if (err)
		goto err_reclaim;

	err = zvmo_netlink_init();
	if (err)
		goto err_stats;

	/* Last: from here on userspace can reach us. */
	err = misc_register(&zvmo_miscdev);
	if (err)
		goto err_netlink;

	return 0;

err_netlink:
	zvmo_netlink_exit();
err_stats:
	zvmo_stats_exit();
err_reclaim:
	zvmo_reclaim_exit();
err_zc:
	zvmo_zc_exit();
err_fs:
	zvmo_fs_exit();
err_cow:
	zvmo_cow_exit();
err_cache:
	zvmo_page_list_cache_exit();
	return err;
}

static void __exit zvmo_exit(void)
{
	misc_deregister(&zvmo_miscdev);
	zvmo_netlink_exit();
	zvmo_stats_exit();
	zvmo_reclaim_exit();
	zvmo_zc_exit();
	zvmo_fs_exit();
	zvmo_cow_exit();
	zvmo_page_list_cache_exit();
}

module_init(zvmo_init);
module_exit(zvmo_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Zircon-style virtual memory objects");
MODULE_AUTHOR("The zvmo developers");
MODULE_VERSION("0.1.0");
/*
 * The default compressor, a module in Debian's kernels: modprobe loads it
 * first, so it is there at init without the kernel having to load it.
 */
MODULE_SOFTDEP("pre: lz4");
