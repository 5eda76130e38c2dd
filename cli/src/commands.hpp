// The subcommands of `edubench`, one file each; main.cpp dispatches and turns every failure into
// one line on stderr and a documented exit code (session/include/edubench/session/exit_codes.hpp).
#pragma once

#include <boost/program_options.hpp>

#include <string>

namespace edubench::cli {

namespace po = boost::program_options;

int cmd_run(int argc, char** argv, const std::string& cmdline);
int cmd_list(int argc, char** argv);
int cmd_validate(int argc, char** argv);
int cmd_check(int argc, char** argv);
int cmd_grade(int argc, char** argv, const std::string& cmdline);
int cmd_report(int argc, char** argv);
int cmd_compare(int argc, char** argv);
int cmd_gradescope(int argc, char** argv);
int cmd_new_sut(int argc, char** argv);

// Parses argv against `desc` (and positional names); po::error for anything it cannot take.
po::variables_map parse_options(const po::options_description& desc, const po::positional_options_description* pos,
                        int argc, char** argv);

}  // namespace edubench::cli
