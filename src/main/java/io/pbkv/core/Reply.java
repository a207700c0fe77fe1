package io.pbkv.core;

/** The core's answer to the client request the runtime numbered {@code requestId}. */
public record Reply(long requestId, Outcome outcome) {
}
