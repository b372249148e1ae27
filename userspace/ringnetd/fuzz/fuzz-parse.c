// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the text parsers a user or a file feeds.  The first
 * byte picks one, the rest is its text (NUL-terminated here):
 *
 *	0 port_parse() for -t	1 port_parse() for -u
 *	2 dns_parse_upstream()	3 parse_uint(), max 65535
 *	4 dns_read_resolv_conf() on the text as a file
 *	5 ringnet_bytes_parse()	6 ringnet_offloads_parse()
 *
 * Besides the sanitizers, each checks what its parser promises.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <netinet/in.h>

#include "../gw.h"
#include "ringnet_bytes.h"
#include "ringnet_offloads.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int resolv_fd = -1;

static void resolv_conf(const char *text, size_t len)
{
	struct gw_config cfg;
	char path[64];
	unsigned int i;

	if (resolv_fd < 0)
		resolv_fd = memfd_create("resolv.conf", MFD_CLOEXEC);
	if (resolv_fd < 0 || ftruncate(resolv_fd, 0) ||
	    pwrite(resolv_fd, text, len, 0) != (ssize_t)len)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", resolv_fd);
	gw_config_defaults(&cfg);
	if (dns_read_resolv_conf(&cfg, path))
		abort();
	if (cfg.n_dns_upstream > MAX_DNS_UPSTREAMS)
		abort();
	for (i = 0; i < cfg.n_dns_upstream; i++)
		if (cfg.dns_upstream[i].sin_family != AF_INET ||
		    !cfg.dns_upstream[i].sin_port)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_config cfg;
	struct sockaddr_in sa;
	const char *bad;
	size_t bad_len;
	unsigned long v;
	uint64_t n;
	char *s;

	if (!size)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 7) {
	case 0:
	case 1:
		gw_config_defaults(&cfg);
		port_parse(&cfg, data[0] % 7 ? IPPROTO_UDP : IPPROTO_TCP, s);
		free(cfg.ports);	/* the caller's, as in main() */
		break;
	case 2:
		if (dns_parse_upstream(s, &sa) == 0 && !sa.sin_port)
			abort();
		break;
	case 3:
		if (parse_uint(s, s + strlen(s), 65535, &v) && v > 65535)
			abort();
		break;
	case 4:
		resolv_conf(s, size - 1);
		break;
	case 5:
		ringnet_bytes_parse(s, &n);
		break;
	case 6:
		if (ringnet_offloads_parse(s, &n, &bad, &bad_len) == 0 &&
		    (n & ~(uint64_t)RINGNET_F_ALL))
			abort();
		if (ringnet_offloads_parse(s, &n, &bad, &bad_len) &&
		    (bad < s || bad + bad_len > s + strlen(s)))
			abort();
		break;
	}
	free(s);
	return 0;
}
