/* The built-in apps of `xdptcp serve`. They use only the app API
 * (xdptcp/xdptcp.h), so each runs unchanged on either backend. */
#ifndef XDPTCP_APP_APPS_H
#define XDPTCP_APP_APPS_H

#include <stddef.h>
#include <stdint.h>
#include "xdptcp/xdptcp.h"

struct xdptcp_app_cfg {
	size_t size; /* http: body bytes of every response */
};

struct xdptcp_app {
	const char *name;
	const char *about;
	const struct xdptcp_app_ops *ops;
};

extern const struct xdptcp_app xdptcp_app_echo;	   /* sends back what it receives */
extern const struct xdptcp_app xdptcp_app_http;	   /* GET -> a body of cfg.size bytes */
extern const struct xdptcp_app xdptcp_app_discard; /* reads and drops */
extern const struct xdptcp_app xdptcp_app_source;  /* sends until the peer closes */

/* NULL when there is no app of that name. */
const struct xdptcp_app *xdptcp_app_find(const char *name);

/* Serves app on port; cfg must outlive the loop. 0 or a negative errno. */
int xdptcp_app_listen(struct xdptcp_loop *loop, const struct xdptcp_app *app, uint16_t port,
		      const struct xdptcp_app_cfg *cfg);

/* Shared by the apps: a fixed pattern to send from. */
#define APP_PATTERN_LEN 65536
extern const char app_pattern[APP_PATTERN_LEN];

#endif
