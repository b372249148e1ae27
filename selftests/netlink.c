// SPDX-License-Identifier: GPL-2.0
/*
 * The "ringnet" generic netlink family: lookups, policies, permissions and
 * namespace isolation.  Every test runs in a network namespace of its own
 * (the harness forks each test, and the fixture unshares), holding one
 * ringnet device rn0.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <net/if.h>

#include "kselftest_harness.h"
#include "nl.h"
#include "util.h"

static uint64_t attr_u64(struct rn_reply *r, int type)
{
	return r->attrs[type] ? mnl_attr_get_u64(r->attrs[type]) : ~0ULL;
}

FIXTURE(dev) {
	struct rn_nl nl;
	uint32_t ifindex;
};

FIXTURE_SETUP(dev)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno));
	ASSERT_EQ(0, sh("ip link set lo up && ip link add rn0 type ringnet"));
	self->ifindex = if_nametoindex("rn0");
	ASSERT_NE(0, self->ifindex);
	ASSERT_EQ(0, rn_nl_open(&self->nl));
}

FIXTURE_TEARDOWN(dev)
{
	rn_nl_close(&self->nl);
}

TEST_F(dev, get_by_name)
{
	struct rn_reply r;

	ASSERT_EQ(0, rn_dev_get(&self->nl, "rn0", 0, &r)) TH_LOG("%s", r.msg);
	ASSERT_EQ(1, r.count);
	EXPECT_EQ(self->ifindex, mnl_attr_get_u32(r.attrs[RINGNET_A_DEV_IFINDEX]));
	EXPECT_STREQ("rn0", mnl_attr_get_str(r.attrs[RINGNET_A_DEV_IFNAME]));
	EXPECT_EQ(1500, mnl_attr_get_u32(r.attrs[RINGNET_A_DEV_MTU]));
	EXPECT_EQ(6, mnl_attr_get_payload_len(r.attrs[RINGNET_A_DEV_ADDRESS]));
	EXPECT_EQ(0, mnl_attr_get_u8(r.attrs[RINGNET_A_DEV_ATTACHED]));
	EXPECT_EQ(64ULL << 20, attr_u64(&r, RINGNET_A_DEV_MEM_LIMIT));
	EXPECT_EQ(0, attr_u64(&r, RINGNET_A_DEV_OFFLOADS_ACTIVE));
	EXPECT_NE(NULL, r.attrs[RINGNET_A_DEV_STATS]);
}

TEST_F(dev, get_by_index)
{
	struct rn_reply r;

	ASSERT_EQ(0, rn_dev_get(&self->nl, NULL, self->ifindex, &r)) TH_LOG("%s", r.msg);
	EXPECT_STREQ("rn0", mnl_attr_get_str(r.attrs[RINGNET_A_DEV_IFNAME]));
}

/* The address the device reports is the one the stack uses. */
TEST_F(dev, address_given_and_random)
{
	struct rn_reply r;
	const uint8_t *mac;

	ASSERT_EQ(0, sh("ip link add rn1 address 02:11:22:33:44:55 type ringnet"));
	ASSERT_EQ(0, rn_dev_get(&self->nl, "rn1", 0, &r));
	mac = mnl_attr_get_payload(r.attrs[RINGNET_A_DEV_ADDRESS]);
	EXPECT_EQ(0, memcmp(mac, "\x02\x11\x22\x33\x44\x55", 6));

	ASSERT_EQ(0, rn_dev_get(&self->nl, "rn0", 0, &r));
	mac = mnl_attr_get_payload(r.attrs[RINGNET_A_DEV_ADDRESS]);
	EXPECT_EQ(0x02, mac[0] & 0x03) TH_LOG("random MAC must be local unicast");
}

/*
 * One ip -batch, not 40 ip processes: under TCG each process costs a good
 * fraction of a second, and with the other kernel's VM beside this one 40
 * of them ran into the harness's 30 s default; 120 s is the margin.
 */
TEST_F_TIMEOUT(dev, dump_lists_only_ringnet, 120)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rn_reply r;

	ASSERT_EQ(0, sh("seq -f 'link add rn%%g type ringnet' 40 | ip -batch -"));
	ASSERT_EQ(0, sh("ip link add d0 type dummy && ip link add v0 type veth peer v1"));

	/* 41 devices do not fit one message: the dump must resume correctly. */
	nlh = rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_GET, NLM_F_DUMP);
	ASSERT_EQ(0, rn_nl_call(&self->nl, nlh, &r)) TH_LOG("%s", r.msg);
	EXPECT_EQ(41, r.count);
}

TEST_F(dev, missing_device)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct rn_reply r;

	rn_nl_call(&self->nl, rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_GET, 0), &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE(NULL, strstr(r.msg, "missing device")) TH_LOG("msg: '%s'", r.msg);
}

TEST_F(dev, both_index_and_name)
{
	struct rn_reply r;

	rn_dev_get(&self->nl, "rn0", self->ifindex, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE(NULL, strstr(r.msg, "not both")) TH_LOG("msg: '%s'", r.msg);
}

TEST_F(dev, no_such_device)
{
	struct rn_reply r;

	rn_dev_get(&self->nl, "nosuch0", 0, &r);
	EXPECT_EQ(-ENODEV, r.error);
	EXPECT_STREQ("no such device", r.msg);

	rn_dev_get(&self->nl, NULL, 999999, &r);
	EXPECT_EQ(-ENODEV, r.error);
	EXPECT_STREQ("no such device", r.msg);
}

/* Another driver's private data must never be read as ours. */
TEST_F(dev, not_a_ringnet_device)
{
	const char *names[] = { "lo", "d0", "v0" };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rn_reply r;
	unsigned int i;

	ASSERT_EQ(0, sh("ip link add d0 type dummy && ip link add v0 type veth peer v1"));
	for (i = 0; i < 3; i++) {
		rn_dev_get(&self->nl, names[i], 0, &r);
		EXPECT_EQ(-EOPNOTSUPP, r.error) TH_LOG("%s", names[i]);
		EXPECT_STREQ("not a ringnet device", r.msg);

		rn_dev_get(&self->nl, NULL, if_nametoindex(names[i]), &r);
		EXPECT_EQ(-EOPNOTSUPP, r.error) TH_LOG("%s by index", names[i]);

		nlh = rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_SET, 0);
		mnl_attr_put_strz(nlh, RINGNET_A_DEV_IFNAME, names[i]);
		mnl_attr_put_u64(nlh, RINGNET_A_DEV_MEM_LIMIT, 8 << 20);
		rn_nl_call(&self->nl, nlh, &r);
		EXPECT_EQ(-EOPNOTSUPP, r.error) TH_LOG("set on %s", names[i]);
	}
}

TEST_F(dev, wrong_attribute_type)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rn_reply r;

	/* ifindex must be a u32, not a u16 */
	nlh = rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_GET, 0);
	mnl_attr_put_u16(nlh, RINGNET_A_DEV_IFINDEX, self->ifindex);
	rn_nl_call(&self->nl, nlh, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE('\0', r.msg[0]);

	/* ifindex 0 names no device */
	nlh = rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_GET, 0);
	mnl_attr_put_u32(nlh, RINGNET_A_DEV_IFINDEX, 0);
	rn_nl_call(&self->nl, nlh, &r);
	EXPECT_EQ(-ERANGE, r.error);
	EXPECT_NE('\0', r.msg[0]);

	/* a name longer than IFNAMSIZ */
	nlh = rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_GET, 0);
	mnl_attr_put_strz(nlh, RINGNET_A_DEV_IFNAME, "a-name-far-too-long-for-a-device");
	rn_nl_call(&self->nl, nlh, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE('\0', r.msg[0]);

	/* a name without its NUL */
	nlh = rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_GET, 0);
	mnl_attr_put(nlh, RINGNET_A_DEV_IFNAME, 3, "rn0");
	rn_nl_call(&self->nl, nlh, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE('\0', r.msg[0]);

	/* a memory limit must be a u64 */
	nlh = rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_SET, 0);
	mnl_attr_put_strz(nlh, RINGNET_A_DEV_IFNAME, "rn0");
	mnl_attr_put_u32(nlh, RINGNET_A_DEV_MEM_LIMIT, 8 << 20);
	rn_nl_call(&self->nl, nlh, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE('\0', r.msg[0]);
}

TEST_F(dev, unknown_attribute)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rn_reply r;

	nlh = rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_GET, 0);
	mnl_attr_put_strz(nlh, RINGNET_A_DEV_IFNAME, "rn0");
	mnl_attr_put_u32(nlh, 200, 1);
	rn_nl_call(&self->nl, nlh, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE('\0', r.msg[0]) TH_LOG("no extack message");

	/* known to the family, but not taken by DEV_GET */
	nlh = rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_GET, 0);
	mnl_attr_put_strz(nlh, RINGNET_A_DEV_IFNAME, "rn0");
	mnl_attr_put_u64(nlh, RINGNET_A_DEV_MEM_LIMIT, 8 << 20);
	rn_nl_call(&self->nl, nlh, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE('\0', r.msg[0]);

	/* read-only attributes cannot be set */
	nlh = rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_SET, 0);
	mnl_attr_put_strz(nlh, RINGNET_A_DEV_IFNAME, "rn0");
	mnl_attr_put_u8(nlh, RINGNET_A_DEV_ATTACHED, 1);
	rn_nl_call(&self->nl, nlh, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE('\0', r.msg[0]);
}

TEST_F(dev, unknown_command)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct rn_reply r;

	rn_nl_call(&self->nl, rn_nl_msg(&self->nl, buf, 99, 0), &r);
	EXPECT_EQ(-EOPNOTSUPP, r.error);
	/* notifications are not requests */
	rn_nl_call(&self->nl, rn_nl_msg(&self->nl, buf,
					RINGNET_CMD_DEV_CREATED_NTF, 0), &r);
	EXPECT_EQ(-EOPNOTSUPP, r.error);
}

static int dev_set(struct rn_nl *nl, const char *dev, int mem_type,
		   uint64_t mem, int off_type, uint64_t offloads,
		   struct rn_reply *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rn_nl_msg(nl, buf, RINGNET_CMD_DEV_SET, 0);

	mnl_attr_put_strz(nlh, RINGNET_A_DEV_IFNAME, dev);
	if (mem_type)
		mnl_attr_put_u64(nlh, mem_type, mem);
	if (off_type)
		mnl_attr_put_u64(nlh, off_type, offloads);
	return rn_nl_call(nl, nlh, r);
}

TEST_F(dev, set_and_read_back)
{
	struct rn_reply r;

	ASSERT_EQ(0, dev_set(&self->nl, "rn0", RINGNET_A_DEV_MEM_LIMIT, 8 << 20,
			     RINGNET_A_DEV_OFFLOADS, RINGNET_F_CSUM | RINGNET_F_TSO4, &r))
		TH_LOG("%s", r.msg);
	ASSERT_EQ(0, rn_dev_get(&self->nl, "rn0", 0, &r));
	EXPECT_EQ(8 << 20, attr_u64(&r, RINGNET_A_DEV_MEM_LIMIT));
	EXPECT_EQ(RINGNET_F_CSUM | RINGNET_F_TSO4, attr_u64(&r, RINGNET_A_DEV_OFFLOADS));

	/* only what is given changes */
	ASSERT_EQ(0, dev_set(&self->nl, "rn0", RINGNET_A_DEV_MEM_LIMIT, 16 << 20,
			     0, 0, &r));
	ASSERT_EQ(0, rn_dev_get(&self->nl, "rn0", 0, &r));
	EXPECT_EQ(16 << 20, attr_u64(&r, RINGNET_A_DEV_MEM_LIMIT));
	EXPECT_EQ(RINGNET_F_CSUM | RINGNET_F_TSO4, attr_u64(&r, RINGNET_A_DEV_OFFLOADS));
}

TEST_F(dev, set_rejections)
{
	struct rn_reply r;
	int uso;

	dev_set(&self->nl, "rn0", 0, 0, 0, 0, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_STREQ("nothing to change", r.msg);

	dev_set(&self->nl, "rn0", RINGNET_A_DEV_MEM_LIMIT, 4096, 0, 0, &r);
	EXPECT_EQ(-ERANGE, r.error);
	EXPECT_NE('\0', r.msg[0]);

	dev_set(&self->nl, "rn0", RINGNET_A_DEV_MEM_LIMIT, 1ULL << 50, 0, 0, &r);
	EXPECT_EQ(-ERANGE, r.error);
	EXPECT_STREQ("memory limit above the module's max_mem_limit", r.msg);

	dev_set(&self->nl, "rn0", 0, 0, RINGNET_A_DEV_OFFLOADS, 1ULL << 40, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE('\0', r.msg[0]);

	dev_set(&self->nl, "rn0", 0, 0, RINGNET_A_DEV_OFFLOADS, RINGNET_F_TSO4, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_STREQ("segmentation offloads need csum", r.msg);

	dev_set(&self->nl, "rn0", 0, 0, RINGNET_A_DEV_OFFLOADS,
		RINGNET_F_CSUM | RINGNET_F_TSO_ECN, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_STREQ("tso-ecn needs tso4 or tso6", r.msg);

	/* USO exists from 6.2 on: 6.1 leaves it out and says so, later kernels take it */
	uso = sh("grep -q VIRTIO_NET_HDR_GSO_UDP_L4 /lib/modules/$(uname -r)/build/include/linux/virtio_net.h 2>/dev/null || "
		 "grep -rqs VIRTIO_NET_HDR_GSO_UDP_L4 /usr/src/linux-headers-$(uname -r | sed 's/-amd64$//')-common/include/linux/virtio_net.h");
	dev_set(&self->nl, "rn0", 0, 0, RINGNET_A_DEV_OFFLOADS,
		RINGNET_F_CSUM | RINGNET_F_USO, &r);
	EXPECT_EQ(0, r.error) TH_LOG("%s", r.msg);
	if (uso != 0)
		EXPECT_STREQ("uso needs Linux 6.2 or later; not allowed", r.msg);
	ASSERT_EQ(0, rn_dev_get(&self->nl, "rn0", 0, &r));
	EXPECT_EQ(uso == 0 ? RINGNET_F_CSUM | RINGNET_F_USO : RINGNET_F_CSUM,
		  attr_u64(&r, RINGNET_A_DEV_OFFLOADS));

	/* a refused request changes nothing, not even its valid half */
	ASSERT_EQ(0, rn_dev_get(&self->nl, "rn0", 0, &r));
	EXPECT_EQ(64ULL << 20, attr_u64(&r, RINGNET_A_DEV_MEM_LIMIT));
	dev_set(&self->nl, "rn0", RINGNET_A_DEV_MEM_LIMIT, 8 << 20,
		RINGNET_A_DEV_OFFLOADS, RINGNET_F_TSO4, &r);
	EXPECT_EQ(-EINVAL, r.error);
	ASSERT_EQ(0, rn_dev_get(&self->nl, "rn0", 0, &r));
	EXPECT_EQ(64ULL << 20, attr_u64(&r, RINGNET_A_DEV_MEM_LIMIT));
}

/* Exit codes of the children below: 0 when all went as expected. */
static int child_set_expect(int expect)
{
	struct rn_reply r;
	struct rn_nl nl;

	if (rn_nl_open(&nl))
		return 10;
	/* reading is not privileged */
	if (rn_dev_get(&nl, "rn0", 0, &r))
		return 11;
	dev_set(&nl, "rn0", RINGNET_A_DEV_MEM_LIMIT, 8 << 20, 0, 0, &r);
	return r.error == expect ? 0 : 12;
}

static int unprivileged_user(void *arg)
{
	if (setgid(65534) || setuid(65534))
		return 20;
	return child_set_expect(-EPERM);
}

/* A user namespace that does not own the device's network namespace. */
static int foreign_userns(void *arg)
{
	if (unshare(CLONE_NEWUSER))
		return 21;
	return child_set_expect(-EPERM);
}

/*
 * A user namespace that owns its own network namespace can use ringnet.
 * Root is mapped inside so that the ip(8) it runs keeps its capabilities.
 */
static int own_userns_and_netns(void *arg)
{
	struct rn_reply r;
	struct rn_nl nl;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return 22;
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", "0 0 1") ||
	    write_file("/proc/self/gid_map", "0 0 1"))
		return 28;
	if (sh("ip link add rn5 type ringnet"))
		return 23;
	if (rn_nl_open(&nl))
		return 24;
	if (dev_set(&nl, "rn5", RINGNET_A_DEV_MEM_LIMIT, 8 << 20, 0, 0, &r))
		return 25;
	if (rn_dev_get(&nl, "rn5", 0, &r) ||
	    mnl_attr_get_u64(r.attrs[RINGNET_A_DEV_MEM_LIMIT]) != 8 << 20)
		return 26;
	/* and still cannot see the parent namespace's device */
	rn_dev_get(&nl, "rn0", 0, &r);
	if (r.error != -ENODEV)
		return 27;
	return 0;
}

TEST_F(dev, permission)
{
	EXPECT_EQ(0, in_child(unprivileged_user, NULL));
	EXPECT_EQ(0, in_child(foreign_userns, NULL));
	EXPECT_EQ(0, in_child(own_userns_and_netns, NULL));
	/* nothing the children tried changed rn0 */
	EXPECT_EQ(0, child_set_expect(0));
}

TEST_F(dev, netns_isolation)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rn_reply r;
	char ns[64];

	snprintf(ns, sizeof(ns), "rn-iso-%d", getpid());
	ASSERT_EQ(0, sh("ip netns add %s && ip -n %s link add rnx index 4242 type ringnet",
			ns, ns));

	rn_dev_get(&self->nl, "rnx", 0, &r);
	EXPECT_EQ(-ENODEV, r.error);
	rn_dev_get(&self->nl, NULL, 4242, &r);
	EXPECT_EQ(-ENODEV, r.error);
	dev_set(&self->nl, "rnx", RINGNET_A_DEV_MEM_LIMIT, 8 << 20, 0, 0, &r);
	EXPECT_EQ(-ENODEV, r.error);

	nlh = rn_nl_msg(&self->nl, buf, RINGNET_CMD_DEV_GET, NLM_F_DUMP);
	ASSERT_EQ(0, rn_nl_call(&self->nl, nlh, &r));
	EXPECT_EQ(1, r.count);
	EXPECT_STREQ("rn0", mnl_attr_get_str(r.attrs[RINGNET_A_DEV_IFNAME]));

	/* moved here, it becomes visible; and gone from the other */
	ASSERT_EQ(0, sh("ip -n %s link set rnx netns %d", ns, getpid()));
	ASSERT_EQ(0, rn_dev_get(&self->nl, NULL, 4242, &r)) TH_LOG("%s", r.msg);
	EXPECT_EQ(0, sh("ip -n %s link show rnx 2>/dev/null; test $? -ne 0", ns));
	sh("ip netns del %s", ns);
}

TEST_F(dev, events_in_order)
{
	struct rn_nl ev;
	char name[IFNAMSIZ];
	uint8_t cmd;
	char ns[64];

	ASSERT_EQ(0, rn_nl_open(&ev));
	ASSERT_EQ(0, rn_nl_subscribe(&ev));
	snprintf(ns, sizeof(ns), "rn-ev-%d", getpid());
	ASSERT_EQ(0, sh("ip netns add %s", ns));

	ASSERT_EQ(0, sh("ip link add rn7 type ringnet && ip link set rn7 netns %s", ns));
	ASSERT_EQ(0, sh("ip -n %s link set rn7 netns %d", ns, getpid()));
	ASSERT_EQ(0, sh("ip link del rn7"));
	/* a device in another namespace is not reported here */
	ASSERT_EQ(0, sh("ip -n %s link add rn8 type ringnet", ns));

	ASSERT_EQ(0, rn_nl_event(&ev, 2000, &cmd, name, sizeof(name)));
	EXPECT_EQ(RINGNET_CMD_DEV_CREATED_NTF, cmd);
	EXPECT_STREQ("rn7", name);
	ASSERT_EQ(0, rn_nl_event(&ev, 2000, &cmd, name, sizeof(name)));
	EXPECT_EQ(RINGNET_CMD_DEV_DELETED_NTF, cmd) TH_LOG("moved away");
	ASSERT_EQ(0, rn_nl_event(&ev, 2000, &cmd, name, sizeof(name)));
	EXPECT_EQ(RINGNET_CMD_DEV_CREATED_NTF, cmd) TH_LOG("moved back");
	ASSERT_EQ(0, rn_nl_event(&ev, 2000, &cmd, name, sizeof(name)));
	EXPECT_EQ(RINGNET_CMD_DEV_DELETED_NTF, cmd);
	EXPECT_STREQ("rn7", name);
	EXPECT_EQ(-ETIMEDOUT, rn_nl_event(&ev, 300, &cmd, name, sizeof(name)));

	sh("ip netns del %s", ns);
	rn_nl_close(&ev);
}

TEST_HARNESS_MAIN
