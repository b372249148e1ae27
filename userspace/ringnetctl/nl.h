/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink plumbing shared by the ringnetctl commands: sockets that ask for
 * extended ACKs, request/reply loops that keep the kernel's errno and
 * extack message, and error reporting.
 */
#ifndef RINGNETCTL_NL_H
#define RINGNETCTL_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <netlink/netlink.h>

struct rn_nl {
	struct nl_sock *sk;
	/* What the kernel said about the last failed request. */
	int kernel_errno;		/* positive errno, 0 if none */
	char extack_msg[512];		/* NLMSGERR_ATTR_MSG, "" if none */
	bool has_miss_type;
	uint32_t miss_type;		/* NLMSGERR_ATTR_MISS_TYPE */
};

/* Returns 0 or a negative libnl error code. */
int rn_nl_open(struct rn_nl *nl, int protocol);
void rn_nl_close(struct rn_nl *nl);

/* Forgets the previous kernel error; rn_nl_request() does it by itself. */
void rn_nl_clear_error(struct rn_nl *nl);

/*
 * Called for each reply message.  Returns 0 to go on or a negative libnl
 * error code to abort the request with.
 */
typedef int (*rn_reply_fn)(struct nl_msg *msg, void *arg);

/*
 * Sends msg (not freed) and reads replies until the kernel's ACK, the end
 * of a dump, or an error.  Returns 0 or a negative libnl error code; for
 * kernel errors the errno and extack message are kept in nl.
 */
int rn_nl_request(struct rn_nl *nl, struct nl_msg *msg,
		  rn_reply_fn fn, void *arg);

/*
 * Prints "ringnetctl: WHAT: <reason>[: <extack message>]" to stderr.
 * The reason is the kernel's errno text when the kernel refused, else
 * libnl's text for err.
 */
void rn_nl_perror(const struct rn_nl *nl, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
