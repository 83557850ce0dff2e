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
 * if the bytes the kernel does not know are zero (else E2BIG). Output structs
 * are written up to min(argsz, what the kernel knows). Reserved fields and
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
#define ZVMO_VMO_DISCARDABLE	(1U << 1)	/* not supported yet */

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

/* Cache policies (struct zvmo_vmo_info.cache_policy). */
#define ZVMO_CACHE_CACHED		0
#define ZVMO_CACHE_UNCACHED		1
#define ZVMO_CACHE_UNCACHED_DEVICE	2
#define ZVMO_CACHE_WRITE_COMBINING	3

/*
 * Operations of struct zvmo_op_range. The module answers EOPNOTSUPP for the
 * ones it does not implement yet.
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
 * The ioctl returns the new descriptor, which has every right.
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
 * resizable reference of a VMO that is not resizable, or a reference of a
 * slice; EACCES for missing rights.
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

#define ZVMO_IOC_MAGIC	0xE7

/* On /dev/zvmo. */
#define ZVMO_IOC_VMO_CREATE	_IOW(ZVMO_IOC_MAGIC, 0x00, struct zvmo_vmo_create)
#define ZVMO_IOC_STATS		_IOWR(ZVMO_IOC_MAGIC, 0x01, struct zvmo_stats)

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

#endif /* _UAPI_ZVMO_H */
