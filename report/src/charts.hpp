// The report's charts, each built from the runs' own logged figures.
#pragma once

#include "run_data.hpp"
#include "svg_chart.hpp"

#include <vector>

namespace edubench::report {

LineChart latency_cdf(const std::vector<const RunData*>& runs);
// Fraction of queries per bin, the bins shared by every run. `which`: "ttft" | "tpot" | "itl".
LineChart histogram(const std::vector<const RunData*>& runs, const std::string& which);
LineChart throughput_over_time(const std::vector<const RunData*>& runs);
LineChart latency_over_time(const std::vector<const RunData*>& runs);
// The SUT's resident memory as the harness sampled it during the load (result.json
// sut_memory.samples), in MiB; the in-process runs' series include the harness.
LineChart memory_over_time(const std::vector<const RunData*>& runs);
// Agents: mean harness-timed milliseconds per step, split into the SUT's own time (model),
// tool calls and sandbox runs (one chart per run).
BarChart agent_step_split(const RunData& run);
// Agents: the SUT's reported context tokens at each step (mean over queries).
LineChart context_growth(const std::vector<const RunData*>& runs);
// Generation: the mean gap per token at each position of the response (flat with a KV cache,
// growing without one), and the SUT's reported KV bytes against its context tokens.
LineChart token_time_by_position(const std::vector<const RunData*>& runs);
LineChart kv_bytes_by_context(const std::vector<const RunData*>& runs);
// Speculative decoding: acceptance by draft position, when the SUT reports it per position;
// otherwise the distribution of each query's acceptance rate.
LineChart speculative_acceptance(const std::vector<const RunData*>& runs);
// Peak search: the bounded figure at its percentile against offered rate, bound and peak marked.
std::vector<LineChart> peak_charts(const RunData& peak);

bool has_streams(const std::vector<const RunData*>& runs);
bool has_memory_samples(const std::vector<const RunData*>& runs);
bool has_agent_steps(const RunData& run);
bool has_reported(const std::vector<const RunData*>& runs, const std::string& prefix);

}  // namespace edubench::report
