// SPDX-License-Identifier: GPL-2.0
/*
 * ringnet-run: run one command in a sandbox of its own, networked through
 * ringnetd.
 *
 *	ringnet-run [ringnetd options] -- CMD [ARGS]
 *
 * The steps, in this order:
 *
 *   1. Not root: a new user namespace for ourselves, the caller's uid and
 *      gid mapped to root in it, so that everything below needs no
 *      privilege on the host.  We stay in the original network namespace.
 *   2. A child ("sandbox") unshares the network namespace, brings lo up,
 *      hands us a sock_diag socket of that namespace (so we can still
 *      look inside once CMD is gone) and waits on a pipe before exec'ing
 *      CMD.
 *   3. ringnetd, in the original network namespace, is pointed at the
 *      child's /proc/PID/ns/net with --config-net: it makes or opens the
 *      device there and configures address, route and MTU.
 *   4. Once the default route shows up in the child's namespace, the child
 *      is let go.  Its exit status becomes ours (128+N when killed by
 *      signal N); INT, TERM, HUP and QUIT are forwarded to it.
 *   5. CMD has exited, but its kernel may still hold what it wrote:
 *      close() hands a socket's unsent data and its FIN to the kernel,
 *      which delivers them after the program is gone.  So the gateway
 *      stays until no TCP socket in the namespace has data or a FIN
 *      the gateway has not acknowledged (--linger bounds the wait; a
 *      signal cuts it short).  The gateway only acknowledges what it
 *      has written to host sockets, so by then every byte is on the
 *      host.
 *   6. ringnetd gets SIGTERM (it reads what the sandbox still queued,
 *      sends an RST into the sandbox and a FIN after the queued data to
 *      the host for every connection left) and is reaped.  The namespace
 *      goes away with its last socket.
 *
 * Exit status of our own: 2 for a bad command line (also when ringnetd
 * rejects the options it was given), 125 when the sandbox cannot be set up,
 * 126/127 when CMD cannot be executed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#define EXIT_USAGE	2
#define EXIT_SETUP	125
#define EXIT_NOEXEC	126
#define EXIT_NOTFOUND	127

/* ringnetd normally has the route in place within a few milliseconds. */
#define DEFAULT_TIMEOUT_S	10
/* As long as the kernel itself keeps an orphaned socket in FIN-WAIT-2
 * (net.ipv4.tcp_fin_timeout). */
#define DEFAULT_LINGER_S	60
#define POLL_MS			20
/* ringnetd's own stop takes up to 5 + 5 s (STOP_MS in its main.c). */
#define GW_STOP_MS		15000

struct run_opts {
	const char *backend;
	const char *dev;
	unsigned int timeout_s;
	unsigned int linger_s;
	char **gw_args;		/* passed to ringnetd unchanged */
	int n_gw_args;
	char **cmd;
};

static sigset_t fwd_sigs;	/* forwarded to CMD; blocked in us */

static void __attribute__((format(printf, 1, 2))) err_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("ringnet-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ringnet-run [OPTIONS] [RINGNETD OPTIONS] -- CMD [ARGS]\n"
"Run CMD in a new network namespace networked by ringnetd.\n"
"\n"
"  -b, --backend ringnet|tap   the sandbox's device (default: ringnet if\n"
"                              /dev/net/ringnet exists, else tap)\n"
"  -d, --dev DEV               its name (default: rn0 / tap0)\n"
"      --timeout SECONDS       wait this long for the network (%d)\n"
"      --linger SECONDS        after CMD exits, keep the network this long\n"
"                              at most, until the sandbox's connections\n"
"                              have delivered what CMD wrote (%d; 0: stop\n"
"                              at once)\n"
"  -h, --help\n"
"\n"
"Every other option before \"--\" goes to ringnetd, which is found next to\n"
"ringnet-run or as $RINGNETD.  Among them, to publish ports of CMD:\n"
"  -t, --publish-tcp [ADDR:]HOST_PORT[-END][:GUEST_PORT[-END]]\n"
"  -u, --publish-udp (the same for UDP)\n"
"for example -t 8080 (127.0.0.1:8080 on the host to CMD's port 8080), or\n"
"-t 0.0.0.0:2222:22.  See ringnetd --help for the rest.\n"
"\n"
"Exit status: CMD's, 128+N if it was killed by signal N; 2 on a bad\n"
"command line, 125 if the sandbox cannot be set up.\n",
		DEFAULT_TIMEOUT_S, DEFAULT_LINGER_S);
}

static void __attribute__((noreturn, format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("ringnet-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'ringnet-run --help'.\n", stderr);
	exit(EXIT_USAGE);
}

/*
 * Match "--long VALUE", "--long=VALUE", "-s VALUE" and "-sVALUE" at argv[*i];
 * on a match, *val is the value and *i points at the last word used.
 */
static bool opt_value(char **argv, int end, int *i, const char *lng, const char *shrt,
		      const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);

	if (!strncmp(a, lng, n) && a[n] == '=') {
		*val = a + n + 1;
		return true;
	}
	if (strcmp(a, lng) && strcmp(a, shrt)) {
		if (shrt[0] && !strncmp(a, shrt, 2) && a[2]) {
			*val = a + 2;
			return true;
		}
		return false;
	}
	if (*i + 1 >= end)
		bad_usage("%s needs a value", lng);
	*val = argv[++*i];
	return true;
}

static unsigned int parse_seconds(const char *opt, const char *v, unsigned long min)
{
	char *e;
	unsigned long t;

	errno = 0;
	t = strtoul(v, &e, 10);
	if (errno || !*v || *e || *v == '-' || t < min || t > 3600)
		bad_usage("%s: '%s' is not a number from %lu to 3600", opt, v, min);
	return (unsigned int)t;
}

static void parse_args(int argc, char **argv, struct run_opts *o)
{
	const char *v;
	int end, i;

	for (end = 1; end < argc; end++)
		if (!strcmp(argv[end], "--"))
			break;
	for (i = 1; i < end; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			exit(0);
		}
	}
	if (end == argc)
		bad_usage("no \"--\" before the command");
	if (end + 1 == argc)
		bad_usage("no command after \"--\"");
	o->cmd = argv + end + 1;

	/* Worst case every word goes on to ringnetd. */
	o->gw_args = calloc((size_t)end, sizeof(*o->gw_args));
	if (!o->gw_args) {
		err_msg("out of memory");
		exit(EXIT_SETUP);
	}
	for (i = 1; i < end; i++) {
		if (opt_value(argv, end, &i, "--backend", "-b", &v)) {
			if (strcmp(v, "ringnet") && strcmp(v, "tap"))
				bad_usage("--backend: '%s' is neither ringnet nor tap", v);
			o->backend = v;
		} else if (opt_value(argv, end, &i, "--dev", "-d", &v)) {
			if (!*v || strlen(v) >= IFNAMSIZ || strchr(v, '/') || strchr(v, ' '))
				bad_usage("--dev: '%s' is not a device name", v);
			o->dev = v;
		} else if (opt_value(argv, end, &i, "--timeout", "", &v)) {
			o->timeout_s = parse_seconds("--timeout", v, 1);
		} else if (opt_value(argv, end, &i, "--linger", "", &v)) {
			o->linger_s = parse_seconds("--linger", v, 0);
		} else if (!strcmp(argv[i], "--netns") || !strncmp(argv[i], "--netns=", 8) ||
			   !strncmp(argv[i], "-n", 2)) {
			bad_usage("%s: the namespace is ringnet-run's own", argv[i]);
		} else if (!strcmp(argv[i], "--config-net") || !strcmp(argv[i], "-c")) {
			/* Always given; once is enough. */
		} else {
			o->gw_args[o->n_gw_args++] = argv[i];
		}
	}
	if (!o->backend)
		o->backend = access("/dev/net/ringnet", F_OK) ? "tap" : "ringnet";
	if (!o->dev)
		o->dev = strcmp(o->backend, "tap") ? "rn0" : "tap0";
}

/* $RINGNETD, else the ringnetd next to our own executable. */
static int find_ringnetd(char *path, size_t size)
{
	const char *env = getenv("RINGNETD");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(path, size, "%s", env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0) {
			err_msg("/proc/self/exe: %s", strerror(errno));
			return -1;
		}
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		if ((size_t)snprintf(path, size, "%s/ringnetd", self) >= size) {
			err_msg("path of ringnetd too long");
			return -1;
		}
	}
	if (access(path, X_OK)) {
		err_msg("ringnetd: %s: %s (set RINGNETD to its path)", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/*
 * Root in a user namespace of our own: enough to own the new network
 * namespace and everything in it, nothing more on the host.
 */
static int enter_userns(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	int err;

	if (unshare(CLONE_NEWUSER) < 0) {
		err_msg("unshare(CLONE_NEWUSER): %s (are unprivileged user namespaces "
			"disabled?)", strerror(errno));
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)uid);
	err = write_file("/proc/self/uid_map", map);
	if (err) {
		err_msg("/proc/self/uid_map: %s", strerror(-err));
		return -1;
	}
	/* An unprivileged gid_map needs setgroups() off first. */
	err = write_file("/proc/self/setgroups", "deny");
	if (err && err != -ENOENT) {
		err_msg("/proc/self/setgroups: %s", strerror(-err));
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)gid);
	err = write_file("/proc/self/gid_map", map);
	if (err) {
		err_msg("/proc/self/gid_map: %s", strerror(-err));
		return -1;
	}
	return 0;
}

static void lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	if (!ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			err_msg("lo: %s", strerror(errno));
	}
	close(s);
}

/*
 * A child starts with our signals as they were before we blocked some:
 * SIGCHLD too, or a shell as CMD would never see its jobs end.
 */
static void child_signals(void)
{
	sigset_t s = fwd_sigs;

	sigaddset(&s, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	signal(SIGCHLD, SIG_DFL);
}

/*
 * One byte on @sock, with @fd attached unless it is negative: the sandbox's
 * sock_diag socket, which only a process inside its namespace can open.
 */
static int send_ready(int sock, int fd)
{
	char c = 0, cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* The byte send_ready() sent: the descriptor, -1 if none came; -2: EOF. */
static int recv_ready(int sock)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd = -1;
	ssize_t n;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return -2;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * The sandbox: a new network namespace, then CMD once we are told the
 * network is up (a byte on @go); EOF on @go means give up.
 */
static void __attribute__((noreturn)) sandbox_child(pid_t parent, int ready, int go,
						      char **cmd)
{
	char c = 0;
	ssize_t n;
	int diag;

	/* Nothing of the sandbox may outlive ringnet-run, even on SIGKILL. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(EXIT_SETUP);
	child_signals();
	if (unshare(CLONE_NEWNET) < 0) {
		err_msg("unshare(CLONE_NEWNET): %s", strerror(errno));
		_exit(EXIT_SETUP);
	}
	lo_up();
	diag = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (send_ready(ready, diag))
		_exit(EXIT_SETUP);
	close(ready);
	if (diag >= 0)
		close(diag);
	do
		n = read(go, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(EXIT_SETUP);
	close(go);
	execvp(cmd[0], cmd);
	err_msg("%s: %s", cmd[0], strerror(errno));
	_exit(errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
}

static pid_t start_ringnetd(const char *path, const struct run_opts *o, pid_t sandbox)
{
	char netns[64];
	char **argv;
	pid_t parent = getpid(), pid;
	int n = 0, i;

	snprintf(netns, sizeof(netns), "/proc/%d/ns/net", (int)sandbox);
	argv = calloc((size_t)o->n_gw_args + 10, sizeof(*argv));
	if (!argv) {
		err_msg("out of memory");
		return -1;
	}
	argv[n++] = (char *)"ringnetd";
	argv[n++] = (char *)"--netns";
	argv[n++] = netns;
	argv[n++] = (char *)"--backend";
	argv[n++] = (char *)o->backend;
	argv[n++] = (char *)"--dev";
	argv[n++] = (char *)o->dev;
	argv[n++] = (char *)"--config-net";
	for (i = 0; i < o->n_gw_args; i++)
		argv[n++] = o->gw_args[i];
	argv[n] = NULL;

	pid = fork();
	if (pid < 0) {
		err_msg("fork: %s", strerror(errno));
		free(argv);
		return -1;
	}
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(EXIT_SETUP);
		/*
		 * A group of its own: a Ctrl-C at the terminal is for CMD;
		 * the gateway stays up until CMD is gone.
		 */
		setpgid(0, 0);
		child_signals();
		execv(path, argv);
		err_msg("%s: %s", path, strerror(errno));
		_exit(EXIT_SETUP);
	}
	free(argv);
	return pid;
}

/* Is there a default route through @dev in @pid's network namespace? */
static bool default_route(pid_t pid, const char *dev)
{
	char path[64], line[256], ifname[IFNAMSIZ + 1];
	unsigned int dst, gw, flags, mask;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/route", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%16s %x %x %x %*d %*d %*d %x", ifname, &dst, &gw, &flags,
			   &mask) != 5)
			continue;
		/* RTF_UP is 0x1. */
		found = !strcmp(ifname, dev) && !dst && !mask && (flags & 0x1);
	}
	fclose(f);
	return found;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_SETUP;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * SIGTERM, a grace period, then SIGKILL; always reaped.  At once: SIGQUIT,
 * which makes ringnetd stop without waiting for its host peers.
 */
static void stop_ringnetd(pid_t pid, bool at_once)
{
	long deadline = now_ms() + GW_STOP_MS;
	int status;

	if (pid <= 0)
		return;
	kill(pid, at_once ? SIGQUIT : SIGTERM);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			err_msg("ringnetd did not stop: killing it");
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return;
		}
		poll(NULL, 0, POLL_MS);
	}
}

/*
 * Is this socket's data or FIN still waiting for the gateway's
 * acknowledgement?  The gateway acknowledges only what it wrote to host
 * sockets, so once no socket is, all of it is on the host.  For TCP,
 * idiag_wqueue is what was written but not acknowledged (write_seq -
 * snd_una, a FIN included).
 */
static bool in_flight(const struct inet_diag_msg *m)
{
	switch (m->idiag_state) {
	case TCP_FIN_WAIT1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		return true;
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		return m->idiag_wqueue > 0;
	default:
		return false;
	}
}

#define DIAG_STATES ((1U << TCP_ESTABLISHED) | (1U << TCP_CLOSE_WAIT) | \
		     (1U << TCP_FIN_WAIT1) | (1U << TCP_CLOSING) | (1U << TCP_LAST_ACK))

/* How many of the sandbox's TCP sockets are in flight; -errno on failure. */
static int tcp_in_flight(int diag)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	union {
		char buf[32768];
		struct nlmsghdr align;
	} u;
	struct nlmsghdr *h;
	unsigned int i;
	int busy = 0;
	size_t left;
	ssize_t n;

	for (i = 0; i < sizeof(families); i++) {
		memset(&msg, 0, sizeof(msg));
		msg.nlh.nlmsg_len = sizeof(msg);
		msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		msg.req.sdiag_family = families[i];
		msg.req.sdiag_protocol = IPPROTO_TCP;
		msg.req.idiag_states = DIAG_STATES;
		if (send(diag, &msg, sizeof(msg), 0) < 0)
			return -errno;
		for (;;) {
			n = recv(diag, u.buf, sizeof(u.buf), 0);
			if (n < 0)
				return -errno;
			if (!n)
				return -EPROTO;
			left = (size_t)n;
			for (h = &u.align; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
				if (h->nlmsg_type == NLMSG_DONE)
					goto next_family;
				if (h->nlmsg_type == NLMSG_ERROR) {
					const struct nlmsgerr *e = NLMSG_DATA(h);

					return e->error ? e->error : -EPROTO;
				}
				if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
				    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg)) &&
				    in_flight(NLMSG_DATA(h)))
					busy++;
			}
		}
next_family:;
	}
	return busy;
}

/* The signal read from @sfd if it is one to forward, else 0. */
static int read_signal(int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	return sigismember(&fwd_sigs, (int)si.ssi_signo) == 1 ? (int)si.ssi_signo : 0;
}

/*
 * CMD has exited; its connections may not have (see step 5 at the top).
 * Wait for them, at most @linger_s seconds; ringnetd ending (*gw is then
 * -1) ends the wait too.  True if ringnetd is to stop at once, without a
 * wait of its own: the time is up, or a signal to forward came.
 */
static bool linger(int diag, unsigned int linger_s, int sfd, pid_t *gw)
{
	long deadline = now_ms() + linger_s * 1000L;
	int busy, status;

	if (diag < 0) {
		err_msg("no sock_diag socket in the sandbox: not waiting for its connections");
		return false;
	}
	for (;;) {
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };

		busy = tcp_in_flight(diag);
		if (busy < 0) {
			err_msg("cannot see the sandbox's connections (sock_diag: %s): "
				"not waiting for them", strerror(-busy));
			return false;
		}
		if (!busy)
			return false;
		if (now_ms() >= deadline) {
			err_msg("%d connection%s of the sandbox still had data or a FIN "
				"in flight after --linger %u s: stopping", busy,
				busy == 1 ? "" : "s", linger_s);
			return true;
		}
		if (waitpid(*gw, &status, WNOHANG) == *gw) {
			*gw = -1;
			return false;
		}
		if (poll(&pfd, 1, POLL_MS) > 0 && read_signal(sfd))
			return true;
	}
}

int main(int argc, char **argv)
{
	struct run_opts o = { .timeout_s = DEFAULT_TIMEOUT_S, .linger_s = DEFAULT_LINGER_S };
	char gw_path[PATH_MAX];
	int ready[2], go[2], sfd, status, sig, diag, ret = EXIT_SETUP;
	pid_t self, sandbox, gw = -1;
	bool interrupted = false;
	sigset_t mask;
	long deadline;
	char c;

	parse_args(argc, argv, &o);
	if (find_ringnetd(gw_path, sizeof(gw_path)))
		return EXIT_SETUP;
	if (geteuid() != 0 && enter_userns())
		return EXIT_SETUP;

	/*
	 * Signals are read from a signalfd, so none is lost between forking
	 * and waiting; SIGCHLD wakes us when the sandbox or ringnetd ends.
	 */
	sigemptyset(&fwd_sigs);
	sigaddset(&fwd_sigs, SIGINT);
	sigaddset(&fwd_sigs, SIGTERM);
	sigaddset(&fwd_sigs, SIGHUP);
	sigaddset(&fwd_sigs, SIGQUIT);
	mask = fwd_sigs;
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		err_msg("signalfd: %s", strerror(errno));
		return EXIT_SETUP;
	}

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ready) ||
	    pipe2(go, O_CLOEXEC)) {
		err_msg("pipe: %s", strerror(errno));
		return EXIT_SETUP;
	}
	self = getpid();
	sandbox = fork();
	if (sandbox < 0) {
		err_msg("fork: %s", strerror(errno));
		return EXIT_SETUP;
	}
	if (!sandbox) {
		close(sfd);
		close(ready[0]);
		close(go[1]);
		sandbox_child(self, ready[1], go[0], o.cmd);
	}
	close(ready[1]);
	close(go[0]);

	/* The namespace must exist before ringnetd looks for it. */
	diag = recv_ready(ready[0]);
	if (diag == -2) {
		waitpid(sandbox, &status, 0);
		err_msg("the sandbox could not be set up");
		return EXIT_SETUP;
	}
	close(ready[0]);

	gw = start_ringnetd(gw_path, &o, sandbox);
	if (gw < 0)
		goto fail;

	deadline = now_ms() + o.timeout_s * 1000L;
	while (!default_route(sandbox, o.dev)) {
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };

		if (waitpid(gw, &status, WNOHANG) == gw) {
			gw = -1;
			err_msg("ringnetd %s %d before the sandbox's network was up",
				WIFEXITED(status) ? "exited with status" : "was killed by signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			/* It rejected options we passed on: a bad command line. */
			if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_USAGE)
				ret = EXIT_USAGE;
			goto fail;
		}
		if (waitpid(sandbox, &status, WNOHANG) == sandbox) {
			err_msg("the sandbox ended before its network was up");
			sandbox = -1;
			ret = exit_code(status);
			goto fail;
		}
		if (now_ms() > deadline) {
			err_msg("no default route via %s in the sandbox after %u s: "
				"ringnetd did not configure it", o.dev, o.timeout_s);
			goto fail;
		}
		if (poll(&pfd, 1, POLL_MS) > 0) {
			sig = read_signal(sfd);
			if (sig) {
				kill(sandbox, sig);
				waitpid(sandbox, &status, 0);
				sandbox = -1;
				ret = exit_code(status);
				goto fail;
			}
		}
	}

	/* Network up: let CMD run. */
	c = 1;
	if (write(go[1], &c, 1) != 1) {
		err_msg("the sandbox is gone: %s", strerror(errno));
		goto fail;
	}
	close(go[1]);

	for (;;) {
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };

		if (waitpid(sandbox, &status, WNOHANG) == sandbox)
			break;
		if (gw > 0 && waitpid(gw, &status, WNOHANG) == gw) {
			gw = -1;
			err_msg("ringnetd ended while the command ran: the sandbox has no network");
		}
		if (poll(&pfd, 1, -1) > 0) {
			sig = read_signal(sfd);
			if (sig) {
				kill(sandbox, sig);
				interrupted = true;
			}
		}
	}
	ret = exit_code(status);
	/*
	 * A Ctrl-C or a SIGTERM means "stop now", for the network too; so
	 * does --linger 0.
	 */
	if (!o.linger_s)
		interrupted = true;
	else if (gw > 0 && !interrupted)
		interrupted = linger(diag, o.linger_s, sfd, &gw);
	stop_ringnetd(gw, interrupted);
	return ret;

fail:
	if (sandbox > 0) {
		/* EOF on its pipe ends it; SIGKILL in case it is past that. */
		close(go[1]);
		kill(sandbox, SIGKILL);
		waitpid(sandbox, &status, 0);
	}
	stop_ringnetd(gw, true);
	return ret;
}
