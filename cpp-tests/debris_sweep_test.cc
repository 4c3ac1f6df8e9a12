// SweepDebris: what a killed materialization leaves (temporary files of atomic writes in the
// home, clone directories in the staging area) is removed; nothing else is, and nothing outside
// the home is touched even through a symlinked overlay directory.
#include "core/home/debris_sweep.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs/atomic_file.h"
#include "test_fs.h"

namespace home {
namespace {

const std::string kTemp = ".home-native-0123456789abcdef01234567.tmp";

TEST(DebrisSweepTest, TempNamesAreRecognizedExactly) {
  EXPECT_TRUE(IsTempName(kTemp));
  EXPECT_FALSE(IsTempName(".home-native-0123456789abcdef0123456.tmp"));    // 23 hex
  EXPECT_FALSE(IsTempName(".home-native-0123456789ABCDEF01234567.tmp"));   // upper case
  EXPECT_FALSE(IsTempName(".home-native-0123456789abcdef01234567.tmpx"));
  EXPECT_FALSE(IsTempName("home-native-0123456789abcdef01234567.tmp"));
  EXPECT_FALSE(IsTempName(".bashrc"));
}

TEST(DebrisSweepTest, RemovesTempFilesAndCloneDebrisOnly) {
  test::ScratchDir scratch;
  const std::string home = scratch / "homes/alice";
  const std::string staging = scratch / "homes/.home-native";
  const std::string outside = scratch / "outside";
  ASSERT_EQ(mkdir((scratch / "homes").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(home.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(outside.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((home + "/.spoon").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((home + "/.config").c_str(), 0755), 0);
  for (const std::string& dir : {home, home + "/.spoon", home + "/.config", outside}) {
    test::WriteText(dir + "/" + kTemp, "partial");
    test::WriteText(dir + "/keep", "keep");
  }
  ASSERT_EQ(symlink(outside.c_str(), (home + "/linked").c_str()), 0);  // an escape: never swept
  ASSERT_EQ(mkdir(staging.c_str(), 0700), 0);
  ASSERT_EQ(mkdir((staging + "/clone-00000000deadbeef").c_str(), 0755), 0);
  test::WriteText(staging + "/clone-00000000deadbeef.lock", "");
  test::WriteText(staging + "/clone-00000000deadbeef/file", "x");

  SweepResult result;
  const Error e = SweepDebris(home, staging, {".config/app.conf", "linked/x", "../escape", "top"}, HomeOptions{}, &result);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(result.temp_files, 3u);
  for (const std::string& dir : {home, home + "/.spoon", home + "/.config"}) {
    EXPECT_NE(access((dir + "/" + kTemp).c_str(), F_OK), 0) << dir;
    EXPECT_EQ(test::ReadText(dir + "/keep"), "keep") << dir;
  }
  EXPECT_EQ(test::ReadText(outside + "/" + kTemp), "partial");
  EXPECT_NE(access((staging + "/clone-00000000deadbeef").c_str(), F_OK), 0);
  EXPECT_NE(access((staging + "/clone-00000000deadbeef.lock").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace home
