package io.pbkv.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Streams for a client run in a test: stdin given, stdout and stderr kept. */
final class Captured {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	final Streams streams;

	Captured(byte[] stdin) {
		streams = new Streams(new ByteArrayInputStream(stdin), new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8), false);
	}

	Captured(String stdin) {
		this(stdin.getBytes(StandardCharsets.UTF_8));
	}

	Captured() {
		this(new byte[0]);
	}

	String out() {
		return out.toString(StandardCharsets.UTF_8);
	}

	byte[] outBytes() {
		return out.toByteArray();
	}

	String err() {
		return err.toString(StandardCharsets.UTF_8);
	}

}
