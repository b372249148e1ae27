// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway's state: configuration, the output queue toward the
 * sandbox, counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "gw.h"
#include "flow.h"

/* A locally administered unicast address, the same every run so the
 * sandbox's neighbour entry survives a restart of ringnetd. */
static const uint8_t gw_mac_default[6] = { 0x02, 0x72, 0x6e, 0x67, 0x77, 0x01 };

void gw_config_defaults(struct gw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->addr = htonl(0x0a000264);	/* 10.0.2.100 */
	cfg->gw = htonl(0x0a000202);	/* 10.0.2.2 */
	cfg->dns = htonl(0x0a000203);	/* 10.0.2.3 */
	cfg->prefix = 24;
	cfg->mtu = MTU_MAX;
	cfg->lease_time = 3600;
	cfg->max_flows = 4096;
	cfg->udp_timeout = 60;
}

/* Test hook: when not 0, the gateway's clock in ms, so a fuzzer or test
 * can move time forward without sleeping.  Every timer reads the clock
 * through gw_now_ms() or gw_now(). */
uint64_t gw_fake_now_ms;

time_t gw_now(void)
{
	return (time_t)(gw_now_ms() / 1000);
}

uint64_t gw_now_ms(void)
{
	struct timespec ts;

	if (gw_fake_now_ms)
		return gw_fake_now_ms;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int gw_init(struct gw *gw, const struct gw_config *cfg, struct frame_source *src)
{
	unsigned int i;

	memset(gw, 0, sizeof(*gw));
	gw->cfg = *cfg;
	gw->src = src;
	memcpy(gw->mac, gw_mac_default, 6);
	gw->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (gw->epfd < 0)
		return -errno;
	gw->flows = flow_table_new(cfg->max_flows);
	if (!gw->flows)
		goto nomem;
	for (i = 0; i < OUT_QUEUE_LEN; i++) {
		gw->out_buf[i] = gw->own_buf[i] = malloc(FRAME_BUF_SIZE);
		if (!gw->own_buf[i])
			goto nomem;
	}
	gw->scratch = malloc(FRAME_BUF_SIZE);
	if (!gw->scratch || tcp_init(gw))
		goto nomem;
	return 0;
nomem:
	gw_fini(gw);
	return -ENOMEM;
}

void gw_fini(struct gw *gw)
{
	unsigned int i;

	if (gw->flows)
		flow_table_free(gw);
	port_close(gw);
	frag_fini(gw);
	tcp_fini(gw);
	for (i = 0; i < OUT_QUEUE_LEN; i++) {
		free(gw->own_buf[i]);
		gw->out_buf[i] = gw->own_buf[i] = NULL;
	}
	free(gw->scratch);
	gw->scratch = NULL;
	if (gw->epfd >= 0)
		close(gw->epfd);
	gw->epfd = -1;
}

/*
 * Frames for the sandbox are built in place in one of OUT_QUEUE_LEN
 * buffers and handed to the frame source in a batch: one send() call per
 * batch is what lets the ringnet backend publish many frames with one
 * index update and at most one kick.
 */
uint8_t *gw_out_begin(struct gw *gw)
{
	if (gw->n_out == OUT_QUEUE_LEN)
		gw_flush(gw);
	return gw->out_buf[gw->n_out];
}

void gw_out_commit(struct gw *gw, size_t len)
{
	gw->out[gw->n_out].data = gw->out_buf[gw->n_out];
	gw->out[gw->n_out].len = (uint32_t)len;
	gw->n_out++;
}

void gw_flush(struct gw *gw)
{
	unsigned int sent;

	if (!gw->n_out)
		return;
	sent = gw->src->ops->send(gw->src, gw->out, gw->n_out);
	gw->stats.tx_frames += sent;
	gw->stats.tx_drop_full += gw->n_out - sent;
	gw->n_out = 0;
	gw_out_lend(gw);
}

/*
 * The ringnet channel lends its slots: frames built there (a TCP segment
 * peeked straight from the host socket, say) reach the sandbox's ring
 * without being copied again.  Called with no frames queued.
 */
void gw_out_lend(struct gw *gw)
{
	unsigned int n = 0, i;

	if (gw->src && gw->src->ops->lend)
		n = gw->src->ops->lend(gw->src, gw->out_buf, OUT_QUEUE_LEN, FRAME_BUF_SIZE);
	for (i = n; i < OUT_QUEUE_LEN; i++)
		gw->out_buf[i] = gw->own_buf[i];
}

/*
 * What the stats socket answers: one JSON object with the backend, the
 * flow table's use by protocol, and every counter by name.
 */
void gw_stats_print(struct gw *gw, int fd)
{
	unsigned int by_kind[FLOW_UDP_IN + 1] = { 0 };
	const char *sep = "";
	struct flow *f;
	uint32_t i;

	for (i = 0; gw->flows && i < gw->cfg.max_flows; i++) {
		f = flow_get(gw, i);
		if (f && f->kind <= FLOW_UDP_IN)
			by_kind[f->kind]++;
	}
	dprintf(fd, "{\"backend\":\"%s\",", gw->src ? gw->src->backend : "none");
	dprintf(fd, "\"flows\":{\"active\":%u,\"max\":%u,\"tcp\":%u,\"udp\":%u,"
		"\"dns\":%u,\"ping\":%u,\"udp_in\":%u},",
		gw->flows ? flow_count(gw) : 0, gw->cfg.max_flows, by_kind[FLOW_TCP],
		by_kind[FLOW_UDP], by_kind[FLOW_DNS], by_kind[FLOW_PING], by_kind[FLOW_UDP_IN]);
	tcp_print_states(gw, fd);
	dprintf(fd, ",\"counters\":{");
#define X(name, desc)							\
	do {								\
		dprintf(fd, "%s\"%s\":%llu", sep, #name,		\
			(unsigned long long)gw->stats.name);		\
		sep = ",";						\
	} while (0);
	GW_STATS(X)
#undef X
	dprintf(fd, "}}\n");
}
