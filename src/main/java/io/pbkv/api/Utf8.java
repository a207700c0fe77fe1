package io.pbkv.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Strict UTF-8: bytes that are not well-formed UTF-8 are reported, never replaced with U+FFFD. */
final class Utf8 {

	private Utf8() {
	}

	/** The text these bytes encode, or empty when they are not well-formed UTF-8. */
	static Optional<String> decode(byte[] bytes) {
		try {
			// A new decoder reports malformed and unmappable input by default.
			return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
		}
		catch (CharacterCodingException ex) {
			return Optional.empty();
		}
	}

}
