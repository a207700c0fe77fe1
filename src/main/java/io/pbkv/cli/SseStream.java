package io.pbkv.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Reads Server-Sent Events off a stream, one event at a time, as a browser's EventSource does (the watch, and its tests). */
public final class SseStream implements AutoCloseable {

	/** One event; {@code id} is null when the event carried none. */
	public record Event(String name, String id, String data) {
	}

	private final BufferedReader lines;

	public SseStream(InputStream in) {
		this.lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
	}

	/** The next event, or null when the stream ended. */
	public Event next() throws IOException {
		String name = "message";
		String id = null;
		StringBuilder data = null;
		for (String line = lines.readLine(); line != null; line = lines.readLine()) {
			if (line.isEmpty()) {
				if (data != null) {
					return new Event(name, id, data.toString());
				}
				continue;
			}
			int colon = line.indexOf(':');
			String field = colon < 0 ? line : line.substring(0, colon);
			String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
			switch (field) {
				case "event" -> name = value;
				case "id" -> id = value;
				case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
				default -> {
				}
			}
		}
		return null;
	}

	@Override
	public void close() throws IOException {
		lines.close();
	}

}
