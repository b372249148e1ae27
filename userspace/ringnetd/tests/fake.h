/* SPDX-License-Identifier: GPL-2.0 */
/* The unit tests' fake frame source and frame builders (fake.c). */
#ifndef RINGNETD_TESTS_FAKE_H
#define RINGNETD_TESTS_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../gw.h"
#include "../flow.h"

extern int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s: FAIL: %s\n", __FILE__,	\
			__LINE__, __func__, #cond);			\
		failures++;						\
	}								\
} while (0)

/* Frames the gateway sent, in order. */
#define MAX_SENT 64
extern uint8_t sent[MAX_SENT][FRAME_BUF_SIZE];
extern size_t sent_len[MAX_SENT];
extern unsigned int n_sent;
extern unsigned int send_room;	/* frames the fake takes before it is "full" */
/* The fake lends sent[] entries to build frames in, as a ring lends its
 * slots; fake_lent_used counts frames that arrived built in place. */
extern bool fake_lends;
extern unsigned int fake_lent_used;

extern struct frame_source fake;
extern struct gw gw;
extern const uint8_t sb_mac[6];

#define A(a, b, c, d) htonl((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define SB A(10, 0, 2, 100)
#define GW A(10, 0, 2, 2)
#define DNS A(10, 0, 2, 3)

/* A fresh gateway on the fake source. */
void reset(unsigned int max_flows, unsigned int offloads);
/* Feed one frame (vnet header first) and flush the replies. */
void input(const uint8_t *f, size_t len);
/*
 * Feed n frames as main.c handles a batch: each in a buffer of its own,
 * released only after gw_input_done(), so ASan sees any use of them after
 * that; then flush the replies.
 */
#define MAX_BATCH 80
void input_batch(const uint8_t *const *frames, const size_t *lens, unsigned int n);
/* The end of a test program: its verdict printed, its exit status. */
int tests_done(const char *name);
/* vnet header, Ethernet to the gateway, IPv4 with a valid checksum. */
size_t build_ip4(uint8_t *buf, uint8_t proto, uint32_t src, uint32_t dst,
		 const uint8_t *l4, size_t l4_len);
void fix_ip_csum(uint8_t *buf);

/*
 * The event loop's socket part, once, waiting up to ms: flow sockets and
 * published ports, dispatched as main() does.  Returns the events seen.
 */
int poll_events(int ms);
/* A socket of type on 127.0.0.1, bound to a free port (in *port); a
 * stream socket also listens.  Exits if that fails. */
int loopback_socket(int type, uint16_t *port);
/* A failing test ends instead of waiting for ever in recv(): 2 s at most.
 * Returns fd. */
int recv_timeout(int fd);

#endif
