#!/usr/bin/env bash
# Rebuilds the API baseline jars that japicmp compares the public API with (see VERSIONING.md) from a git commit:
# the commit's sources are exported, the four API artifacts built without tests, and their jars copied here.
# Usage: api-baseline/build.sh <commit> [maven arguments, e.g. -Dmaven.repo.local=...]
set -euo pipefail

commit=${1:?usage: api-baseline/build.sh <commit> [maven arguments]}
shift
root=$(git rev-parse --show-toplevel)
sha=$(git -C "$root" rev-parse --verify "$commit^{commit}")
artifacts=(probe-plugins-spi probe-plugin-support probe-engine probe-json)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$root" archive "$sha" | tar -x -C "$work"
(cd "$work" && ./mvnw -B -q -DskipTests -Djapicmp.skip=true "$@" \
    -pl "$(IFS=,; echo "${artifacts[*]}")" -am package)

for a in "${artifacts[@]}"; do
    jar=$(find "$work/$a/target" -maxdepth 1 -name "$a-*.jar" ! -name '*-sources.jar' ! -name '*-tests.jar')
    cp "$jar" "$root/api-baseline/$a.jar"
done
echo "$sha" > "$root/api-baseline/COMMIT"
echo "api-baseline: ${artifacts[*]} from $sha"
