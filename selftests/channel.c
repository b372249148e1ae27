// SPDX-License-Identifier: GPL-2.0
/*
 * The frame channel, /dev/net/ringnet: setup and mmap rules, attach rules,
 * the data path both ways, backpressure, hostile userspace and lifecycle.
 *
 * Each test runs in a network namespace of its own holding rn0
 * (192.0.2.1/24, up) with a static neighbour 192.0.2.2 that lives "behind"
 * the channel: frames the stack sends to it appear in the rx ring, and
 * frames the test writes into the tx ring as if from it reach sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <linux/if_ether.h>

#include "kselftest_harness.h"
#include "libringnet.h"
#include "nl.h"
#include "util.h"

#define PEER_MAC	"\x02\x00\x00\x00\x00\x02"
#define UDP_PORT	5000

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * What the kernel does after a kick takes well under a millisecond, but
 * under TCG, with another VM on the same cores, a fixed sleep may end
 * first.  Poll instead, up to a bound far beyond need: when all is well
 * the wait is as short as before.  COND is evaluated again at the end.
 */
#define SETTLE_MS 5000
#define WAIT_UNTIL(cond) ({					\
	int waited_ = 0;					\
	while (!(cond) && waited_ < SETTLE_MS) {		\
		msleep(10);					\
		waited_ += 10;					\
	}							\
	(cond);							\
})

/* One datagram's length, waiting up to SETTLE_MS for it; -1 if none. */
static ssize_t recv_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[16];

	poll(&p, 1, SETTLE_MS);
	return recv(fd, buf, sizeof(buf), 0);
}

/* A device counter, read through the ringnet family. */
static uint64_t counter(const char *dev, int attr)
{
	struct rn_reply r;
	struct nlattr *a;
	struct rn_nl nl;
	uint64_t v = ~0ULL;

	if (rn_nl_open(&nl))
		return v;
	if (!rn_dev_get(&nl, dev, 0, &r) && r.attrs[RINGNET_A_DEV_STATS]) {
		mnl_attr_for_each_nested(a, r.attrs[RINGNET_A_DEV_STATS])
			if (mnl_attr_get_type(a) == attr)
				v = mnl_attr_get_u64(a);
	}
	rn_nl_close(&nl);
	return v;
}

static uint64_t attr_u64(struct rn_reply *r, int type)
{
	return r->attrs[type] ? mnl_attr_get_u64(r->attrs[type]) : ~0ULL;
}

/* The device's "attached" attribute, through the ringnet family. */
static int attached(const char *dev)
{
	struct rn_reply r;
	struct rn_nl nl;
	int v = -1;

	if (rn_nl_open(&nl))
		return v;
	if (!rn_dev_get(&nl, dev, 0, &r) && r.attrs[RINGNET_A_DEV_ATTACHED])
		v = mnl_attr_get_u8(r.attrs[RINGNET_A_DEV_ATTACHED]);
	rn_nl_close(&nl);
	return v;
}

static int carrier(const char *dev)
{
	char path[64], c = '?';
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", dev);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = '?';
	close(fd);
	return c == '1' ? 1 : c == '0' ? 0 : -1;
}

static uint16_t ip_checksum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (p[0] << 8) | p[1];
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum);
}

/*
 * Write vnet header + Ethernet + IPv4 + UDP 192.0.2.2:5001 -> 192.0.2.1:5000
 * into buf; returns the length.  With partial_csum the UDP checksum is left
 * for the kernel (NEEDS_CSUM), else it is 0 ("none", fine for IPv4).
 */
static uint32_t udp_frame(void *buf, const uint8_t *dst_mac, const void *payload,
			  uint16_t plen, bool partial_csum)
{
	struct virtio_net_hdr_v1 *vh = buf;
	uint8_t *eth = (uint8_t *)buf + RINGNET_VNET_HDR_LEN;
	struct iphdr *ip = (struct iphdr *)(eth + ETH_HLEN);
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	memset(vh, 0, sizeof(*vh));
	memcpy(eth, dst_mac, 6);
	memcpy(eth + 6, PEER_MAC, 6);
	eth[12] = 0x08;
	eth[13] = 0x00;

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*udp) + plen);
	ip->saddr = htonl(0xc0000202);
	ip->daddr = htonl(0xc0000201);
	ip->check = ip_checksum(ip, sizeof(*ip), 0);

	udp->source = htons(UDP_PORT + 1);
	udp->dest = htons(UDP_PORT);
	udp->len = htons(sizeof(*udp) + plen);
	udp->check = 0;
	memcpy(udp + 1, payload, plen);

	if (partial_csum) {
		/* The pseudo-header sum, not inverted: the rest is the kernel's job. */
		uint32_t sum = 0xc000 + 0x0202 + 0xc000 + 0x0201 + IPPROTO_UDP +
			       ntohs(udp->len);

		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		udp->check = htons(sum);
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = ETH_HLEN + sizeof(*ip);
		vh->csum_offset = offsetof(struct udphdr, check);
	}
	return RINGNET_VNET_HDR_LEN + ETH_HLEN + sizeof(*ip) + sizeof(*udp) + plen;
}

FIXTURE(chan) {
	struct ringnet_chan ch;
	uint8_t mac[6];
	int udp;	/* bound to 192.0.2.1:5000, receives injected frames */
	int out;	/* sends to 192.0.2.2:5000, through the rx ring */
};

FIXTURE_VARIANT(chan) {
	uint64_t offloads;
	uint32_t rx_entries;
};

FIXTURE_VARIANT_ADD(chan, plain) {
	.offloads = 0,
	.rx_entries = 0,
};

FIXTURE_VARIANT_ADD(chan, offloads) {
	.offloads = ~0ULL,
	.rx_entries = 64,
};

static int udp_socket(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(addr) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	if (fd >= 0 && port && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_udp(int fd, const void *data, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(UDP_PORT),
				  .sin_addr.s_addr = htonl(0xc0000202) };

	return sendto(fd, data, len, 0, (struct sockaddr *)&sa, sizeof(sa)) ==
	       (ssize_t)len ? 0 : -errno;
}

FIXTURE_SETUP(chan)
{
	struct ringnet_chan_opts o = {
		.offloads = variant->offloads,
		.rx_entries = variant->rx_entries,
	};
	struct ifreq ifr = {};
	int fd;

	/* A namespace of our own, and a /sys that shows it (as ip netns exec). */
	ASSERT_EQ(0, unshare(CLONE_NEWNET | CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, umount2("/sys", MNT_DETACH));
	ASSERT_EQ(0, mount("sysfs", "/sys", "sysfs", 0, NULL));
	/* No IPv6 chatter (DAD, MLD) in the rings the tests read. */
	ASSERT_EQ(0, sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
			"net.ipv6.conf.default.disable_ipv6=1"));
	ASSERT_EQ(0, sh("ip link set lo up && ip link add rn0 type ringnet && "
			"ip addr add 192.0.2.1/24 dev rn0 && ip link set rn0 up && "
			"ip neigh add 192.0.2.2 lladdr 02:00:00:00:00:02 dev rn0"));
	ASSERT_EQ(0, ringnet_open(&self->ch, &o));
	ASSERT_EQ(0, ringnet_attach(&self->ch, "rn0", 0));

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	strcpy(ifr.ifr_name, "rn0");
	ASSERT_EQ(0, ioctl(fd, SIOCGIFHWADDR, &ifr));
	memcpy(self->mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);

	self->udp = udp_socket(0xc0000201, UDP_PORT);
	ASSERT_LE(0, self->udp);
	self->out = udp_socket(0, 0);
	ASSERT_LE(0, self->out);
	/* room for everything the tests queue, so sendto() never says EAGAIN */
	ASSERT_EQ(0, setsockopt(self->out, SOL_SOCKET, SO_SNDBUFFORCE,
				&(int){ 16 << 20 }, sizeof(int)));
	/* a plain FIFO: a stopped queue must hold packets, not age them out */
	ASSERT_EQ(0, sh("tc qdisc replace dev rn0 root pfifo limit 2000"));
}

FIXTURE_TEARDOWN(chan)
{
	ringnet_close(&self->ch);
	close(self->udp);
	close(self->out);
}

/* Inject one UDP datagram carrying seq; returns 0 once it is in the ring. */
static int inject(struct ringnet_chan *ch, const uint8_t *mac, uint32_t seq,
		  bool partial_csum)
{
	struct ringnet_frame f;
	char payload[64];

	if (ringnet_tx_reserve(ch, &f, 1) != 1)
		return -ENOSPC;
	memset(payload, 'a' + seq % 26, sizeof(payload));
	memcpy(payload, &seq, sizeof(seq));
	f.len = udp_frame(f.data, mac, payload, sizeof(payload), partial_csum);
	ringnet_tx_submit(ch, &f, 1);
	return 0;
}

/* Receive datagrams for up to ms; count those whose payload is intact. */
static int receive_intact(int fd, uint32_t first_seq, int want, int ms)
{
	char buf[128], expect[64];
	int got = 0, waited = 0;
	uint32_t seq;
	ssize_t n;

	while (got < want && waited < ms) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			msleep(10);
			waited += 10;
			continue;
		}
		seq = first_seq + got;
		memset(expect, 'a' + seq % 26, sizeof(expect));
		memcpy(expect, &seq, sizeof(seq));
		if (n != sizeof(expect) || memcmp(buf, expect, n))
			return -1;
		got++;
	}
	return got;
}

TEST_F(chan, setup_reports_layout)
{
	struct ringnet_setup *s = &self->ch.setup;

	EXPECT_EQ(RINGNET_ABI_VERSION, s->abi_version);
	EXPECT_EQ(sizeof(*s), s->size);
	EXPECT_EQ(256, s->tx_entries);
	EXPECT_EQ(variant->rx_entries ?: 256, s->rx_entries);
	EXPECT_EQ(65536 + 4096, s->slot_size) TH_LOG("defaults hold 64 KiB segments");
	EXPECT_EQ(0, s->mmap_size % getpagesize());
	EXPECT_GE(s->mmap_size, s->tx.buffers + s->tx.buffers_len);
	EXPECT_EQ((uint64_t)s->rx_entries * s->slot_size, s->rx.buffers_len);
	EXPECT_EQ(0, s->offloads & ~RINGNET_F_ALL);
	EXPECT_EQ(1, carrier("rn0"));
	EXPECT_EQ(1, attached("rn0"));
}

/* The attached channel shows in netlink, and in ringnetctl. */
TEST_F(chan, channel_reported)
{
	struct nlattr *a, *tb[RINGNET_A_CHANNEL_MAX + 1] = {};
	struct rn_reply r;
	struct rn_nl nl;
	char ctl[512];

	ASSERT_EQ(0, rn_nl_open(&nl));
	ASSERT_EQ(0, rn_dev_get(&nl, "rn0", 0, &r));
	ASSERT_NE(NULL, r.attrs[RINGNET_A_DEV_CHANNEL]);
	mnl_attr_for_each_nested(a, r.attrs[RINGNET_A_DEV_CHANNEL])
		if (mnl_attr_get_type(a) <= RINGNET_A_CHANNEL_MAX)
			tb[mnl_attr_get_type(a)] = a;
	EXPECT_EQ(getpid(), mnl_attr_get_u32(tb[RINGNET_A_CHANNEL_OWNER_PID]));
	EXPECT_EQ(self->ch.setup.rx_entries, mnl_attr_get_u32(tb[RINGNET_A_CHANNEL_RX_ENTRIES]));
	EXPECT_EQ(self->ch.setup.tx_entries, mnl_attr_get_u32(tb[RINGNET_A_CHANNEL_TX_ENTRIES]));
	EXPECT_EQ(self->ch.setup.slot_size, mnl_attr_get_u32(tb[RINGNET_A_CHANNEL_SLOT_SIZE]));
	EXPECT_EQ(self->ch.map_size, mnl_attr_get_u64(tb[RINGNET_A_CHANNEL_MEM_BYTES]));
	EXPECT_EQ(self->ch.offloads,
		  mnl_attr_get_u64(r.attrs[RINGNET_A_DEV_OFFLOADS_ACTIVE]));

	snprintf(ctl, sizeof(ctl), "%s/userspace/ringnetctl show -j rn0 | "
		 "jq -e '.[0].attached and .[0].channel.owner_pid == %d' >/dev/null",
		 getenv("RINGNET_BUILD") ?: "build", getpid());
	EXPECT_EQ(0, sh("%s", ctl));

	ringnet_detach(&self->ch);
	ASSERT_EQ(0, rn_dev_get(&nl, "rn0", 0, &r));
	EXPECT_EQ(NULL, r.attrs[RINGNET_A_DEV_CHANNEL]);
	EXPECT_EQ(0, attr_u64(&r, RINGNET_A_DEV_OFFLOADS_ACTIVE));
	rn_nl_close(&nl);
}

TEST_F(chan, setup_rejects_bad_sizes)
{
	struct { uint32_t rx, tx, slot, flags; uint64_t off; int err; } cases[] = {
		{ 100, 0, 0, 0, 0, EINVAL },		/* not a power of 2 */
		{ 4, 0, 0, 0, 0, EINVAL },		/* too few */
		{ 0, 65536, 0, 0, 0, EINVAL },		/* too many */
		{ 0, 0, 1024, 0, 0, EINVAL },		/* slot too small */
		{ 0, 0, 2050, 0, 0, EINVAL },		/* slot not aligned */
		{ 0, 0, 1 << 20, 0, 0, EINVAL },	/* slot too large */
		{ 0, 0, 0, 1, 0, EINVAL },		/* unknown flag */
		{ 0, 0, 0, 0, 1ULL << 40, EINVAL },	/* unknown offload */
		{ 32768, 32768, 262144, 0, 0, ENOBUFS },	/* 16 GiB */
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ringnet_setup s = {
			.size = sizeof(s), .rx_entries = cases[i].rx,
			.tx_entries = cases[i].tx, .slot_size = cases[i].slot,
			.flags = cases[i].flags, .offloads = cases[i].off,
		};
		int fd = open(RINGNET_CHANNEL_PATH, O_RDWR);

		ASSERT_LE(0, fd);
		EXPECT_EQ(-1, ioctl(fd, RINGNET_IOC_SETUP, &s)) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].err, errno) TH_LOG("case %u", i);
		/* a refused setup leaves the channel usable */
		s = (struct ringnet_setup){ .size = sizeof(s), .slot_size = 2048 };
		EXPECT_EQ(0, ioctl(fd, RINGNET_IOC_SETUP, &s)) TH_LOG("case %u", i);
		close(fd);
	}
}

TEST_F(chan, setup_struct_size)
{
	struct { struct ringnet_setup s; uint64_t tail; } big = {};
	int fd;

	/* a second setup of the same channel */
	EXPECT_EQ(-1, ioctl(self->ch.fd, RINGNET_IOC_SETUP, &self->ch.setup));
	EXPECT_EQ(EBUSY, errno);

	fd = open(RINGNET_CHANNEL_PATH, O_RDWR);
	ASSERT_LE(0, fd);
	big.s.size = RINGNET_SETUP_SIZE_VER0 - 8;
	EXPECT_EQ(-1, ioctl(fd, RINGNET_IOC_SETUP, &big));
	EXPECT_EQ(EINVAL, errno);

	/* newer userspace: unknown trailing fields must be zero */
	big.s.size = sizeof(big);
	big.tail = 1;
	EXPECT_EQ(-1, ioctl(fd, RINGNET_IOC_SETUP, &big));
	EXPECT_EQ(E2BIG, errno);

	/* "out" fields are not inputs */
	big.tail = 0;
	big.s.mmap_size = 4096;
	EXPECT_EQ(-1, ioctl(fd, RINGNET_IOC_SETUP, &big));
	EXPECT_EQ(EINVAL, errno);

	big.s.mmap_size = 0;
	big.s.slot_size = 2048;
	EXPECT_EQ(0, ioctl(fd, RINGNET_IOC_SETUP, &big));
	EXPECT_EQ(sizeof(big.s), big.s.size);
	EXPECT_EQ(0, big.tail);
	close(fd);
}

TEST_F(chan, mmap_rules)
{
	size_t size = self->ch.map_size, page = getpagesize();
	void *p;
	int fd;

	p = mmap(NULL, size - page, PROT_READ | PROT_WRITE, MAP_SHARED, self->ch.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, size + page, PROT_READ | PROT_WRITE, MAP_SHARED, self->ch.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->ch.fd, page);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->ch.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, self->ch.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);

	/* a second mapping is fine; it cannot become executable or grow */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->ch.fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, page, PROT_READ | PROT_EXEC));
	EXPECT_EQ(MAP_FAILED, mremap(p, size, size + page, MREMAP_MAYMOVE));
	EXPECT_EQ(0, munmap(p, size));

	/* nothing to map before setup */
	fd = open(RINGNET_CHANNEL_PATH, O_RDWR);
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBADFD, errno);
	close(fd);

	/* the device still works */
	EXPECT_EQ(0, inject(&self->ch, self->mac, 7, false));
	EXPECT_EQ(1, receive_intact(self->udp, 7, 1, 2000));
}

TEST_F(chan, attach_rules)
{
	struct ringnet_attach a = {};
	struct ringnet_chan other;
	int fd;

	/* the device is taken */
	ASSERT_EQ(0, ringnet_open(&other, NULL));
	EXPECT_EQ(-EBUSY, ringnet_attach(&other, "rn0", 0));
	EXPECT_EQ(-ENODEV, ringnet_attach(&other, "nosuch0", 0));
	EXPECT_EQ(-ENODEV, ringnet_attach(&other, NULL, 999999));
	EXPECT_EQ(-EOPNOTSUPP, ringnet_attach(&other, "lo", 0));
	EXPECT_EQ(-ENOTCONN, ringnet_detach(&other));
	EXPECT_EQ(-ENOTCONN, ringnet_kick(&other));
	/* a channel attaches once */
	EXPECT_EQ(-EISCONN, ringnet_attach(&self->ch, "rn0", 0));

	/* malformed requests */
	a.queue = 1;
	strcpy(a.ifname, "rn0");
	EXPECT_EQ(-1, ioctl(other.fd, RINGNET_IOC_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	memset(&a, 'x', sizeof(a));
	a.ifindex = 0;
	a.queue = 0;
	a.offloads = 0;
	a.mtu = 0;
	a.reserved = 0;
	EXPECT_EQ(-1, ioctl(other.fd, RINGNET_IOC_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno) TH_LOG("ifname without its NUL");
	EXPECT_EQ(-1, ioctl(other.fd, 0x1234, 0));
	EXPECT_EQ(ENOTTY, errno);

	/* nothing to attach before setup */
	fd = open(RINGNET_CHANNEL_PATH, O_RDWR);
	memset(&a, 0, sizeof(a));
	strcpy(a.ifname, "rn0");
	EXPECT_EQ(-1, ioctl(fd, RINGNET_IOC_ATTACH, &a));
	EXPECT_EQ(EBADFD, errno);
	close(fd);

	/* detach frees the device for another channel */
	EXPECT_EQ(0, ringnet_detach(&self->ch));
	EXPECT_EQ(0, carrier("rn0"));
	EXPECT_EQ(0, ringnet_attach(&other, "rn0", 0));
	EXPECT_EQ(1, carrier("rn0"));
	ringnet_close(&other);
	EXPECT_EQ(0, carrier("rn0"));
	EXPECT_EQ(0, ringnet_attach(&self->ch, NULL, if_nametoindex("rn0")));
}

TEST_F(chan, attach_limits)
{
	struct ringnet_chan_opts small = { .slot_size = 2048 };
	struct ringnet_chan ch;
	char ctl[256];

	/* a device whose memory limit is below the channel's size */
	snprintf(ctl, sizeof(ctl), "%s/userspace/ringnetctl",
		 getenv("RINGNET_BUILD") ?: "build");
	ASSERT_EQ(0, sh("%s add rn1 mem-limit 1M", ctl));
	ASSERT_EQ(0, ringnet_open(&ch, NULL));
	EXPECT_EQ(-ENOBUFS, ringnet_attach(&ch, "rn1", 0));
	ringnet_close(&ch);

	/* a device whose MTU does not fit the slots */
	ASSERT_EQ(0, sh("ip link add rn2 mtu 9000 type ringnet"));
	ASSERT_EQ(0, ringnet_open(&ch, &small));
	EXPECT_EQ(-EMSGSIZE, ringnet_attach(&ch, "rn2", 0));
	ASSERT_EQ(0, sh("ip link set rn2 mtu 1500"));
	EXPECT_EQ(0, ringnet_attach(&ch, "rn2", 0));
	/* and while attached, the MTU cannot outgrow the slots */
	EXPECT_NE(0, sh("ip link set rn2 mtu 9000 2>/dev/null"));
	EXPECT_EQ(0, sh("ip link set rn2 mtu 1400"));
	ringnet_close(&ch);
	EXPECT_EQ(0, sh("ip link set rn2 mtu 9000"));
}

static int attach_unprivileged(void *arg)
{
	struct ringnet_chan ch;

	if (setgid(65534) || setuid(65534))
		return 10;
	/* opening is allowed, as for /dev/net/tun */
	if (ringnet_open(&ch, NULL))
		return 11;
	return ringnet_attach(&ch, "rn9", 0) == -EPERM ? 0 : 12;
}

/* A user namespace owning its network namespace runs its own channel. */
static int attach_in_own_userns(void *arg)
{
	struct ringnet_chan ch;

	if (setgid(65534) || setuid(65534))
		return 20;
	/* Changing uid made us undumpable, and our /proc files root's. */
	if (prctl(PR_SET_DUMPABLE, 1))
		return 27;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return 21;
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", "0 65534 1") ||
	    write_file("/proc/self/gid_map", "0 65534 1"))
		return 22;
	if (sh("ip link add rn9 type ringnet"))
		return 23;
	if (ringnet_open(&ch, NULL))
		return 24;
	if (ringnet_attach(&ch, "rn9", 0))
		return 25;
	return attached("rn9") == 1 ? 0 : 26;
}

TEST_F(chan, attach_permission)
{
	ASSERT_EQ(0, sh("ip link add rn9 type ringnet"));
	EXPECT_EQ(0, in_child(attach_unprivileged, NULL));
	EXPECT_EQ(0, attached("rn9"));
	if (sh("test \"$(sysctl -n kernel.unprivileged_userns_clone 2>/dev/null || echo 1)\" = 1"))
		SKIP(return, "unprivileged user namespaces are disabled");
	EXPECT_EQ(0, in_child(attach_in_own_userns, NULL));
}

TEST_F(chan, user_to_kernel)
{
	uint64_t before = counter("rn0", RINGNET_A_STATS_RX_PACKETS);
	int i;

	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, inject(&self->ch, self->mac, i, false));
	EXPECT_EQ(100, receive_intact(self->udp, 0, 100, 5000));
	EXPECT_EQ(before + 100, counter("rn0", RINGNET_A_STATS_RX_PACKETS));
	EXPECT_EQ(0, counter("rn0", RINGNET_A_STATS_RX_DROP_BAD_DESC));
	EXPECT_EQ(0, counter("rn0", RINGNET_A_STATS_RX_DROP_BAD_HDR));
}

/* A partial checksum is the kernel's to finish only if csum was negotiated. */
TEST_F(chan, user_to_kernel_partial_csum)
{
	int delivered;

	ASSERT_EQ(0, inject(&self->ch, self->mac, 3, true));
	delivered = receive_intact(self->udp, 3, 1, 1000);
	if (self->ch.offloads & RINGNET_F_CSUM) {
		EXPECT_EQ(1, delivered);
	} else {
		EXPECT_EQ(0, delivered);
		EXPECT_EQ(1, counter("rn0", RINGNET_A_STATS_RX_DROP_BAD_HDR));
	}
}

TEST_F(chan, kernel_to_user)
{
	struct ringnet_frame f[64];
	char payload[300];
	unsigned int got = 0, n, i;
	int tries = 0;

	for (i = 0; i < 50; i++) {
		memset(payload, i, sizeof(payload));
		ASSERT_EQ(0, send_udp(self->out, payload, sizeof(payload)));
	}
	while (got < 50 && tries++ < 200) {
		n = ringnet_rx_peek(&self->ch, f, 64);
		for (i = 0; i < n; i++, got++) {
			const struct virtio_net_hdr_v1 *vh = f[i].data;
			const uint8_t *eth = (uint8_t *)f[i].data + RINGNET_VNET_HDR_LEN;
			const uint8_t *data = eth + ETH_HLEN + 20 + 8;

			ASSERT_EQ(RINGNET_VNET_HDR_LEN + ETH_HLEN + 20 + 8 + 300, f[i].len);
			EXPECT_EQ(0, memcmp(eth, PEER_MAC, 6));
			EXPECT_EQ(0, memcmp(eth + 6, self->mac, 6));
			EXPECT_EQ(VIRTIO_NET_HDR_GSO_NONE, vh->gso_type);
			/* without csum the stack finished the checksum itself */
			if (!(self->ch.offloads & RINGNET_F_CSUM))
				EXPECT_EQ(0, vh->flags);
			EXPECT_EQ(got, data[0]);
			EXPECT_EQ(got, data[299]);
		}
		ringnet_rx_release(&self->ch, n);
		if (!n)
			ringnet_wait(&self->ch, POLLIN, 50);
	}
	EXPECT_EQ(50, got);
	EXPECT_LE(50, counter("rn0", RINGNET_A_STATS_TX_PACKETS));
	EXPECT_EQ(0, counter("rn0", RINGNET_A_STATS_TX_DROP_BAD_OFFLOAD));
}

/* NAPI sleeps until kicked, and says so; a kick makes it run. */
TEST_F(chan, need_wakeup)
{
	struct ringnet_frame f;
	uint32_t *flags = self->ch.tx.flags;

	msleep(50);
	ASSERT_TRUE(__atomic_load_n(flags, __ATOMIC_ACQUIRE) & RINGNET_RING_F_NEED_WAKEUP);

	/* publish a frame by hand, without the kick libringnet would do */
	ASSERT_EQ(1, ringnet_tx_reserve(&self->ch, &f, 1));
	f.len = udp_frame(f.data, self->mac, "0000wake", 8, false);
	self->ch.tx.desc[self->ch.tx.head & self->ch.tx.mask] =
		(struct ringnet_desc){ .addr = (uint8_t *)f.data - self->ch.tx.buffers,
				       .len = f.len };
	__atomic_store_n(self->ch.tx.producer, ++self->ch.tx.head, __ATOMIC_RELEASE);
	msleep(300);
	EXPECT_EQ(-1, recv(self->udp, (char[16]){}, 16, 0)) TH_LOG("ran without a kick");

	EXPECT_EQ(0, ringnet_kick(&self->ch));
	EXPECT_EQ(8, recv_wait(self->udp));
	EXPECT_EQ(1, counter("rn0", RINGNET_A_STATS_KICKS));
	EXPECT_TRUE(__atomic_load_n(flags, __ATOMIC_ACQUIRE) & RINGNET_RING_F_NEED_WAKEUP);
}

/* Descriptors that point nowhere good are dropped and counted, one each. */
TEST_F(chan, hostile_descriptors)
{
	struct ringnet_uring *r = &self->ch.tx;
	uint64_t area = r->buffers_len, slot = self->ch.setup.slot_size;
	struct ringnet_desc bad[] = {
		{ .addr = area, .len = 100 },			/* past the end */
		{ .addr = area - 50, .len = 100 },		/* straddles the end */
		{ .addr = ~0ULL - 10, .len = 100 },		/* wraps */
		{ .addr = 0, .len = 0 },			/* empty */
		{ .addr = 0, .len = 20 },			/* shorter than the headers */
		{ .addr = 0, .len = slot + 1 },			/* longer than a slot */
		{ .addr = 0, .len = 0xffffffff },		/* far longer */
		{ .addr = 0, .len = 100, .flags = 1 },		/* reserved flag */
	};
	unsigned int i, n = sizeof(bad) / sizeof(bad[0]);
	struct ringnet_frame f;

	for (i = 0; i < n; i++) {
		r->desc[r->head & r->mask] = bad[i];
		__atomic_store_n(r->producer, ++r->head, __ATOMIC_RELEASE);
	}
	/* overlapping descriptors are fine: the kernel copies */
	ASSERT_EQ(1, ringnet_tx_reserve(&self->ch, &f, 1));
	f.len = udp_frame(f.data, self->mac, "0000same", 8, false);
	for (i = 0; i < 2; i++) {
		r->desc[r->head & r->mask] = (struct ringnet_desc){
			.addr = (uint8_t *)f.data - r->buffers, .len = f.len };
		__atomic_store_n(r->producer, ++r->head, __ATOMIC_RELEASE);
	}
	ringnet_kick(&self->ch);
	EXPECT_TRUE(WAIT_UNTIL(counter("rn0", RINGNET_A_STATS_RX_DROP_BAD_DESC) >= n));
	EXPECT_EQ(n, counter("rn0", RINGNET_A_STATS_RX_DROP_BAD_DESC));
	EXPECT_EQ(8, recv_wait(self->udp));
	EXPECT_EQ(8, recv_wait(self->udp));
	/* and the ring keeps working */
	EXPECT_EQ(0, inject(&self->ch, self->mac, 9, false));
	EXPECT_EQ(1, receive_intact(self->udp, 9, 1, 2000));
}

/* Headers that lie about the frame are dropped and counted. */
TEST_F(chan, hostile_vnet_headers)
{
	struct ringnet_frame f;
	uint64_t drops;
	int i, n = 0;

	for (i = 0; i < 9; i++) {
		struct virtio_net_hdr_v1 *vh;
		uint32_t len;

		ASSERT_EQ(1, ringnet_tx_reserve(&self->ch, &f, 1));
		len = udp_frame(f.data, self->mac, "0000hdr!", 8, true);
		vh = f.data;
		switch (i) {
		case 0: vh->flags = 0x80; break;			/* unknown flag */
		case 1: vh->gso_type = 7; break;			/* unknown GSO */
		case 2: vh->gso_type = VIRTIO_NET_HDR_GSO_UDP; break;	/* UFO */
		case 3: vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4; break;	/* gso_size 0 */
		case 4: vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;		/* without csum */
			vh->gso_size = 1000;
			vh->flags = 0;
			break;
		case 5: vh->hdr_len = len; break;			/* past the frame */
		case 6: vh->csum_start = len; break;			/* past the frame */
		case 7: vh->csum_offset = 0xfff0; break;		/* past the frame */
		case 8: vh->gso_type = VIRTIO_NET_HDR_GSO_ECN; break;	/* ECN, no TCP */
		}
		f.len = len;
		ringnet_tx_submit(&self->ch, &f, 1);
		n++;
	}
	WAIT_UNTIL(counter("rn0", RINGNET_A_STATS_RX_DROP_BAD_HDR) >= n);
	drops = counter("rn0", RINGNET_A_STATS_RX_DROP_BAD_HDR);
	EXPECT_EQ(n, drops);
	EXPECT_EQ(-1, recv(self->udp, (char[16]){}, 16, 0));
	EXPECT_EQ(0, inject(&self->ch, self->mac, 4, false));
	EXPECT_EQ(1, receive_intact(self->udp, 4, 1, 2000));
}

/*
 * After the shared memory was trampled, agree with the kernel on where the
 * rings stand.  tx: publish any producer index and kick; whether the kernel
 * takes it as valid (drops the garbage it covers) or not (skips to it), its
 * consumer ends there.  rx: a kick makes the kernel republish its producer
 * index when ours is impossible; consume up to it.
 */
static void resync(struct ringnet_chan *ch)
{
	uint32_t x = __atomic_load_n(ch->tx.consumer, __ATOMIC_ACQUIRE);

	__atomic_store_n(ch->tx.producer, x, __ATOMIC_RELEASE);
	ringnet_kick(ch);
	msleep(100);
	ch->tx.head = ch->tx.cached = x;

	__atomic_store_n(ch->rx.consumer, 0x80000000u +
			 __atomic_load_n(ch->rx.producer, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
	ringnet_kick(ch);
	ch->rx.head = __atomic_load_n(ch->rx.producer, __ATOMIC_ACQUIRE);
	__atomic_store_n(ch->rx.consumer, ch->rx.head, __ATOMIC_RELEASE);
	ringnet_kick(ch);
}

static int wait_event(struct rn_nl *ev, uint8_t want, int ms)
{
	char name[IFNAMSIZ];
	uint8_t cmd;

	while (rn_nl_event(ev, ms, &cmd, name, sizeof(name)) == 0)
		if (cmd == want)
			return 0;
	return -1;
}

/* A producer index that cannot be: counted, reported, and recovered from. */
TEST_F(chan, hostile_tx_producer)
{
	struct ringnet_uring *r = &self->ch.tx;
	struct rn_nl ev;

	ASSERT_EQ(0, rn_nl_open(&ev));
	ASSERT_EQ(0, rn_nl_subscribe(&ev));

	__atomic_store_n(r->producer, r->head + r->entries + 5, __ATOMIC_RELEASE);
	ringnet_kick(&self->ch);
	EXPECT_TRUE(WAIT_UNTIL(counter("rn0", RINGNET_A_STATS_RING_ERRORS) >= 1));
	EXPECT_EQ(1, counter("rn0", RINGNET_A_STATS_RING_ERRORS));
	EXPECT_EQ(0, wait_event(&ev, RINGNET_CMD_DEV_ERROR_NTF, SETTLE_MS));

	/* start over from where the kernel now stands */
	r->head = r->cached = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	EXPECT_EQ(0, inject(&self->ch, self->mac, 11, false));
	EXPECT_EQ(1, receive_intact(self->udp, 11, 1, 2000));
	rn_nl_close(&ev);
}

/* Free-running indices wrap at 2^32 without a hiccup. */
TEST_F(chan, tx_indices_wrap)
{
	struct ringnet_uring *r = &self->ch.tx;
	uint32_t start = 0xffffffff - 20, i;

	/* An impossible producer makes the kernel skip to it: a cheap way
	 * to move both indices close to the wrap. */
	__atomic_store_n(r->producer, start, __ATOMIC_RELEASE);
	ringnet_kick(&self->ch);
	WAIT_UNTIL(__atomic_load_n(r->consumer, __ATOMIC_ACQUIRE) == start);
	ASSERT_EQ(start, __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE));
	r->head = r->cached = start;

	for (i = 0; i < 60; i++) {
		while (inject(&self->ch, self->mac, i, false))
			msleep(5);
		if (i % 8 == 7)
			ASSERT_EQ(8, receive_intact(self->udp, i - 7, 8, 2000));
	}
	EXPECT_EQ(start + 60, __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE));
}

/* A consumer index that cannot be keeps the queue stopped; a sane one restarts it. */
TEST_F(chan, hostile_rx_consumer)
{
	uint32_t entries = self->ch.rx.entries, prod, i;
	struct ringnet_frame f[64];
	char payload[32] = "x";
	unsigned int n, got = 0;

	/* fill the ring: the queue stops */
	for (i = 0; i < entries + 5; i++)
		ASSERT_EQ(0, send_udp(self->out, payload, sizeof(payload)));
	WAIT_UNTIL(__atomic_load_n(self->ch.rx.producer, __ATOMIC_ACQUIRE) == entries);
	ASSERT_EQ(entries, __atomic_load_n(self->ch.rx.producer, __ATOMIC_ACQUIRE));

	/* claim to have consumed more than was produced */
	__atomic_store_n(self->ch.rx.consumer, entries + 1000, __ATOMIC_RELEASE);
	ringnet_kick(&self->ch);
	WAIT_UNTIL(counter("rn0", RINGNET_A_STATS_RING_ERRORS) >= 1);
	EXPECT_LE(1, counter("rn0", RINGNET_A_STATS_RING_ERRORS));
	prod = __atomic_load_n(self->ch.rx.producer, __ATOMIC_ACQUIRE);
	EXPECT_EQ(entries, prod) TH_LOG("no frame may be written over");

	/* a sane index: the last five frames come */
	self->ch.rx.head = self->ch.rx.cached = prod;
	__atomic_store_n(self->ch.rx.consumer, prod, __ATOMIC_RELEASE);
	ringnet_kick(&self->ch);
	for (i = 0; i < SETTLE_MS / 20 && got < 5; i++) {
		n = ringnet_rx_peek(&self->ch, f, 64);
		got += n;
		ringnet_rx_release(&self->ch, n);
		msleep(20);
	}
	EXPECT_EQ(5, got);
	EXPECT_EQ(0, counter("rn0", RINGNET_A_STATS_TX_DROP_NO_CHANNEL));
}

struct scribbler {
	struct ringnet_chan *ch;
	volatile int stop;
	unsigned int seed;
};

/* Rewrite everything userspace can write, as fast as possible. */
static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	uint32_t *words = s->ch->map;
	size_t n = s->ch->map_size / 4;

	while (!s->stop) {
		size_t i = rand_r(&s->seed) % n;

		__atomic_store_n(&words[i], rand_r(&s->seed), __ATOMIC_RELAXED);
		if ((i & 63) == 0)
			__atomic_store_n(s->ch->tx.producer, rand_r(&s->seed),
					 __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Another thread rewrites the shared memory while the kernel reads it. */
TEST_F_TIMEOUT(chan, hostile_racing_writer, 120)
{
	struct scribbler s = { .ch = &self->ch, .seed = 42 };
	pthread_t t;
	char payload[64] = "race";
	int i;

	ASSERT_EQ(0, pthread_create(&t, NULL, scribble, &s));
	for (i = 0; i < 2000; i++) {
		ringnet_kick(&self->ch);
		send_udp(self->out, payload, sizeof(payload));
		if (i % 100 == 0)
			ringnet_wait(&self->ch, POLLIN | POLLOUT, 0);
	}
	s.stop = 1;
	pthread_join(t, NULL);

	resync(&self->ch);
	while (recv(self->udp, (char[128]){}, 128, 0) > 0)
		;
	EXPECT_EQ(0, inject(&self->ch, self->mac, 21, false));
	EXPECT_EQ(1, receive_intact(self->udp, 21, 1, 3000));
	/* and the other direction */
	EXPECT_EQ(0, send_udp(self->out, payload, sizeof(payload)));
	EXPECT_EQ(POLLIN, ringnet_wait(&self->ch, POLLIN, 2000) & POLLIN);
}

/* Backpressure: a reader that stops makes the queue stop, never drop. */
TEST_F_TIMEOUT(chan, backpressure, 120)
{
	unsigned int sent = 0, got = 0, n, i, total;
	struct ringnet_frame f[64];
	char payload[100];
	uint32_t seq;

	/* ring entries plus what the qdisc holds (txqueuelen 1000) */
	total = self->ch.rx.entries + 500;
	for (i = 0; i < total; i++, sent++) {
		memset(payload, 0, sizeof(payload));
		memcpy(payload, &i, sizeof(i));
		ASSERT_EQ(0, send_udp(self->out, payload, sizeof(payload)));
	}
	WAIT_UNTIL(__atomic_load_n(self->ch.rx.producer, __ATOMIC_ACQUIRE) ==
		   self->ch.rx.entries && counter("rn0", RINGNET_A_STATS_TX_QUEUE_STOPS) >= 1);
	EXPECT_LE(1, counter("rn0", RINGNET_A_STATS_TX_QUEUE_STOPS));
	EXPECT_EQ(self->ch.rx.entries,
		  __atomic_load_n(self->ch.rx.producer, __ATOMIC_ACQUIRE));
	EXPECT_TRUE(__atomic_load_n(self->ch.rx.flags, __ATOMIC_ACQUIRE) &
		    RINGNET_RING_F_NEED_WAKEUP);

	/* read, and every frame arrives in order */
	for (i = 0; i < 1000 && got < sent; i++) {
		n = ringnet_rx_peek(&self->ch, f, 64);
		for (unsigned int k = 0; k < n; k++, got++) {
			memcpy(&seq, (uint8_t *)f[k].data + RINGNET_VNET_HDR_LEN +
			       ETH_HLEN + 28, sizeof(seq));
			ASSERT_EQ(got, seq);
		}
		ringnet_rx_release(&self->ch, n);
		if (!n)
			ringnet_wait(&self->ch, POLLIN, 20);
	}
	EXPECT_EQ(sent, got);
	EXPECT_EQ(0, counter("rn0", RINGNET_A_STATS_TX_DROP_NO_CHANNEL));
	EXPECT_EQ(0, counter("rn0", RINGNET_A_STATS_TX_DROP_TOO_BIG));
	EXPECT_EQ(0, sh("tc -s -j qdisc show dev rn0 | jq -e 'all(.[]; .drops == 0)' >/dev/null"));
}

/* Closing the file detaches, and frees the device for another channel. */
TEST_F(chan, close_detaches)
{
	struct ringnet_chan other;
	struct rn_nl ev;

	ASSERT_EQ(0, rn_nl_open(&ev));
	ASSERT_EQ(0, rn_nl_subscribe(&ev));
	ringnet_close(&self->ch);
	EXPECT_EQ(0, carrier("rn0"));
	EXPECT_EQ(0, wait_event(&ev, RINGNET_CMD_DEV_DETACHED_NTF, SETTLE_MS));
	ASSERT_EQ(0, ringnet_open(&other, NULL));
	EXPECT_EQ(0, ringnet_attach(&other, "rn0", 0));
	EXPECT_EQ(0, wait_event(&ev, RINGNET_CMD_DEV_ATTACHED_NTF, SETTLE_MS));
	self->ch = other;
	rn_nl_close(&ev);
}

/* The mapping keeps the file, and so the channel, alive: both orders. */
TEST_F(chan, close_and_munmap_in_either_order)
{
	struct ringnet_chan other;

	/* close first: still attached until the mapping goes */
	close(self->ch.fd);
	self->ch.fd = -1;
	EXPECT_EQ(1, carrier("rn0"));
	EXPECT_EQ(0, inject(&self->ch, self->mac, 1, false)) TH_LOG("ring still mapped");
	munmap(self->ch.map, self->ch.map_size);
	self->ch.map = NULL;
	EXPECT_EQ(0, carrier("rn0"));

	/* munmap first: the channel lives on in the fd */
	ASSERT_EQ(0, ringnet_open(&other, NULL));
	ASSERT_EQ(0, ringnet_attach(&other, "rn0", 0));
	munmap(other.map, other.map_size);
	other.map = NULL;
	EXPECT_EQ(1, carrier("rn0"));
	EXPECT_EQ(0, ringnet_kick(&other));
	ringnet_close(&other);
	EXPECT_EQ(0, carrier("rn0"));
}

/* A deleted device wakes the channel with an error; later calls fail. */
TEST_F(chan, device_deleted_under_channel)
{
	int ev;

	ASSERT_EQ(0, sh("ip link del rn0"));
	ev = ringnet_wait(&self->ch, POLLIN, 1000);
	EXPECT_TRUE(ev & POLLERR);
	EXPECT_TRUE(ev & POLLHUP);
	EXPECT_EQ(-ENODEV, ringnet_kick(&self->ch));
	EXPECT_EQ(-ENODEV, ringnet_detach(&self->ch));
	EXPECT_EQ(-ENODEV, ringnet_attach(&self->ch, "lo", 0));
	ASSERT_EQ(0, sh("ip link add rn0 type ringnet"));
	EXPECT_EQ(-ENODEV, ringnet_attach(&self->ch, "rn0", 0));
	/* the memory is still there to read */
	EXPECT_EQ(0, __atomic_load_n(self->ch.rx.consumer, __ATOMIC_ACQUIRE));
}

/* Moving the device keeps the channel; deleting its new namespace ends it. */
TEST_F_TIMEOUT(chan, device_moved_then_netns_deleted, 90)
{
	char ns[32];
	int ev;

	snprintf(ns, sizeof(ns), "rnc-%d", getpid());
	ASSERT_EQ(0, sh("ip netns add %s && ip link set rn0 netns %s", ns, ns));
	EXPECT_EQ(0, ringnet_kick(&self->ch));
	EXPECT_EQ(0, ringnet_wait(&self->ch, POLLIN, 100) & (POLLERR | POLLHUP));
	ASSERT_EQ(0, sh("ip netns del %s", ns));
	/* namespaces are torn down asynchronously, and TCG is slow */
	ev = ringnet_wait(&self->ch, POLLIN, 60000);
	EXPECT_TRUE(ev & POLLHUP);
	EXPECT_EQ(-ENODEV, ringnet_kick(&self->ch));
}

/* fork() with the mapping: the child may do anything, the parent goes on. */
TEST_F(chan, fork_with_mapping)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		memset(self->ch.map, 0xff, self->ch.map_size);
		ringnet_kick(&self->ch);
		munmap(self->ch.map, self->ch.map_size);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* both shared the rings: restart them from the kernel's view */
	resync(&self->ch);
	EXPECT_EQ(0, inject(&self->ch, self->mac, 5, false));
	EXPECT_EQ(1, receive_intact(self->udp, 5, 1, 2000));
}

/* While the device is down, frames wait in the ring; up, they go. */
TEST_F(chan, device_down_then_up)
{
	ASSERT_EQ(0, sh("ip link set rn0 down"));
	EXPECT_EQ(0, inject(&self->ch, self->mac, 6, false));
	msleep(200);
	ASSERT_EQ(0, sh("ip link set rn0 up && ip addr replace 192.0.2.1/24 dev rn0"));
	EXPECT_EQ(1, receive_intact(self->udp, 6, 1, 2000));
}

/* Detach while NAPI may be scheduled, then down: nothing may hang. */
TEST_F_TIMEOUT(chan, detach_races_napi, 120)
{
	int i;

	for (i = 0; i < 50; i++) {
		inject(&self->ch, self->mac, i, false);
		ringnet_kick(&self->ch);
		ASSERT_EQ(0, ringnet_detach(&self->ch));
		ASSERT_EQ(0, sh("ip link set rn0 down && ip link set rn0 up"));
		ASSERT_EQ(0, ringnet_attach(&self->ch, "rn0", 0));
	}
}

/* rmmod is refused while a channel is open. */
TEST_F(chan, rmmod_refused_while_open)
{
	EXPECT_NE(0, sh("rmmod ringnet 2>/dev/null"));
	EXPECT_EQ(0, sh("test -d /sys/module/ringnet"));
}

/* The offloads in effect show in ethtool -k. */
TEST_F(chan, offloads_in_ethtool)
{
	int tso = sh("ethtool -k rn0 | grep -q '^tcp-segmentation-offload: on'");
	int csum = sh("ethtool -k rn0 | grep -q '^tx-checksumming: on'");

	EXPECT_EQ(!(self->ch.offloads & RINGNET_F_TSO4), tso != 0);
	EXPECT_EQ(!(self->ch.offloads & RINGNET_F_CSUM), csum != 0);
	ringnet_detach(&self->ch);
	EXPECT_NE(0, sh("ethtool -k rn0 | grep -q '^tcp-segmentation-offload: on'"));
}

TEST_HARNESS_MAIN
