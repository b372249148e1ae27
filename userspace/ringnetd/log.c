// SPDX-License-Identifier: GPL-2.0
/*
 * Logging to stderr: errors and notices always, more with -v.
 */
#include <stdio.h>
#include <time.h>

#include "gw.h"

int gw_log_level;

void gw_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > gw_log_level)
		return;
	va_start(ap, fmt);
	fputs("ringnetd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

const char *ip4_str(uint32_t addr, char buf[INET_ADDRSTRLEN])
{
	struct in_addr a = { .s_addr = addr };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}
