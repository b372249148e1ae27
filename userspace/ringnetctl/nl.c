// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink plumbing: extended ACKs on libnl-3.
 *
 * libnl 3.7 has no API for extended ACKs, and its error callback only gets
 * the struct nlmsgerr, so we switch NETLINK_EXT_ACK on ourselves and parse
 * the NLMSGERR_ATTR_* TLVs that follow the (possibly capped) echoed request.
 * The error callback is installed on the socket itself, so libnl's own
 * helpers (genl_ctrl_resolve(), rtnl_link_get_kernel(), ...) record the
 * kernel's answer too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "nl.h"

void rn_nl_clear_error(struct rn_nl *nl)
{
	nl->kernel_errno = 0;
	nl->extack_msg[0] = '\0';
	nl->has_miss_type = false;
	nl->miss_type = 0;
}

/*
 * Keeps the extack TLVs of an NLMSG_ERROR or NLMSG_DONE message; they
 * start tlv_offset bytes into its payload.
 */
static void rn_nl_keep_ext_ack(struct rn_nl *nl, const struct nlmsghdr *hdr,
			       size_t tlv_offset)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t payload_len = hdr->nlmsg_len - NLMSG_HDRLEN;
	struct nlattr *tlvs;

	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	tlv_offset = NLMSG_ALIGN(tlv_offset);
	if (tlv_offset >= payload_len)
		return;

	tlvs = (struct nlattr *)((char *)nlmsg_data(hdr) + tlv_offset);
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, tlvs, payload_len - tlv_offset,
		      NULL) < 0)
		return;

	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(nl->extack_msg, tb[NLMSGERR_ATTR_MSG],
			    sizeof(nl->extack_msg));
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= (int)sizeof(uint32_t)) {
		nl->has_miss_type = true;
		nl->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	}
}

/* Where the TLVs of an NLMSG_ERROR start, from the start of its payload. */
static size_t rn_nl_error_tlv_offset(const struct nlmsghdr *hdr,
				     const struct nlmsgerr *e)
{
	size_t offset = sizeof(*e);

	/* Without NETLINK_CAP_ACK the whole request is echoed first. */
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > NLMSG_HDRLEN)
		offset += e->msg.nlmsg_len - NLMSG_HDRLEN;
	return offset;
}

static int rn_nl_on_error(struct sockaddr_nl *who, struct nlmsgerr *e,
			  void *arg)
{
	struct rn_nl *nl = arg;
	/* libnl hands us nlmsg_data() of the message; step back to its
	 * header for the flags and the length. */
	const struct nlmsghdr *hdr =
		(const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);

	(void)who;
	rn_nl_clear_error(nl);
	nl->kernel_errno = e->error < 0 ? -e->error : e->error;
	rn_nl_keep_ext_ack(nl, hdr, rn_nl_error_tlv_offset(hdr, e));
	return NL_STOP;
}

int rn_nl_open(struct rn_nl *nl, int protocol)
{
	static const int one = 1;
	int err, fd;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -NLE_NOMEM;

	err = nl_connect(nl->sk, protocol);
	if (err < 0) {
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return err;
	}

	fd = nl_socket_get_fd(nl->sk);
	/* Kernels before 4.12 refuse these; they only give less detail. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* We never look at the echoed request: keep error replies small. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, rn_nl_on_error, nl);
	return 0;
}

void rn_nl_close(struct rn_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct rn_request {
	struct rn_nl *nl;
	rn_reply_fn fn;
	void *arg;
	bool done;
};

static int rn_nl_on_reply(struct nl_msg *msg, void *arg)
{
	struct rn_request *req = arg;
	int err;

	if (!req->fn)
		return NL_OK;
	err = req->fn(msg, req->arg);
	if (err < 0) {
		req->done = true;
		return err;	/* libnl stops and returns it */
	}
	return NL_OK;
}

/* A positive ACK may still carry a warning from the kernel. */
static int rn_nl_on_ack(struct nl_msg *msg, void *arg)
{
	struct rn_request *req = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);

	req->done = true;
	rn_nl_keep_ext_ack(req->nl, hdr,
			   rn_nl_error_tlv_offset(hdr, nlmsg_data(hdr)));
	if (req->nl->extack_msg[0])
		fprintf(stderr, "ringnetctl: warning: %s\n",
			req->nl->extack_msg);
	rn_nl_clear_error(req->nl);
	return NL_STOP;
}

/* The end of a dump carries an errno of its own, then extack TLVs. */
static int rn_nl_on_done(struct nl_msg *msg, void *arg)
{
	struct rn_request *req = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	int error;

	req->done = true;
	if (nlmsg_datalen(hdr) < (int)sizeof(error))
		return NL_STOP;

	memcpy(&error, nlmsg_data(hdr), sizeof(error));
	if (error >= 0)
		return NL_STOP;

	rn_nl_clear_error(req->nl);
	req->nl->kernel_errno = -error;
	rn_nl_keep_ext_ack(req->nl, hdr, sizeof(error));
	return -nl_syserr2nlerr(-error);
}

int rn_nl_request(struct rn_nl *nl, struct nl_msg *msg,
		  rn_reply_fn fn, void *arg)
{
	struct rn_request req = { .nl = nl, .fn = fn, .arg = arg };
	struct nl_cb *sk_cb, *cb;
	int err;

	rn_nl_clear_error(nl);

	/* A copy of the socket's callbacks keeps its error callback. */
	sk_cb = nl_socket_get_cb(nl->sk);
	cb = nl_cb_clone(sk_cb);
	nl_cb_put(sk_cb);
	if (!cb)
		return -NLE_NOMEM;

	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, rn_nl_on_reply, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, rn_nl_on_ack, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, rn_nl_on_done, &req);

	err = nl_send_auto(nl->sk, msg);
	if (err >= 0) {
		err = 0;
		/* A reply and its ACK may come in separate reads. */
		while (!req.done && !err)
			err = nl_recvmsgs(nl->sk, cb);
	}

	nl_cb_put(cb);
	return err < 0 ? err : 0;
}

void rn_nl_perror(const struct rn_nl *nl, int err, const char *fmt, ...)
{
	va_list ap;

	fputs("ringnetctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);

	if (nl && nl->kernel_errno)
		fprintf(stderr, ": %s", strerror(nl->kernel_errno));
	else
		fprintf(stderr, ": %s", nl_geterror(err));

	if (nl && nl->extack_msg[0])
		fprintf(stderr, ": %s", nl->extack_msg);
	if (nl && nl->has_miss_type)
		fprintf(stderr, " (missing attribute %u)", nl->miss_type);
	fputc('\n', stderr);
}
