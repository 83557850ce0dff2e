/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: container_of(), with the kernel's member type check. */
#ifndef _SHIM_LINUX_CONTAINER_OF_H
#define _SHIM_LINUX_CONTAINER_OF_H

#include <stddef.h>

#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	_Static_assert(__builtin_types_compatible_p(__typeof__(*(ptr)),	\
			__typeof__(((type *)0)->member)) ||		\
		       __builtin_types_compatible_p(__typeof__(*(ptr)),	\
			void), "pointer type mismatch in container_of()"); \
	((type *)((char *)__mptr - offsetof(type, member))); })

#endif /* _SHIM_LINUX_CONTAINER_OF_H */
