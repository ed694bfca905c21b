/* Helpers shared by the loader's files; not part of its interface. */
#ifndef XDPTCP_LOADER_INT_H
#define XDPTCP_LOADER_INT_H

#include <stddef.h>
#include "loader/loader.h"

/* Writes the message and ": <strerror(-rc)>" into err; returns rc. */
int loader_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Writes the message alone (the reason is in it); returns rc. */
int loader_msg(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Resolves the bpffs and the netns inode, and builds the pin dir. */
int loader_target_dir(const struct xdptcp_target *t, char *dir, size_t dirlen, char *err,
		      size_t errlen);

/* dir/name into out. Returns 0 or -ENAMETOOLONG. */
int loader_pin_path(char *out, size_t outlen, const char *dir, const char *name);

/* Reads the pinned abi map fd and compares it with xdptcp_abi_hash(). */
int loader_abi_check(int abi_fd, const char *dir, const char *ifname, char *err, size_t errlen);

/* Detaches the pinned link (if live), unlinks every pin, removes dir and
 * its now-empty parents up to <bpffs>/xdptcp. *found counts the pins. */
int loader_remove_pins(const char *dir, int *found, char *err, size_t errlen);

#endif
