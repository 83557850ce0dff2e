// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim: the memory zvmo gives back under pressure (one shrinker, which
 * `echo 2 > /proc/sys/vm/drop_caches` drives as well) or when root asks
 * (the reclaim_now parameter). Three kinds, each with its own list of the
 * leaves it applies to:
 *
 * - dedup: pages of ordinary anonymous VMOs that hold only zeros (and
 *   that nothing maps, pins or holds) go, as the seeds' zero-page scanner
 *   has them go; the VMO reads the same zeros without them. Only VMOs
 *   left unwritten for dedup_age_ms are looked at, and a leaf whose pages
 *   were all looked at is not looked at again until it is written.
 * - evict: clean pages of pager-backed VMOs, which their pager supplies
 *   again. Each leaf is a clock (zvmo_cow_evict()): its hand clears the
 *   mark a read left and evicts the pages that have none. Pages marked
 *   ZVMO_OP_DONT_NEED go before any other.
 * - discard: unlocked discardable VMOs, each all at once, least recently
 *   unlocked first (a VMO joins the back of the list when unlocked).
 * - compress: pages of the leaves on dedup's list, and of their hidden
 *   ancestors, go into the compressed store (zvmo/compress.c,
 *   zvmo_cow_compress()), once the leaf went unwritten for dedup_age_ms;
 *   pages marked ZVMO_OP_DONT_NEED go whatever its age. Nothing is lost
 *   but the time to decompress them when they are next used.
 *
 * A scan takes them in that order, cheapest loss first: zero pages (no
 * loss), pages their owner said it does not need (evicted or compressed),
 * whole caches their owner said can go, cold anonymous pages compressed,
 * then the pages the clock finds cold. Each kind has its counters in
 * struct zvmo_stats.
 *
 * The lists are list_lrus, by memory cgroup (that of the task that made
 * the VMO: its pages are charged there too, and so is the entry) and
 * node, so a cgroup's reclaim takes from its own VMOs.
 *
 * Lock order: zvmo_reclaim_lock, then a hierarchy lock, which reclaim only
 * ever trylocks: reclaim may come from a task that holds one. Adding a
 * leaf to a list, or taking one off while it lives (a discardable VMO
 * locked), needs only the list's own lock; the mutex is what keeps a leaf
 * alive while reclaim looks at it with the list's lock dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/list.h>
#include <linux/list_lru.h>
#include <linux/memcontrol.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/string.h>

#include "compat.h"
#include "compress.h"
#include "cow/cow_mm.h"
#include "reclaim.h"

static struct list_lru zvmo_reclaim_lru[ZVMO_RECLAIM_KINDS];

/*
 * A leaf's entry in its kind's list: a slab object of its own, so that
 * the list knows the cgroup it is charged to; @memcg is that cgroup, with
 * a reference, for the compressed store to charge.
 */
struct zvmo_reclaim_entry {
	struct list_head link;
	struct zvmo_cow_pages *leaf;
	struct mem_cgroup *memcg;
	enum zvmo_reclaim_kind kind;
};

static struct kmem_cache *zvmo_reclaim_cache;
static DEFINE_MUTEX(zvmo_reclaim_lock);
/*
 * The lists are ready: 6.1 registers the shrinker before they can be
 * made. Set with release once they are, read with acquire by the
 * shrinker's calls, which look at the lists only then.
 */
static bool zvmo_reclaim_ready;
/*
 * How long, in milliseconds, a VMO must go unwritten before memory
 * pressure dedups its zero pages: a task committing or writing memory
 * now keeps it, and a commit past a cgroup's limit fails as it should.
 */
static unsigned int zvmo_dedup_age_ms = 1000;
module_param_named(dedup_age_ms, zvmo_dedup_age_ms, uint, 0644);
MODULE_PARM_DESC(dedup_age_ms,
		 "milliseconds a VMO must go unwritten before reclaim frees its zero pages (default 1000)");

static unsigned long zvmo_dedup_age(void)
{
	/* At least a jiffy: 0 means "now" to zvmo_cow_dedup(). */
	return max(msecs_to_jiffies(READ_ONCE(zvmo_dedup_age_ms)), 1UL);
}

/* A DONT_NEED happened since eviction last found no such page. */
static bool zvmo_reclaim_dont_need;
static struct shrinker *zvmo_shrinker;

/**
 * zvmo_reclaim_add() - let reclaim look at a leaf
 * @leaf: the leaf, which a VMO is being made around
 * @kind: what reclaim does to it
 * @listed: put it on its list now (a discardable leaf is on it only
 *	while unlocked)
 *
 * Its entry is charged to the caller's memory cgroup, and so is the
 * leaf: that cgroup's reclaim looks at it.
 *
 * Context: Process context.
 * Return: 0 or -ENOMEM.
 */
int zvmo_reclaim_add(struct zvmo_cow_pages *leaf, enum zvmo_reclaim_kind kind,
		     bool listed)
{
	struct zvmo_reclaim_entry *e;

	e = kmem_cache_alloc_lru(zvmo_reclaim_cache, &zvmo_reclaim_lru[kind],
				 GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	e->leaf = leaf;
	e->kind = kind;
	e->memcg = kind == ZVMO_RECLAIM_DEDUP ?
		   get_mem_cgroup_from_mm(current->mm) : NULL;
	INIT_LIST_HEAD(&e->link);
	leaf->reclaim = e;
	if (listed)
		list_lru_add_obj(&zvmo_reclaim_lru[kind], &e->link);
	return 0;
}

/**
 * zvmo_reclaim_del() - a leaf is going
 * @leaf: the leaf, given to zvmo_reclaim_add() before (or not, if that
 *	failed or its kind has no reclaim)
 *
 * Returns once reclaim no longer looks at it.
 *
 * Context: Process context; no hierarchy lock held.
 */
void zvmo_reclaim_del(struct zvmo_cow_pages *leaf)
{
	struct zvmo_reclaim_entry *e = leaf->reclaim;

	if (!e)
		return;
	mutex_lock(&zvmo_reclaim_lock);
	list_lru_del_obj(&zvmo_reclaim_lru[e->kind], &e->link);
	mutex_unlock(&zvmo_reclaim_lock);
	leaf->reclaim = NULL;
	mem_cgroup_put(e->memcg);
	kmem_cache_free(zvmo_reclaim_cache, e);
}

/**
 * zvmo_reclaim_list() - put a leaf on its list, at the back, or take it
 *	off
 * @leaf: the leaf, which has an entry
 * @listed: on the list from now on
 *
 * A leaf taken off stays alive to a reclaim that took it just before:
 * what reclaim does checks again, under the hierarchy lock, that it may.
 *
 * Context: Any context that may take a spinlock; the hierarchy lock is
 * held, so that the leaf's state and its place agree.
 */
void zvmo_reclaim_list(struct zvmo_cow_pages *leaf, bool listed)
{
	struct zvmo_reclaim_entry *e = leaf->reclaim;

	if (listed)
		list_lru_add_obj(&zvmo_reclaim_lru[e->kind], &e->link);
	else
		list_lru_del_obj(&zvmo_reclaim_lru[e->kind], &e->link);
}

/**
 * zvmo_reclaim_dont_need_pending() - pages were marked ZVMO_OP_DONT_NEED
 *
 * Context: Any.
 */
void zvmo_reclaim_dont_need_pending(void)
{
	WRITE_ONCE(zvmo_reclaim_dont_need, true);
}

/* Leaves one look at a list takes. */
#define ZVMO_RECLAIM_LEAVES	16

struct zvmo_reclaim_batch {
	struct zvmo_reclaim_entry *entries[ZVMO_RECLAIM_LEAVES];
	unsigned int nr;
	enum zvmo_reclaim_kind kind;
	unsigned long pages;
};

/* Take a leaf for the batch and send it to the back: leaves take turns. */
static enum lru_status zvmo_reclaim_take(struct list_head *item,
					 struct list_lru_one *list,
					 spinlock_t *lock, void *arg)
{
	struct zvmo_reclaim_batch *b = arg;

	b->entries[b->nr++] = container_of(item, struct zvmo_reclaim_entry,
					   link);
	return LRU_ROTATE;
}

/* What a leaf has that its kind's reclaim could free, for the count. */
static enum lru_status zvmo_reclaim_count(struct list_head *item,
					  struct list_lru_one *list,
					  spinlock_t *lock, void *arg)
{
	struct zvmo_reclaim_batch *b = arg;
	struct zvmo_cow_pages *leaf;

	leaf = container_of(item, struct zvmo_reclaim_entry, link)->leaf;
	if (b->kind != ZVMO_RECLAIM_DEDUP)
		b->pages += READ_ONCE(leaf->nr_pages);
	else if (zvmo_cow_dedup_pending(leaf) ||
		 (zvmo_zc_enabled() && !READ_ONCE(leaf->hier->no_compress)))
		/* What dedup or compression could take: not what is taken. */
		b->pages += READ_ONCE(leaf->nr_pages) -
			    READ_ONCE(leaf->nr_compressed);
	return LRU_SKIP;
}

/*
 * Where reclaim looks: one node and cgroup of the lists (the shrinker),
 * or all of them (@all).
 */
struct zvmo_reclaim_where {
	bool all;
	int nid;
	struct mem_cgroup *memcg;
};

static void zvmo_reclaim_walk(const struct zvmo_reclaim_where *w,
			      enum zvmo_reclaim_kind kind, list_lru_walk_cb fn,
			      struct zvmo_reclaim_batch *b, unsigned long nr)
{
	struct list_lru *lru = &zvmo_reclaim_lru[kind];

	b->kind = kind;
	if (w->all)
		list_lru_walk(lru, fn, b, nr);
	else
		list_lru_walk_one(lru, w->nid, w->memcg, fn, b, &nr);
}

static unsigned long zvmo_reclaim_leaves(const struct zvmo_reclaim_where *w,
					 enum zvmo_reclaim_kind kind)
{
	struct list_lru *lru = &zvmo_reclaim_lru[kind];

	if (w->all)
		return list_lru_count(lru);
	return list_lru_count_one(lru, w->nid, w->memcg);
}

/*
 * One kind's reclaim over the leaves @w names, @rounds times round its
 * list at most, until @nr pages are freed (for dedup, until @nr pages
 * were looked at). Each leaf's turn frees what it can of what is left.
 * ZVMO_RECLAIM_COMPRESS compresses the pages of dedup's list.
 */
static unsigned long zvmo_reclaim_kind(const struct zvmo_reclaim_where *w,
				       int kind, unsigned int rounds,
				       bool dont_need, bool force,
				       unsigned long nr)
{
	bool compress = kind == ZVMO_RECLAIM_COMPRESS;
	unsigned long done = 0, seen = 0, budget = nr;
	unsigned long leaves;
	struct zvmo_reclaim_batch b;
	unsigned int i, take;

	if (compress)
		kind = ZVMO_RECLAIM_DEDUP;
	leaves = zvmo_reclaim_leaves(w, kind);
	while (done < nr && budget && seen < rounds * leaves) {
		/* A discard frees a whole VMO: take them one at a time. */
		take = kind == ZVMO_RECLAIM_DISCARD ? 1 : ZVMO_RECLAIM_LEAVES;
		b.nr = 0;
		zvmo_reclaim_walk(w, kind, zvmo_reclaim_take, &b,
				  min_t(unsigned long, take,
					leaves - seen % leaves));
		if (!b.nr)
			break;
		for (i = 0; i < b.nr && done < nr && budget; i++) {
			struct zvmo_cow_pages *leaf = b.entries[i]->leaf;

			if (compress) {
				done += zvmo_cow_compress(leaf,
							  b.entries[i]->memcg,
							  nr - done, dont_need,
							  force ? 0 :
							  zvmo_dedup_age());
				continue;
			}
			switch (kind) {
			case ZVMO_RECLAIM_DEDUP:
				done += zvmo_cow_dedup(leaf, &budget,
						       force ? 0 :
						       zvmo_dedup_age());
				break;
			case ZVMO_RECLAIM_EVICT:
				done += zvmo_cow_evict(leaf, nr - done,
						       dont_need);
				break;
			default:
				done += zvmo_cow_discard(leaf);
				break;
			}
		}
		seen += b.nr;
	}
	return done;
}

/*
 * Reclaim up to @nr pages of the leaves @w names; zvmo_reclaim_lock held.
 * Dedup of one kind alone (reclaim_now's "dedup N") does not wait for a
 * leaf to be cold.
 */
static unsigned long zvmo_reclaim_locked(const struct zvmo_reclaim_where *w,
					 int kind, unsigned long nr)
{
	bool dont_need = READ_ONCE(zvmo_reclaim_dont_need);
	unsigned long done = 0, n;

	if (kind < 0 || kind == ZVMO_RECLAIM_DEDUP)
		done += zvmo_reclaim_kind(w, ZVMO_RECLAIM_DEDUP, 1, false,
					  kind == ZVMO_RECLAIM_DEDUP, nr);
	if ((kind < 0 || kind == ZVMO_RECLAIM_EVICT ||
	     kind == ZVMO_RECLAIM_COMPRESS) && dont_need && done < nr) {
		n = 0;
		if (kind != ZVMO_RECLAIM_COMPRESS)
			n = zvmo_reclaim_kind(w, ZVMO_RECLAIM_EVICT, 1, true,
					      false, nr - done);
		if (kind != ZVMO_RECLAIM_EVICT && done + n < nr)
			n += zvmo_reclaim_kind(w, ZVMO_RECLAIM_COMPRESS, 1, true,
					       false, nr - done - n);
		/* None left anywhere: the next scans need not look. */
		if (kind < 0 && w->all && done + n < nr)
			WRITE_ONCE(zvmo_reclaim_dont_need, false);
		done += n;
	}
	if ((kind < 0 || kind == ZVMO_RECLAIM_DISCARD) && done < nr)
		done += zvmo_reclaim_kind(w, ZVMO_RECLAIM_DISCARD, 1, false,
					  false, nr - done);
	/* reclaim_now's "compress N" does not wait for a leaf to be cold. */
	if ((kind < 0 || kind == ZVMO_RECLAIM_COMPRESS) && done < nr)
		done += zvmo_reclaim_kind(w, ZVMO_RECLAIM_COMPRESS, 1, false,
					  kind == ZVMO_RECLAIM_COMPRESS,
					  nr - done);
	/* Two rounds of the clock: one clears the marks, one evicts. */
	if ((kind < 0 || kind == ZVMO_RECLAIM_EVICT) && done < nr)
		done += zvmo_reclaim_kind(w, ZVMO_RECLAIM_EVICT, 2, false,
					  false, nr - done);
	return done;
}

/**
 * zvmo_reclaim() - reclaim up to @nr pages now, as memory pressure would
 * @kind: one enum zvmo_reclaim_kind, ZVMO_RECLAIM_COMPRESS, or -1 for
 *	all, in their order
 * @nr: how many at most; for dedup alone, how many pages to look at
 *
 * Context: Process context; may sleep.
 * Return: how many pages were freed.
 */
unsigned long zvmo_reclaim(int kind, unsigned long nr)
{
	struct zvmo_reclaim_where w = { .all = true };
	unsigned long done;

	mutex_lock(&zvmo_reclaim_lock);
	done = zvmo_reclaim_locked(&w, kind, nr);
	mutex_unlock(&zvmo_reclaim_lock);
	return done;
}

static unsigned long zvmo_shrink_count(struct shrinker *shrinker,
				       struct shrink_control *sc)
{
	struct zvmo_reclaim_where w = { .nid = sc->nid, .memcg = sc->memcg };
	struct zvmo_reclaim_batch b = { .pages = 0 };
	unsigned long leaves = 0;
	int kind;

	/* Pairs with zvmo_reclaim_setup(): the lists are made. */
	if (!smp_load_acquire(&zvmo_reclaim_ready) ||
	    !mutex_trylock(&zvmo_reclaim_lock))
		return 0;
	for (kind = 0; kind < ZVMO_RECLAIM_KINDS; kind++) {
		leaves += zvmo_reclaim_leaves(&w, kind);
		zvmo_reclaim_walk(&w, kind, zvmo_reclaim_count, &b, ULONG_MAX);
	}
	mutex_unlock(&zvmo_reclaim_lock);
	/*
	 * SHRINK_EMPTY only without leaves: a cgroup's reclaim skips the
	 * shrinker from then on, until a list gets a leaf again; leaves
	 * with no page now may get some.
	 */
	return leaves ? b.pages : SHRINK_EMPTY;
}

static unsigned long zvmo_shrink_scan(struct shrinker *shrinker,
				      struct shrink_control *sc)
{
	struct zvmo_reclaim_where w = { .nid = sc->nid, .memcg = sc->memcg };
	unsigned long done;

	/* Pairs with zvmo_reclaim_setup(): the lists are made. */
	if (!smp_load_acquire(&zvmo_reclaim_ready) ||
	    !mutex_trylock(&zvmo_reclaim_lock))
		return SHRINK_STOP;
	done = zvmo_reclaim_locked(&w, -1, sc->nr_to_scan);
	mutex_unlock(&zvmo_reclaim_lock);
	/* Pages freed outside the LRU count as reclaimed, as slab's do. */
	zvmo_account_reclaimed(done);
	return done ?: SHRINK_STOP;
}

static const char *const zvmo_reclaim_names[ZVMO_RECLAIM_COMPRESS + 1] = {
	[ZVMO_RECLAIM_DEDUP] = "dedup",
	[ZVMO_RECLAIM_EVICT] = "evict",
	[ZVMO_RECLAIM_DISCARD] = "discard",
	[ZVMO_RECLAIM_COMPRESS] = "compress",
};

/* "N" (every kind, in order) or "<kind> N". */
static int zvmo_reclaim_now_set(const char *val, const struct kernel_param *kp)
{
	int kind = -1, i;
	unsigned long nr;
	const char *num;

	val = skip_spaces(val);
	for (i = 0; i <= ZVMO_RECLAIM_COMPRESS; i++) {
		size_t len = strlen(zvmo_reclaim_names[i]);

		if (!strncmp(val, zvmo_reclaim_names[i], len) &&
		    isspace(val[len])) {
			kind = i;
			val += len;
			break;
		}
	}
	num = skip_spaces(val);
	if (kstrtoul(num, 0, &nr))
		return -EINVAL;
	zvmo_reclaim(kind, nr);
	return 0;
}

static const struct kernel_param_ops zvmo_reclaim_now_ops = {
	.set = zvmo_reclaim_now_set,
};

module_param_cb(reclaim_now, &zvmo_reclaim_now_ops, NULL, 0200);
MODULE_PARM_DESC(reclaim_now,
		 "write N, or \"dedup N\", \"evict N\", \"discard N\" or \"compress N\", to reclaim up to N pages now, as memory pressure would");

static int zvmo_reclaim_setup(struct shrinker *shrinker)
{
	int kind, err;

	for (kind = 0; kind < ZVMO_RECLAIM_KINDS; kind++) {
		err = list_lru_init_memcg(&zvmo_reclaim_lru[kind], shrinker);
		if (err) {
			while (kind--)
				list_lru_destroy(&zvmo_reclaim_lru[kind]);
			return err;
		}
	}
	/* Pairs with the shrinker's calls: they may look at the lists now. */
	smp_store_release(&zvmo_reclaim_ready, true);
	return 0;
}

/**
 * zvmo_reclaim_init() - make the lists and register the shrinker
 *
 * Context: Module init.
 * Return: 0 or -ENOMEM.
 */
int zvmo_reclaim_init(void)
{
	zvmo_reclaim_cache = KMEM_CACHE(zvmo_reclaim_entry, SLAB_ACCOUNT);
	if (!zvmo_reclaim_cache)
		return -ENOMEM;
	zvmo_shrinker = zvmo_shrinker_create("zvmo",
					     SHRINKER_MEMCG_AWARE |
					     SHRINKER_NUMA_AWARE,
					     zvmo_shrink_count,
					     zvmo_shrink_scan,
					     zvmo_reclaim_setup);
	if (!zvmo_shrinker) {
		kmem_cache_destroy(zvmo_reclaim_cache);
		return -ENOMEM;
	}
	return 0;
}

/**
 * zvmo_reclaim_exit() - unregister the shrinker
 *
 * Context: Module exit; no VMO is left.
 */
void zvmo_reclaim_exit(void)
{
	int kind;

	zvmo_shrinker_destroy(zvmo_shrinker);
	for (kind = 0; kind < ZVMO_RECLAIM_KINDS; kind++)
		list_lru_destroy(&zvmo_reclaim_lru[kind]);
	kmem_cache_destroy(zvmo_reclaim_cache);
}
