/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libzvmo, Zircon layer: Fuchsia's VMO calls, types and constant names over
 * zvmo. Handles are file descriptors; ZX_HANDLE_INVALID is -1. Constant
 * values are zvmo's own unless noted.
 */
#ifndef _ZVMO_ZX_H
#define _ZVMO_ZX_H

#include <stddef.h>
#include <stdint.h>

#include <zvmo/zvmo.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t zx_status_t;
typedef int zx_handle_t;
typedef uint32_t zx_rights_t;
typedef uint64_t zx_koid_t;
typedef int64_t zx_time_t;
typedef int64_t zx_duration_t;
typedef uintptr_t zx_vaddr_t;
typedef uint64_t zx_paddr_t;
typedef uint32_t zx_obj_type_t;
typedef uint32_t zx_object_info_topic_t;
typedef uint32_t zx_vm_option_t;

#define ZX_HANDLE_INVALID		((zx_handle_t)-1)
#define ZX_KOID_INVALID			((zx_koid_t)0)
#define ZX_TIME_INFINITE		INT64_MAX
#define ZX_TIME_INFINITE_PAST		INT64_MIN
#define ZX_MAX_NAME_LEN			ZVMO_NAME_LEN

/* Status codes: Fuchsia's values, so printed statuses read the same. */
#define ZX_OK				0
#define ZX_ERR_INTERNAL			(-1)
#define ZX_ERR_NOT_SUPPORTED		(-2)
#define ZX_ERR_NO_RESOURCES		(-3)
#define ZX_ERR_NO_MEMORY		(-4)
#define ZX_ERR_INVALID_ARGS		(-10)
#define ZX_ERR_BAD_HANDLE		(-11)
#define ZX_ERR_WRONG_TYPE		(-12)
#define ZX_ERR_BAD_SYSCALL		(-13)
#define ZX_ERR_OUT_OF_RANGE		(-14)
#define ZX_ERR_BUFFER_TOO_SMALL		(-15)
#define ZX_ERR_BAD_STATE		(-20)
#define ZX_ERR_TIMED_OUT		(-21)
#define ZX_ERR_SHOULD_WAIT		(-22)
#define ZX_ERR_CANCELED			(-23)
#define ZX_ERR_PEER_CLOSED		(-24)
#define ZX_ERR_NOT_FOUND		(-25)
#define ZX_ERR_ALREADY_EXISTS		(-26)
#define ZX_ERR_ALREADY_BOUND		(-27)
#define ZX_ERR_UNAVAILABLE		(-28)
#define ZX_ERR_ACCESS_DENIED		(-30)
#define ZX_ERR_IO			(-40)
#define ZX_ERR_IO_REFUSED		(-41)
#define ZX_ERR_IO_DATA_INTEGRITY	(-42)
#define ZX_ERR_IO_DATA_LOSS		(-43)
#define ZX_ERR_IO_NOT_PRESENT		(-44)
#define ZX_ERR_IO_OVERRUN		(-45)
#define ZX_ERR_IO_MISSED_DEADLINE	(-46)
#define ZX_ERR_IO_INVALID		(-47)
#define ZX_ERR_BAD_PATH			(-50)
#define ZX_ERR_NOT_DIR			(-51)
#define ZX_ERR_NOT_FILE			(-52)
#define ZX_ERR_FILE_BIG			(-53)
#define ZX_ERR_NO_SPACE			(-54)
#define ZX_ERR_NOT_EMPTY		(-55)

/* Rights: the same bits as the module's, so they pass straight through. */
#define ZX_RIGHT_NONE			((zx_rights_t)0)
#define ZX_RIGHT_DUPLICATE		ZVMO_RIGHT_DUPLICATE
#define ZX_RIGHT_TRANSFER		ZVMO_RIGHT_TRANSFER
#define ZX_RIGHT_READ			ZVMO_RIGHT_READ
#define ZX_RIGHT_WRITE			ZVMO_RIGHT_WRITE
#define ZX_RIGHT_EXECUTE		ZVMO_RIGHT_EXECUTE
#define ZX_RIGHT_MAP			ZVMO_RIGHT_MAP
#define ZX_RIGHT_GET_PROPERTY		ZVMO_RIGHT_GET_PROPERTY
#define ZX_RIGHT_SET_PROPERTY		ZVMO_RIGHT_SET_PROPERTY
#define ZX_RIGHT_RESIZE			ZVMO_RIGHT_RESIZE
#define ZX_RIGHT_SAME_RIGHTS		ZVMO_RIGHT_SAME_RIGHTS
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
#define ZX_OBJ_TYPE_BTI			((zx_obj_type_t)24)
#define ZX_OBJ_TYPE_PMT			((zx_obj_type_t)26)
#define ZX_OBJ_TYPE_PAGER		((zx_obj_type_t)28)

/* zx_object_get_info() topics. */
#define ZX_INFO_HANDLE_BASIC		((zx_object_info_topic_t)2)
#define ZX_INFO_VMO			((zx_object_info_topic_t)18)

/* zx_info_vmo_t.flags */
#define ZX_INFO_VMO_TYPE_PHYSICAL	0U
#define ZX_INFO_VMO_TYPE_PAGED		ZVMO_INFO_PAGED
#define ZX_INFO_VMO_RESIZABLE		ZVMO_INFO_RESIZABLE
#define ZX_INFO_VMO_IS_COW_CLONE	ZVMO_INFO_COW_CLONE
#define ZX_INFO_VMO_PAGER_BACKED	ZVMO_INFO_PAGER_BACKED
#define ZX_INFO_VMO_CONTIGUOUS		ZVMO_INFO_CONTIGUOUS
#define ZX_INFO_VMO_DISCARDABLE		ZVMO_INFO_DISCARDABLE
#define ZX_INFO_VMO_VIA_HANDLE		(1U << 16)

/* Cache policies. */
#define ZX_CACHE_POLICY_CACHED		ZVMO_CACHE_CACHED
#define ZX_CACHE_POLICY_UNCACHED	ZVMO_CACHE_UNCACHED
#define ZX_CACHE_POLICY_UNCACHED_DEVICE	ZVMO_CACHE_UNCACHED_DEVICE
#define ZX_CACHE_POLICY_WRITE_COMBINING	ZVMO_CACHE_WRITE_COMBINING
#define ZX_CACHE_POLICY_MASK		3U

/* zx_vmo_create() options. */
#define ZX_VMO_RESIZABLE		ZVMO_VMO_RESIZABLE
#define ZX_VMO_DISCARDABLE		ZVMO_VMO_DISCARDABLE
#define ZX_VMO_TRAP_DIRTY		(1U << 4)

/* zx_vmo_create_child() options. */
#define ZX_VMO_CHILD_SNAPSHOT			(1U << 0)
#define ZX_VMO_CHILD_RESIZABLE			(1U << 2)
#define ZX_VMO_CHILD_SLICE			(1U << 3)
#define ZX_VMO_CHILD_NO_WRITE			(1U << 5)
#define ZX_VMO_CHILD_REFERENCE			(1U << 6)
#define ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE	(1U << 4)

/* zx_vmo_op_range() operations: the module's numbers. */
#define ZX_VMO_OP_COMMIT		ZVMO_OP_COMMIT
#define ZX_VMO_OP_DECOMMIT		ZVMO_OP_DECOMMIT
#define ZX_VMO_OP_ZERO			ZVMO_OP_ZERO
#define ZX_VMO_OP_LOCK			ZVMO_OP_LOCK
#define ZX_VMO_OP_TRY_LOCK		ZVMO_OP_TRY_LOCK
#define ZX_VMO_OP_UNLOCK		ZVMO_OP_UNLOCK
#define ZX_VMO_OP_CACHE_SYNC		ZVMO_OP_CACHE_SYNC
#define ZX_VMO_OP_CACHE_INVALIDATE	ZVMO_OP_CACHE_INVALIDATE
#define ZX_VMO_OP_CACHE_CLEAN		ZVMO_OP_CACHE_CLEAN
#define ZX_VMO_OP_CACHE_CLEAN_INVALIDATE ZVMO_OP_CACHE_CLEAN_INVALIDATE
#define ZX_VMO_OP_ALWAYS_NEED		ZVMO_OP_ALWAYS_NEED
#define ZX_VMO_OP_DONT_NEED		ZVMO_OP_DONT_NEED
#define ZX_VMO_OP_PREFETCH		ZVMO_OP_PREFETCH

/* Properties. */
#define ZX_PROP_NAME			3U
#define ZX_PROP_VMO_CONTENT_SIZE	17U

/* Mapping options (zx_vmar_map()). */
#define ZX_VM_PERM_READ			(1U << 0)
#define ZX_VM_PERM_WRITE		(1U << 1)
#define ZX_VM_PERM_EXECUTE		(1U << 2)
#define ZX_VM_SPECIFIC			(1U << 10)
#define ZX_VM_MAP_RANGE			(1U << 12)

/* Pagers and ports. */
#define ZX_PKT_TYPE_PAGE_REQUEST	((uint32_t)0x09)
#define ZX_PAGER_VMO_READ		((uint16_t)0)
#define ZX_PAGER_VMO_COMPLETE		((uint16_t)1)
#define ZX_PAGER_VMO_DIRTY		((uint16_t)2)
#define ZX_PAGER_OP_FAIL		1U
#define ZX_PAGER_OP_DIRTY		2U
#define ZX_PAGER_OP_WRITEBACK_BEGIN	3U
#define ZX_PAGER_OP_WRITEBACK_END	4U
#define ZX_VMO_DIRTY_RANGE_IS_ZERO	((uint64_t)1)
#define ZX_PAGER_VMO_STATS_MODIFIED	((uint32_t)1)
#define ZX_PAGER_RESET_VMO_STATS	((uint32_t)1)

/* BTIs and pins. */
#define ZX_BTI_PERM_READ		(1U << 0)
#define ZX_BTI_PERM_WRITE		(1U << 1)
#define ZX_BTI_PERM_EXECUTE		(1U << 2)
#define ZX_BTI_COMPRESS			(1U << 3)
#define ZX_BTI_CONTIGUOUS		(1U << 4)

typedef struct zx_info_handle_basic {
	zx_koid_t koid;
	zx_rights_t rights;
	zx_obj_type_t type;
	zx_koid_t related_koid;
	uint32_t reserved;
	uint8_t padding1[4];
} zx_info_handle_basic_t;

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
	uint64_t content_size;
	uint64_t committed_private_bytes;
	uint64_t committed_scaled_bytes;
	uint64_t committed_fractional_scaled_bytes;
	uint64_t populated_bytes;
	uint64_t populated_private_bytes;
	uint64_t populated_scaled_bytes;
	uint64_t populated_fractional_scaled_bytes;
} zx_info_vmo_t;

typedef struct zx_vmo_lock_state {
	uint64_t offset;
	uint64_t size;
	uint64_t discarded_offset;
	uint64_t discarded_size;
} zx_vmo_lock_state_t;

typedef struct zx_vmo_dirty_range {
	uint64_t offset;
	uint64_t length;
	uint64_t options;
} zx_vmo_dirty_range_t;

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

typedef struct zx_port_packet {
	uint64_t key;
	uint32_t type;
	zx_status_t status;
	union {
		zx_packet_page_request_t page_request;
		uint8_t raw[32];
	};
} zx_port_packet_t;

zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t *out);
zx_status_t zx_vmo_read(zx_handle_t handle, void *buffer, uint64_t offset,
			size_t buffer_size);
zx_status_t zx_vmo_write(zx_handle_t handle, const void *buffer,
			 uint64_t offset, size_t buffer_size);
zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t *size);
zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size);
zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset,
			    uint64_t size, void *buffer, size_t buffer_size);
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
zx_time_t zx_clock_get_monotonic(void);
zx_time_t zx_deadline_after(zx_duration_t nanoseconds);

/* The status for a negative errno from the native layer (0 is ZX_OK). */
zx_status_t zvmo_errno_to_status(int neg_errno);

#ifdef __cplusplus
}
#endif

#endif /* _ZVMO_ZX_H */
