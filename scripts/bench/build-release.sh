#!/usr/bin/env bash
# Builds what the end-to-end benchmarks run, release, into .build-bench: PipelineBenchmark, the gateway
# executable its replicas run, and the shipped plugins beside them. Sourced by bench-pipeline.sh,
# bench-replicas.sh and bench-cpu.sh.
swift build -c release --scratch-path .build-bench --product PipelineBenchmark
swift build -c release --scratch-path .build-bench --product genesys-gateway
# Every shipped plugin, as Package.swift names them (the benchmarks copy each one the tests know).
for plugin in $(grep -o '"GenesysPlugin[A-Za-z]*"' Package.swift | tr -d '"'); do
    swift build -c release --scratch-path .build-bench --product "$plugin"
done
