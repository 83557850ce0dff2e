// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libzvmo, Zircon layer: Fuchsia's calls written on the native layer.
 *
 * Handles the Zircon layer makes are close-on-exec: a Zircon handle never
 * passes to another program by accident.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zvmo/zx.h>

#define ZX_EXPORT __attribute__((visibility("default")))

ZX_EXPORT zx_status_t zvmo_errno_to_status(int neg_errno)
{
	switch (-neg_errno) {
	case 0:		return ZX_OK;
	case EINVAL:	return ZX_ERR_INVALID_ARGS;
	case EFAULT:	return ZX_ERR_INVALID_ARGS;
	case E2BIG:	return ZX_ERR_INVALID_ARGS;
	case ERANGE:	return ZX_ERR_OUT_OF_RANGE;
	case EOVERFLOW:	return ZX_ERR_OUT_OF_RANGE;
	case ENOMEM:	return ZX_ERR_NO_MEMORY;
	case EBUSY:	return ZX_ERR_BAD_STATE;
	case EOPNOTSUPP: return ZX_ERR_NOT_SUPPORTED;
	case EPERM:	return ZX_ERR_UNAVAILABLE;
	case EACCES:	return ZX_ERR_ACCESS_DENIED;
	case EBADF:	return ZX_ERR_BAD_HANDLE;
	case ENOTTY:	return ZX_ERR_WRONG_TYPE;
	case EAGAIN:	return ZX_ERR_SHOULD_WAIT;
	case ETIMEDOUT:	return ZX_ERR_TIMED_OUT;
	case ENOBUFS:	return ZX_ERR_BUFFER_TOO_SMALL;
	case EEXIST:	return ZX_ERR_ALREADY_EXISTS;
	case ENOENT:	return ZX_ERR_NOT_FOUND;
	case EIO:	return ZX_ERR_IO;
	case EBADMSG:	return ZX_ERR_IO_DATA_INTEGRITY;
	case ENOSPC:	return ZX_ERR_NO_SPACE;
	case EPIPE:	return ZX_ERR_PEER_CLOSED;
	default:	return ZX_ERR_INTERNAL;
	}
}

static zx_status_t st(int ret)
{
	return ret < 0 ? zvmo_errno_to_status(ret) : ZX_OK;
}

ZX_EXPORT zx_status_t zx_vmo_create(uint64_t size, uint32_t options,
				    zx_handle_t *out)
{
	int fd;

	if (!out)
		return ZX_ERR_INVALID_ARGS;
	fd = zvmo_vmo_create(size, options, ZVMO_FD_CLOEXEC);
	if (fd < 0)
		return zvmo_errno_to_status(fd);
	*out = fd;
	return ZX_OK;
}

ZX_EXPORT zx_status_t zx_vmo_read(zx_handle_t handle, void *buffer,
				  uint64_t offset, size_t buffer_size)
{
	return st(zvmo_vmo_read(handle, buffer, offset, buffer_size));
}

ZX_EXPORT zx_status_t zx_vmo_write(zx_handle_t handle, const void *buffer,
				   uint64_t offset, size_t buffer_size)
{
	return st(zvmo_vmo_write(handle, buffer, offset, buffer_size));
}

ZX_EXPORT zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t *size)
{
	if (!size)
		return ZX_ERR_INVALID_ARGS;
	return st(zvmo_vmo_get_size(handle, size));
}

ZX_EXPORT zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size)
{
	return st(zvmo_vmo_set_size(handle, size));
}

ZX_EXPORT zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op,
				      uint64_t offset, uint64_t size,
				      void *buffer, size_t buffer_size)
{
	return st(zvmo_vmo_op_range(handle, op, offset, size, buffer,
				    buffer_size));
}

/* One record per topic here: actual and avail are 1, or 0 and 1. */
static zx_status_t one_record(size_t buffer_size, size_t need,
			      size_t *actual, size_t *avail)
{
	if (avail)
		*avail = 1;
	if (buffer_size < need) {
		if (actual)
			*actual = 0;
		return ZX_ERR_BUFFER_TOO_SMALL;
	}
	if (actual)
		*actual = 1;
	return ZX_OK;
}

ZX_EXPORT zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic,
					 void *buffer, size_t buffer_size,
					 size_t *actual, size_t *avail)
{
	struct zvmo_vmo_info vi;
	zx_status_t status;
	int err;

	if (topic != ZX_INFO_VMO && topic != ZX_INFO_HANDLE_BASIC)
		return ZX_ERR_INVALID_ARGS;
	err = zvmo_vmo_info(handle, &vi);
	if (err)
		return zvmo_errno_to_status(err);

	if (topic == ZX_INFO_HANDLE_BASIC) {
		zx_info_handle_basic_t basic = {
			.koid = vi.koid,
			.rights = vi.rights,
			.type = ZX_OBJ_TYPE_VMO,
		};

		status = one_record(buffer_size, sizeof(basic), actual, avail);
		if (status == ZX_OK) {
			if (!buffer)
				return ZX_ERR_INVALID_ARGS;
			memcpy(buffer, &basic, sizeof(basic));
		}
		return status;
	}

	{
		zx_info_vmo_t info = {
			.koid = vi.koid,
			.size_bytes = vi.size,
			.parent_koid = vi.parent_koid,
			.num_children = vi.num_children,
			.num_mappings = vi.num_mappings,
			.share_count = vi.share_count,
			.flags = vi.flags | ZX_INFO_VMO_VIA_HANDLE,
			.committed_bytes = vi.committed_bytes,
			.handle_rights = vi.rights,
			.cache_policy = vi.cache_policy,
			.metadata_bytes = vi.metadata_bytes,
			.committed_change_events = vi.committed_change_events,
			.content_size = vi.content_size,
			.committed_private_bytes = vi.committed_private_bytes,
			.committed_scaled_bytes = vi.committed_scaled_bytes,
			.populated_bytes = vi.populated_bytes,
			.populated_private_bytes = vi.populated_private_bytes,
			.populated_scaled_bytes = vi.populated_scaled_bytes,
		};

		memcpy(info.name, vi.name, sizeof(info.name));
		status = one_record(buffer_size, sizeof(info), actual, avail);
		if (status == ZX_OK) {
			if (!buffer)
				return ZX_ERR_INVALID_ARGS;
			memcpy(buffer, &info, sizeof(info));
		}
		return status;
	}
}

ZX_EXPORT zx_status_t zx_object_get_property(zx_handle_t handle,
					     uint32_t property, void *value,
					     size_t value_size)
{
	char name[ZVMO_NAME_LEN];
	uint64_t size;
	int err;

	if (!value)
		return ZX_ERR_INVALID_ARGS;
	switch (property) {
	case ZX_PROP_NAME:
		if (value_size < ZX_MAX_NAME_LEN)
			return ZX_ERR_BUFFER_TOO_SMALL;
		err = zvmo_vmo_get_name(handle, name);
		if (!err)
			memcpy(value, name, ZX_MAX_NAME_LEN);
		return st(err);
	case ZX_PROP_VMO_CONTENT_SIZE:
		if (value_size < sizeof(uint64_t))
			return ZX_ERR_BUFFER_TOO_SMALL;
		err = zvmo_vmo_get_content_size(handle, &size);
		if (!err)
			memcpy(value, &size, sizeof(size));
		return st(err);
	default:
		return ZX_ERR_INVALID_ARGS;
	}
}

ZX_EXPORT zx_status_t zx_object_set_property(zx_handle_t handle,
					     uint32_t property,
					     const void *value,
					     size_t value_size)
{
	uint64_t size;

	if (!value && value_size)
		return ZX_ERR_INVALID_ARGS;
	switch (property) {
	case ZX_PROP_NAME:
		/* Cut at the first NUL; longer names are truncated. */
		value_size = strnlen(value, value_size);
		return st(zvmo_vmo_set_name(handle, value, value_size));
	case ZX_PROP_VMO_CONTENT_SIZE:
		if (value_size < sizeof(uint64_t))
			return ZX_ERR_BUFFER_TOO_SMALL;
		memcpy(&size, value, sizeof(size));
		return st(zvmo_vmo_set_content_size(handle, size));
	default:
		return ZX_ERR_INVALID_ARGS;
	}
}

ZX_EXPORT zx_status_t zx_handle_close(zx_handle_t handle)
{
	if (handle == ZX_HANDLE_INVALID)
		return ZX_OK;
	return st(zvmo_close(handle));
}

ZX_EXPORT zx_status_t zx_handle_duplicate(zx_handle_t handle,
					  zx_rights_t rights,
					  zx_handle_t *out)
{
	int fd;

	if (!out)
		return ZX_ERR_INVALID_ARGS;
	fd = zvmo_vmo_dup(handle, rights, ZVMO_FD_CLOEXEC);
	if (fd < 0)
		return zvmo_errno_to_status(fd);
	*out = fd;
	return ZX_OK;
}

/*
 * A duplicate with the new rights, then the original closed. On failure
 * the original is left as it was.
 */
ZX_EXPORT zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights,
					zx_handle_t *out)
{
	zx_status_t status = zx_handle_duplicate(handle, rights, out);

	if (status == ZX_OK)
		zvmo_close(handle);
	return status;
}

ZX_EXPORT zx_time_t zx_clock_get_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (zx_time_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

ZX_EXPORT zx_time_t zx_deadline_after(zx_duration_t nanoseconds)
{
	zx_time_t now = zx_clock_get_monotonic(), deadline;

	if (__builtin_add_overflow(now, nanoseconds, &deadline))
		return nanoseconds > 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
	return deadline;
}
