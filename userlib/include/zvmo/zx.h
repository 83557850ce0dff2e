/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libzvmo, Zircon layer: Fuchsia's VMO calls, with Fuchsia's names, argument
 * order, types and constant names, written over the native layer.
 *
 * A zx_handle_t is a file descriptor; ZX_HANDLE_INVALID is -1 because 0 is
 * a valid descriptor. Handles this layer makes are close-on-exec. Constant
 * values are zvmo's own (status codes happen to be Fuchsia's): code must use
 * the names, never the numbers.
 */
#ifndef _ZVMO_ZX_H
#define _ZVMO_ZX_H

#include <stddef.h>
#include <stdint.h>

#include <zvmo/zvmo.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Types. */
typedef int32_t zx_status_t;
typedef int zx_handle_t;
typedef uint32_t zx_rights_t;
typedef uint64_t zx_koid_t;
typedef int64_t zx_time_t;
typedef int64_t zx_duration_t;
typedef zx_time_t zx_instant_mono_t;
typedef zx_duration_t zx_duration_mono_t;
typedef uintptr_t zx_vaddr_t;
typedef uintptr_t zx_paddr_t;
typedef uint64_t zx_off_t;
typedef uint32_t zx_signals_t;
typedef uint32_t zx_obj_type_t;
typedef uint32_t zx_object_info_topic_t;
typedef uint32_t zx_vm_option_t;

#define ZX_HANDLE_INVALID		((zx_handle_t)-1)
#define ZX_KOID_INVALID			((zx_koid_t)0)
#define ZX_MAX_NAME_LEN			((size_t)32)

/* Time. */
#define ZX_TIME_INFINITE		((zx_time_t)INT64_MAX)
#define ZX_TIME_INFINITE_PAST		((zx_time_t)INT64_MIN)
#define ZX_NSEC(n)			((zx_duration_t)(1LL * (n)))
#define ZX_USEC(n)			((zx_duration_t)(1000LL * (n)))
#define ZX_MSEC(n)			((zx_duration_t)(1000000LL * (n)))
#define ZX_SEC(n)			((zx_duration_t)(1000000000LL * (n)))

/* Status codes. */
#define ZX_OK				((zx_status_t)0)
#define ZX_ERR_INTERNAL			((zx_status_t)-1)
#define ZX_ERR_NOT_SUPPORTED		((zx_status_t)-2)
#define ZX_ERR_NO_RESOURCES		((zx_status_t)-3)
#define ZX_ERR_NO_MEMORY		((zx_status_t)-4)
#define ZX_ERR_INTERRUPTED_RETRY	((zx_status_t)-6)
#define ZX_ERR_INVALID_ARGS		((zx_status_t)-10)
#define ZX_ERR_BAD_HANDLE		((zx_status_t)-11)
#define ZX_ERR_WRONG_TYPE		((zx_status_t)-12)
#define ZX_ERR_BAD_SYSCALL		((zx_status_t)-13)
#define ZX_ERR_OUT_OF_RANGE		((zx_status_t)-14)
#define ZX_ERR_BUFFER_TOO_SMALL		((zx_status_t)-15)
#define ZX_ERR_BAD_STATE		((zx_status_t)-20)
#define ZX_ERR_TIMED_OUT		((zx_status_t)-21)
#define ZX_ERR_SHOULD_WAIT		((zx_status_t)-22)
#define ZX_ERR_CANCELED			((zx_status_t)-23)
#define ZX_ERR_PEER_CLOSED		((zx_status_t)-24)
#define ZX_ERR_NOT_FOUND		((zx_status_t)-25)
#define ZX_ERR_ALREADY_EXISTS		((zx_status_t)-26)
#define ZX_ERR_ALREADY_BOUND		((zx_status_t)-27)
#define ZX_ERR_UNAVAILABLE		((zx_status_t)-28)
#define ZX_ERR_ACCESS_DENIED		((zx_status_t)-30)
#define ZX_ERR_IO			((zx_status_t)-40)
#define ZX_ERR_IO_REFUSED		((zx_status_t)-41)
#define ZX_ERR_IO_DATA_INTEGRITY	((zx_status_t)-42)
#define ZX_ERR_IO_DATA_LOSS		((zx_status_t)-43)
#define ZX_ERR_IO_NOT_PRESENT		((zx_status_t)-44)
#define ZX_ERR_IO_OVERRUN		((zx_status_t)-45)
#define ZX_ERR_IO_MISSED_DEADLINE	((zx_status_t)-46)
#define ZX_ERR_IO_INVALID		((zx_status_t)-47)
#define ZX_ERR_BAD_PATH			((zx_status_t)-50)
#define ZX_ERR_NOT_DIR			((zx_status_t)-51)
#define ZX_ERR_NOT_FILE			((zx_status_t)-52)
#define ZX_ERR_FILE_BIG			((zx_status_t)-53)
#define ZX_ERR_NO_SPACE			((zx_status_t)-54)
#define ZX_ERR_NOT_EMPTY		((zx_status_t)-55)
#define ZX_ERR_STOP			((zx_status_t)-60)
#define ZX_ERR_NEXT			((zx_status_t)-61)
#define ZX_ERR_ASYNC			((zx_status_t)-62)

/*
 * Rights: the module's bits, so they pass through unchanged. A handle can
 * only lose rights; the kernel checks them.
 */
#define ZX_RIGHT_NONE			((zx_rights_t)0)
#define ZX_RIGHT_DUPLICATE		((zx_rights_t)ZVMO_RIGHT_DUPLICATE)
#define ZX_RIGHT_TRANSFER		((zx_rights_t)ZVMO_RIGHT_TRANSFER)
#define ZX_RIGHT_READ			((zx_rights_t)ZVMO_RIGHT_READ)
#define ZX_RIGHT_WRITE			((zx_rights_t)ZVMO_RIGHT_WRITE)
#define ZX_RIGHT_EXECUTE		((zx_rights_t)ZVMO_RIGHT_EXECUTE)
#define ZX_RIGHT_MAP			((zx_rights_t)ZVMO_RIGHT_MAP)
#define ZX_RIGHT_GET_PROPERTY		((zx_rights_t)ZVMO_RIGHT_GET_PROPERTY)
#define ZX_RIGHT_SET_PROPERTY		((zx_rights_t)ZVMO_RIGHT_SET_PROPERTY)
#define ZX_RIGHT_RESIZE			((zx_rights_t)ZVMO_RIGHT_RESIZE)
#define ZX_RIGHT_SAME_RIGHTS		((zx_rights_t)ZVMO_RIGHT_SAME_RIGHTS)

#define ZX_RIGHTS_BASIC			(ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE)
#define ZX_RIGHTS_IO			(ZX_RIGHT_READ | ZX_RIGHT_WRITE)
#define ZX_RIGHTS_PROPERTY \
	(ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY)
#define ZX_DEFAULT_VMO_RIGHTS \
	(ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHTS_PROPERTY | ZX_RIGHT_MAP)

/* Object types. */
#define ZX_OBJ_TYPE_NONE		((zx_obj_type_t)0)
#define ZX_OBJ_TYPE_VMO			((zx_obj_type_t)3)
#define ZX_OBJ_TYPE_PORT		((zx_obj_type_t)6)
#define ZX_OBJ_TYPE_VMAR		((zx_obj_type_t)18)
#define ZX_OBJ_TYPE_BTI			((zx_obj_type_t)24)
#define ZX_OBJ_TYPE_PMT			((zx_obj_type_t)26)
#define ZX_OBJ_TYPE_PAGER		((zx_obj_type_t)28)

/* zx_object_get_info() topics. */
#define ZX_INFO_NONE			((zx_object_info_topic_t)0)
#define ZX_INFO_HANDLE_VALID		((zx_object_info_topic_t)1)
#define ZX_INFO_HANDLE_BASIC		((zx_object_info_topic_t)2)
#define ZX_INFO_BTI			((zx_object_info_topic_t)20)
#define ZX_INFO_VMO			((zx_object_info_topic_t)23)

/* zx_info_vmo_t.flags */
#define ZX_INFO_VMO_TYPE_PHYSICAL	((uint32_t)0)
#define ZX_INFO_VMO_TYPE_PAGED		((uint32_t)ZVMO_INFO_PAGED)
#define ZX_INFO_VMO_TYPE(flags)		((flags) & ZX_INFO_VMO_TYPE_PAGED)
#define ZX_INFO_VMO_RESIZABLE		((uint32_t)ZVMO_INFO_RESIZABLE)
#define ZX_INFO_VMO_IS_COW_CLONE	((uint32_t)ZVMO_INFO_COW_CLONE)
#define ZX_INFO_VMO_PAGER_BACKED	((uint32_t)ZVMO_INFO_PAGER_BACKED)
#define ZX_INFO_VMO_CONTIGUOUS		((uint32_t)ZVMO_INFO_CONTIGUOUS)
#define ZX_INFO_VMO_DISCARDABLE		((uint32_t)ZVMO_INFO_DISCARDABLE)
#define ZX_INFO_VMO_VIA_HANDLE		((uint32_t)1 << 16)
#define ZX_INFO_VMO_VIA_MAPPING		((uint32_t)1 << 17)

/* Cache policies. */
#define ZX_CACHE_POLICY_CACHED		((uint32_t)ZVMO_CACHE_CACHED)
#define ZX_CACHE_POLICY_UNCACHED	((uint32_t)ZVMO_CACHE_UNCACHED)
#define ZX_CACHE_POLICY_UNCACHED_DEVICE	((uint32_t)ZVMO_CACHE_UNCACHED_DEVICE)
#define ZX_CACHE_POLICY_WRITE_COMBINING	((uint32_t)ZVMO_CACHE_WRITE_COMBINING)
#define ZX_CACHE_POLICY_MASK		((uint32_t)3)

/* zx_vmo_create() options; ZX_VMO_TRAP_DIRTY is for zx_pager_create_vmo(). */
#define ZX_VMO_RESIZABLE		((uint32_t)1 << 1)
#define ZX_VMO_DISCARDABLE		((uint32_t)1 << 2)
#define ZX_VMO_TRAP_DIRTY		((uint32_t)1 << 3)

/* zx_vmo_create_child() options. */
#define ZX_VMO_CHILD_SNAPSHOT			((uint32_t)1 << 0)
#define ZX_VMO_CHILD_RESIZABLE			((uint32_t)1 << 2)
#define ZX_VMO_CHILD_SLICE			((uint32_t)1 << 3)
#define ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE	((uint32_t)1 << 4)
#define ZX_VMO_CHILD_NO_WRITE			((uint32_t)1 << 5)
#define ZX_VMO_CHILD_REFERENCE			((uint32_t)1 << 6)
#define ZX_VMO_CHILD_SNAPSHOT_MODIFIED		((uint32_t)1 << 7)

/* zx_vmo_op_range() operations: the module's numbers. */
#define ZX_VMO_OP_COMMIT		((uint32_t)ZVMO_OP_COMMIT)
#define ZX_VMO_OP_DECOMMIT		((uint32_t)ZVMO_OP_DECOMMIT)
#define ZX_VMO_OP_ZERO			((uint32_t)ZVMO_OP_ZERO)
#define ZX_VMO_OP_LOCK			((uint32_t)ZVMO_OP_LOCK)
#define ZX_VMO_OP_TRY_LOCK		((uint32_t)ZVMO_OP_TRY_LOCK)
#define ZX_VMO_OP_UNLOCK		((uint32_t)ZVMO_OP_UNLOCK)
#define ZX_VMO_OP_CACHE_SYNC		((uint32_t)ZVMO_OP_CACHE_SYNC)
#define ZX_VMO_OP_CACHE_INVALIDATE	((uint32_t)ZVMO_OP_CACHE_INVALIDATE)
#define ZX_VMO_OP_CACHE_CLEAN		((uint32_t)ZVMO_OP_CACHE_CLEAN)
#define ZX_VMO_OP_CACHE_CLEAN_INVALIDATE \
	((uint32_t)ZVMO_OP_CACHE_CLEAN_INVALIDATE)
#define ZX_VMO_OP_ALWAYS_NEED		((uint32_t)ZVMO_OP_ALWAYS_NEED)
#define ZX_VMO_OP_DONT_NEED		((uint32_t)ZVMO_OP_DONT_NEED)
#define ZX_VMO_OP_PREFETCH		((uint32_t)ZVMO_OP_PREFETCH)

/* Properties. */
#define ZX_PROP_NAME			((uint32_t)3)
#define ZX_PROP_VMO_CONTENT_SIZE	((uint32_t)17)

/* Mapping options (zx_vmar_map()). */
#define ZX_VM_PERM_READ			((zx_vm_option_t)1 << 0)
#define ZX_VM_PERM_WRITE		((zx_vm_option_t)1 << 1)
#define ZX_VM_PERM_EXECUTE		((zx_vm_option_t)1 << 2)
#define ZX_VM_SPECIFIC			((zx_vm_option_t)1 << 4)
#define ZX_VM_SPECIFIC_OVERWRITE	((zx_vm_option_t)1 << 5)
#define ZX_VM_MAP_RANGE			((zx_vm_option_t)1 << 10)
#define ZX_VM_REQUIRE_NON_RESIZABLE	((zx_vm_option_t)1 << 11)
#define ZX_VM_ALLOW_FAULTS		((zx_vm_option_t)1 << 12)

/* Ports and pagers. */
#define ZX_PKT_TYPE_PAGE_REQUEST	((uint32_t)9)
#define ZX_PAGER_VMO_READ		((uint16_t)0)
#define ZX_PAGER_VMO_COMPLETE		((uint16_t)1)
#define ZX_PAGER_VMO_DIRTY		((uint16_t)2)
#define ZX_PAGER_OP_FAIL		((uint32_t)1)
#define ZX_PAGER_OP_DIRTY		((uint32_t)2)
#define ZX_PAGER_OP_WRITEBACK_BEGIN	((uint32_t)3)
#define ZX_PAGER_OP_WRITEBACK_END	((uint32_t)4)
#define ZX_VMO_DIRTY_RANGE_IS_ZERO	((uint64_t)1)
#define ZX_PAGER_VMO_STATS_MODIFIED	((uint32_t)1)
#define ZX_PAGER_RESET_VMO_STATS	((uint32_t)1)

/* zx_bti_pin() options: the module's ZVMO_PIN_* bits. */
#define ZX_BTI_PERM_READ		((uint32_t)1 << 0)
#define ZX_BTI_PERM_WRITE		((uint32_t)1 << 1)
#define ZX_BTI_PERM_EXECUTE		((uint32_t)1 << 2)
#define ZX_BTI_COMPRESS			((uint32_t)1 << 3)
#define ZX_BTI_CONTIGUOUS		((uint32_t)1 << 4)

/*
 * ZX_INFO_HANDLE_BASIC, for a VMO, a BTI or a PMT handle; related_koid is
 * always 0. A BTI or PMT descriptor carries no rights of its own: a BTI
 * reports READ, WRITE, MAP and the basic rights, a PMT the basic rights.
 */
typedef struct zx_info_handle_basic {
	zx_koid_t koid;
	zx_rights_t rights;
	zx_obj_type_t type;
	zx_koid_t related_koid;
	uint32_t reserved;
	uint8_t padding1[4];
} zx_info_handle_basic_t;

/*
 * ZX_INFO_VMO, in Fuchsia's layout. committed_bytes counts every committed
 * page the VMO can reach (shared or not), committed_private_bytes only the
 * pages no other VMO can reach, committed_scaled_bytes each page divided by
 * the number of VMOs that reach it; the populated_* fields count compressed
 * pages too. zvmo reports whole scaled bytes, so the fractional fields are 0.
 */
typedef struct zx_info_vmo {
	zx_koid_t koid;
	char name[ZX_MAX_NAME_LEN];
	uint64_t size_bytes;
	zx_koid_t parent_koid;
	size_t num_children;
	size_t num_mappings;
	size_t share_count;
	uint32_t flags;
	uint8_t padding1[4];
	uint64_t committed_bytes;
	zx_rights_t handle_rights;
	uint32_t cache_policy;
	uint64_t metadata_bytes;
	uint64_t committed_change_events;
	uint64_t populated_bytes;
	uint64_t committed_private_bytes;
	uint64_t populated_private_bytes;
	uint64_t committed_scaled_bytes;
	uint64_t populated_scaled_bytes;
	uint64_t committed_fractional_scaled_bytes;
	uint64_t populated_fractional_scaled_bytes;
} zx_info_vmo_t;

/*
 * ZX_INFO_BTI. With no IOMMU, each address of a ZX_BTI_COMPRESS pin covers
 * one page (minimum_contiguity), the device sees all of memory
 * (aspace_size), and nothing is ever quarantined.
 */
typedef struct zx_info_bti {
	uint64_t minimum_contiguity;
	uint64_t aspace_size;
	uint64_t pmo_count;
	uint64_t quarantine_count;
} zx_info_bti_t;

/* ZX_VMO_OP_LOCK and ZX_VMO_OP_TRY_LOCK fill this. */
typedef struct zx_vmo_lock_state {
	uint64_t offset;
	uint64_t size;
	uint64_t discarded_offset;
	uint64_t discarded_size;
} zx_vmo_lock_state_t;

/* zx_pager_query_dirty_ranges() fills an array of these. */
typedef struct zx_vmo_dirty_range {
	uint64_t offset;
	uint64_t length;
	uint64_t options;
} zx_vmo_dirty_range_t;

/* zx_pager_query_vmo_stats() fills this. */
typedef struct zx_pager_vmo_stats {
	uint32_t modified;
} zx_pager_vmo_stats_t;

typedef struct zx_packet_page_request {
	uint16_t command;
	uint16_t flags;
	uint32_t reserved0;
	uint64_t offset;
	uint64_t length;
	uint64_t reserved1;
} zx_packet_page_request_t;

typedef union zx_packet_user {
	uint64_t u64[4];
	uint32_t u32[8];
	uint16_t u16[16];
	uint8_t c8[32];
} zx_packet_user_t;

typedef struct zx_port_packet {
	uint64_t key;
	uint32_t type;
	zx_status_t status;
	union {
		zx_packet_user_t user;
		zx_packet_page_request_t page_request;
	};
} zx_port_packet_t;

/* VMOs. */
zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t *out);
zx_status_t zx_vmo_create_child(zx_handle_t handle, uint32_t options,
				uint64_t offset, uint64_t size,
				zx_handle_t *out);
zx_status_t zx_vmo_read(zx_handle_t handle, void *buffer, uint64_t offset,
			size_t buffer_size);
zx_status_t zx_vmo_write(zx_handle_t handle, const void *buffer,
			 uint64_t offset, size_t buffer_size);
zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t *size);
zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size);
zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset,
			    uint64_t size, void *buffer, size_t buffer_size);
zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy);

/*
 * BTIs and pins. There is no IOMMU: zx_bti_create() takes
 * ZX_HANDLE_INVALID for it, and only a process that may see physical
 * addresses (CAP_SYS_RAWIO) gets a BTI, else ZX_ERR_ACCESS_DENIED. The
 * addresses a pin reports are physical (where a zx_paddr_t is narrower
 * than 64 bits, a pin that asks for them is ZX_ERR_NOT_SUPPORTED).
 * zx_pmt_unpin() consumes any open handle, as Zircon's does, PMT or not;
 * closing the last handle of a PMT unpins it too.
 */
zx_status_t zx_bti_create(zx_handle_t iommu, uint32_t options,
			  uint64_t bti_id, zx_handle_t *out);
zx_status_t zx_bti_pin(zx_handle_t bti, uint32_t options, zx_handle_t vmo,
		       uint64_t offset, uint64_t size, zx_paddr_t *addrs,
		       size_t num_addrs, zx_handle_t *pmt);
zx_status_t zx_pmt_unpin(zx_handle_t pmt);
zx_status_t zx_vmo_create_contiguous(zx_handle_t bti, size_t size,
				     uint32_t alignment_log2,
				     zx_handle_t *out);

/*
 * Pagers and ports. A pager is a descriptor of the module's (see
 * zvmo_pager_create()); a port is an epoll descriptor that gathers the
 * packet queues of the pagers bound to it (nothing else may be added to
 * its set) and delivers only ZX_PKT_TYPE_PAGE_REQUEST packets, one per
 * zx_port_wait(), to any number of waiting threads. zx_handle_close()
 * closes either.
 *
 * A port never keeps a pager alive: closing the pager's last handle takes
 * it out of every port. A closed pager sends nothing more (not even
 * COMPLETE); its VMOs keep the pages it supplied and fail any access to a
 * missing page with ZX_ERR_BAD_STATE, as detached ones do.
 *
 * Limitations, because the kernel keeps one packet queue per pager:
 * - All the VMOs of one pager must be bound to one port: binding a VMO to
 *   a second port while the pager is bound to another one that is open is
 *   ZX_ERR_NOT_SUPPORTED. Once that port is closed, the pager may be bound
 *   to a new one, which then gets the packets of all its VMOs.
 * - The port reads a pager through the handle the VMO that bound it was
 *   created with. If that handle is closed while a duplicate of it stays
 *   open, the port drops the pager's packets until a VMO is created
 *   through an open handle, which binds the pager again.
 * - Binding makes the pager's descriptor O_NONBLOCK (the port reads it
 *   without blocking); do not clear the flag.
 * - zx_pager_query_dirty_ranges() returns at most 512 ranges a call
 *   (*actual may be less than the buffer holds while *avail is more):
 *   query again from the end of the last one, as Zircon's callers do.
 * - ZX_VMO_CHILD_SNAPSHOT_MODIFIED of a pager-backed VMO is
 *   ZX_ERR_NOT_SUPPORTED; ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE works.
 *
 * zx_pager_op_range(ZX_PAGER_OP_FAIL) takes the status to fail with in
 * @data: ZX_ERR_IO, ZX_ERR_IO_DATA_INTEGRITY, ZX_ERR_BAD_STATE,
 * ZX_ERR_NO_SPACE or ZX_ERR_BUFFER_TOO_SMALL, as Zircon permits; the
 * accesses waiting for the range return it.
 *
 * zx_port_wait() takes an absolute deadline on zx_clock_get_monotonic()'s
 * clock: ZX_TIME_INFINITE waits for ever, a deadline that has passed
 * looks once, and ZX_ERR_TIMED_OUT says it passed with no packet.
 */
zx_status_t zx_pager_create(uint32_t options, zx_handle_t *out);
zx_status_t zx_pager_create_vmo(zx_handle_t pager, uint32_t options,
				zx_handle_t port, uint64_t key, uint64_t size,
				zx_handle_t *out);
zx_status_t zx_pager_detach_vmo(zx_handle_t pager, zx_handle_t vmo);
zx_status_t zx_pager_supply_pages(zx_handle_t pager, zx_handle_t pager_vmo,
				  uint64_t offset, uint64_t length,
				  zx_handle_t aux_vmo, uint64_t aux_offset);
zx_status_t zx_pager_op_range(zx_handle_t pager, uint32_t op,
			      zx_handle_t pager_vmo, uint64_t offset,
			      uint64_t length, uint64_t data);
zx_status_t zx_pager_query_dirty_ranges(zx_handle_t pager,
					zx_handle_t pager_vmo, uint64_t offset,
					uint64_t length, void *buffer,
					size_t buffer_size, size_t *actual,
					size_t *avail);
zx_status_t zx_pager_query_vmo_stats(zx_handle_t pager, zx_handle_t pager_vmo,
				     uint32_t options, void *buffer,
				     size_t buffer_size);
zx_status_t zx_port_create(uint32_t options, zx_handle_t *out);
zx_status_t zx_port_wait(zx_handle_t port, zx_time_t deadline,
			 zx_port_packet_t *packet);

/* Objects and handles. */
zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic,
			       void *buffer, size_t buffer_size,
			       size_t *actual, size_t *avail);
zx_status_t zx_object_get_property(zx_handle_t handle, uint32_t property,
				   void *value, size_t value_size);
zx_status_t zx_object_set_property(zx_handle_t handle, uint32_t property,
				   const void *value, size_t value_size);
zx_status_t zx_handle_close(zx_handle_t handle);
zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights,
				zx_handle_t *out);
zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights,
			      zx_handle_t *out);

/* Time: CLOCK_MONOTONIC in nanoseconds. */
/*
 * The root VMAR is the process's address space; its base is address 0, so
 * a ZX_VM_SPECIFIC vmar_offset is an address. Mappings are mmap()s.
 */
zx_handle_t zx_vmar_root_self(void);
zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options,
			size_t vmar_offset, zx_handle_t vmo,
			uint64_t vmo_offset, size_t len,
			zx_vaddr_t *mapped_addr);
zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len);

zx_time_t zx_clock_get_monotonic(void);
zx_time_t zx_deadline_after(zx_duration_t nanoseconds);

/*
 * zvmo_errno_to_status() - the status for a native-layer result
 *
 * A negative errno maps to its status; 0 and positive results (descriptors)
 * are ZX_OK; errnos with no Zircon meaning are ZX_ERR_INTERNAL.
 */
zx_status_t zvmo_errno_to_status(int neg_errno);

#ifdef __cplusplus
}
#endif

#endif /* _ZVMO_ZX_H */
