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
#include <string.h>
#include <sys/mman.h>
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
 * The VMO behind @handle and the rights of @handle, or the status for a
 * handle that is closed (BAD_HANDLE), not a VMO (WRONG_TYPE), or lacks
 * @need (ACCESS_DENIED).
 */
static zx_status_t zx_vmo_lookup(zx_handle_t handle, zx_rights_t need,
				 struct zvmo_vmo_info *info)
{
	int err = zvmo_vmo_info(handle, info);

	if (err)
		return zx_st(err);
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
	return zx_new_handle(zvmo_vmo_create_child(handle, options, offset,
						   size, ZVMO_FD_CLOEXEC),
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
	return zx_st(zvmo_vmo_get_size(handle, size));
}

ZX_EXPORT zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size)
{
	return zx_st(zvmo_vmo_set_size(handle, size));
}

ZX_EXPORT zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op,
				      uint64_t offset, uint64_t size,
				      void *buffer, size_t buffer_size)
{
	return zx_st(zvmo_vmo_op_range(handle, op, offset, size, buffer,
				       buffer_size));
}

/* Zircon checks the policy before the handle. */
ZX_EXPORT zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle,
					      uint32_t cache_policy)
{
	if (cache_policy & ~ZX_CACHE_POLICY_MASK)
		return ZX_ERR_INVALID_ARGS;
	return zx_st(zvmo_vmo_set_cache_policy(handle, cache_policy));
}

/* What Zircon says of a BTI handle before it looks at anything else. */
static zx_status_t zx_bti_status(zx_handle_t bti)
{
	struct zvmo_bti_info info;

	return zx_st(zvmo_bti_info(bti, &info));
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
	return zx_st(fd);
}

/*
 * Zircon takes the handle out of the table before it looks at what it is,
 * so any open handle is consumed, a PMT or not.
 */
ZX_EXPORT zx_status_t zx_pmt_unpin(zx_handle_t pmt)
{
	int err = zvmo_pmt_unpin(pmt);

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
	struct zvmo_vmo_info vi;
	struct zvmo_bti_info bi;
	struct zvmo_pmt_info pi;
	int err;

	memset(basic, 0, sizeof(*basic));
	basic->related_koid = ZX_KOID_INVALID;
	err = zvmo_vmo_info(handle, &vi);
	if (!err) {
		basic->koid = vi.koid;
		basic->rights = vi.rights;
		basic->type = ZX_OBJ_TYPE_VMO;
		return ZX_OK;
	}
	if (err != -ENOTTY)
		return zx_st(err);
	err = zvmo_bti_info(handle, &bi);
	if (!err) {
		basic->koid = bi.koid;
		basic->rights = ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_MAP;
		basic->type = ZX_OBJ_TYPE_BTI;
		return ZX_OK;
	}
	if (err != -ENOTTY)
		return zx_st(err);
	err = zvmo_pmt_info(handle, &pi);
	if (err)
		return zx_st(err);
	basic->koid = pi.koid;
	basic->rights = ZX_RIGHTS_BASIC;
	basic->type = ZX_OBJ_TYPE_PMT;
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

		status = zx_st(zvmo_bti_info(handle, &bi));
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
		return zx_st(zvmo_vmo_set_name(handle, value, value_size));
	case ZX_PROP_VMO_CONTENT_SIZE:
		if (value_size >= sizeof(uint64_t)) {
			memcpy(&size, value, sizeof(size));
			return zx_st(zvmo_vmo_set_content_size(handle, size));
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
	fd = zvmo_vmo_dup(handle, rights, ZVMO_FD_CLOEXEC);
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

	fd = zvmo_vmo_dup(handle, rights, ZVMO_FD_CLOEXEC);
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
