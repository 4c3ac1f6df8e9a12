// MakeHomeDirectory: `mkdir -p` of the home itself, 0755 less the umask; an existing directory is
// fine, anything else on the way is ERR_HOME_INVALID with the OS error and the failing prefix.
#include <sys/stat.h>

#include "core/home/home_file.h"
#include "test_fs.h"

namespace home {
namespace {

using test::ScratchDir;
using test::WriteText;

TEST(MakeHomeDirectory, CreatesTheHomeAndItsMissingParents) {
  ScratchDir scratch;
  const std::string home = scratch / "homes/alice";
  const mode_t old_umask = ::umask(022);
  ASSERT_FALSE(MakeHomeDirectory(home));
  ::umask(old_umask);
  struct stat st;
  ASSERT_EQ(::lstat(home.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  ASSERT_EQ(::lstat((scratch / "homes").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  // Again: everything exists, nothing to do.
  EXPECT_FALSE(MakeHomeDirectory(home));
}

TEST(MakeHomeDirectory, AFileOnTheWayIsErrHomeInvalidNamingIt) {
  ScratchDir scratch;
  WriteText(scratch / "homes", "not a directory");
  Error e = MakeHomeDirectory(scratch / "homes/alice");
  EXPECT_EQ(e.code, "ERR_HOME_INVALID");
  EXPECT_EQ(e.sys_errno, ENOTDIR);
  EXPECT_EQ(e.path, scratch / "homes");  // the component that is not a directory
  // The home itself being a file is refused the same way.
  WriteText(scratch / "bob", "");
  e = MakeHomeDirectory(scratch / "bob");
  EXPECT_EQ(e.code, "ERR_HOME_INVALID");
  EXPECT_EQ(e.sys_errno, ENOTDIR);
  EXPECT_EQ(e.path, scratch / "bob");
}

TEST(MakeHomeDirectory, ARelativePathIsRefused) {
  EXPECT_EQ(MakeHomeDirectory("homes/alice").code, "ERR_HOME_INVALID");
  EXPECT_EQ(MakeHomeDirectory("").code, "ERR_HOME_INVALID");
}

}  // namespace
}  // namespace home
