// SPDX-License-Identifier: GPL-2.0
/*
 * The Zircon layer of libzvmo: Fuchsia's calls, status codes and
 * structures over the module.
 */
#include <errno.h>
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

TEST(clock)
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

TEST_HARNESS_MAIN
