// SPDX-License-Identifier: GPL-2.0
/*
 * The Zircon layer of libzvmo: Fuchsia's calls, status codes and
 * structures over the module.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zvmo/zx.h>

#include "kselftest_harness.h"

#define PAGE 4096ULL

static uint64_t committed(zx_handle_t vmo)
{
	zx_info_vmo_t info;

	if (zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL,
			       NULL) != ZX_OK)
		return UINT64_MAX;
	return info.committed_bytes;
}

TEST(create_read_write)
{
	char buf[16] = { 0 };
	zx_handle_t vmo;
	uint64_t size;

	ASSERT_EQ(ZX_OK, zx_vmo_create(3 * PAGE + 1, 0, &vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_get_size(vmo, &size));
	ASSERT_EQ(4 * PAGE, size);
	ASSERT_EQ(ZX_OK, zx_vmo_write(vmo, "zircon", PAGE - 3, 6));
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, PAGE - 3, 6));
	ASSERT_STREQ("zircon", buf);
	ASSERT_EQ(2 * PAGE, committed(vmo));
	/* Out of range, also exactly at the end. */
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(vmo, buf, 4 * PAGE, 1));
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(vmo, buf, 4 * PAGE - 1, 2));
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_write(vmo, buf, 4 * PAGE, 1));
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_vmo_read(vmo, buf, UINT64_MAX - 1, 4));
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, 4 * PAGE, 0));
	ASSERT_EQ(ZX_OK, zx_handle_close(vmo));
}

TEST(create_errors)
{
	zx_handle_t vmo;

	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_vmo_create(PAGE, 1U << 30, &vmo));
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_create(UINT64_MAX, 0, &vmo));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_vmo_create(PAGE, 0, NULL));
}

TEST(op_range)
{
	zx_handle_t vmo;

	ASSERT_EQ(ZX_OK, zx_vmo_create(16 * PAGE, 0, &vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 1, PAGE,
					 NULL, 0));
	ASSERT_EQ(2 * PAGE, committed(vmo));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 1, PAGE, NULL, 0));
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 15 * PAGE, 2 * PAGE,
				  NULL, 0));
	ASSERT_EQ(ZX_OK, zx_vmo_op_range(vmo, ZX_VMO_OP_ZERO, 0, 16 * PAGE,
					 NULL, 0));
	ASSERT_EQ(0, committed(vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, 16 * PAGE,
					 NULL, 0));
	ASSERT_EQ(ZX_OK, zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, 8 * PAGE,
					 NULL, 0));
	ASSERT_EQ(8 * PAGE, committed(vmo));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_vmo_op_range(vmo, 0x7fff, 0, PAGE, NULL, 0));
	zx_handle_close(vmo);
}

TEST(set_size)
{
	zx_handle_t fixed, resizable;
	uint64_t size, content;

	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &fixed));
	ASSERT_EQ(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(fixed, 2 * PAGE));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &resizable));
	ASSERT_EQ(ZX_OK, zx_vmo_set_size(resizable, 10 * PAGE + 5));
	ASSERT_EQ(ZX_OK, zx_vmo_get_size(resizable, &size));
	ASSERT_EQ(11 * PAGE, size);
	ASSERT_EQ(ZX_OK, zx_object_get_property(resizable,
						ZX_PROP_VMO_CONTENT_SIZE,
						&content, sizeof(content)));
	ASSERT_EQ(11 * PAGE, content);
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_set_size(resizable, UINT64_MAX));
	zx_handle_close(fixed);
	zx_handle_close(resizable);
}

TEST(info_vmo)
{
	zx_info_vmo_t info;
	size_t actual = 0, avail = 0;
	zx_handle_t vmo;

	ASSERT_EQ(ZX_OK, zx_vmo_create(2 * PAGE, ZX_VMO_RESIZABLE, &vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_write(vmo, "x", 0, 1));
	ASSERT_EQ(ZX_OK, zx_object_get_info(vmo, ZX_INFO_VMO, &info,
					    sizeof(info), &actual, &avail));
	ASSERT_EQ(1, actual);
	ASSERT_EQ(1, avail);
	ASSERT_NE(0, info.koid);
	ASSERT_EQ(2 * PAGE, info.size_bytes);
	ASSERT_EQ(PAGE, info.committed_bytes);
	ASSERT_EQ(PAGE, info.populated_bytes);
	ASSERT_EQ(0, info.parent_koid);
	ASSERT_EQ(0, info.num_children);
	ASSERT_TRUE(info.flags & ZX_INFO_VMO_TYPE_PAGED);
	ASSERT_TRUE(info.flags & ZX_INFO_VMO_RESIZABLE);
	ASSERT_FALSE(info.flags & ZX_INFO_VMO_IS_COW_CLONE);
	ASSERT_TRUE(info.handle_rights & ZX_RIGHT_WRITE);
	ASSERT_EQ(ZX_CACHE_POLICY_CACHED, info.cache_policy);
	ASSERT_EQ(ZX_ERR_BUFFER_TOO_SMALL,
		  zx_object_get_info(vmo, ZX_INFO_VMO, &info, 8, &actual,
				     &avail));
	zx_handle_close(vmo);
}

TEST(info_handle_basic)
{
	zx_info_handle_basic_t basic;
	zx_info_vmo_t info;
	zx_handle_t vmo;

	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &vmo));
	ASSERT_EQ(ZX_OK, zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &basic,
					    sizeof(basic), NULL, NULL));
	ASSERT_EQ(ZX_OK, zx_object_get_info(vmo, ZX_INFO_VMO, &info,
					    sizeof(info), NULL, NULL));
	ASSERT_EQ(info.koid, basic.koid);
	ASSERT_EQ(ZX_OBJ_TYPE_VMO, basic.type);
	ASSERT_EQ(info.handle_rights, basic.rights);
	zx_handle_close(vmo);
}

TEST(name_property)
{
	char name[ZX_MAX_NAME_LEN];
	zx_handle_t vmo;

	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &vmo));
	ASSERT_EQ(ZX_OK, zx_object_set_property(vmo, ZX_PROP_NAME, "a-name",
						6));
	memset(name, 'x', sizeof(name));
	ASSERT_EQ(ZX_OK, zx_object_get_property(vmo, ZX_PROP_NAME, name,
						sizeof(name)));
	ASSERT_STREQ("a-name", name);
	/* Longer names are cut to fit, NUL included. */
	ASSERT_EQ(ZX_OK, zx_object_set_property(vmo, ZX_PROP_NAME,
		  "0123456789012345678901234567890123456789", 40));
	ASSERT_EQ(ZX_OK, zx_object_get_property(vmo, ZX_PROP_NAME, name,
						sizeof(name)));
	ASSERT_EQ(ZX_MAX_NAME_LEN - 1, strlen(name));
	ASSERT_EQ(ZX_ERR_BUFFER_TOO_SMALL,
		  zx_object_get_property(vmo, ZX_PROP_NAME, name, 4));
	zx_handle_close(vmo);
}

TEST(handles_and_rights)
{
	zx_handle_t vmo, ro, again;
	zx_info_handle_basic_t basic;
	char c;

	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &vmo));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(vmo, ZX_RIGHT_READ |
					     ZX_RIGHT_DUPLICATE, &ro));
	ASSERT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_write(ro, "x", 0, 1));
	ASSERT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_vmo_op_range(ro, ZX_VMO_OP_COMMIT, 0, PAGE, NULL, 0));
	ASSERT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_set_size(ro, 2 * PAGE));
	ASSERT_EQ(ZX_OK, zx_vmo_read(ro, &c, 0, 1));
	/* Rights never grow back. */
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_duplicate(ro, ZX_RIGHT_WRITE, &again));
	/* Replace: the new handle has the rights, the old one is gone. */
	ASSERT_EQ(ZX_OK, zx_handle_replace(ro, ZX_RIGHT_READ, &again));
	ASSERT_EQ(-1, fcntl(ro, F_GETFD));
	ASSERT_EQ(ZX_OK, zx_object_get_info(again, ZX_INFO_HANDLE_BASIC,
					    &basic, sizeof(basic), NULL,
					    NULL));
	ASSERT_EQ(ZX_RIGHT_READ, basic.rights);
	ASSERT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_handle_duplicate(again, ZX_RIGHT_SAME_RIGHTS, &ro));
	ASSERT_EQ(ZX_OK, zx_handle_close(again));
	ASSERT_EQ(ZX_OK, zx_handle_close(vmo));
	ASSERT_EQ(ZX_OK, zx_handle_close(ZX_HANDLE_INVALID));
}

TEST(bad_handles)
{
	zx_info_vmo_t info;
	uint64_t size;
	int fd;
	char c;

	ASSERT_EQ(ZX_ERR_BAD_HANDLE, zx_vmo_read(-1, &c, 0, 1));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE, zx_vmo_get_size(12345, &size));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE, zx_handle_close(12345));
	/* A descriptor that is not a VMO is the wrong type. */
	fd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_object_get_info(fd, ZX_INFO_VMO, &info,
							sizeof(info), NULL,
							NULL));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_vmo_set_size(fd, PAGE));
	close(fd);
}

TEST(vmar_map_and_unmap)
{
	zx_handle_t vmo, ro;
	zx_vaddr_t addr, fixed;
	zx_info_vmo_t info;
	char buf[8];

	ASSERT_EQ(ZX_OK, zx_vmo_create(4 * PAGE, 0, &vmo));
	ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(),
				     ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0,
				     vmo, 0, 4 * PAGE, &addr));
	memcpy((char *)addr + PAGE, "mapped", 6);
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, PAGE, 6));
	ASSERT_EQ(0, memcmp(buf, "mapped", 6));
	ASSERT_EQ(ZX_OK, zx_object_get_info(vmo, ZX_INFO_VMO, &info,
					    sizeof(info), NULL, NULL));
	ASSERT_EQ(1, info.num_mappings);

	/* At a chosen address; again there is taken. */
	fixed = addr + 64 * PAGE;
	ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(),
				     ZX_VM_PERM_READ | ZX_VM_SPECIFIC, fixed,
				     vmo, PAGE, PAGE, &fixed));
	ASSERT_EQ(addr + 64 * PAGE, fixed);
	ASSERT_EQ(0, memcmp((char *)fixed, "mapped", 6));
	ASSERT_EQ(ZX_ERR_ALREADY_EXISTS,
		  zx_vmar_map(zx_vmar_root_self(),
			      ZX_VM_PERM_READ | ZX_VM_SPECIFIC, fixed, vmo,
			      0, PAGE, &fixed));
	ASSERT_EQ(ZX_OK, zx_vmar_unmap(zx_vmar_root_self(), fixed, PAGE));

	/* MAP_RANGE maps what is committed and commits nothing. */
	ASSERT_EQ(ZX_OK, zx_vmar_unmap(zx_vmar_root_self(), addr, 4 * PAGE));
	ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(),
				     ZX_VM_PERM_READ | ZX_VM_MAP_RANGE, 0,
				     vmo, 0, 4 * PAGE, &addr));
	ASSERT_EQ(PAGE, committed(vmo));
	ASSERT_EQ('m', *(char *)(addr + PAGE));
	ASSERT_EQ(ZX_OK, zx_vmar_unmap(zx_vmar_root_self(), addr, 4 * PAGE));

	/* Rights and bad arguments. */
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP,
					     &ro));
	ASSERT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_vmar_map(zx_vmar_root_self(),
			      ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, ro, 0,
			      PAGE, &addr));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo,
			      1, PAGE, &addr));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo,
			      0, 0, &addr));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_vmar_map(zx_vmar_root_self(), 1U << 30, 0, vmo, 0, PAGE,
			      &addr));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_vmar_map(vmo, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &addr));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, 4321,
			      0, PAGE, &addr));
	zx_handle_close(ro);
	zx_handle_close(vmo);
}

TEST(hints)
{
	zx_handle_t vmo, none;
	static const uint32_t ops[] = {
		ZX_VMO_OP_ALWAYS_NEED, ZX_VMO_OP_DONT_NEED, ZX_VMO_OP_PREFETCH,
	};
	unsigned int i;

	ASSERT_EQ(ZX_OK, zx_vmo_create(4 * PAGE, 0, &vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_write(vmo, "x", 0, 1));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(vmo, ZX_RIGHT_DUPLICATE, &none));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		ASSERT_EQ(ZX_OK, zx_vmo_op_range(vmo, ops[i], 0, 4 * PAGE,
						 NULL, 0));
		ASSERT_EQ(ZX_ERR_OUT_OF_RANGE,
			  zx_vmo_op_range(vmo, ops[i], PAGE, 4 * PAGE, NULL,
					  0));
		ASSERT_EQ(ZX_ERR_ACCESS_DENIED,
			  zx_vmo_op_range(none, ops[i], 0, PAGE, NULL, 0));
	}
	/* Hints change no content and no commitment. */
	ASSERT_EQ(PAGE, committed(vmo));
	zx_handle_close(none);
	zx_handle_close(vmo);
}

TEST(clock)
{
	zx_time_t a = zx_clock_get_monotonic();
	zx_time_t b = zx_deadline_after(1000000);

	ASSERT_LT(0, a);
	ASSERT_LE(a + 1000000, b);
	ASSERT_EQ(ZX_TIME_INFINITE, zx_deadline_after(ZX_TIME_INFINITE));
}

TEST_HARNESS_MAIN
