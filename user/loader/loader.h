/* The xdptcp loader: loads the XDP program from its skeleton, pins its maps
 * and its bpf_link under <bpffs>/xdptcp/<netns-inode>/<ifname>/ (DESIGN.md),
 * reuses pinned maps whose `abi` map matches this build, and opens the pins
 * again from other processes (status, stats, the control plane).
 *
 * Library code: every function returns 0 or a negative errno and, on error,
 * writes a one-line message (with the errno text) into err; nothing prints.
 */
#ifndef XDPTCP_LOADER_H
#define XDPTCP_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XDPTCP_DEFAULT_BPFFS "/sys/fs/bpf"
#define XDPTCP_BPFFS_ENV "XDPTCP_BPFFS"
#define XDPTCP_DEFAULT_MSL_MS 30000u
#define XDPTCP_MAX_MSL_MS 3600000u /* one hour: anything longer is a typo */
#define XDPTCP_LINK_PIN "link"
#define XDPTCP_ERR_LEN 512

enum xdptcp_mode {
	XDPTCP_MODE_NATIVE = 0, /* XDP_FLAGS_DRV_MODE */
	XDPTCP_MODE_SKB,	/* XDP_FLAGS_SKB_MODE (generic XDP) */
};

/* The pinned maps, in the order of this enum; names are the skeleton's. */
enum xdptcp_map_id {
	XDPTCP_MAP_TCBS = 0,
	XDPTCP_MAP_FLOWS,
	XDPTCP_MAP_TIMEWAIT,
	XDPTCP_MAP_PORTS,
	XDPTCP_MAP_XSKS,
	XDPTCP_MAP_CONFIG,
	XDPTCP_MAP_ABI,
	XDPTCP_MAP_STATS,
	XDPTCP_MAP_LADDRS,
	XDPTCP_MAP_OWNED,
	XDPTCP_NMAPS
};

const char *xdptcp_map_name(enum xdptcp_map_id id);

/* Marks local ports (host order) in the `owned` bitmap behind fd, so that
 * XDP examines their frames (bits are never cleared while attached).
 * Returns 0 or -errno. */
int xdptcp_owned_set(int fd, uint16_t port);
int xdptcp_owned_set_range(int fd, uint16_t first, uint16_t last);
const char *xdptcp_mode_name(enum xdptcp_mode mode);

/* --- values and paths (pure, no syscalls except where stated) ----------- */

/* "native" or "skb" -> mode. Returns 0 or -EINVAL. */
int xdptcp_parse_mode(const char *s, enum xdptcp_mode *mode);

/* Decimal milliseconds in 1..XDPTCP_MAX_MSL_MS. Returns 0, -EINVAL, -ERANGE. */
int xdptcp_parse_msl_ms(const char *s, uint32_t *msl_ms);

/* An interface name usable as a path component: 1..IFNAMSIZ-1 bytes, no
 * '/', no whitespace, not "." or "..". Returns 0 or -EINVAL. */
int xdptcp_check_ifname(const char *ifname, char *err, size_t errlen);

/* Which bpffs to use: the flag, else the environment (empty = unset), else
 * /sys/fs/bpf. *explicit tells whether the caller named it (then it must
 * already be a bpffs; the default is mounted when needed). */
const char *xdptcp_bpffs_choose(const char *flag, const char *env, bool *explicit);

/* <bpffs>/xdptcp/<netns_ino>/<ifname> (no trailing slash). Returns 0,
 * -EINVAL (bad ifname or bpffs) or -ENAMETOOLONG. */
int xdptcp_pin_dir_build(char *out, size_t outlen, const char *bpffs, uint64_t netns_ino,
			 const char *ifname, char *err, size_t errlen);

/* Inode of this process's network namespace (stat /proc/self/ns/net). */
int xdptcp_netns_inode(uint64_t *ino, char *err, size_t errlen);

/* Chooses the bpffs (flag > env > default), checks it is a bpffs with
 * statfs (mounting one at the default path if nothing is mounted there)
 * and writes its path to out. A named directory that is not a bpffs is an
 * error, never a silent fallback. */
int xdptcp_bpffs_resolve(const char *flag, const char *env, char *out, size_t outlen, char *err,
			 size_t errlen);

/* --- attach / detach ----------------------------------------------------- */

struct xdptcp_target {
	const char *ifname;
	const char *bpffs; /* the --bpffs flag or NULL */
};

struct xdptcp_attach_opts {
	struct xdptcp_target target;
	enum xdptcp_mode mode;
	uint32_t msl_ms; /* 0 = default on fresh maps, keep on reused maps */
	bool reset;	 /* remove existing pins (and their link) first */
};

struct xdptcp_attach_info {
	char pin_dir[4096];
	uint32_t prog_id;
	uint32_t link_id;
	bool reused_maps; /* pinned maps with a matching abi were kept */
};

int xdptcp_attach(const struct xdptcp_attach_opts *opts, struct xdptcp_attach_info *info, char *err,
		  size_t errlen);

/* Detaches (bpf_link_detach, so it works while another process still holds
 * the link) and removes the pins and the directories. Works without the
 * device (after the namespace or the veth is gone). Returns -ENOENT when
 * nothing was pinned. */
int xdptcp_detach(const struct xdptcp_target *target, char *pin_dir, size_t pin_dir_len, char *err,
		  size_t errlen);

/* --- opening the pins from another process -------------------------------- */

struct xdptcp_pinned {
	char dir[4096];
	int map_fd[XDPTCP_NMAPS]; /* -1 when not pinned */
	int link_fd;		  /* -1 when not pinned */
};

/* Opens the pin dir of target. Fails with -ENOENT when nothing is pinned,
 * -EPROTO when the `abi` map is missing or holds another layout's hash
 * (the message names the dir and --reset). Close with xdptcp_pinned_close. */
int xdptcp_pinned_open(const struct xdptcp_target *target, struct xdptcp_pinned *p, char *err,
		       size_t errlen);
void xdptcp_pinned_close(struct xdptcp_pinned *p);

struct xdptcp_status {
	bool attached; /* the pinned link is live on the device */
	bool link_pinned;
	int ifindex; /* 0 when the device does not exist here */
	uint32_t link_id;
	uint32_t prog_id;     /* of the pinned link */
	uint32_t dev_prog_id; /* what the device runs (0: nothing) */
	uint8_t attach_mode;  /* XDP_ATTACHED_* of the device */
	uint64_t tcbs_in_use; /* slots whose state is not CLOSED */
	uint64_t tcbs_max;
	uint64_t flows, ports;
	uint64_t timewait;	/* live slots of the TIME-WAIT table */
	uint64_t tw_slots;	/* its capacity: buckets * XDPTCP_TW_WAYS */
	uint64_t tw_timeout_ns; /* from the config map: 2*MSL */
	uint32_t nqueues;
};

int xdptcp_status_read(const char *ifname, const struct xdptcp_pinned *p, struct xdptcp_status *st,
		       char *err, size_t errlen);

/* Sums the per-CPU `stats` map into out[0..n) (n <= XDPTCP_STAT_MAX). */
int xdptcp_stats_read(const struct xdptcp_pinned *p, uint64_t *out, unsigned int n, char *err,
		      size_t errlen);

#endif
