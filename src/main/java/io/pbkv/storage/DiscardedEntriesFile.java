package io.pbkv.storage;

import io.pbkv.core.Command;
import io.pbkv.core.LogEntry;
import io.pbkv.runtime.DiscardedEntries;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.List;

/**
 * {@code data-dir/discarded.jsonl}: one JSON line per entry removed from the log (index, epoch, operation, key,
 * value in base64), for an operator to inspect; appended and fsynced before the truncation is.
 */
public final class DiscardedEntriesFile implements DiscardedEntries {

	private final Path file;

	public DiscardedEntriesFile(Path dataDir) {
		this.file = dataDir.resolve("discarded.jsonl");
	}

	@Override
	public void record(List<LogEntry> entries) throws IOException {
		StringBuilder lines = new StringBuilder();
		for (LogEntry e : entries) {
			lines.append("{\"index\":").append(e.index()).append(",\"epoch\":").append(e.epoch());
			switch (e.command()) {
				case Command.Put put -> lines.append(",\"op\":\"put\",\"key\":").append(quote(put.key()))
					.append(",\"valueBase64\":\"")
					.append(Base64.getEncoder().encodeToString(put.value()))
					.append('"');
				case Command.Delete delete -> lines.append(",\"op\":\"delete\",\"key\":").append(quote(delete.key()));
				case Command.EpochStart start -> lines.append(",\"op\":\"epoch-start\",\"primary\":")
					.append(quote(start.primaryId()));
			}
			lines.append("}\n");
		}
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.APPEND)) {
			ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
			while (buffer.hasRemaining()) {
				channel.write(buffer);
			}
			channel.force(false);
		}
	}

	private static String quote(String s) {
		StringBuilder out = new StringBuilder("\"");
		for (char c : s.toCharArray()) {
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		return out.append('"').toString();
	}


}
