#!/usr/bin/env bash
# Measures the alert rule by simulation (false alarms with no change, detection of a real 10-point
# rise) and prints the rates: bash bench/alerts-sim.sh [PORTFOLIOS] [TRIALS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --example alerts_sim -- "${1:-1000}" "${2:-2000}"
