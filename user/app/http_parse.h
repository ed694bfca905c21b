/* HTTP/1.x request heads (RFC 9112): enough for the built-in `http` app.
 * Pure: no I/O, bounds checked, works on whatever bytes have arrived so
 * far (a partial request asks for more; pipelined requests are parsed one
 * at a time from the front of the buffer). */
#ifndef XDPTCP_APP_HTTP_PARSE_H
#define XDPTCP_APP_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEAD 8192 /* request line + headers; more is 431 */

enum http_parse_rc {
	HTTP_PARSE_MORE = 0,	 /* incomplete: read more and call again */
	HTTP_PARSE_OK = 1,	 /* one request parsed: consumed bytes */
	HTTP_PARSE_BAD = -1,	 /* malformed: 400 and close */
	HTTP_PARSE_TOO_LARGE = -2, /* head over max_head: 431 and close */
};

struct http_req {
	bool get;	 /* method is GET (HEAD is answered like GET, no body) */
	bool head;	 /* method is HEAD */
	bool keep_alive; /* RFC 9112 9.3: 1.1 unless "close", 1.0 only with "keep-alive" */
	int minor;	 /* HTTP/1.<minor> */
	size_t consumed; /* bytes of this request (head and body) */
};

/* Parses the request at the front of buf[0..len). */
int http_parse_request(const char *buf, size_t len, size_t max_head, struct http_req *r);

#endif
