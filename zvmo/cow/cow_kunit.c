// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the copy-on-write hierarchy in the kernel itself, with
 * real pages: where each page is after a fork, a migration, a zero and a
 * merge, the split bits that record who took a copy, and the hierarchy's
 * own validation after every step. Built only when the kernel has KUnit;
 * they run when the module loads.
 */
#include <kunit/test.h>
#include <linux/uio.h>

#include "cow_mm.h"

#define NPAGES	4

static void kt_write(struct kunit *test, struct zvmo_cow_pages *leaf,
		     unsigned int page, char c)
{
	static char buf[PAGE_SIZE];
	struct kvec kv = { .iov_base = buf, .iov_len = PAGE_SIZE };
	struct iov_iter from;

	memset(buf, c, sizeof(buf));
	iov_iter_kvec(&from, ITER_SOURCE, &kv, 1, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, (ssize_t)PAGE_SIZE,
			zvmo_cow_write(leaf, (u64)page * PAGE_SIZE, &from));
}

/* The first byte the leaf reads at @page. */
static char kt_read(struct kunit *test, struct zvmo_cow_pages *leaf,
		    unsigned int page)
{
	char c = 'x';
	struct kvec kv = { .iov_base = &c, .iov_len = 1 };
	struct iov_iter to;

	iov_iter_kvec(&to, ITER_DEST, &kv, 1, 1);
	KUNIT_EXPECT_EQ(test, (ssize_t)1,
			zvmo_cow_read(leaf, (u64)page * PAGE_SIZE, &to));
	return c;
}

static void kt_valid(struct kunit *test, struct zvmo_cow_pages *leaf)
{
	mutex_lock(&leaf->hier->lock);
	KUNIT_EXPECT_EQ(test, 0, zvmo_cow_validate_locked(leaf));
	mutex_unlock(&leaf->hier->lock);
}

/* The split bits of the slot of hidden @node at @page, or -1 if empty. */
static long kt_split(struct zvmo_cow_pages *node, unsigned int page)
{
	struct zvmo_pl_slot *slot;
	long bits = -1;

	mutex_lock(&node->hier->lock);
	slot = zvmo_page_list_lookup(&node->pages, (u64)page * PAGE_SIZE);
	if (slot && zvmo_pl_slot_is_page(slot))
		bits = slot->state & (ZVMO_COW_SPLIT_LEFT | ZVMO_COW_SPLIT_RIGHT);
	mutex_unlock(&node->hier->lock);
	return bits;
}

/* The side of its parent @child is on: its split bit. */
static long kt_side(struct zvmo_cow_pages *child)
{
	return child->parent->children[0] == child ? ZVMO_COW_SPLIT_LEFT :
						     ZVMO_COW_SPLIT_RIGHT;
}

/*
 * A snapshot moves the leaf's pages into a hidden node. A write of one
 * side copies the page (the other side still reads it) and sets that
 * side's split bit; a write of the other side then takes the page itself,
 * moving it rather than copying it.
 */
static void cow_test_fork_then_migrate(struct kunit *test)
{
	struct zvmo_cow_pages *leaf, *snap, *hidden;
	unsigned int i;

	leaf = zvmo_cow_create(NPAGES * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, leaf);
	for (i = 0; i < NPAGES; i++)
		kt_write(test, leaf, i, 'a' + i);
	KUNIT_ASSERT_EQ(test, 0, zvmo_cow_snapshot(leaf, 0, NPAGES * PAGE_SIZE,
						   &snap));
	hidden = leaf->parent;
	KUNIT_ASSERT_NOT_NULL(test, hidden);
	KUNIT_EXPECT_PTR_EQ(test, hidden, snap->parent);
	KUNIT_EXPECT_TRUE(test, hidden->hidden);
	KUNIT_EXPECT_EQ(test, NPAGES, hidden->nr_pages);
	KUNIT_EXPECT_EQ(test, 0, leaf->nr_pages);
	KUNIT_EXPECT_EQ(test, 0L, kt_split(hidden, 0));
	kt_valid(test, leaf);

	kt_write(test, leaf, 0, 'L');
	KUNIT_EXPECT_EQ(test, 1, leaf->nr_pages);
	KUNIT_EXPECT_EQ(test, NPAGES, hidden->nr_pages);
	KUNIT_EXPECT_EQ(test, kt_side(leaf), kt_split(hidden, 0));
	KUNIT_EXPECT_EQ(test, 'L', kt_read(test, leaf, 0));
	KUNIT_EXPECT_EQ(test, 'a', kt_read(test, snap, 0));
	kt_valid(test, leaf);

	/* Only snap reads the hidden page now: it moves. */
	kt_write(test, snap, 0, 'S');
	KUNIT_EXPECT_EQ(test, 1, snap->nr_pages);
	KUNIT_EXPECT_EQ(test, NPAGES - 1, hidden->nr_pages);
	KUNIT_EXPECT_EQ(test, -1L, kt_split(hidden, 0));
	KUNIT_EXPECT_EQ(test, NPAGES + 1, leaf->hier->nr_pages);
	KUNIT_EXPECT_EQ(test, 'S', kt_read(test, snap, 0));
	KUNIT_EXPECT_EQ(test, 'L', kt_read(test, leaf, 0));
	kt_valid(test, snap);

	zvmo_cow_destroy(snap);
	zvmo_cow_destroy(leaf);
}

/*
 * When one side of a hidden node goes, the node merges into the other:
 * that side takes the pages it still reads, and what it no longer reads
 * (split off, outside its window) is freed.
 */
static void cow_test_merge(struct kunit *test)
{
	struct zvmo_cow_pages *leaf, *snap;
	unsigned int i;

	leaf = zvmo_cow_create(NPAGES * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, leaf);
	for (i = 0; i < NPAGES; i++)
		kt_write(test, leaf, i, 'a' + i);
	/* A snapshot of the first two pages only. */
	KUNIT_ASSERT_EQ(test, 0, zvmo_cow_snapshot(leaf, 0, 2 * PAGE_SIZE,
						   &snap));
	kt_write(test, snap, 1, 's');
	kt_write(test, leaf, 0, 'l');
	KUNIT_EXPECT_EQ(test, NPAGES + 2, leaf->hier->nr_pages);

	/* The leaf goes: snap keeps page 0 of the node and its own page 1. */
	zvmo_cow_destroy(leaf);
	KUNIT_EXPECT_NULL(test, snap->parent);
	KUNIT_EXPECT_EQ(test, 2, snap->nr_pages);
	KUNIT_EXPECT_EQ(test, 2, snap->hier->nr_pages);
	KUNIT_EXPECT_EQ(test, 'a', kt_read(test, snap, 0));
	KUNIT_EXPECT_EQ(test, 's', kt_read(test, snap, 1));
	kt_valid(test, snap);
	zvmo_cow_destroy(snap);
}

/*
 * Zero in a child leaves a marker and splits the ancestor's page off for
 * good: the child reads zeros, the other side its content, and a merge
 * never brings the old page back.
 */
static void cow_test_zero_marker(struct kunit *test)
{
	struct zvmo_cow_pages *leaf, *snap, *hidden;
	struct zvmo_pl_slot *slot;

	leaf = zvmo_cow_create(2 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, leaf);
	kt_write(test, leaf, 0, 'a');
	kt_write(test, leaf, 1, 'b');
	KUNIT_ASSERT_EQ(test, 0, zvmo_cow_snapshot(leaf, 0, 2 * PAGE_SIZE,
						   &snap));
	hidden = leaf->parent;
	KUNIT_ASSERT_EQ(test, 0, zvmo_cow_zero(snap, 0, PAGE_SIZE));
	mutex_lock(&snap->hier->lock);
	slot = zvmo_page_list_lookup(&snap->pages, 0);
	KUNIT_EXPECT_TRUE(test, slot && zvmo_pl_slot_is_marker(slot));
	mutex_unlock(&snap->hier->lock);
	KUNIT_EXPECT_EQ(test, kt_side(snap), kt_split(hidden, 0));
	KUNIT_EXPECT_EQ(test, 0, kt_read(test, snap, 0));
	KUNIT_EXPECT_EQ(test, 'a', kt_read(test, leaf, 0));
	kt_valid(test, snap);

	/* The leaf goes; snap still reads zeros where it zeroed. */
	zvmo_cow_destroy(leaf);
	KUNIT_EXPECT_NULL(test, snap->parent);
	KUNIT_EXPECT_EQ(test, 0, kt_read(test, snap, 0));
	KUNIT_EXPECT_EQ(test, 'b', kt_read(test, snap, 1));
	KUNIT_EXPECT_EQ(test, 1, snap->hier->nr_pages);
	kt_valid(test, snap);
	zvmo_cow_destroy(snap);
}

static struct kunit_case cow_cases[] = {
	KUNIT_CASE(cow_test_fork_then_migrate),
	KUNIT_CASE(cow_test_merge),
	KUNIT_CASE(cow_test_zero_marker),
	{}
};

static struct kunit_suite cow_suite = {
	.name = "zvmo-cow",
	.test_cases = cow_cases,
};

kunit_test_suite(cow_suite);
