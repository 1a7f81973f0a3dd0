#!/usr/bin/env bash
# Runs a Kafka command-line tool from the cached jars (fetched on first use), e.g.
#   deploy/local/kafka-tool.sh TopicCommand --bootstrap-server 127.0.0.1:19092 --list
#   deploy/local/kafka-tool.sh ProducerPerformance --topic t --num-records 100000 --record-size 200 \
#       --throughput -1 --producer-props bootstrap.servers=127.0.0.1:19092 acks=all
#   deploy/local/kafka-tool.sh ConsumerPerformance --bootstrap-server 127.0.0.1:19092 --topic t --messages 100000
#   deploy/local/kafka-tool.sh ConsumerGroupCommand --bootstrap-server 127.0.0.1:19092 --describe --all-groups
# A bare name is looked up in org.apache.kafka.tools (then .consumer, .reassign), else give the full class name.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/common.sh"

[ $# -ge 1 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
kafka_libs_present || bash "$HERE/fetch-kafka.sh" >&2
class="$1"
shift
if [[ "$class" != *.* ]]; then
  found=""
  for pkg in org.apache.kafka.tools org.apache.kafka.tools.consumer org.apache.kafka.tools.consumer.group \
    org.apache.kafka.tools.reassign kafka.tools; do
    if unzip -l "$KAFKA_LIBS_DIR/kafka-tools-$JIESHUI_KAFKA_VERSION.jar" "${pkg//.//}/$class.class" >/dev/null 2>&1 ||
      unzip -l "$KAFKA_LIBS_DIR/kafka_2.13-$JIESHUI_KAFKA_VERSION.jar" "${pkg//.//}/$class.class" >/dev/null 2>&1; then
      found="$pkg.$class"
      break
    fi
  done
  [ -n "$found" ] || { echo "kafka-tool: no tool class named $class" >&2; exit 2; }
  class="$found"
fi
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" ${KAFKA_TOOL_HEAP_OPTS:--Xmx512M} -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$HERE/kafka-tools-log4j2.properties" \
  -cp "$KAFKA_LIBS_DIR/*" "$class" "$@"
