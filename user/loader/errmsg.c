/* Error messages of the loader: library code reports, the caller prints. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "loader/loader_int.h"

static int vformat(char *err, size_t errlen, int rc, bool with_errno, const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return rc;
	n = vsnprintf(err, errlen, fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < errlen)
		snprintf(err + n, errlen - n, ": %s", strerror(rc < 0 ? -rc : rc));
	return rc;
}

int loader_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(err, errlen, rc, true, fmt, ap);
	va_end(ap);
	return rc;
}

int loader_msg(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(err, errlen, rc, false, fmt, ap);
	va_end(ap);
	return rc;
}
