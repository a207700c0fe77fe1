package io.pbkv.runtime;

import io.pbkv.core.Message;

import java.util.List;

/**
 * Carries messages to peers. {@link #send} never blocks the caller (the node's loop) and never throws: a message
 * may be delayed, reordered with messages to other peers, or lost, and the protocol retransmits. Messages to one
 * peer leave in the order given. Incoming messages arrive through {@link NodeRuntime#deliver}.
 */
public interface Transport extends AutoCloseable {

	Transport NONE = messages -> {
	};

	void send(List<Message> messages);

	@Override
	default void close() {
	}

}
