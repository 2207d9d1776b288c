#!/usr/bin/env bash
# The consumer's view of Larder: resolves cache-core and cache-jcache by their coordinates (through
# larder-bom) from a Maven local repository that holds the published modules, then compiles and runs
# ConsumerCheck on the class path and on the module path, on JDK 17 and, when present, JDK 25.
#
# Usage: consumer/run.sh [maven options for the resolution]
#   CI (.ci/run): the published modules are installed into ~/.m2 first, then consumer/run.sh
#   by hand, keeping ~/.m2 clean:
#     mvn -B -ntp install -DskipTests -Dmaven.repo.local=/tmp/m2-consumer -pl larder-bom,cache-core,cache-jcache -am
#     consumer/run.sh -Dmaven.repo.local=/tmp/m2-consumer
# JDK homes: JDK17_HOME (default: the javac on the PATH) and JDK25_HOME
# (default /usr/lib/jvm/temurin-25-jdk-amd64, skipped with a message when absent).
#
# What fails it, and where:
#   a dependency missing from a published pom -> the copied jars lack it: javac "package ... does not
#     exist" on the class path, "module not found" on the module path
#   a broken module descriptor (an API package not exported, org.agrona not required transitively, a
#     renamed module or Automatic-Module-Name) -> javac on the module path: "package ... is not visible"
#     or "module not found"; ConsumerCheck: the exported-package and module-name checks
#   an internal type leaked into an exported signature -> ConsumerCheck on the module path lists it
#     (cache-core's own build fails first on -Xlint:exports with -Werror)
#   a provider the ServiceLoader cannot find, a wrong result -> ConsumerCheck exits with status 1
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# the reactor's version: the first <version> of the root pom is the project's own
# (no pipe into head: under pipefail a writer killed by SIGPIPE would fail the run now and then)
version=$(sed -n '0,/^  <version>/s:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml")
lib="$here/target/lib"
out="$here/target/classes"
rm -rf "$here/target"
mkdir -p "$lib"

echo "== consumer: resolving dev.larder:cache-core and cache-jcache $version by coordinates"
mvn -B -ntp -q -f "$here/pom.xml" "$@" -Dlarder.version="$version" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib"
ls "$lib"

sources=$(find "$here/src/main/java" -name '*.java' ! -name module-info.java)
jdk17=${JDK17_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

check_on() {
  local jdk=$1
  local name
  name=$("$jdk/bin/java" -version 2>&1)
  name=${name%%$'\n'*}
  echo "== consumer on $name: class path"
  rm -rf "$out"
  # shellcheck disable=SC2086
  "$jdk/bin/javac" --release 17 -Xlint:all -Werror -d "$out/cp" -cp "$lib/*" $sources
  "$jdk/bin/java" --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$out/cp:$lib/*" \
    dev.larder.consumer.ConsumerCheck classpath
  echo "== consumer on $name: module path (requires dev.larder, dev.larder.jcache)"
  # shellcheck disable=SC2086
  "$jdk/bin/javac" --release 17 -Xlint:all -Werror -d "$out/mp" --module-path "$lib" \
    "$here/src/main/java/module-info.java" $sources
  "$jdk/bin/java" --add-exports java.base/jdk.internal.misc=org.agrona --module-path "$out/mp:$lib" \
    -m dev.larder.consumer/dev.larder.consumer.ConsumerCheck module
}

check_on "$jdk17"
if [ -x "$jdk25/bin/java" ]; then
  check_on "$jdk25"
else
  echo "== consumer: no JDK 25 at $jdk25: checked on JDK 17 only"
fi
