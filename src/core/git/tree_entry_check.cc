// git's own name checks, rewritten over string_view (git: path.c is_ntfs_dotgit and
// is_ntfs_dot_generic, utf8.c next_hfs_char and is_hfs_dot_generic, read-cache.c verify_dotfile,
// fsck.c fsck_tree). Where git reads a NUL terminator, these read the end of the view.
#include "core/git/tree_entry_check.h"

#include <cctype>

namespace home {
namespace {

// The byte at `i`, or 0 past the end: git's NUL terminator.
char At(std::string_view s, size_t i) { return i < s.size() ? s[i] : '\0'; }

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// NTFS drops trailing dots and spaces, and ':' starts an alternate data stream: what follows
// position `i` only decides whether the name still means the same file.
bool OnlySpacesAndPeriodsFrom(std::string_view name, size_t i) {
  for (;; ++i) {
    const char c = At(name, i);
    if (c == '\0' || c == ':') return true;
    if (c != ' ' && c != '.') return false;
  }
}

// One code point of UTF-8 at `*pos` (advanced past it), as git's pick_one_utf8_char reads it;
// 0 at the end and for a malformed, overlong, surrogate or non-character sequence (which then
// cannot spell ".git", as in git).
uint32_t NextCodePoint(std::string_view s, size_t* pos) {
  if (*pos >= s.size()) return 0;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(At(s, i)); };
  const unsigned char c = byte(*pos);
  uint32_t cp = 0;
  size_t length = 0;
  if (c < 0x80) {
    cp = c;
    length = 1;
  } else if ((c & 0xe0) == 0xc0) {
    cp = c & 0x1f;
    length = 2;
  } else if ((c & 0xf0) == 0xe0) {
    cp = c & 0x0f;
    length = 3;
  } else if ((c & 0xf8) == 0xf0) {
    cp = c & 0x07;
    length = 4;
  } else {
    *pos = s.size();
    return 0;
  }
  for (size_t i = 1; i < length; ++i) {
    const unsigned char next = byte(*pos + i);
    if ((next & 0xc0) != 0x80) {
      *pos = s.size();
      return 0;
    }
    cp = (cp << 6) | (next & 0x3f);
  }
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[length] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp & 0xfffe) == 0xfffe) {
    *pos = s.size();
    return 0;
  }
  *pos += length;
  return cp;
}

// HFS+ ignores these code points when it compares names (git: utf8.c next_hfs_char).
bool HfsIgnores(uint32_t cp) {
  switch (cp) {
    case 0x200c:  // ZERO WIDTH NON-JOINER
    case 0x200d:  // ZERO WIDTH JOINER
    case 0x200e:  // LEFT-TO-RIGHT MARK
    case 0x200f:  // RIGHT-TO-LEFT MARK
    case 0x202a:  // LEFT-TO-RIGHT EMBEDDING
    case 0x202b:  // RIGHT-TO-LEFT EMBEDDING
    case 0x202c:  // POP DIRECTIONAL FORMATTING
    case 0x202d:  // LEFT-TO-RIGHT OVERRIDE
    case 0x202e:  // RIGHT-TO-LEFT OVERRIDE
    case 0x206a:  // INHIBIT SYMMETRIC SWAPPING
    case 0x206b:  // ACTIVATE SYMMETRIC SWAPPING
    case 0x206c:  // INHIBIT ARABIC FORM SHAPING
    case 0x206d:  // ACTIVATE ARABIC FORM SHAPING
    case 0x206e:  // NATIONAL DIGIT SHAPES
    case 0x206f:  // NOMINAL DIGIT SHAPES
    case 0xfeff:  // ZERO WIDTH NO-BREAK SPACE
      return true;
    default:
      return false;
  }
}

uint32_t NextHfsChar(std::string_view s, size_t* pos) {
  for (;;) {
    const uint32_t cp = NextCodePoint(s, pos);
    if (cp == 0 || !HfsIgnores(cp)) return cp;
  }
}

// NTFS also reads '\' as a directory separator: each part after one is a name of its own
// (git: fsck.c fsck_tree's backslash loop, read-cache.c verify_path_internal).
template <typename Check>
bool AnyBackslashPart(std::string_view name, Check check) {
  for (size_t slash = name.find('\\'); slash != std::string_view::npos; slash = name.find('\\', slash + 1)) {
    if (check(name.substr(slash + 1))) return true;
  }
  return false;
}

bool IsDotGitmodules(std::string_view name) {
  return IsHfsDotGeneric(name, "gitmodules") || IsNtfsDotGeneric(name, "gitmodules", "gi7eba") ||
         AnyBackslashPart(name, [](std::string_view part) { return IsNtfsDotGeneric(part, "gitmodules", "gi7eba"); });
}

bool IsDotGitattributes(std::string_view name) {
  return IsHfsDotGeneric(name, "gitattributes") || IsNtfsDotGeneric(name, "gitattributes", "gi7d29") ||
         AnyBackslashPart(name,
                          [](std::string_view part) { return IsNtfsDotGeneric(part, "gitattributes", "gi7d29"); });
}

}  // namespace

bool IsNtfsDotGit(std::string_view name) {
  size_t i = 0;
  if (At(name, 0) == '.') {
    if (!EqualsIgnoringCase(name.substr(1, 3), "git")) return false;
    i = 4;
  } else if (Lower(At(name, 0)) == 'g') {
    if (Lower(At(name, 1)) != 'i' || Lower(At(name, 2)) != 't' || At(name, 3) != '~' || At(name, 4) != '1') {
      return false;
    }
    i = 5;
  } else {
    return false;
  }
  for (;; ++i) {
    const char c = At(name, i);
    if (c == '\0' || c == '\\' || c == '/' || c == ':') return true;
    if (c != '.' && c != ' ') return false;
  }
}

bool IsNtfsDotGeneric(std::string_view name, std::string_view dotted, std::string_view short_prefix) {
  if (At(name, 0) == '.' && EqualsIgnoringCase(name.substr(1, dotted.size()), dotted)) {
    return OnlySpacesAndPeriodsFrom(name, dotted.size() + 1);
  }
  // The regular short name: the first six characters, then ~1 to ~4.
  if (EqualsIgnoringCase(name.substr(0, 6), dotted.substr(0, 6)) && At(name, 6) == '~' && At(name, 7) >= '1' &&
      At(name, 7) <= '4') {
    return OnlySpacesAndPeriodsFrom(name, 8);
  }
  // The fall-back short name NTFS makes from a hash: `short_prefix`, cut anywhere by "~<digits>"
  // (https://en.wikipedia.org/wiki/8.3_filename).
  bool saw_tilde = false;
  size_t i = 0;
  for (; i < 8; ++i) {
    const char c = At(name, i);
    if (c == '\0') return false;
    if (saw_tilde) {
      if (c < '0' || c > '9') return false;
    } else if (c == '~') {
      ++i;
      if (At(name, i) < '1' || At(name, i) > '9') return false;
      saw_tilde = true;
    } else if (i >= 6 || (static_cast<unsigned char>(c) & 0x80) || Lower(c) != short_prefix[i]) {
      return false;
    }
  }
  return OnlySpacesAndPeriodsFrom(name, i);
}

bool IsHfsDotGeneric(std::string_view name, std::string_view dotted) {
  size_t pos = 0;
  if (NextHfsChar(name, &pos) != '.') return false;
  for (char wanted : dotted) {
    const uint32_t cp = NextHfsChar(name, &pos);
    if (cp > 127 || Lower(static_cast<char>(cp)) != wanted) return false;
  }
  const uint32_t after = NextHfsChar(name, &pos);
  return after == 0 || after == '/';
}

bool IsHfsDotGit(std::string_view name) { return IsHfsDotGeneric(name, "git"); }

const char* UnsafeEntryName(std::string_view name, uint32_t mode) {
  if (name.empty()) return "an empty name";
  if (name == ".") return "the name '.'";
  if (name == "..") return "the name '..'";
  if (name.find('/') != std::string_view::npos) return "a name holding '/'";
  if (name.find('\0') != std::string_view::npos) return "a name holding a NUL byte";
  if (IsHfsDotGit(name) || IsNtfsDotGit(name) || AnyBackslashPart(name, IsNtfsDotGit)) {
    return "a name that is .git on Linux, NTFS or HFS+";
  }
  if (mode == kModeLink) {
    if (IsDotGitmodules(name)) return ".gitmodules as a symbolic link";
    // git stopped following it in 2.32; libgit2 would read the attributes through it.
    if (IsDotGitattributes(name)) return ".gitattributes as a symbolic link";
  }
  return nullptr;
}

const char* UnsafeEntryMode(uint32_t mode) {
  switch (mode) {
    case kModeTree:
    case kModeBlob:
    case kModeExecutable:
    case kModeGroupWritable:
    case kModeLink:
    case kModeGitlink:
      return nullptr;
    default:
      return "a file mode that git does not write";
  }
}

}  // namespace home
