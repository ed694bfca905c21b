/* The `owned` bitmap (bpf/maps.bpf.h): ports whose frames XDP examines.
 * Few writes (a listen, the active-open range once), so plain map calls;
 * one writer process, so read-modify-write of a word is enough. */
#include <bpf/bpf.h>
#include <errno.h>
#include "loader/loader.h"
#include "xdptcp/tcb.h"

int xdptcp_owned_set_range(int fd, uint16_t first, uint16_t last)
{
	for (uint32_t port = first; port <= last;) {
		__u32 word = port / 64;
		__u64 v = 0;

		if (bpf_map_lookup_elem(fd, &word, &v))
			return -errno;
		for (; port <= last && port / 64 == word; port++)
			v |= xdptcp_owned_bit(port);
		if (bpf_map_update_elem(fd, &word, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

int xdptcp_owned_set(int fd, uint16_t port)
{
	return xdptcp_owned_set_range(fd, port, port);
}
