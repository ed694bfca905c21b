/* Byte buffers of a connection.
 * sbuf: the send buffer, a ring holding bytes from SND.UNA onwards (sent and
 *       not yet acknowledged, then not yet sent).
 * rbuf: the receive buffer, a ring of the receive window starting at the
 *       first byte the application has not read; out-of-order bytes are
 *       stored in place and tracked as ranges until the gap before them fills
 *       (RFC 9293 3.10.7.4: segments beyond RCV.NXT are kept for later). */
#ifndef XDPTCP_TCP_BUF_H
#define XDPTCP_TCP_BUF_H

#include <stddef.h>
#include <stdint.h>

struct sbuf {
	uint8_t *data;
	size_t cap;   /* power of two */
	size_t head;  /* offset of the oldest byte (SND.UNA) */
	size_t len;   /* bytes held */
};

/* cap: a power of two, at most 2^31. Returns 0, -EINVAL or -ENOMEM. */
int sbuf_init(struct sbuf *b, size_t cap);
void sbuf_free(struct sbuf *b);
size_t sbuf_space(const struct sbuf *b);
size_t sbuf_append(struct sbuf *b, const void *src, size_t n);  /* bytes taken */
/* Copy up to n bytes starting off bytes after the oldest; returns bytes copied. */
size_t sbuf_peek(const struct sbuf *b, size_t off, void *dst, size_t n);
void sbuf_drop(struct sbuf *b, size_t n); /* acknowledged bytes (at most len) */

#define RBUF_MAX_RANGES 16

struct rbuf {
	uint8_t *data;
	size_t cap;    /* power of two; the receive window is at most cap - ready */
	size_t head;   /* offset of the first unread byte */
	size_t ready;  /* in-order bytes the application can read */
	/* out-of-order ranges, as offsets from the end of the ready bytes,
	 * sorted and disjoint: [start, end) */
	struct { uint32_t start, end; } ooo[RBUF_MAX_RANGES];
	size_t nooo;
};

int rbuf_init(struct rbuf *b, size_t cap); /* as sbuf_init */
void rbuf_free(struct rbuf *b);
size_t rbuf_window(const struct rbuf *b); /* free space past the ready bytes */
/* Store n bytes at off bytes past the ready data (off 0 = RCV.NXT). Bytes
 * beyond the window are cut. Returns how many bytes became ready (the
 * amount RCV.NXT advances), possibly more than n when a gap filled. When
 * the range table is full a new out-of-order range is dropped (returns 0);
 * an in-order write always lands. Overlapping writes must carry the same
 * bytes (TCP retransmits the same stream). */
size_t rbuf_write(struct rbuf *b, size_t off, const void *src, size_t n);
size_t rbuf_read(struct rbuf *b, void *dst, size_t n); /* consumes ready bytes */
int rbuf_has_ooo(const struct rbuf *b);

#endif
