// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the page list in the kernel itself: the real rbtree, the
 * real slab cache and real pages, where tools/testing/host has a shim.
 * Built only when the kernel has KUnit; they run when the module loads.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>

#include "page_list.h"
#include "zvmo.h"

#define NPAGES	8

struct pl_ctx {
	struct zvmo_page_list pl;
	struct page *pages[NPAGES];
};

static int pl_init(struct kunit *test)
{
	struct pl_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	for (i = 0; i < NPAGES; i++) {
		ctx->pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ctx->pages[i]);
	}
	test->priv = ctx;
	return 0;
}

static void pl_exit(struct kunit *test)
{
	struct pl_ctx *ctx = test->priv;
	int i;

	/* The list only points at the pages: empty it, then free them. */
	zvmo_page_list_destroy(&ctx->pl, NULL, NULL);
	for (i = 0; i < NPAGES; i++)
		__free_page(ctx->pages[i]);
}

static void put(struct kunit *test, struct zvmo_page_list *pl, u64 off,
		struct page *page)
{
	struct zvmo_pl_slot *slot;

	slot = zvmo_page_list_lookup_or_alloc(pl, off, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, slot);
	zvmo_pl_slot_set_page(slot, page);
}

static struct page *get(struct zvmo_page_list *pl, u64 off)
{
	struct zvmo_pl_slot *slot = zvmo_page_list_lookup(pl, off);

	return slot ? zvmo_pl_slot_page(slot) : NULL;
}

/* Pages far apart, with a skew, at both ends of the offset range. */
static void pl_test_sparse_with_skew(struct kunit *test)
{
	struct pl_ctx *ctx = test->priv;
	struct zvmo_page_list *pl = &ctx->pl;
	u64 top = ZVMO_VMO_MAX_SIZE - PAGE_SIZE;
	long nodes = zvmo_page_list_total_nodes();

	zvmo_page_list_init(pl, 3 * PAGE_SIZE);
	put(test, pl, 0, ctx->pages[0]);
	put(test, pl, 13 * PAGE_SIZE, ctx->pages[1]);	/* skew: next node */
	put(test, pl, top, ctx->pages[2]);
	KUNIT_EXPECT_EQ(test, 0, zvmo_page_list_validate(pl));
	KUNIT_EXPECT_EQ(test, 3UL, pl->nr_nodes);
	KUNIT_EXPECT_EQ(test, nodes + 3, zvmo_page_list_total_nodes());
	KUNIT_EXPECT_PTR_EQ(test, ctx->pages[0], get(pl, 0));
	KUNIT_EXPECT_PTR_EQ(test, ctx->pages[1], get(pl, 13 * PAGE_SIZE));
	KUNIT_EXPECT_PTR_EQ(test, ctx->pages[2], get(pl, top));
	KUNIT_EXPECT_NULL(test, get(pl, PAGE_SIZE));

	zvmo_page_list_remove(pl, 13 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, 2UL, pl->nr_nodes);
	KUNIT_EXPECT_EQ(test, 0, zvmo_page_list_validate(pl));
}

static int count_gap(u64 start, u64 end, void *ctx)
{
	u64 *bytes = ctx;

	*bytes += end - start;
	return 0;
}

/* Gaps over a huge sparse range cost what is present, and add up. */
static void pl_test_gaps(struct kunit *test)
{
	struct pl_ctx *ctx = test->priv;
	struct zvmo_page_list *pl = &ctx->pl;
	u64 end = 1ULL << 50, gaps = 0;
	int ret;

	zvmo_page_list_init(pl, 0);
	put(test, pl, PAGE_SIZE, ctx->pages[0]);
	put(test, pl, 1ULL << 40, ctx->pages[1]);
	ret = zvmo_page_list_walk_gaps(pl, 0, end, NULL, count_gap, &gaps);
	KUNIT_EXPECT_EQ(test, 0, ret);
	KUNIT_EXPECT_EQ(test, end - 2 * PAGE_SIZE, gaps);
}

static void no_release(struct zvmo_pl_slot *slot, u64 off, void *ctx)
{
}

static void no_migrate(struct zvmo_pl_slot *slot, u64 src_off, u64 dst_off,
		       void *ctx)
{
}

/*
 * Take a range into a splice list, then merge that into a list of the same
 * alignment: the pages land at the same relative offsets, nothing is lost,
 * and a merge between lists whose skews do not line up is refused.
 */
static void pl_test_take_and_merge(struct kunit *test)
{
	struct pl_ctx *ctx = test->priv;
	struct zvmo_page_list *pl = &ctx->pl;
	struct zvmo_page_list splice, back, wrong;
	int i;

	zvmo_page_list_init(pl, PAGE_SIZE);
	for (i = 0; i < NPAGES; i++)
		put(test, pl, (u64)i * 5 * PAGE_SIZE, ctx->pages[i]);
	KUNIT_ASSERT_EQ(test, 0,
			zvmo_page_list_take_range(pl, 5 * PAGE_SIZE,
						  30 * PAGE_SIZE, &splice,
						  GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, 0, zvmo_page_list_validate(pl));
	KUNIT_EXPECT_EQ(test, 0, zvmo_page_list_validate(&splice));
	KUNIT_EXPECT_NULL(test, get(pl, 5 * PAGE_SIZE));
	KUNIT_EXPECT_PTR_EQ(test, ctx->pages[0], get(pl, 0));
	KUNIT_EXPECT_PTR_EQ(test, ctx->pages[6], get(pl, 30 * PAGE_SIZE));
	KUNIT_EXPECT_PTR_EQ(test, ctx->pages[1], get(&splice, 0));
	KUNIT_EXPECT_PTR_EQ(test, ctx->pages[5], get(&splice, 20 * PAGE_SIZE));

	zvmo_page_list_init(&wrong, (splice.skew + PAGE_SIZE) %
			    ZVMO_PL_NODE_SPAN);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			zvmo_page_list_merge(&wrong, &splice, 0,
					     25 * PAGE_SIZE, no_release,
					     no_migrate, NULL));
	KUNIT_EXPECT_PTR_EQ(test, ctx->pages[1], get(&splice, 0));

	zvmo_page_list_init(&back, splice.skew);
	KUNIT_ASSERT_EQ(test, 0,
			zvmo_page_list_merge(&back, &splice, 0, 25 * PAGE_SIZE,
					     no_release, no_migrate, NULL));
	KUNIT_EXPECT_TRUE(test, zvmo_page_list_is_empty(&splice));
	KUNIT_EXPECT_EQ(test, 0, zvmo_page_list_validate(&back));
	for (i = 1; i <= 5; i++)
		KUNIT_EXPECT_PTR_EQ(test, ctx->pages[i],
				    get(&back, (u64)(i - 1) * 5 * PAGE_SIZE));
	zvmo_page_list_destroy(&back, NULL, NULL);
}

static struct kunit_case pl_cases[] = {
	KUNIT_CASE(pl_test_sparse_with_skew),
	KUNIT_CASE(pl_test_gaps),
	KUNIT_CASE(pl_test_take_and_merge),
	{}
};

static struct kunit_suite pl_suite = {
	.name = "zvmo-page-list",
	.init = pl_init,
	.exit = pl_exit,
	.test_cases = pl_cases,
};

kunit_test_suite(pl_suite);
