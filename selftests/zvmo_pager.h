/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the pager kselftests share: raw-ioctl wrappers for a pager and its
 * VMOs, a "file" whose bytes a pattern gives, and packet reading.
 */
#ifndef _ZVMO_SELFTEST_PAGER_H
#define _ZVMO_SELFTEST_PAGER_H

#include <poll.h>
#include <stdlib.h>

#include "zvmo_test.h"

#define PAGE 4096ULL

static inline int pager_create(void)
{
	struct zvmo_pager_create c = { .argsz = sizeof(c),
				       .fd_flags = ZVMO_FD_CLOEXEC };

	return zt_ret(ioctl(zt_dev(), ZVMO_IOC_PAGER_CREATE, &c));
}

static inline int pager_vmo(int pager, uint64_t size, uint64_t key,
			    uint32_t opts)
{
	struct zvmo_pager_create_vmo c = {
		.argsz = sizeof(c), .options = opts, .key = key,
		.size = size, .fd_flags = ZVMO_FD_CLOEXEC,
	};

	return zt_ret(ioctl(pager, ZVMO_IOC_PAGER_CREATE_VMO, &c));
}

static inline int supply(int pager, int vmo, uint64_t off, uint64_t len,
			 int aux, uint64_t aux_off)
{
	struct zvmo_pager_supply s = {
		.argsz = sizeof(s), .vmo_fd = vmo, .offset = off,
		.length = len, .aux_fd = aux, .aux_offset = aux_off,
	};

	return zt_ret(ioctl(pager, ZVMO_IOC_PAGER_SUPPLY, &s));
}

/* ZVMO_PAGER_OP_@op over [@off, @off + @len) of @vmo; 0 or -errno. */
static inline int pager_op(int pager, uint32_t op, int vmo, uint64_t off,
			   uint64_t len, uint64_t data)
{
	struct zvmo_pager_op o = {
		.argsz = sizeof(o), .op = op, .vmo_fd = vmo,
		.offset = off, .length = len, .data = data,
	};

	return zt_ret(ioctl(pager, ZVMO_IOC_PAGER_OP_RANGE, &o));
}

static inline int pager_fail(int pager, int vmo, uint64_t off, uint64_t len,
			     uint64_t err)
{
	return pager_op(pager, ZVMO_PAGER_OP_FAIL, vmo, off, len, err);
}

static inline int detach(int pager, int vmo)
{
	struct zvmo_pager_detach d = { .argsz = sizeof(d), .vmo_fd = vmo };

	return zt_ret(ioctl(pager, ZVMO_IOC_PAGER_DETACH, &d));
}

/* The byte the "file" has at @off. */
static inline unsigned char pattern(uint64_t off)
{
	return (unsigned char)(off / PAGE * 7 + 3 + off % 13);
}

/* Supply [@off, @off + @len) of @vmo with the file's content. */
static inline int supply_file(int pager, int vmo, uint64_t off, uint64_t len)
{
	unsigned char *buf = malloc(len);
	uint64_t i;
	int aux, err;
	ssize_t n;

	aux = buf ? zt_create(len, 0, ZVMO_FD_CLOEXEC) : -ENOMEM;
	if (aux < 0) {
		free(buf);
		return -ENOMEM;
	}
	for (i = 0; i < len; i++)
		buf[i] = pattern(off + i);
	/* Short only where memory ran out. */
	n = pwrite(aux, buf, len, 0);
	if (n != (ssize_t)len)
		err = n < 0 ? -errno : -ENOMEM;
	else
		err = supply(pager, vmo, off, len, aux, 0);
	close(aux);
	free(buf);
	return err;
}

/*
 * Answer a READ request for [@off, @off + @len) of @vmo with the file, as
 * a pager must when memory is short (ENOMEM): a page at a time, each tried
 * again, and a page that still cannot be supplied is failed (EIO) rather
 * than left with its waiters blocked. 0 when all of it was supplied, or
 * the first -errno met.
 */
static inline int serve_file(int pager, int vmo, uint64_t off, uint64_t len)
{
	int err = supply_file(pager, vmo, off, len), first = 0, tries;
	uint64_t o;

	if (err != -ENOMEM)
		return err;
	for (o = off; o < off + len; o += PAGE) {
		err = -ENOMEM;
		for (tries = 0; err == -ENOMEM && tries < 100; tries++)
			err = supply_file(pager, vmo, o, PAGE);
		if (err == -ENOMEM)
			for (tries = 0; tries < 100; tries++)
				if (pager_fail(pager, vmo, o, PAGE, EIO) !=
				    -ENOMEM)
					break;
		if (err && !first)
			first = err;
	}
	return first;
}

/* Whether [@off, @off + @len) of @vmo reads as the file. */
static inline int is_file(int vmo, uint64_t off, uint64_t len)
{
	unsigned char *buf = malloc(len);
	uint64_t i;
	int ok = buf && pread(vmo, buf, len, off) == (ssize_t)len;

	for (i = 0; ok && i < len; i++)
		ok = buf[i] == pattern(off + i);
	free(buf);
	return ok;
}

/* The next packet, waiting up to @ms; 0 or -errno. */
static inline int next_packet(int pager, struct zvmo_pager_packet *p, int ms)
{
	struct pollfd pfd = { .fd = pager, .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return -ETIMEDOUT;
	return read(pager, p, sizeof(*p)) == sizeof(*p) ? 0 : -errno;
}

#endif /* _ZVMO_SELFTEST_PAGER_H */
