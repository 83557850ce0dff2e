// SPDX-License-Identifier: GPL-2.0
/*
 * The VMO as an object: creation, sizes, bad arguments, descriptors
 * (close-on-exec, dup with rights, passing over a Unix socket), and the
 * module's counters returning to where they were.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "zvmo_test.h"

#define PAGE 4096ULL

FIXTURE(sizes) {
	int fd;
};

FIXTURE_VARIANT(sizes) {
	uint64_t size;
	uint64_t want;	/* the size the VMO gets */
	int err;	/* or the error */
};

FIXTURE_VARIANT_ADD(sizes, zero) { .size = 0, .want = 0 };
FIXTURE_VARIANT_ADD(sizes, one_byte) { .size = 1, .want = PAGE };
FIXTURE_VARIANT_ADD(sizes, one_page) { .size = PAGE, .want = PAGE };
FIXTURE_VARIANT_ADD(sizes, page_plus_one) { .size = PAGE + 1, .want = 2 * PAGE };
FIXTURE_VARIANT_ADD(sizes, odd) { .size = 12345, .want = 4 * PAGE };
FIXTURE_VARIANT_ADD(sizes, one_tib) { .size = 1ULL << 40, .want = 1ULL << 40 };
FIXTURE_VARIANT_ADD(sizes, max) {
	.size = ZVMO_VMO_MAX_SIZE, .want = ZVMO_VMO_MAX_SIZE
};
FIXTURE_VARIANT_ADD(sizes, max_rounds_up_to_max) {
	.size = ZVMO_VMO_MAX_SIZE - PAGE + 1, .want = ZVMO_VMO_MAX_SIZE
};
FIXTURE_VARIANT_ADD(sizes, max_plus_one) {
	.size = ZVMO_VMO_MAX_SIZE + 1, .err = -ERANGE
};
FIXTURE_VARIANT_ADD(sizes, u64_max) { .size = UINT64_MAX, .err = -ERANGE };

FIXTURE_SETUP(sizes)
{
	self->fd = -1;
}

FIXTURE_TEARDOWN(sizes)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(sizes, create)
{
	struct zvmo_stats before, after;
	struct zvmo_vmo_info info;
	struct stat st;

	ASSERT_EQ(0, zt_stats(&before));
	self->fd = zt_create(variant->size, 0, 0);
	if (variant->err) {
		ASSERT_EQ(variant->err, self->fd);
		ASSERT_EQ(0, zt_stats(&after));
		ASSERT_EQ(before.vmos, after.vmos);
		return;
	}
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, zt_info(self->fd, &info));
	ASSERT_EQ(variant->want, info.size);
	ASSERT_EQ(variant->want, info.content_size);
	ASSERT_EQ(ZVMO_INFO_PAGED, info.flags);
	/* Every right but resize, which only resizable VMOs give. */
	ASSERT_EQ(ZVMO_RIGHTS_ALL & ~ZVMO_RIGHT_RESIZE, info.rights);
	ASSERT_EQ(0, info.committed_bytes);
	ASSERT_EQ(0, fstat(self->fd, &st));
	ASSERT_EQ(variant->want, (uint64_t)st.st_size);
	ASSERT_EQ((off_t)variant->want, lseek(self->fd, 0, SEEK_END));
	/* Sparse: no size costs a page until it is written. */
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.pages, after.pages);
	ASSERT_EQ(before.vmos + 1, after.vmos);
}

TEST(create_close_counts)
{
	struct zvmo_stats before, mid, after;
	int fd;

	ASSERT_EQ(0, zt_stats(&before));
	fd = zt_create(PAGE, ZVMO_VMO_RESIZABLE, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zt_stats(&mid));
	ASSERT_EQ(before.vmos + 1, mid.vmos);
	ASSERT_EQ(before.handles + 1, mid.handles);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
	ASSERT_EQ(before.handles, after.handles);
}

TEST(resizable_flag)
{
	struct zvmo_vmo_info info;
	int fd;

	fd = zt_create(PAGE, ZVMO_VMO_RESIZABLE, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_EQ(ZVMO_INFO_PAGED | ZVMO_INFO_RESIZABLE, info.flags);
	ASSERT_EQ(ZVMO_RIGHTS_ALL, info.rights);
	close(fd);
}

TEST(koids_unique)
{
	struct zvmo_vmo_info a, b;
	int fa, fb;

	fa = zt_create(PAGE, 0, 0);
	fb = zt_create(PAGE, 0, 0);
	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, zt_info(fa, &a));
	ASSERT_EQ(0, zt_info(fb, &b));
	ASSERT_NE(0, a.koid);
	ASSERT_LT(a.koid, b.koid);
	close(fa);
	close(fb);
	/* A koid is never handed out again. */
	fa = zt_create(PAGE, 0, 0);
	ASSERT_LE(0, fa);
	ASSERT_EQ(0, zt_info(fa, &a));
	ASSERT_LT(b.koid, a.koid);
	close(fa);
}

TEST(bad_options)
{
	struct zvmo_vmo_create c = { .argsz = sizeof(c), .size = PAGE };
	struct zvmo_stats before, after;
	int bit;

	ASSERT_EQ(0, zt_stats(&before));
	/* 1 << 2 is of pager VMOs only; 1 << 3 is ZVMO_VMO_NO_COMPRESS. */
	ASSERT_EQ(-EINVAL, zt_create(PAGE, 1U << 2, 0));
	for (bit = 4; bit < 32; bit++)
		ASSERT_EQ(-EINVAL, zt_create(PAGE, 1U << bit, 0));
	for (bit = 1; bit < 32; bit++)
		ASSERT_EQ(-EINVAL, zt_create(PAGE, 0, 1U << bit));
	c.reserved = 1;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE, &c)));
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
	ASSERT_EQ(before.handles, after.handles);
}

TEST(bad_struct_sizes)
{
	struct {
		struct zvmo_vmo_create c;
		uint64_t tail[4];
	} big;
	struct zvmo_vmo_create c = { .size = PAGE };
	char *page;
	int fd;

	c.argsz = 0;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE, &c)));
	c.argsz = 4;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE, &c)));
	c.argsz = sizeof(c) - 1;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE, &c)));

	/* A newer, longer struct: fine while its unknown tail is zero. */
	memset(&big, 0, sizeof(big));
	big.c.argsz = sizeof(big);
	big.c.size = PAGE;
	fd = zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE, &big));
	ASSERT_LE(0, fd);
	close(fd);
	big.tail[3] = 1;
	ASSERT_EQ(-E2BIG, zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE, &big)));

	/* Absurd sizes are refused before anything is read past the header. */
	c.argsz = 1U << 20;
	ASSERT_EQ(-E2BIG, zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE, &c)));
	c.argsz = UINT32_MAX;
	ASSERT_EQ(-E2BIG, zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE, &c)));

	/* Bad pointers. */
	ASSERT_EQ(-EFAULT, zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE, NULL)));
	page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, munmap(page + PAGE, PAGE));
	/* argsz is readable but the struct runs into an unmapped page. */
	memcpy(page + PAGE - 4, &(uint32_t){ sizeof(c) }, 4);
	ASSERT_EQ(-EFAULT, zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_CREATE,
					page + PAGE - 4)));
	munmap(page, PAGE);
}

TEST(wrong_object_type)
{
	struct zvmo_vmo_info info = { .argsz = sizeof(info) };
	struct zvmo_vmo_create c = { .argsz = sizeof(c), .size = PAGE };
	int fd, pipefd[2];

	/* VMO calls on the device, device calls on a VMO. */
	ASSERT_EQ(-ENOTTY, zt_ret(ioctl(zt_dev(), ZVMO_IOC_VMO_INFO, &info)));
	fd = zt_create(PAGE, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-ENOTTY, zt_ret(ioctl(fd, ZVMO_IOC_VMO_CREATE, &c)));
	ASSERT_EQ(-ENOTTY, zt_ret(ioctl(fd, _IO(ZVMO_IOC_MAGIC, 0x7f))));
	ASSERT_EQ(-ENOTTY, zt_ret(ioctl(zt_dev(), _IO(ZVMO_IOC_MAGIC, 0x7f))));
	close(fd);

	/* Our calls on descriptors that are not ours. */
	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(-ENOTTY, zt_ret(ioctl(pipefd[0], ZVMO_IOC_VMO_INFO, &info)));
	close(pipefd[0]);
	close(pipefd[1]);
	ASSERT_EQ(-EBADF, zt_ret(ioctl(pipefd[0], ZVMO_IOC_VMO_INFO, &info)));
}

static int fd_open_after_exec(int fd)
{
	char cmd[64];
	pid_t pid;
	int status;

	snprintf(cmd, sizeof(cmd), "test -e /proc/self/fd/%d", fd);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 0;
}

TEST(cloexec)
{
	int fd, plain, dup_ce;

	fd = zt_create(PAGE, 0, ZVMO_FD_CLOEXEC);
	plain = zt_create(PAGE, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, plain);
	ASSERT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, fcntl(plain, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, fd_open_after_exec(fd));
	ASSERT_EQ(1, fd_open_after_exec(plain));

	dup_ce = zt_dup(plain, ZVMO_RIGHT_SAME_RIGHTS, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, dup_ce);
	ASSERT_EQ(FD_CLOEXEC, fcntl(dup_ce, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, fd_open_after_exec(dup_ce));
	close(fd);
	close(plain);
	close(dup_ce);
}

TEST(dup_rights)
{
	struct zvmo_vmo_info a, b;
	uint32_t ro = ZVMO_RIGHT_READ | ZVMO_RIGHT_DUPLICATE;
	int fd, d, d2;

	fd = zt_create(PAGE, 0, 0);
	ASSERT_LE(0, fd);
	d = zt_dup(fd, ro, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, zt_info(fd, &a));
	ASSERT_EQ(0, zt_info(d, &b));
	ASSERT_EQ(a.koid, b.koid);
	ASSERT_EQ(ro, b.rights);

	/* Rights only shrink. */
	ASSERT_EQ(-EINVAL, zt_dup(d, ro | ZVMO_RIGHT_WRITE, 0));
	ASSERT_EQ(-EINVAL, zt_dup(fd, ZVMO_RIGHTS_ALL | (1U << 20), 0));
	/* Not resizable: no resize right to give. */
	ASSERT_EQ(-EINVAL, zt_dup(fd, ZVMO_RIGHT_RESIZE, 0));
	d2 = zt_dup(d, ZVMO_RIGHT_SAME_RIGHTS, 0);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, zt_info(d2, &b));
	ASSERT_EQ(ro, b.rights);
	close(d2);

	/* Without the duplicate right there is no duplicate. */
	d2 = zt_dup(d, ZVMO_RIGHT_READ, 0);
	ASSERT_LE(0, d2);
	ASSERT_EQ(-EACCES, zt_dup(d2, ZVMO_RIGHT_READ, 0));
	ASSERT_EQ(-EINVAL, zt_dup(d2, ZVMO_RIGHT_READ, 2));
	close(d2);
	close(d);
	close(fd);
}

TEST(handle_outlives_other_handles)
{
	struct zvmo_stats before, after;
	int fd, d;

	ASSERT_EQ(0, zt_stats(&before));
	fd = zt_create(PAGE, 0, 0);
	ASSERT_LE(0, fd);
	d = zt_dup(fd, ZVMO_RIGHT_SAME_RIGHTS, 0);
	ASSERT_LE(0, d);
	close(fd);
	ASSERT_EQ(PAGE, zt_size(d));
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos + 1, after.vmos);
	close(d);
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
}

TEST(pass_over_unix_socket)
{
	struct zvmo_name n = { .argsz = sizeof(n) };
	struct zvmo_vmo_info info;
	int sv[2], fd, ro, status;
	uint64_t koid;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct zvmo_vmo_info ci;
		int got;

		close(sv[0]);
		got = zt_recv_fd(sv[1]);
		if (got < 0 || zt_info(got, &ci))
			_exit(1);
		if (ci.size != 3 * PAGE || ci.rights != ZVMO_RIGHT_READ ||
		    strcmp(ci.name, "passed"))
			_exit(2);
		/* Tell the parent our koid. */
		if (write(sv[1], &ci.koid, sizeof(ci.koid)) != sizeof(ci.koid))
			_exit(3);
		close(got);
		_exit(0);
	}
	close(sv[1]);
	fd = zt_create(3 * PAGE, 0, 0);
	ASSERT_LE(0, fd);
	strcpy(n.name, "passed");
	ASSERT_EQ(0, zt_ret(ioctl(fd, ZVMO_IOC_VMO_SET_NAME, &n)));
	ro = zt_dup(fd, ZVMO_RIGHT_READ, 0);
	ASSERT_LE(0, ro);
	ASSERT_EQ(0, zt_send_fd(sv[0], ro));
	/* The message holds its own reference. */
	close(ro);
	ASSERT_EQ(sizeof(koid), read(sv[0], &koid, sizeof(koid)));
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_EQ(info.koid, koid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	close(sv[0]);
	close(fd);
}

TEST(name)
{
	struct zvmo_name n = { .argsz = sizeof(n) };
	struct zvmo_vmo_info info;
	int fd, ro;

	fd = zt_create(PAGE, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_STREQ("", info.name);

	memset(n.name, 'x', sizeof(n.name));	/* no NUL at all */
	ASSERT_EQ(0, zt_ret(ioctl(fd, ZVMO_IOC_VMO_SET_NAME, &n)));
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_EQ(ZVMO_NAME_LEN - 1, strlen(info.name));
	ASSERT_EQ('\0', info.name[ZVMO_NAME_LEN - 1]);

	memset(n.name, 0, sizeof(n.name));
	strcpy(n.name, "short");
	ASSERT_EQ(0, zt_ret(ioctl(fd, ZVMO_IOC_VMO_SET_NAME, &n)));
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_STREQ("short", info.name);
	/* The old, longer name leaves nothing behind. */
	ASSERT_EQ(0, info.name[6]);
	ASSERT_EQ(0, info.name[ZVMO_NAME_LEN - 2]);

	n.reserved = 1;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(fd, ZVMO_IOC_VMO_SET_NAME, &n)));
	n.reserved = 0;
	ro = zt_dup(fd, ZVMO_RIGHT_READ | ZVMO_RIGHT_GET_PROPERTY, 0);
	ASSERT_LE(0, ro);
	ASSERT_EQ(-EACCES, zt_ret(ioctl(ro, ZVMO_IOC_VMO_SET_NAME, &n)));
	close(ro);
	close(fd);
}

TEST(content_size)
{
	struct zvmo_content_size cs = { .argsz = sizeof(cs) };
	struct zvmo_vmo_info info;
	int fd;

	fd = zt_create(2 * PAGE, 0, 0);
	ASSERT_LE(0, fd);
	cs.content_size = 100;
	ASSERT_EQ(0, zt_ret(ioctl(fd, ZVMO_IOC_VMO_SET_CONTENT_SIZE, &cs)));
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_EQ(100, info.content_size);
	ASSERT_EQ(2 * PAGE, info.size);
	cs.content_size = 2 * PAGE + 1;
	ASSERT_EQ(-ERANGE,
		  zt_ret(ioctl(fd, ZVMO_IOC_VMO_SET_CONTENT_SIZE, &cs)));
	ASSERT_EQ(0, zt_info(fd, &info));
	ASSERT_EQ(100, info.content_size);
	close(fd);
}

TEST(info_short_struct)
{
	struct zvmo_vmo_info info;
	int fd;

	fd = zt_create(PAGE, 0, 0);
	ASSERT_LE(0, fd);
	/* An old caller that knows only up to @size gets only that. */
	memset(&info, 0xa5, sizeof(info));
	info.argsz = offsetof(struct zvmo_vmo_info, content_size);
	info.reserved = 0;
	ASSERT_EQ(0, zt_ret(ioctl(fd, ZVMO_IOC_VMO_INFO, &info)));
	ASSERT_EQ(PAGE, info.size);
	ASSERT_EQ(0xa5a5a5a5a5a5a5a5ULL, info.content_size);
	info.argsz = 4;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(fd, ZVMO_IOC_VMO_INFO, &info)));
	info.argsz = sizeof(info);
	info.reserved = 7;
	ASSERT_EQ(-EINVAL, zt_ret(ioctl(fd, ZVMO_IOC_VMO_INFO, &info)));
	close(fd);
}

/*
 * Ten thousand creations and closes take some 30 s under KASAN and
 * software emulation: this one gets a longer timeout than the harness's.
 */
FIXTURE(many) {
};

FIXTURE_SETUP(many)
{
}

FIXTURE_TEARDOWN(many)
{
}

TEST_F_TIMEOUT(many, ten_thousand_vmos, 180)
{
	struct zvmo_stats before, mid, after;
	enum { TOTAL = 10000, BATCH = 500 };
	int fds[BATCH];
	int i, j;

	ASSERT_EQ(0, zt_stats(&before));
	for (i = 0; i < TOTAL; i += BATCH) {
		for (j = 0; j < BATCH; j++) {
			fds[j] = zt_create((j + 1) * PAGE, j & 1, 0);
			ASSERT_LE(0, fds[j]);
		}
		ASSERT_EQ(0, zt_stats(&mid));
		ASSERT_EQ(before.vmos + BATCH, mid.vmos);
		ASSERT_EQ(before.handles + BATCH, mid.handles);
		for (j = 0; j < BATCH; j++)
			ASSERT_EQ(0, close(fds[j]));
	}
	ASSERT_EQ(0, zt_stats(&after));
	ASSERT_EQ(before.vmos, after.vmos);
	ASSERT_EQ(before.handles, after.handles);
	ASSERT_EQ(before.pages, after.pages);
	ASSERT_EQ(before.page_list_nodes, after.page_list_nodes);
}

TEST(no_reopen_through_proc)
{
	struct zvmo_vmo_info info;
	char path[64];
	int fd, ro, again;

	fd = zt_create(PAGE, 0, 0);
	ASSERT_LE(0, fd);
	ro = zt_dup(fd, ZVMO_RIGHT_READ, 0);
	ASSERT_LE(0, ro);
	/* A read-only handle cannot be reopened into a writable one. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ro);
	again = open(path, O_RDWR);
	if (again >= 0) {
		/* If the open works, it must not be a VMO handle. */
		EXPECT_EQ(-ENOTTY, zt_info(again, &info));
		EXPECT_EQ(-1, write(again, "x", 1));
		close(again);
	}
	ASSERT_EQ(-1, again);
	close(ro);
	close(fd);
}

TEST(device_is_world_usable)
{
	struct stat st;

	ASSERT_EQ(0, stat(ZVMO_DEVICE_PATH, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(0666, st.st_mode & 0777);
}

TEST_HARNESS_MAIN
