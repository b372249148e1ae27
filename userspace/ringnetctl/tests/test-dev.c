// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of ringnetctl's reply parsing and printing, without the
 * module: builds the messages the kernel would send (DEV_GET reply,
 * ERROR_NTF) and checks the text and JSON that come out.
 *
 * With an argument ("text", "json" or "event"), prints that output for
 * the full device instead, for eyeballing or piping into jq.
 */
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "../dev.h"
#include "../json.h"
#include "ringnet_bytes.h"
#include "ringnet_offloads.h"

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		failures++;						\
	}								\
} while (0)

/* u64 attributes as the kernel puts them: aligned, after a PAD. */
static void put_u64(struct nl_msg *msg, int attr, int pad, uint64_t v)
{
	if ((nlmsg_hdr(msg)->nlmsg_len + 4) % 8)
		nla_put(msg, pad, 0, NULL);
	nla_put_u64(msg, attr, v);
}

static struct nl_msg *fake_reply(uint8_t cmd, bool attached, bool error)
{
	static const uint8_t addr[6] = { 0x02, 0xab, 0xcd, 0xef, 0x00, 0x01 };
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *nest;

	genlmsg_put(msg, 0, 0, 0x20, 0, 0, cmd, RINGNET_GENL_VERSION);
	nla_put_u32(msg, RINGNET_A_DEV_IFINDEX, 7);
	nla_put_string(msg, RINGNET_A_DEV_IFNAME, "rn0");
	nla_put(msg, RINGNET_A_DEV_ADDRESS, 6, addr);
	nla_put_u32(msg, RINGNET_A_DEV_MTU, 9000);
	nla_put_u8(msg, RINGNET_A_DEV_ATTACHED, attached);
	put_u64(msg, RINGNET_A_DEV_MEM_LIMIT, RINGNET_A_DEV_PAD, 64ULL << 20);
	put_u64(msg, RINGNET_A_DEV_OFFLOADS, RINGNET_A_DEV_PAD,
		RINGNET_F_CSUM | RINGNET_F_TSO4 | RINGNET_F_TSO6 | (1ULL << 40));
	put_u64(msg, RINGNET_A_DEV_OFFLOADS_ACTIVE, RINGNET_A_DEV_PAD,
		attached ? RINGNET_F_CSUM : 0);

	if (attached) {
		nest = nla_nest_start(msg, RINGNET_A_DEV_CHANNEL | NLA_F_NESTED);
		nla_put_u32(msg, RINGNET_A_CHANNEL_OWNER_PID, 4242);
		nla_put_u32(msg, RINGNET_A_CHANNEL_RX_ENTRIES, 256);
		nla_put_u32(msg, RINGNET_A_CHANNEL_TX_ENTRIES, 512);
		nla_put_u32(msg, RINGNET_A_CHANNEL_SLOT_SIZE, 2048);
		put_u64(msg, RINGNET_A_CHANNEL_MEM_BYTES, RINGNET_A_CHANNEL_PAD,
			1572864 + 4096);
		nla_nest_end(msg, nest);
	}

	nest = nla_nest_start(msg, RINGNET_A_DEV_STATS | NLA_F_NESTED);
	for (int a = RINGNET_A_STATS_RX_PACKETS; a <= RINGNET_A_STATS_MAX; a++) {
		uint64_t v = 0;

		if (a == RINGNET_A_STATS_RX_PACKETS)
			v = 10;
		else if (a == RINGNET_A_STATS_RX_BYTES)
			v = 15000;
		else if (a == RINGNET_A_STATS_TX_DROP_TOO_BIG)
			v = 3;
		else if (a == RINGNET_A_STATS_RX_DROP_BAD_HDR)
			v = 1;
		else if (a == RINGNET_A_STATS_KICKS)
			v = 1ULL << 40;
		put_u64(msg, a, RINGNET_A_STATS_PAD, v);
	}
	/* A counter from a newer module: ignored. */
	put_u64(msg, RINGNET_A_STATS_MAX + 1, RINGNET_A_STATS_PAD, 99);
	nla_nest_end(msg, nest);

	if (error) {
		nla_put_u32(msg, RINGNET_A_DEV_ERRNO, 71);
		nla_put_string(msg, RINGNET_A_DEV_ERROR_MSG,
			       "tx descriptor \"5\" out of\tbounds");
	}
	/* An attribute from a newer module: ignored. */
	nla_put_u32(msg, RINGNET_A_DEV_MAX + 1, 1);
	return msg;
}

static char *capture(void (*print)(FILE *, const struct rn_dev *),
		     const struct rn_dev *dev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	print(f, dev);
	fclose(f);
	return buf;
}

static void print_json(FILE *f, const struct rn_dev *dev)
{
	struct json j;

	json_init(&j, f, false);
	json_object_begin(&j, NULL);
	rn_dev_print_json_fields(&j, dev);
	json_object_end(&j);
	json_finish(&j);
}

static void print_json_pretty(FILE *f, const struct rn_dev *dev)
{
	struct json j;

	json_init(&j, f, true);
	json_array_begin(&j, NULL);
	json_object_begin(&j, NULL);
	rn_dev_print_json_fields(&j, dev);
	json_object_end(&j);
	json_array_end(&j);
	json_finish(&j);
}

static void expect_output(const char *what, char *got, const char *want)
{
	if (strcmp(got, want)) {
		fprintf(stderr, "%s differs.\n--- want:\n%s--- got:\n%s---\n",
			what, want, got);
		failures++;
	}
	free(got);
}

static void test_attached(void)
{
	struct nl_msg *msg = fake_reply(RINGNET_CMD_DEV_GET, true, false);
	struct rn_dev dev;

	CHECK(rn_dev_parse(&dev, nlmsg_hdr(msg)) == 0);
	CHECK(dev.ifindex == 7 && !strcmp(dev.ifname, "rn0"));
	CHECK(dev.mem_limit == 64ULL << 20);
	CHECK(dev.attached && rn_dev_has(&dev, RINGNET_A_DEV_CHANNEL));
	CHECK(dev.channel.tx_entries == 512);

	expect_output("text", capture(rn_dev_print_text, &dev),
		"device: rn0\n"
		"  ifindex: 7\n"
		"  address: 02:ab:cd:ef:00:01\n"
		"  mtu: 9000\n"
		"  state: attached\n"
		"  mem limit: 64 MiB (67108864 bytes)\n"
		"  offloads: csum tso4 tso6 bit40\n"
		"  offloads active: csum\n"
		"  channel: owner pid 4242, rx ring 256 entries, tx ring 512 entries, slot 2048 bytes\n"
		"  channel memory: 1.50 MiB (1576960 bytes)\n"
		"  rx: 10 packets, 14.65 KiB (15000 bytes)\n"
		"  tx: 0 packets, 0 bytes\n"
		"  rx drops: bad vnet header 1\n"
		"  tx drops: too big 3\n"
		"  ring errors: 0\n"
		"  kicks: 1099511627776\n"
		"  tx queue stops: 0\n");

	expect_output("json", capture(print_json, &dev),
		"{\"ifindex\":7,\"ifname\":\"rn0\",\"address\":\"02:ab:cd:ef:00:01\","
		"\"mtu\":9000,\"attached\":true,\"mem_limit\":67108864,"
		"\"offloads\":[\"csum\",\"tso4\",\"tso6\",\"bit40\"],"
		"\"offloads_active\":[\"csum\"],"
		"\"channel\":{\"owner_pid\":4242,\"rx_entries\":256,"
		"\"tx_entries\":512,\"slot_size\":2048,\"mem_bytes\":1576960},"
		"\"stats\":{\"rx_packets\":10,\"rx_bytes\":15000,\"tx_packets\":0,"
		"\"tx_bytes\":0,\"tx_drop_no_channel\":0,\"tx_drop_bad_offload\":0,"
		"\"tx_drop_too_big\":3,\"rx_drop_bad_desc\":0,\"rx_drop_bad_hdr\":1,"
		"\"rx_drop_no_mem\":0,\"ring_errors\":0,\"kicks\":1099511627776,"
		"\"tx_queue_stops\":0}}\n");
	nlmsg_free(msg);
}

static void test_error_event(void)
{
	struct nl_msg *msg = fake_reply(RINGNET_CMD_DEV_ERROR_NTF, false, true);
	struct rn_dev dev;

	CHECK(rn_dev_parse(&dev, nlmsg_hdr(msg)) == 0);
	CHECK(!rn_dev_has(&dev, RINGNET_A_DEV_CHANNEL));
	CHECK(dev.error_errno == 71);

	expect_output("event", capture(rn_dev_print_event_text, &dev),
		"rn0 ifindex 7 address 02:ab:cd:ef:00:01 mtu 9000 detached"
		" mem-limit 67108864 offloads csum,tso4,tso6,bit40"
		" offloads-active none errno 71 (Protocol error):"
		" tx descriptor \"5\" out of\tbounds");
	nlmsg_free(msg);
}

/* A device the kernel described only in part: nulls, not zeros. */
static void test_sparse(void)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct rn_dev dev;

	genlmsg_put(msg, 0, 0, 0x20, 0, 0, RINGNET_CMD_DEV_DELETED_NTF, 1);
	nla_put_u32(msg, RINGNET_A_DEV_IFINDEX, 9);
	nla_put_string(msg, RINGNET_A_DEV_IFNAME, "a\"b\\\x01\xff\xc3\xa9");

	CHECK(rn_dev_parse(&dev, nlmsg_hdr(msg)) == 0);
	expect_output("sparse json", capture(print_json, &dev),
		"{\"ifindex\":9,\"ifname\":\"a\\\"b\\\\\\u0001\\ufffd\xc3\xa9\","
		"\"address\":null,\"mtu\":null,\"attached\":null,"
		"\"mem_limit\":null,\"offloads\":null,\"offloads_active\":null,"
		"\"channel\":null,\"stats\":null}\n");
	expect_output("sparse text", capture(rn_dev_print_text, &dev),
		"device: a\"b\\\x01\xff\xc3\xa9\n"
		"  ifindex: 9\n");
	nlmsg_free(msg);
}

/* Malformed replies are refused, not half-read. */
static void test_malformed(void)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct rn_dev dev;

	genlmsg_put(msg, 0, 0, 0x20, 0, 0, RINGNET_CMD_DEV_GET, 1);
	nla_put_u8(msg, RINGNET_A_DEV_MEM_LIMIT, 1);	/* u64 expected */
	CHECK(rn_dev_parse(&dev, nlmsg_hdr(msg)) < 0);
	nlmsg_free(msg);

	msg = nlmsg_alloc();
	genlmsg_put(msg, 0, 0, 0x20, 0, 0, RINGNET_CMD_DEV_GET, 1);
	nla_put(msg, RINGNET_A_DEV_ADDRESS, 4, "abcd");	/* 6 bytes expected */
	CHECK(rn_dev_parse(&dev, nlmsg_hdr(msg)) < 0);
	nlmsg_free(msg);
}

static void test_offloads(void)
{
	const char *bad;
	size_t bad_len;
	uint64_t mask;

	CHECK(ringnet_offloads_parse("none", &mask, &bad, &bad_len) == 0 && !mask);
	CHECK(ringnet_offloads_parse("all", &mask, &bad, &bad_len) == 0 &&
	      mask == RINGNET_F_ALL);
	CHECK(ringnet_offloads_parse("tso-ecn,csum", &mask, &bad, &bad_len) == 0 &&
	      mask == (RINGNET_F_TSO_ECN | RINGNET_F_CSUM));
	CHECK(ringnet_offloads_parse("uso", &mask, &bad, &bad_len) == 0 &&
	      mask == RINGNET_F_USO);
	CHECK(ringnet_offloads_parse("csum,tso", &mask, &bad, &bad_len) < 0 &&
	      bad_len == 3 && !strncmp(bad, "tso", 3));
	CHECK(ringnet_offloads_parse("csum,,uso", &mask, &bad, &bad_len) < 0 &&
	      bad_len == 0);
	CHECK(ringnet_offloads_parse("none,csum", &mask, &bad, &bad_len) < 0);
	CHECK(ringnet_offloads_parse("csum,", &mask, &bad, &bad_len) < 0 && bad_len == 0);
	CHECK(ringnet_offloads_parse(",", &mask, &bad, &bad_len) < 0 && bad_len == 0);
	CHECK(ringnet_offloads_parse("", &mask, &bad, &bad_len) < 0 && bad_len == 0);
}

static void test_bytes(void)
{
	uint64_t v;

	CHECK(ringnet_bytes_parse("0", &v) == 0 && v == 0);
	CHECK(ringnet_bytes_parse("8M", &v) == 0 && v == 8ULL << 20);
	CHECK(ringnet_bytes_parse("16g", &v) == 0 && v == 16ULL << 30);
	CHECK(ringnet_bytes_parse("1536k", &v) == 0 && v == 1536ULL << 10);
	CHECK(ringnet_bytes_parse("18446744073709551615", &v) == 0 && v == UINT64_MAX);
	CHECK(ringnet_bytes_parse("18446744073709551616", &v) == -ERANGE);
	CHECK(ringnet_bytes_parse("17179869184G", &v) == -ERANGE);	/* 2^64 */
	CHECK(ringnet_bytes_parse("17179869183G", &v) == 0 && v == UINT64_MAX - (1ULL << 30) + 1);
	/* What strtoull() alone would take. */
	CHECK(ringnet_bytes_parse("-1", &v) == -EINVAL);
	CHECK(ringnet_bytes_parse(" 8M", &v) == -EINVAL);
	CHECK(ringnet_bytes_parse("+8", &v) == -EINVAL);
	CHECK(ringnet_bytes_parse("0x10", &v) == -EINVAL);
	CHECK(ringnet_bytes_parse("8MB", &v) == -EINVAL);
	CHECK(ringnet_bytes_parse("8 M", &v) == -EINVAL);
	CHECK(ringnet_bytes_parse("M", &v) == -EINVAL);
	CHECK(ringnet_bytes_parse("", &v) == -EINVAL);
}

static void test_sizes(void)
{
	char buf[32];

	rn_format_size(buf, sizeof(buf), 0);
	CHECK(!strcmp(buf, "0 bytes"));
	rn_format_size(buf, sizeof(buf), 1023);
	CHECK(!strcmp(buf, "1023 bytes"));
	rn_format_size(buf, sizeof(buf), 1024);
	CHECK(!strcmp(buf, "1 KiB"));
	rn_format_size(buf, sizeof(buf), 3ULL << 30);
	CHECK(!strcmp(buf, "3 GiB"));
	rn_format_size(buf, sizeof(buf), UINT64_MAX);
	CHECK(!strcmp(buf, "16.00 EiB"));
}

int main(int argc, char **argv)
{
	struct nl_msg *msg;
	struct rn_dev dev;

	if (argc > 1) {
		msg = fake_reply(RINGNET_CMD_DEV_GET, true, !strcmp(argv[1], "event"));
		if (rn_dev_parse(&dev, nlmsg_hdr(msg)) < 0)
			return 1;
		if (!strcmp(argv[1], "json"))
			print_json_pretty(stdout, &dev);
		else if (!strcmp(argv[1], "event"))
			rn_dev_print_event_text(stdout, &dev), putchar('\n');
		else
			rn_dev_print_text(stdout, &dev);
		nlmsg_free(msg);
		return 0;
	}

	test_attached();
	test_error_event();
	test_sparse();
	test_malformed();
	test_offloads();
	test_sizes();
	test_bytes();

	if (failures) {
		fprintf(stderr, "test-dev: %d failure(s)\n", failures);
		return 1;
	}
	printf("test-dev: all passed\n");
	return 0;
}
