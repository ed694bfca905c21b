/* xdptcp detach: stop XDP on the device and remove every pin and dir. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "loader/loader_int.h"

int xdptcp_detach(const struct xdptcp_target *target, char *pin_dir, size_t pin_dir_len, char *err,
		  size_t errlen)
{
	char dir[4096];
	int rc, found = 0;

	rc = loader_target_dir(target, dir, sizeof(dir), err, errlen);
	if (rc)
		return rc;
	if (pin_dir && pin_dir_len)
		snprintf(pin_dir, pin_dir_len, "%s", dir);
	rc = loader_remove_pins(dir, &found, err, errlen);
	if (rc)
		return rc;
	if (!found)
		return loader_msg(err, errlen, -ENOENT,
				  "xdptcp is not attached to %s in this network namespace "
				  "(nothing pinned in %s)",
				  target->ifname, dir);
	return 0;
}
