#!/bin/bash
# Finds the stereotax CLI and runs it with the arguments given: sourced by the job scripts.
#   1. $STEREOTAX_CLI, when set (a path to dist/cli.cjs, or a command such as "stereotax");
#   2. a checkout: dist/cli.cjs in $STEREOTAX_HOME, or above the submit directory
#      ($SLURM_SUBMIT_DIR, set by sbatch; a job's own script is a copy in Slurm's spool);
#   3. a global install (npm install -g stereotax): `stereotax` on PATH.
# A checkout must be built first (npm ci && npm run build).
stereotax_find_cli() {
  if [ -n "${STEREOTAX_CLI:-}" ]; then echo "$STEREOTAX_CLI"; return 0; fi
  local dir
  for dir in "${STEREOTAX_HOME:-}" "${SLURM_SUBMIT_DIR:-$PWD}"; do
    [ -n "$dir" ] || continue
    dir=$(cd "$dir" 2>/dev/null && pwd) || continue
    while [ -n "$dir" ]; do
      if [ -f "$dir/dist/cli.cjs" ] && [ -f "$dir/package.json" ] && grep -q '"name": "stereotax"' "$dir/package.json"; then
        echo "node $dir/dist/cli.cjs"; return 0
      fi
      [ "$dir" = / ] && break
      dir=$(dirname "$dir")
    done
  done
  if command -v stereotax >/dev/null 2>&1; then echo stereotax; return 0; fi
  echo "stereotax: CLI not found: set STEREOTAX_CLI or STEREOTAX_HOME, submit from a built checkout (npm ci && npm run build), or npm install -g stereotax" >&2
  return 1
}

stereotax() {
  local cli
  cli=$(stereotax_find_cli) || return 1
  # Word splitting on purpose: "node /path/dist/cli.cjs" is a command and its first argument.
  $cli "$@"
}
