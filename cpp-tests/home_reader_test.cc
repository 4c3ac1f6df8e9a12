// The no-follow readers (core/fs/home_reader.h): what they answer for each kind of entry the user
// can plant, in both walk modes, that a fifo never blocks them, that a cap is never read past,
// and that a listing comes from the directory's own descriptor.
#include "core/fs/home_reader.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/home/home_file.h"
#include "test_fs.h"

namespace home {
namespace {

using test::Build;
using test::ScratchDir;

class HomeReaderTest : public ::testing::TestWithParam<bool> {
 protected:
  HomeOptions Options() const {
    HomeOptions options;
    options.container_home = "/home/alice";
    options.force_manual_walk = GetParam();
    return options;
  }
  EntryInfo Inspect(const std::string& home, const std::string& rel) const {
    EntryInfo entry;
    Error e = InspectHomePath(home, rel, Options(), &entry);
    EXPECT_TRUE(e.ok()) << rel << ": " << e.code << " " << e.message;
    return entry;
  }
  HomeFileRead Read(const std::string& home, const std::string& rel, size_t max_bytes) const {
    HomeFileRead read;
    Error e = ReadHomeFile(home, rel, max_bytes, Options(), &read);
    EXPECT_TRUE(e.ok()) << rel << ": " << e.code << " " << e.message;
    return read;
  }
};

TEST_P(HomeReaderTest, InspectSaysWhatIsThereFollowingNothing) {
  ScratchDir scratch;
  Build(scratch.path(), {"outside/secret", "home/d/", "home/d/f", "home/l => /etc", "home/in => d", "home/file"});
  ASSERT_EQ(::mkfifo((scratch / "home/fifo").c_str(), 0600), 0);
  const std::string home = scratch / "home";

  EntryInfo file = Inspect(home, "d/f");
  EXPECT_EQ(file.kind, EntryKind::kFile);
  EXPECT_EQ(file.size, 8u);  // "home/d/f": Build writes each file's own entry into it
  EXPECT_EQ(Inspect(home, "d").kind, EntryKind::kDirectory);
  EXPECT_EQ(Inspect(home, "fifo").kind, EntryKind::kOther);
  EXPECT_EQ(Inspect(home, "nothing").kind, EntryKind::kMissing);
  EXPECT_EQ(Inspect(home, "nothing/below").kind, EntryKind::kMissing);
  EXPECT_EQ(Inspect(home, ".spoon/env-hash").kind, EntryKind::kMissing);  // the package's own: allowed

  EntryInfo link = Inspect(home, "l");
  EXPECT_EQ(link.kind, EntryKind::kSymlink);
  EXPECT_EQ(link.target, "/etc");
  // A link on the way is not followed, not even one that stays inside.
  for (const char* rel : {"l/passwd", "in/f"}) {
    EntryInfo blocked = Inspect(home, rel);
    EXPECT_EQ(blocked.kind, EntryKind::kBlocked) << rel;
    EXPECT_TRUE(blocked.blocked_by_symlink) << rel;
    EXPECT_EQ(blocked.blocked_at, std::string(rel).substr(0, std::string(rel).find('/')));
  }
  EntryInfo through_file = Inspect(home, "file/x/y");
  EXPECT_EQ(through_file.kind, EntryKind::kBlocked);
  EXPECT_FALSE(through_file.blocked_by_symlink);
  EXPECT_EQ(through_file.blocked_at, "file");
}

TEST_P(HomeReaderTest, ABlockedWalkNamesTheDeepestComponentReached) {
  ScratchDir scratch;
  Build(scratch.path(), {"home/a/b/", "home/a/b/c => /etc"});
  EntryInfo entry = Inspect(scratch / "home", "a/b/c/d/passwd");
  EXPECT_EQ(entry.kind, EntryKind::kBlocked);
  EXPECT_EQ(entry.blocked_at, "a/b/c");
  EXPECT_TRUE(entry.blocked_by_symlink);
}

TEST_P(HomeReaderTest, PathsThatLeaveTheHomeAreRefusedBeforeAnyLook) {
  ScratchDir scratch;
  Build(scratch.path(), {"home/"});
  EntryInfo entry;
  EXPECT_EQ(InspectHomePath(scratch / "home", "../outside", Options(), &entry).code, "ERR_INVALID_PATH");
  EXPECT_EQ(InspectHomePath(scratch / "home", "/etc/passwd", Options(), &entry).code, "ERR_INVALID_PATH");
  EXPECT_EQ(InspectHomePath(scratch / "missing-home", "x", Options(), &entry).code, "ERR_HOME_INVALID");
}

TEST_P(HomeReaderTest, ReadReturnsASmallRegularFileOnly) {
  ScratchDir scratch;
  Build(scratch.path(), {"home/.spoon/", "home/d/", "home/l => d/f"});
  test::WriteText(scratch / "home/.spoon/env-hash", "abc\n");
  test::WriteText(scratch / "home/d/f", "content");
  const std::string home = scratch / "home";

  HomeFileRead marker = Read(home, ".spoon/env-hash", 64);
  ASSERT_TRUE(marker.content.has_value());
  EXPECT_EQ(*marker.content, "abc\n");
  HomeFileRead link = Read(home, "l", 64);
  EXPECT_EQ(link.entry.kind, EntryKind::kSymlink);
  EXPECT_EQ(link.entry.target, "d/f");
  EXPECT_FALSE(link.content.has_value());
  HomeFileRead dir = Read(home, "d", 64);
  EXPECT_EQ(dir.entry.kind, EntryKind::kDirectory);
  EXPECT_FALSE(dir.content.has_value());
  EXPECT_EQ(Read(home, "d/missing", 64).entry.kind, EntryKind::kMissing);
}

TEST_P(HomeReaderTest, AFileOverTheCapIsNotRead) {
  ScratchDir scratch;
  Build(scratch.path(), {"home/"});
  test::WriteText(scratch / "home/big", std::string(4096, 'x'));
  test::WriteText(scratch / "home/exact", std::string(16, 'x'));
  HomeFileRead big = Read(scratch / "home", "big", 16);
  EXPECT_EQ(big.entry.kind, EntryKind::kFile);
  EXPECT_EQ(big.entry.size, 4096u);
  EXPECT_FALSE(big.content.has_value());
  HomeFileRead exact = Read(scratch / "home", "exact", 16);
  ASSERT_TRUE(exact.content.has_value());
  EXPECT_EQ(exact.content->size(), 16u);
}

TEST_P(HomeReaderTest, AFifoOrASocketIsNeverOpened) {
  ScratchDir scratch;
  Build(scratch.path(), {"home/"});
  // No writer on the fifo: an open for reading without O_NONBLOCK would block forever.
  ASSERT_EQ(::mkfifo((scratch / "home/fifo").c_str(), 0600), 0);
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string socket_path = scratch / "home/sock";
  ASSERT_LT(socket_path.size(), sizeof address.sun_path);
  std::copy(socket_path.begin(), socket_path.end(), address.sun_path);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  for (const char* rel : {"fifo", "sock"}) {
    HomeFileRead read = Read(scratch / "home", rel, 64);
    EXPECT_EQ(read.entry.kind, EntryKind::kOther) << rel;
    EXPECT_FALSE(read.content.has_value()) << rel;
  }
  ::close(sock);
}

TEST_P(HomeReaderTest, ListingGivesKindsAndTargetsAndStopsAtTheCap) {
  ScratchDir scratch;
  Build(scratch.path(), {"home/d/", "home/d/f", "home/d/sub/", "home/d/l => ../../outside", "home/top"});
  ASSERT_EQ(::mkfifo((scratch / "home/d/fifo").c_str(), 0600), 0);
  const std::string home = scratch / "home";

  DirListing listing;
  ASSERT_TRUE(ListHomeDirectory(home, "d", 100, Options(), &listing).ok());
  EXPECT_EQ(listing.entry.kind, EntryKind::kDirectory);
  EXPECT_FALSE(listing.capped);
  std::sort(listing.entries.begin(), listing.entries.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  ASSERT_EQ(listing.entries.size(), 4u);
  EXPECT_EQ(listing.entries[0].name, "f");
  EXPECT_EQ(listing.entries[0].kind, EntryKind::kFile);
  EXPECT_EQ(listing.entries[1].name, "fifo");
  EXPECT_EQ(listing.entries[1].kind, EntryKind::kOther);
  EXPECT_EQ(listing.entries[2].name, "l");
  EXPECT_EQ(listing.entries[2].kind, EntryKind::kSymlink);
  EXPECT_EQ(listing.entries[2].target, "../../outside");
  EXPECT_EQ(listing.entries[3].name, "sub");
  EXPECT_EQ(listing.entries[3].kind, EntryKind::kDirectory);

  DirListing capped;
  ASSERT_TRUE(ListHomeDirectory(home, "d", 2, Options(), &capped).ok());
  EXPECT_TRUE(capped.capped);
  EXPECT_EQ(capped.entries.size(), 2u);

  DirListing root;
  ASSERT_TRUE(ListHomeDirectory(home, "", 100, Options(), &root).ok());
  EXPECT_EQ(root.entry.kind, EntryKind::kDirectory);
  EXPECT_EQ(root.entries.size(), 2u);  // d, top
}

TEST_P(HomeReaderTest, ALinkedDirectoryIsReportedNotListed) {
  ScratchDir scratch;
  Build(scratch.path(), {"outside/secret", "home/d/", "home/l => ../outside", "home/in => d", "home/file"});
  const std::string home = scratch / "home";
  for (const char* rel : {"l", "in"}) {
    DirListing listing;
    ASSERT_TRUE(ListHomeDirectory(home, rel, 100, Options(), &listing).ok());
    EXPECT_EQ(listing.entry.kind, EntryKind::kSymlink) << rel;
    EXPECT_TRUE(listing.entries.empty()) << rel;
  }
  DirListing below;
  ASSERT_TRUE(ListHomeDirectory(home, "l/x", 100, Options(), &below).ok());
  EXPECT_EQ(below.entry.kind, EntryKind::kBlocked);
  EXPECT_EQ(below.entry.blocked_at, "l");
  DirListing file;
  ASSERT_TRUE(ListHomeDirectory(home, "file", 100, Options(), &file).ok());
  EXPECT_EQ(file.entry.kind, EntryKind::kFile);
  DirListing missing;
  ASSERT_TRUE(ListHomeDirectory(home, "nothing", 100, Options(), &missing).ok());
  EXPECT_EQ(missing.entry.kind, EntryKind::kMissing);
}

TEST_P(HomeReaderTest, ReadSmallFileKeepsItsAnswers) {
  // ReadSmallFile shares the capped read; its own contract (absent for a link or a fifo, an
  // error over the cap) is unchanged.
  ScratchDir scratch;
  Build(scratch.path(), {"home/.spoon/", "home/.spoon/l => /etc/passwd"});
  test::WriteText(scratch / "home/.spoon/env-hash", "hash");
  test::WriteText(scratch / "home/.spoon/big", std::string(100, 'x'));
  ASSERT_EQ(::mkfifo((scratch / "home/.spoon/fifo").c_str(), 0600), 0);
  const std::string home = scratch / "home";
  std::optional<std::string> content;
  ASSERT_TRUE(ReadSmallFile(home, ".spoon/env-hash", 64, Options(), &content).ok());
  EXPECT_EQ(content.value_or("<absent>"), "hash");
  for (const char* rel : {".spoon/l", ".spoon/fifo", ".spoon/missing"}) {
    ASSERT_TRUE(ReadSmallFile(home, rel, 64, Options(), &content).ok()) << rel;
    EXPECT_FALSE(content.has_value()) << rel;
  }
  EXPECT_EQ(ReadSmallFile(home, ".spoon/big", 64, Options(), &content).code, "ERR_FILE_TOO_LARGE");
}

INSTANTIATE_TEST_SUITE_P(BothWalks, HomeReaderTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "ManualWalk" : "Openat2";
                         });

}  // namespace
}  // namespace home
