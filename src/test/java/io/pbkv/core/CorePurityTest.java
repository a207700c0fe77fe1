package io.pbkv.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The core stays deterministic: it is handed time, I/O and threads, and never reaches for them. */
class CorePurityTest {

	private static final Pattern FORBIDDEN = Pattern.compile(
			"^import (static )?(org\\.springframework|java\\.io\\.|java\\.nio\\.|java\\.net\\.|java\\.util\\.concurrent|java\\.time\\.|java\\.util\\.Random|org\\.slf4j)"
					+ "|System\\.(currentTimeMillis|nanoTime)|Instant\\.now|new Thread|Thread\\.sleep|Math\\.random|UUID\\.randomUUID");

	@Test
	void coreImportsNoSpringIoClockOrThreads() throws IOException {
		Path core = Path.of("src/main/java/io/pbkv/core");
		List<String> violations;
		try (Stream<Path> files = Files.walk(core)) {
			violations = files.filter(p -> p.toString().endsWith(".java")).flatMap(CorePurityTest::violations).toList();
		}
		assertThat(violations).isEmpty();
	}

	@Test
	void theCheckWouldCatchAForbiddenLine() {
		assertThat(FORBIDDEN.matcher("import java.nio.file.Path;").find()).isTrue();
		assertThat(FORBIDDEN.matcher("long t = System.nanoTime();").find()).isTrue();
		assertThat(FORBIDDEN.matcher("import java.util.List;").find()).isFalse();
	}

	private static Stream<String> violations(Path file) {
		try {
			List<String> lines = Files.readAllLines(file);
			return lines.stream().filter(l -> FORBIDDEN.matcher(l.trim()).find()).map(l -> file.getFileName() + ": " + l.trim());
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
