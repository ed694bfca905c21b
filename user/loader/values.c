/* Names and validated values of the loader's options. */
#include <errno.h>
#include <ctype.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include "loader/loader_int.h"

static const char *const map_names[XDPTCP_NMAPS] = {
	[XDPTCP_MAP_TCBS] = "tcbs",	    [XDPTCP_MAP_FLOWS] = "flows",
	[XDPTCP_MAP_TIMEWAIT] = "timewait", [XDPTCP_MAP_PORTS] = "ports",
	[XDPTCP_MAP_XSKS] = "xsks",	    [XDPTCP_MAP_CONFIG] = "config",
	[XDPTCP_MAP_ABI] = "abi",	    [XDPTCP_MAP_STATS] = "stats",
	[XDPTCP_MAP_LADDRS] = "laddrs",	    [XDPTCP_MAP_OWNED] = "owned",
};

const char *xdptcp_map_name(enum xdptcp_map_id id)
{
	return (unsigned int)id < XDPTCP_NMAPS ? map_names[id] : "unknown";
}

const char *xdptcp_mode_name(enum xdptcp_mode mode)
{
	return mode == XDPTCP_MODE_SKB ? "skb" : "native";
}

int xdptcp_parse_mode(const char *s, enum xdptcp_mode *mode)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "native"))
		*mode = XDPTCP_MODE_NATIVE;
	else if (!strcmp(s, "skb"))
		*mode = XDPTCP_MODE_SKB;
	else
		return -EINVAL;
	return 0;
}

int xdptcp_parse_msl_ms(const char *s, uint32_t *msl_ms)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts leading blanks and a sign: refuse both */
	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v == 0 || v > XDPTCP_MAX_MSL_MS)
		return -ERANGE;
	*msl_ms = (uint32_t)v;
	return 0;
}

int xdptcp_check_ifname(const char *ifname, char *err, size_t errlen)
{
	size_t len = ifname ? strlen(ifname) : 0;

	if (len == 0)
		return loader_msg(err, errlen, -EINVAL, "interface name is empty");
	if (len >= IFNAMSIZ)
		return loader_msg(err, errlen, -EINVAL,
				  "interface name '%.*s...' is longer than %d bytes", IFNAMSIZ,
				  ifname, IFNAMSIZ - 1);
	/* the kernel's dev_valid_name() rules; the name is also a path part */
	if (!strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return loader_msg(err, errlen, -EINVAL, "'%s' is not an interface name", ifname);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = ifname[i];

		if (c == '/' || c == ':' || isspace(c) || !isprint(c))
			return loader_msg(err, errlen, -EINVAL,
					  "interface name '%s' has a character not allowed in "
					  "interface names",
					  ifname);
	}
	return 0;
}
