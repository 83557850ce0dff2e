// SPDX-License-Identifier: GPL-2.0
/*
 * The Zircon layer of libzvmo: Fuchsia's calls, status codes and
 * structures over the module.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
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

/* Pins made through @bti that are still pinned. */
static uint64_t pmo_count(zx_handle_t bti)
{
	zx_info_bti_t info;

	if (zx_object_get_info(bti, ZX_INFO_BTI, &info, sizeof(info), NULL,
			       NULL) != ZX_OK)
		return UINT64_MAX;
	return info.pmo_count;
}

/* Bytes of @vmo that are pinned, which only the native layer tells. */
static uint64_t pinned(zx_handle_t vmo)
{
	struct zvmo_vmo_info info;

	return zvmo_vmo_info(vmo, &info) ? UINT64_MAX : info.pinned_bytes;
}

static int is_closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
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

TEST(monotonic_clock)
{
	zx_time_t a = zx_clock_get_monotonic();
	zx_time_t b = zx_deadline_after(1000000);

	ASSERT_LT(0, a);
	ASSERT_LE(a + 1000000, b);
	ASSERT_EQ(ZX_TIME_INFINITE, zx_deadline_after(ZX_TIME_INFINITE));
}

TEST(bti_create)
{
	size_t actual = 0, avail = 0;
	struct zvmo_bti_info native;
	zx_handle_t bti, other;
	zx_info_bti_t info;
	int fd;

	ASSERT_EQ(ZX_OK, zx_bti_create(ZX_HANDLE_INVALID, 0, 7, &bti));
	ASSERT_EQ(ZX_OK, zx_object_get_info(bti, ZX_INFO_BTI, &info,
					    sizeof(info), &actual, &avail));
	ASSERT_EQ(1, actual);
	ASSERT_EQ(1, avail);
	ASSERT_EQ(PAGE, info.minimum_contiguity);
	ASSERT_NE(0, info.aspace_size);
	ASSERT_EQ(0, info.pmo_count);
	ASSERT_EQ(0, info.quarantine_count);
	ASSERT_EQ(ZX_ERR_BUFFER_TOO_SMALL,
		  zx_object_get_info(bti, ZX_INFO_BTI, &info, 8, &actual,
				     &avail));
	ASSERT_EQ(0, zvmo_bti_info(bti, &native));
	ASSERT_EQ(7, native.bti_id);
	ASSERT_NE(0, native.koid);

	/* No descriptor is an IOMMU. */
	ASSERT_EQ(ZX_ERR_BAD_HANDLE, zx_bti_create(12345, 0, 0, &other));
	fd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_bti_create(fd, 0, 0, &other));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_bti_create(bti, 0, 0, &other));
	/* The options come first, as in Zircon. */
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_create(ZX_HANDLE_INVALID, 1, 0, &other));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_bti_create(12345, 1U << 31, 0,
						     &other));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_create(ZX_HANDLE_INVALID, 0, 0, NULL));
	close(fd);
	ASSERT_EQ(ZX_OK, zx_handle_close(bti));
}

/*
 * Only a privileged process gets a BTI; one made before privilege is
 * dropped keeps its power. The harness runs each test in a process of its
 * own, so dropping privilege here ends with the test.
 */
TEST(bti_create_needs_privilege)
{
	zx_handle_t bti, other, vmo, pmt;
	zx_paddr_t addr = 0;

	ASSERT_EQ(0, geteuid());
	ASSERT_EQ(ZX_OK, zx_bti_create(ZX_HANDLE_INVALID, 0, 0, &bti));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &vmo));
	/* /dev/zvmo is open already: its permissions are not what is tested. */
	ASSERT_LE(0, zvmo_open());
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	ASSERT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_bti_create(ZX_HANDLE_INVALID, 0, 0, &other));
	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE,
				    &addr, 1, &pmt));
	ASSERT_NE(0, addr);
	ASSERT_EQ(ZX_OK, zx_pmt_unpin(pmt));
	zx_handle_close(vmo);
	zx_handle_close(bti);
}

TEST(bti_pin_pages)
{
	zx_handle_t bti, vmo, pmt, again;
	zx_paddr_t addrs[4], addr = 0;
	int i, j;

	ASSERT_EQ(ZX_OK, zx_bti_create(ZX_HANDLE_INVALID, 0, 0, &bti));
	ASSERT_EQ(ZX_OK, zx_vmo_create(4 * PAGE, 0, &vmo));
	ASSERT_EQ(0, pmo_count(bti));
	memset(addrs, 0, sizeof(addrs));
	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE,
				    vmo, 0, 4 * PAGE, addrs, 4, &pmt));
	ASSERT_EQ(1, pmo_count(bti));
	for (i = 0; i < 4; i++) {
		ASSERT_NE(0, addrs[i]);
		ASSERT_EQ(0, addrs[i] % PAGE);
		for (j = 0; j < i; j++)
			ASSERT_NE(addrs[j], addrs[i]);
	}
	/* Pinning committed the pages. */
	ASSERT_EQ(4 * PAGE, committed(vmo));
	ASSERT_EQ(4 * PAGE, pinned(vmo));

	/* A pinned page stays put: a second pin finds it where it was. */
	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 2 * PAGE, PAGE,
				    &addr, 1, &again));
	ASSERT_EQ(addrs[2], addr);
	ASSERT_EQ(2, pmo_count(bti));
	ASSERT_EQ(4 * PAGE, pinned(vmo));
	ASSERT_EQ(ZX_OK, zx_pmt_unpin(again));
	ASSERT_EQ(1, pmo_count(bti));
	ASSERT_EQ(4 * PAGE, pinned(vmo));
	ASSERT_EQ(ZX_OK, zx_pmt_unpin(pmt));
	ASSERT_EQ(0, pmo_count(bti));
	ASSERT_EQ(0, pinned(vmo));

	/* With no IOMMU, a compressed pin has one address per page too. */
	memset(addrs, 0, sizeof(addrs));
	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ | ZX_BTI_COMPRESS,
				    vmo, 0, 4 * PAGE, addrs, 4, &pmt));
	for (i = 0; i < 4; i++)
		ASSERT_NE(0, addrs[i]);
	ASSERT_EQ(ZX_OK, zx_pmt_unpin(pmt));
	ASSERT_EQ(0, pmo_count(bti));
	zx_handle_close(vmo);
	zx_handle_close(bti);
}

TEST(bti_pin_errors)
{
	zx_handle_t bti, vmo, ro, nomap, pmt;
	const uint32_t r = ZX_BTI_PERM_READ;
	zx_paddr_t addrs[8];

	ASSERT_EQ(ZX_OK, zx_bti_create(ZX_HANDLE_INVALID, 0, 0, &bti));
	ASSERT_EQ(ZX_OK, zx_vmo_create(4 * PAGE, 0, &vmo));

	/* One address per page, no more and no fewer. */
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, r, vmo, 0, 4 * PAGE, addrs, 3, &pmt));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, r, vmo, 0, 4 * PAGE, addrs, 5, &pmt));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, r | ZX_BTI_COMPRESS, vmo, 0, 4 * PAGE, addrs,
			     1, &pmt));
	/* The forms exclude each other; CONTIGUOUS needs a contiguous VMO. */
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, r | ZX_BTI_COMPRESS | ZX_BTI_CONTIGUOUS, vmo,
			     0, 4 * PAGE, addrs, 1, &pmt));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, r | ZX_BTI_CONTIGUOUS, vmo, 0, 4 * PAGE,
			     addrs, 1, &pmt));
	/* A permission is needed, and unknown options are refused. */
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, 0, vmo, 0, PAGE, addrs, 1, &pmt));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, r | (1U << 20), vmo, 0, PAGE, addrs, 1,
			     &pmt));
	/* The range: inside the VMO, page-aligned, not empty. */
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_bti_pin(bti, r, vmo, 2 * PAGE, 4 * PAGE, addrs, 4, &pmt));
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_bti_pin(bti, r, vmo, UINT64_MAX & ~(PAGE - 1), PAGE,
			     addrs, 1, &pmt));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, r, vmo, 1, PAGE, addrs, 1, &pmt));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, r, vmo, 0, PAGE + 1, addrs, 2, &pmt));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, r, vmo, 0, 0, addrs, 0, &pmt));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, r, vmo, 0, PAGE, addrs, 1, NULL));

	/* Handles, in Zircon's order: the BTI, the alignment, the VMO. */
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_bti_pin(ZX_HANDLE_INVALID, r, vmo, 0, PAGE, addrs, 1,
			     &pmt));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_bti_pin(12345, r, 12345, 1, PAGE, addrs, 1, &pmt));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_bti_pin(vmo, r, vmo, 0, PAGE, addrs, 1, &pmt));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_bti_pin(bti, r, 12345, 1, PAGE, addrs, 1, &pmt));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_bti_pin(bti, r, 12345, 0, PAGE, addrs, 1, &pmt));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_bti_pin(bti, r, bti, 0, PAGE, addrs, 1, &pmt));

	/* Rights: MAP, and READ or WRITE as the permissions ask. */
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(vmo, ZX_RIGHT_READ |
					     ZX_RIGHT_WRITE, &nomap));
	ASSERT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_bti_pin(bti, r, nomap, 0, PAGE, addrs, 1, &pmt));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP,
					     &ro));
	ASSERT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_bti_pin(bti, ZX_BTI_PERM_WRITE, ro, 0, PAGE, addrs, 1,
			     &pmt));
	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, r, ro, 0, PAGE, addrs, 1, &pmt));
	ASSERT_EQ(ZX_OK, zx_pmt_unpin(pmt));

	/* None of the failures left a pin behind. */
	ASSERT_EQ(0, pmo_count(bti));
	ASSERT_EQ(0, pinned(vmo));
	zx_handle_close(ro);
	zx_handle_close(nomap);
	zx_handle_close(vmo);
	zx_handle_close(bti);
}

/* Pins of a page nest up to a limit; past it, nothing stays pinned. */
TEST(bti_pin_nesting_limit)
{
	zx_handle_t bti, vmo, pmts[ZVMO_PIN_MAX_NEST], extra;
	zx_paddr_t addrs[2];
	int i;

	ASSERT_EQ(ZX_OK, zx_bti_create(ZX_HANDLE_INVALID, 0, 0, &bti));
	ASSERT_EQ(ZX_OK, zx_vmo_create(2 * PAGE, 0, &vmo));
	for (i = 0; i < ZVMO_PIN_MAX_NEST; i++)
		ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, PAGE,
					    PAGE, addrs, 1, &pmts[i]));
	/* Page 0 is pinned before page 1 fails, and must be let go. */
	ASSERT_EQ(ZX_ERR_UNAVAILABLE,
		  zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, 2 * PAGE, addrs, 2,
			     &extra));
	ASSERT_EQ(PAGE, pinned(vmo));
	ASSERT_EQ(ZVMO_PIN_MAX_NEST, pmo_count(bti));
	for (i = 0; i < ZVMO_PIN_MAX_NEST; i++)
		ASSERT_EQ(ZX_OK, zx_pmt_unpin(pmts[i]));
	ASSERT_EQ(0, pinned(vmo));
	ASSERT_EQ(0, pmo_count(bti));
	zx_handle_close(vmo);
	zx_handle_close(bti);
}

TEST(pmt_unpin)
{
	zx_handle_t bti, vmo, pmt;
	struct zvmo_pmt_info info;
	zx_paddr_t addr;
	int dup;

	ASSERT_EQ(ZX_OK, zx_bti_create(ZX_HANDLE_INVALID, 0, 0, &bti));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &vmo));

	/* Unpinning consumes the handle. */
	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &addr,
				    1, &pmt));
	ASSERT_EQ(1, pmo_count(bti));
	ASSERT_EQ(ZX_OK, zx_pmt_unpin(pmt));
	ASSERT_TRUE(is_closed(pmt));
	ASSERT_EQ(0, pmo_count(bti));
	ASSERT_EQ(0, pinned(vmo));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE, zx_pmt_unpin(pmt));

	/* It unpins for every descriptor of the PMT. */
	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &addr,
				    1, &pmt));
	dup = fcntl(pmt, F_DUPFD_CLOEXEC, 0);
	ASSERT_LE(0, dup);
	ASSERT_EQ(ZX_OK, zx_pmt_unpin(pmt));
	ASSERT_EQ(0, zvmo_pmt_info(dup, &info));
	ASSERT_EQ(0, info.pinned);
	ASSERT_EQ(0, pmo_count(bti));
	close(dup);

	/* Closing the last handle unpins too. */
	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &addr,
				    1, &pmt));
	ASSERT_EQ(PAGE, pinned(vmo));
	ASSERT_EQ(ZX_OK, zx_handle_close(pmt));
	ASSERT_EQ(0, pmo_count(bti));
	ASSERT_EQ(0, pinned(vmo));

	/* Not a PMT: the wrong type, and consumed all the same, as Zircon. */
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_pmt_unpin(vmo));
	ASSERT_TRUE(is_closed(vmo));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_pmt_unpin(bti));
	ASSERT_TRUE(is_closed(bti));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE, zx_pmt_unpin(ZX_HANDLE_INVALID));
}

TEST(info_handle_basic_bti_pmt)
{
	zx_info_handle_basic_t vb, bb, pb;
	zx_handle_t bti, vmo, pmt;
	struct zvmo_pmt_info pi;
	zx_info_vmo_t vinfo;
	zx_info_bti_t binfo;
	zx_paddr_t addr;
	int fd;

	ASSERT_EQ(ZX_OK, zx_bti_create(ZX_HANDLE_INVALID, 0, 0, &bti));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &vmo));
	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &addr,
				    1, &pmt));
	ASSERT_EQ(ZX_OK, zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &vb,
					    sizeof(vb), NULL, NULL));
	ASSERT_EQ(ZX_OK, zx_object_get_info(bti, ZX_INFO_HANDLE_BASIC, &bb,
					    sizeof(bb), NULL, NULL));
	ASSERT_EQ(ZX_OK, zx_object_get_info(pmt, ZX_INFO_HANDLE_BASIC, &pb,
					    sizeof(pb), NULL, NULL));
	ASSERT_EQ(ZX_OBJ_TYPE_VMO, vb.type);
	ASSERT_EQ(ZX_OBJ_TYPE_BTI, bb.type);
	ASSERT_EQ(ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_MAP |
		  ZX_RIGHTS_BASIC, bb.rights);
	ASSERT_EQ(ZX_OBJ_TYPE_PMT, pb.type);
	ASSERT_EQ(ZX_RIGHTS_BASIC, pb.rights);
	ASSERT_NE(0, bb.koid);
	ASSERT_NE(0, pb.koid);
	ASSERT_NE(vb.koid, bb.koid);
	ASSERT_NE(vb.koid, pb.koid);
	ASSERT_NE(bb.koid, pb.koid);
	ASSERT_EQ(0, bb.related_koid);
	ASSERT_EQ(0, pb.related_koid);
	ASSERT_EQ(0, zvmo_pmt_info(pmt, &pi));
	ASSERT_EQ(pi.koid, pb.koid);
	ASSERT_EQ(vb.koid, pi.vmo_koid);

	/* Each of the other topics wants its own kind. */
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_object_get_info(bti, ZX_INFO_VMO, &vinfo, sizeof(vinfo),
				     NULL, NULL));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_object_get_info(pmt, ZX_INFO_VMO, &vinfo, sizeof(vinfo),
				     NULL, NULL));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_object_get_info(vmo, ZX_INFO_BTI, &binfo, sizeof(binfo),
				     NULL, NULL));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_object_get_info(pmt, ZX_INFO_BTI, &binfo, sizeof(binfo),
				     NULL, NULL));
	/* And a descriptor of none of them is still the wrong type. */
	fd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_object_get_info(fd, ZX_INFO_HANDLE_BASIC, &pb, sizeof(pb),
				     NULL, NULL));
	close(fd);
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_object_get_info(12345, ZX_INFO_HANDLE_BASIC, &pb,
				     sizeof(pb), NULL, NULL));
	ASSERT_EQ(ZX_OK, zx_pmt_unpin(pmt));
	zx_handle_close(vmo);
	zx_handle_close(bti);
}

TEST(contiguous)
{
	zx_handle_t bti, vmo, pmt, pages_pmt, child;
	zx_paddr_t one = 0, part = 0, pages[16];
	zx_info_vmo_t info;
	char c = 'x';
	int i;

	ASSERT_EQ(ZX_OK, zx_bti_create(ZX_HANDLE_INVALID, 0, 0, &bti));
	ASSERT_EQ(ZX_OK, zx_vmo_create_contiguous(bti, 16 * PAGE, 16, &vmo));
	ASSERT_EQ(ZX_OK, zx_object_get_info(vmo, ZX_INFO_VMO, &info,
					    sizeof(info), NULL, NULL));
	ASSERT_TRUE(info.flags & ZX_INFO_VMO_CONTIGUOUS);
	ASSERT_FALSE(info.flags & ZX_INFO_VMO_RESIZABLE);
	ASSERT_EQ(16 * PAGE, info.size_bytes);
	/* Committed from the start. */
	ASSERT_EQ(16 * PAGE, info.committed_bytes);

	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ | ZX_BTI_CONTIGUOUS,
				    vmo, 0, 16 * PAGE, &one, 1, &pmt));
	ASSERT_NE(0, one);
	ASSERT_EQ(0, one % (64 * 1024));
	memset(pages, 0, sizeof(pages));
	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, 16 * PAGE,
				    pages, 16, &pages_pmt));
	for (i = 0; i < 16; i++)
		ASSERT_EQ(pages[0] + i * PAGE, pages[i]);
	ASSERT_EQ(one, pages[0]);
	ASSERT_EQ(ZX_OK, zx_pmt_unpin(pages_pmt));
	/* A contiguous pin of part of it: the address of that part. */
	ASSERT_EQ(ZX_OK, zx_bti_pin(bti, ZX_BTI_PERM_READ | ZX_BTI_CONTIGUOUS,
				    vmo, 4 * PAGE, 2 * PAGE, &part, 1,
				    &pages_pmt));
	ASSERT_EQ(one + 4 * PAGE, part);
	ASSERT_EQ(ZX_OK, zx_pmt_unpin(pages_pmt));
	ASSERT_EQ(ZX_OK, zx_pmt_unpin(pmt));

	/* Its pages stay: no decommit, no snapshot; ZERO zeroes in place. */
	ASSERT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
	ASSERT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 16 * PAGE,
				      &child));
	ASSERT_EQ(ZX_OK, zx_vmo_write(vmo, &c, 5 * PAGE, 1));
	ASSERT_EQ(ZX_OK, zx_vmo_op_range(vmo, ZX_VMO_OP_ZERO, 0, 16 * PAGE,
					 NULL, 0));
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, &c, 5 * PAGE, 1));
	ASSERT_EQ(0, c);
	ASSERT_EQ(16 * PAGE, committed(vmo));
	zx_handle_close(vmo);
	zx_handle_close(bti);
}

TEST(contiguous_errors)
{
	zx_handle_t bti, plain, vmo;
	uint64_t size;

	ASSERT_EQ(ZX_OK, zx_bti_create(ZX_HANDLE_INVALID, 0, 0, &bti));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &plain));
	/* The size and the alignment come before the handle, as in Zircon. */
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_vmo_create_contiguous(bti, 0, 0, &vmo));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_vmo_create_contiguous(12345, 0, 0, &vmo));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_vmo_create_contiguous(bti, PAGE, 11, &vmo));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_vmo_create_contiguous(bti, PAGE, 64, &vmo));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_vmo_create_contiguous(12345, PAGE, 0, &vmo));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_vmo_create_contiguous(ZX_HANDLE_INVALID, PAGE, 0, &vmo));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_vmo_create_contiguous(plain, PAGE, 0, &vmo));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_vmo_create_contiguous(bti, PAGE, 0, NULL));
	/* More than the page allocator gives in one piece (x86-64). */
	ASSERT_EQ(ZX_ERR_NO_MEMORY,
		  zx_vmo_create_contiguous(bti, 2048 * PAGE, 0, &vmo));
	/* Alignment 0 is a page's; the size rounds up to pages. */
	ASSERT_EQ(ZX_OK, zx_vmo_create_contiguous(bti, PAGE + 1, 0, &vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_get_size(vmo, &size));
	ASSERT_EQ(2 * PAGE, size);
	zx_handle_close(vmo);
	zx_handle_close(plain);
	zx_handle_close(bti);
}

static uint32_t cache_policy(zx_handle_t vmo)
{
	zx_info_vmo_t info;

	if (zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL,
			       NULL) != ZX_OK)
		return UINT32_MAX;
	return info.cache_policy;
}

TEST(set_cache_policy)
{
	zx_handle_t vmo, used, fresh, nomap, child, bti, contig;

	ASSERT_EQ(ZX_OK, zx_vmo_create(4 * PAGE, 0, &vmo));
	ASSERT_EQ(ZX_CACHE_POLICY_CACHED, cache_policy(vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_set_cache_policy(vmo,
						 ZX_CACHE_POLICY_UNCACHED));
	ASSERT_EQ(ZX_CACHE_POLICY_UNCACHED, cache_policy(vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_set_cache_policy(vmo,
					ZX_CACHE_POLICY_WRITE_COMBINING));
	ASSERT_EQ(ZX_CACHE_POLICY_WRITE_COMBINING, cache_policy(vmo));
	/* A VMO that is not cached cannot be snapshotted. */
	ASSERT_EQ(ZX_ERR_BAD_STATE,
		  zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE,
				      &child));

	/* Once a page is committed, the policy stays as it is. */
	ASSERT_EQ(ZX_OK, zx_vmo_create(4 * PAGE, 0, &used));
	ASSERT_EQ(ZX_OK, zx_vmo_write(used, "x", 0, 1));
	ASSERT_EQ(ZX_ERR_BAD_STATE,
		  zx_vmo_set_cache_policy(used, ZX_CACHE_POLICY_UNCACHED));
	ASSERT_EQ(ZX_CACHE_POLICY_CACHED, cache_policy(used));

	/* The policy is checked first, then the handle, then its rights. */
	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_vmo_set_cache_policy(vmo, 7));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_vmo_set_cache_policy(12345, 7));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_vmo_set_cache_policy(12345, ZX_CACHE_POLICY_CACHED));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &fresh));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(fresh, ZX_RIGHT_READ |
					     ZX_RIGHT_WRITE, &nomap));
	ASSERT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_vmo_set_cache_policy(nomap, ZX_CACHE_POLICY_UNCACHED));
	ASSERT_EQ(ZX_CACHE_POLICY_CACHED, cache_policy(fresh));

	/* A contiguous VMO is committed, and may change all the same. */
	ASSERT_EQ(ZX_OK, zx_bti_create(ZX_HANDLE_INVALID, 0, 0, &bti));
	ASSERT_EQ(ZX_OK, zx_vmo_create_contiguous(bti, 4 * PAGE, 0, &contig));
	ASSERT_EQ(4 * PAGE, committed(contig));
	ASSERT_EQ(ZX_OK, zx_vmo_set_cache_policy(contig,
						 ZX_CACHE_POLICY_UNCACHED));
	ASSERT_EQ(ZX_CACHE_POLICY_UNCACHED, cache_policy(contig));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_vmo_set_cache_policy(bti, ZX_CACHE_POLICY_CACHED));
	zx_handle_close(contig);
	zx_handle_close(bti);
	zx_handle_close(nomap);
	zx_handle_close(fresh);
	zx_handle_close(used);
	zx_handle_close(vmo);
}

/*
 * Pagers and ports. A "file" is served: its byte at offset @off of the VMO
 * with key @key is file_byte(@key, @off).
 */
#define BATCH_BYTES	((uint64_t)ZVMO_PAGER_BATCH * PAGE)
#define KEY(i)		(0x5ca1ab1e00000000ULL | (uint64_t)(i))
#define NKEYS		8
#define LOG_MAX		512
#define NTHREADS_MAX	4

static uint8_t file_byte(uint64_t key, uint64_t off)
{
	return (uint8_t)((off / PAGE) * 31 + (off % PAGE) * 7 + key * 13);
}

static void file_fill(uint8_t *buf, uint64_t key, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = file_byte(key, off + i);
}

/* The offset of the first byte of @buf that is not the file's, or -1. */
static int64_t file_mismatch(const uint8_t *buf, uint64_t key, uint64_t off,
			     size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != file_byte(key, off + i))
			return (int64_t)(off + i);
	return -1;
}

/*
 * Supply [@off, @off + @len) of @vmo from the file, through @aux and
 * @buf, both of @bufsize bytes at least.
 */
static zx_status_t supply_file(zx_handle_t pager, zx_handle_t vmo,
			       zx_handle_t aux, uint8_t *buf, size_t bufsize,
			       uint64_t key, uint64_t off, uint64_t len)
{
	zx_status_t status;
	uint64_t n;

	while (len) {
		n = len < bufsize ? len : bufsize;
		file_fill(buf, key, off, n);
		status = zx_vmo_write(aux, buf, 0, n);
		if (status == ZX_OK)
			status = zx_pager_supply_pages(pager, vmo, off, n, aux,
						       0);
		if (status != ZX_OK)
			return status;
		off += n;
		len -= n;
	}
	return ZX_OK;
}

/*
 * Answer a READ request as a pager must when memory is short: a page at a
 * time, each tried again, and a page that still cannot be supplied is
 * failed rather than left with its waiters blocked. The first status met.
 */
static zx_status_t serve_file(zx_handle_t pager, zx_handle_t vmo,
			      zx_handle_t aux, uint8_t *buf, size_t bufsize,
			      uint64_t key, uint64_t off, uint64_t len)
{
	zx_status_t status, first = ZX_OK;
	uint64_t o;
	int tries;

	status = supply_file(pager, vmo, aux, buf, bufsize, key, off, len);
	if (status != ZX_ERR_NO_MEMORY)
		return status;
	for (o = off; o < off + len; o += PAGE) {
		status = ZX_ERR_NO_MEMORY;
		for (tries = 0; status == ZX_ERR_NO_MEMORY && tries < 100;
		     tries++)
			status = supply_file(pager, vmo, aux, buf, bufsize,
					     key, o, PAGE);
		if (status == ZX_ERR_NO_MEMORY)
			for (tries = 0; tries < 100; tries++)
				if (zx_pager_op_range(pager, ZX_PAGER_OP_FAIL,
						      vmo, o, PAGE,
						      (uint64_t)ZX_ERR_IO) !=
				    ZX_ERR_NO_MEMORY)
					break;
		if (status != ZX_OK && first == ZX_OK)
			first = status;
	}
	return first;
}

/*
 * Pager threads on one port: each answers READ packets from the file until
 * told to stop, counts every packet by key and command, and logs the first
 * LOG_MAX. The VMO (and pager) of key KEY(i) are at index i, stored before
 * anything reads that VMO.
 */
struct server {
	zx_handle_t port;
	zx_handle_t pagers[NKEYS];
	zx_handle_t vmos[NKEYS];
	pthread_t threads[NTHREADS_MAX];
	int nthreads;
	int stop;
	pthread_mutex_t lock;
	zx_port_packet_t log[LOG_MAX];
	int nlog;
	int counts[NKEYS][3];	/* by key index and command */
	zx_status_t error;	/* the first unexpected status */
};

static void server_error(struct server *s, zx_status_t status)
{
	pthread_mutex_lock(&s->lock);
	if (s->error == ZX_OK)
		s->error = status;
	pthread_mutex_unlock(&s->lock);
}

static void server_set(struct server *s, unsigned int i, zx_handle_t pager,
		       zx_handle_t vmo)
{
	__atomic_store_n(&s->pagers[i], pager, __ATOMIC_RELEASE);
	__atomic_store_n(&s->vmos[i], vmo, __ATOMIC_RELEASE);
}

static void *serve(void *arg)
{
	struct server *s = arg;
	zx_handle_t aux = ZX_HANDLE_INVALID, pager, vmo;
	zx_port_packet_t pkt;
	zx_status_t status;
	uint8_t *buf;
	uint64_t i;
	int tries;

	buf = malloc(BATCH_BYTES);
	status = ZX_ERR_NO_MEMORY;
	/* A server that is not there leaves its VMOs' readers blocked. */
	for (tries = 0; buf && status == ZX_ERR_NO_MEMORY && tries < 100;
	     tries++)
		status = zx_vmo_create(BATCH_BYTES, 0, &aux);
	if (status != ZX_OK) {
		server_error(s, status);
		free(buf);
		return NULL;
	}
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		status = zx_port_wait(s->port, zx_deadline_after(ZX_MSEC(20)),
				      &pkt);
		if (status == ZX_ERR_TIMED_OUT || status == ZX_ERR_NO_MEMORY)
			continue;
		if (status != ZX_OK) {
			server_error(s, status);
			break;
		}
		i = pkt.key - KEY(0);
		if (pkt.type != ZX_PKT_TYPE_PAGE_REQUEST ||
		    pkt.status != ZX_OK || i >= NKEYS ||
		    pkt.page_request.command > ZX_PAGER_VMO_DIRTY) {
			server_error(s, ZX_ERR_INTERNAL);
			continue;
		}
		pthread_mutex_lock(&s->lock);
		if (s->nlog < LOG_MAX)
			s->log[s->nlog++] = pkt;
		s->counts[i][pkt.page_request.command]++;
		pthread_mutex_unlock(&s->lock);
		if (pkt.page_request.command != ZX_PAGER_VMO_READ)
			continue;
		pager = __atomic_load_n(&s->pagers[i], __ATOMIC_ACQUIRE);
		vmo = __atomic_load_n(&s->vmos[i], __ATOMIC_ACQUIRE);
		status = serve_file(pager, vmo, aux, buf, BATCH_BYTES, pkt.key,
				    pkt.page_request.offset,
				    pkt.page_request.length);
		/* A VMO detached or closed meanwhile is no error. */
		if (status != ZX_OK && status != ZX_ERR_BAD_STATE)
			server_error(s, status);
	}
	zx_handle_close(aux);
	free(buf);
	return NULL;
}

static int server_start(struct server *s, zx_handle_t port, int nthreads)
{
	int i;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->port = port;
	for (i = 0; i < NKEYS; i++) {
		s->pagers[i] = ZX_HANDLE_INVALID;
		s->vmos[i] = ZX_HANDLE_INVALID;
	}
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&s->threads[i], NULL, serve, s))
			break;
		s->nthreads++;
	}
	return s->nthreads == nthreads ? 0 : -1;
}

/* Stop and join the threads; the first unexpected status they met. */
static zx_status_t server_stop(struct server *s)
{
	int i;

	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	s->nthreads = 0;
	return s->error;
}

/* Packets of command @command the server got for @key, or any (~0). */
static int logged(struct server *s, uint64_t key, uint16_t command)
{
	int i, n = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < NKEYS; i++)
		if (key == ~0ULL || key == KEY(i))
			n += s->counts[i][command];
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* Wait up to 10 s for the server to have got @n such packets. */
static int server_wait(struct server *s, uint64_t key, uint16_t command,
		       int n)
{
	int i;

	for (i = 0; i < 1000 && logged(s, key, command) < n; i++)
		usleep(10000);
	return logged(s, key, command);
}

/* A thread that reads a range of a VMO, to block on its pager. */
struct reader {
	pthread_t thread;
	zx_handle_t vmo;
	uint64_t off;
	size_t len;
	uint8_t *buf;
	zx_status_t status;
};

static void *read_main(void *arg)
{
	struct reader *r = arg;

	r->status = zx_vmo_read(r->vmo, r->buf, r->off, r->len);
	return NULL;
}

static int reader_start(struct reader *r, zx_handle_t vmo, uint64_t off,
			size_t len)
{
	r->vmo = vmo;
	r->off = off;
	r->len = len;
	r->status = ZX_ERR_INTERNAL;
	r->buf = malloc(len);
	if (!r->buf)
		return -1;
	if (pthread_create(&r->thread, NULL, read_main, r)) {
		free(r->buf);
		return -1;
	}
	return 0;
}

static zx_status_t reader_join(struct reader *r)
{
	pthread_join(r->thread, NULL);
	return r->status;
}

/* The registrations in a port's epoll set, from /proc. */
static int port_watches(zx_handle_t port)
{
	char path[64], line[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", port);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "tfd:", 4))
			n++;
	fclose(f);
	return n;
}

/* Wait up to 10 s for a packet. */
static zx_status_t wait_packet(zx_handle_t port, zx_port_packet_t *pkt)
{
	return zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), pkt);
}

/* No packet comes within @ms milliseconds. */
static bool no_packet(zx_handle_t port, int ms)
{
	zx_port_packet_t pkt;

	return zx_port_wait(port, zx_deadline_after(ZX_MSEC(ms)), &pkt) ==
	       ZX_ERR_TIMED_OUT;
}

TEST(pager_and_port_create)
{
	zx_handle_t pager, port;

	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_pager_create(1, &pager));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_pager_create(0, NULL));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_port_create(1, &port));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_port_create(0, NULL));
	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_NE(pager, port);
	/* Handles of this layer do not survive exec. */
	ASSERT_TRUE(fcntl(pager, F_GETFD) & FD_CLOEXEC);
	ASSERT_TRUE(fcntl(port, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(ZX_OK, zx_handle_close(pager));
	ASSERT_EQ(ZX_OK, zx_handle_close(port));
	ASSERT_TRUE(is_closed(pager));
	ASSERT_TRUE(is_closed(port));
}

TEST(pager_supplies_reads)
{
	zx_handle_t pager, port, vmo, part;
	const zx_port_packet_t *pkt;
	struct server s;
	zx_info_vmo_t info;
	uint8_t *buf;

	buf = malloc(16 * PAGE);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(0),
					     16 * PAGE, &vmo));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(1),
					     8 * PAGE, &part));
	ASSERT_EQ(0, committed(vmo));
	ASSERT_EQ(0, server_start(&s, port, 1));
	server_set(&s, 0, pager, vmo);
	server_set(&s, 1, pager, part);

	/* One read of 16 missing pages: one request for all of them. */
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, 0, 16 * PAGE));
	ASSERT_EQ(-1, file_mismatch(buf, KEY(0), 0, 16 * PAGE));
	ASSERT_EQ(16 * PAGE, committed(vmo));
	/* Present now: read again, without asking. */
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, 5 * PAGE + 17, 3 * PAGE));
	ASSERT_EQ(-1, file_mismatch(buf, KEY(0), 5 * PAGE + 17, 3 * PAGE));

	/* One byte in the middle: a request that starts at its page. */
	ASSERT_EQ(ZX_OK, zx_vmo_read(part, buf, 5 * PAGE + 9, 1));
	ASSERT_EQ(file_byte(KEY(1), 5 * PAGE + 9), buf[0]);
	ASSERT_EQ(ZX_OK, zx_vmo_read(part, buf, 0, 8 * PAGE));
	ASSERT_EQ(-1, file_mismatch(buf, KEY(1), 0, 8 * PAGE));

	ASSERT_EQ(ZX_OK, server_stop(&s));
	ASSERT_LE(3, s.nlog);
	pkt = &s.log[0];
	ASSERT_EQ(KEY(0), pkt->key);
	ASSERT_EQ(ZX_PKT_TYPE_PAGE_REQUEST, pkt->type);
	ASSERT_EQ(ZX_OK, pkt->status);
	ASSERT_EQ(ZX_PAGER_VMO_READ, pkt->page_request.command);
	ASSERT_EQ(0, pkt->page_request.flags);
	ASSERT_EQ(0, pkt->page_request.offset);
	ASSERT_EQ(16 * PAGE, pkt->page_request.length);
	ASSERT_EQ(1, logged(&s, KEY(0), ZX_PAGER_VMO_READ));
	pkt = &s.log[1];
	ASSERT_EQ(KEY(1), pkt->key);
	ASSERT_EQ(ZX_PAGER_VMO_READ, pkt->page_request.command);
	ASSERT_EQ(5 * PAGE, pkt->page_request.offset);
	ASSERT_LE(PAGE, pkt->page_request.length);
	ASSERT_EQ(0, pkt->page_request.length % PAGE);
	ASSERT_GE(8 * PAGE, pkt->page_request.offset +
			    pkt->page_request.length);

	ASSERT_EQ(ZX_OK, zx_object_get_info(vmo, ZX_INFO_VMO, &info,
					    sizeof(info), NULL, NULL));
	ASSERT_TRUE(info.flags & ZX_INFO_VMO_PAGER_BACKED);
	ASSERT_EQ(16 * PAGE, info.committed_bytes);
	ASSERT_EQ(ZX_OK, zx_handle_close(part));
	ASSERT_EQ(ZX_OK, zx_handle_close(vmo));
	ASSERT_EQ(ZX_OK, zx_handle_close(pager));
	ASSERT_EQ(ZX_OK, zx_handle_close(port));
	free(buf);
}

/* A fault through a mapping asks the pager as a read does. */
TEST(pager_serves_faults)
{
	zx_handle_t pager, port, vmo;
	struct server s;
	zx_vaddr_t addr;
	const uint8_t *p;
	uint64_t off;

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(2),
					     8 * PAGE, &vmo));
	ASSERT_EQ(0, server_start(&s, port, 1));
	server_set(&s, 2, pager, vmo);
	ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(),
				     ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0,
				     vmo, 0, 8 * PAGE, &addr));
	p = (const uint8_t *)addr;
	/* A write fault on a missing page has it read in first. */
	((uint8_t *)addr)[7 * PAGE + 1] = 0xee;
	ASSERT_EQ(file_byte(KEY(2), 7 * PAGE), p[7 * PAGE]);
	ASSERT_EQ(0xee, p[7 * PAGE + 1]);
	ASSERT_EQ(file_byte(KEY(2), 7 * PAGE + 2), p[7 * PAGE + 2]);
	for (off = 0; off < 7 * PAGE; off += PAGE / 2 + 1)
		ASSERT_EQ(file_byte(KEY(2), off), p[off]);
	ASSERT_EQ(ZX_OK, zx_vmar_unmap(zx_vmar_root_self(), addr, 8 * PAGE));
	ASSERT_EQ(ZX_OK, server_stop(&s));
	ASSERT_LE(1, logged(&s, KEY(2), ZX_PAGER_VMO_READ));
	ASSERT_EQ(8 * PAGE, committed(vmo));
	zx_handle_close(vmo);
	zx_handle_close(pager);
	zx_handle_close(port);
}

TEST(pager_supply_errors)
{
	zx_handle_t pager, other, port, vmo, others, plain, aux, ro, child;
	uint8_t buf[2 * PAGE];

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_pager_create(0, &other));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(0),
					     4 * PAGE, &vmo));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(other, 0, port, KEY(1),
					     4 * PAGE, &others));
	ASSERT_EQ(ZX_OK, zx_vmo_create(4 * PAGE, 0, &plain));
	ASSERT_EQ(ZX_OK, zx_vmo_create(4 * PAGE, 0, &aux));

	/* Ranges: past the end of either VMO, or not page aligned. */
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_pager_supply_pages(pager, vmo, 2 * PAGE, 4 * PAGE, aux, 0));
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_pager_supply_pages(pager, vmo, 0, 2 * PAGE, aux,
					3 * PAGE));
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_pager_supply_pages(pager, vmo, UINT64_MAX & ~(PAGE - 1),
					PAGE, aux, 0));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_supply_pages(pager, vmo, 1, PAGE, aux, 0));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_supply_pages(pager, vmo, 0, PAGE + 1, aux, 0));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_supply_pages(pager, vmo, 0, PAGE, aux, 1));
	/* Only the pager's own VMOs. */
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_supply_pages(pager, others, 0, PAGE, aux, 0));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_supply_pages(pager, plain, 0, PAGE, aux, 0));

	/* Handles, in Zircon's order: pager, VMO, alignment, aux VMO. */
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_pager_supply_pages(12345, 12346, 0, PAGE, aux, 0));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_pager_supply_pages(plain, 12346, 0, PAGE, aux, 0));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_pager_supply_pages(port, vmo, 0, PAGE, aux, 0));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_pager_supply_pages(pager, 12346, 1, PAGE, aux, 0));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_pager_supply_pages(pager, port, 0, PAGE, aux, 0));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_supply_pages(pager, others, 0, PAGE, 12347, 0));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_supply_pages(pager, vmo, 1, PAGE, 12347, 0));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_supply_pages(pager, vmo, 0, PAGE, port, 1));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_pager_supply_pages(pager, vmo, 0, PAGE, 12347, 0));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_pager_supply_pages(pager, vmo, 0, PAGE, port, 0));
	/* The aux VMO: readable, writable, with no children. */
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(aux, ZX_RIGHT_READ |
					     ZX_RIGHT_DUPLICATE, &ro));
	ASSERT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_pager_supply_pages(pager, vmo, 0, PAGE, ro, 0));
	ASSERT_EQ(ZX_OK, zx_vmo_create_child(aux, ZX_VMO_CHILD_SNAPSHOT, 0,
					     PAGE, &child));
	ASSERT_EQ(ZX_ERR_BAD_STATE,
		  zx_pager_supply_pages(pager, vmo, 0, PAGE, aux, 0));
	ASSERT_EQ(ZX_OK, zx_handle_close(child));
	/* None of it brought a page, or a packet. */
	ASSERT_EQ(0, committed(vmo));
	ASSERT_TRUE(no_packet(port, 0));

	/* Pages may come before anybody asks; the aux VMO gives them away. */
	file_fill(buf, KEY(0), PAGE, 2 * PAGE);
	ASSERT_EQ(ZX_OK, zx_vmo_write(aux, buf, PAGE, 2 * PAGE));
	ASSERT_EQ(ZX_OK, zx_pager_supply_pages(pager, vmo, PAGE, 2 * PAGE,
					       aux, PAGE));
	ASSERT_EQ(0, committed(aux));
	ASSERT_EQ(ZX_OK, zx_vmo_read(aux, buf, PAGE, 2 * PAGE));
	ASSERT_EQ(0, buf[0]);
	ASSERT_EQ(0, buf[2 * PAGE - 1]);
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, PAGE, 2 * PAGE));
	ASSERT_EQ(-1, file_mismatch(buf, KEY(0), PAGE, 2 * PAGE));
	ASSERT_EQ(2 * PAGE, committed(vmo));
	/* A page the VMO has stays; the new one is dropped. */
	memset(buf, 0x5a, PAGE);
	ASSERT_EQ(ZX_OK, zx_vmo_write(aux, buf, 0, PAGE));
	ASSERT_EQ(ZX_OK, zx_pager_supply_pages(pager, vmo, PAGE, PAGE, aux,
					       0));
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, PAGE, PAGE));
	ASSERT_EQ(-1, file_mismatch(buf, KEY(0), PAGE, PAGE));
	/* A hole in the aux VMO supplies zeros. */
	ASSERT_EQ(ZX_OK, zx_pager_supply_pages(pager, vmo, 0, PAGE, aux,
					       3 * PAGE));
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, 0, PAGE));
	ASSERT_EQ(0, buf[0]);
	ASSERT_EQ(0, buf[PAGE - 1]);
	ASSERT_TRUE(no_packet(port, 0));

	zx_handle_close(ro);
	zx_handle_close(aux);
	zx_handle_close(plain);
	zx_handle_close(others);
	zx_handle_close(vmo);
	zx_handle_close(other);
	zx_handle_close(pager);
	zx_handle_close(port);
}

TEST(pager_fail_range)
{
	static const zx_status_t codes[] = {
		ZX_ERR_IO, ZX_ERR_IO_DATA_INTEGRITY, ZX_ERR_BAD_STATE,
		ZX_ERR_NO_SPACE, ZX_ERR_BUFFER_TOO_SMALL,
	};
	static const uint32_t unsupported[] = { 0, 5, 1234 };
	zx_handle_t pager, other, port, vmo, others, aux;
	zx_port_packet_t pkt;
	struct reader r;
	uint8_t buf[PAGE];
	unsigned int i;

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_pager_create(0, &other));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(3),
					     4 * PAGE, &vmo));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(other, 0, port, KEY(4),
					     4 * PAGE, &others));

	/* Each status Zircon permits reaches the access that waited. */
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		ASSERT_EQ(0, reader_start(&r, vmo, PAGE + 5, 10));
		ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
		ASSERT_EQ(KEY(3), pkt.key);
		ASSERT_EQ(ZX_PAGER_VMO_READ, pkt.page_request.command);
		ASSERT_EQ(PAGE, pkt.page_request.offset);
		ASSERT_EQ(ZX_OK, zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, vmo,
						   pkt.page_request.offset,
						   pkt.page_request.length,
						   (uint64_t)(int64_t)codes[i]));
		ASSERT_EQ(codes[i], reader_join(&r));
		free(r.buf);
	}

	/* Later accesses ask again, and get the pages this time. */
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &aux));
	ASSERT_EQ(0, reader_start(&r, vmo, PAGE + 5, 10));
	ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
	ASSERT_EQ(PAGE, pkt.page_request.offset);
	ASSERT_EQ(ZX_OK, supply_file(pager, vmo, aux, buf, sizeof(buf), KEY(3),
				     pkt.page_request.offset,
				     pkt.page_request.length));
	ASSERT_EQ(ZX_OK, reader_join(&r));
	ASSERT_EQ(-1, file_mismatch(r.buf, KEY(3), PAGE + 5, 10));
	free(r.buf);

	/* Any other status is refused, even one of the right value. */
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, vmo, 0, PAGE,
				    (uint64_t)(int64_t)ZX_ERR_NO_MEMORY));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, vmo, 0, PAGE,
				    ZX_OK));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, vmo, 0, PAGE,
				    (uint32_t)ZX_ERR_IO));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, vmo, 0, PAGE,
				    EIO));
	/* The range: aligned, inside. Failing nothing outstanding is fine. */
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, vmo, 1, PAGE,
				    (uint64_t)(int64_t)ZX_ERR_IO));
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, vmo, 2 * PAGE,
				    4 * PAGE, (uint64_t)(int64_t)ZX_ERR_IO));
	ASSERT_EQ(ZX_OK, zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, vmo, 0,
					   4 * PAGE,
					   (uint64_t)(int64_t)ZX_ERR_IO));

	/* Ops Zircon does not know: not supported... */
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		ASSERT_EQ(ZX_ERR_NOT_SUPPORTED,
			  zx_pager_op_range(pager, unsupported[i], vmo, 0,
					    PAGE, 0));
		/* ...once the handles pass, as in Zircon. */
		ASSERT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_pager_op_range(12345, unsupported[i], vmo, 0,
					    PAGE, 0));
		ASSERT_EQ(ZX_ERR_WRONG_TYPE,
			  zx_pager_op_range(vmo, unsupported[i], vmo, 0,
					    PAGE, 0));
		ASSERT_EQ(ZX_ERR_WRONG_TYPE,
			  zx_pager_op_range(pager, unsupported[i], port, 0,
					    PAGE, 0));
		ASSERT_EQ(ZX_ERR_INVALID_ARGS,
			  zx_pager_op_range(pager, unsupported[i], others, 0,
					    PAGE, 0));
	}
	/* The handles come before the status, too. */
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, others, 0, PAGE,
				    (uint64_t)(int64_t)ZX_ERR_IO));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, 12345, 0, PAGE,
				    (uint64_t)(int64_t)ZX_ERR_NO_MEMORY));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_pager_op_range(port, ZX_PAGER_OP_FAIL, vmo, 0, PAGE,
				    (uint64_t)(int64_t)ZX_ERR_NO_MEMORY));
	ASSERT_TRUE(no_packet(port, 0));

	zx_handle_close(aux);
	zx_handle_close(others);
	zx_handle_close(vmo);
	zx_handle_close(other);
	zx_handle_close(pager);
	zx_handle_close(port);
}

TEST(pager_detach)
{
	zx_handle_t pager, other, port, vmo, others, aux;
	zx_port_packet_t pkt;
	struct reader r;
	struct server s;
	uint8_t buf[PAGE];

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_pager_create(0, &other));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(5),
					     4 * PAGE, &vmo));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(other, 0, port, KEY(6),
					     PAGE, &others));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &aux));
	ASSERT_EQ(0, server_start(&s, port, 1));
	server_set(&s, 5, pager, vmo);

	/* Page 0 read (clean), page 1 read in and written (dirty). */
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, 0, 1));
	ASSERT_EQ(file_byte(KEY(5), 0), buf[0]);
	ASSERT_EQ(ZX_OK, zx_vmo_write(vmo, "dirty", PAGE + 8, 5));
	ASSERT_EQ(2 * PAGE, committed(vmo));

	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_pager_detach_vmo(pager, others));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_pager_detach_vmo(pager, aux));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE, zx_pager_detach_vmo(12345, vmo));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_pager_detach_vmo(vmo, vmo));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE, zx_pager_detach_vmo(pager, 12345));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_pager_detach_vmo(pager, port));
	ASSERT_EQ(ZX_OK, zx_pager_detach_vmo(pager, vmo));
	ASSERT_EQ(1, server_wait(&s, KEY(5), ZX_PAGER_VMO_COMPLETE, 1));
	ASSERT_EQ(ZX_OK, server_stop(&s));

	/* COMPLETE came, once: no second one when the VMO goes later. */
	ASSERT_EQ(1, logged(&s, KEY(5), ZX_PAGER_VMO_COMPLETE));
	pkt = s.log[s.nlog - 1];
	ASSERT_EQ(KEY(5), pkt.key);
	ASSERT_EQ(ZX_PKT_TYPE_PAGE_REQUEST, pkt.type);
	ASSERT_EQ(ZX_PAGER_VMO_COMPLETE, pkt.page_request.command);
	ASSERT_EQ(0, pkt.page_request.offset);
	ASSERT_EQ(0, pkt.page_request.length);

	/* Missing pages fail, and so do the clean ones, which went. */
	ASSERT_EQ(ZX_ERR_BAD_STATE, zx_vmo_read(vmo, buf, 2 * PAGE, 1));
	ASSERT_EQ(ZX_ERR_BAD_STATE, zx_vmo_read(vmo, buf, 0, 1));
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, PAGE + 8, 5));
	ASSERT_EQ(0, memcmp(buf, "dirty", 5));
	ASSERT_EQ(PAGE, committed(vmo));
	ASSERT_EQ(ZX_ERR_BAD_STATE,
		  zx_pager_supply_pages(pager, vmo, 2 * PAGE, PAGE, aux, 0));
	ASSERT_EQ(ZX_ERR_BAD_STATE,
		  zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, vmo, 0, PAGE,
				    (uint64_t)(int64_t)ZX_ERR_IO));
	/* Detaching again does nothing. */
	ASSERT_EQ(ZX_OK, zx_pager_detach_vmo(pager, vmo));
	ASSERT_TRUE(no_packet(port, 50));
	ASSERT_EQ(ZX_OK, zx_handle_close(vmo));
	ASSERT_TRUE(no_packet(port, 50));

	/* A waiter on a page when its VMO is detached fails at once. */
	ASSERT_EQ(0, reader_start(&r, others, 0, PAGE));
	ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
	ASSERT_EQ(KEY(6), pkt.key);
	ASSERT_EQ(ZX_PAGER_VMO_READ, pkt.page_request.command);
	ASSERT_EQ(ZX_OK, zx_pager_detach_vmo(other, others));
	ASSERT_EQ(ZX_ERR_BAD_STATE, reader_join(&r));
	free(r.buf);
	ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
	ASSERT_EQ(KEY(6), pkt.key);
	ASSERT_EQ(ZX_PAGER_VMO_COMPLETE, pkt.page_request.command);

	/* Closing a VMO's last handle sends COMPLETE too. */
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(other, 0, port, KEY(7), PAGE,
					     &vmo));
	ASSERT_EQ(ZX_OK, zx_handle_close(vmo));
	ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
	ASSERT_EQ(KEY(7), pkt.key);
	ASSERT_EQ(ZX_PAGER_VMO_COMPLETE, pkt.page_request.command);
	ASSERT_TRUE(no_packet(port, 0));

	zx_handle_close(aux);
	zx_handle_close(others);
	zx_handle_close(other);
	zx_handle_close(pager);
	zx_handle_close(port);
}

TEST(port_wait_deadlines)
{
	zx_handle_t port, pager, vmo;
	zx_port_packet_t pkt;
	zx_time_t start, deadline;
	struct reader r;
	int tries;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	/* A deadline that passed looks once, and returns at once. */
	start = zx_clock_get_monotonic();
	ASSERT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(port, 0, &pkt));
	ASSERT_EQ(ZX_ERR_TIMED_OUT,
		  zx_port_wait(port, ZX_TIME_INFINITE_PAST, &pkt));
	ASSERT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(port, start - 1, &pkt));
	ASSERT_GT(ZX_MSEC(200), zx_clock_get_monotonic() - start);
	/* A deadline ahead is waited for, and not much longer. */
	deadline = zx_deadline_after(ZX_MSEC(50));
	ASSERT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(port, deadline, &pkt));
	ASSERT_LE(deadline, zx_clock_get_monotonic());
	ASSERT_GT(deadline + ZX_SEC(2), zx_clock_get_monotonic());

	/* Handles and the packet pointer. */
	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE, zx_port_wait(12345, 0, &pkt));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE, zx_port_wait(ZX_HANDLE_INVALID, 0, &pkt));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_port_wait(pager, 0, &pkt));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zx_port_wait(port, 0, NULL));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE, zx_port_wait(12345, 0, NULL));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_port_wait(pager, 0, NULL));

	/* Looking with a passed deadline finds a packet that is there. */
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(0), PAGE,
					     &vmo));
	ASSERT_EQ(0, reader_start(&r, vmo, 0, 1));
	for (tries = 0; tries < 10000; tries++) {
		if (zx_port_wait(port, 0, &pkt) == ZX_OK)
			break;
		usleep(1000);
	}
	ASSERT_GT(10000, tries);
	ASSERT_EQ(KEY(0), pkt.key);
	ASSERT_EQ(ZX_PAGER_VMO_READ, pkt.page_request.command);
	ASSERT_EQ(ZX_OK, zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, vmo, 0,
					   PAGE,
					   (uint64_t)(int64_t)ZX_ERR_IO));
	ASSERT_EQ(ZX_ERR_IO, reader_join(&r));
	free(r.buf);
	ASSERT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(port, 0, &pkt));

	zx_handle_close(vmo);
	zx_handle_close(pager);
	zx_handle_close(port);
}

struct port_waiter {
	pthread_t thread;
	zx_handle_t port;
	zx_time_t deadline;
	zx_status_t status;
};

static void *port_wait_main(void *arg)
{
	struct port_waiter *w = arg;
	zx_port_packet_t pkt;

	w->status = zx_port_wait(w->port, w->deadline, &pkt);
	return NULL;
}

/*
 * A port does not keep a pager alive: closing the pager's last handle
 * takes it out of the port, fails what waits for it, and sends nothing.
 */
TEST(pager_closed_while_port_open)
{
	zx_handle_t pager, port, vmo, aux, dup;
	struct port_waiter w;
	zx_port_packet_t pkt;
	uint8_t buf[PAGE];
	struct reader r;

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(0, port_watches(port));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(1), 4 * PAGE,
					     &vmo));
	ASSERT_EQ(1, port_watches(port));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &aux));
	ASSERT_EQ(ZX_OK, supply_file(pager, vmo, aux, buf, sizeof(buf), KEY(1),
				     0, PAGE));

	/* Someone waits for page 2, and a pager thread for packets. */
	ASSERT_EQ(0, reader_start(&r, vmo, 2 * PAGE, 1));
	ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
	ASSERT_EQ(2 * PAGE, pkt.page_request.offset);
	w.port = port;
	w.deadline = zx_deadline_after(ZX_MSEC(300));
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, port_wait_main, &w));

	/* A duplicate keeps it open; the last handle closes it. */
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(pager, ZX_RIGHT_SAME_RIGHTS,
					     &dup));
	ASSERT_EQ(ZX_OK, zx_handle_close(pager));
	ASSERT_EQ(1, port_watches(port));
	ASSERT_EQ(ZX_OK, zx_handle_close(dup));
	ASSERT_EQ(0, port_watches(port));
	ASSERT_EQ(ZX_ERR_BAD_STATE, reader_join(&r));
	free(r.buf);
	pthread_join(w.thread, NULL);
	ASSERT_EQ(ZX_ERR_TIMED_OUT, w.status);

	/* Supplied pages stay; missing ones fail; nothing is sent. */
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, 0, PAGE));
	ASSERT_EQ(-1, file_mismatch(buf, KEY(1), 0, PAGE));
	ASSERT_EQ(ZX_ERR_BAD_STATE, zx_vmo_read(vmo, buf, PAGE, 1));
	ASSERT_EQ(ZX_ERR_BAD_STATE, zx_vmo_read(vmo, buf, 3 * PAGE, 1));
	ASSERT_TRUE(no_packet(port, 50));
	ASSERT_EQ(ZX_OK, zx_handle_close(vmo));
	ASSERT_TRUE(no_packet(port, 50));
	/* The port still works for a new pager. */
	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(2), PAGE,
					     &vmo));
	ASSERT_EQ(ZX_OK, zx_handle_close(vmo));
	ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
	ASSERT_EQ(KEY(2), pkt.key);
	ASSERT_EQ(ZX_PAGER_VMO_COMPLETE, pkt.page_request.command);

	zx_handle_close(pager);
	zx_handle_close(aux);
	zx_handle_close(port);
}

TEST(pager_vmo_properties)
{
	zx_handle_t pager, port, vmo, resizable, plain, child;
	zx_info_vmo_t info;
	uint64_t size;
	uint8_t c;

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(0),
					     3 * PAGE + 1, &vmo));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, ZX_VMO_RESIZABLE, port,
					     KEY(1), PAGE, &resizable));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &plain));

	ASSERT_EQ(ZX_OK, zx_object_get_info(vmo, ZX_INFO_VMO, &info,
					    sizeof(info), NULL, NULL));
	ASSERT_TRUE(info.flags & ZX_INFO_VMO_PAGER_BACKED);
	ASSERT_TRUE(info.flags & ZX_INFO_VMO_TYPE_PAGED);
	ASSERT_FALSE(info.flags & ZX_INFO_VMO_RESIZABLE);
	ASSERT_FALSE(info.handle_rights & ZX_RIGHT_RESIZE);
	ASSERT_TRUE(info.handle_rights & ZX_RIGHT_WRITE);
	ASSERT_EQ(4 * PAGE, info.size_bytes);
	ASSERT_EQ(0, info.committed_bytes);
	ASSERT_EQ(ZX_OK, zx_object_get_info(resizable, ZX_INFO_VMO, &info,
					    sizeof(info), NULL, NULL));
	ASSERT_TRUE(info.flags & ZX_INFO_VMO_PAGER_BACKED);
	ASSERT_TRUE(info.flags & ZX_INFO_VMO_RESIZABLE);
	ASSERT_TRUE(info.handle_rights & ZX_RIGHT_RESIZE);
	ASSERT_EQ(ZX_OK, zx_object_get_info(plain, ZX_INFO_VMO, &info,
					    sizeof(info), NULL, NULL));
	ASSERT_FALSE(info.flags & ZX_INFO_VMO_PAGER_BACKED);

	/* Not on a pager's VMO: snapshots, decommit. */
	ASSERT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE,
				      &child));
	ASSERT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));

	/* What a VMO grows into after shrinking reads zero, unasked. */
	ASSERT_EQ(ZX_OK, zx_vmo_set_size(resizable, 0));
	ASSERT_EQ(ZX_OK, zx_vmo_set_size(resizable, 2 * PAGE));
	ASSERT_EQ(ZX_OK, zx_vmo_get_size(resizable, &size));
	ASSERT_EQ(2 * PAGE, size);
	c = 0xff;
	ASSERT_EQ(ZX_OK, zx_vmo_read(resizable, &c, PAGE + 3, 1));
	ASSERT_EQ(0, c);
	ASSERT_TRUE(no_packet(port, 0));

	zx_handle_close(plain);
	zx_handle_close(resizable);
	zx_handle_close(vmo);
	zx_handle_close(pager);
	zx_handle_close(port);
}

/*
 * A SNAPSHOT_AT_LEAST_ON_WRITE child of a pager's VMO reads what its
 * parent reads, asking the parent's pager, until it writes a page.
 */
TEST(pager_vmo_clone)
{
	zx_handle_t pager, port, vmo, child, grandchild;
	zx_info_vmo_t info, pinfo;
	struct server s;
	uint8_t buf[PAGE];

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(0), 4 * PAGE,
					     &vmo));
	ASSERT_EQ(0, server_start(&s, port, 1));
	server_set(&s, 0, pager, vmo);
	ASSERT_EQ(ZX_OK, zx_vmo_create_child(vmo,
					     ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
					     0, 4 * PAGE, &child));
	ASSERT_EQ(ZX_OK, zx_object_get_info(vmo, ZX_INFO_VMO, &pinfo,
					    sizeof(pinfo), NULL, NULL));
	ASSERT_EQ(ZX_OK, zx_object_get_info(child, ZX_INFO_VMO, &info,
					    sizeof(info), NULL, NULL));
	ASSERT_EQ(pinfo.koid, info.parent_koid);

	/* A page missing in both: the parent's pager is asked for it. */
	ASSERT_EQ(ZX_OK, zx_vmo_read(child, buf, PAGE, PAGE));
	ASSERT_EQ(-1, file_mismatch(buf, KEY(0), PAGE, PAGE));
	ASSERT_EQ(1, server_wait(&s, KEY(0), ZX_PAGER_VMO_READ, 1));
	ASSERT_EQ(PAGE, s.log[0].page_request.offset);
	/* The child's writes are its own... */
	ASSERT_EQ(ZX_OK, zx_vmo_write(child, "child", 2 * PAGE, 5));
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, buf, 2 * PAGE, PAGE));
	ASSERT_EQ(-1, file_mismatch(buf, KEY(0), 2 * PAGE, PAGE));
	/* ...and the parent's show where the child has not written. */
	ASSERT_EQ(ZX_OK, zx_vmo_write(vmo, "parent", 3 * PAGE, 6));
	ASSERT_EQ(ZX_OK, zx_vmo_read(child, buf, 3 * PAGE, 6));
	ASSERT_EQ(0, memcmp(buf, "parent", 6));
	ASSERT_EQ(ZX_OK, zx_vmo_read(child, buf, 2 * PAGE, 5));
	ASSERT_EQ(0, memcmp(buf, "child", 5));

	/* Full snapshots are refused, of the child too. */
	ASSERT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_vmo_create_child(child, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE,
				      &grandchild));
	ASSERT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT_MODIFIED, 0,
				      PAGE, &grandchild));
	ASSERT_EQ(ZX_OK, server_stop(&s));
	zx_handle_close(child);
	zx_handle_close(vmo);
	zx_handle_close(pager);
	zx_handle_close(port);
}

TEST(pager_create_vmo_errors)
{
	zx_handle_t pager, port, plain, vmo;
	zx_port_packet_t pkt;

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &plain));

	/* The pager, then the port, then the options and the size. */
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_pager_create_vmo(12345, 1U << 20, 12346, 0, PAGE, &vmo));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_pager_create_vmo(plain, 1U << 20, 12346, 0, PAGE, &vmo));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_pager_create_vmo(port, 0, port, 0, PAGE, &vmo));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_pager_create_vmo(pager, 1U << 20, 12346, 0, PAGE, &vmo));
	ASSERT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_pager_create_vmo(pager, 0, ZX_HANDLE_INVALID, 0, PAGE,
				      &vmo));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_pager_create_vmo(pager, 1U << 20, plain, 0, UINT64_MAX,
				      &vmo));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_pager_create_vmo(pager, 0, pager, 0, PAGE, &vmo));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_create_vmo(pager, 1U << 20, port, 0, UINT64_MAX,
				      &vmo));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_create_vmo(pager, ZX_VMO_DISCARDABLE, port, 0, PAGE,
				      &vmo));
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_pager_create_vmo(pager, 0, port, 0, UINT64_MAX, &vmo));
	ASSERT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_pager_create_vmo(pager, 0, port, 0, ZVMO_VMO_MAX_SIZE + 1,
				      &vmo));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_create_vmo(pager, 0, port, 0, PAGE, NULL));
	/* Failures leave the pager unbound, and send nothing. */
	ASSERT_EQ(0, port_watches(port));
	ASSERT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(port, 0, &pkt));

	/* The largest size there is, and none at all. */
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(0),
					     ZVMO_VMO_MAX_SIZE, &vmo));
	ASSERT_EQ(ZX_OK, zx_handle_close(vmo));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(1), 0, &vmo));
	ASSERT_EQ(ZX_OK, zx_handle_close(vmo));
	ASSERT_EQ(1, port_watches(port));
	ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
	ASSERT_EQ(KEY(0), pkt.key);
	ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
	ASSERT_EQ(KEY(1), pkt.key);
	ASSERT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(port, 0, &pkt));

	zx_handle_close(plain);
	zx_handle_close(pager);
	zx_handle_close(port);
}

/*
 * The kernel has one queue per pager: all its VMOs are bound to one port,
 * until that port is closed.
 */
TEST(pager_one_port_per_pager)
{
	zx_handle_t pager, port1, port2, a, b, c, d, other;
	zx_port_packet_t pkt;
	struct reader r;

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port1));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port2));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port1, KEY(0), PAGE,
					     &a));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port1, KEY(1), PAGE,
					     &b));
	ASSERT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_pager_create_vmo(pager, 0, port2, KEY(2), PAGE, &c));
	/* The same through a duplicate of the pager's handle. */
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(pager, ZX_RIGHT_SAME_RIGHTS,
					     &other));
	ASSERT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_pager_create_vmo(other, 0, port2, KEY(2), PAGE, &c));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(other, 0, port1, KEY(2), PAGE,
					     &c));
	ASSERT_EQ(1, port_watches(port1));
	ASSERT_EQ(0, port_watches(port2));
	ASSERT_TRUE(no_packet(port2, 0));

	/* Once its port is closed, a pager binds to another one... */
	ASSERT_EQ(ZX_OK, zx_handle_close(port1));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port2, KEY(3), PAGE,
					     &d));
	ASSERT_EQ(1, port_watches(port2));
	/* ...which gets the packets of all its VMOs. */
	ASSERT_EQ(0, reader_start(&r, a, 0, 1));
	ASSERT_EQ(ZX_OK, wait_packet(port2, &pkt));
	ASSERT_EQ(KEY(0), pkt.key);
	ASSERT_EQ(ZX_PAGER_VMO_READ, pkt.page_request.command);
	ASSERT_EQ(ZX_OK, zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, a, 0, PAGE,
					   (uint64_t)(int64_t)ZX_ERR_NO_SPACE));
	ASSERT_EQ(ZX_ERR_NO_SPACE, reader_join(&r));
	free(r.buf);

	zx_handle_close(d);
	zx_handle_close(c);
	zx_handle_close(b);
	zx_handle_close(a);
	ASSERT_EQ(ZX_OK, wait_packet(port2, &pkt));
	ASSERT_EQ(KEY(3), pkt.key);
	ASSERT_EQ(ZX_PAGER_VMO_COMPLETE, pkt.page_request.command);
	zx_handle_close(other);
	zx_handle_close(pager);
	zx_handle_close(port2);
}

/*
 * A port's handles: duplicates are the same port, and a port is of the
 * wrong type for the calls of other objects (Linux 6.9 and later answer
 * EINVAL to their ioctls on it).
 */
TEST(port_handles)
{
	zx_handle_t pager, port, again, moved, a, b;
	zx_info_vmo_t info;
	zx_port_packet_t pkt;
	uint64_t size;
	char c;

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(port, ZX_RIGHT_SAME_RIGHTS,
					     &again));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(0), PAGE,
					     &a));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, again, KEY(1), PAGE,
					     &b));
	ASSERT_EQ(1, port_watches(port));
	ASSERT_EQ(ZX_OK, zx_handle_close(a));
	ASSERT_EQ(ZX_OK, zx_port_wait(again, zx_deadline_after(ZX_SEC(10)),
				      &pkt));
	ASSERT_EQ(KEY(0), pkt.key);
	ASSERT_EQ(ZX_PAGER_VMO_COMPLETE, pkt.page_request.command);
	ASSERT_EQ(ZX_OK, zx_handle_replace(again, ZX_RIGHT_SAME_RIGHTS,
					   &moved));
	ASSERT_TRUE(is_closed(again));
	ASSERT_EQ(ZX_OK, zx_handle_close(b));
	ASSERT_EQ(ZX_OK, wait_packet(moved, &pkt));
	ASSERT_EQ(KEY(1), pkt.key);

	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_object_get_info(port, ZX_INFO_VMO, &info, sizeof(info),
				     NULL, NULL));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_vmo_get_size(port, &size));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_vmo_set_size(port, PAGE));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_vmo_read(port, &c, 0, 1));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_vmo_op_range(port, ZX_VMO_OP_COMMIT, 0, PAGE, NULL, 0));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_vmo_create_child(port, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE,
				      &a));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_handle_duplicate(port, ZX_RIGHT_READ, &a));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_pager_detach_vmo(port, port));
	ASSERT_EQ(ZX_ERR_WRONG_TYPE, zx_pager_detach_vmo(pager, port));

	zx_handle_close(moved);
	zx_handle_close(pager);
	zx_handle_close(port);
}

/* A descriptor number reused by a new pager is a new, unbound pager. */
TEST(pager_reused_descriptor)
{
	zx_handle_t first, second, port1, port2, vmo;
	zx_port_packet_t pkt;

	ASSERT_EQ(ZX_OK, zx_port_create(0, &port1));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port2));
	ASSERT_EQ(ZX_OK, zx_pager_create(0, &first));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(first, 0, port1, KEY(0), PAGE,
					     &vmo));
	ASSERT_EQ(ZX_OK, zx_handle_close(vmo));
	ASSERT_EQ(ZX_OK, zx_handle_close(first));
	ASSERT_EQ(ZX_OK, zx_pager_create(0, &second));
	/* The lowest free descriptor: the number the first one had. */
	ASSERT_EQ(first, second);
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(second, 0, port2, KEY(1), PAGE,
					     &vmo));
	ASSERT_EQ(ZX_OK, zx_handle_close(vmo));
	ASSERT_EQ(ZX_OK, wait_packet(port2, &pkt));
	ASSERT_EQ(KEY(1), pkt.key);
	/* The first pager's COMPLETE went with it: it was never read. */
	ASSERT_EQ(ZX_ERR_TIMED_OUT, zx_port_wait(port1, 0, &pkt));
	ASSERT_EQ(0, port_watches(port1));
	zx_handle_close(second);
	zx_handle_close(port1);
	zx_handle_close(port2);
}

/*
 * The port reads a pager through the handle that bound it. Once that
 * handle is closed (a duplicate staying open), its registration is
 * dropped, and nothing is read through the number, even when it is
 * reused; binding again through the duplicate brings the packets back.
 */
TEST(pager_rebound_through_duplicate)
{
	zx_handle_t pager, dup, port, a, b, c, plain, native;
	uint8_t junk[64], back[64];
	zx_port_packet_t pkt;
	struct reader r;

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, 0, port, KEY(0), PAGE,
					     &a));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(pager, ZX_RIGHT_SAME_RIGHTS,
					     &dup));
	ASSERT_EQ(ZX_OK, zx_handle_close(pager));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &plain));
	ASSERT_EQ(pager, plain);
	memset(junk, 0x77, sizeof(junk));
	ASSERT_EQ(ZX_OK, zx_vmo_write(plain, junk, 0, sizeof(junk)));

	ASSERT_EQ(0, reader_start(&r, a, 0, 1));
	ASSERT_TRUE(no_packet(port, 100));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(dup, 0, port, KEY(1), PAGE, &b));
	ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
	ASSERT_EQ(KEY(0), pkt.key);
	ASSERT_EQ(ZX_PAGER_VMO_READ, pkt.page_request.command);
	ASSERT_EQ(0, pkt.page_request.offset);
	ASSERT_EQ(ZX_OK, zx_pager_op_range(dup, ZX_PAGER_OP_FAIL, a, 0, PAGE,
					   (uint64_t)(int64_t)ZX_ERR_IO));
	ASSERT_EQ(ZX_ERR_IO, reader_join(&r));
	free(r.buf);
	ASSERT_EQ(ZX_OK, zx_vmo_read(plain, back, 0, sizeof(back)));
	ASSERT_EQ(0, memcmp(junk, back, sizeof(back)));
	ASSERT_EQ(0, lseek(plain, 0, SEEK_CUR));

	/* Binding makes a native pager's descriptor non-blocking. */
	native = zvmo_pager_create(0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, native);
	ASSERT_FALSE(fcntl(native, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(native, 0, port, KEY(2), PAGE,
					     &c));
	ASSERT_TRUE(fcntl(native, F_GETFL) & O_NONBLOCK);
	ASSERT_TRUE(fcntl(dup, F_GETFL) & O_NONBLOCK);

	zx_handle_close(c);
	zx_handle_close(a);
	zx_handle_close(native);
	zx_handle_close(b);
	zx_handle_close(plain);
	zx_handle_close(dup);
	zx_handle_close(port);
}

/* Several pagers on one port, several pager threads, several readers. */
struct stress_reader {
	pthread_t thread;
	struct server *s;
	zx_handle_t pager;
	unsigned int index;
	zx_status_t status;
	int64_t mismatch;
};

#define STRESS_PAGES	192

static void *stress_read(void *arg)
{
	struct stress_reader *r = arg;
	zx_handle_t vmo;
	uint64_t page, off;
	uint8_t *buf;

	r->mismatch = -1;
	r->status = zx_pager_create_vmo(r->pager, 0, r->s->port,
					KEY(r->index), STRESS_PAGES * PAGE,
					&vmo);
	if (r->status != ZX_OK)
		return NULL;
	server_set(r->s, r->index, r->pager, vmo);
	buf = malloc(3 * PAGE);
	if (!buf) {
		r->status = ZX_ERR_NO_MEMORY;
		zx_handle_close(vmo);
		return NULL;
	}
	/* Pages one by one in a scattered order, then runs across them. */
	for (page = 0; page < STRESS_PAGES && r->mismatch < 0; page++) {
		off = (page * 67 % STRESS_PAGES) * PAGE + page % PAGE;
		r->status = zx_vmo_read(vmo, buf, off, 1);
		if (r->status != ZX_OK)
			break;
		r->mismatch = file_mismatch(buf, KEY(r->index), off, 1);
	}
	for (off = 0; r->status == ZX_OK && r->mismatch < 0 &&
	     off + 3 * PAGE <= STRESS_PAGES * PAGE; off += 3 * PAGE) {
		r->status = zx_vmo_read(vmo, buf, off, 3 * PAGE);
		if (r->status == ZX_OK)
			r->mismatch = file_mismatch(buf, KEY(r->index), off,
						    3 * PAGE);
	}
	free(buf);
	zx_handle_close(vmo);
	return NULL;
}

TEST(pager_threads)
{
	struct stress_reader readers[NKEYS];
	zx_handle_t pagers[2], port;
	unsigned int i, made = 0;
	struct server s;

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pagers[0]));
	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pagers[1]));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(0, server_start(&s, port, NTHREADS_MAX));
	for (i = 0; i < NKEYS; i++) {
		readers[i].s = &s;
		readers[i].pager = pagers[i % 2];
		readers[i].index = i;
		ASSERT_EQ(0, pthread_create(&readers[i].thread, NULL,
					    stress_read, &readers[i]));
	}
	for (i = 0; i < NKEYS; i++) {
		pthread_join(readers[i].thread, NULL);
		EXPECT_EQ(ZX_OK, readers[i].status);
		EXPECT_EQ(-1, readers[i].mismatch);
		if (readers[i].status == ZX_OK || readers[i].mismatch >= 0)
			made++;
	}
	/*
	 * Every VMO's COMPLETE comes once it is closed; only those a reader
	 * made (all of them, unless an allocation failed) can send one.
	 */
	ASSERT_EQ(made, server_wait(&s, ~0ULL, ZX_PAGER_VMO_COMPLETE, made));
	ASSERT_EQ(ZX_OK, server_stop(&s));
	for (i = 0; i < NKEYS; i++) {
		EXPECT_LE(1, logged(&s, KEY(i), ZX_PAGER_VMO_READ));
		EXPECT_EQ(1, logged(&s, KEY(i), ZX_PAGER_VMO_COMPLETE));
	}
	ASSERT_EQ(2, port_watches(port));
	zx_handle_close(pagers[0]);
	zx_handle_close(pagers[1]);
	ASSERT_EQ(0, port_watches(port));
	zx_handle_close(port);
}

/* The native calls under the Zircon ones. */
TEST(pager_native_packets)
{
	struct zvmo_pager_packet pkts[4];
	int pager, a, b, aux;

	pager = zvmo_pager_create(0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, pager);
	ASSERT_EQ(-EINVAL, zvmo_pager_create(1, 0));
	ASSERT_EQ(0, fcntl(pager, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(-EAGAIN, zvmo_pager_read_packets(pager, pkts, 4));
	ASSERT_EQ(-EINVAL, zvmo_pager_read_packets(pager, pkts, 0));
	a = zvmo_pager_create_vmo(pager, 0, 11, PAGE, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, a);
	/* No pointer to fill is EFAULT, as for every other call. */
	ASSERT_EQ(-EFAULT, zvmo_pager_info(pager, NULL));
	ASSERT_EQ(-EFAULT, zvmo_pager_query_stats(pager, a, 0, NULL));
	b = zvmo_pager_create_vmo(pager, ZVMO_VMO_RESIZABLE, 22, PAGE,
				  ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, b);
	ASSERT_EQ(-ENOTTY, zvmo_pager_create_vmo(a, 0, 33, PAGE, 0));
	ASSERT_EQ(-ENOTTY, zvmo_pager_detach(pager, pager));
	ASSERT_EQ(0, zvmo_pager_detach(pager, a));
	ASSERT_EQ(0, zvmo_close(b));
	/* Both COMPLETE packets in one read, in order. */
	ASSERT_EQ(2, zvmo_pager_read_packets(pager, pkts, 4));
	ASSERT_EQ(11, pkts[0].key);
	ASSERT_EQ(ZVMO_PAGER_COMPLETE, pkts[0].command);
	ASSERT_EQ(22, pkts[1].key);
	ASSERT_EQ(ZVMO_PAGER_COMPLETE, pkts[1].command);
	ASSERT_EQ(-EAGAIN, zvmo_pager_read_packets(pager, pkts, 4));
	aux = zvmo_vmo_create(PAGE, 0, ZVMO_FD_CLOEXEC);
	ASSERT_LE(0, aux);
	ASSERT_EQ(-EBUSY, zvmo_pager_supply(pager, a, 0, PAGE, aux, 0));
	ASSERT_EQ(-EBUSY, zvmo_pager_op_range(pager, ZVMO_PAGER_OP_FAIL, a, 0,
					      PAGE, EIO));
	zvmo_close(aux);
	zvmo_close(a);
	zvmo_close(pager);
}

struct zx_writer {
	pthread_t thread;
	zx_handle_t vmo;
	uint64_t off;
	uint8_t byte;
	zx_status_t status;
};

static void *zx_write_main(void *arg)
{
	struct zx_writer *w = arg;

	w->status = zx_vmo_write(w->vmo, &w->byte, w->off, 1);
	return NULL;
}

/*
 * Dirty tracking through the Zircon calls: ZX_VMO_TRAP_DIRTY and its
 * DIRTY packets on the port, ZX_PAGER_OP_DIRTY, writeback, and the two
 * queries, with Zircon's statuses.
 */
TEST(pager_dirty_tracking)
{
	zx_handle_t pager, port, vmo, aux, ro;
	zx_vmo_dirty_range_t r[4];
	zx_pager_vmo_stats_t st;
	zx_port_packet_t pkt;
	struct zx_writer w;
	size_t actual, avail;
	uint8_t buf[4 * PAGE], c;

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &port));
	ASSERT_EQ(ZX_OK, zx_pager_create_vmo(pager, ZX_VMO_TRAP_DIRTY, port,
					     KEY(5), 4 * PAGE, &vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_create(4 * PAGE, 0, &aux));
	ASSERT_EQ(ZX_OK, supply_file(pager, vmo, aux, buf, sizeof(buf),
				     KEY(5), 0, 3 * PAGE));

	/* A write to clean content waits for a DIRTY answer. */
	w.vmo = vmo;
	w.off = PAGE + 3;
	w.byte = 0xd1;
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, zx_write_main, &w));
	ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
	EXPECT_EQ(ZX_PKT_TYPE_PAGE_REQUEST, pkt.type);
	EXPECT_EQ(KEY(5), pkt.key);
	EXPECT_EQ(ZX_PAGER_VMO_DIRTY, pkt.page_request.command);
	EXPECT_EQ(PAGE, pkt.page_request.offset);
	EXPECT_EQ(PAGE, pkt.page_request.length);
	ASSERT_EQ(ZX_OK, zx_pager_op_range(pager, ZX_PAGER_OP_DIRTY, vmo,
					   PAGE, PAGE, 0));
	pthread_join(w.thread, NULL);
	EXPECT_EQ(ZX_OK, w.status);
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, &c, PAGE + 3, 1));
	EXPECT_EQ(0xd1, c);

	/* Never supplied: NOT_FOUND. Bad writeback data: INVALID_ARGS. */
	EXPECT_EQ(ZX_ERR_NOT_FOUND,
		  zx_pager_op_range(pager, ZX_PAGER_OP_DIRTY, vmo, 2 * PAGE,
				    2 * PAGE, 0));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_op_range(pager, ZX_PAGER_OP_WRITEBACK_BEGIN, vmo, 0,
				    PAGE, 5));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_pager_op_range(pager, ZX_PAGER_OP_DIRTY, ro, 0, PAGE, 0));

	/* The dirty ranges, with avail beyond the buffer. */
	ASSERT_EQ(ZX_OK, zx_pager_op_range(pager, ZX_PAGER_OP_DIRTY, vmo, 0,
					   PAGE, 0));
	ASSERT_EQ(ZX_OK, zx_pager_query_dirty_ranges(pager, ro, 0, 4 * PAGE,
						     r, sizeof(r), &actual,
						     &avail));
	EXPECT_EQ(1, actual);
	EXPECT_EQ(1, avail);
	EXPECT_EQ(0, r[0].offset);
	EXPECT_EQ(2 * PAGE, r[0].length);
	EXPECT_EQ(0, r[0].options);
	ASSERT_EQ(ZX_OK, zx_pager_query_dirty_ranges(pager, vmo, 0, 4 * PAGE,
						     r, 0, &actual, &avail));
	EXPECT_EQ(0, actual);
	EXPECT_EQ(1, avail);
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_pager_query_dirty_ranges(pager, vmo, PAGE, 4 * PAGE, r,
					      sizeof(r), &actual, &avail));

	/* Writeback cleans it. */
	ASSERT_EQ(ZX_OK, zx_pager_op_range(pager, ZX_PAGER_OP_WRITEBACK_BEGIN,
					   vmo, 0, 4 * PAGE, 0));
	ASSERT_EQ(ZX_OK, zx_pager_op_range(pager, ZX_PAGER_OP_WRITEBACK_END,
					   vmo, 0, 4 * PAGE, 0));
	ASSERT_EQ(ZX_OK, zx_pager_query_dirty_ranges(pager, vmo, 0, 4 * PAGE,
						     r, sizeof(r), &actual,
						     &avail));
	EXPECT_EQ(0, avail);

	/* Modified, until reset; no room for the answer resets nothing. */
	EXPECT_EQ(ZX_ERR_BUFFER_TOO_SMALL,
		  zx_pager_query_vmo_stats(pager, vmo,
					   ZX_PAGER_RESET_VMO_STATS, &st, 2));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_pager_query_vmo_stats(pager, vmo, 2, &st, sizeof(st)));
	ASSERT_EQ(ZX_OK, zx_pager_query_vmo_stats(pager, vmo,
						  ZX_PAGER_RESET_VMO_STATS,
						  &st, sizeof(st)));
	EXPECT_EQ(ZX_PAGER_VMO_STATS_MODIFIED, st.modified);
	ASSERT_EQ(ZX_OK, zx_pager_query_vmo_stats(pager, vmo, 0, &st,
						  sizeof(st)));
	EXPECT_EQ(0, st.modified);
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_pager_query_vmo_stats(port, vmo, 0, &st, sizeof(st)));

	/* Detached: DIRTY is BAD_STATE. */
	ASSERT_EQ(ZX_OK, zx_pager_detach_vmo(pager, vmo));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zx_pager_op_range(pager, ZX_PAGER_OP_DIRTY, vmo, 0, PAGE, 0));
	ASSERT_EQ(ZX_OK, wait_packet(port, &pkt));
	EXPECT_EQ(ZX_PAGER_VMO_COMPLETE, pkt.page_request.command);

	zx_handle_close(ro);
	zx_handle_close(aux);
	zx_handle_close(vmo);
	zx_handle_close(port);
	zx_handle_close(pager);
}

TEST(pager_handle_basic)
{
	zx_info_handle_basic_t basic;
	zx_handle_t pager, vmo;

	ASSERT_EQ(ZX_OK, zx_pager_create(0, &pager));
	ASSERT_EQ(ZX_OK, zx_object_get_info(pager, ZX_INFO_HANDLE_BASIC,
					    &basic, sizeof(basic), NULL,
					    NULL));
	EXPECT_EQ(ZX_OBJ_TYPE_PAGER, basic.type);
	EXPECT_NE(ZX_KOID_INVALID, basic.koid);
	/* A VMO is not a pager for the pager calls. */
	ASSERT_EQ(ZX_OK, zx_vmo_create(4096, 0, &vmo));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_pager_detach_vmo(vmo, vmo));
	zx_handle_close(vmo);
	zx_handle_close(pager);
}

/* Discard every unlocked discardable VMO now, as memory pressure would. */
static void discard_now(void)
{
	int fd = open("/sys/module/zvmo/parameters/reclaim_now", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "discard 1000000", 15) != 15)
			perror("reclaim_now");
		close(fd);
	}
}

TEST(discardable)
{
	zx_handle_t vmo, plain, child;
	zx_vmo_lock_state_t st;
	zx_info_vmo_t info;
	char c = 'x';

	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_vmo_create(PAGE, ZX_VMO_DISCARDABLE | ZX_VMO_RESIZABLE,
				&vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_create(4 * PAGE, ZX_VMO_DISCARDABLE, &vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_create(4 * PAGE, 0, &plain));
	ASSERT_EQ(ZX_OK, zx_object_get_info(vmo, ZX_INFO_VMO, &info,
					    sizeof(info), NULL, NULL));
	EXPECT_TRUE(info.flags & ZX_INFO_VMO_DISCARDABLE);
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE,
				      &child));
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, PAGE,
				      &child));
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_vmo_op_range(plain, ZX_VMO_OP_LOCK, 0, 4 * PAGE, &st,
				  sizeof(st)));
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_vmo_op_range(plain, ZX_VMO_OP_UNLOCK, 0, 4 * PAGE, NULL,
				  0));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, PAGE, &st,
				  sizeof(st)));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, 4 * PAGE, &st,
				  sizeof(st) - 8));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, 4 * PAGE, NULL,
				  0));

	/* Locked: kept. Unlocked: discarded, and the next LOCK says so. */
	ASSERT_EQ(ZX_OK, zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, 4 * PAGE,
					 &st, sizeof(st)));
	EXPECT_EQ(0, st.offset);
	EXPECT_EQ(4 * PAGE, st.size);
	EXPECT_EQ(0, st.discarded_size);
	ASSERT_EQ(ZX_OK, zx_vmo_write(vmo, &c, 0, 1));
	discard_now();
	c = 0;
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, &c, 0, 1));
	EXPECT_EQ('x', c);
	ASSERT_EQ(ZX_OK, zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, 4 * PAGE,
					 NULL, 0));
	discard_now();
	EXPECT_EQ(0, committed(vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_read(vmo, &c, 0, 1));
	EXPECT_EQ(0, c);
	EXPECT_EQ(ZX_ERR_UNAVAILABLE,
		  zx_vmo_op_range(vmo, ZX_VMO_OP_TRY_LOCK, 0, 4 * PAGE, NULL,
				  0));
	ASSERT_EQ(ZX_OK, zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, 4 * PAGE,
					 &st, sizeof(st)));
	EXPECT_EQ(0, st.discarded_offset);
	EXPECT_EQ(4 * PAGE, st.discarded_size);
	ASSERT_EQ(ZX_OK, zx_vmo_op_range(vmo, ZX_VMO_OP_TRY_LOCK, 0, 4 * PAGE,
					 NULL, 0));
	EXPECT_EQ(ZX_OK, zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, 4 * PAGE,
					 NULL, 0));
	EXPECT_EQ(ZX_OK, zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, 4 * PAGE,
					 NULL, 0));
	zx_handle_close(plain);
	zx_handle_close(vmo);
}

TEST_HARNESS_MAIN
