// SPDX-License-Identifier: GPL-2.0
/*
 * The ksrtp generic netlink family answers, in every network namespace, and
 * its strict policies reject what they do not know.
 */
#include <sched.h>
#include <stdlib.h>
#include <linux/ksrtp.h>

#include "kselftest_harness.h"
#include "ksft_nl.h"

FIXTURE(genl) {
	int fd;
	struct genl_family_info fam;
};

FIXTURE_SETUP(genl)
{
	self->fd = nl_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, genl_resolve(self->fd, KSRTP_FAMILY_NAME, &self->fam));
}

FIXTURE_TEARDOWN(genl)
{
	close(self->fd);
}

struct info {
	uint32_t version, features;
	char modver[64];
};

static int info_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KSRTP_A_INFO_MAX + 1];
	struct info *in = arg;

	if (nl_parse_genl(tb, KSRTP_A_INFO_MAX, nlh))
		return -1;
	if (tb[KSRTP_A_INFO_VERSION])
		in->version = nl_u32(tb[KSRTP_A_INFO_VERSION]);
	if (tb[KSRTP_A_INFO_FEATURES])
		in->features = nl_u32(tb[KSRTP_A_INFO_FEATURES]);
	if (tb[KSRTP_A_INFO_MODULE_VERSION])
		snprintf(in->modver, sizeof(in->modver), "%s",
			 (char *)nl_data(tb[KSRTP_A_INFO_MODULE_VERSION]));
	return 0;
}

TEST_F(genl, family_registered)
{
	EXPECT_NE(0, self->fam.id);
	EXPECT_EQ(KSRTP_FAMILY_VERSION, self->fam.version);
	EXPECT_NE(0, self->fam.events_grp);
}

TEST_F(genl, info_get)
{
	struct info in = { 0 };
	struct nl_reply r;
	struct nlmsg m;
	char sysver[64] = "";
	FILE *f;

	nl_init(&m, self->fam.id, 0, KSRTP_CMD_INFO_GET, KSRTP_FAMILY_VERSION);
	ASSERT_EQ(0, nl_talk(self->fd, &m, info_cb, &in, &r));
	EXPECT_EQ(1, r.nmsgs);
	EXPECT_EQ(KSRTP_FAMILY_VERSION, in.version);
	EXPECT_TRUE(in.features & KSRTP_FEATURE_INFO);
	EXPECT_TRUE(in.features & KSRTP_FEATURE_SOCK_SET);

	/* The reply names the module that is actually loaded. */
	f = fopen("/sys/module/ksrtp/version", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(sysver, sizeof(sysver), f));
	fclose(f);
	sysver[strcspn(sysver, "\n")] = 0;
	EXPECT_STREQ(sysver, in.modver);
}

TEST_F(genl, strict_policy_rejects_unlisted_attr)
{
	struct nl_reply r;
	struct nlmsg m;

	/* info-get takes no attributes: even a known one is refused. */
	nl_init(&m, self->fam.id, 0, KSRTP_CMD_INFO_GET, KSRTP_FAMILY_VERSION);
	nl_put_u32(&m, KSRTP_A_INFO_VERSION, 1);
	EXPECT_EQ(-EINVAL, nl_talk(self->fd, &m, NULL, NULL, &r));
	EXPECT_NE(0, r.extack[0]);
	TH_LOG("extack: %s", r.extack);
}

TEST_F(genl, strict_policy_rejects_unknown_attr)
{
	struct nl_reply r;
	struct nlmsg m;

	nl_init(&m, self->fam.id, 0, KSRTP_CMD_INFO_GET, KSRTP_FAMILY_VERSION);
	nl_put_u32(&m, KSRTP_A_INFO_MAX + 10, 1);
	EXPECT_EQ(-EINVAL, nl_talk(self->fd, &m, NULL, NULL, &r));
	EXPECT_NE(0, r.extack[0]);
}

TEST_F(genl, unknown_command)
{
	struct nl_reply r;
	struct nlmsg m;

	nl_init(&m, self->fam.id, 0, KSRTP_CMD_MAX + 1, KSRTP_FAMILY_VERSION);
	EXPECT_EQ(-EOPNOTSUPP, nl_talk(self->fd, &m, NULL, NULL, &r));
}

TEST(answers_in_new_netns)
{
	struct genl_family_info fam;
	struct info in = { 0 };
	struct nl_reply r;
	struct nlmsg m;
	int fd;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	fd = nl_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, genl_resolve(fd, KSRTP_FAMILY_NAME, &fam));
	nl_init(&m, fam.id, 0, KSRTP_CMD_INFO_GET, KSRTP_FAMILY_VERSION);
	ASSERT_EQ(0, nl_talk(fd, &m, info_cb, &in, &r));
	EXPECT_EQ(KSRTP_FAMILY_VERSION, in.version);
	close(fd);
}

TEST_HARNESS_MAIN
