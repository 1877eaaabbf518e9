#!/usr/bin/env bash
# Copies the shipped plugins (products named GenesysPlugin*) from a build folder into a plugins directory,
# so the gateway loads exactly those and never the test fixtures built beside them.
# Usage: scripts/stage-plugins.sh <build-bin-dir> <plugins-dir>
set -euo pipefail
bin_dir="$1"
plugins_dir="$2"
mkdir -p "$plugins_dir"
shopt -s nullglob
plugins=("$bin_dir"/libGenesysPlugin*.so)
if [ ${#plugins[@]} -eq 0 ]; then
  echo "stage-plugins: no libGenesysPlugin*.so in $bin_dir (build first)" >&2
  exit 1
fi
for plugin in "${plugins[@]}"; do
  install -m 0755 "$plugin" "$plugins_dir/"
done
echo "stage-plugins: ${#plugins[@]} plugins in $plugins_dir"
