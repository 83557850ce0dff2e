/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by zvmo's kselftests: raw ioctl wrappers that return the
 * result or -errno, so tests can assert the ABI itself.
 */
#ifndef _ZVMO_SELFTEST_H
#define _ZVMO_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../uapi/zvmo.h"

static inline int zt_dev(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open(ZVMO_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	return fd;
}

static inline long zt_ret(long r)
{
	return r < 0 ? -errno : r;
}

static inline int zt_create(uint64_t size, uint32_t options, uint32_t fd_flags)
{
	struct zvmo_vmo_create c = {
		.argsz = sizeof(c), .options = options, .size = size,
		.fd_flags = fd_flags,
	};

	return zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE, &c));
}

static inline int zt_info(int fd, struct zvmo_vmo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return zt_ret(ioctl(fd, ZVMO_IOC_VMO_INFO, info));
}

static inline int zt_stats(struct zvmo_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->argsz = sizeof(*st);
	return zt_ret(ioctl(zt_dev(), ZVMO_IOC_STATS, st));
}

static inline int zt_dup(int fd, uint32_t rights, uint32_t fd_flags)
{
	struct zvmo_vmo_dup d = {
		.argsz = sizeof(d), .rights = rights, .fd_flags = fd_flags,
	};

	return zt_ret(ioctl(fd, ZVMO_IOC_VMO_DUP, &d));
}

static inline int zt_op(int fd, uint32_t op, uint64_t off, uint64_t len)
{
	struct zvmo_op_range r = {
		.argsz = sizeof(r), .op = op, .offset = off, .length = len,
	};

	return zt_ret(ioctl(fd, ZVMO_IOC_VMO_OP_RANGE, &r));
}

static inline int zt_set_size(int fd, uint64_t size)
{
	struct zvmo_set_size s = { .argsz = sizeof(s), .size = size };

	return zt_ret(ioctl(fd, ZVMO_IOC_VMO_SET_SIZE, &s));
}

static inline int zt_child(int fd, uint32_t options, uint64_t off,
			   uint64_t size)
{
	struct zvmo_vmo_create_child c = {
		.argsz = sizeof(c), .options = options, .offset = off,
		.size = size, .fd_flags = ZVMO_FD_CLOEXEC,
	};

	return zt_ret(ioctl(fd, ZVMO_IOC_VMO_CREATE_CHILD, &c));
}

static inline uint64_t zt_size(int fd)
{
	struct zvmo_vmo_info info;

	return zt_info(fd, &info) ? UINT64_MAX : info.size;
}

static inline int zt_pin(int fd, int bti, uint32_t options, uint64_t off,
			 uint64_t size, uint64_t *addrs, uint64_t num_addrs)
{
	struct zvmo_vmo_pin p = {
		.argsz = sizeof(p), .options = options, .offset = off,
		.size = size, .addrs = (uintptr_t)addrs,
		.num_addrs = num_addrs, .bti_fd = bti,
		.fd_flags = ZVMO_FD_CLOEXEC,
	};

	return zt_ret(ioctl(fd, ZVMO_IOC_VMO_PIN, &p));
}

static inline int zt_bti(void)
{
	struct zvmo_bti_create b = {
		.argsz = sizeof(b), .bti_id = 7, .fd_flags = ZVMO_FD_CLOEXEC,
	};

	return zt_ret(ioctl(zt_dev(), ZVMO_IOC_BTI_CREATE, &b));
}

static inline int zt_contig(int bti, uint64_t size, uint32_t align_log2)
{
	struct zvmo_vmo_create_contiguous c = {
		.argsz = sizeof(c), .alignment_log2 = align_log2,
		.size = size, .bti_fd = bti, .fd_flags = ZVMO_FD_CLOEXEC,
	};

	return zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE_CONTIGUOUS, &c));
}

static inline int zt_cache_policy(int fd, uint32_t policy)
{
	struct zvmo_cache_policy c = { .argsz = sizeof(c), .policy = policy };

	return zt_ret(ioctl(fd, ZVMO_IOC_VMO_SET_CACHE_POLICY, &c));
}

/* Pass @fd over the Unix socket @sock (SCM_RIGHTS); 0 or -1. */
static inline int zt_send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "f", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* The descriptor zt_send_fd() passed over @sock, or -1. */
static inline int zt_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * 1 if this process has a page table entry for the page at @addr (its
 * /proc/self/pagemap entry is present), 0 if not, -1 on error.
 */
static inline int zt_mapped(const void *addr)
{
	uint64_t ent;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	long page = sysconf(_SC_PAGESIZE);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &ent, sizeof(ent), (uintptr_t)addr / page * sizeof(ent));
	close(fd);
	if (n != sizeof(ent))
		return -1;
	return ent >> 63;
}

/* The counter @name of /proc/zvmo, or -1 if it has none. */
static inline long long zt_proc_stat(const char *name)
{
	FILE *f = fopen("/proc/zvmo", "r");
	long long v = -1, x;
	char key[64];

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &x) == 2)
		if (!strcmp(key, name))
			v = x;
	fclose(f);
	return v;
}

/* Write @s to the file at @path: 0, or a negative errno. */
static inline int zt_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		err = -errno;
	else if (n != (ssize_t)strlen(s))
		err = -EIO;
	close(fd);
	return err;
}

/* Slab reclaim of the whole system: every shrinker, ours included. */
static inline int zt_drop_caches(void)
{
	return zt_write_file("/proc/sys/vm/drop_caches", "2");
}

/*
 * Reclaim up to @n pages now through the module's reclaim_now parameter:
 * of one kind ("dedup", "evict", "discard"), or of all if @kind is NULL.
 */
static inline int zt_reclaim(const char *kind, unsigned long n)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%s%s%lu", kind ? kind : "",
		 kind ? " " : "", n);
	return zt_write_file("/sys/module/zvmo/parameters/reclaim_now", buf);
}

/*
 * Run ./zvmo-stat (which make check puts in the VM) with @args: its exit
 * status, or -1; its output in @out, of @len bytes, NUL-terminated.
 */
static inline int zt_run_tool(const char *args, char *out, size_t len)
{
	char cmd[128];
	size_t n = 0, r;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "./zvmo-stat %s", args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (n < len - 1 && (r = fread(out + n, 1, len - 1 - n, f)) > 0)
		n += r;
	out[n] = 0;
	return WEXITSTATUS(pclose(f));
}

/*
 * Run @fn in a child inside a fresh memory cgroup limited to @max bytes.
 * Returns the child's exit status, or -1 if cgroups are unavailable.
 */
static inline int zt_in_memcg(const char *max, int (*fn)(void))
{
	const char *cg = "/sys/fs/cgroup/zvmo-test";
	char path[128];
	int status;
	pid_t pid;
	FILE *f;

	f = fopen("/sys/fs/cgroup/cgroup.subtree_control", "w");
	if (!f)
		return -1;
	fputs("+memory", f);
	if (fclose(f))
		return -1;
	if (mkdir(cg, 0755) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(max, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/memory.swap.max", cg);
	f = fopen(path, "w");
	if (f) {
		fputs("0", f);
		fclose(f);
	}

	pid = fork();
	if (pid == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		f = fopen(path, "w");
		if (!f)
			_exit(100);
		fprintf(f, "%d", getpid());
		if (fclose(f))
			_exit(101);
		_exit(fn());
	}
	waitpid(pid, &status, 0);
	rmdir(cg);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

#endif /* _ZVMO_SELFTEST_H */
