// SPDX-License-Identifier: GPL-2.0
/*
 * ringnet-bridge: join two ringnet devices, each possibly in its own
 * network namespace, by copying every frame from one channel to the other.
 *
 *	ringnet-bridge [-o OFFLOADS] [-e ENTRIES] [-s SLOT] [--stats] NS1:DEV1 NS2:DEV2
 *
 * Frames go through unchanged, virtio-net header included, so both channels
 * must have negotiated the same offloads: a GSO frame taken from one side
 * would be dropped by the other if it could not take GSO.
 *
 * One thread, one epoll loop.  While frames flow, the loop only touches
 * shared memory: peek a batch on one side, reserve as many buffers on the
 * other, copy, submit, release.  libringnet makes a system call only when
 * the kernel asked to be kicked.  The loop sleeps in epoll_wait() only when
 * nothing moved in either direction; a direction whose destination ring is
 * full then waits for POLLOUT on the destination instead of POLLIN on its
 * source, so a slow receiver pushes back on the sender (its queue stops)
 * rather than making us spin or drop.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "libringnet.h"
#include "ringnet_offloads.h"

#define BATCH		64
#define NETNS_RUN_DIR	"/run/netns"

/* What went through in one direction, counted at its source. */
struct dir_stats {
	uint64_t frames;
	uint64_t bytes;		/* Ethernet bytes, as the devices count them */
	uint64_t gso;		/* frames with a GSO type: larger than the MTU */
	uint64_t largest;	/* longest Ethernet frame */
	uint64_t dropped;	/* did not fit a buffer of the destination */
	uint64_t full;		/* times frames had to wait for room there */
};

struct side {
	const char *spec;	/* "NS:DEV" as given, for messages */
	char ns[PATH_MAX];	/* empty: the namespace we started in */
	char dev[IFNAMSIZ];
	struct ringnet_chan ch;
	uint32_t events;	/* what epoll watches on ch.fd */
	bool stalled;		/* frames wait here, the other side is full */
	struct dir_stats out;	/* from this side to the other */
};

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t stats_wanted;
static int wake_fd = -1;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("ringnet-bridge: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(FILE *out)
{
	fputs("Usage: ringnet-bridge [-o OFFLOADS] [-e ENTRIES] [-s SLOT] [--stats] NS1:DEV1 NS2:DEV2\n"
	      "\n"
	      "Forward every frame between two ringnet devices.  NS is - for the\n"
	      "current network namespace, or a name in " NETNS_RUN_DIR " (or a path).\n"
	      "\n"
	      "  -o, --offloads LIST  none, all (default) or a comma list of\n"
	      "                       csum,tso4,tso6,tso-ecn,uso, asked on both channels\n"
	      "  -e, --entries N      ring entries, each direction (power of 2)\n"
	      "  -s, --slot BYTES     bytes per frame buffer (header + frame)\n"
	      "      --stats          print counters on exit (and on SIGUSR1)\n"
	      "  -h, --help           this text\n", out);
}

static uint64_t parse_offloads(const char *list)
{
	const char *bad;
	size_t bad_len;
	uint64_t mask;

	if (ringnet_offloads_parse(list, &mask, &bad, &bad_len) == 0)
		return mask;
	if (!bad_len)
		die("empty offload name in '%s'", list);
	die("unknown offload '%.*s' in '%s' (none, all, csum, tso4, tso6, tso-ecn, uso)",
	    (int)bad_len, bad, list);
}

static const char *offloads_str(uint64_t mask, char *buf, size_t size)
{
	unsigned int bit;
	size_t n = 0;

	buf[0] = '\0';
	for (bit = 0; bit < __RINGNET_F_NBITS; bit++)
		if (mask & (1ULL << bit))
			n += snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      n ? "," : "", ringnet_offload_names[bit]);
	return n ? buf : "none";
}

static uint32_t parse_u32(const char *s, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > UINT32_MAX)
		die("invalid %s '%s'", what, s);
	return v;
}

static void parse_side(struct side *s, const char *spec)
{
	const char *colon = strrchr(spec, ':');
	size_t nslen;

	if (!colon || colon == spec || !colon[1])
		die("'%s': expected NS:DEV (NS may be -)", spec);
	nslen = colon - spec;
	if (strlen(colon + 1) >= sizeof(s->dev))
		die("'%s': device name too long", spec);
	strcpy(s->dev, colon + 1);
	s->spec = spec;
	if (nslen == 1 && spec[0] == '-')
		return;
	if (memchr(spec, '/', nslen))
		snprintf(s->ns, sizeof(s->ns), "%.*s", (int)nslen, spec);
	else
		snprintf(s->ns, sizeof(s->ns), NETNS_RUN_DIR "/%.*s", (int)nslen, spec);
}

static void enter_netns(const char *path, const char *spec)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("%s: cannot open namespace %s: %s", spec, path, strerror(errno));
	if (setns(fd, CLONE_NEWNET) < 0)
		die("%s: cannot enter namespace %s: %s", spec, path, strerror(errno));
	close(fd);
}

/*
 * A channel looks its device up in the namespace it was opened in, so open
 * and attach from inside the device's namespace, then come back.
 */
static void open_side(struct side *s, const struct ringnet_chan_opts *opts,
		      int home_ns)
{
	int err;

	if (s->ns[0])
		enter_netns(s->ns, s->spec);
	err = ringnet_open(&s->ch, opts);
	if (err)
		die("%s: cannot set up a channel: %s", s->spec, strerror(-err));
	err = ringnet_attach(&s->ch, s->dev, 0);
	if (err)
		die("%s: cannot attach to %s: %s", s->spec, s->dev, strerror(-err));
	if (s->ns[0] && setns(home_ns, CLONE_NEWNET) < 0)
		die("cannot return to our namespace: %s", strerror(errno));
}

/* Move what src has onto dst; the number of frames taken from src. */
static unsigned int forward(struct side *src, struct side *dst)
{
	struct ringnet_frame in[BATCH], out[BATCH];
	struct dir_stats *st = &src->out;
	unsigned int n, room, i, k = 0;

	n = ringnet_rx_peek(&src->ch, in, BATCH);
	if (!n) {
		src->stalled = false;
		return 0;
	}
	room = ringnet_tx_reserve(&dst->ch, out, n);
	/* Remember, for the sleep, that dst's room and not src's frames is missing. */
	if (room < n && !src->stalled)
		st->full++;
	src->stalled = room < n;
	for (i = 0; i < room; i++) {
		uint32_t len = in[i].len;
		const struct virtio_net_hdr_v1 *h = in[i].data;

		/* Same slot size both ways, so only a broken frame is dropped. */
		if (len < RINGNET_VNET_HDR_LEN || len > out[k].len) {
			st->dropped++;
			continue;
		}
		memcpy(out[k].data, in[i].data, len);
		out[k].len = len;
		k++;

		len -= RINGNET_VNET_HDR_LEN;
		st->frames++;
		st->bytes += len;
		if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
			st->gso++;
		if (len > st->largest)
			st->largest = len;
	}
	/* Only now that the copies are done may src have its buffers back. */
	ringnet_tx_submit(&dst->ch, out, k);
	ringnet_rx_release(&src->ch, room);
	return room;
}

/* Change what epoll watches on a channel; a system call, so only on change. */
static void watch(int epfd, struct side *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = s };

	if (s->events == events)
		return;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, s->ch.fd, &ev) < 0)
		die("epoll_ctl: %s", strerror(errno));
	s->events = events;
}

static void print_stats(struct side *a, struct side *b, uint64_t sleeps)
{
	struct side *s[2] = { a, b };
	int i;

	for (i = 0; i < 2; i++) {
		const struct dir_stats *st = &s[i]->out;

		printf("%s -> %s: frames %" PRIu64 " bytes %" PRIu64
		       " gso %" PRIu64 " largest %" PRIu64 " dropped %" PRIu64
		       " full %" PRIu64 "\n",
		       s[i]->spec, s[!i]->spec, st->frames, st->bytes, st->gso,
		       st->largest, st->dropped, st->full);
	}
	printf("kicks: %s %" PRIu64 " %s %" PRIu64 " sleeps %" PRIu64 "\n",
	       a->spec, a->ch.kicks, b->spec, b->ch.kicks, sleeps);
	fflush(stdout);
}

static void on_signal(int sig)
{
	uint64_t one = 1;
	int saved = errno;

	if (sig == SIGUSR1)
		stats_wanted = 1;
	else
		stop_signal = sig;
	/* Wakes epoll_wait even if the signal came just before it. */
	if (write(wake_fd, &one, sizeof(one)) < 0) {
		/* The counter is already non-zero: epoll will see it anyway. */
	}
	errno = saved;
}

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int sigs[] = { SIGINT, SIGTERM, SIGUSR1 };
	unsigned int i;

	wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (wake_fd < 0)
		die("eventfd: %s", strerror(errno));
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			die("sigaction: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "offloads",	required_argument,	NULL, 'o' },
		{ "entries",	required_argument,	NULL, 'e' },
		{ "slot",	required_argument,	NULL, 's' },
		{ "stats",	no_argument,		NULL, 'S' },
		{ "help",	no_argument,		NULL, 'h' },
		{}
	};
	struct ringnet_chan_opts opts = { .offloads = ~0ULL };
	struct side sides[2] = {}, *a = &sides[0], *b = &sides[1];
	struct epoll_event ev[3];
	char bufa[64], bufb[64];
	bool show_stats = false;
	uint64_t sleeps = 0;
	int c, i, n, epfd, home_ns;

	while ((c = getopt_long(argc, argv, "o:e:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opts.offloads = parse_offloads(optarg);
			break;
		case 'e':
			opts.rx_entries = opts.tx_entries = parse_u32(optarg, "entries");
			break;
		case 's':
			opts.slot_size = parse_u32(optarg, "slot size");
			break;
		case 'S':
			show_stats = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	parse_side(a, argv[optind]);
	parse_side(b, argv[optind + 1]);

	/* Before the channels exist, so a signal never finds them half made. */
	setup_signals();

	home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home_ns < 0)
		die("cannot open our network namespace: %s", strerror(errno));
	open_side(a, &opts, home_ns);
	open_side(b, &opts, home_ns);
	close(home_ns);

	if (a->ch.offloads != b->ch.offloads)
		die("the channels negotiated different offloads: %s has %s, %s has %s; "
		    "frames could not cross unchanged (ask for a common set with -o, "
		    "or check each device's allowed offloads)",
		    a->spec, offloads_str(a->ch.offloads, bufa, sizeof(bufa)),
		    b->spec, offloads_str(b->ch.offloads, bufb, sizeof(bufb)));
	if (ringnet_slot_size(&a->ch) != ringnet_slot_size(&b->ch))
		die("the channels have different slot sizes");

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		struct epoll_event e = { .events = EPOLLIN, .data.ptr = &sides[i] };

		if (epoll_ctl(epfd, EPOLL_CTL_ADD, sides[i].ch.fd, &e) < 0)
			die("epoll_ctl: %s", strerror(errno));
		sides[i].events = EPOLLIN;
	}
	ev[0] = (struct epoll_event){ .events = EPOLLIN, .data.ptr = NULL };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, wake_fd, &ev[0]) < 0)
		die("epoll_ctl: %s", strerror(errno));

	fprintf(stderr, "ringnet-bridge: %s <-> %s, offloads %s, %u+%u entries, slot %u\n",
		a->spec, b->spec, offloads_str(a->ch.offloads, bufa, sizeof(bufa)),
		a->ch.setup.rx_entries, a->ch.setup.tx_entries,
		ringnet_slot_size(&a->ch));

	while (!stop_signal) {
		unsigned int moved;

		if (stats_wanted) {
			stats_wanted = 0;
			print_stats(a, b, sleeps);
		}
		moved = forward(a, b);
		moved += forward(b, a);
		if (moved)
			continue;

		/*
		 * Nothing moved.  A side with frames waiting for room on the
		 * other needs POLLOUT there; otherwise it needs POLLIN.  Frames
		 * or room arriving after the peek above already marked the fd
		 * ready, so nothing is lost by sleeping now.
		 */
		watch(epfd, a, (a->stalled ? 0 : EPOLLIN) | (b->stalled ? EPOLLOUT : 0));
		watch(epfd, b, (b->stalled ? 0 : EPOLLIN) | (a->stalled ? EPOLLOUT : 0));
		sleeps++;
		n = epoll_wait(epfd, ev, 3, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait: %s", strerror(errno));
		}
		for (i = 0; i < n; i++) {
			struct side *s = ev[i].data.ptr;
			uint64_t count;

			if (!s) {
				if (read(wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
					die("eventfd: %s", strerror(errno));
				continue;
			}
			if (ev[i].events & (EPOLLERR | EPOLLHUP)) {
				if (show_stats)
					print_stats(a, b, sleeps);
				die("%s: the device is gone", s->spec);
			}
		}
	}

	if (show_stats)
		print_stats(a, b, sleeps);
	ringnet_close(&a->ch);
	ringnet_close(&b->ch);
	return 0;
}
