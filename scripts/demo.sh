#!/usr/bin/env bash
# The main job on a fresh Debian machine: installs system packages, builds the gateway and its plugins,
# stages the shipped plugins, and checks the example tenants in TenantConfigs/ against them.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
echo "== build"
swift build
plugins_dir=".build/plugins"
bash scripts/stage-plugins.sh .build/debug "$plugins_dir"
# shellcheck source=scripts/example-env.sh
. scripts/example-env.sh
echo "== genesys-gateway plugins"
.build/debug/genesys-gateway plugins --plugins-dir "$plugins_dir"
echo "== genesys-gateway check-config"
.build/debug/genesys-gateway check-config --config-dir TenantConfigs --plugins-dir "$plugins_dir"
