/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ringnetd: the gateway's shared state and the functions each protocol
 * file offers the others.
 *
 * Everything the sandbox sends is hostile input: every parser here reads
 * through bounds it checked first, reads multi-byte fields with the
 * unaligned helpers below (an IPv4 header sits at offset 26 of a frame
 * buffer, so casting to struct iphdr would be undefined behaviour), and
 * ends every refusal by counting it under a reason in struct gw_stats.
 */
#ifndef RINGNETD_GW_H
#define RINGNETD_GW_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include "frames.h"

#define ETH_HDR_LEN	14
#define IP4_HDR_LEN	20
#define UDP_HDR_LEN	8
#define ICMP_HDR_LEN	8
/* Frame offsets in our output buffers. */
#define OFF_ETH		VNET_HDR_LEN
#define OFF_IP4		(OFF_ETH + ETH_HDR_LEN)
#define OFF_L4		(OFF_IP4 + IP4_HDR_LEN)

#define MTU_MAX		65520
#define IP4_MAX_L4	(65535 - IP4_HDR_LEN)
#define MTU_MIN		576
/* An IPv4 packet can never exceed 65535 bytes; GSO frames from a TAP
 * device don't either.  One output buffer holds the largest. */
#define FRAME_BUF_SIZE	(VNET_HDR_LEN + ETH_HDR_LEN + 65535 + 64)
#define OUT_QUEUE_LEN	32
#define MAX_DNS_UPSTREAMS 4

/*
 * Counters, by reason.  X(name, "what it counts"); the names are what the
 * stats socket prints and what the tests look for.
 */
#define GW_STATS(X)							\
	X(rx_frames,		"frames from the sandbox")		\
	X(tx_frames,		"frames to the sandbox")		\
	X(tx_drop_full,		"frames to the sandbox dropped: device full") \
	X(tx_drop_too_big,	"replies dropped: larger than an IPv4 packet") \
	X(tx_fragmented,	"datagrams to the sandbox sent in fragments") \
	X(drop_short,		"frames shorter than vnet + Ethernet header") \
	X(drop_vnet_hdr,	"frames with a vnet header we can't use") \
	X(drop_not_for_us,	"frames to another unicast MAC")	\
	X(drop_ethertype,	"frames of another EtherType (IPv6, VLAN, ...)") \
	X(arp_bad,		"malformed ARP")			\
	X(arp_ignored,		"ARP not asking for our addresses")	\
	X(arp_replies,		"ARP replies sent")			\
	X(arp_requests,		"ARP requests for the sandbox's MAC")	\
	X(ip4_bad_header,	"IPv4: short, version or IHL wrong")	\
	X(ip4_bad_length,	"IPv4: total length wrong")		\
	X(ip4_bad_csum,		"IPv4: header checksum wrong")		\
	X(ip4_fragment,		"IPv4: fragments received")		\
	X(ip4_reassembled,	"IPv4: datagrams reassembled from fragments") \
	X(ip4_frag_bad,		"IPv4: fragments dropped: overlapping or malformed") \
	X(ip4_frag_timeout,	"IPv4: incomplete datagrams dropped after 5 s") \
	X(ip4_frag_evicted,	"IPv4: incomplete datagrams dropped for a new one") \
	X(ip4_bad_src,		"IPv4: source address not usable")	\
	X(ip4_bad_dst,		"IPv4: destination not relayed (martian, multicast, broadcast)") \
	X(ip4_proto,		"IPv4: protocol not handled")		\
	X(tcp_bad,		"TCP: short, bad offset or checksum")	\
	X(tcp_bad_flags,	"TCP: flag combinations dropped")	\
	X(tcp_bad_opts,		"TCP: SYN options overrunning the header") \
	X(tcp_syn_data,		"TCP: data on a SYN, ignored")		\
	X(tcp_no_conn,		"TCP: segments for no connection (RST sent)") \
	X(tcp_closed_port,	"TCP: to a gateway port nobody serves (RST)") \
	X(tcp_connects,		"TCP: host connect()s started")		\
	X(tcp_connected,	"TCP: host connect()s completed")	\
	X(tcp_refused,		"TCP: connect refused or timed out (RST)") \
	X(tcp_unreach,		"TCP: connect unreachable (ICMP)")	\
	X(tcp_table_full,	"TCP: SYNs refused with RST, table full") \
	X(tcp_ooo_held,		"TCP: segments held beyond a gap, or past a short write") \
	X(tcp_ooo_dropped,	"TCP: segments beyond a gap dropped: no room to hold") \
	X(tcp_beyond_wnd,	"TCP: data beyond the window we advertised, dropped") \
	X(tcp_bad_ack,		"TCP: ACKs for data never sent")	\
	X(tcp_retrans,		"TCP: retransmissions to the sandbox")	\
	X(tcp_rst_from_sb,	"TCP: RSTs from the sandbox")		\
	X(tcp_rst_to_sb,	"TCP: RSTs sent to the sandbox")	\
	X(tcp_host_sends,	"TCP: system calls that wrote to host sockets") \
	X(tcp_host_short,	"TCP: writes the host socket took in part") \
	X(tcp_wnd_updates,	"TCP: window updates sent as the host socket drained") \
	X(tcp_timeouts,		"TCP: connections closed by a timeout")	\
	X(tcp_bytes_to_host,	"TCP: payload bytes written to host sockets") \
	X(tcp_bytes_from_host,	"TCP: payload bytes acked by the sandbox") \
	X(tcp_stop_held_lost,	"TCP: bytes held for the host when the stop's bound ran out") \
	X(icmp_bad,		"ICMP: short or bad checksum")		\
	X(icmp_ignored,		"ICMP: types other than echo request")	\
	X(icmp_echo_local,	"ICMP: echo to gateway or DNS answered")	\
	X(icmp_echo_relayed,	"ICMP: echo relayed to the host")	\
	X(icmp_echo_replies,	"ICMP: echo replies from the host relayed") \
	X(icmp_no_ping_socket,	"ICMP: echo dropped, no ping socket")	\
	X(icmp_errors_sent,	"ICMP: errors sent to the sandbox")	\
	X(icmp_host_errors,	"ICMP: errors about relayed echo sent on") \
	X(udp_host_errors,	"UDP: ICMP errors on host sockets sent on") \
	X(host_errors_dropped,	"host socket errors not sent on (local, frag needed, other)") \
	X(udp_bad,		"UDP: short, length or checksum wrong")	\
	X(udp_to_host,		"UDP: datagrams relayed to the host")	\
	X(udp_from_host,	"UDP: datagrams relayed to the sandbox")	\
	X(udp_send_err,		"UDP: host send failed")		\
	X(udp_host_sends,	"UDP: system calls that sent to the host") \
	X(udp_bytes_to_host,	"UDP: payload bytes sent to the host")	\
	X(udp_bytes_from_host,	"UDP: payload bytes relayed to the sandbox") \
	X(udp_closed_port,	"UDP: to a gateway port nobody serves")	\
	X(dhcp_bad,		"DHCP: malformed or not for us")	\
	X(dhcp_offers,		"DHCP: offers sent")			\
	X(dhcp_acks,		"DHCP: acks sent")			\
	X(dhcp_naks,		"DHCP: naks sent")			\
	X(dns_queries,		"DNS: queries forwarded")		\
	X(dns_no_upstream,	"DNS: queries dropped, no upstream")	\
	X(dns_tcp_conns,	"DNS: TCP connections relayed upstream") \
	X(port_accepted,	"ports: TCP connections accepted")	\
	X(port_connected,	"ports: TCP connections the sandbox took") \
	X(port_refused,		"ports: refused or unanswered by the sandbox (RST)") \
	X(port_table_full,	"ports: dropped, flow table full")	\
	X(port_busy,		"ports: client's tuple already in another flow") \
	X(udp_in_flows,		"UDP: flows started on published ports")	\
	X(flows_created,	"flows created")			\
	X(flows_expired,	"flows closed after idling")		\
	X(flows_table_full,	"new flows refused: table full")	\
	X(flows_socket_err,	"new flows refused: host socket failed") \
	X(flows_no_route,	"new flows refused with ICMP unreachable: no host route")

struct gw_stats {
#define X(name, desc) uint64_t name;
	GW_STATS(X)
#undef X
};

struct port_map;

struct gw_config {
	/* Addresses in network byte order. */
	uint32_t addr;		/* the sandbox's, handed out by DHCP */
	uint32_t gw;		/* the gateway's */
	uint32_t dns;		/* the DNS forwarder's */
	unsigned int prefix;
	unsigned int mtu;
	unsigned int lease_time;	/* seconds */
	unsigned int max_flows;
	unsigned int udp_timeout;	/* seconds */
	in_addr_t map_loopback;	/* this address reaches host loopback; 0: none */
	struct sockaddr_in dns_upstream[MAX_DNS_UPSTREAMS];
	unsigned int n_dns_upstream;
	struct port_map *ports;	/* published ports (port.c), one per host port */
	unsigned int n_ports;
	int verbose;
};

struct flow_table;
struct tcp_conn;
struct frag_table;

/* udp.c: one flow's datagrams from the sandbox, still in their frames. */
#define UDP_BATCH 64
struct udp_batch {
	uint32_t flow;		/* meaningful while n > 0 */
	unsigned int n;
	struct mmsghdr msg[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
};

/* tcp.c: one connection's in-order data from the sandbox, still in its
 * frames: rcv_nxt moves past it when the host socket takes it. */
#define TCP_BATCH 64
struct tcp_batch {
	uint32_t flow;		/* meaningful while n > 0 */
	unsigned int n;
	size_t len;		/* bytes in iov[] */
	struct iovec iov[TCP_BATCH];
};

struct gw {
	struct gw_config cfg;
	struct gw_stats stats;
	struct frame_source *src;
	int epfd;
	uint8_t mac[6];		/* ours */
	uint8_t sb_mac[6];	/* the sandbox's, once seen */
	bool sb_mac_known;
	bool ping_forbidden;	/* logged once */
	unsigned int dns_next;	/* upstream that new DNS flows use */
	struct flow_table *flows;
	/* Frames built for the sandbox, sent in one batch by gw_flush(),
	 * in the source's lent buffers or, past those, in our own. */
	uint8_t *out_buf[OUT_QUEUE_LEN];
	uint8_t *own_buf[OUT_QUEUE_LEN];
	struct frame out[OUT_QUEUE_LEN];
	unsigned int n_out;
	/* A whole datagram while ip4.c cuts it into fragments. */
	uint8_t *scratch;
	uint16_t ip4_id;	/* id of the last datagram we fragmented */
	struct tcp_conn *tcp;	/* tcp.c: per-flow TCP state, max_flows entries */
	struct frag_table *frags;	/* frag.c: datagrams being reassembled */
	int *port_fd;		/* port.c: the socket of each cfg.ports entry */
	size_t tcp_ooo_bytes;	/* tcp_ooo.c: held beyond gaps, all connections */
	struct udp_batch udp_out;	/* udp.c: datagrams for one sendmmsg() */
	struct tcp_batch tcp_out;	/* tcp.c: segments for one sendmsg() */
};

/* epoll_event.data.u64: the kind of fd in the high half, an index low. */
enum ep_kind {
	EP_SOURCE = 1,
	EP_SIGNAL,
	EP_TIMER,
	EP_STATS,
	EP_FLOW,
	EP_PORT,	/* a published port's socket; the index is in cfg.ports */
};
#define EP_REF(kind, idx)	(((uint64_t)(kind) << 32) | (uint32_t)(idx))
#define EP_KIND(u64)		((enum ep_kind)((u64) >> 32))
#define EP_IDX(u64)		((uint32_t)(u64))

/* Unaligned, big-endian field access. */
static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wr16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
/* Addresses stay in network byte order: copy the bytes. */
static inline uint32_t rdaddr(const uint8_t *p) { uint32_t a; memcpy(&a, p, 4); return a; }
static inline void wraddr(uint8_t *p, uint32_t a) { memcpy(p, &a, 4); }

/* log.c */
void gw_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern int gw_log_level;	/* 0: errors and warnings, 1: -v, 2: -vv */
#define LOG_ERR_	(-1)
#define LOG_WARN_	0
#define LOG_INFO_	1
#define LOG_DEBUG_	2
/* Send messages to syslog (daemon facility) instead of stderr. */
void gw_log_to_syslog(void);
const char *ip4_str(uint32_t addr, char buf[INET_ADDRSTRLEN]);

/* csum.c: the Internet checksum (RFC 1071) */
uint32_t csum_add(uint32_t sum, const void *buf, size_t len);
uint16_t csum_fold(uint32_t sum);
uint32_t csum_ip4_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* gw.c: state, output queue, the entry point for frames */
int gw_init(struct gw *gw, const struct gw_config *cfg, struct frame_source *src);
void gw_fini(struct gw *gw);
void gw_config_defaults(struct gw_config *cfg);
void gw_input(struct gw *gw, const uint8_t *frame, size_t len);
/* The frames given to gw_input() since the last call are about to go. */
void gw_input_done(struct gw *gw);
uint8_t *gw_out_begin(struct gw *gw);
void gw_out_commit(struct gw *gw, size_t len);
void gw_flush(struct gw *gw);
/* Build the next frames in buffers the source lends, if it does. */
void gw_out_lend(struct gw *gw);
time_t gw_now(void);
/* Monotonic milliseconds. */
uint64_t gw_now_ms(void);
/* Test hook: a fixed clock (ms) when not 0; see gw.c. */
extern uint64_t gw_fake_now_ms;
void gw_stats_print(struct gw *gw, int fd);

/* eth.c */
void eth_learn(struct gw *gw, const uint8_t *eth);
const uint8_t *eth_sb_mac(const struct gw *gw);

/* arp.c */
void arp_input(struct gw *gw, const uint8_t *eth, size_t len);
void arp_request_sandbox(struct gw *gw);

/* ip4.c */
struct ip4_pkt {
	uint32_t src, dst;
	uint8_t proto;
	uint8_t vnet_flags;	/* VIRTIO_NET_HDR_F_* of the frame */
	uint16_t ip_id;
	const uint8_t *eth_src;
	const uint8_t *l4;
	size_t l4_len;
	bool in_frame;		/* l4 lasts until gw_input_done(), not this call */
};
void ip4_input(struct gw *gw, const struct virtio_net_hdr_v1 *vh,
	       const uint8_t *eth, size_t len);
/* A whole packet, checked, to its protocol. */
void ip4_deliver(struct gw *gw, const struct ip4_pkt *p);

/* frag.c */
void frag_input(struct gw *gw, struct ip4_pkt *p, uint16_t frag_field);
void frag_expire(struct gw *gw, time_t now);
void frag_fini(struct gw *gw);
bool ip4_is_relayable(const struct gw *gw, uint32_t dst);
/* Start an IPv4 packet: returns where its L4 part goes, or NULL. */
uint8_t *ip4_out_begin(struct gw *gw);
/* Finish it: vnet, Ethernet and IPv4 headers around l4_len bytes. */
void ip4_out_finish(struct gw *gw, uint32_t src, uint32_t dst, uint8_t proto,
		    size_t l4_len, const uint8_t *dst_mac);
/* An IPv4 header without options, DF set, checksummed, at ip. */
void ip4_build_hdr(uint8_t *ip, uint32_t src, uint32_t dst, uint8_t proto,
		   size_t l4_len);
/* l4_len bytes at l4 would fit the sandbox's MTU. */
bool ip4_fits(const struct gw *gw, size_t l4_len);

/* icmp.c */
/*
 * An ICMP error to the sandbox about a packet it sent: the quote is that
 * packet's IPv4 header (sb_addr -> peer_addr, proto) rebuilt, the first
 * 8 bytes of its L4 part, then as much of what followed as fits.
 */
struct icmp4_err {
	uint8_t type, code;
	uint32_t rest;		/* ICMP header bytes 4-7: MTU, pointer; host order */
	uint32_t from;		/* the error's source */
	uint32_t sb_addr, peer_addr;
	uint8_t proto;
	uint8_t l4_hdr[8];
	const uint8_t *data;	/* what followed l4_hdr, data_len bytes originally */
	size_t data_len;
};
void icmp4_error(struct gw *gw, const struct icmp4_err *e);
struct flow;
struct sock_extended_err;
/* Read a UDP or ping flow's error queue and reflect each error: the number
 * of ICMP errors sent on. */
unsigned int icmp4_host_errors(struct gw *gw, struct flow *f);
/* One error off that queue, with its offender (0: none) and data. */
bool icmp4_reflect(struct gw *gw, const struct flow *f,
		   const struct sock_extended_err *ee, uint32_t offender,
		   const uint8_t *data, size_t len);
/* A new flow's connect() failed with err: if the host had no route, say
 * so to the sandbox from the gateway, quoting p, and return true. */
bool icmp4_no_route(struct gw *gw, const struct ip4_pkt *p, int err);
/* Destination unreachable with code, from the gateway, quoting p. */
bool icmp4_unreach(struct gw *gw, const struct ip4_pkt *p, uint8_t code);
void icmp4_input(struct gw *gw, const struct ip4_pkt *p);
void icmp4_send_error(struct gw *gw, uint8_t type, uint8_t code,
		      uint32_t sb_addr, uint32_t peer_addr, uint8_t proto,
		      uint16_t sb_port, uint16_t peer_port,
		      const uint8_t *payload, size_t payload_len);
void icmp4_sock_event(struct gw *gw, unsigned int idx, uint32_t events);

/* udp.c */
void udp4_input(struct gw *gw, const struct ip4_pkt *p);
void udp4_sock_event(struct gw *gw, unsigned int idx, uint32_t events);
/* Send what udp4_input() queued; before the frames are released. */
void udp_out_flush(struct gw *gw);
/* A datagram from a published port's client, already at l4 + UDP_HDR_LEN
 * of the current output buffer: to the sandbox, in a flow of its own. */
void udp4_inbound(struct gw *gw, int pub_fd, const struct sockaddr_in *client,
		  uint32_t local_addr, uint16_t guest_port, uint8_t *l4, size_t len);

/* tcp.c */
int tcp_init(struct gw *gw);
void tcp_fini(struct gw *gw);
void tcp4_input(struct gw *gw, const struct ip4_pkt *p);
void tcp4_sock_event(struct gw *gw, unsigned int idx, uint32_t events);
/* The batched data (gw->tcp_out) to its host socket, and its ACK. */
void tcp_out_flush(struct gw *gw);
/* The stats socket's "tcp_states" object: connections by state. */
void tcp_print_states(struct gw *gw, int fd);
/* Retransmissions, probes, timeouts: call every TCP_TICK_MS. */
void tcp_timer(struct gw *gw);
#define TCP_TICK_MS	100
/* Stopping: does any connection hold sandbox data the host has not got? */
bool tcp_holding(struct gw *gw);
/* Exit: RST to the sandbox, FIN after the queued data to the host (which
 * it waits to be acknowledged until until_ms). */
void tcp_stop(struct gw *gw, uint64_t until_ms);
/* A connection accepted on a published port: opened toward the sandbox's
 * guest_port from peer_addr:peer_port.  Takes fd, whatever happens. */
void tcp_conn_inbound(struct gw *gw, int fd, uint32_t peer_addr, uint16_t peer_port,
		      uint16_t guest_port);
/* The sandbox's MAC is known now: resend SYNs that went to broadcast. */
void tcp_sb_mac_learned(struct gw *gw);

/* port.c: published ports (-t, -u) */
struct port_map {
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint32_t addr;		/* host address bound, network byte order */
	uint16_t host_port;
	uint16_t guest_port;
};
/* Add "[ADDR:]HOST_PORT[-END][:GUEST_PORT[-END]]": NULL, or what is wrong. */
const char *port_parse(struct gw_config *cfg, uint8_t proto, const char *arg);
int port_open(struct gw *gw);
void port_close(struct gw *gw);
void port_event(struct gw *gw, unsigned int idx, uint32_t events);
/* The address a client of a published port has in the sandbox's eyes. */
uint32_t port_sandbox_view(const struct gw *gw, uint32_t client);

/* dhcp.c */
void dhcp_input(struct gw *gw, const struct ip4_pkt *p, const uint8_t *data,
		size_t len);

/* parse.c */
/*
 * The decimal number from s up to end into *v: digits only (no sign, no
 * spaces).  False if there are none, anything else, or it is above max.
 */
bool parse_uint(const char *s, const char *end, unsigned long max, unsigned long *v);

/* dns.c */
int dns_read_resolv_conf(struct gw_config *cfg, const char *path);
int dns_parse_upstream(const char *arg, struct sockaddr_in *sa);
/* Where a new DNS flow sends its queries, or false if nowhere. */
bool dns_upstream(struct gw *gw, struct sockaddr_in *sa);
void dns_upstream_failed(struct gw *gw);

/* Addresses the gateway itself answers for: ARP and ICMP echo. */
static inline bool gw_is_local(const struct gw *gw, in_addr_t addr)
{
	return addr == gw->cfg.gw || addr == gw->cfg.dns ||
	       (gw->cfg.map_loopback && addr == gw->cfg.map_loopback);
}

#endif
