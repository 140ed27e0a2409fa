// SPDX-License-Identifier: Apache-2.0
// TensorStore: the name-indexed set of tensors every command works on, and Checkpoint,
// a store plus what rescope learned about the files it came from.
//
// Format readers fill a Checkpoint; rename, diff and check work on TensorStores only,
// so they work for every format and across formats. Tensor bytes are never copied into
// the store: each entry says where its bytes live (a ByteSource and an offset) and
// commands read windows of them on demand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/deep_copy_ptr.h"
#include "core/store/dtype.h"
#include "core/store/shape.h"
#include "core/store/status.h"

namespace rescope {

// One dimension of a stored slice of a partitioned variable. length -1 = full dimension.
struct SliceExtent {
  int64_t start = 0;
  int64_t length = -1;
  bool IsFull() const { return start == 0 && length == -1; }
  bool operator==(const SliceExtent&) const = default;
};
using TensorSlice = std::vector<SliceExtent>;

// "0,5:-" style text of a slice (TF's shape_and_slice notation).
std::string SliceToString(const TensorSlice& slice);

enum class EntryKind {
  kTensor,       // an ordinary tensor whose bytes are stored
  kPartitioned,  // a partitioned variable: full dtype/shape, bytes live in its slices
  kSlice,        // one stored slice of a partitioned variable (name = encoded slice key)
};

// How the bytes of a tensor are laid out.
//   numeric types: elements row-major, little-endian, densely packed;
//   string: TF tensor-bundle layout (varint64 lengths, masked length CRC32C, the bytes),
//           FORMATS.md §1.9.2 — formats without that layout convert to it;
//   variant: TF tensor-bundle variant layout, copied through, never decoded.
// The fields of a TensorEntry that most entries leave empty (see TensorEntry::extras_).
struct TensorEntryExtras {
  std::string data_error;
  std::vector<TensorSlice> slices;
  std::string partitioned_name;
  TensorSlice slice;
  std::vector<std::pair<std::string, std::string>> notes;
};

struct TensorEntry {
  using Notes = std::vector<std::pair<std::string, std::string>>;

  // Renaming an entry read from a file goes through Rename(), which keeps SourceName().
  std::string name;
  EntryKind kind = EntryKind::kTensor;
  DType dtype = DType::kInvalid;
  Shape shape;
  uint64_t byte_size = 0;

  // Unmasked CRC32C of the stored bytes, when the format stores one (TF bundles).
  std::optional<uint32_t> stored_crc32c;

  // Where the bytes are. `data` is null when they cannot be read (missing data shard);
  // data_error() then says why.
  std::shared_ptr<const ByteSource> data;
  uint64_t data_offset = 0;

  int32_t shard = -1;  // data shard index, -1 when the format has none
  bool is_metadata = false;  // e.g. TF2 _CHECKPOINTABLE_OBJECT_GRAPH
  // The bytes differ from the record named SourceName() (a value transform such as a
  // transpose was applied): writers must stream `data`, never copy the source record.
  bool bytes_transformed = false;

  // The name this entry had in the file it was read from. Renaming changes `name` only,
  // so writers can find the entry's original record (and keep it byte for byte).
  const std::string& SourceName() const { return renamed_ ? source_name_ : name; }
  void SetSourceName(std::string source) {
    renamed_ = source != name;
    source_name_ = renamed_ ? std::move(source) : std::string();
  }
  // Gives the entry a new name; SourceName() stays the name it had in its file.
  void Rename(std::string new_name) {
    if (!renamed_) source_name_ = name;
    name = std::move(new_name);
    SetSourceName(std::move(source_name_));
  }

  // Why `data` is null ("" when it is not).
  const std::string& data_error() const { return Extras().data_error; }
  void set_data_error(std::string why) { extras_.GetOrCreate().data_error = std::move(why); }
  // kPartitioned: the slices stored for this variable.
  const std::vector<TensorSlice>& slices() const { return Extras().slices; }
  std::vector<TensorSlice>& mutable_slices() { return extras_.GetOrCreate().slices; }
  // kSlice: the full variable this slice belongs to.
  const std::string& partitioned_name() const { return Extras().partitioned_name; }
  void set_partitioned_name(std::string variable) {
    extras_.GetOrCreate().partitioned_name = std::move(variable);
  }
  // kSlice: the part of that variable this entry holds.
  const TensorSlice& slice() const { return Extras().slice; }
  void set_slice(TensorSlice slice) { extras_.GetOrCreate().slice = std::move(slice); }
  // Format-specific notes shown by `ls --json`/`info` (e.g. a Keras weight's layer).
  const Notes& notes() const { return Extras().notes; }
  Notes& mutable_notes() { return extras_.GetOrCreate().notes; }

  // Product of dims; nullopt on overflow or a negative dim.
  std::optional<uint64_t> NumElements() const;
  // Where this entry's bytes are, for messages: "ckpt.data-00000-of-00001 @0x10".
  std::string Where() const;

 private:
  const TensorEntryExtras& Extras() const;

  // The name the entry had in its file, held only when it differs from `name` (renamed_):
  // most entries keep their name, and a second copy of every name costs a heap buffer.
  bool renamed_ = false;
  std::string source_name_;
  // Null for an ordinary entry: the rare fields cost one pointer instead of ~140 B each.
  DeepCopyPtr<TensorEntryExtras> extras_;
};

// Number of elements of a shape, nullopt on overflow or negative dims.
std::optional<uint64_t> ShapeNumElements(std::span<const int64_t> shape);
// "[3, 100]" / "[]"
std::string ShapeToString(std::span<const int64_t> shape);

// Entries sorted by name (bytewise), unique names.
//
// The entries live in a set ordered by their own `name`, so a name is held once per entry
// rather than again as a map key (100,000 variables: ~100 B and one allocation less each).
// Iterating yields {name, entry} pairs of references, as iterating the std::map this once
// was did: `for (const auto& [name, entry] : store)`, `it->first`, `it->second`.
class TensorStore {
  struct ByName {
    using is_transparent = void;
    static std::string_view Key(const TensorEntry& e) { return e.name; }
    static std::string_view Key(std::string_view name) { return name; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Key(a) < Key(b);
    }
  };
  using Set = std::set<TensorEntry, ByName>;

 public:
  struct Item {
    const std::string& first;  // the entry's name
    const TensorEntry& second;
  };
  class const_iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = Item;
    using difference_type = std::ptrdiff_t;
    using reference = Item;
    struct pointer {  // what `it->first` goes through
      Item item;
      const Item* operator->() const { return &item; }
    };

    const_iterator() = default;
    explicit const_iterator(Set::const_iterator it) : it_(it) {}
    Item operator*() const { return {it_->name, *it_}; }
    pointer operator->() const { return {**this}; }
    const_iterator& operator++() {
      ++it_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++it_;
      return old;
    }
    const_iterator& operator--() {
      --it_;
      return *this;
    }
    const_iterator operator--(int) {
      const_iterator old = *this;
      --it_;
      return old;
    }
    bool operator==(const const_iterator&) const = default;

   private:
    Set::const_iterator it_;
  };

  // Fails (kConflict) if the name is already present.
  Status Add(TensorEntry entry);
  // Replaces or inserts.
  void Put(TensorEntry entry);
  bool Remove(std::string_view name);

  const TensorEntry* Find(std::string_view name) const;
  // The entry to change in place. Its name must stay as it is (it orders the store):
  // Remove and Add to rename.
  TensorEntry* FindMutable(std::string_view name);
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  const_iterator begin() const { return const_iterator(entries_.begin()); }
  const_iterator end() const { return const_iterator(entries_.end()); }

  // Entries whose name is `scope` or starts with `scope/` (whole path segments only;
  // a trailing '/' on scope is ignored). An empty scope visits everything.
  void ForEachInScope(std::string_view scope,
                      const std::function<void(const TensorEntry&)>& fn) const;

  // Up to `max` stored names closest to `name` by edit distance (for "did you mean").
  std::vector<std::string> Suggest(std::string_view name, size_t max = 3) const;

  // The character that splits names into scope segments, set by the reader: '/' for TF
  // and Keras names, '.' for dotted formats (PyTorch, safetensors). Rename rules match
  // scopes on it (core/rename/rename_rules.h).
  char separator() const { return separator_; }
  void set_separator(char separator) { separator_ = separator; }

 private:
  Set entries_;
  char separator_ = '/';
};

// The separator for a store of a format with dotted names (`fc1.weight`): '.', unless
// some name holds a '/' (names converted from TF keep their slashes), then '/'.
char DottedNamesSeparator(const TensorStore& store);

// Format-specific state a reader keeps for its writer (e.g. the TF bundle header).
class FormatState {
 public:
  virtual ~FormatState() = default;
};

// A file that belongs to a checkpoint.
struct CheckpointFile {
  std::string path;
  std::string role;  // "index", "data shard 0 of 2", "weights", ...
  bool present = false;
  uint64_t size = 0;
};

// A checksum a container stores over a region of a file rather than over one tensor: the
// zip CRC-32 of a PyTorch storage record (several tensors may view one storage) or of a
// `.keras` member. `verify` recomputes it.
struct RegionChecksum {
  std::string name;  // the record, e.g. "archive/data/0"
  std::shared_ptr<const ByteSource> data;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t crc32 = 0;      // the zip (IEEE 802.3) polynomial
  std::string data_error;  // why `data` is null (e.g. the member's local header is damaged)
};

struct Checkpoint {
  std::string format;          // "tf_bundle", "tf_v1", "keras_h5", "safetensors", ...
  std::string format_version;  // human text: "V2 (tensor bundle)", "Keras 2.13.1"
  std::string path;            // what was resolved: a prefix or a file
  TensorStore store;
  std::vector<CheckpointFile> files;
  // Facts shown by `info`, in order: ("index compression", "snappy"), ...
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<RegionChecksum> region_checksums;  // checked by `verify`
  // Every entry's bytes come from a region above (all storages of a PyTorch zip; the
  // weights member of a .keras, whose tensors HDF5 reads from inside it), so a tensor
  // without its own checksum is still covered by a container checksum.
  bool regions_cover_all_entries = false;
  bool object_based = false;  // TF2 object-graph checkpoint
  std::shared_ptr<const FormatState> state;
};

}  // namespace rescope
