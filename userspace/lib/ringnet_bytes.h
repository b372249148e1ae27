/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A byte count as the tools take it (mem-limit): decimal digits and an
 * optional K, M or G (powers of 1024).  ringnetctl and the ip(8) plugin
 * share it so that both refuse the same things; strtoull() alone takes
 * leading blanks, a sign, and "-1" as 2^64 - 1.  Header only: the ip(8)
 * plugin links against nothing.
 */
#ifndef RINGNET_BYTES_H
#define RINGNET_BYTES_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* 0 with the count in *out; -EINVAL if s is not one, -ERANGE if too large. */
static inline int ringnet_bytes_parse(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end)
		return -EINVAL;
	if (v > UINT64_MAX >> shift)
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

#endif
