/* Send and receive rings of a connection (see buf.h). */
#include "tcp/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Offsets of out-of-order ranges are 32-bit, so a ring is at most 2^31. */
#define BUF_MAX_CAP ((size_t)1 << 31)

static int cap_ok(size_t cap) { return cap != 0 && cap <= BUF_MAX_CAP && (cap & (cap - 1)) == 0; }

/* Copy n bytes into the ring at absolute offset pos (wrapping). */
static void ring_put(uint8_t *data, size_t cap, size_t pos, const uint8_t *src, size_t n)
{
	size_t at = pos & (cap - 1);
	size_t first = cap - at < n ? cap - at : n;

	memcpy(data + at, src, first);
	memcpy(data, src + first, n - first);
}

static void ring_get(const uint8_t *data, size_t cap, size_t pos, uint8_t *dst, size_t n)
{
	size_t at = pos & (cap - 1);
	size_t first = cap - at < n ? cap - at : n;

	memcpy(dst, data + at, first);
	memcpy(dst + first, data, n - first);
}

/* The storage of either ring: cap bytes, a power of two. */
static int ring_alloc(uint8_t **data, size_t *bcap, size_t cap)
{
	if (!cap_ok(cap))
		return -EINVAL;
	*data = malloc(cap);
	if (!*data)
		return -ENOMEM;
	*bcap = cap;
	return 0;
}

int sbuf_init(struct sbuf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	return ring_alloc(&b->data, &b->cap, cap);
}

void sbuf_free(struct sbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

size_t sbuf_space(const struct sbuf *b) { return b->cap - b->len; }

size_t sbuf_append(struct sbuf *b, const void *src, size_t n)
{
	size_t space = sbuf_space(b);

	if (n > space)
		n = space;
	if (n) {
		ring_put(b->data, b->cap, b->head + b->len, src, n);
		b->len += n;
	}
	return n;
}

size_t sbuf_peek(const struct sbuf *b, size_t off, void *dst, size_t n)
{
	if (off >= b->len)
		return 0;
	if (n > b->len - off)
		n = b->len - off;
	if (n)
		ring_get(b->data, b->cap, b->head + off, dst, n);
	return n;
}

void sbuf_drop(struct sbuf *b, size_t n)
{
	if (n > b->len)
		n = b->len;
	b->head = (b->head + n) & (b->cap - 1);
	b->len -= n;
}

int rbuf_init(struct rbuf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	return ring_alloc(&b->data, &b->cap, cap);
}

void rbuf_free(struct rbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

size_t rbuf_window(const struct rbuf *b) { return b->cap - b->ready; }

/* Merge [s, e) into the sorted, disjoint range table. Ranges that overlap or
 * touch it are absorbed. Returns 0, or -1 when a new range is needed and the
 * table is full (the table is then unchanged). */
static int ooo_insert(struct rbuf *b, uint32_t s, uint32_t e)
{
	size_t i = 0, j, k;

	/* ranges entirely before [s, e), not touching it */
	while (i < b->nooo && b->ooo[i].end < s)
		i++;
	/* ranges i..j-1 overlap or touch [s, e) */
	j = i;
	while (j < b->nooo && b->ooo[j].start <= e) {
		if (b->ooo[j].start < s)
			s = b->ooo[j].start;
		if (b->ooo[j].end > e)
			e = b->ooo[j].end;
		j++;
	}
	if (i == j) {
		if (b->nooo == RBUF_MAX_RANGES)
			return -1;
		memmove(&b->ooo[i + 1], &b->ooo[i], (b->nooo - i) * sizeof(b->ooo[0]));
		b->nooo++;
	} else if (j - i > 1) {
		k = j - i - 1; /* ranges absorbed beyond the first */
		memmove(&b->ooo[i + 1], &b->ooo[j], (b->nooo - j) * sizeof(b->ooo[0]));
		b->nooo -= k;
	}
	b->ooo[i].start = s;
	b->ooo[i].end = e;
	return 0;
}

size_t rbuf_write(struct rbuf *b, size_t off, const void *src, size_t n)
{
	size_t win = rbuf_window(b), adv;

	if (off >= win || n == 0)
		return 0;
	if (n > win - off)
		n = win - off; /* RFC 9293 3.10.7.4: trim to the window */
	if (off == 0 && (b->nooo == 0 || b->ooo[0].start > n)) {
		/* in order and not reaching a stored range: no table entry, so
		 * it lands even when the range table is full */
		adv = n;
	} else {
		/* a new out-of-order range is dropped when the table is full */
		if (ooo_insert(b, (uint32_t)off, (uint32_t)(off + n)) < 0)
			return 0;
		if (b->ooo[0].start != 0) {
			ring_put(b->data, b->cap, b->head + b->ready + off, src, n);
			return 0;
		}
		/* the gap at RCV.NXT is filled: the first range becomes ready */
		adv = b->ooo[0].end;
		b->nooo--;
		memmove(&b->ooo[0], &b->ooo[1], b->nooo * sizeof(b->ooo[0]));
	}
	ring_put(b->data, b->cap, b->head + b->ready + off, src, n);
	b->ready += adv;
	/* offsets count from the end of the ready bytes */
	for (size_t i = 0; i < b->nooo; i++) {
		b->ooo[i].start -= (uint32_t)adv;
		b->ooo[i].end -= (uint32_t)adv;
	}
	return adv;
}

size_t rbuf_read(struct rbuf *b, void *dst, size_t n)
{
	if (n > b->ready)
		n = b->ready;
	if (n) {
		ring_get(b->data, b->cap, b->head, dst, n);
		b->head = (b->head + n) & (b->cap - 1);
		b->ready -= n;
	}
	return n;
}

int rbuf_has_ooo(const struct rbuf *b) { return b->nooo != 0; }
