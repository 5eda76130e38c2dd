#include "commands.hpp"

namespace edubench::cli {

po::variables_map parse_options(const po::options_description& desc, const po::positional_options_description* pos,
                        int argc, char** argv) {
  po::variables_map vm;
  auto parser = po::command_line_parser(argc, argv).options(desc);
  if (pos) parser.positional(*pos);
  po::store(parser.run(), vm);
  po::notify(vm);
  return vm;
}

}  // namespace edubench::cli
