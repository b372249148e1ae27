// SPDX-License-Identifier: GPL-2.0
/*
 * ringnetd: the userspace gateway of a ringnet sandbox.
 *
 * It opens the sandbox's network device (a ringnet channel or a TAP
 * device) inside the sandbox's network namespace, returns to its own
 * namespace, and from then on turns the sandbox's frames into host socket
 * operations and back, in one thread around one epoll loop:
 *
 *	frame source ready  ->  gw_input() per frame  ->  arp / ip4 -> icmp,
 *	                                                   udp, dhcp, dns
 *	flow socket ready   ->  udp4/icmp4_sock_event() ->  frames to the sandbox
 *	published port      ->  port_event()        ->  a TCP connection or UDP
 *	                                                   flow into the sandbox
 *	timer (100 ms)      ->  TCP retransmissions and timeouts; each
 *	                        second, idle UDP/ICMP flows closed
 *	signal              ->  a bounded stop that loses nothing taken
 *	                        from the sandbox (see STOP_MS)
 *
 * Frames for the sandbox are queued while an event is handled and sent in
 * one batch after it (gw_flush()).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>
#include <net/if.h>

#include "gw.h"
#include "flow.h"
#include "netcfg.h"

#define RX_BATCH 64
/* Batches read per wakeup before other fds get their turn. */
#define RX_ROUNDS 8

struct opts {
	const char *netns;
	const char *dev;
	const char *backend;
	const char *stats_socket;
	bool config_net;
	bool dns_given;
	bool syslog;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ringnetd [OPTIONS]\n"
"Gateway between a sandbox's network device and the host's sockets.\n"
"\n"
"  -n, --netns NAME|PATH|PID   open the device in this network namespace\n"
"  -d, --dev DEV               the sandbox's device (default: rn0 / tap0)\n"
"  -b, --backend ringnet|tap   frame source (default: ringnet if\n"
"                              /dev/net/ringnet exists, else tap)\n"
"  -c, --config-net            configure address, route, MTU and link in the\n"
"                              sandbox (else it uses DHCP)\n"
"  -a, --address ADDR/PREFIX   the sandbox's address (10.0.2.100/24)\n"
"  -g, --gateway ADDR          the gateway's address (10.0.2.2)\n"
"  -D, --dns ADDR              the DNS forwarder's address (10.0.2.3)\n"
"  -m, --mtu MTU               the sandbox's MTU (65520)\n"
"      --dns-upstream ADDR[:PORT]  resolver to forward DNS to; repeatable\n"
"                              (default: nameservers of /etc/resolv.conf)\n"
"  -t, --publish-tcp [ADDR:]HOST_PORT[-END][:GUEST_PORT[-END]]\n"
"                              connections to HOST_PORT on ADDR (127.0.0.1)\n"
"                              go to GUEST_PORT (the same) in the sandbox,\n"
"                              from the client's address; repeatable\n"
"  -u, --publish-udp [ADDR:]HOST_PORT[-END][:GUEST_PORT[-END]]\n"
"                              the same for UDP\n"
"      --map-host-loopback ADDR  connections to ADDR reach the host's\n"
"                              127.0.0.1 (default: none, so the sandbox\n"
"                              cannot reach host-local services)\n"
"      --max-flows N           most flows (UDP, ICMP, TCP) at once (4096, or\n"
"                              fewer if the open files limit is lower)\n"
"      --udp-timeout SECONDS   idle flows are closed after (60)\n"
"      --lease-time SECONDS    DHCP lease time (3600)\n"
"  -s, --stats-socket PATH     answer whoever connects to PATH with the\n"
"                              counters and flow table use, as JSON\n"
"  -v, --verbose               more messages; twice for per-flow ones\n"
"      --syslog                log to syslog (daemon facility), not stderr\n"
"  -h, --help\n");
}

static void __attribute__((noreturn, format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("ringnetd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'ringnetd --help'.\n", stderr);
	exit(2);
}

static unsigned long parse_num(const char *s, const char *what, unsigned long min,
			       unsigned long max)
{
	unsigned long v;

	if (!parse_uint(s, s + strlen(s), max, &v) || v < min)
		bad_usage("%s: '%s' is not a number from %lu to %lu", what, s, min, max);
	return v;
}

static uint32_t parse_addr(const char *s, const char *what)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		bad_usage("%s: '%s' is not an IPv4 address", what, s);
	return a.s_addr;
}

/* Set by --max-flows: a bound the user asked for, not the default. */
static bool max_flows_given;

/* Descriptors besides the flows': rings, epoll, timer, signals, stats. */
#define FD_RESERVE 64
/* The default bound shrinks to fit the limit, but not below this. */
#define MAX_FLOWS_FLOOR 64

/*
 * Every flow holds a socket: --max-flows needs as many descriptors, and a
 * soft limit of 1024 would fail flows long before the table is full.
 * Raise the soft limit as far as the hard one allows.  If that is still
 * short, the default bound shrinks to what fits (a hard limit of 1024 is
 * common and no fault of the user's); only an explicit --max-flows that
 * cannot be met is worth a warning.
 */
static void raise_fd_limit(struct gw_config *cfg)
{
	rlim_t reserve = FD_RESERVE + (rlim_t)cfg->n_ports;	/* one per published port */
	rlim_t want = (rlim_t)cfg->max_flows + reserve, old;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	old = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		rl.rlim_cur = old;
	if (rl.rlim_cur >= want)
		return;
	if (max_flows_given) {
		gw_log(LOG_WARN_, "open files limited to %llu: fewer than --max-flows %u",
		       (unsigned long long)rl.rlim_cur, cfg->max_flows);
		return;
	}
	cfg->max_flows = rl.rlim_cur >= reserve + MAX_FLOWS_FLOOR ?
			 (unsigned int)(rl.rlim_cur - reserve) : MAX_FLOWS_FLOOR;
	if (rl.rlim_cur < reserve + MAX_FLOWS_FLOOR)
		gw_log(LOG_WARN_, "open files limited to %llu: flows may fail before %u",
		       (unsigned long long)rl.rlim_cur, cfg->max_flows);
	else
		gw_log(LOG_INFO_, "open files limited to %llu: at most %u flows",
		       (unsigned long long)rl.rlim_cur, cfg->max_flows);
}

static void parse_args(int argc, char **argv, struct gw_config *cfg, struct opts *o)
{
	enum { OPT_MAP_LOOPBACK = 256, OPT_MAX_FLOWS, OPT_UDP_TIMEOUT, OPT_LEASE,
	       OPT_SYSLOG, OPT_DNS_UPSTREAM };
	static const struct option lo[] = {
		{ "netns",	  required_argument, NULL, 'n' },
		{ "dev",	  required_argument, NULL, 'd' },
		{ "backend",	  required_argument, NULL, 'b' },
		{ "config-net",	  no_argument,	     NULL, 'c' },
		{ "address",	  required_argument, NULL, 'a' },
		{ "gateway",	  required_argument, NULL, 'g' },
		{ "dns",	  required_argument, NULL, 'D' },
		{ "mtu",	  required_argument, NULL, 'm' },
		{ "dns-upstream", required_argument, NULL, OPT_DNS_UPSTREAM },
		{ "publish-tcp",  required_argument, NULL, 't' },
		{ "publish-udp",  required_argument, NULL, 'u' },
		{ "map-host-loopback", required_argument, NULL, OPT_MAP_LOOPBACK },
		{ "max-flows",	  required_argument, NULL, OPT_MAX_FLOWS },
		{ "udp-timeout",  required_argument, NULL, OPT_UDP_TIMEOUT },
		{ "lease-time",	  required_argument, NULL, OPT_LEASE },
		{ "stats-socket", required_argument, NULL, 's' },
		{ "verbose",	  no_argument,	     NULL, 'v' },
		{ "syslog",	  no_argument,	     NULL, OPT_SYSLOG },
		{ "help",	  no_argument,	     NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char buf[64], *slash;
	const char *why;
	int c;

	while ((c = getopt_long(argc, argv, "n:d:b:ca:g:D:m:t:u:s:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->netns = optarg;
			break;
		case 'd':
			if (!*optarg || strlen(optarg) >= 16 || strchr(optarg, '/'))
				bad_usage("--dev: '%s' is not a device name", optarg);
			o->dev = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "ringnet") && strcmp(optarg, "tap"))
				bad_usage("--backend: '%s' is neither ringnet nor tap", optarg);
			o->backend = optarg;
			break;
		case 'c':
			o->config_net = true;
			break;
		case 'a':
			if (strlen(optarg) >= sizeof(buf))
				bad_usage("--address: '%s' is too long", optarg);
			strcpy(buf, optarg);
			slash = strchr(buf, '/');
			if (slash) {
				*slash = '\0';
				cfg->prefix = (unsigned int)parse_num(slash + 1, "--address prefix", 1, 30);
			}
			cfg->addr = parse_addr(buf, "--address");
			break;
		case 'g':
			cfg->gw = parse_addr(optarg, "--gateway");
			break;
		case 'D':
			cfg->dns = parse_addr(optarg, "--dns");
			break;
		case 'm':
			cfg->mtu = (unsigned int)parse_num(optarg, "--mtu", MTU_MIN, MTU_MAX);
			break;
		case 't':
		case 'u':
			why = port_parse(cfg, c == 't' ? IPPROTO_TCP : IPPROTO_UDP, optarg);
			if (why)
				bad_usage("--publish-%s: '%s': %s", c == 't' ? "tcp" : "udp",
					  optarg, why);
			break;
		case OPT_DNS_UPSTREAM:
			if (cfg->n_dns_upstream == MAX_DNS_UPSTREAMS)
				bad_usage("--dns-upstream: at most %d", MAX_DNS_UPSTREAMS);
			if (dns_parse_upstream(optarg, &cfg->dns_upstream[cfg->n_dns_upstream]))
				bad_usage("--dns-upstream: '%s' is not ADDR[:PORT]", optarg);
			cfg->n_dns_upstream++;
			o->dns_given = true;
			break;
		case OPT_MAP_LOOPBACK:
			if (inet_pton(AF_INET, optarg, &cfg->map_loopback) != 1 ||
			    !cfg->map_loopback)
				bad_usage("--map-host-loopback: '%s' is not an IPv4 address", optarg);
			break;
		case OPT_MAX_FLOWS:
			cfg->max_flows = (unsigned int)parse_num(optarg, "--max-flows", 1, 1 << 20);
			max_flows_given = true;
			break;
		case OPT_UDP_TIMEOUT:
			cfg->udp_timeout = (unsigned int)parse_num(optarg, "--udp-timeout", 1, 86400);
			break;
		case OPT_LEASE:
			cfg->lease_time = (unsigned int)parse_num(optarg, "--lease-time", 60, 1U << 30);
			break;
		case 's':
			o->stats_socket = optarg;
			break;
		case OPT_SYSLOG:
			o->syslog = true;
			break;
		case 'v':
			cfg->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fputs("Try 'ringnetd --help'.\n", stderr);
			exit(2);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);

	{
		uint32_t mask = htonl(~0U << (32 - cfg->prefix));

		if ((cfg->gw & mask) != (cfg->addr & mask) ||
		    (cfg->dns & mask) != (cfg->addr & mask))
			bad_usage("gateway and DNS addresses must be in the sandbox's subnet");
		if (cfg->gw == cfg->addr || cfg->dns == cfg->addr)
			bad_usage("gateway and DNS addresses must differ from the sandbox's");
		if (!(cfg->addr & ~mask) || (cfg->addr & ~mask) == ~mask)
			bad_usage("--address: not a host address of its subnet");
	}
}

/* NAME (ip netns), a path (anything with a '/'), or a PID. */
static int open_netns(const char *spec)
{
	char path[PATH_MAX];
	const char *p = spec;
	int fd;

	if (!strchr(spec, '/')) {
		if (strspn(spec, "0123456789") == strlen(spec))
			snprintf(path, sizeof(path), "/proc/%s/ns/net", spec);
		else
			snprintf(path, sizeof(path), "/run/netns/%s", spec);
		p = path;
	}
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		gw_log(LOG_ERR_, "network namespace %s (%s): %s", spec, p, strerror(errno));
	return fd;
}

static int open_source(struct frame_source *src, const struct opts *o,
		       const struct gw_config *cfg)
{
	int err;

	if (!strcmp(o->backend, "tap")) {
		err = source_tap_open(src, o->dev);
	} else {
		if (o->config_net && !if_nametoindex(o->dev)) {
			err = netcfg_ringnet_add(o->dev);
			if (err)
				return err;
		}
		err = source_ringnet_open(src, o->dev);
	}
	if (err)
		return err;
	if (o->config_net) {
		err = netcfg_sandbox(o->dev, cfg->addr, cfg->prefix, cfg->gw, cfg->mtu);
		if (err) {
			src->ops->close(src);
			return err;
		}
	}
	return 0;
}

struct netns_job {
	struct frame_source *src;
	const struct opts *o;
	const struct gw_config *cfg;
	int target;
	int err;
};

/*
 * A thread of its own enters the sandbox's namespace: the device, the
 * channel and the rtnetlink socket are made there, and the thread ends.
 * The main thread never leaves the host's namespace, so host sockets can
 * never be opened in the sandbox, and no way back is needed: from inside a
 * user namespace (ringnet-run as an unprivileged user) there is none into
 * the host's namespace.
 */
static void *netns_job_run(void *arg)
{
	struct netns_job *job = arg;

	if (setns(job->target, CLONE_NEWNET) < 0) {
		job->err = -errno;
		gw_log(LOG_ERR_, "setns %s: %s", job->o->netns, strerror(errno));
		return NULL;
	}
	job->err = open_source(job->src, job->o, job->cfg);
	return NULL;
}

static int open_source_in_netns(struct frame_source *src, const struct opts *o,
				const struct gw_config *cfg)
{
	struct netns_job job = { .src = src, .o = o, .cfg = cfg };
	pthread_t t;
	int err;

	if (!o->netns)
		return open_source(src, o, cfg);
	job.target = open_netns(o->netns);
	if (job.target < 0)
		return -ENOENT;
	err = pthread_create(&t, NULL, netns_job_run, &job);
	if (!err)
		err = pthread_join(t, NULL);
	close(job.target);
	return err ? -err : job.err;
}

static int stats_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		gw_log(LOG_ERR_, "%s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		gw_log(LOG_ERR_, "stats socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int ep_add(int epfd, int fd, uint32_t events, uint64_t ref)
{
	struct epoll_event ev = { .events = events, .data.u64 = ref };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/*
 * After SIGTERM or SIGINT the loop runs on, for at most STOP_MS, until
 * nothing the sandbox has sent is left with us alone: the frames it has
 * queued are read, and data held beyond a gap waits for the sandbox to
 * fill the gap (it still counts that data as unacknowledged, so it
 * retransmits).  Then tcp_stop() closes every connection, waiting at most
 * STOP_MS more for the host peers to acknowledge what we wrote.  A
 * second signal, or SIGQUIT, stops at once.
 */
#define STOP_MS 5000

/* Returns false when the source is gone. */
static bool source_event(struct gw *gw, uint32_t events)
{
	struct frame f[RX_BATCH];
	unsigned int n, i, round;

	for (round = 0; round < RX_ROUNDS; round++) {
		n = gw->src->ops->recv(gw->src, f, RX_BATCH);
		for (i = 0; i < n; i++)
			gw_input(gw, f[i].data, f[i].len);
		gw_input_done(gw);
		gw->src->ops->recv_done(gw->src, n);
		gw_flush(gw);
		if (n < RX_BATCH)
			break;
	}
	return !(events & (EPOLLERR | EPOLLHUP)) || n;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct gw_config cfg;
	struct frame_source src;
	struct gw gw;
	struct epoll_event ev[64];
	struct itimerspec its = { .it_interval.tv_nsec = TCP_TICK_MS * 1000000L,
				  .it_value.tv_nsec = TCP_TICK_MS * 1000000L };
	unsigned int ticks_left = 1000 / TCP_TICK_MS;
	sigset_t sigs;
	int sfd, tfd, stfd = -1, n, i, ret = 0, err;
	bool running = true, stopping = false, at_once = false, source_gone = false;
	uint64_t stop_by = 0;

	gw_config_defaults(&cfg);
	parse_args(argc, argv, &cfg, &o);
	gw_log_level = cfg.verbose;
	if (o.syslog)
		gw_log_to_syslog();
	if (!o.backend)
		o.backend = source_ringnet_available() ? "ringnet" : "tap";
	if (!o.dev)
		o.dev = strcmp(o.backend, "tap") ? "rn0" : "tap0";
	if (!o.dns_given)
		dns_read_resolv_conf(&cfg, "/etc/resolv.conf");
	if (!cfg.n_dns_upstream)
		gw_log(LOG_WARN_, "no IPv4 DNS upstream: DNS queries will be dropped");
	raise_fd_limit(&cfg);

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

	if (gw_init(&gw, &cfg, &src)) {
		gw_log(LOG_ERR_, "out of memory");
		return 1;
	}
	/*
	 * The published ports before the sandbox's network: ringnet-run
	 * starts its command as soon as the sandbox has a route, and a port
	 * that cannot be bound must have stopped us by then.
	 */
	err = port_open(&gw);
	if (!err)
		err = open_source_in_netns(&src, &o, &cfg);
	if (err) {
		gw_fini(&gw);
		free(cfg.ports);
		return 1;
	}
	gw_out_lend(&gw);

	sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (sfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0 ||
	    ep_add(gw.epfd, src.fd, EPOLLIN, EP_REF(EP_SOURCE, 0)) < 0 ||
	    ep_add(gw.epfd, sfd, EPOLLIN, EP_REF(EP_SIGNAL, 0)) < 0 ||
	    ep_add(gw.epfd, tfd, EPOLLIN, EP_REF(EP_TIMER, 0)) < 0) {
		gw_log(LOG_ERR_, "setup: %s", strerror(errno));
		ret = 1;
		goto out;
	}
	if (o.stats_socket) {
		stfd = stats_listen(o.stats_socket);
		if (stfd < 0 || ep_add(gw.epfd, stfd, EPOLLIN, EP_REF(EP_STATS, 0)) < 0) {
			ret = 1;
			goto out;
		}
	}
	{
		char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];

		gw_log(LOG_INFO_, "%s backend on %s%s%s: sandbox %s/%u, gateway %s, dns %s, mtu %u",
		       src.backend, o.dev, o.netns ? " in " : "", o.netns ? o.netns : "",
		       ip4_str(cfg.addr, a), cfg.prefix, ip4_str(cfg.gw, g),
		       ip4_str(cfg.dns, d), cfg.mtu);
	}

	while (running) {
		n = epoll_wait(gw.epfd, ev, 64, stopping ? TCP_TICK_MS : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			gw_log(LOG_ERR_, "epoll_wait: %s", strerror(errno));
			ret = 1;
			break;
		}
		for (i = 0; i < n && running; i++) {
			uint64_t ref = ev[i].data.u64;

			switch (EP_KIND(ref)) {
			case EP_SOURCE:
				if (!source_event(&gw, ev[i].events)) {
					gw_log(LOG_ERR_, "%s: device gone", o.dev);
					ret = 1;
					running = false;
					source_gone = true;
				}
				break;
			case EP_SIGNAL: {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					break;
				if (stopping || si.ssi_signo == SIGQUIT) {
					gw_log(LOG_INFO_, "signal %u: exiting now", si.ssi_signo);
					running = false;
					at_once = true;
				} else {
					gw_log(LOG_INFO_, "signal %u: stopping", si.ssi_signo);
					stopping = true;
					stop_by = gw_now_ms() + STOP_MS;
				}
				break;
			}
			case EP_TIMER: {
				uint64_t ticks;

				if (read(tfd, &ticks, sizeof(ticks)) != sizeof(ticks))
					break;
				tcp_timer(&gw);
				if (--ticks_left == 0) {
					ticks_left = 1000 / TCP_TICK_MS;
					flow_expire(&gw, gw_now());
					frag_expire(&gw, gw_now());
				}
				break;
			}
			case EP_STATS: {
				int c = accept4(stfd, NULL, NULL, SOCK_CLOEXEC);

				if (c >= 0) {
					/* A blocking write of a few hundred bytes
					 * to a fresh socket buffer: never waits. */
					gw_stats_print(&gw, c);
					close(c);
				}
				break;
			}
			case EP_FLOW:
				flow_event(&gw, EP_IDX(ref), ev[i].events);
				break;
			case EP_PORT:
				port_event(&gw, EP_IDX(ref), ev[i].events);
				break;
			}
			gw_flush(&gw);
		}
		if (running && stopping) {
			/* Whatever the sandbox has queued for us. */
			source_event(&gw, 0);
			running = tcp_holding(&gw) && gw_now_ms() < stop_by;
		}
	}
	/* Host peers get what was written, also when the sandbox is gone. */
	tcp_stop(&gw, at_once ? 0 : gw_now_ms() + STOP_MS);
	if (!source_gone)
		gw_flush(&gw);

out:
	if (stfd >= 0) {
		close(stfd);
		unlink(o.stats_socket);
	}
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	gw_fini(&gw);
	src.ops->close(&src);
	free(cfg.ports);
	return ret;
}
