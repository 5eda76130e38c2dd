#!/usr/bin/env bash
# A single-node Slurm cluster on this machine for the grading tests, from Debian's slurm-wlm and
# munge (scripts/install_deps.sh --with-slurm): munged, slurmctld and slurmd with everything in
# DIR (config, sockets, spool, logs) and ports of their own, so nothing of the system's is
# touched and a Slurm already running is not disturbed.
#   slurm_cluster.sh start DIR   prints the SLURM_CONF to export; exit 77 when it cannot start
#   slurm_cluster.sh stop DIR
set -uo pipefail
cmd=$1 dir=$2
stop() {
  for p in slurmd slurmctld munged; do
    [[ -f $dir/$p.pid ]] && kill "$(cat "$dir/$p.pid")" 2>/dev/null
  done
  sleep 1
  for p in slurmd slurmctld munged; do
    [[ -f $dir/$p.pid ]] && kill -9 "$(cat "$dir/$p.pid")" 2>/dev/null
    rm -f "$dir/$p.pid"
  done
  return 0
}
skip() {
  echo "skip: $*" >&2
  for f in "$dir"/*.log; do [[ -f $f ]] && { echo "--- $f" >&2; tail -5 "$f" >&2; }; done
  stop
  exit 77
}
if [[ $cmd == stop ]]; then stop; exit 0; fi
[[ $cmd == start ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
for b in munged slurmctld slurmd sbatch squeue sinfo; do
  command -v "$b" >/dev/null || skip "$b is not installed (scripts/install_deps.sh --with-slurm)"
done
[[ $(id -u) == 0 ]] || skip "the daemons run as root here"
[[ -r /etc/munge/munge.key ]] || skip "no /etc/munge/munge.key (the munge package makes it)"
rm -rf "$dir"
mkdir -p "$dir/spool/ctld" "$dir/spool/d"
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
# Ports away from Slurm's defaults (6817/6818).
base=$((17000 + RANDOM % 2000 * 2))
cat >"$dir/slurm.conf" <<CONF
ClusterName=edubench
SlurmctldHost=$host
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
StateSaveLocation=$dir/spool/ctld
SlurmdSpoolDir=$dir/spool/d
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=edubench Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
munged --force --socket="$dir/munge.socket" --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" \
  --seed-file="$dir/munge.seed" >/dev/null 2>&1 || skip "munged did not start"
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF" >/dev/null 2>&1 || skip "slurmctld did not start"
slurmd -f "$SLURM_CONF" >/dev/null 2>&1 || skip "slurmd did not start"
for _ in $(seq 60); do
  [[ $(sinfo -h -o %T 2>/dev/null) == idle ]] && { echo "$SLURM_CONF"; exit 0; }
  sleep 0.5
done
skip "the node did not become idle in 30 s: $(sinfo -h -o '%T %E' 2>&1)"
