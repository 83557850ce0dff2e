/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZVMO_HANDLE_H
#define _ZVMO_HANDLE_H

#include <linux/types.h>

struct zvmo_vmo;

/**
 * struct zvmo_handle - what one VMO file holds: the VMO and its rights
 * @vmo: the VMO; the handle holds a reference
 * @rights: ZVMO_RIGHT_* rights; fixed for the file's life
 */
struct zvmo_handle {
	struct zvmo_vmo *vmo;
	u32 rights;
};

struct file;

int zvmo_handle_install(struct zvmo_vmo *vmo, u32 rights, u32 fd_flags);
struct zvmo_handle *zvmo_handle_fget(int fd, struct file **filep);

#endif /* _ZVMO_HANDLE_H */
