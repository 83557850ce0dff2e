// SPDX-License-Identifier: GPL-2.0
/*
 * Compression of cold pages of anonymous VMOs: by the reclaim_now
 * parameter ("compress N"), by drop_caches and under a memory cgroup
 * limit; content through every access path afterwards (read, write,
 * shared and private mappings, commit, pin, snapshots and the hidden
 * pages they share, zero, decommit, resize, close, supply to a pager);
 * populated and committed bytes; what is never compressed (pinned pages,
 * ALWAYS_NEED, ZVMO_VMO_NO_COMPRESS, the compress parameter off), what
 * goes first (DONT_NEED), pages that compress badly, pages of zeros, the
 * store's charge to the cgroup, the store's allocations failing, and
 * faults racing the compressor. Runs as root.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "zvmo_inject.h"
#include "zvmo_nl.h"
#include "zvmo_pager.h"

#define PARAM "/sys/module/zvmo/parameters/"

static const char *const words[] = {
	"the ", "object ", "memory ", "of ", "a ", "page ", "is ", "kernel ",
	"virtual ", "and ", "copy ", "on ", "write ", "snapshot ", "pager ",
	"zircon ", "linux ", "to ", "in ", "map ", "\n", "fault ", "pin ",
};

/* Text-like bytes for page @idx of generation @gen: they compress. */
static void text_page(unsigned char *buf, uint64_t idx, unsigned int gen)
{
	uint64_t x = idx * 2654435761u + gen * 40503u + 1;
	size_t n = 0;

	while (n < PAGE) {
		const char *w;
		size_t len;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w = words[x % (sizeof(words) / sizeof(words[0]))];
		len = strlen(w);
		if (len > PAGE - n)
			len = PAGE - n;
		memcpy(buf + n, w, len);
		n += len;
	}
	/* Each page different, so that none is a copy of another. */
	snprintf((char *)buf, 24, "page %llu gen %u ",
		 (unsigned long long)idx, gen);
}

/* Bytes that do not compress. */
static void noise_page(unsigned char *buf, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 7;
	size_t i;

	for (i = 0; i < PAGE; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(buf + i, &x, 8);
	}
}

/* Write text pages [@first, @first + @n) of @gen: 0 if all were. */
static int fill(int vmo, uint64_t first, uint64_t n, unsigned int gen)
{
	unsigned char buf[PAGE];
	uint64_t i;

	for (i = first; i < first + n; i++) {
		text_page(buf, i, gen);
		if (pwrite(vmo, buf, PAGE, i * PAGE) != (ssize_t)PAGE)
			return -1;
	}
	return 0;
}

/* Pages of [@first, @first + @n) whose bytes are not text of @gen. */
static int bad_pages(int vmo, uint64_t first, uint64_t n, unsigned int gen)
{
	unsigned char want[PAGE], got[PAGE];
	uint64_t i;
	int bad = 0;

	for (i = first; i < first + n; i++) {
		text_page(want, i, gen);
		if (pread(vmo, got, PAGE, i * PAGE) != (ssize_t)PAGE ||
		    memcmp(want, got, PAGE))
			bad++;
	}
	return bad;
}

/* The same through a mapping of the VMO's first pages. */
static int bad_mapped(const unsigned char *map, uint64_t first, uint64_t n,
		      unsigned int gen)
{
	unsigned char want[PAGE];
	uint64_t i;
	int bad = 0;

	for (i = first; i < first + n; i++) {
		text_page(want, i, gen);
		if (memcmp(want, map + i * PAGE, PAGE))
			bad++;
	}
	return bad;
}

static struct zvmo_stats stats(void)
{
	struct zvmo_stats st = { 0 };

	zt_stats(&st);
	return st;
}

static struct zvmo_vmo_info info(int vmo)
{
	struct zvmo_vmo_info i = { 0 };

	zt_info(vmo, &i);
	return i;
}

/* Compress all that can be now, whatever its age. */
static int compress_all(void)
{
	return zt_reclaim("compress", 1UL << 20);
}

static int64_t compressed(void)
{
	return stats().compressed_pages;
}

static int vmo_text(uint64_t pages, uint32_t options)
{
	int vmo = zt_create(pages * PAGE, options, ZVMO_FD_CLOEXEC);

	if (vmo >= 0 && fill(vmo, 0, pages, 0)) {
		close(vmo);
		return -1;
	}
	return vmo;
}

FIXTURE(zc) {
	int vmo;
	int64_t base;
};

FIXTURE_SETUP(zc)
{
	self->base = compressed();
	self->vmo = vmo_text(64, ZVMO_VMO_RESIZABLE);
	ASSERT_LE(0, self->vmo);
	ASSERT_EQ(0, compress_all());
	/* The store is the module's alone, and the VM's: nothing else. */
	ASSERT_EQ(self->base + 64, compressed());
}

FIXTURE_TEARDOWN(zc)
{
	close(self->vmo);
	EXPECT_EQ(self->base, compressed());
}

TEST_F(zc, counts_and_read_back)
{
	struct zvmo_stats st = stats();
	struct zvmo_vmo_info i = info(self->vmo);

	EXPECT_EQ(0, i.committed_bytes);
	EXPECT_EQ(64 * PAGE, i.populated_bytes);
	EXPECT_EQ(64 * PAGE, i.populated_private_bytes);
	EXPECT_EQ(64 * PAGE, i.populated_scaled_bytes);
	/* Text compresses: the store takes far less than the pages did. */
	EXPECT_GT(st.compressed_bytes, 0);
	EXPECT_LT(st.compressed_bytes, 64 * PAGE * 3 / 4);
	EXPECT_GT(st.compressed_pool_bytes, 0);
	EXPECT_LT(st.compressed_pool_bytes, 64 * PAGE);

	EXPECT_EQ(0, bad_pages(self->vmo, 0, 64, 0));
	EXPECT_EQ(st.decompressions + 64, stats().decompressions);
	EXPECT_EQ(self->base, compressed());
	i = info(self->vmo);
	EXPECT_EQ(64 * PAGE, i.committed_bytes);
	EXPECT_EQ(64 * PAGE, i.populated_bytes);

	/* Again: what was read is compressed again, and reads the same. */
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(self->base + 64, compressed());
	EXPECT_EQ(0, bad_pages(self->vmo, 0, 64, 0));
	ASSERT_EQ(0, compress_all());
}

TEST_F(zc, write_decompresses_only_its_page)
{
	unsigned char want[PAGE], got[PAGE];

	ASSERT_EQ(5, pwrite(self->vmo, "hello", 5, 5 * PAGE + 100));
	EXPECT_EQ(self->base + 63, compressed());
	text_page(want, 5, 0);
	memcpy(want + 100, "hello", 5);
	ASSERT_EQ(PAGE, pread(self->vmo, got, PAGE, 5 * PAGE));
	EXPECT_EQ(0, memcmp(want, got, PAGE));
	EXPECT_EQ(0, bad_pages(self->vmo, 0, 5, 0));
	EXPECT_EQ(0, bad_pages(self->vmo, 6, 58, 0));
}

TEST_F(zc, shared_mapping_reads_and_writes)
{
	unsigned char *map;
	char c = 0;

	map = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->vmo, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, bad_mapped(map, 0, 64, 0));
	EXPECT_EQ(self->base, compressed());
	map[3 * PAGE] = 'X';
	EXPECT_EQ(0, munmap(map, 64 * PAGE));
	EXPECT_EQ(0, bad_pages(self->vmo, 4, 60, 0));
	ASSERT_EQ(1, pread(self->vmo, &c, 1, 3 * PAGE));
	EXPECT_EQ('X', c);
}

TEST_F(zc, private_mapping_copies)
{
	unsigned char *map;

	map = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		   self->vmo, 0);
	ASSERT_NE(MAP_FAILED, map);
	map[7 * PAGE] ^= 0xff;		/* a write first: the core copies */
	map[7 * PAGE] ^= 0xff;
	EXPECT_EQ(0, bad_mapped(map, 0, 64, 0));
	map[9 * PAGE] = 'Y';
	EXPECT_EQ(0, munmap(map, 64 * PAGE));
	EXPECT_EQ(0, bad_pages(self->vmo, 0, 64, 0));
}

/*
 * A mapped page is not compressed while mapped: the compressor unmaps it
 * and leaves it one round, then takes it if nothing mapped it again.
 */
TEST_F(zc, mapped_pages_are_unmapped_first)
{
	unsigned char *map;
	int i, mapped = 0;

	map = mmap(NULL, 64 * PAGE, PROT_READ, MAP_SHARED, self->vmo, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, bad_mapped(map, 0, 64, 0));
	for (i = 0; i < 64; i++)
		mapped += zt_mapped(map + i * PAGE) == 1;
	EXPECT_EQ(64, mapped);
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(self->base, compressed());
	for (i = 0, mapped = 0; i < 64; i++)
		mapped += zt_mapped(map + i * PAGE) == 1;
	EXPECT_EQ(0, mapped);
	/*
	 * Touched again (with the pages fault-around maps): in use, and
	 * left another round.
	 */
	EXPECT_EQ(0, bad_mapped(map, 0, 8, 0));
	for (i = 0, mapped = 0; i < 64; i++)
		mapped += zt_mapped(map + i * PAGE) == 1;
	EXPECT_LE(8, mapped);
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(self->base + 64 - mapped, compressed());
	ASSERT_EQ(0, compress_all());
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(self->base + 64, compressed());
	EXPECT_EQ(0, bad_mapped(map, 0, 64, 0));
	EXPECT_EQ(0, munmap(map, 64 * PAGE));
}

TEST_F(zc, commit_decompresses)
{
	ASSERT_EQ(0, zt_op(self->vmo, ZVMO_OP_COMMIT, 8 * PAGE, 8 * PAGE));
	EXPECT_EQ(self->base + 56, compressed());
	EXPECT_EQ(8 * PAGE, info(self->vmo).committed_bytes);
	EXPECT_EQ(0, bad_pages(self->vmo, 0, 64, 0));
}

TEST_F(zc, pinned_pages_stay)
{
	int pmt = zt_pin(self->vmo, -1, ZVMO_PIN_READ, 0, 8 * PAGE, NULL, 0);

	ASSERT_LE(0, pmt);
	EXPECT_EQ(self->base + 56, compressed());
	EXPECT_EQ(0, bad_pages(self->vmo, 0, 64, 0));
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(self->base + 56, compressed());
	EXPECT_EQ(0, close(pmt));
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(self->base + 64, compressed());
	EXPECT_EQ(0, bad_pages(self->vmo, 0, 64, 0));
}

TEST_F(zc, zero_decommit_resize_free_the_store)
{
	unsigned char buf[PAGE], zero[PAGE] = { 0 };

	ASSERT_EQ(0, zt_op(self->vmo, ZVMO_OP_ZERO, 0, 4 * PAGE));
	EXPECT_EQ(self->base + 60, compressed());
	ASSERT_EQ(PAGE, pread(self->vmo, buf, PAGE, 2 * PAGE));
	EXPECT_EQ(0, memcmp(buf, zero, PAGE));
	/* A partial zero decompresses its page, and zeroes part of it. */
	ASSERT_EQ(0, zt_op(self->vmo, ZVMO_OP_ZERO, 4 * PAGE + 10, 10));
	EXPECT_EQ(self->base + 59, compressed());
	ASSERT_EQ(PAGE, pread(self->vmo, buf, PAGE, 4 * PAGE));
	EXPECT_EQ(0, memcmp(buf + 10, zero, 10));
	ASSERT_EQ(0, zt_op(self->vmo, ZVMO_OP_DECOMMIT, 8 * PAGE, 8 * PAGE));
	EXPECT_EQ(self->base + 51, compressed());
	ASSERT_EQ(0, zt_set_size(self->vmo, 32 * PAGE));
	EXPECT_EQ(self->base + 19, compressed());
	EXPECT_EQ(0, bad_pages(self->vmo, 16, 16, 0));
	EXPECT_EQ(0, bad_pages(self->vmo, 5, 3, 0));
}

TEST_F(zc, close_frees_the_store)
{
	int dup = zt_dup(self->vmo, ZVMO_RIGHT_SAME_RIGHTS, ZVMO_FD_CLOEXEC);

	ASSERT_LE(0, dup);
	EXPECT_EQ(0, close(dup));
	EXPECT_EQ(self->base + 64, compressed());
	/* The fixture's teardown closes the last and checks the store. */
}

TEST_F(zc, supply_from_compressed_aux)
{
	unsigned char want[PAGE], got[PAGE];
	int pager = pager_create(), pvmo;
	int i, bad = 0;

	ASSERT_LE(0, pager);
	pvmo = pager_vmo(pager, 16 * PAGE, 1, 0);
	ASSERT_LE(0, pvmo);
	ASSERT_EQ(0, supply(pager, pvmo, 0, 16 * PAGE, self->vmo, 8 * PAGE));
	EXPECT_EQ(self->base + 48, compressed());
	for (i = 0; i < 16; i++) {
		text_page(want, 8 + i, 0);
		if (pread(pvmo, got, PAGE, i * PAGE) != (ssize_t)PAGE ||
		    memcmp(want, got, PAGE))
			bad++;
	}
	EXPECT_EQ(0, bad);
	close(pvmo);
	close(pager);
}

static char out[1 << 16];

static int run_tool(const char *args)
{
	return zt_run_tool(args, out, sizeof(out));
}

/* The netlink family, /proc/zvmo and the tool show the VMO's 64 pages. */
TEST_F(zc, introspection_shows_it)
{
	static struct zt_nl_reply reply;
	struct zvmo_stats st = stats();
	struct zt_nl_vmo *v;
	struct zt_nl nl;
	char want[64];

	ASSERT_EQ(0, zt_nl_open(&nl));
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_VMO, true, 0, NULL, 0,
				   &reply));
	v = zt_nl_find(&reply, info(self->vmo).koid);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(64 * PAGE, v->compressed);
	EXPECT_EQ(64 * PAGE, v->populated);
	EXPECT_EQ(0, v->committed);
	ASSERT_EQ(0, zt_nl_request(&nl, ZVMO_CMD_GET_STATS, false, 0, NULL,
				   0, &reply));
	EXPECT_EQ(st.compressed_pages,
		  reply.stats[ZVMO_STAT_ATTR_COMPRESSED_PAGES]);
	EXPECT_EQ(st.compressed_bytes,
		  reply.stats[ZVMO_STAT_ATTR_COMPRESSED_BYTES]);
	EXPECT_EQ(st.compressions, reply.stats[ZVMO_STAT_ATTR_COMPRESSIONS]);
	/* Text: more bytes than the store takes, zsmalloc's slack and all. */
	EXPECT_LT(120, reply.stats[ZVMO_STAT_ATTR_COMPRESSION_RATIO]);
	EXPECT_EQ((long long)st.compressed_pages,
		  zt_proc_stat("compressed_pages"));
	EXPECT_EQ((long long)st.compressed_pool_bytes,
		  zt_proc_stat("compressed_pool_bytes"));
	zt_nl_close(&nl);

	if (access("./zvmo-stat", X_OK))
		SKIP(return, "zvmo-stat is not in the VM (make check puts it)");
	ASSERT_EQ(0, run_tool("--json"));
	snprintf(want, sizeof(want), "\"compressed_bytes\":%llu", 64 * PAGE);
	EXPECT_NE(NULL, strstr(out, want));
	ASSERT_EQ(0, run_tool(""));
	EXPECT_NE(NULL, strstr(out, "COMPRESSED"));
	EXPECT_NE(NULL, strstr(out, "256.0 KiB"));
	EXPECT_NE(NULL, strstr(out, "compression: "));
	ASSERT_EQ(0, run_tool("--stats"));
	EXPECT_NE(NULL, strstr(out, "compressed_pool_bytes "));
}

/* A snapshot's pages are in a hidden node: they compress as well. */
TEST(snapshot_shares_compressed_pages)
{
	int64_t base = compressed();
	int parent = vmo_text(32, 0), child;
	unsigned char buf[PAGE];
	struct zvmo_vmo_info i;

	ASSERT_LE(0, parent);
	child = zt_child(parent, ZVMO_CHILD_SNAPSHOT, 0, 32 * PAGE);
	ASSERT_LE(0, child);
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(base + 32, compressed());
	i = info(child);
	EXPECT_EQ(0, i.committed_bytes);
	EXPECT_EQ(32 * PAGE, i.populated_bytes);
	EXPECT_EQ(0, i.populated_private_bytes);
	EXPECT_EQ(16 * PAGE, i.populated_scaled_bytes);
	EXPECT_EQ(32 * PAGE, info(parent).populated_bytes);

	/* A write forks from the compressed page; the parent keeps its own. */
	memset(buf, 'c', PAGE);
	ASSERT_EQ(PAGE, pwrite(child, buf, PAGE, 3 * PAGE));
	EXPECT_EQ(0, bad_pages(parent, 0, 32, 0));
	EXPECT_EQ(0, bad_pages(child, 0, 3, 0));
	EXPECT_EQ(0, bad_pages(child, 4, 28, 0));
	ASSERT_EQ(PAGE, pread(child, buf, PAGE, 3 * PAGE));
	EXPECT_EQ('c', buf[0]);
	EXPECT_EQ('c', buf[PAGE - 1]);

	/* Again, then a write to the parent, and one side closes. */
	ASSERT_EQ(0, compress_all());
	ASSERT_EQ(0, fill(parent, 10, 1, 1));
	EXPECT_EQ(0, bad_pages(parent, 10, 1, 1));
	EXPECT_EQ(0, bad_pages(child, 10, 1, 0));
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(0, close(parent));
	EXPECT_EQ(0, bad_pages(child, 0, 3, 0));
	EXPECT_EQ(0, bad_pages(child, 4, 28, 0));
	EXPECT_EQ(0, close(child));
	EXPECT_EQ(base, compressed());
}

TEST(zero_pages_become_markers)
{
	struct zvmo_stats before = stats();
	unsigned char zero[PAGE] = { 0 }, buf[PAGE];
	int vmo = zt_create(8 * PAGE, 0, ZVMO_FD_CLOEXEC), i;

	ASSERT_LE(0, vmo);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(PAGE, pwrite(vmo, zero, PAGE, i * PAGE));
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(before.compressed_pages, compressed());
	EXPECT_EQ(before.deduped_pages + 8, stats().deduped_pages);
	EXPECT_EQ(0, info(vmo).populated_bytes);
	ASSERT_EQ(PAGE, pread(vmo, buf, PAGE, 5 * PAGE));
	EXPECT_EQ(0, memcmp(buf, zero, PAGE));
	close(vmo);
}

TEST(poor_pages_are_left_and_remembered)
{
	long long poor = zt_proc_stat("compress_poor");
	struct zvmo_stats before = stats();
	unsigned char buf[PAGE], got[PAGE];
	int vmo = zt_create(8 * PAGE, 0, ZVMO_FD_CLOEXEC), i;

	ASSERT_LE(0, vmo);
	for (i = 0; i < 8; i++) {
		noise_page(buf, i);
		ASSERT_EQ(PAGE, pwrite(vmo, buf, PAGE, i * PAGE));
	}
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(before.compressed_pages, compressed());
	EXPECT_EQ(8 * PAGE, info(vmo).committed_bytes);
	EXPECT_EQ(poor + 8, zt_proc_stat("compress_poor"));
	/* Not tried again until written. */
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(poor + 8, zt_proc_stat("compress_poor"));
	ASSERT_EQ(0, fill(vmo, 2, 1, 0));
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(before.compressed_pages + 1, compressed());
	EXPECT_EQ(7 * PAGE, info(vmo).committed_bytes);
	EXPECT_EQ(0, bad_pages(vmo, 2, 1, 0));
	noise_page(buf, 5);
	ASSERT_EQ(PAGE, pread(vmo, got, PAGE, 5 * PAGE));
	EXPECT_EQ(0, memcmp(buf, got, PAGE));
	close(vmo);
}

TEST(always_need_protects)
{
	int64_t base = compressed();
	int vmo = vmo_text(32, 0);

	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_ALWAYS_NEED, 0, 16 * PAGE));
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(base + 16, compressed());
	/* ALWAYS_NEED decompresses what it covers. */
	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_ALWAYS_NEED, 16 * PAGE, 8 * PAGE));
	EXPECT_EQ(base + 8, compressed());
	EXPECT_EQ(24 * PAGE, info(vmo).committed_bytes);
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(base + 8, compressed());
	EXPECT_EQ(0, bad_pages(vmo, 0, 32, 0));
	close(vmo);
}

/*
 * Tests that change the module's parameters, or inject failures: what
 * they change is put back however they end.
 */
FIXTURE(params) {
	int unused;
};

FIXTURE_SETUP(params)
{
}

FIXTURE_TEARDOWN(params)
{
	if (zi_have() && !getenv("ZVMO_INJECTING"))
		zi_stop();
	EXPECT_EQ(0, zt_write_file(PARAM "dedup_age_ms", "1000"));
	EXPECT_EQ(0, zt_write_file(PARAM "compress", "Y"));
}

/*
 * Reclaim as pressure has it compresses a VMO written just now only where
 * DONT_NEED marked it.
 */
TEST_F(params, dont_need_goes_first)
{
	int64_t base = compressed();
	int vmo;

	ASSERT_EQ(0, zt_write_file(PARAM "dedup_age_ms", "600000"));
	vmo = vmo_text(32, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, zt_reclaim(NULL, 1UL << 20));
	EXPECT_EQ(base, compressed());
	ASSERT_EQ(0, zt_op(vmo, ZVMO_OP_DONT_NEED, 8 * PAGE, 4 * PAGE));
	ASSERT_EQ(0, zt_reclaim(NULL, 1UL << 20));
	EXPECT_EQ(base + 4, compressed());
	EXPECT_EQ(0, bad_pages(vmo, 0, 32, 0));
	close(vmo);
}

TEST_F(params, no_compress_flag_and_parameter)
{
	int64_t base = compressed();
	int vmo = vmo_text(16, ZVMO_VMO_NO_COMPRESS), child, other;

	ASSERT_LE(0, vmo);
	child = zt_child(vmo, ZVMO_CHILD_SNAPSHOT, 0, 16 * PAGE);
	ASSERT_LE(0, child);
	ASSERT_EQ(0, fill(child, 0, 4, 2));
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(base, compressed());
	EXPECT_EQ(16 * PAGE, info(vmo).committed_bytes);

	ASSERT_EQ(0, zt_write_file(PARAM "compress", "N"));
	other = vmo_text(16, 0);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(base, compressed());
	ASSERT_EQ(0, zt_write_file(PARAM "compress", "Y"));
	ASSERT_EQ(0, compress_all());
	EXPECT_EQ(base + 16, compressed());
	EXPECT_EQ(0, bad_pages(other, 0, 16, 0));
	EXPECT_EQ(0, bad_pages(child, 0, 4, 2));
	close(other);
	close(child);
	close(vmo);
	/* An unknown option is still refused. */
	EXPECT_EQ(-EINVAL, zt_create(PAGE, 1U << 4, 0));
}

/* Pressure compresses a VMO once it has gone unwritten for a while. */
TEST(drop_caches_compresses_cold_vmos)
{
	int64_t base = compressed();
	int vmo = vmo_text(32, 0);

	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, zt_drop_caches());
	EXPECT_EQ(base, compressed());
	usleep(1200 * 1000);
	ASSERT_EQ(0, zt_drop_caches());
	EXPECT_EQ(base + 32, compressed());
	EXPECT_EQ(0, bad_pages(vmo, 0, 32, 0));
	close(vmo);
}

#define MiB (1024 * 1024ULL)

static uint64_t memcg_current(void)
{
	FILE *f = fopen("/sys/fs/cgroup/zvmo-test/memory.current", "r");
	unsigned long long v = 0;

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/*
 * In a 24 MiB cgroup: 12 MiB of text, cold, then a commit of 14 MiB more,
 * which fits only once the text is compressed. The store's memory is
 * charged to the cgroup: the charge falls by the pages freed less what
 * the store took.
 */
static int memcg_body(void)
{
	uint64_t pages = 12 * MiB / PAGE, before, after, pool;
	int64_t base = compressed();
	int a, b;

	a = vmo_text(pages, 0);
	if (a < 0)
		return 1;
	if (zt_drop_caches())
		return 2;
	usleep(1200 * 1000);
	b = zt_create(14 * MiB, 0, ZVMO_FD_CLOEXEC);
	if (b < 0)
		return 3;
	if (zt_op(b, ZVMO_OP_COMMIT, 0, 14 * MiB))
		return 4;
	/*
	 * Reclaim compresses as much as the commit needs, at least: the 2
	 * MiB the two are over the limit (a page compressed frees less).
	 */
	if (compressed() - base < (int64_t)(2 * MiB / PAGE))
		return 5;
	if (bad_pages(a, 0, pages, 0))
		return 6;
	close(b);

	/* The charge, with and without the pages as they compress. */
	if (compress_all())
		return 7;
	before = memcg_current();
	if (bad_pages(a, 0, pages, 0))
		return 8;
	after = memcg_current();	/* all decompressed */
	if (compress_all())
		return 9;
	pool = stats().compressed_pool_bytes;
	before = memcg_current();	/* all compressed again */
	if (compressed() - base != (int64_t)pages || !pool)
		return 10;
	/* Freed: the pages less the store, within a little slack. */
	if (after - before > 12 * MiB - pool + 2 * MiB ||
	    after - before < 12 * MiB - pool - 2 * MiB)
		return 11;
	close(a);
	return 0;
}

FIXTURE(memcg) {
	int unused;
};

FIXTURE_SETUP(memcg)
{
}

FIXTURE_TEARDOWN(memcg)
{
}

/* Debug kernels take their time over 12 MiB, thrice. */
TEST_F_TIMEOUT(memcg, pressure_compresses_and_charges_the_store, 300)
{
	int r = zt_in_memcg("24M", memcg_body);

	if (r < 0)
		SKIP(return, "no memory cgroup controller");
	EXPECT_EQ(0, r);
}

/*
 * The store's allocations failing: the pages stay as they were. Then a
 * decompression without a page to decompress into fails the read, and
 * leaves the content compressed for the next.
 */
TEST_F(params, store_allocations_fail_cleanly)
{
	long long failed = zt_proc_stat("compress_failed");
	int64_t base = compressed();
	unsigned char buf[PAGE];
	int vmo, e;
	ssize_t r;

	if (!zi_have())
		SKIP(return, "the kernel has no failslab/fail_page_alloc");
	if (getenv("ZVMO_INJECTING"))
		SKIP(return, "failures are being injected already");
	vmo = vmo_text(32, 0);
	ASSERT_LE(0, vmo);
	ASSERT_EQ(0, zi_start("failslab", 100));
	ASSERT_EQ(0, zi_start("fail_page_alloc", 100));
	e = compress_all();
	EXPECT_LT(0, zi_stop());
	EXPECT_EQ(0, e);
	EXPECT_EQ(base, compressed());
	EXPECT_LT(failed, zt_proc_stat("compress_failed"));
	EXPECT_EQ(32 * PAGE, info(vmo).committed_bytes);
	EXPECT_EQ(0, bad_pages(vmo, 0, 32, 0));

	ASSERT_EQ(0, compress_all());
	ASSERT_EQ(base + 32, compressed());
	ASSERT_EQ(0, zi_start("fail_page_alloc", 100));
	r = pread(vmo, buf, PAGE, 0);
	e = errno;
	EXPECT_LT(0, zi_stop());
	EXPECT_EQ(-1, r);
	EXPECT_EQ(ENOMEM, e);
	EXPECT_EQ(base + 32, compressed());
	EXPECT_EQ(0, bad_pages(vmo, 0, 32, 0));
	close(vmo);
}

/* Faults, reads and writes racing the compressor see the right bytes. */
struct race {
	int vmo;
	unsigned char *map;
	atomic_bool stop;
	atomic_int bad;
};

static void *compressor(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop))
		compress_all();
	return NULL;
}

struct user {
	struct race *r;
	unsigned int idx;
};

static void *user(void *arg)
{
	struct user *me = arg;
	struct race *r = me->r;
	unsigned char want[PAGE], got[PAGE];
	unsigned int x = me->idx + 1;

	while (!atomic_load(&r->stop)) {
		uint64_t p;

		x = x * 1103515245 + 12345;
		p = (x >> 8) % 32;
		text_page(want, p, 0);
		if (x & 0x100000) {
			if (memcmp(r->map + p * PAGE, want, PAGE))
				atomic_fetch_add(&r->bad, 1);
		} else if (pread(r->vmo, got, PAGE, p * PAGE) != (ssize_t)PAGE ||
			   memcmp(got, want, PAGE)) {
			atomic_fetch_add(&r->bad, 1);
		}
		/* Four pages of its own from 40 on: written, and read back. */
		p = 40 + me->idx * 4 + (x >> 20) % 4;
		text_page(want, p, x & 1);
		if (pwrite(r->vmo, want, PAGE, p * PAGE) != (ssize_t)PAGE ||
		    pread(r->vmo, got, PAGE, p * PAGE) != (ssize_t)PAGE ||
		    memcmp(got, want, PAGE))
			atomic_fetch_add(&r->bad, 1);
	}
	return NULL;
}

TEST(faults_race_the_compressor)
{
	struct race r = { .stop = false, .bad = 0 };
	struct zvmo_stats before = stats();
	struct user args[2];
	pthread_t c, u[2];
	int i;

	r.vmo = vmo_text(48, 0);
	ASSERT_LE(0, r.vmo);
	r.map = mmap(NULL, 48 * PAGE, PROT_READ, MAP_SHARED, r.vmo, 0);
	ASSERT_NE(MAP_FAILED, r.map);
	ASSERT_EQ(0, pthread_create(&c, NULL, compressor, &r));
	for (i = 0; i < 2; i++) {
		args[i].r = &r;
		args[i].idx = i;
		ASSERT_EQ(0, pthread_create(&u[i], NULL, user, &args[i]));
	}
	sleep(4);
	atomic_store(&r.stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(u[i], NULL);
	pthread_join(c, NULL);
	EXPECT_EQ(0, atomic_load(&r.bad));
	/* It did race: pages went in and out of the store meanwhile. */
	EXPECT_LT(before.compressions + 32, stats().compressions);
	EXPECT_LT(before.decompressions + 32, stats().decompressions);
	EXPECT_EQ(0, munmap(r.map, 48 * PAGE));
	EXPECT_EQ(0, bad_pages(r.vmo, 0, 32, 0));
	close(r.vmo);
}

TEST_HARNESS_MAIN
