/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * zvmo: Zircon-style virtual memory objects for Linux.
 *
 * This is the only header the kernel module and userspace share.
 *
 * Reading and writing: pread()/pwrite()/readv()/writev() on a VMO descriptor
 * move bytes at any offset. A transfer that starts before the VMO's end and
 * runs past it fails with ERANGE (never a short count); a read that starts
 * at or past the end returns 0 (end of file); a write there is ERANGE.
 * A missing right is EACCES.
 *
 * Every argument struct begins with a __u32 @argsz that the caller sets to
 * sizeof() the struct it was compiled against. Input structs are read with
 * copy_struct_from_user(): a shorter struct from an older program gets zero
 * for the fields it lacks, a longer one from a newer program is accepted only
 * if the bytes the kernel does not know are zero (else E2BIG), and only up
 * to a page: an @argsz past 4096 is E2BIG. Output structs are written up
 * to min(argsz, what the kernel knows). Reserved fields and
 * unknown flags are rejected with EINVAL. Output fields follow input fields.
 * The size bits of the ioctl numbers below are those of the first version of
 * each struct; the module ignores them and reads @argsz instead.
 */
#ifndef _UAPI_ZVMO_H
#define _UAPI_ZVMO_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define ZVMO_DEVICE_PATH	"/dev/zvmo"

/*
 * The largest VMO: the largest multiple of 64 KiB that is a valid loff_t.
 * Sizes are rounded up to whole pages; a size that rounds past this is
 * ERANGE.
 */
#define ZVMO_VMO_MAX_SIZE	0x7fffffffffff0000ULL

#define ZVMO_NAME_LEN		32

/* Options of struct zvmo_vmo_create. */
#define ZVMO_VMO_RESIZABLE	(1U << 0)
/*
 * A discardable VMO is a cache that reclaim may empty while it is
 * unlocked (see ZVMO_OP_LOCK). It cannot be resizable, have children of
 * any kind, or be other than cached (EOPNOTSUPP, EOPNOTSUPP, EBUSY).
 */
#define ZVMO_VMO_DISCARDABLE	(1U << 1)
/* Of struct zvmo_pager_create_vmo only. */
#define ZVMO_VMO_TRAP_DIRTY	(1U << 2)
/*
 * Reclaim never compresses the pages of this VMO, nor those of its
 * snapshots and the snapshots' own: they stay resident until freed.
 */
#define ZVMO_VMO_NO_COMPRESS	(1U << 3)

/*
 * Options of struct zvmo_vmo_create_child: exactly one type
 * (ZVMO_CHILD_SNAPSHOT, ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
 * ZVMO_CHILD_SNAPSHOT_MODIFIED, ZVMO_CHILD_SLICE or ZVMO_CHILD_REFERENCE),
 * with ZVMO_CHILD_RESIZABLE or ZVMO_CHILD_NO_WRITE. The values are
 * Zircon's ZX_VMO_CHILD_*.
 */
#define ZVMO_CHILD_SNAPSHOT			(1U << 0)
#define ZVMO_CHILD_RESIZABLE			(1U << 2)
#define ZVMO_CHILD_SLICE			(1U << 3)
#define ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE	(1U << 4)
#define ZVMO_CHILD_NO_WRITE			(1U << 5)
#define ZVMO_CHILD_REFERENCE			(1U << 6)
#define ZVMO_CHILD_SNAPSHOT_MODIFIED		(1U << 7)

/* fd_flags of every call that makes a descriptor. */
#define ZVMO_FD_CLOEXEC		(1U << 0)

/*
 * Rights a VMO descriptor carries. They can only shrink (ZVMO_IOC_VMO_DUP).
 * The kernel checks them on every call.
 */
#define ZVMO_RIGHT_DUPLICATE	(1U << 0)
#define ZVMO_RIGHT_TRANSFER	(1U << 1)
#define ZVMO_RIGHT_READ		(1U << 2)
#define ZVMO_RIGHT_WRITE	(1U << 3)
#define ZVMO_RIGHT_EXECUTE	(1U << 4)
#define ZVMO_RIGHT_MAP		(1U << 5)
#define ZVMO_RIGHT_GET_PROPERTY	(1U << 6)
#define ZVMO_RIGHT_SET_PROPERTY	(1U << 7)
#define ZVMO_RIGHT_RESIZE	(1U << 8)
#define ZVMO_RIGHTS_ALL		0x1ffU
/* ZVMO_IOC_VMO_DUP: keep exactly the rights the source descriptor has. */
#define ZVMO_RIGHT_SAME_RIGHTS	(1U << 31)

/* Flags reported in struct zvmo_vmo_info.flags. */
#define ZVMO_INFO_PAGED		(1U << 0)
#define ZVMO_INFO_RESIZABLE	(1U << 1)
#define ZVMO_INFO_COW_CLONE	(1U << 2)
#define ZVMO_INFO_PAGER_BACKED	(1U << 3)
#define ZVMO_INFO_CONTIGUOUS	(1U << 4)
#define ZVMO_INFO_DISCARDABLE	(1U << 5)
#define ZVMO_INFO_SLICE		(1U << 6)
#define ZVMO_INFO_REFERENCE	(1U << 7)

/*
 * Cache policies (struct zvmo_vmo_info.cache_policy and
 * ZVMO_IOC_VMO_SET_CACHE_POLICY). On x86 both uncached policies are UC-
 * (the kernel's own alias of RAM cannot be made strongly uncached), and
 * write-combining is WC.
 */
#define ZVMO_CACHE_CACHED		0
#define ZVMO_CACHE_UNCACHED		1
#define ZVMO_CACHE_UNCACHED_DEVICE	2
#define ZVMO_CACHE_WRITE_COMBINING	3

/*
 * Options of struct zvmo_vmo_pin; the values are Zircon's ZX_BTI_*. At
 * least one permission is needed. ZVMO_PIN_COMPRESS and
 * ZVMO_PIN_CONTIGUOUS choose the form of the addresses and exclude each
 * other.
 */
#define ZVMO_PIN_READ		(1U << 0)
#define ZVMO_PIN_WRITE		(1U << 1)
#define ZVMO_PIN_EXECUTE	(1U << 2)
#define ZVMO_PIN_COMPRESS	(1U << 3)
#define ZVMO_PIN_CONTIGUOUS	(1U << 4)

/* Pins of one page that can be held at once (Zircon's limit). */
#define ZVMO_PIN_MAX_NEST	31

/* struct zvmo_vmo_create_contiguous: the largest alignment_log2. */
#define ZVMO_CONTIGUOUS_MAX_ALIGN_LOG2	31

/*
 * Operations of struct zvmo_op_range. The module answers EOPNOTSUPP for the
 * ones it does not implement yet (the cache operations).
 *
 * LOCK, TRY_LOCK and UNLOCK are of a discardable VMO (else EOPNOTSUPP),
 * and of all of it: offset 0, length its size (else ERANGE). They need
 * ZVMO_RIGHT_READ or ZVMO_RIGHT_WRITE. Locks nest; while a VMO has none,
 * reclaim may discard it: all its pages go at once, its mappings are
 * torn down, and it reads zeros. LOCK always succeeds and writes a
 * struct zvmo_vmo_lock_state to the buffer (EINVAL if buffer_size is
 * smaller; EFAULT, and no lock, if it cannot be written), saying whether
 * the VMO was discarded since it was last locked. TRY_LOCK is EPERM on a
 * discarded VMO, and leaves it unlocked. UNLOCK of a VMO that is not
 * locked is EBUSY.
 */
#define ZVMO_OP_COMMIT		1
#define ZVMO_OP_DECOMMIT	2
#define ZVMO_OP_ZERO		3
#define ZVMO_OP_LOCK		4
#define ZVMO_OP_TRY_LOCK	5
#define ZVMO_OP_UNLOCK		6
#define ZVMO_OP_CACHE_SYNC	7
#define ZVMO_OP_CACHE_INVALIDATE 8
#define ZVMO_OP_CACHE_CLEAN	9
#define ZVMO_OP_CACHE_CLEAN_INVALIDATE 10
/*
 * Hints, rounded out to pages, that change only a pager-backed VMO:
 * PREFETCH asks its pager for the missing pages of the range (a commit),
 * ALWAYS_NEED does and then keeps the range's pages from eviction, and
 * DONT_NEED marks the pages the range has to be evicted first (and takes
 * back ALWAYS_NEED). Eviction takes clean pages only: dirty, awaiting
 * clean and pinned ones stay.
 */
#define ZVMO_OP_ALWAYS_NEED	11
#define ZVMO_OP_DONT_NEED	12
#define ZVMO_OP_PREFETCH	13

/**
 * struct zvmo_vmo_create - argument of ZVMO_IOC_VMO_CREATE
 * @argsz: sizeof(struct zvmo_vmo_create)
 * @options: ZVMO_VMO_* options
 * @size: size in bytes, rounded up to a whole page
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 * @reserved: must be zero
 *
 * The ioctl returns the new descriptor, which has every right but
 * ZVMO_RIGHT_RESIZE, which only a resizable VMO's has.
 */
struct zvmo_vmo_create {
	__u32 argsz;
	__u32 options;
	__u64 size;
	__u32 fd_flags;
	__u32 reserved;
};

/**
 * struct zvmo_vmo_create_child - argument of ZVMO_IOC_VMO_CREATE_CHILD
 * @argsz: sizeof(struct zvmo_vmo_create_child)
 * @options: ZVMO_CHILD_* options
 * @offset: page-aligned offset of the child in the parent
 * @size: size of the child in bytes, rounded up to a whole page; its
 *	content size is @size as given
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 * @reserved: must be zero
 *
 * Needs ZVMO_RIGHT_DUPLICATE and ZVMO_RIGHT_READ on the parent. Returns the
 * child's descriptor. Its rights are the parent descriptor's plus
 * ZVMO_RIGHT_GET_PROPERTY and ZVMO_RIGHT_SET_PROPERTY; a snapshot also gets
 * ZVMO_RIGHT_WRITE and loses ZVMO_RIGHT_EXECUTE; ZVMO_CHILD_NO_WRITE takes
 * ZVMO_RIGHT_WRITE away; ZVMO_RIGHT_RESIZE is there exactly when the child
 * is resizable.
 *
 * A snapshot reads as a copy of [@offset, @offset + @size) of the parent
 * made at once (zeros past the parent's end), and neither side sees the
 * other's later writes; it costs nothing until one side writes. A slice is
 * a window onto the parent's own pages, inside the parent. A reference
 * (@offset and @size zero) is the whole parent: same pages, same size.
 *
 * Errors, as Zircon's: EINVAL for unknown, missing or conflicting options,
 * an unaligned @offset, a slice not inside its parent, a reference with a
 * range, or a snapshot whose offset from its root would overflow; ERANGE if
 * @offset + @size overflows or the size is past ZVMO_VMO_MAX_SIZE;
 * EOPNOTSUPP for a slice of a resizable VMO, a snapshot of a slice, a
 * resizable reference of a VMO that is not resizable, a reference of a
 * slice, or a snapshot other than at-least-on-write of a pager-backed VMO;
 * EBUSY for a snapshot of a VMO with pinned pages or that is not cached;
 * EACCES for missing rights.
 */
struct zvmo_vmo_create_child {
	__u32 argsz;
	__u32 options;
	__u64 offset;
	__u64 size;
	__u32 fd_flags;
	__u32 reserved;
};

/**
 * struct zvmo_stats - argument of ZVMO_IOC_STATS: module-wide counters
 * @argsz: sizeof(struct zvmo_stats)
 * @reserved: must be zero
 * @vmos: VMOs alive
 * @pages: pages the module holds
 * @page_list_nodes: page-list nodes allocated
 * @page_list_bytes: memory those nodes use
 * @handles: VMO descriptors (open files) alive
 * @pinned_pages: pages with at least one pin
 * @pmts: pins (PMTs) not yet unpinned, however many descriptors each
 * @btis: BTI descriptors alive
 * @evicted_pages: clean pages of pager-backed VMOs evicted since the
 *	module loaded (memory pressure, or the reclaim_now parameter)
 * @discarded_vmos: times reclaim discarded a discardable VMO since the
 *	module loaded
 * @discarded_pages: the pages those discards freed
 * @deduped_pages: pages of ordinary VMOs that held only zeros, freed by
 *	reclaim since the module loaded (the VMOs read the same zeros)
 * @compressed_pages: pages of ordinary VMOs in the compressed store now
 *	(counted in @pages no more)
 * @compressed_bytes: the bytes they compressed to
 * @compressed_pool_bytes: the memory the store takes for them
 * @compressions: pages compressed since the module loaded
 * @decompressions: pages decompressed since the module loaded
 */
struct zvmo_stats {
	__u32 argsz;
	__u32 reserved;
	/* output */
	__u64 vmos;
	__u64 pages;
	__u64 page_list_nodes;
	__u64 page_list_bytes;
	__u64 handles;
	__u64 pinned_pages;
	__u64 pmts;
	__u64 btis;
	__u64 evicted_pages;
	__u64 discarded_vmos;
	__u64 discarded_pages;
	__u64 deduped_pages;
	__u64 compressed_pages;
	__u64 compressed_bytes;
	__u64 compressed_pool_bytes;
	__u64 compressions;
	__u64 decompressions;
};

/**
 * struct zvmo_vmo_info - argument of ZVMO_IOC_VMO_INFO
 * @argsz: sizeof(struct zvmo_vmo_info)
 * @reserved: must be zero
 * @koid: the VMO's id, unique for the module's life
 * @size: size in bytes
 * @content_size: the content size property
 * @flags: ZVMO_INFO_* flags
 * @rights: ZVMO_RIGHT_* rights of this descriptor
 * @parent_koid: koid of the VMO this one is a child of, or 0
 * @num_children: live children
 * @num_mappings: live mappings
 * @share_count: address spaces (processes) the VMO is mapped into; at
 *	least 1, as Zircon counts it
 * @cache_policy: ZVMO_CACHE_*
 * @pad: zero
 * @committed_bytes: committed pages this VMO can reach
 * @committed_private_bytes: committed pages only this VMO can reach
 * @committed_scaled_bytes: committed pages divided among their sharers
 * @populated_bytes: committed plus compressed pages it can reach
 * @populated_private_bytes: the same, only this VMO's
 * @populated_scaled_bytes: the same, divided among their sharers
 * @metadata_bytes: memory of the VMO's page-list nodes
 * @committed_change_events: times committed_bytes changed
 * @name: the VMO's name, NUL-terminated
 * @pinned_bytes: pages of this VMO that are pinned (0 for a slice or a
 *	reference: their pages are counted in the VMO they look into)
 */
struct zvmo_vmo_info {
	__u32 argsz;
	__u32 reserved;
	/* output */
	__u64 koid;
	__u64 size;
	__u64 content_size;
	__u32 flags;
	__u32 rights;
	__u64 parent_koid;
	__u64 num_children;
	__u64 num_mappings;
	__u64 share_count;
	__u32 cache_policy;
	__u32 pad;
	__u64 committed_bytes;
	__u64 committed_private_bytes;
	__u64 committed_scaled_bytes;
	__u64 populated_bytes;
	__u64 populated_private_bytes;
	__u64 populated_scaled_bytes;
	__u64 metadata_bytes;
	__u64 committed_change_events;
	char name[ZVMO_NAME_LEN];
	__u64 pinned_bytes;
};

/**
 * struct zvmo_vmo_dup - argument of ZVMO_IOC_VMO_DUP
 * @argsz: sizeof(struct zvmo_vmo_dup)
 * @rights: rights of the new descriptor, a subset of this one's, or
 *	ZVMO_RIGHT_SAME_RIGHTS
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 * @reserved: must be zero
 *
 * Needs ZVMO_RIGHT_DUPLICATE. Returns the new descriptor.
 */
struct zvmo_vmo_dup {
	__u32 argsz;
	__u32 rights;
	__u32 fd_flags;
	__u32 reserved;
};

/**
 * struct zvmo_set_size - argument of ZVMO_IOC_VMO_SET_SIZE
 * @argsz: sizeof(struct zvmo_set_size)
 * @flags: must be zero
 * @size: new size in bytes, rounded up to a whole page
 */
struct zvmo_set_size {
	__u32 argsz;
	__u32 flags;
	__u64 size;
};

/**
 * struct zvmo_op_range - argument of ZVMO_IOC_VMO_OP_RANGE
 * @argsz: sizeof(struct zvmo_op_range)
 * @op: ZVMO_OP_*
 * @offset: start of the range in bytes
 * @length: length of the range in bytes
 * @buffer: user pointer to the operation's buffer (ZVMO_OP_LOCK), or 0
 * @buffer_size: its size in bytes
 */
struct zvmo_op_range {
	__u32 argsz;
	__u32 op;
	__u64 offset;
	__u64 length;
	__u64 buffer;
	__u64 buffer_size;
};

/**
 * struct zvmo_vmo_lock_state - what ZVMO_OP_LOCK writes to its buffer
 * @offset: the range locked: the offset given, 0
 * @size: the length given, the VMO's size
 * @discarded_offset: 0
 * @discarded_size: the VMO's size if it was discarded since it was last
 *	locked (it reads zeros: whatever it held is gone), else 0
 *
 * The layout of Zircon's zx_vmo_lock_state_t.
 */
struct zvmo_vmo_lock_state {
	__u64 offset;
	__u64 size;
	__u64 discarded_offset;
	__u64 discarded_size;
};

/**
 * struct zvmo_name - argument of ZVMO_IOC_VMO_SET_NAME
 * @argsz: sizeof(struct zvmo_name)
 * @reserved: must be zero
 * @name: the name; it is cut at the first NUL or after
 *	ZVMO_NAME_LEN - 1 bytes
 */
struct zvmo_name {
	__u32 argsz;
	__u32 reserved;
	char name[ZVMO_NAME_LEN];
};

/**
 * struct zvmo_content_size - argument of ZVMO_IOC_VMO_SET_CONTENT_SIZE
 * @argsz: sizeof(struct zvmo_content_size)
 * @reserved: must be zero
 * @content_size: the new content size, at most the VMO's size
 */
struct zvmo_content_size {
	__u32 argsz;
	__u32 reserved;
	__u64 content_size;
};

/**
 * struct zvmo_bti_create - argument of ZVMO_IOC_BTI_CREATE
 * @argsz: sizeof(struct zvmo_bti_create)
 * @options: must be zero
 * @bti_id: the caller's name for the bus transaction initiator, reported
 *	back by ZVMO_IOC_BTI_INFO
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 * @reserved: must be zero
 *
 * A BTI is what lets its holder learn physical addresses: pins made
 * through it report them, and contiguous VMOs are made through it. Only a
 * caller with CAP_SYS_RAWIO gets one (else EACCES); like an open
 * /dev/mem, the descriptor keeps that power wherever it goes. Returns the
 * BTI's descriptor.
 */
struct zvmo_bti_create {
	__u32 argsz;
	__u32 options;
	__u64 bti_id;
	__u32 fd_flags;
	__u32 reserved;
};

/**
 * struct zvmo_bti_info - argument of ZVMO_IOC_BTI_INFO
 * @argsz: sizeof(struct zvmo_bti_info)
 * @reserved: must be zero
 * @koid: the BTI's id
 * @bti_id: as given at creation
 * @minimum_contiguity: bytes each address of a ZVMO_PIN_COMPRESS pin
 *	covers: PAGE_SIZE (there is no IOMMU to join pages)
 * @aspace_size: bytes of device address space: all of it
 * @pmo_count: pins made through this BTI that are still pinned
 * @quarantine_count: always 0: an unpinned range is released at once
 */
struct zvmo_bti_info {
	__u32 argsz;
	__u32 reserved;
	/* output */
	__u64 koid;
	__u64 bti_id;
	__u64 minimum_contiguity;
	__u64 aspace_size;
	__u64 pmo_count;
	__u64 quarantine_count;
};

/**
 * struct zvmo_vmo_create_contiguous - argument of
 *	ZVMO_IOC_VMO_CREATE_CONTIGUOUS
 * @argsz: sizeof(struct zvmo_vmo_create_contiguous)
 * @alignment_log2: log2 of the physical alignment: 0 for a page, else
 *	PAGE_SHIFT to ZVMO_CONTIGUOUS_MAX_ALIGN_LOG2
 * @size: size in bytes, rounded up to a whole page; not 0
 * @bti_fd: a BTI descriptor
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 *
 * The VMO's pages are physically contiguous, committed at creation and
 * held until the VMO goes: it cannot be decommitted, resized or
 * snapshotted (EOPNOTSUPP), and ZVMO_OP_ZERO zeroes it in place. The
 * page allocator gives at most one block of its largest order in one
 * piece (1024 pages, 4 MiB, on x86-64); larger sizes or alignments, or a
 * memory too fragmented, are ENOMEM. EINVAL for a zero size or a bad
 * alignment, EBADF or ENOTTY if @bti_fd is not a BTI. Returns the VMO's
 * descriptor, with every right but ZVMO_RIGHT_RESIZE.
 */
struct zvmo_vmo_create_contiguous {
	__u32 argsz;
	__u32 alignment_log2;
	__u64 size;
	__s32 bti_fd;
	__u32 fd_flags;
};

/**
 * struct zvmo_vmo_pin - argument of ZVMO_IOC_VMO_PIN
 * @argsz: sizeof(struct zvmo_vmo_pin)
 * @options: ZVMO_PIN_* options
 * @offset: page-aligned start of the range
 * @size: page-aligned, non-zero length of the range
 * @addrs: user pointer to @num_addrs __u64s for the physical addresses,
 *	or 0
 * @num_addrs: how many addresses the caller wants: @size / PAGE_SIZE
 *	(also with ZVMO_PIN_COMPRESS), or 1 with ZVMO_PIN_CONTIGUOUS; 0 if
 *	@addrs is 0
 * @bti_fd: a BTI descriptor to pin through, or -1
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 *
 * Commits the range (a snapshot gets pages of its own, as for a write)
 * and pins every page of it: until the pin goes, each stays at the same
 * physical address, and nothing takes it from the VMO. DECOMMIT of a
 * pinned page and shrinking the VMO over one fail with EBUSY and change
 * nothing; ZVMO_OP_ZERO zeroes a pinned page in place; a snapshot of a
 * VMO with pinned pages is EBUSY. Pins of a page nest, up to
 * ZVMO_PIN_MAX_NEST (then EPERM).
 *
 * Needs ZVMO_RIGHT_MAP, ZVMO_RIGHT_READ for ZVMO_PIN_READ or
 * ZVMO_PIN_EXECUTE and ZVMO_RIGHT_WRITE for ZVMO_PIN_WRITE (else
 * EACCES). Without @bti_fd, any user may pin: the pages are charged to
 * RLIMIT_MEMLOCK of the caller's address space (unless it has
 * CAP_IPC_LOCK) and a pin past it is ENOMEM; asking for addresses
 * without a BTI is EACCES. ZVMO_PIN_CONTIGUOUS needs a contiguous VMO
 * (else EINVAL). EINVAL for bad options, alignment or counts, ERANGE for
 * a range past the end.
 *
 * Returns the pin's descriptor (a PMT). It holds the VMO: closing every
 * descriptor of the VMO leaves it alive until the pin goes, which is when
 * the last descriptor of the PMT is closed or ZVMO_IOC_PMT_UNPIN is
 * called on it.
 */
struct zvmo_vmo_pin {
	__u32 argsz;
	__u32 options;
	__u64 offset;
	__u64 size;
	__u64 addrs;
	__u64 num_addrs;
	__s32 bti_fd;
	__u32 fd_flags;
};

/**
 * struct zvmo_pmt_info - argument of ZVMO_IOC_PMT_INFO
 * @argsz: sizeof(struct zvmo_pmt_info)
 * @reserved: must be zero
 * @koid: the PMT's id
 * @vmo_koid: the pinned VMO's koid
 * @offset: start of the pinned range in that VMO
 * @size: its length
 * @options: the ZVMO_PIN_* options it was made with
 * @pinned: 1 until unpinned
 */
struct zvmo_pmt_info {
	__u32 argsz;
	__u32 reserved;
	/* output */
	__u64 koid;
	__u64 vmo_koid;
	__u64 offset;
	__u64 size;
	__u32 options;
	__u32 pinned;
};

/**
 * struct zvmo_cache_policy - argument of ZVMO_IOC_VMO_SET_CACHE_POLICY
 * @argsz: sizeof(struct zvmo_cache_policy)
 * @policy: ZVMO_CACHE_*
 *
 * Needs ZVMO_RIGHT_MAP. Only while the VMO has no committed pages (a
 * contiguous VMO excepted), mappings, pins, parent or children; else
 * EBUSY. Mappings then use the policy's memory type, and so does the
 * kernel's own alias of every page the VMO holds. A VMO that is not
 * cached cannot be snapshotted (EBUSY) nor mapped privately (EINVAL).
 */
struct zvmo_cache_policy {
	__u32 argsz;
	__u32 policy;
};

/*
 * Pagers. A pager is a descriptor from ZVMO_IOC_PAGER_CREATE; the VMOs it
 * makes (ZVMO_IOC_PAGER_CREATE_VMO) get their content from it: a read,
 * write, commit, pin or fault that reaches a page the pager has not
 * supplied queues a READ packet for a run of missing pages (up to
 * ZVMO_PAGER_BATCH of them; a present page ends the run) and waits,
 * killably, until the pager supplies the pages (ZVMO_IOC_PAGER_SUPPLY),
 * fails them (ZVMO_PAGER_OP_FAIL) or goes. A request is sent once, and
 * every access to a page it covers waits for it rather than asking again.
 *
 * read() of the pager descriptor returns whole struct zvmo_pager_packet,
 * as many as fit (a buffer smaller than one is EINVAL); it blocks while
 * there are none (EAGAIN with O_NONBLOCK), and poll() reports EPOLLIN
 * when there are. A packet read() could not copy out stays queued.
 *
 * ZVMO_IOC_PAGER_DETACH queues a COMPLETE packet for the VMO, fails every
 * request for a missing page from then on (EBUSY, SIGBUS in a fault) and
 * drops the pages that were supplied and never written. The same COMPLETE
 * packet comes when the VMO's last reference goes. Closing the pager sends
 * nothing more; its VMOs fail requests as if detached but keep their
 * pages.
 */
#define ZVMO_PAGER_BATCH	64

/* Commands of struct zvmo_pager_packet: Zircon's ZX_PAGER_VMO_*. */
#define ZVMO_PAGER_READ		0
#define ZVMO_PAGER_COMPLETE	1
#define ZVMO_PAGER_DIRTY	2

/* Operations of struct zvmo_pager_op: Zircon's ZX_PAGER_OP_*. */
#define ZVMO_PAGER_OP_FAIL		1
#define ZVMO_PAGER_OP_DIRTY		2
#define ZVMO_PAGER_OP_WRITEBACK_BEGIN	3
#define ZVMO_PAGER_OP_WRITEBACK_END	4

/* @data of ZVMO_PAGER_OP_WRITEBACK_BEGIN, and struct zvmo_dirty_range. */
#define ZVMO_DIRTY_RANGE_IS_ZERO	(1ULL << 0)

/* @options of struct zvmo_pager_vmo_stats. */
#define ZVMO_PAGER_RESET_VMO_STATS	(1U << 0)
/* @modified of struct zvmo_pager_vmo_stats. */
#define ZVMO_PAGER_VMO_STATS_MODIFIED	(1U << 0)

/**
 * struct zvmo_pager_packet - what read() of a pager descriptor returns
 * @key: the key given when the VMO was made
 * @command: ZVMO_PAGER_READ, ZVMO_PAGER_DIRTY or ZVMO_PAGER_COMPLETE
 * @flags: zero
 * @reserved: zero
 * @offset: start of the requested range (0 for COMPLETE)
 * @length: its length (0 for COMPLETE)
 */
struct zvmo_pager_packet {
	__u64 key;
	__u16 command;
	__u16 flags;
	__u32 reserved;
	__u64 offset;
	__u64 length;
};

/**
 * struct zvmo_pager_create - argument of ZVMO_IOC_PAGER_CREATE
 * @argsz: sizeof(struct zvmo_pager_create)
 * @options: must be zero
 * @fd_flags: ZVMO_FD_* flags of the new descriptor (O_NONBLOCK is set
 *	with fcntl())
 * @reserved: must be zero
 *
 * Returns the pager's descriptor.
 */
struct zvmo_pager_create {
	__u32 argsz;
	__u32 options;
	__u32 fd_flags;
	__u32 reserved;
};

/**
 * struct zvmo_pager_create_vmo - argument of ZVMO_IOC_PAGER_CREATE_VMO
 * @argsz: sizeof(struct zvmo_pager_create_vmo)
 * @options: ZVMO_VMO_RESIZABLE, ZVMO_VMO_TRAP_DIRTY
 * @key: reported in every packet for the VMO
 * @size: size in bytes, rounded up to a whole page
 * @fd_flags: ZVMO_FD_* flags of the new descriptor
 * @reserved: must be zero
 *
 * Returns a descriptor, with every right (ZVMO_RIGHT_RESIZE only if
 * resizable), for a VMO whose pages come from this pager
 * (ZVMO_INFO_PAGER_BACKED). DECOMMIT, ZVMO_CHILD_SNAPSHOT and
 * ZVMO_CHILD_SNAPSHOT_MODIFIED of it are EOPNOTSUPP. Growing it, and
 * ZVMO_OP_ZERO of whole pages, make dirty zero ranges: they read zeros
 * without asking the pager, report dirty (ZVMO_DIRTY_RANGE_IS_ZERO), and
 * once written back are asked for again; ZERO of part of a page writes
 * zeros there, as write() would. Shrinking fails the requests past the
 * new end (ERANGE, SIGBUS in a fault).
 *
 * Its content has a dirty state: clean as supplied; dirty once written
 * (write(), a write through a mapping, a pin for writing); awaiting clean
 * from ZVMO_PAGER_OP_WRITEBACK_BEGIN to ZVMO_PAGER_OP_WRITEBACK_END, which
 * makes it clean again unless it was written meanwhile. With
 * ZVMO_VMO_TRAP_DIRTY, a write to clean content first queues a DIRTY
 * packet (for the run of clean pages the write covers; a fault, for its
 * page) and waits until the pager lets it through (ZVMO_PAGER_OP_DIRTY)
 * or fails it (ZVMO_PAGER_OP_FAIL). Every first write after the content
 * was clean is seen, through a mapping as well: writeback takes the
 * range's mappings down.
 *
 * ZVMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE of it (or of such a child) is
 * Zircon's unidirectional clone: until the child writes a page, it reads
 * what the parent reads there now, later supplies and the parent's writes
 * included, and asks the parent's pager for what is missing; then it has
 * a copy of its own, which the parent never sees. DECOMMIT, ZERO and
 * full snapshots of such a child are EOPNOTSUPP too.
 */
struct zvmo_pager_create_vmo {
	__u32 argsz;
	__u32 options;
	__u64 key;
	__u64 size;
	__u32 fd_flags;
	__u32 reserved;
};

/**
 * struct zvmo_pager_supply - argument of ZVMO_IOC_PAGER_SUPPLY
 * @argsz: sizeof(struct zvmo_pager_supply)
 * @vmo_fd: a VMO of this pager
 * @offset: page-aligned start of the range in it
 * @length: page-aligned length
 * @aux_fd: an ordinary VMO, with the read and write rights, no parent,
 *	children or pins, whose pages are moved
 * @reserved: must be zero
 * @aux_offset: page-aligned start of the range in it
 *
 * Moves the pages of [@aux_offset, @aux_offset + @length) of the aux VMO
 * into [@offset, @offset + @length) of the VMO: the aux range reads zero
 * afterwards, and a hole in it supplies a page of zeros. Where the VMO
 * has a page already, it keeps it and the aux page is freed. Waiters on
 * the range go on at once.
 *
 * EINVAL if the VMO is not this pager's or a range is unaligned, ERANGE
 * if a range is past its VMO's end, EBUSY if the VMO is detached or the
 * aux VMO is not suitable, EACCES for missing rights, EBADF, ENOTTY.
 */
struct zvmo_pager_supply {
	__u32 argsz;
	__s32 vmo_fd;
	__u64 offset;
	__u64 length;
	__s32 aux_fd;
	__u32 reserved;
	__u64 aux_offset;
};

/**
 * struct zvmo_pager_supply_copy - argument of ZVMO_IOC_PAGER_SUPPLY_COPY
 * @argsz: sizeof(struct zvmo_pager_supply_copy)
 * @vmo_fd: a VMO of this pager
 * @offset: page-aligned start of the range in it
 * @length: page-aligned length
 * @buffer: user pointer to @length bytes: the content
 *
 * zvmo's own, beside Zircon's move: supplies the range with new pages
 * holding a copy of @buffer (one call, as userfaultfd's UFFDIO_COPY),
 * with the same rules and errors as ZVMO_IOC_PAGER_SUPPLY; EFAULT for a
 * bad buffer. Each batch of up to 256 pages is supplied whole or not at
 * all.
 */
struct zvmo_pager_supply_copy {
	__u32 argsz;
	__s32 vmo_fd;
	__u64 offset;
	__u64 length;
	__u64 buffer;
};

/**
 * struct zvmo_pager_op - argument of ZVMO_IOC_PAGER_OP_RANGE
 * @argsz: sizeof(struct zvmo_pager_op)
 * @op: ZVMO_PAGER_OP_*
 * @vmo_fd: a VMO of this pager, with ZVMO_RIGHT_WRITE (else EACCES)
 * @reserved: must be zero
 * @offset: page-aligned start of the range
 * @length: page-aligned length
 * @data: for FAIL, the positive errno the waiters get: EIO, EBADMSG
 *	(ZX_ERR_IO_DATA_INTEGRITY), EBUSY, ENOSPC or ENOBUFS, as Zircon
 *	permits; for WRITEBACK_BEGIN, 0 or ZVMO_DIRTY_RANGE_IS_ZERO; anything
 *	else is EINVAL. Ignored by the others.
 *
 * FAIL fails the requests outstanding for the range, READ and DIRTY:
 * read() and write() return the error, a fault gets SIGBUS. Later
 * accesses ask again.
 *
 * DIRTY makes the clean content of the range dirty, and lets the writes
 * waiting for it go on; ENOENT if a page of the range was never supplied
 * (then nothing changes).
 *
 * WRITEBACK_BEGIN makes the dirty content of the range awaiting clean,
 * and takes down its mappings; with ZVMO_DIRTY_RANGE_IS_ZERO, only the
 * content that reads zeros (a page written since it was queried stays
 * dirty). WRITEBACK_END makes awaiting clean content clean.
 *
 * EBUSY for FAIL and DIRTY once the VMO is detached; the writeback
 * operations work on a detached VMO's dirty content. EOPNOTSUPP for an
 * unknown operation.
 */
struct zvmo_pager_op {
	__u32 argsz;
	__u32 op;
	__s32 vmo_fd;
	__u32 reserved;
	__u64 offset;
	__u64 length;
	__u64 data;
};

/**
 * struct zvmo_pager_info - argument of ZVMO_IOC_PAGER_INFO
 * @argsz: sizeof(struct zvmo_pager_info)
 * @reserved: must be zero
 * @koid: the pager's id
 * @vmos: its VMOs still attached
 * @packets: packets waiting to be read
 */
struct zvmo_pager_info {
	__u32 argsz;
	__u32 reserved;
	/* output */
	__u64 koid;
	__u64 vmos;
	__u64 packets;
};

/**
 * struct zvmo_pager_detach - argument of ZVMO_IOC_PAGER_DETACH
 * @argsz: sizeof(struct zvmo_pager_detach)
 * @vmo_fd: a VMO of this pager (else EINVAL)
 */
struct zvmo_pager_detach {
	__u32 argsz;
	__s32 vmo_fd;
};

/**
 * struct zvmo_dirty_range - a run of dirty content
 * @offset: its start
 * @length: its length
 * @options: ZVMO_DIRTY_RANGE_IS_ZERO if it reads zeros
 */
struct zvmo_dirty_range {
	__u64 offset;
	__u64 length;
	__u64 options;
};

/**
 * struct zvmo_pager_query_dirty - argument of ZVMO_IOC_PAGER_QUERY_DIRTY
 * @argsz: sizeof(struct zvmo_pager_query_dirty)
 * @vmo_fd: a VMO of this pager, with ZVMO_RIGHT_READ (else EACCES)
 * @offset: start of the range, rounded down to a page
 * @length: its length; the end is rounded up to a page
 * @ranges: user pointer to an array of struct zvmo_dirty_range
 * @count: room in @ranges
 * @reserved: must be zero
 * @actual: set to the runs written to @ranges, in order
 * @avail: set to the runs there are in the range in all
 *
 * Dirty and awaiting clean content counts: it has not been written back.
 * A run is either pages or zeros (ZVMO_DIRTY_RANGE_IS_ZERO), and runs that
 * touch are of different kinds. When @avail exceeds @actual, the next
 * query can start at the end of the last run. ERANGE if the range is past
 * the VMO's end; EFAULT for a bad @ranges.
 */
struct zvmo_pager_query_dirty {
	__u32 argsz;
	__s32 vmo_fd;
	__u64 offset;
	__u64 length;
	__u64 ranges;
	__u32 count;
	__u32 reserved;
	/* output */
	__u64 actual;
	__u64 avail;
};

/**
 * struct zvmo_pager_vmo_stats - argument of ZVMO_IOC_PAGER_QUERY_STATS
 * @argsz: sizeof(struct zvmo_pager_vmo_stats)
 * @vmo_fd: a VMO of this pager, with ZVMO_RIGHT_READ (else EACCES)
 * @options: 0, or ZVMO_PAGER_RESET_VMO_STATS to reset what is reported
 * @modified: set to ZVMO_PAGER_VMO_STATS_MODIFIED if the VMO was written
 *	or resized since its stats were last reset (or it was made), else 0
 */
struct zvmo_pager_vmo_stats {
	__u32 argsz;
	__s32 vmo_fd;
	__u32 options;
	/* output */
	__u32 modified;
};

#define ZVMO_IOC_MAGIC	0xE7

/* On /dev/zvmo. */
#define ZVMO_IOC_VMO_CREATE	_IOW(ZVMO_IOC_MAGIC, 0x00, struct zvmo_vmo_create)
#define ZVMO_IOC_STATS		_IOWR(ZVMO_IOC_MAGIC, 0x01, struct zvmo_stats)
#define ZVMO_IOC_BTI_CREATE	_IOW(ZVMO_IOC_MAGIC, 0x02, struct zvmo_bti_create)
#define ZVMO_IOC_VMO_CREATE_CONTIGUOUS \
	_IOW(ZVMO_IOC_MAGIC, 0x03, struct zvmo_vmo_create_contiguous)
#define ZVMO_IOC_PAGER_CREATE	_IOW(ZVMO_IOC_MAGIC, 0x04, struct zvmo_pager_create)

/* On a VMO descriptor. */
#define ZVMO_IOC_VMO_INFO	_IOWR(ZVMO_IOC_MAGIC, 0x40, struct zvmo_vmo_info)
#define ZVMO_IOC_VMO_DUP	_IOW(ZVMO_IOC_MAGIC, 0x41, struct zvmo_vmo_dup)
#define ZVMO_IOC_VMO_SET_SIZE	_IOW(ZVMO_IOC_MAGIC, 0x42, struct zvmo_set_size)
#define ZVMO_IOC_VMO_OP_RANGE	_IOW(ZVMO_IOC_MAGIC, 0x43, struct zvmo_op_range)
#define ZVMO_IOC_VMO_SET_NAME	_IOW(ZVMO_IOC_MAGIC, 0x44, struct zvmo_name)
#define ZVMO_IOC_VMO_SET_CONTENT_SIZE \
	_IOW(ZVMO_IOC_MAGIC, 0x45, struct zvmo_content_size)
#define ZVMO_IOC_VMO_CREATE_CHILD \
	_IOW(ZVMO_IOC_MAGIC, 0x46, struct zvmo_vmo_create_child)
#define ZVMO_IOC_VMO_PIN	_IOW(ZVMO_IOC_MAGIC, 0x47, struct zvmo_vmo_pin)
#define ZVMO_IOC_VMO_SET_CACHE_POLICY \
	_IOW(ZVMO_IOC_MAGIC, 0x48, struct zvmo_cache_policy)

/* On a BTI descriptor. */
#define ZVMO_IOC_BTI_INFO	_IOWR(ZVMO_IOC_MAGIC, 0x80, struct zvmo_bti_info)

/* On a PMT descriptor. */
#define ZVMO_IOC_PMT_INFO	_IOWR(ZVMO_IOC_MAGIC, 0x90, struct zvmo_pmt_info)
#define ZVMO_IOC_PMT_UNPIN	_IO(ZVMO_IOC_MAGIC, 0x91)

/* On a pager descriptor. */
#define ZVMO_IOC_PAGER_CREATE_VMO \
	_IOW(ZVMO_IOC_MAGIC, 0xa0, struct zvmo_pager_create_vmo)
#define ZVMO_IOC_PAGER_SUPPLY	_IOW(ZVMO_IOC_MAGIC, 0xa1, struct zvmo_pager_supply)
#define ZVMO_IOC_PAGER_OP_RANGE	_IOW(ZVMO_IOC_MAGIC, 0xa2, struct zvmo_pager_op)
#define ZVMO_IOC_PAGER_DETACH	_IOW(ZVMO_IOC_MAGIC, 0xa3, struct zvmo_pager_detach)
#define ZVMO_IOC_PAGER_INFO	_IOWR(ZVMO_IOC_MAGIC, 0xa4, struct zvmo_pager_info)
#define ZVMO_IOC_PAGER_SUPPLY_COPY \
	_IOW(ZVMO_IOC_MAGIC, 0xa5, struct zvmo_pager_supply_copy)
#define ZVMO_IOC_PAGER_QUERY_DIRTY \
	_IOWR(ZVMO_IOC_MAGIC, 0xa6, struct zvmo_pager_query_dirty)
#define ZVMO_IOC_PAGER_QUERY_STATS \
	_IOWR(ZVMO_IOC_MAGIC, 0xa7, struct zvmo_pager_vmo_stats)

/*
 * Introspection: the generic netlink family ZVMO_GENL_NAME, version
 * ZVMO_GENL_VERSION. Requests carry at most ZVMO_ATTR_KOID; anything
 * else, or an attribute of the wrong size, is refused (EINVAL) before a
 * command runs. A caller without CAP_SYS_ADMIN sees only the VMOs and
 * pagers made by its own effective uid.
 *
 * ZVMO_CMD_GET_VMO: a dump answers one message per VMO, each with a
 *	ZVMO_ATTR_VMO nest; with ZVMO_ATTR_KOID, a request answers that VMO
 *	alone (ENOENT if the caller cannot see it).
 * ZVMO_CMD_GET_PAGER: a dump of ZVMO_ATTR_PAGER nests, one per pager.
 * ZVMO_CMD_GET_STATS: one ZVMO_ATTR_STATS nest of module-wide counters.
 *
 * All counts are __u64 unless marked otherwise; every __u64 attribute is
 * 64-bit aligned (ZVMO_*_ATTR_PAD pads them).
 */
#define ZVMO_GENL_NAME		"zvmo"
#define ZVMO_GENL_VERSION	1

enum zvmo_cmd {
	ZVMO_CMD_UNSPEC,
	ZVMO_CMD_GET_VMO,
	ZVMO_CMD_GET_PAGER,
	ZVMO_CMD_GET_STATS,
	__ZVMO_CMD_MAX,
};

#define ZVMO_CMD_MAX		(__ZVMO_CMD_MAX - 1)

enum zvmo_attr {
	ZVMO_ATTR_UNSPEC,
	ZVMO_ATTR_PAD,
	ZVMO_ATTR_KOID,		/* request: the VMO to answer about */
	ZVMO_ATTR_VMO,		/* nest: enum zvmo_vmo_attr */
	ZVMO_ATTR_PAGER,	/* nest: enum zvmo_pager_attr */
	ZVMO_ATTR_STATS,	/* nest: enum zvmo_stat_attr */
	__ZVMO_ATTR_MAX,
};

#define ZVMO_ATTR_MAX		(__ZVMO_ATTR_MAX - 1)

/*
 * A VMO, as ZVMO_IOC_VMO_INFO reports it (the same names and units),
 * and what only introspection shows: who made it, its pager, what reclaim
 * did to it, and its place in its clone hierarchy. ZVMO_VMO_ATTR_NODE
 * nests (enum zvmo_node_attr) name the hidden nodes it reads through,
 * nearest first, as many as fit (ZVMO_VMO_ATTR_NODES_TRUNCATED then).
 */
enum zvmo_vmo_attr {
	ZVMO_VMO_ATTR_UNSPEC,
	ZVMO_VMO_ATTR_PAD,
	ZVMO_VMO_ATTR_KOID,
	ZVMO_VMO_ATTR_NAME,		/* NUL-terminated string */
	ZVMO_VMO_ATTR_SIZE,
	ZVMO_VMO_ATTR_FLAGS,		/* __u32: ZVMO_INFO_* */
	ZVMO_VMO_ATTR_PARENT_KOID,
	ZVMO_VMO_ATTR_NUM_CHILDREN,
	ZVMO_VMO_ATTR_NUM_MAPPINGS,
	ZVMO_VMO_ATTR_COMMITTED,
	ZVMO_VMO_ATTR_COMMITTED_PRIVATE,
	ZVMO_VMO_ATTR_COMMITTED_SCALED,
	ZVMO_VMO_ATTR_POPULATED,
	ZVMO_VMO_ATTR_PINNED,		/* bytes */
	ZVMO_VMO_ATTR_METADATA,		/* bytes */
	ZVMO_VMO_ATTR_UID,		/* __u32: the effective uid that made it */
	ZVMO_VMO_ATTR_PAGER_KOID,	/* pager-backed VMOs and their clones */
	ZVMO_VMO_ATTR_DIRTY,		/* bytes; pager-backed VMOs */
	ZVMO_VMO_ATTR_EVICTED,		/* pages; pager-backed VMOs */
	ZVMO_VMO_ATTR_LOCK_COUNT,	/* discardable VMOs */
	ZVMO_VMO_ATTR_DISCARDED,	/* __u8, discardable VMOs */
	ZVMO_VMO_ATTR_LEAF,		/* the id of the node it reads */
	ZVMO_VMO_ATTR_NODE,		/* nest, repeated: enum zvmo_node_attr */
	ZVMO_VMO_ATTR_NODES_TRUNCATED,	/* flag */
	ZVMO_VMO_ATTR_COMPRESSED,	/* bytes: populated, not committed */
	__ZVMO_VMO_ATTR_MAX,
};

#define ZVMO_VMO_ATTR_MAX	(__ZVMO_VMO_ATTR_MAX - 1)

/* A hidden node: the pages a VMO's snapshots share. */
enum zvmo_node_attr {
	ZVMO_NODE_ATTR_UNSPEC,
	ZVMO_NODE_ATTR_PAD,
	ZVMO_NODE_ATTR_ID,
	ZVMO_NODE_ATTR_PAGES,		/* pages it holds */
	ZVMO_NODE_ATTR_SIZE,		/* bytes */
	__ZVMO_NODE_ATTR_MAX,
};

#define ZVMO_NODE_ATTR_MAX	(__ZVMO_NODE_ATTR_MAX - 1)

enum zvmo_pager_attr {
	ZVMO_PAGER_ATTR_UNSPEC,
	ZVMO_PAGER_ATTR_PAD,
	ZVMO_PAGER_ATTR_KOID,
	ZVMO_PAGER_ATTR_UID,		/* __u32 */
	ZVMO_PAGER_ATTR_VMOS,		/* VMOs attached */
	ZVMO_PAGER_ATTR_REQUESTS,	/* requests not yet answered */
	ZVMO_PAGER_ATTR_QUEUED,		/* packets not yet read */
	ZVMO_PAGER_ATTR_CLOSED,		/* __u8: its descriptor is gone */
	__ZVMO_PAGER_ATTR_MAX,
};

#define ZVMO_PAGER_ATTR_MAX	(__ZVMO_PAGER_ATTR_MAX - 1)

/*
 * Module-wide counters: what is held now, then what happened since the
 * module loaded. /proc/zvmo shows the same, one "name value" line each.
 */
enum zvmo_stat_attr {
	ZVMO_STAT_ATTR_UNSPEC,
	ZVMO_STAT_ATTR_PAD,
	ZVMO_STAT_ATTR_VMOS,
	ZVMO_STAT_ATTR_HANDLES,
	ZVMO_STAT_ATTR_PAGERS,
	ZVMO_STAT_ATTR_PAGES,
	ZVMO_STAT_ATTR_PAGE_LIST_NODES,
	ZVMO_STAT_ATTR_PAGE_LIST_BYTES,
	ZVMO_STAT_ATTR_PINNED_PAGES,
	ZVMO_STAT_ATTR_PMTS,
	ZVMO_STAT_ATTR_BTIS,
	ZVMO_STAT_ATTR_FAULTS,
	ZVMO_STAT_ATTR_FORKS,
	ZVMO_STAT_ATTR_MIGRATIONS,
	ZVMO_STAT_ATTR_MERGES,
	ZVMO_STAT_ATTR_SUPPLIED,	/* pages supplied by pagers */
	ZVMO_STAT_ATTR_REQUESTS,	/* page requests sent to pagers */
	ZVMO_STAT_ATTR_EVICTED,		/* pages */
	ZVMO_STAT_ATTR_DISCARDED_VMOS,
	ZVMO_STAT_ATTR_DISCARDED,	/* pages */
	ZVMO_STAT_ATTR_DEDUPED,		/* pages */
	ZVMO_STAT_ATTR_COMPRESSED_PAGES,	/* pages in the store now */
	ZVMO_STAT_ATTR_COMPRESSED_BYTES,	/* bytes they compressed to */
	ZVMO_STAT_ATTR_COMPRESSED_POOL_BYTES,	/* bytes the store takes */
	ZVMO_STAT_ATTR_COMPRESSION_RATIO,	/* pages' bytes per 100 stored */
	ZVMO_STAT_ATTR_COMPRESSIONS,		/* pages compressed */
	ZVMO_STAT_ATTR_DECOMPRESSIONS,		/* pages decompressed */
	ZVMO_STAT_ATTR_COMPRESS_POOR,		/* left: compressed badly */
	ZVMO_STAT_ATTR_COMPRESS_FAILED,		/* left: the store was full */
	ZVMO_STAT_ATTR_PAGER_SPINS,		/* waits for a pager that spun */
	ZVMO_STAT_ATTR_PAGER_SPIN_HITS,		/* ... and were answered so */
	__ZVMO_STAT_ATTR_MAX,
};

#define ZVMO_STAT_ATTR_MAX	(__ZVMO_STAT_ATTR_MAX - 1)

#endif /* _UAPI_ZVMO_H */
