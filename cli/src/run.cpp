// `edubench run`: one workload, one scenario, one plugin; --mode submission makes a submission.
#include "commands.hpp"

#include <edubench/harness/peak.hpp>
#include <edubench/harness/run.hpp>
#include <edubench/harness/submission.hpp>
#include <edubench/harness/system_info.hpp>
#include <edubench/session/exit_codes.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace edubench::cli {
using namespace edubench::harness;

int cmd_run(int argc, char** argv, const std::string& cmdline) {
  RunOptions o;
  PeakOptions peak;
  bool find_peak_mode = false;
  po::options_description desc(
      "edubench run --workload ID --sut PATH|NAME --scenario SCENARIO [options]\n\n"
      "Runs one workload in one scenario against a SUT plugin and writes a run directory\n"
      "(result.json, summary.txt, events.jsonl, accuracy.jsonl, trace.json, manifest.json).\n\n"
      "options");
  desc.add_options()
      ("help,h", "show this help")
      ("workload,w", po::value(&o.workload)->required(), "workload id from the registry (see `edubench list`)")
      ("sut,s", po::value(&o.sut)->required(), "plugin .so path, or the name of a reference plugin")
      ("scenario", po::value(&o.scenario)->required(), "single_stream | offline | server")
      ("mode,m", po::value(&o.mode)->default_value("performance"),
       "performance | accuracy | submission (the performance, accuracy and TEST04 audit runs and "
       "submission.json in one directory, for `edubench check`)")
      ("output,o", po::value(&o.output), "run directory (default results/<workload>/<scenario>/<mode>/<time>)")
      ("registry", po::value(&o.registry_path)->default_value(default_registry_path()), "workloads.yaml to use")
      ("set", po::value(&o.sets)->composing(), "override a scenario setting, key=value (repeatable; recorded)")
      ("sut-opt", po::value(&o.sut_opts)->composing(), "option for the plugin's create, key=value (repeatable)")
      ("division", po::value(&o.division)->default_value("closed"), "closed | open (recorded)")
      ("isolation", po::value(&o.isolation),
       "process: the plugin runs in a contained worker process; none: inside the harness (for gdb). "
       "Default: process for --mode submission, none otherwise")
      ("sut-memory-mb", po::value(&o.sut_memory_mb)->default_value(0),
       "address-space limit of the SUT worker in MiB (--isolation process; 0: 8192)")
      ("quiet,q", po::bool_switch(&o.quiet), "no progress line and no summary on stdout")
      ("find-peak", po::bool_switch(&find_peak_mode),
       "server: find the highest target_qps that runs VALID (one run per probe in OUTPUT/probe-*, "
       "then OUTPUT/peak.json; default OUTPUT results/<workload>/server/peak/<time>)")
      ("peak-start-qps", po::value(&peak.start_qps)->default_value(0), "first probe's rate (0: the registry's target_qps)")
      ("peak-tolerance", po::value(&peak.tolerance)->default_value(0.05),
       "stop when the lowest INVALID rate is within this fraction above the highest VALID one")
      ("peak-max-probes", po::value(&peak.max_probes)->default_value(12), "runs in all, at most");
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << desc << "\nsettings for --set: see workloads.yaml (e.g. min_duration_s, min_query_count,\n"
                         "max_query_count, target_qps, latency_bound_ms, query_timeout_s, run_timeout_s).\n";
    return kExitValid;
  }
  po::notify(vm);
  o.command_line = cmdline;
  const int code = find_peak_mode ? find_peak(o, peak) : o.mode == "submission" ? run_submission(o) : run_once(o);
  // Plugins are never unloaded and their threads may linger: leave without static destructors.
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace edubench::cli
