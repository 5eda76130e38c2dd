// .safetensors reader and writer (https://github.com/huggingface/safetensors, "Format").
#include <edubench/model/safetensors.hpp>

#include <edubench/model/checkpoint_format.hpp>

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace edubench::model {
namespace {

struct DType {
  const char* name;
  torch::ScalarType type;
};
const DType kTypes[] = {{"F32", torch::kFloat32}, {"F16", torch::kFloat16}, {"BF16", torch::kBFloat16},
                        {"F64", torch::kFloat64}, {"I64", torch::kInt64},   {"I32", torch::kInt32},
                        {"I8", torch::kInt8},     {"U8", torch::kUInt8}};

// Only names parse_safetensors_header accepted reach this.
torch::ScalarType type_of(const std::string& name) {
  for (const auto& t : kTypes)
    if (name == t.name) return t.type;
  throw std::logic_error("safetensors: dtype " + name + " has no tensor type");
}
const char* name_of(torch::ScalarType s) {
  for (const auto& t : kTypes)
    if (s == t.type) return t.name;
  throw std::runtime_error("safetensors: unsupported tensor type");
}

}  // namespace

std::map<std::string, torch::Tensor> read_safetensors(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(f)), {});
  std::map<std::string, torch::Tensor> out;
  for (const SafetensorsEntry& e : parse_safetensors_header(bytes, path)) {
    auto t = torch::empty(e.shape, torch::TensorOptions().dtype(type_of(e.dtype)));
    std::memcpy(t.data_ptr(), bytes.data() + e.begin, e.end - e.begin);
    out[e.name] = t;
  }
  return out;
}

void write_safetensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json h;
  if (!metadata.empty()) h["__metadata__"] = metadata;
  uint64_t offset = 0;
  std::vector<torch::Tensor> order;
  for (const auto& [name, t] : tensors) {
    auto c = t.contiguous().cpu();
    uint64_t nbytes = static_cast<uint64_t>(c.numel()) * c.element_size();
    h[name] = {{"dtype", name_of(c.scalar_type())}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    order.push_back(c);
  }
  std::string header = h.dump();
  header.append((8 - header.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  std::ofstream f(path + ".tmp", std::ios::binary);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) f.put(static_cast<char>((n >> (8 * i)) & 0xff));
  f << header;
  for (const auto& c : order) f.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.numel() * c.element_size()));
  f.close();
  if (!f || std::rename((path + ".tmp").c_str(), path.c_str()) != 0) throw std::runtime_error(path + ": cannot write");
}

}  // namespace edubench::model
