// SPDX-License-Identifier: Apache-2.0
// H5Handle: owns one HDF5 identifier (hid_t) and closes it with the matching H5*close.
//
// Move-only. A default-constructed or failed handle holds a negative id and closes
// nothing. Every HDF5 object rescope opens lives in one of these, so early returns and
// exceptions never leak identifiers (a leaked file id keeps the file open).
//
// Thread safety: the HDF5 build rescope links is thread-safe; a handle itself is not
// synchronised and must not be reset while another thread uses its id.
#pragma once

#include <hdf5.h>

#include <utility>

namespace rescope {

class H5Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  H5Handle() = default;
  // Takes ownership of `id` (may be negative, then valid() is false).
  H5Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~H5Handle() { Reset(); }

  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  H5Handle(H5Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  H5Handle& operator=(H5Handle&& other) noexcept {
    if (this != &other) {
      Reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }

  static H5Handle File(hid_t id) { return {id, H5Fclose}; }
  static H5Handle Group(hid_t id) { return {id, H5Gclose}; }
  static H5Handle Dataset(hid_t id) { return {id, H5Dclose}; }
  static H5Handle Attribute(hid_t id) { return {id, H5Aclose}; }
  static H5Handle Type(hid_t id) { return {id, H5Tclose}; }
  static H5Handle Space(hid_t id) { return {id, H5Sclose}; }
  static H5Handle Plist(hid_t id) { return {id, H5Pclose}; }
  static H5Handle Object(hid_t id) { return {id, H5Oclose}; }

  bool valid() const { return id_ >= 0; }
  hid_t get() const { return id_; }

  // Closes the id now (errors from the close are ignored: nothing useful can be done).
  void Reset() {
    if (id_ >= 0 && closer_ != nullptr) (void)closer_(id_);
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

}  // namespace rescope
