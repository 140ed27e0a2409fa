// SPDX-License-Identifier: Apache-2.0
// Status and Result<T>: how every public core/ and formats/ function reports failure.
//
// A Status is either OK or carries a code and a message. Messages follow the shape
//   <path>: <where in the structure, hex offset>: <what is wrong> (<expected vs actual>)
// and are built by the code that knows the context; callers add outer context with
// Status::WithContext ("loading ckpt: " + inner message).
#pragma once

#include <cassert>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace rescope {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad usage: malformed map, unknown option value
  kNotFound,         // a file or tensor name that does not exist
  kCorruption,       // a file whose bytes contradict its format
  kNotSupported,     // a valid file using something rescope does not handle
  kIOError,          // the operating system refused
  kConflict,         // a rename plan that would lose or merge tensors
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status NotSupported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Thrown by parsers inside a reader and converted to a Status at the reader's public
// boundary (see StatusFromException). Never escapes a public function.
class FormatError : public std::runtime_error {
 public:
  explicit FormatError(Status status)
      : std::runtime_error(status.message()), status_(std::move(status)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

[[noreturn]] inline void ThrowCorruption(std::string message) {
  throw FormatError(Status::Corruption(std::move(message)));
}
[[noreturn]] inline void ThrowStatus(Status status) { throw FormatError(std::move(status)); }

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(state_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // Returns the value or throws FormatError; for code inside a reader's try block.
  T ValueOrThrow() && {
    if (!ok()) throw FormatError(std::get<Status>(state_));
    return std::get<T>(std::move(state_));
  }

 private:
  std::variant<T, Status> state_;
};

}  // namespace rescope

// Early-return helpers. RESCOPE_ASSIGN_OR_RETURN(auto x, Expr()) declares x.
#define RESCOPE_CONCAT_INNER(a, b) a##b
#define RESCOPE_CONCAT(a, b) RESCOPE_CONCAT_INNER(a, b)
#define RESCOPE_RETURN_IF_ERROR(expr) \
  do {                                \
    ::rescope::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)
#define RESCOPE_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  decl = std::move(tmp).value()
#define RESCOPE_ASSIGN_OR_RETURN(decl, expr) \
  RESCOPE_ASSIGN_OR_RETURN_IMPL(RESCOPE_CONCAT(_res_, __LINE__), decl, expr)
