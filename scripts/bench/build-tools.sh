#!/usr/bin/env bash
# Builds the gateway, the sandbox and every plugin at the root, and the tools package in Tools/ (the benchmarks and
# the fault matrix, kept out of the product build), each with its own scratch folder. Sourced by the benchmark
# scripts and scripts/chaos.sh:
#   source scripts/bench/build-tools.sh <debug|release> <scratch folder name, e.g. .build or .build-bench>
# Exports GGW_BUILD_DIR (the root's products: the tools start the gateway and copy the plugins from there) and
# TOOLS_BIN (the tools' executables).
tools_configuration="$1"
tools_scratch="$2"
swift build -c "$tools_configuration" --scratch-path "$tools_scratch" >&2
GGW_BUILD_DIR="$(swift build -c "$tools_configuration" --scratch-path "$tools_scratch" --show-bin-path)"
swift build --package-path Tools -c "$tools_configuration" --scratch-path "Tools/$tools_scratch" >&2
TOOLS_BIN="$(swift build --package-path Tools -c "$tools_configuration" --scratch-path "Tools/$tools_scratch" --show-bin-path)"
export GGW_BUILD_DIR TOOLS_BIN
