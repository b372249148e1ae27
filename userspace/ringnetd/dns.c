// SPDX-License-Identifier: GPL-2.0
/*
 * DNS: the sandbox's resolver is the DNS address (10.0.2.3); its UDP
 * queries become UDP flows (udp.c) whose host socket is connected to an
 * upstream resolver, so answers map back to the sandbox through the flow
 * like any other reply.  No DNS message is parsed here: the payload
 * crosses untouched, which is also why it can't break on new record types.
 *
 * Upstreams come from --dns-upstream (repeatable), else from the
 * nameserver lines of /etc/resolv.conf (IPv4 only, for now).  New flows
 * use the current upstream; one that answers with an ICMP error makes the
 * next flow try the next one.  TCP connections to the DNS address's port
 * 53 are relayed by tcp.c to the same upstream, port for port.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "gw.h"

int dns_parse_upstream(const char *arg, struct sockaddr_in *sa)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strchr(arg, ':');
	size_t hl = colon ? (size_t)(colon - arg) : strlen(arg);
	unsigned long port = 53;

	if (hl == 0 || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, arg, hl);
	host[hl] = '\0';
	if (colon && (!parse_uint(colon + 1, colon + strlen(colon), 65535, &port) || !port))
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -EINVAL;
	return 0;
}

int dns_read_resolv_conf(struct gw_config *cfg, const char *path)
{
	char line[256], addr[64];
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && cfg->n_dns_upstream < MAX_DNS_UPSTREAMS) {
		struct sockaddr_in sa;

		if (sscanf(line, " nameserver %63s", addr) != 1)
			continue;
		if (strchr(addr, ':'))	/* IPv6 */
			continue;
		if (dns_parse_upstream(addr, &sa) == 0)
			cfg->dns_upstream[cfg->n_dns_upstream++] = sa;
	}
	fclose(f);
	return 0;
}

bool dns_upstream(struct gw *gw, struct sockaddr_in *sa)
{
	if (!gw->cfg.n_dns_upstream)
		return false;
	*sa = gw->cfg.dns_upstream[gw->dns_next % gw->cfg.n_dns_upstream];
	return true;
}

void dns_upstream_failed(struct gw *gw)
{
	if (gw->cfg.n_dns_upstream > 1)
		gw->dns_next = (gw->dns_next + 1) % gw->cfg.n_dns_upstream;
}
