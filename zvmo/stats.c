// SPDX-License-Identifier: GPL-2.0
/*
 * Module-wide counters, as introspection reports them (the netlink
 * family's ZVMO_CMD_GET_STATS) and as /proc/zvmo shows them: one
 * "name value" line each, what is held now first, then what happened
 * since the module loaded. The file is world-readable: it says nothing
 * of any one VMO or user.
 */
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "compress.h"
#include "cow/cow_pages.h"
#include "page_list.h"
#include "stats.h"
#include "zvmo.h"

static const char *const zvmo_stat_names[ZVMO_STAT_ATTR_MAX + 1] = {
	[ZVMO_STAT_ATTR_VMOS] = "vmos",
	[ZVMO_STAT_ATTR_HANDLES] = "handles",
	[ZVMO_STAT_ATTR_PAGERS] = "pagers",
	[ZVMO_STAT_ATTR_PAGES] = "pages",
	[ZVMO_STAT_ATTR_PAGE_LIST_NODES] = "page_list_nodes",
	[ZVMO_STAT_ATTR_PAGE_LIST_BYTES] = "page_list_bytes",
	[ZVMO_STAT_ATTR_PINNED_PAGES] = "pinned_pages",
	[ZVMO_STAT_ATTR_PMTS] = "pmts",
	[ZVMO_STAT_ATTR_BTIS] = "btis",
	[ZVMO_STAT_ATTR_FAULTS] = "faults",
	[ZVMO_STAT_ATTR_FORKS] = "forks",
	[ZVMO_STAT_ATTR_MIGRATIONS] = "migrations",
	[ZVMO_STAT_ATTR_MERGES] = "merges",
	[ZVMO_STAT_ATTR_SUPPLIED] = "supplied_pages",
	[ZVMO_STAT_ATTR_REQUESTS] = "page_requests",
	[ZVMO_STAT_ATTR_EVICTED] = "evicted_pages",
	[ZVMO_STAT_ATTR_DISCARDED_VMOS] = "discarded_vmos",
	[ZVMO_STAT_ATTR_DISCARDED] = "discarded_pages",
	[ZVMO_STAT_ATTR_DEDUPED] = "deduped_pages",
	[ZVMO_STAT_ATTR_COMPRESSED_PAGES] = "compressed_pages",
	[ZVMO_STAT_ATTR_COMPRESSED_BYTES] = "compressed_bytes",
	[ZVMO_STAT_ATTR_COMPRESSED_POOL_BYTES] = "compressed_pool_bytes",
	[ZVMO_STAT_ATTR_COMPRESSION_RATIO] = "compression_ratio_pct",
	[ZVMO_STAT_ATTR_COMPRESSIONS] = "compressions",
	[ZVMO_STAT_ATTR_DECOMPRESSIONS] = "decompressions",
	[ZVMO_STAT_ATTR_COMPRESS_POOR] = "compress_poor",
	[ZVMO_STAT_ATTR_COMPRESS_FAILED] = "compress_failed",
	[ZVMO_STAT_ATTR_PAGER_SPINS] = "pager_spins",
	[ZVMO_STAT_ATTR_PAGER_SPIN_HITS] = "pager_spin_hits",
};

/**
 * zvmo_stats_read() - read every module-wide counter
 * @v: filled in, by enum zvmo_stat_attr
 *
 * Context: Any.
 */
void zvmo_stats_read(u64 v[ZVMO_STAT_ATTR_MAX + 1])
{
	long nodes = zvmo_page_list_total_nodes();
	int cpu;

	memset(v, 0, sizeof(u64) * (ZVMO_STAT_ATTR_MAX + 1));
	v[ZVMO_STAT_ATTR_VMOS] = atomic_long_read(&zvmo_counters.vmos);
	v[ZVMO_STAT_ATTR_HANDLES] = atomic_long_read(&zvmo_counters.handles);
	v[ZVMO_STAT_ATTR_PAGERS] = atomic_long_read(&zvmo_counters.pagers);
	v[ZVMO_STAT_ATTR_PAGES] = atomic_long_read(&zvmo_counters.pages);
	v[ZVMO_STAT_ATTR_PAGE_LIST_NODES] = nodes;
	v[ZVMO_STAT_ATTR_PAGE_LIST_BYTES] = nodes * zvmo_page_list_node_size();
	v[ZVMO_STAT_ATTR_PINNED_PAGES] =
		atomic_long_read(&zvmo_counters.pinned_pages);
	v[ZVMO_STAT_ATTR_PMTS] = atomic_long_read(&zvmo_counters.pmts);
	v[ZVMO_STAT_ATTR_BTIS] = atomic_long_read(&zvmo_counters.btis);
	for_each_possible_cpu(cpu)
		v[ZVMO_STAT_ATTR_FAULTS] += per_cpu(zvmo_faults, cpu);
	v[ZVMO_STAT_ATTR_FORKS] = atomic_long_read(&zvmo_cow_stats.forks);
	v[ZVMO_STAT_ATTR_MIGRATIONS] =
		atomic_long_read(&zvmo_cow_stats.migrations);
	v[ZVMO_STAT_ATTR_MERGES] = atomic_long_read(&zvmo_cow_stats.merges);
	v[ZVMO_STAT_ATTR_SUPPLIED] = atomic_long_read(&zvmo_counters.supplied);
	v[ZVMO_STAT_ATTR_REQUESTS] = atomic_long_read(&zvmo_counters.requests);
	v[ZVMO_STAT_ATTR_EVICTED] = atomic_long_read(&zvmo_counters.evicted);
	v[ZVMO_STAT_ATTR_DISCARDED_VMOS] =
		atomic_long_read(&zvmo_counters.discarded_vmos);
	v[ZVMO_STAT_ATTR_DISCARDED] =
		atomic_long_read(&zvmo_counters.discarded);
	v[ZVMO_STAT_ATTR_DEDUPED] = atomic_long_read(&zvmo_counters.deduped);
	v[ZVMO_STAT_ATTR_COMPRESSED_PAGES] =
		atomic_long_read(&zvmo_zc_stats.stored);
	v[ZVMO_STAT_ATTR_COMPRESSED_BYTES] =
		atomic_long_read(&zvmo_zc_stats.bytes);
	v[ZVMO_STAT_ATTR_COMPRESSED_POOL_BYTES] = zvmo_zc_pool_bytes();
	/* What the pages took, per 100 bytes the store takes for them. */
	v[ZVMO_STAT_ATTR_COMPRESSION_RATIO] =
		v[ZVMO_STAT_ATTR_COMPRESSED_POOL_BYTES] ?
		div64_u64(v[ZVMO_STAT_ATTR_COMPRESSED_PAGES] * PAGE_SIZE * 100,
			  v[ZVMO_STAT_ATTR_COMPRESSED_POOL_BYTES]) : 0;
	v[ZVMO_STAT_ATTR_COMPRESSIONS] =
		atomic_long_read(&zvmo_zc_stats.compressed);
	v[ZVMO_STAT_ATTR_DECOMPRESSIONS] =
		atomic_long_read(&zvmo_zc_stats.decompressed);
	v[ZVMO_STAT_ATTR_COMPRESS_POOR] = atomic_long_read(&zvmo_zc_stats.poor);
	v[ZVMO_STAT_ATTR_COMPRESS_FAILED] =
		atomic_long_read(&zvmo_zc_stats.failed);
	v[ZVMO_STAT_ATTR_PAGER_SPINS] =
		atomic_long_read(&zvmo_counters.pager_spins);
	v[ZVMO_STAT_ATTR_PAGER_SPIN_HITS] =
		atomic_long_read(&zvmo_counters.pager_spin_hits);
}

static int zvmo_stats_show(struct seq_file *m, void *unused)
{
	u64 v[ZVMO_STAT_ATTR_MAX + 1];
	int i;

	zvmo_stats_read(v);
	for (i = 0; i <= ZVMO_STAT_ATTR_MAX; i++)
		if (zvmo_stat_names[i])
			seq_printf(m, "%s %llu\n", zvmo_stat_names[i], v[i]);
	return 0;
}

/**
 * zvmo_stats_init() - make /proc/zvmo
 *
 * Context: Module init.
 * Return: 0 or -ENOMEM.
 */
int zvmo_stats_init(void)
{
	return proc_create_single("zvmo", 0444, NULL, zvmo_stats_show) ?
	       0 : -ENOMEM;
}

/**
 * zvmo_stats_exit() - remove /proc/zvmo
 *
 * Context: Module exit.
 */
void zvmo_stats_exit(void)
{
	remove_proc_entry("zvmo", NULL);
}
