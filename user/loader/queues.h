/* RX queue count of a device, for the config map. */
#ifndef XDPTCP_LOADER_QUEUES_H
#define XDPTCP_LOADER_QUEUES_H

#include <stdint.h>

/* Returns 0 and *n >= 1, or a negative errno. */
int loader_rx_queues(const char *ifname, uint32_t *n);

#endif
