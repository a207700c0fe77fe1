package io.pbkv.cluster;

/**
 * What this node knows of its link to one peer. {@code reachable} is true once the last request was answered
 * with 2xx; {@code lastSuccessMillis} is the wall-clock time of that answer (epoch millis), 0 if never.
 */
record PeerStatus(String url, boolean reachable, long lastSuccessMillis) {
}
