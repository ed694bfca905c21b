/* HTTP/1.x request head parser (RFC 9112 sections 2-3, 6.3, 9.3). */
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include "app/http_parse.h"

/* The end of the head: the empty line (CRLF CRLF; a bare LF is accepted
 * as a line end, RFC 9112 section 2.2). Returns the head's length or 0. */
static size_t head_end(const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (b[i] != '\n')
			continue;
		if (i + 1 < len && b[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && b[i + 1] == '\r' && b[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Does the comma-separated list v[0..n) hold token tok (any case)? */
static bool list_has(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok), i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && !strncasecmp(v + s, tok, tl))
			return true;
	}
	return false;
}

static int parse_request_line(const char *b, size_t n, struct http_req *r)
{
	size_t m = 0, sp2;

	while (m < n && is_tchar(b[m]))
		m++;
	if (!m || m >= n || b[m] != ' ')
		return HTTP_PARSE_BAD;
	r->get = m == 3 && !memcmp(b, "GET", 3);
	r->head = m == 4 && !memcmp(b, "HEAD", 4);
	sp2 = m + 1;
	while (sp2 < n && b[sp2] != ' ')
		sp2++;
	if (sp2 == m + 1 || sp2 >= n)
		return HTTP_PARSE_BAD;
	/* HTTP-version = "HTTP/" DIGIT "." DIGIT, then the line ends */
	if (n - sp2 - 1 != 8 || memcmp(b + sp2 + 1, "HTTP/1.", 7) || b[sp2 + 8] < '0' ||
	    b[sp2 + 8] > '9')
		return HTTP_PARSE_BAD;
	r->minor = b[sp2 + 8] - '0';
	return HTTP_PARSE_OK;
}

int http_parse_request(const char *buf, size_t len, size_t max_head, struct http_req *r)
{
	size_t end, pos, content_length = 0;
	bool conn_close = false, conn_keep = false, have_cl = false;
	int rc;

	memset(r, 0, sizeof(*r));
	/* RFC 9112 2.2: empty lines before the request line are ignored */
	pos = 0;
	while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n'))
		pos++;
	end = head_end(buf + pos, len - pos);
	if (!end)
		return len - pos > max_head ? HTTP_PARSE_TOO_LARGE : HTTP_PARSE_MORE;
	if (end > max_head)
		return HTTP_PARSE_TOO_LARGE;
	end += pos;

	for (bool first = true; pos < end;) {
		size_t eol = pos, n, colon;
		const char *l = buf + pos;

		while (eol < end && buf[eol] != '\n')
			eol++;
		n = eol - pos;
		if (n && l[n - 1] == '\r')
			n--;
		pos = eol + 1;
		if (!n)
			break; /* the empty line */
		if (first) {
			rc = parse_request_line(l, n, r);
			if (rc != HTTP_PARSE_OK)
				return rc;
			first = false;
			continue;
		}
		/* field-line = field-name ":" OWS field-value OWS (RFC 9112 5) */
		colon = 0;
		while (colon < n && is_tchar(l[colon]))
			colon++;
		if (!colon || colon >= n || l[colon] != ':')
			return HTTP_PARSE_BAD;
		const char *v = l + colon + 1;
		size_t vn = n - colon - 1;

		if (colon == 10 && !strncasecmp(l, "Connection", 10)) {
			conn_close |= list_has(v, vn, "close");
			conn_keep |= list_has(v, vn, "keep-alive");
		} else if (colon == 14 && !strncasecmp(l, "Content-Length", 14)) {
			size_t i = 0, val = 0;

			while (i < vn && (v[i] == ' ' || v[i] == '\t'))
				i++;
			if (i == vn)
				return HTTP_PARSE_BAD;
			for (; i < vn && v[i] >= '0' && v[i] <= '9'; i++) {
				if (val > (SIZE_MAX - 9) / 10)
					return HTTP_PARSE_BAD;
				val = val * 10 + (size_t)(v[i] - '0');
			}
			while (i < vn && (v[i] == ' ' || v[i] == '\t'))
				i++;
			/* RFC 9112 6.3: differing or invalid lengths are an error */
			if (i != vn || (have_cl && val != content_length))
				return HTTP_PARSE_BAD;
			have_cl = true;
			content_length = val;
		} else if (colon == 17 && !strncasecmp(l, "Transfer-Encoding", 17)) {
			/* no chunked bodies here: refusing beats misframing */
			return HTTP_PARSE_BAD;
		}
	}
	if (content_length > max_head)
		return HTTP_PARSE_TOO_LARGE;
	if (len - end < content_length)
		return HTTP_PARSE_MORE;
	r->keep_alive = r->minor >= 1 ? !conn_close : (conn_keep && !conn_close);
	r->consumed = end + content_length;
	return HTTP_PARSE_OK;
}
