// The escape table: one list of hostile (and benign) homes in a tiny notation, run by every
// operation that resolves a path below the home, in both resolver modes (openat2 fast path and
// the manual walk). After each case, the tree outside the home must be exactly as it was.
#include "core/fs/home_root.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "core/fs/home_reader.h"
#include "core/fs/tree_remove.h"
#include "core/home/home_file.h"
#include "core/home/overlay_writer.h"
#include "escape_table.h"
#include "test_fs.h"

namespace home {
namespace {

using test::Build;
using test::EscapeCase;
using test::Exists;
using test::ReadText;
using test::ScratchDir;
using test::Snapshot;

enum class Op {
  kResolveForWrite,
  kOverlayWrite,
  kCreateIfMissing,
  kWriteDurable,
  kReadSmallFile,
  kRemoveTree,
  kReadHomeFile,  // the no-follow readers: a link is an answer, never an error, never followed
  kInspectHomePath,
};

bool FollowsNoLink(Op op) { return op == Op::kReadHomeFile || op == Op::kInspectHomePath; }

// What a no-follow reader must see at the case's path: the victim itself only when no link is on
// the way (the path lands where it says), the link itself when it is the final component, and
// otherwise a walk stopped at the first link or file on the way.
EntryKind NoFollowKind(const EscapeCase& c) {
  if (c.want_code.empty() && c.path == c.want_at) return c.final_is_link ? EntryKind::kSymlink : EntryKind::kFile;
  return EntryKind::kBlocked;
}

std::string OpName(Op op) {
  switch (op) {
    case Op::kResolveForWrite:
      return "ResolveForWrite";
    case Op::kOverlayWrite:
      return "OverlayWrite";
    case Op::kCreateIfMissing:
      return "CreateIfMissing";
    case Op::kWriteDurable:
      return "WriteDurable";
    case Op::kReadSmallFile:
      return "ReadSmallFile";
    case Op::kRemoveTree:
      return "RemoveTree";
    case Op::kReadHomeFile:
      return "ReadHomeFile";
    case Op::kInspectHomePath:
      return "InspectHomePath";
  }
  return "?";
}

struct Mode {
  Op op;
  bool manual;
};

void PrintTo(const Mode& mode, std::ostream* os) { *os << OpName(mode.op) << (mode.manual ? "/manual" : "/openat2"); }

class EscapeTable : public ::testing::TestWithParam<Mode> {};

// Readers and removers need something to find: a victim file where the path should land (unless
// something, such as the symlink under test, is already there).
void PlantVictim(const std::string& home, const EscapeCase& c) {
  if (!c.want_code.empty() || Exists(home + "/" + c.want_at)) return;
  std::filesystem::create_directories(std::filesystem::path(home + "/" + c.want_at).parent_path());
  test::WriteText(home + "/" + c.want_at, "victim");
}

// Runs one operation on `path` and checks what it did; returns its error code ("" on success).
std::string RunOp(Op op, const HomeRoot& root, const HomeOptions& options, const std::string& home,
                  const EscapeCase& c) {
  const std::string at = home + "/" + c.want_at;
  switch (op) {
    case Op::kResolveForWrite: {
      HomeRoot::Parent parent;
      if (Error e = root.ResolveParent(c.path, true, &parent)) return e.code;
      // What every writer does with the pair: replace the name, never follow it.
      if (::unlinkat(parent.dir.get(), parent.name.c_str(), 0) != 0 && errno != ENOENT) return "unlink failed";
      int fd =
          ::openat(parent.dir.get(), parent.name.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0) return "create failed";
      EXPECT_EQ(::write(fd, "written", 7), 7);
      ::close(fd);
      EXPECT_EQ(ReadText(at), "written");
      return "";
    }
    case Op::kOverlayWrite: {
      OverlayResult result;
      Error e = WriteOverlay(home, {{c.path, "written", false}}, options, CancelFlag(), &result);
      if (e) return result.failures.size() == 1 ? result.failures[0].code : e.code;
      const std::string lands = c.overlay_at.empty() ? at : home + "/" + c.overlay_at;
      EXPECT_EQ(ReadText(lands), "written");
      struct stat st;
      EXPECT_EQ(::lstat(lands.c_str(), &st), 0);
      EXPECT_TRUE(S_ISREG(st.st_mode));
      if (!c.overlay_at.empty()) {
        EXPECT_EQ(::lstat(at.c_str(), &st), 0);
        EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the link stays";
      }
      return "";
    }
    case Op::kCreateIfMissing: {
      bool created = false;
      if (Error e = CreateFileIfMissing(home, c.path, "written", options, &created)) return e.code;
      EXPECT_EQ(created, !c.final_is_link);
      struct stat st;
      EXPECT_EQ(::lstat(at.c_str(), &st), 0);
      EXPECT_EQ(S_ISLNK(st.st_mode), c.final_is_link);  // a link there stays, untouched
      if (!c.final_is_link) {
        EXPECT_EQ(ReadText(at), "written");
      }
      return "";
    }
    case Op::kWriteDurable: {
      if (Error e = WriteFileDurable(home, c.path, "written", options)) return e.code;
      EXPECT_EQ(ReadText(at), "written");
      return "";
    }
    case Op::kReadSmallFile: {
      PlantVictim(home, c);
      std::optional<std::string> content;
      if (Error e = ReadSmallFile(home, c.path, 1024, options, &content)) return e.code;
      // Never read through a final link: it reads as absent.
      if (c.final_is_link) {
        EXPECT_FALSE(content.has_value());
      } else {
        EXPECT_EQ(content.value_or("<absent>"), "victim");
      }
      return "";
    }
    case Op::kReadHomeFile: {
      PlantVictim(home, c);
      HomeFileRead read;
      if (Error e = ReadHomeFile(home, c.path, 1024, options, &read)) return e.code;
      EXPECT_EQ(read.entry.kind, NoFollowKind(c)) << EntryKindName(read.entry.kind);
      EXPECT_EQ(read.content.has_value(), NoFollowKind(c) == EntryKind::kFile);
      if (read.content) {
        EXPECT_EQ(*read.content, "victim");
      }
      return "";
    }
    case Op::kInspectHomePath: {
      PlantVictim(home, c);
      EntryInfo entry;
      if (Error e = InspectHomePath(home, c.path, options, &entry)) return e.code;
      EXPECT_EQ(entry.kind, NoFollowKind(c)) << EntryKindName(entry.kind);
      if (entry.kind == EntryKind::kBlocked) {
        // The first component of the case's path is the one every link or file case plants.
        EXPECT_EQ(c.path.rfind(entry.blocked_at + "/", 0), 0u) << entry.blocked_at;
      }
      return "";
    }
    case Op::kRemoveTree: {
      PlantVictim(home, c);
      HomeRoot::Parent parent;
      if (Error e = root.ResolveParent(c.path, false, &parent)) return e.code;
      if (Error e = RemoveTree(parent.dir.get(), parent.name)) return e.code;
      EXPECT_FALSE(Exists(at));
      return "";
    }
  }
  return "?";
}

TEST_P(EscapeTable, EveryCase) {
  const Mode mode = GetParam();
  for (const EscapeCase& c : test::EscapeCases()) {
    SCOPED_TRACE(c.name);
    ScratchDir scratch;
    const std::string home = scratch / "home";
    const std::string outside = scratch / "outside";
    std::filesystem::create_directories(home);
    Build(outside, {"dir/", "dir/inner", "target"});
    ::chmod((outside + "/target").c_str(), 0600);
    Build(home, test::Substitute(c.fs, outside));
    const std::string before = Snapshot(outside);

    HomeOptions options;
    options.container_home = test::kContainerHome;
    options.force_manual_walk = mode.manual;
    HomeRoot root;
    ASSERT_TRUE(HomeRoot::Open(home, options, &root).ok());

    std::string code = RunOp(mode.op, root, options, home, c);
    EXPECT_EQ(code, FollowsNoLink(mode.op) ? "" : c.want_code) << c.name;
    EXPECT_EQ(Snapshot(outside), before) << c.name << ": the tree outside the home changed";
  }
}

INSTANTIATE_TEST_SUITE_P(AllOps, EscapeTable, ::testing::ValuesIn([] {
                           std::vector<Mode> modes;
                           for (Op op : {Op::kResolveForWrite, Op::kOverlayWrite, Op::kCreateIfMissing,
                                         Op::kWriteDurable, Op::kReadSmallFile, Op::kRemoveTree, Op::kReadHomeFile,
                                         Op::kInspectHomePath}) {
                             modes.push_back({op, false});
                             modes.push_back({op, true});
                           }
                           return modes;
                         }()),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return OpName(info.param.op) + (info.param.manual ? "_ManualWalk" : "_Openat2");
                         });

TEST(HomeRootTest, OpenRefusesASymlinkedOrMissingHome) {
  ScratchDir scratch;
  Build(scratch.path(), {"real/", "link => real", "file"});
  HomeRoot root;
  EXPECT_TRUE(HomeRoot::Open(scratch / "real", {}, &root).ok());
  EXPECT_EQ(HomeRoot::Open(scratch / "link", {}, &root).code, "ERR_HOME_INVALID");
  EXPECT_EQ(HomeRoot::Open(scratch / "file", {}, &root).code, "ERR_HOME_INVALID");
  EXPECT_EQ(HomeRoot::Open(scratch / "missing", {}, &root).code, "ERR_HOME_INVALID");
  EXPECT_EQ(HomeRoot::Open("relative/home", {}, &root).code, "ERR_HOME_INVALID");
}

TEST(HomeRootTest, CreatedDirectoriesAre0755WhateverTheUmask) {
  for (bool manual : {false, true}) {
    ScratchDir scratch;
    mode_t old = ::umask(077);
    HomeOptions options;
    options.force_manual_walk = manual;
    HomeRoot root;
    ASSERT_TRUE(HomeRoot::Open(scratch.path(), options, &root).ok());
    HomeRoot::Parent parent;
    Error e = root.ResolveParent("a/b/c/f", true, &parent);
    ::umask(old);
    ASSERT_TRUE(e.ok()) << e.message;
    EXPECT_EQ(parent.name, "f");
    for (const char* dir : {"a", "a/b", "a/b/c"}) {
      struct stat st;
      ASSERT_EQ(::lstat((scratch / dir).c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 07777, 0755u) << dir;
    }
  }
}

// `created` says the directory reached is one this resolution made: only then may the overlay
// skip looking at the name before it renames over it.
TEST(HomeRootTest, ResolveParentSaysWhetherItMadeTheDirectory) {
  for (bool manual : {false, true}) {
    ScratchDir scratch;
    ASSERT_EQ(::mkdir((scratch / "old").c_str(), 0755), 0);
    ASSERT_EQ(::symlink("old", (scratch / "link").c_str()), 0);
    HomeOptions options;
    options.force_manual_walk = manual;
    HomeRoot root;
    ASSERT_TRUE(HomeRoot::Open(scratch.path(), options, &root).ok());
    const struct {
      const char* path;
      bool created;
    } cases[] = {
        {"f", false},             // the home itself
        {"old/f", false},         // there already
        {"link/f", false},        // there already, through a link
        {"old/new/f", true},      // made by this call
        {"old/new/f2", false},    // made by the call before
        {"a/b/../c/f", true},     // the last one made
        {"a/c/../b/f", false},    // made before, reached through '..'
    };
    for (const auto& c : cases) {
      HomeRoot::Parent parent;
      const Error e = root.ResolveParent(c.path, true, &parent);
      ASSERT_TRUE(e.ok()) << c.path << ": " << e.message;
      EXPECT_EQ(parent.created, c.created) << c.path << (manual ? " (manual)" : " (openat2)");
    }
  }
}

// ResolveDirectory walks every component with the same rules: the directory itself, through
// in-home links, never out; empty names the home.
TEST(HomeRootTest, ResolveDirectoryNamesTheDirectoryItselfWithTheSameRules) {
  for (bool manual : {false, true}) {
    ScratchDir scratch;
    ScratchDir outside;
    std::filesystem::create_directories(scratch / "home/a/b");
    test::WriteText(scratch / "home/a/b/marker", "in");
    ASSERT_EQ(::symlink("a", (scratch / "home/link").c_str()), 0);
    ASSERT_EQ(::symlink(outside.path().c_str(), (scratch / "home/out").c_str()), 0);
    HomeOptions options;
    options.force_manual_walk = manual;
    HomeRoot root;
    ASSERT_TRUE(HomeRoot::Open(scratch / "home", options, &root).ok());
    struct stat st;
    for (const char* dir : {"a/b", "link/b"}) {
      UniqueFd fd;
      Error e = root.ResolveDirectory(dir, false, &fd);
      ASSERT_TRUE(e.ok()) << dir << ": " << e.message;
      EXPECT_EQ(::fstatat(fd.get(), "marker", &st, AT_SYMLINK_NOFOLLOW), 0) << dir << " resolved to a/b";
    }
    UniqueFd home;
    ASSERT_TRUE(root.ResolveDirectory("", false, &home).ok());
    EXPECT_EQ(::fstatat(home.get(), "link", &st, AT_SYMLINK_NOFOLLOW), 0) << "empty is the home";
    UniqueFd escaped;
    EXPECT_EQ(root.ResolveDirectory("out", false, &escaped).code, "ERR_SYMLINK_ESCAPE");
    EXPECT_EQ(root.ResolveDirectory("a/missing", false, &escaped).code, "ERR_NOT_DIRECTORY");
    UniqueFd made;
    ASSERT_TRUE(root.ResolveDirectory("a/new/deeper", true, &made).ok());
    EXPECT_TRUE(std::filesystem::is_directory(scratch / "home/a/new/deeper"));
  }
}

TEST(HomeRootTest, CreatedDirectoriesGetTheOwnerWhenRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "fchown to another user needs root";
  ScratchDir scratch;
  HomeOptions options;
  options.uid = 4242;
  options.gid = 4343;
  options.force_manual_walk = true;
  HomeRoot root;
  ASSERT_TRUE(HomeRoot::Open(scratch.path(), options, &root).ok());
  HomeRoot::Parent parent;
  ASSERT_TRUE(root.ResolveParent("x/y/f", true, &parent).ok());
  struct stat st;
  ASSERT_EQ(::lstat((scratch / "x/y").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 4242u);
  EXPECT_EQ(st.st_gid, 4343u);
}

TEST(HomeRootTest, MissingDirectoryWithoutCreateIsEnoent) {
  for (bool manual : {false, true}) {
    ScratchDir scratch;
    HomeOptions options;
    options.force_manual_walk = manual;
    HomeRoot root;
    ASSERT_TRUE(HomeRoot::Open(scratch.path(), options, &root).ok());
    HomeRoot::Parent parent;
    Error e = root.ResolveParent("no/such/f", false, &parent);
    EXPECT_EQ(e.code, "ERR_NOT_DIRECTORY");
    EXPECT_EQ(e.sys_errno, ENOENT);
    EXPECT_FALSE(Exists(scratch / "no"));
  }
}

TEST(HomeRootTest, TopLevelNameGetsTheHomeItself) {
  ScratchDir scratch;
  HomeRoot root;
  ASSERT_TRUE(HomeRoot::Open(scratch.path(), {}, &root).ok());
  HomeRoot::Parent parent;
  ASSERT_TRUE(root.ResolveParent("file", true, &parent).ok());
  EXPECT_EQ(parent.name, "file");
  struct stat a, b;
  ASSERT_EQ(::fstat(parent.dir.get(), &a), 0);
  ASSERT_EQ(::stat(scratch.path().c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_NE(parent.dir.get(), root.fd());  // a descriptor of its own
}

TEST(HomeRootTest, ReportsWhetherOpenat2Exists) {
  // This machine's kernel is recent; the answer must at least be stable.
  EXPECT_EQ(HasOpenat2(), HasOpenat2());
}

}  // namespace
}  // namespace home
