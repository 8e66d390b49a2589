// cpmu::Result: errors as values across the whole library.
//
// GCC 12's libstdc++ has no <expected> in C++20 mode, so this is a small
// expected-like type. Exceptions never cross libcpmu's public API: every
// fallible call returns Result<T> (or Status for no value), and the error
// carries a category and a message that already names what and where.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "cpmu/export.hpp"

namespace cpmu {

enum class Errc {
  kInvalidArgument,   // the caller passed something malformed
  kNotFound,          // no such device, BAR, file, capability
  kPermissionDenied,  // the OS refused because of privileges
  kLockedDown,        // kernel lockdown refused the access
  kOwnedByDriver,     // a kernel driver owns the resource
  kBusy,              // in use by another agent (DOE busy, CPMU owned)
  kTimeout,           // the device did not answer in time
  kMalformed,         // data read from a device or file is invalid
  kDeviceGone,        // surprise removal: reads return all ones
  kUnsupported,       // the backend or device cannot do this
  kIo,                // any other I/O failure
};

CPMU_API std::string_view errc_name(Errc code);

class CPMU_API Error {
 public:
  Error(Errc code, std::string message) : code_(code), message_(std::move(message)) {}

  Errc code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with where it happened: "0000:0d:00.0: " + message.
  Error context(std::string_view where) const {
    return Error(code_, std::string(where) + ": " + message_);
  }

 private:
  Errc code_;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "Result<Error> is ambiguous");

 public:
  Result(const T& value) : state_(std::in_place_index<0>, value) {}
  Result(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

  template <typename U>
  T value_or(U&& fallback) const {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool has_value() const { return !failed_; }
  explicit operator bool() const { return has_value(); }
  const Error& error() const { return error_; }

 private:
  Error error_{Errc::kIo, {}};
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace cpmu
