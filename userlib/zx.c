// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libzvmo, Zircon layer: Fuchsia's calls written on the native layer.
 *
 * Where Zircon checks things in a given order (the handle, then its
 * rights, then the arguments), this layer answers in the same order, even
 * when that takes an extra ioctl on an error path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zvmo/zx.h>

#define ZX_EXPORT __attribute__((visibility("default")))

/* Values that pass between the layers unchanged. */
_Static_assert(ZX_MAX_NAME_LEN == ZVMO_NAME_LEN, "name length");
_Static_assert(ZX_RIGHT_SAME_RIGHTS == ZVMO_RIGHT_SAME_RIGHTS, "rights");
_Static_assert(ZX_VMO_OP_COMMIT == ZVMO_OP_COMMIT, "ops");
_Static_assert(ZX_CACHE_POLICY_WRITE_COMBINING == ZVMO_CACHE_WRITE_COMBINING,
	       "cache policies");
_Static_assert(ZX_BTI_PERM_READ == ZVMO_PIN_READ &&
	       ZX_BTI_PERM_WRITE == ZVMO_PIN_WRITE &&
	       ZX_BTI_PERM_EXECUTE == ZVMO_PIN_EXECUTE &&
	       ZX_BTI_COMPRESS == ZVMO_PIN_COMPRESS &&
	       ZX_BTI_CONTIGUOUS == ZVMO_PIN_CONTIGUOUS, "pin options");
_Static_assert(ZX_PAGER_VMO_READ == ZVMO_PAGER_READ &&
	       ZX_PAGER_VMO_COMPLETE == ZVMO_PAGER_COMPLETE &&
	       ZX_PAGER_VMO_DIRTY == ZVMO_PAGER_DIRTY, "pager commands");
_Static_assert(ZX_PAGER_OP_FAIL == ZVMO_PAGER_OP_FAIL &&
	       ZX_PAGER_OP_DIRTY == ZVMO_PAGER_OP_DIRTY &&
	       ZX_PAGER_OP_WRITEBACK_BEGIN == ZVMO_PAGER_OP_WRITEBACK_BEGIN &&
	       ZX_PAGER_OP_WRITEBACK_END == ZVMO_PAGER_OP_WRITEBACK_END,
	       "pager ops");
_Static_assert(ZX_VMO_DIRTY_RANGE_IS_ZERO == ZVMO_DIRTY_RANGE_IS_ZERO &&
	       ZX_PAGER_RESET_VMO_STATS == ZVMO_PAGER_RESET_VMO_STATS &&
	       ZX_PAGER_VMO_STATS_MODIFIED == ZVMO_PAGER_VMO_STATS_MODIFIED,
	       "dirty tracking");
_Static_assert(sizeof(zx_vmo_dirty_range_t) ==
	       sizeof(struct zvmo_dirty_range), "dirty ranges");
_Static_assert((ZX_INFO_VMO_VIA_HANDLE & 0xffff) == 0 &&
	       (ZX_INFO_VMO_VIA_MAPPING & 0xffff) == 0,
	       "the VIA_* flags must not collide with the module's");

/* Fuchsia's layouts, on LP64. */
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(zx_info_handle_basic_t) == 32, "zx_info_handle_basic_t");
_Static_assert(sizeof(zx_info_vmo_t) == 176, "zx_info_vmo_t");
_Static_assert(sizeof(zx_info_bti_t) == 32, "zx_info_bti_t");
_Static_assert(sizeof(zx_vmo_lock_state_t) == 32, "zx_vmo_lock_state_t");
_Static_assert(sizeof(zx_vmo_dirty_range_t) == 24, "zx_vmo_dirty_range_t");
_Static_assert(sizeof(zx_packet_page_request_t) == 32,
	       "zx_packet_page_request_t");
_Static_assert(sizeof(zx_port_packet_t) == 48, "zx_port_packet_t");
#endif

ZX_EXPORT zx_status_t zvmo_errno_to_status(int neg_errno)
{
	if (neg_errno >= 0)
		return ZX_OK;
	switch (-neg_errno) {
	case EINVAL:
	case EFAULT:
	case E2BIG:
		return ZX_ERR_INVALID_ARGS;
	case ERANGE:
	case EOVERFLOW:
		return ZX_ERR_OUT_OF_RANGE;
	case ENOMEM:
		return ZX_ERR_NO_MEMORY;
	case EBUSY:
		return ZX_ERR_BAD_STATE;
	case EOPNOTSUPP:
		return ZX_ERR_NOT_SUPPORTED;
	case EPERM:
		return ZX_ERR_UNAVAILABLE;
	case EACCES:
		return ZX_ERR_ACCESS_DENIED;
	case EBADF:
		return ZX_ERR_BAD_HANDLE;
	case ENOTTY:
		return ZX_ERR_WRONG_TYPE;
	case EAGAIN:
		return ZX_ERR_SHOULD_WAIT;
	case ETIMEDOUT:
		return ZX_ERR_TIMED_OUT;
	case ENOBUFS:
		return ZX_ERR_BUFFER_TOO_SMALL;
	case EEXIST:
		return ZX_ERR_ALREADY_EXISTS;
	case ENOENT:
		return ZX_ERR_NOT_FOUND;
	case EIO:
		return ZX_ERR_IO;
	case EBADMSG:
		return ZX_ERR_IO_DATA_INTEGRITY;
	case ENOSPC:
		return ZX_ERR_NO_SPACE;
	case EPIPE:
		return ZX_ERR_PEER_CLOSED;
	case EMFILE:
	case ENFILE:
		return ZX_ERR_NO_RESOURCES;
	default:
		return ZX_ERR_INTERNAL;
	}
}

static zx_status_t zx_st(int ret)
{
	return zvmo_errno_to_status(ret);
}

/* A native call that made a descriptor: store it in *out. */
static zx_status_t zx_new_handle(int fd, zx_handle_t *out)
{
	if (fd < 0)
		return zx_st(fd);
	*out = fd;
	return ZX_OK;
}

/*
 * The status for a handle that should have been an object no descriptor
 * can be (the root VMAR, an IOMMU): of the wrong type if it is open.
 */
static zx_status_t zx_not_descriptor(zx_handle_t handle)
{
	return handle >= 0 && fcntl(handle, F_GETFD) >= 0 ?
	       ZX_ERR_WRONG_TYPE : ZX_ERR_BAD_HANDLE;
}

/*
 * What Zircon says of @port before it waits: BAD_HANDLE, WRONG_TYPE, or
 * ZX_OK. Asking an epoll set to drop a descriptor that was never in it
 * (a fresh eventfd) tells one (ENOENT) from anything else (EINVAL).
 */
static zx_status_t zx_port_status(zx_handle_t port)
{
	int probe = eventfd(0, EFD_CLOEXEC), err;

	if (probe < 0)
		return zx_st(-errno);
	err = epoll_ctl(port, EPOLL_CTL_DEL, probe, NULL) ? errno : 0;
	close(probe);
	if (err == EBADF)
		return ZX_ERR_BAD_HANDLE;
	return err == ENOENT ? ZX_OK : ZX_ERR_WRONG_TYPE;
}

/*
 * @err from an ioctl on @handle, with ports told apart: since Linux 6.9 an
 * epoll descriptor answers EINVAL, not ENOTTY, to commands that are not
 * its own, and a port is of the wrong type for every other call.
 */
static int zx_ioctl_errno(zx_handle_t handle, int err)
{
	return err == -EINVAL && zx_port_status(handle) == ZX_OK ? -ENOTTY :
								  err;
}

/* The status for @ret, the result of a native call on @handle. */
static zx_status_t zx_st_on(zx_handle_t handle, int ret)
{
	return zx_st(zx_ioctl_errno(handle, ret));
}

/*
 * The VMO behind @handle and the rights of @handle, or the status for a
 * handle that is closed (BAD_HANDLE), not a VMO (WRONG_TYPE), or lacks
 * @need (ACCESS_DENIED).
 */
static zx_status_t zx_vmo_lookup(zx_handle_t handle, zx_rights_t need,
				 struct zvmo_vmo_info *info)
{
	int err = zvmo_vmo_info(handle, info);

	if (err)
		return zx_st_on(handle, err);
	if ((info->rights & need) != need)
		return ZX_ERR_ACCESS_DENIED;
	return ZX_OK;
}

ZX_EXPORT zx_status_t zx_vmo_create(uint64_t size, uint32_t options,
				    zx_handle_t *out)
{
	uint32_t zvmo_options = 0;

	if (options & ~(ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE))
		return ZX_ERR_INVALID_ARGS;
	if (!out)
		return ZX_ERR_INVALID_ARGS;
	if (options & ZX_VMO_RESIZABLE)
		zvmo_options |= ZVMO_VMO_RESIZABLE;
	if (options & ZX_VMO_DISCARDABLE)
		zvmo_options |= ZVMO_VMO_DISCARDABLE;
	return zx_new_handle(zvmo_vmo_create(size, zvmo_options,
					     ZVMO_FD_CLOEXEC), out);
}

/*
 * The option bits are Zircon's own; the module checks them in Zircon's
 * order, after the handle and its rights.
 */
ZX_EXPORT zx_status_t zx_vmo_create_child(zx_handle_t handle,
					  uint32_t options, uint64_t offset,
					  uint64_t size, zx_handle_t *out)
{
	if (!out)
		return ZX_ERR_INVALID_ARGS;
	return zx_new_handle(zx_ioctl_errno(handle,
				zvmo_vmo_create_child(handle, options, offset,
						      size, ZVMO_FD_CLOEXEC)),
			     out);
}

ZX_EXPORT zx_status_t zx_vmo_read(zx_handle_t handle, void *buffer,
				  uint64_t offset, size_t buffer_size)
{
	return zx_st(zvmo_vmo_read(handle, buffer, offset, buffer_size));
}

ZX_EXPORT zx_status_t zx_vmo_write(zx_handle_t handle, const void *buffer,
				   uint64_t offset, size_t buffer_size)
{
	return zx_st(zvmo_vmo_write(handle, buffer, offset, buffer_size));
}

ZX_EXPORT zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t *size)
{
	if (!size)
		return ZX_ERR_INVALID_ARGS;
	return zx_st_on(handle, zvmo_vmo_get_size(handle, size));
}

ZX_EXPORT zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size)
{
	return zx_st_on(handle, zvmo_vmo_set_size(handle, size));
}

ZX_EXPORT zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op,
				      uint64_t offset, uint64_t size,
				      void *buffer, size_t buffer_size)
{
	return zx_st_on(handle, zvmo_vmo_op_range(handle, op, offset, size,
						  buffer, buffer_size));
}

/* Zircon checks the policy before the handle. */
ZX_EXPORT zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle,
					      uint32_t cache_policy)
{
	if (cache_policy & ~ZX_CACHE_POLICY_MASK)
		return ZX_ERR_INVALID_ARGS;
	return zx_st_on(handle, zvmo_vmo_set_cache_policy(handle,
							  cache_policy));
}

/* What Zircon says of a BTI handle before it looks at anything else. */
static zx_status_t zx_bti_status(zx_handle_t bti)
{
	struct zvmo_bti_info info;

	return zx_st_on(bti, zvmo_bti_info(bti, &info));
}

/*
 * There is no IOMMU object: ZX_HANDLE_INVALID stands for the absent one,
 * and no descriptor can be one.
 */
ZX_EXPORT zx_status_t zx_bti_create(zx_handle_t iommu, uint32_t options,
				    uint64_t bti_id, zx_handle_t *out)
{
	if (options)
		return ZX_ERR_INVALID_ARGS;
	if (iommu != ZX_HANDLE_INVALID)
		return zx_not_descriptor(iommu);
	if (!out)
		return ZX_ERR_INVALID_ARGS;
	return zx_new_handle(zvmo_bti_create(0, bti_id, ZVMO_FD_CLOEXEC), out);
}

/*
 * The module looks at the VMO first (the ioctl is the VMO's); Zircon looks
 * at the BTI handle and the alignment first, so a failure is checked again
 * in that order. The module writes __u64 addresses, so only a zx_paddr_t
 * that wide can take them.
 */
ZX_EXPORT zx_status_t zx_bti_pin(zx_handle_t bti, uint32_t options,
				 zx_handle_t vmo, uint64_t offset,
				 uint64_t size, zx_paddr_t *addrs,
				 size_t num_addrs, zx_handle_t *pmt)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	zx_status_t status;
	int fd = -EINVAL;

	/* -1 would ask the module for a pin without a BTI. */
	if (bti < 0)
		return ZX_ERR_BAD_HANDLE;
	if (sizeof(zx_paddr_t) != sizeof(uint64_t) && num_addrs)
		fd = -EOPNOTSUPP;
	else if (pmt)
		fd = zvmo_vmo_pin(vmo, bti, options, offset, size,
				  (uint64_t *)addrs, num_addrs,
				  ZVMO_FD_CLOEXEC);
	if (fd >= 0) {
		*pmt = fd;
		return ZX_OK;
	}
	status = zx_bti_status(bti);
	if (status != ZX_OK)
		return status;
	if (offset % page || size % page)
		return ZX_ERR_INVALID_ARGS;
	return zx_st_on(vmo, fd);
}

/*
 * Zircon takes the handle out of the table before it looks at what it is,
 * so any open handle is consumed, a PMT or not.
 */
ZX_EXPORT zx_status_t zx_pmt_unpin(zx_handle_t pmt)
{
	int err = zx_ioctl_errno(pmt, zvmo_pmt_unpin(pmt));

	if (err == -EBADF)
		return ZX_ERR_BAD_HANDLE;
	zvmo_close(pmt);
	return zx_st(err);
}

/*
 * Zircon checks the size and the alignment, then the BTI handle, then
 * finds the memory; the module answers in its own order, so a failure is
 * checked against the BTI again.
 */
ZX_EXPORT zx_status_t zx_vmo_create_contiguous(zx_handle_t bti, size_t size,
					       uint32_t alignment_log2,
					       zx_handle_t *out)
{
	unsigned int page_shift = __builtin_ctzl(sysconf(_SC_PAGESIZE));
	zx_status_t status;
	int fd;

	if (!size || (alignment_log2 && (alignment_log2 < page_shift ||
					 alignment_log2 >= 64)))
		return ZX_ERR_INVALID_ARGS;
	if (!out)
		return ZX_ERR_INVALID_ARGS;
	fd = zvmo_vmo_create_contiguous(bti, size, alignment_log2,
					ZVMO_FD_CLOEXEC);
	if (fd >= 0) {
		*out = fd;
		return ZX_OK;
	}
	status = zx_bti_status(bti);
	return status != ZX_OK ? status : zx_st(fd);
}

/*
 * The end of a topic that has exactly one record, as Zircon's: the record
 * is copied when it fits, *actual is 1 or 0, *avail is 1, and a record that
 * does not fit is ZX_ERR_BUFFER_TOO_SMALL.
 */
static zx_status_t zx_one_record(void *buffer, size_t buffer_size,
				 const void *record, size_t record_size,
				 size_t *actual, size_t *avail)
{
	size_t n = 0;

	if (buffer_size >= record_size) {
		if (!buffer)
			return ZX_ERR_INVALID_ARGS;
		memcpy(buffer, record, record_size);
		n = 1;
	}
	if (actual)
		*actual = n;
	if (avail)
		*avail = 1;
	return n ? ZX_OK : ZX_ERR_BUFFER_TOO_SMALL;
}

/* The module's VMO flags as ZX_INFO_VMO_* flags. */
static uint32_t zx_info_vmo_flags(uint32_t flags)
{
	uint32_t zx = ZX_INFO_VMO_VIA_HANDLE;

	if (flags & ZVMO_INFO_PAGED)
		zx |= ZX_INFO_VMO_TYPE_PAGED;
	if (flags & ZVMO_INFO_RESIZABLE)
		zx |= ZX_INFO_VMO_RESIZABLE;
	if (flags & ZVMO_INFO_COW_CLONE)
		zx |= ZX_INFO_VMO_IS_COW_CLONE;
	if (flags & ZVMO_INFO_PAGER_BACKED)
		zx |= ZX_INFO_VMO_PAGER_BACKED;
	if (flags & ZVMO_INFO_CONTIGUOUS)
		zx |= ZX_INFO_VMO_CONTIGUOUS;
	if (flags & ZVMO_INFO_DISCARDABLE)
		zx |= ZX_INFO_VMO_DISCARDABLE;
	return zx;
}

/*
 * ZX_INFO_HANDLE_BASIC: each kind's info call in turn, until one knows the
 * descriptor; each of the others answers -ENOTTY.
 */
static zx_status_t zx_handle_basic(zx_handle_t handle,
				   zx_info_handle_basic_t *basic)
{
	struct zvmo_pager_info gi;
	struct zvmo_vmo_info vi;
	struct zvmo_bti_info bi;
	struct zvmo_pmt_info pi;
	int err;

	memset(basic, 0, sizeof(*basic));
	basic->related_koid = ZX_KOID_INVALID;
	err = zx_ioctl_errno(handle, zvmo_vmo_info(handle, &vi));
	if (!err) {
		basic->koid = vi.koid;
		basic->rights = vi.rights;
		basic->type = ZX_OBJ_TYPE_VMO;
		return ZX_OK;
	}
	if (err != -ENOTTY)
		return zx_st(err);
	err = zx_ioctl_errno(handle, zvmo_bti_info(handle, &bi));
	if (!err) {
		basic->koid = bi.koid;
		basic->rights = ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_MAP;
		basic->type = ZX_OBJ_TYPE_BTI;
		return ZX_OK;
	}
	if (err != -ENOTTY)
		return zx_st(err);
	err = zx_ioctl_errno(handle, zvmo_pmt_info(handle, &pi));
	if (!err) {
		basic->koid = pi.koid;
		basic->rights = ZX_RIGHTS_BASIC;
		basic->type = ZX_OBJ_TYPE_PMT;
		return ZX_OK;
	}
	if (err != -ENOTTY)
		return zx_st(err);
	err = zx_ioctl_errno(handle, zvmo_pager_info(handle, &gi));
	if (err)
		return zx_st(err);
	basic->koid = gi.koid;
	basic->rights = ZX_RIGHTS_BASIC;
	basic->type = ZX_OBJ_TYPE_PAGER;
	return ZX_OK;
}

ZX_EXPORT zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic,
					 void *buffer, size_t buffer_size,
					 size_t *actual, size_t *avail)
{
	struct zvmo_vmo_info vi;
	struct zvmo_bti_info bi;
	zx_status_t status;

	switch (topic) {
	case ZX_INFO_HANDLE_VALID:
		if (handle < 0 || fcntl(handle, F_GETFD) < 0)
			return ZX_ERR_BAD_HANDLE;
		return ZX_OK;

	case ZX_INFO_HANDLE_BASIC: {
		zx_info_handle_basic_t basic;

		status = zx_handle_basic(handle, &basic);
		if (status != ZX_OK)
			return status;
		return zx_one_record(buffer, buffer_size, &basic,
				     sizeof(basic), actual, avail);
	}

	case ZX_INFO_BTI: {
		zx_info_bti_t info;

		status = zx_st_on(handle, zvmo_bti_info(handle, &bi));
		if (status != ZX_OK)
			return status;
		memset(&info, 0, sizeof(info));
		info.minimum_contiguity = bi.minimum_contiguity;
		info.aspace_size = bi.aspace_size;
		info.pmo_count = bi.pmo_count;
		info.quarantine_count = bi.quarantine_count;
		return zx_one_record(buffer, buffer_size, &info, sizeof(info),
				     actual, avail);
	}

	case ZX_INFO_VMO: {
		zx_info_vmo_t info;

		status = zx_vmo_lookup(handle, 0, &vi);
		if (status != ZX_OK)
			return status;
		memset(&info, 0, sizeof(info));
		info.koid = vi.koid;
		memcpy(info.name, vi.name, sizeof(info.name));
		info.name[sizeof(info.name) - 1] = '\0';
		info.size_bytes = vi.size;
		info.parent_koid = vi.parent_koid;
		info.num_children = vi.num_children;
		info.num_mappings = vi.num_mappings;
		info.share_count = vi.share_count;
		info.flags = zx_info_vmo_flags(vi.flags);
		info.committed_bytes = vi.committed_bytes;
		info.handle_rights = vi.rights;
		info.cache_policy = vi.cache_policy;
		info.metadata_bytes = vi.metadata_bytes;
		info.committed_change_events = vi.committed_change_events;
		info.populated_bytes = vi.populated_bytes;
		info.committed_private_bytes = vi.committed_private_bytes;
		info.populated_private_bytes = vi.populated_private_bytes;
		info.committed_scaled_bytes = vi.committed_scaled_bytes;
		info.populated_scaled_bytes = vi.populated_scaled_bytes;
		return zx_one_record(buffer, buffer_size, &info, sizeof(info),
				     actual, avail);
	}

	default:
		return ZX_ERR_NOT_SUPPORTED;
	}
}

ZX_EXPORT zx_status_t zx_object_get_property(zx_handle_t handle,
					     uint32_t property, void *value,
					     size_t value_size)
{
	struct zvmo_vmo_info vi;
	zx_status_t status;

	if (!value)
		return ZX_ERR_INVALID_ARGS;
	status = zx_vmo_lookup(handle, ZX_RIGHT_GET_PROPERTY, &vi);
	if (status != ZX_OK)
		return status;

	switch (property) {
	case ZX_PROP_NAME:
		if (value_size < ZX_MAX_NAME_LEN)
			return ZX_ERR_BUFFER_TOO_SMALL;
		vi.name[ZVMO_NAME_LEN - 1] = '\0';
		memcpy(value, vi.name, ZX_MAX_NAME_LEN);
		return ZX_OK;
	case ZX_PROP_VMO_CONTENT_SIZE:
		if (value_size < sizeof(uint64_t))
			return ZX_ERR_BUFFER_TOO_SMALL;
		memcpy(value, &vi.content_size, sizeof(uint64_t));
		return ZX_OK;
	default:
		return ZX_ERR_NOT_SUPPORTED;
	}
}

ZX_EXPORT zx_status_t zx_object_set_property(zx_handle_t handle,
					     uint32_t property,
					     const void *value,
					     size_t value_size)
{
	struct zvmo_vmo_info vi;
	zx_status_t status, lookup;
	uint64_t size;

	if (!value)
		return ZX_ERR_INVALID_ARGS;

	switch (property) {
	case ZX_PROP_NAME:
		/* The module checks the handle and the right. */
		return zx_st_on(handle, zvmo_vmo_set_name(handle, value,
							  value_size));
	case ZX_PROP_VMO_CONTENT_SIZE:
		if (value_size >= sizeof(uint64_t)) {
			memcpy(&size, value, sizeof(size));
			return zx_st_on(handle,
					zvmo_vmo_set_content_size(handle,
								  size));
		}
		status = ZX_ERR_BUFFER_TOO_SMALL;
		break;
	default:
		status = ZX_ERR_NOT_SUPPORTED;
		break;
	}
	/* Zircon reports a bad handle or a missing right first. */
	lookup = zx_vmo_lookup(handle, ZX_RIGHT_SET_PROPERTY, &vi);
	return lookup != ZX_OK ? lookup : status;
}

ZX_EXPORT zx_status_t zx_handle_close(zx_handle_t handle)
{
	if (handle == ZX_HANDLE_INVALID)
		return ZX_OK;
	/* Linux frees the descriptor even when close() reports an error. */
	if (zvmo_close(handle) == -EBADF)
		return ZX_ERR_BAD_HANDLE;
	return ZX_OK;
}

/*
 * A plain dup() of @handle: same open file, so the same object and the
 * same rights. For handles the module cannot duplicate with SAME_RIGHTS.
 */
static zx_status_t zx_dup_same(zx_handle_t handle, zx_handle_t *out)
{
	int fd = fcntl(handle, F_DUPFD_CLOEXEC, 0);

	return zx_new_handle(fd < 0 ? -errno : fd, out);
}

ZX_EXPORT zx_status_t zx_handle_duplicate(zx_handle_t handle,
					  zx_rights_t rights,
					  zx_handle_t *out)
{
	int fd;

	if (!out)
		return ZX_ERR_INVALID_ARGS;
	fd = zx_ioctl_errno(handle, zvmo_vmo_dup(handle, rights,
						 ZVMO_FD_CLOEXEC));
	/* Not a VMO: any descriptor can still be duplicated as it is. */
	if (fd == -ENOTTY && rights == ZX_RIGHT_SAME_RIGHTS)
		return zx_dup_same(handle, out);
	return zx_new_handle(fd, out);
}

/*
 * Zircon invalidates @handle whatever happens; here it is closed on
 * success and whenever Zircon would fail (rights that are not a subset,
 * no place for the result), and left open when the failure is this
 * system's (out of descriptors or memory, or a right subset the module
 * cannot make without ZX_RIGHT_DUPLICATE), so the object is not lost.
 */
ZX_EXPORT zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights,
					zx_handle_t *out)
{
	struct zvmo_vmo_info vi;
	zx_status_t status;
	int fd;

	if (!out) {
		if (handle == ZX_HANDLE_INVALID ||
		    zvmo_close(handle) == -EBADF)
			return ZX_ERR_BAD_HANDLE;
		return ZX_ERR_INVALID_ARGS;
	}

	fd = zx_ioctl_errno(handle, zvmo_vmo_dup(handle, rights,
						 ZVMO_FD_CLOEXEC));
	if (fd >= 0) {
		status = ZX_OK;
		*out = fd;
	} else if (fd == -EINVAL) {
		/* Rights that are not a subset of the handle's. */
		status = ZX_ERR_INVALID_ARGS;
	} else if (fd == -ENOTTY && rights == ZX_RIGHT_SAME_RIGHTS) {
		/* Not a VMO: any descriptor can be replaced as it is. */
		status = zx_dup_same(handle, out);
		if (status != ZX_OK)
			return status;
	} else if (fd == -EACCES) {
		/*
		 * Replacing, unlike duplicating, needs no DUPLICATE right.
		 * The same rights are a dup() of the open file; fewer need
		 * the module, which insists on DUPLICATE.
		 */
		status = zx_vmo_lookup(handle, 0, &vi);
		if (status != ZX_OK)
			return status;
		if (rights == ZX_RIGHT_SAME_RIGHTS || rights == vi.rights) {
			status = zx_dup_same(handle, out);
			if (status != ZX_OK)
				return status;
		} else if (rights & ~vi.rights) {
			status = ZX_ERR_INVALID_ARGS;
		} else {
			return ZX_ERR_ACCESS_DENIED;
		}
	} else {
		return zx_st(fd);
	}
	zvmo_close(handle);
	return status;
}

/* Not a descriptor: no VMO or other handle can ever have this value. */
#define ZX_VMAR_ROOT	((zx_handle_t)-2)

ZX_EXPORT zx_handle_t zx_vmar_root_self(void)
{
	return ZX_VMAR_ROOT;
}

#define ZX_VM_KNOWN (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | \
		     ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC | \
		     ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_MAP_RANGE | \
		     ZX_VM_REQUIRE_NON_RESIZABLE | ZX_VM_ALLOW_FAULTS)

ZX_EXPORT zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options,
				  size_t vmar_offset, zx_handle_t vmo,
				  uint64_t vmo_offset, size_t len,
				  zx_vaddr_t *mapped_addr)
{
	long page = sysconf(_SC_PAGESIZE);
	struct zvmo_vmo_info info;
	int prot = 0, flags = MAP_SHARED;
	zx_status_t status;
	void *want = NULL, *p;

	if (handle != ZX_VMAR_ROOT)
		return zx_not_descriptor(handle);
	status = zx_vmo_lookup(vmo, 0, &info);
	if (status != ZX_OK)
		return status;
	if (!mapped_addr || (options & ~ZX_VM_KNOWN) || !len ||
	    vmo_offset % page || vmar_offset % page ||
	    (vmar_offset && !(options & (ZX_VM_SPECIFIC |
					 ZX_VM_SPECIFIC_OVERWRITE))))
		return ZX_ERR_INVALID_ARGS;
	if ((options & ZX_VM_REQUIRE_NON_RESIZABLE) &&
	    (info.flags & ZVMO_INFO_RESIZABLE))
		return ZX_ERR_NOT_SUPPORTED;
	if (vmo_offset > INT64_MAX - len)
		return ZX_ERR_OUT_OF_RANGE;

	if (options & ZX_VM_PERM_READ)
		prot |= PROT_READ;
	if (options & ZX_VM_PERM_WRITE)
		prot |= PROT_WRITE;
	if (options & ZX_VM_PERM_EXECUTE)
		prot |= PROT_EXEC;
	if (options & ZX_VM_SPECIFIC_OVERWRITE) {
		flags |= MAP_FIXED;
		want = (void *)vmar_offset;
	} else if (options & ZX_VM_SPECIFIC) {
		flags |= MAP_FIXED_NOREPLACE;
		want = (void *)vmar_offset;
	}

	p = mmap(want, len, prot, flags, vmo, (off_t)vmo_offset);
	if (p == MAP_FAILED)
		return zx_st(-errno);
	if (want && p != want) {
		/* A kernel without MAP_FIXED_NOREPLACE took it as a hint. */
		munmap(p, len);
		return ZX_ERR_ALREADY_EXISTS;
	}
	/* Map what is committed now; holes and past the end stay unmapped. */
	if (options & ZX_VM_MAP_RANGE)
		(void)madvise(p, len, MADV_POPULATE_READ);
	*mapped_addr = (zx_vaddr_t)p;
	return ZX_OK;
}

ZX_EXPORT zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr,
				    size_t len)
{
	if (handle != ZX_VMAR_ROOT)
		return zx_not_descriptor(handle);
	if (!len)
		return ZX_ERR_INVALID_ARGS;
	return munmap((void *)addr, len) ? zx_st(-errno) : ZX_OK;
}

ZX_EXPORT zx_time_t zx_clock_get_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (zx_time_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* now + @nanoseconds, saturating at both ends as Zircon's time arithmetic. */
ZX_EXPORT zx_time_t zx_deadline_after(zx_duration_t nanoseconds)
{
	zx_time_t now = zx_clock_get_monotonic(), deadline;

	if (__builtin_add_overflow(now, nanoseconds, &deadline))
		return nanoseconds > 0 ? ZX_TIME_INFINITE :
					 ZX_TIME_INFINITE_PAST;
	return deadline;
}

/*
 * Pagers.
 *
 * What Zircon says of @pager before it looks at anything else:
 * ZX_ERR_BAD_HANDLE if it is not open, ZX_ERR_WRONG_TYPE if it is not a
 * pager.
 */
static zx_status_t zx_pager_status(zx_handle_t pager)
{
	struct zvmo_pager_info info;

	return zx_st(zx_ioctl_errno(pager, zvmo_pager_info(pager, &info)));
}

/*
 * The status for @err, the failure of a pager call whose later checks the
 * module makes in Zircon's order: the pager's first.
 */
static zx_status_t zx_pager_st(zx_handle_t pager, int err)
{
	zx_status_t status = zx_pager_status(pager);

	return status != ZX_OK ? status : zx_st(err);
}

/*
 * Zircon's checks of a pager call's handles, in its order: the pager, then
 * the VMO, which must be one of that pager's (else ZX_ERR_INVALID_ARGS).
 * The module tells the last by a supply of nothing from no aux VMO: it
 * looks at the VMO (EINVAL if another pager's) before the aux VMO (EBADF).
 */
static zx_status_t zx_pager_vmo_status(zx_handle_t pager, zx_handle_t vmo)
{
	struct zvmo_vmo_info info;
	zx_status_t status;
	int err;

	status = zx_pager_status(pager);
	if (status != ZX_OK)
		return status;
	status = zx_vmo_lookup(vmo, 0, &info);
	if (status != ZX_OK)
		return status;
	err = zvmo_pager_supply(pager, vmo, 0, 0, -1, 0);
	return err == -EBADF ? ZX_OK : zx_st(err);
}

ZX_EXPORT zx_status_t zx_pager_create(uint32_t options, zx_handle_t *out)
{
	if (options || !out)
		return ZX_ERR_INVALID_ARGS;
	return zx_new_handle(zvmo_pager_create(0, ZVMO_FD_CLOEXEC), out);
}

/*
 * Ports are epoll sets of pager descriptors. The kernel has one packet
 * queue per pager, so a pager is bound to one port, whatever VMO binds
 * it; this table says which. A pager is known by its inode (each has its
 * own), so a descriptor number closed and reused for another pager is not
 * taken for the first. @fd is the descriptor the pager is registered in
 * @port's set under, and the one the port reads.
 *
 * A binding is alive while @fd names its pager and @port's set holds
 * that registration; a dead one (the pager or the port was closed, or
 * @fd was) is replaced by the next binding of its pager. The lock is held
 * from a binding to the end of the VMO creation it is for, so a failed
 * creation undoes the binding it made and no other thread sees it.
 */
struct zx_binding {
	dev_t dev;
	ino_t ino;
	int fd;
	int port;
};

static pthread_mutex_t zx_bindings_lock = PTHREAD_MUTEX_INITIALIZER;
static struct zx_binding *zx_bindings;		/* guarded by the lock */
static size_t zx_nr_bindings, zx_bindings_cap;	/* guarded by the lock */

/*
 * A port's event for the pager with inode @ino under @fd. One shot: a
 * waiter that gets it reads one packet and re-arms it, so only one waiter
 * wakes per packet, and a registration whose descriptor no longer names
 * the pager is never re-armed, rather than reported for ever.
 */
static struct epoll_event zx_port_event(int fd, ino_t ino)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLONESHOT,
		.data.u64 = (uint32_t)fd | (uint64_t)(uint32_t)ino << 32,
	};

	return ev;
}

/* Whether @b's descriptor still names its pager. */
static bool zx_binding_names(const struct zx_binding *b)
{
	struct stat st;

	return fstat(b->fd, &st) == 0 && st.st_dev == b->dev &&
	       st.st_ino == b->ino;
}

static struct zx_binding *zx_binding_find(const struct stat *st)
{
	size_t i;

	for (i = 0; i < zx_nr_bindings; i++)
		if (zx_bindings[i].dev == st->st_dev &&
		    zx_bindings[i].ino == st->st_ino)
			return &zx_bindings[i];
	return NULL;
}

static void zx_binding_remove(struct zx_binding *b)
{
	*b = zx_bindings[--zx_nr_bindings];
}

/* A new entry; the entries of closed pagers go first. */
static struct zx_binding *zx_binding_add(void)
{
	struct zx_binding *grown;
	size_t i, cap;

	if (zx_nr_bindings == zx_bindings_cap) {
		for (i = zx_nr_bindings; i-- > 0;)
			if (!zx_binding_names(&zx_bindings[i]))
				zx_binding_remove(&zx_bindings[i]);
	}
	if (zx_nr_bindings == zx_bindings_cap) {
		cap = zx_bindings_cap ? 2 * zx_bindings_cap : 16;
		grown = realloc(zx_bindings, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		zx_bindings = grown;
		zx_bindings_cap = cap;
	}
	return &zx_bindings[zx_nr_bindings++];
}

/*
 * Bind the pager @pager, whose inode is @st, to @port, checking @port as
 * Zircon does (BAD_HANDLE, WRONG_TYPE). *@added says whether a new
 * registration was made, for zx_pager_unbind() to undo. Lock held.
 */
static zx_status_t zx_pager_bind(zx_handle_t pager, const struct stat *st,
				 zx_handle_t port, bool *added)
{
	struct epoll_event ev = zx_port_event(pager, st->st_ino);
	struct zx_binding *b;
	zx_status_t status;
	int flags;

	/* EEXIST: registered there already, under this descriptor. */
	*added = !epoll_ctl(port, EPOLL_CTL_ADD, pager, &ev);
	if (!*added && errno != EEXIST) {
		if (errno == EINVAL)	/* not an epoll set, or the pager */
			return ZX_ERR_WRONG_TYPE;
		if (errno == ENOSPC)	/* fs.epoll.max_user_watches */
			return ZX_ERR_NO_RESOURCES;
		return zx_st(-errno);
	}

	b = zx_binding_find(st);
	if (b && zx_binding_names(b)) {
		/*
		 * Which set holds the registration there is: this port's
		 * (maybe under another number of the port), another open
		 * port's, or none. Under this descriptor, the ADD told.
		 * Asking re-arms it, which at worst lets a second waiter
		 * read the pager at the same time and find nothing.
		 */
		ev = zx_port_event(b->fd, b->ino);
		if (b->fd == pager ? !*added :
		    !epoll_ctl(port, EPOLL_CTL_MOD, b->fd, &ev))
			status = ZX_OK;
		else if (!epoll_ctl(b->port, EPOLL_CTL_MOD, b->fd, &ev))
			status = ZX_ERR_NOT_SUPPORTED;
		else
			goto rebind;
		/* One registration per pager: keep the one there is. */
		if (*added)
			epoll_ctl(port, EPOLL_CTL_DEL, pager, NULL);
		*added = false;
		if (status == ZX_OK)
			b->port = port;
		return status;
	}
rebind:
	if (!b)
		b = zx_binding_add();
	if (!b) {
		if (*added)
			epoll_ctl(port, EPOLL_CTL_DEL, pager, NULL);
		*added = false;
		return ZX_ERR_NO_MEMORY;
	}
	b->dev = st->st_dev;
	b->ino = st->st_ino;
	b->fd = pager;
	b->port = port;

	/* The port reads the pager without blocking. */
	flags = *added ? fcntl(pager, F_GETFL) : O_NONBLOCK;
	if (flags >= 0 && !(flags & O_NONBLOCK))
		fcntl(pager, F_SETFL, flags | O_NONBLOCK);
	return ZX_OK;
}

/* Undo the binding zx_pager_bind() just made. Lock held. */
static void zx_pager_unbind(zx_handle_t pager, const struct stat *st,
			    zx_handle_t port)
{
	struct zx_binding *b = zx_binding_find(st);

	epoll_ctl(port, EPOLL_CTL_DEL, pager, NULL);
	if (b)
		zx_binding_remove(b);
}

/*
 * Zircon checks the pager, then the port, then the options and the size.
 * The pager is bound to the port before the VMO is made, and unbound if
 * that fails, so no VMO is made for a port that cannot have its packets.
 * A size the module would refuse is refused here: the module queues a
 * COMPLETE packet even for a VMO it failed to make.
 */
ZX_EXPORT zx_status_t zx_pager_create_vmo(zx_handle_t pager, uint32_t options,
					  zx_handle_t port, uint64_t key,
					  uint64_t size, zx_handle_t *out)
{
	zx_status_t status = zx_pager_status(pager);
	uint32_t zoptions = (options & ZX_VMO_RESIZABLE ? ZVMO_VMO_RESIZABLE : 0) |
			    (options & ZX_VMO_TRAP_DIRTY ? ZVMO_VMO_TRAP_DIRTY : 0);
	struct stat st;
	bool added;

	if (status != ZX_OK)
		return status;
	if (fstat(pager, &st))
		return zx_st(-errno);

	pthread_mutex_lock(&zx_bindings_lock);
	status = zx_pager_bind(pager, &st, port, &added);
	if (status != ZX_OK)
		goto out;
	if (options & ~(ZX_VMO_RESIZABLE | ZX_VMO_TRAP_DIRTY))
		status = ZX_ERR_INVALID_ARGS;
	else if (size > ZVMO_VMO_MAX_SIZE)
		status = ZX_ERR_OUT_OF_RANGE;
	else if (!out)
		status = ZX_ERR_INVALID_ARGS;
	else
		status = zx_new_handle(zvmo_pager_create_vmo(pager, zoptions,
							     key, size,
							     ZVMO_FD_CLOEXEC),
				       out);
	if (status != ZX_OK && added)
		zx_pager_unbind(pager, &st, port);
out:
	pthread_mutex_unlock(&zx_bindings_lock);
	return status;
}

ZX_EXPORT zx_status_t zx_pager_detach_vmo(zx_handle_t pager, zx_handle_t vmo)
{
	int err = zvmo_pager_detach(pager, vmo);

	return err ? zx_pager_st(pager, err) : ZX_OK;
}

/*
 * The module looks at the aux VMO's handle and rights before the
 * alignment, Zircon after it: a failure that may be the aux VMO's is
 * checked again in Zircon's order. (The module looks at the VMO before
 * the aux VMO, so if the VMO is fine, it is one of the pager's.)
 */
ZX_EXPORT zx_status_t zx_pager_supply_pages(zx_handle_t pager,
					    zx_handle_t pager_vmo,
					    uint64_t offset, uint64_t length,
					    zx_handle_t aux_vmo,
					    uint64_t aux_offset)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct zvmo_vmo_info info;
	zx_status_t status;
	int err;

	err = zvmo_pager_supply(pager, pager_vmo, offset, length, aux_vmo,
				aux_offset);
	if (!err)
		return ZX_OK;
	status = zx_pager_status(pager);
	if (status != ZX_OK)
		return status;
	if (err != -EBADF && err != -ENOTTY && err != -EACCES)
		return zx_st(err);
	status = zx_vmo_lookup(pager_vmo, 0, &info);
	if (status != ZX_OK)
		return status;
	if (offset % page || length % page || aux_offset % page)
		return ZX_ERR_INVALID_ARGS;
	return zx_st(err);
}

/*
 * The errno the module fails a range with for a status ZX_PAGER_OP_FAIL
 * may carry, or 0 for any other, which the module refuses (EINVAL) after
 * checking the handles, as Zircon does. @data is a zx_status_t widened
 * with its sign.
 */
static uint64_t zx_pager_fail_errno(uint64_t data)
{
	switch ((int64_t)data) {
	case ZX_ERR_IO:
		return EIO;
	case ZX_ERR_IO_DATA_INTEGRITY:
		return EBADMSG;
	case ZX_ERR_BAD_STATE:
		return EBUSY;
	case ZX_ERR_NO_SPACE:
		return ENOSPC;
	case ZX_ERR_BUFFER_TOO_SMALL:
		return ENOBUFS;
	default:
		return 0;
	}
}

ZX_EXPORT zx_status_t zx_pager_op_range(zx_handle_t pager, uint32_t op,
					zx_handle_t pager_vmo, uint64_t offset,
					uint64_t length, uint64_t data)
{
	zx_status_t status;
	int err;

	switch (op) {
	case ZX_PAGER_OP_FAIL:
		data = zx_pager_fail_errno(data);
		break;
	case ZX_PAGER_OP_DIRTY:
	case ZX_PAGER_OP_WRITEBACK_BEGIN:
	case ZX_PAGER_OP_WRITEBACK_END:
		break;
	default:
		/* Zircon does not know it: NOT_SUPPORTED once the handles pass. */
		status = zx_pager_vmo_status(pager, pager_vmo);
		return status != ZX_OK ? status : ZX_ERR_NOT_SUPPORTED;
	}
	err = zvmo_pager_op_range(pager, op, pager_vmo, offset, length, data);
	return err ? zx_pager_st(pager, err) : ZX_OK;
}

ZX_EXPORT zx_status_t zx_pager_query_dirty_ranges(zx_handle_t pager,
						  zx_handle_t pager_vmo,
						  uint64_t offset,
						  uint64_t length,
						  void *buffer,
						  size_t buffer_size,
						  size_t *actual,
						  size_t *avail)
{
	size_t n = buffer_size / sizeof(zx_vmo_dirty_range_t), got, all;
	int err;

	err = zvmo_pager_query_dirty(pager, pager_vmo, offset, length, buffer,
				     n, &got, &all);
	if (err)
		return zx_pager_st(pager, err);
	if (actual)
		*actual = got;
	if (avail)
		*avail = all;
	return ZX_OK;
}

ZX_EXPORT zx_status_t zx_pager_query_vmo_stats(zx_handle_t pager,
					       zx_handle_t pager_vmo,
					       uint32_t options, void *buffer,
					       size_t buffer_size)
{
	bool fits = buffer && buffer_size >= sizeof(zx_pager_vmo_stats_t);
	zx_pager_vmo_stats_t stats;
	uint32_t modified;
	int err;

	/*
	 * Zircon looks at the handles, then the options, then the buffer;
	 * with no room for the answer, the stats are not reset either.
	 */
	err = zvmo_pager_query_stats(pager, pager_vmo,
				     fits ? options :
				     options & ~ZX_PAGER_RESET_VMO_STATS,
				     &modified);
	if (err)
		return zx_pager_st(pager, err);
	if (!fits)
		return buffer ? ZX_ERR_BUFFER_TOO_SMALL : ZX_ERR_INVALID_ARGS;
	stats.modified = modified;
	memcpy(buffer, &stats, sizeof(stats));
	return ZX_OK;
}

/* Ports. */

ZX_EXPORT zx_status_t zx_port_create(uint32_t options, zx_handle_t *out)
{
	int fd;

	if (options || !out)
		return ZX_ERR_INVALID_ARGS;
	fd = epoll_create1(EPOLL_CLOEXEC);
	return zx_new_handle(fd < 0 ? -errno : fd, out);
}

/* epoll_wait()'s timeout for @deadline: -1 for ever, else ms rounded up. */
static int zx_port_timeout(zx_time_t deadline)
{
	zx_time_t now, left;

	if (deadline == ZX_TIME_INFINITE)
		return -1;
	now = zx_clock_get_monotonic();
	if (deadline <= now)
		return 0;
	left = (deadline - now - 1) / ZX_MSEC(1) + 1;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/*
 * Read one packet for @ev, an event of @port, from the pager it names,
 * and re-arm the registration. ZX_ERR_SHOULD_WAIT if there was none:
 * another reader took it, or the descriptor no longer names the pager
 * (that registration then stays unarmed; see zx_port_event()).
 *
 * The registration's descriptor may be closed, and its number reused,
 * at any moment: the packet is read through a duplicate, checked to be
 * the pager's. Nothing may end the thread between the event and the
 * re-arm, or the pager would never be reported again.
 */
static zx_status_t zx_port_take(zx_handle_t port, const struct epoll_event *ev,
				struct zvmo_pager_packet *pkt)
{
	int fd = (int)(uint32_t)ev->data.u64, own, cancel;
	uint32_t ino = (uint32_t)(ev->data.u64 >> 32);
	struct epoll_event again = *ev;
	zx_status_t status = ZX_ERR_SHOULD_WAIT;
	struct stat st;
	ssize_t n;

	again.events = EPOLLIN | EPOLLONESHOT;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (own < 0) {
		if (errno != EBADF) {
			/* Out of descriptors: report it, and leave it armed. */
			status = zx_st(-errno);
			epoll_ctl(port, EPOLL_CTL_MOD, fd, &again);
		}
		goto out;
	}
	if (fstat(own, &st) || (uint32_t)st.st_ino != ino)
		goto out_close;
	n = zvmo_pager_read_packets(own, pkt, 1);
	if (n == 1)
		status = ZX_OK;
	else if (n != -EAGAIN)
		goto out_close;
	epoll_ctl(port, EPOLL_CTL_MOD, fd, &again);
out_close:
	close(own);
out:
	pthread_setcancelstate(cancel, NULL);
	return status;
}

ZX_EXPORT zx_status_t zx_port_wait(zx_handle_t port, zx_time_t deadline,
				   zx_port_packet_t *packet)
{
	struct zvmo_pager_packet pkt;
	struct epoll_event ev;
	zx_status_t status;
	int n;

	if (!packet) {
		status = zx_port_status(port);
		return status != ZX_OK ? status : ZX_ERR_INVALID_ARGS;
	}
	for (;;) {
		n = epoll_wait(port, &ev, 1, zx_port_timeout(deadline));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EINVAL ? ZX_ERR_WRONG_TYPE :
						 zx_st(-errno);
		}
		if (!n) {
			if (deadline != ZX_TIME_INFINITE &&
			    zx_clock_get_monotonic() >= deadline)
				return ZX_ERR_TIMED_OUT;
			continue;
		}
		status = zx_port_take(port, &ev, &pkt);
		if (status == ZX_OK)
			break;
		if (status != ZX_ERR_SHOULD_WAIT)
			return status;
	}
	memset(packet, 0, sizeof(*packet));
	packet->key = pkt.key;
	packet->type = ZX_PKT_TYPE_PAGE_REQUEST;
	packet->status = ZX_OK;
	packet->page_request.command = pkt.command;
	packet->page_request.flags = pkt.flags;
	packet->page_request.offset = pkt.offset;
	packet->page_request.length = pkt.length;
	return ZX_OK;
}
