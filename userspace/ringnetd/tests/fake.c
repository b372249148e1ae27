// SPDX-License-Identifier: GPL-2.0
/*
 * The unit tests' fake frame source: it records what the gateway sends,
 * and builds the frames the tests feed in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

#include "fake.h"

int failures;

/* The fake source: frames sent are copied here. */
uint8_t sent[MAX_SENT][FRAME_BUF_SIZE];
size_t sent_len[MAX_SENT];
unsigned int n_sent;
unsigned int send_room = MAX_SENT;

static unsigned int fake_recv(struct frame_source *s, struct frame *f, unsigned int m)
{
	(void)s; (void)f; (void)m;
	return 0;
}

static void fake_recv_done(struct frame_source *s, unsigned int n)
{
	(void)s; (void)n;
}

bool fake_lends;
unsigned int fake_lent_used;

static unsigned int fake_send(struct frame_source *s, const struct frame *f, unsigned int n)
{
	unsigned int i;

	(void)s;
	for (i = 0; i < n && n_sent < send_room; i++) {
		if (f[i].data == sent[n_sent])
			fake_lent_used++;	/* built in place */
		else
			memcpy(sent[n_sent], f[i].data, f[i].len);
		sent_len[n_sent++] = f[i].len;
	}
	return i;
}

/* Like a ring's slots: the entries of sent[] the next frames go to. */
static unsigned int fake_lend(struct frame_source *s, uint8_t **bufs, unsigned int max,
			      uint32_t min_len)
{
	unsigned int i;

	(void)s;
	if (!fake_lends || min_len > FRAME_BUF_SIZE)
		return 0;
	for (i = 0; i < max && n_sent + i < send_room; i++)
		bufs[i] = sent[n_sent + i];
	return i;
}

static void fake_close(struct frame_source *s)
{
	(void)s;
}

static const struct frame_source_ops fake_ops = {
	.recv = fake_recv, .recv_done = fake_recv_done,
	.send = fake_send, .lend = fake_lend, .close = fake_close,
};

struct frame_source fake = { .ops = &fake_ops, .backend = "fake", .fd = -1 };
struct gw gw;
const uint8_t sb_mac[6] = { 0x02, 0, 0, 0, 0, 0x64 };


void reset(unsigned int max_flows, unsigned int offloads)
{
	struct gw_config cfg;

	if (gw.flows)
		gw_fini(&gw);
	gw_config_defaults(&cfg);
	cfg.map_loopback = cfg.gw;	/* the relay tests talk to 127.0.0.1 */
	cfg.max_flows = max_flows;
	cfg.n_dns_upstream = 0;
	fake.offloads = offloads;
	if (gw_init(&gw, &cfg, &fake)) {
		fprintf(stderr, "gw_init failed\n");
		exit(1);
	}
	n_sent = 0;
	send_room = MAX_SENT;
	fake_lent_used = 0;
	gw_out_lend(&gw);
}

void input(const uint8_t *f, size_t len)
{
	/* A copy of exactly len bytes, so ASan sees any overread. */
	uint8_t *c = malloc(len ? len : 1);

	memcpy(c, f, len);
	gw_input(&gw, c, len);
	gw_input_done(&gw);
	gw_flush(&gw);
	free(c);
}

void input_batch(const uint8_t *const *frames, const size_t *lens, unsigned int n)
{
	uint8_t *copy[MAX_BATCH];
	unsigned int i;

	if (n > MAX_BATCH)
		abort();
	for (i = 0; i < n; i++) {
		copy[i] = malloc(lens[i] ? lens[i] : 1);
		memcpy(copy[i], frames[i], lens[i]);
		gw_input(&gw, copy[i], lens[i]);
	}
	gw_input_done(&gw);
	for (i = 0; i < n; i++)
		free(copy[i]);
	gw_flush(&gw);
}

int tests_done(const char *name)
{
	gw_fini(&gw);
	if (failures) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, failures);
		return 1;
	}
	printf("%s: all passed\n", name);
	return 0;
}

/* vnet header, Ethernet to the gateway, IPv4 with a valid checksum. */
size_t build_ip4(uint8_t *buf, uint8_t proto, uint32_t src, uint32_t dst,
			const uint8_t *l4, size_t l4_len)
{
	uint8_t *e = buf + VNET_HDR_LEN, *ip = e + ETH_HDR_LEN;

	memset(buf, 0, VNET_HDR_LEN);
	memcpy(e, gw.mac, 6);
	memcpy(e + 6, sb_mac, 6);
	wr16(e + 12, ETH_P_IP);
	memset(ip, 0, IP4_HDR_LEN);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(IP4_HDR_LEN + l4_len));
	wr16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = proto;
	wraddr(ip + 12, src);
	wraddr(ip + 16, dst);
	wr16(ip + 10, csum_fold(csum_add(0, ip, IP4_HDR_LEN)));
	memcpy(ip + IP4_HDR_LEN, l4, l4_len);
	return OFF_L4 + l4_len;
}

void fix_ip_csum(uint8_t *buf)
{
	uint8_t *ip = buf + OFF_IP4;

	wr16(ip + 10, 0);
	wr16(ip + 10, csum_fold(csum_add(0, ip, (size_t)(ip[0] & 0xf) * 4)));
}

int poll_events(int ms)
{
	struct epoll_event ev[16];
	int n, i;

	n = epoll_wait(gw.epfd, ev, 16, ms);
	for (i = 0; i < n; i++) {
		uint64_t ref = ev[i].data.u64;

		if (EP_KIND(ref) == EP_FLOW)
			flow_event(&gw, EP_IDX(ref), ev[i].events);
		else if (EP_KIND(ref) == EP_PORT)
			port_event(&gw, EP_IDX(ref), ev[i].events);
	}
	gw_flush(&gw);
	return n;
}

int loopback_socket(int type, uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 8) < 0) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("loopback socket");
		exit(1);
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

int recv_timeout(int fd)
{
	struct timeval tv = { .tv_sec = 2 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}
