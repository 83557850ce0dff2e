// SPDX-License-Identifier: GPL-2.0
/*
 * The compressed store: the content of cold pages of anonymous VMOs,
 * compressed by the kernel's compression API (the compressor parameter,
 * lz4 by default) and kept in a zsmalloc pool, each object a 16-bit
 * length and the data. A page-list slot holds the object's handle in
 * place of the page (ZVMO_PL_TAG_COMPRESSED).
 *
 * Pages are compressed by reclaim only (zvmo_cow_compress()), one at a
 * time under zvmo_zc_comp_lock, into one buffer; any access decompresses,
 * under zvmo_zc_load_lock, with a transform of its own. Both transforms
 * are crypto_comp: synchronous, and what both kernels zvmo supports have
 * for every algorithm zram and zswap use.
 *
 * The zsmalloc pages an object lands in are charged to the memory cgroup
 * of the VMO whose page it is (set_active_memcg()). A zsmalloc page holds
 * the objects of several pages, and is charged to the cgroup whose object
 * made the pool allocate it: a cgroup is charged its compressed bytes to
 * within the zsmalloc pages it shares with others. A zsmalloc page that
 * compaction migrates loses its charge (the new page has none): the
 * charge may fall short of the store's memory, never exceed it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crypto.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/memcontrol.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/zsmalloc.h>

#include "compress.h"
#include "page_list.h"

struct zvmo_zc_stats zvmo_zc_stats;

static char *zvmo_compressor = "lz4";
module_param_named(compressor, zvmo_compressor, charp, 0444);
MODULE_PARM_DESC(compressor,
		 "the kernel's compression algorithm for cold pages of anonymous VMOs (default lz4)");

static bool zvmo_compress = true;
module_param_named(compress, zvmo_compress, bool, 0644);
MODULE_PARM_DESC(compress,
		 "compress cold pages of anonymous VMOs under memory pressure (default Y)");

static unsigned int zvmo_compress_max = PAGE_SIZE * 3 / 4;
module_param_named(compress_max_bytes, zvmo_compress_max, uint, 0644);
MODULE_PARM_DESC(compress_max_bytes,
		 "a page compressed to more bytes than this is left alone (default 3/4 of a page)");

/* The length before the data of each object. */
#define ZVMO_ZC_HDR	sizeof(u16)

/*
 * What the pool allocates with: never waiting, and charged to the VMO's
 * cgroup even past its limit (__GFP_HIGH): a compressed page is smaller
 * than the page it frees.
 */
#define ZVMO_ZC_GFP \
	(__GFP_HIGH | __GFP_NOWARN | __GFP_NORETRY | __GFP_KSWAPD_RECLAIM | \
	 __GFP_ACCOUNT)

static struct zs_pool *zvmo_zc_pool;
static DEFINE_MUTEX(zvmo_zc_comp_lock);	/* zvmo_zc_comp, zvmo_zc_buf */
static struct crypto_comp *zvmo_zc_comp;
static u8 *zvmo_zc_buf;
static DEFINE_MUTEX(zvmo_zc_load_lock);	/* zvmo_zc_decomp */
static struct crypto_comp *zvmo_zc_decomp;

/**
 * zvmo_zc_enabled() - whether reclaim compresses pages now
 *
 * Context: Any.
 * Return: true if the store is there and the compress parameter is set.
 */
bool zvmo_zc_enabled(void)
{
	return zvmo_zc_pool && READ_ONCE(zvmo_compress);
}

/**
 * zvmo_zc_store() - compress a page into the store
 * @page: the page; nothing writes it meanwhile
 * @memcg: the memory cgroup to charge, or NULL for the caller's
 * @handle: set to the content's handle, 4-byte aligned and not 0
 *
 * Context: Process context, reclaim included; does not wait for memory.
 * Return: 0; -E2BIG if the page compressed to more than
 * compress_max_bytes (it is worth leaving as it is); -ENOMEM if the pool
 * had no room, or -EOPNOTSUPP if there is no store.
 */
int zvmo_zc_store(struct page *page, struct mem_cgroup *memcg,
		  unsigned long *handle)
{
	struct mem_cgroup *old;
	unsigned int len = 2 * PAGE_SIZE;
	unsigned long h;
	void *src, *dst;
	int err;

	if (!zvmo_zc_enabled())
		return -EOPNOTSUPP;
	mutex_lock(&zvmo_zc_comp_lock);
	src = kmap_local_page(page);
	err = crypto_comp_compress(zvmo_zc_comp, src, PAGE_SIZE, zvmo_zc_buf,
				   &len);
	kunmap_local(src);
	if (err || len > READ_ONCE(zvmo_compress_max) || len > U16_MAX) {
		err = -E2BIG;
		atomic_long_inc(&zvmo_zc_stats.poor);
		goto out;
	}
	old = set_active_memcg(memcg);
	h = zs_malloc(zvmo_zc_pool, ZVMO_ZC_HDR + len, ZVMO_ZC_GFP);
	set_active_memcg(old);
	if (IS_ERR_VALUE(h) || !h || WARN_ON_ONCE(h & ZVMO_PL_TAG_MASK)) {
		if (!IS_ERR_VALUE(h) && h)
			zs_free(zvmo_zc_pool, h);
		err = -ENOMEM;
		atomic_long_inc(&zvmo_zc_stats.failed);
		goto out;
	}
	dst = zs_map_object(zvmo_zc_pool, h, ZS_MM_WO);
	*(u16 *)dst = len;
	memcpy(dst + ZVMO_ZC_HDR, zvmo_zc_buf, len);
	zs_unmap_object(zvmo_zc_pool, h);
	*handle = h;
	atomic_long_inc(&zvmo_zc_stats.stored);
	atomic_long_add(len, &zvmo_zc_stats.bytes);
	atomic_long_inc(&zvmo_zc_stats.compressed);
out:
	mutex_unlock(&zvmo_zc_comp_lock);
	return err;
}

/**
 * zvmo_zc_load() - decompress content of the store into a page
 * @handle: the content, which stays in the store
 * @page: the page to fill
 *
 * Context: Process context; may sleep.
 * Return: 0, or -EIO if the content does not decompress to a page (it
 * always does, unless memory was corrupted).
 */
int zvmo_zc_load(unsigned long handle, struct page *page)
{
	unsigned int len = PAGE_SIZE;
	void *src, *dst;
	int err;

	mutex_lock(&zvmo_zc_load_lock);
	src = zs_map_object(zvmo_zc_pool, handle, ZS_MM_RO);
	dst = kmap_local_page(page);
	err = crypto_comp_decompress(zvmo_zc_decomp, src + ZVMO_ZC_HDR,
				     *(u16 *)src, dst, &len);
	kunmap_local(dst);
	zs_unmap_object(zvmo_zc_pool, handle);
	mutex_unlock(&zvmo_zc_load_lock);
	if (WARN_ON_ONCE(err || len != PAGE_SIZE))
		return -EIO;
	atomic_long_inc(&zvmo_zc_stats.decompressed);
	return 0;
}

/**
 * zvmo_zc_free() - drop content from the store
 * @handle: the content
 *
 * Context: Any context that may take a spinlock.
 */
void zvmo_zc_free(unsigned long handle)
{
	void *obj = zs_map_object(zvmo_zc_pool, handle, ZS_MM_RO);
	u16 len = *(u16 *)obj;

	zs_unmap_object(zvmo_zc_pool, handle);
	zs_free(zvmo_zc_pool, handle);
	atomic_long_dec(&zvmo_zc_stats.stored);
	atomic_long_sub(len, &zvmo_zc_stats.bytes);
}

/**
 * zvmo_zc_pool_bytes() - memory the store takes
 *
 * Context: Any.
 * Return: bytes of the pool's pages.
 */
u64 zvmo_zc_pool_bytes(void)
{
	return zvmo_zc_pool ?
	       (u64)zs_get_total_pages(zvmo_zc_pool) << PAGE_SHIFT : 0;
}

/**
 * zvmo_zc_init() - make the store
 *
 * Without the compressor the module loads all the same, with compression
 * off.
 *
 * Context: Module init.
 * Return: 0 or -ENOMEM.
 */
int zvmo_zc_init(void)
{
	struct crypto_comp *comp, *decomp;

	comp = crypto_alloc_comp(zvmo_compressor, 0, 0);
	if (IS_ERR(comp)) {
		pr_warn("no compressor %s (%ld): compression is off\n",
			zvmo_compressor, PTR_ERR(comp));
		return 0;
	}
	decomp = crypto_alloc_comp(zvmo_compressor, 0, 0);
	if (IS_ERR(decomp)) {
		crypto_free_comp(comp);
		return PTR_ERR(decomp);
	}
	zvmo_zc_buf = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
	zvmo_zc_pool = zvmo_zc_buf ? zs_create_pool("zvmo") : NULL;
	if (!zvmo_zc_pool) {
		kfree(zvmo_zc_buf);
		crypto_free_comp(decomp);
		crypto_free_comp(comp);
		return -ENOMEM;
	}
	zvmo_zc_comp = comp;
	zvmo_zc_decomp = decomp;
	return 0;
}

/**
 * zvmo_zc_exit() - free the store
 *
 * Context: Module exit; no VMO is left, so the store is empty.
 */
void zvmo_zc_exit(void)
{
	if (!zvmo_zc_pool)
		return;
	WARN_ON(atomic_long_read(&zvmo_zc_stats.stored));
	zs_destroy_pool(zvmo_zc_pool);
	kfree(zvmo_zc_buf);
	crypto_free_comp(zvmo_zc_decomp);
	crypto_free_comp(zvmo_zc_comp);
}
