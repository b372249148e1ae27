// SPDX-License-Identifier: GPL-2.0
/*
 * The Internet checksum (RFC 1071): a one's complement sum of 16-bit
 * big-endian words, folded.  Summing byte by byte keeps it independent of
 * alignment and host byte order; speed matters little for the headers and
 * datagrams it sees here.
 */
#include "gw.h"

uint32_t csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t s = sum;

	while (len > 1) {
		s += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	/* Fold once more so callers can keep adding to a 32-bit value. */
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t csum_ip4_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	uint8_t ph[12];

	wraddr(ph, src);
	wraddr(ph + 4, dst);
	ph[8] = 0;
	ph[9] = proto;
	wr16(ph + 10, len);
	return csum_add(0, ph, sizeof(ph));
}
