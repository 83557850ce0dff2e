// SPDX-License-Identifier: GPL-2.0
/*
 * Pins and BTIs: memory that stays put for a device, or for a userspace
 * driver that hands its addresses to one.
 *
 * A pin (Zircon's PMT, pinned memory token) is a file. It holds the VMO it
 * pins, so the VMO outlives its own descriptors for as long as the pin
 * lasts, and the pages of the range, each with a pin count in its slot of
 * the leaf (zvmo/cow): while the count is up, nothing decommits, moves,
 * forks away or frees the page. Closing the last descriptor of the pin, or
 * ZVMO_IOC_PMT_UNPIN, takes the pins off. Every file holds the module, so
 * it cannot be unloaded while a pin is held.
 *
 * Keeping memory resident is open to any user and charged to the locked
 * memory of the caller's address space, against RLIMIT_MEMLOCK, as
 * io_uring's and vfio's pins are. Physical addresses are another matter:
 * they tell an attacker where to aim a Rowhammer or DMA attack, so
 * /proc/<pid>/pagemap hides them from the unprivileged. Here they are
 * reported only through a BTI (bus transaction initiator), a file that only
 * a CAP_SYS_RAWIO caller can make. Like pagemap's check at open(), the
 * privilege is that of the file's maker: passing a BTI on passes the right,
 * which is what a driver manager handing a BTI to a driver wants. The
 * addresses are CPU physical addresses: zvmo knows no IOMMU, so a device
 * behind one needs its own mapping of them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "cow/cow_mm.h"
#include "fs.h"
#include "handle.h"
#include "pin.h"
#include "vmo.h"

/**
 * struct zvmo_bti - a bus transaction initiator
 * @ref: one for its file, one per pin made through it
 * @koid: its id
 * @bti_id: the caller's name for it
 * @pmo_count: pins made through it still pinned
 */
struct zvmo_bti {
	struct kref ref;
	u64 koid;
	u64 bti_id;
	atomic_long_t pmo_count;
};

/**
 * struct zvmo_pmt - a pin of a range of a VMO
 * @vmo: the VMO; the pin holds a reference
 * @bti: the BTI it was made through (with a reference), or NULL
 * @mm: the address space whose locked memory it is charged to, grabbed
 * @pages: the pinned pages, in order
 * @nr: how many
 * @koid: its id
 * @offset: start of the range in the VMO
 * @leaf_off: the same in the VMO's leaf
 * @options: ZVMO_PIN_* options
 * @lock: serializes unpinning
 * @pinned: the pages are still pinned
 */
struct zvmo_pmt {
	struct zvmo_vmo *vmo;
	struct zvmo_bti *bti;
	struct mm_struct *mm;
	struct page **pages;
	unsigned long nr;
	u64 koid;
	u64 offset;
	u64 leaf_off;
	u32 options;
	struct mutex lock;	/* see above */
	bool pinned;
};

static const struct file_operations zvmo_bti_fops;
static const struct file_operations zvmo_pmt_fops;

static void zvmo_bti_free(struct kref *ref)
{
	kfree(container_of(ref, struct zvmo_bti, ref));
	atomic_long_dec(&zvmo_counters.btis);
}

/**
 * zvmo_bti_put() - drop a reference to a BTI
 * @bti: the BTI
 */
void zvmo_bti_put(struct zvmo_bti *bti)
{
	kref_put(&bti->ref, zvmo_bti_free);
}

/**
 * zvmo_bti_get() - the BTI a descriptor refers to
 * @fd: the descriptor
 *
 * Context: Process context.
 * Return: the BTI with a reference taken, ERR_PTR(-EBADF) if @fd is not
 * open, or ERR_PTR(-ENOTTY) if it is not a BTI.
 */
struct zvmo_bti *zvmo_bti_get(int fd)
{
	struct zvmo_bti *bti;
	struct file *file;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op == &zvmo_bti_fops) {
		bti = file->private_data;
		kref_get(&bti->ref);
	} else {
		bti = ERR_PTR(-ENOTTY);
	}
	fput(file);
	return bti;
}

/* A file with an inode of its own, as every zvmo object has. */
static int zvmo_pin_install(const char *name,
			    const struct file_operations *fops, void *priv,
			    u32 fd_flags)
{
	struct inode *inode = zvmo_fs_new_inode();
	int fd;

	if (IS_ERR(inode))
		return PTR_ERR(inode);
	fd = zvmo_fs_install(inode, name, fops, priv, fd_flags);
	iput(inode);
	return fd;
}

/**
 * zvmo_bti_create() - ZVMO_IOC_BTI_CREATE
 * @uarg: struct zvmo_bti_create
 *
 * Context: Process context; may sleep.
 * Return: the BTI's descriptor, or a negative errno: -EACCES without
 * CAP_SYS_RAWIO.
 */
long zvmo_bti_create(void __user *uarg)
{
	struct zvmo_bti_create args;
	struct zvmo_bti *bti;
	int err, fd;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.options || args.reserved || args.fd_flags & ~ZVMO_FD_CLOEXEC)
		return -EINVAL;
	if (!capable(CAP_SYS_RAWIO))
		return -EACCES;

	bti = kzalloc(sizeof(*bti), GFP_KERNEL_ACCOUNT);
	if (!bti)
		return -ENOMEM;
	kref_init(&bti->ref);
	bti->koid = zvmo_new_koid();
	bti->bti_id = args.bti_id;
	atomic_long_inc(&zvmo_counters.btis);
	fd = zvmo_pin_install("zvmo-bti", &zvmo_bti_fops, bti, args.fd_flags);
	if (fd < 0)
		zvmo_bti_put(bti);
	return fd;
}

static long zvmo_bti_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct zvmo_bti *bti = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct zvmo_bti_info info;
	u32 argsz;
	int err;

	if (ZVMO_IOC(cmd) != ZVMO_IOC(ZVMO_IOC_BTI_INFO))
		return -ENOTTY;
	err = zvmo_copy_out_args(uarg, &argsz);
	if (err)
		return err;
	memset(&info, 0, sizeof(info));
	info.argsz = argsz;
	info.koid = bti->koid;
	info.bti_id = bti->bti_id;
	info.minimum_contiguity = PAGE_SIZE;
	info.aspace_size = U64_MAX;
	info.pmo_count = atomic_long_read(&bti->pmo_count);
	return zvmo_copy_out(uarg, &info, sizeof(info));
}

static int zvmo_bti_release(struct inode *inode, struct file *file)
{
	zvmo_bti_put(file->private_data);
	return 0;
}

static const struct file_operations zvmo_bti_fops = {
	.owner = THIS_MODULE,
	.release = zvmo_bti_release,
	.unlocked_ioctl = zvmo_bti_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Take the pins off, once; the PMT stays until its file goes. */
static void zvmo_pmt_unpin(struct zvmo_pmt *pmt)
{
	mutex_lock(&pmt->lock);
	if (pmt->pinned) {
		zvmo_cow_unpin(pmt->vmo->cow, pmt->leaf_off,
			       pmt->leaf_off + ((u64)pmt->nr << PAGE_SHIFT));
		pmt->pinned = false;
		account_locked_vm(pmt->mm, pmt->nr, false);
		mmdrop(pmt->mm);
		pmt->mm = NULL;
		kvfree(pmt->pages);
		pmt->pages = NULL;
		if (pmt->bti)
			atomic_long_dec(&pmt->bti->pmo_count);
		atomic_long_dec(&zvmo_counters.pmts);
	}
	mutex_unlock(&pmt->lock);
}

static void zvmo_pmt_free(struct zvmo_pmt *pmt)
{
	zvmo_pmt_unpin(pmt);
	if (pmt->bti)
		zvmo_bti_put(pmt->bti);
	zvmo_vmo_put(pmt->vmo);
	mutex_destroy(&pmt->lock);
	kfree(pmt);
}

static int zvmo_pmt_release(struct inode *inode, struct file *file)
{
	zvmo_pmt_free(file->private_data);
	return 0;
}

static long zvmo_pmt_info(struct zvmo_pmt *pmt, void __user *uarg)
{
	struct zvmo_pmt_info info;
	u32 argsz;
	int err;

	err = zvmo_copy_out_args(uarg, &argsz);
	if (err)
		return err;
	memset(&info, 0, sizeof(info));
	info.argsz = argsz;
	info.koid = pmt->koid;
	info.vmo_koid = pmt->vmo->koid;
	info.offset = pmt->offset;
	info.size = (u64)pmt->nr << PAGE_SHIFT;
	info.options = pmt->options;
	mutex_lock(&pmt->lock);
	info.pinned = pmt->pinned;
	mutex_unlock(&pmt->lock);
	return zvmo_copy_out(uarg, &info, sizeof(info));
}

static long zvmo_pmt_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct zvmo_pmt *pmt = file->private_data;

	switch (ZVMO_IOC(cmd)) {
	case ZVMO_IOC(ZVMO_IOC_PMT_INFO):
		return zvmo_pmt_info(pmt, (void __user *)arg);
	case ZVMO_IOC(ZVMO_IOC_PMT_UNPIN):
		zvmo_pmt_unpin(pmt);
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations zvmo_pmt_fops = {
	.owner = THIS_MODULE,
	.release = zvmo_pmt_release,
	.unlocked_ioctl = zvmo_pmt_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Write the pin's addresses in the form its options ask for. */
static int zvmo_pmt_addrs(struct zvmo_pmt *pmt, u64 __user *uaddrs)
{
	unsigned long i;

	if (pmt->options & ZVMO_PIN_CONTIGUOUS)
		return put_user((u64)page_to_phys(pmt->pages[0]), uaddrs);
	for (i = 0; i < pmt->nr; i++) {
		if (put_user((u64)page_to_phys(pmt->pages[i]), uaddrs + i))
			return -EFAULT;
	}
	return 0;
}

/* The checks of ZVMO_IOC_VMO_PIN, in Zircon's order as far as it goes. */
static int zvmo_pin_check(struct zvmo_handle *h, struct zvmo_vmo_pin *args,
			  struct zvmo_bti *bti)
{
	u32 perms = ZVMO_PIN_READ | ZVMO_PIN_WRITE | ZVMO_PIN_EXECUTE;
	u32 forms = ZVMO_PIN_COMPRESS | ZVMO_PIN_CONTIGUOUS;
	u64 end, want;

	if (args->options & ~(perms | forms) || !(args->options & perms) ||
	    (args->options & forms) == forms ||
	    args->fd_flags & ~ZVMO_FD_CLOEXEC)
		return -EINVAL;
	if (!(h->rights & ZVMO_RIGHT_MAP) ||
	    (args->options & (ZVMO_PIN_READ | ZVMO_PIN_EXECUTE) &&
	     !(h->rights & ZVMO_RIGHT_READ)) ||
	    (args->options & ZVMO_PIN_WRITE && !(h->rights & ZVMO_RIGHT_WRITE)))
		return -EACCES;
	/* Nobody learns an address without a BTI. */
	if (!bti && (args->addrs || args->num_addrs))
		return -EACCES;
	if (!args->size || !PAGE_ALIGNED(args->offset) ||
	    !PAGE_ALIGNED(args->size))
		return -EINVAL;
	if (check_add_overflow(args->offset, args->size, &end) ||
	    end > zvmo_vmo_size(h->vmo))
		return -ERANGE;
	if (args->options & ZVMO_PIN_CONTIGUOUS && !h->vmo->cow->contiguous)
		return -EINVAL;
	if (bti) {
		want = args->options & ZVMO_PIN_CONTIGUOUS ? 1 :
		       args->size >> PAGE_SHIFT;
		if (args->num_addrs != want || !args->addrs)
			return -EINVAL;
	}
	return 0;
}

/**
 * zvmo_vmo_pin() - ZVMO_IOC_VMO_PIN
 * @h: the VMO's handle
 * @uarg: struct zvmo_vmo_pin
 *
 * Context: Process context; may sleep.
 * Return: the pin's descriptor, or a negative errno (see struct
 * zvmo_vmo_pin).
 */
long zvmo_vmo_pin(struct zvmo_handle *h, void __user *uarg)
{
	struct zvmo_bti *bti = NULL;
	struct zvmo_vmo_pin args;
	struct zvmo_pmt *pmt;
	u64 leaf_off;
	int err, fd;

	err = zvmo_copy_args(&args, sizeof(args), sizeof(args), uarg);
	if (err)
		return err;
	if (args.bti_fd != -1) {
		bti = zvmo_bti_get(args.bti_fd);
		if (IS_ERR(bti))
			return PTR_ERR(bti);
	}
	err = zvmo_pin_check(h, &args, bti);
	if (err)
		goto err_bti;

	err = -ENOMEM;
	pmt = kzalloc(sizeof(*pmt), GFP_KERNEL_ACCOUNT);
	if (!pmt)
		goto err_bti;
	mutex_init(&pmt->lock);
	pmt->nr = args.size >> PAGE_SHIFT;
	/*
	 * Past RLIMIT_MEMLOCK (and without CAP_IPC_LOCK): -ENOMEM, before
	 * anything is allocated for a range that large.
	 */
	err = account_locked_vm(current->mm, pmt->nr, true);
	if (err)
		goto err_pmt;
	/*
	 * A range no array can describe, or one whose array the cgroup has
	 * no room for, is -ENOMEM too: quietly, and without the OOM killer.
	 */
	err = -ENOMEM;
	pmt->pages = kvmalloc_array(pmt->nr, sizeof(*pmt->pages),
				    GFP_KERNEL_ACCOUNT | __GFP_NOWARN |
				    __GFP_RETRY_MAYFAIL);
	if (!pmt->pages)
		goto err_account;

	leaf_off = h->vmo->view.offset + args.offset;
	err = zvmo_cow_pin(h->vmo->cow, leaf_off, leaf_off + args.size,
			   pmt->pages, args.options & ZVMO_PIN_WRITE);
	if (err)
		goto err_pages;

	mmgrab(current->mm);
	pmt->mm = current->mm;
	zvmo_vmo_get(h->vmo);
	pmt->vmo = h->vmo;
	pmt->bti = bti;
	pmt->koid = zvmo_new_koid();
	pmt->offset = args.offset;
	pmt->leaf_off = leaf_off;
	pmt->options = args.options;
	pmt->pinned = true;
	atomic_long_inc(&zvmo_counters.pmts);
	if (bti)
		atomic_long_inc(&bti->pmo_count);

	if (bti) {
		err = zvmo_pmt_addrs(pmt, u64_to_user_ptr(args.addrs));
		if (err) {
			zvmo_pmt_free(pmt);
			return err;
		}
	}
	fd = zvmo_pin_install("zvmo-pmt", &zvmo_pmt_fops, pmt, args.fd_flags);
	if (fd < 0)
		zvmo_pmt_free(pmt);
	return fd;

err_pages:
	kvfree(pmt->pages);
err_account:
	account_locked_vm(current->mm, pmt->nr, false);
err_pmt:
	mutex_destroy(&pmt->lock);
	kfree(pmt);
err_bti:
	if (bti)
		zvmo_bti_put(bti);
	return err;
}
