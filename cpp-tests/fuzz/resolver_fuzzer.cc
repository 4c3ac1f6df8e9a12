// libFuzzer target for the resolver, HomeRoot::ResolveParent, in both modes (openat2 with its
// fallback, and the forced manual walk). Each input builds a small random tree in a scratch home:
// directories and symlinks whose targets are relative (with "..", climbing out or not), absolute
// under the container home ("/home/alice/..."), absolute to the real outside directory, to the
// real home path (not under containerHome, so an escape) or to "/". Then it resolves random paths,
// with and without creating missing directories, and checks:
//   - a successful call returns a directory inside the home (its /proc/self/fd link names the
//     home or a path below it), and a single final name;
//   - without creation, both modes agree: both fail, or both succeed on the same inode;
//   - the outside tree never changes, and no descriptor is left open.
#include <dirent.h>
#include <fcntl.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/base/unique_fd.h"
#include "core/fs/home_root.h"

namespace {

constexpr const char* kContainerHome = "/home/alice";
const char* const kNames[] = {"a", "b", "c", "d"};
const char* const kQueryNames[] = {"a", "b", "c", "d", "x", ".", ".."};
const char* const kTargetNames[] = {"a", "b", "c", "d", "..", ".", "x", ""};
constexpr int kMaxOps = 12;
constexpr int kMaxQueries = 8;

struct Scratch {
  std::string root;     // real path, no symlinks
  std::string home;     // root/home
  std::string outside;  // root/outside
  std::set<std::string> outside_baseline;
};

std::set<std::string> List(const std::string& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    out.insert(it->path().string());
  }
  return out;
}

const Scratch& GetScratch() {
  static const Scratch scratch = [] {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (base && *base ? base : "/tmp")) +
                        "/home-native-fuzz-XXXXXX";
    if (!mkdtemp(templ.data())) std::abort();
    char real[PATH_MAX];
    if (!realpath(templ.c_str(), real)) std::abort();
    Scratch s;
    s.root = real;
    s.home = s.root + "/home";
    s.outside = s.root + "/outside";
    if (mkdir(s.home.c_str(), 0755) != 0 || mkdir(s.outside.c_str(), 0755) != 0 ||
        mkdir((s.outside + "/d").c_str(), 0755) != 0) {
      std::abort();
    }
    if (FILE* f = std::fopen((s.outside + "/sentinel").c_str(), "w")) {
      std::fputs("outside\n", f);
      std::fclose(f);
    }
    s.outside_baseline = List(s.outside);
    // Registered while `scratch` is still being built, so the handler runs after its destructor:
    // it keeps its own copy of the path.
    static char root_copy[PATH_MAX];
    std::snprintf(root_copy, sizeof root_copy, "%s", s.root.c_str());
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(root_copy, ec);
    });
    return s;
  }();
  return scratch;
}

void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "resolver invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}

int CountFds() {
  int n = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir)) ++n;
    closedir(dir);
  }
  return n;
}

void ClearHome(const Scratch& s) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(s.home, ec)) {
    std::filesystem::remove_all(entry.path(), ec);  // never follows symlinks
  }
}

std::string Join(FuzzedDataProvider& in, const char* const* names, size_t count, int max_parts) {
  std::string out;
  const int parts = in.ConsumeIntegralInRange<int>(1, max_parts);
  for (int i = 0; i < parts; ++i) {
    if (i) out += '/';
    out += names[in.ConsumeIntegralInRange<size_t>(0, count - 1)];
  }
  return out;
}

std::string Target(FuzzedDataProvider& in, const Scratch& s) {
  const std::string rel = Join(in, kTargetNames, std::size(kTargetNames), 4);
  std::string target;
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: case 1: target = rel; break;
    case 2: target = std::string(kContainerHome) + "/" + rel; break;
    case 3: target = std::string(kContainerHome) + "/../" + rel; break;
    case 4: target = in.ConsumeBool() ? s.outside : s.outside + "/d"; break;
    case 5: target = s.home + "/" + rel; break;  // the real home path: not under containerHome
    case 6: target = in.ConsumeBool() ? "/" : "/home/alice2/" + rel; break;
    default: {
      const int ups = in.ConsumeIntegralInRange<int>(1, 3);
      for (int i = 0; i < ups; ++i) target += "../";
      target += in.ConsumeBool() ? "outside" : "home/" + rel;
      break;
    }
  }
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0) target += '/';
  return target;
}

// Creates a directory or a symlink at a random path, through real directories only (never
// through a symlink: the fuzzer must not escape while building).
void Plant(FuzzedDataProvider& in, const Scratch& s) {
  std::vector<std::string> parts;
  const int depth = in.ConsumeIntegralInRange<int>(1, 3);
  for (int i = 0; i < depth; ++i) parts.emplace_back(in.PickValueInArray(kNames));
  const bool is_link = in.ConsumeBool();
  const std::string target = is_link ? Target(in, s) : std::string();
  home::UniqueFd dir(open(s.home.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    home::UniqueFd next(openat(dir.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return;
    dir = std::move(next);
  }
  if (is_link) {
    (void)symlinkat(target.c_str(), dir.get(), parts.back().c_str());
  } else {
    (void)mkdirat(dir.get(), parts.back().c_str(), 0755);
  }
}

bool InsideHome(const Scratch& s, int fd, std::string* where) {
  char proc[64];
  std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  char buf[PATH_MAX];
  const ssize_t n = readlink(proc, buf, sizeof buf - 1);
  if (n < 0) return false;
  where->assign(buf, static_cast<size_t>(n));
  return *where == s.home || where->compare(0, s.home.size() + 1, s.home + "/") == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Scratch& s = GetScratch();
  FuzzedDataProvider in(data, size);
  const int fds_before = CountFds();
  ClearHome(s);
  const int ops = in.ConsumeIntegralInRange<int>(0, kMaxOps);
  for (int i = 0; i < ops && in.remaining_bytes() > 0; ++i) Plant(in, s);

  home::HomeOptions fast;
  fast.container_home = kContainerHome;
  home::HomeOptions manual = fast;
  manual.force_manual_walk = true;
  home::HomeRoot fast_root;
  home::HomeRoot manual_root;
  if (home::HomeRoot::Open(s.home, fast, &fast_root) || home::HomeRoot::Open(s.home, manual, &manual_root)) {
    Fail("cannot open the home", s.home);
  }

  const int queries = in.ConsumeIntegralInRange<int>(1, kMaxQueries);
  for (int q = 0; q < queries && in.remaining_bytes() > 0; ++q) {
    const std::string raw = Join(in, kQueryNames, std::size(kQueryNames), 5) + "/f";
    std::string path;
    if (home::CheckHomePath(raw, kContainerHome, &path)) continue;  // the contract: checked paths only
    const bool create = in.ConsumeBool();
    struct stat seen[2] = {};
    bool ok[2] = {};
    int i = 0;
    for (const home::HomeRoot* root : {&fast_root, &manual_root}) {
      home::HomeRoot::Parent parent;
      const home::Error e = root->ResolveParent(path, create, &parent);
      ok[i] = e.ok();
      if (e.ok()) {
        std::string where;
        if (!parent.dir.valid()) Fail("success without a descriptor", path);
        if (!InsideHome(s, parent.dir.get(), &where)) Fail("resolved outside the home", path + " -> " + where);
        if (parent.name.empty() || parent.name == "." || parent.name == ".." ||
            parent.name.find('/') != std::string::npos) {
          Fail("bad final name", path + " -> '" + parent.name + "'");
        }
        if (fstat(parent.dir.get(), &seen[i]) != 0 || !S_ISDIR(seen[i].st_mode)) Fail("not a directory", path);
      } else if (e.code.rfind("ERR_", 0) != 0) {
        Fail("failure without a code", path);
      }
      ++i;
    }
    if (!create) {
      if (ok[0] != ok[1]) Fail(ok[0] ? "openat2 succeeded where the manual walk failed" : "manual walk succeeded where openat2 failed", path);
      if (ok[0] && (seen[0].st_ino != seen[1].st_ino || seen[0].st_dev != seen[1].st_dev)) {
        Fail("the two modes resolved different directories", path);
      }
    }
  }

  if (List(s.outside) != s.outside_baseline) Fail("the outside tree changed", s.outside);
  fast_root = home::HomeRoot();
  manual_root = home::HomeRoot();
  if (CountFds() != fds_before) Fail("descriptor leak", std::to_string(CountFds() - fds_before));
  return 0;
}
