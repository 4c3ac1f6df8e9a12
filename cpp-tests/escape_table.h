// The one escape table. Each case describes a home in the notation of test_fs.h ("$OUTSIDE" is
// the absolute path of a directory beside the home holding the sentinel tree), a path to act on,
// and either the error code every operation must return or where, inside the home, the path
// really lands. Every operation that resolves paths runs the whole table.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace home::test {

// The home's path inside the container, as the links the user plants there spell it.
inline const std::string kContainerHome = "/home/alice";

struct EscapeCase {
  EscapeCase(std::string name_, std::vector<std::string> fs_, std::string path_, std::string want_code_,
             std::string want_at_ = "", bool final_is_link_ = false, std::string overlay_at_ = "")
      : name(std::move(name_)),
        fs(std::move(fs_)),
        path(std::move(path_)),
        want_code(std::move(want_code_)),
        want_at(std::move(want_at_)),
        final_is_link(final_is_link_),
        overlay_at(std::move(overlay_at_)) {}
  std::string name;
  std::vector<std::string> fs;
  std::string path;
  std::string want_code;       // "" when the operation must succeed
  std::string want_at;         // success: where the file lands, relative to the home
  bool final_is_link = false;  // the final component is a symlink (replaced, never followed)
  // The overlay writer alone writes through a final link that stays inside the home: where its
  // file lands then (the link stays); empty: at want_at, like every other operation.
  std::string overlay_at;
};

inline std::vector<std::string> Substitute(std::vector<std::string> fs, const std::string& outside) {
  for (std::string& entry : fs) {
    for (size_t at; (at = entry.find("$OUTSIDE")) != std::string::npos;) entry.replace(at, 8, outside);
  }
  return fs;
}

inline std::vector<EscapeCase> EscapeCases() {
  const std::string escape = "ERR_SYMLINK_ESCAPE";
  std::vector<EscapeCase> cases = {
      {"plain nested", {}, "a/b/f", "", "a/b/f"},
      {"existing directory", {"a/"}, "a/f", "", "a/f"},
      {"relative link inside", {"real/", "l => real"}, "l/f", "", "real/f"},
      {"relative link with dotdot inside", {"a/", "real/", "a/l => ../real"}, "a/l/f", "", "real/f"},
      {"relative link to a sibling", {"x/", "y/", "x/l => ../y"}, "x/l/f", "", "y/f"},
      {"relative link escaping", {"l => ../outside"}, "l/f", escape},
      {"relative link escaping from below", {"a/b/", "a/b/l => ../../../outside/dir"}, "a/b/l/f", escape},
      {"relative link out and back in", {"real/", "l => ../home/real"}, "l/f", escape},
      {"dotdot link at the top", {"l => .."}, "l/f", escape},
      {"dot link", {"l => ."}, "l/f", "", "f"},
      {"absolute link outside", {"l => $OUTSIDE"}, "l/f", escape},
      {"absolute link to an outside subdir", {"a/", "a/l => $OUTSIDE/dir"}, "a/l/f", escape},
      {"absolute link under containerHome", {"real/", "l => /home/alice/real"}, "l/f", "", "real/f"},
      {"absolute link to containerHome itself", {"l => /home/alice"}, "l/f", "", "f"},
      {"absolute link to containerHome with slash", {"real/", "l => /home/alice/real/"}, "l/f", "", "real/f"},
      {"absolute link to a look-alike prefix", {"l => /home/alice2/x"}, "l/f", escape},
      {"absolute link under containerHome climbing out", {"l => /home/alice/../outside"}, "l/f", escape},
      {"absolute link mapped then dotdot inside",
       {"a/", "real/", "a/l => /home/alice/a/../real"},
       "a/l/f",
       "",
       "real/f"},
      {"dangling absolute link", {"l => /nonexistent-home-native/dir"}, "l/f", escape},
      {"chain inside", {"real/", "a => b", "b => c", "c => real"}, "a/f", "", "real/f"},
      {"chain through a linked dir", {"real/sub/", "l => real", "m => l/sub"}, "m/f", "", "real/sub/f"},
      {"chain escaping at the end", {"a => b", "b => ../outside"}, "a/f", escape},
      {"chain mixing mapped and relative", {"real/", "a => /home/alice/b", "b => real"}, "a/f", "", "real/f"},
      {"loop of two", {"a => b", "b => a"}, "a/f", "ERR_SYMLINK_LOOP"},
      {"self loop", {"a => a"}, "a/f", "ERR_SYMLINK_LOOP"},
      {"loop through a path", {"d/", "d/l => ../d/l"}, "d/l/f", "ERR_SYMLINK_LOOP"},
      {"link with trailing slash", {"real/", "l => real/"}, "l/f", "", "real/f"},
      {"file on the way", {"a"}, "a/f", "ERR_NOT_DIRECTORY"},
      {"file deeper on the way", {"a/b"}, "a/b/c/f", "ERR_NOT_DIRECTORY"},
      {"link to a file on the way", {"file", "l => file"}, "l/f", "ERR_NOT_DIRECTORY"},
      {"dangling relative link inside", {"l => newdir"}, "l/f", "", "newdir/f"},
      {"final link to an outside file", {"l => $OUTSIDE/target"}, "l", "", "l", true},
      {"final link to an outside dir", {"l => $OUTSIDE/dir"}, "l", "", "l", true},
      {"final dangling link", {"l => $OUTSIDE/new"}, "l", "", "l", true},
      {"final link inside", {"real", "l => real"}, "l", "", "l", true, "real"},
      {"final link inside, container-absolute", {"d/", "l => /home/alice/d/real"}, "l", "", "l", true, "d/real"},
      {"final link into .spoon", {".spoon/", ".spoon/m", "l => .spoon/m"}, "l", "", "l", true},
      {"final link below a linked dir", {"real/", "d => real", "real/l => $OUTSIDE/target"}, "d/l", "", "real/l", true},
  };
  // 40 links are allowed (Linux MAXSYMLINKS), 41 are a loop.
  for (int count : {40, 41}) {
    EscapeCase c{"chain of " + std::to_string(count) + " links", {"real/"}, "l0/f", "", "real/f"};
    for (int i = 0; i < count; ++i) {
      c.fs.push_back("l" + std::to_string(i) + " => " + (i + 1 < count ? "l" + std::to_string(i + 1) : "real"));
    }
    if (count > 40) c.want_code = "ERR_SYMLINK_LOOP";
    cases.push_back(c);
  }
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "d/";
  cases.push_back({"200 directories deep", {}, deep + "f", "", deep + "f"});
  return cases;
}

}  // namespace home::test
