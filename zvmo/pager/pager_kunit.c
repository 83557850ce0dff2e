// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of page requests: how asking for ranges coalesces into
 * requests and packets (one per range, never two for one page and
 * command), how answers end them. Included at the end of pager.c, whose
 * internals they look at, when the kernel has KUnit; they run when the
 * module loads.
 */
#include <kunit/test.h>

#define KT_PAGE(n)	((u64)(n) * PAGE_SIZE)

struct kt_pager {
	struct zvmo_pager *pager;
	struct zvmo_page_source *src;
};

/* A pager with one source attached, as the ioctls would make them. */
static int kt_init(struct kunit *test)
{
	struct kt_pager *kt = kunit_kzalloc(test, sizeof(*kt), GFP_KERNEL);
	struct zvmo_pager *pager;
	struct zvmo_page_source *src;

	KUNIT_ASSERT_NOT_NULL(test, kt);
	pager = zvmo_pager_new();
	KUNIT_ASSERT_FALSE(test, IS_ERR(pager));
	src = zvmo_page_source_new(pager, 0);
	KUNIT_ASSERT_NOT_NULL(test, src);

	kt->pager = pager;
	kt->src = src;
	test->priv = kt;
	return 0;
}

static void kt_exit(struct kunit *test)
{
	struct kt_pager *kt = test->priv;

	zvmo_page_source_cut(kt->src, false);
	zvmo_pager_release_queue(kt->pager);
	zvmo_page_source_put(kt->src);
	zvmo_pager_put(kt->pager);
}

/* Ask for [@off, @off + @len) without waiting, as a nonblocking fault. */
static void kt_ask(struct kunit *test, u16 command, u64 off, u64 len)
{
	struct zvmo_page_source *src = ((struct kt_pager *)test->priv)->src;

	KUNIT_EXPECT_EQ(test, -EAGAIN,
			zvmo_page_source_wait(src, command, off, len,
					      zvmo_page_source_gen(src),
					      ZVMO_WAIT_NONE));
}

static unsigned int kt_queued(struct kunit *test)
{
	struct zvmo_pager *pager = ((struct kt_pager *)test->priv)->pager;
	struct zvmo_pager_item *item;
	unsigned int n = 0;

	spin_lock(&pager->lock);
	list_for_each_entry(item, &pager->queue, link)
		n++;
	spin_unlock(&pager->lock);
	return n;
}

/* The request of @command covering @off: its start and length, or 0. */
static u64 kt_request(struct kunit *test, u16 command, u64 off, u64 *start)
{
	struct zvmo_page_source *src = ((struct kt_pager *)test->priv)->src;
	struct zvmo_page_request *req;
	u64 next, len = 0;

	spin_lock(&src->lock);
	req = zvmo_request_find(src, command, off, &next);
	if (req) {
		*start = req->offset;
		len = req->length;
	}
	spin_unlock(&src->lock);
	return len;
}

/* Asking again for a range, or for part of it, sends nothing new. */
static void pager_test_no_duplicates(struct kunit *test)
{
	struct zvmo_page_source *src = ((struct kt_pager *)test->priv)->src;
	u64 start = U64_MAX;

	kt_ask(test, ZVMO_PAGER_READ, KT_PAGE(4), KT_PAGE(4));
	KUNIT_EXPECT_EQ(test, 1U, kt_queued(test));
	kt_ask(test, ZVMO_PAGER_READ, KT_PAGE(4), KT_PAGE(4));
	kt_ask(test, ZVMO_PAGER_READ, KT_PAGE(6), KT_PAGE(1));
	kt_ask(test, ZVMO_PAGER_READ, KT_PAGE(7), KT_PAGE(9));
	KUNIT_EXPECT_EQ(test, 1U, kt_queued(test));
	KUNIT_EXPECT_EQ(test, 1UL, READ_ONCE(src->nr_requests));
	KUNIT_EXPECT_EQ(test, KT_PAGE(4),
			kt_request(test, ZVMO_PAGER_READ, KT_PAGE(7), &start));
	KUNIT_EXPECT_EQ(test, KT_PAGE(4), start);
}

/*
 * A range that runs into an outstanding request stops where it begins;
 * one past it is a request of its own. DIRTY and READ never share.
 */
static void pager_test_runs_stop_at_requests(struct kunit *test)
{
	u64 start = U64_MAX;

	kt_ask(test, ZVMO_PAGER_READ, KT_PAGE(8), KT_PAGE(4));
	kt_ask(test, ZVMO_PAGER_READ, KT_PAGE(2), KT_PAGE(16));
	KUNIT_EXPECT_EQ(test, 2U, kt_queued(test));
	KUNIT_EXPECT_EQ(test, KT_PAGE(6),
			kt_request(test, ZVMO_PAGER_READ, KT_PAGE(2), &start));
	KUNIT_EXPECT_EQ(test, KT_PAGE(2), start);
	kt_ask(test, ZVMO_PAGER_READ, KT_PAGE(12), KT_PAGE(2));
	KUNIT_EXPECT_EQ(test, 3U, kt_queued(test));

	kt_ask(test, ZVMO_PAGER_DIRTY, KT_PAGE(8), KT_PAGE(1));
	KUNIT_EXPECT_EQ(test, 4U, kt_queued(test));
	KUNIT_EXPECT_EQ(test, KT_PAGE(1),
			kt_request(test, ZVMO_PAGER_DIRTY, KT_PAGE(8), &start));
	kt_ask(test, ZVMO_PAGER_DIRTY, KT_PAGE(8), KT_PAGE(1));
	KUNIT_EXPECT_EQ(test, 4U, kt_queued(test));
}

static bool kt_all_present(void *ctx, u64 off)
{
	return true;
}

static bool kt_below_6(void *ctx, u64 off)
{
	return off < KT_PAGE(6);
}

/*
 * A supply ends the READ requests it answers whole, unqueueing their
 * packets if the pager has not read them; a partly answered request
 * stays. A cancel ends everything in its range, READ and DIRTY alike.
 */
static void pager_test_answers_end_requests(struct kunit *test)
{
	struct zvmo_page_source *src = ((struct kt_pager *)test->priv)->src;
	u64 start;

	kt_ask(test, ZVMO_PAGER_READ, KT_PAGE(0), KT_PAGE(4));
	kt_ask(test, ZVMO_PAGER_READ, KT_PAGE(4), KT_PAGE(4));
	kt_ask(test, ZVMO_PAGER_DIRTY, KT_PAGE(0), KT_PAGE(1));
	KUNIT_EXPECT_EQ(test, 3U, kt_queued(test));

	zvmo_page_source_supplied(src, 0, KT_PAGE(8), kt_below_6, NULL);
	KUNIT_EXPECT_EQ(test, 0ULL,
			kt_request(test, ZVMO_PAGER_READ, KT_PAGE(1), &start));
	KUNIT_EXPECT_EQ(test, KT_PAGE(4),
			kt_request(test, ZVMO_PAGER_READ, KT_PAGE(5), &start));
	KUNIT_EXPECT_EQ(test, 2U, kt_queued(test));

	zvmo_page_source_supplied(src, KT_PAGE(4), KT_PAGE(8), kt_all_present,
				  NULL);
	KUNIT_EXPECT_EQ(test, 1U, kt_queued(test));
	KUNIT_EXPECT_EQ(test, KT_PAGE(1),
			kt_request(test, ZVMO_PAGER_DIRTY, 0, &start));

	zvmo_page_source_cancel(src, 0, U64_MAX, -EIO);
	KUNIT_EXPECT_EQ(test, 0U, kt_queued(test));
	KUNIT_EXPECT_EQ(test, 0UL, READ_ONCE(src->nr_requests));
}

static struct kunit_case pager_cases[] = {
	KUNIT_CASE(pager_test_no_duplicates),
	KUNIT_CASE(pager_test_runs_stop_at_requests),
	KUNIT_CASE(pager_test_answers_end_requests),
	{}
};

static struct kunit_suite pager_suite = {
	.name = "zvmo-pager-requests",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = pager_cases,
};

kunit_test_suite(pager_suite);
