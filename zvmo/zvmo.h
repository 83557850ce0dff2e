/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide definitions of zvmo: counters, argument copying, the ioctl
 * command helper.
 */
#ifndef _ZVMO_ZVMO_H
#define _ZVMO_ZVMO_H

#include <linux/atomic.h>
#include <linux/ioctl.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include "../uapi/zvmo.h"

/*
 * The number of an ioctl without its size bits: argument structs grow, and
 * @argsz, not the command, says which version the caller passed.
 */
#define ZVMO_IOC(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/* The largest argument struct we read: more is not an argument but junk. */
#define ZVMO_ARGSZ_MAX	PAGE_SIZE

/**
 * struct zvmo_counters - module-wide object counters
 * @vmos: VMOs alive
 * @pages: pages owned by VMOs
 * @handles: VMO files alive
 * @pinned_pages: pages with at least one pin
 * @pmts: pins (PMT files) that hold pages pinned
 * @btis: BTI files alive
 * @evicted: pages of pager-backed VMOs evicted since the module loaded
 * @discarded_vmos: discards of discardable VMOs since then
 * @discarded: pages those discards freed
 * @deduped: zero pages of ordinary VMOs reclaim freed since then
 * @pagers: pagers alive
 * @supplied: pages pagers supplied since then
 * @requests: page requests sent to pagers since then
 * @pager_spins: waits for a pager that spun before sleeping, since then
 * @pager_spin_hits: those that the answer reached while they spun
 *
 * Tests read them through ZVMO_IOC_STATS to prove that nothing leaks.
 */
struct zvmo_counters {
	atomic_long_t vmos;
	atomic_long_t pages;
	atomic_long_t handles;
	atomic_long_t pinned_pages;
	atomic_long_t pmts;
	atomic_long_t btis;
	atomic_long_t evicted;
	atomic_long_t discarded_vmos;
	atomic_long_t discarded;
	atomic_long_t deduped;
	atomic_long_t pagers;
	atomic_long_t supplied;
	atomic_long_t requests;
	atomic_long_t pager_spins;
	atomic_long_t pager_spin_hits;
};

extern struct zvmo_counters zvmo_counters;

/*
 * Page faults on mappings of VMOs since the module loaded (each once,
 * whether ->map_pages or ->fault resolved it): counted per CPU, as the
 * fault path is too hot for one shared cache line.
 */
DECLARE_PER_CPU(unsigned long, zvmo_faults);

int zvmo_copy_args(void *karg, size_t ksize, size_t minsize,
		   const void __user *uarg);
int zvmo_copy_out_args(const void __user *uarg, u32 *argsz);
int zvmo_copy_out(void __user *uarg, const void *karg, size_t ksize);

#endif /* _ZVMO_ZVMO_H */
