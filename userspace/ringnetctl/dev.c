// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and printing of ringnet devices.
 *
 * Attributes the kernel did not send are left out of the text output and
 * are null in JSON, so an older or newer module never shows a made-up 0.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "dev.h"
#include "ringnet_offloads.h"

_Static_assert(RINGNET_A_DEV_MAX < 64, "rn_dev.present is 64 bits");
_Static_assert(RINGNET_A_CHANNEL_MAX < 32, "rn_channel.present is 32 bits");
_Static_assert(RINGNET_A_STATS_MAX < 32, "rn_dev.stats_present is 32 bits");
_Static_assert(__RINGNET_F_NBITS <= 64, "offload masks are u64");

/* Counters in the order they are shown; key is the JSON key. */
enum rn_stat_kind { RN_STAT_COUNTER, RN_STAT_TX_DROP, RN_STAT_RX_DROP };

static const struct rn_stat_desc {
	int attr;
	const char *key;
	enum rn_stat_kind kind;
	const char *label;	/* drop reason, for the text output */
} rn_stat_descs[] = {
#define RN_STAT(attr, key, kind, label) \
	{ RINGNET_A_STATS_##attr, key, RN_STAT_##kind, label }
	RN_STAT(RX_PACKETS,		"rx_packets",		COUNTER, NULL),
	RN_STAT(RX_BYTES,		"rx_bytes",		COUNTER, NULL),
	RN_STAT(TX_PACKETS,		"tx_packets",		COUNTER, NULL),
	RN_STAT(TX_BYTES,		"tx_bytes",		COUNTER, NULL),
	RN_STAT(TX_DROP_NO_CHANNEL,	"tx_drop_no_channel",	TX_DROP, "no channel"),
	RN_STAT(TX_DROP_BAD_OFFLOAD,	"tx_drop_bad_offload",	TX_DROP, "bad offload"),
	RN_STAT(TX_DROP_TOO_BIG,	"tx_drop_too_big",	TX_DROP, "too big"),
	RN_STAT(RX_DROP_BAD_DESC,	"rx_drop_bad_desc",	RX_DROP, "bad descriptor"),
	RN_STAT(RX_DROP_BAD_HDR,	"rx_drop_bad_hdr",	RX_DROP, "bad vnet header"),
	RN_STAT(RX_DROP_NO_MEM,		"rx_drop_no_mem",	RX_DROP, "no memory"),
	RN_STAT(RING_ERRORS,		"ring_errors",		COUNTER, NULL),
	RN_STAT(KICKS,			"kicks",		COUNTER, NULL),
	RN_STAT(TX_QUEUE_STOPS,		"tx_queue_stops",	COUNTER, NULL),
#undef RN_STAT
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct nla_policy rn_dev_policy[RINGNET_A_DEV_MAX + 1] = {
	[RINGNET_A_DEV_IFINDEX]		= { .type = NLA_U32 },
	[RINGNET_A_DEV_IFNAME]		= { .type = NLA_STRING, .maxlen = IFNAMSIZ },
	[RINGNET_A_DEV_ADDRESS]		= { .type = NLA_UNSPEC, .minlen = RN_ETH_ALEN },
	[RINGNET_A_DEV_MTU]		= { .type = NLA_U32 },
	[RINGNET_A_DEV_ATTACHED]	= { .type = NLA_U8 },
	[RINGNET_A_DEV_MEM_LIMIT]	= { .type = NLA_U64 },
	[RINGNET_A_DEV_OFFLOADS]	= { .type = NLA_U64 },
	[RINGNET_A_DEV_OFFLOADS_ACTIVE]	= { .type = NLA_U64 },
	[RINGNET_A_DEV_CHANNEL]		= { .type = NLA_NESTED },
	[RINGNET_A_DEV_STATS]		= { .type = NLA_NESTED },
	[RINGNET_A_DEV_ERRNO]		= { .type = NLA_U32 },
	[RINGNET_A_DEV_ERROR_MSG]	= { .type = NLA_STRING },
};

static const struct nla_policy rn_channel_policy[RINGNET_A_CHANNEL_MAX + 1] = {
	[RINGNET_A_CHANNEL_OWNER_PID]	= { .type = NLA_U32 },
	[RINGNET_A_CHANNEL_RX_ENTRIES]	= { .type = NLA_U32 },
	[RINGNET_A_CHANNEL_TX_ENTRIES]	= { .type = NLA_U32 },
	[RINGNET_A_CHANNEL_SLOT_SIZE]	= { .type = NLA_U32 },
	[RINGNET_A_CHANNEL_MEM_BYTES]	= { .type = NLA_U64 },
};

static const struct nla_policy rn_stats_policy[RINGNET_A_STATS_MAX + 1] = {
	[RINGNET_A_STATS_RX_PACKETS ... RINGNET_A_STATS_MAX] = { .type = NLA_U64 },
};

static int rn_channel_parse(struct rn_channel *ch, struct nlattr *nest)
{
	struct nlattr *tb[RINGNET_A_CHANNEL_MAX + 1];
	int err;

	err = nla_parse_nested(tb, RINGNET_A_CHANNEL_MAX, nest,
			       rn_channel_policy);
	if (err < 0)
		return err;

	for (int i = 0; i <= RINGNET_A_CHANNEL_MAX; i++)
		if (tb[i])
			ch->present |= 1U << i;

	if (tb[RINGNET_A_CHANNEL_OWNER_PID])
		ch->owner_pid = nla_get_u32(tb[RINGNET_A_CHANNEL_OWNER_PID]);
	if (tb[RINGNET_A_CHANNEL_RX_ENTRIES])
		ch->rx_entries = nla_get_u32(tb[RINGNET_A_CHANNEL_RX_ENTRIES]);
	if (tb[RINGNET_A_CHANNEL_TX_ENTRIES])
		ch->tx_entries = nla_get_u32(tb[RINGNET_A_CHANNEL_TX_ENTRIES]);
	if (tb[RINGNET_A_CHANNEL_SLOT_SIZE])
		ch->slot_size = nla_get_u32(tb[RINGNET_A_CHANNEL_SLOT_SIZE]);
	if (tb[RINGNET_A_CHANNEL_MEM_BYTES])
		ch->mem_bytes = nla_get_u64(tb[RINGNET_A_CHANNEL_MEM_BYTES]);
	return 0;
}

static int rn_stats_parse(struct rn_dev *dev, struct nlattr *nest)
{
	struct nlattr *tb[RINGNET_A_STATS_MAX + 1];
	int err;

	err = nla_parse_nested(tb, RINGNET_A_STATS_MAX, nest, rn_stats_policy);
	if (err < 0)
		return err;

	for (size_t i = 0; i < ARRAY_SIZE(rn_stat_descs); i++) {
		int attr = rn_stat_descs[i].attr;

		if (!tb[attr])
			continue;
		dev->stats_present |= 1U << attr;
		dev->stats[attr] = nla_get_u64(tb[attr]);
	}
	return 0;
}

int rn_dev_parse(struct rn_dev *dev, struct nlmsghdr *hdr)
{
	struct nlattr *tb[RINGNET_A_DEV_MAX + 1];
	int err;

	memset(dev, 0, sizeof(*dev));
	err = genlmsg_parse(hdr, 0, tb, RINGNET_A_DEV_MAX, rn_dev_policy);
	if (err < 0)
		return err;

	for (int i = 0; i <= RINGNET_A_DEV_MAX; i++)
		if (tb[i])
			dev->present |= 1ULL << i;

	if (tb[RINGNET_A_DEV_IFINDEX])
		dev->ifindex = nla_get_u32(tb[RINGNET_A_DEV_IFINDEX]);
	if (tb[RINGNET_A_DEV_IFNAME])
		nla_strlcpy(dev->ifname, tb[RINGNET_A_DEV_IFNAME],
			    sizeof(dev->ifname));
	if (tb[RINGNET_A_DEV_ADDRESS])
		memcpy(dev->address, nla_data(tb[RINGNET_A_DEV_ADDRESS]),
		       RN_ETH_ALEN);
	if (tb[RINGNET_A_DEV_MTU])
		dev->mtu = nla_get_u32(tb[RINGNET_A_DEV_MTU]);
	if (tb[RINGNET_A_DEV_ATTACHED])
		dev->attached = nla_get_u8(tb[RINGNET_A_DEV_ATTACHED]) != 0;
	if (tb[RINGNET_A_DEV_MEM_LIMIT])
		dev->mem_limit = nla_get_u64(tb[RINGNET_A_DEV_MEM_LIMIT]);
	if (tb[RINGNET_A_DEV_OFFLOADS])
		dev->offloads = nla_get_u64(tb[RINGNET_A_DEV_OFFLOADS]);
	if (tb[RINGNET_A_DEV_OFFLOADS_ACTIVE])
		dev->offloads_active =
			nla_get_u64(tb[RINGNET_A_DEV_OFFLOADS_ACTIVE]);
	if (tb[RINGNET_A_DEV_ERRNO])
		dev->error_errno = nla_get_u32(tb[RINGNET_A_DEV_ERRNO]);
	if (tb[RINGNET_A_DEV_ERROR_MSG])
		nla_strlcpy(dev->error_msg, tb[RINGNET_A_DEV_ERROR_MSG],
			    sizeof(dev->error_msg));

	if (tb[RINGNET_A_DEV_CHANNEL]) {
		err = rn_channel_parse(&dev->channel, tb[RINGNET_A_DEV_CHANNEL]);
		if (err < 0)
			return err;
	}
	if (tb[RINGNET_A_DEV_STATS]) {
		err = rn_stats_parse(dev, tb[RINGNET_A_DEV_STATS]);
		if (err < 0)
			return err;
	}
	return 0;
}

const char *rn_offload_name(unsigned int bit)
{
	return bit < __RINGNET_F_NBITS ? ringnet_offload_names[bit] : NULL;
}

/* Name of one offload bit; bits this tool does not know become "bitN". */
static const char *rn_offload_bit_name(unsigned int bit, char *buf, size_t len)
{
	const char *name = rn_offload_name(bit);

	if (name)
		return name;
	snprintf(buf, len, "bit%u", bit);
	return buf;
}

void rn_offloads_print(FILE *out, uint64_t mask, const char *sep)
{
	const char *s = "";
	char buf[16];

	if (!mask) {
		fputs("none", out);
		return;
	}
	for (unsigned int bit = 0; bit < 64; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		fprintf(out, "%s%s", s, rn_offload_bit_name(bit, buf, sizeof(buf)));
		s = sep;
	}
}

static void rn_offloads_print_json(struct json *j, const char *key,
				   uint64_t mask)
{
	char buf[16];

	json_array_begin(j, key);
	for (unsigned int bit = 0; bit < 64; bit++)
		if (mask & (1ULL << bit))
			json_string(j, NULL,
				    rn_offload_bit_name(bit, buf, sizeof(buf)));
	json_array_end(j);
}

void rn_format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	uint64_t div = 1024;
	size_t unit = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " bytes", bytes);
		return;
	}
	while (unit + 1 < ARRAY_SIZE(units) && bytes / div >= 1024) {
		div *= 1024;
		unit++;
	}
	if (bytes % div == 0)
		snprintf(buf, len, "%" PRIu64 " %s", bytes / div, units[unit]);
	else
		snprintf(buf, len, "%.2f %s", (double)bytes / (double)div,
			 units[unit]);
}

/* "64 MiB (67108864 bytes)", or just "512 bytes". */
static void rn_print_size(FILE *out, uint64_t bytes)
{
	char buf[32];

	rn_format_size(buf, sizeof(buf), bytes);
	fputs(buf, out);
	if (bytes >= 1024)
		fprintf(out, " (%" PRIu64 " bytes)", bytes);
}

static void rn_format_address(char *buf, size_t len, const uint8_t *a)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 a[0], a[1], a[2], a[3], a[4], a[5]);
}

static bool rn_stat_has(const struct rn_dev *dev, int attr)
{
	return dev->stats_present & (1U << attr);
}

/* "  tx drops: no channel 3, too big 1", only the reasons that count. */
static void rn_print_drops(FILE *out, const struct rn_dev *dev,
			   enum rn_stat_kind kind, const char *title)
{
	const char *sep = "";

	for (size_t i = 0; i < ARRAY_SIZE(rn_stat_descs); i++) {
		const struct rn_stat_desc *d = &rn_stat_descs[i];

		if (d->kind != kind || !dev->stats[d->attr])
			continue;
		if (!*sep)
			fprintf(out, "  %s: ", title);
		fprintf(out, "%s%s %" PRIu64, sep, d->label, dev->stats[d->attr]);
		sep = ", ";
	}
	if (*sep)
		fputc('\n', out);
}

static void rn_print_counter(FILE *out, const struct rn_dev *dev, int attr,
			     const char *label)
{
	if (rn_stat_has(dev, attr))
		fprintf(out, "  %s: %" PRIu64 "\n", label, dev->stats[attr]);
}

static void rn_print_traffic(FILE *out, const struct rn_dev *dev,
			     const char *dir, int packets, int bytes)
{
	if (!rn_stat_has(dev, packets) && !rn_stat_has(dev, bytes))
		return;
	fprintf(out, "  %s: %" PRIu64 " packets, ", dir, dev->stats[packets]);
	rn_print_size(out, dev->stats[bytes]);
	fputc('\n', out);
}

static void rn_print_channel_text(FILE *out, const struct rn_channel *ch)
{
	fprintf(out, "  channel: owner pid %" PRIu32 ", rx ring %" PRIu32
		" entries, tx ring %" PRIu32 " entries, slot %" PRIu32
		" bytes\n", ch->owner_pid, ch->rx_entries, ch->tx_entries,
		ch->slot_size);
	fputs("  channel memory: ", out);
	rn_print_size(out, ch->mem_bytes);
	fputc('\n', out);
}

void rn_dev_print_text(FILE *out, const struct rn_dev *dev)
{
	char addr[32];

	fprintf(out, "device: %s\n", rn_dev_has(dev, RINGNET_A_DEV_IFNAME) ?
		dev->ifname : "(unnamed)");
	if (rn_dev_has(dev, RINGNET_A_DEV_IFINDEX))
		fprintf(out, "  ifindex: %" PRIu32 "\n", dev->ifindex);
	if (rn_dev_has(dev, RINGNET_A_DEV_ADDRESS)) {
		rn_format_address(addr, sizeof(addr), dev->address);
		fprintf(out, "  address: %s\n", addr);
	}
	if (rn_dev_has(dev, RINGNET_A_DEV_MTU))
		fprintf(out, "  mtu: %" PRIu32 "\n", dev->mtu);
	if (rn_dev_has(dev, RINGNET_A_DEV_ATTACHED))
		fprintf(out, "  state: %s\n",
			dev->attached ? "attached" : "detached");
	if (rn_dev_has(dev, RINGNET_A_DEV_MEM_LIMIT)) {
		fputs("  mem limit: ", out);
		rn_print_size(out, dev->mem_limit);
		fputc('\n', out);
	}
	if (rn_dev_has(dev, RINGNET_A_DEV_OFFLOADS)) {
		fputs("  offloads: ", out);
		rn_offloads_print(out, dev->offloads, " ");
		fputc('\n', out);
	}
	if (rn_dev_has(dev, RINGNET_A_DEV_OFFLOADS_ACTIVE)) {
		fputs("  offloads active: ", out);
		rn_offloads_print(out, dev->offloads_active, " ");
		fputc('\n', out);
	}
	if (rn_dev_has(dev, RINGNET_A_DEV_CHANNEL))
		rn_print_channel_text(out, &dev->channel);

	if (!rn_dev_has(dev, RINGNET_A_DEV_STATS))
		return;
	rn_print_traffic(out, dev, "rx", RINGNET_A_STATS_RX_PACKETS,
			 RINGNET_A_STATS_RX_BYTES);
	rn_print_traffic(out, dev, "tx", RINGNET_A_STATS_TX_PACKETS,
			 RINGNET_A_STATS_TX_BYTES);
	rn_print_drops(out, dev, RN_STAT_RX_DROP, "rx drops");
	rn_print_drops(out, dev, RN_STAT_TX_DROP, "tx drops");
	rn_print_counter(out, dev, RINGNET_A_STATS_RING_ERRORS, "ring errors");
	rn_print_counter(out, dev, RINGNET_A_STATS_KICKS, "kicks");
	rn_print_counter(out, dev, RINGNET_A_STATS_TX_QUEUE_STOPS,
			 "tx queue stops");
}

void rn_dev_print_event_text(FILE *out, const struct rn_dev *dev)
{
	const struct rn_channel *ch = &dev->channel;
	char addr[32];

	fputs(rn_dev_has(dev, RINGNET_A_DEV_IFNAME) ? dev->ifname : "-", out);
	if (rn_dev_has(dev, RINGNET_A_DEV_IFINDEX))
		fprintf(out, " ifindex %" PRIu32, dev->ifindex);
	if (rn_dev_has(dev, RINGNET_A_DEV_ADDRESS)) {
		rn_format_address(addr, sizeof(addr), dev->address);
		fprintf(out, " address %s", addr);
	}
	if (rn_dev_has(dev, RINGNET_A_DEV_MTU))
		fprintf(out, " mtu %" PRIu32, dev->mtu);
	if (rn_dev_has(dev, RINGNET_A_DEV_ATTACHED))
		fputs(dev->attached ? " attached" : " detached", out);
	if (rn_dev_has(dev, RINGNET_A_DEV_MEM_LIMIT))
		fprintf(out, " mem-limit %" PRIu64, dev->mem_limit);
	if (rn_dev_has(dev, RINGNET_A_DEV_OFFLOADS)) {
		fputs(" offloads ", out);
		rn_offloads_print(out, dev->offloads, ",");
	}
	if (rn_dev_has(dev, RINGNET_A_DEV_OFFLOADS_ACTIVE)) {
		fputs(" offloads-active ", out);
		rn_offloads_print(out, dev->offloads_active, ",");
	}
	if (rn_dev_has(dev, RINGNET_A_DEV_CHANNEL))
		fprintf(out, " owner-pid %" PRIu32 " rx-entries %" PRIu32
			" tx-entries %" PRIu32 " slot-size %" PRIu32
			" mem-bytes %" PRIu64, ch->owner_pid, ch->rx_entries,
			ch->tx_entries, ch->slot_size, ch->mem_bytes);
	if (rn_dev_has(dev, RINGNET_A_DEV_ERRNO))
		fprintf(out, " errno %" PRIu32 " (%s)", dev->error_errno,
			strerror((int)dev->error_errno));
	if (rn_dev_has(dev, RINGNET_A_DEV_ERROR_MSG))
		fprintf(out, ": %s", dev->error_msg);
}

static void rn_json_u64_or_null(struct json *j, const char *key, bool has,
				uint64_t value)
{
	if (has)
		json_u64(j, key, value);
	else
		json_null(j, key);
}

static void rn_channel_print_json(struct json *j, const struct rn_channel *ch)
{
	static const struct {
		int attr;
		const char *key;
	} fields[] = {
		{ RINGNET_A_CHANNEL_OWNER_PID,	"owner_pid" },
		{ RINGNET_A_CHANNEL_RX_ENTRIES,	"rx_entries" },
		{ RINGNET_A_CHANNEL_TX_ENTRIES,	"tx_entries" },
		{ RINGNET_A_CHANNEL_SLOT_SIZE,	"slot_size" },
		{ RINGNET_A_CHANNEL_MEM_BYTES,	"mem_bytes" },
	};
	const uint64_t values[] = {
		ch->owner_pid, ch->rx_entries, ch->tx_entries, ch->slot_size,
		ch->mem_bytes,
	};

	json_object_begin(j, "channel");
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		rn_json_u64_or_null(j, fields[i].key,
				    ch->present & (1U << fields[i].attr),
				    values[i]);
	json_object_end(j);
}

static void rn_stats_print_json(struct json *j, const struct rn_dev *dev)
{
	json_object_begin(j, "stats");
	for (size_t i = 0; i < ARRAY_SIZE(rn_stat_descs); i++) {
		const struct rn_stat_desc *d = &rn_stat_descs[i];

		rn_json_u64_or_null(j, d->key, rn_stat_has(dev, d->attr),
				    dev->stats[d->attr]);
	}
	json_object_end(j);
}

void rn_dev_print_json_fields(struct json *j, const struct rn_dev *dev)
{
	char addr[32];

	rn_json_u64_or_null(j, "ifindex", rn_dev_has(dev, RINGNET_A_DEV_IFINDEX),
			    dev->ifindex);

	if (rn_dev_has(dev, RINGNET_A_DEV_IFNAME))
		json_string(j, "ifname", dev->ifname);
	else
		json_null(j, "ifname");

	if (rn_dev_has(dev, RINGNET_A_DEV_ADDRESS)) {
		rn_format_address(addr, sizeof(addr), dev->address);
		json_string(j, "address", addr);
	} else {
		json_null(j, "address");
	}

	rn_json_u64_or_null(j, "mtu", rn_dev_has(dev, RINGNET_A_DEV_MTU),
			    dev->mtu);

	if (rn_dev_has(dev, RINGNET_A_DEV_ATTACHED))
		json_bool(j, "attached", dev->attached);
	else
		json_null(j, "attached");

	rn_json_u64_or_null(j, "mem_limit",
			    rn_dev_has(dev, RINGNET_A_DEV_MEM_LIMIT),
			    dev->mem_limit);

	if (rn_dev_has(dev, RINGNET_A_DEV_OFFLOADS))
		rn_offloads_print_json(j, "offloads", dev->offloads);
	else
		json_null(j, "offloads");

	if (rn_dev_has(dev, RINGNET_A_DEV_OFFLOADS_ACTIVE))
		rn_offloads_print_json(j, "offloads_active",
				       dev->offloads_active);
	else
		json_null(j, "offloads_active");

	if (rn_dev_has(dev, RINGNET_A_DEV_CHANNEL))
		rn_channel_print_json(j, &dev->channel);
	else
		json_null(j, "channel");

	if (rn_dev_has(dev, RINGNET_A_DEV_STATS))
		rn_stats_print_json(j, dev);
	else
		json_null(j, "stats");
}
