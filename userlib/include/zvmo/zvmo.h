/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libzvmo, native layer: VMOs as file descriptors. Every call returns a
 * descriptor, 0, or a negative errno, and leaves errno alone.
 */
#ifndef _ZVMO_ZVMO_H
#define _ZVMO_ZVMO_H

#include <stddef.h>
#include <stdint.h>

#include <zvmo/uapi/zvmo.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The /dev/zvmo descriptor, opened once per process (close-on-exec). */
int zvmo_open(void);

int zvmo_vmo_create(uint64_t size, uint32_t options, uint32_t fd_flags);
int zvmo_vmo_read(int vmo, void *buf, uint64_t offset, size_t len);
int zvmo_vmo_write(int vmo, const void *buf, uint64_t offset, size_t len);
int zvmo_vmo_get_size(int vmo, uint64_t *size);
int zvmo_vmo_set_size(int vmo, uint64_t size);
int zvmo_vmo_op_range(int vmo, uint32_t op, uint64_t offset, uint64_t len,
		      void *buf, size_t buf_size);
int zvmo_vmo_info(int vmo, struct zvmo_vmo_info *info);
int zvmo_vmo_dup(int vmo, uint32_t rights, uint32_t fd_flags);
int zvmo_vmo_set_name(int vmo, const char *name, size_t len);
int zvmo_vmo_get_name(int vmo, char name[ZVMO_NAME_LEN]);
int zvmo_vmo_set_content_size(int vmo, uint64_t content_size);
int zvmo_vmo_get_content_size(int vmo, uint64_t *content_size);
int zvmo_stats(struct zvmo_stats *stats);
int zvmo_close(int fd);

#ifdef __cplusplus
}
#endif

#endif /* _ZVMO_ZVMO_H */
