// SPDX-License-Identifier: GPL-2.0
/*
 * TCP: what the sandbox sent beyond a gap, held until the gap fills.
 *
 * tcp.c writes in-order data straight to the host socket and keeps no
 * buffers of its own.  Segments behind a loss are the exception: dropping
 * them (as ringnetd once did) turns every lost segment into a go-back-N
 * retransmission of the whole window, which on a lossy path crawls.  So
 * they are held here, reported to the sandbox in SACK blocks, and written
 * to the host socket as soon as the missing bytes arrive.  They are not
 * acknowledged before the host socket took them.
 *
 * The bytes held are bounded twice: per connection by the window we
 * advertised (tcp.c checks the right edge before calling ooo_add()), and
 * across all connections by tcp_ooo_limit, counted in allocated bytes.
 * Once something is held, it stays until written or until the connection
 * ends: data reported in a SACK block is never thrown away (RFC 2018
 * allows that "reneging", but the sender then recovers only by its RTO).
 *
 * Held data is a short sorted array of runs: contiguous byte ranges, never
 * overlapping or touching one another.  Segments after a loss arrive in
 * order, so the common case appends to the last run.
 */
#include <stdlib.h>

#include "gw.h"
#include "tcp_ooo.h"

/* Bytes held across all connections; tests lower it. */
size_t tcp_ooo_limit = 32U << 20;

#define RUN_ALIGN	2048	/* buffer sizes are multiples of this */

struct ooo_run {
	uint32_t seq;		/* first byte held */
	uint32_t len;
	uint32_t off;		/* where seq's byte is in buf */
	uint32_t cap;		/* bytes allocated at buf */
	uint8_t *buf;
};

struct tcp_ooo {
	unsigned int n;
	uint32_t recent;	/* seq of the run the newest segment went to */
	struct ooo_run run[TCP_OOO_RUNS];
};

#define SEQ_LT(a, b)	((int32_t)((a) - (b)) < 0)
#define SEQ_LE(a, b)	((int32_t)((a) - (b)) <= 0)

static uint32_t run_end(const struct ooo_run *r)
{
	return r->seq + r->len;
}

static uint32_t round_cap(uint32_t len)
{
	return (len + RUN_ALIGN - 1) / RUN_ALIGN * RUN_ALIGN;
}

/* Room for need bytes in a run that grows: half as much again, so that
 * appending segment after segment copies each byte a few times at most,
 * or just enough where the slack would pass the limit. */
static uint32_t grow_cap(const struct gw *gw, uint32_t need, uint32_t old)
{
	uint32_t cap = round_cap(need + need / 2);

	if (gw->tcp_ooo_bytes + cap - old > tcp_ooo_limit)
		cap = round_cap(need);
	return cap;
}

static void run_remove(struct gw *gw, struct tcp_ooo *q, unsigned int i)
{
	gw->tcp_ooo_bytes -= q->run[i].cap;
	free(q->run[i].buf);
	q->n--;
	memmove(&q->run[i], &q->run[i + 1], (q->n - i) * sizeof(q->run[0]));
}

bool ooo_add(struct gw *gw, struct tcp_ooo **qp, uint32_t seq, const uint8_t *d,
	     uint32_t len)
{
	struct tcp_ooo *q = *qp;
	uint32_t end = seq + len, start, stop, need, cap;
	unsigned int first, last, i;
	struct ooo_run *r;
	uint8_t *buf;

	if (!len)
		return true;
	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return false;
		*qp = q;
	}
	/* The runs that overlap or touch [seq, end): first .. last - 1. */
	for (first = 0; first < q->n && SEQ_LT(run_end(&q->run[first]), seq); first++)
		;
	for (last = first; last < q->n && SEQ_LE(q->run[last].seq, end); last++)
		;
	if (first == last) {
		/* A run of its own. */
		cap = round_cap(len);
		if (q->n == TCP_OOO_RUNS || gw->tcp_ooo_bytes + cap > tcp_ooo_limit)
			goto refuse;
		buf = malloc(cap);
		if (!buf)
			goto refuse;
		memcpy(buf, d, len);
		memmove(&q->run[first + 1], &q->run[first], (q->n - first) * sizeof(q->run[0]));
		q->run[first] = (struct ooo_run){ .seq = seq, .len = len, .cap = cap, .buf = buf };
		q->n++;
		gw->tcp_ooo_bytes += cap;
		q->recent = seq;
		return true;
	}
	r = &q->run[first];
	start = SEQ_LT(seq, r->seq) ? seq : r->seq;
	stop = SEQ_LT(end, run_end(&q->run[last - 1])) ? run_end(&q->run[last - 1]) : end;
	need = stop - start;
	if (start == r->seq && need == r->len) {
		/* All of it held already: a retransmission. */
		q->recent = r->seq;
		return true;
	}
	/* Merge into the first run's buffer: the new segment, then what
	 * was held (the same bytes, from a sender that behaves). */
	if (need > r->cap - r->off || start != r->seq) {
		cap = grow_cap(gw, need, r->cap);
		if (gw->tcp_ooo_bytes + cap - r->cap > tcp_ooo_limit)
			goto refuse;
		buf = malloc(cap);
		if (!buf)
			goto refuse;
		memcpy(buf + (r->seq - start), r->buf + r->off, r->len);
		gw->tcp_ooo_bytes += cap - r->cap;
		free(r->buf);
		r->buf = buf;
		r->cap = cap;
		r->off = 0;
	}
	memcpy(r->buf + r->off + (seq - start), d, len);
	for (i = first + 1; i < last; i++)
		memcpy(r->buf + r->off + (q->run[i].seq - start),
		       q->run[i].buf + q->run[i].off, q->run[i].len);
	r->seq = start;
	r->len = need;
	q->recent = start;
	while (last > first + 1)
		run_remove(gw, q, --last);
	return true;
refuse:
	if (!q->n)
		ooo_free(gw, qp);
	return false;
}

const uint8_t *ooo_next(const struct tcp_ooo *q, uint32_t rcv_nxt, uint32_t *len)
{
	const struct ooo_run *r;

	if (!q || !q->n)
		return NULL;
	r = &q->run[0];
	if (SEQ_LT(rcv_nxt, r->seq) || !SEQ_LT(rcv_nxt, run_end(r)))
		return NULL;
	*len = run_end(r) - rcv_nxt;
	return r->buf + r->off + (rcv_nxt - r->seq);
}

void ooo_written(struct gw *gw, struct tcp_ooo **qp, uint32_t rcv_nxt)
{
	struct tcp_ooo *q = *qp;
	struct ooo_run *r;
	uint32_t k;

	while (q && q->n) {
		r = &q->run[0];
		if (SEQ_LE(rcv_nxt, r->seq))
			return;
		if (SEQ_LT(rcv_nxt, run_end(r))) {
			k = rcv_nxt - r->seq;
			r->seq += k;
			r->off += k;
			r->len -= k;
			return;
		}
		run_remove(gw, q, 0);
	}
	if (q)
		ooo_free(gw, qp);
}

unsigned int ooo_sack(const struct tcp_ooo *q, uint32_t blocks[][2], unsigned int max)
{
	unsigned int i, n = 0, recent = 0;

	if (!q)
		return 0;
	/* The run holding the newest segment first (RFC 2018 4), then the
	 * others from the lowest up. */
	for (i = 0; i < q->n; i++)
		if (q->run[i].seq == q->recent)
			recent = i;
	for (i = 0; i < q->n && n < max; i++) {
		unsigned int k = i == 0 ? recent : (i <= recent ? i - 1 : i);

		blocks[n][0] = q->run[k].seq;
		blocks[n][1] = run_end(&q->run[k]);
		n++;
	}
	return n;
}

uint32_t ooo_held(const struct tcp_ooo *q)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; q && i < q->n; i++)
		sum += q->run[i].len;
	return sum;
}

void ooo_free(struct gw *gw, struct tcp_ooo **qp)
{
	struct tcp_ooo *q = *qp;

	if (!q)
		return;
	while (q->n)
		run_remove(gw, q, q->n - 1);
	free(q);
	*qp = NULL;
}
