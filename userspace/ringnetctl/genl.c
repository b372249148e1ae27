// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink commands: "set", "show" and "monitor", all on the
 * "ringnet" family.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "dev.h"
#include "json.h"
#include "nl.h"
#include "ringnetctl.h"

/* A dump the kernel flags as inconsistent is tried again this often. */
#define DUMP_RETRIES	3

/* Opens a generic netlink socket and finds the family's id, or says why not. */
static int ringnet_genl_open(struct rn_nl *nl)
{
	int err, family;

	err = rn_nl_open(nl, NETLINK_GENERIC);
	if (err < 0) {
		rn_nl_perror(NULL, err, "generic netlink socket");
		return -1;
	}

	rn_nl_clear_error(nl);
	family = genl_ctrl_resolve(nl->sk, RINGNET_GENL_NAME);
	if (family >= 0)
		return family;

	if (family == -NLE_OBJ_NOTFOUND)
		fprintf(stderr, "ringnetctl: the generic netlink family \"%s\""
			" is not available; is the ringnet module loaded?\n",
			RINGNET_GENL_NAME);
	else
		rn_nl_perror(nl, family, "resolving generic netlink family"
			     " \"%s\"", RINGNET_GENL_NAME);
	rn_nl_close(nl);
	return -1;
}

static struct nl_msg *ringnet_msg(int family, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			 cmd, RINGNET_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* set */

struct set_options {
	const char *ifname;
	bool has_mem_limit, has_offloads;
	uint64_t mem_limit;
	uint64_t offloads;
};

static void parse_set_options(int argc, char **argv, struct set_options *o)
{
	if (argc < 1)
		usage_error("set: missing DEV");
	o->ifname = parse_ifname(argv[0]);

	for (int i = 1; i < argc; i += 2) {
		const char *key = argv[i];

		if (!strcmp(key, "mem-limit")) {
			option_once(&o->has_mem_limit, key);
			o->mem_limit = parse_bytes(key, option_value(argc, argv, i));
		} else if (!strcmp(key, "offloads")) {
			option_once(&o->has_offloads, key);
			o->offloads = parse_offloads(option_value(argc, argv, i));
		} else {
			usage_error("set: unknown option '%s'", key);
		}
	}

	if (!o->has_mem_limit && !o->has_offloads)
		usage_error("set: nothing to change (give mem-limit and/or"
			    " offloads)");
}

static struct nl_msg *build_dev_set(int family, const struct set_options *o)
{
	struct nl_msg *msg = ringnet_msg(family, RINGNET_CMD_DEV_SET, 0);

	if (!msg)
		return NULL;
	NLA_PUT_STRING(msg, RINGNET_A_DEV_IFNAME, o->ifname);
	if (o->has_mem_limit)
		NLA_PUT_U64(msg, RINGNET_A_DEV_MEM_LIMIT, o->mem_limit);
	if (o->has_offloads)
		NLA_PUT_U64(msg, RINGNET_A_DEV_OFFLOADS, o->offloads);
	return msg;

nla_put_failure:
	nlmsg_free(msg);
	return NULL;
}

int cmd_set(int argc, char **argv)
{
	struct set_options o = { 0 };
	struct nl_msg *msg;
	struct rn_nl nl;
	int family, err;

	parse_set_options(argc, argv, &o);

	family = ringnet_genl_open(&nl);
	if (family < 0)
		return RINGNETCTL_EXIT_FAILURE;

	msg = build_dev_set(family, &o);
	if (!msg) {
		fprintf(stderr, "ringnetctl: out of memory\n");
		rn_nl_close(&nl);
		return RINGNETCTL_EXIT_FAILURE;
	}

	err = rn_nl_request(&nl, msg, NULL, NULL);
	if (err < 0)
		rn_nl_perror(&nl, err, "DEV_SET %s", o.ifname);

	nlmsg_free(msg);
	rn_nl_close(&nl);
	return err < 0 ? RINGNETCTL_EXIT_FAILURE : 0;
}

/* show */

struct dev_list {
	struct rn_dev *devs;
	size_t count, capacity;
	bool reported;		/* a parse error was already printed */
};

static int dev_list_add_reply(struct nl_msg *msg, void *arg)
{
	struct dev_list *list = arg;
	int err;

	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? 2 * list->capacity : 8;
		struct rn_dev *devs;

		devs = realloc(list->devs, capacity * sizeof(*devs));
		if (!devs)
			return -NLE_NOMEM;
		list->devs = devs;
		list->capacity = capacity;
	}

	err = rn_dev_parse(&list->devs[list->count], nlmsg_hdr(msg));
	if (err < 0) {
		fprintf(stderr, "ringnetctl: malformed DEV_GET reply: %s\n",
			nl_geterror(err));
		list->reported = true;
		return err;
	}
	list->count++;
	return 0;
}

static int show_get_one(struct rn_nl *nl, int family, const char *ifname,
			struct dev_list *list)
{
	struct nl_msg *msg = ringnet_msg(family, RINGNET_CMD_DEV_GET, 0);
	int err;

	if (!msg || nla_put_string(msg, RINGNET_A_DEV_IFNAME, ifname) < 0) {
		nlmsg_free(msg);
		fprintf(stderr, "ringnetctl: out of memory\n");
		return -1;
	}

	err = rn_nl_request(nl, msg, dev_list_add_reply, list);
	nlmsg_free(msg);
	if (err < 0 && !list->reported)
		rn_nl_perror(nl, err, "DEV_GET %s", ifname);
	return err < 0 ? -1 : 0;
}

static int show_dump(struct rn_nl *nl, int family, struct dev_list *list)
{
	int err;

	for (int attempt = 0;; attempt++) {
		struct nl_msg *msg = ringnet_msg(family, RINGNET_CMD_DEV_GET,
						 NLM_F_DUMP);

		if (!msg) {
			fprintf(stderr, "ringnetctl: out of memory\n");
			return -1;
		}
		list->count = 0;
		err = rn_nl_request(nl, msg, dev_list_add_reply, list);
		nlmsg_free(msg);

		/* Devices came or went mid-dump: the list may be torn. */
		if (err != -NLE_DUMP_INTR || attempt == DUMP_RETRIES)
			break;
	}

	if (err < 0 && !list->reported)
		rn_nl_perror(nl, err, "DEV_GET (dump)");
	return err < 0 ? -1 : 0;
}

static void show_print(const struct dev_list *list, bool json)
{
	struct json j;

	if (!json) {
		for (size_t i = 0; i < list->count; i++) {
			if (i)
				putchar('\n');
			rn_dev_print_text(stdout, &list->devs[i]);
		}
		return;
	}

	json_init(&j, stdout, true);
	json_array_begin(&j, NULL);
	for (size_t i = 0; i < list->count; i++) {
		json_object_begin(&j, NULL);
		rn_dev_print_json_fields(&j, &list->devs[i]);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_finish(&j);
}

static bool is_json_flag(const char *arg)
{
	return !strcmp(arg, "-j") || !strcmp(arg, "--json");
}

/* Output errors (a full disk, a closed pipe) must not pass as success. */
static int finish_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "ringnetctl: writing output: %s\n",
			strerror(errno));
		return RINGNETCTL_EXIT_FAILURE;
	}
	return 0;
}

int cmd_show(int argc, char **argv)
{
	struct dev_list list = { 0 };
	const char *ifname = NULL;
	bool json = false;
	struct rn_nl nl;
	int family, err;

	for (int i = 0; i < argc; i++) {
		if (is_json_flag(argv[i]))
			json = true;
		else if (argv[i][0] == '-')
			usage_error("show: unknown option '%s'", argv[i]);
		else if (ifname)
			usage_error("show: unexpected argument '%s'", argv[i]);
		else
			ifname = parse_ifname(argv[i]);
	}

	family = ringnet_genl_open(&nl);
	if (family < 0)
		return RINGNETCTL_EXIT_FAILURE;

	if (ifname)
		err = show_get_one(&nl, family, ifname, &list);
	else
		err = show_dump(&nl, family, &list);
	rn_nl_close(&nl);

	if (!err) {
		show_print(&list, json);
		err = finish_stdout();
	}
	free(list.devs);
	return err ? RINGNETCTL_EXIT_FAILURE : 0;
}

/* monitor */

static const char *const event_names[RINGNET_CMD_MAX + 1] = {
	[RINGNET_CMD_DEV_CREATED_NTF]	= "created",
	[RINGNET_CMD_DEV_DELETED_NTF]	= "deleted",
	[RINGNET_CMD_DEV_ATTACHED_NTF]	= "attached",
	[RINGNET_CMD_DEV_DETACHED_NTF]	= "detached",
	[RINGNET_CMD_DEV_ERROR_NTF]	= "error",
};

struct monitor {
	int family;
	bool json;
	bool write_failed;
};

static void monitor_print_json(const char *event, const struct rn_dev *dev)
{
	struct json j;

	json_init(&j, stdout, false);
	json_object_begin(&j, NULL);
	json_string(&j, "event", event);
	rn_dev_print_json_fields(&j, dev);
	if (rn_dev_has(dev, RINGNET_A_DEV_ERRNO))
		json_u64(&j, "errno", dev->error_errno);
	if (rn_dev_has(dev, RINGNET_A_DEV_ERROR_MSG))
		json_string(&j, "error", dev->error_msg);
	json_object_end(&j);
	json_finish(&j);
}

static int monitor_on_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct monitor *mon = arg;
	const char *event = NULL;
	struct genlmsghdr *ghdr;
	struct rn_dev dev;
	int err;

	if (hdr->nlmsg_type != mon->family || !genlmsg_valid_hdr(hdr, 0))
		return NL_SKIP;
	ghdr = nlmsg_data(hdr);
	if (ghdr->cmd <= RINGNET_CMD_MAX)
		event = event_names[ghdr->cmd];
	if (!event)
		return NL_SKIP;

	err = rn_dev_parse(&dev, hdr);
	if (err < 0) {
		fprintf(stderr, "ringnetctl: ignoring malformed %s event: %s\n",
			event, nl_geterror(err));
		return NL_SKIP;
	}

	if (mon->json) {
		monitor_print_json(event, &dev);
	} else {
		printf("%s ", event);
		rn_dev_print_event_text(stdout, &dev);
		putchar('\n');
	}

	/* Whoever reads us wants each event now, not when a buffer fills. */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		mon->write_failed = true;
		return NL_STOP;
	}
	return NL_OK;
}

static int monitor_subscribe(struct rn_nl *nl, struct monitor *mon)
{
	int group, err;

	rn_nl_clear_error(nl);
	group = genl_ctrl_resolve_grp(nl->sk, RINGNET_GENL_NAME,
				      RINGNET_MCGRP_EVENTS);
	if (group < 0) {
		rn_nl_perror(nl, group, "multicast group \"%s\" of family"
			     " \"%s\"", RINGNET_MCGRP_EVENTS, RINGNET_GENL_NAME);
		return -1;
	}

	/* Notifications carry sequence number 0: nothing to match. */
	nl_socket_disable_seq_check(nl->sk);
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM,
			    monitor_on_event, mon);

	err = nl_socket_add_membership(nl->sk, group);
	if (err < 0) {
		rn_nl_perror(NULL, err, "joining multicast group \"%s\"",
			     RINGNET_MCGRP_EVENTS);
		return -1;
	}
	/* Room for bursts (a test creating many devices); best effort. */
	(void)nl_socket_set_buffer_size(nl->sk, 1 << 20, 0);
	return 0;
}

/* SIGINT and SIGTERM arrive through a descriptor: no races with poll(). */
static int signals_open(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -1;
	fd = signalfd(-1, &mask, SFD_CLOEXEC);
	return fd;
}

static int monitor_loop(struct rn_nl *nl, struct monitor *mon, int sigfd)
{
	struct pollfd fds[] = {
		{ .fd = nl_socket_get_fd(nl->sk), .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
	};
	int err;

	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "ringnetctl: poll: %s\n", strerror(errno));
			return -1;
		}
		if (fds[1].revents)
			return 0;	/* SIGINT or SIGTERM: a normal end */
		if (!fds[0].revents)
			continue;

		err = nl_recvmsgs_default(nl->sk);
		if (mon->write_failed) {
			fprintf(stderr, "ringnetctl: writing output: %s\n",
				strerror(errno));
			return -1;
		}
		/* ENOBUFS: the kernel dropped events we were too slow for. */
		if (err == -NLE_NOMEM) {
			fprintf(stderr, "ringnetctl: monitor: events were lost"
				" (receive queue overrun)\n");
			continue;
		}
		if (err < 0) {
			rn_nl_perror(NULL, err, "monitor: receiving events");
			return -1;
		}
	}
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor mon = { 0 };
	struct rn_nl nl;
	int sigfd, err = -1;

	for (int i = 0; i < argc; i++) {
		if (is_json_flag(argv[i]))
			mon.json = true;
		else if (argv[i][0] == '-')
			usage_error("monitor: unknown option '%s'", argv[i]);
		else
			usage_error("monitor: unexpected argument '%s'", argv[i]);
	}

	mon.family = ringnet_genl_open(&nl);
	if (mon.family < 0)
		return RINGNETCTL_EXIT_FAILURE;

	sigfd = signals_open();
	if (sigfd < 0) {
		fprintf(stderr, "ringnetctl: signalfd: %s\n", strerror(errno));
		goto out_nl;
	}
	if (monitor_subscribe(&nl, &mon) < 0)
		goto out_sig;

	err = nl_socket_set_nonblocking(nl.sk);
	if (err < 0) {
		rn_nl_perror(NULL, err, "monitor socket");
		goto out_sig;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	err = monitor_loop(&nl, &mon, sigfd);

out_sig:
	close(sigfd);
out_nl:
	rn_nl_close(&nl);
	return err < 0 ? RINGNETCTL_EXIT_FAILURE : 0;
}
