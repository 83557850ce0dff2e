// SPDX-License-Identifier: GPL-2.0
/*
 * Eviction of the clean pages of pager-backed VMOs, under memory pressure
 * (a shrinker, which `echo 2 > /proc/sys/vm/drop_caches` drives as well)
 * or when root asks (the evict_now parameter).
 *
 * The seeds age pager pages in page queues and evict the oldest. Here
 * each pager-backed leaf is a clock (zvmo_cow_evict()): its hand passes
 * over its pages, clearing the mark a read left and evicting the pages
 * that have none, and the leaves take turns. The shrinker is memory
 * cgroup aware: a cgroup's reclaim evicts from the leaves charged to it
 * (list_lru keeps them by cgroup and node). Pages marked
 * ZVMO_OP_DONT_NEED go before any other; dirty, awaiting clean, pinned
 * and ZVMO_OP_ALWAYS_NEED pages never go.
 *
 * Lock order: zvmo_evict_lock, then a hierarchy lock, which eviction only
 * ever trylocks: reclaim may come from a task that holds one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/list_lru.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

#include "../compat.h"
#include "../cow/cow_mm.h"
#include "evict.h"

/*
 * The pager-backed leaves, by memory cgroup (that of the task that made
 * the VMO, which a leaf is charged to: its pages mostly come from the
 * same pager, and are charged to it) and node, in the order they are
 * looked at. zvmo_evict_lock keeps the leaves alive while eviction looks
 * at them with the list's lock dropped.
 */
static struct list_lru zvmo_evict_lru;
/*
 * A leaf's entry in it: a slab object of its own, allocated with the
 * list, so that the list has a place for the cgroup it is charged to.
 */
struct zvmo_evict_entry {
	struct list_head link;
	struct zvmo_cow_pages *leaf;
};

static struct kmem_cache *zvmo_evict_cache;
static DEFINE_MUTEX(zvmo_evict_lock);
/*
 * The shrinker's list is ready: 6.1 registers the shrinker before it can
 * be made. Set with release once it is, read with acquire by the
 * shrinker's calls, which look at the list only then.
 */
static bool zvmo_evict_ready;
/* A DONT_NEED happened since eviction last found no such page. */
static bool zvmo_evict_dont_need;
static struct shrinker *zvmo_shrinker;

/**
 * zvmo_evict_add() - let eviction look at a pager-backed leaf
 * @leaf: the leaf
 *
 * Its entry is charged to the caller's memory cgroup, and so is the
 * leaf: that cgroup's reclaim looks at it.
 *
 * Context: Process context.
 * Return: 0 or -ENOMEM.
 */
int zvmo_evict_add(struct zvmo_cow_pages *leaf)
{
	struct zvmo_evict_entry *e;

	e = kmem_cache_alloc_lru(zvmo_evict_cache, &zvmo_evict_lru,
				 GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	e->leaf = leaf;
	INIT_LIST_HEAD(&e->link);
	leaf->evict = e;
	mutex_lock(&zvmo_evict_lock);
	list_lru_add_obj(&zvmo_evict_lru, &e->link);
	mutex_unlock(&zvmo_evict_lock);
	return 0;
}

/**
 * zvmo_evict_del() - a pager-backed leaf is going
 * @leaf: the leaf, given to zvmo_evict_add() before (or not, if that
 *	failed)
 *
 * Returns once eviction no longer looks at it.
 *
 * Context: Process context; no hierarchy lock held.
 */
void zvmo_evict_del(struct zvmo_cow_pages *leaf)
{
	struct zvmo_evict_entry *e = leaf->evict;

	if (!e)
		return;
	mutex_lock(&zvmo_evict_lock);
	list_lru_del_obj(&zvmo_evict_lru, &e->link);
	mutex_unlock(&zvmo_evict_lock);
	leaf->evict = NULL;
	kmem_cache_free(zvmo_evict_cache, e);
}

/**
 * zvmo_evict_dont_need_pending() - pages were marked ZVMO_OP_DONT_NEED
 *
 * Context: Any.
 */
void zvmo_evict_dont_need_pending(void)
{
	WRITE_ONCE(zvmo_evict_dont_need, true);
}

/* Leaves one look at the list takes. */
#define ZVMO_EVICT_LEAVES	16

struct zvmo_evict_batch {
	struct zvmo_cow_pages *leaves[ZVMO_EVICT_LEAVES];
	unsigned int nr;
	unsigned long pages;
};

/* Take a leaf for the batch and send it to the back: leaves take turns. */
static enum lru_status zvmo_evict_take(struct list_head *item,
				       struct list_lru_one *list,
				       spinlock_t *lock, void *arg)
{
	struct zvmo_evict_batch *b = arg;

	b->leaves[b->nr++] = container_of(item, struct zvmo_evict_entry,
					  link)->leaf;
	return LRU_ROTATE;
}

static enum lru_status zvmo_evict_count(struct list_head *item,
					struct list_lru_one *list,
					spinlock_t *lock, void *arg)
{
	struct zvmo_evict_batch *b = arg;

	b->pages += READ_ONCE(container_of(item, struct zvmo_evict_entry,
					   link)->leaf->nr_pages);
	return LRU_SKIP;
}

/*
 * Where eviction looks: one node and cgroup of the list (reclaim), or all
 * of it (@all).
 */
struct zvmo_evict_where {
	bool all;
	int nid;
	struct mem_cgroup *memcg;
};

static unsigned long zvmo_evict_walk(const struct zvmo_evict_where *w,
				     list_lru_walk_cb fn,
				     struct zvmo_evict_batch *b,
				     unsigned long nr)
{
	if (w->all)
		return list_lru_walk(&zvmo_evict_lru, fn, b, nr);
	return list_lru_walk_one(&zvmo_evict_lru, w->nid, w->memcg, fn, b,
				 &nr);
}

static unsigned long zvmo_evict_leaves(const struct zvmo_evict_where *w)
{
	if (w->all)
		return list_lru_count(&zvmo_evict_lru);
	return list_lru_count_one(&zvmo_evict_lru, w->nid, w->memcg);
}

/*
 * Evict up to @nr pages from the leaves @w names, DONT_NEED ones first,
 * taking the leaves in turns. zvmo_evict_lock held.
 */
static unsigned long zvmo_evict_locked(const struct zvmo_evict_where *w,
				       unsigned long nr)
{
	unsigned long done = 0, seen = 0, leaves = zvmo_evict_leaves(w);
	bool dont_need = READ_ONCE(zvmo_evict_dont_need);
	struct zvmo_evict_batch b;
	unsigned int i;

	/* A round for the DONT_NEED pages, then two of the clock. */
	while (done < nr && seen < (dont_need ? 3 : 2) * leaves) {
		bool first = dont_need && seen < leaves;

		b.nr = 0;
		zvmo_evict_walk(w, zvmo_evict_take, &b,
				min_t(unsigned long, ZVMO_EVICT_LEAVES,
				      leaves - seen % leaves));
		if (!b.nr)
			break;
		for (i = 0; i < b.nr && done < nr; i++)
			done += zvmo_cow_evict(b.leaves[i], nr - done, first);
		seen += b.nr;
		if (first && seen >= leaves && done < nr && w->all)
			WRITE_ONCE(zvmo_evict_dont_need, false);
	}
	return done;
}

/**
 * zvmo_evict() - evict up to @nr clean pages of pager-backed VMOs
 * @nr: how many at most
 *
 * Context: Process context; may sleep.
 * Return: how many were.
 */
unsigned long zvmo_evict(unsigned long nr)
{
	struct zvmo_evict_where w = { .all = true };
	unsigned long done;

	mutex_lock(&zvmo_evict_lock);
	done = zvmo_evict_locked(&w, nr);
	mutex_unlock(&zvmo_evict_lock);
	return done;
}

static unsigned long zvmo_shrink_count(struct shrinker *shrinker,
				       struct shrink_control *sc)
{
	struct zvmo_evict_where w = { .nid = sc->nid, .memcg = sc->memcg };
	struct zvmo_evict_batch b = { .pages = 0 };

	unsigned long leaves;

	/* Pairs with zvmo_evict_setup(): the list is made. */
	if (!smp_load_acquire(&zvmo_evict_ready) ||
	    !mutex_trylock(&zvmo_evict_lock))
		return 0;
	leaves = zvmo_evict_leaves(&w);
	zvmo_evict_walk(&w, zvmo_evict_count, &b, ULONG_MAX);
	mutex_unlock(&zvmo_evict_lock);
	/*
	 * SHRINK_EMPTY only without leaves: a cgroup's reclaim skips the
	 * shrinker from then on, until the list gets a leaf again; leaves
	 * with no page now may get some.
	 */
	return leaves ? b.pages : SHRINK_EMPTY;
}

static unsigned long zvmo_shrink_scan(struct shrinker *shrinker,
				      struct shrink_control *sc)
{
	struct zvmo_evict_where w = { .nid = sc->nid, .memcg = sc->memcg };
	unsigned long done;

	/* Pairs with zvmo_evict_setup(): the list is made. */
	if (!smp_load_acquire(&zvmo_evict_ready) ||
	    !mutex_trylock(&zvmo_evict_lock))
		return SHRINK_STOP;
	done = zvmo_evict_locked(&w, sc->nr_to_scan);
	mutex_unlock(&zvmo_evict_lock);
	/* Pages freed outside the LRU count as reclaimed, as slab's do. */
	zvmo_account_reclaimed(done);
	return done ?: SHRINK_STOP;
}

static int zvmo_evict_now_set(const char *val, const struct kernel_param *kp)
{
	unsigned long nr;
	int err = kstrtoul(val, 0, &nr);

	if (err)
		return err;
	zvmo_evict(nr);
	return 0;
}

static const struct kernel_param_ops zvmo_evict_now_ops = {
	.set = zvmo_evict_now_set,
};

module_param_cb(evict_now, &zvmo_evict_now_ops, NULL, 0200);
MODULE_PARM_DESC(evict_now,
		 "write N to evict up to N clean pages of pager-backed VMOs now, as memory pressure would");

static int zvmo_evict_setup(struct shrinker *shrinker)
{
	int err = list_lru_init_memcg(&zvmo_evict_lru, shrinker);

	if (err)
		return err;
	/* Pairs with the shrinker's calls: they may look at the list now. */
	smp_store_release(&zvmo_evict_ready, true);
	return 0;
}

/**
 * zvmo_evict_init() - register the shrinker
 *
 * Context: Module init.
 * Return: 0 or -ENOMEM.
 */
int zvmo_evict_init(void)
{
	zvmo_evict_cache = KMEM_CACHE(zvmo_evict_entry, SLAB_ACCOUNT);
	if (!zvmo_evict_cache)
		return -ENOMEM;
	zvmo_shrinker = zvmo_shrinker_create("zvmo-pager",
					     SHRINKER_MEMCG_AWARE |
					     SHRINKER_NUMA_AWARE,
					     zvmo_shrink_count,
					     zvmo_shrink_scan,
					     zvmo_evict_setup);
	if (!zvmo_shrinker) {
		kmem_cache_destroy(zvmo_evict_cache);
		return -ENOMEM;
	}
	return 0;
}

/**
 * zvmo_evict_exit() - unregister the shrinker
 *
 * Context: Module exit; no pager-backed VMO is left.
 */
void zvmo_evict_exit(void)
{
	zvmo_shrinker_destroy(zvmo_shrinker);
	list_lru_destroy(&zvmo_evict_lru);
	kmem_cache_destroy(zvmo_evict_cache);
}
