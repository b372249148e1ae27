// SPDX-License-Identifier: GPL-2.0
/*
 * Logging: to stderr, or to syslog with --syslog (for ringnetd started by
 * a service manager or a container runtime that doesn't keep stderr).
 * Errors and warnings always; -v adds setup details, -vv one line per flow.
 */
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "gw.h"

int gw_log_level;
static bool use_syslog;

void gw_log_to_syslog(void)
{
	openlog("ringnetd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	use_syslog = true;
}

static int syslog_priority(int level)
{
	switch (level) {
	case LOG_ERR_:
		return LOG_ERR;
	case LOG_WARN_:
		return LOG_WARNING;
	case LOG_INFO_:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

void gw_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > gw_log_level)
		return;
	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(syslog_priority(level), fmt, ap);
	} else {
		fputs(level == LOG_ERR_ ? "ringnetd: error: " :
		      level == LOG_WARN_ ? "ringnetd: warning: " : "ringnetd: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

const char *ip4_str(uint32_t addr, char buf[INET_ADDRSTRLEN])
{
	struct in_addr a = { .s_addr = addr };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}
