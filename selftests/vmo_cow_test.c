// SPDX-License-Identifier: GPL-2.0
/*
 * Children of VMOs through the ABI: copy-on-write snapshots (of every kind),
 * slices and references. Their content, rights, info and options, what they
 * cost (attribution and the pages the module holds), mappings that stay
 * coherent while pages fork and migrate, and closing in any order.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"

#define PAGE 4096ULL
#define NPG 4		/* pages of the parent most tests use */

#define ANY_TYPE (ZVMO_CHILD_SNAPSHOT | \
		  ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE | \
		  ZVMO_CHILD_SNAPSHOT_MODIFIED | ZVMO_CHILD_SLICE | \
		  ZVMO_CHILD_REFERENCE)
#define KNOWN_OPTIONS (ANY_TYPE | ZVMO_CHILD_RESIZABLE | ZVMO_CHILD_NO_WRITE)

/* Every right a descriptor of a VMO that is not resizable has. */
#define R_FIXED (ZVMO_RIGHTS_ALL & ~ZVMO_RIGHT_RESIZE)
/* A read-only handle. */
#define R_RO (ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE | ZVMO_RIGHT_MAP | \
	      ZVMO_RIGHT_GET_PROPERTY)
#define R_PROPS (ZVMO_RIGHT_GET_PROPERTY | ZVMO_RIGHT_SET_PROPERTY)
#define R_W ZVMO_RIGHT_WRITE
#define R_X ZVMO_RIGHT_EXECUTE

#define TYPE_FLAGS (ZVMO_INFO_COW_CLONE | ZVMO_INFO_SLICE | \
		    ZVMO_INFO_REFERENCE | ZVMO_INFO_RESIZABLE)

/*
 * Scaled bytes divide a page among its sharers; allow each page to be off
 * by a few bytes of rounding.
 */
#define ASSERT_SCALED(want, seen, npages) do { \
	uint64_t want_ = (want), seen_ = (seen), tol_ = 8 * (npages); \
	ASSERT_LE(want_ - tol_, seen_) TH_LOG("%s", #seen); \
	ASSERT_GE(want_ + tol_, seen_) TH_LOG("%s", #seen); \
} while (0)

static long pages_held(void)
{
	struct zvmo_stats st;

	return zt_stats(&st) ? -1 : (long)st.pages;
}

static long vmos_alive(void)
{
	struct zvmo_stats st;

	return zt_stats(&st) ? -1 : (long)st.vmos;
}

static int all_bytes(const volatile void *p, int c, size_t n)
{
	const volatile unsigned char *b = p;

	while (n--)
		if (*b++ != (unsigned char)c)
			return 0;
	return 1;
}

/*
 * The byte page @pg of @fd holds throughout, -1 if the page is mixed, -2 if
 * it cannot be read whole.
 */
static int page_byte(int fd, uint64_t pg)
{
	unsigned char buf[PAGE];

	if (pread(fd, buf, PAGE, pg * PAGE) != (ssize_t)PAGE)
		return -2;
	return all_bytes(buf, buf[0], PAGE) ? buf[0] : -1;
}

/* The same for a mapped page. */
static int map_byte(const volatile char *p)
{
	unsigned char c = p[0];

	return all_bytes(p, c, PAGE) ? c : -1;
}

/* Fill page @pg of @fd with @c: 0 or -errno. */
static int put_page(int fd, uint64_t pg, int c)
{
	char buf[PAGE];
	ssize_t r;

	memset(buf, c, sizeof(buf));
	r = pwrite(fd, buf, PAGE, pg * PAGE);
	if (r < 0)
		return -errno;
	return r == (ssize_t)PAGE ? 0 : -EIO;
}

static ssize_t zt_pread(int fd, void *buf, size_t n, uint64_t off)
{
	return zt_ret(pread(fd, buf, n, off));
}

static ssize_t zt_pwrite(int fd, const void *buf, size_t n, uint64_t off)
{
	return zt_ret(pwrite(fd, buf, n, off));
}

static char *map(int fd, size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, 0);
}

static void drop(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A VMO of @npg pages, page i filled with 0x10 + i. */
static int make_parent(uint64_t npg, uint32_t options)
{
	int fd = zt_create(npg * PAGE, options, 0);
	uint64_t i;

	for (i = 0; fd >= 0 && i < npg; i++) {
		if (put_page(fd, i, 0x10 + i)) {
			close(fd);
			return -EIO;
		}
	}
	return fd;
}

static int snap(int fd)
{
	return zt_child(fd, ZVMO_CHILD_SNAPSHOT, 0, NPG * PAGE);
}

/*
 * The three kinds of snapshot behave the same on anonymous VMOs: every test
 * of this fixture runs with each. The parent has NPG pages, page i holding
 * 0x10 + i; teardown closes what the test left open and checks that the
 * module's counters came back.
 */
FIXTURE(snap) {
	int p;
	int c;
	int g;
	int s;
	struct zvmo_stats before;
};

FIXTURE_VARIANT(snap) {
	uint32_t type;
};

FIXTURE_VARIANT_ADD(snap, snapshot) {
	.type = ZVMO_CHILD_SNAPSHOT,
};

FIXTURE_VARIANT_ADD(snap, at_least_on_write) {
	.type = ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
};

FIXTURE_VARIANT_ADD(snap, modified) {
	.type = ZVMO_CHILD_SNAPSHOT_MODIFIED,
};

FIXTURE_SETUP(snap)
{
	self->c = -1;
	self->g = -1;
	self->s = -1;
	ASSERT_EQ(0, zt_stats(&self->before));
	self->p = make_parent(NPG, 0);
	ASSERT_LE(0, self->p);
}

FIXTURE_TEARDOWN(snap)
{
	struct zvmo_stats after;

	drop(&self->s);
	drop(&self->g);
	drop(&self->c);
	drop(&self->p);
	ASSERT_EQ(0, zt_stats(&after));
	EXPECT_EQ(self->before.vmos, after.vmos);
	EXPECT_EQ(self->before.handles, after.handles);
	EXPECT_EQ(self->before.pages, after.pages);
}

TEST_F(snap, content_is_a_copy_taken_at_creation)
{
	unsigned char buf[PAGE], want[PAGE];
	int i;

	self->c = zt_child(self->p, variant->type, 0, NPG * PAGE);
	ASSERT_LE(0, self->c);
	for (i = 0; i < NPG; i++)
		ASSERT_EQ(0x10 + i, page_byte(self->c, i));
	/* It costs nothing until one side writes. */
	ASSERT_EQ((long)self->before.pages + NPG, pages_held());

	/* The parent's later writes, whole or partial, are not seen. */
	ASSERT_EQ(0, put_page(self->p, 0, 0xa0));
	ASSERT_EQ(1, zt_pwrite(self->p, "x", 1, 2 * PAGE + 100));
	ASSERT_EQ(0x10, page_byte(self->c, 0));
	ASSERT_EQ(0x12, page_byte(self->c, 2));

	/* Nor the child's by the parent. */
	ASSERT_EQ(0, put_page(self->c, 1, 0xb1));
	ASSERT_EQ(10, zt_pwrite(self->c, "0123456789", 10, 4 * PAGE - 10));
	ASSERT_EQ(0x11, page_byte(self->p, 1));
	ASSERT_EQ(0x13, page_byte(self->p, 3));
	ASSERT_EQ(0xb1, page_byte(self->c, 1));
	memset(want, 0x13, PAGE);
	memcpy(want + PAGE - 10, "0123456789", 10);
	ASSERT_EQ(PAGE, zt_pread(self->c, buf, PAGE, 3 * PAGE));
	ASSERT_EQ(0, memcmp(buf, want, PAGE));
	ASSERT_EQ(0xa0, page_byte(self->p, 0));

	/* The original goes first: the child keeps every byte. */
	drop(&self->p);
	ASSERT_EQ(0x10, page_byte(self->c, 0));
	ASSERT_EQ(0xb1, page_byte(self->c, 1));
	ASSERT_EQ(0x12, page_byte(self->c, 2));
	ASSERT_EQ(PAGE, zt_pread(self->c, buf, PAGE, 3 * PAGE));
	ASSERT_EQ(0, memcmp(buf, want, PAGE));
}

TEST_F(snap, range_offset_size_and_zeros_past_the_parent)
{
	struct zvmo_vmo_info info;
	unsigned char buf[PAGE + 100];

	/* Pages 2 and 3 of the parent, then two pages past its end. */
	self->c = zt_child(self->p, variant->type, 2 * PAGE, 4 * PAGE);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0x12, page_byte(self->c, 0));
	ASSERT_EQ(0x13, page_byte(self->c, 1));
	ASSERT_EQ(0, page_byte(self->c, 2));
	ASSERT_EQ(0, page_byte(self->c, 3));
	ASSERT_EQ(0, zt_pread(self->c, buf, 1, 4 * PAGE));
	/* Zeros past the end cost nothing; writing there is the child's. */
	ASSERT_EQ((long)self->before.pages + NPG, pages_held());
	ASSERT_EQ(0, put_page(self->c, 3, 0x77));
	ASSERT_EQ(0x77, page_byte(self->c, 3));
	ASSERT_EQ(NPG * PAGE, zt_size(self->p));

	/* The size is rounded up to a page, the content size is not. */
	self->g = zt_child(self->p, variant->type, PAGE, PAGE + 100);
	ASSERT_LE(0, self->g);
	ASSERT_EQ(0, zt_info(self->g, &info));
	ASSERT_EQ(2 * PAGE, info.size);
	ASSERT_EQ(PAGE + 100, info.content_size);
	ASSERT_EQ(PAGE + 100, zt_pread(self->g, buf, PAGE + 100, 0));
	ASSERT_TRUE(all_bytes(buf, 0x11, PAGE));
	ASSERT_TRUE(all_bytes(buf + PAGE, 0x12, 100));
}

TEST_F(snap, snapshot_of_snapshot_offsets_add_up)
{
	int i;

	/* c is pages 1-2 of p; g is page 1 of c (page 2 of p), then zero. */
	self->c = zt_child(self->p, variant->type, PAGE, 2 * PAGE);
	ASSERT_LE(0, self->c);
	self->g = zt_child(self->c, variant->type, PAGE, 2 * PAGE);
	ASSERT_LE(0, self->g);
	ASSERT_EQ(0x12, page_byte(self->g, 0));
	ASSERT_EQ(0, page_byte(self->g, 1));
	ASSERT_EQ(2 * PAGE, zt_size(self->g));

	/* Neither the root's nor the middle's later writes reach g. */
	ASSERT_EQ(0, put_page(self->p, 2, 0xe2));
	ASSERT_EQ(0, put_page(self->c, 1, 0xd1));
	ASSERT_EQ(0x12, page_byte(self->g, 0));
	ASSERT_EQ(0xd1, page_byte(self->c, 1));
	ASSERT_EQ(0xe2, page_byte(self->p, 2));
	ASSERT_EQ(0x11, page_byte(self->c, 0));

	/* Nor do g's writes reach them. */
	ASSERT_EQ(0, put_page(self->g, 1, 0xf1));
	ASSERT_EQ(0x13, page_byte(self->p, 3));

	drop(&self->p);
	ASSERT_EQ(0x11, page_byte(self->c, 0));
	ASSERT_EQ(0xd1, page_byte(self->c, 1));
	drop(&self->c);
	ASSERT_EQ(0x12, page_byte(self->g, 0));
	ASSERT_EQ(0xf1, page_byte(self->g, 1));
	/* Only g is left, with two pages of its own. */
	ASSERT_EQ((long)self->before.pages + 2, pages_held());
	for (i = 0; i < 2; i++)
		ASSERT_EQ(i ? 0xf1 : 0x12, page_byte(self->g, i));
}

TEST_F(snap, info_rights_and_flags)
{
	struct zvmo_vmo_info pi, ci, gi;

	self->c = zt_child(self->p, variant->type, 0, NPG * PAGE);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, zt_info(self->p, &pi));
	ASSERT_EQ(0, zt_info(self->c, &ci));

	ASSERT_NE(pi.koid, ci.koid);
	ASSERT_EQ(pi.koid, ci.parent_koid);
	ASSERT_EQ(0, pi.parent_koid);
	ASSERT_EQ(1, pi.num_children);
	ASSERT_EQ(0, ci.num_children);
	ASSERT_EQ(NPG * PAGE, ci.size);
	ASSERT_EQ(NPG * PAGE, ci.content_size);
	ASSERT_NE(0, ci.flags & ZVMO_INFO_PAGED);
	ASSERT_EQ(ZVMO_INFO_COW_CLONE, ci.flags & TYPE_FLAGS);
	/* Being snapshotted does not make the original a clone. */
	ASSERT_EQ(0, pi.flags & TYPE_FLAGS);
	ASSERT_LE(1, ci.share_count);
	ASSERT_LE(1, pi.share_count);
	/* Writable, never executable, not resizable. */
	ASSERT_EQ(R_FIXED & ~R_X, ci.rights);

	/* Not resizable: the size stays. */
	ASSERT_GT(0, zt_set_size(self->c, 2 * PAGE));
	ASSERT_EQ(NPG * PAGE, zt_size(self->c));

	/* Direct children only. */
	self->g = zt_child(self->c, variant->type, 0, PAGE);
	ASSERT_LE(0, self->g);
	ASSERT_EQ(0, zt_info(self->g, &gi));
	ASSERT_EQ(ci.koid, gi.parent_koid);
	ASSERT_EQ(0, zt_info(self->c, &ci));
	ASSERT_EQ(1, ci.num_children);
	ASSERT_EQ(0, zt_info(self->p, &pi));
	ASSERT_EQ(1, pi.num_children);

	drop(&self->g);
	ASSERT_EQ(0, zt_info(self->c, &ci));
	ASSERT_EQ(0, ci.num_children);
	drop(&self->c);
	ASSERT_EQ(0, zt_info(self->p, &pi));
	ASSERT_EQ(0, pi.num_children);
}

TEST_F(snap, no_write_is_read_only)
{
	struct zvmo_vmo_info info;
	char *m;

	self->c = zt_child(self->p, variant->type | ZVMO_CHILD_NO_WRITE, 0,
			   NPG * PAGE);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, zt_info(self->c, &info));
	/* Execute stays: only snapshots that can be written lose it. */
	ASSERT_EQ(R_FIXED & ~R_W, info.rights);
	ASSERT_EQ(ZVMO_INFO_COW_CLONE, info.flags & TYPE_FLAGS);
	ASSERT_EQ(-EACCES, put_page(self->c, 0, 0x99));
	ASSERT_EQ(-EACCES, zt_op(self->c, ZVMO_OP_ZERO, 0, PAGE));
	ASSERT_EQ(MAP_FAILED, map(self->c, PAGE, PROT_READ | PROT_WRITE));
	ASSERT_EQ(EACCES, errno);
	m = map(self->c, NPG * PAGE, PROT_READ);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0x10, map_byte(m));

	/* Still a snapshot: the parent's writes are not seen. */
	ASSERT_EQ(0, put_page(self->p, 0, 0x55));
	ASSERT_EQ(0x10, page_byte(self->c, 0));
	ASSERT_EQ(0x10, map_byte(m));
	ASSERT_EQ(0x13, map_byte(m + 3 * PAGE));
	munmap(m, NPG * PAGE);
}

TEST_F(snap, classic_attribution)
{
	struct zvmo_vmo_info pi, ci;
	long base = self->before.pages;
	int i;

	self->c = zt_child(self->p, variant->type, 0, NPG * PAGE);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(base + 4, pages_held());
	ASSERT_EQ(0, zt_info(self->p, &pi));
	ASSERT_EQ(0, zt_info(self->c, &ci));
	ASSERT_EQ(4 * PAGE, pi.committed_bytes);
	ASSERT_EQ(4 * PAGE, ci.committed_bytes);
	ASSERT_EQ(0, pi.committed_private_bytes);
	ASSERT_EQ(0, ci.committed_private_bytes);
	ASSERT_SCALED(2 * PAGE, pi.committed_scaled_bytes, 4);
	ASSERT_SCALED(2 * PAGE, ci.committed_scaled_bytes, 4);

	/* The child forks page 0: the old one is the parent's alone. */
	ASSERT_EQ(0, put_page(self->c, 0, 0xc0));
	ASSERT_EQ(base + 5, pages_held());
	ASSERT_EQ(0, zt_info(self->p, &pi));
	ASSERT_EQ(0, zt_info(self->c, &ci));
	ASSERT_EQ(4 * PAGE, ci.committed_bytes);
	ASSERT_EQ(PAGE, ci.committed_private_bytes);
	ASSERT_SCALED(5 * PAGE / 2, ci.committed_scaled_bytes, 4);
	ASSERT_EQ(4 * PAGE, pi.committed_bytes);
	ASSERT_EQ(PAGE, pi.committed_private_bytes);
	ASSERT_SCALED(5 * PAGE / 2, pi.committed_scaled_bytes, 4);

	/* The parent writes the same page: it migrates, no new page. */
	ASSERT_EQ(0, put_page(self->p, 0, 0xd0));
	ASSERT_EQ(base + 5, pages_held());
	ASSERT_EQ(0, zt_info(self->p, &pi));
	ASSERT_EQ(0, zt_info(self->c, &ci));
	ASSERT_EQ(4 * PAGE, pi.committed_bytes);
	ASSERT_EQ(4 * PAGE, ci.committed_bytes);
	ASSERT_EQ(PAGE, pi.committed_private_bytes);
	ASSERT_EQ(PAGE, ci.committed_private_bytes);
	ASSERT_SCALED(5 * PAGE / 2, pi.committed_scaled_bytes, 4);
	ASSERT_SCALED(5 * PAGE / 2, ci.committed_scaled_bytes, 4);
	ASSERT_EQ(0xd0, page_byte(self->p, 0));
	ASSERT_EQ(0xc0, page_byte(self->c, 0));

	/* The child goes: everything is the parent's again. */
	drop(&self->c);
	ASSERT_EQ(base + 4, pages_held());
	ASSERT_EQ(0, zt_info(self->p, &pi));
	ASSERT_EQ(4 * PAGE, pi.committed_bytes);
	ASSERT_EQ(4 * PAGE, pi.committed_private_bytes);
	ASSERT_EQ(4 * PAGE, pi.committed_scaled_bytes);
	ASSERT_EQ(0xd0, page_byte(self->p, 0));
	for (i = 1; i < NPG; i++)
		ASSERT_EQ(0x10 + i, page_byte(self->p, i));
}

TEST_F(snap, commit_forks_the_parents_content)
{
	struct zvmo_vmo_info pi, ci;
	long base = self->before.pages;
	int i;

	self->c = zt_child(self->p, variant->type, 0, NPG * PAGE);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, zt_op(self->c, ZVMO_OP_COMMIT, 0, 2 * PAGE));
	ASSERT_EQ(base + 6, pages_held());
	ASSERT_EQ(0, zt_info(self->c, &ci));
	ASSERT_EQ(4 * PAGE, ci.committed_bytes);
	ASSERT_EQ(2 * PAGE, ci.committed_private_bytes);
	ASSERT_EQ(0, zt_info(self->p, &pi));
	ASSERT_EQ(2 * PAGE, pi.committed_private_bytes);
	for (i = 0; i < NPG; i++) {
		ASSERT_EQ(0x10 + i, page_byte(self->c, i));
		ASSERT_EQ(0x10 + i, page_byte(self->p, i));
	}

	ASSERT_EQ(0, zt_op(self->c, ZVMO_OP_COMMIT, 0, NPG * PAGE));
	ASSERT_EQ(base + 8, pages_held());
	ASSERT_EQ(0, zt_op(self->c, ZVMO_OP_COMMIT, 0, NPG * PAGE));
	ASSERT_EQ(base + 8, pages_held());
	ASSERT_EQ(0, zt_info(self->c, &ci));
	ASSERT_EQ(4 * PAGE, ci.committed_private_bytes);
	ASSERT_EQ(4 * PAGE, ci.committed_scaled_bytes);
	ASSERT_EQ(0, zt_info(self->p, &pi));
	ASSERT_EQ(4 * PAGE, pi.committed_private_bytes);
	for (i = 0; i < NPG; i++)
		ASSERT_EQ(0x10 + i, page_byte(self->c, i));

	/* Committed, yet still a copy. */
	ASSERT_EQ(0, put_page(self->p, 1, 0x66));
	ASSERT_EQ(0x11, page_byte(self->c, 1));
	ASSERT_EQ(base + 8, pages_held());
}

TEST_F(snap, decommit_is_not_supported_on_either_side)
{
	long base = self->before.pages;
	struct zvmo_vmo_info info;
	int i;

	self->c = zt_child(self->p, variant->type, 0, NPG * PAGE);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(-EOPNOTSUPP, zt_op(self->c, ZVMO_OP_DECOMMIT, 0, PAGE));
	/* The original now has a hidden parent too. */
	ASSERT_EQ(-EOPNOTSUPP, zt_op(self->p, ZVMO_OP_DECOMMIT, 0, PAGE));
	ASSERT_EQ(0, put_page(self->c, 2, 0x42));
	ASSERT_EQ(-EOPNOTSUPP, zt_op(self->c, ZVMO_OP_DECOMMIT, 2 * PAGE,
				     PAGE));
	ASSERT_EQ(-EOPNOTSUPP, zt_op(self->p, ZVMO_OP_DECOMMIT, 0,
				     NPG * PAGE));
	/* Nothing changed. */
	ASSERT_EQ(base + 5, pages_held());
	ASSERT_EQ(0, zt_info(self->p, &info));
	ASSERT_EQ(4 * PAGE, info.committed_bytes);
	for (i = 0; i < NPG; i++) {
		ASSERT_EQ(0x10 + i, page_byte(self->p, i));
		ASSERT_EQ(i == 2 ? 0x42 : 0x10 + i, page_byte(self->c, i));
	}
}

TEST_F(snap, zero_never_shows_the_parent_again)
{
	unsigned char buf[NPG * PAGE], want[NPG * PAGE];
	int i;

	memset(want, 0, sizeof(want));
	memset(want, 0x10, PAGE);
	memset(want + 3 * PAGE, 0x13, PAGE);
	memset(want + 3 * PAGE + 100, 0, 50);

	self->c = zt_child(self->p, variant->type, 0, NPG * PAGE);
	ASSERT_LE(0, self->c);
	/* A sibling, so that the hierarchy has more to merge. */
	self->s = zt_child(self->p, variant->type, 0, NPG * PAGE);
	ASSERT_LE(0, self->s);
	ASSERT_EQ(0, zt_op(self->c, ZVMO_OP_ZERO, PAGE, 2 * PAGE));
	ASSERT_EQ(0, zt_op(self->c, ZVMO_OP_ZERO, 3 * PAGE + 100, 50));
	ASSERT_EQ(sizeof(buf), zt_pread(self->c, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, want, sizeof(buf)));
	/* A snapshot of the zeroed child sees the zeros. */
	self->g = zt_child(self->c, variant->type, 0, NPG * PAGE);
	ASSERT_LE(0, self->g);

	/* The others are untouched. */
	for (i = 0; i < NPG; i++) {
		ASSERT_EQ(0x10 + i, page_byte(self->p, i));
		ASSERT_EQ(0x10 + i, page_byte(self->s, i));
	}
	ASSERT_EQ(0, put_page(self->p, 1, 0xa1));

	/* Sibling, then parent, then the zeroed child itself go. */
	drop(&self->s);
	ASSERT_EQ(sizeof(buf), zt_pread(self->c, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, want, sizeof(buf)));
	drop(&self->p);
	ASSERT_EQ(sizeof(buf), zt_pread(self->c, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, want, sizeof(buf)));
	ASSERT_EQ(sizeof(buf), zt_pread(self->g, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, want, sizeof(buf)));
	drop(&self->c);
	ASSERT_EQ(sizeof(buf), zt_pread(self->g, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, want, sizeof(buf)));
	/* No more than g's full copy is held. */
	ASSERT_GE((long)self->before.pages + NPG, pages_held());
}

TEST_F(snap, resizable_child_regrows_zero)
{
	struct zvmo_vmo_info info;
	int i;

	self->c = zt_child(self->p, variant->type | ZVMO_CHILD_RESIZABLE, 0,
			   NPG * PAGE);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, zt_info(self->c, &info));
	ASSERT_EQ(ZVMO_INFO_COW_CLONE | ZVMO_INFO_RESIZABLE,
		  info.flags & TYPE_FLAGS);
	ASSERT_EQ((R_FIXED & ~R_X) | ZVMO_RIGHT_RESIZE, info.rights);

	ASSERT_EQ(0, zt_set_size(self->c, PAGE));
	ASSERT_EQ(PAGE, zt_size(self->c));
	ASSERT_EQ(0x10, page_byte(self->c, 0));
	ASSERT_EQ(-2, page_byte(self->c, 1));
	ASSERT_EQ(0, zt_set_size(self->c, 6 * PAGE));
	ASSERT_EQ(0x10, page_byte(self->c, 0));
	for (i = 1; i < 6; i++)
		ASSERT_EQ(0, page_byte(self->c, i));
	/* The parent never changed. */
	ASSERT_EQ(NPG * PAGE, zt_size(self->p));
	for (i = 0; i < NPG; i++)
		ASSERT_EQ(0x10 + i, page_byte(self->p, i));

	/* To nothing and back, with the parent gone: all zero. */
	drop(&self->p);
	ASSERT_EQ(0, zt_set_size(self->c, 0));
	ASSERT_EQ(0, zt_set_size(self->c, NPG * PAGE));
	for (i = 0; i < NPG; i++)
		ASSERT_EQ(0, page_byte(self->c, i));
	ASSERT_EQ(0, zt_info(self->c, &info));
	ASSERT_EQ(0, info.committed_bytes);
}

TEST_F(snap, of_a_slice_is_not_supported)
{
	long vmos;

	self->s = zt_child(self->p, ZVMO_CHILD_SLICE, PAGE, 2 * PAGE);
	ASSERT_LE(0, self->s);
	vmos = vmos_alive();
	ASSERT_EQ(-EOPNOTSUPP, zt_child(self->s, variant->type, 0, PAGE));
	ASSERT_EQ(-EOPNOTSUPP, zt_child(self->s, variant->type, 0, 2 * PAGE));
	ASSERT_EQ(-EOPNOTSUPP, zt_child(self->s, variant->type |
					ZVMO_CHILD_NO_WRITE, 0, PAGE));
	ASSERT_EQ(vmos, vmos_alive());
	/* Of the VMO under it, fine. */
	self->c = zt_child(self->p, variant->type, PAGE, PAGE);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0x11, page_byte(self->c, 0));
}

/* The original shrinks and grows back: the snapshot keeps its copy. */
TEST(parent_resize_does_not_reach_the_snapshot)
{
	long before = pages_held();
	int p = make_parent(NPG, ZVMO_VMO_RESIZABLE);
	int c, far, i;

	ASSERT_LE(0, p);
	c = snap(p);
	ASSERT_LE(0, c);
	/* A snapshot that reaches past the parent's end. */
	far = zt_child(p, ZVMO_CHILD_SNAPSHOT, 0, 2 * NPG * PAGE);
	ASSERT_LE(0, far);

	ASSERT_EQ(0, zt_set_size(p, PAGE));
	for (i = 0; i < NPG; i++) {
		ASSERT_EQ(0x10 + i, page_byte(c, i));
		ASSERT_EQ(0x10 + i, page_byte(far, i));
	}
	ASSERT_EQ(0, zt_set_size(p, 2 * NPG * PAGE));
	ASSERT_EQ(0x10, page_byte(p, 0));
	for (i = 1; i < 2 * NPG; i++)
		ASSERT_EQ(0, page_byte(p, i));
	ASSERT_EQ(0, put_page(p, 6, 0x66));
	ASSERT_EQ(0, put_page(p, 2, 0x62));
	ASSERT_EQ(0, page_byte(far, 6));
	ASSERT_EQ(0x12, page_byte(far, 2));
	ASSERT_EQ(0x12, page_byte(c, 2));
	ASSERT_EQ(NPG * PAGE, zt_size(c));

	close(p);
	for (i = 0; i < NPG; i++) {
		ASSERT_EQ(0x10 + i, page_byte(c, i));
		ASSERT_EQ(0x10 + i, page_byte(far, i));
		ASSERT_EQ(0, page_byte(far, NPG + i));
	}
	close(far);
	close(c);
	ASSERT_EQ(before, pages_held());
}

TEST(zero_in_parent_after_snapshot_keeps_the_child)
{
	long before = pages_held();
	int p = make_parent(NPG, 0);
	int c, i;

	ASSERT_LE(0, p);
	c = snap(p);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, zt_op(p, ZVMO_OP_ZERO, 0, NPG * PAGE));
	for (i = 0; i < NPG; i++) {
		ASSERT_EQ(0, page_byte(p, i));
		ASSERT_EQ(0x10 + i, page_byte(c, i));
	}
	ASSERT_GE(before + 2 * NPG, pages_held());
	close(c);
	for (i = 0; i < NPG; i++)
		ASSERT_EQ(0, page_byte(p, i));
	ASSERT_GE(before + NPG, pages_held());
	close(p);
	ASSERT_EQ(before, pages_held());
}

/*
 * A family of snapshots and who holds what:
 *   p:  created with 0x10 0x11 0x12 0x13
 *   c1: snapshot of p; c1 writes page 0; then p writes page 1
 *   c2: snapshot of p; c2 writes page 2; then p writes page 3
 *   g:  snapshot of c1; then c1 writes page 1 and g writes page 3
 */
enum { FP, FC1, FC2, FG, NFAM };

static const int fam_model[NFAM][NPG] = {
	[FP]  = { 0x10, 0x31, 0x12, 0x33 },
	[FC1] = { 0x21, 0x51, 0x12, 0x13 },
	[FC2] = { 0x10, 0x31, 0x42, 0x13 },
	[FG]  = { 0x21, 0x11, 0x12, 0x63 },
};

static int build_family(int fd[NFAM])
{
	fd[FC1] = -1;
	fd[FC2] = -1;
	fd[FG] = -1;
	fd[FP] = make_parent(NPG, 0);
	if (fd[FP] < 0)
		return fd[FP];
	fd[FC1] = snap(fd[FP]);
	if (fd[FC1] < 0)
		return fd[FC1];
	if (put_page(fd[FC1], 0, 0x21) || put_page(fd[FP], 1, 0x31))
		return -EIO;
	fd[FC2] = snap(fd[FP]);
	if (fd[FC2] < 0)
		return fd[FC2];
	if (put_page(fd[FC2], 2, 0x42) || put_page(fd[FP], 3, 0x33))
		return -EIO;
	fd[FG] = snap(fd[FC1]);
	if (fd[FG] < 0)
		return fd[FG];
	if (put_page(fd[FC1], 1, 0x51) || put_page(fd[FG], 3, 0x63))
		return -EIO;
	return 0;
}

TEST(snapshot_family_closed_in_every_order)
{
	long before = pages_held(), vmos = vmos_alive();
	int order[NFAM], fd[NFAM];
	int code, n, i, k, pg, alive;

	for (code = 0; code < NFAM * NFAM * NFAM * NFAM; code++) {
		int seen = 0;

		for (i = 0, n = code; i < NFAM; i++, n /= NFAM) {
			order[i] = n % NFAM;
			seen |= 1 << order[i];
		}
		if (seen != (1 << NFAM) - 1)
			continue;

		ASSERT_EQ(0, build_family(fd));
		ASSERT_GE(before + NFAM * NPG, pages_held());
		for (i = 0; i < NFAM; i++) {
			drop(&fd[order[i]]);
			alive = 0;
			for (k = 0; k < NFAM; k++) {
				if (fd[k] < 0)
					continue;
				alive++;
				for (pg = 0; pg < NPG; pg++) {
					ASSERT_EQ(fam_model[k][pg],
						  page_byte(fd[k], pg))
						TH_LOG("order %d%d%d%d, vmo %d",
						       order[0], order[1],
						       order[2], order[3], k);
				}
			}
			/* Never more than full copies of the survivors. */
			ASSERT_GE(before + alive * NPG, pages_held());
		}
		ASSERT_EQ(before, pages_held());
		ASSERT_EQ(vmos, vmos_alive());
	}
}

TEST(snapshot_chain_of_100_closing_each_parent)
{
	long before = pages_held();
	struct zvmo_vmo_info info;
	int model[NPG], prev, next, i, pg;

	prev = make_parent(NPG, 0);
	ASSERT_LE(0, prev);
	for (pg = 0; pg < NPG; pg++)
		model[pg] = 0x10 + pg;
	for (i = 0; i < 100; i++) {
		next = snap(prev);
		ASSERT_LE(0, next);
		ASSERT_EQ(0, zt_info(prev, &info));
		ASSERT_EQ(1, info.num_children);
		/* The parent's last write is never the child's. */
		ASSERT_EQ(0, put_page(prev, (i + 1) % NPG, 0x80 | i));
		ASSERT_EQ(0, put_page(next, i % NPG, 0x20 + i % 0x60));
		for (pg = 0; pg < NPG; pg++) {
			ASSERT_EQ(pg == i % NPG ? 0x20 + i % 0x60 : model[pg],
				  page_byte(next, pg));
			ASSERT_EQ(pg == (i + 1) % NPG ? 0x80 | i : model[pg],
				  page_byte(prev, pg));
		}
		model[i % NPG] = 0x20 + i % 0x60;
		ASSERT_EQ(model[i % NPG], page_byte(next, i % NPG));
		ASSERT_GE(before + 2 * NPG, pages_held());

		close(prev);
		for (pg = 0; pg < NPG; pg++) {
			ASSERT_EQ(model[pg], page_byte(next, pg))
				TH_LOG("step %d", i);
		}
		/* Alone, it holds exactly its own four pages. */
		ASSERT_EQ(0, zt_info(next, &info));
		ASSERT_EQ(NPG * PAGE, info.committed_bytes);
		ASSERT_EQ(NPG * PAGE, info.committed_private_bytes);
		ASSERT_EQ(before + NPG, pages_held()) TH_LOG("step %d", i);
		prev = next;
	}
	close(prev);
	ASSERT_EQ(before, pages_held());
}

TEST(snapshot_pages_never_exceed_full_copies)
{
	long before = pages_held();
	int first, p, c, a, b, pg;

	/* The child writes every page first, then the parent; and reverse. */
	for (first = 0; first < 2; first++) {
		p = make_parent(NPG, 0);
		ASSERT_LE(0, p);
		c = snap(p);
		ASSERT_LE(0, c);
		ASSERT_EQ(before + NPG, pages_held());
		a = first ? p : c;
		b = first ? c : p;
		/* Every first write forks one page... */
		for (pg = 0; pg < NPG; pg++) {
			ASSERT_EQ(0, put_page(a, pg, 0xa0 + pg));
			ASSERT_EQ(before + NPG + pg + 1, pages_held());
		}
		/* ...every second write migrates the page left behind. */
		for (pg = 0; pg < NPG; pg++) {
			ASSERT_EQ(0, put_page(b, pg, 0xb0 + pg));
			ASSERT_EQ(before + 2 * NPG, pages_held());
		}
		/* More writes on both sides add nothing. */
		for (pg = 0; pg < NPG; pg++) {
			ASSERT_EQ(0, put_page(a, pg, 0xc0 + pg));
			ASSERT_EQ(0, put_page(b, pg, 0xd0 + pg));
		}
		ASSERT_EQ(before + 2 * NPG, pages_held());
		for (pg = 0; pg < NPG; pg++) {
			ASSERT_EQ(0xc0 + pg, page_byte(a, pg));
			ASSERT_EQ(0xd0 + pg, page_byte(b, pg));
		}
		close(a);
		ASSERT_EQ(before + NPG, pages_held());
		for (pg = 0; pg < NPG; pg++)
			ASSERT_EQ(0xd0 + pg, page_byte(b, pg));
		close(b);
		ASSERT_EQ(before, pages_held());
	}
}

TEST(shared_by_three_and_four_attribution)
{
	long before = pages_held();
	struct zvmo_vmo_info info;
	int fd[4], i;

	fd[0] = make_parent(NPG, 0);
	ASSERT_LE(0, fd[0]);
	fd[1] = snap(fd[0]);
	ASSERT_LE(0, fd[1]);
	fd[2] = snap(fd[0]);
	ASSERT_LE(0, fd[2]);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, zt_info(fd[i], &info));
		ASSERT_EQ(NPG * PAGE, info.committed_bytes);
		ASSERT_EQ(0, info.committed_private_bytes);
		ASSERT_SCALED(NPG * PAGE / 3, info.committed_scaled_bytes, NPG);
	}
	/* A grandchild through fd[1]: every page has four sharers. */
	fd[3] = snap(fd[1]);
	ASSERT_LE(0, fd[3]);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, zt_info(fd[i], &info));
		ASSERT_EQ(NPG * PAGE, info.committed_bytes);
		ASSERT_EQ(0, info.committed_private_bytes);
		ASSERT_SCALED(PAGE, info.committed_scaled_bytes, NPG);
	}
	ASSERT_EQ(before + NPG, pages_held());
	for (i = 0; i < 4; i++)
		close(fd[i]);
	ASSERT_EQ(before, pages_held());
}

TEST(partial_snapshot_attribution)
{
	struct zvmo_vmo_info pi, ci, di;
	int p, c, d;

	p = make_parent(NPG, 0);
	ASSERT_LE(0, p);
	/* Pages 0-1 are shared with c, pages 2-3 are p's alone. */
	c = zt_child(p, ZVMO_CHILD_SNAPSHOT, 0, 2 * PAGE);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, zt_info(p, &pi));
	ASSERT_EQ(0, zt_info(c, &ci));
	ASSERT_EQ(4 * PAGE, pi.committed_bytes);
	ASSERT_EQ(2 * PAGE, pi.committed_private_bytes);
	ASSERT_SCALED(3 * PAGE, pi.committed_scaled_bytes, 4);
	ASSERT_EQ(2 * PAGE, ci.committed_bytes);
	ASSERT_EQ(0, ci.committed_private_bytes);
	ASSERT_SCALED(PAGE, ci.committed_scaled_bytes, 2);

	/* Now pages 2-3 are shared with d. */
	d = zt_child(p, ZVMO_CHILD_SNAPSHOT, 2 * PAGE, 2 * PAGE);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, zt_info(p, &pi));
	ASSERT_EQ(0, zt_info(d, &di));
	ASSERT_EQ(4 * PAGE, pi.committed_bytes);
	ASSERT_EQ(0, pi.committed_private_bytes);
	ASSERT_SCALED(2 * PAGE, pi.committed_scaled_bytes, 4);
	ASSERT_EQ(2 * PAGE, di.committed_bytes);
	ASSERT_EQ(0, di.committed_private_bytes);
	ASSERT_SCALED(PAGE, di.committed_scaled_bytes, 2);
	ASSERT_EQ(0x12, page_byte(d, 0));
	close(d);
	close(c);
	close(p);
}

TEST(snapshot_of_a_read_only_handle_is_writable)
{
	long before = pages_held();
	struct zvmo_vmo_info info;
	int p, ro, c, i;
	char *m;

	p = make_parent(NPG, 0);
	ASSERT_LE(0, p);
	ro = zt_dup(p, R_RO, 0);
	ASSERT_LE(0, ro);
	ASSERT_EQ(-EACCES, put_page(ro, 0, 0x99));
	c = zt_child(ro, ZVMO_CHILD_SNAPSHOT, 0, NPG * PAGE);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, zt_info(c, &info));
	ASSERT_EQ(R_RO | ZVMO_RIGHT_SET_PROPERTY | R_W, info.rights);

	ASSERT_EQ(0, put_page(c, 0, 0xc0));
	m = map(c, NPG * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, m);
	memset(m + PAGE, 0xc1, PAGE);
	ASSERT_EQ(0xc1, page_byte(c, 1));
	ASSERT_EQ(0xc0, map_byte(m));
	for (i = 0; i < NPG; i++)
		ASSERT_EQ(0x10 + i, page_byte(p, i));
	munmap(m, NPG * PAGE);
	close(c);
	close(ro);
	close(p);
	ASSERT_EQ(before, pages_held());
}

TEST(child_rights)
{
	static const struct {
		uint32_t vmo_options;	/* of the parent VMO */
		uint32_t handle;	/* rights the child is made from */
		uint32_t options;
		uint32_t want;
	} cases[] = {
		{ 0, R_FIXED, ZVMO_CHILD_SNAPSHOT, R_FIXED & ~R_X },
		{ 0, R_FIXED, ZVMO_CHILD_SNAPSHOT | ZVMO_CHILD_NO_WRITE,
		  R_FIXED & ~R_W },
		{ 0, R_FIXED, ZVMO_CHILD_SNAPSHOT | ZVMO_CHILD_RESIZABLE,
		  ZVMO_RIGHTS_ALL & ~R_X },
		{ 0, R_FIXED, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
		  R_FIXED & ~R_X },
		{ 0, R_FIXED,
		  ZVMO_CHILD_SNAPSHOT_MODIFIED | ZVMO_CHILD_NO_WRITE,
		  R_FIXED & ~R_W },
		{ 0, R_FIXED, ZVMO_CHILD_SLICE, R_FIXED },
		{ 0, R_FIXED, ZVMO_CHILD_SLICE | ZVMO_CHILD_NO_WRITE,
		  R_FIXED & ~R_W },
		{ 0, R_FIXED, ZVMO_CHILD_REFERENCE, R_FIXED },
		{ 0, R_FIXED, ZVMO_CHILD_REFERENCE | ZVMO_CHILD_NO_WRITE,
		  R_FIXED & ~R_W },
		{ 0, R_RO, ZVMO_CHILD_SNAPSHOT, R_RO | R_PROPS | R_W },
		{ 0, R_RO, ZVMO_CHILD_SNAPSHOT | ZVMO_CHILD_NO_WRITE,
		  R_RO | R_PROPS },
		{ 0, R_RO, ZVMO_CHILD_SNAPSHOT | ZVMO_CHILD_RESIZABLE,
		  R_RO | R_PROPS | R_W | ZVMO_RIGHT_RESIZE },
		{ 0, R_RO, ZVMO_CHILD_SLICE, R_RO | R_PROPS },
		{ 0, R_RO, ZVMO_CHILD_REFERENCE, R_RO | R_PROPS },
		{ 0, ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE | R_X,
		  ZVMO_CHILD_SNAPSHOT,
		  ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE | R_PROPS | R_W },
		{ 0, ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE | R_X,
		  ZVMO_CHILD_SNAPSHOT | ZVMO_CHILD_NO_WRITE,
		  ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE | R_PROPS | R_X },
		{ 0, ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE | R_X,
		  ZVMO_CHILD_SLICE,
		  ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE | R_PROPS | R_X },
		{ 0, ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE | R_X | R_W,
		  ZVMO_CHILD_REFERENCE | ZVMO_CHILD_NO_WRITE,
		  ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE | R_PROPS | R_X },
		{ ZVMO_VMO_RESIZABLE, ZVMO_RIGHTS_ALL, ZVMO_CHILD_SNAPSHOT,
		  R_FIXED & ~R_X },
		{ ZVMO_VMO_RESIZABLE, ZVMO_RIGHTS_ALL,
		  ZVMO_CHILD_SNAPSHOT | ZVMO_CHILD_RESIZABLE,
		  ZVMO_RIGHTS_ALL & ~R_X },
		{ ZVMO_VMO_RESIZABLE, ZVMO_RIGHTS_ALL, ZVMO_CHILD_REFERENCE,
		  R_FIXED },
		{ ZVMO_VMO_RESIZABLE, ZVMO_RIGHTS_ALL,
		  ZVMO_CHILD_REFERENCE | ZVMO_CHILD_RESIZABLE,
		  ZVMO_RIGHTS_ALL },
		{ ZVMO_VMO_RESIZABLE, R_FIXED,
		  ZVMO_CHILD_REFERENCE | ZVMO_CHILD_RESIZABLE,
		  ZVMO_RIGHTS_ALL },
		{ ZVMO_VMO_RESIZABLE, ZVMO_RIGHTS_ALL,
		  ZVMO_CHILD_REFERENCE | ZVMO_CHILD_NO_WRITE,
		  R_FIXED & ~R_W },
	};
	struct zvmo_vmo_info info;
	unsigned int i;
	int fd, h, c;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t resizable = cases[i].options & ZVMO_CHILD_RESIZABLE;
		uint64_t size = NPG * PAGE;
		int write_err = 0;

		/*
		 * A reference is the parent's size, so it is resizable if
		 * the parent is, as in Zircon; only the resize right depends
		 * on ZVMO_CHILD_RESIZABLE.
		 */
		if (cases[i].options & ZVMO_CHILD_REFERENCE) {
			size = 0;
			resizable |= cases[i].vmo_options & ZVMO_VMO_RESIZABLE;
		}
		if (!(cases[i].want & R_W))
			write_err = -EACCES;
		fd = zt_create(NPG * PAGE, cases[i].vmo_options, 0);
		ASSERT_LE(0, fd);
		h = zt_dup(fd, cases[i].handle, 0);
		ASSERT_LE(0, h);
		c = zt_child(h, cases[i].options, 0, size);
		ASSERT_LE(0, c) TH_LOG("case %u", i);
		ASSERT_EQ(0, zt_info(c, &info));
		ASSERT_EQ(cases[i].want, info.rights) TH_LOG("case %u", i);
		ASSERT_EQ(resizable ? ZVMO_INFO_RESIZABLE : 0,
			  info.flags & ZVMO_INFO_RESIZABLE)
			TH_LOG("case %u", i);
		/* The rights are what the kernel checks. */
		ASSERT_EQ(write_err, put_page(c, 0, 0x5a)) TH_LOG("case %u", i);
		close(c);
		close(h);
		close(fd);
	}
}

TEST(child_needs_duplicate_and_read)
{
	static const uint32_t types[] = {
		ZVMO_CHILD_SNAPSHOT, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
		ZVMO_CHILD_SNAPSHOT_MODIFIED, ZVMO_CHILD_SLICE,
		ZVMO_CHILD_REFERENCE,
	};
	struct zvmo_stats before, after;
	int fd, nodup, noread, min, c;
	unsigned int i;

	fd = make_parent(NPG, 0);
	ASSERT_LE(0, fd);
	nodup = zt_dup(fd, R_FIXED & ~ZVMO_RIGHT_DUPLICATE, 0);
	ASSERT_LE(0, nodup);
	noread = zt_dup(fd, R_FIXED & ~ZVMO_RIGHT_READ, 0);
	ASSERT_LE(0, noread);
	min = zt_dup(fd, ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE, 0);
	ASSERT_LE(0, min);
	ASSERT_EQ(0, zt_stats(&before));
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		uint64_t size = types[i] == ZVMO_CHILD_REFERENCE ? 0 : PAGE;

		ASSERT_EQ(-EACCES, zt_child(nodup, types[i], 0, size));
		ASSERT_EQ(-EACCES, zt_child(noread, types[i], 0, size));
	}
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
	ASSERT_EQ(before.handles, after.handles);
	ASSERT_EQ(before.pages, after.pages);
	/* Read and duplicate are enough. */
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		uint64_t size = types[i] == ZVMO_CHILD_REFERENCE ? 0 : PAGE;

		c = zt_child(min, types[i], 0, size);
		ASSERT_LE(0, c);
		ASSERT_EQ(0x10, page_byte(c, 0));
		close(c);
	}
	close(min);
	close(noread);
	close(nodup);
	close(fd);
}

TEST(child_bad_options)
{
	static const uint32_t types[] = {
		ZVMO_CHILD_SNAPSHOT, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
		ZVMO_CHILD_SNAPSHOT_MODIFIED, ZVMO_CHILD_SLICE,
		ZVMO_CHILD_REFERENCE,
	};
	struct zvmo_stats before, after;
	struct zvmo_vmo_info info;
	unsigned int i, j, bit;
	int fd, rfd;

	fd = make_parent(NPG, 0);
	ASSERT_LE(0, fd);
	rfd = make_parent(NPG, ZVMO_VMO_RESIZABLE);
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, zt_stats(&before));

	/* No type, or only modifiers. */
	ASSERT_EQ(-EINVAL, zt_child(fd, 0, 0, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(fd, ZVMO_CHILD_RESIZABLE, 0, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(fd, ZVMO_CHILD_NO_WRITE, 0, PAGE));
	/* Two types. */
	for (i = 0; i < 5; i++)
		for (j = i + 1; j < 5; j++) {
			ASSERT_EQ(-EINVAL, zt_child(fd, types[i] | types[j],
						    0, PAGE));
			ASSERT_EQ(-EINVAL, zt_child(fd, types[i] | types[j],
						    0, 0));
		}
	/* Unknown bits. */
	for (bit = 0; bit < 32; bit++) {
		if (KNOWN_OPTIONS & (1U << bit))
			continue;
		ASSERT_EQ(-EINVAL, zt_child(fd, ZVMO_CHILD_SNAPSHOT |
					    (1U << bit), 0, PAGE));
		ASSERT_EQ(-EINVAL, zt_child(fd, ZVMO_CHILD_SLICE |
					    (1U << bit), 0, PAGE));
	}
	/* Read-only and resizable at once. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(-EINVAL, zt_child(fd, types[i] | ZVMO_CHILD_NO_WRITE |
					    ZVMO_CHILD_RESIZABLE, 0, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(rfd, ZVMO_CHILD_REFERENCE |
				    ZVMO_CHILD_NO_WRITE |
				    ZVMO_CHILD_RESIZABLE, 0, 0));
	/* A slice is never resizable. */
	ASSERT_EQ(-EINVAL, zt_child(fd, ZVMO_CHILD_SLICE |
				    ZVMO_CHILD_RESIZABLE, 0, PAGE));
	/* Unaligned offsets. */
	ASSERT_EQ(-EINVAL, zt_child(fd, ZVMO_CHILD_SNAPSHOT, 1, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(fd, ZVMO_CHILD_SNAPSHOT, PAGE / 2, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(fd, ZVMO_CHILD_SNAPSHOT_MODIFIED,
				    PAGE + 1, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(fd, ZVMO_CHILD_SLICE, 1, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(fd, ZVMO_CHILD_SLICE, PAGE - 1, PAGE));

	/* Not a VMO. */
	ASSERT_EQ(-ENOTTY, zt_child(zt_dev(), ZVMO_CHILD_SNAPSHOT, 0, PAGE));
	ASSERT_EQ(-EBADF, zt_child(-1, ZVMO_CHILD_SNAPSHOT, 0, PAGE));

	/* None of it made anything. */
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
	ASSERT_EQ(before.handles, after.handles);
	ASSERT_EQ(before.pages, after.pages);
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_EQ(0, info.num_children);
	close(rfd);
	close(fd);
}

TEST(child_bad_ranges)
{
	uint64_t top = UINT64_MAX & ~(PAGE - 1);
	uint64_t far = 0xffff000000000000ULL;
	struct zvmo_stats before, after;
	struct zvmo_vmo_info info;
	int fd, c, g;
	char byte;

	fd = make_parent(NPG, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zt_stats(&before));

	/* Past the largest VMO. */
	ASSERT_EQ(-ERANGE, zt_child(fd, ZVMO_CHILD_SNAPSHOT, 0,
				    ZVMO_VMO_MAX_SIZE + 1));
	ASSERT_EQ(-ERANGE, zt_child(fd, ZVMO_CHILD_SNAPSHOT, 0, UINT64_MAX));
	/* offset + size overflows. */
	ASSERT_EQ(-ERANGE, zt_child(fd, ZVMO_CHILD_SNAPSHOT, top, 2 * PAGE));
	ASSERT_EQ(-ERANGE, zt_child(fd, ZVMO_CHILD_SNAPSHOT, top, PAGE));
	ASSERT_EQ(-ERANGE, zt_child(fd, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
				    PAGE, UINT64_MAX - PAGE / 2));
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
	ASSERT_EQ(before.handles, after.handles);

	/* The largest size is fine, and free. */
	c = zt_child(fd, ZVMO_CHILD_SNAPSHOT, 0, ZVMO_VMO_MAX_SIZE);
	ASSERT_LE(0, c);
	ASSERT_EQ(ZVMO_VMO_MAX_SIZE, zt_size(c));
	ASSERT_EQ(0x10, page_byte(c, 0));
	ASSERT_EQ(0, page_byte(c, ZVMO_VMO_MAX_SIZE / PAGE - 1));
	close(c);
	/* So is nothing at all. */
	c = zt_child(fd, ZVMO_CHILD_SNAPSHOT, 0, 0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, zt_size(c));
	ASSERT_EQ(0, zt_pread(c, &byte, 1, 0));
	close(c);

	/* Far past the parent's end: zeros. */
	c = zt_child(fd, ZVMO_CHILD_SNAPSHOT, far, PAGE);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, page_byte(c, 0));
	/* Its offset from the root plus this one's would wrap. */
	ASSERT_EQ(0, zt_stats(&before));
	ASSERT_EQ(-EINVAL, zt_child(c, ZVMO_CHILD_SNAPSHOT,
				    0x1000000000000000ULL, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(c, ZVMO_CHILD_SNAPSHOT_MODIFIED,
				    0x1000000000000000ULL, PAGE));
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
	ASSERT_EQ(before.handles, after.handles);
	ASSERT_EQ(0, zt_info(c, &info));
	ASSERT_EQ(0, info.num_children);
	/* Without the wrap, fine. */
	g = zt_child(c, ZVMO_CHILD_SNAPSHOT, 0, PAGE);
	ASSERT_LE(0, g);
	ASSERT_EQ(0, page_byte(g, 0));
	close(g);
	close(c);
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_EQ(0, info.num_children);
	close(fd);
}

TEST(child_fd_flags_and_struct_size)
{
	struct {
		struct zvmo_vmo_create_child c;
		uint64_t tail[2];
	} big;
	struct zvmo_vmo_create_child c = {
		.argsz = sizeof(c), .options = ZVMO_CHILD_SNAPSHOT,
		.size = PAGE,
	};
	struct zvmo_stats before, after;
	int fd, child, bit;

	fd = make_parent(NPG, 0);
	ASSERT_LE(0, fd);

	child = zt_ret(ioctl(fd, ZVMO_IOC_VMO_CREATE_CHILD, &c));
	ASSERT_LE(0, child);
	ASSERT_EQ(0, fcntl(child, F_GETFD) & FD_CLOEXEC);
	close(child);
	c.fd_flags = ZVMO_FD_CLOEXEC;
	child = zt_ret(ioctl(fd, ZVMO_IOC_VMO_CREATE_CHILD, &c));
	ASSERT_LE(0, child);
	ASSERT_EQ(FD_CLOEXEC, fcntl(child, F_GETFD) & FD_CLOEXEC);
	close(child);

	ASSERT_EQ(0, zt_stats(&before));
	for (bit = 1; bit < 32; bit++) {
		c.fd_flags = 1U << bit;
		ASSERT_EQ(-EINVAL,
			  zt_ret(ioctl(fd, ZVMO_IOC_VMO_CREATE_CHILD, &c)));
	}
	c.fd_flags = 0;
	c.reserved = 1;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(fd, ZVMO_IOC_VMO_CREATE_CHILD, &c)));
	c.reserved = 1U << 31;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(fd, ZVMO_IOC_VMO_CREATE_CHILD, &c)));
	c.reserved = 0;
	c.argsz = 0;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(fd, ZVMO_IOC_VMO_CREATE_CHILD, &c)));
	c.argsz = sizeof(c) - 1;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(fd, ZVMO_IOC_VMO_CREATE_CHILD, &c)));
	memset(&big, 0, sizeof(big));
	big.c = c;
	big.c.argsz = sizeof(big);
	big.tail[1] = 1;
	ASSERT_EQ(-E2BIG, zt_ret(ioctl(fd, ZVMO_IOC_VMO_CREATE_CHILD, &big)));
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
	ASSERT_EQ(before.handles, after.handles);

	/* A newer struct with a zero tail is fine. */
	big.tail[1] = 0;
	child = zt_ret(ioctl(fd, ZVMO_IOC_VMO_CREATE_CHILD, &big));
	ASSERT_LE(0, child);
	ASSERT_EQ(0x10, page_byte(child, 0));
	close(child);
	close(fd);
}

TEST(slice_shares_pages_both_ways)
{
	long before = pages_held();
	struct zvmo_vmo_info pi, si;
	char *mp, *ms, byte;
	int p, s, i;

	p = make_parent(8, 0);
	ASSERT_LE(0, p);
	s = zt_child(p, ZVMO_CHILD_SLICE, 2 * PAGE, 4 * PAGE);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, zt_info(p, &pi));
	ASSERT_EQ(0, zt_info(s, &si));
	ASSERT_EQ(4 * PAGE, si.size);
	ASSERT_EQ(pi.koid, si.parent_koid);
	ASSERT_EQ(1, pi.num_children);
	ASSERT_NE(0, si.flags & ZVMO_INFO_PAGED);
	ASSERT_EQ(ZVMO_INFO_SLICE, si.flags & TYPE_FLAGS);
	ASSERT_EQ(R_FIXED, si.rights);
	ASSERT_LE(1, si.share_count);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0x12 + i, page_byte(s, i));

	/* Through the syscalls. */
	ASSERT_EQ(0, put_page(s, 0, 0xa0));
	ASSERT_EQ(0xa0, page_byte(p, 2));
	ASSERT_EQ(0, put_page(p, 3, 0xb0));
	ASSERT_EQ(0xb0, page_byte(s, 1));

	/* Through mappings of each. */
	mp = map(p, 8 * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, mp);
	ms = map(s, 4 * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, ms);
	ASSERT_EQ(0xa0, map_byte(ms));
	ASSERT_EQ(0xb0, map_byte(mp + 3 * PAGE));
	memset(ms + 2 * PAGE, 0xc0, PAGE);
	ASSERT_EQ(0xc0, page_byte(p, 4));
	ASSERT_EQ(0xc0, map_byte(mp + 4 * PAGE));
	memset(mp + 5 * PAGE, 0xd0, PAGE);
	ASSERT_EQ(0xd0, map_byte(ms + 3 * PAGE));
	ASSERT_EQ(0xd0, page_byte(s, 3));
	ASSERT_EQ(0, put_page(s, 1, 0xe0));
	ASSERT_EQ(0xe0, map_byte(mp + 3 * PAGE));

	/* The slice ends where it ends. */
	ASSERT_EQ(0, zt_pread(s, &byte, 1, 4 * PAGE));
	ASSERT_EQ(-ERANGE, zt_pwrite(s, "x", 2, 4 * PAGE - 1));
	ASSERT_EQ(0x16, page_byte(p, 6));
	ASSERT_EQ(0x11, page_byte(p, 1));

	/* No page was copied, and the slice is charged for none. */
	ASSERT_EQ(before + 8, pages_held());
	ASSERT_EQ(0, zt_info(s, &si));
	ASSERT_EQ(0, si.committed_bytes);
	ASSERT_EQ(0, si.committed_private_bytes);
	ASSERT_EQ(0, si.committed_scaled_bytes);
	ASSERT_EQ(0, zt_info(p, &pi));
	ASSERT_EQ(8 * PAGE, pi.committed_bytes);

	munmap(ms, 4 * PAGE);
	munmap(mp, 8 * PAGE);
	/* The slice outlives the parent's descriptor. */
	close(p);
	ASSERT_EQ(0xa0, page_byte(s, 0));
	ASSERT_EQ(0, put_page(s, 0, 0xf0));
	ASSERT_EQ(0xf0, page_byte(s, 0));
	close(s);
	ASSERT_EQ(before, pages_held());
}

TEST(slice_must_lie_inside_its_parent)
{
	struct zvmo_stats before, after;
	int p, s;

	p = make_parent(NPG, 0);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, zt_stats(&before));
	ASSERT_EQ(-EINVAL, zt_child(p, ZVMO_CHILD_SLICE, 0, 5 * PAGE));
	ASSERT_EQ(-EINVAL, zt_child(p, ZVMO_CHILD_SLICE, 3 * PAGE, 2 * PAGE));
	ASSERT_EQ(-EINVAL, zt_child(p, ZVMO_CHILD_SLICE, 4 * PAGE, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(p, ZVMO_CHILD_SLICE, 64 * PAGE, PAGE));
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
	ASSERT_EQ(before.handles, after.handles);

	s = zt_child(p, ZVMO_CHILD_SLICE, 0, NPG * PAGE);
	ASSERT_LE(0, s);
	close(s);
	s = zt_child(p, ZVMO_CHILD_SLICE, 3 * PAGE, PAGE);
	ASSERT_LE(0, s);
	ASSERT_EQ(0x13, page_byte(s, 0));
	close(s);
	close(p);
}

TEST(slice_options)
{
	struct zvmo_stats before, after;
	struct zvmo_vmo_info info;
	int p, rp, s;

	p = make_parent(NPG, 0);
	ASSERT_LE(0, p);
	rp = make_parent(NPG, ZVMO_VMO_RESIZABLE);
	ASSERT_LE(0, rp);
	ASSERT_EQ(0, zt_stats(&before));
	ASSERT_EQ(-EOPNOTSUPP, zt_child(rp, ZVMO_CHILD_SLICE, 0, PAGE));
	ASSERT_EQ(-EOPNOTSUPP, zt_child(rp, ZVMO_CHILD_SLICE |
					ZVMO_CHILD_NO_WRITE, 0, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(p, ZVMO_CHILD_SLICE |
				    ZVMO_CHILD_RESIZABLE, 0, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(p, ZVMO_CHILD_SLICE |
				    ZVMO_CHILD_SNAPSHOT, 0, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(p, ZVMO_CHILD_SLICE |
				    ZVMO_CHILD_REFERENCE, 0, PAGE));
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
	ASSERT_EQ(before.handles, after.handles);

	/* A read-only window. */
	s = zt_child(p, ZVMO_CHILD_SLICE | ZVMO_CHILD_NO_WRITE, PAGE, PAGE);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, zt_info(s, &info));
	ASSERT_EQ(R_FIXED & ~R_W, info.rights);
	ASSERT_EQ(ZVMO_INFO_SLICE, info.flags & TYPE_FLAGS);
	ASSERT_EQ(0x11, page_byte(s, 0));
	ASSERT_EQ(-EACCES, put_page(s, 0, 0x99));
	ASSERT_EQ(MAP_FAILED, map(s, PAGE, PROT_READ | PROT_WRITE));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(0, put_page(p, 1, 0x77));
	ASSERT_EQ(0x77, page_byte(s, 0));
	close(s);
	close(rp);
	close(p);
}

TEST(slice_of_slice_offsets_add_up)
{
	struct zvmo_vmo_info s1i, s2i;
	int p, s1, s2;

	p = make_parent(8, 0);
	ASSERT_LE(0, p);
	s1 = zt_child(p, ZVMO_CHILD_SLICE, 2 * PAGE, 4 * PAGE);
	ASSERT_LE(0, s1);
	s2 = zt_child(s1, ZVMO_CHILD_SLICE, PAGE, 2 * PAGE);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, zt_info(s1, &s1i));
	ASSERT_EQ(0, zt_info(s2, &s2i));
	ASSERT_EQ(s1i.koid, s2i.parent_koid);
	ASSERT_EQ(ZVMO_INFO_SLICE, s2i.flags & TYPE_FLAGS);
	ASSERT_EQ(0x13, page_byte(s2, 0));
	ASSERT_EQ(0x14, page_byte(s2, 1));
	ASSERT_EQ(0, put_page(s2, 1, 0xab));
	ASSERT_EQ(0xab, page_byte(s1, 2));
	ASSERT_EQ(0xab, page_byte(p, 4));
	ASSERT_EQ(0, put_page(p, 3, 0xcd));
	ASSERT_EQ(0xcd, page_byte(s2, 0));
	/* Inside s1, not merely inside p. */
	ASSERT_EQ(-EINVAL, zt_child(s1, ZVMO_CHILD_SLICE, 3 * PAGE, 2 * PAGE));
	ASSERT_EQ(-EINVAL, zt_child(s1, ZVMO_CHILD_SLICE, 4 * PAGE, PAGE));
	/* Neither snapshots nor references of slices. */
	ASSERT_EQ(-EOPNOTSUPP, zt_child(s2, ZVMO_CHILD_SNAPSHOT, 0, PAGE));
	ASSERT_EQ(-EOPNOTSUPP, zt_child(s2, ZVMO_CHILD_REFERENCE, 0, 0));
	close(s1);
	close(p);
	ASSERT_EQ(0xcd, page_byte(s2, 0));
	close(s2);
}

TEST(slice_decommit_and_zero_reach_the_parent)
{
	long before = pages_held();
	unsigned char buf[PAGE];
	struct zvmo_vmo_info info;
	int p, s;

	p = make_parent(NPG, 0);
	ASSERT_LE(0, p);
	s = zt_child(p, ZVMO_CHILD_SLICE, PAGE, 2 * PAGE);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, zt_op(s, ZVMO_OP_DECOMMIT, 0, PAGE));
	ASSERT_EQ(0, page_byte(s, 0));
	ASSERT_EQ(0, page_byte(p, 1));
	ASSERT_EQ(0x10, page_byte(p, 0));
	ASSERT_EQ(0x12, page_byte(p, 2));
	ASSERT_EQ(0, zt_info(p, &info));
	ASSERT_EQ(3 * PAGE, info.committed_bytes);
	ASSERT_EQ(before + 3, pages_held());
	ASSERT_EQ(0, zt_info(s, &info));
	ASSERT_EQ(0, info.committed_bytes);

	ASSERT_EQ(0, zt_op(s, ZVMO_OP_ZERO, PAGE + 10, 20));
	ASSERT_EQ(PAGE, zt_pread(p, buf, PAGE, 2 * PAGE));
	ASSERT_TRUE(all_bytes(buf, 0x12, 10));
	ASSERT_TRUE(all_bytes(buf + 10, 0, 20));
	ASSERT_TRUE(all_bytes(buf + 30, 0x12, PAGE - 30));
	/* Only inside the slice. */
	ASSERT_EQ(-ERANGE, zt_op(s, ZVMO_OP_DECOMMIT, PAGE, 2 * PAGE));
	ASSERT_EQ(0x13, page_byte(p, 3));
	close(s);
	close(p);
	ASSERT_EQ(before, pages_held());
}

TEST(slice_of_snapshot_is_a_window_onto_the_snapshot)
{
	long before = pages_held();
	int p, c, s;

	p = make_parent(NPG, 0);
	ASSERT_LE(0, p);
	c = snap(p);
	ASSERT_LE(0, c);
	s = zt_child(c, ZVMO_CHILD_SLICE, PAGE, 2 * PAGE);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, put_page(s, 0, 0x5a));
	ASSERT_EQ(0x5a, page_byte(c, 1));
	ASSERT_EQ(0x11, page_byte(p, 1));
	ASSERT_EQ(0, put_page(p, 2, 0x6a));
	ASSERT_EQ(0x12, page_byte(s, 1));
	ASSERT_EQ(0, put_page(c, 2, 0x7a));
	ASSERT_EQ(0x7a, page_byte(s, 1));
	ASSERT_EQ(-EOPNOTSUPP, zt_child(s, ZVMO_CHILD_SNAPSHOT, 0, PAGE));
	/* The snapshot and the original go; the window stays. */
	close(c);
	close(p);
	ASSERT_EQ(0x5a, page_byte(s, 0));
	ASSERT_EQ(0x7a, page_byte(s, 1));
	ASSERT_GE(before + NPG, pages_held());
	close(s);
	ASSERT_EQ(before, pages_held());
}

TEST(reference_is_the_same_vmo)
{
	long before = pages_held();
	struct zvmo_vmo_info pi, ri;
	int p, r, rr;
	char *m, byte;

	p = make_parent(NPG, ZVMO_VMO_RESIZABLE);
	ASSERT_LE(0, p);
	r = zt_child(p, ZVMO_CHILD_REFERENCE, 0, 0);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, zt_info(p, &pi));
	ASSERT_EQ(0, zt_info(r, &ri));
	ASSERT_EQ(pi.koid, ri.parent_koid);
	ASSERT_NE(pi.koid, ri.koid);
	ASSERT_EQ(NPG * PAGE, ri.size);
	/* Resizable like its parent, as in Zircon, but without the right. */
	ASSERT_EQ(ZVMO_INFO_REFERENCE | ZVMO_INFO_RESIZABLE,
		  ri.flags & TYPE_FLAGS);
	ASSERT_EQ(R_FIXED, ri.rights);
	ASSERT_EQ(1, pi.num_children);
	ASSERT_LE(1, ri.share_count);
	ASSERT_EQ(0, ri.committed_bytes);
	ASSERT_EQ(0, ri.committed_private_bytes);
	ASSERT_EQ(0, ri.committed_scaled_bytes);
	ASSERT_EQ(0x13, page_byte(r, 3));

	ASSERT_EQ(0, put_page(r, 0, 0xa0));
	ASSERT_EQ(0xa0, page_byte(p, 0));
	ASSERT_EQ(0, put_page(p, 1, 0xa1));
	ASSERT_EQ(0xa1, page_byte(r, 1));
	m = map(r, NPG * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, m);
	memset(m + 2 * PAGE, 0xa2, PAGE);
	ASSERT_EQ(0xa2, page_byte(p, 2));
	munmap(m, NPG * PAGE);
	ASSERT_EQ(before + NPG, pages_held());

	/* The parent's size is the reference's. */
	ASSERT_EQ(0, zt_set_size(p, 8 * PAGE));
	ASSERT_EQ(8 * PAGE, zt_size(r));
	ASSERT_EQ(0, put_page(p, 7, 0xa7));
	ASSERT_EQ(0xa7, page_byte(r, 7));
	ASSERT_EQ(0, zt_set_size(p, 2 * PAGE));
	ASSERT_EQ(2 * PAGE, zt_size(r));
	ASSERT_EQ(0, zt_pread(r, &byte, 1, 2 * PAGE));
	/* Its content size never reads past the size they share. */
	ASSERT_EQ(0, zt_info(r, &ri));
	ASSERT_EQ(2 * PAGE, ri.content_size);
	/* Without the resize right it cannot resize anything. */
	ASSERT_EQ(-EACCES, zt_set_size(r, 4 * PAGE));
	ASSERT_EQ(2 * PAGE, zt_size(p));

	/* A resizable one resizes the VMO. */
	rr = zt_child(p, ZVMO_CHILD_REFERENCE | ZVMO_CHILD_RESIZABLE, 0, 0);
	ASSERT_LE(0, rr);
	ASSERT_EQ(0, zt_info(rr, &ri));
	ASSERT_EQ(ZVMO_INFO_REFERENCE | ZVMO_INFO_RESIZABLE,
		  ri.flags & TYPE_FLAGS);
	ASSERT_EQ(0, zt_set_size(rr, 3 * PAGE));
	ASSERT_EQ(3 * PAGE, zt_size(p));
	ASSERT_EQ(3 * PAGE, zt_size(r));
	ASSERT_EQ(0, page_byte(p, 2));
	ASSERT_EQ(0xa1, page_byte(rr, 1));
	/* Shrunk through the reference, the owner's content size follows. */
	ASSERT_EQ(0, zt_set_size(rr, PAGE));
	ASSERT_EQ(0, zt_info(p, &pi));
	ASSERT_EQ(PAGE, pi.content_size);

	/* The original's descriptor goes; the references still share. */
	close(p);
	ASSERT_EQ(0, put_page(r, 0, 0xb0));
	ASSERT_EQ(0xb0, page_byte(rr, 0));
	close(rr);
	close(r);
	ASSERT_EQ(before, pages_held());
}

TEST(reference_rules)
{
	struct zvmo_stats before, after;
	int p, s, r, c;

	p = make_parent(NPG, 0);
	ASSERT_LE(0, p);
	s = zt_child(p, ZVMO_CHILD_SLICE, 0, 2 * PAGE);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, zt_stats(&before));
	ASSERT_EQ(-EINVAL, zt_child(p, ZVMO_CHILD_REFERENCE, PAGE, 0));
	ASSERT_EQ(-EINVAL, zt_child(p, ZVMO_CHILD_REFERENCE, 0, PAGE));
	ASSERT_EQ(-EINVAL, zt_child(p, ZVMO_CHILD_REFERENCE, 0, NPG * PAGE));
	ASSERT_EQ(-EOPNOTSUPP, zt_child(p, ZVMO_CHILD_REFERENCE |
					ZVMO_CHILD_RESIZABLE, 0, 0));
	ASSERT_EQ(-EOPNOTSUPP, zt_child(s, ZVMO_CHILD_REFERENCE, 0, 0));
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
	ASSERT_EQ(before.handles, after.handles);

	/* A reference of a snapshot is the snapshot. */
	c = snap(p);
	ASSERT_LE(0, c);
	r = zt_child(c, ZVMO_CHILD_REFERENCE, 0, 0);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, put_page(r, 0, 0x9c));
	ASSERT_EQ(0x9c, page_byte(c, 0));
	ASSERT_EQ(0x10, page_byte(p, 0));
	ASSERT_EQ(0, put_page(p, 1, 0x9d));
	ASSERT_EQ(0x11, page_byte(r, 1));
	close(r);
	close(c);
	close(s);
	close(p);
}

TEST(num_children_counts_live_children)
{
	struct zvmo_vmo_info info;
	int p, c, s, s2, r, g;

	p = make_parent(NPG, 0);
	ASSERT_LE(0, p);
	c = snap(p);
	ASSERT_LE(0, c);
	s = zt_child(p, ZVMO_CHILD_SLICE, 0, PAGE);
	ASSERT_LE(0, s);
	r = zt_child(p, ZVMO_CHILD_REFERENCE, 0, 0);
	ASSERT_LE(0, r);
	g = snap(c);
	ASSERT_LE(0, g);
	ASSERT_EQ(0, zt_info(p, &info));
	ASSERT_EQ(3, info.num_children);
	ASSERT_EQ(0, zt_info(c, &info));
	ASSERT_EQ(1, info.num_children);
	/* Another descriptor of the same child is not another child. */
	s2 = zt_dup(s, ZVMO_RIGHT_SAME_RIGHTS, 0);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, zt_info(p, &info));
	ASSERT_EQ(3, info.num_children);

	close(r);
	ASSERT_EQ(0, zt_info(p, &info));
	ASSERT_EQ(2, info.num_children);
	close(g);
	ASSERT_EQ(0, zt_info(c, &info));
	ASSERT_EQ(0, info.num_children);
	close(c);
	ASSERT_EQ(0, zt_info(p, &info));
	ASSERT_EQ(1, info.num_children);
	/* The slice lives while any of its descriptors does. */
	close(s);
	ASSERT_EQ(0, zt_info(p, &info));
	ASSERT_EQ(1, info.num_children);
	close(s2);
	ASSERT_EQ(0, zt_info(p, &info));
	ASSERT_EQ(0, info.num_children);
	close(p);
}

/*
 * Mappings follow every fork and migration. Each page is written first by
 * one side and then by the other, once through a mapping and once through
 * pwrite(). The parent's read/write mapping was written before the snapshot,
 * so its entries must have been write-protected; the read-only mapping was
 * faulted before the snapshot and must follow the parent's new pages.
 */
TEST(mappings_follow_forks_and_migrations)
{
	long before = pages_held();
	char *mp, *mr, *mc;
	int p, c, i;

	p = zt_create(NPG * PAGE, 0, 0);
	ASSERT_LE(0, p);
	mp = map(p, NPG * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, mp);
	mr = map(p, NPG * PAGE, PROT_READ);
	ASSERT_NE(MAP_FAILED, mr);
	memset(mp, 'a', NPG * PAGE);
	for (i = 0; i < NPG; i++)
		ASSERT_EQ('a', map_byte(mr + i * PAGE));

	c = snap(p);
	ASSERT_LE(0, c);
	mc = map(c, NPG * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, mc);
	for (i = 0; i < NPG; i++)
		ASSERT_EQ('a', map_byte(mc + i * PAGE));
	ASSERT_EQ(before + NPG, pages_held());

	/* Page 0: the child forks it through its mapping... */
	memset(mc, 'c', PAGE);
	ASSERT_EQ('c', page_byte(c, 0));
	ASSERT_EQ('a', map_byte(mp));
	ASSERT_EQ('a', map_byte(mr));
	ASSERT_EQ('a', page_byte(p, 0));
	/* ...then the parent's write through its mapping migrates it. */
	memset(mp, 'p', PAGE);
	ASSERT_EQ('p', map_byte(mr));
	ASSERT_EQ('p', page_byte(p, 0));
	ASSERT_EQ('c', map_byte(mc));
	ASSERT_EQ('c', page_byte(c, 0));

	/* Page 1: the parent forks it with pwrite()... */
	ASSERT_EQ(0, put_page(p, 1, 'q'));
	ASSERT_EQ('q', map_byte(mp + PAGE));
	ASSERT_EQ('q', map_byte(mr + PAGE));
	ASSERT_EQ('a', map_byte(mc + PAGE));
	ASSERT_EQ('a', page_byte(c, 1));
	/* ...then the child's mapping takes over the page left behind. */
	memset(mc + PAGE, 'd', PAGE);
	ASSERT_EQ('d', page_byte(c, 1));
	ASSERT_EQ('q', map_byte(mp + PAGE));
	ASSERT_EQ('q', map_byte(mr + PAGE));
	ASSERT_EQ('q', page_byte(p, 1));

	/* Page 2: the child forks it with pwrite(), the parent maps. */
	ASSERT_EQ(0, put_page(c, 2, 'e'));
	ASSERT_EQ('e', map_byte(mc + 2 * PAGE));
	ASSERT_EQ('a', map_byte(mp + 2 * PAGE));
	ASSERT_EQ('a', map_byte(mr + 2 * PAGE));
	memset(mp + 2 * PAGE, 'f', PAGE);
	ASSERT_EQ('f', map_byte(mr + 2 * PAGE));
	ASSERT_EQ('f', page_byte(p, 2));
	ASSERT_EQ('e', map_byte(mc + 2 * PAGE));
	ASSERT_EQ('e', page_byte(c, 2));

	/* Page 3: the parent writes first, through its old mapping. */
	memset(mp + 3 * PAGE, 'g', PAGE);
	ASSERT_EQ('g', map_byte(mr + 3 * PAGE));
	ASSERT_EQ('g', page_byte(p, 3));
	ASSERT_EQ('a', map_byte(mc + 3 * PAGE));
	ASSERT_EQ('a', page_byte(c, 3));
	ASSERT_EQ(0, put_page(c, 3, 'h'));
	ASSERT_EQ('h', map_byte(mc + 3 * PAGE));
	ASSERT_EQ('g', map_byte(mp + 3 * PAGE));
	ASSERT_EQ('g', map_byte(mr + 3 * PAGE));

	/* Four forks, four migrations: two full copies and no more. */
	ASSERT_EQ(before + 2 * NPG, pages_held());

	/* The child goes; the parent's mappings still work. */
	munmap(mc, NPG * PAGE);
	close(c);
	ASSERT_EQ(before + NPG, pages_held());
	memset(mp, 'z', PAGE);
	ASSERT_EQ('z', map_byte(mr));
	ASSERT_EQ('z', page_byte(p, 0));
	ASSERT_EQ('q', map_byte(mr + PAGE));
	ASSERT_EQ(before + NPG, pages_held());
	munmap(mr, NPG * PAGE);
	munmap(mp, NPG * PAGE);
	close(p);
	ASSERT_EQ(before, pages_held());
}

/*
 * Pages written through a mapping just before a snapshot: the next write
 * through the same mapping must not reach the snapshot. Also for a child
 * that is itself snapshotted.
 */
TEST(snapshot_write_protects_existing_mappings)
{
	long before = pages_held();
	char *mp, *mc;
	int p, c, g, i;

	p = zt_create(NPG * PAGE, 0, 0);
	ASSERT_LE(0, p);
	mp = map(p, NPG * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, mp);
	memset(mp, 'p', NPG * PAGE);

	c = snap(p);
	ASSERT_LE(0, c);
	mc = map(c, NPG * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, mc);
	memset(mc, 'c', NPG * PAGE);
	memset(mp, 'P', NPG * PAGE);
	for (i = 0; i < NPG; i++) {
		ASSERT_EQ('c', page_byte(c, i));
		ASSERT_EQ('P', page_byte(p, i));
	}

	/* c's pages are its own and mapped writable; now snapshot c. */
	g = snap(c);
	ASSERT_LE(0, g);
	memset(mc, 'C', NPG * PAGE);
	memset(mp, 'Q', NPG * PAGE);
	for (i = 0; i < NPG; i++) {
		ASSERT_EQ('c', page_byte(g, i));
		ASSERT_EQ('C', page_byte(c, i));
		ASSERT_EQ('Q', page_byte(p, i));
		ASSERT_EQ('C', map_byte(mc + i * PAGE));
		ASSERT_EQ('Q', map_byte(mp + i * PAGE));
	}
	ASSERT_GE(before + 3 * NPG, pages_held());

	/* The middle goes while still mapped, then its descriptor too. */
	close(c);
	memset(mc + PAGE, 'D', PAGE);
	ASSERT_EQ('c', page_byte(g, 1));
	munmap(mc, NPG * PAGE);
	for (i = 0; i < NPG; i++)
		ASSERT_EQ('c', page_byte(g, i));
	munmap(mp, NPG * PAGE);
	close(p);
	ASSERT_EQ(before + NPG, pages_held());
	close(g);
	ASSERT_EQ(before, pages_held());
}

/*
 * The parent goes while the child is mapped: the pages the child saw
 * through its hidden parent become its own, and writing them through the
 * old mapping copies nothing.
 */
TEST(mapping_of_child_survives_the_merge)
{
	long before = pages_held();
	char *mc;
	int p, c, i;

	p = make_parent(NPG, 0);
	ASSERT_LE(0, p);
	c = snap(p);
	ASSERT_LE(0, c);
	mc = map(c, NPG * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, mc);
	for (i = 0; i < NPG; i++)
		ASSERT_EQ(0x10 + i, map_byte(mc + i * PAGE));
	ASSERT_EQ(0, put_page(p, 0, 0x99));
	ASSERT_EQ(0x10, map_byte(mc));

	close(p);
	for (i = 0; i < NPG; i++)
		ASSERT_EQ(0x10 + i, map_byte(mc + i * PAGE));
	ASSERT_EQ(before + NPG, pages_held());
	for (i = 0; i < NPG; i++) {
		memset(mc + i * PAGE, 0x40 + i, PAGE);
		ASSERT_EQ(0x40 + i, page_byte(c, i));
	}
	ASSERT_EQ(before + NPG, pages_held());
	munmap(mc, NPG * PAGE);
	close(c);
	ASSERT_EQ(before, pages_held());
}

/*
 * Threads snapshot one VMO over and over while another writes it. Pages
 * 0 to STABLE - 1 of the shared VMO are never written after setup; the
 * writer owns the rest.
 */
#define CPG 16
#define STABLE 8

struct cow_thread {
	int fd;
	char *map;		/* the writer's mapping of the shared VMO */
	int id;
	int iters;
	int errors;
	int done;		/* iterations completed */
	int last[CPG];		/* what the writer left in each page */
	int *stop;
};

static void *snapshotter(void *arg)
{
	struct cow_thread *t = arg;
	int i, pg, c, g;

	for (i = 0; i < t->iters; i++) {
		int v = 0x40 + t->id * 8 + (i & 7);

		c = zt_child(t->fd, ZVMO_CHILD_SNAPSHOT, 0, CPG * PAGE);
		if (c < 0) {
			t->errors++;
			continue;
		}
		for (pg = 0; pg < STABLE; pg++)
			if (page_byte(c, pg) != 0x10 + pg)
				t->errors++;
		for (pg = 0; pg < CPG; pg++)
			if (put_page(c, pg, v))
				t->errors++;
		if (i % 4 == 3) {
			char *m = map(c, CPG * PAGE, PROT_READ | PROT_WRITE);

			if (m == MAP_FAILED) {
				t->errors++;
			} else {
				v ^= 0x20;
				memset(m, v, CPG * PAGE);
				munmap(m, CPG * PAGE);
			}
		}
		for (pg = 0; pg < CPG; pg++)
			if (page_byte(c, pg) != v)
				t->errors++;
		for (pg = 0; pg < STABLE; pg++)
			if (page_byte(t->fd, pg) != 0x10 + pg)
				t->errors++;
		if (i % 8 == 7) {
			/* A grandchild outlives its parent. */
			g = zt_child(c, ZVMO_CHILD_SNAPSHOT, 0, CPG * PAGE);
			close(c);
			c = g;
			if (c < 0) {
				t->errors++;
				continue;
			}
			for (pg = 0; pg < CPG; pg++)
				if (page_byte(c, pg) != v)
					t->errors++;
		}
		close(c);
		t->done++;
	}
	return NULL;
}

static void *parent_writer(void *arg)
{
	struct cow_thread *t = arg;
	int n, pg, v;

	for (n = 0; n < t->iters; n++) {
		if (__atomic_load_n(t->stop, __ATOMIC_ACQUIRE))
			break;
		pg = STABLE + n % (CPG - STABLE);
		v = 0x80 | (n & 0x7f);
		if (n & 1)
			memset(t->map + pg * PAGE, v, PAGE);
		else if (put_page(t->fd, pg, v))
			t->errors++;
		t->last[pg] = v;
		if (page_byte(t->fd, pg) != v ||
		    map_byte(t->map + pg * PAGE) != v)
			t->errors++;
	}
	t->done = n;
	return NULL;
}

TEST(concurrent_snapshots_while_the_parent_is_written)
{
	enum { SNAPPERS = 4 };
	struct cow_thread t[SNAPPERS + 1];
	pthread_t th[SNAPPERS + 1];
	long before = pages_held(), vmos = vmos_alive();
	int stop = 0;
	int fd, i, pg;
	char *m;

	fd = make_parent(CPG, 0);
	ASSERT_LE(0, fd);
	m = map(fd, CPG * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i <= SNAPPERS; i++) {
		t[i] = (struct cow_thread){
			.fd = fd, .map = m, .id = i, .stop = &stop,
			.iters = i < SNAPPERS ? 100 : 20000,
		};
		for (pg = 0; pg < CPG; pg++)
			t[i].last[pg] = 0x10 + pg;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, i < SNAPPERS ?
					    snapshotter : parent_writer,
					    &t[i]));
	}
	for (i = 0; i < SNAPPERS; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, t[i].errors) TH_LOG("snapshotter %d", i);
		EXPECT_EQ(t[i].iters, t[i].done);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(th[SNAPPERS], NULL));
	EXPECT_EQ(0, t[SNAPPERS].errors);
	TH_LOG("the writer wrote %d pages", t[SNAPPERS].done);

	for (pg = 0; pg < CPG; pg++) {
		ASSERT_EQ(t[SNAPPERS].last[pg], page_byte(fd, pg));
		ASSERT_EQ(t[SNAPPERS].last[pg], map_byte(m + pg * PAGE));
	}
	ASSERT_EQ(before + CPG, pages_held());
	munmap(m, CPG * PAGE);
	close(fd);
	ASSERT_EQ(before, pages_held());
	ASSERT_EQ(vmos, vmos_alive());
}

/*
 * Parent and snapshot write the same pages at the same time, one through a
 * mapping and one with pwrite() by turns: each side only ever reads back
 * its own writes.
 */
static void *side_writer(void *arg)
{
	struct cow_thread *t = arg;
	int i, pg, v;

	for (i = 0; i < t->iters; i++) {
		for (pg = 0; pg < NPG * 2; pg++) {
			v = t->id + (i + pg) % 64;
			if ((i + pg + t->id / 64) & 1)
				memset(t->map + pg * PAGE, v, PAGE);
			else if (put_page(t->fd, pg, v))
				t->errors++;
			t->last[pg] = v;
			if (page_byte(t->fd, pg) != v ||
			    map_byte(t->map + pg * PAGE) != v)
				t->errors++;
		}
		t->done++;
	}
	return NULL;
}

TEST(concurrent_writes_to_both_sides_of_the_same_pages)
{
	size_t len = 2 * NPG * PAGE;
	struct cow_thread t[2];
	pthread_t th[2];
	long before = pages_held();
	int fd[2], i, pg;

	fd[0] = make_parent(2 * NPG, 0);
	ASSERT_LE(0, fd[0]);
	fd[1] = zt_child(fd[0], ZVMO_CHILD_SNAPSHOT, 0, len);
	ASSERT_LE(0, fd[1]);
	for (i = 0; i < 2; i++) {
		/* Values 0x80-0xbf for the parent, 0x40-0x7f for the child. */
		t[i] = (struct cow_thread){
			.fd = fd[i], .id = i ? 0x40 : 0x80, .iters = 200,
		};
		t[i].map = map(fd[i], len, PROT_READ | PROT_WRITE);
		ASSERT_NE(MAP_FAILED, t[i].map);
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, side_writer, &t[i]));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, t[i].errors) TH_LOG("side %d", i);
		EXPECT_EQ(t[i].iters, t[i].done);
	}
	for (i = 0; i < 2; i++)
		for (pg = 0; pg < 2 * NPG; pg++) {
			ASSERT_EQ(t[i].last[pg], page_byte(fd[i], pg));
			ASSERT_EQ(t[i].last[pg],
				  map_byte(t[i].map + pg * PAGE));
		}
	ASSERT_EQ(before + 4 * NPG, pages_held());
	munmap(t[1].map, len);
	close(fd[1]);
	ASSERT_EQ(before + 2 * NPG, pages_held());
	for (pg = 0; pg < 2 * NPG; pg++)
		ASSERT_EQ(t[0].last[pg], page_byte(fd[0], pg));
	munmap(t[0].map, len);
	close(fd[0]);
	ASSERT_EQ(before, pages_held());
}

/*
 * First writes through a mapping, from two threads, race snapshots,
 * decommits and zeroes. A first write maps its page writable after the
 * fault handler let it go; a snapshot or decommit in that window must
 * still catch the entry, or later stores through it would land in the
 * snapshot's page (which then changes under it) or in a page the VMO no
 * longer has (which pread() then does not show). While one waits for a
 * write in the window, the other writer's faults wait for it in turn.
 */
#define RPG 32

struct race {
	int fd;
	volatile char *map;
	int stop;
	unsigned long stores;		/* stores done, by the writers */
	unsigned long dec_started;	/* decommits begun, by the racer */
	unsigned long dec_finished;
	int errors;
};

/* Two writers, each on its half of the pages. */
struct race_writer {
	struct race *r;
	int first;
};

static void *first_writer(void *arg)
{
	struct race_writer *w = arg;
	struct race *r = w->r;
	unsigned long n = 0;
	int pg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		for (pg = w->first; pg < w->first + RPG / 2; pg++, n++) {
			char v = 0x80 | (n & 0x7f), got;
			unsigned long f, s;

			f = __atomic_load_n(&r->dec_finished, __ATOMIC_ACQUIRE);
			r->map[pg * PAGE] = v;
			if (pread(r->fd, &got, 1, pg * PAGE) != 1)
				r->errors++;
			s = __atomic_load_n(&r->dec_started, __ATOMIC_ACQUIRE);
			/* No decommit overlapped: the VMO has the store. */
			if (s == f && got != v)
				__atomic_add_fetch(&r->errors, 1,
						   __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&r->stores, RPG / 2, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void wait_stores(struct race *r, unsigned long past)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (__atomic_load_n(&r->stores, __ATOMIC_ACQUIRE) < past &&
		 t.tv_sec - t0.tv_sec < 2);
}

/*
 * Debug builds of the module can make each write fault wait in that
 * window; set it for the test if there is the knob. Returns the old value
 * or -1.
 */
static int mkwrite_delay(int us)
{
	const char *knob = "/sys/module/zvmo/parameters/debug_mkwrite_delay_us";
	char buf[32];
	int fd = open(knob, O_RDWR), old = -1;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		buf[n] = 0;
		old = atoi(buf);
		n = snprintf(buf, sizeof(buf), "%d\n", us);
		if (pwrite(fd, buf, n, 0) != n)
			old = -1;
	}
	close(fd);
	return old;
}

TEST(first_writes_racing_snapshots_and_decommits)
{
	char a[RPG], b[RPG];
	struct race r = { 0 };
	struct race_writer w[2] = { { &r, 0 }, { &r, RPG / 2 } };
	long before = pages_held();
	int i, pg, c, changed = 0, old_delay, rounds;
	struct timespec t0, t;
	pthread_t th[2];

	r.fd = zt_create(RPG * PAGE, 0, 0);
	ASSERT_LE(0, r.fd);
	r.map = map(r.fd, RPG * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, r.map);
	old_delay = mkwrite_delay(50);
	TH_LOG("write faults %s", old_delay < 0 ? "as they come" :
	       "held 50 us in the window");
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, first_writer, &w[i]));

	/*
	 * 300 rounds, or as many as 15 s allow: the debug kernel under
	 * emulation on a busy machine is slow, and the harness's limit is
	 * 30 s.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 300; i++) {
		unsigned long n = __atomic_load_n(&r.stores, __ATOMIC_ACQUIRE);

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= 15)
			break;

		c = zt_child(r.fd, ZVMO_CHILD_SNAPSHOT, 0, RPG * PAGE);
		ASSERT_LE(0, c);
		for (pg = 0; pg < RPG; pg++)
			ASSERT_EQ(1, pread(c, &a[pg], 1, pg * PAGE));
		/* Every page of the parent written again since. */
		wait_stores(&r, n + 2 * RPG);
		for (pg = 0; pg < RPG; pg++)
			ASSERT_EQ(1, pread(c, &b[pg], 1, pg * PAGE));
		changed += !!memcmp(a, b, RPG);
		close(c);

		/* The parent alone again: its pages go, and come back. */
		__atomic_add_fetch(&r.dec_started, 1, __ATOMIC_ACQ_REL);
		ASSERT_EQ(0, zt_op(r.fd, i & 1 ? ZVMO_OP_ZERO : ZVMO_OP_DECOMMIT,
				   0, RPG * PAGE));
		__atomic_add_fetch(&r.dec_finished, 1, __ATOMIC_ACQ_REL);
		wait_stores(&r, __atomic_load_n(&r.stores, __ATOMIC_ACQUIRE) +
				RPG);
	}
	rounds = i;
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));
	if (old_delay >= 0)
		mkwrite_delay(old_delay);
	EXPECT_EQ(0, changed) TH_LOG("snapshots that changed under the writer");
	EXPECT_EQ(0, r.errors) TH_LOG("stores the VMO did not get");
	EXPECT_LE(20, rounds) TH_LOG("rounds of snapshot and decommit");
	TH_LOG("%lu stores in %d rounds", r.stores, rounds);

	/* Mapping and VMO agree, and nothing is held but the parent's. */
	for (pg = 0; pg < RPG; pg++) {
		char got;

		ASSERT_EQ(1, pread(r.fd, &got, 1, pg * PAGE));
		ASSERT_EQ(got, r.map[pg * PAGE]);
	}
	EXPECT_GE(before + RPG, pages_held());
	munmap((void *)r.map, RPG * PAGE);
	close(r.fd);
	EXPECT_EQ(before, pages_held());
}

TEST_HARNESS_MAIN
