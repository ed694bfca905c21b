/* Number of RX queues of a device (ETHTOOL_GCHANNELS): the config map's
 * nqueues, one AF_XDP socket and one xsks slot per queue. */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "loader/queues.h"

int loader_rx_queues(const char *ifname, uint32_t *n)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { 0 };
	int fd, rc = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	ifr.ifr_data = (void *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		/* drivers without channel info (lo, some virtual ones) run one queue */
		if (errno == EOPNOTSUPP)
			ch.rx_count = 1;
		else
			rc = -errno;
	}
	close(fd);
	if (rc)
		return rc;
	*n = ch.rx_count > ch.combined_count ? ch.rx_count : ch.combined_count;
	if (*n == 0)
		*n = 1;
	return 0;
}
