# pbkv: one image runs any node; configure it with KV_* environment variables (see docker-compose.yml).
#   docker build -t pbkv .
#   docker run -p 8080:8080 -e KV_NODE_ID=a -e KV_INITIAL_ROLE=primary -v pbkv-a:/data pbkv

# --- build: compile and package target/pbkv.jar, then extract it -----------------------------------------
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY src src
# The image's own Maven (same 3.9 line as the wrapper) avoids downloading Maven again; the cache mount keeps
# ~/.m2 between builds (BuildKit: the default builder since Docker 23; DOCKER_BUILDKIT=1 before that).
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -DskipTests
# The extracted layout (pbkv.jar + lib/) is what an AOT cache needs: it cannot cover the nested jars of the
# executable jar.
RUN java -Djarmode=tools -jar target/pbkv.jar extract --destination target/extracted

# --- runtime: a JRE, the extracted jar and its AOT cache ---------------------------------------------------
FROM eclipse-temurin:25-jre

# The Ubuntu-based Temurin JRE image ships neither curl nor wget (wget is purged after it fetches the JDK).
# curl is installed for the HEALTHCHECK: it judges the HTTP status properly (-f), where a bash /dev/tcp
# probe would have to parse the response by hand, and it is the tool operators reach for in `docker exec`.
# A few hundred kB, apt lists removed in the same layer.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*

# A fixed non-root uid, so that volume ownership is the same on every host.
RUN groupadd --system --gid 10001 pbkv \
 && useradd --system --uid 10001 --gid pbkv --home-dir /app --no-create-home --shell /usr/sbin/nologin pbkv \
 && mkdir -p /app /data \
 && chown pbkv:pbkv /data

# Libraries first: their layer stays cached while only pbkv's own code changes.
COPY --from=build /src/target/extracted/lib/ /app/lib/
COPY --from=build /src/target/extracted/pbkv.jar /app/pbkv.jar

# The AOT cache (JDK 25, JEP 483/514/515): a training run of this very JVM on this class path, a lone node on
# a temporary data dir and a loopback port that serves a few requests and is stopped (bin/aot-cache --train,
# the one bin/cluster uses). It must happen here, in the runtime image: a cache only maps for the JVM build
# and the class path (paths, sizes, modification times) it was made with. A cache that does not map at run
# time (e.g. JAVA_TOOL_OPTIONS with ZGC or a heap over 32 GB) makes the JVM log an [aot] error and start
# without it, just slower. Roughly halves the start-up time.
RUN --mount=type=bind,source=bin/aot-cache,target=/usr/local/bin/pbkv-aot-cache \
    bash /usr/local/bin/pbkv-aot-cache --train /app java \
 && rm -rf /tmp/hsperfdata_root

# Every node keeps its log and snapshots in /data (created above, owned by pbkv, so that a new named volume
# inherits that ownership). Mount a volume there: a node that loses its data must rejoin as an empty backup.
ENV KV_DATA_DIR=/data \
    SERVER_PORT=8080
VOLUME /data
EXPOSE 8080

USER pbkv
WORKDIR /app

HEALTHCHECK --interval=10s --timeout=3s --start-period=40s --retries=3 \
  CMD curl -fsS -o /dev/null http://localhost:8080/actuator/health/liveness || exit 1

# Java as PID 1 gets docker stop's SIGTERM directly and shuts down gracefully. Extra JVM flags: JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:AOTCache=/app/pbkv.aot", "-jar", "/app/pbkv.jar"]
