// The .safetensors format (8-byte little-endian header length, a JSON header of
// {name: {dtype, shape, data_offsets}}, then the raw little-endian data): reader and writer.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

namespace edubench::model {

// Throws std::runtime_error naming the file and what is wrong.
std::map<std::string, torch::Tensor> read_safetensors(const std::string& path);
void write_safetensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace edubench::model
