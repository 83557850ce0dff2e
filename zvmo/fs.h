/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZVMO_FS_H
#define _ZVMO_FS_H

#include <linux/fs.h>

int zvmo_fs_init(void);
void zvmo_fs_exit(void);
struct inode *zvmo_fs_new_inode(void);
int zvmo_fs_install(struct inode *inode, const char *name,
		    const struct file_operations *fops, void *priv,
		    u32 fd_flags);

#endif /* _ZVMO_FS_H */
