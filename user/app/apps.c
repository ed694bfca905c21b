/* The app table and the data every app shares. */
#include <string.h>
#include "app/apps.h"

static const struct xdptcp_app *const apps[] = {
	&xdptcp_app_echo,
	&xdptcp_app_http,
	&xdptcp_app_discard,
	&xdptcp_app_source,
};

#define P16 "0123456789abcdef"
#define P256 P16 P16 P16 P16 P16 P16 P16 P16 P16 P16 P16 P16 P16 P16 P16 P16
#define P4K P256 P256 P256 P256 P256 P256 P256 P256 P256 P256 P256 P256 P256 P256 P256 P256
#define P64K P4K P4K P4K P4K P4K P4K P4K P4K P4K P4K P4K P4K P4K P4K P4K P4K
const char app_pattern[APP_PATTERN_LEN] = P64K;

const struct xdptcp_app *xdptcp_app_find(const char *name)
{
	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
		if (!strcmp(apps[i]->name, name))
			return apps[i];
	return NULL;
}

int xdptcp_app_listen(struct xdptcp_loop *loop, const struct xdptcp_app *app, uint16_t port,
		      const struct xdptcp_app_cfg *cfg)
{
	return xdptcp_listen(loop, port, app->ops, (void *)cfg);
}
