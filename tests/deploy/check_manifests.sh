#!/usr/bin/env bash
# ctest deploy_manifests_test: checks deploy/ without a cluster (see check_manifests.py).
# Installs its tools on first use through tools/dev/deploy-tools (tools/dev/setup does it
# too); offline afterwards.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
eval "$("$root/tools/dev/deploy-tools" --env)"
exec "$DEPLOY_PYTHON" "$root/tests/deploy/check_manifests.py" \
    --root "$root" --kustomize "$KUSTOMIZE" --node-modules "$DEPLOY_NODE_MODULES"
