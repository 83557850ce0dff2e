// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libzvmo, native layer: thin wrappers over the ioctls of uapi/zvmo.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <zvmo/zvmo.h>

#define ZVMO_EXPORT __attribute__((visibility("default")))

/* Linux moves at most about 2 GiB per call; stay well below. */
#define ZVMO_CHUNK	(1UL << 30)

static int zvmo_dev_fd = -1;

static int neg_errno(long ret)
{
	return ret < 0 ? -errno : (int)ret;
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
	/* Another thread may have won the race: keep one descriptor. */
	if (!__atomic_compare_exchange_n(&zvmo_dev_fd, &expected, fd, 0,
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
	return neg_errno(ioctl(dev, ZVMO_IOC_VMO_CREATE, &args));
}

/* Offsets a file offset cannot hold lie past the end of every VMO. */
static int zvmo_check_range(uint64_t offset, size_t len)
{
	uint64_t end;

	if (__builtin_add_overflow(offset, len, &end) || end > INT64_MAX)
		return -ERANGE;
	return 0;
}

/* A 0 return while bytes remain can only mean the end of the VMO. */
ZVMO_EXPORT int zvmo_vmo_read(int vmo, void *buf, uint64_t offset, size_t len)
{
	char *p = buf;

	if (zvmo_check_range(offset, len))
		return -ERANGE;
	while (len) {
		size_t n = len < ZVMO_CHUNK ? len : ZVMO_CHUNK;
		ssize_t r = pread(vmo, p, n, (off_t)offset);

		if (r < 0)
			return errno == EOVERFLOW ? -ERANGE : -errno;
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

	if (zvmo_check_range(offset, len))
		return -ERANGE;
	while (len) {
		size_t n = len < ZVMO_CHUNK ? len : ZVMO_CHUNK;
		ssize_t r = pwrite(vmo, p, n, (off_t)offset);

		if (r < 0)
			return errno == EOVERFLOW ? -ERANGE : -errno;
		if (r == 0)
			return -ERANGE;
		p += r;
		offset += (uint64_t)r;
		len -= (size_t)r;
	}
	return 0;
}

ZVMO_EXPORT int zvmo_vmo_info(int vmo, struct zvmo_vmo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return neg_errno(ioctl(vmo, ZVMO_IOC_VMO_INFO, info));
}

ZVMO_EXPORT int zvmo_vmo_get_size(int vmo, uint64_t *size)
{
	struct zvmo_vmo_info info;
	int err = zvmo_vmo_info(vmo, &info);

	if (!err)
		*size = info.size;
	return err;
}

ZVMO_EXPORT int zvmo_vmo_set_size(int vmo, uint64_t size)
{
	struct zvmo_set_size args = { .argsz = sizeof(args), .size = size };

	return neg_errno(ioctl(vmo, ZVMO_IOC_VMO_SET_SIZE, &args));
}

ZVMO_EXPORT int zvmo_vmo_op_range(int vmo, uint32_t op, uint64_t offset,
				  uint64_t len, void *buf, size_t buf_size)
{
	struct zvmo_op_range args = {
		.argsz = sizeof(args),
		.op = op,
		.offset = offset,
		.length = len,
		.buffer = (uintptr_t)buf,
		.buffer_size = buf_size,
	};

	return neg_errno(ioctl(vmo, ZVMO_IOC_VMO_OP_RANGE, &args));
}

ZVMO_EXPORT int zvmo_vmo_dup(int vmo, uint32_t rights, uint32_t fd_flags)
{
	struct zvmo_vmo_dup args = {
		.argsz = sizeof(args),
		.rights = rights,
		.fd_flags = fd_flags,
	};

	return neg_errno(ioctl(vmo, ZVMO_IOC_VMO_DUP, &args));
}

/* Names longer than ZVMO_NAME_LEN - 1 are cut, as Zircon does. */
ZVMO_EXPORT int zvmo_vmo_set_name(int vmo, const char *name, size_t len)
{
	struct zvmo_name args = { .argsz = sizeof(args) };

	if (len > ZVMO_NAME_LEN - 1)
		len = ZVMO_NAME_LEN - 1;
	memcpy(args.name, name, len);
	return neg_errno(ioctl(vmo, ZVMO_IOC_VMO_SET_NAME, &args));
}

ZVMO_EXPORT int zvmo_vmo_get_name(int vmo, char name[ZVMO_NAME_LEN])
{
	struct zvmo_vmo_info info;
	int err = zvmo_vmo_info(vmo, &info);

	if (!err)
		memcpy(name, info.name, ZVMO_NAME_LEN);
	return err;
}

ZVMO_EXPORT int zvmo_vmo_set_content_size(int vmo, uint64_t content_size)
{
	struct zvmo_content_size args = {
		.argsz = sizeof(args),
		.content_size = content_size,
	};

	return neg_errno(ioctl(vmo, ZVMO_IOC_VMO_SET_CONTENT_SIZE, &args));
}

ZVMO_EXPORT int zvmo_vmo_get_content_size(int vmo, uint64_t *content_size)
{
	struct zvmo_vmo_info info;
	int err = zvmo_vmo_info(vmo, &info);

	if (!err)
		*content_size = info.content_size;
	return err;
}

ZVMO_EXPORT int zvmo_stats(struct zvmo_stats *stats)
{
	int dev = zvmo_open();

	if (dev < 0)
		return dev;
	memset(stats, 0, sizeof(*stats));
	stats->argsz = sizeof(*stats);
	return neg_errno(ioctl(dev, ZVMO_IOC_STATS, stats));
}

ZVMO_EXPORT int zvmo_close(int fd)
{
	return close(fd) ? -errno : 0;
}
