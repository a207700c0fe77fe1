package io.pbkv.storage;

import io.pbkv.core.Command;
import io.pbkv.core.LogEntry;
import io.pbkv.runtime.DiscardedEntries;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.ObjectMapper;

/**
 * {@code data-dir/discarded.jsonl}: one JSON line per entry removed from the log (index, epoch, operation, key,
 * value in base64), for an operator to inspect; appended and fsynced before the truncation is.
 */
public final class DiscardedEntriesFile implements DiscardedEntries {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final Path file;

	public DiscardedEntriesFile(Path dataDir) {
		this.file = dataDir.resolve("discarded.jsonl");
	}

	@Override
	public void record(List<LogEntry> entries) throws IOException {
		StringBuilder lines = new StringBuilder();
		for (LogEntry e : entries) {
			Map<String, Object> line = new LinkedHashMap<>();
			line.put("index", e.index());
			line.put("epoch", e.epoch());
			switch (e.command()) {
				case Command.Put put -> {
					line.put("op", "put");
					line.put("key", put.key());
					line.put("valueBase64", Base64.getEncoder().encodeToString(put.value()));
				}
				case Command.Delete delete -> {
					line.put("op", "delete");
					line.put("key", delete.key());
				}
				case Command.EpochStart start -> {
					line.put("op", "epoch-start");
					line.put("primary", start.primaryId());
				}
			}
			lines.append(JSON.writeValueAsString(line)).append('\n');
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

}
