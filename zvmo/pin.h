/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZVMO_PIN_H
#define _ZVMO_PIN_H

#include <linux/compiler_types.h>

struct zvmo_bti;
struct zvmo_handle;

long zvmo_bti_create(void __user *uarg);
struct zvmo_bti *zvmo_bti_get(int fd);
void zvmo_bti_put(struct zvmo_bti *bti);
long zvmo_vmo_pin(struct zvmo_handle *h, void __user *uarg);

#endif /* _ZVMO_PIN_H */
