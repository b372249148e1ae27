// SPDX-License-Identifier: GPL-2.0
/*
 * link_ringnet.so: teaches ip(8) the ringnet link options, so that
 *
 *	ip link add rn0 type ringnet mem-limit 16M offloads csum,tso4
 *	ip -d link show rn0
 *
 * work like those of any in-tree kind.  ip loads "link_KIND.so" from
 * $IP_LIB_DIR (default /usr/lib/x86_64-linux-gnu/ip on Debian) for kinds it
 * does not know, and resolves the helpers below in its own executable.
 *
 * Only the leading members of ip's struct link_util are used; they have kept
 * their order since plugins were introduced, and the rest stay zero.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/ringnet.h>

#include "ringnet_bytes.h"
#include "ringnet_offloads.h"

/* What we use of iproute2, as its executable exports it. */
struct link_util {
	struct link_util *next;
	const char *id;
	int maxattr;
	int (*parse_opt)(struct link_util *lu, int argc, char **argv,
			 struct nlmsghdr *n);
	void (*print_opt)(struct link_util *lu, FILE *f, struct rtattr *tb[]);
	void (*print_xstats)(struct link_util *lu, FILE *f, struct rtattr *xstats);
	void (*print_help)(struct link_util *lu, int argc, char **argv, FILE *f);
	void *unused[4];
};

enum { PRINT_FP = 1, PRINT_JSON = 2, PRINT_ANY = 4 };

int addattr64(struct nlmsghdr *n, int maxlen, int type, uint64_t data);
bool is_json_context(void);
void print_color_uint(int type, int color, const char *key, const char *fmt,
		      uint64_t value);
void print_color_bool(int type, int color, const char *key, const char *fmt,
		      bool value);
void print_color_string(int type, int color, const char *key, const char *fmt,
			const char *value);
void open_json_array(int type, const char *key);
void close_json_array(int type, const char *delim);

/* The request buffer ip passes to parse_opt (struct iplink_req). */
#define IPLINK_REQ_MAX	1024

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ... ringnet [ mem-limit BYTES ] [ offloads LIST ]\n"
		"\n"
		"BYTES := NUMBER[K|M|G]\n"
		"LIST := none | all | OFFLOAD[,OFFLOAD...]\n"
		"OFFLOAD := { csum | tso4 | tso6 | tso-ecn | uso }\n");
}

static int ringnet_parse_opt(struct link_util *lu __attribute__((unused)), int argc, char **argv,
			     struct nlmsghdr *n)
{
	const char *bad;
	size_t bad_len;
	uint64_t v;
	int err;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(*argv, "help")) {
			usage(stdout);
			exit(0);
		}
		if (argc < 2) {
			fprintf(stderr, "ringnet: \"%s\" needs a value\n", *argv);
			return -1;
		}
		if (!strcmp(*argv, "mem-limit")) {
			err = ringnet_bytes_parse(argv[1], &v);
			if (err) {
				fprintf(stderr, "ringnet: bad mem-limit \"%s\": %s\n", argv[1],
					err == -ERANGE ? "too large" : "BYTES := NUMBER[K|M|G]");
				return -1;
			}
			addattr64(n, IPLINK_REQ_MAX, IFLA_RINGNET_MEM_LIMIT, v);
		} else if (!strcmp(*argv, "offloads")) {
			if (ringnet_offloads_parse(argv[1], &v, &bad, &bad_len)) {
				if (!bad_len)
					fprintf(stderr, "ringnet: bad offloads \"%s\": empty name\n",
						argv[1]);
				else
					fprintf(stderr, "ringnet: bad offloads \"%s\": unknown offload \"%.*s\"\n",
						argv[1], (int)bad_len, bad);
				return -1;
			}
			addattr64(n, IPLINK_REQ_MAX, IFLA_RINGNET_OFFLOADS, v);
		} else {
			fprintf(stderr, "ringnet: unknown option \"%s\"\n", *argv);
			usage(stderr);
			return -1;
		}
		argc--;
		argv++;
	}
	return 0;
}

static uint64_t rta_u64(const struct rtattr *rta)
{
	uint64_t v;

	memcpy(&v, RTA_DATA(rta), sizeof(v));
	return v;
}

static void ringnet_print_opt(struct link_util *lu __attribute__((unused)), FILE *f, struct rtattr *tb[])
{
	unsigned int i;
	bool first = true;

	if (!tb)
		return;
	if (tb[IFLA_RINGNET_ATTACHED]) {
		bool attached = *(uint8_t *)RTA_DATA(tb[IFLA_RINGNET_ATTACHED]);

		print_color_bool(PRINT_JSON, 0, "attached", NULL, attached);
		if (!is_json_context())
			fprintf(f, "%s ", attached ? "attached" : "detached");
	}
	if (tb[IFLA_RINGNET_MEM_LIMIT] &&
	    RTA_PAYLOAD(tb[IFLA_RINGNET_MEM_LIMIT]) == sizeof(uint64_t)) {
		uint64_t v = rta_u64(tb[IFLA_RINGNET_MEM_LIMIT]);

		print_color_uint(PRINT_JSON, 0, "mem_limit", NULL, v);
		if (!is_json_context())
			fprintf(f, "mem-limit %llu ", (unsigned long long)v);
	}
	if (tb[IFLA_RINGNET_OFFLOADS] &&
	    RTA_PAYLOAD(tb[IFLA_RINGNET_OFFLOADS]) == sizeof(uint64_t)) {
		uint64_t v = rta_u64(tb[IFLA_RINGNET_OFFLOADS]);

		open_json_array(PRINT_JSON, "offloads");
		if (!is_json_context())
			fprintf(f, "offloads ");
		for (i = 0; i < __RINGNET_F_NBITS; i++) {
			if (!(v & (1ULL << i)))
				continue;
			print_color_string(PRINT_JSON, 0, NULL, NULL, ringnet_offload_names[i]);
			if (!is_json_context())
				fprintf(f, "%s%s", first ? "" : ",", ringnet_offload_names[i]);
			first = false;
		}
		if (!is_json_context())
			fprintf(f, "%s ", first ? "none" : "");
		close_json_array(PRINT_JSON, NULL);
	}
}

static void ringnet_print_help(struct link_util *lu __attribute__((unused)),
			       int argc __attribute__((unused)),
			       char **argv __attribute__((unused)), FILE *f)
{
	usage(f);
}

struct link_util ringnet_link_util = {
	.id		= RINGNET_LINK_KIND,
	.maxattr	= IFLA_RINGNET_MAX,
	.parse_opt	= ringnet_parse_opt,
	.print_opt	= ringnet_print_opt,
	.print_help	= ringnet_print_help,
};
