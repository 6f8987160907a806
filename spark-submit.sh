#!/usr/bin/env bash
# Run a recspark job under spark-submit: ./spark-submit.sh JOB [job options...]
#
#   ./spark-submit.sh generate --profile staging --lake lake --dataset staging1
#   MASTER=spark://host:7077 ./spark-submit.sh check-data --lake s3a://bucket/lake --dataset staging1
#
# recspark travels to the executors as a zip on --py-files; Delta comes from the local jar
# cache (fetched once by `recspark setup-jars`). --master defaults to local[*]; set MASTER or
# put --master first to choose a cluster. SPARK_SUBMIT_OPTS_EXTRA adds spark-submit options.
# ./spark-submit.sh --package only builds build/recspark.zip (for EMR: see the README).
# RECSPARK_PACK=1 also ships a packed virtual environment (venv-pack) with --archives: the
# Python the executors need beyond pyspark (delta-spark's Python package, pyyaml, numpy) for
# clusters whose nodes lack them. The nodes need the same base Python at the same path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${VENV:-$here/.venv}"

master="${MASTER:-local[*]}"
package_only=0
if [[ "${1:-}" == "--package" ]]; then package_only=1; fi
if [[ "${1:-}" == "--master" ]]; then master="$2"; shift 2; fi
job="${1:-}"
if [[ "$package_only" == 0 ]] && [[ -z "$job" || ! -f "$here/jobs/${job//-/_}.py" ]]; then
  echo "usage: spark-submit.sh [--master URL] JOB [options]; JOB is one of:" >&2
  ls "$here/jobs" | sed -n 's/\.py$//p' | tr '_' '-' | sed 's/^/  /' >&2
  exit 2
fi
[[ "$package_only" == 1 ]] || shift

if [[ "$package_only" == 0 && ! -x "$venv/bin/spark-submit" ]]; then
  echo "spark-submit.sh: no virtual environment at $venv; run 'make jars' first" >&2
  exit 2
fi
build="$here/build"
mkdir -p "$build"
python_bin="$venv/bin/python"
[[ -x "$python_bin" ]] || python_bin="$(command -v python3)"
"$python_bin" - "$here" "$build/recspark.zip" <<'PY'
import pathlib, sys, zipfile
root, target = pathlib.Path(sys.argv[1]), sys.argv[2]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
    for path in sorted((root / "recspark").rglob("*.py")):
        archive.write(path, path.relative_to(root))
PY
if [[ "$package_only" == 1 ]]; then
  echo "$build/recspark.zip  (upload it with jobs/ and conf/; see README, EMR)"
  exit 0
fi
# RECSPARK_S3=1 adds hadoop-aws and the AWS SDK bundle for s3a:// lakes off EMR.
jars="$("$venv/bin/recspark" setup-jars ${RECSPARK_S3:+--s3} | paste -sd, -)"

export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$venv/bin/python}"
export PYSPARK_DRIVER_PYTHON="${PYSPARK_DRIVER_PYTHON:-$venv/bin/python}"

archives=()
if [[ -n "${RECSPARK_PACK:-}" ]]; then
  pack_env="$build/pack-env"
  pack="$build/recspark-env.tar.gz"
  if [[ ! -f "$pack" || "$here/constraints.txt" -nt "$pack" ]]; then
    rm -rf "$pack_env" "$pack"
    "$python_bin" -m venv "$pack_env"
    "$pack_env/bin/pip" install --quiet -c "$here/constraints.txt" venv-pack==0.2.0
    "$pack_env/bin/pip" install --quiet --no-deps -c "$here/constraints.txt" delta-spark pyyaml numpy importlib_metadata zipp
    "$pack_env/bin/venv-pack" --quiet -p "$pack_env" -o "$pack"
  fi
  archives=(--archives "$pack#environment" --conf spark.pyspark.python=./environment/bin/python
            --conf "spark.pyspark.driver.python=$PYSPARK_DRIVER_PYTHON")
fi
export RECSPARK_CONF_DIR="${RECSPARK_CONF_DIR:-$here/conf}"

# shellcheck disable=SC2086
exec "$venv/bin/spark-submit" \
  --master "$master" \
  --name "recspark-$job" \
  --jars "$jars" \
  --py-files "$build/recspark.zip" \
  "${archives[@]}" \
  --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
  --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \
  --conf spark.sql.session.timeZone=UTC \
  ${SPARK_SUBMIT_OPTS_EXTRA:-} \
  "$here/jobs/${job//-/_}.py" "$@"
