// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of zvmo/page_list.c, built against the shim in include/.
 *
 * Unit tests for each operation, then the model-based random test of
 * pl_model.c. Output is TAP with kselftest's closing Totals line.
 *
 * Environment: ZVMO_SEED (random test seed), ZVMO_ITERS (sequences of the
 * random test). An argument runs only the tests whose name contains it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/errno.h>
#include <linux/slab.h>

#include "page_list.h"
#include "pl_model.h"
#include "shim.h"

#define PG	((u64)PAGE_SIZE)
#define SPAN	ZVMO_PL_NODE_SPAN
#define MAXOFF	ZVMO_PL_MAX_OFFSET
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* --- a tiny TAP harness --------------------------------------------------- */

static bool test_failed;

static void tap_fail(const char *file, int line, const char *what)
{
	fflush(stdout);
	fprintf(stderr, "# %s:%d: check failed: %s\n", file, line, what);
	test_failed = true;
}

/* Fail the running test and return from it. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		tap_fail(__FILE__, __LINE__, #cond);			\
		return;							\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long __a = (a), __b = (b);			\
	if (__a != __b) {						\
		char __m[256];						\
		snprintf(__m, sizeof(__m), "%s == %s (%#llx != %#llx)",	\
			 #a, #b, __a, __b);				\
		tap_fail(__FILE__, __LINE__, __m);			\
		return;							\
	}								\
} while (0)

/* Compare a recording with what was expected. */
#define CHECK_REC(got, want) do {					\
	char __e[512];							\
	if (!plm_rec_equal(got, want, __e, sizeof(__e))) {		\
		tap_fail(__FILE__, __LINE__, __e);			\
		plm_rec_print(got, "got");				\
		plm_rec_print(want, "want");				\
		return;							\
	}								\
} while (0)

#define CHECK_VALID(pl) CHECK_EQ(zvmo_page_list_validate(pl), 0)

/* --- helpers -------------------------------------------------------------- */

/* Put a new page (or a marker) at @off with state @state; its value. */
static unsigned long put(struct zvmo_page_list *pl, u64 off, bool page,
			 unsigned long state)
{
	struct zvmo_pl_slot *slot;

	slot = zvmo_page_list_lookup_or_alloc(pl, off, GFP_KERNEL);
	if (!slot || !zvmo_pl_slot_is_empty(slot)) {
		fprintf(stderr, "# put(%#llx): no empty slot\n", off);
		abort();
	}
	if (page)
		zvmo_pl_slot_set_page(slot, shim_page_alloc());
	else
		zvmo_pl_slot_set_marker(slot);
	slot->state = state;
	return slot->val;
}

static void put_pages(struct zvmo_page_list *pl, u64 first, u64 last)
{
	u64 p;

	for (p = first; p <= last; p++)
		put(pl, p * PG, true, p);
}

static void release_free(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	(void)off;
	(void)ctx;
	plm_free_val(slot->val);
}

static void destroy(struct zvmo_page_list *pl)
{
	zvmo_page_list_destroy(pl, release_free, NULL);
}

/* Record a walk of [start, end): pages, and gaps if @gaps. */
static int walk(struct zvmo_page_list *pl, u64 start, u64 end, bool gaps,
		struct plm_rec *rec)
{
	return zvmo_page_list_walk_gaps(pl, start, end, plm_rec_page,
						 gaps ? plm_rec_gap : NULL,
						 rec);
}

static void want_page(struct plm_rec *want, struct zvmo_page_list *pl,
		      u64 off)
{
	struct zvmo_pl_slot *slot = zvmo_page_list_lookup(pl, off);

	plm_rec_push(want, PLM_EV_PAGE, off, 0, slot ? slot->val : 0,
		     slot ? slot->state : 0);
}

static void want_gap(struct plm_rec *want, u64 start, u64 end)
{
	plm_rec_push(want, PLM_EV_GAP, start, end, 0, 0);
}

static void want_run(struct plm_rec *want, u64 start, u64 end)
{
	plm_rec_push(want, PLM_EV_RUN, start, end, 0, 0);
}

/* --- rbtree shim ---------------------------------------------------------- */

struct tnode {
	struct rb_node rb;
	u64 key;
};

static bool tinsert(struct rb_root *root, struct tnode *n)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;
	struct tnode *cur;

	while (*link) {
		parent = *link;
		cur = rb_entry(parent, struct tnode, rb);
		if (n->key == cur->key)
			return false;
		link = n->key < cur->key ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&n->rb, parent, link);
	rb_insert_color(&n->rb, root);
	return true;
}

/* Check balance and order: @n nodes, in order both ways. */
static bool tcheck(struct rb_root *root, unsigned long n)
{
	unsigned long count, seen = 0;
	struct rb_node *rb, *prev = NULL;
	unsigned int height;

	if (shim_rb_check(root, &count, &height) || count != n)
		return false;
	if (height >= 64 || (1ULL << height) > (n + 1) * (n + 1))
		return false;
	for (rb = rb_first(root); rb; prev = rb, rb = rb_next(rb)) {
		if (prev && rb_entry(prev, struct tnode, rb)->key >=
			    rb_entry(rb, struct tnode, rb)->key)
			return false;
		if (rb_prev(rb) != prev)
			return false;
		seen++;
	}
	return seen == n && prev == rb_last(root);
}

static void test_rbtree_random(void)
{
	enum { N = 3000 };
	struct tnode *nodes = calloc(N, sizeof(*nodes));
	struct rb_root root = RB_ROOT;
	struct plm_rand r;
	unsigned long live = 0;
	bool *in = calloc(N, sizeof(*in));
	unsigned int i, round;

	CHECK(nodes && in);
	plm_rand_seed(&r, 12345);
	for (i = 0; i < N; i++)
		nodes[i].key = plm_rand_u64(&r) % (4 * N);
	for (round = 0; round < 40000; round++) {
		i = plm_rand_below(&r, N);
		if (in[i]) {
			rb_erase(&nodes[i].rb, &root);
			in[i] = false;
			live--;
		} else if (tinsert(&root, &nodes[i])) {
			in[i] = true;
			live++;
		}
		if (round % 997 == 0 && !tcheck(&root, live))
			break;
	}
	CHECK(tcheck(&root, live));
	for (i = 0; i < N; i++)
		if (in[i])
			rb_erase(&nodes[i].rb, &root);
	CHECK(RB_EMPTY_ROOT(&root));
	free(nodes);
	free(in);
}

static void test_rbtree_sequential(void)
{
	enum { N = 4096 };
	struct tnode *nodes = calloc(N, sizeof(*nodes));
	struct rb_root root = RB_ROOT;
	unsigned int i;

	CHECK(nodes);
	for (i = 0; i < N; i++) {
		nodes[i].key = i;
		CHECK(tinsert(&root, &nodes[i]));
		if (i % 512 == 0)
			CHECK(tcheck(&root, i + 1));
	}
	CHECK(tcheck(&root, N));
	CHECK(rb_entry(rb_first(&root), struct tnode, rb)->key == 0);
	CHECK(rb_entry(rb_last(&root), struct tnode, rb)->key == N - 1);
	/* Erase from the front, which skews the tree hardest. */
	for (i = 0; i < N; i++) {
		rb_erase(&nodes[i].rb, &root);
		if (i % 256 == 0)
			CHECK(tcheck(&root, N - i - 1));
	}
	CHECK(RB_EMPTY_ROOT(&root));
	/* Descending inserts, erase from the back. */
	for (i = N; i--;) {
		nodes[i].key = i;
		CHECK(tinsert(&root, &nodes[i]));
	}
	CHECK(tcheck(&root, N));
	for (i = N; i--;)
		rb_erase(&nodes[i].rb, &root);
	CHECK(RB_EMPTY_ROOT(&root));
	free(nodes);
}

/* --- slots and basics ----------------------------------------------------- */

static void test_slot_helpers(void)
{
	struct page *page = shim_page_alloc();
	struct zvmo_pl_slot slot = { 0, 0 };

	CHECK(zvmo_pl_slot_is_empty(&slot));
	CHECK(!zvmo_pl_slot_is_page(&slot) && !zvmo_pl_slot_is_marker(&slot));
	CHECK(!zvmo_pl_slot_page(&slot));
	CHECK(((unsigned long)page & ZVMO_PL_TAG_MASK) == 0);

	slot.state = 0x55;
	zvmo_pl_slot_set_page(&slot, page);
	CHECK(zvmo_pl_slot_is_page(&slot) && !zvmo_pl_slot_is_empty(&slot));
	CHECK(!zvmo_pl_slot_is_marker(&slot));
	CHECK(zvmo_pl_slot_page(&slot) == page);
	CHECK_EQ(slot.state, 0x55);

	zvmo_pl_slot_set_marker(&slot);
	CHECK(zvmo_pl_slot_is_marker(&slot) && !zvmo_pl_slot_is_page(&slot));
	CHECK(!zvmo_pl_slot_is_empty(&slot) && !zvmo_pl_slot_page(&slot));
	CHECK_EQ(slot.state, 0x55);

	zvmo_pl_slot_clear(&slot);
	CHECK(zvmo_pl_slot_is_empty(&slot));
	CHECK_EQ(slot.state, 0);

	CHECK_EQ(zvmo_page_list_node_size(), sizeof(struct zvmo_pl_node));
	CHECK_EQ(SPAN, 16 * 4096);
	shim_page_free(page);
}

static void test_empty_list(void)
{
	struct zvmo_page_list pl;
	struct plm_rec rec, want;
	struct zvmo_pl_slot old;

	plm_rec_init(&rec);
	plm_rec_init(&want);
	zvmo_page_list_init(&pl, 5 * PG);
	CHECK(zvmo_page_list_is_empty(&pl));
	CHECK_VALID(&pl);
	CHECK(!zvmo_page_list_lookup(&pl, 0));
	CHECK(!zvmo_page_list_lookup(&pl, MAXOFF - PG));
	old = zvmo_page_list_remove(&pl, 0);
	CHECK(!old.val && !old.state);
	zvmo_page_list_return_empty_slot(&pl, 0);
	zvmo_page_list_remove_range(&pl, 0, UINT64_MAX, release_free, NULL);

	CHECK_EQ(walk(&pl, 0, UINT64_MAX, false, &rec), 0);
	CHECK_EQ(rec.n, 0);
	CHECK_EQ(walk(&pl, 3 * PG, 10 * PG, true, &rec), 0);
	want_gap(&want, 3 * PG, 10 * PG);
	CHECK_REC(&rec, &want);
	plm_rec_reset(&rec);
	plm_rec_reset(&want);
	CHECK_EQ(walk(&pl, 0, UINT64_MAX, true, &rec), 0);
	want_gap(&want, 0, MAXOFF);
	CHECK_REC(&rec, &want);
	/* Empty and reversed ranges see nothing. */
	plm_rec_reset(&rec);
	CHECK_EQ(walk(&pl, 4 * PG, 4 * PG, true, &rec), 0);
	CHECK_EQ(walk(&pl, 4 * PG, 2 * PG, true, &rec), 0);
	CHECK_EQ(walk(&pl, MAXOFF, UINT64_MAX, true, &rec), 0);
	CHECK_EQ(zvmo_page_list_walk_runs(&pl, 0, UINT64_MAX,
					     plm_rec_in_run_all, plm_rec_run,
					     &rec), 0);
	CHECK_EQ(rec.n, 0);
	CHECK_EQ(pl.nr_nodes, 0);
	destroy(&pl);
	plm_rec_free(&rec);
	plm_rec_free(&want);
}

static void test_lookup_or_alloc(void)
{
	long total = zvmo_page_list_total_nodes();
	struct zvmo_pl_slot *s0, *s;
	struct zvmo_page_list pl;

	zvmo_page_list_init(&pl, 0);
	s0 = zvmo_page_list_lookup_or_alloc(&pl, 0, GFP_KERNEL);
	CHECK(s0 && zvmo_pl_slot_is_empty(s0) && !s0->state);
	CHECK_EQ(pl.nr_nodes, 1);
	CHECK_EQ(zvmo_page_list_total_nodes(), total + 1);
	CHECK(zvmo_page_list_lookup(&pl, 0) == s0);
	/* The other slots of the node are there, empty. */
	CHECK(zvmo_page_list_lookup(&pl, 15 * PG) == s0 + 15);
	CHECK(zvmo_page_list_lookup_or_alloc(&pl, 7 * PG, GFP_KERNEL) ==
	      s0 + 7);
	CHECK_EQ(pl.nr_nodes, 1);
	CHECK(!zvmo_page_list_lookup(&pl, 16 * PG));
	zvmo_pl_slot_set_marker(s0);
	CHECK_VALID(&pl);

	s = zvmo_page_list_lookup_or_alloc(&pl, 16 * PG, GFP_KERNEL);
	CHECK(s && s != s0 + 16);
	CHECK_EQ(pl.nr_nodes, 2);
	zvmo_pl_slot_set_page(s, shim_page_alloc());
	/* A node far away, then one before all others. */
	put(&pl, 1000 * PG, true, 1);
	put(&pl, 40 * PG, false, 2);
	CHECK_EQ(pl.nr_nodes, 4);
	CHECK_EQ(zvmo_page_list_total_nodes(), total + 4);
	CHECK_VALID(&pl);
	CHECK(zvmo_page_list_lookup(&pl, 16 * PG) == s);
	CHECK(zvmo_pl_slot_is_marker(zvmo_page_list_lookup(&pl, 40 * PG)));
	destroy(&pl);
	CHECK_EQ(zvmo_page_list_total_nodes(), total);
	CHECK(zvmo_page_list_is_empty(&pl));
}

static void test_skew(void)
{
	struct zvmo_page_list pl;
	struct zvmo_pl_slot *s0;

	/* Skew 3 pages: offsets 0..12 pages are slots 3..15 of node 0. */
	zvmo_page_list_init(&pl, 3 * PG);
	s0 = zvmo_page_list_lookup_or_alloc(&pl, 0, GFP_KERNEL);
	CHECK(s0);
	zvmo_pl_slot_set_marker(s0);
	CHECK(zvmo_page_list_lookup(&pl, 12 * PG) == s0 + 12);
	CHECK(!zvmo_page_list_lookup(&pl, 13 * PG));
	put(&pl, 13 * PG, true, 0);
	CHECK_EQ(pl.nr_nodes, 2);
	CHECK(zvmo_page_list_lookup(&pl, 13 * PG) + 15 ==
	      zvmo_page_list_lookup(&pl, 28 * PG));
	CHECK_VALID(&pl);
	destroy(&pl);

	/* The largest skew: offset 0 is the last slot of node 0. */
	zvmo_page_list_init(&pl, SPAN - PG);
	s0 = zvmo_page_list_lookup_or_alloc(&pl, 0, GFP_KERNEL);
	CHECK(s0);
	zvmo_pl_slot_set_marker(s0);
	CHECK(!zvmo_page_list_lookup(&pl, PG));
	put(&pl, PG, false, 0);
	CHECK_EQ(pl.nr_nodes, 2);
	CHECK_VALID(&pl);
	destroy(&pl);
}

static void test_high_offsets(void)
{
	static const u64 skews[] = { 0, PG, 7 * PG, SPAN - PG };
	struct plm_rec rec, want;
	struct zvmo_page_list pl, pl2, dst;
	unsigned int i;
	u64 hi = 0x7fffffffffff0000ULL;

	plm_rec_init(&rec);
	plm_rec_init(&want);
	for (i = 0; i < 4; i++) {
		zvmo_page_list_init(&pl, skews[i]);
		put(&pl, hi, true, 1);
		put(&pl, hi + 5 * PG, false, 2);
		put(&pl, MAXOFF - PG, true, 3);
		put(&pl, hi - PG, true, 4);
		CHECK_VALID(&pl);
		CHECK(!zvmo_page_list_lookup(&pl, MAXOFF));
		CHECK(!zvmo_page_list_lookup(&pl, UINT64_MAX & PAGE_MASK));
		CHECK(!zvmo_page_list_remove(&pl, MAXOFF).val);

		plm_rec_reset(&rec);
		plm_rec_reset(&want);
		CHECK_EQ(walk(&pl, 0, UINT64_MAX, true, &rec), 0);
		want_gap(&want, 0, hi - PG);
		want_page(&want, &pl, hi - PG);
		want_page(&want, &pl, hi);
		want_gap(&want, hi + PG, hi + 5 * PG);
		want_page(&want, &pl, hi + 5 * PG);
		want_gap(&want, hi + 6 * PG, MAXOFF - PG);
		want_page(&want, &pl, MAXOFF - PG);
		CHECK_REC(&rec, &want);

		plm_rec_reset(&rec);
		plm_rec_reset(&want);
		CHECK_EQ(zvmo_page_list_walk_runs(&pl, hi, UINT64_MAX,
						     plm_rec_in_run_all,
						     plm_rec_run, &rec), 0);
		want_run(&want, hi, hi + PG);
		want_run(&want, hi + 5 * PG, hi + 6 * PG);
		want_run(&want, MAXOFF - PG, MAXOFF);
		CHECK_REC(&rec, &want);

		/* Take the top into a new list. */
		CHECK_EQ(zvmo_page_list_take_range(&pl, hi, UINT64_MAX, &dst,
						   GFP_KERNEL), 0);
		CHECK_VALID(&pl);
		CHECK_VALID(&dst);
		CHECK_EQ(dst.skew, pl.skew);
		CHECK_EQ(zvmo_page_list_lookup(&dst, 0)->state, 1);
		CHECK(zvmo_pl_slot_is_marker(zvmo_page_list_lookup(&dst,
								   5 * PG)));
		CHECK_EQ(zvmo_page_list_lookup(&dst, MAXOFF - PG - hi)->state,
			 3);
		CHECK_EQ(zvmo_page_list_lookup(&pl, hi - PG)->state, 4);
		CHECK(!zvmo_page_list_lookup(&pl, hi) ||
		      !zvmo_page_list_lookup(&pl, hi)->val);

		/* Merge the rest into a list of the same skew, in place. */
		zvmo_page_list_init(&pl2, pl.skew);
		plm_rec_reset(&rec);
		plm_rec_reset(&want);
		CHECK_EQ(zvmo_page_list_merge(&pl2, &pl, 0, UINT64_MAX,
					      plm_rec_release, plm_rec_migrate,
					      &rec), 0);
		plm_rec_push(&want, PLM_EV_MIGRATE, hi - PG, hi - PG,
			     zvmo_page_list_lookup(&pl2, hi - PG)->val, 4);
		CHECK_REC(&rec, &want);
		CHECK(zvmo_page_list_is_empty(&pl));
		CHECK_VALID(&pl2);

		/* And from there down into @dst, next to what came first. */
		CHECK_EQ(zvmo_page_list_merge(&dst, &pl2, hi - SPAN + PG,
					      UINT64_MAX, release_free, NULL,
					      NULL), -EINVAL);
		CHECK_EQ(zvmo_page_list_merge(&dst, &pl2, hi - 2 * SPAN,
					      UINT64_MAX, release_free, NULL,
					      NULL), 0);
		CHECK(zvmo_page_list_is_empty(&pl2));
		CHECK_EQ(zvmo_page_list_lookup(&dst, 2 * SPAN - PG)->state, 4);
		CHECK_EQ(zvmo_page_list_lookup(&dst, SPAN - PG)->state, 3);
		/* dst holds pages 0, 5, 15 and 31: 2 nodes, 3 if skewed. */
		CHECK_EQ(dst.nr_nodes, skews[i] ? 3 : 2);
		CHECK_VALID(&dst);
		zvmo_page_list_remove_range(&dst, 0, UINT64_MAX, release_free,
					    NULL);
		CHECK(zvmo_page_list_is_empty(&dst));
		CHECK_EQ(dst.nr_nodes, 0);
	}
	plm_rec_free(&rec);
	plm_rec_free(&want);
}

static void test_return_empty_slot(void)
{
	long total = zvmo_page_list_total_nodes();
	struct zvmo_page_list pl;
	struct zvmo_pl_slot *slot;
	unsigned long val;

	zvmo_page_list_init(&pl, 2 * PG);
	CHECK(zvmo_page_list_lookup_or_alloc(&pl, 4 * PG, GFP_KERNEL));
	CHECK_EQ(pl.nr_nodes, 1);
	zvmo_page_list_return_empty_slot(&pl, 4 * PG);
	CHECK_EQ(pl.nr_nodes, 0);
	CHECK(zvmo_page_list_is_empty(&pl));
	CHECK_EQ(zvmo_page_list_total_nodes(), total);
	CHECK_VALID(&pl);

	/* A node with other content stays. */
	val = put(&pl, 5 * PG, true, 9);
	CHECK(zvmo_page_list_lookup_or_alloc(&pl, 4 * PG, GFP_KERNEL));
	zvmo_page_list_return_empty_slot(&pl, 4 * PG);
	CHECK_EQ(pl.nr_nodes, 1);
	CHECK_VALID(&pl);
	/* So does a slot someone filled after all. */
	slot = zvmo_page_list_lookup_or_alloc(&pl, 5 * PG, GFP_KERNEL);
	CHECK(slot && slot->val == val);
	zvmo_page_list_return_empty_slot(&pl, 5 * PG);
	CHECK(zvmo_page_list_lookup(&pl, 5 * PG)->val == val);
	/* Nothing there at all: nothing happens. */
	zvmo_page_list_return_empty_slot(&pl, 500 * PG);
	zvmo_page_list_return_empty_slot(&pl, MAXOFF);
	CHECK_EQ(pl.nr_nodes, 1);
	CHECK_VALID(&pl);
	destroy(&pl);
}

static void test_remove(void)
{
	long total = zvmo_page_list_total_nodes();
	struct zvmo_page_list pl;
	struct zvmo_pl_slot old;
	unsigned long v1, v2;

	zvmo_page_list_init(&pl, 0);
	v1 = put(&pl, 3 * PG, true, 0x11);
	v2 = put(&pl, 4 * PG, false, 0x22);
	put(&pl, 40 * PG, true, 0x33);
	CHECK_EQ(pl.nr_nodes, 2);

	old = zvmo_page_list_remove(&pl, 3 * PG);
	CHECK(old.val == v1 && old.state == 0x11);
	plm_free_val(old.val);
	CHECK(zvmo_pl_slot_is_empty(zvmo_page_list_lookup(&pl, 3 * PG)));
	CHECK_EQ(zvmo_page_list_lookup(&pl, 3 * PG)->state, 0);
	/* An empty slot of a live node, and no node at all. */
	old = zvmo_page_list_remove(&pl, 5 * PG);
	CHECK(!old.val && !old.state);
	old = zvmo_page_list_remove(&pl, 100 * PG);
	CHECK(!old.val && !old.state);
	CHECK_EQ(pl.nr_nodes, 2);

	/* The last slot of a node: the node goes. */
	old = zvmo_page_list_remove(&pl, 4 * PG);
	CHECK(old.val == v2 && old.state == 0x22);
	CHECK(zvmo_pl_slot_is_marker(&old));
	CHECK_EQ(pl.nr_nodes, 1);
	CHECK(!zvmo_page_list_lookup(&pl, 4 * PG));
	CHECK_EQ(zvmo_page_list_total_nodes(), total + 1);
	CHECK_VALID(&pl);
	old = zvmo_page_list_remove(&pl, 40 * PG);
	plm_free_val(old.val);
	CHECK(zvmo_page_list_is_empty(&pl));
	CHECK_EQ(zvmo_page_list_total_nodes(), total);
	CHECK_VALID(&pl);
}

/* Pages at these page numbers, used by several tests. */
static const u64 spread[] = { 0, 1, 15, 16, 17, 40, 100, 1000 };

static void put_spread(struct zvmo_page_list *pl)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(spread); i++)
		put(pl, spread[i] * PG, i % 3, 0x100 + i);
}

/* for_each callback: clear pages in [ctx[0], ctx[1]), return ctx[2]. */
static int clear_some(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	u64 *c = ctx;

	if (off >= c[0] && off < c[1]) {
		plm_free_val(slot->val);
		zvmo_pl_slot_clear(slot);
	}
	return (int)c[2];
}

static void test_for_each(void)
{
	struct zvmo_page_list pl;
	struct plm_rec rec, want;
	unsigned int i;
	u64 c[3];

	plm_rec_init(&rec);
	plm_rec_init(&want);
	zvmo_page_list_init(&pl, 5 * PG);
	put_spread(&pl);
	CHECK_VALID(&pl);

	CHECK_EQ(zvmo_page_list_for_each(&pl, 0, UINT64_MAX, plm_rec_page,
					 &rec), 0);
	for (i = 0; i < ARRAY_SIZE(spread); i++)
		want_page(&want, &pl, spread[i] * PG);
	CHECK_REC(&rec, &want);

	/* A range that is not node aligned at either end. */
	plm_rec_reset(&rec);
	plm_rec_reset(&want);
	CHECK_EQ(zvmo_page_list_for_each(&pl, 16 * PG, 41 * PG, plm_rec_page,
					 &rec), 0);
	want_page(&want, &pl, 16 * PG);
	want_page(&want, &pl, 17 * PG);
	want_page(&want, &pl, 40 * PG);
	CHECK_REC(&rec, &want);

	/* Stop with a positive value, and with an error, at each event. */
	for (i = 1; i <= 8; i++) {
		plm_rec_reset(&rec);
		rec.stop_at = i;
		rec.stop_ret = i & 1 ? (int)i : -EINTR;
		CHECK_EQ(zvmo_page_list_for_each(&pl, 0, UINT64_MAX,
						 plm_rec_page, &rec),
			 rec.stop_ret);
		CHECK_EQ(rec.n, i);
	}
	rec.stop_at = 0;

	/* Clear pages 0..16 from the callback: nodes 0 goes (skew 5). */
	c[0] = 0;
	c[1] = 17 * PG;
	c[2] = 0;
	CHECK_EQ(pl.nr_nodes, 5);
	CHECK_EQ(zvmo_page_list_for_each(&pl, 0, UINT64_MAX, clear_some, c),
		 0);
	CHECK_VALID(&pl);
	CHECK_EQ(pl.nr_nodes, 4);
	CHECK(!zvmo_page_list_lookup(&pl, 0));
	CHECK(zvmo_page_list_lookup(&pl, 17 * PG)->val);

	/* Clear the last slot of a node and stop there: it still goes. */
	c[0] = 40 * PG;
	c[1] = 41 * PG;
	c[2] = 3;
	CHECK_EQ(zvmo_page_list_for_each(&pl, 40 * PG, UINT64_MAX, clear_some,
					 c), 3);
	CHECK_VALID(&pl);
	CHECK_EQ(pl.nr_nodes, 3);
	CHECK(!zvmo_page_list_lookup(&pl, 40 * PG));

	/* Clear everything. */
	c[0] = 0;
	c[1] = MAXOFF;
	c[2] = 0;
	CHECK_EQ(zvmo_page_list_for_each(&pl, 0, UINT64_MAX, clear_some, c),
		 0);
	CHECK(zvmo_page_list_is_empty(&pl));
	CHECK_EQ(pl.nr_nodes, 0);
	CHECK_VALID(&pl);
	plm_rec_free(&rec);
	plm_rec_free(&want);
}

/* gap_fn: fill the whole gap with markers. */
static int fill_all(u64 gap_start, u64 gap_end, void *ctx)
{
	struct zvmo_page_list *pl = ctx;
	struct zvmo_pl_slot *slot;
	u64 off;

	for (off = gap_start; off < gap_end; off += PG) {
		slot = zvmo_page_list_lookup_or_alloc(pl, off, GFP_KERNEL);
		if (!slot)
			return -ENOMEM;
		zvmo_pl_slot_set_marker(slot);
	}
	return 0;
}

static int count_page(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	(void)slot;
	(void)off;
	++*(unsigned long *)ctx;
	return 0;
}

static void test_with_gaps(void)
{
	struct zvmo_page_list pl;
	struct plm_rec rec, want;
	unsigned long n = 0;
	unsigned int i;

	plm_rec_init(&rec);
	plm_rec_init(&want);
	zvmo_page_list_init(&pl, 0);
	put(&pl, 2 * PG, true, 1);
	put(&pl, 3 * PG, true, 2);
	put(&pl, 5 * PG, false, 3);
	put(&pl, 20 * PG, true, 4);
	put(&pl, 100 * PG, true, 5);

	/* Gaps at the start, in the middle (one across nodes), at the end. */
	CHECK_EQ(walk(&pl, 0, 30 * PG, true, &rec), 0);
	want_gap(&want, 0, 2 * PG);
	want_page(&want, &pl, 2 * PG);
	want_page(&want, &pl, 3 * PG);
	want_gap(&want, 4 * PG, 5 * PG);
	want_page(&want, &pl, 5 * PG);
	want_gap(&want, 6 * PG, 20 * PG);
	want_page(&want, &pl, 20 * PG);
	want_gap(&want, 21 * PG, 30 * PG);
	CHECK_REC(&rec, &want);

	/* No gap at either end when pages are there. */
	plm_rec_reset(&rec);
	plm_rec_reset(&want);
	CHECK_EQ(walk(&pl, 3 * PG, 6 * PG, true, &rec), 0);
	want_page(&want, &pl, 3 * PG);
	want_gap(&want, 4 * PG, 5 * PG);
	want_page(&want, &pl, 5 * PG);
	CHECK_REC(&rec, &want);

	/* A gap over absent nodes only. */
	plm_rec_reset(&rec);
	plm_rec_reset(&want);
	CHECK_EQ(walk(&pl, 21 * PG, 100 * PG, true, &rec), 0);
	want_gap(&want, 21 * PG, 100 * PG);
	CHECK_REC(&rec, &want);

	/* Stop at each event: in gap_fn and in page_fn. */
	for (i = 1; i <= 8; i++) {
		plm_rec_reset(&rec);
		rec.stop_at = i;
		rec.stop_ret = i & 1 ? -EAGAIN : (int)i;
		CHECK_EQ(walk(&pl, 0, 30 * PG, true, &rec),
			 rec.stop_ret);
		CHECK_EQ(rec.n, i);
	}
	rec.stop_at = 0;

	/* Only gaps, with no page callback. */
	plm_rec_reset(&rec);
	plm_rec_reset(&want);
	CHECK_EQ(zvmo_page_list_walk_gaps(&pl, PG, 7 * PG, NULL,
						   plm_rec_gap, &rec), 0);
	want_gap(&want, PG, 2 * PG);
	want_gap(&want, 4 * PG, 5 * PG);
	want_gap(&want, 6 * PG, 7 * PG);
	CHECK_REC(&rec, &want);

	/* A gap callback that fills the gaps: all of [0, 40) ends up full. */
	CHECK_EQ(zvmo_page_list_walk_gaps(&pl, 0, 40 * PG, NULL,
						   fill_all, &pl), 0);
	CHECK_VALID(&pl);
	CHECK_EQ(zvmo_page_list_for_each(&pl, 0, 40 * PG, count_page, &n), 0);
	CHECK_EQ(n, 40);
	plm_rec_reset(&rec);
	plm_rec_reset(&want);
	CHECK_EQ(walk(&pl, 0, 200 * PG, true, &rec), 0);
	CHECK_EQ(rec.n, 43);
	CHECK(rec.ev[40].kind == PLM_EV_GAP && rec.ev[40].a == 40 * PG &&
	      rec.ev[40].b == 100 * PG);
	destroy(&pl);
	plm_rec_free(&rec);
	plm_rec_free(&want);
}

static bool in_run_pages(const struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	(void)off;
	(void)ctx;
	return zvmo_pl_slot_is_page(slot);
}

struct remove_run_ctx {
	struct zvmo_page_list *pl;
	struct plm_rec rec;
};

static int remove_run_fn(u64 run_start, u64 run_end, void *ctx)
{
	struct remove_run_ctx *c = ctx;

	plm_rec_push(&c->rec, PLM_EV_RUN, run_start, run_end, 0, 0);
	zvmo_page_list_remove_range(c->pl, run_start, run_end, release_free,
				    NULL);
	return 0;
}

static bool in_run_rc(const struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
	return plm_rec_in_run_all(slot, off, ctx);
}

static void test_runs(void)
{
	struct remove_run_ctx rc;
	struct zvmo_page_list pl;
	struct plm_rec rec, want;
	unsigned int i;

	plm_rec_init(&rec);
	plm_rec_init(&want);
	/* Skew 7: page 9 starts a node, so runs cross node boundaries. */
	zvmo_page_list_init(&pl, 7 * PG);
	put_pages(&pl, 5, 13);
	put(&pl, 14 * PG, false, 0);
	put_pages(&pl, 15, 16);
	put_pages(&pl, 18, 19);
	put_pages(&pl, 48, 49);
	/* Adjacent nodes: pages 56 and 57 are in different nodes. */
	put_pages(&pl, 56, 57);
	/*
	 * Page 88 ends a node, page 105 starts one: the node between them is
	 * absent.
	 */
	put(&pl, 88 * PG, true, 0);
	put(&pl, 105 * PG, true, 0);
	CHECK_VALID(&pl);

	CHECK_EQ(zvmo_page_list_walk_runs(&pl, 0, UINT64_MAX,
					     plm_rec_in_run_all, plm_rec_run,
					     &rec), 0);
	want_run(&want, 5 * PG, 17 * PG);
	want_run(&want, 18 * PG, 20 * PG);
	want_run(&want, 48 * PG, 50 * PG);
	want_run(&want, 56 * PG, 58 * PG);
	want_run(&want, 88 * PG, 89 * PG);
	want_run(&want, 105 * PG, 106 * PG);
	CHECK_REC(&rec, &want);

	/* Pages only: the marker at 14 splits the first run. */
	plm_rec_reset(&rec);
	plm_rec_reset(&want);
	CHECK_EQ(zvmo_page_list_walk_runs(&pl, 0, 50 * PG, in_run_pages,
					     plm_rec_run, &rec), 0);
	want_run(&want, 5 * PG, 14 * PG);
	want_run(&want, 15 * PG, 17 * PG);
	want_run(&want, 18 * PG, 20 * PG);
	want_run(&want, 48 * PG, 50 * PG);
	CHECK_REC(&rec, &want);

	/* Clipped to the range. */
	plm_rec_reset(&rec);
	plm_rec_reset(&want);
	CHECK_EQ(zvmo_page_list_walk_runs(&pl, 6 * PG, 19 * PG,
					     plm_rec_in_run_all, plm_rec_run,
					     &rec), 0);
	want_run(&want, 6 * PG, 17 * PG);
	want_run(&want, 18 * PG, 19 * PG);
	CHECK_REC(&rec, &want);

	/* Early stop at each run. */
	for (i = 1; i <= 6; i++) {
		plm_rec_reset(&rec);
		rec.stop_at = i;
		rec.stop_ret = i & 1 ? (int)i : -EIO;
		CHECK_EQ(zvmo_page_list_walk_runs(&pl, 0, UINT64_MAX,
						     plm_rec_in_run_all,
						     plm_rec_run, &rec),
			 rec.stop_ret);
		CHECK_EQ(rec.n, i);
	}
	rec.stop_at = 0;

	/* A run callback that removes its run empties the list. */
	rc.pl = &pl;
	plm_rec_init(&rc.rec);
	CHECK_EQ(zvmo_page_list_walk_runs(&pl, 0, UINT64_MAX, in_run_rc,
					     remove_run_fn, &rc), 0);
	plm_rec_reset(&want);
	want_run(&want, 5 * PG, 17 * PG);
	want_run(&want, 18 * PG, 20 * PG);
	want_run(&want, 48 * PG, 50 * PG);
	want_run(&want, 56 * PG, 58 * PG);
	want_run(&want, 88 * PG, 89 * PG);
	want_run(&want, 105 * PG, 106 * PG);
	CHECK_REC(&rc.rec, &want);
	CHECK(zvmo_page_list_is_empty(&pl));
	CHECK_VALID(&pl);
	plm_rec_free(&rc.rec);
	plm_rec_free(&rec);
	plm_rec_free(&want);
}

static void test_remove_range(void)
{
	long total = zvmo_page_list_total_nodes();
	struct zvmo_page_list pl;
	struct plm_rec rec, want;
	u64 p;

	plm_rec_init(&rec);
	plm_rec_init(&want);
	rec.free_pages = true;
	zvmo_page_list_init(&pl, 3 * PG);
	put_pages(&pl, 0, 40);
	CHECK_EQ(pl.nr_nodes, 3);

	/* Empty and reversed ranges do nothing. */
	zvmo_page_list_remove_range(&pl, 5 * PG, 5 * PG, plm_rec_release,
				    &rec);
	zvmo_page_list_remove_range(&pl, 6 * PG, 5 * PG, plm_rec_release,
				    &rec);
	CHECK_EQ(rec.n, 0);

	/* Not node aligned: the middle node goes, the ends stay. */
	for (p = 5; p < 37; p++)
		plm_rec_push(&want, PLM_EV_RELEASE, p * PG, 0,
			     zvmo_page_list_lookup(&pl, p * PG)->val, p);
	zvmo_page_list_remove_range(&pl, 5 * PG, 37 * PG, plm_rec_release,
				    &rec);
	CHECK_REC(&rec, &want);
	CHECK_VALID(&pl);
	CHECK_EQ(pl.nr_nodes, 2);
	CHECK_EQ(zvmo_page_list_total_nodes(), total + 2);
	CHECK(!zvmo_page_list_lookup(&pl, 20 * PG));
	CHECK(zvmo_page_list_lookup(&pl, 4 * PG)->val);
	CHECK(!zvmo_page_list_lookup(&pl, 5 * PG)->val);
	CHECK(!zvmo_page_list_lookup(&pl, 36 * PG)->val);
	CHECK(zvmo_page_list_lookup(&pl, 37 * PG)->val);

	/* No release callback. */
	CHECK_EQ(zvmo_page_list_lookup(&pl, 0)->state, 0);
	plm_free_val(zvmo_page_list_lookup(&pl, 0)->val);
	zvmo_page_list_remove_range(&pl, 0, PG, NULL, NULL);
	CHECK(!zvmo_page_list_lookup(&pl, 0)->val);

	/* To the end of everything. */
	plm_rec_reset(&rec);
	zvmo_page_list_remove_range(&pl, 0, UINT64_MAX, plm_rec_release, &rec);
	CHECK_EQ(rec.n, 4 + 4);
	CHECK(zvmo_page_list_is_empty(&pl));
	CHECK_EQ(zvmo_page_list_total_nodes(), total);
	plm_rec_free(&rec);
	plm_rec_free(&want);
}

/* The slot addresses of @pl's content, to see that nodes moved whole. */
static struct zvmo_pl_slot *slot_at(struct zvmo_page_list *pl, u64 off)
{
	return zvmo_page_list_lookup(pl, off);
}

static void test_take_range(void)
{
	struct zvmo_page_list src, dst;
	struct zvmo_pl_slot *interior, *head;
	struct plm_rec before, rec, want;
	unsigned long calls;
	unsigned int i;
	u64 p;

	plm_rec_init(&before);
	plm_rec_init(&rec);
	plm_rec_init(&want);

	/* Pages 0..80 but 50, skew 2: nodes hold pages 0..13, 14..29, ... */
	zvmo_page_list_init(&src, 2 * PG);
	put_pages(&src, 0, 49);
	put_pages(&src, 51, 80);
	CHECK_EQ(src.nr_nodes, 6);
	walk(&src, 0, UINT64_MAX, false, &before);
	interior = slot_at(&src, 40 * PG);

	/* [10, 70): both end nodes split, the middle ones move. */
	calls = shim_alloc_calls();
	CHECK_EQ(zvmo_page_list_take_range(&src, 10 * PG, 70 * PG, &dst,
					   GFP_KERNEL), 0);
	CHECK_EQ(shim_alloc_calls() - calls, 2);
	CHECK_EQ(dst.skew, 12 * PG);
	CHECK_VALID(&src);
	CHECK_VALID(&dst);
	CHECK(slot_at(&dst, 30 * PG) == interior);
	CHECK_EQ(src.nr_nodes, 3);
	CHECK_EQ(dst.nr_nodes, 5);
	walk(&src, 0, UINT64_MAX, false, &rec);
	walk(&dst, 0, UINT64_MAX, false, &rec);
	/* src keeps 0..9 and 70..80; dst has 10..69 at 0..59. */
	for (i = 0; i < before.n; i++) {
		p = before.ev[i].a / PG;
		if (p >= 10 && p < 70)
			continue;
		plm_rec_push(&want, PLM_EV_PAGE, p * PG, 0, before.ev[i].val,
			     before.ev[i].state);
	}
	for (i = 0; i < before.n; i++) {
		p = before.ev[i].a / PG;
		if (p < 10 || p >= 70)
			continue;
		plm_rec_push(&want, PLM_EV_PAGE, (p - 10) * PG, 0,
			     before.ev[i].val, before.ev[i].state);
	}
	CHECK_REC(&rec, &want);
	destroy(&dst);

	/*
	 * End nodes with nothing outside the range move whole, without an
	 * allocation: src holds 0..9 and 70..80 now, and [70, 82) is
	 * skewed 72..84, so node 64 is partial but 62..69 went already.
	 */
	calls = shim_alloc_calls();
	interior = slot_at(&src, 70 * PG);
	CHECK_EQ(zvmo_page_list_take_range(&src, 70 * PG, 82 * PG, &dst,
					   GFP_KERNEL), 0);
	CHECK_EQ(shim_alloc_calls(), calls);
	CHECK(slot_at(&dst, 0) == interior);
	CHECK_VALID(&src);
	CHECK_VALID(&dst);
	CHECK_EQ(dst.nr_nodes, 2);
	CHECK_EQ(src.nr_nodes, 1);
	destroy(&dst);

	/* The whole of a single node's middle: one new node. */
	destroy(&src);
	zvmo_page_list_init(&src, 0);
	put_pages(&src, 0, 15);
	head = slot_at(&src, 0);
	calls = shim_alloc_calls();
	CHECK_EQ(zvmo_page_list_take_range(&src, 3 * PG, 9 * PG, &dst,
					   GFP_KERNEL), 0);
	CHECK_EQ(shim_alloc_calls() - calls, 1);
	CHECK_EQ(dst.skew, 3 * PG);
	CHECK(slot_at(&src, 0) == head);
	CHECK(!slot_at(&src, 3 * PG)->val && !slot_at(&src, 8 * PG)->val);
	CHECK_EQ(slot_at(&src, 9 * PG)->state, 9);
	CHECK_EQ(slot_at(&dst, 0)->state, 3);
	CHECK_EQ(slot_at(&dst, 5 * PG)->state, 8);
	CHECK(!slot_at(&dst, 6 * PG) || !slot_at(&dst, 6 * PG)->val);
	CHECK_VALID(&src);
	CHECK_VALID(&dst);
	destroy(&dst);

	/* A range with nothing in it, and an empty range. */
	calls = shim_alloc_calls();
	CHECK_EQ(zvmo_page_list_take_range(&src, 3 * PG, 9 * PG, &dst,
					   GFP_KERNEL), 0);
	CHECK(zvmo_page_list_is_empty(&dst));
	CHECK_EQ(zvmo_page_list_take_range(&src, 9 * PG, 9 * PG, &dst,
					   GFP_KERNEL), 0);
	CHECK(zvmo_page_list_is_empty(&dst));
	CHECK_EQ(dst.skew, 9 * PG);
	CHECK_EQ(zvmo_page_list_take_range(&src, 9 * PG, 2 * PG, &dst,
					   GFP_KERNEL), 0);
	CHECK(zvmo_page_list_is_empty(&dst));
	CHECK_EQ(shim_alloc_calls(), calls);

	/* Everything: every node moves, none is allocated. */
	put_pages(&src, 100, 140);
	calls = shim_alloc_calls();
	CHECK_EQ(zvmo_page_list_take_range(&src, 0, UINT64_MAX, &dst,
					   GFP_KERNEL), 0);
	CHECK_EQ(shim_alloc_calls(), calls);
	CHECK(zvmo_page_list_is_empty(&src));
	CHECK_EQ(src.nr_nodes, 0);
	CHECK_EQ(slot_at(&dst, 120 * PG)->state, 120);
	CHECK(slot_at(&dst, 0) == head);
	CHECK_VALID(&dst);
	destroy(&dst);
	destroy(&src);
	plm_rec_free(&before);
	plm_rec_free(&rec);
	plm_rec_free(&want);
}

static void test_take_range_enomem(void)
{
	static const u64 skews[] = { 0, 2 * PG, 15 * PG };
	struct plm_rec before, after;
	struct zvmo_page_list src, dst;
	unsigned int s, k, points;
	long allocs;
	int ret;

	plm_rec_init(&before);
	plm_rec_init(&after);
	for (s = 0; s < 3; s++) {
		zvmo_page_list_init(&src, skews[s]);
		put_pages(&src, 0, 80);
		put(&src, 0x7fffffffffff0000ULL, true, 1);
		plm_rec_reset(&before);
		walk(&src, 0, UINT64_MAX, true, &before);
		allocs = shim_live_allocs();
		/* Fail the k-th allocation, for each k until none fails. */
		for (points = 0, k = 1;; k++) {
			shim_fail_nth(k);
			ret = zvmo_page_list_take_range(&src, 7 * PG, 75 * PG,
							&dst, GFP_KERNEL);
			shim_fault_off();
			if (!ret)
				break;
			CHECK_EQ(ret, -ENOMEM);
			points++;
			CHECK(zvmo_page_list_is_empty(&dst));
			CHECK_EQ(dst.nr_nodes, 0);
			CHECK_VALID(&src);
			CHECK_VALID(&dst);
			CHECK_EQ(shim_live_allocs(), allocs);
			plm_rec_reset(&after);
			walk(&src, 0, UINT64_MAX, true, &after);
			CHECK_REC(&after, &before);
		}
		/* Two split nodes: two allocations that can fail. */
		CHECK_EQ(points, 2);
		CHECK_VALID(&src);
		CHECK_VALID(&dst);
		CHECK_EQ(slot_at(&dst, 0)->state, 7);
		destroy(&dst);
		destroy(&src);
	}
	plm_rec_free(&before);
	plm_rec_free(&after);
}

static void test_lookup_or_alloc_enomem(void)
{
	struct zvmo_page_list pl;
	struct plm_rec before, after;
	long allocs;

	plm_rec_init(&before);
	plm_rec_init(&after);
	zvmo_page_list_init(&pl, 4 * PG);
	put_spread(&pl);
	walk(&pl, 0, UINT64_MAX, true, &before);
	allocs = shim_live_allocs();

	/* The one allocation point: a new node. */
	shim_fail_nth(1);
	CHECK(!zvmo_page_list_lookup_or_alloc(&pl, 500 * PG, GFP_KERNEL));
	shim_fail_prob(1000000, 7);
	CHECK(!zvmo_page_list_lookup_or_alloc(&pl, 60 * PG, GFP_KERNEL));
	CHECK(!zvmo_page_list_lookup_or_alloc(&pl, 0x7fffffffffff0000ULL,
					      GFP_KERNEL));
	/* An existing node needs no allocation. */
	CHECK(zvmo_page_list_lookup_or_alloc(&pl, 2 * PG, GFP_KERNEL));
	shim_fault_off();
	CHECK_EQ(shim_live_allocs(), allocs);
	CHECK_VALID(&pl);
	walk(&pl, 0, UINT64_MAX, true, &after);
	CHECK_REC(&after, &before);
	CHECK(!zvmo_page_list_lookup(&pl, 500 * PG));
	/* And then it works. */
	CHECK(zvmo_page_list_lookup_or_alloc(&pl, 500 * PG, GFP_KERNEL));
	zvmo_page_list_return_empty_slot(&pl, 500 * PG);
	CHECK_VALID(&pl);
	destroy(&pl);
	plm_rec_free(&before);
	plm_rec_free(&after);
}

static void test_merge_whole_nodes(void)
{
	struct zvmo_page_list src, dst;
	struct zvmo_pl_slot *s20, *s40;
	struct plm_rec rec, want;
	unsigned long calls;
	u64 p;

	plm_rec_init(&rec);
	plm_rec_init(&want);
	/* src skew 5, start 32 pages: dst skew (5 + 32) % 16 = 5. */
	zvmo_page_list_init(&src, 5 * PG);
	zvmo_page_list_init(&dst, 5 * PG);
	put_pages(&src, 32, 70);
	s40 = slot_at(&src, 40 * PG);
	s20 = slot_at(&src, 64 * PG);
	for (p = 32; p <= 70; p++)
		plm_rec_push(&want, PLM_EV_MIGRATE, p * PG, (p - 32) * PG,
			     slot_at(&src, p * PG)->val, p);
	calls = shim_alloc_calls();
	shim_fail_prob(1000000, 3);
	CHECK_EQ(zvmo_page_list_merge(&dst, &src, 32 * PG, UINT64_MAX,
				      plm_rec_release, plm_rec_migrate, &rec),
		 0);
	shim_fault_off();
	CHECK_EQ(shim_alloc_calls(), calls);
	CHECK_REC(&rec, &want);
	CHECK(zvmo_page_list_is_empty(&src));
	CHECK_EQ(src.nr_nodes, 0);
	CHECK_EQ(dst.nr_nodes, 3);
	CHECK_VALID(&src);
	CHECK_VALID(&dst);
	/* Relinked, not copied. */
	CHECK(slot_at(&dst, 8 * PG) == s40);
	CHECK(slot_at(&dst, 32 * PG) == s20);
	CHECK_EQ(slot_at(&dst, 38 * PG)->state, 70);
	destroy(&dst);
	plm_rec_free(&rec);
	plm_rec_free(&want);
}

static void test_merge_into_content(void)
{
	struct zvmo_page_list src, dst;
	struct plm_rec rec, want;
	unsigned long keep[4];
	u64 p;

	plm_rec_init(&rec);
	plm_rec_init(&want);
	rec.free_pages = true;
	/* skew 0 both, start 16 pages. */
	zvmo_page_list_init(&src, 0);
	zvmo_page_list_init(&dst, 0);
	put_pages(&src, 10, 40);
	keep[0] = put(&dst, 0, true, 0xd0);
	keep[1] = put(&dst, 3 * PG, false, 0xd3);
	keep[2] = put(&dst, 15 * PG, true, 0xdf);
	keep[3] = put(&dst, 20 * PG, true, 0xe4);

	/*
	 * [16, 36) in: pages 10..15 and 36..40 released, pages whose dst
	 * offset is taken released, the rest migrate.
	 */
	for (p = 10; p <= 40; p++) {
		struct zvmo_pl_slot *slot = slot_at(&src, p * PG);
		u64 d = p - 16;

		if (p < 16 || p >= 36 || d == 0 || d == 3 || d == 15 ||
		    d == 20)
			plm_rec_push(&want, PLM_EV_RELEASE, p * PG, 0,
				     slot->val, p);
		else
			plm_rec_push(&want, PLM_EV_MIGRATE, p * PG, d * PG,
				     slot->val, p);
	}
	CHECK_EQ(zvmo_page_list_merge(&dst, &src, 16 * PG, 36 * PG,
				      plm_rec_release, plm_rec_migrate, &rec),
		 0);
	CHECK_REC(&rec, &want);
	CHECK(zvmo_page_list_is_empty(&src));
	CHECK_VALID(&dst);
	CHECK(slot_at(&dst, 0)->val == keep[0] && slot_at(&dst, 0)->state == 0xd0);
	CHECK(slot_at(&dst, 3 * PG)->val == keep[1]);
	CHECK(slot_at(&dst, 15 * PG)->val == keep[2]);
	CHECK(slot_at(&dst, 20 * PG)->val == keep[3]);
	CHECK_EQ(slot_at(&dst, PG)->state, 17);
	CHECK_EQ(slot_at(&dst, 19 * PG)->state, 35);
	CHECK(!slot_at(&dst, 20 * PG + 1 * PG)->val);
	CHECK_EQ(dst.nr_nodes, 2);
	destroy(&dst);
	plm_rec_free(&rec);
	plm_rec_free(&want);
}

/* migrate: clear odd pages (nothing moves), set state of even ones. */
static void migrate_some(struct zvmo_pl_slot *slot, u64 src_off, u64 dst_off,
			 void *ctx)
{
	(void)ctx;
	if ((src_off / PG) & 1) {
		plm_free_val(slot->val);
		zvmo_pl_slot_clear(slot);
	} else {
		slot->state = 0x1000 + dst_off / PG;
	}
}

static void test_merge_migrate(void)
{
	struct zvmo_page_list src, dst;
	u64 p;

	/* Skew mismatch: -EINVAL and nothing happens. */
	zvmo_page_list_init(&src, 3 * PG);
	zvmo_page_list_init(&dst, 0);
	put_pages(&src, 0, 40);
	put(&dst, 2 * PG, true, 0);
	CHECK_EQ(zvmo_page_list_merge(&dst, &src, 0, UINT64_MAX, NULL, NULL,
				      NULL), -EINVAL);
	CHECK_EQ(zvmo_page_list_merge(&dst, &src, 14 * PG, UINT64_MAX, NULL,
				      NULL, NULL), -EINVAL);
	CHECK_EQ(src.nr_nodes, 3);
	CHECK_EQ(slot_at(&src, 40 * PG)->state, 40);
	CHECK_VALID(&src);

	/* (3 + 13) % 16 = 0: matches. Page 15 is dst 2: dst keeps its own. */
	CHECK_EQ(zvmo_page_list_merge(&dst, &src, 13 * PG, 35 * PG,
				      release_free, migrate_some, NULL), 0);
	CHECK(zvmo_page_list_is_empty(&src));
	CHECK_VALID(&dst);
	CHECK_EQ(slot_at(&dst, 2 * PG)->state, 0);
	for (p = 13; p < 35; p++) {
		struct zvmo_pl_slot *slot = slot_at(&dst, (p - 13) * PG);

		if (p == 15)
			continue;
		if (p & 1) {
			CHECK(!slot || !slot->val);
		} else {
			CHECK(slot && zvmo_pl_slot_is_page(slot));
			CHECK_EQ(slot->state, 0x1000 + p - 13);
		}
	}
	destroy(&dst);

	/* An empty range releases all of src. */
	zvmo_page_list_init(&src, 0);
	put_pages(&src, 0, 20);
	CHECK_EQ(zvmo_page_list_merge(&dst, &src, 16 * PG, 16 * PG,
				      release_free, NULL, NULL), 0);
	CHECK(zvmo_page_list_is_empty(&src) && zvmo_page_list_is_empty(&dst));
	CHECK_VALID(&dst);
}

static void test_validate(void)
{
	struct zvmo_page_list pl;
	struct zvmo_pl_node *node, *hint;
	unsigned long printed = shim_printk_count();
	struct zvmo_pl_slot *slot;
	unsigned long saved;
	u64 off;

	shim_printk_quiet(true);
	zvmo_page_list_init(&pl, 0);
	put_spread(&pl);
	CHECK_VALID(&pl);
	CHECK_EQ(shim_printk_count(), printed);

	/* An empty node. */
	CHECK(zvmo_page_list_lookup_or_alloc(&pl, 300 * PG, GFP_KERNEL));
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	CHECK(shim_printk_count() > printed);
	zvmo_page_list_return_empty_slot(&pl, 300 * PG);
	CHECK_VALID(&pl);

	/* A wrong node count. */
	pl.nr_nodes++;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	pl.nr_nodes -= 2;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	pl.nr_nodes++;
	CHECK_VALID(&pl);

	/*
	 * Bad slot values: no tag, a compressed reference without a handle,
	 * a marker with bits. A compressed reference with one is good.
	 */
	slot = slot_at(&pl, 40 * PG);
	saved = slot->val;
	slot->val &= ~ZVMO_PL_TAG_MASK;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	slot->val |= ZVMO_PL_TAG_COMPRESSED;
	CHECK_VALID(&pl);
	CHECK(zvmo_pl_slot_is_compressed(slot));
	CHECK(!zvmo_pl_slot_page(slot));
	CHECK(zvmo_pl_slot_compressed(slot) == (slot->val & ~ZVMO_PL_TAG_MASK));
	slot->val = ZVMO_PL_TAG_COMPRESSED;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	slot->val = saved;
	CHECK_VALID(&pl);
	slot = slot_at(&pl, 16 * PG);
	CHECK(zvmo_pl_slot_is_marker(slot));
	slot->val |= 0x40;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	slot->val = ZVMO_PL_TAG_MARKER;

	/* State in an empty slot. */
	slot = slot_at(&pl, 41 * PG);
	slot->state = 1;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	slot->state = 0;
	CHECK_VALID(&pl);

	/* A misaligned node, and nodes out of order. */
	node = rb_entry(rb_first(&pl.root), struct zvmo_pl_node, rb);
	node->offset += PG;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	node->offset -= PG;
	off = node->offset;
	node->offset = 1 << 30;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	node->offset = off;
	CHECK_VALID(&pl);

	/* A slot below offset 0 holding something (skew 4: slot 0..3). */
	destroy(&pl);
	zvmo_page_list_init(&pl, 4 * PG);
	put(&pl, 0, true, 0);
	slot = slot_at(&pl, 0);
	(slot - 1)->val = ZVMO_PL_TAG_MARKER;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	(slot - 1)->val = 0;
	CHECK_VALID(&pl);

	/* A bad skew, and a hint that is not in the list. */
	pl.skew = SPAN;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	pl.skew = 4 * PG + 1;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	pl.skew = 4 * PG;
	hint = pl.hint;
	pl.hint = (struct zvmo_pl_node *)&pl;
	CHECK_EQ(zvmo_page_list_validate(&pl), -EINVAL);
	pl.hint = hint;
	CHECK_VALID(&pl);
	destroy(&pl);
	shim_printk_quiet(false);
}

static void test_hint(void)
{
	struct zvmo_page_list pl, other;
	struct zvmo_pl_slot *slot;
	struct zvmo_pl_slot old;

	/* The looked-up node goes: the next lookup must not use it. */
	zvmo_page_list_init(&pl, 0);
	put(&pl, 5 * PG, true, 1);
	CHECK(slot_at(&pl, 5 * PG));
	old = zvmo_page_list_remove(&pl, 5 * PG);
	plm_free_val(old.val);
	CHECK_VALID(&pl);
	CHECK(!zvmo_page_list_lookup(&pl, 5 * PG));
	slot = zvmo_page_list_lookup_or_alloc(&pl, 5 * PG, GFP_KERNEL);
	CHECK(slot && !slot->val);
	zvmo_page_list_return_empty_slot(&pl, 5 * PG);
	CHECK_VALID(&pl);

	/* ... or moves to another list. */
	put(&pl, 5 * PG, true, 1);
	put(&pl, 50 * PG, true, 2);
	CHECK(slot_at(&pl, 5 * PG));
	CHECK_EQ(zvmo_page_list_take_range(&pl, 0, 16 * PG, &other,
					   GFP_KERNEL), 0);
	CHECK_VALID(&pl);
	CHECK(!zvmo_page_list_lookup(&pl, 5 * PG));
	CHECK(slot_at(&other, 5 * PG));
	CHECK_EQ(zvmo_page_list_merge(&pl, &other, 0, UINT64_MAX,
				      release_free, NULL, NULL), 0);
	CHECK_VALID(&other);
	CHECK_VALID(&pl);
	CHECK(!zvmo_page_list_lookup(&other, 5 * PG));
	CHECK_EQ(slot_at(&pl, 5 * PG)->state, 1);
	/* Emptied by a walk. */
	zvmo_page_list_remove_range(&pl, 0, UINT64_MAX, release_free, NULL);
	CHECK_VALID(&pl);
	CHECK(!zvmo_page_list_lookup(&pl, 50 * PG));
}

static void test_sparse_walks(void)
{
	struct zvmo_page_list pl;
	struct plm_rec rec;
	clock_t t0 = clock();
	int i;

	plm_rec_init(&rec);
	zvmo_page_list_init(&pl, 9 * PG);
	put(&pl, 0, true, 0);
	put(&pl, MAXOFF - PG, true, 0);
	for (i = 0; i < 1000; i++) {
		plm_rec_reset(&rec);
		CHECK_EQ(walk(&pl, 0, 1ULL << 60, false, &rec), 0);
		CHECK_EQ(rec.n, 1);
		plm_rec_reset(&rec);
		CHECK_EQ(walk(&pl, 0, UINT64_MAX, true, &rec), 0);
		CHECK_EQ(rec.n, 3);
		plm_rec_reset(&rec);
		CHECK_EQ(zvmo_page_list_walk_runs(&pl, PG, UINT64_MAX,
						     plm_rec_in_run_all,
						     plm_rec_run, &rec), 0);
		CHECK_EQ(rec.n, 1);
		zvmo_page_list_remove_range(&pl, PG, MAXOFF - PG, NULL, NULL);
	}
	CHECK_EQ(pl.nr_nodes, 2);
	/* Any cost in the length of the range would take years. */
	CHECK((clock() - t0) / CLOCKS_PER_SEC < 5);
	destroy(&pl);
	plm_rec_free(&rec);
}

static void test_destroy(void)
{
	long total = zvmo_page_list_total_nodes();
	struct zvmo_page_list pl;
	struct plm_rec rec, want;
	unsigned int i;

	plm_rec_init(&rec);
	plm_rec_init(&want);
	rec.free_pages = true;
	zvmo_page_list_init(&pl, 11 * PG);
	put_spread(&pl);
	put(&pl, MAXOFF - PG, false, 77);
	for (i = 0; i < ARRAY_SIZE(spread); i++)
		plm_rec_push(&want, PLM_EV_RELEASE, spread[i] * PG, 0,
			     slot_at(&pl, spread[i] * PG)->val, 0x100 + i);
	plm_rec_push(&want, PLM_EV_RELEASE, MAXOFF - PG, 0,
		     ZVMO_PL_TAG_MARKER, 77);
	zvmo_page_list_destroy(&pl, plm_rec_release, &rec);
	CHECK_REC(&rec, &want);
	CHECK(zvmo_page_list_is_empty(&pl));
	CHECK_EQ(zvmo_page_list_total_nodes(), total);
	/* Usable again. */
	put(&pl, PG, true, 0);
	CHECK_VALID(&pl);
	destroy(&pl);
	destroy(&pl);
	plm_rec_free(&rec);
	plm_rec_free(&want);
}

/* --- the model-based random test ------------------------------------------ */

static uint64_t seed;
static unsigned long iters;

static void run_model(bool faults, uint64_t base, unsigned long seqs,
		      unsigned int ops)
{
	unsigned long i, injected = shim_faults_injected();
	unsigned int j;
	struct plm_rand r;
	struct plm h;
	bool ok;

	for (i = 0; i < seqs; i++) {
		plm_rand_seed(&r, base + i);
		plm_init(&h, &r, faults);
		/* Sequences vary in length: some lists grow big. */
		ok = true;
		for (j = ops / 4 + plm_rand_below(&r, ops); ok && j; j--)
			ok = plm_step(&h);
		if (ok)
			ok = plm_fini(&h);
		shim_fault_off();
		if (!ok) {
			fprintf(stderr, "# sequence %lu (seed %#llx): %s\n",
				i, (unsigned long long)(base + i), h.err);
			/* Free what can be freed; the test failed anyway. */
			plm_fini(&h);
			CHECK(ok);
		}
	}
	if (faults)
		CHECK(shim_faults_injected() > injected);
}

static void test_model(void)
{
	run_model(false, seed, iters, 150);
}

static void test_model_faults(void)
{
	run_model(true, seed ^ 0xfa17fa17ULL, iters, 150);
}

/* --- the runner ------------------------------------------------------------ */

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "rbtree_random", test_rbtree_random },
	{ "rbtree_sequential", test_rbtree_sequential },
	{ "slot_helpers", test_slot_helpers },
	{ "empty_list", test_empty_list },
	{ "lookup_or_alloc", test_lookup_or_alloc },
	{ "skew", test_skew },
	{ "high_offsets", test_high_offsets },
	{ "return_empty_slot", test_return_empty_slot },
	{ "remove", test_remove },
	{ "for_each", test_for_each },
	{ "walk_gaps", test_with_gaps },
	{ "walk_runs", test_runs },
	{ "remove_range", test_remove_range },
	{ "take_range", test_take_range },
	{ "take_range_enomem", test_take_range_enomem },
	{ "lookup_or_alloc_enomem", test_lookup_or_alloc_enomem },
	{ "merge_whole_nodes", test_merge_whole_nodes },
	{ "merge_into_content", test_merge_into_content },
	{ "merge_migrate_and_mismatch", test_merge_migrate },
	{ "validate", test_validate },
	{ "hint", test_hint },
	{ "sparse_walks", test_sparse_walks },
	{ "destroy", test_destroy },
	{ "model_random", test_model },
	{ "model_random_faults", test_model_faults },
};

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned int i, n = 0, pass = 0, fail = 0;
	const char *env;
	long allocs, pages, nodes;

	env = getenv("ZVMO_SEED");
	seed = env ? strtoull(env, NULL, 0) : 0x20251123;
	env = getenv("ZVMO_ITERS");
	iters = env ? strtoul(env, NULL, 0) : 2500;

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
	n = 0;
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (filter && !strstr(tests[i].name, filter))
			continue;
		allocs = shim_live_allocs();
		pages = shim_live_pages();
		nodes = zvmo_page_list_total_nodes();
		test_failed = false;
		tests[i].fn();
		shim_fault_off();
		if (!test_failed && (shim_live_allocs() != allocs ||
				     shim_live_pages() != pages ||
				     zvmo_page_list_total_nodes() != nodes)) {
			fprintf(stderr,
				"# leaked: %ld allocations, %ld pages, %ld nodes\n",
				shim_live_allocs() - allocs,
				shim_live_pages() - pages,
				zvmo_page_list_total_nodes() - nodes);
			test_failed = true;
		}
		printf("%sok %u - %s\n", test_failed ? "not " : "", ++n,
		       tests[i].name);
		fflush(stdout);
		if (test_failed)
			fail++;
		else
			pass++;
	}

	/* Nothing may be left, whichever tests ran. */
	test_failed = shim_live_allocs() || shim_live_pages() ||
		      zvmo_page_list_total_nodes();
	if (test_failed)
		fprintf(stderr, "# left: %ld allocations, %ld pages, %ld nodes\n",
			shim_live_allocs(), shim_live_pages(),
			zvmo_page_list_total_nodes());
	zvmo_page_list_cache_exit();
	printf("%sok %u - no_leaks\n", test_failed ? "not " : "", ++n);
	if (test_failed)
		fail++;
	else
		pass++;
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       pass, fail);
	return fail ? 1 : 0;
}
