package io.pbkv.storage;

import io.pbkv.core.Command;
import io.pbkv.core.LogEntry;
import io.pbkv.core.Precondition;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

class DiscardedEntriesFileTest {

	@TempDir
	Path dir;

	@Test
	void everyDiscardedEntryIsKeptAsOneJsonLineAppendedAcrossCalls() throws Exception {
		DiscardedEntriesFile file = new DiscardedEntriesFile(dir);
		String awkwardKey = "quote\" back\\slash tab\t é";
		file.record(List.of(new LogEntry(7, 2, new Command.Put(awkwardKey, new byte[] { 0, -1, 42 }, Precondition.NONE)),
				new LogEntry(8, 2, new Command.Delete("gone", Precondition.NONE))));
		file.record(List.of(new LogEntry(9, 2, new Command.EpochStart("a"))));

		List<String> lines = Files.readAllLines(dir.resolve("discarded.jsonl"));
		assertThat(lines).hasSize(3);
		ObjectMapper json = new ObjectMapper();
		JsonNode put = json.readTree(lines.get(0));
		assertThat(put.get("index").asLong()).isEqualTo(7);
		assertThat(put.get("epoch").asLong()).isEqualTo(2);
		assertThat(put.get("op").asString()).isEqualTo("put");
		assertThat(put.get("key").asString()).isEqualTo(awkwardKey);
		assertThat(Base64.getDecoder().decode(put.get("valueBase64").asString())).containsExactly(0, -1, 42);
		assertThat(json.readTree(lines.get(1)).get("op").asString()).isEqualTo("delete");
		assertThat(json.readTree(lines.get(2)).get("primary").asString()).isEqualTo("a");
	}

}
