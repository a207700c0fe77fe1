package io.pbkv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command-line client is a second program with its own jar: the server never imports it, and it imports
 * nothing of the server's, so that the thin client jar holds every class it needs.
 */
class ClientBoundaryTest {

	private static final Path MAIN = Path.of("src/main/java/io/pbkv");

	private static List<Path> sources(Path dir) throws IOException {
		try (Stream<Path> files = Files.walk(dir)) {
			return files.filter(p -> p.toString().endsWith(".java")).toList();
		}
	}

	@Test
	void theServerNeverImportsTheClient() throws IOException {
		for (Path file : sources(MAIN)) {
			if (!file.startsWith(MAIN.resolve("cli"))) {
				assertThat(Files.readString(file)).as(file.toString()).doesNotContain("io.pbkv.cli");
			}
		}
	}

	@Test
	void theClientImportsNothingOfTheServer() throws IOException {
		for (Path file : sources(MAIN.resolve("cli"))) {
			assertThat(Files.readString(file).lines().filter(l -> l.startsWith("import io.pbkv.")))
				.as(file.toString())
				.allMatch(l -> l.startsWith("import io.pbkv.cli."));
		}
	}

}
