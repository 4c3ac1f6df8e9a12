// CheckHomePath: the lexical gate, table-driven.
#include <gtest/gtest.h>

#include <string>

#include "core/fs/home_root.h"

namespace home {
namespace {

struct Case {
  std::string path;
  std::string want_code;        // "" when accepted
  std::string want_normalized;  // when accepted (or reserved)
};

TEST(PathCheckTest, Table) {
  const std::string long_name(256, 'x');
  const std::string max_name(255, 'x');
  const Case cases[] = {
      {".bashrc", "", ".bashrc"},
      {"a/b/c", "", "a/b/c"},
      {"./a", "", "a"},
      {"a/./b", "", "a/b"},
      {"a//b", "", "a/b"},
      {"a/../b", "", "b"},
      {"a/b/../../c", "", "c"},
      {"d\xc3\xa9j\xc3\xa0/\xe2\x9c\x93", "", "d\xc3\xa9j\xc3\xa0/\xe2\x9c\x93"},
      {max_name, "", max_name},
      {"a/" + max_name, "", "a/" + max_name},
      {"/home/alice/.bashrc", "", ".bashrc"},
      {"/home/alice//x/y", "", "x/y"},
      {"/home/alice/a/../b", "", "b"},
      {"", "ERR_INVALID_PATH", ""},
      {".", "ERR_INVALID_PATH", ""},
      {"./", "ERR_INVALID_PATH", ""},
      {"a/..", "ERR_INVALID_PATH", ""},
      {"..", "ERR_INVALID_PATH", ""},
      {"../x", "ERR_INVALID_PATH", ""},
      {"a/../../x", "ERR_INVALID_PATH", ""},
      {"a/", "ERR_INVALID_PATH", ""},
      {"a/b/", "ERR_INVALID_PATH", ""},
      {std::string("a\0b", 3), "ERR_INVALID_PATH", ""},
      {long_name, "ERR_INVALID_PATH", ""},
      {"a/" + long_name + "/b", "ERR_INVALID_PATH", ""},
      {"/etc/passwd", "ERR_INVALID_PATH", ""},
      {"/home/alice", "ERR_INVALID_PATH", ""},
      {"/home/alice/", "ERR_INVALID_PATH", ""},
      {"/home/alice2/x", "ERR_INVALID_PATH", ""},
      {"/home/alice/../bob/x", "ERR_INVALID_PATH", ""},
      {"/home/alice/..", "ERR_INVALID_PATH", ""},
      {".spoon", "ERR_RESERVED_PATH", ".spoon"},
      {".spoon/env-hash", "ERR_RESERVED_PATH", ".spoon/env-hash"},
      {"a/../.spoon/x", "ERR_RESERVED_PATH", ".spoon/x"},
      {"/home/alice/.spoon/x", "ERR_RESERVED_PATH", ".spoon/x"},
      {".spoonx/y", "", ".spoonx/y"},
      {"a/.spoon/y", "", "a/.spoon/y"},
  };
  for (const Case& c : cases) {
    std::string normalized = "junk";
    Error e = CheckHomePath(c.path, "/home/alice", &normalized);
    EXPECT_EQ(e.code, c.want_code) << "path: " << c.path;
    if (c.want_code.empty() || c.want_code == "ERR_RESERVED_PATH") {
      EXPECT_EQ(normalized, c.want_normalized) << "path: " << c.path;
    }
    if (!c.want_code.empty()) {
      EXPECT_EQ(e.path, c.path);
    }
  }
}

TEST(PathCheckTest, AbsolutePathsNeedAContainerHome) {
  std::string normalized;
  EXPECT_EQ(CheckHomePath("/home/alice/x", "", &normalized).code, "ERR_INVALID_PATH");
  EXPECT_TRUE(CheckHomePath("/home/alice/x", "/home/alice/", &normalized).ok());
  EXPECT_EQ(normalized, "x");
}

}  // namespace
}  // namespace home
