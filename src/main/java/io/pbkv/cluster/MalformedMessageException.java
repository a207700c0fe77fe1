package io.pbkv.cluster;

/** A peer request body that is not a batch {@link MessageCodec} wrote; the message says what is wrong, briefly. */
class MalformedMessageException extends Exception {

	MalformedMessageException(String reason) {
		super(reason, null, false, false);
	}

}
