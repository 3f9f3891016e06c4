#!/bin/bash
# Submits a sharded run: an array of N shards, then the merge once all of them succeed.
#   examples/slurm/submit.sh SCENARIO.json OUTDIR [N] [extra sbatch options...]
# Prints the two job ids ("ARRAY MERGE"). Logs go to OUTDIR/logs/. If any shard fails the
# merge is cancelled (--kill-on-invalid-dep=yes) instead of waiting forever.
set -euo pipefail
scenario=${1:?usage: submit.sh SCENARIO.json OUTDIR [N] [sbatch options...]}
outdir=${2:?usage: submit.sh SCENARIO.json OUTDIR [N] [sbatch options...]}
shards=${3:-16}
shift $(( $# < 3 ? $# : 3 ))
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Resolve the CLI now, where this script's own location is known, and hand it to the jobs.
# shellcheck source=stereotax-cli.sh
. "$here/stereotax-cli.sh"
STEREOTAX_CLI=$(STEREOTAX_HOME=${STEREOTAX_HOME:-$here/../..} stereotax_find_cli)
export STEREOTAX_CLI STEREOTAX_EXAMPLES=$here
if ! [[ "$shards" =~ ^[0-9]+$ ]] || [ "$shards" -lt 1 ]; then echo "submit.sh: N must be a whole number >= 1, got $shards" >&2; exit 2; fi
if [ ! -r "$scenario" ]; then echo "submit.sh: cannot read $scenario" >&2; exit 2; fi
mkdir -p "$outdir/parts" "$outdir/logs"
rm -f "$outdir"/parts/part-*.json
array=$(sbatch --parsable --export=ALL --array="1-${shards}" --output="$outdir/logs/shard-%A_%a.log" "$@" \
  "$here/shards.sbatch" "$scenario" "$outdir")
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL --dependency="afterok:${array}" --kill-on-invalid-dep=yes \
  --output="$outdir/logs/merge-%j.log" "$@" "$here/merge.sbatch" "$outdir")
merge=${merge%%;*}
echo "$array $merge"
