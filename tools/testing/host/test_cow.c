// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of zvmo/cow/cow_pages.c, the copy-on-write hierarchy, built
 * as it is against the shim in include/ (with zvmo/page_list.c).
 *
 * The test drives the hierarchy the way zvmo/cow/cow_mm.c does (the same
 * calls under the hierarchy lock, the same -EAGAIN, refill with the lock
 * dropped, retry loops, the free list and the pool freed after unlocking)
 * and compares it with a model in which every VMO is a plain byte array,
 * copied whole at snapshot time. After every step it checks:
 *
 * - the content of every VMO, page by page, against the model;
 * - zvmo_cow_validate_locked() of every hierarchy, and the tree itself:
 *   every hidden node has two children, the leaves are exactly the
 *   model's VMOs of that hierarchy, one reference per node, and each
 *   leaf's depth is below the number of leaves;
 * - pages: every page a hierarchy holds is read by some leaf, its count
 *   is what its leaves can reach, and at most what the leaves have
 *   committed in a copy-everything world; the fake pages alive are the
 *   pages the hierarchies hold;
 * - attribution, exactly: committed, private and scaled bytes of every
 *   leaf against what the leaves read (scaled: PAGE_SIZE / sharers);
 * - mappings, simulated: a fault maps what a leaf reads, and every page
 *   table entry left must still show what the leaf reads there (a
 *   writable one, a page of the leaf's own), or the engine failed to
 *   unmap it through zvmo_cow_unmap_leaf_locked();
 * - pins, as zvmo_cow_pin() takes them: every page of every pin is still
 *   the same page in the same slot of its leaf, with the model's content,
 *   its slot's state is the number of pins that cover it, and the leaf's
 *   count of pinned pages is right. A decommit or shrink over a pinned
 *   page, and a snapshot of a leaf with pins, must fail with -EBUSY (and
 *   change nothing), a pin past ZVMO_COW_PIN_MAX with -EPERM (undoing
 *   the pins it took), and a zero clears pinned pages in place. A pin
 *   holds its VMO: one closed with pins lives on, without a handle, until
 *   its last pin goes.
 * - compression, as zvmo_cow_compress() does it: a step compresses pages
 *   a leaf reads, its own and its hidden ancestors', into a store of
 *   malloc'd copies (a mapped page is unmapped first, or marked cold and
 *   left for the next time). Compression is invisible but in the counts:
 *   the content, read in place in the store, is still the model's; a
 *   page table entry where a leaf reads compressed content is stale; the
 *   store's objects alive are the compressed slots the hierarchies hold,
 *   and attribution counts them populated, not committed. Whatever reads
 *   a page decompresses it first, with a page of a pool refilled with
 *   the lock dropped, as cow_mm.c does. A hint step is zvmo_cow_hint() of
 *   an ordinary leaf: PREFETCH and ALWAYS_NEED decompress exactly what
 *   the leaf reads compressed in the range, ALWAYS_NEED then keeps its
 *   own pages there from compression, DONT_NEED marks them to go first.
 *
 * Deterministic scenarios come first, then random sequences, then the
 * random sequences again with page-list node (and page) allocations
 * failing. A step that fails with -ENOMEM may have done part of its
 * work, but only in order: a write or commit, exactly the pages before
 * the one that failed; a pin, the same pages made the leaf's own, but
 * none of them left pinned; a zero, each page it touched either as it was
 * or zeroed (the model takes what the engine has). Decompressions fail
 * too, with -EIO, under the same rules (a read changes nothing). Nothing
 * else may change. One in ten random sequences pins heavily, nesting most
 * of its pins in those it holds, so that some reach ZVMO_COW_PIN_MAX.
 *
 * A failing random sequence is replayed in child processes and cut down
 * to a short sequence that still fails, which is printed with the
 * hierarchies after its last steps. A WARN in the engine aborts (see
 * include/linux/bug.h); the sequence running is then cut down the same
 * way, and the TAP output closed with the test failed.
 *
 * Environment: ZVMO_SEED (random test seed), ZVMO_ITERS (random
 * sequences), ZVMO_MINIMIZE=0 (do not cut down a failing sequence),
 * ZVMO_VERBOSE=1 (print every step and the hierarchies after it). An
 * argument runs only the tests whose name contains it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/err.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/slab.h>

#include "cow/cow_pages.h"
#include "shim.h"

#define PG		((u64)PAGE_SIZE)
#define MAXPG		64	/* pages in a VMO, at most */
#define MAXV		16	/* model VMO slots */
#define MAXLIVE		12	/* live VMOs, at most */
#define MAXPINS		64	/* pins held, at most */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* --- random numbers -------------------------------------------------------- */

/* splitmix64 */
static uint64_t rnd_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(uint64_t *s, uint32_t n)
{
	return n ? rnd_next(s) % n : 0;
}

static bool rnd_pct(uint64_t *s, uint32_t pct)
{
	return rnd_below(s, 100) < pct;
}

/* @len bytes of data that depend on @seed and on each byte's place. */
static void fill_pattern(u8 *buf, size_t len, uint64_t seed)
{
	uint64_t s = seed, v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i % 8))
			v = rnd_next(&s);
		buf[i] = v >> (8 * (i % 8));
	}
}

/* --- the tests' fake pages --------------------------------------------------- */

/*
 * A page of the hierarchy is a shim page whose ->private points to its
 * 4096 bytes; ->flags says it is live. A new page holds garbage, as one
 * fresh from the allocator may.
 */
#define PAGE_LIVE	0x7a766d6f50414745UL

static long pages_live;
static unsigned long page_faults;
static uint32_t page_fail_ppm;
static uint64_t page_fail_rng;
static char hook_err[256];

static __printf(1, 2) void hook_fail(const char *fmt, ...)
{
	va_list ap;

	if (hook_err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(hook_err, sizeof(hook_err), fmt, ap);
	va_end(ap);
}

static bool page_live(const struct page *page)
{
	return page->flags == PAGE_LIVE;
}

static u8 *pdata(struct page *page)
{
	return (u8 *)page->private;
}

static bool any_lock_held(void);

struct page *zvmo_cow_page_alloc(void)
{
	struct page *page;
	u8 *data;

	if (any_lock_held())
		hook_fail("a page allocated under a hierarchy lock");
	if (page_fail_ppm &&
	    rnd_next(&page_fail_rng) % 1000000 < page_fail_ppm) {
		page_faults++;
		return NULL;
	}
	page = shim_page_alloc();
	data = malloc(PAGE_SIZE);
	if (!data)
		abort();
	memset(data, 0xa0 | (page->index & 0xf), PAGE_SIZE);
	page->private = (unsigned long)data;
	page->flags = PAGE_LIVE;
	page->lru.next = LIST_POISON1;
	page->lru.prev = LIST_POISON2;
	pages_live++;
	return page;
}

void zvmo_cow_page_free(struct page *page)
{
	if (any_lock_held())
		hook_fail("a page freed under a hierarchy lock");
	if (!page_live(page)) {
		hook_fail("free of a page that is not live (serial %lu)",
			  page->index);
		return;
	}
	memset(pdata(page), 0xdd, PAGE_SIZE);
	free(pdata(page));
	page->flags = 0;
	page->private = 0;
	pages_live--;
	shim_page_free(page);
}

void zvmo_cow_page_copy(struct page *dst, struct page *src)
{
	if (!page_live(dst) || !page_live(src) || dst == src) {
		hook_fail("bad page copy");
		return;
	}
	memcpy(pdata(dst), pdata(src), PAGE_SIZE);
}

void zvmo_cow_page_clear(struct page *page)
{
	if (!page_live(page)) {
		hook_fail("clear of a page that is not live");
		return;
	}
	memset(pdata(page), 0, PAGE_SIZE);
}

/*
 * The compressed store: a handle is a copy of the page's bytes behind a
 * magic word, so that a bad handle is caught (and one used after it was
 * freed, by the sanitizers). With faults on, some decompressions fail
 * with -EIO, as a store that cannot read its data back.
 */
#define ZC_MAGIC	0x7a63737446ULL

struct zc_obj {
	unsigned long long magic;
	u8 data[PAGE_SIZE];
};

static long zc_live;
static unsigned long zc_loads, zc_frees, zc_faults;
static uint32_t zc_fail_ppm;
static uint64_t zc_fail_rng;

/* Put @page's content in the store: its handle. */
static unsigned long zc_store(struct page *page)
{
	struct zc_obj *obj = malloc(sizeof(*obj));

	if (!obj)
		abort();
	if (!page_live(page))
		hook_fail("compression of a page that is not live");
	obj->magic = ZC_MAGIC;
	memcpy(obj->data, pdata(page), PAGE_SIZE);
	zc_live++;
	return (unsigned long)obj;
}

static struct zc_obj *zc_obj(unsigned long handle)
{
	struct zc_obj *obj = (struct zc_obj *)handle;

	if (!handle || (handle & 3) || obj->magic != ZC_MAGIC) {
		hook_fail("bad compressed handle %#lx", handle);
		return NULL;
	}
	return obj;
}

int zvmo_cow_page_decompress(struct page *page, unsigned long handle)
{
	struct zc_obj *obj = zc_obj(handle);

	if (!page_live(page))
		hook_fail("decompress into a page that is not live");
	if (!obj)
		return -EIO;
	if (zc_fail_ppm &&
	    rnd_next(&zc_fail_rng) % 1000000 < zc_fail_ppm) {
		zc_faults++;
		/* What a failed load leaves in the page. */
		memset(pdata(page), 0xee, PAGE_SIZE);
		return -EIO;
	}
	memcpy(pdata(page), obj->data, PAGE_SIZE);
	zc_loads++;
	return 0;
}

void zvmo_cow_compressed_free(unsigned long handle)
{
	struct zc_obj *obj = zc_obj(handle);

	if (!obj)
		return;
	obj->magic = 0;
	free(obj);
	zc_live--;
	zc_frees++;
}

/* The model has no memory types; no leaf here sets a cache policy. */
int zvmo_cow_page_set_policy(struct page *page, unsigned int policy)
{
	if (!page_live(page))
		hook_fail("memory type of a page that is not live");
	return policy ? -EOPNOTSUPP : 0;
}

/* --- the model ---------------------------------------------------------------- */

/*
 * A page table entry of the simulated mappings: the page a fault mapped
 * at a leaf offset (zero_page where the leaf read zeros), with its serial
 * so that a page freed and reallocated at the same address still counts
 * as another one.
 */
static struct page zero_page;

struct mapent {
	struct page *page;
	unsigned long serial;
	bool writable;
};

/*
 * A VMO of the test: a leaf, with its model (bytes, committed pages,
 * simulated mappings), or a slice: a window onto a leaf, which holds the
 * bytes. A leaf closed while pinned stays live, @closed: no step can
 * name it any more, but its pins still hold it.
 */
struct mvmo {
	bool live;
	bool slice;
	bool closed;
	unsigned int id;
	/* a leaf */
	struct zvmo_cow_pages *cow;
	u8 *data;			/* MAXPG pages */
	bool committed[MAXPG];
	u64 size;
	bool resizable;
	unsigned int nslices;
	struct mapent map[MAXPG];
	/* a slice */
	int base;			/* the leaf's slot */
	u64 off, len;
};

/*
 * A pin of pages [@off, @off + @len) of the leaf in slot @leaf, made
 * through VMO @vmo (the leaf's or a slice's) at its offset @voff: the
 * pages it pinned, with their serials.
 */
struct mpin {
	bool live;
	unsigned int id;
	int leaf;
	unsigned int vmo;
	u64 voff, off, len;
	struct page *pages[MAXPG];
	unsigned long serial[MAXPG];
};

enum op_kind {
	OP_CREATE, OP_SNAPSHOT, OP_SLICE, OP_WRITE, OP_READ, OP_COMMIT,
	OP_DECOMMIT, OP_ZERO, OP_RESIZE, OP_CLOSE, OP_MAPREAD, OP_MAPWRITE,
	OP_PIN, OP_UNPIN, OP_COMPRESS, OP_HINT, NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"create", "snapshot", "slice", "write", "read", "commit",
	"decommit", "zero", "resize", "close", "map_read", "map_write",
	"pin", "unpin", "compress", "hint",
};

/*
 * How a compress step goes (its @how): each page it may take, at random
 * (by its seed) unless ZC_EVERY, or only those hinted ZVMO_OP_DONT_NEED;
 * a mapped page unmapped and compressed, or with ZC_COLD, as reclaim
 * does, marked cold and unmapped, and compressed the next time round
 * unless it was mapped again meanwhile. Without ZC_EVERY a page may also
 * compress badly (it is marked poor, and left), or the store be full
 * (the step stops).
 */
#define ZC_EVERY	1U
#define ZC_COLD		2U
#define ZC_DONT_NEED	4U

/* The hints of a hint step (its @how), as zvmo_cow_hint() of a leaf. */
enum hint_kind { HINT_PREFETCH, HINT_ALWAYS_NEED, HINT_DONT_NEED, NR_HINTS };

static const char *const hint_names[NR_HINTS] = {
	"prefetch", "always_need", "dont_need",
};

/*
 * One step. VMOs are named by id, so that a sequence with steps left out
 * still means the same (a step on a VMO that does not exist is skipped).
 * @off and @len: the range; for create and resize @len is the size; for
 * snapshot and slice, the offset and size of the child. @seed: the bytes
 * written, and which allocations fail. Pins have ids of their own, from
 * the same counter: a pin's is @out; an unpin names it in @vmo. @how:
 * of a compress step, ZC_* flags; of a hint step, the enum hint_kind.
 */
struct op {
	enum op_kind kind;
	unsigned int vmo;
	unsigned int out;	/* id of the VMO made */
	u64 off, len;
	bool resizable;
	unsigned int how;
	uint64_t seed;
};

struct world {
	struct mvmo v[MAXV];
	struct mpin pins[MAXPINS];
	unsigned int next_id;
	bool faults;
	uint32_t fail_ppm, page_fail_ppm, zc_fail_ppm;
	struct zvmo_cow_pages *destroying;
	char err[1024];
	struct op *trace;
	unsigned int ntrace, trace_cap;
	long base_allocs, base_pages, base_nodes, base_live, base_zc;
	/* statistics */
	unsigned long steps, enomem, eagain, unmaps, ebusy, eperm, deferred;
	unsigned long done[NR_OPS], skipped[NR_OPS];
	/*
	 * Of compression: pages compressed, mapped ones unmapped to be,
	 * marked cold, marked poor, steps the store was full; per step kind,
	 * pages decompressed and compressed content freed as such; writes
	 * that forked a hidden node's compressed page; -EIO.
	 */
	unsigned long zipped, zip_unmapped, zip_cold, zip_poor, zip_full;
	unsigned long unzipped[NR_OPS], zdropped[NR_OPS];
	unsigned long zip_forks, eio;
	unsigned long max_zipped;
	unsigned int max_depth, max_leaves, max_pins, max_nest;
	bool pin_heavy;	/* gen_op(): pin much, nest most pins */
	bool verbose;	/* print each step, and the hierarchies after */
	unsigned long dump_from;	/* ... from this step on */
	int last_rc;
};

static struct world *cur;	/* for the page and unmap hooks */
static bool env_verbose;	/* ZVMO_VERBOSE=1: dump after every step */
static struct world *running;	/* the random sequence running, if any */

static __printf(2, 3) bool fail(struct world *w, const char *fmt, ...)
{
	va_list ap;

	if (w->err[0])
		return false;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return false;
}

static bool any_lock_held(void)
{
	unsigned int i;

	if (!cur)
		return false;
	for (i = 0; i < MAXV; i++)
		if (cur->v[i].live && !cur->v[i].slice &&
		    mutex_is_locked(&cur->v[i].cow->hier->lock))
			return true;
	return false;
}

static struct mvmo *leaf_of(struct world *w, const struct zvmo_cow_pages *cow)
{
	unsigned int i;

	for (i = 0; i < MAXV; i++)
		if (w->v[i].live && !w->v[i].slice && w->v[i].cow == cow)
			return &w->v[i];
	return NULL;
}

/* The mappings of [@start, @end) of @leaf go, as unmap_mapping_range(). */
void zvmo_cow_unmap_leaf_locked(struct zvmo_cow_pages *leaf, u64 start,
				u64 end)
{
	struct mvmo *m;
	unsigned int p;

	if (!mutex_is_locked(&leaf->hier->lock)) {
		hook_fail("unmap without the hierarchy lock");
		return;
	}
	if (leaf->hidden)
		hook_fail("unmap of a hidden node");
	if (start > end || (start & (PG - 1)) ||
	    (end != U64_MAX && (end & (PG - 1))))
		hook_fail("unmap of [%#llx, %#llx)", start, end);
	if (!cur)
		return;
	cur->unmaps++;
	m = leaf_of(cur, leaf);
	if (!m) {
		if (leaf != cur->destroying)
			hook_fail("unmap of a leaf the test does not know");
		return;
	}
	for (p = 0; p < MAXPG; p++)
		if (p * PG >= start && p * PG < end)
			m->map[p] = (struct mapent){ 0 };
}

/*
 * The simulated mappings install their entries under the lock, so no
 * write is ever in flight: only the calling convention is checked.
 */
void zvmo_cow_quiesce_locked(struct zvmo_cow_pages *leaf)
{
	if (!mutex_is_locked(&leaf->hier->lock))
		hook_fail("quiesce without the hierarchy lock");
	if (leaf->hidden)
		hook_fail("quiesce of a hidden node");
	if (leaf->nr_inflight || leaf->quiescing)
		hook_fail("in-flight writes in a host test");
}

/* The slot of the open VMO @id (not one closed and pinned), or -1. */
static int find_vmo(struct world *w, unsigned int id)
{
	unsigned int i;

	for (i = 0; i < MAXV; i++)
		if (w->v[i].live && !w->v[i].closed && w->v[i].id == id)
			return i;
	return -1;
}

static int free_slot(struct world *w)
{
	unsigned int i, n = 0;
	int slot = -1;

	for (i = 0; i < MAXV; i++) {
		if (w->v[i].live)
			n++;
		else if (slot < 0)
			slot = i;
	}
	return n < MAXLIVE ? slot : -1;
}

static u64 vmo_size(struct world *w, int i)
{
	return w->v[i].slice ? w->v[i].len : w->v[i].size;
}

/* The leaf under VMO @i, and the leaf offset of the VMO's offset 0. */
static struct mvmo *leaf_at(struct world *w, int i, u64 *base)
{
	if (w->v[i].slice) {
		*base = w->v[i].off;
		return &w->v[w->v[i].base];
	}
	*base = 0;
	return &w->v[i];
}

static struct mvmo *new_leaf(struct world *w, int slot, unsigned int id,
			     struct zvmo_cow_pages *cow, u64 size,
			     bool resizable)
{
	struct mvmo *m = &w->v[slot];

	memset(m, 0, sizeof(*m));
	m->live = true;
	m->id = id;
	m->cow = cow;
	m->size = size;
	m->resizable = resizable;
	m->data = calloc(MAXPG, PG);
	if (!m->data)
		abort();
	return m;
}

static void forget(struct mvmo *m)
{
	free(m->data);
	memset(m, 0, sizeof(*m));
}

static struct mpin *find_pin(struct world *w, unsigned int id)
{
	unsigned int i;

	for (i = 0; i < MAXPINS; i++)
		if (w->pins[i].live && w->pins[i].id == id)
			return &w->pins[i];
	return NULL;
}

/* How many pins of the leaf in slot @leaf cover its offset @off. */
static unsigned int pin_count(struct world *w, int leaf, u64 off)
{
	unsigned int i, n = 0;

	for (i = 0; i < MAXPINS; i++) {
		struct mpin *pin = &w->pins[i];

		n += pin->live && pin->leaf == leaf && off >= pin->off &&
		     off < pin->off + pin->len;
	}
	return n;
}

/* Whether a page of [@start, @end) of the leaf in slot @leaf is pinned. */
static bool pinned_in(struct world *w, int leaf, u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < MAXPINS; i++) {
		struct mpin *pin = &w->pins[i];

		if (pin->live && pin->leaf == leaf && pin->off < end &&
		    start < pin->off + pin->len)
			return true;
	}
	return false;
}

/* The pins that hold the leaf in slot @leaf. */
static unsigned int leaf_pins(struct world *w, int leaf)
{
	unsigned int i, n = 0;

	for (i = 0; i < MAXPINS; i++)
		n += w->pins[i].live && w->pins[i].leaf == leaf;
	return n;
}

/* --- the engine, driven as cow_mm.c drives it ---------------------------------- */

/* Harness failure already recorded in w->err: give up the step. */
#define EHARNESS	ECANCELED

static bool lock_leaf(struct world *w, struct mvmo *m)
{
	if (mutex_is_locked(&m->cow->hier->lock))
		return fail(w, "v%u: hierarchy lock held between steps", m->id);
	mutex_lock(&m->cow->hier->lock);
	return true;
}

/* zvmo_cow_refill(): fill @pool with the lock dropped. */
static int refill(struct zvmo_cow_pages *leaf, struct zvmo_cow_pool *pool)
{
	int err;

	mutex_unlock(&leaf->hier->lock);
	err = zvmo_cow_pool_fill(pool, pool->want);
	pool->want = 0;
	mutex_lock(&leaf->hier->lock);
	return err;
}

/* An -EAGAIN must ask for more pages than the pool has, or it loops. */
static int check_eagain(struct world *w, struct zvmo_cow_pool *pool,
			unsigned int *tries)
{
	w->eagain++;
	if (pool->want <= pool->nr) {
		fail(w, "-EAGAIN wanting %u pages with %u in the pool",
		     pool->want, pool->nr);
		return -EHARNESS;
	}
	/* A zero of MAXPG pages may refill once a page, a write twice. */
	if (++*tries > 4 * MAXPG) {
		fail(w, "-EAGAIN %u times in one step", *tries);
		return -EHARNESS;
	}
	return 0;
}

static bool check_pool(struct world *w, struct zvmo_cow_pool *pool)
{
	struct page *page;
	unsigned int n = 0;

	list_for_each_entry(page, &pool->pages, lru) {
		if (!page_live(page) || ++n > pool->nr)
			break;
	}
	if (n != pool->nr)
		return fail(w, "pool: %u pages counted, %u listed", pool->nr,
			    n);
	return true;
}

/* Whether @page is in the leaf's own list at @off. */
static bool is_own(struct mvmo *m, u64 off, struct page *page)
{
	struct zvmo_cow_found found;

	return zvmo_cow_find_locked(m->cow, off, &found) &&
	       found.owner == m->cow &&
	       zvmo_pl_slot_page(found.slot) == page;
}

/*
 * What @cow reads at @off, for the checks, changing nothing: its bytes
 * (NULL where it reads zeros), those of compressed content read where the
 * store keeps them. Sets *@page to the page, or NULL, and *@handle to the
 * compressed content's handle, or 0. (No leaf here is a clone: what
 * zvmo_cow_find_locked() finds is what zvmo_cow_page_locked() reads.)
 */
static const u8 *peek(struct world *w, struct zvmo_cow_pages *cow, u64 off,
		      struct page **page, unsigned long *handle)
{
	struct page *got = zvmo_cow_page_locked(cow, off);
	struct zvmo_cow_found found;
	bool compressed;
	struct zc_obj *obj;

	*page = NULL;
	*handle = 0;
	compressed = zvmo_cow_find_locked(cow, off, &found) &&
		     zvmo_pl_slot_is_compressed(found.slot);
	if (!IS_ERR(got) && !compressed) {
		*page = got;
		return got ? pdata(got) : NULL;
	}
	if (PTR_ERR(got) != -EAGAIN || !compressed) {
		fail(w, "zvmo_cow_page_locked(%#llx) returns %ld where the content is%s compressed",
		     off, IS_ERR(got) ? PTR_ERR(got) : 0L,
		     compressed ? "" : " not");
		return NULL;
	}
	*handle = zvmo_pl_slot_compressed(found.slot);
	obj = zc_obj(*handle);
	if (!obj)
		fail(w, "bad compressed handle %#lx at %#llx", *handle, off);
	return obj ? obj->data : NULL;
}

/*
 * Decompress what the leaf reads at @off, if it is compressed, refilling
 * @pool with the lock dropped while it is short: 0, or the error.
 */
static int unzip(struct world *w, struct mvmo *m, u64 off,
		 struct zvmo_cow_pool *pool, unsigned int *tries)
{
	int err;

	for (;;) {
		err = zvmo_cow_decompress_locked(m->cow, off, pool);
		if (err != -EAGAIN)
			return err;
		err = check_eagain(w, pool, tries) ?: refill(m->cow, pool);
		if (err)
			return err;
	}
}

/*
 * cow_mm's zvmo_cow_get_page() with the lock held throughout: the page the
 * leaf reads at @off (NULL: zeros), decompressed first if it is
 * compressed.
 */
static int read_page(struct world *w, struct mvmo *m, u64 off,
		     struct zvmo_cow_pool *pool, unsigned int *tries,
		     struct page **out)
{
	struct page *page = zvmo_cow_page_locked(m->cow, off);
	int err;

	if (PTR_ERR_OR_ZERO(page) == -EAGAIN) {
		err = unzip(w, m, off, pool, tries);
		if (err)
			return err;
		page = zvmo_cow_page_locked(m->cow, off);
	}
	if (IS_ERR(page)) {
		fail(w, "v%u: zvmo_cow_page_locked(%#llx) returns %ld after zvmo_cow_decompress_locked()",
		     m->id, off, PTR_ERR(page));
		return -EHARNESS;
	}
	*out = page;
	return 0;
}

/* What zvmo_cow_writable_locked() returned must be the leaf's own page. */
static int check_own(struct world *w, struct mvmo *m, u64 off,
		     struct page *page)
{
	if (!is_own(m, off, page) || !page_live(page)) {
		fail(w, "v%u: writable page at %#llx is not the leaf's own",
		     m->id, off);
		return -EHARNESS;
	}
	return 0;
}

/*
 * cow_mm's zvmo_cow_writable() with the lock held throughout: the leaf's
 * own page at @off, refilling @pool as needed (at least @batch pages).
 */
static int writable(struct world *w, struct mvmo *m, u64 off,
		    struct zvmo_cow_pool *pool, unsigned int batch,
		    struct page **out)
{
	struct zvmo_cow_found found;
	unsigned int tries = 0;
	struct page *page;
	int err;

	/* A hidden node's compressed page, forked down: for the statistics. */
	if (zvmo_cow_find_locked(m->cow, off, &found) &&
	    found.owner != m->cow && zvmo_pl_slot_is_compressed(found.slot))
		w->zip_forks++;
	for (;;) {
		page = zvmo_cow_writable_locked(m->cow, off, pool);
		err = PTR_ERR_OR_ZERO(page);
		if (err != -EAGAIN)
			break;
		err = check_eagain(w, pool, &tries);
		if (err)
			return err;
		pool->want = max(pool->want, batch);
		err = refill(m->cow, pool);
		if (err)
			return err;
	}
	if (err)
		return err;
	err = check_own(w, m, off, page);
	if (!err)
		*out = page;
	return err;
}

/* Unlock, then free the freelist and drain the pool (zvmo_cow_unlock()). */
static void unlock_free(struct world *w, struct mvmo *m,
			struct list_head *freelist, struct zvmo_cow_pool *pool)
{
	if (pool)
		check_pool(w, pool);
	mutex_unlock(&m->cow->hier->lock);
	zvmo_cow_free_list(freelist);
	if (pool)
		zvmo_cow_pool_drain(pool);
}

/* What the leaf reads at page @p, compared with bytes @want. */
static bool page_matches(struct world *w, struct mvmo *m, unsigned int p,
			 const u8 *want)
{
	static const u8 zeros[PAGE_SIZE];
	unsigned long handle;
	struct page *page;
	const u8 *got = peek(w, m->cow, p * PG, &page, &handle);

	return !memcmp(got ?: zeros, want, PG);
}

/*
 * A write fault at page @p of a shared mapping: zvmo_cow_fault() (a page
 * in the pool first, then the leaf's own page, inserted) or, for a
 * read-only entry of the leaf's own page, ->page_mkwrite. As
 * vm_insert_page(), the insert fails if an entry is still there: the
 * engine must have unmapped what the leaf read before.
 */
static int write_fault(struct world *w, struct mvmo *m, unsigned int p,
		       struct page **out)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	struct mapent *e = &m->map[p];
	LIST_HEAD(freelist);
	struct page *page;
	int err;

	if (!lock_leaf(w, m))
		return -EHARNESS;
	if (e->page && e->page != &zero_page && is_own(m, p * PG, e->page)) {
		e->writable = true;
		*out = e->page;
		mutex_unlock(&m->cow->hier->lock);
		return 0;
	}
	mutex_unlock(&m->cow->hier->lock);
	err = zvmo_cow_pool_fill(&pool, 1);
	if (err) {
		zvmo_cow_pool_drain(&pool);
		return err;
	}
	if (!lock_leaf(w, m)) {
		zvmo_cow_pool_drain(&pool);
		return -EHARNESS;
	}
	err = writable(w, m, p * PG, &pool, 1, &page);
	if (!err && e->page && e->page != page) {
		fail(w, "v%u: write fault at %#llx: the entry of page %lu was not unmapped",
		     m->id, p * PG, e->serial);
		err = -EHARNESS;
	}
	if (!err) {
		*e = (struct mapent){ page, page->index, true };
		*out = page;
	}
	unlock_free(w, m, &freelist, &pool);
	return err;
}

/* write() or stores through a mapping, of bytes [off, off + len). */
static int do_write(struct world *w, const struct op *op, int i, bool mapped)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	LIST_HEAD(freelist);
	u64 base, done = 0;
	struct mvmo *m = leaf_at(w, i, &base);
	u8 *buf;
	int err = 0;

	buf = malloc(op->len);
	if (!buf)
		abort();
	fill_pattern(buf, op->len, op->seed);
	if (!mapped && !lock_leaf(w, m)) {
		free(buf);
		return -EHARNESS;
	}
	while (done < op->len) {
		u64 pos = base + op->off + done;
		unsigned int p = pos / PG;
		size_t pg_off = pos % PG;
		size_t n = min_t(u64, PG - pg_off, op->len - done);
		struct mapent *e = &m->map[p];
		struct page *page;

		if (!mapped)
			err = writable(w, m, p * PG, &pool, 1, &page);
		else if (e->page && e->writable)
			page = e->page;	/* a store, no fault */
		else
			err = write_fault(w, m, p, &page);
		if (err)
			break;
		memcpy(pdata(page) + pg_off, buf + done, n);
		memcpy(m->data + pos, buf + done, n);
		m->committed[p] = true;
		done += n;
	}
	if (!mapped)
		unlock_free(w, m, &freelist, &pool);
	free(buf);
	return err;
}

/*
 * read(), or reads through a mapping (faulting in what is not mapped).
 * Compressed content is decompressed first, as zvmo_cow_read() and the
 * fault do, with one pool for the whole read.
 */
static int do_read(struct world *w, const struct op *op, int i, bool mapped)
{
	static const u8 zeros[PAGE_SIZE];
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	LIST_HEAD(freelist);
	u64 base, done = 0;
	struct mvmo *m = leaf_at(w, i, &base);
	unsigned int tries = 0;
	int err = 0;

	if (!lock_leaf(w, m))
		return -EHARNESS;
	while (done < op->len) {
		u64 pos = base + op->off + done;
		unsigned int p = pos / PG;
		size_t pg_off = pos % PG;
		size_t n = min_t(u64, PG - pg_off, op->len - done);
		struct mapent *e = &m->map[p];
		struct page *page;
		const u8 *got;

		if (mapped && e->page) {
			/* A load through the entry, no fault. */
			page = e->page == &zero_page ? NULL : e->page;
		} else if (mapped) {
			/* The fault decompresses first, then maps. */
			err = unzip(w, m, p * PG, &pool, &tries) ?:
			      read_page(w, m, p * PG, &pool, &tries, &page);
			if (err)
				break;
			*e = (struct mapent){ page ?: &zero_page,
					      page ? page->index : 0, false };
			/* As the module's fault-around does. */
			if (!page)
				m->cow->zero_mapped = true;
		} else {
			err = read_page(w, m, p * PG, &pool, &tries, &page);
			if (err)
				break;
		}
		got = page ? pdata(page) + pg_off : zeros;
		if (memcmp(got, m->data + pos, n)) {
			fail(w, "v%u: %s at %#llx: not what was written", m->id,
			     mapped ? "mapping reads" : "read",
			     (unsigned long long)pos);
			break;
		}
		done += n;
	}
	unlock_free(w, m, &freelist, &pool);
	return w->err[0] ? -EHARNESS : err;
}

/* zvmo_cow_commit() of the pages [off, off + len). */
static int do_commit(struct world *w, const struct op *op, int i)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	LIST_HEAD(freelist);
	u64 base, pos;
	struct mvmo *m = leaf_at(w, i, &base);
	u64 end = base + op->off + op->len;
	struct page *page;
	int err = 0;

	if (!lock_leaf(w, m))
		return -EHARNESS;
	for (pos = base + op->off; pos < end; pos += PG) {
		/* A batch at a time, as ZVMO_COMMIT_BATCH. */
		err = writable(w, m, pos, &pool,
			       min_t(u64, 16, (end - pos) / PG), &page);
		if (err)
			break;
		m->committed[pos / PG] = true;
	}
	unlock_free(w, m, &freelist, &pool);
	return err;
}

/*
 * Whether the leaf has a pinned page in [@start, @end), as the model says
 * and as zvmo_cow_pinned_in_locked() says, which must agree.
 */
static int check_pinned_in(struct world *w, struct mvmo *m, u64 start,
			   u64 end)
{
	bool want = pinned_in(w, m - w->v, start, end);

	if (zvmo_cow_pinned_in_locked(m->cow, start, end) != want) {
		fail(w, "v%u: zvmo_cow_pinned_in_locked(%#llx, %#llx) is %d, the model has %d",
		     m->id, start, end, !want, want);
		return -EHARNESS;
	}
	return want;
}

/*
 * zvmo_cow_decommit(): only of a leaf without a parent, and -EBUSY (and
 * nothing freed) if a page in the range is pinned.
 */
static int do_decommit(struct world *w, const struct op *op, int i)
{
	LIST_HEAD(freelist);
	u64 base, pos;
	struct mvmo *m = leaf_at(w, i, &base);
	u64 start = base + op->off, end = start + op->len;
	int err = 0;

	if (!lock_leaf(w, m))
		return -EHARNESS;
	if (m->cow->parent) {
		err = -EOPNOTSUPP;
	} else {
		err = check_pinned_in(w, m, start, end);
		if (err > 0)
			err = -EBUSY;
	}
	if (!err) {
		zvmo_cow_remove_locked(m->cow, start, end, &freelist);
		memset(m->data + start, 0, op->len);
		for (pos = start; pos < end; pos += PG)
			m->committed[pos / PG] = false;
	}
	unlock_free(w, m, &freelist, NULL);
	return err;
}

/* zvmo_cow_zero_partial_locked() */
static int zero_partial(struct world *w, struct mvmo *m, u64 page_off,
			size_t start, size_t end, struct zvmo_cow_pool *pool,
			unsigned int *tries)
{
	struct page *page;
	int err;

	/* Compressed content is a page again first, as cow_mm.c does. */
	err = zvmo_cow_decompress_locked(m->cow, page_off, pool);
	if (err == -EAGAIN)
		return check_eagain(w, pool, tries) ?: -EAGAIN;
	if (err)
		return err;
	page = zvmo_cow_page_locked(m->cow, page_off);
	if (IS_ERR(page)) {
		fail(w, "v%u: zvmo_cow_page_locked(%#llx) returns %ld after zvmo_cow_decompress_locked()",
		     m->id, page_off, PTR_ERR(page));
		return -EHARNESS;
	}
	if (!page)
		return 0;
	page = zvmo_cow_writable_locked(m->cow, page_off, pool);
	err = PTR_ERR_OR_ZERO(page);
	if (err == -EAGAIN)
		return check_eagain(w, pool, tries) ?: -EAGAIN;
	if (err)
		return err;
	err = check_own(w, m, page_off, page);
	if (err)
		return err;
	memset(pdata(page) + start, 0, end - start);
	return 0;
}

/*
 * After a zero that failed half-way: each page it touched reads either
 * as before or as zeroed; the model takes what the engine has.
 */
static bool zero_settle(struct world *w, struct mvmo *m, u64 start, u64 end)
{
	u64 first = (start + PG - 1) & ~(PG - 1), last = end & ~(PG - 1);
	u64 p;
	u8 *want = malloc(PG);

	if (!want)
		abort();
	for (p = start / PG; p < (end + PG - 1) / PG; p++) {
		u64 s = max(start, p * PG), e = min(end, (p + 1) * PG);
		bool whole = p * PG >= first && (p + 1) * PG <= last;

		memcpy(want, m->data + p * PG, PG);
		memset(want + (s - p * PG), 0, e - s);
		if (page_matches(w, m, p, want)) {
			struct page *page;
			unsigned long handle;

			memcpy(m->data + p * PG, want, PG);
			/* A page or compressed content: it is still there. */
			if (whole)
				m->committed[p] = peek(w, m->cow, p * PG, &page,
						       &handle);
		} else if (!page_matches(w, m, p, m->data + p * PG)) {
			free(want);
			return fail(w, "v%u: failed zero left page %#llx neither zeroed nor as it was",
				    m->id, p * PG);
		}
	}
	free(want);
	return true;
}

/* zvmo_cow_zero() of bytes [off, off + len). */
static int do_zero(struct world *w, const struct op *op, int i)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	LIST_HEAD(freelist);
	u64 base;
	struct mvmo *m = leaf_at(w, i, &base);
	u64 start = base + op->off, end = start + op->len;
	u64 first = (start + PG - 1) & ~(PG - 1), last = end & ~(PG - 1);
	u64 head = start & ~(PG - 1), pos;
	size_t pg_start = start % PG;
	unsigned int tries = 0;
	int err = 0;

	if (!lock_leaf(w, m))
		return -EHARNESS;
	do {
		if (err == -EAGAIN) {
			err = refill(m->cow, &pool);
			if (err)
				break;
		}
		if (first > last) {
			/* Within one page. */
			err = zero_partial(w, m, head, pg_start,
					   pg_start + end - start, &pool,
					   &tries);
			continue;
		}
		err = 0;
		if (start < first)
			err = zero_partial(w, m, head, pg_start, PG, &pool,
					   &tries);
		if (!err && last < end)
			err = zero_partial(w, m, last, 0, end - last, &pool,
					   &tries);
		if (!err && first < last) {
			err = zvmo_cow_zero_range_locked(m->cow, first, last,
							 &pool, &freelist);
			if (err == -EAGAIN)
				err = check_eagain(w, &pool, &tries) ?: err;
		}
	} while (err == -EAGAIN);

	if (!err) {
		/* Pinned pages stay, zeroed; the others go. */
		memset(m->data + start, 0, end - start);
		for (pos = first; pos < last; pos += PG)
			if (!pin_count(w, m - w->v, pos))
				m->committed[pos / PG] = false;
	} else if (err != -EHARNESS) {
		zero_settle(w, m, start, end);
	}
	unlock_free(w, m, &freelist, &pool);
	return w->err[0] ? -EHARNESS : err;
}

/* zvmo_cow_resize(): -EBUSY (nothing changed) over a pinned page. */
static int do_resize(struct world *w, const struct op *op, int i)
{
	struct mvmo *m = &w->v[i];
	LIST_HEAD(freelist);
	int err;
	u64 p;

	if (!lock_leaf(w, m))
		return -EHARNESS;
	err = check_pinned_in(w, m, op->len, m->cow->size);
	if (err > 0)
		err = -EBUSY;
	if (!err) {
		zvmo_cow_resize_locked(m->cow, op->len, &freelist);
		if (op->len < m->size) {
			memset(m->data + op->len, 0, m->size - op->len);
			for (p = op->len / PG; p < MAXPG; p++)
				m->committed[p] = false;
		}
		m->size = op->len;
	}
	unlock_free(w, m, &freelist, NULL);
	return err;
}

/* The leaf in slot @i goes: the last reference to its VMO is gone. */
static int destroy_leaf(struct world *w, int i)
{
	struct mvmo *m = &w->v[i];
	struct zvmo_cow_pages *cow;

	if (mutex_is_locked(&m->cow->hier->lock))
		return fail(w, "v%u: hierarchy lock held between steps",
			    m->id), -EHARNESS;
	cow = m->cow;
	forget(m);
	w->destroying = cow;
	zvmo_cow_destroy(cow);
	w->destroying = NULL;
	return 0;
}

/*
 * A VMO's handle closes. A leaf with pins lives on, without a handle,
 * until its last pin goes (the pins hold the VMO).
 */
static int do_close(struct world *w, int i)
{
	struct mvmo *m = &w->v[i];
	unsigned int j;

	if (m->slice) {
		w->v[m->base].nslices--;
		forget(m);
		return 0;
	}
	/* Its slices go first: each holds the VMO. */
	for (j = 0; j < MAXV; j++)
		if (w->v[j].live && w->v[j].slice && w->v[j].base == i)
			forget(&w->v[j]);
	m->nslices = 0;
	if (leaf_pins(w, i)) {
		m->closed = true;
		w->deferred++;
		return 0;
	}
	return destroy_leaf(w, i);
}

/* Take one pin off each page of [@start, @end) of @m's leaf, locked. */
static void unpin_range(struct world *w, struct mvmo *m, u64 start, u64 end)
{
	struct zvmo_pl_slot *slot;
	u64 off;

	for (off = start; off < end; off += PG) {
		slot = zvmo_page_list_lookup(&m->cow->pages, off);
		if (!slot || !zvmo_pl_slot_is_page(slot) ||
		    !zvmo_cow_pins(slot)) {
			fail(w, "v%u: unpin of %#llx, which is not pinned",
			     m->id, off);
			continue;
		}
		/* The state holds marks beside the pins. */
		if (!(--slot->state & ZVMO_COW_PIN_MASK))
			m->cow->nr_pinned--;
	}
}

/*
 * zvmo_cow_pin() of the pages [off, off + len) of VMO @i: each becomes
 * the leaf's own, then gains a pin; on any failure nothing stays pinned
 * (what became the leaf's own stays so, as a commit's pages do). The
 * model knows the pin counts: -EPERM must come exactly at the first page
 * with ZVMO_COW_PIN_MAX pins, -ENOMEM or -EIO (injected) before it (that
 * page is the leaf's own already: making it writable allocates nothing,
 * nor decompresses).
 */
static int do_pin(struct world *w, const struct op *op, int i)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	LIST_HEAD(freelist);
	u64 base, pos, full = U64_MAX;
	struct mvmo *m = leaf_at(w, i, &base);
	u64 start = base + op->off, end = start + op->len;
	struct mpin *pin = NULL;
	struct zvmo_pl_slot *slot;
	struct page *page;
	unsigned int k, n = 0;
	int err = 0;

	for (k = 0; k < MAXPINS && !pin; k++)
		if (!w->pins[k].live)
			pin = &w->pins[k];
	if (!pin || find_pin(w, op->out))
		return 1;
	for (pos = start; pos < end && full == U64_MAX; pos += PG)
		if (pin_count(w, m - w->v, pos) >= ZVMO_COW_PIN_MAX)
			full = pos;

	if (!lock_leaf(w, m))
		return -EHARNESS;
	for (pos = start; pos < end; pos += PG) {
		if (end > m->cow->size) {
			err = -ERANGE;
			break;
		}
		err = writable(w, m, pos, &pool,
			       min_t(u64, 16, (end - pos) / PG), &page);
		if (err)
			break;
		m->committed[pos / PG] = true;
		slot = zvmo_page_list_lookup(&m->cow->pages, pos);
		if (!slot || zvmo_pl_slot_page(slot) != page) {
			fail(w, "v%u: pin: no slot of the page at %#llx",
			     m->id, pos);
			err = -EHARNESS;
			break;
		}
		if (zvmo_cow_pins(slot) == ZVMO_COW_PIN_MAX) {
			err = -EPERM;
			break;
		}
		if (!zvmo_cow_pins(slot))
			m->cow->nr_pinned++;
		slot->state++;
		pin->pages[n] = page;
		pin->serial[n++] = page->index;
	}
	if (err) {
		unpin_range(w, m, start, pos);
		memset(pin, 0, sizeof(*pin));
	}
	unlock_free(w, m, &freelist, &pool);

	if (err == -EHARNESS || w->err[0])
		return -EHARNESS;
	if ((!err && full != U64_MAX) || (err == -EPERM && pos != full) ||
	    ((err == -ENOMEM || err == -EIO) && pos >= full))
		return fail(w, "v%u: pin of [%#llx, %#llx) returns %d at %#llx; the first page with %u pins is at %#llx",
			    m->id, start, end, err, pos, ZVMO_COW_PIN_MAX,
			    full), -EHARNESS;
	if (err)
		return err;
	pin->live = true;
	pin->id = op->out;
	pin->leaf = m - w->v;
	pin->vmo = op->vmo;
	pin->voff = op->off;
	pin->off = start;
	pin->len = op->len;
	return 0;
}

/*
 * zvmo_cow_unpin() of pin @op->vmo. A VMO closed while pinned goes with
 * its last pin.
 */
static int do_unpin(struct world *w, const struct op *op)
{
	struct mpin *pin = find_pin(w, op->vmo);
	struct mvmo *m;
	int leaf;

	if (!pin)
		return 1;
	leaf = pin->leaf;
	m = &w->v[leaf];
	if (!lock_leaf(w, m))
		return -EHARNESS;
	unpin_range(w, m, pin->off, pin->off + pin->len);
	mutex_unlock(&m->cow->hier->lock);
	memset(pin, 0, sizeof(*pin));
	if (m->closed && !leaf_pins(w, leaf))
		destroy_leaf(w, leaf);
	return w->err[0] ? -EHARNESS : 0;
}

static int do_create(struct world *w, const struct op *op)
{
	struct zvmo_cow_pages *cow;
	int slot = free_slot(w);

	if (slot < 0 || find_vmo(w, op->out) >= 0)
		return 1;
	cow = zvmo_cow_create(op->len);
	if (!cow)
		return -ENOMEM;
	new_leaf(w, slot, op->out, cow, op->len, op->resizable);
	return 0;
}

/* zvmo_cow_snapshot(): -EBUSY (nothing changed) if the leaf has pins. */
static int do_snapshot(struct world *w, const struct op *op, int i)
{
	struct mvmo *m = &w->v[i], *c;
	struct zvmo_cow_pages *child = NULL;
	int slot = free_slot(w), err;
	bool busy = leaf_pins(w, i);
	u64 p;

	if (slot < 0 || find_vmo(w, op->out) >= 0)
		return 1;
	err = zvmo_cow_snapshot(m->cow, op->off, op->len, &child);
	if (mutex_is_locked(&m->cow->hier->lock))
		return fail(w, "snapshot returned with the lock held"),
		       -EHARNESS;
	if (err == -EBUSY && !busy)
		return fail(w, "v%u: snapshot -EBUSY without pins", m->id),
		       -EHARNESS;
	if (err)
		return err;
	if (child->hier != m->cow->hier || child->size != op->len ||
	    child->hidden)
		return fail(w, "snapshot: child does not look right"),
		       -EHARNESS;
	c = new_leaf(w, slot, op->out, child, op->len, op->resizable);
	if (busy)
		fail(w, "v%u: snapshot of a leaf with %u pins did not fail",
		     m->id, leaf_pins(w, i));
	for (p = 0; p < op->len / PG; p++) {
		u64 src = op->off + p * PG;

		if (src >= m->size)
			break;
		memcpy(c->data + p * PG, m->data + src, PG);
		c->committed[p] = m->committed[src / PG];
	}
	return w->err[0] ? -EHARNESS : 0;
}

static int do_slice(struct world *w, const struct op *op, int i)
{
	int slot = free_slot(w);
	u64 base;
	struct mvmo *m = leaf_at(w, i, &base), *s;

	if (slot < 0 || find_vmo(w, op->out) >= 0 || m->resizable)
		return 1;
	s = &w->v[slot];
	memset(s, 0, sizeof(*s));
	s->live = true;
	s->slice = true;
	s->id = op->out;
	s->base = m - w->v;
	s->off = base + op->off;
	s->len = op->len;
	m->nslices++;
	return 0;
}

/* The leaf whose page table entry shows @page, at its page *@p; or NULL. */
static struct mvmo *mapped_by(struct world *w, struct page *page,
			      unsigned int *p)
{
	unsigned int i;

	for (i = 0; i < MAXV; i++) {
		struct mvmo *m = &w->v[i];

		if (!m->live || m->slice)
			continue;
		for (*p = 0; *p < MAXPG; (*p)++)
			if (m->map[*p].page == page &&
			    m->map[*p].serial == page->index)
				return m;
	}
	return NULL;
}

/* A compression pass over what a leaf reads, as zvmo_cow_compress(). */
struct zc_pass {
	struct world *w;
	struct mvmo *m;
	struct zvmo_cow_pages *node;
	u64 delta;	/* node offset - leaf offset */
	unsigned int how;
	uint64_t rng;
	struct list_head *freelist;
	unsigned long done;
	bool full;
};

/*
 * zvmo_cow_zc_step(): compress the page in @slot of @z->node, at its
 * offset @off, if the leaf reads it and nothing keeps it. In a hidden
 * node the low bits of the state are split bits, not pins.
 */
static int zc_step(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zc_pass *z = ctx;
	struct world *w = z->w;
	struct page *page = zvmo_pl_slot_page(slot);
	struct zvmo_cow_found found;
	struct mvmo *mapper;
	unsigned int p;

	if (!page || (!z->node->hidden && zvmo_cow_pins(slot)) ||
	    slot->state & (ZVMO_COW_ALWAYS_NEED | ZVMO_COW_POOR) ||
	    ((z->how & ZC_DONT_NEED) && !(slot->state & ZVMO_COW_DONT_NEED)))
		return 0;
	/* Of an ancestor's pages, only those the leaf reads. */
	if (z->node != z->m->cow &&
	    (!zvmo_cow_find_locked(z->m->cow, off - z->delta, &found) ||
	     found.slot != slot))
		return 0;
	if (!(z->how & ZC_EVERY) && !rnd_pct(&z->rng, 75))
		return 0;
	mapper = mapped_by(w, page, &p);
	if (mapper && (z->how & ZC_COLD)) {
		if (slot->state & ZVMO_COW_COLD) {
			/* Mapped again since it was marked: in use. */
			slot->state &= ~ZVMO_COW_COLD;
			return 0;
		}
		slot->state |= ZVMO_COW_COLD;
		w->zip_cold++;
	}
	if (mapper) {
		/* Every entry that shows it goes, whichever leaf's. */
		zvmo_cow_unmap_node_locked(z->node, off);
		mapper = mapped_by(w, page, &p);
		if (mapper) {
			fail(w, "v%u: page %lu still mapped at %#llx after zvmo_cow_unmap_node_locked() of %s node %p at %#llx",
			     mapper->id, page->index, p * PG,
			     z->node->hidden ? "hidden" : "leaf",
			     (void *)z->node, off);
			return 1;
		}
		if (z->how & ZC_COLD)
			return 0;
		w->zip_unmapped++;
	}
	if (!(z->how & ZC_EVERY) && rnd_pct(&z->rng, 6)) {
		/* It compressed badly: left until it is written. */
		slot->state |= ZVMO_COW_POOR;
		w->zip_poor++;
		return 0;
	}
	if (!(z->how & ZC_EVERY) && rnd_pct(&z->rng, 2)) {
		/* The store is full: the pass stops. */
		z->full = true;
		w->zip_full++;
		return 1;
	}
	zvmo_cow_compressed_locked(z->node, slot, zc_store(page), z->freelist);
	z->done++;
	return 0;
}

/*
 * zvmo_cow_compress() over [off, off + len) of VMO @i: the leaf's own
 * pages there, then those of its ancestors it reads, level by level, the
 * range cut to each window. The content stays the model's; the pages go
 * to the free list, freed after unlocking.
 */
static int do_compress(struct world *w, const struct op *op, int i)
{
	LIST_HEAD(freelist);
	u64 base;
	struct mvmo *m = leaf_at(w, i, &base);
	u64 start = base + op->off, end = start + op->len;
	struct zc_pass z = {
		.w = w, .m = m, .node = m->cow, .how = op->how,
		.rng = op->seed, .freelist = &freelist,
	};
	struct zvmo_cow_pages *t = m->cow;
	unsigned long before;

	if (!lock_leaf(w, m))
		return -EHARNESS;
	before = m->cow->hier->nr_compressed;
	zvmo_page_list_for_each(&t->pages, start, end, zc_step, &z);
	while (!z.full && !w->err[0] && t->parent &&
	       start < min(end, t->parent_limit)) {
		end = min(end, t->parent_limit) + t->parent_offset;
		start += t->parent_offset;
		z.delta += t->parent_offset;
		z.node = t->parent;
		zvmo_page_list_for_each(&z.node->pages, start, end, zc_step,
					&z);
		t = z.node;
	}
	if (!w->err[0] && m->cow->hier->nr_compressed != before + z.done)
		fail(w, "v%u: %lu pages compressed, the hierarchy counts %lu more",
		     m->id, z.done, m->cow->hier->nr_compressed - before);
	w->zipped += z.done;
	unlock_free(w, m, &freelist, NULL);
	return w->err[0] ? -EHARNESS : 0;
}

/* The pages of [@start, @end) of @m where it reads compressed content. */
static unsigned int zipped_in(struct world *w, struct mvmo *m, u64 start,
			      u64 end)
{
	unsigned int n = 0;
	unsigned long handle;
	struct page *page;
	u64 off;

	for (off = start; off < end && off < m->cow->size; off += PG) {
		peek(w, m->cow, off, &page, &handle);
		n += !!handle;
	}
	return n;
}

/* A walk for the first content without the mark @want. */
struct hint_walk {
	unsigned long want;
	u64 bad;
};

static int hint_mark(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct hint_walk *h = ctx;

	if (!zvmo_cow_held(slot) ||
	    (slot->state & ZVMO_COW_EVICT_MASK) == h->want)
		return 0;
	h->bad = off;
	return 1;
}

/*
 * zvmo_cow_hint() of an ordinary leaf, over [off, off + len) of VMO @i:
 * PREFETCH and ALWAYS_NEED decompress what the leaf reads there (all of
 * it, and nothing else: a decompression for each page it reads
 * compressed), ALWAYS_NEED and DONT_NEED then mark the leaf's own pages
 * there, which compression then leaves or, asked to, takes alone.
 * Nothing the model sees changes.
 */
static int do_hint(struct world *w, const struct op *op, int i)
{
	struct zvmo_cow_pool pool = ZVMO_COW_POOL_INIT(pool);
	LIST_HEAD(freelist);
	u64 base;
	struct mvmo *m = leaf_at(w, i, &base);
	u64 start = base + op->off, end = start + op->len;
	struct hint_walk h = { .bad = U64_MAX };
	unsigned long loads = zc_loads;
	unsigned int tries = 0, want = 0;
	int err = 0;

	if (!lock_leaf(w, m))
		return -EHARNESS;
	if (op->how != HINT_DONT_NEED)
		want = zipped_in(w, m, start, end);
	do {
		if (err == -EAGAIN) {
			err = refill(m->cow, &pool);
			if (err)
				break;
		}
		err = 0;
		if (op->how != HINT_DONT_NEED) {
			err = zvmo_cow_decompress_range_locked(m->cow, start,
							       end, &pool);
			if (err == -EAGAIN)
				err = check_eagain(w, &pool, &tries) ?: err;
		}
	} while (err == -EAGAIN);
	if (!err && op->how != HINT_PREFETCH)
		zvmo_cow_hint_locked(m->cow, start, end,
				     op->how == HINT_ALWAYS_NEED);
	if (!err && op->how != HINT_DONT_NEED &&
	    (zipped_in(w, m, start, end) || zc_loads - loads != want))
		fail(w, "v%u: %s of [%#llx, %#llx): %lu decompressed, %u left compressed, of %u",
		     m->id, hint_names[op->how], start, end, zc_loads - loads,
		     zipped_in(w, m, start, end), want);
	if (op->how == HINT_DONT_NEED && zc_loads != loads)
		fail(w, "v%u: dont_need of [%#llx, %#llx) decompressed %lu",
		     m->id, start, end, zc_loads - loads);
	h.want = op->how == HINT_ALWAYS_NEED ? ZVMO_COW_ALWAYS_NEED :
					       ZVMO_COW_DONT_NEED;
	if (!err && op->how != HINT_PREFETCH &&
	    zvmo_page_list_for_each(&m->cow->pages, start, end, hint_mark,
				    &h) > 0)
		fail(w, "v%u: %s of [%#llx, %#llx) left the content at %#llx unmarked",
		     m->id, hint_names[op->how], start, end, h.bad);
	unlock_free(w, m, &freelist, &pool);
	return w->err[0] ? -EHARNESS : err;
}

/*
 * Apply @op to the engine and the model. Returns 0, an errno the step may
 * return (-ENOMEM, -EOPNOTSUPP, and -EBUSY or -EPERM where the model said
 * so), 1 if it does not apply (a VMO or pin it names is gone, or its range
 * is out of bounds), or -EHARNESS with w->err set.
 */
static int apply(struct world *w, const struct op *op)
{
	int i = -1;
	bool page_ranges = op->kind == OP_COMMIT || op->kind == OP_DECOMMIT ||
			   op->kind == OP_MAPREAD || op->kind == OP_PIN ||
			   op->kind == OP_COMPRESS || op->kind == OP_HINT;

	if (op->kind == OP_UNPIN)
		return do_unpin(w, op);
	if (op->kind != OP_CREATE) {
		i = find_vmo(w, op->vmo);
		if (i < 0)
			return 1;
	}
	switch (op->kind) {
	case OP_CREATE:
		return op->len > MAXPG * PG ? 1 : do_create(w, op);
	case OP_SNAPSHOT:
		if (w->v[i].slice || op->len > MAXPG * PG || (op->off % PG))
			return 1;
		return do_snapshot(w, op, i);
	case OP_SLICE:
		if (!op->len || op->off + op->len > vmo_size(w, i) ||
		    ((op->off | op->len) % PG))
			return 1;
		return do_slice(w, op, i);
	case OP_RESIZE:
		if (w->v[i].slice || !w->v[i].resizable ||
		    op->len > MAXPG * PG || op->len % PG)
			return 1;
		return do_resize(w, op, i);
	case OP_CLOSE:
		return do_close(w, i);
	default:
		break;
	}
	/* A range of the VMO. */
	if (!op->len || op->off + op->len > vmo_size(w, i) ||
	    (page_ranges && ((op->off | op->len) % PG)))
		return 1;
	switch (op->kind) {
	case OP_WRITE:
		return do_write(w, op, i, false);
	case OP_MAPWRITE:
		return do_write(w, op, i, true);
	case OP_READ:
		return do_read(w, op, i, false);
	case OP_MAPREAD:
		return do_read(w, op, i, true);
	case OP_COMMIT:
		return do_commit(w, op, i);
	case OP_DECOMMIT:
		return do_decommit(w, op, i);
	case OP_ZERO:
		return do_zero(w, op, i);
	case OP_PIN:
		return do_pin(w, op, i);
	case OP_COMPRESS:
		return do_compress(w, op, i);
	case OP_HINT:
		return op->how < NR_HINTS ? do_hint(w, op, i) : 1;
	default:
		return fail(w, "bad op %d", op->kind), -EHARNESS;
	}
}

/* --- the checks ------------------------------------------------------------------ */

/* What a leaf reads: a page, or compressed content (by its handle). */
struct pref {
	uintptr_t key;
	bool compressed;
	int leaf;	/* slot */
};

static int pref_cmp(const void *a, const void *b)
{
	uintptr_t x = ((const struct pref *)a)->key;
	uintptr_t y = ((const struct pref *)b)->key;

	return x < y ? -1 : x > y;
}

/*
 * The tree of @hier, from its root: every hidden node has two children
 * that point back to it, leaves have none, and the leaves are the model's
 * (@in[slot] marks them; @nleaves of them). Counts nodes into @nodes.
 */
static bool check_tree(struct world *w, struct zvmo_cow_pages *any,
		       const bool *in, unsigned int nleaves,
		       unsigned int *nodes)
{
	struct zvmo_cow_pages *stack[4 * MAXV], *root = any, *n;
	unsigned int sp = 0, leaves = 0, i;

	*nodes = 0;
	while (root->parent && *nodes < 4 * MAXV) {
		root = root->parent;
		(*nodes)++;
	}
	if (*nodes >= 4 * MAXV)
		return fail(w, "tree: no root within %u levels", 4 * MAXV);
	*nodes = 0;
	stack[sp++] = root;
	while (sp) {
		n = stack[--sp];
		if (++*nodes > 2 * MAXV)
			return fail(w, "tree: more than %u nodes", 2 * MAXV);
		if (n->hier != any->hier)
			return fail(w, "tree: node of another hierarchy");
		if (!n->hidden) {
			struct mvmo *m = leaf_of(w, n);

			if (n->children[0] || n->children[1])
				return fail(w, "tree: a leaf with children");
			if (!m || !in[m - w->v])
				return fail(w, "tree: a leaf the test does not know (%p)",
					    (void *)n);
			leaves++;
			continue;
		}
		if (!list_empty(&n->views))
			return fail(w, "tree: a hidden node with views");
		for (i = 0; i < 2; i++) {
			if (!n->children[i] || n->children[i]->parent != n)
				return fail(w, "tree: hidden node %p: child %u is %p",
					    (void *)n, i,
					    (void *)n->children[i]);
			stack[sp++] = n->children[i];
		}
	}
	if (leaves != nleaves)
		return fail(w, "tree: %u leaves, the test has %u", leaves,
			    nleaves);
	if (*nodes != 2 * nleaves - 1)
		return fail(w, "tree: %u nodes for %u leaves", *nodes, nleaves);
	return true;
}

/*
 * Everything about the hierarchy of the leaf in slot @first. Counts the
 * pages it holds into @held, and its compressed content into @zheld.
 */
static bool check_hier(struct world *w, int first, bool *seen,
		       unsigned long *held, unsigned long *zheld)
{
	static const u8 zeros[PAGE_SIZE];
	struct zvmo_hier *hier = w->v[first].cow->hier;
	struct pref refs[MAXV * MAXPG];
	struct zvmo_cow_attr want[MAXV] = { 0 }, got;
	bool in[MAXV] = { 0 };
	unsigned int nleaves = 0, nrefs = 0, nodes, committed = 0, distinct;
	unsigned int zdistinct, i, j, p, k;
	u64 scaled_sum = 0, pscaled_sum = 0, slack = 0, pslack = 0;

	for (i = 0; i < MAXV; i++) {
		if (w->v[i].live && !w->v[i].slice &&
		    w->v[i].cow->hier == hier) {
			in[i] = seen[i] = true;
			nleaves++;
		}
	}
	mutex_lock(&hier->lock);
	if (zvmo_cow_validate_locked(w->v[first].cow)) {
		fail(w, "zvmo_cow_validate_locked() failed");
		goto out;
	}
	if (!check_tree(w, w->v[first].cow, in, nleaves, &nodes))
		goto out;
	if (refcount_read(&hier->ref) != nodes) {
		fail(w, "hierarchy: %u references for %u nodes",
		     refcount_read(&hier->ref), nodes);
		goto out;
	}

	for (i = 0; i < MAXV; i++) {
		struct mvmo *m = &w->v[i];
		unsigned int depth;

		if (!in[i])
			continue;
		depth = zvmo_cow_depth_locked(m->cow);
		w->max_depth = max(w->max_depth, depth);
		w->max_leaves = max(w->max_leaves, nleaves);
		if (depth > nleaves - 1) {
			fail(w, "v%u: depth %u with %u leaves", m->id, depth,
			     nleaves);
			goto out;
		}
		if (m->cow->size != m->size) {
			fail(w, "v%u: size %#llx, model %#llx", m->id,
			     m->cow->size, m->size);
			goto out;
		}
		for (p = 0; p < MAXPG; p++) {
			struct page *page = NULL;
			struct mapent *e = &m->map[p];
			unsigned long handle = 0;
			const u8 *data = NULL;

			if (p * PG < m->size)
				data = peek(w, m->cow, p * PG, &page, &handle);
			if (w->err[0])
				goto out;
			if (page && !page_live(page)) {
				fail(w, "v%u: page at %#llx is not live",
				     m->id, p * PG);
				goto out;
			}
			if (memcmp(data ?: zeros, m->data + p * PG, PG)) {
				fail(w, "v%u: page at %#llx differs from the model (%s)",
				     m->id, p * PG,
				     page ? "a page" : handle ? "compressed" :
							     "zeros");
				goto out;
			}
			if (data && !m->committed[p]) {
				fail(w, "v%u: %s at %#llx, which it never committed",
				     m->id, page ? "a page" : "compressed content",
				     p * PG);
				goto out;
			}
			committed += m->committed[p];
			if (page || handle)
				refs[nrefs++] = (struct pref){
					page ? (uintptr_t)page : handle,
					!page, i };
			if (!e->page)
				continue;
			if (p * PG >= m->size) {
				fail(w, "v%u: still mapped at %#llx, past the end %#llx",
				     m->id, p * PG, m->size);
				goto out;
			}
			if (handle) {
				fail(w, "v%u: stale mapping at %#llx: page %lu mapped, reads compressed content (not unmapped)",
				     m->id, p * PG, e->serial);
				goto out;
			}
			if (e->page != (page ?: &zero_page) ||
			    e->serial != (page ? page->index : 0)) {
				fail(w, "v%u: stale mapping at %#llx: page %lu mapped, reads %lu (not unmapped)",
				     m->id, p * PG, e->serial,
				     page ? page->index : 0);
				goto out;
			}
			if (e->writable && !is_own(m, p * PG, e->page)) {
				fail(w, "v%u: writable mapping at %#llx of a page not its own",
				     m->id, p * PG);
				goto out;
			}
		}
	}

	/*
	 * Pages held: those the leaves read, no more, and within bounds;
	 * compressed content too, populated but not committed.
	 */
	qsort(refs, nrefs, sizeof(refs[0]), pref_cmp);
	distinct = zdistinct = 0;
	for (j = 0; j < nrefs; j = k) {
		unsigned int n;

		for (k = j; k < nrefs && refs[k].key == refs[j].key; k++)
			;
		n = k - j;
		distinct++;
		zdistinct += refs[j].compressed;
		if (refs[j].compressed)
			pslack += n - 1;
		else
			slack += n - 1;
		for (i = j; i < k; i++) {
			struct zvmo_cow_attr *a = &want[refs[i].leaf];

			a->populated += PG;
			a->populated_private += n == 1 ? PG : 0;
			a->populated_scaled += PG / n;
			if (refs[j].compressed)
				continue;
			a->committed += PG;
			a->private += n == 1 ? PG : 0;
			a->scaled += PG / n;
		}
	}
	if (hier->nr_pages > committed || distinct != hier->nr_pages) {
		fail(w, "hierarchy holds %lu pages, more than %s: its leaves read %u distinct pages, copies of everything would take %u",
		     hier->nr_pages,
		     hier->nr_pages > committed ? "copies of everything" :
						   "its leaves read",
		     distinct, committed);
		goto out;
	}
	if (zdistinct != hier->nr_compressed) {
		fail(w, "hierarchy counts %lu pages compressed, its leaves read %u",
		     hier->nr_compressed, zdistinct);
		goto out;
	}
	*held += hier->nr_pages - hier->nr_compressed;
	*zheld += hier->nr_compressed;

	for (i = 0; i < MAXV; i++) {
		if (!in[i])
			continue;
		zvmo_cow_attr_locked(w->v[i].cow, &got);
		if (got.committed != want[i].committed ||
		    got.private != want[i].private ||
		    got.scaled != want[i].scaled ||
		    got.private > got.committed) {
			fail(w, "v%u: attribution committed %llu private %llu scaled %llu, expected %llu %llu %llu",
			     w->v[i].id, got.committed, got.private,
			     got.scaled, want[i].committed, want[i].private,
			     want[i].scaled);
			goto out;
		}
		if (got.populated != want[i].populated ||
		    got.populated_private != want[i].populated_private ||
		    got.populated_scaled != want[i].populated_scaled ||
		    got.populated < got.committed ||
		    got.populated_private < got.private ||
		    got.populated_scaled < got.scaled) {
			fail(w, "v%u: attribution populated %llu private %llu scaled %llu, expected %llu %llu %llu (committed %llu %llu %llu)",
			     w->v[i].id, got.populated, got.populated_private,
			     got.populated_scaled, want[i].populated,
			     want[i].populated_private,
			     want[i].populated_scaled, got.committed,
			     got.private, got.scaled);
			goto out;
		}
		scaled_sum += got.scaled;
		pscaled_sum += got.populated_scaled;
	}
	/* The scaled bytes add up to the pages, but for the rounding. */
	if (scaled_sum > (hier->nr_pages - hier->nr_compressed) * PG ||
	    (hier->nr_pages - hier->nr_compressed) * PG - scaled_sum > slack)
		fail(w, "scaled bytes add up to %llu for %lu pages",
		     (unsigned long long)scaled_sum,
		     hier->nr_pages - hier->nr_compressed);
	else if (pscaled_sum > hier->nr_pages * PG ||
		 hier->nr_pages * PG - pscaled_sum > slack + pslack)
		fail(w, "populated scaled bytes add up to %llu for %lu pages, %lu of them compressed",
		     (unsigned long long)pscaled_sum, hier->nr_pages,
		     hier->nr_compressed);
out:
	mutex_unlock(&hier->lock);
	return !w->err[0];
}

/*
 * The pins of the leaf in slot @i: each pinned page is where it was when
 * pinned (the same page, the same serial) in the leaf's own list, with
 * the model's content; its slot's state is the number of pins over it;
 * the leaf counts as many pinned pages as the model has. A leaf closed
 * while pinned still has a pin.
 */
static bool check_pins(struct world *w, int i)
{
	struct mvmo *m = &w->v[i];
	unsigned int count[MAXPG] = { 0 }, npinned = 0, npins = 0, k, p;
	struct zvmo_pl_slot *slot;
	struct page *page;

	for (k = 0; k < MAXPINS; k++) {
		struct mpin *pin = &w->pins[k];

		if (!pin->live || pin->leaf != i)
			continue;
		npins++;
		if (pin->off + pin->len > m->size)
			return fail(w, "v%u: pin%u of [%#llx, %#llx) past the end %#llx",
				    m->id, pin->id, pin->off,
				    pin->off + pin->len, m->size);
		for (p = 0; p < pin->len / PG; p++)
			count[pin->off / PG + p]++;
	}
	if (m->closed && !npins)
		return fail(w, "v%u: closed, without pins, not destroyed",
			    m->id);
	for (p = 0; p < MAXPG; p++) {
		w->max_nest = max(w->max_nest, count[p]);
		npinned += !!count[p];
	}
	w->max_pins = max(w->max_pins, npins);

	mutex_lock(&m->cow->hier->lock);
	if (m->cow->nr_pinned != npinned) {
		fail(w, "v%u: %lu pinned pages, the model has %u", m->id,
		     m->cow->nr_pinned, npinned);
		goto out;
	}
	for (p = 0; p < MAXPG && npinned; p++) {
		if (!count[p])
			continue;
		slot = zvmo_page_list_lookup(&m->cow->pages, p * PG);
		page = slot ? zvmo_pl_slot_page(slot) : NULL;
		if (!page || !page_live(page)) {
			fail(w, "v%u: pinned page at %#llx is gone", m->id,
			     p * PG);
			goto out;
		}
		if (zvmo_cow_pins(slot) != count[p]) {
			fail(w, "v%u: page at %#llx has %lu pins, the model %u",
			     m->id, p * PG, zvmo_cow_pins(slot), count[p]);
			goto out;
		}
		if (memcmp(pdata(page), m->data + p * PG, PG)) {
			fail(w, "v%u: pinned page at %#llx differs from the model",
			     m->id, p * PG);
			goto out;
		}
	}
	for (k = 0; k < MAXPINS; k++) {
		struct mpin *pin = &w->pins[k];

		if (!pin->live || pin->leaf != i)
			continue;
		for (p = 0; p < pin->len / PG; p++) {
			slot = zvmo_page_list_lookup(&m->cow->pages,
						     pin->off + p * PG);
			page = zvmo_pl_slot_page(slot);
			if (page != pin->pages[p] ||
			    page->index != pin->serial[p]) {
				fail(w, "v%u: pin%u: page %lu at %#llx moved (page %lu there)",
				     m->id, pin->id, pin->serial[p],
				     pin->off + p * PG, page->index);
				goto out;
			}
		}
	}
out:
	mutex_unlock(&m->cow->hier->lock);
	return !w->err[0];
}

static bool check_world(struct world *w)
{
	bool seen[MAXV] = { 0 };
	unsigned long held = 0, zheld = 0;
	unsigned int i;

	if (hook_err[0])
		return fail(w, "%s", hook_err);
	for (i = 0; i < MAXV; i++)
		if (w->v[i].live && !w->v[i].slice &&
		    mutex_is_locked(&w->v[i].cow->hier->lock))
			return fail(w, "v%u: hierarchy lock left held",
				    w->v[i].id);
	for (i = 0; i < MAXV; i++)
		if (w->v[i].live && !w->v[i].slice && !seen[i] &&
		    !check_hier(w, i, seen, &held, &zheld))
			return false;
	for (i = 0; i < MAXPINS; i++) {
		struct mpin *pin = &w->pins[i];

		if (pin->live && (!w->v[pin->leaf].live ||
				  w->v[pin->leaf].slice))
			return fail(w, "pin%u outlived its leaf", pin->id);
	}
	for (i = 0; i < MAXV; i++)
		if (w->v[i].live && !w->v[i].slice && !check_pins(w, i))
			return false;
	if ((long)held != pages_live - w->base_live ||
	    shim_live_pages() - w->base_pages != pages_live - w->base_live)
		return fail(w, "pages: hierarchies hold %lu, %ld live, %ld shim pages",
			    held, pages_live - w->base_live,
			    shim_live_pages() - w->base_pages);
	if ((long)zheld != zc_live - w->base_zc)
		return fail(w, "compressed: hierarchies hold %lu, %ld in the store",
			    zheld, zc_live - w->base_zc);
	w->max_zipped = max(w->max_zipped, zheld);
	return true;
}

/* --- dumps of the engine's state, for failures ------------------------------------ */

static int dump_slot(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	struct zvmo_cow_pages *n = ctx;
	struct page *page = zvmo_pl_slot_page(slot);

	if (page)
		fprintf(stderr, " %llu:p%lu", off / PG, page->index);
	else if (zvmo_pl_slot_is_compressed(slot))
		fprintf(stderr, " %llu:compressed", off / PG);
	else
		fprintf(stderr, " %llu:marker", off / PG);
	if (zvmo_cow_pins(slot) && !n->hidden)
		fprintf(stderr, "/pinned%lu", zvmo_cow_pins(slot));
	else if (n->hidden &&
		 slot->state & (ZVMO_COW_SPLIT_LEFT | ZVMO_COW_SPLIT_RIGHT))
		fprintf(stderr, "/%s%s",
			slot->state & ZVMO_COW_SPLIT_LEFT ? "L" : "",
			slot->state & ZVMO_COW_SPLIT_RIGHT ? "R" : "");
	/* The marks compression goes by. */
	if (slot->state & ZVMO_COW_COMPRESS_MASK)
		fprintf(stderr, "/%s%s%s%s",
			slot->state & ZVMO_COW_ALWAYS_NEED ? "A" : "",
			slot->state & ZVMO_COW_DONT_NEED ? "D" : "",
			slot->state & ZVMO_COW_COLD ? "C" : "",
			slot->state & ZVMO_COW_POOR ? "P" : "");
	return 0;
}

static void dump_node(struct world *w, struct zvmo_cow_pages *n,
		      unsigned int depth)
{
	struct mvmo *m = n->hidden ? NULL : leaf_of(w, n);

	fprintf(stderr, "#   %*s%s", 2 * depth, "", n->hidden ? "hidden" : "leaf");
	if (m)
		fprintf(stderr, " v%u%s", m->id, m->closed ? " (closed)" : "");
	fprintf(stderr, " %p, %llu pages long", (void *)n, n->size / PG);
	if (n->nr_pinned)
		fprintf(stderr, ", %lu pinned", n->nr_pinned);
	if (n->parent)
		fprintf(stderr, ", sees pages [%llu, %llu) of its parent",
			n->parent_offset / PG,
			(n->parent_offset + n->parent_limit) / PG);
	fprintf(stderr, "; holds %lu pages", n->nr_pages);
	if (n->nr_compressed)
		fprintf(stderr, ", %lu compressed", n->nr_compressed);
	fprintf(stderr, ":");
	zvmo_page_list_for_each(&n->pages, 0, ZVMO_PL_MAX_OFFSET, dump_slot,
				n);
	fprintf(stderr, "\n");
	if (n->hidden && depth < 2 * MAXV) {
		if (n->children[0])
			dump_node(w, n->children[0], depth + 1);
		if (n->children[1])
			dump_node(w, n->children[1], depth + 1);
	}
}

/* Every hierarchy, node by node (page offsets, page serials, split bits). */
static void dump_world(struct world *w)
{
	struct zvmo_hier *done[MAXV];
	unsigned int i, j, n = 0;

	for (i = 0; i < MAXV; i++) {
		struct zvmo_cow_pages *root;

		if (!w->v[i].live || w->v[i].slice)
			continue;
		for (j = 0; j < n && done[j] != w->v[i].cow->hier; j++)
			;
		if (j < n)
			continue;
		done[n++] = w->v[i].cow->hier;
		fprintf(stderr, "#   hierarchy %p: %lu pages, %lu compressed\n",
			(void *)w->v[i].cow->hier, w->v[i].cow->hier->nr_pages,
			w->v[i].cow->hier->nr_compressed);
		for (root = w->v[i].cow; root->parent && root != root->parent;)
			root = root->parent;
		dump_node(w, root, 1);
	}
}

/* --- sequences ------------------------------------------------------------------- */

static void world_init(struct world *w, bool faults)
{
	memset(w, 0, sizeof(*w));
	w->faults = faults;
	w->fail_ppm = 30000;
	w->page_fail_ppm = 10000;
	w->zc_fail_ppm = 20000;
	w->next_id = 1;
	w->base_allocs = shim_live_allocs();
	w->base_pages = shim_live_pages();
	w->base_nodes = zvmo_page_list_total_nodes();
	w->base_live = pages_live;
	w->base_zc = zc_live;
	w->verbose = env_verbose;
	hook_err[0] = 0;
	cur = w;
}

static void trace_push(struct world *w, const struct op *op)
{
	if (w->ntrace == w->trace_cap) {
		w->trace_cap = w->trace_cap ? 2 * w->trace_cap : 256;
		w->trace = realloc(w->trace, w->trace_cap * sizeof(*op));
		if (!w->trace)
			abort();
	}
	w->trace[w->ntrace++] = *op;
}

static void faults_on(struct world *w, const struct op *op)
{
	if (!w->faults)
		return;
	shim_fail_prob(w->fail_ppm, op->seed ^ 0xfa17);
	page_fail_ppm = w->page_fail_ppm;
	page_fail_rng = op->seed ^ 0x9a6e;
	zc_fail_ppm = w->zc_fail_ppm;
	zc_fail_rng = op->seed ^ 0x2c10;
}

static void faults_off(void)
{
	shim_fault_off();
	page_fail_ppm = 0;
	zc_fail_ppm = 0;
}

static void op_print(const struct op *op, const char *prefix);
static void dump_world(struct world *w);

/* Apply @op and check everything. Returns false on a failure. */
static bool __step(struct world *w, const struct op *op);

static bool step(struct world *w, const struct op *op)
{
	bool ok;

	if (w->verbose) {
		ok = __step(w, op);
		op_print(op, "# ");
		if (w->last_rc == 1)
			fprintf(stderr, "#   (does not apply)\n");
		else if (w->last_rc)
			fprintf(stderr, "#   returns %d\n", w->last_rc);
		if (!ok)
			fprintf(stderr, "#   fails: %s\n", w->err);
		if (!ok || w->steps > w->dump_from)
			dump_world(w);
		return ok;
	}
	return __step(w, op);
}

static bool __step(struct world *w, const struct op *op)
{
	unsigned long loads = zc_loads, frees = zc_frees, zfaults = zc_faults;
	int rc;

	trace_push(w, op);
	w->steps++;
	faults_on(w, op);
	rc = apply(w, op);
	w->last_rc = rc;
	faults_off();
	/* A decompression frees its compressed content; the rest went as is. */
	w->unzipped[op->kind] += zc_loads - loads;
	w->zdropped[op->kind] += (zc_frees - frees) - (zc_loads - loads);
	if (rc == 1)
		w->skipped[op->kind]++;
	else if (!rc)
		w->done[op->kind]++;
	if (rc == -ENOMEM) {
		w->enomem++;
		if (!w->faults)
			return fail(w, "%s: -ENOMEM without fault injection",
				    op_names[op->kind]);
	} else if (rc == -EIO) {
		w->eio++;
		if (zc_faults == zfaults)
			return fail(w, "%s: -EIO, but no decompression failed",
				    op_names[op->kind]);
	} else if (rc == -EBUSY || rc == -EPERM) {
		/* The step checked that the model said so. */
		if (rc == -EBUSY)
			w->ebusy++;
		else
			w->eperm++;
	} else if (rc < 0 && rc != -EOPNOTSUPP) {
		return fail(w, "%s: %d", op_names[op->kind], rc);
	}
	return check_world(w);
}

/*
 * Close every VMO, slices first, then take off every pin (the VMOs closed
 * with pins go with their last), checking after each; then nothing may
 * be left. With @check false (after a failure), only free what can be:
 * the pins first.
 */
static bool world_fini(struct world *w, bool check)
{
	struct op op = { .kind = OP_CLOSE };
	struct op unpin = { .kind = OP_UNPIN };
	unsigned int i, pass;

	for (i = 0; !check && i < MAXPINS; i++) {
		struct mpin *pin = &w->pins[i];

		if (!pin->live)
			continue;
		if (!w->v[pin->leaf].live || w->v[pin->leaf].slice ||
		    mutex_is_locked(&w->v[pin->leaf].cow->hier->lock)) {
			/* Leak it, as its leaf will be. */
			memset(pin, 0, sizeof(*pin));
			continue;
		}
		unpin.vmo = pin->id;
		do_unpin(w, &unpin);
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < MAXV; i++) {
			if (!w->v[i].live || w->v[i].closed ||
			    w->v[i].slice != !pass)
				continue;
			op.vmo = w->v[i].id;
			if (check) {
				if (!step(w, &op))
					return false;
			} else if (!w->v[i].slice &&
				   mutex_is_locked(&w->v[i].cow->hier->lock)) {
				/* Leak it: destroying would deadlock. */
				forget(&w->v[i]);
			} else {
				do_close(w, i);
			}
		}
	}
	for (i = 0; i < MAXPINS; i++) {
		if (!w->pins[i].live)
			continue;
		unpin.vmo = w->pins[i].id;
		if (check && !step(w, &unpin))
			return false;
	}
	for (i = 0; !check && i < MAXV; i++) {
		/* Closed ones whose pins leaked, with their lock held. */
		if (w->v[i].live && w->v[i].closed)
			forget(&w->v[i]);
	}
	cur = NULL;
	if (!check)
		return false;
	if (pages_live != w->base_live ||
	    shim_live_pages() != w->base_pages ||
	    shim_live_allocs() != w->base_allocs ||
	    zvmo_page_list_total_nodes() != w->base_nodes ||
	    zc_live != w->base_zc)
		return fail(w, "left after closing all: %ld pages, %ld shim pages, %ld allocations, %ld nodes, %ld compressed",
			    pages_live - w->base_live,
			    shim_live_pages() - w->base_pages,
			    shim_live_allocs() - w->base_allocs,
			    zvmo_page_list_total_nodes() - w->base_nodes,
			    zc_live - w->base_zc);
	return true;
}

/* world_fini(), and the trace goes. */
static bool world_end(struct world *w, bool check)
{
	bool ok = world_fini(w, check);

	free(w->trace);
	w->trace = NULL;
	return ok;
}

static u64 rnd_size(uint64_t *r)
{
	uint32_t x = rnd_below(r, 100);

	if (x < 3)
		return 0;
	if (x < 50)
		return (1 + rnd_below(r, 8)) * PG;
	if (x < 85)
		return (1 + rnd_below(r, 24)) * PG;
	return (1 + rnd_below(r, MAXPG)) * PG;
}

/* A live VMO: @leaf: not a slice; @resizable: and resizable; @sliceable:
 * one whose leaf is not resizable. -1 if there is none. */
enum pick { ANY, LEAF, RESIZABLE, SLICEABLE };

static int pick(struct world *w, uint64_t *r, enum pick what)
{
	int cand[MAXV], n = 0;
	unsigned int i;
	u64 base;

	for (i = 0; i < MAXV; i++) {
		if (!w->v[i].live || w->v[i].closed)
			continue;
		if (what != ANY && what != SLICEABLE && w->v[i].slice)
			continue;
		if (what == RESIZABLE && !w->v[i].resizable)
			continue;
		if (what == SLICEABLE && leaf_at(w, i, &base)->resizable)
			continue;
		cand[n++] = i;
	}
	return n ? cand[rnd_below(r, n)] : -1;
}

/* A range of VMO @i: byte granular, or whole pages if @pages. */
static void rnd_range(uint64_t *r, u64 size, bool pages, struct op *op)
{
	u64 unit = pages ? PG : 1, units = size / unit, off, len, max;

	off = rnd_below(r, units);
	max = units - off;
	if (rnd_pct(r, 70))
		max = min_t(u64, max, pages ? 4 : 3 * PG);
	len = 1 + rnd_below(r, max);
	/* Often from or to a page boundary. */
	if (!pages && rnd_pct(r, 30))
		off &= ~(PG - 1);
	if (!pages && rnd_pct(r, 30) && ((off + len) & ~(PG - 1)) > off)
		len = ((off + len) & ~(PG - 1)) - off;
	op->off = off * unit;
	op->len = len * unit;
}

/* A random live pin, or NULL. */
static struct mpin *rnd_pin(struct world *w, uint64_t *r)
{
	struct mpin *cand[MAXPINS];
	unsigned int i, n = 0;

	for (i = 0; i < MAXPINS; i++)
		if (w->pins[i].live)
			cand[n++] = &w->pins[i];
	return n ? cand[rnd_below(r, n)] : NULL;
}

/*
 * Make a random step that applies to @w. A sequence that pins heavily
 * (@w->pin_heavy) nests most of its pins in those it has, up to the
 * limit.
 */
static void gen_op(struct world *w, uint64_t *r, struct op *op)
{
	static const unsigned int weights[NR_OPS] = {
		[OP_CREATE] = 3, [OP_SNAPSHOT] = 12, [OP_SLICE] = 4,
		[OP_WRITE] = 18, [OP_READ] = 4, [OP_COMMIT] = 6,
		[OP_DECOMMIT] = 5, [OP_ZERO] = 12, [OP_RESIZE] = 7,
		[OP_CLOSE] = 9, [OP_MAPREAD] = 6, [OP_MAPWRITE] = 7,
		[OP_PIN] = 5, [OP_UNPIN] = 5, [OP_COMPRESS] = 10,
		[OP_HINT] = 3,
	};
	unsigned int weight[NR_OPS];
	unsigned int total = 0, x, k, live = 0, open = 0, npins = 0;
	struct mpin *pin;
	int i = -1;

	memcpy(weight, weights, sizeof(weight));
	if (w->pin_heavy) {
		weight[OP_PIN] = 40;
		weight[OP_UNPIN] = 2;
	}
	for (k = 0; k < MAXV; k++) {
		live += w->v[k].live;
		open += w->v[k].live && !w->v[k].closed;
	}
	for (k = 0; k < MAXPINS; k++)
		npins += w->pins[k].live;
	for (k = 0; k < NR_OPS; k++)
		total += weight[k];
	memset(op, 0, sizeof(*op));
	op->seed = rnd_next(r);
	for (;;) {
		x = rnd_below(r, total);
		for (k = 0; x >= weight[k]; k++)
			x -= weight[k];
		op->kind = k;
		if (!open || (open < 3 && rnd_pct(r, 20)))
			op->kind = live < MAXLIVE ? OP_CREATE : OP_UNPIN;
		switch (op->kind) {
		case OP_PIN:
			if (npins >= MAXPINS)
				continue;
			pin = npins && rnd_pct(r, w->pin_heavy ? 90 : 30) ?
			      rnd_pin(w, r) : NULL;
			if (pin) {
				/* Nested: the same range, or a page of it. */
				i = find_vmo(w, pin->vmo);
				if (i < 0)
					continue;
				op->off = pin->voff;
				op->len = pin->len;
				if (rnd_pct(r, 30)) {
					op->off += rnd_below(r, pin->len / PG) *
						   PG;
					op->len = PG;
				}
			} else {
				i = pick(w, r, ANY);
				if (i < 0 || vmo_size(w, i) < PG)
					continue;
				rnd_range(r, vmo_size(w, i), true, op);
			}
			op->out = w->next_id++;
			break;
		case OP_UNPIN:
			pin = rnd_pin(w, r);
			if (!pin)
				continue;
			op->vmo = pin->id;
			return;
		case OP_CREATE:
			if (live >= MAXLIVE)
				continue;
			op->out = w->next_id++;
			op->len = rnd_size(r);
			op->resizable = rnd_pct(r, 50);
			return;
		case OP_SNAPSHOT: {
			u64 psize, pages;

			i = pick(w, r, LEAF);
			if (i < 0 || live >= MAXLIVE)
				continue;
			psize = w->v[i].size;
			pages = psize / PG;
			if (rnd_pct(r, 55))
				op->off = 0;
			else if (rnd_pct(r, 60))
				op->off = rnd_below(r, 4) * PG;
			else
				op->off = rnd_below(r, pages + 3) * PG;
			if (rnd_pct(r, 50) && op->off < psize)
				op->len = psize - op->off;
			else
				op->len = rnd_size(r);
			op->resizable = rnd_pct(r, 50);
			op->out = w->next_id++;
			break;
		}
		case OP_SLICE:
			i = pick(w, r, SLICEABLE);
			if (i < 0 || live >= MAXLIVE || vmo_size(w, i) < PG)
				continue;
			rnd_range(r, vmo_size(w, i), true, op);
			op->out = w->next_id++;
			break;
		case OP_RESIZE:
			i = pick(w, r, RESIZABLE);
			if (i < 0)
				continue;
			op->len = rnd_size(r);
			break;
		case OP_CLOSE:
			i = pick(w, r, ANY);
			if (i < 0 || (live < 4 && rnd_pct(r, 50)))
				continue;
			break;
		case OP_DECOMMIT:
			i = pick(w, r, ANY);
			if (i < 0 || vmo_size(w, i) < PG)
				continue;
			rnd_range(r, vmo_size(w, i), true, op);
			break;
		case OP_COMPRESS:
			/* Often all of it, as reclaim goes round a leaf. */
			i = pick(w, r, ANY);
			if (i < 0 || vmo_size(w, i) < PG)
				continue;
			rnd_range(r, vmo_size(w, i), true, op);
			if (rnd_pct(r, 50)) {
				op->off = 0;
				op->len = vmo_size(w, i);
			}
			op->how = (rnd_pct(r, 25) ? ZC_EVERY : 0) |
				  (rnd_pct(r, 30) ? ZC_COLD : 0) |
				  (rnd_pct(r, 15) ? ZC_DONT_NEED : 0);
			break;
		case OP_HINT:
			i = pick(w, r, ANY);
			if (i < 0 || vmo_size(w, i) < PG)
				continue;
			rnd_range(r, vmo_size(w, i), true, op);
			op->how = rnd_below(r, NR_HINTS);
			break;
		default: {
			bool pages = op->kind == OP_COMMIT ||
				     op->kind == OP_MAPREAD;

			i = pick(w, r, ANY);
			if (i < 0 || vmo_size(w, i) < PG)
				continue;
			rnd_range(r, vmo_size(w, i), pages, op);
			if (op->kind == OP_READ && rnd_pct(r, 20)) {
				op->off = 0;
				op->len = vmo_size(w, i);
			}
			break;
		}
		}
		op->vmo = w->v[i].id;
		return;
	}
}

static void op_print(const struct op *op, const char *prefix)
{
	switch (op->kind) {
	case OP_CREATE:
		fprintf(stderr, "%sv%u = create(%#llx%s)\n", prefix, op->out,
			op->len, op->resizable ? ", resizable" : "");
		break;
	case OP_SNAPSHOT:
		fprintf(stderr, "%sv%u = snapshot(v%u, %#llx, %#llx%s)\n",
			prefix, op->out, op->vmo, op->off, op->len,
			op->resizable ? ", resizable" : "");
		break;
	case OP_SLICE:
		fprintf(stderr, "%sv%u = slice(v%u, %#llx, %#llx)\n", prefix,
			op->out, op->vmo, op->off, op->len);
		break;
	case OP_RESIZE:
		fprintf(stderr, "%sresize(v%u, %#llx)\n", prefix, op->vmo,
			op->len);
		break;
	case OP_CLOSE:
		fprintf(stderr, "%sclose(v%u)\n", prefix, op->vmo);
		break;
	case OP_PIN:
		fprintf(stderr, "%spin%u = pin(v%u, %#llx, %#llx)\n", prefix,
			op->out, op->vmo, op->off, op->len);
		break;
	case OP_UNPIN:
		fprintf(stderr, "%sunpin(pin%u)\n", prefix, op->vmo);
		break;
	case OP_COMPRESS:
		fprintf(stderr, "%scompress(v%u, %#llx, %#llx%s%s%s)\n", prefix,
			op->vmo, op->off, op->len,
			op->how & ZC_EVERY ? ", every" : "",
			op->how & ZC_COLD ? ", cold" : "",
			op->how & ZC_DONT_NEED ? ", dont_need" : "");
		break;
	case OP_HINT:
		fprintf(stderr, "%shint(v%u, %#llx, %#llx, %s)\n", prefix,
			op->vmo, op->off, op->len,
			op->how < NR_HINTS ? hint_names[op->how] : "?");
		break;
	default:
		fprintf(stderr, "%s%s(v%u, %#llx, %#llx)\n", prefix,
			op_names[op->kind], op->vmo, op->off, op->len);
		break;
	}
}

/* Run @ops on a fresh world, and close everything. True if all passed. */
static bool replay(const struct op *ops, unsigned int n, bool faults,
		   bool verbose, char *err, size_t errlen)
{
	static struct world w;
	unsigned int i;
	bool ok = true;

	world_init(&w, faults);
	w.verbose = verbose;
	w.dump_from = n > 3 ? n - 3 : 0;
	for (i = 0; ok && i < n; i++)
		ok = step(&w, &ops[i]);
	if (ok)
		ok = world_fini(&w, true);
	world_end(&w, false);
	if (err)
		snprintf(err, errlen, "%s", w.err);
	return ok;
}

/* Whether @ops fail, run in a child process (a WARN aborts). */
static bool fails_in_child(const struct op *ops, unsigned int n, bool faults,
			   bool verbose)
{
	char err[1024];
	pid_t pid;
	int status, fd;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid) {
		signal(SIGABRT, SIG_DFL);
		running = NULL;
		if (!verbose) {
			fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			dup2(fd, 2);
			shim_printk_quiet(true);
		} else {
			dup2(2, 1);
		}
		if (replay(ops, n, faults, verbose, err, sizeof(err)))
			_exit(0);
		_exit(1);
	}
	if (waitpid(pid, &status, 0) < 0)
		return false;
	return !WIFEXITED(status) || WEXITSTATUS(status);
}

/* Cut @ops down to a short sequence that still fails (ddmin), and print it. */
static void minimize(const struct op *trace, unsigned int n, bool faults)
{
	struct op *ops = malloc(n * sizeof(*ops)), *tmp;
	unsigned int chunks = 2, runs = 0, i, len, start, m;
	bool cut;

	tmp = malloc(n * sizeof(*tmp));
	if (!ops || !tmp)
		abort();
	memcpy(ops, trace, n * sizeof(*ops));
	if (!fails_in_child(ops, n, faults, false)) {
		fprintf(stderr, "# replay does not fail: not minimized\n");
		goto out;
	}
	while (n >= 2 && runs < 4000) {
		cut = false;
		len = (n + chunks - 1) / chunks;
		for (start = 0; start < n && runs < 4000; start += len) {
			/* Leave out [start, start + len). */
			m = 0;
			for (i = 0; i < n; i++)
				if (i < start || i >= start + len)
					tmp[m++] = ops[i];
			runs++;
			if (fails_in_child(tmp, m, faults, false)) {
				memcpy(ops, tmp, m * sizeof(*ops));
				n = m;
				chunks = chunks > 2 ? chunks - 1 : 2;
				cut = true;
				break;
			}
		}
		if (!cut) {
			if (chunks >= n)
				break;
			chunks = min(2 * chunks, n);
		}
	}
	fprintf(stderr, "# minimized to %u steps (%u replays)%s:\n", n, runs,
		faults ? ", with the same allocation failures per step" : "");
	for (i = 0; i < n; i++)
		op_print(&ops[i], "#   ");
	fails_in_child(ops, n, faults, true);
out:
	free(ops);
	free(tmp);
}

/* --- a tiny TAP harness -------------------------------------------------------------- */

static bool test_failed;

static void tap_fail(const char *file, int line, const char *what)
{
	fflush(stdout);
	fprintf(stderr, "# %s:%d: check failed: %s\n", file, line, what);
	test_failed = true;
}

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		tap_fail(__FILE__, __LINE__, #cond);			\
		goto out;						\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long __a = (a), __b = (b);			\
	if (__a != __b) {						\
		char __m[256];						\
		snprintf(__m, sizeof(__m), "%s == %s (%llu != %llu)",	\
			 #a, #b, __a, __b);				\
		tap_fail(__FILE__, __LINE__, __m);			\
		goto out;						\
	}								\
} while (0)

/* A step of a scenario: it must pass every check. */
#define STEP(w, ...) do {						\
	struct op __op = { __VA_ARGS__ };				\
	if (!step(w, &__op)) {						\
		tap_fail(__FILE__, __LINE__, (w)->err);			\
		goto out;						\
	}								\
} while (0)

/* --- scenarios --------------------------------------------------------------------- */

static struct world sw;	/* the scenarios' */

/* The leaf of VMO @id, open or closed while pinned. */
static struct zvmo_cow_pages *leaf_cow(struct world *w, unsigned int id)
{
	unsigned int i;

	for (i = 0; i < MAXV; i++)
		if (w->v[i].live && !w->v[i].slice && w->v[i].id == id)
			return w->v[i].cow;
	return NULL;
}

static unsigned long hier_pages(struct world *w, unsigned int id)
{
	struct zvmo_cow_pages *cow = leaf_cow(w, id);

	return cow ? cow->hier->nr_pages : ~0UL;
}

static struct zvmo_cow_pages *cow_of(struct world *w, unsigned int id)
{
	int i = find_vmo(w, id);

	return i < 0 ? NULL : w->v[i].cow;
}

static unsigned int depth_of(struct world *w, unsigned int id)
{
	struct zvmo_cow_pages *cow = leaf_cow(w, id);
	unsigned int d;

	mutex_lock(&cow->hier->lock);
	d = zvmo_cow_depth_locked(cow);
	mutex_unlock(&cow->hier->lock);
	return d;
}

/* The pin count of the page at @off of VMO @id's leaf. */
static unsigned long pin_state(struct world *w, unsigned int id, u64 off)
{
	struct zvmo_cow_pages *cow = leaf_cow(w, id);
	struct zvmo_pl_slot *slot;
	unsigned long state;

	if (!cow)
		return ~0UL;
	mutex_lock(&cow->hier->lock);
	slot = zvmo_page_list_lookup(&cow->pages, off);
	state = slot ? zvmo_cow_pins(slot) : 0;
	mutex_unlock(&cow->hier->lock);
	return state;
}

static unsigned long pinned_of(struct world *w, unsigned int id)
{
	struct zvmo_cow_pages *cow = leaf_cow(w, id);
	unsigned long n;

	if (!cow)
		return ~0UL;
	mutex_lock(&cow->hier->lock);
	n = cow->nr_pinned;
	mutex_unlock(&cow->hier->lock);
	return n;
}

/* The page VMO @id's leaf reads at @off (NULL: zeros, or compressed). */
static struct page *page_of(struct world *w, unsigned int id, u64 off)
{
	struct zvmo_cow_pages *cow = leaf_cow(w, id);
	unsigned long handle;
	struct page *page;

	if (!cow)
		return NULL;
	mutex_lock(&cow->hier->lock);
	peek(w, cow, off, &page, &handle);
	mutex_unlock(&cow->hier->lock);
	return page;
}

/* Whether VMO @id's leaf reads compressed content at @off. */
static bool zipped_at(struct world *w, unsigned int id, u64 off)
{
	struct zvmo_cow_pages *cow = leaf_cow(w, id);
	unsigned long handle = 0;
	struct page *page;

	if (!cow)
		return false;
	mutex_lock(&cow->hier->lock);
	peek(w, cow, off, &page, &handle);
	mutex_unlock(&cow->hier->lock);
	return handle;
}

static unsigned long hier_zipped(struct world *w, unsigned int id)
{
	struct zvmo_cow_pages *cow = leaf_cow(w, id);

	return cow ? cow->hier->nr_compressed : ~0UL;
}

static void attr_of(struct world *w, unsigned int id, struct zvmo_cow_attr *a)
{
	struct zvmo_cow_pages *cow = cow_of(w, id);

	mutex_lock(&cow->hier->lock);
	zvmo_cow_attr_locked(cow, a);
	mutex_unlock(&cow->hier->lock);
}

/* Parent of 4 pages; a snapshot; each writes page 0; the snapshot goes. */
static void test_clone_write_close(void)
{
	struct world *w = &sw;
	struct zvmo_cow_attr a;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 4 * PG, .seed = 1);
	CHECK_EQ(hier_pages(w, 1), 4);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .len = 4 * PG);
	CHECK_EQ(hier_pages(w, 1), 4);
	CHECK_EQ(depth_of(w, 2), 1);
	attr_of(w, 2, &a);
	CHECK_EQ(a.committed, 4 * PG);
	CHECK_EQ(a.private, 0);
	CHECK_EQ(a.scaled, 2 * PG);
	/* The child forks page 0: a copy. */
	STEP(w, .kind = OP_WRITE, .vmo = 2, .off = 100, .len = 10, .seed = 2);
	CHECK_EQ(hier_pages(w, 1), 5);
	/* The parent takes the original: it migrates, no copy. */
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 200, .len = 10, .seed = 3);
	CHECK_EQ(hier_pages(w, 1), 5);
	attr_of(w, 1, &a);
	CHECK_EQ(a.committed, 4 * PG);
	CHECK_EQ(a.private, PG);
	CHECK_EQ(a.scaled, PG + 3 * PG / 2);
	STEP(w, .kind = OP_CLOSE, .vmo = 2);
	CHECK_EQ(hier_pages(w, 1), 4);
	CHECK_EQ(depth_of(w, 1), 0);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/* The same, the parent closing first. */
static void test_clone_close_parent(void)
{
	struct world *w = &sw;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 4 * PG, .seed = 1);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 2, .off = PG, .len = 10, .seed = 2);
	CHECK_EQ(hier_pages(w, 1), 5);
	STEP(w, .kind = OP_CLOSE, .vmo = 1);
	CHECK_EQ(hier_pages(w, 2), 4);
	CHECK_EQ(depth_of(w, 2), 0);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/*
 * 100 snapshots, each of the one before, which then closes: one leaf is
 * left, with no parent. Then the same keeping the first VMO: depth 1.
 */
static void test_snapshot_chain(void)
{
	struct world *w = &sw;
	unsigned int i, id = 1, keep;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 4 * PG, .seed = 1);
	for (i = 0; i < 100; i++) {
		STEP(w, .kind = OP_SNAPSHOT, .vmo = id, .out = id + 1,
		     .len = 4 * PG);
		CHECK_EQ(depth_of(w, id + 1), 1);
		STEP(w, .kind = OP_WRITE, .vmo = id + 1, .off = (i % 4) * PG,
		     .len = 8, .seed = 100 + i);
		STEP(w, .kind = OP_CLOSE, .vmo = id);
		id++;
		CHECK_EQ(depth_of(w, id), 0);
		CHECK_EQ(hier_pages(w, id), 4);
	}

	keep = id;
	id = w->next_id = 1000;
	STEP(w, .kind = OP_SNAPSHOT, .vmo = keep, .out = id, .len = 4 * PG);
	for (i = 0; i < 100; i++) {
		STEP(w, .kind = OP_SNAPSHOT, .vmo = id, .out = id + 1,
		     .len = 4 * PG, .off = (i % 3) * PG);
		CHECK(depth_of(w, id + 1) <= 2);
		STEP(w, .kind = OP_WRITE, .vmo = id + 1, .off = 0,
		     .len = PG + 1, .seed = 300 + i);
		STEP(w, .kind = OP_CLOSE, .vmo = id);
		id++;
		CHECK_EQ(depth_of(w, id), 1);
		CHECK_EQ(depth_of(w, keep), 1);
		CHECK(hier_pages(w, id) <= 8);
	}
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/* Zero in a snapshot, then the parent closes: the zeros stay. */
static void test_zero_then_close_parent(void)
{
	struct world *w = &sw;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 4 * PG, .seed = 1);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .len = 4 * PG);
	/* Page 1 whole, and the first half of page 2. */
	STEP(w, .kind = OP_ZERO, .vmo = 2, .off = PG, .len = PG + PG / 2);
	CHECK_EQ(hier_pages(w, 1), 5);
	STEP(w, .kind = OP_CLOSE, .vmo = 1);
	CHECK_EQ(hier_pages(w, 2), 3);
	STEP(w, .kind = OP_READ, .vmo = 2, .off = 0, .len = 4 * PG);
	/* And a zero in the parent, the snapshot closing. */
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 2, .out = 3, .len = 4 * PG);
	STEP(w, .kind = OP_ZERO, .vmo = 2, .off = 0, .len = 4 * PG);
	STEP(w, .kind = OP_CLOSE, .vmo = 3);
	CHECK_EQ(hier_pages(w, 2), 0);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/* A snapshot shrinks and grows again: it reads zeros there. */
static void test_shrink_regrow(void)
{
	struct world *w = &sw;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 8 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 8 * PG, .seed = 1);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .len = 8 * PG,
	     .resizable = true);
	STEP(w, .kind = OP_RESIZE, .vmo = 2, .len = 2 * PG);
	STEP(w, .kind = OP_RESIZE, .vmo = 2, .len = 8 * PG);
	STEP(w, .kind = OP_READ, .vmo = 2, .off = 0, .len = 8 * PG);
	CHECK_EQ(hier_pages(w, 1), 8);
	STEP(w, .kind = OP_CLOSE, .vmo = 1);
	CHECK_EQ(hier_pages(w, 2), 2);
	/* The parent shrinks and grows under a snapshot. */
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 2, .out = 3, .off = PG,
	     .len = 8 * PG);
	STEP(w, .kind = OP_RESIZE, .vmo = 2, .len = 0);
	STEP(w, .kind = OP_RESIZE, .vmo = 2, .len = 4 * PG);
	CHECK_EQ(hier_pages(w, 3), 1);
	STEP(w, .kind = OP_CLOSE, .vmo = 3);
	CHECK_EQ(hier_pages(w, 2), 0);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/* A snapshot past the parent's end, and a slice written through. */
static void test_snapshot_past_end_and_slice(void)
{
	struct world *w = &sw;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 4 * PG, .seed = 1);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .off = 2 * PG,
	     .len = 6 * PG);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 3, .off = 6 * PG,
	     .len = 2 * PG);
	STEP(w, .kind = OP_SLICE, .vmo = 2, .out = 4, .off = PG, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 4, .off = 10, .len = 3 * PG, .seed = 2);
	STEP(w, .kind = OP_MAPWRITE, .vmo = 4, .off = 10, .len = 20, .seed = 3);
	STEP(w, .kind = OP_MAPREAD, .vmo = 1, .off = 0, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 3 * PG, .len = 5, .seed = 4);
	STEP(w, .kind = OP_CLOSE, .vmo = 2);
	CHECK(find_vmo(w, 4) < 0);
	STEP(w, .kind = OP_CLOSE, .vmo = 1);
	CHECK_EQ(hier_pages(w, 3), 0);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/*
 * Snapshots far out: at 2^62 (reads zeros, nothing shared), a snapshot of
 * that one at 2^62 again (still fine), and one more whose offset from the
 * root overflows, which fails with -EINVAL and changes nothing.
 */
static void test_snapshot_far(void)
{
	struct world *w = &sw;
	struct zvmo_cow_pages *child = NULL;
	unsigned long allocs;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 2 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 2 * PG, .seed = 1);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .off = 1ULL << 62,
	     .len = 2 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 2, .off = 10, .len = 10, .seed = 2);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 2, .out = 3, .off = 1ULL << 62,
	     .len = 2 * PG);
	allocs = shim_live_allocs();
	CHECK_EQ(zvmo_cow_snapshot(cow_of(w, 3), 1ULL << 63, 2 * PG, &child),
		 -EINVAL);
	CHECK(!child);
	CHECK_EQ(zvmo_cow_snapshot(cow_of(w, 3), 0, U64_MAX & PAGE_MASK,
				   &child), -EINVAL);
	CHECK_EQ(shim_live_allocs(), allocs);
	CHECK(check_world(w));
	CHECK_EQ(hier_pages(w, 1), 3);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/*
 * Both children of a hidden node shrink to 2 pages, so nothing below it
 * reads page 2 of it any more, though its own window onto its parent
 * still covers it. A write of page 2 in the VMO on the other side must
 * then take the page without a copy for that node: 2 pages in all, not 3.
 */
static void test_release_tail(void)
{
	struct world *w = &sw;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 3 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 2 * PG, .len = 8, .seed = 1);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .len = 3 * PG);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 2, .out = 3, .len = 3 * PG,
	     .resizable = true);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 3, .out = 4, .len = 3 * PG,
	     .resizable = true);
	STEP(w, .kind = OP_RESIZE, .vmo = 3, .len = 2 * PG);
	STEP(w, .kind = OP_RESIZE, .vmo = 4, .len = 2 * PG);
	CHECK_EQ(hier_pages(w, 1), 1);
	STEP(w, .kind = OP_WRITE, .vmo = 2, .off = 2 * PG, .len = 8, .seed = 2);
	CHECK_EQ(hier_pages(w, 1), 2);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/*
 * A hidden node whose children see only [0, 1) and [2, 3) of it, below a
 * hidden node whose other child still reads page 1 there: when that
 * child and the VMO above go, page 1 must be freed, not merged down into
 * the node where no VMO can read it.
 */
static void test_release_hole(void)
{
	struct world *w = &sw;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 3 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = PG, .len = 8, .seed = 1);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .len = 3 * PG);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 2, .out = 3, .len = 3 * PG,
	     .resizable = true);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 3, .out = 4, .off = 2 * PG,
	     .len = PG);
	STEP(w, .kind = OP_RESIZE, .vmo = 3, .len = PG);
	CHECK_EQ(hier_pages(w, 1), 1);
	STEP(w, .kind = OP_CLOSE, .vmo = 1);
	CHECK_EQ(hier_pages(w, 2), 1);
	/* Nobody reads page 1 any more. */
	STEP(w, .kind = OP_CLOSE, .vmo = 2);
	CHECK_EQ(hier_pages(w, 3), 0);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/*
 * A pin in a snapshot forks the pages into the child (the parent's
 * content stays as it was), writes land in the pinned pages, a snapshot
 * of the pinned child is refused but one of the parent is not, and
 * unpinned, the child can be snapshot again.
 */
static void test_pin_snapshot_child(void)
{
	struct world *w = &sw;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 4 * PG, .seed = 1);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .len = 4 * PG);
	STEP(w, .kind = OP_PIN, .vmo = 2, .out = 10, .off = PG, .len = 2 * PG);
	CHECK_EQ(w->last_rc, 0);
	CHECK_EQ(hier_pages(w, 1), 6);
	CHECK_EQ(pinned_of(w, 2), 2);
	CHECK_EQ(pinned_of(w, 1), 0);
	CHECK(page_of(w, 2, PG) != page_of(w, 1, PG));
	STEP(w, .kind = OP_WRITE, .vmo = 2, .off = PG + 10, .len = PG,
	     .seed = 2);
	STEP(w, .kind = OP_MAPWRITE, .vmo = 2, .off = 2 * PG, .len = 10,
	     .seed = 3);
	STEP(w, .kind = OP_READ, .vmo = 1, .off = 0, .len = 4 * PG);
	CHECK_EQ(hier_pages(w, 1), 6);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 2, .out = 3, .len = 4 * PG);
	CHECK_EQ(w->last_rc, -EBUSY);
	CHECK(find_vmo(w, 3) < 0);
	CHECK_EQ(depth_of(w, 2), 1);
	/* The parent can, and writes over everything: the pins stay. */
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 4, .len = 4 * PG);
	CHECK_EQ(w->last_rc, 0);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 4 * PG, .seed = 4);
	STEP(w, .kind = OP_CLOSE, .vmo = 4);
	STEP(w, .kind = OP_UNPIN, .vmo = 10);
	CHECK_EQ(pinned_of(w, 2), 0);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 2, .out = 3, .len = 4 * PG);
	CHECK_EQ(w->last_rc, 0);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/*
 * A pinned grandchild outlives the VMOs above it: both hidden nodes merge
 * into it, and its pinned pages stay where they were, counted. Without a
 * parent, a decommit or shrink over a pinned page is refused, next to
 * one is not. Closed while pinned, it lives on until its last pin goes.
 */
static void test_pin_survives_parent_close(void)
{
	struct world *w = &sw;
	struct page *p0, *p1;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 4 * PG, .seed = 1);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .len = 4 * PG);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 2, .out = 3, .len = 4 * PG,
	     .resizable = true);
	STEP(w, .kind = OP_PIN, .vmo = 3, .out = 10, .off = 0, .len = 2 * PG);
	STEP(w, .kind = OP_PIN, .vmo = 3, .out = 11, .off = PG, .len = PG);
	CHECK_EQ(w->last_rc, 0);
	/* A copy at each level: the other side still reads the page. */
	CHECK_EQ(hier_pages(w, 1), 8);
	CHECK_EQ(pin_state(w, 3, 0), 1);
	CHECK_EQ(pin_state(w, 3, PG), 2);
	p0 = page_of(w, 3, 0);
	p1 = page_of(w, 3, PG);
	STEP(w, .kind = OP_DECOMMIT, .vmo = 3, .off = 0, .len = PG);
	CHECK_EQ(w->last_rc, -EOPNOTSUPP);
	STEP(w, .kind = OP_CLOSE, .vmo = 1);
	CHECK_EQ(hier_pages(w, 3), 6);
	STEP(w, .kind = OP_CLOSE, .vmo = 2);
	CHECK_EQ(depth_of(w, 3), 0);
	CHECK_EQ(hier_pages(w, 3), 4);
	CHECK(page_of(w, 3, 0) == p0);
	CHECK(page_of(w, 3, PG) == p1);
	CHECK_EQ(pinned_of(w, 3), 2);
	CHECK_EQ(pin_state(w, 3, PG), 2);

	STEP(w, .kind = OP_DECOMMIT, .vmo = 3, .off = 0, .len = 4 * PG);
	CHECK_EQ(w->last_rc, -EBUSY);
	CHECK_EQ(hier_pages(w, 3), 4);
	STEP(w, .kind = OP_DECOMMIT, .vmo = 3, .off = 2 * PG, .len = 2 * PG);
	CHECK_EQ(w->last_rc, 0);
	CHECK_EQ(hier_pages(w, 3), 2);
	STEP(w, .kind = OP_RESIZE, .vmo = 3, .len = PG);
	CHECK_EQ(w->last_rc, -EBUSY);
	CHECK_EQ(leaf_cow(w, 3)->size, 4 * PG);
	STEP(w, .kind = OP_RESIZE, .vmo = 3, .len = 2 * PG);
	CHECK_EQ(w->last_rc, 0);

	/* Closed, it lives on with its pins, and goes with the last. */
	STEP(w, .kind = OP_CLOSE, .vmo = 3);
	CHECK(find_vmo(w, 3) < 0);
	CHECK_EQ(hier_pages(w, 3), 2);
	STEP(w, .kind = OP_WRITE, .vmo = 3, .off = 0, .len = 10, .seed = 2);
	CHECK_EQ(w->last_rc, 1);
	STEP(w, .kind = OP_UNPIN, .vmo = 10);
	CHECK_EQ(pinned_of(w, 3), 1);
	CHECK_EQ(pin_state(w, 3, PG), 1);
	STEP(w, .kind = OP_UNPIN, .vmo = 11);
	CHECK(!leaf_cow(w, 3));
	CHECK_EQ(pages_live, w->base_live);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/*
 * A zero over pinned and unpinned pages: the pinned ones stay, zeroed in
 * place, the others go; in a snapshot (pinned through a slice) the
 * unpinned ones get markers, and the parent keeps its content. Then the
 * snapshot, closed while pinned, takes in its parent's hidden node.
 */
static void test_pin_zero(void)
{
	struct world *w = &sw;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 8 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 8 * PG, .seed = 1);
	STEP(w, .kind = OP_PIN, .vmo = 1, .out = 10, .off = 2 * PG,
	     .len = 2 * PG);
	STEP(w, .kind = OP_PIN, .vmo = 1, .out = 11, .off = 5 * PG, .len = PG);
	STEP(w, .kind = OP_ZERO, .vmo = 1, .off = PG + 100,
	     .len = 6 * PG - 150);
	CHECK_EQ(hier_pages(w, 1), 7);
	CHECK_EQ(pinned_of(w, 1), 3);
	STEP(w, .kind = OP_ZERO, .vmo = 1, .off = 0, .len = 8 * PG);
	CHECK_EQ(hier_pages(w, 1), 3);
	STEP(w, .kind = OP_UNPIN, .vmo = 11);
	STEP(w, .kind = OP_ZERO, .vmo = 1, .off = 0, .len = 8 * PG);
	CHECK_EQ(hier_pages(w, 1), 2);

	STEP(w, .kind = OP_CREATE, .out = 2, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 2, .off = 0, .len = 4 * PG, .seed = 2);
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 2, .out = 3, .len = 4 * PG);
	STEP(w, .kind = OP_SLICE, .vmo = 3, .out = 4, .off = PG, .len = 2 * PG);
	STEP(w, .kind = OP_PIN, .vmo = 4, .out = 12, .off = 0, .len = 2 * PG);
	CHECK_EQ(w->last_rc, 0);
	CHECK_EQ(pin_state(w, 3, PG), 1);
	CHECK_EQ(pin_state(w, 3, 2 * PG), 1);
	CHECK_EQ(hier_pages(w, 2), 6);
	STEP(w, .kind = OP_ZERO, .vmo = 3, .off = 0, .len = 4 * PG);
	CHECK_EQ(hier_pages(w, 2), 6);
	STEP(w, .kind = OP_READ, .vmo = 2, .off = 0, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 4, .off = 100, .len = PG, .seed = 3);
	STEP(w, .kind = OP_CLOSE, .vmo = 3);
	CHECK(find_vmo(w, 4) < 0);
	STEP(w, .kind = OP_CLOSE, .vmo = 2);
	CHECK_EQ(depth_of(w, 3), 0);
	CHECK_EQ(hier_pages(w, 3), 2);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/*
 * Pins nest up to ZVMO_COW_PIN_MAX. One more fails with -EPERM, and a pin
 * of a range that fails there leaves nothing pinned, nor commits past it.
 */
static void test_pin_nest(void)
{
	struct world *w = &sw;
	unsigned int k;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 3 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = PG, .seed = 1);
	for (k = 0; k < ZVMO_COW_PIN_MAX; k++) {
		STEP(w, .kind = OP_PIN, .vmo = 1, .out = 100 + k, .off = PG,
		     .len = PG);
		CHECK_EQ(w->last_rc, 0);
	}
	CHECK_EQ(pin_state(w, 1, PG), ZVMO_COW_PIN_MAX);
	CHECK_EQ(hier_pages(w, 1), 2);
	STEP(w, .kind = OP_PIN, .vmo = 1, .out = 200, .off = PG, .len = PG);
	CHECK_EQ(w->last_rc, -EPERM);
	/* Page 0 pinned, then page 1 fails: page 0 unpinned, 2 untouched. */
	STEP(w, .kind = OP_PIN, .vmo = 1, .out = 201, .off = 0, .len = 3 * PG);
	CHECK_EQ(w->last_rc, -EPERM);
	CHECK_EQ(pin_state(w, 1, 0), 0);
	CHECK_EQ(pinned_of(w, 1), 1);
	CHECK_EQ(hier_pages(w, 1), 2);

	STEP(w, .kind = OP_UNPIN, .vmo = 100);
	STEP(w, .kind = OP_PIN, .vmo = 1, .out = 202, .off = 0, .len = 3 * PG);
	CHECK_EQ(w->last_rc, 0);
	CHECK_EQ(hier_pages(w, 1), 3);
	CHECK_EQ(pinned_of(w, 1), 3);
	CHECK_EQ(pin_state(w, 1, PG), ZVMO_COW_PIN_MAX);
	STEP(w, .kind = OP_PIN, .vmo = 1, .out = 203, .off = 2 * PG, .len = PG);
	CHECK_EQ(w->last_rc, 0);
	STEP(w, .kind = OP_PIN, .vmo = 1, .out = 204, .off = PG, .len = 2 * PG);
	CHECK_EQ(w->last_rc, -EPERM);
	CHECK_EQ(pin_state(w, 1, 2 * PG), 2);
	/* Through a slice, the same. */
	STEP(w, .kind = OP_SLICE, .vmo = 1, .out = 2, .off = PG, .len = 2 * PG);
	STEP(w, .kind = OP_PIN, .vmo = 2, .out = 205, .off = 0, .len = PG);
	CHECK_EQ(w->last_rc, -EPERM);
	STEP(w, .kind = OP_PIN, .vmo = 2, .out = 206, .off = PG, .len = PG);
	CHECK_EQ(w->last_rc, 0);
	CHECK_EQ(pin_state(w, 1, 2 * PG), 3);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/* The pages VMO @id's leaf reads compressed. */
static unsigned int zipped_of(struct world *w, unsigned int id)
{
	struct zvmo_cow_pages *cow = leaf_cow(w, id);
	unsigned int n = 0;
	u64 off;

	for (off = 0; cow && off < cow->size; off += PG)
		n += zipped_at(w, id, off);
	return n;
}

/*
 * Pages compressed, of a leaf and of the hidden node of a snapshot, and
 * decompressed by what reads them: a read, a write that forks one (a
 * decompression, then a copy), a fault, a zero of part of one. A mapped
 * page is unmapped first, or marked cold, and compressed the next time
 * unless it was mapped again. A merge moves compressed content down; a
 * shrink and a decommit free it as it is. Compressed content counts as
 * populated, not committed.
 */
static void test_compress(void)
{
	struct world *w = &sw;
	struct zvmo_cow_attr a;
	unsigned int n;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 4 * PG, .seed = 1);
	STEP(w, .kind = OP_COMPRESS, .vmo = 1, .off = 0, .len = 4 * PG,
	     .how = ZC_EVERY);
	CHECK_EQ(hier_zipped(w, 1), 4);
	CHECK_EQ(hier_pages(w, 1), 4);
	CHECK_EQ(pages_live, w->base_live);
	CHECK_EQ(zc_live, w->base_zc + 4);
	attr_of(w, 1, &a);
	CHECK_EQ(a.committed, 0);
	CHECK_EQ(a.populated, 4 * PG);
	CHECK_EQ(a.populated_private, 4 * PG);
	/* A read decompresses what it reads, no more. */
	STEP(w, .kind = OP_READ, .vmo = 1, .off = PG + 10, .len = 20);
	CHECK_EQ(hier_zipped(w, 1), 3);
	CHECK(!zipped_at(w, 1, PG));
	attr_of(w, 1, &a);
	CHECK_EQ(a.committed, PG);

	/* A snapshot shares them as they are; the child compresses the rest. */
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .len = 4 * PG,
	     .resizable = true);
	CHECK_EQ(hier_zipped(w, 2), 3);
	STEP(w, .kind = OP_COMPRESS, .vmo = 2, .off = 0, .len = 4 * PG,
	     .how = ZC_EVERY);
	CHECK_EQ(hier_zipped(w, 1), 4);
	attr_of(w, 2, &a);
	CHECK_EQ(a.committed, 0);
	CHECK_EQ(a.populated, 4 * PG);
	CHECK_EQ(a.populated_private, 0);
	CHECK_EQ(a.populated_scaled, 2 * PG);
	/* The child writes page 0: decompressed in the hidden node, copied. */
	STEP(w, .kind = OP_WRITE, .vmo = 2, .off = 100, .len = 10, .seed = 2);
	CHECK_EQ(hier_pages(w, 1), 5);
	CHECK_EQ(hier_zipped(w, 1), 3);
	/* The parent takes the original: it migrates, as a page. */
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 200, .len = 10, .seed = 3);
	CHECK_EQ(hier_pages(w, 1), 5);
	CHECK_EQ(hier_zipped(w, 1), 3);
	attr_of(w, 1, &a);
	CHECK_EQ(a.committed, PG);
	CHECK_EQ(a.private, PG);
	CHECK_EQ(a.populated, 4 * PG);
	CHECK_EQ(a.populated_scaled, PG + 3 * PG / 2);

	/* A fault decompresses; the mapping goes before it is compressed. */
	STEP(w, .kind = OP_MAPREAD, .vmo = 2, .off = 3 * PG, .len = PG);
	CHECK_EQ(hier_zipped(w, 1), 2);
	STEP(w, .kind = OP_COMPRESS, .vmo = 2, .off = 3 * PG, .len = PG,
	     .how = ZC_EVERY);
	CHECK_EQ(hier_zipped(w, 1), 3);
	/* As reclaim: mapped, marked cold and unmapped; compressed next. */
	STEP(w, .kind = OP_MAPREAD, .vmo = 2, .off = 3 * PG, .len = PG);
	STEP(w, .kind = OP_COMPRESS, .vmo = 2, .off = 3 * PG, .len = PG,
	     .how = ZC_EVERY | ZC_COLD);
	CHECK_EQ(hier_zipped(w, 1), 2);
	CHECK(!w->v[find_vmo(w, 2)].map[3].page);
	STEP(w, .kind = OP_COMPRESS, .vmo = 2, .off = 3 * PG, .len = PG,
	     .how = ZC_EVERY | ZC_COLD);
	CHECK_EQ(hier_zipped(w, 1), 3);
	/* Mapped again once marked: in use, left, and no longer cold. */
	STEP(w, .kind = OP_MAPREAD, .vmo = 2, .off = 3 * PG, .len = PG);
	STEP(w, .kind = OP_COMPRESS, .vmo = 2, .off = 3 * PG, .len = PG,
	     .how = ZC_EVERY | ZC_COLD);
	STEP(w, .kind = OP_MAPREAD, .vmo = 2, .off = 3 * PG, .len = PG);
	STEP(w, .kind = OP_COMPRESS, .vmo = 2, .off = 3 * PG, .len = PG,
	     .how = ZC_EVERY | ZC_COLD);
	CHECK_EQ(hier_zipped(w, 1), 2);
	CHECK(w->v[find_vmo(w, 2)].map[3].page);
	STEP(w, .kind = OP_COMPRESS, .vmo = 2, .off = 3 * PG, .len = PG,
	     .how = ZC_EVERY | ZC_COLD);
	STEP(w, .kind = OP_COMPRESS, .vmo = 2, .off = 3 * PG, .len = PG,
	     .how = ZC_EVERY | ZC_COLD);
	CHECK_EQ(hier_zipped(w, 1), 3);

	/* Part of a page zeroed, all of another: the parent keeps its own. */
	STEP(w, .kind = OP_ZERO, .vmo = 2, .off = 2 * PG + 100, .len = 50);
	STEP(w, .kind = OP_ZERO, .vmo = 2, .off = PG, .len = PG);
	STEP(w, .kind = OP_READ, .vmo = 1, .off = 0, .len = 4 * PG);
	STEP(w, .kind = OP_COMPRESS, .vmo = 2, .off = 0, .len = 4 * PG,
	     .how = ZC_EVERY);
	STEP(w, .kind = OP_COMPRESS, .vmo = 1, .off = 0, .len = 4 * PG,
	     .how = ZC_EVERY);
	/* The parent goes: what the child reads compressed moves down. */
	n = zipped_of(w, 2);
	CHECK(n >= 2);
	STEP(w, .kind = OP_CLOSE, .vmo = 1);
	CHECK_EQ(depth_of(w, 2), 0);
	CHECK_EQ(hier_zipped(w, 2), n);
	CHECK_EQ(zipped_of(w, 2), n);
	/* Shrunk, then decommitted: freed as it is, not decompressed. */
	STEP(w, .kind = OP_RESIZE, .vmo = 2, .len = 2 * PG);
	STEP(w, .kind = OP_DECOMMIT, .vmo = 2, .off = 0, .len = 2 * PG);
	CHECK_EQ(hier_pages(w, 2), 0);
	CHECK_EQ(hier_zipped(w, 2), 0);
	CHECK_EQ(w->unzipped[OP_RESIZE] + w->unzipped[OP_DECOMMIT] +
		 w->unzipped[OP_CLOSE], 0);
	CHECK(w->zdropped[OP_RESIZE] && w->zdropped[OP_DECOMMIT]);
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/*
 * Hints: ALWAYS_NEED keeps a leaf's pages from compression, PREFETCH
 * decompresses what a leaf reads (its ancestors' too), DONT_NEED marks
 * what compression asked for those alone takes. A pinned page is never
 * compressed; the marks go to the hidden node with the pages.
 */
static void test_compress_hint(void)
{
	struct world *w = &sw;

	world_init(w, false);
	STEP(w, .kind = OP_CREATE, .out = 1, .len = 4 * PG);
	STEP(w, .kind = OP_WRITE, .vmo = 1, .off = 0, .len = 4 * PG, .seed = 1);
	STEP(w, .kind = OP_HINT, .vmo = 1, .off = 0, .len = 2 * PG,
	     .how = HINT_ALWAYS_NEED);
	STEP(w, .kind = OP_COMPRESS, .vmo = 1, .off = 0, .len = 4 * PG,
	     .how = ZC_EVERY);
	CHECK_EQ(hier_zipped(w, 1), 2);
	CHECK(!zipped_at(w, 1, 0) && zipped_at(w, 1, 3 * PG));
	STEP(w, .kind = OP_HINT, .vmo = 1, .off = 0, .len = 4 * PG,
	     .how = HINT_PREFETCH);
	CHECK_EQ(hier_zipped(w, 1), 0);
	STEP(w, .kind = OP_HINT, .vmo = 1, .off = PG, .len = 2 * PG,
	     .how = HINT_DONT_NEED);
	STEP(w, .kind = OP_COMPRESS, .vmo = 1, .off = 0, .len = 4 * PG,
	     .how = ZC_EVERY | ZC_DONT_NEED);
	CHECK_EQ(hier_zipped(w, 1), 2);
	CHECK(zipped_at(w, 1, PG) && zipped_at(w, 1, 2 * PG));

	/* Through a snapshot: the hidden node's pages, and their marks. */
	STEP(w, .kind = OP_SNAPSHOT, .vmo = 1, .out = 2, .len = 4 * PG);
	STEP(w, .kind = OP_SLICE, .vmo = 2, .out = 3, .off = PG, .len = 2 * PG);
	STEP(w, .kind = OP_HINT, .vmo = 3, .off = 0, .len = 2 * PG,
	     .how = HINT_PREFETCH);
	CHECK_EQ(hier_zipped(w, 1), 0);
	CHECK_EQ(w->unzipped[OP_HINT], 4);
	STEP(w, .kind = OP_COMPRESS, .vmo = 2, .off = 0, .len = 4 * PG,
	     .how = ZC_EVERY);
	CHECK_EQ(hier_zipped(w, 1), 3);
	CHECK(!zipped_at(w, 2, 0));

	/* Pinned, a page stays; unpinned, it goes too. */
	STEP(w, .kind = OP_PIN, .vmo = 1, .out = 10, .off = 3 * PG, .len = PG);
	CHECK_EQ(w->last_rc, 0);
	STEP(w, .kind = OP_COMPRESS, .vmo = 1, .off = 0, .len = 4 * PG,
	     .how = ZC_EVERY);
	CHECK(!zipped_at(w, 1, 3 * PG));
	STEP(w, .kind = OP_UNPIN, .vmo = 10);
	STEP(w, .kind = OP_COMPRESS, .vmo = 1, .off = 0, .len = 4 * PG,
	     .how = ZC_EVERY);
	CHECK(zipped_at(w, 1, 3 * PG));
	CHECK(world_end(w, true));
	return;
out:
	world_end(w, false);
}

/* --- the random test ----------------------------------------------------------------- */

/*
 * A WARN or BUG in the engine, or a sanitizer report, aborts. If a random
 * sequence was running, say which, cut it down as a failure would be, and
 * close the TAP output with this test failed, so that the Totals still
 * count it. Best effort: the process is in whatever state aborted it.
 */
static bool running_faults;
static uint64_t running_seed;
static unsigned int tap_n, tap_pass, tap_fails;
static const char *tap_name;
static bool do_minimize = true;

static void on_abort(int sig)
{
	struct world *w = running;

	running = NULL;
	fflush(stdout);
	if (w && w->ntrace) {
		fprintf(stderr, "# aborted in the sequence of ZVMO_SEED=%#llx ZVMO_ITERS=1 (test %s), step %u\n",
			(unsigned long long)running_seed, tap_name, w->ntrace);
		op_print(&w->trace[w->ntrace - 1], "#   at ");
		if (do_minimize)
			minimize(w->trace, w->ntrace, running_faults);
	}
	printf("not ok %u - %s\n", tap_n + 1, tap_name ?: "?");
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       tap_pass, tap_fails + 1);
	fflush(stdout);
	_exit(128 + sig);
}

static uint64_t seed;
static unsigned long iters;

/* The faults test runs other sequences than the plain one. */
#define FAULTS_SEED	0xfa17fa17ULL

static void run_random(bool faults, uint64_t base, unsigned long seqs,
		       unsigned int ops)
{
	static struct world w;
	unsigned long i, steps = 0, enomem = 0, eagain = 0, unmaps = 0;
	unsigned long ebusy = 0, eperm = 0, deferred = 0;
	unsigned long done[NR_OPS] = { 0 }, skipped[NR_OPS] = { 0 };
	unsigned long unzipped[NR_OPS] = { 0 }, zdropped[NR_OPS] = { 0 };
	unsigned long zipped = 0, zip_unmapped = 0, zip_cold = 0, zip_poor = 0;
	unsigned long zip_full = 0, zip_forks = 0, eio = 0, max_zipped = 0;
	unsigned long zfaults = zc_faults, unzipped_all = 0;
	unsigned int max_depth = 0, max_leaves = 0, max_pins = 0, max_nest = 0;
	unsigned int k;
	unsigned long injected = shim_faults_injected(), pfaults = page_faults;
	unsigned int j, n;
	uint64_t r;
	struct op op;
	bool ok;

	for (i = 0; i < seqs; i++) {
		r = base + i;
		world_init(&w, faults);
		running = &w;
		running_faults = faults;
		running_seed = faults ? (base + i) ^ FAULTS_SEED : base + i;
		n = ops / 4 + rnd_below(&r, ops);
		w.pin_heavy = rnd_pct(&r, 10);
		ok = true;
		for (j = 0; ok && j < n; j++) {
			gen_op(&w, &r, &op);
			ok = step(&w, &op);
		}
		if (ok)
			ok = world_fini(&w, true);
		running = NULL;
		steps += w.steps;
		for (k = 0; k < NR_OPS; k++) {
			done[k] += w.done[k];
			skipped[k] += w.skipped[k];
			unzipped[k] += w.unzipped[k];
			zdropped[k] += w.zdropped[k];
			unzipped_all += w.unzipped[k];
		}
		zipped += w.zipped;
		zip_unmapped += w.zip_unmapped;
		zip_cold += w.zip_cold;
		zip_poor += w.zip_poor;
		zip_full += w.zip_full;
		zip_forks += w.zip_forks;
		eio += w.eio;
		max_zipped = max(max_zipped, w.max_zipped);
		max_depth = max(max_depth, w.max_depth);
		max_leaves = max(max_leaves, w.max_leaves);
		max_pins = max(max_pins, w.max_pins);
		max_nest = max(max_nest, w.max_nest);
		ebusy += w.ebusy;
		eperm += w.eperm;
		deferred += w.deferred;
		enomem += w.enomem;
		eagain += w.eagain;
		unmaps += w.unmaps;
		if (ok) {
			world_end(&w, false);
			continue;
		}
		fprintf(stderr, "# sequence %lu (ZVMO_SEED=%#llx ZVMO_ITERS=1, test %s), step %u: %s\n",
			i, (unsigned long long)(faults ? (base + i) ^ FAULTS_SEED :
						      base + i),
			faults ? "cow_random_faults" : "cow_random", w.ntrace,
			w.err);
		if (w.ntrace)
			op_print(&w.trace[w.ntrace - 1], "#   at ");
		world_fini(&w, false);
		if (do_minimize)
			minimize(w.trace, w.ntrace, faults);
		world_end(&w, false);
		test_failed = true;
		return;
	}
	printf("# %s: %lu sequences, %lu steps, %lu -EAGAIN, %lu unmaps",
	       faults ? "faults" : "random", seqs, steps, eagain, unmaps);
	if (faults)
		printf(", %lu -ENOMEM (%lu node, %lu page failures)", enomem,
		       shim_faults_injected() - injected,
		       page_faults - pfaults);
	printf("\n# done (skipped):");
	for (k = 0; k < NR_OPS; k++)
		printf(" %s %lu (%lu)", op_names[k], done[k], skipped[k]);
	printf("\n# deepest leaf %u, most leaves in a hierarchy %u\n",
	       max_depth, max_leaves);
	printf("# pins: %lu -EBUSY, %lu -EPERM, %lu closed while pinned, most pins of a leaf %u, most on a page %u\n",
	       ebusy, eperm, deferred, max_pins, max_nest);
	printf("# compression: %lu pages compressed (%lu unmapped first), %lu marked cold, %lu poor, the store full %lu times, most in the store at once %lu\n",
	       zipped, zip_unmapped, zip_cold, zip_poor, zip_full, max_zipped);
	printf("# decompressed (freed compressed) by:");
	for (k = 0; k < NR_OPS; k++)
		if (unzipped[k] || zdropped[k])
			printf(" %s %lu (%lu)", op_names[k], unzipped[k],
			       zdropped[k]);
	printf("\n# %lu writes forked a hidden node's compressed page",
	       zip_forks);
	if (faults)
		printf(", %lu decompressions failed, %lu -EIO",
		       zc_faults - zfaults, eio);
	printf("\n");
	/* Enough steps must have compressed, and decompressed, something. */
	if (steps >= 1000 && (!zipped || !unzipped_all || !zip_forks)) {
		fprintf(stderr, "# too little compression: %lu compressed, %lu decompressed, %lu forks of compressed pages\n",
			zipped, unzipped_all, zip_forks);
		test_failed = true;
	}
	if (faults && (shim_faults_injected() == injected || !enomem)) {
		fprintf(stderr, "# no allocation failed\n");
		test_failed = true;
	}
}

static void test_random(void)
{
	run_random(false, seed, iters, 160);
}

static void test_random_faults(void)
{
	run_random(true, seed ^ FAULTS_SEED, iters / 2 ?: 1, 160);
}

/* --- the runner ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "cow_clone_write_close", test_clone_write_close },
	{ "cow_clone_close_parent", test_clone_close_parent },
	{ "cow_snapshot_chain", test_snapshot_chain },
	{ "cow_zero_then_close_parent", test_zero_then_close_parent },
	{ "cow_shrink_regrow", test_shrink_regrow },
	{ "cow_snapshot_past_end_and_slice", test_snapshot_past_end_and_slice },
	{ "cow_snapshot_far", test_snapshot_far },
	{ "cow_release_tail", test_release_tail },
	{ "cow_release_hole", test_release_hole },
	{ "cow_pin_snapshot_child", test_pin_snapshot_child },
	{ "cow_pin_survives_parent_close", test_pin_survives_parent_close },
	{ "cow_pin_zero", test_pin_zero },
	{ "cow_pin_nest", test_pin_nest },
	{ "cow_compress", test_compress },
	{ "cow_compress_hint", test_compress_hint },
	{ "cow_random", test_random },
	{ "cow_random_faults", test_random_faults },
};

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned int i, n = 0, pass = 0, fail_count = 0;
	const char *env;
	long allocs, pages, nodes, zc;

	env = getenv("ZVMO_SEED");
	seed = env ? strtoull(env, NULL, 0) : 0x20251123;
	env = getenv("ZVMO_ITERS");
	iters = env ? strtoul(env, NULL, 0) : 1000;
	env = getenv("ZVMO_VERBOSE");
	env_verbose = env && strcmp(env, "0");
	env = getenv("ZVMO_MINIMIZE");
	do_minimize = !env || strcmp(env, "0");

	for (i = 0; i < ARRAY_SIZE(tests); i++)
		if (!filter || strstr(tests[i].name, filter))
			n++;
	printf("TAP version 13\n");
	printf("1..%u\n", n + 1);
	printf("# seed %#llx (ZVMO_SEED), %lu sequences (ZVMO_ITERS)\n",
	       (unsigned long long)seed, iters);
	fflush(stdout);

	if (zvmo_page_list_cache_init()) {
		printf("Bail out! no node cache\n");
		return 1;
	}
	sigaction(SIGABRT, &(struct sigaction){ .sa_handler = on_abort,
					       .sa_flags = SA_RESETHAND }, NULL);
	n = 0;
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (filter && !strstr(tests[i].name, filter))
			continue;
		tap_n = n;
		tap_pass = pass;
		tap_fails = fail_count;
		tap_name = tests[i].name;
		allocs = shim_live_allocs();
		pages = shim_live_pages();
		nodes = zvmo_page_list_total_nodes();
		zc = zc_live;
		test_failed = false;
		tests[i].fn();
		faults_off();
		if (!test_failed && (shim_live_allocs() != allocs ||
				     shim_live_pages() != pages ||
				     zvmo_page_list_total_nodes() != nodes ||
				     zc_live != zc)) {
			fprintf(stderr,
				"# leaked: %ld allocations, %ld pages, %ld nodes, %ld compressed\n",
				shim_live_allocs() - allocs,
				shim_live_pages() - pages,
				zvmo_page_list_total_nodes() - nodes,
				zc_live - zc);
			test_failed = true;
		}
		printf("%sok %u - %s\n", test_failed ? "not " : "", ++n,
		       tests[i].name);
		fflush(stdout);
		if (test_failed)
			fail_count++;
		else
			pass++;
	}

	tap_n = n;
	tap_pass = pass;
	tap_fails = fail_count;
	tap_name = "no_leaks";
	/* Nothing may be left, whichever tests ran (unless one failed). */
	test_failed = shim_live_allocs() || shim_live_pages() ||
		      zvmo_page_list_total_nodes() || pages_live || zc_live;
	if (test_failed)
		fprintf(stderr, "# left: %ld allocations, %ld pages (%ld of the hierarchy), %ld nodes, %ld compressed\n",
			shim_live_allocs(), shim_live_pages(), pages_live,
			zvmo_page_list_total_nodes(), zc_live);
	zvmo_page_list_cache_exit();
	printf("%sok %u - no_leaks\n", test_failed ? "not " : "", ++n);
	if (test_failed)
		fail_count++;
	else
		pass++;
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       pass, fail_count);
	return fail_count ? 1 : 0;
}
