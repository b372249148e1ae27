// SPDX-License-Identifier: GPL-2.0
/*
 * ringnetctl: create, configure, inspect and watch ringnet devices.
 *
 * This file holds the entry point and the command-line parsing shared by
 * the commands; link.c has the rtnetlink commands (add, del) and genl.c
 * the generic netlink ones (set, show, monitor).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <net/if.h>

#include "dev.h"
#include "ringnetctl.h"
#include "ringnet_bytes.h"
#include "ringnet_offloads.h"

#ifndef RINGNETCTL_VERSION
#define RINGNETCTL_VERSION "0.1"
#endif

/* Ethernet's smallest MTU, and the largest a ringnet device takes. */
#define RN_MTU_MIN	68
#define RN_MTU_MAX	65520

void usage(FILE *out)
{
	fputs("Usage: ringnetctl COMMAND [ARGUMENTS]\n"
	      "\n"
	      "Commands:\n"
	      "  add DEV [mtu N] [address MAC] [netns NAME|PATH|PID]\n"
	      "          [mem-limit BYTES] [offloads LIST]\n"
	      "                          create a ringnet device\n"
	      "  set DEV [mem-limit BYTES] [offloads LIST]\n"
	      "                          change the settings of a device\n"
	      "  del DEV                 delete a ringnet device\n"
	      "  show [DEV] [-j|--json]  show one device, or all of them\n"
	      "  monitor [-j|--json]     print device events as they happen\n"
	      "  help                    print this text\n"
	      "\n"
	      "BYTES is a number of bytes with an optional K, M or G suffix"
	      " (powers of 1024).\n"
	      "LIST is none, all, or a comma-separated list of: ", out);
	rn_offloads_print(out, RINGNET_F_ALL, ", ");
	fputs(".\n", out);
}

noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ringnetctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	usage(stderr);
	exit(RINGNETCTL_EXIT_USAGE);
}

const char *option_value(int argc, char **argv, int i)
{
	if (i + 1 >= argc)
		usage_error("'%s' needs a value", argv[i]);
	return argv[i + 1];
}

void option_once(bool *seen, const char *keyword)
{
	if (*seen)
		usage_error("'%s' given twice", keyword);
	*seen = true;
}

/* Names the kernel would refuse anyway (see dev_valid_name()). */
const char *parse_ifname(const char *s)
{
	size_t len = strlen(s);

	if (!len)
		usage_error("empty device name");
	if (len >= IFNAMSIZ)
		usage_error("invalid device name '%s': longer than %d bytes",
			    s, IFNAMSIZ - 1);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		usage_error("invalid device name '%s'", s);
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			usage_error("invalid device name '%s': no '/', ':' or"
				    " white space allowed", s);
	return s;
}

/* Plain decimal: strtoull() alone would take "-1", " 1" and "0x10". */
static bool parse_decimal(const char *s, uint64_t *value, char **end)
{
	unsigned long long v;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, end, 10);
	if (errno)
		return false;
	*value = v;
	return true;
}

uint32_t parse_mtu(const char *s)
{
	uint64_t mtu;
	char *end;

	if (!parse_decimal(s, &mtu, &end) || *end ||
	    mtu < RN_MTU_MIN || mtu > RN_MTU_MAX)
		usage_error("invalid MTU '%s' (%d to %d)", s, RN_MTU_MIN,
			    RN_MTU_MAX);
	return mtu;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return tolower((unsigned char)c) - 'a' + 10;
}

/* xx:xx:xx:xx:xx:xx, one or two hex digits each. */
void parse_mac(const char *s, uint8_t mac[6])
{
	const char *p = s;
	bool zero = true;

	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)*p))
			goto bad;
		mac[i] = hex_value(*p++);
		if (isxdigit((unsigned char)*p))
			mac[i] = mac[i] << 4 | hex_value(*p++);
		if (i < 5 && *p++ != ':')
			goto bad;
		zero &= !mac[i];
	}
	if (*p)
		goto bad;

	if (mac[0] & 1)
		usage_error("invalid MAC address '%s': multicast", s);
	if (zero)
		usage_error("invalid MAC address '%s': all zeros", s);
	return;
bad:
	usage_error("invalid MAC address '%s' (expected xx:xx:xx:xx:xx:xx)", s);
}

uint64_t parse_bytes(const char *keyword, const char *s)
{
	uint64_t value;
	int err = ringnet_bytes_parse(s, &value);

	if (err == -ERANGE)
		usage_error("invalid %s '%s': too large", keyword, s);
	if (err)
		usage_error("invalid %s '%s' (bytes, with an optional K, M or G"
			    " suffix)", keyword, s);
	return value;
}

uint64_t parse_offloads(const char *s)
{
	const char *bad;
	size_t bad_len;
	uint64_t mask;

	if (ringnet_offloads_parse(s, &mask, &bad, &bad_len) < 0) {
		if (!bad_len)
			usage_error("invalid offloads '%s': empty name", s);
		usage_error("invalid offloads '%s': unknown offload '%.*s'",
			    s, (int)bad_len, bad);
	}
	return mask;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "add",	cmd_add },
	{ "set",	cmd_set },
	{ "del",	cmd_del },
	{ "show",	cmd_show },
	{ "monitor",	cmd_monitor },
};

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return RINGNETCTL_EXIT_USAGE;
	}

	name = argv[1];
	if (!strcmp(name, "help") || !strcmp(name, "-h") ||
	    !strcmp(name, "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
		printf("ringnetctl %s\n", RINGNETCTL_VERSION);
		return 0;
	}

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].run(argc - 2, argv + 2);

	usage_error("unknown command '%s'", name);
}
