/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcp_ooo.c: data the sandbox sent beyond a gap, held until the gap fills
 * and reported in SACK blocks meanwhile.
 */
#ifndef RINGNETD_TCP_OOO_H
#define RINGNETD_TCP_OOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw;
struct tcp_ooo;

/* Separate runs of held bytes per connection: holes, give or take one. */
#define TCP_OOO_RUNS	16

/* Bytes held across all connections at most (default 32 MiB). */
extern size_t tcp_ooo_limit;

/*
 * Hold len bytes that start at seq, beyond the next byte expected; the
 * caller checked that they lie within the window it advertised.  False
 * when they can't be held (too many runs, the global limit, no memory):
 * the sandbox sends them again.  *q is allocated on first use.
 */
bool ooo_add(struct gw *gw, struct tcp_ooo **q, uint32_t seq, const uint8_t *d,
	     uint32_t len);
/* The held bytes that continue the stream at rcv_nxt (*len of them), or
 * NULL while the gap before them is still open. */
const uint8_t *ooo_next(const struct tcp_ooo *q, uint32_t rcv_nxt, uint32_t *len);
/* Everything before rcv_nxt has reached the host socket: let it go. */
void ooo_written(struct gw *gw, struct tcp_ooo **q, uint32_t rcv_nxt);
/* Up to max SACK blocks [start, end), the newest segment's run first. */
unsigned int ooo_sack(const struct tcp_ooo *q, uint32_t blocks[][2], unsigned int max);
/* Bytes held (not counting allocation slack). */
uint32_t ooo_held(const struct tcp_ooo *q);
void ooo_free(struct gw *gw, struct tcp_ooo **q);

#endif
