// SPDX-License-Identifier: GPL-2.0
/*
 * Numbers on the command line: ports, port ranges and the numeric
 * options all go through parse_uint(), so they take the same spellings.
 */
#include "gw.h"

bool parse_uint(const char *s, const char *end, unsigned long max, unsigned long *v)
{
	unsigned long n = 0;

	if (s == end)
		return false;
	for (; s < end; s++) {
		unsigned long d;

		if (*s < '0' || *s > '9')
			return false;
		d = (unsigned long)(*s - '0');
		/* n * 10 + d > max, without overflowing */
		if (n > max / 10 || d > max - n * 10)
			return false;
		n = n * 10 + d;
	}
	*v = n;
	return true;
}
