/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel APIs that differ between the kernels zvmo supports (6.1 and
 * 6.12), in one place: the rest of the code calls what is here. Kbuild
 * detects each feature in the kernel's headers (ZVMO_HAVE_*), so a
 * backport is found as well as a new release.
 */
#ifndef _ZVMO_COMPAT_H
#define _ZVMO_COMPAT_H

#include <linux/mm.h>
#include <linux/list_lru.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/swap.h>

#ifndef ZVMO_HAVE_VM_FLAGS_SET
/* vm_flags became writable only through helpers in 6.3. */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#ifndef ZVMO_HAVE_RELEASE_FAULT_LOCK
/* Faults ran under the mmap lock alone until per-VMA locks (6.4). */
static inline void release_fault_lock(struct vm_fault *vmf)
{
	mmap_read_unlock(vmf->vma->vm_mm);
}
#endif

/*
 * The largest order the page allocator gives: MAX_PAGE_ORDER since 6.8;
 * in 6.1, MAX_ORDER is one past it. (6.4 to 6.7, not supported, had an
 * inclusive MAX_ORDER: there this is one order short, which is safe.)
 */
#ifdef MAX_PAGE_ORDER
#define ZVMO_MAX_ORDER	MAX_PAGE_ORDER
#else
#define ZVMO_MAX_ORDER	(MAX_ORDER - 1)
#endif

/*
 * A shrinker with @flags, @count and @scan, registered, with @setup
 * called on it where it can use it (a memcg-aware list_lru needs its id):
 * allocated by the core since 6.7, with the id, and registered after
 * @setup; before, a static object whose id comes as it is registered, so
 * @setup runs after, and @count and @scan may run before it did.
 */
static inline struct shrinker *
zvmo_shrinker_create(const char *name, unsigned int flags,
		     unsigned long (*count)(struct shrinker *,
					    struct shrink_control *),
		     unsigned long (*scan)(struct shrinker *,
					   struct shrink_control *),
		     int (*setup)(struct shrinker *))
{
	struct shrinker *s;

#ifdef ZVMO_HAVE_SHRINKER_ALLOC
	s = shrinker_alloc(flags, "%s", name);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	if (setup(s)) {
		shrinker_free(s);
		return NULL;
	}
	shrinker_register(s);
#else
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->flags = flags;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
	if (setup(s)) {
		unregister_shrinker(s);
		kfree(s);
		return NULL;
	}
#endif
	return s;
}

static inline void zvmo_shrinker_destroy(struct shrinker *s)
{
#ifdef ZVMO_HAVE_SHRINKER_ALLOC
	shrinker_free(s);
#else
	unregister_shrinker(s);
	kfree(s);
#endif
}

/* Pages a shrinker freed, for the reclaim that called it to count. */
static inline void zvmo_account_reclaimed(unsigned long pages)
{
#ifdef ZVMO_HAVE_MM_ACCOUNT_RECLAIMED_PAGES
	mm_account_reclaimed_pages(pages);
#else
	if (current->reclaim_state)
		current->reclaim_state->reclaimed_slab += pages;
#endif
}

/* list_lru_add() and list_lru_del() of a slab object, as 6.8 named them. */
#ifndef ZVMO_HAVE_LIST_LRU_ADD_OBJ
#define list_lru_add_obj(lru, item)	list_lru_add(lru, item)
#define list_lru_del_obj(lru, item)	list_lru_del(lru, item)
#endif

#endif /* _ZVMO_COMPAT_H */
