// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libzvmo, native layer: thin wrappers over the ioctls of uapi/zvmo.h and
 * over pread()/pwrite().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <zvmo/zvmo.h>

#define ZVMO_EXPORT __attribute__((visibility("default")))

/*
 * Linux moves at most MAX_RW_COUNT (2 GiB less a page) per read or write
 * call; transfers are split into calls of at most this many bytes.
 */
#define ZVMO_CHUNK	((size_t)1 << 30)

/* The cached /dev/zvmo descriptor, or -1 before the first success. */
static int zvmo_dev_fd = -1;

/* An ioctl() result as a descriptor, 0 or a negative errno. */
static int zvmo_ret(int ret)
{
	return ret < 0 ? -errno : ret;
}

ZVMO_EXPORT int zvmo_open(void)
{
	int fd = __atomic_load_n(&zvmo_dev_fd, __ATOMIC_ACQUIRE);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = open(ZVMO_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Threads may race here: the first to publish wins, the others close. */
	if (!__atomic_compare_exchange_n(&zvmo_dev_fd, &expected, fd, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		fd = expected;
	}
	return fd;
}

ZVMO_EXPORT int zvmo_vmo_create(uint64_t size, uint32_t options,
				uint32_t fd_flags)
{
	struct zvmo_vmo_create args = {
		.argsz = sizeof(args),
		.options = options,
		.size = size,
		.fd_flags = fd_flags,
	};
	int dev = zvmo_open();

	if (dev < 0)
		return dev;
	return zvmo_ret(ioctl(dev, ZVMO_IOC_VMO_CREATE, &args));
}

ZVMO_EXPORT int zvmo_vmo_create_child(int vmo, uint32_t options,
				      uint64_t offset, uint64_t size,
				      uint32_t fd_flags)
{
	struct zvmo_vmo_create_child args = {
		.argsz = sizeof(args),
		.options = options,
		.offset = offset,
		.size = size,
		.fd_flags = fd_flags,
	};

	return zvmo_ret(ioctl(vmo, ZVMO_IOC_VMO_CREATE_CHILD, &args));
}

ZVMO_EXPORT int zvmo_vmo_info(int vmo, struct zvmo_vmo_info *info)
{
	if (!info)
		return -EFAULT;
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return zvmo_ret(ioctl(vmo, ZVMO_IOC_VMO_INFO, info));
}

/*
 * What the kernel would answer for a transfer, without moving a byte: the
 * descriptor, then the right, then the range, in Zircon's order.
 */
static int zvmo_check_transfer(int vmo, uint32_t right, uint64_t offset,
			       size_t len)
{
	struct zvmo_vmo_info info;
	int err = zvmo_vmo_info(vmo, &info);

	if (err)
		return err;
	if (!(info.rights & right))
		return -EACCES;
	if (offset > info.size || len > info.size - offset)
		return -ERANGE;
	return 0;
}

/*
 * Whether a transfer needs zvmo_check_transfer() first: zero-length ones
 * (pread() of nothing checks nothing), ones that take several calls (so a
 * failure cannot come after some bytes moved), and ranges no file offset
 * can hold (the VFS would answer EINVAL or EOVERFLOW for them).
 */
static bool zvmo_needs_check(uint64_t offset, size_t len)
{
	uint64_t end;

	return !len || len > ZVMO_CHUNK ||
	       __builtin_add_overflow(offset, (uint64_t)len, &end) ||
	       end > (uint64_t)INT64_MAX;
}

/* A pread()/pwrite() failure as the native layer reports it. */
static int zvmo_rw_errno(int err)
{
	switch (err) {
	case EOVERFLOW:		/* the VFS: an offset past 2^63 */
		return -ERANGE;
	case ESPIPE:		/* not seekable: certainly not a VMO */
		return -ENOTTY;
	default:
		return -err;
	}
}

ZVMO_EXPORT int zvmo_vmo_read(int vmo, void *buf, uint64_t offset, size_t len)
{
	char *p = buf;

	if (zvmo_needs_check(offset, len)) {
		int err = zvmo_check_transfer(vmo, ZVMO_RIGHT_READ, offset,
					      len);

		if (err || !len)
			return err;
	}
	while (len) {
		size_t n = len < ZVMO_CHUNK ? len : ZVMO_CHUNK;
		ssize_t r = pread(vmo, p, n, (off_t)offset);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return zvmo_rw_errno(errno);
		}
		/* End of file while bytes remain: the range ran off the end. */
		if (r == 0)
			return -ERANGE;
		p += r;
		offset += (uint64_t)r;
		len -= (size_t)r;
	}
	return 0;
}

ZVMO_EXPORT int zvmo_vmo_write(int vmo, const void *buf, uint64_t offset,
			       size_t len)
{
	const char *p = buf;

	if (zvmo_needs_check(offset, len)) {
		int err = zvmo_check_transfer(vmo, ZVMO_RIGHT_WRITE, offset,
					      len);

		if (err || !len)
			return err;
	}
	while (len) {
		size_t n = len < ZVMO_CHUNK ? len : ZVMO_CHUNK;
		ssize_t r = pwrite(vmo, p, n, (off_t)offset);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return zvmo_rw_errno(errno);
		}
		if (r == 0)
			return -ERANGE;
		p += r;
		offset += (uint64_t)r;
		len -= (size_t)r;
	}
	return 0;
}

ZVMO_EXPORT int zvmo_vmo_get_size(int vmo, uint64_t *size)
{
	struct zvmo_vmo_info info;
	int err;

	if (!size)
		return -EFAULT;
	err = zvmo_vmo_info(vmo, &info);
	if (!err)
		*size = info.size;
	return err;
}

ZVMO_EXPORT int zvmo_vmo_set_size(int vmo, uint64_t size)
{
	struct zvmo_set_size args = { .argsz = sizeof(args), .size = size };

	return zvmo_ret(ioctl(vmo, ZVMO_IOC_VMO_SET_SIZE, &args));
}

ZVMO_EXPORT int zvmo_vmo_op_range(int vmo, uint32_t op, uint64_t offset,
				  uint64_t len, void *buf, size_t buf_size)
{
	struct zvmo_op_range args = {
		.argsz = sizeof(args),
		.op = op,
		.offset = offset,
		.length = len,
		.buffer = (uint64_t)(uintptr_t)buf,
		.buffer_size = buf_size,
	};

	return zvmo_ret(ioctl(vmo, ZVMO_IOC_VMO_OP_RANGE, &args));
}

ZVMO_EXPORT int zvmo_vmo_dup(int vmo, uint32_t rights, uint32_t fd_flags)
{
	struct zvmo_vmo_dup args = {
		.argsz = sizeof(args),
		.rights = rights,
		.fd_flags = fd_flags,
	};

	return zvmo_ret(ioctl(vmo, ZVMO_IOC_VMO_DUP, &args));
}

ZVMO_EXPORT int zvmo_vmo_set_name(int vmo, const char *name, size_t len)
{
	struct zvmo_name args = { .argsz = sizeof(args) };

	if (!name && len)
		return -EFAULT;
	if (len)
		len = strnlen(name, len < ZVMO_NAME_LEN - 1 ?
					len : ZVMO_NAME_LEN - 1);
	if (len)
		memcpy(args.name, name, len);
	return zvmo_ret(ioctl(vmo, ZVMO_IOC_VMO_SET_NAME, &args));
}

ZVMO_EXPORT int zvmo_vmo_get_name(int vmo, char name[ZVMO_NAME_LEN])
{
	struct zvmo_vmo_info info;
	int err;

	if (!name)
		return -EFAULT;
	err = zvmo_vmo_info(vmo, &info);
	if (!err) {
		/* The kernel NUL-terminates; make sure of it anyway. */
		info.name[ZVMO_NAME_LEN - 1] = '\0';
		memcpy(name, info.name, ZVMO_NAME_LEN);
	}
	return err;
}

ZVMO_EXPORT int zvmo_vmo_set_content_size(int vmo, uint64_t content_size)
{
	struct zvmo_content_size args = {
		.argsz = sizeof(args),
		.content_size = content_size,
	};

	return zvmo_ret(ioctl(vmo, ZVMO_IOC_VMO_SET_CONTENT_SIZE, &args));
}

ZVMO_EXPORT int zvmo_vmo_get_content_size(int vmo, uint64_t *content_size)
{
	struct zvmo_vmo_info info;
	int err;

	if (!content_size)
		return -EFAULT;
	err = zvmo_vmo_info(vmo, &info);
	if (!err)
		*content_size = info.content_size;
	return err;
}

ZVMO_EXPORT int zvmo_vmo_pin(int vmo, int bti, uint32_t options,
			     uint64_t offset, uint64_t size, uint64_t *addrs,
			     size_t num_addrs, uint32_t fd_flags)
{
	struct zvmo_vmo_pin args = {
		.argsz = sizeof(args),
		.options = options,
		.offset = offset,
		.size = size,
		.addrs = (uint64_t)(uintptr_t)addrs,
		.num_addrs = num_addrs,
		.bti_fd = bti,
		.fd_flags = fd_flags,
	};

	return zvmo_ret(ioctl(vmo, ZVMO_IOC_VMO_PIN, &args));
}

ZVMO_EXPORT int zvmo_vmo_set_cache_policy(int vmo, uint32_t policy)
{
	struct zvmo_cache_policy args = {
		.argsz = sizeof(args),
		.policy = policy,
	};

	return zvmo_ret(ioctl(vmo, ZVMO_IOC_VMO_SET_CACHE_POLICY, &args));
}

ZVMO_EXPORT int zvmo_bti_create(uint32_t options, uint64_t bti_id,
				uint32_t fd_flags)
{
	struct zvmo_bti_create args = {
		.argsz = sizeof(args),
		.options = options,
		.bti_id = bti_id,
		.fd_flags = fd_flags,
	};
	int dev = zvmo_open();

	if (dev < 0)
		return dev;
	return zvmo_ret(ioctl(dev, ZVMO_IOC_BTI_CREATE, &args));
}

ZVMO_EXPORT int zvmo_bti_info(int bti, struct zvmo_bti_info *info)
{
	if (!info)
		return -EFAULT;
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return zvmo_ret(ioctl(bti, ZVMO_IOC_BTI_INFO, info));
}

ZVMO_EXPORT int zvmo_vmo_create_contiguous(int bti, uint64_t size,
					   uint32_t alignment_log2,
					   uint32_t fd_flags)
{
	struct zvmo_vmo_create_contiguous args = {
		.argsz = sizeof(args),
		.alignment_log2 = alignment_log2,
		.size = size,
		.bti_fd = bti,
		.fd_flags = fd_flags,
	};
	int dev = zvmo_open();

	if (dev < 0)
		return dev;
	return zvmo_ret(ioctl(dev, ZVMO_IOC_VMO_CREATE_CONTIGUOUS, &args));
}

ZVMO_EXPORT int zvmo_pmt_info(int pmt, struct zvmo_pmt_info *info)
{
	if (!info)
		return -EFAULT;
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return zvmo_ret(ioctl(pmt, ZVMO_IOC_PMT_INFO, info));
}

ZVMO_EXPORT int zvmo_pmt_unpin(int pmt)
{
	return zvmo_ret(ioctl(pmt, ZVMO_IOC_PMT_UNPIN));
}

ZVMO_EXPORT int zvmo_pager_create(uint32_t options, uint32_t fd_flags)
{
	struct zvmo_pager_create args = {
		.argsz = sizeof(args),
		.options = options,
		.fd_flags = fd_flags,
	};
	int dev = zvmo_open();

	if (dev < 0)
		return dev;
	return zvmo_ret(ioctl(dev, ZVMO_IOC_PAGER_CREATE, &args));
}

ZVMO_EXPORT int zvmo_pager_create_vmo(int pager, uint32_t options,
				      uint64_t key, uint64_t size,
				      uint32_t fd_flags)
{
	struct zvmo_pager_create_vmo args = {
		.argsz = sizeof(args),
		.options = options,
		.key = key,
		.size = size,
		.fd_flags = fd_flags,
	};

	return zvmo_ret(ioctl(pager, ZVMO_IOC_PAGER_CREATE_VMO, &args));
}

ZVMO_EXPORT int zvmo_pager_supply(int pager, int vmo, uint64_t offset,
				  uint64_t length, int aux,
				  uint64_t aux_offset)
{
	struct zvmo_pager_supply args = {
		.argsz = sizeof(args),
		.vmo_fd = vmo,
		.offset = offset,
		.length = length,
		.aux_fd = aux,
		.aux_offset = aux_offset,
	};

	return zvmo_ret(ioctl(pager, ZVMO_IOC_PAGER_SUPPLY, &args));
}

ZVMO_EXPORT int zvmo_pager_op_range(int pager, uint32_t op, int vmo,
				    uint64_t offset, uint64_t length,
				    uint64_t data)
{
	struct zvmo_pager_op args = {
		.argsz = sizeof(args),
		.op = op,
		.vmo_fd = vmo,
		.offset = offset,
		.length = length,
		.data = data,
	};

	return zvmo_ret(ioctl(pager, ZVMO_IOC_PAGER_OP_RANGE, &args));
}

ZVMO_EXPORT int zvmo_pager_detach(int pager, int vmo)
{
	struct zvmo_pager_detach args = {
		.argsz = sizeof(args),
		.vmo_fd = vmo,
	};

	return zvmo_ret(ioctl(pager, ZVMO_IOC_PAGER_DETACH, &args));
}

ZVMO_EXPORT int zvmo_pager_supply_copy(int pager, int vmo, uint64_t offset,
				       uint64_t length, const void *buf)
{
	struct zvmo_pager_supply_copy args = {
		.argsz = sizeof(args),
		.vmo_fd = vmo,
		.offset = offset,
		.length = length,
		.buffer = (uintptr_t)buf,
	};

	return zvmo_ret(ioctl(pager, ZVMO_IOC_PAGER_SUPPLY_COPY, &args));
}

ZVMO_EXPORT int zvmo_pager_query_dirty(int pager, int vmo, uint64_t offset,
				       uint64_t length,
				       struct zvmo_dirty_range *ranges,
				       size_t count, size_t *actual,
				       size_t *avail)
{
	struct zvmo_pager_query_dirty args = {
		.argsz = sizeof(args),
		.vmo_fd = vmo,
		.offset = offset,
		.length = length,
		.ranges = (uintptr_t)ranges,
		.count = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count,
	};
	int err = zvmo_ret(ioctl(pager, ZVMO_IOC_PAGER_QUERY_DIRTY, &args));

	if (err)
		return err;
	if (actual)
		*actual = args.actual;
	if (avail)
		*avail = args.avail;
	return 0;
}

ZVMO_EXPORT int zvmo_pager_query_stats(int pager, int vmo, uint32_t options,
				       uint32_t *modified)
{
	struct zvmo_pager_vmo_stats args = {
		.argsz = sizeof(args),
		.vmo_fd = vmo,
		.options = options,
	};
	int err;

	if (!modified)
		return -EFAULT;
	err = zvmo_ret(ioctl(pager, ZVMO_IOC_PAGER_QUERY_STATS, &args));
	if (!err)
		*modified = args.modified;
	return err;
}

ZVMO_EXPORT int zvmo_pager_info(int pager, struct zvmo_pager_info *info)
{
	if (!info)
		return -EFAULT;
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return zvmo_ret(ioctl(pager, ZVMO_IOC_PAGER_INFO, info));
}

ZVMO_EXPORT ssize_t zvmo_pager_read_packets(int pager,
					    struct zvmo_pager_packet *pkts,
					    size_t max)
{
	ssize_t r;

	if (!max)
		return -EINVAL;
	if (!pkts)
		return -EFAULT;
	/* read() moves at most SSIZE_MAX bytes; the kernel far fewer. */
	if (max > ZVMO_CHUNK / sizeof(*pkts))
		max = ZVMO_CHUNK / sizeof(*pkts);
	r = read(pager, pkts, max * sizeof(*pkts));
	if (r < 0)
		return -errno;
	return r / (ssize_t)sizeof(*pkts);
}

ZVMO_EXPORT int zvmo_stats(struct zvmo_stats *stats)
{
	int dev;

	if (!stats)
		return -EFAULT;
	dev = zvmo_open();
	if (dev < 0)
		return dev;
	memset(stats, 0, sizeof(*stats));
	stats->argsz = sizeof(*stats);
	return zvmo_ret(ioctl(dev, ZVMO_IOC_STATS, stats));
}

ZVMO_EXPORT int zvmo_close(int fd)
{
	return close(fd) ? -errno : 0;
}
