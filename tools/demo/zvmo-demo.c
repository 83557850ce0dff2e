// SPDX-License-Identifier: GPL-2.0
/*
 * zvmo-demo: a short tour of what zvmo does, written against the
 * Zircon-compatible API exactly as Fuchsia code would be.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zvmo/zx.h>

#define MIB (1024 * 1024)

static void check(zx_status_t status, const char *what)
{
	if (status != ZX_OK) {
		fprintf(stderr, "zvmo-demo: %s failed: %d\n", what, status);
		exit(1);
	}
}

static void show(zx_handle_t vmo, const char *when)
{
	zx_info_vmo_t info;

	check(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info),
				 NULL, NULL), "zx_object_get_info");
	printf("  %-36s size %8" PRIu64 " KiB, committed %8" PRIu64 " KiB\n",
	       when, info.size_bytes / 1024, info.committed_bytes / 1024);
}

/* Print the dirty ranges of @vmo, as its pager would query them. */
static void show_dirty(zx_handle_t pager, zx_handle_t vmo, const char *when)
{
	zx_vmo_dirty_range_t r[4];
	size_t actual, i;
	uint64_t size;

	check(zx_vmo_get_size(vmo, &size), "zx_vmo_get_size");
	check(zx_pager_query_dirty_ranges(pager, vmo, 0, size, r, sizeof(r),
					  &actual, NULL),
	      "zx_pager_query_dirty_ranges");
	printf("  %-36s", when);
	for (i = 0; i < actual; i++)
		printf(" [%" PRIu64 ", %" PRIu64 ")%s", r[i].offset,
		       r[i].offset + r[i].length,
		       r[i].options & ZX_VMO_DIRTY_RANGE_IS_ZERO ? " zeros" :
								  "");
	printf("%s\n", actual ? "" : " none");
}

/* A pager's VMO: content supplied by a user pager, writes tracked. */
static void pager_tour(void)
{
	zx_handle_t pager, port, vmo, aux;
	zx_port_packet_t pkt;
	char buf[32] = { 0 };

	printf("\n7. A user pager supplies a VMO's content; writes are tracked.\n");
	check(zx_pager_create(0, &pager), "zx_pager_create");
	check(zx_port_create(0, &port), "zx_port_create");
	check(zx_pager_create_vmo(pager, ZX_VMO_RESIZABLE, port, 42,
				  4 * 4096, &vmo), "zx_pager_create_vmo");
	check(zx_vmo_create(4 * 4096, 0, &aux), "zx_vmo_create");
	check(zx_vmo_write(aux, "from the pager", 0, 14), "zx_vmo_write");
	check(zx_pager_supply_pages(pager, vmo, 0, 4 * 4096, aux, 0),
	      "zx_pager_supply_pages");
	check(zx_vmo_read(vmo, buf, 0, 14), "zx_vmo_read");
	printf("  supplied by a move from an aux VMO, it reads \"%s\"\n",
	       buf);
	show_dirty(pager, vmo, "dirty ranges as supplied:");
	check(zx_vmo_write(vmo, "FROM", 0, 4), "zx_vmo_write");
	check(zx_vmo_set_size(vmo, 6 * 4096), "zx_vmo_set_size");
	show_dirty(pager, vmo, "after a write and growing by 8 KiB:");
	check(zx_pager_op_range(pager, ZX_PAGER_OP_WRITEBACK_BEGIN, vmo, 0,
				6 * 4096, 0), "ZX_PAGER_OP_WRITEBACK_BEGIN");
	check(zx_pager_op_range(pager, ZX_PAGER_OP_WRITEBACK_END, vmo, 0,
				6 * 4096, 0), "ZX_PAGER_OP_WRITEBACK_END");
	show_dirty(pager, vmo, "after writeback:");
	check(zx_handle_close(vmo), "zx_handle_close");
	check(zx_port_wait(port, ZX_TIME_INFINITE, &pkt), "zx_port_wait");
	printf("  closing the VMO sends its pager a %s packet (key %" PRIu64
	       ")\n", pkt.page_request.command == ZX_PAGER_VMO_COMPLETE ?
	       "COMPLETE" : "unexpected", pkt.key);
	check(zx_handle_close(aux), "zx_handle_close");
	check(zx_handle_close(port), "zx_handle_close");
	check(zx_handle_close(pager), "zx_handle_close");
}

/* Memory pressure, as the kernel would feel it: reclaim every cache. */
static void drop_caches(void)
{
	FILE *f = fopen("/proc/sys/vm/drop_caches", "w");

	if (!f || fputs("2", f) < 0 || fclose(f)) {
		fprintf(stderr, "zvmo-demo: cannot write drop_caches\n");
		exit(1);
	}
}

/* A discardable VMO: a cache the kernel may empty while it is unlocked. */
static void cache_tour(void)
{
	zx_vmo_lock_state_t st;
	zx_handle_t vmo;
	char buf[16] = { 0 };

	printf("\n8. A discardable VMO is a cache the kernel may drop while it is unlocked.\n");
	check(zx_vmo_create(MIB, ZX_VMO_DISCARDABLE, &vmo), "zx_vmo_create");
	check(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, MIB, &st, sizeof(st)),
	      "ZX_VMO_OP_LOCK");
	check(zx_vmo_write(vmo, "rendered", 0, 8), "zx_vmo_write");
	show(vmo, "locked, written:");
	drop_caches();
	check(zx_vmo_read(vmo, buf, 0, 8), "zx_vmo_read");
	printf("  memory pressure while locked: it still reads \"%s\"\n", buf);
	check(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, MIB, NULL, 0),
	      "ZX_VMO_OP_UNLOCK");
	drop_caches();
	show(vmo, "unlocked, after memory pressure:");
	printf("  ZX_VMO_OP_TRY_LOCK: %s\n",
	       zx_vmo_op_range(vmo, ZX_VMO_OP_TRY_LOCK, 0, MIB, NULL, 0) ==
	       ZX_ERR_UNAVAILABLE ? "ZX_ERR_UNAVAILABLE" : "unexpected");
	check(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, MIB, &st, sizeof(st)),
	      "ZX_VMO_OP_LOCK");
	printf("  ZX_VMO_OP_LOCK reports %" PRIu64 " KiB discarded: refill it\n",
	       st.discarded_size / 1024);
	check(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, MIB, NULL, 0),
	      "ZX_VMO_OP_UNLOCK");
	check(zx_handle_close(vmo), "zx_handle_close");
}

/* Snapshots share their parent's pages until either side writes. */
static void clone_tour(void)
{
	zx_handle_t base, snap1, snap2, slice;
	static char page[4096];
	uint64_t off;

	printf("\n9. Snapshots share pages until written; zvmo-stat --tree shows where they are.\n");
	check(zx_vmo_create(MIB, 0, &base), "zx_vmo_create");
	check(zx_object_set_property(base, ZX_PROP_NAME, "base", 4),
	      "zx_object_set_property");
	memset(page, 'b', sizeof(page));
	for (off = 0; off < MIB; off += sizeof(page))
		check(zx_vmo_write(base, page, off, sizeof(page)),
		      "zx_vmo_write");
	check(zx_vmo_create_child(base, ZX_VMO_CHILD_SNAPSHOT, 0, MIB, &snap1),
	      "zx_vmo_create_child");
	check(zx_object_set_property(snap1, ZX_PROP_NAME, "snapshot-1", 10),
	      "zx_object_set_property");
	memset(page, '1', sizeof(page));
	for (off = 0; off < 64 * 1024; off += sizeof(page))
		check(zx_vmo_write(snap1, page, off, sizeof(page)),
		      "zx_vmo_write");
	check(zx_vmo_create_child(base, ZX_VMO_CHILD_SNAPSHOT, 0, MIB / 2,
				  &snap2), "zx_vmo_create_child");
	check(zx_object_set_property(snap2, ZX_PROP_NAME, "snapshot-2", 10),
	      "zx_object_set_property");
	check(zx_vmo_create_child(base, ZX_VMO_CHILD_SLICE, 0, 64 * 1024,
				  &slice), "zx_vmo_create_child");
	show(base, "base, 1 MiB written:");
	show(snap1, "snapshot-1, 64 KiB written:");
	show(snap2, "snapshot-2 of the first half:");
	fflush(stdout);
	if (system("./zvmo-stat --tree") != 0)
		printf("  (zvmo-stat is not here)\n");
	check(zx_handle_close(slice), "zx_handle_close");
	check(zx_handle_close(snap2), "zx_handle_close");
	check(zx_handle_close(snap1), "zx_handle_close");
	check(zx_handle_close(base), "zx_handle_close");
}

/* Cold pages are compressed under memory pressure, and come back on use. */
static void compress_tour(void)
{
	static const char line[] = "The quick VMO jumps over the lazy page.\n";
	static char page[4096], back[4096];
	zx_info_vmo_t info;
	zx_handle_t vmo;
	uint64_t off;
	size_t i;

	printf("\n10. Cold pages compress under memory pressure, and come back when used.\n");
	for (i = 0; i < sizeof(page); i++)
		page[i] = line[i % (sizeof(line) - 1)];
	check(zx_vmo_create(MIB, 0, &vmo), "zx_vmo_create");
	for (off = 0; off < MIB; off += sizeof(page))
		check(zx_vmo_write(vmo, page, off, sizeof(page)),
		      "zx_vmo_write");
	/* Reclaim notes the VMO, and takes it once it stayed unwritten. */
	drop_caches();
	sleep(2);
	drop_caches();
	check(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info),
				 NULL, NULL), "zx_object_get_info");
	printf("  after a second of rest and memory pressure: committed %" PRIu64
	       " KiB, populated %" PRIu64 " KiB\n",
	       info.committed_bytes / 1024, info.populated_bytes / 1024);
	check(zx_vmo_read(vmo, back, 512 * 1024, sizeof(back)), "zx_vmo_read");
	printf("  a page read back: %s\n",
	       memcmp(page, back, sizeof(page)) ? "different?!" : "the same");
	show(vmo, "after that read:");
	check(zx_handle_close(vmo), "zx_handle_close");
}

int main(void)
{
	struct zvmo_stats stats;
	char buf[64] = { 0 };
	zx_info_vmo_t info;
	zx_handle_t vmo, ro, bti, pmt;
	zx_paddr_t paddrs[2];
	uint64_t size;

	printf("zvmo: Zircon-style virtual memory objects on Linux %s\n\n",
	       "(the module is loaded; /dev/zvmo is open to all users)");

	printf("1. A VMO is a sized container of memory, and a file descriptor.\n");
	check(zx_vmo_create(64 * MIB, ZX_VMO_RESIZABLE, &vmo), "zx_vmo_create");
	check(zx_object_set_property(vmo, ZX_PROP_NAME, "demo", 4),
	      "zx_object_set_property");
	check(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL,
				 NULL), "zx_object_get_info");
	printf("  created VMO koid %" PRIu64 " named \"%s\" as handle (fd) %d\n",
	       info.koid, info.name, vmo);
	show(vmo, "a 64 MiB VMO costs nothing:");

	printf("\n2. Writes commit pages; reads of the rest return zeros.\n");
	check(zx_vmo_write(vmo, "hello, zvmo", 10 * MIB, 11), "zx_vmo_write");
	check(zx_vmo_read(vmo, buf, 10 * MIB, 11), "zx_vmo_read");
	printf("  read back at 10 MiB: \"%s\"\n", buf);
	check(zx_vmo_read(vmo, buf, 20 * MIB, 8), "zx_vmo_read");
	printf("  read at 20 MiB, never written: %s\n",
	       memcmp(buf, "\0\0\0\0\0\0\0\0", 8) ? "data?!" : "zeros");
	show(vmo, "after writing 11 bytes:");

	printf("\n3. Commit and decommit ranges explicitly.\n");
	check(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, 8 * MIB, NULL, 0),
	      "commit");
	show(vmo, "after COMMIT of 8 MiB:");
	check(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, 4 * MIB, NULL, 0),
	      "decommit");
	show(vmo, "after DECOMMIT of the first 4 MiB:");
	check(zx_vmo_op_range(vmo, ZX_VMO_OP_ZERO, 0, 64 * MIB, NULL, 0),
	      "zero");
	show(vmo, "after ZERO of everything:");

	printf("\n4. Resizable VMOs grow and shrink.\n");
	check(zx_vmo_set_size(vmo, 1 * MIB), "zx_vmo_set_size");
	check(zx_vmo_get_size(vmo, &size), "zx_vmo_get_size");
	printf("  size is now %" PRIu64 " KiB; a write past it: %s\n",
	       size / 1024,
	       zx_vmo_write(vmo, "x", 2 * MIB, 1) == ZX_ERR_OUT_OF_RANGE ?
	       "ZX_ERR_OUT_OF_RANGE" : "unexpected");

	printf("\n5. Handles carry rights, and rights only shrink.\n");
	check(zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE, &ro),
	      "zx_handle_duplicate");
	printf("  a read-only duplicate writing: %s\n",
	       zx_vmo_write(ro, "x", 0, 1) == ZX_ERR_ACCESS_DENIED ?
	       "ZX_ERR_ACCESS_DENIED" : "unexpected");
	check(zx_handle_close(ro), "zx_handle_close");

	printf("\n6. Pins hold pages at fixed physical addresses.\n");
	check(zx_bti_create(ZX_HANDLE_INVALID, 0, 1, &bti), "zx_bti_create");
	check(zx_bti_pin(bti, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, vmo, 0,
			 2 * 4096, paddrs, 2, &pmt), "zx_bti_pin");
	printf("  pinned 2 pages at physical 0x%" PRIx64 " and 0x%" PRIx64
	       "\n", (uint64_t)paddrs[0], (uint64_t)paddrs[1]);
	printf("  DECOMMIT of a pinned page: %s\n",
	       zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, 4096, NULL, 0) ==
	       ZX_ERR_BAD_STATE ? "ZX_ERR_BAD_STATE" : "unexpected");
	check(zx_pmt_unpin(pmt), "zx_pmt_unpin");
	check(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, 4096, NULL, 0),
	      "decommit after unpin");
	printf("  after zx_pmt_unpin(), DECOMMIT: ZX_OK\n");
	check(zx_handle_close(bti), "zx_handle_close");
	check(zx_handle_close(vmo), "zx_handle_close");

	pager_tour();
	cache_tour();
	clone_tour();
	compress_tour();

	/* The native layer shows the module's own counters. */
	if (zvmo_stats(&stats) < 0) {
		fprintf(stderr, "zvmo-demo: zvmo_stats failed\n");
		return 1;
	}
	printf("\n11. After the last handle closed, the module holds %llu VMOs "
	       "and %llu pages.\n", (unsigned long long)stats.vmos,
	       (unsigned long long)stats.pages);
	return stats.vmos || stats.pages;
}
