// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libringnet's index arithmetic, without a kernel: a fake channel whose
 * "kernel side" this test plays by hand.  Wrap-around of the free-running
 * indices, batching, need-wakeup kicks, and what peek does with a
 * descriptor that points outside the buffers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libringnet.h"

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		failures++;						\
	}								\
} while (0)

#define ENTRIES	8
#define SLOT	256

struct fake {
	uint32_t idx[2][3];		/* producer, consumer, flags per ring */
	struct ringnet_desc desc[2][ENTRIES];
	uint8_t buf[2][ENTRIES * SLOT];
};

static void fake_chan(struct ringnet_chan *ch, struct fake *f, uint32_t start)
{
	struct ringnet_uring *r[2] = { &ch->rx, &ch->tx };
	int i;

	memset(ch, 0, sizeof(*ch));
	memset(f, 0, sizeof(*f));
	ch->fd = -1;			/* kicks fail with EBADF; we count them */
	ch->setup.slot_size = SLOT;
	for (i = 0; i < 2; i++) {
		r[i]->producer = &f->idx[i][0];
		r[i]->consumer = &f->idx[i][1];
		r[i]->flags = &f->idx[i][2];
		r[i]->desc = f->desc[i];
		r[i]->buffers = f->buf[i];
		r[i]->buffers_len = sizeof(f->buf[i]);
		r[i]->entries = ENTRIES;
		r[i]->mask = ENTRIES - 1;
		/* start near the top, so the indices wrap during the test */
		r[i]->head = r[i]->cached = start;
		f->idx[i][0] = f->idx[i][1] = start;
	}
}

/* The kernel side of the rx ring: produce n frames of known content. */
static void kernel_produce(struct fake *f, uint32_t n, uint8_t tag)
{
	uint32_t prod = f->idx[0][0], i;

	for (i = 0; i < n; i++, prod++) {
		uint32_t slot = prod & (ENTRIES - 1);

		f->desc[0][slot].addr = slot * SLOT;
		f->desc[0][slot].len = 20;
		memset(&f->buf[0][slot * SLOT], tag + i, 20);
	}
	f->idx[0][0] = prod;
}

static void test_rx_wraps(void)
{
	struct ringnet_frame fr[ENTRIES];
	struct ringnet_chan ch;
	struct fake f;
	uint32_t round;
	unsigned int n, i;

	fake_chan(&ch, &f, 0xfffffff0u);
	for (round = 0; round < 10; round++) {
		kernel_produce(&f, 5, round * 10);
		n = ringnet_rx_peek(&ch, fr, ENTRIES);
		CHECK(n == 5);
		for (i = 0; i < n; i++)
			CHECK(((uint8_t *)fr[i].data)[0] == (uint8_t)(round * 10 + i));
		/* peek does not consume */
		CHECK(ringnet_rx_peek(&ch, fr, ENTRIES) == 5);
		ringnet_rx_release(&ch, 3);
		CHECK(f.idx[0][1] == ch.rx.head);
		ringnet_rx_release(&ch, 2);
	}
	CHECK(ch.rx.head == 0xfffffff0u + 50);
	CHECK(ch.kicks == 0);
}

static void test_rx_kicks_only_when_asked(void)
{
	struct ringnet_frame fr[ENTRIES];
	struct ringnet_chan ch;
	struct fake f;

	fake_chan(&ch, &f, 0);
	kernel_produce(&f, ENTRIES, 0);
	f.idx[0][2] = RINGNET_RING_F_NEED_WAKEUP;	/* the queue stopped */
	CHECK(ringnet_rx_peek(&ch, fr, ENTRIES) == ENTRIES);
	ringnet_rx_release(&ch, ENTRIES);
	CHECK(ch.kicks == 1);
	f.idx[0][2] = 0;
	kernel_produce(&f, 2, 0);
	ringnet_rx_release(&ch, ringnet_rx_peek(&ch, fr, ENTRIES));
	CHECK(ch.kicks == 1);
	ringnet_rx_release(&ch, 0);	/* nothing released: no kick either */
	CHECK(ch.kicks == 1);
}

static void test_rx_bad_descriptor(void)
{
	struct ringnet_frame fr[ENTRIES];
	struct ringnet_chan ch;
	struct fake f;

	fake_chan(&ch, &f, 0);
	kernel_produce(&f, 2, 0);
	f.desc[0][1].addr = sizeof(f.buf[0]) - 4;	/* runs past the end */
	CHECK(ringnet_rx_peek(&ch, fr, ENTRIES) == 2);
	CHECK(fr[0].len == 20);
	CHECK(fr[1].len == 0);
	CHECK(fr[1].data == f.buf[0]);

	/* a producer index that cannot be yields nothing */
	f.idx[0][0] = ch.rx.head + ENTRIES + 1;
	ch.rx.cached = ch.rx.head;
	CHECK(ringnet_rx_peek(&ch, fr, ENTRIES) == 0);
}

static void test_tx_reserve_submit(void)
{
	struct ringnet_frame fr[ENTRIES + 4];
	struct ringnet_chan ch;
	struct fake f;
	unsigned int n, i;

	fake_chan(&ch, &f, 0xfffffffcu);
	f.idx[1][2] = RINGNET_RING_F_NEED_WAKEUP;	/* NAPI is idle */

	n = ringnet_tx_reserve(&ch, fr, ENTRIES + 4);
	CHECK(n == ENTRIES);
	for (i = 0; i < n; i++) {
		CHECK(fr[i].len == SLOT);
		CHECK((uint8_t *)fr[i].data >= f.buf[1]);
		CHECK((uint8_t *)fr[i].data + SLOT <= f.buf[1] + sizeof(f.buf[1]));
		fr[i].len = 60 + i;
	}
	ringnet_tx_submit(&ch, fr, 6);
	CHECK(f.idx[1][0] == 0xfffffffcu + 6);
	CHECK(ch.kicks == 1);
	for (i = 0; i < 6; i++) {
		const struct ringnet_desc *d = &f.desc[1][(0xfffffffcu + i) & (ENTRIES - 1)];

		CHECK(d->len == 60 + i);
		CHECK(f.buf[1] + d->addr == fr[i].data);
		CHECK(d->flags == 0);
	}
	/* full until the kernel consumes */
	CHECK(ringnet_tx_reserve(&ch, fr, ENTRIES) == ENTRIES - 6);
	f.idx[1][1] += 4;
	CHECK(ringnet_tx_reserve(&ch, fr, ENTRIES) == ENTRIES - 2);

	/* NAPI running: no kick */
	f.idx[1][2] = 0;
	fr[0].len = 60;
	ringnet_tx_submit(&ch, fr, 1);
	CHECK(ch.kicks == 1);
}

int main(void)
{
	test_rx_wraps();
	test_rx_kicks_only_when_asked();
	test_rx_bad_descriptor();
	test_tx_reserve_submit();
	if (failures) {
		fprintf(stderr, "test-ring: %d failed\n", failures);
		return 1;
	}
	printf("test-ring: all passed\n");
	return 0;
}
