// The one error type of src/core. Core code reports failures by value (no exceptions leave a
// core function); the addon turns an Error into a JavaScript Error with the same fields.
#pragma once

#include <string>
#include <utility>

namespace home {

struct Error {
  std::string code;     // stable ERR_* code; empty means success
  std::string message;  // for people; never holds credentials
  std::string path;     // the path or (redacted) URL concerned, when there is one
  int sys_errno = 0;    // the OS error that caused it, when one did
  std::string syscall;  // the call that returned sys_errno

  bool ok() const { return code.empty(); }
  explicit operator bool() const { return !code.empty(); }  // true when this is a failure
};

inline Error MakeError(std::string code, std::string message, std::string path = {}) {
  return Error{std::move(code), std::move(message), std::move(path), 0, {}};
}

// An error caused by a failed system call: `message` says what we were doing, the OS error's
// text is appended.
Error SysError(std::string code, const char* syscall, int err, std::string path, std::string message);

// "ENOENT" for ENOENT; "E<number>" for values this table does not name.
const char* ErrnoName(int err);

}  // namespace home
